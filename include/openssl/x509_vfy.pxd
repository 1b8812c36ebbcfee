# Declarations from <openssl/x509_vfy.h> (and the opaque X509 types it works on):
# trust stores, verification parameters and results.
from openssl.asn1 cimport stack_st_ASN1_OBJECT
from openssl.x509 cimport X509, X509_NAME, X509_CRL
from openssl.asn1 cimport ASN1_TIME
from libc.time cimport time_t

cdef extern from "openssl/x509_vfy.h" nogil:
    ctypedef struct X509_STORE:
        pass
    ctypedef struct X509_STORE_CTX:
        pass
    ctypedef struct X509_OBJECT:
        pass
    ctypedef struct X509_VERIFY_PARAM:
        pass
    ctypedef struct X509_LOOKUP:
        pass
    ctypedef struct stack_st_X509 "struct stack_st_X509":
        pass
    ctypedef struct stack_st_X509_OBJECT "struct stack_st_X509_OBJECT":
        pass

    int X509_STORE_add_cert(X509_STORE *ctx, X509 *x)
    int X509_STORE_set_flags(X509_STORE *ctx, unsigned long flags)
    X509_VERIFY_PARAM *X509_STORE_get0_param(X509_STORE *ctx)
    stack_st_X509_OBJECT *X509_STORE_get0_objects(const X509_STORE *v)
    int X509_STORE_lock(X509_STORE *ctx)
    int X509_STORE_unlock(X509_STORE *ctx)
    int sk_X509_OBJECT_num(const stack_st_X509_OBJECT *sk)
    X509_OBJECT *sk_X509_OBJECT_value(const stack_st_X509_OBJECT *sk, int i)
    int X509_OBJECT_get_type(const X509_OBJECT *a)
    X509 *X509_OBJECT_get0_X509(const X509_OBJECT *a)
    int X509_VERIFY_PARAM_set_flags(X509_VERIFY_PARAM *param, unsigned long flags)
    int X509_VERIFY_PARAM_clear_flags(X509_VERIFY_PARAM *param, unsigned long flags)
    unsigned long X509_VERIFY_PARAM_get_flags(const X509_VERIFY_PARAM *param)
    void X509_VERIFY_PARAM_set_hostflags(X509_VERIFY_PARAM *param, unsigned int flags)
    unsigned int X509_VERIFY_PARAM_get_hostflags(const X509_VERIFY_PARAM *param)
    int X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM *param, const char *name, size_t namelen)
    int X509_VERIFY_PARAM_set1_ip(X509_VERIFY_PARAM *param, const unsigned char *ip, size_t iplen)
    int X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM *param, const char *ipasc)
    const char *X509_verify_cert_error_string(long n)
    # The explicit trust settings of a "TRUSTED CERTIFICATE" (NULL when there are none).
    stack_st_ASN1_OBJECT *X509_get0_trust_objects(X509 *x)
    stack_st_ASN1_OBJECT *X509_get0_reject_objects(X509 *x)

    int sk_X509_num(const stack_st_X509 *sk)
    X509 *sk_X509_value(const stack_st_X509 *sk, int i)

    enum:
        X509_V_OK
        X509_V_ERR_HOSTNAME_MISMATCH
        X509_V_ERR_IP_ADDRESS_MISMATCH
        X509_V_FLAG_CRL_CHECK
        X509_V_FLAG_CRL_CHECK_ALL
        X509_V_FLAG_X509_STRICT
        X509_V_FLAG_PARTIAL_CHAIN
        X509_V_FLAG_TRUSTED_FIRST
        X509_LU_X509
        X509_LU_CRL
        X509_V_FLAG_ALLOW_PROXY_CERTS

# Verifying a chain without a connection (verify.pyx).
cdef extern from "openssl/x509_vfy.h" nogil:
    X509_STORE_CTX *X509_STORE_CTX_new()
    void X509_STORE_CTX_free(X509_STORE_CTX *ctx)
    int X509_STORE_CTX_init(X509_STORE_CTX *ctx, X509_STORE *store, X509 *x509, stack_st_X509 *chain)
    int X509_STORE_CTX_set_default(X509_STORE_CTX *ctx, const char *name)
    X509_VERIFY_PARAM *X509_STORE_CTX_get0_param(const X509_STORE_CTX *ctx)
    int X509_STORE_CTX_get_error(const X509_STORE_CTX *ctx)
    stack_st_X509 *X509_STORE_CTX_get1_chain(const X509_STORE_CTX *ctx)
    int X509_verify_cert(X509_STORE_CTX *ctx)
    X509_VERIFY_PARAM *X509_VERIFY_PARAM_new()
    void X509_VERIFY_PARAM_free(X509_VERIFY_PARAM *param)
    int X509_VERIFY_PARAM_set1(X509_VERIFY_PARAM *to, const X509_VERIFY_PARAM *frm)
    void X509_VERIFY_PARAM_set_auth_level(X509_VERIFY_PARAM *param, int auth_level)
    void X509_VERIFY_PARAM_set_time(X509_VERIFY_PARAM *param, long t)
    void X509_VERIFY_PARAM_set_depth(X509_VERIFY_PARAM *param, int depth)
    void sk_X509_pop_free(stack_st_X509 *sk, void (*freefunc)(X509 *))
    enum:
        X509_V_ERR_UNSPECIFIED
        X509_V_ERR_OUT_OF_MEM

