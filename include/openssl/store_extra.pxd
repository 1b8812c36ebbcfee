# Declarations _certcore.store needs beyond the shared per-header files.
#
# Kept in one file (grouped by the header that declares each name) so that the store work
# does not collide with the per-header pem/bio/x509v3 .pxd files being written in parallel;
# when those land, these can move into them.

cdef extern from "openssl/asn1.h" nogil:
    ctypedef struct ASN1_OBJECT:
        pass
    cdef struct stack_st_ASN1_OBJECT:  # STACK_OF(ASN1_OBJECT)
        pass
    # Macros over OPENSSL_sk_*; typed here so the C compiler sees the real stack type.
    int sk_ASN1_OBJECT_num(const stack_st_ASN1_OBJECT *sk)
    ASN1_OBJECT *sk_ASN1_OBJECT_value(const stack_st_ASN1_OBJECT *sk, int idx)
    # The header of the next BER/DER element: returns 0x80 on error, 0x21 for indefinite length.
    int ASN1_get_object(const unsigned char **pp, long *plength, int *ptag, int *pclass, long omax)

cdef extern from "openssl/objects.h" nogil:
    int OBJ_obj2nid(const ASN1_OBJECT *o)
    int OBJ_obj2txt(char *buf, int buf_len, const ASN1_OBJECT *a, int no_name)

cdef extern from "openssl/obj_mac.h" nogil:
    enum:
        NID_anyExtendedKeyUsage

cdef extern from "openssl/bio.h" nogil:
    ctypedef struct BIO:
        pass
    BIO *BIO_new_file(const char *filename, const char *mode)
    int BIO_free(BIO *a)
    int BIO_tell(BIO *b)

cdef extern from "openssl/x509.h" nogil:
    ctypedef struct X509:
        pass
    ctypedef struct X509_CRL:
        pass
    X509 *d2i_X509(X509 **a, const unsigned char **pp, long length)
    X509 *d2i_X509_AUX(X509 **a, const unsigned char **pp, long length)
    void X509_free(X509 *a)
    X509_CRL *d2i_X509_CRL(X509_CRL **a, const unsigned char **pp, long length)
    void X509_CRL_free(X509_CRL *a)
    # 1 when the subject names itself as issuer (names, key identifiers and keyUsage agree);
    # verify_signature=0 is the test OpenSSL's chain builder uses.
    int X509_self_signed(X509 *cert, int verify_signature)

cdef extern from "openssl/x509_vfy.h" nogil:
    # The explicit trust settings of a "TRUSTED CERTIFICATE" (NULL when there are none).
    stack_st_ASN1_OBJECT *X509_get0_trust_objects(X509 *x)
    stack_st_ASN1_OBJECT *X509_get0_reject_objects(X509 *x)

cdef extern from "openssl/pem.h" nogil:
    # The next PEM block of any type; name/header/data are OPENSSL_malloc'ed for the caller.
    int PEM_read_bio(BIO *bp, char **name, char **header, unsigned char **data, long *len)

cdef extern from "openssl/pemerr.h" nogil:
    enum:
        PEM_R_NO_START_LINE

cdef extern from "dirent.h" nogil:
    ctypedef struct DIR:
        pass
    cdef struct dirent:
        char d_name[256]
    DIR *opendir(const char *name)
    dirent *readdir(DIR *dirp)
    int closedir(DIR *dirp)
