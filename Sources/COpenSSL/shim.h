#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Macros that do not import into Swift. */
static inline long callcoach_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
static inline long callcoach_ssl_set_tlsext_host_name(SSL *ssl, const char *name)
{
    return SSL_set_tlsext_host_name(ssl, name);
}
