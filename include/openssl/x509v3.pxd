# Declarations from <openssl/x509v3.h>: GeneralName, AIA and CRL distribution points.
from openssl.asn1 cimport ASN1_OBJECT, ASN1_STRING, ASN1_IA5STRING, ASN1_OCTET_STRING, ASN1_TYPE
from openssl.bio cimport BIO
from openssl.x509 cimport X509, X509_NAME

cdef extern from "openssl/x509v3.h" nogil:
    enum:
        GEN_OTHERNAME
        GEN_EMAIL
        GEN_DNS
        GEN_X400
        GEN_DIRNAME
        GEN_EDIPARTY
        GEN_URI
        GEN_IPADD
        GEN_RID

    ctypedef struct _gen_d "union { char *ptr; ASN1_IA5STRING *ia5; ASN1_OCTET_STRING *ip; \
X509_NAME *dirn; ASN1_OBJECT *rid; ASN1_STRING *other; }":
        char *ptr
        ASN1_IA5STRING *ia5
        ASN1_OCTET_STRING *ip
        X509_NAME *dirn
        ASN1_OBJECT *rid

    ctypedef struct GENERAL_NAME:
        int type
        _gen_d d

    ctypedef struct GENERAL_NAMES "GENERAL_NAMES":
        pass
    ctypedef struct ACCESS_DESCRIPTION:
        ASN1_OBJECT *method
        GENERAL_NAME *location
    ctypedef struct AUTHORITY_INFO_ACCESS "AUTHORITY_INFO_ACCESS":
        pass

    ctypedef struct _dpn_name "union { GENERAL_NAMES *fullname; void *relativename; }":
        GENERAL_NAMES *fullname
    ctypedef struct DIST_POINT_NAME:
        int type
        _dpn_name name
    ctypedef struct DIST_POINT:
        DIST_POINT_NAME *distpoint
    ctypedef struct CRL_DIST_POINTS "CRL_DIST_POINTS":
        pass

    int sk_GENERAL_NAME_num(const GENERAL_NAMES *sk)
    GENERAL_NAME *sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i)
    void GENERAL_NAMES_free(GENERAL_NAMES *a)
    int sk_ACCESS_DESCRIPTION_num(const AUTHORITY_INFO_ACCESS *sk)
    ACCESS_DESCRIPTION *sk_ACCESS_DESCRIPTION_value(const AUTHORITY_INFO_ACCESS *sk, int i)
    void AUTHORITY_INFO_ACCESS_free(AUTHORITY_INFO_ACCESS *a)
    int sk_DIST_POINT_num(const CRL_DIST_POINTS *sk)
    DIST_POINT *sk_DIST_POINT_value(const CRL_DIST_POINTS *sk, int i)
    void CRL_DIST_POINTS_free(CRL_DIST_POINTS *a)

    int GENERAL_NAME_print(BIO *out, GENERAL_NAME *gen)

    # Hostname / IP checks against a certificate's subjectAltNames (and subject CN).
    enum:
        X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT
        X509_CHECK_FLAG_NO_WILDCARDS
        X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
        X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS
        X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS
        X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
    int X509_check_host(X509 *x, const char *chk, size_t chklen, unsigned int flags, char **peername)
    int X509_check_ip(X509 *x, const unsigned char *chk, size_t chklen, unsigned int flags)
    int X509_check_ip_asc(X509 *x, const char *ipasc, unsigned int flags)

    # 1 for a CA certificate (basicConstraints CA:TRUE, or a v1 self-signed root), 0 otherwise.
    int X509_check_ca(X509 *x)
    # An IPv4/IPv6 address in text form as the octets of a SAN iPAddress (NULL: not an address).
    ASN1_OCTET_STRING *a2i_IPADDRESS(const char *ipasc)

# The decoded extensions the strict verification policy (_certcore/policy.pyx) inspects.
from openssl.asn1 cimport ASN1_INTEGER, stack_st_ASN1_OBJECT

cdef extern from "openssl/x509v3.h" nogil:
    ctypedef struct BASIC_CONSTRAINTS:
        int ca
        ASN1_INTEGER *pathlen
    void BASIC_CONSTRAINTS_free(BASIC_CONSTRAINTS *a)

    ctypedef struct AUTHORITY_KEYID:
        ASN1_OCTET_STRING *keyid
        GENERAL_NAMES *issuer
        ASN1_INTEGER *serial
    void AUTHORITY_KEYID_free(AUTHORITY_KEYID *a)

    ctypedef struct GENERAL_SUBTREE:
        GENERAL_NAME *base
    ctypedef struct stack_st_GENERAL_SUBTREE "struct stack_st_GENERAL_SUBTREE":
        pass
    int sk_GENERAL_SUBTREE_num(const stack_st_GENERAL_SUBTREE *sk)
    GENERAL_SUBTREE *sk_GENERAL_SUBTREE_value(const stack_st_GENERAL_SUBTREE *sk, int i)
    ctypedef struct NAME_CONSTRAINTS:
        stack_st_GENERAL_SUBTREE *permittedSubtrees
        stack_st_GENERAL_SUBTREE *excludedSubtrees
    void NAME_CONSTRAINTS_free(NAME_CONSTRAINTS *a)

    ctypedef struct POLICY_CONSTRAINTS:
        ASN1_INTEGER *requireExplicitPolicy
        ASN1_INTEGER *inhibitPolicyMapping
    void POLICY_CONSTRAINTS_free(POLICY_CONSTRAINTS *a)

    # EXTENDED_KEY_USAGE is a STACK_OF(ASN1_OBJECT).
    void EXTENDED_KEY_USAGE_free(stack_st_ASN1_OBJECT *a)

    const ASN1_OCTET_STRING *X509_get0_subject_key_id(X509 *x)

# Verifier's own signature pass (verify.pyx): the issuer checks of OpenSSL's internal_verify.
cdef extern from "openssl/x509v3.h" nogil:
    unsigned int X509_get_extension_flags(X509 *x)
    unsigned int X509_get_key_usage(X509 *x)
    enum:
        EXFLAG_SS
        EXFLAG_SI
        EXFLAG_CA
        EXFLAG_KUSAGE
        EXFLAG_PROXY
        KU_KEY_CERT_SIGN
        KU_DIGITAL_SIGNATURE
