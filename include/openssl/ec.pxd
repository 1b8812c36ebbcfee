# Declarations from <openssl/ec.h>: elliptic-curve groups.
cdef extern from "openssl/ec.h" nogil:
    ctypedef struct EC_GROUP:
        pass
    EC_GROUP *EC_GROUP_new_by_curve_name(int nid)
    void EC_GROUP_free(EC_GROUP *group)
    # A named curve's field size in bits (the EC key size, as EVP_PKEY_get_bits reports it).
    int EC_GROUP_get_degree(const EC_GROUP *group)
