from ssl import (
    CertificateError as CertificateError,
    SSLCertVerificationError as SSLCertVerificationError,
    SSLEOFError as SSLEOFError,
    SSLError as SSLError,
    SSLSyscallError as SSLSyscallError,
    SSLWantReadError as SSLWantReadError,
    SSLWantWriteError as SSLWantWriteError,
    SSLZeroReturnError as SSLZeroReturnError,
)
