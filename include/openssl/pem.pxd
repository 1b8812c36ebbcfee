# Declarations from <openssl/pem.h>: reading PEM blocks.
from openssl.bio cimport BIO

cdef extern from "openssl/pem.h" nogil:
    int PEM_read_bio(BIO *bp, char **name, char **header, unsigned char **data, long *len)
