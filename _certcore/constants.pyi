from typing import Dict, Tuple

HAS_SNI: bool
HAS_ALPN: bool
HAS_ECDH: bool
HAS_NPN: bool
HAS_SSLv2: bool
HAS_SSLv3: bool
HAS_TLSv1: bool
HAS_TLSv1_1: bool
HAS_TLSv1_2: bool
HAS_TLSv1_3: bool
HAS_NEVER_CHECK_COMMON_NAME: bool
HAS_PSK: bool
OPENSSL_API_VERSION: Tuple[int, int, int, int, int]
OPENSSL_VALUES: Dict[str, int]
TLS_VERSIONS: Dict[str, int]
