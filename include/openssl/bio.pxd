# Declarations from <openssl/bio.h>: memory BIOs.
cdef extern from "openssl/bio.h" nogil:
    ctypedef struct BIO:
        pass
    ctypedef struct BIO_METHOD:
        pass
    const BIO_METHOD *BIO_s_mem()
    BIO *BIO_new(const BIO_METHOD *type)
    BIO *BIO_new_mem_buf(const void *buf, int len)
    int BIO_free(BIO *a)
    long BIO_get_mem_data(BIO *b, char **pp)
    int BIO_reset(BIO *b)
