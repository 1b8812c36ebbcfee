from array import array
from typing import Any, Final, Union

# Any object exporting a C-contiguous buffer is accepted (bytes, bytearray, memoryview, array, ...).
_Buffer = Union[bytes, bytearray, memoryview, "array[Any]"]

PEM_HEADER: Final[str]
PEM_FOOTER: Final[str]

def DER_cert_to_PEM_cert(der_cert_bytes: _Buffer) -> str: ...
def PEM_cert_to_DER_cert(pem_cert_string: str) -> bytes: ...
