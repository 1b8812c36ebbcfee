/* A small C extension that uses certcore only through its C API (include/certcore.h). The
 * tests build it against certcore.get_include() and call every entry of the table, each one
 * with the GIL released. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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
    PyModule_AddIntConstant(m, "NO_CN_FALLBACK", CERTCORE_NO_CN_FALLBACK);
    PyModule_AddIntConstant(m, "HEADER_VERSION", CERTCORE_CAPI_VERSION);
    return m;
}
