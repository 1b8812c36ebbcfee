# The strict verification policy (Verifier(strict=True)): the RFC 5280 MUSTs and CA/Browser Forum
# Baseline Requirements profile checks that OpenSSL's X509_V_FLAG_X509_STRICT does not enforce,
# run over a chain X509_verify_cert has already accepted.
from openssl.x509_vfy cimport stack_st_X509


cdef struct StrictFailure:
    int code            # X509_V_ERR_*: OpenSSL's code for the rule where one exists, else APPLICATION_VERIFICATION
    int depth           # chain index of the offending certificate (0 = leaf)
    char message[200]   # NUL-terminated: "strict policy: <what is wrong>"


# 0: every rule holds; 1: *failure names the first violation (leaf first); -1: internal error
cdef int strict_chain_violation(stack_st_X509 *chain, StrictFailure *failure) noexcept nogil
