# Declarations from <openssl/rand.h> (libcrypto): the process-wide random generator.
cdef extern from "openssl/rand.h" nogil:
    int RAND_bytes(unsigned char *buf, int num)
    int RAND_status()
    void RAND_add(const void *buf, int num, double randomness)
