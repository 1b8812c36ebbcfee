# Declarations from <openssl/crypto.h> and <openssl/opensslv.h>: versions and memory.
from libc.time cimport tm, time_t

cdef extern from "openssl/opensslv.h" nogil:
    enum:
        OPENSSL_VERSION_NUMBER
        OPENSSL_VERSION_MAJOR
        OPENSSL_VERSION_MINOR
        OPENSSL_VERSION_PATCH

cdef extern from "openssl/crypto.h" nogil:
    enum:
        OPENSSL_VERSION
        OPENSSL_DIR
    unsigned long OpenSSL_version_num()
    const char *OpenSSL_version(int t)
    void OPENSSL_free(void *ptr)
    void *OPENSSL_malloc(size_t num)
    tm *OPENSSL_gmtime(const time_t *timer, tm *result)
    int OPENSSL_gmtime_diff(int *pday, int *psec, const tm *start, const tm *end)

    ctypedef struct OSSL_LIB_CTX:
        pass
    OSSL_LIB_CTX *OSSL_LIB_CTX_new()
    void OSSL_LIB_CTX_free(OSSL_LIB_CTX *ctx)
    void CRYPTO_free(void *ptr, const char *file, int line)
