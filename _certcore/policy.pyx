# The strict verification policy: RFC 5280 MUSTs and the CA/Browser Forum Baseline Requirements
# profile checks that OpenSSL's X509_V_FLAG_X509_STRICT leaves out, run over a chain that
# X509_verify_cert has already accepted (leaf first, trust anchor last).
#
# strict_chain_violation is pure C (nogil, no Python): it reads each certificate through
# OpenSSL's decoders, frees every decoded extension before returning and leaves the error queue
# clean, so the verifier can call it between X509_verify_cert and its own result handling.
#
# Rules and the code each reports (APPLICATION_VERIFICATION where OpenSSL has no code of its own):
#   leaf: subjectAltName present; every commonName one SAN entry byte for byte (DNS, or an IP's text
#     form); SAN critical exactly when the subject is empty (EMPTY_SUBJECT_SAN_NOT_CRITICAL for the
#     non-critical half, as OpenSSL); not a CA; an EKU extension, without anyExtendedKeyUsage
#   every certificate: version 3 (INVALID_CA at CA positions, as OpenSSL's X509_STRICT); serial
#     positive, non-zero, at most 20 DER octets; no DSA key; RSA moduli whole octets and >= 2048 bits
#     (EE_/CA_KEY_TOO_SMALL); SAN and nameConstraints DNS names LDH with a SAN wildcard only as the
#     whole leftmost label; nameConstraints never empty; AIA non-critical (UNHANDLED_CRITICAL_EXTENSION,
#     as OpenSSL), OCSP/caIssuers URIs only; policyConstraints critical; an AKI keyIdentifier below
#     the root (MISSING_AUTHORITY_KEY_IDENTIFIER); an undecodable or repeated extension (INVALID_EXTENSION)
#   name constraints over every SAN DNS name below them, a wildcard as the set of names it matches
#     (PERMITTED_VIOLATION / EXCLUDED_VIOLATION)
#   self-issued trust anchor: no EKU; an AKI only as a keyIdentifier equal to its SKI (AKID_SKID_MISMATCH)
from libc.stdio cimport snprintf
from libc.string cimport memcmp

from openssl.asn1 cimport (
    ASN1_INTEGER, ASN1_OBJECT, ASN1_STRING, ASN1_OCTET_STRING, V_ASN1_NEG_INTEGER, stack_st_ASN1_OBJECT,
    ASN1_STRING_length, ASN1_STRING_type, ASN1_STRING_get0_data, sk_ASN1_OBJECT_num, sk_ASN1_OBJECT_value,
)
from openssl.evp cimport EVP_PKEY, EVP_PKEY_RSA, EVP_PKEY_RSA_PSS, EVP_PKEY_get_base_id, EVP_PKEY_get_bits
from openssl.objects cimport (
    NID_commonName, NID_subject_alt_name, NID_info_access, NID_ad_OCSP, NID_ad_ca_issuers,
    NID_basic_constraints, NID_ext_key_usage, NID_anyExtendedKeyUsage, NID_name_constraints,
    NID_policy_constraints, NID_authority_key_identifier, NID_dsa, NID_dsa_2, OBJ_obj2nid,
)
from openssl.x509 cimport (
    X509, X509_NAME, X509_get_version, X509_get0_serialNumber, X509_get_subject_name,
    X509_get_ext_d2i, X509_NAME_entry_count, X509_NAME_get_entry, X509_NAME_ENTRY_get_data,
    X509_NAME_get_index_by_NID, X509_get_X509_PUBKEY, X509_PUBKEY_get0_param, X509_get0_pubkey,
)
from openssl.x509_vfy cimport (
    stack_st_X509, sk_X509_num, sk_X509_value, sk_X509_new_null, sk_X509_push, sk_X509_free,
    X509_V_ERR_APPLICATION_VERIFICATION, X509_V_ERR_INVALID_EXTENSION, X509_V_ERR_PERMITTED_VIOLATION,
    X509_V_ERR_EXCLUDED_VIOLATION, X509_V_ERR_AKID_SKID_MISMATCH, X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER,
    X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL, X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL,
    X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, X509_V_ERR_INVALID_CA,
)
from openssl.x509v3 cimport (
    GEN_DNS, GEN_IPADD, GEN_URI, GENERAL_NAME, GENERAL_NAMES, GENERAL_NAMES_free, sk_GENERAL_NAME_num,
    sk_GENERAL_NAME_value, ACCESS_DESCRIPTION, AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free,
    sk_ACCESS_DESCRIPTION_num, sk_ACCESS_DESCRIPTION_value, BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free,
    AUTHORITY_KEYID, AUTHORITY_KEYID_free, GENERAL_SUBTREE, stack_st_GENERAL_SUBTREE, sk_GENERAL_SUBTREE_num,
    sk_GENERAL_SUBTREE_value, NAME_CONSTRAINTS, NAME_CONSTRAINTS_free, POLICY_CONSTRAINTS,
    POLICY_CONSTRAINTS_free, EXTENDED_KEY_USAGE_free, X509_get0_subject_key_id, X509_get_extension_flags, EXFLAG_SI,
)
from openssl.err cimport ERR_peek_error
from _certcore.errors cimport clear_error_queue
from _certcore.x509 cimport Certificate

