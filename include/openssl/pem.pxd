# Declarations from <openssl/pem.h> (and <openssl/pemerr.h>, which it includes): reading PEM blocks.
from openssl.bio cimport BIO
from openssl.x509 cimport X509

cdef extern from "openssl/pem.h" nogil:
    ctypedef int (*pem_password_cb)(char *buf, int size, int rwflag, void *userdata)
    const char *PEM_STRING_DHPARAMS
    # The next PEM block of any type; name/header/data are OPENSSL_malloc'ed for the caller.
    int PEM_read_bio(BIO *bp, char **name, char **header, unsigned char **data, long *len)
    # The next block named `name` (or an acceptable alias), decoded; the caller frees *pdata and *pnm.
    int PEM_bytes_read_bio(unsigned char **pdata, long *plen, char **pnm, const char *name, BIO *bp,
                           pem_password_cb *cb, void *u)
    X509 *PEM_read_bio_X509(BIO *bp, X509 **x, pem_password_cb *cb, void *u)
    enum:
        PEM_R_NO_START_LINE
