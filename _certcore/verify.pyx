"""certcore.Verifier: certificate chain verification without a socket.

A Verifier reproduces what OpenSSL's ``ssl_verify_cert_chain`` does during a handshake of a
``create_default_context()`` context: ``X509_STORE_CTX_init(store, leaf, untrusted)``,
``X509_STORE_CTX_set_default(ctx, "ssl_server")`` (``"ssl_client"`` for purpose "client"), the
security level as the auth level, then ``X509_VERIFY_PARAM_set1`` with the context's param (flags,
hostflags, depth). So its verdicts, codes and messages are those of a certcore/stdlib handshake.

CRL checks: a Verifier checks CRLs only when asked (``crl="leaf"`` is VERIFY_CRL_CHECK_LEAF,
``crl="chain"`` VERIFY_CRL_CHECK_CHAIN), as a context does only when its verify_flags say so; the
CRLs come from the TrustStore (cadata/cafile holding CRLs).
"""
import datetime as _datetime

from cpython.bytes cimport PyBytes_AS_STRING
from libc.limits cimport INT_MAX
from libc.stdlib cimport malloc, free
from libc.string cimport memset

from openssl.asn1 cimport ASN1_OCTET_STRING, ASN1_OCTET_STRING_free, ASN1_STRING_get0_data, ASN1_STRING_length
from openssl.err cimport ERR_clear_error
from openssl.ssl cimport SSL_CTX_get0_param, SSL_CTX_get_security_level
from openssl.x509 cimport X509, X509_free, X509_up_ref
from openssl.x509_vfy cimport *
from openssl.x509v3 cimport a2i_IPADDRESS
from pyapi cimport PY_VERSION_HEX

from _certcore.context cimport ContextCore
from _certcore.policy cimport StrictFailure, strict_chain_violation
from _certcore.errors cimport build_verify_error, raise_from_queue, SITE_CONTEXT
from _certcore.truststore cimport TrustStore
from _certcore.x509 cimport Certificate, certificate_from_x509

import ssl as _ssl

cdef object _PROTOCOL_TLS_CLIENT = _ssl.PROTOCOL_TLS_CLIENT
cdef object _PROTOCOL_TLS_SERVER = _ssl.PROTOCOL_TLS_SERVER
cdef object _SSLCertVerificationError = _ssl.SSLCertVerificationError


cdef int verify_x509(const VerifyConfig *cfg, X509 *leaf, stack_st_X509 *untrusted,
                     const char *host, size_t hostlen, const unsigned char *ip, size_t iplen,
                     stack_st_X509 **chain_out, StrictFailure *failure) noexcept nogil:
    cdef X509_STORE_CTX *ctx
    cdef stack_st_X509 *chain
    cdef int sv
    cdef X509_VERIFY_PARAM *param
    cdef int rc, code = X509_V_ERR_UNSPECIFIED
    if chain_out != NULL:
        chain_out[0] = NULL
    if failure != NULL:
        failure.code = 0
    ctx = X509_STORE_CTX_new()
    if ctx == NULL:
        ERR_clear_error()
        return X509_V_ERR_UNSPECIFIED
    try:
        if X509_STORE_CTX_init(ctx, cfg.store, leaf, untrusted) != 1:
            return X509_V_ERR_UNSPECIFIED
        # ssl_verify_cert_chain's order: the purpose's defaults, then the context's param over them
        if X509_STORE_CTX_set_default(ctx, cfg.purpose) != 1:
            return X509_V_ERR_UNSPECIFIED
        param = X509_STORE_CTX_get0_param(ctx)
        if X509_VERIFY_PARAM_set1(param, cfg.param) != 1:
            return X509_V_ERR_UNSPECIFIED
        if host != NULL and X509_VERIFY_PARAM_set1_host(param, host, hostlen) != 1:
            return X509_V_ERR_UNSPECIFIED
        if ip != NULL and X509_VERIFY_PARAM_set1_ip(param, ip, iplen) != 1:
            return X509_V_ERR_UNSPECIFIED
        rc = X509_verify_cert(ctx)
        code = X509_STORE_CTX_get_error(ctx)
        if rc != 1:
            # an internal failure (rc < 0) may leave the code at OK: it is still a rejection
            if code == X509_V_OK:
                code = X509_V_ERR_UNSPECIFIED
        elif chain_out != NULL or cfg.strict:
            chain = X509_STORE_CTX_get1_chain(ctx)
            if chain == NULL:
                return X509_V_ERR_OUT_OF_MEM
            if cfg.strict:
                if failure == NULL:
                    _free_chain(chain)
                    return X509_V_ERR_UNSPECIFIED
                sv = strict_chain_violation(chain, failure)
                if sv != 0:
                    _free_chain(chain)
                    if sv < 0:
                        failure.code = 0
                        return X509_V_ERR_UNSPECIFIED
                    return failure.code
            if chain_out != NULL:
                chain_out[0] = chain
            else:
                _free_chain(chain)
        return code
    finally:
        X509_STORE_CTX_free(ctx)
        ERR_clear_error()