from posixsys.inet cimport inet_ntop, AF_INET, AF_INET6

cdef enum:
    _APP = X509_V_ERR_APPLICATION_VERIFICATION
    _MIN_RSA_BITS = 2048
    _MAX_SERIAL_OCTETS = 20


cdef int _fail(StrictFailure *f, int code, int depth, const char *what) noexcept nogil:
    f.code = code
    f.depth = depth
    snprintf(f.message, sizeof(f.message), b"strict policy: %s", what)
    return 1


cdef int _fail_name(StrictFailure *f, int code, int depth, const char *what,
                    const unsigned char *name, int n) noexcept nogil:
    # the offending name is quoted (truncated to what fits), so the message says which entry broke the rule
    f.code = code
    f.depth = depth
    snprintf(f.message, sizeof(f.message), b"strict policy: %s '%.*s'", what, <int>min(n, 120),
             <const char *>name)
    return 1


cdef inline unsigned char _lower(unsigned char c) noexcept nogil:
    return c + 32 if 65 <= c <= 90 else c


cdef bint _valid_dns(const unsigned char *s, int n, bint san) noexcept nogil:
    # LDH labels (letters, digits, inner hyphens; 1..63 octets), no empty label, at most 253 octets.
    # A SAN may use "*" as its whole leftmost label; a name-constraint base may start with one period.
    cdef int i = 0, start, k
    if n > 253:
        return False
    if not san:
        if n == 0:
            return True          # an empty dNSName base constrains every name (RFC 5280 4.2.1.10)
        if s[0] == b'.':
            i = 1
    elif n >= 2 and s[0] == b'*' and s[1] == b'.':
        i = 2
    if i >= n:
        return False
    while True:
        start = i
        while i < n and s[i] != b'.':
            i += 1
        if i - start < 1 or i - start > 63:
            return False
        if s[start] == b'-' or s[i - 1] == b'-':
            return False
        for k in range(start, i):
            if not ((48 <= s[k] <= 57) or (65 <= s[k] <= 90) or (97 <= s[k] <= 122) or s[k] == b'-'):
                return False
        if i == n:
            return True
        i += 1                  # past the period; a trailing period leaves an empty last label
        if i == n:
            return False


cdef bint _within(const unsigned char *name, int n, const unsigned char *base, int b) noexcept nogil:
    # True when the DNS name lies in the subtree ``base`` (RFC 5280 4.2.1.10, case-insensitive):
    # equal to it or ending in "." + base; a base with a leading period needs at least one more label.
    cdef int k, off
    if b == 0:
        return True
    if n < b:
        return False
    off = n - b
    for k in range(b):
        if _lower(name[off + k]) != _lower(base[k]):
            return False
    if base[0] == b'.':
        return off > 0
    return off == 0 or name[off - 1] == b'.'


