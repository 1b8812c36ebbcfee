# Declarations from <openssl/bio.h>, <openssl/pem.h>, <openssl/x509.h>, <openssl/x509v3.h> and
# <openssl/asn1.h> that the TLS modules need beyond what the per-header .pxd files (owned by the
# certificate work) declare; kept here to avoid edit conflicts.
from openssl.x509 cimport X509
from openssl.bio cimport BIO, BIO_METHOD
from openssl.asn1 cimport ASN1_OCTET_STRING
from openssl.x509_vfy cimport X509_CRL
from openssl.ssl cimport EVP_PKEY, SSL_CTX
from libc.stdio cimport FILE

cdef extern from "openssl/bio.h" nogil:
    int BIO_up_ref(BIO *a)
    int BIO_read_ex(BIO *b, void *data, size_t dlen, size_t *readbytes)
    int BIO_write_ex(BIO *b, const void *data, size_t dlen, size_t *written)
    size_t BIO_ctrl_pending(BIO *b)
    long BIO_set_mem_eof_return(BIO *b, int v)

cdef extern from "openssl/pem.h" nogil:
    ctypedef int (*pem_password_cb2 "pem_password_cb *")(char *buf, int size, int rwflag, void *userdata)
    X509 *PEM_read_bio_X509(BIO *bp, X509 **x, void *cb, void *u)
    int PEM_bytes_read_bio(unsigned char **pdata, long *plen, char **pnm, const char *name, BIO *bp,
                           void *cb, void *u)
    const char *PEM_STRING_DHPARAMS

cdef extern from "openssl/x509.h" nogil:
    EVP_PKEY *d2i_KeyParams(int type, EVP_PKEY **a, const unsigned char **pp, long length)

cdef extern from "openssl/bio.h" nogil:
    BIO *BIO_new_fp(FILE *stream, int close_flag)
    enum:
        BIO_CLOSE

cdef extern from "openssl/evp.h" nogil:
    void EVP_PKEY_free(EVP_PKEY *pkey)
    enum:
        EVP_PKEY_DH

cdef extern from "openssl/ssl.h" nogil:
    int SSL_CTX_set0_tmp_dh_pkey(SSL_CTX *ctx, EVP_PKEY *dhpkey)

cdef extern from "openssl/x509.h" nogil:
    X509 *d2i_X509_bio(BIO *bp, X509 **x509)

cdef extern from "openssl/x509v3.h" nogil:
    int X509_check_ca(X509 *x)
    ASN1_OCTET_STRING *a2i_IPADDRESS(const char *ipasc)

cdef extern from "openssl/asn1.h" nogil:
    void ASN1_OCTET_STRING_free(ASN1_OCTET_STRING *a)

cdef extern from "openssl/pemerr.h" nogil:
    enum:
        PEM_R_NO_START_LINE
cdef extern from "openssl/asn1err.h" nogil:
    enum:
        ASN1_R_HEADER_TOO_LONG
cdef extern from "openssl/x509err.h" nogil:
    enum:
        X509_R_CERT_ALREADY_IN_HASH_TABLE
