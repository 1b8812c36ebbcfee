from typing import Any, Mapping, Union

from _certcore.x509 import Certificate

def match_hostname(cert: Union[Mapping[str, Any], Certificate, None], hostname: str) -> None:
    """CPython 3.7-3.11's ssl.match_hostname; raises ssl.CertificateError on a mismatch.

    ``cert`` is a getpeercert() dict or a certcore.Certificate (checked with its decoded dict).
    """
    ...

CertificateError: type[Exception]
