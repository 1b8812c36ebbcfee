from typing import Any, Mapping

def match_hostname(cert: Mapping[str, Any] | None, hostname: str) -> None:
    """CPython 3.7-3.11's ssl.match_hostname; raises ssl.CertificateError on a mismatch."""
    ...

CertificateError: type[Exception]
