"""Code the tests share (pyproject's ``pythonpath = ["tests"]`` makes this package importable):

outcome      what a call did, as a comparable tuple (the one outcome() of the tests and fuzz targets)
oracle       CPython 3.11's ssl as the differential oracle, in-process or in a 3.11 subprocess
checkout     the conftests' guard: tests import a built certcore, never this checkout's bare sources
certgen      certificates of every shape, made with `cryptography`
namecorpus   certificates and host names for the name-matching tests
tlscerts     a small PKI for the TLS tests (CA, intermediate, RSA/ECDSA leaves, client cert)
tlspeers     TLS peers: a threaded stdlib server, `openssl s_server` / `s_client`
loops        one iteration of each certcore API (the leak checks, the thread tests, ci/valgrind)
concurrency  the scenarios of test_concurrency.py, run in subprocesses
scale        how many examples the hypothesis tests draw (CERTCORE_TEST_SCALE)
"""
