import os
from typing import Iterable, Iterator, Optional, Union

from _certcore.x509 import Certificate

_Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

class TrustStore:
    """An immutable set of trust anchors (one OpenSSL X509_STORE) that contexts and verifiers share.

    Sources (at least one): ``certificates`` (``certcore.Certificate`` objects), ``cafile`` (a PEM
    file; its CRLs too), ``capath`` (a hashed directory, read lazily by OpenSSL during
    verification) and ``cadata`` (str PEM or bytes-like DER, as ``SSLContext.load_verify_locations``,
    with the same errors). Safe to share between threads. Equality is identity.
    """

    def __init__(
        self,
        certificates: Iterable[Certificate] = (),
        *,
        cafile: Optional[_Path] = None,
        capath: Optional[_Path] = None,
        cadata: Optional[Union[str, bytes, bytearray, memoryview]] = None,
    ) -> None: ...
    @classmethod
    def system(cls) -> "TrustStore":
        """The process-wide system store: exactly what ``SSLContext.set_default_verify_paths()``
        loads (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured); rebuilt when the default CA file or
        directory changes on disk (size, mtime, inode), else the same object."""
    def __len__(self) -> int:
        """Certificates held, plus the certificate files of a hashed directory (counted by name,
        not loaded)."""
    def __iter__(self) -> Iterator[Certificate]:
        """The certificates the store holds now (a hashed directory's only once OpenSSL looked
        them up)."""
    @property
    def crls(self) -> int:
        """How many CRLs the store holds."""

def _anchor_keys_made(store: TrustStore) -> bool: ...
def _anchor_key(store: TrustStore, cert: Certificate) -> Optional[bytes]: ...