cdef void _free_chain(stack_st_X509 *sk) noexcept nogil:
    if sk != NULL:
        sk_X509_pop_free(sk, X509_free)


# One converted input: what verify_x509 takes, plus the Python objects that own its memory.
cdef struct Item:
    X509 *leaf                  # borrowed from a Certificate held in `keep`
    stack_st_X509 *untrusted    # owned (references taken), or NULL
    const char *host
    size_t hostlen
    const unsigned char *ip
    size_t iplen
    int code
    stack_st_X509 *chain        # owned result
    StrictFailure failure       # the strict policy's verdict (failure.code != 0: its message applies)


cdef class _Prepared:
    """Owner of one converted input's Python-side memory."""
    cdef object leaf_obj, host_bytes, hostname
    cdef ASN1_OCTET_STRING *ip

    def __dealloc__(self):
        if self.ip != NULL:
            ASN1_OCTET_STRING_free(self.ip)


cdef _Prepared _prepare(object leaf, object intermediates, object hostname, Item *item):
    """Check and convert one (leaf, intermediates, hostname) into *item (untrusted owned by item)."""
    cdef _Prepared p = _Prepared.__new__(_Prepared)
    cdef Certificate c
    cdef bytes host
    if not isinstance(leaf, Certificate):
        raise TypeError(f"leaf must be a certcore.Certificate, not {type(leaf).__name__}")
    if isinstance(intermediates, (str, bytes, Certificate)):
        raise TypeError("intermediates must be an iterable of certcore.Certificate")
    inters = list(intermediates)
    for x in inters:
        if not isinstance(x, Certificate):
            raise TypeError(f"intermediates must hold certcore.Certificate, not {type(x).__name__}")
    p.leaf_obj = leaf
    p.hostname = hostname
    item.leaf = (<Certificate>leaf).full_x509()
    if hostname is not None:
        if not isinstance(hostname, str):
            raise TypeError(f"hostname must be str or None, not {type(hostname).__name__}")
        try:
            host = hostname.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("hostname must be an ASCII (IDNA-encoded) name or an IP address") from None
        if len(host) == 0 or host[:1] == b".":
            raise ValueError("hostname cannot be an empty string or start with a leading dot.")
        if b"\0" in host:
            raise ValueError("hostname must not contain NUL characters")
        p.ip = a2i_IPADDRESS(host)
        if p.ip == NULL:
            ERR_clear_error()
            p.host_bytes = host
            item.host = PyBytes_AS_STRING(host)
            item.hostlen = <size_t>len(host)
        else:
            item.ip = ASN1_STRING_get0_data(p.ip)
            item.iplen = <size_t>ASN1_STRING_length(p.ip)
    if inters:
        item.untrusted = sk_X509_new_null()
        if item.untrusted == NULL:
            raise MemoryError()
        for x in inters:
            c = <Certificate>x
            xp = c.full_x509()
            if sk_X509_push(item.untrusted, xp) <= 0:
                raise MemoryError()
            X509_up_ref(xp)
    return p


cdef object _result(Item *item, object hostname):
    """The chain as a list of Certificates, or the SSLCertVerificationError (not raised)."""
    cdef int i
    if item.code != X509_V_OK:
        if item.failure.code != 0:
            return build_verify_error(item.code, hostname, item.failure.message.decode("utf-8", "replace"))
        return build_verify_error(item.code, hostname)
    return [certificate_from_x509(sk_X509_value(item.chain, i)) for i in range(sk_X509_num(item.chain))]