cdef bint _intersects(const unsigned char *name, int n, const unsigned char *base, int b) noexcept nogil:
    # For a wildcard SAN "*.suffix" (the set of names one label above suffix): True when some member
    # lies in the subtree ``base``. Either the whole set does, or base is exactly one label above suffix.
    cdef int k
    if _within(name, n, base, b):
        return True
    if base[0] == b'.' or b <= n - 1:
        return False
    # base = "<label>.suffix" with a single non-empty label: compare its tail with ".suffix"
    for k in range(n - 1):
        if _lower(base[b - (n - 1) + k]) != _lower(name[1 + k]):
            return False
    for k in range(b - (n - 1)):
        if base[k] == b'.':
            return False
    return True


cdef int _nc_violation(GENERAL_NAMES *sans, NAME_CONSTRAINTS *nc, int depth, StrictFailure *f) noexcept nogil:
    cdef int i, j, n, b, has_permitted
    cdef bint ok, wildcard
    cdef GENERAL_NAME *gn
    cdef GENERAL_SUBTREE *st
    cdef const unsigned char *name
    cdef const unsigned char *base
    for i in range(sk_GENERAL_NAME_num(sans)):
        gn = sk_GENERAL_NAME_value(sans, i)
        if gn.type != GEN_DNS:
            continue
        name = ASN1_STRING_get0_data(gn.d.ia5)
        n = ASN1_STRING_length(gn.d.ia5)
        wildcard = n >= 2 and name[0] == b'*' and name[1] == b'.'
        has_permitted = 0
        ok = False
        if nc.permittedSubtrees != NULL:
            for j in range(sk_GENERAL_SUBTREE_num(nc.permittedSubtrees)):
                st = sk_GENERAL_SUBTREE_value(nc.permittedSubtrees, j)
                if st.base.type != GEN_DNS:
                    continue
                has_permitted = 1
                base = ASN1_STRING_get0_data(st.base.d.ia5)
                b = ASN1_STRING_length(st.base.d.ia5)
                # a wildcard is permitted only when every name it stands for is: "*" is compared as a
                # literal label, so "*.x.example" lies in "x.example" but not in "a.x.example"
                if _within(name, n, base, b):
                    ok = True
                    break
        if has_permitted and not ok:
            return _fail_name(f, X509_V_ERR_PERMITTED_VIOLATION, depth,
                              b"subjectAltName outside the permitted name constraints:", name, n)
        if nc.excludedSubtrees != NULL:
            for j in range(sk_GENERAL_SUBTREE_num(nc.excludedSubtrees)):
                st = sk_GENERAL_SUBTREE_value(nc.excludedSubtrees, j)
                if st.base.type != GEN_DNS:
                    continue
                base = ASN1_STRING_get0_data(st.base.d.ia5)
                b = ASN1_STRING_length(st.base.d.ia5)
                if (_intersects(name, n, base, b) if wildcard else _within(name, n, base, b)):
                    return _fail_name(f, X509_V_ERR_EXCLUDED_VIOLATION, depth,
                                      b"subjectAltName inside an excluded name constraint:", name, n)
    return 0


cdef int _nc_syntax(stack_st_GENERAL_SUBTREE *subtrees, int depth, StrictFailure *f) noexcept nogil:
    cdef GENERAL_SUBTREE *st
    cdef int j
    if subtrees == NULL:
        return 0
    for j in range(sk_GENERAL_SUBTREE_num(subtrees)):
        st = sk_GENERAL_SUBTREE_value(subtrees, j)
        if st.base.type == GEN_DNS and not _valid_dns(
                ASN1_STRING_get0_data(st.base.d.ia5), ASN1_STRING_length(st.base.d.ia5), False):
            return _fail_name(f, _APP, depth, b"malformed DNS name in nameConstraints:",
                              ASN1_STRING_get0_data(st.base.d.ia5), ASN1_STRING_length(st.base.d.ia5))
    return 0


