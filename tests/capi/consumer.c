/* A small C extension that uses certcore only through its C API (include/certcore.h). The
 * tests build it against certcore.get_include() and call every entry of the table, each one
 * with the GIL released (except verifier_handle, which needs it). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <certcore.h>

static PyObject *
call_match_x509(PyObject *self, PyObject *args)
{
    const unsigned char *der; Py_ssize_t der_len;
    const char *host; Py_ssize_t host_len;
    unsigned int flags;
    int rc;
    if (!PyArg_ParseTuple(args, "y#y#I", &der, &der_len, &host, &host_len, &flags))
        return NULL;
    X509 *cert = d2i_X509(NULL, &der, (long)der_len);
    if (cert == NULL)
        return PyErr_Format(PyExc_ValueError, "consumer: d2i_X509 failed");
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->match_x509(cert, host, (size_t)host_len, flags);
    Py_END_ALLOW_THREADS
    X509_free(cert);
    return PyLong_FromLong(rc);
}

static PyObject *
call_match_dns_pattern(PyObject *self, PyObject *args)
{
    const char *pattern, *host; Py_ssize_t plen, hlen;
    int rc;
    if (!PyArg_ParseTuple(args, "y#y#", &pattern, &plen, &host, &hlen))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->match_dns_pattern(pattern, (size_t)plen, host, (size_t)hlen);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

static PyObject *
call_cert_time_to_seconds(PyObject *self, PyObject *args)
{
    const char *text; Py_ssize_t n;
    int64_t seconds = 0;
    int rc;
    if (!PyArg_ParseTuple(args, "y#", &text, &n))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->cert_time_to_seconds(text, (size_t)n, &seconds);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("iL", rc, (long long)seconds);
}

static PyObject *
call_asn1_time_to_seconds(PyObject *self, PyObject *args)
{
    const unsigned char *der; Py_ssize_t der_len;
    int which;
    int64_t seconds = 0;
    int rc;
    if (!PyArg_ParseTuple(args, "y#i", &der, &der_len, &which))
        return NULL;
    X509 *cert = d2i_X509(NULL, &der, (long)der_len);
    if (cert == NULL)
        return PyErr_Format(PyExc_ValueError, "consumer: d2i_X509 failed");
    const ASN1_TIME *t = which ? X509_get0_notAfter(cert) : X509_get0_notBefore(cert);
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->asn1_time_to_seconds(t, &seconds);
    Py_END_ALLOW_THREADS
    X509_free(cert);
    return Py_BuildValue("iL", rc, (long long)seconds);
}

/* (rc, full length, output bytes) from der_to_pem (to_pem) or pem_to_der, for a caller buffer
 * of `cap` bytes. */
