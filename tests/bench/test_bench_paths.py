import ssl

import certcore


def test_get_default_verify_paths(compare):
    compare("get_default_verify_paths", certcore.get_default_verify_paths, ssl.get_default_verify_paths, (), target=3)