cdef bint _cn_in_sans(ASN1_STRING *cn, GENERAL_NAMES *sans) noexcept nogil:
    cdef const unsigned char *v = ASN1_STRING_get0_data(cn)
    cdef int n = ASN1_STRING_length(cn), i, m, af
    cdef GENERAL_NAME *gn
    cdef char text[64]
    for i in range(sk_GENERAL_NAME_num(sans)):
        gn = sk_GENERAL_NAME_value(sans, i)
        if gn.type == GEN_DNS:
            m = ASN1_STRING_length(gn.d.ia5)
            if m == n and memcmp(ASN1_STRING_get0_data(gn.d.ia5), v, n) == 0:
                return True
        elif gn.type == GEN_IPADD:
            m = ASN1_STRING_length(gn.d.ip)
            af = AF_INET if m == 4 else (AF_INET6 if m == 16 else 0)
            if af and inet_ntop(af, ASN1_STRING_get0_data(gn.d.ip), text, sizeof(text)) != NULL:
                m = 0
                while text[m]:
                    m += 1
                if m == n and memcmp(text, v, n) == 0:
                    return True
    return False


cdef int _decode_failed(StrictFailure *f, int depth, int crit) noexcept nogil:
    # X509_get_ext_d2i returns NULL with crit >= 0 when the extension is there but does not decode,
    # and crit == -2 when it occurs twice; both are malformed certificates.
    clear_error_queue()
    return _fail(f, X509_V_ERR_INVALID_EXTENSION, depth,
                 b"an extension occurs twice" if crit == -2 else b"an extension does not decode")


cdef int _check_leaf(X509 *x, StrictFailure *f) noexcept nogil:
    cdef int crit = -1, i, idx, empty_subject, rc = 0
    cdef X509_NAME *subj = X509_get_subject_name(x)
    cdef GENERAL_NAMES *sans = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL)
    cdef BASIC_CONSTRAINTS *bc = NULL
    cdef stack_st_ASN1_OBJECT *eku = NULL
    cdef GENERAL_NAME *gn
    if sans == NULL:
        if crit != -1:
            return _decode_failed(f, 0, crit)
        return _fail(f, _APP, 0, b"the leaf certificate has no subjectAltName extension")
    try:
        empty_subject = subj == NULL or X509_NAME_entry_count(subj) == 0
        if empty_subject and not crit:
            return _fail(f, X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL, 0,
                         b"subjectAltName must be critical when the subject is empty")
        if crit and not empty_subject:
            return _fail(f, _APP, 0, b"subjectAltName is critical although the subject is not empty")
        idx = -1
        while True:
            idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)
            if idx < 0:
                break
            if not _cn_in_sans(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)), sans):
                return _fail(f, _APP, 0, b"a subject commonName is not one of the subjectAltName entries")
        for i in range(sk_GENERAL_NAME_num(sans)):
            gn = sk_GENERAL_NAME_value(sans, i)
            if gn.type == GEN_DNS and not _valid_dns(ASN1_STRING_get0_data(gn.d.ia5),
                                                     ASN1_STRING_length(gn.d.ia5), True):
                return _fail_name(f, _APP, 0, b"malformed DNS name in subjectAltName:",
                                  ASN1_STRING_get0_data(gn.d.ia5), ASN1_STRING_length(gn.d.ia5))
    finally:
        GENERAL_NAMES_free(sans)
    bc = <BASIC_CONSTRAINTS *>X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL)
    if bc == NULL and crit != -1:
        return _decode_failed(f, 0, crit)
    if bc != NULL:
        rc = bc.ca
        BASIC_CONSTRAINTS_free(bc)
        if rc:
            return _fail(f, _APP, 0, b"the leaf certificate is a CA (basicConstraints cA TRUE)")
    eku = <stack_st_ASN1_OBJECT *>X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL)
    if eku == NULL:
        if crit != -1:
            return _decode_failed(f, 0, crit)
        return _fail(f, _APP, 0, b"the leaf certificate has no extendedKeyUsage extension")
    rc = 0
    for i in range(sk_ASN1_OBJECT_num(eku)):
        if OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_anyExtendedKeyUsage:
            rc = 1
    EXTENDED_KEY_USAGE_free(eku)
    if rc:
        return _fail(f, _APP, 0, b"the leaf certificate's extendedKeyUsage includes anyExtendedKeyUsage")
    return 0


