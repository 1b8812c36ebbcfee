"""Types for the compiled _certcore.capi module (the C API table behind include/certcore.h)."""
from typing import Any

CAPI: Any            # PyCapsule "_certcore.capi.CAPI"
CAPI_VERSION: int
