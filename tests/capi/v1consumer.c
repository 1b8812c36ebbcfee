/* A consumer compiled against the version-1 header (tests/capi/v1/certcore.h, a frozen copy of
 * include/certcore.h as version 1 shipped it): binaries built then must keep importing and find
 * every version-1 entry where they expect it in a newer table. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <certcore.h>

#if CERTCORE_CAPI_VERSION != 1
#error "v1consumer.c must be built against the version-1 header"
#endif

/* (rc, seconds) from the first entry that takes no OpenSSL object, (rc, length, PEM) from the
 * last entry of the version-1 table: their offsets are the ones version 1 fixed. */
static PyObject *
cert_time_to_seconds(PyObject *self, PyObject *arg)
{
    const char *text; Py_ssize_t n;
    int64_t seconds = 0;
    int rc;
    if (PyBytes_AsStringAndSize(arg, (char **)&text, &n) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->cert_time_to_seconds(text, (size_t)n, &seconds);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("iL", rc, (long long)seconds);
}

static PyObject *
pem_to_der(PyObject *self, PyObject *arg)
{
    const char *pem; Py_ssize_t n;
    unsigned char out[4096];
    size_t out_len = 0;
    int rc;
    if (PyBytes_AsStringAndSize(arg, (char **)&pem, &n) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = CertcoreAPI->pem_to_der(pem, (size_t)n, out, sizeof out, &out_len);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("iy#", rc, (const char *)out, (Py_ssize_t)(rc == CERTCORE_OK ? out_len : 0));
}

static PyObject *
api_info(PyObject *self, PyObject *noargs)
{
    return Py_BuildValue("Ini", CertcoreAPI->version, (Py_ssize_t)CertcoreAPI->size,
                         CERTCORE_CAPI_VERSION);
}

static PyMethodDef methods[] = {
    {"cert_time_to_seconds", cert_time_to_seconds, METH_O, NULL},
    {"pem_to_der", pem_to_der, METH_O, NULL},
    {"api_info", api_info, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "capi_v1consumer", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_capi_v1consumer(void)
{
    if (certcore_import() < 0)
        return NULL;
    return PyModule_Create(&module);
}