cdef class Verifier:
    """Verifies certificate chains against a TrustStore with the verdicts of a
    ``create_default_context()`` handshake."""

    def __cinit__(self):
        self.cfg.param = NULL
        self.cfg.store = NULL

    def __init__(self, trust, *, purpose="server", at=None, max_depth=None, strict=False, crl=None):
        cdef ContextCore core
        cdef long t
        if not isinstance(trust, TrustStore):
            raise TypeError(f"trust must be a certcore.TrustStore, not {type(trust).__name__}")
        if self.cfg.param != NULL:
            raise RuntimeError("Verifier is already initialized")
        if not isinstance(purpose, str):
            raise TypeError(f"purpose must be 'server' or 'client', not {type(purpose).__name__}")
        if purpose not in ("server", "client"):
            raise ValueError(f"purpose must be 'server' or 'client', not {purpose!r}")
        if crl is not None and crl not in ("leaf", "chain"):
            raise ValueError(f"crl must be None, 'leaf' or 'chain', not {crl!r}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be a bool, not {type(strict).__name__}")
        if at is not None:
            if isinstance(at, _datetime.datetime):
                if at.tzinfo is None or at.utcoffset() is None:
                    raise ValueError("at must be a timezone-aware datetime (a naive one is ambiguous)")
                at = int(at.timestamp())
            elif isinstance(at, bool) or not isinstance(at, int):
                raise TypeError(f"at must be None, int seconds or an aware datetime, not {type(at).__name__}")
            if not (-(1 << 62) < at < (1 << 62)):
                raise OverflowError("at is out of range")
            t = at
        if max_depth is not None:
            if isinstance(max_depth, bool) or not isinstance(max_depth, int):
                raise TypeError(f"max_depth must be None or an int, not {type(max_depth).__name__}")
            if max_depth < 0:
                raise ValueError("max_depth must be >= 0")
            if max_depth > INT_MAX:
                raise OverflowError("max_depth is too large")
        # The param of the context create_default_context builds for this purpose (context.pyx
        # is the one home of its defaults; 3.13's extra flags are client.py's rule, repeated here
        # because _certcore never imports certcore)
        core = ContextCore(_PROTOCOL_TLS_CLIENT if purpose == "server" else _PROTOCOL_TLS_SERVER)
        self.cfg.param = X509_VERIFY_PARAM_new()
        if self.cfg.param == NULL:
            raise_from_queue(SITE_CONTEXT)
        if X509_VERIFY_PARAM_set1(self.cfg.param, SSL_CTX_get0_param(core.ctx)) != 1:
            raise_from_queue(SITE_CONTEXT)
        X509_VERIFY_PARAM_set_auth_level(self.cfg.param, SSL_CTX_get_security_level(core.ctx))
        if PY_VERSION_HEX >= 0x030D0000:
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT)
        if strict:
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_X509_STRICT)
        if crl == "leaf":
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_CRL_CHECK)
        elif crl == "chain":
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL)
        if at is not None:
            X509_VERIFY_PARAM_set_time(self.cfg.param, t)
        if max_depth is not None:
            X509_VERIFY_PARAM_set_depth(self.cfg.param, <int>max_depth)
        self._trust = trust
        self.cfg.store = (<TrustStore>trust).store
        self.cfg.purpose = "ssl_server" if purpose == "server" else "ssl_client"
        self.cfg.strict = strict
        self.purpose = purpose
        self.strict = strict

    def __dealloc__(self):
        if self.cfg.param != NULL:
            X509_VERIFY_PARAM_free(self.cfg.param)

    cdef int _check_ready(self) except -1:
        if self.cfg.param == NULL or self.cfg.store == NULL:
            raise ValueError("Verifier is not initialized")
        return 0

    def verify(self, leaf, intermediates=(), hostname=None):
        """The verified chain (leaf first, ending at the trust anchor) as a list of Certificates;
        raises ssl.SSLCertVerificationError as a handshake would."""
        cdef Item item
        self._check_ready()
        memset(&item, 0, sizeof(Item))
        try:
            _keep = _prepare(leaf, intermediates, hostname, &item)
            with nogil:
                item.code = verify_x509(&self.cfg, item.leaf, item.untrusted, item.host, item.hostlen,
                                        item.ip, item.iplen, &item.chain, &item.failure)
            result = _result(&item, hostname)
        finally:
            _free_chain(item.untrusted)
            _free_chain(item.chain)
        if isinstance(result, _SSLCertVerificationError):
            raise result
        return result

    def verify_many(self, items):
        """Verify every ``(leaf, intermediates, hostname)`` tuple (or bare leaf) with the GIL
        released; a list of verified chains or SSLCertVerificationError instances (not raised)."""
        cdef Item *arr = NULL
        cdef Py_ssize_t n, i
        cdef const VerifyConfig *cfg = &self.cfg
        self._check_ready()
        batch = list(items)
        n = len(batch)
        if n == 0:
            return []
        arr = <Item *>malloc(n * sizeof(Item))
        if arr == NULL:
            raise MemoryError()
        memset(arr, 0, n * sizeof(Item))
        keep = []
        hosts = []
        try:
            for i in range(n):
                entry = batch[i]
                if isinstance(entry, Certificate):
                    leaf, inters, host = entry, (), None
                elif isinstance(entry, tuple) and len(entry) == 3:
                    leaf, inters, host = entry
                else:
                    raise TypeError("verify_many items must be Certificates or (leaf, intermediates, hostname) tuples")
                keep.append(_prepare(leaf, inters, host, &arr[i]))
                hosts.append(host)
            with nogil:
                for i in range(n):
                    arr[i].code = verify_x509(cfg, arr[i].leaf, arr[i].untrusted, arr[i].host,
                                              arr[i].hostlen, arr[i].ip, arr[i].iplen, &arr[i].chain,
                                              &arr[i].failure)
            return [_result(&arr[i], hosts[i]) for i in range(n)]
        finally:
            for i in range(n):
                _free_chain(arr[i].untrusted)
                _free_chain(arr[i].chain)
            free(arr)