cdef int _check_basics(X509 *x, int depth, bint is_leaf, StrictFailure *f) noexcept nogil:
    cdef const ASN1_INTEGER *serial = X509_get0_serialNumber(x)
    cdef const unsigned char *sd
    cdef int n, k, bits, kind
    cdef bint zero = True
    cdef ASN1_OBJECT *alg = NULL
    cdef EVP_PKEY *pkey
    cdef char what[96]
    if X509_get_version(x) != 2:
        snprintf(what, sizeof(what), b"certificate version %ld; only version 3 is accepted",
                 X509_get_version(x) + 1)
        # OpenSSL's X509_STRICT already refuses a version-1 CA (X509_check_ca's "v1 root" case) as
        # INVALID_CA; the code agrees with it there, and a version-1 leaf is this policy's own rule
        return _fail(f, X509_V_ERR_INVALID_CA if depth > 0 else _APP, depth, what)
    if serial == NULL:
        return _fail(f, _APP, depth, b"certificate has no serial number")
    sd = ASN1_STRING_get0_data(serial)
    n = ASN1_STRING_length(serial)
    for k in range(n):
        if sd[k]:
            zero = False
    if ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER and not zero:
        return _fail(f, _APP, depth, b"serial number is negative")
    if zero:
        return _fail(f, _APP, depth, b"serial number is zero")
    # OpenSSL keeps the magnitude; DER adds a 0x00 octet when its top bit is set (RFC 5280 4.1.2.2)
    if n > _MAX_SERIAL_OCTETS or (n == _MAX_SERIAL_OCTETS and sd[0] & 0x80):
        return _fail(f, _APP, depth, b"serial number longer than 20 octets")
    if X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x)) != 1 or alg == NULL:
        clear_error_queue()
        return _fail(f, _APP, depth, b"the subject public key cannot be read")
    kind = OBJ_obj2nid(alg)
    if kind == NID_dsa or kind == NID_dsa_2:
        return _fail(f, _APP, depth, b"DSA keys are not accepted")
    pkey = X509_get0_pubkey(x)
    if pkey == NULL:
        clear_error_queue()
        return _fail(f, _APP, depth, b"the subject public key does not decode")
    kind = EVP_PKEY_get_base_id(pkey)
    if kind == EVP_PKEY_RSA or kind == EVP_PKEY_RSA_PSS:
        bits = EVP_PKEY_get_bits(pkey)
        if bits % 8:
            snprintf(what, sizeof(what), b"RSA modulus of %d bits is not a whole number of octets", bits)
            return _fail(f, _APP, depth, what)
        if bits < _MIN_RSA_BITS:
            snprintf(what, sizeof(what), b"RSA modulus of %d bits is below 2048", bits)
            return _fail(f, X509_V_ERR_EE_KEY_TOO_SMALL if is_leaf else X509_V_ERR_CA_KEY_TOO_SMALL, depth, what)
    return 0


