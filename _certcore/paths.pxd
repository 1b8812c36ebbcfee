# OpenSSL's default verify locations at C level (see paths.pyx).

# The CA file's (is_dir false) or the CA directory's path as get_default_verify_paths() resolves
# it -- SSL_CERT_FILE / SSL_CERT_DIR first, then OpenSSL's compiled-in location, only if it is
# an existing file / directory -- as file-system bytes, or None.
cdef bytes default_location(bint is_dir)
