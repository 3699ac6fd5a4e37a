/*
 * sha256.h - SHA-256 (FIPS 180-4), streaming, computed by libcrypto.
 *
 * Ownership: hm_sha256_init allocates the digest's state; hm_sha256_final_hex
 * frees it, and hm_sha256_release frees it when the digest is abandoned
 * (safe to call after final, or twice).
 */
#ifndef HIMAMA_SHA256_H
#define HIMAMA_SHA256_H

#include <stddef.h>

typedef struct hm_sha256 {
    void *ctx;   /* an EVP_MD_CTX */
} hm_sha256;

/* Start a new digest in c. */
void hm_sha256_init(hm_sha256 *c);
/* Add n bytes of data; pieces may have any size, including 0. */
void hm_sha256_update(hm_sha256 *c, const void *data, size_t n);
/* Finish, write the digest as 64 lowercase hex digits and a NUL, and free
 * c's state; c must be initialised again before it is reused. */
void hm_sha256_final_hex(hm_sha256 *c, char out[65]);
/* Free c's state without a digest. */
void hm_sha256_release(hm_sha256 *c);

#endif
