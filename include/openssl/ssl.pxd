# Declarations from <openssl/ssl.h> (libssl): contexts, connections, sessions, ciphers.
from openssl.crypto cimport OSSL_LIB_CTX
from openssl.x509 cimport X509, X509_NAME
from openssl.bio cimport BIO
from openssl.x509_vfy cimport X509_STORE, X509_VERIFY_PARAM, stack_st_X509
from openssl.evp cimport EVP_PKEY
from openssl.pem cimport pem_password_cb

cdef extern from "openssl/ssl.h" nogil:
    ctypedef struct SSL_METHOD:
        pass
    ctypedef struct SSL_CTX:
        pass
    ctypedef struct SSL:
        pass
    ctypedef struct SSL_SESSION:
        pass
    ctypedef struct SSL_CIPHER:
        pass
    ctypedef struct stack_st_SSL_CIPHER "struct stack_st_SSL_CIPHER":
        pass

    ctypedef int (*SSL_verify_cb)(int preverify_ok, void *x509_ctx)
    ctypedef int (*SSL_CTX_alpn_select_cb_func)(SSL *ssl, const unsigned char **out,
                                                unsigned char *outlen, const unsigned char *in_,
                                                unsigned int inlen, void *arg)
    ctypedef void (*SSL_CTX_keylog_cb_func)(const SSL *ssl, const char *line)

    const SSL_METHOD *TLS_method()
    const SSL_METHOD *TLS_client_method()
    const SSL_METHOD *TLS_server_method()

    SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
    void SSL_CTX_free(SSL_CTX *ctx)
    int SSL_CTX_up_ref(SSL_CTX *ctx)
    unsigned long SSL_CTX_get_options(const SSL_CTX *ctx)
    unsigned long SSL_CTX_set_options(SSL_CTX *ctx, unsigned long op)
    unsigned long SSL_CTX_clear_options(SSL_CTX *ctx, unsigned long op)
    long SSL_CTX_set_mode(SSL_CTX *ctx, long mode)
    long SSL_CTX_clear_mode(SSL_CTX *ctx, long mode)
    long SSL_CTX_get_mode(SSL_CTX *ctx)
    const SSL_METHOD *SSL_CTX_get_ssl_method(const SSL_CTX *ctx)
    void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb cb)
    int SSL_CTX_get_verify_mode(const SSL_CTX *ctx)
    int SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version)
    int SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version)
    int SSL_CTX_get_min_proto_version(SSL_CTX *ctx)
    int SSL_CTX_get_max_proto_version(SSL_CTX *ctx)
    X509_STORE *SSL_CTX_get_cert_store(const SSL_CTX *ctx)
    X509_VERIFY_PARAM *SSL_CTX_get0_param(SSL_CTX *ctx)
    int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *s)
    int SSL_CTX_set_ciphersuites(SSL_CTX *ctx, const char *s)
    stack_st_SSL_CIPHER *SSL_CTX_get_ciphers(const SSL_CTX *ctx)
    int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file)
    int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type)
    int SSL_CTX_check_private_key(const SSL_CTX *ctx)
    void SSL_CTX_set_default_passwd_cb(SSL_CTX *ctx, pem_password_cb cb)
    void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX *ctx, void *u)
    int SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *CAfile, const char *CApath)
    int SSL_CTX_set_default_verify_paths(SSL_CTX *ctx)
    # Takes ownership of dhpkey on success only.
    int SSL_CTX_set0_tmp_dh_pkey(SSL_CTX *ctx, EVP_PKEY *dhpkey)
    int SSL_CTX_set_alpn_protos(SSL_CTX *ctx, const unsigned char *protos, unsigned int protos_len)
    void SSL_CTX_set_alpn_select_cb(SSL_CTX *ctx, SSL_CTX_alpn_select_cb_func cb, void *arg)
    int SSL_select_next_proto(unsigned char **out, unsigned char *outlen,
                              const unsigned char *server, unsigned int server_len,
                              const unsigned char *client, unsigned int client_len)
    long SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode)
    long SSL_CTX_sess_number(SSL_CTX *ctx)
    long SSL_CTX_sess_connect(SSL_CTX *ctx)
    long SSL_CTX_sess_connect_good(SSL_CTX *ctx)
    long SSL_CTX_sess_connect_renegotiate(SSL_CTX *ctx)
    long SSL_CTX_sess_accept(SSL_CTX *ctx)
    long SSL_CTX_sess_accept_good(SSL_CTX *ctx)
    long SSL_CTX_sess_accept_renegotiate(SSL_CTX *ctx)
    long SSL_CTX_sess_hits(SSL_CTX *ctx)
    long SSL_CTX_sess_misses(SSL_CTX *ctx)
    long SSL_CTX_sess_timeouts(SSL_CTX *ctx)
    long SSL_CTX_sess_cache_full(SSL_CTX *ctx)
    void SSL_CTX_set_keylog_callback(SSL_CTX *ctx, SSL_CTX_keylog_cb_func cb)
    int SSL_CTX_set_ex_data(SSL_CTX *ctx, int idx, void *data)
    void *SSL_CTX_get_ex_data(const SSL_CTX *ctx, int idx)
    void SSL_CTX_set_post_handshake_auth(SSL_CTX *ctx, int val)
    int SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t num_tickets)
    size_t SSL_CTX_get_num_tickets(const SSL_CTX *ctx)
    long SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *))
    long SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg)
    int SSL_CTX_set1_groups(SSL_CTX *ctx, int *glist, int glistlen)
    int SSL_CTX_set_security_level(SSL_CTX *ctx, int level)
    int SSL_CTX_get_security_level(const SSL_CTX *ctx)
    long SSL_CTX_set_dh_auto(SSL_CTX *ctx, int onoff)
    int SSL_CTX_set_session_id_context(SSL_CTX *ctx, const unsigned char *sid_ctx, unsigned int sid_ctx_len)

    SSL *SSL_new(SSL_CTX *ctx)
    void SSL_free(SSL *ssl)
    SSL_CTX *SSL_get_SSL_CTX(const SSL *ssl)
    # Pre-shared keys (TLS 1.2 PSK suites, and TLS 1.3 through the same callbacks).
    void SSL_CTX_set_psk_client_callback(
        SSL_CTX *ctx,
        unsigned int (*cb)(SSL *ssl, const char *hint, char *identity, unsigned int max_identity_len,
                           unsigned char *psk, unsigned int max_psk_len) noexcept)
    void SSL_CTX_set_psk_server_callback(
        SSL_CTX *ctx,
        unsigned int (*cb)(SSL *ssl, const char *identity, unsigned char *psk,
                           unsigned int max_psk_len) noexcept)
    int SSL_CTX_use_psk_identity_hint(SSL_CTX *ctx, const char *identity_hint)
    # The protocol-message trace hook (every record header, handshake message and alert).
    void SSL_CTX_set_msg_callback(
        SSL_CTX *ctx,
        void (*cb)(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                   void *arg) noexcept)
    enum:
        SSL3_RT_CHANGE_CIPHER_SPEC
        SSL3_RT_ALERT
        SSL3_RT_HANDSHAKE
        SSL3_RT_HEADER
        SSL3_RT_INNER_CONTENT_TYPE
        SSL3_MT_CHANGE_CIPHER_SPEC
    SSL_CTX *SSL_set_SSL_CTX(SSL *ssl, SSL_CTX *ctx)
    int SSL_set_fd(SSL *ssl, int fd)
    void SSL_set_bio(SSL *ssl, BIO *rbio, BIO *wbio)
    void SSL_set_connect_state(SSL *ssl)
    void SSL_set_accept_state(SSL *ssl)
    int SSL_is_server(const SSL *ssl)
    int SSL_do_handshake(SSL *ssl)
    int SSL_is_init_finished(const SSL *ssl)
    int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes)
    int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written)
    int SSL_shutdown(SSL *ssl)
    int SSL_get_shutdown(const SSL *ssl)
    void SSL_set_shutdown(SSL *ssl, int mode)
    int SSL_pending(const SSL *ssl)
    int SSL_get_error(const SSL *ssl, int ret)
    long SSL_get_verify_result(const SSL *ssl)
    void SSL_set_verify(SSL *ssl, int mode, SSL_verify_cb cb)
    long SSL_set_mode(SSL *ssl, long mode)
    long SSL_clear_mode(SSL *ssl, long mode)
    long SSL_get_mode(SSL *ssl)
    X509_VERIFY_PARAM *SSL_get0_param(SSL *ssl)
    int SSL_set1_host(SSL *s, const char *hostname)
    void SSL_set_hostflags(SSL *s, unsigned int flags)
    long SSL_set_tlsext_host_name(SSL *s, const char *name)
    const char *SSL_get_servername(const SSL *s, const int type)
    X509 *SSL_get1_peer_certificate(const SSL *s)
    stack_st_X509 *SSL_get_peer_cert_chain(const SSL *s)
    stack_st_X509 *SSL_get0_verified_chain(const SSL *s)
    const SSL_CIPHER *SSL_get_current_cipher(const SSL *s)
    stack_st_SSL_CIPHER *SSL_get_ciphers(const SSL *s)
    stack_st_SSL_CIPHER *SSL_get_client_ciphers(const SSL *s)
    const char *SSL_get_version(const SSL *s)
    int SSL_version(const SSL *s)
    void SSL_get0_alpn_selected(const SSL *ssl, const unsigned char **data, unsigned int *len)
    size_t SSL_get_finished(const SSL *s, void *buf, size_t count)
    size_t SSL_get_peer_finished(const SSL *s, void *buf, size_t count)
    int SSL_session_reused(const SSL *s)
    SSL_SESSION *SSL_get_session(const SSL *s)
    SSL_SESSION *SSL_get1_session(SSL *ssl)
    int SSL_set_session(SSL *to, SSL_SESSION *session)
    int SSL_verify_client_post_handshake(SSL *s)
    void SSL_set_post_handshake_auth(SSL *s, int val)
    int SSL_set_ex_data(SSL *ssl, int idx, void *data)
    void *SSL_get_ex_data(const SSL *ssl, int idx)
    const void *SSL_get_current_compression(const SSL *s)
    int SSL_has_pending(const SSL *s)
    int SSL_get_rfd(const SSL *s)

    const char *SSL_CIPHER_get_name(const SSL_CIPHER *c)
    const char *SSL_CIPHER_standard_name(const SSL_CIPHER *c)
    const char *SSL_CIPHER_get_version(const SSL_CIPHER *c)
    int SSL_CIPHER_get_bits(const SSL_CIPHER *c, int *alg_bits)
    unsigned long SSL_CIPHER_get_id(const SSL_CIPHER *c)
    char *SSL_CIPHER_description(const SSL_CIPHER *c, char *buf, int size)
    int SSL_CIPHER_get_kx_nid(const SSL_CIPHER *c)
    int SSL_CIPHER_get_auth_nid(const SSL_CIPHER *c)
    int SSL_CIPHER_get_cipher_nid(const SSL_CIPHER *c)
    int SSL_CIPHER_get_digest_nid(const SSL_CIPHER *c)
    int SSL_CIPHER_is_aead(const SSL_CIPHER *c)
    int sk_SSL_CIPHER_num(const stack_st_SSL_CIPHER *sk)
    const SSL_CIPHER *sk_SSL_CIPHER_value(const stack_st_SSL_CIPHER *sk, int idx)
    int sk_SSL_CIPHER_find(stack_st_SSL_CIPHER *sk, const SSL_CIPHER *c)
    const char *SSL_COMP_get_name(const void *comp)
    void SSL_set_app_data(SSL *s, void *arg)
    void *SSL_get_app_data(const SSL *s)
    int SSL_get_verify_mode(const SSL *s)
    void SSL_set_read_ahead(SSL *s, int yes)
    SSL_SESSION *SSL_get0_session(const SSL *s)
    int i2d_SSL_SESSION(SSL_SESSION *sess, unsigned char **pp)

    void SSL_SESSION_free(SSL_SESSION *ses)
    int SSL_SESSION_up_ref(SSL_SESSION *ses)
    SSL_SESSION *SSL_SESSION_dup(const SSL_SESSION *src)
    const unsigned char *SSL_SESSION_get_id(const SSL_SESSION *s, unsigned int *len)
    long SSL_SESSION_get_time(const SSL_SESSION *s)
    long SSL_SESSION_get_timeout(const SSL_SESSION *s)
    int SSL_SESSION_has_ticket(const SSL_SESSION *s)
    unsigned long SSL_SESSION_get_ticket_lifetime_hint(const SSL_SESSION *s)
    int SSL_SESSION_is_resumable(const SSL_SESSION *s)

    int SSL_get_ex_data_X509_STORE_CTX_idx()

    enum:
        SSL_ERROR_NONE
        SSL_ERROR_SSL
        SSL_ERROR_WANT_READ
        SSL_ERROR_WANT_WRITE
        SSL_ERROR_WANT_X509_LOOKUP
        SSL_ERROR_SYSCALL
        SSL_ERROR_ZERO_RETURN
        SSL_ERROR_WANT_CONNECT
        SSL_ERROR_WANT_ACCEPT
        SSL_VERIFY_NONE
        SSL_VERIFY_PEER
        SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        SSL_VERIFY_POST_HANDSHAKE
        SSL_FILETYPE_PEM
        SSL_MODE_ENABLE_PARTIAL_WRITE
        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
        SSL_MODE_AUTO_RETRY
        SSL_MODE_RELEASE_BUFFERS
        SSL_SENT_SHUTDOWN
        SSL_RECEIVED_SHUTDOWN
        SSL_SESS_CACHE_CLIENT
        SSL_SESS_CACHE_SERVER
        SSL_SESS_CACHE_BOTH
        SSL_SESS_CACHE_OFF
        TLSEXT_NAMETYPE_host_name
        SSL_TLSEXT_ERR_OK
        SSL_TLSEXT_ERR_ALERT_FATAL
        SSL_TLSEXT_ERR_NOACK
        SSL_AD_INTERNAL_ERROR
        SSL_AD_HANDSHAKE_FAILURE
        SSL_R_CERTIFICATE_VERIFY_FAILED
        SSL_R_UNEXPECTED_EOF_WHILE_READING
        OPENSSL_NPN_NEGOTIATED
        TLS1_VERSION
        TLS1_1_VERSION
        TLS1_2_VERSION
        TLS1_3_VERSION
        SSL3_VERSION
        SSL_OP_NO_SSLv2
        SSL_OP_NO_SSLv3
        SSL_OP_NO_TLSv1
        SSL_OP_NO_TLSv1_1
        SSL_OP_NO_TLSv1_2
        SSL_OP_NO_TLSv1_3
        SSL_OP_NO_COMPRESSION
        SSL_OP_CIPHER_SERVER_PREFERENCE
        SSL_OP_SINGLE_DH_USE
        SSL_OP_SINGLE_ECDH_USE
        SSL_OP_ALL
        SSL_OP_NO_TICKET
        SSL_OP_NO_RENEGOTIATION
        SSL_OP_ENABLE_MIDDLEBOX_COMPAT
        SSL_OP_IGNORE_UNEXPECTED_EOF
        SSL_OP_LEGACY_SERVER_CONNECT
        SSL_OP_NO_DTLSv1

