# Chain verification without a connection (see verify.pyx).
from openssl.x509 cimport X509
from openssl.x509_vfy cimport X509_STORE, X509_VERIFY_PARAM, stack_st_X509
from _certcore.policy cimport StrictFailure
from _certcore.truststore cimport AnchorKey


# What one verification needs, readable without the GIL: the store and param are the Verifier's
# (owned by it; the store through its TrustStore).
cdef struct VerifyConfig:
    X509_STORE *store
    X509_VERIFY_PARAM *param    # the create_default_context param plus at/max_depth/strict/crl
    const char *purpose         # "ssl_server" or "ssl_client" (X509_STORE_CTX_set_default)
    bint strict                 # run strict_chain_violation over the chain OpenSSL accepted
    const AnchorKey *anchors    # the TrustStore's anchor keys (its SPKI digests by certificate)
    Py_ssize_t nanchors


# One verification: the X509_V_ERR code (X509_V_OK on success). With chain_out, *chain_out gets
# the verified chain (caller frees with sk_X509_pop_free(X509_free)) on success, NULL otherwise.
# host (hostlen bytes) or ip (iplen bytes) may be NULL. A strict-policy rejection fills *failure
# (failure.code is the result; failure.message the verify_message). The error queue is left clean.
cdef int verify_x509(const VerifyConfig *cfg, X509 *leaf, stack_st_X509 *untrusted,
                     const char *host, size_t hostlen, const unsigned char *ip, size_t iplen,
                     stack_st_X509 **chain_out, StrictFailure *failure) noexcept nogil


cdef class Verifier:
    cdef VerifyConfig cfg
    cdef object _trust          # the TrustStore (keeps cfg.store alive)
    cdef dict _anchors          # {address of a store X509: its Certificate}, made on first use
    cdef readonly object purpose
    cdef readonly bint strict

    cdef int _check_ready(self) except -1