cdef int _check_extensions(X509 *x, int depth, bint is_root, StrictFailure *f) noexcept nogil:
    cdef int crit = -1, i, rc, nid
    cdef NAME_CONSTRAINTS *nc
    cdef AUTHORITY_INFO_ACCESS *aia
    cdef ACCESS_DESCRIPTION *ad
    cdef POLICY_CONSTRAINTS *pc
    cdef AUTHORITY_KEYID *akid
    cdef const ASN1_OCTET_STRING *skid
    cdef stack_st_ASN1_OBJECT *eku
    cdef GENERAL_NAMES *sans
    cdef GENERAL_NAME *gn

    if depth > 0:
        # DNS-name syntax holds for any certificate's SANs (the leaf's are checked with its other rules)
        sans = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL)
        if sans == NULL and crit != -1:
            return _decode_failed(f, depth, crit)
        if sans != NULL:
            rc = 0
            for i in range(sk_GENERAL_NAME_num(sans)):
                gn = sk_GENERAL_NAME_value(sans, i)
                if gn.type == GEN_DNS and not _valid_dns(ASN1_STRING_get0_data(gn.d.ia5),
                                                         ASN1_STRING_length(gn.d.ia5), True):
                    rc = _fail_name(f, _APP, depth, b"malformed DNS name in subjectAltName:",
                                    ASN1_STRING_get0_data(gn.d.ia5), ASN1_STRING_length(gn.d.ia5))
                    break
            GENERAL_NAMES_free(sans)
            if rc:
                return rc

    nc = <NAME_CONSTRAINTS *>X509_get_ext_d2i(x, NID_name_constraints, &crit, NULL)
    if nc == NULL and crit != -1:
        return _decode_failed(f, depth, crit)
    if nc != NULL:
        rc = 0
        if ((nc.permittedSubtrees == NULL or sk_GENERAL_SUBTREE_num(nc.permittedSubtrees) == 0)
                and (nc.excludedSubtrees == NULL or sk_GENERAL_SUBTREE_num(nc.excludedSubtrees) == 0)):
            rc = _fail(f, _APP, depth, b"nameConstraints with neither permitted nor excluded subtrees")
        if not rc:
            rc = _nc_syntax(nc.permittedSubtrees, depth, f)
        if not rc:
            rc = _nc_syntax(nc.excludedSubtrees, depth, f)
        NAME_CONSTRAINTS_free(nc)
        if rc:
            return rc

    aia = <AUTHORITY_INFO_ACCESS *>X509_get_ext_d2i(x, NID_info_access, &crit, NULL)
    if aia == NULL and crit != -1:
        return _decode_failed(f, depth, crit)
    if aia != NULL:
        rc = 0
        if crit:
            # OpenSSL itself refuses it as an unhandled critical extension; the code agrees
            rc = _fail(f, X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, depth, b"authorityInfoAccess is marked critical")
        for i in range(sk_ACCESS_DESCRIPTION_num(aia)):
            if rc:
                break
            ad = sk_ACCESS_DESCRIPTION_value(aia, i)
            nid = OBJ_obj2nid(ad.method)
            if nid != NID_ad_OCSP and nid != NID_ad_ca_issuers:
                rc = _fail(f, _APP, depth, b"authorityInfoAccess method is neither OCSP nor caIssuers")
            elif ad.location.type != GEN_URI:
                rc = _fail(f, _APP, depth, b"authorityInfoAccess location is not a URI")
        AUTHORITY_INFO_ACCESS_free(aia)
        if rc:
            return rc

    pc = <POLICY_CONSTRAINTS *>X509_get_ext_d2i(x, NID_policy_constraints, &crit, NULL)
    if pc == NULL and crit != -1:
        return _decode_failed(f, depth, crit)
    if pc != NULL:
        POLICY_CONSTRAINTS_free(pc)
        if not crit:
            return _fail(f, _APP, depth, b"policyConstraints is not marked critical")

    akid = <AUTHORITY_KEYID *>X509_get_ext_d2i(x, NID_authority_key_identifier, &crit, NULL)
    if akid == NULL and crit != -1:
        return _decode_failed(f, depth, crit)
    if not is_root:
        if akid == NULL or akid.keyid == NULL:
            if akid != NULL:
                AUTHORITY_KEYID_free(akid)
            return _fail(f, X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER, depth,
                         b"authorityKeyIdentifier (with a keyIdentifier) missing on a non-root certificate")
    elif akid != NULL:
        rc = 0
        skid = X509_get0_subject_key_id(x)
        if akid.issuer != NULL or akid.serial != NULL or akid.keyid == NULL:
            rc = _fail(f, _APP, depth, b"the root's authorityKeyIdentifier holds more than a keyIdentifier")
        elif (skid == NULL or ASN1_STRING_length(skid) != ASN1_STRING_length(akid.keyid)
              or memcmp(ASN1_STRING_get0_data(skid), ASN1_STRING_get0_data(akid.keyid),
                        ASN1_STRING_length(skid)) != 0):
            rc = _fail(f, X509_V_ERR_AKID_SKID_MISMATCH, depth,
                       b"the root's authorityKeyIdentifier differs from its subjectKeyIdentifier")
        AUTHORITY_KEYID_free(akid)
        if rc:
            return rc
    if akid != NULL and not is_root:
        AUTHORITY_KEYID_free(akid)

    if is_root:
        eku = <stack_st_ASN1_OBJECT *>X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL)
        if eku == NULL and crit != -1:
            return _decode_failed(f, depth, crit)
        if eku != NULL:
            EXTENDED_KEY_USAGE_free(eku)
            return _fail(f, _APP, depth, b"the trust anchor carries an extendedKeyUsage extension")
    return 0


