# Declarations from <openssl/bio.h>: memory, file and stdio BIOs.
from libc.stdio cimport FILE

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
    int BIO_up_ref(BIO *a)
    BIO *BIO_new_file(const char *filename, const char *mode)
    BIO *BIO_new_fp(FILE *stream, int close_flag)
    int BIO_tell(BIO *b)
    int BIO_read_ex(BIO *b, void *data, size_t dlen, size_t *readbytes)
    int BIO_write_ex(BIO *b, const void *data, size_t dlen, size_t *written)
    size_t BIO_ctrl_pending(BIO *b)
    long BIO_set_mem_eof_return(BIO *b, int v)
    int BIO_eof(BIO *b)
    enum:
        BIO_CLOSE
