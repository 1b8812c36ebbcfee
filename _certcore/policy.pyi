from typing import Iterable, Optional, Tuple

from _certcore.x509 import Certificate

# Test hook: the strict verification policy over a chain (leaf first, trust anchor last).
def _check_chain(certs: Iterable[Certificate]) -> Optional[Tuple[int, int, str]]: ...
