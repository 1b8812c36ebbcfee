/*
 * certcore's C API: call certcore's certificate functions from another C (or Cython) extension
 * without going through Python.
 *
 * Usage, in the extension's module init (with the GIL held):
 *
 *     #include <certcore.h>          // add certcore.get_include() to the include path
 *     ...
 *     if (certcore_import() < 0) return NULL;     // sets a Python exception on failure
 *
 * and later, from any thread, with or without the GIL:
 *
 *     int64_t t;
 *     if (CertcoreAPI->cert_time_to_seconds("Jan  5 09:34:43 2018 GMT", 24, &t) == CERTCORE_OK) ...
 *
 * Every function here except verifier_handle is callable without the GIL, touches no Python
 * object, and reports errors by return code (never by Python exception). Results follow the
 * rules of the Python functions of the same names; names and times are given as bytes (ASCII /
 * UTF-8), as they travel on the wire.
 *
 * Chain verification (version 2): with the GIL held, turn a certcore.Verifier into a handle once,
 * then verify from any thread without the GIL, as long as the Verifier object stays alive:
 *
 *     const CertcoreVerifier *v = CertcoreAPI->verifier_handle(verifier_obj);   // GIL held
 *     if (v == NULL) return NULL;                  // TypeError / ValueError set
 *     Py_INCREF(verifier_obj);                     // keep it alive while `v` is in use
 *     ...
 *     int code; STACK_OF(X509) *chain = NULL;      // any thread, no GIL
 *     if (CertcoreAPI->verify_chain(v, leaf, untrusted, "example.com", 11, &code, &chain,
 *                                   NULL, 0, NULL) == CERTCORE_OK && code == X509_V_OK) {
 *         ...                                      // accepted; chain is leaf first
 *         sk_X509_pop_free(chain, X509_free);
 *     }
 *
 * Versioning: CERTCORE_CAPI_VERSION grows when functions are appended to the table (never
 * reordered or removed). certcore_import() refuses a table older than the header it was
 * compiled with, so a binary built against this header keeps working with newer certcore.
 */
#ifndef CERTCORE_H
#define CERTCORE_H

#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CERTCORE_CAPI_VERSION 2
#define CERTCORE_CAPSULE_NAME "_certcore.capi.CAPI"

/* Return codes. */
#define CERTCORE_OK 0              /* success (for the matchers: the name matches) */
#define CERTCORE_MISMATCH 1        /* matchers: a well-formed name that does not match */
#define CERTCORE_EINVAL (-1)       /* bad argument: NULL pointer, NUL byte in a name, bad format */
#define CERTCORE_EWILDCARD (-2)    /* the certificate holds a malformed wildcard pattern
                                      (match_hostname raises CertificateError for it) */
#define CERTCORE_ENOSPACE (-3)     /* the output buffer is too small; *out_len (or *message_len)
                                      says how big */
#define CERTCORE_ENOMEM (-4)       /* allocation failed */
#define CERTCORE_EOPENSSL (-5)     /* OpenSSL failed (its error queue has been cleared) */

/* Flags for match_x509. */
#define CERTCORE_NO_CN_FALLBACK 0x1   /* never fall back to the subject's commonName */

/* A certcore.Verifier's configuration (trust store, policy), opaque: see verifier_handle. */
typedef struct CertcoreVerifier CertcoreVerifier;

