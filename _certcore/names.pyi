"""_certcore.names has no Python-level names: its functions are cimported by _certcore.x509 and
_certcore.capi (see names.pxd)."""
