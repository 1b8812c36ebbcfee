# Declarations from <openssl/err.h>: the thread-local error queue.
cdef extern from "openssl/err.h" nogil:
    unsigned long ERR_get_error()
    unsigned long ERR_peek_error()
    unsigned long ERR_peek_last_error()
    unsigned long ERR_get_error_all(const char **file, int *line, const char **func,
                                    const char **data, int *flags)
    void ERR_clear_error()
    int ERR_GET_LIB(unsigned long e)
    int ERR_GET_REASON(unsigned long e)
    const char *ERR_lib_error_string(unsigned long e)
    const char *ERR_reason_error_string(unsigned long e)
    void ERR_error_string_n(unsigned long e, char *buf, size_t len)
    int ERR_set_mark()
    int ERR_pop_to_mark()
    int ERR_clear_last_mark()

    enum:
        ERR_TXT_STRING
        ERR_LIB_NONE
        ERR_LIB_SYS
        ERR_LIB_BN
        ERR_LIB_RSA
        ERR_LIB_DH
        ERR_LIB_EVP
        ERR_LIB_BUF
        ERR_LIB_OBJ
        ERR_LIB_PEM
        ERR_LIB_DSA
        ERR_LIB_X509
        ERR_LIB_ASN1
        ERR_LIB_CONF
        ERR_LIB_CRYPTO
        ERR_LIB_EC
        ERR_LIB_SSL
        ERR_LIB_BIO
        ERR_LIB_PKCS7
        ERR_LIB_X509V3
        ERR_LIB_PKCS12
        ERR_LIB_RAND
        ERR_LIB_DSO
        ERR_LIB_ENGINE
        ERR_LIB_OCSP
        ERR_LIB_UI
        ERR_LIB_COMP
        ERR_LIB_ECDSA
        ERR_LIB_ECDH
        ERR_LIB_OSSL_STORE
        ERR_LIB_FIPS
        ERR_LIB_CMS
        ERR_LIB_TS
        ERR_LIB_HMAC
        ERR_LIB_CT
        ERR_LIB_ASYNC
        ERR_LIB_KDF
        ERR_LIB_SM2
        ERR_LIB_ESS
        ERR_LIB_PROP
        ERR_LIB_CRMF
        ERR_LIB_PROV
        ERR_LIB_CMP
        ERR_LIB_OSSL_ENCODER
        ERR_LIB_OSSL_DECODER
        ERR_LIB_HTTP
