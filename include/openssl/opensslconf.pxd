# Declarations from <openssl/opensslconf.h>: the features this OpenSSL build leaves out.
#
# OpenSSL marks a feature that was configured out by *defining* OPENSSL_NO_<FEATURE>; Cython
# cannot ask whether a macro is defined, so the C block below turns each question into a 0/1
# constant under the same name. Only the features certcore reports (ssl.HAS_*) are here.
cdef extern from *:
    """
    #include <openssl/opensslconf.h>
    #ifdef OPENSSL_NO_SSL3
    #  define CERTCORE_OPENSSL_NO_SSL3 1
    #else
    #  define CERTCORE_OPENSSL_NO_SSL3 0
    #endif
    #ifdef OPENSSL_NO_TLS1
    #  define CERTCORE_OPENSSL_NO_TLS1 1
    #else
    #  define CERTCORE_OPENSSL_NO_TLS1 0
    #endif
    #ifdef OPENSSL_NO_TLS1_1
    #  define CERTCORE_OPENSSL_NO_TLS1_1 1
    #else
    #  define CERTCORE_OPENSSL_NO_TLS1_1 0
    #endif
    #ifdef OPENSSL_NO_TLS1_2
    #  define CERTCORE_OPENSSL_NO_TLS1_2 1
    #else
    #  define CERTCORE_OPENSSL_NO_TLS1_2 0
    #endif
    #ifdef OPENSSL_NO_TLS1_3
    #  define CERTCORE_OPENSSL_NO_TLS1_3 1
    #else
    #  define CERTCORE_OPENSSL_NO_TLS1_3 0
    #endif
    #ifdef OPENSSL_NO_EC
    #  define CERTCORE_OPENSSL_NO_EC 1
    #else
    #  define CERTCORE_OPENSSL_NO_EC 0
    #endif
    #ifdef OPENSSL_NO_PSK
    #  define CERTCORE_OPENSSL_NO_PSK 1
    #else
    #  define CERTCORE_OPENSSL_NO_PSK 0
    #endif
    """
    const bint OPENSSL_NO_SSL3 "CERTCORE_OPENSSL_NO_SSL3"
    const bint OPENSSL_NO_TLS1 "CERTCORE_OPENSSL_NO_TLS1"
    const bint OPENSSL_NO_TLS1_1 "CERTCORE_OPENSSL_NO_TLS1_1"
    const bint OPENSSL_NO_TLS1_2 "CERTCORE_OPENSSL_NO_TLS1_2"
    const bint OPENSSL_NO_TLS1_3 "CERTCORE_OPENSSL_NO_TLS1_3"
    const bint OPENSSL_NO_EC "CERTCORE_OPENSSL_NO_EC"
    const bint OPENSSL_NO_PSK "CERTCORE_OPENSSL_NO_PSK"
