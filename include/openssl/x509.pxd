# Declarations from <openssl/x509.h>.
from openssl.crypto cimport OSSL_LIB_CTX
from openssl.asn1 cimport ASN1_OBJECT, ASN1_STRING, ASN1_INTEGER, ASN1_TIME, ASN1_ITEM, ASN1_OCTET_STRING
from openssl.bio cimport BIO

cdef extern from "openssl/x509.h" nogil:
    # Compiled-in trust store locations and the environment keys that override them.
    const char *X509_get_default_cert_file()
    const char *X509_get_default_cert_file_env()
    const char *X509_get_default_cert_dir()
    const char *X509_get_default_cert_dir_env()

    ctypedef struct X509:
        pass
    ctypedef struct X509_NAME:
        pass
    ctypedef struct X509_NAME_ENTRY:
        pass
    ctypedef struct X509_CRL:
        pass

    const ASN1_ITEM *X509_it()
    X509 *X509_new()
    X509 *X509_new_ex(OSSL_LIB_CTX *libctx, const char *propq)
    void X509_free(X509 *a)
    int X509_up_ref(X509 *a)
    X509 *d2i_X509(X509 **a, const unsigned char **inp, long length)
    # A certificate followed by its trust settings (the DER of a "TRUSTED CERTIFICATE").
    X509 *d2i_X509_AUX(X509 **a, const unsigned char **pp, long length)
    X509 *d2i_X509_bio(BIO *bp, X509 **x509)
    X509_CRL *d2i_X509_CRL(X509_CRL **a, const unsigned char **pp, long length)
    void X509_CRL_free(X509_CRL *a)
    # 1 when the subject names itself as issuer (names, key identifiers and keyUsage agree);
    # verify_signature=0 is the test OpenSSL's chain builder uses.
    int X509_self_signed(X509 *cert, int verify_signature)
    int i2d_X509(const X509 *a, unsigned char **out)

    long X509_get_version(const X509 *x)
    const ASN1_INTEGER *X509_get0_serialNumber(const X509 *x)
    const ASN1_TIME *X509_get0_notBefore(const X509 *x)
    const ASN1_TIME *X509_get0_notAfter(const X509 *x)
    X509_NAME *X509_get_subject_name(const X509 *a)
    X509_NAME *X509_get_issuer_name(const X509 *a)
    void *X509_get_ext_d2i(const X509 *x, int nid, int *crit, int *idx)

    int X509_NAME_entry_count(const X509_NAME *name)
    X509_NAME_ENTRY *X509_NAME_get_entry(const X509_NAME *name, int loc)
    int X509_NAME_ENTRY_set(const X509_NAME_ENTRY *ne)
    ASN1_OBJECT *X509_NAME_ENTRY_get_object(const X509_NAME_ENTRY *ne)
    ASN1_STRING *X509_NAME_ENTRY_get_data(const X509_NAME_ENTRY *ne)

    # Looking up entries and extensions by NID (-1: none after lastpos).
    int X509_NAME_get_index_by_NID(const X509_NAME *name, int nid, int lastpos)
    int X509_get_ext_by_NID(const X509 *x, int nid, int lastpos)

    # From <openssl/x509err.h>, which x509.h includes.
    enum:
        X509_R_CERT_ALREADY_IN_HASH_TABLE

# The subject public key, raw (algorithm OID) and decoded (size), for the strict verification policy.
from openssl.evp cimport EVP_PKEY

cdef extern from "openssl/x509.h" nogil:
    ctypedef struct X509_PUBKEY:
        pass
    ctypedef struct X509_ALGOR:
        pass
    X509_PUBKEY *X509_get_X509_PUBKEY(const X509 *x)
    int X509_PUBKEY_get0_param(ASN1_OBJECT **ppkalg, const unsigned char **pk, int *ppklen,
                               X509_ALGOR **pa, const X509_PUBKEY *pub)
    EVP_PKEY *X509_get0_pubkey(const X509 *x)
    # A SubjectPublicKeyInfo on its own (the key-slot probe of _certcore/spki.pyx).
    const ASN1_ITEM *X509_PUBKEY_it()
    void X509_PUBKEY_free(X509_PUBKEY *a)
    EVP_PKEY *X509_PUBKEY_get0(const X509_PUBKEY *key)

    # Certificate inspection: the SubjectPublicKeyInfo's DER, the signature algorithm, the raw
    # extensions, name comparison, and the signature check (1 good, 0 bad, -1 error).
    ctypedef struct X509_EXTENSION:
        pass
    int i2d_X509_PUBKEY(const X509_PUBKEY *a, unsigned char **pp)
    void X509_ALGOR_get0(const ASN1_OBJECT **paobj, int *pptype, const void **ppval, const X509_ALGOR *algor)
    void X509_get0_signature(const ASN1_STRING **psig, const X509_ALGOR **palg, const X509 *x)
    int X509_get_ext_count(const X509 *x)
    X509_EXTENSION *X509_get_ext(const X509 *x, int loc)
    ASN1_OBJECT *X509_EXTENSION_get_object(X509_EXTENSION *ex)
    int X509_EXTENSION_get_critical(const X509_EXTENSION *ex)
    ASN1_OCTET_STRING *X509_EXTENSION_get_data(X509_EXTENSION *ne)
    int X509_NAME_cmp(const X509_NAME *a, const X509_NAME *b)
    int X509_verify(X509 *a, EVP_PKEY *r)

# The two signature AlgorithmIdentifiers X509_verify compares, and the signature algorithm's NID
# (ecverify.pyx).
cdef extern from "openssl/x509.h" nogil:
    const X509_ALGOR *X509_get0_tbs_sigalg(const X509 *x)
    int X509_ALGOR_cmp(const X509_ALGOR *a, const X509_ALGOR *b)
    int X509_get_signature_nid(const X509 *x)
