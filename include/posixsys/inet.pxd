# Declarations from <arpa/inet.h> and <sys/socket.h>: the libc address parsers CPython's socket
# module calls (socket.inet_aton -> inet_aton, socket.inet_pton -> inet_pton). certcore parses the
# common address forms itself and hands every other spelling to these same functions, so its IP
# acceptance stays the stdlib's on this platform (tests compare it with ssl._inet_paton).
cdef extern from "arpa/inet.h" nogil:
    struct in_addr:
        unsigned int s_addr
    int inet_aton(const char *cp, in_addr *inp)
    int inet_pton(int af, const char *src, void *dst)
    # the RFC 5952 / dotted-quad text of an address (the strict policy compares a SAN iPAddress
    # with a commonName in that form)
    const char *inet_ntop(int af, const void *src, char *dst, unsigned int size)

cdef extern from "sys/socket.h" nogil:
    enum:
        AF_INET
        AF_INET6
