# PLACEHOLDER: replaced by the hostname work (RFC 6125 rules, CPython 3.11 semantics).
def match_hostname(cert, hostname):
    raise NotImplementedError
