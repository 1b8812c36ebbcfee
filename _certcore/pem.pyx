# PLACEHOLDER: replaced by the PEM/DER work.
PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"
def DER_cert_to_PEM_cert(der_cert_bytes):
    raise NotImplementedError
def PEM_cert_to_DER_cert(pem_cert_string):
    raise NotImplementedError
