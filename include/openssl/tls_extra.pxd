# Declarations from <openssl/bio.h>, <openssl/pem.h>, <openssl/x509.h>, <openssl/evp.h> that the
# TLS modules need (the x509 engineer owns the per-header .pxd files for these; to avoid edit
# conflicts the TLS side declares its few extra names here).
from openssl.x509_vfy cimport X509, X509_CRL, X509_NAME
from openssl.ssl cimport BIO, EVP_PKEY

cdef extern from "openssl/bio.h" nogil:
    ctypedef struct BIO_METHOD:
        pass
    const BIO_METHOD *BIO_s_mem()
    BIO *BIO_new(const BIO_METHOD *type)
    BIO *BIO_new_mem_buf(const void *buf, int len)
    int BIO_free(BIO *a)
    void BIO_free_all(BIO *a)
    int BIO_up_ref(BIO *a)
    int BIO_read(BIO *b, void *data, int dlen)
    int BIO_write(BIO *b, const void *data, int dlen)
    int BIO_read_ex(BIO *b, void *data, size_t dlen, size_t *readbytes)
    int BIO_write_ex(BIO *b, const void *data, size_t dlen, size_t *written)
    size_t BIO_ctrl_pending(BIO *b)
    long BIO_set_mem_eof_return(BIO *b, int v)
    int BIO_eof(BIO *b)
    long BIO_get_mem_data(BIO *b, char **pp)
    void BIO_clear_retry_flags(BIO *b)

cdef extern from "openssl/pem.h" nogil:
    ctypedef int (*pem_password_cb2)(char *buf, int size, int rwflag, void *userdata)
    X509 *PEM_read_bio_X509(BIO *bp, X509 **x, pem_password_cb2 cb, void *u)
    X509_CRL *PEM_read_bio_X509_CRL(BIO *bp, X509_CRL **x, pem_password_cb2 cb, void *u)

cdef extern from "openssl/x509.h" nogil:
    X509 *d2i_X509_bio(BIO *bp, X509 **x509)
    X509 *d2i_X509(X509 **px, const unsigned char **inp, long len)
    int i2d_X509(X509 *x, unsigned char **out)
    void X509_free(X509 *a)
    int X509_up_ref(X509 *a)
    void X509_CRL_free(X509_CRL *a)
    int X509_check_purpose(X509 *x, int id, int ca)
    int X509_check_ca(X509 *x)

cdef extern from "openssl/evp.h" nogil:
    void EVP_PKEY_free(EVP_PKEY *key)

cdef extern from "openssl/err.h" nogil:
    enum:
        ERR_LIB_PEM
        PEM_R_NO_START_LINE
        ASN1_R_HEADER_TOO_LONG
        X509_R_CERT_ALREADY_IN_HASH_TABLE
    unsigned long ERR_peek_last_error()
