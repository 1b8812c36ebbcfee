# Declarations from <openssl/objects.h> and <openssl/obj_mac.h>: object identifiers.
from openssl.asn1 cimport ASN1_OBJECT

cdef extern from "openssl/objects.h" nogil:
    enum:
        NID_undef
        NID_commonName
        NID_subject_alt_name
        NID_info_access
        NID_crl_distribution_points
        NID_ad_OCSP
        NID_ad_ca_issuers
    int OBJ_obj2nid(const ASN1_OBJECT *o)
    int OBJ_sn2nid(const char *s)
    const char *OBJ_nid2ln(int n)
    const char *OBJ_nid2sn(int n)
    int OBJ_obj2txt(char *buf, int buf_len, const ASN1_OBJECT *a, int no_name)

# The extension, attribute-type and key-algorithm NIDs the strict verification policy checks.
cdef extern from "openssl/objects.h" nogil:
    enum:
        NID_basic_constraints
        NID_ext_key_usage
        NID_anyExtendedKeyUsage
        NID_name_constraints
        NID_policy_constraints
        NID_authority_key_identifier
        NID_dsa
        NID_dsa_2

    # Certificate inspection: more extension and public-key algorithm NIDs.
    enum:
        NID_key_usage
        NID_subject_key_identifier
        NID_rsaEncryption
        NID_X9_62_id_ecPublicKey
        NID_ED25519
        NID_ED448
        NID_X9_62_prime256v1
        NID_X9_62_prime192v1
        NID_secp384r1
        NID_secp521r1

# The signature algorithm ecverify.pyx answers itself.
cdef extern from "openssl/objects.h" nogil:
    enum:
        NID_ecdsa_with_SHA256
