# PLACEHOLDER: replaced by the time work.
def cert_time_to_seconds(cert_time):
    raise NotImplementedError
