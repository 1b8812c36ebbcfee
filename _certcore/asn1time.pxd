# Certificate time strings and civil-date arithmetic, shared at C level (see asn1time.pyx).

from libc.time cimport tm, time_t
from openssl.asn1 cimport ASN1_TIME

# Return codes of parse_cert_time_ascii.
cdef enum:
    CT_OK = 0
    CT_BAD_MONTH = -1       # first three characters are not a month name
    CT_NO_MATCH = -2        # the rest does not match " %d %H:%M:%S %Y GMT"
    CT_UNCONVERTED = -3     # matched, but text follows; *out = its offset in s
    CT_YEAR_ZERO = -4       # year 0000

# Seconds since 1970-01-01T00:00:00Z, as calendar.timegm computes them: proleptic Gregorian,
# day/hour/minute/second not range-checked (Feb 30 = Mar 1, second 60 rolls over); month is
# normalized into 1..12 by carrying into the year.
cdef long long civil_to_seconds(long long year, int month, int day, int hour, int minute,
                                int second) noexcept nogil

# Parse a whole "%b %d %H:%M:%S %Y GMT" string (bytes, read as Latin-1) exactly as CPython 3.11's
# ssl.cert_time_to_seconds does. 0 and *out = seconds, or a negative CT_* code.
cdef int parse_cert_time_ascii(const char *s, Py_ssize_t n, long long *out) noexcept nogil

# X509_cmp_time(ctm, &t) of OpenSSL 3.0 (-1: ctm <= t, 1: later, 0: malformed) against *now, the
# broken-down t from cert_time_now, without building an ASN1_TIME (and a glibc gmtime_r, which
# takes a process-wide lock) per comparison. cert_time_now is False where the caller must call
# X509_cmp_time itself.
cdef bint cert_time_now(time_t t, tm *out) noexcept nogil
cdef int cmp_cert_time(const ASN1_TIME *ctm, const tm *now) noexcept nogil