cdef int _check_constraints_over(stack_st_X509 *chain, int j, int n, StrictFailure *f) noexcept nogil:
    # every nameConstraints above certificate j applies to j's SAN DNS names, wildcards as sets
    cdef int crit = -1, i, rc = 0
    cdef GENERAL_NAMES *sans = <GENERAL_NAMES *>X509_get_ext_d2i(
        sk_X509_value(chain, j), NID_subject_alt_name, &crit, NULL)
    cdef NAME_CONSTRAINTS *nc
    if sans == NULL:
        if crit != -1:
            return _decode_failed(f, j, crit)
        return 0
    for i in range(j + 1, n):
        nc = <NAME_CONSTRAINTS *>X509_get_ext_d2i(sk_X509_value(chain, i), NID_name_constraints, &crit, NULL)
        if nc == NULL:
            if crit != -1:
                rc = _decode_failed(f, i, crit)
                break
            continue
        rc = _nc_violation(sans, nc, j, f)
        NAME_CONSTRAINTS_free(nc)
        if rc:
            break
    GENERAL_NAMES_free(sans)
    return rc


cdef int strict_chain_violation(stack_st_X509 *chain, StrictFailure *failure) noexcept nogil:
    cdef int n, depth, rc
    cdef X509 *x
    failure.code = 0
    failure.depth = -1
    failure.message[0] = 0
    n = sk_X509_num(chain) if chain != NULL else -1
    if n <= 0:
        failure.code = _APP
        snprintf(failure.message, sizeof(failure.message), b"strict policy: internal error: empty chain")
        return -1
    for depth in range(n):
        x = sk_X509_value(chain, depth)
        rc = _check_basics(x, depth, depth == 0, failure)
        if not rc and depth == 0:
            rc = _check_leaf(x, failure)
        if not rc:
            # the root rules are for a self-issued anchor; an intermediate trusted as the anchor
            # (3.13's VERIFY_X509_PARTIAL_CHAIN) keeps its issuer's AKI and may carry an EKU
            rc = _check_extensions(x, depth, depth == n - 1 and (X509_get_extension_flags(x) & EXFLAG_SI) != 0,
                                   failure)
        if not rc:
            rc = _check_constraints_over(chain, depth, n, failure)
        if rc:
            clear_error_queue()
            return rc
    clear_error_queue()
    return 0


def _check_chain(certs):
    """Test hook: run the strict policy over ``certs`` (Certificates, leaf first, anchor last).
    Returns None when every rule holds, else ``(code, depth, message)`` for the first violation;
    raises RuntimeError if the check left OpenSSL's error queue non-empty."""
    cdef list items = list(certs)
    cdef Certificate c
    cdef stack_st_X509 *sk
    cdef StrictFailure failure
    cdef int rc
    cdef unsigned long dirty
    if not items:
        raise ValueError("the chain is empty")
    for obj in items:
        if not isinstance(obj, Certificate):
            raise TypeError(f"expected Certificate, got {type(obj).__name__}")
    sk = sk_X509_new_null()
    if sk == NULL:
        raise MemoryError()
    try:
        for obj in items:
            c = <Certificate>obj
            if sk_X509_push(sk, c.full_x509()) <= 0:
                raise MemoryError()
        with nogil:
            clear_error_queue()
            rc = strict_chain_violation(sk, &failure)
            dirty = ERR_peek_error()
    finally:
        sk_X509_free(sk)   # the Certificates in ``items`` own the X509s; the stack only borrows them
    if dirty:
        # the policy's contract is a clean queue on every return; the hook makes every test check it
        clear_error_queue()
        raise RuntimeError(f"strict policy left the OpenSSL error queue dirty (error 0x{dirty:x})")
    if rc == 0:
        return None
    msg = failure.message.decode("utf-8", "replace")
    if rc < 0:
        raise MemoryError(msg)
    return (failure.code, failure.depth, msg)
