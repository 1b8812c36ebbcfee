# Declarations from <openssl/x509.h>.
cdef extern from "openssl/x509.h" nogil:
    # Compiled-in trust store locations and the environment keys that override them.
    const char *X509_get_default_cert_file()
    const char *X509_get_default_cert_file_env()
    const char *X509_get_default_cert_dir()
    const char *X509_get_default_cert_dir_env()