static PyObject *
convert(PyObject *args, int to_pem)
{
    const char *in; Py_ssize_t in_len, cap;
    size_t out_len = 0;
    int rc;
    if (!PyArg_ParseTuple(args, "y#n", &in, &in_len, &cap))
        return NULL;
    char *out = PyMem_Malloc(cap > 0 ? (size_t)cap : 1);
    if (out == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    if (to_pem)
        rc = CertcoreAPI->der_to_pem((const unsigned char *)in, (size_t)in_len, out, (size_t)cap, &out_len);
    else
        rc = CertcoreAPI->pem_to_der(in, (size_t)in_len, (unsigned char *)out, (size_t)cap, &out_len);
    Py_END_ALLOW_THREADS
    PyObject *res = Py_BuildValue("iny#", rc, (Py_ssize_t)out_len, out,
                                  (Py_ssize_t)(rc == CERTCORE_OK ? out_len : 0));
    PyMem_Free(out);
    return res;
}

static PyObject *
call_der_to_pem(PyObject *self, PyObject *args)
{
    return convert(args, 1);
}

static PyObject *
call_pem_to_der(PyObject *self, PyObject *args)
{
    return convert(args, 0);
}

/* Parse leaf (bytes, or None for a NULL leaf) and intermediates (a sequence of bytes, or None for a
 * NULL stack) with d2i_X509, as a C caller holding DER would. 0, or -1 with an exception set (and
 * nothing left allocated). */
static int
parse_chain(PyObject *leaf_obj, PyObject *inters_obj, X509 **leaf, STACK_OF(X509) **untrusted)
{
    const unsigned char *der; Py_ssize_t der_len;
    *leaf = NULL;
    *untrusted = NULL;
    if (leaf_obj != Py_None) {
        if (PyBytes_AsStringAndSize(leaf_obj, (char **)&der, &der_len) < 0)
            return -1;
        if ((*leaf = d2i_X509(NULL, &der, (long)der_len)) == NULL)
            goto bad_der;
    }
    if (inters_obj != Py_None) {
        PyObject *seq = PySequence_Fast(inters_obj, "intermediates must be a sequence");
        if (seq == NULL)
            goto fail;
        if ((*untrusted = sk_X509_new_null()) == NULL) {
            Py_DECREF(seq);
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            X509 *x;
            if (PyBytes_AsStringAndSize(PySequence_Fast_GET_ITEM(seq, i), (char **)&der, &der_len) < 0) {
                Py_DECREF(seq);
                goto fail;
            }
            if ((x = d2i_X509(NULL, &der, (long)der_len)) == NULL) {
                Py_DECREF(seq);
                goto bad_der;
            }
            if (sk_X509_push(*untrusted, x) <= 0) {
                X509_free(x);
                Py_DECREF(seq);
                PyErr_NoMemory();
                goto fail;
            }
        }
        Py_DECREF(seq);
    }
    return 0;
bad_der:
    ERR_clear_error();
    PyErr_SetString(PyExc_ValueError, "consumer: d2i_X509 failed");
fail:
    X509_free(*leaf);
    sk_X509_pop_free(*untrusted, X509_free);
    *leaf = NULL;
    *untrusted = NULL;
    return -1;
}

/* The chain as a list of DER bytes; the chain is freed either way. */
static PyObject *
chain_to_list(STACK_OF(X509) *chain)
{
    PyObject *list = PyList_New(0);
    for (int i = 0; list != NULL && i < sk_X509_num(chain); i++) {
        unsigned char *der = NULL;
        int n = i2d_X509(sk_X509_value(chain, i), &der);
        PyObject *item = n > 0 ? PyBytes_FromStringAndSize((const char *)der, n) : NULL;
        OPENSSL_free(der);
        if (item == NULL || PyList_Append(list, item) < 0)
            Py_CLEAR(list);
        Py_XDECREF(item);
    }
    sk_X509_pop_free(chain, X509_free);
    return list;
}

/* verify_chain(verifier, leaf, intermediates, hostname, want_chain, message_cap[, null_code,
 *              message_without_len, hostname_len])
 * verifier None passes a NULL handle; leaf / intermediates / hostname None pass NULL; message_cap
 * < 0 asks for no message; hostname_len >= 0 replaces len(hostname). The C entry runs with the GIL released, after ERR_clear_error(); the
 * result is (rc, verify_code, message_len, message bytes or None, chain DER list or None,
 * error queue clean afterwards). */
static PyObject *
call_verify_chain(PyObject *self, PyObject *args)
{
    PyObject *verifier, *leaf_obj, *inters_obj, *host_obj, *res = NULL, *chain_list = Py_None;
    const char *host = NULL; Py_ssize_t host_len = 0;
    int want_chain, null_code = 0, message_without_len = 0;
    Py_ssize_t message_cap, host_len_override = -1;
    const CertcoreVerifier *handle = NULL;
    X509 *leaf; STACK_OF(X509) *untrusted, *chain = NULL;
    char *message = NULL;
    size_t message_len = 0;
    int code = -12345, rc;
    unsigned long queue = 0;
    if (!PyArg_ParseTuple(args, "OOOOin|iin", &verifier, &leaf_obj, &inters_obj, &host_obj, &want_chain,
                          &message_cap, &null_code, &message_without_len, &host_len_override))
        return NULL;
    if (verifier != Py_None && (handle = CertcoreAPI->verifier_handle(verifier)) == NULL)
        return NULL;
    if (host_obj != Py_None && PyBytes_AsStringAndSize(host_obj, (char **)&host, &host_len) < 0)
        return NULL;
    if (host_len_override >= 0)
        host_len = host_len_override;
    if (message_cap >= 0 && (message = PyMem_Malloc(message_cap > 0 ? (size_t)message_cap : 1)) == NULL)
        return PyErr_NoMemory();
    if (parse_chain(leaf_obj, inters_obj, &leaf, &untrusted) < 0) {
        PyMem_Free(message);
        return NULL;
    }
    /* `verifier` stays referenced by the argument tuple for the whole call: the handle is valid */
    Py_BEGIN_ALLOW_THREADS
    ERR_clear_error();
    rc = CertcoreAPI->verify_chain(handle, leaf, untrusted, host, (size_t)host_len,
                                   null_code ? NULL : &code, want_chain ? &chain : NULL,
                                   message, message_cap > 0 ? (size_t)message_cap : 0,
                                   message_cap >= 0 && !message_without_len ? &message_len : NULL);
    queue = ERR_peek_error();
    Py_END_ALLOW_THREADS
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    if (chain != NULL) {
        if ((chain_list = chain_to_list(chain)) == NULL)
            goto done;
    } else {
        Py_INCREF(chain_list);
    }
    if (rc == CERTCORE_OK && message_cap >= 0 && !message_without_len)
        res = Py_BuildValue("iiny#NO", rc, code, (Py_ssize_t)message_len, message, (Py_ssize_t)message_len,
                            chain_list, queue == 0 ? Py_True : Py_False);
    else
        res = Py_BuildValue("iinONO", rc, code, (Py_ssize_t)message_len, Py_None, chain_list,
                            queue == 0 ? Py_True : Py_False);
done:
    PyMem_Free(message);
    return res;
}

/* verify_repeat(verifier, leaf, intermediates, hostname, n): n calls of verify_chain in one stretch
 * without the GIL (so threads calling this overlap inside certcore), each with the chain and the
 * message asked for. A list of (verify_code, message, chain length) for the calls whose answer
 * differs from the first call's, the first call's answer, and whether any call left the error
 * queue dirty. */
static PyObject *
call_verify_repeat(PyObject *self, PyObject *args)
{
    PyObject *verifier, *leaf_obj, *inters_obj, *host_obj;
    const char *host = NULL; Py_ssize_t host_len = 0, n;
    const CertcoreVerifier *handle;
    X509 *leaf; STACK_OF(X509) *untrusted;
    int first_code = 0, first_depth = -1, dirty = 0, odd = 0, odd_code = 0, failed_rc = 0;
    char first_msg[256], msg[256];
    size_t first_len = 0;
    if (!PyArg_ParseTuple(args, "OOOOn", &verifier, &leaf_obj, &inters_obj, &host_obj, &n))
        return NULL;
    if ((handle = CertcoreAPI->verifier_handle(verifier)) == NULL)
        return NULL;
    if (host_obj != Py_None && PyBytes_AsStringAndSize(host_obj, (char **)&host, &host_len) < 0)
        return NULL;
    if (parse_chain(leaf_obj, inters_obj, &leaf, &untrusted) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int code;
        size_t len;
        STACK_OF(X509) *chain = NULL;
        int rc = CertcoreAPI->verify_chain(handle, leaf, untrusted, host, (size_t)host_len, &code, &chain,
                                           msg, sizeof msg, &len);
        int depth = chain ? sk_X509_num(chain) : -1;
        if (rc != CERTCORE_OK) {
            failed_rc = rc;
            len = 0;
        }
        if (ERR_peek_error() != 0) {
            dirty = 1;
            ERR_clear_error();
        }
        if (i == 0) {
            first_code = code;
            first_depth = depth;
            first_len = len;
            memcpy(first_msg, msg, len);
        } else if (code != first_code || depth != first_depth || len != first_len
                   || memcmp(msg, first_msg, len) != 0) {
            odd++;
            odd_code = code;
        }
        sk_X509_pop_free(chain, X509_free);
    }
    Py_END_ALLOW_THREADS
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    return Py_BuildValue("iy#iiiiO", first_code, first_msg, (Py_ssize_t)first_len, first_depth, odd, odd_code,
                         failed_rc, dirty ? Py_True : Py_False);
}

/* OpenSSL's own text for a verify code, straight from the libcrypto this module links: the
 * oracle for verify_chain's message where Python's verify_message differs from it. */
static PyObject *
verify_error_string(PyObject *self, PyObject *arg)
{
    long code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred())
        return NULL;
    return PyBytes_FromString(X509_verify_cert_error_string(code));
}