typedef struct {
    unsigned int version;   /* CERTCORE_CAPI_VERSION of the certcore that filled the table */
    size_t size;            /* sizeof the table, for forward compatibility */

    /* Version 1 */

    /* Is hostname valid for cert under match_hostname's rules (RFC 6125 as CPython 3.7-3.11:
     * DNS and IP subjectAltNames, commonName fallback when there are none)?
     * hostname: a DNS name (A-labels) or an IPv4/IPv6 address literal, hostname_len bytes.
     * Names are compared as bytes, ASCII case-insensitively; bytes >= 0x80 compare exactly (CPython
     * lower-cases str names with Unicode rules, so there U+212A KELVIN SIGN matches "k"; here it
     * does not). A subjectAltName IP address of a length other than 4 or 16, met while matching
     * an IP address, gives CERTCORE_EINVAL (match_hostname raises ValueError for it).
     * Returns CERTCORE_OK, CERTCORE_MISMATCH, CERTCORE_EWILDCARD or CERTCORE_EINVAL. */
    int (*match_x509)(X509 *cert, const char *hostname, size_t hostname_len, unsigned int flags);

    /* Does the certificate DNS name `pattern` match `hostname` (ASCII case-insensitive,
     * whole-label wildcard in the leftmost label only)? Returns CERTCORE_OK,
     * CERTCORE_MISMATCH, CERTCORE_EWILDCARD or CERTCORE_EINVAL. */
    int (*match_dns_pattern)(const char *pattern, size_t pattern_len,
                             const char *hostname, size_t hostname_len);

    /* "Jan  5 09:34:43 2018 GMT" -> seconds since the epoch (as cert_time_to_seconds).
     * Returns CERTCORE_OK or CERTCORE_EINVAL. */
    int (*cert_time_to_seconds)(const char *text, size_t text_len, int64_t *seconds);

    /* An ASN1_TIME (UTCTime or GeneralizedTime, e.g. X509_get0_notAfter) -> seconds since the
     * epoch. Returns CERTCORE_OK or CERTCORE_EINVAL. */
    int (*asn1_time_to_seconds)(const ASN1_TIME *time, int64_t *seconds);

    /* DER bytes -> PEM text exactly as DER_cert_to_PEM_cert (no NUL terminator written).
     * Writes at most out_cap bytes; *out_len is set to the full length either way.
     * Returns CERTCORE_OK or CERTCORE_ENOSPACE. */
    int (*der_to_pem)(const unsigned char *der, size_t der_len,
                      char *out, size_t out_cap, size_t *out_len);

    /* PEM text -> DER bytes exactly as PEM_cert_to_DER_cert (ASCII input).
     * Returns CERTCORE_OK, CERTCORE_EINVAL (not PEM / bad base64) or CERTCORE_ENOSPACE. */
    int (*pem_to_der)(const char *pem, size_t pem_len,
                      unsigned char *out, size_t out_cap, size_t *out_len);

    /* Version 2 */

    /* The handle of a certcore.Verifier for verify_chain. NEEDS THE GIL. Returns NULL with a
     * Python exception set: TypeError when `verifier` is not a certcore.Verifier, ValueError when
     * it is not initialized. The handle borrows from the object: it stays valid exactly as long
     * as the Verifier does, so the caller holds its own reference to the Verifier for as long as
     * it uses the handle (a Verifier's configuration never changes after __init__). */
    const CertcoreVerifier *(*verifier_handle)(PyObject *verifier);

    /* Verify `leaf` (+ the untrusted intermediates `untrusted`, may be NULL) as
     * verifier.verify(leaf, intermediates, hostname) does: same policy, same verify codes, same
     * chain. Callable from any thread without the GIL; `verifier`, `leaf` and `untrusted` are
     * only read, so concurrent calls may share them.
     * leaf: a normally parsed X509, as d2i_X509, PEM_read_bio_X509 or SSL_get_peer_certificate
     *   give (default library context, public key decodable).
     * hostname: NULL (no name check; hostname_len must be 0) or hostname_len bytes of an ASCII
     *   DNS name (A-labels) or an IPv4/IPv6 address literal (recognized as a2i_IPADDRESS does,
     *   as Verifier.verify does). Empty, a leading '.', a NUL byte or a byte >= 0x80 gives
     *   CERTCORE_EINVAL (Verifier.verify raises ValueError for them).
     * *verify_code: X509_V_OK when the chain is accepted, otherwise the X509_V_ERR_* code of
     *   the rejection (SSLCertVerificationError.verify_code). Set on CERTCORE_OK and
     *   CERTCORE_ENOSPACE; on any other return it is X509_V_ERR_UNSPECIFIED, never X509_V_OK.
     * chain: NULL, or where to store the verified chain (leaf first, ending at the trust anchor)
     *   on acceptance. The caller owns it and frees it with sk_X509_pop_free(chain, X509_free).
     *   *chain is NULL on rejection and on every return other than CERTCORE_OK.
     * message, message_cap, message_len: message_len NULL (and message NULL) when no text is
     *   wanted; otherwise the verify message for *verify_code is written into message (at most
     *   message_cap bytes, no NUL terminator) and *message_len is set to its full length either
     *   way: the strict policy's text when a strict=True Verifier's policy rejected the chain,
     *   otherwise X509_verify_cert_error_string(*verify_code) ("ok" on acceptance). This is
     *   SSLCertVerificationError.verify_message except for a hostname or IP mismatch, where the
     *   Python message names the host and this one is OpenSSL's ("hostname mismatch").
     * Returns CERTCORE_OK (the verification ran: see *verify_code), CERTCORE_EINVAL (a NULL
     * verifier, leaf or verify_code, a bad hostname, message without message_len),
     * CERTCORE_ENOMEM, or CERTCORE_ENOSPACE (the verification ran and *verify_code is set, but
     * the message needs more than message_cap bytes: *message_len says how many; nothing is
     * written and no chain is returned). The OpenSSL error queue is left clean. */
    int (*verify_chain)(const CertcoreVerifier *verifier, X509 *leaf, STACK_OF(X509) *untrusted,
                        const char *hostname, size_t hostname_len, int *verify_code,
                        STACK_OF(X509) **chain, char *message, size_t message_cap,
                        size_t *message_len);
} CertcoreCAPI;

#ifndef CERTCORE_PROVIDER   /* defined only by certcore's own module that fills the table */
static const CertcoreCAPI *CertcoreAPI = NULL;

/* Import the API table; 0 on success, -1 with a Python exception set. Needs the GIL. */
static inline int certcore_import(void)
{
    /* PyCapsule_Import imports only the top-level package and then looks up attributes, so the
     * submodule that holds the capsule is imported first: a consumer then works even when
     * nothing has imported certcore before it. */
    const CertcoreCAPI *api;
    PyObject *module = PyImport_ImportModule("_certcore.capi");
    if (module == NULL)
        return -1;
    Py_DECREF(module);
    api = (const CertcoreCAPI *)PyCapsule_Import(CERTCORE_CAPSULE_NAME, 0);
    if (api == NULL)
        return -1;
    if (api->version < CERTCORE_CAPI_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "certcore C API version %u is older than this extension needs (%d)",
                     api->version, CERTCORE_CAPI_VERSION);
        return -1;
    }
    CertcoreAPI = api;
    return 0;
}
#endif /* CERTCORE_PROVIDER */

#ifdef __cplusplus
}
#endif
#endif /* CERTCORE_H */
