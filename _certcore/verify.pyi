"""Types for the compiled _certcore.verify module."""
import datetime
import ssl
from typing import Iterable, List, Literal, Optional, Sequence, Tuple, Union

from _certcore.truststore import TrustStore
from _certcore.x509 import Certificate

_Item = Union[Certificate, Tuple[Certificate, Sequence[Certificate], Optional[str]]]

class Verifier:
    """Verifies certificate chains against a TrustStore with the verdicts, codes and messages of a
    ``create_default_context()`` handshake (``crl="leaf"``/``"chain"`` add VERIFY_CRL_CHECK_LEAF/CHAIN)."""

    purpose: str
    strict: bool
    def __init__(
        self,
        trust: TrustStore,
        *,
        purpose: Literal["server", "client"] = "server",
        at: Union[None, int, datetime.datetime] = None,
        max_depth: Optional[int] = None,
        strict: bool = False,
        crl: Optional[Literal["leaf", "chain"]] = None,
    ) -> None: ...
    def verify(
        self, leaf: Certificate, intermediates: Iterable[Certificate] = (), hostname: Optional[str] = None
    ) -> List[Certificate]:
        """The verified chain, leaf first, ending at the trust anchor; raises
        ssl.SSLCertVerificationError as a handshake would."""
    def verify_many(self, items: Iterable[_Item]) -> List[Union[List[Certificate], ssl.SSLCertVerificationError]]:
        """Verify every item with the GIL released; each result is the chain or the (unraised) error."""
