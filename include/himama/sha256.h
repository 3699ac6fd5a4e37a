/*
 * sha256.h - SHA-256 (FIPS 180-4), streaming.
 */
#ifndef HIMAMA_SHA256_H
#define HIMAMA_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hm_sha256 {
    uint32_t h[8];
    uint64_t nbytes;
    unsigned char block[64];
    size_t nblock;
} hm_sha256;

/* Start a new digest in caller-owned c (nothing to free afterwards). */
void hm_sha256_init(hm_sha256 *c);
/* Add n bytes of data; pieces may have any size, including 0. */
void hm_sha256_update(hm_sha256 *c, const void *data, size_t n);
/* Finish and write the digest as 64 lowercase hex digits and a NUL.
 * c must be initialised again before it is reused. */
void hm_sha256_final_hex(hm_sha256 *c, char out[65]);

/* For tests: with on, every digest from now on is computed by the portable
 * C code even where the CPU has SHA instructions the library would use (off
 * again restores the choice).  Returns true when such an accelerated path
 * exists on this machine, i.e. when the two settings differ. */
bool hm_sha256_force_portable(bool on);

#endif