# The constants behind the ssl module's OP_ALL, OP_ENABLE_KTLS and ALERT_DESCRIPTION_* names
# (read by _certcore.constants).
cdef extern from "openssl/ssl.h" nogil:
    enum:
        SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
        SSL_OP_ENABLE_KTLS
        SSL_AD_CLOSE_NOTIFY
        SSL_AD_UNEXPECTED_MESSAGE
        SSL_AD_BAD_RECORD_MAC
        SSL_AD_RECORD_OVERFLOW
        SSL_AD_DECOMPRESSION_FAILURE
        SSL_AD_BAD_CERTIFICATE
        SSL_AD_UNSUPPORTED_CERTIFICATE
        SSL_AD_CERTIFICATE_REVOKED
        SSL_AD_CERTIFICATE_EXPIRED
        SSL_AD_CERTIFICATE_UNKNOWN
        SSL_AD_ILLEGAL_PARAMETER
        SSL_AD_UNKNOWN_CA
        SSL_AD_ACCESS_DENIED
        SSL_AD_DECODE_ERROR
        SSL_AD_DECRYPT_ERROR
        SSL_AD_PROTOCOL_VERSION
        SSL_AD_INSUFFICIENT_SECURITY
        SSL_AD_USER_CANCELLED
        SSL_AD_NO_RENEGOTIATION
        SSL_AD_UNSUPPORTED_EXTENSION
        SSL_AD_CERTIFICATE_UNOBTAINABLE
        SSL_AD_UNRECOGNIZED_NAME
        SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE
        SSL_AD_BAD_CERTIFICATE_HASH_VALUE
        SSL_AD_UNKNOWN_PSK_IDENTITY

# Sharing trust stores between contexts (context.pyx).
cdef extern from "openssl/ssl.h" nogil:
    void SSL_CTX_set_cert_store(SSL_CTX *ctx, X509_STORE *store)
    void SSL_CTX_set1_cert_store(SSL_CTX *ctx, X509_STORE *store)