static PyObject *
call_verifier_handle(PyObject *self, PyObject *verifier)
{
    if (CertcoreAPI->verifier_handle(verifier) == NULL)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
api_info(PyObject *self, PyObject *noargs)
{
    return Py_BuildValue("In", CertcoreAPI->version, (Py_ssize_t)CertcoreAPI->size);
}

static PyMethodDef methods[] = {
    {"match_x509", call_match_x509, METH_VARARGS, NULL},
    {"match_dns_pattern", call_match_dns_pattern, METH_VARARGS, NULL},
    {"cert_time_to_seconds", call_cert_time_to_seconds, METH_VARARGS, NULL},
    {"asn1_time_to_seconds", call_asn1_time_to_seconds, METH_VARARGS, NULL},
    {"der_to_pem", call_der_to_pem, METH_VARARGS, NULL},
    {"pem_to_der", call_pem_to_der, METH_VARARGS, NULL},
    {"verify_chain", call_verify_chain, METH_VARARGS, NULL},
    {"verify_repeat", call_verify_repeat, METH_VARARGS, NULL},
    {"verifier_handle", call_verifier_handle, METH_O, NULL},
    {"verify_error_string", verify_error_string, METH_O, NULL},
    {"api_info", api_info, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "capi_consumer", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_capi_consumer(void)
{
    if (certcore_import() < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    PyModule_AddIntConstant(m, "OK", CERTCORE_OK);
    PyModule_AddIntConstant(m, "MISMATCH", CERTCORE_MISMATCH);
    PyModule_AddIntConstant(m, "EINVAL", CERTCORE_EINVAL);
    PyModule_AddIntConstant(m, "EWILDCARD", CERTCORE_EWILDCARD);
    PyModule_AddIntConstant(m, "ENOSPACE", CERTCORE_ENOSPACE);
    PyModule_AddIntConstant(m, "ENOMEM", CERTCORE_ENOMEM);
    PyModule_AddIntConstant(m, "NO_CN_FALLBACK", CERTCORE_NO_CN_FALLBACK);
    PyModule_AddIntConstant(m, "HEADER_VERSION", CERTCORE_CAPI_VERSION);
    return m;
}