# Building and sharing trust stores (truststore.pyx).
cdef extern from "openssl/x509_vfy.h" nogil:
    X509_STORE *X509_STORE_new()
    void X509_STORE_free(X509_STORE *v)
    int X509_STORE_up_ref(X509_STORE *v)
    int X509_STORE_add_crl(X509_STORE *ctx, X509_CRL *x)
    int X509_STORE_set_default_paths(X509_STORE *ctx)
    int X509_STORE_load_file(X509_STORE *ctx, const char *file)
    int X509_STORE_load_path(X509_STORE *ctx, const char *path)
    X509_CRL *X509_OBJECT_get0_X509_CRL(const X509_OBJECT *a)

# Building a chain stack (the strict policy's test hook) and the codes the strict policy reports.
cdef extern from "openssl/x509_vfy.h" nogil:
    stack_st_X509 *sk_X509_new_null()
    int sk_X509_push(stack_st_X509 *sk, X509 *x)
    X509 *sk_X509_set(stack_st_X509 *sk, int i, X509 *x)
    void sk_X509_free(stack_st_X509 *sk)
    enum:
        X509_V_ERR_APPLICATION_VERIFICATION
        X509_V_ERR_INVALID_EXTENSION
        X509_V_ERR_PERMITTED_VIOLATION
        X509_V_ERR_EXCLUDED_VIOLATION
        X509_V_ERR_AKID_SKID_MISMATCH
        X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER
        X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL
        X509_V_ERR_EE_KEY_TOO_SMALL
        X509_V_ERR_CA_KEY_TOO_SMALL
        X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION
        X509_V_ERR_INVALID_CA

# Verifier's own signature/time pass (verify.pyx): the hooks X509_verify_cert calls.
cdef extern from "openssl/x509_vfy.h" nogil:
    ctypedef int (*X509_STORE_CTX_verify_fn)(X509_STORE_CTX *ctx)
    ctypedef int (*X509_STORE_CTX_verify_cb)(int ok, X509_STORE_CTX *ctx)
    ctypedef int (*X509_STORE_CTX_check_issued_fn)(X509_STORE_CTX *ctx, X509 *x, X509 *issuer)
    void X509_STORE_CTX_set_verify(X509_STORE_CTX *ctx, X509_STORE_CTX_verify_fn verify)
    X509_STORE_CTX_verify_cb X509_STORE_CTX_get_verify_cb(const X509_STORE_CTX *ctx)
    X509_STORE_CTX_check_issued_fn X509_STORE_CTX_get_check_issued(const X509_STORE_CTX *ctx)
    stack_st_X509 *X509_STORE_CTX_get0_chain(const X509_STORE_CTX *ctx)
    void X509_STORE_CTX_set_error(X509_STORE_CTX *ctx, int s)
    void X509_STORE_CTX_set_error_depth(X509_STORE_CTX *ctx, int depth)
    void X509_STORE_CTX_set_current_cert(X509_STORE_CTX *ctx, X509 *x)
    time_t X509_VERIFY_PARAM_get_time(const X509_VERIFY_PARAM *param)
    enum:
        X509_V_FLAG_USE_CHECK_TIME
        X509_V_FLAG_NO_CHECK_TIME
        X509_V_FLAG_CHECK_SS_SIGNATURE
        X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
        X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY
        X509_V_ERR_CERT_SIGNATURE_FAILURE
        X509_V_ERR_KEYUSAGE_NO_CERTSIGN
        X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE
        X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD
        X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD
        X509_V_ERR_CERT_NOT_YET_VALID
        X509_V_ERR_CERT_HAS_EXPIRED
    int X509_cmp_time(const ASN1_TIME *s, time_t *t)
