/*
 * test_sha256.c - SHA-256 against the NIST example vectors (FIPS 180-4 /
 * the SHA-256 examples of the NIST cryptographic standards guidelines).
 * The digest is libcrypto's: these check that himama feeds it right (pieces
 * of every size, padding boundaries) and that an abandoned digest is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "himama/sha256.h"

static void digest(const void *data, size_t n, char out[65])
{
    hm_sha256 c;
    hm_sha256_init(&c);
    hm_sha256_update(&c, data, n);
    hm_sha256_final_hex(&c, out);
}

static void test_sha256_empty(void **state)
{
    (void)state;
    char out[65];
    digest("", 0, out);
    assert_string_equal(out,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_abc(void **state)
{
    (void)state;
    char out[65];
    digest("abc", 3, out);
    assert_string_equal(out,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static const char msg448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char want448[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

static void test_sha256_448_bits(void **state)
{
    (void)state;
    char out[65];
    assert_int_equal(strlen(msg448), 56);
    digest(msg448, 56, out);
    assert_string_equal(out, want448);
}

static void test_sha256_896_bits(void **state)
{
    (void)state;
    static const char m[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
        "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char out[65];
    digest(m, strlen(m), out);
    assert_string_equal(out,
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a(void **state)
{
    (void)state;
    char out[65];
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    digest(a, n, out);
    assert_string_equal(out,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* The same million in pieces of 7 bytes. */
    hm_sha256 c;
    hm_sha256_init(&c);
    size_t i = 0;
    for (; i + 7 <= n; i += 7)
        hm_sha256_update(&c, a + i, 7);
    hm_sha256_update(&c, a + i, n - i);
    hm_sha256_final_hex(&c, out);
    assert_string_equal(out,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Every split of the 448-bit message into pieces of sizes 1, 3, 5, ... 63. */
static void test_sha256_chunked_odd_sizes(void **state)
{
    (void)state;
    char out[65];
    for (size_t step = 1; step < 64; step += 2) {
        hm_sha256 c;
        hm_sha256_init(&c);
        for (size_t i = 0; i < 56; i += step)
            hm_sha256_update(&c, msg448 + i, 56 - i < step ? 56 - i : step);
        hm_sha256_final_hex(&c, out);
        assert_string_equal(out, want448);
    }
}

/* Lengths around the padding boundary (55, 56, 63, 64, 65 bytes), whole
 * against byte by byte. */
static void test_sha256_padding_boundaries(void **state)
{
    (void)state;
    static const size_t lens[] = { 55, 56, 57, 63, 64, 65, 119, 120, 128 };
    unsigned char buf[128];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char whole[65], bytes[65];
        digest(buf, lens[k], whole);
        hm_sha256 c;
        hm_sha256_init(&c);
        for (size_t i = 0; i < lens[k]; i++)
            hm_sha256_update(&c, buf + i, 1);
        hm_sha256_final_hex(&c, bytes);
        assert_string_equal(whole, bytes);
    }
    char out[65];
    memset(buf, 'a', 64);
    digest(buf, 64, out);
    assert_string_equal(out,
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

/* A small fixed-seed generator, so a failure can be replayed. */
static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Digest of data[0..n) fed in pieces of random sizes (0 to 150 bytes, so
 * whole blocks, split blocks and empty pieces all occur). */
static void digest_random_pieces(const unsigned char *data, size_t n, char out[65])
{
    hm_sha256 c;
    hm_sha256_init(&c);
    size_t i = 0;
    while (i < n) {
        size_t take = rng() % 151;
        if (take > n - i)
            take = n - i;
        hm_sha256_update(&c, data + i, take);
        i += take;
    }
    hm_sha256_final_hex(&c, out);
}

/* Random data of every length 0..1000, at varying (also unaligned) offsets,
 * in random pieces: the same digest as in one piece. */
static void test_sha256_pieces_agree(void **state)
{
    (void)state;
    enum { MAXLEN = 1000 };
    unsigned char *buf = malloc(MAXLEN + 16);
    assert_non_null(buf);
    for (size_t i = 0; i < MAXLEN + 16; i++)
        buf[i] = (unsigned char)rng();
    for (size_t len = 0; len <= MAXLEN; len++) {
        const unsigned char *data = buf + len % 16;
        char whole[65], pieces[65];
        digest(data, len, whole);
        digest_random_pieces(data, len, pieces);
        if (strcmp(whole, pieces) != 0)
            fail_msg("length %zu: %s (whole) != %s (pieces)", len, whole, pieces);
    }
    free(buf);
}

/* A digest abandoned half way is released (valgrind's leak check fails
 * this test otherwise), and a release after final is harmless. */
static void test_sha256_release(void **state)
{
    (void)state;
    hm_sha256 c;
    hm_sha256_init(&c);
    hm_sha256_update(&c, "abc", 3);
    hm_sha256_release(&c);
    assert_null(c.ctx);
    char out[65];
    hm_sha256_init(&c);
    hm_sha256_final_hex(&c, out);
    hm_sha256_release(&c);
    assert_string_equal(out,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_empty),
        cmocka_unit_test(test_sha256_abc),
        cmocka_unit_test(test_sha256_448_bits),
        cmocka_unit_test(test_sha256_896_bits),
        cmocka_unit_test(test_sha256_million_a),
        cmocka_unit_test(test_sha256_chunked_odd_sizes),
        cmocka_unit_test(test_sha256_padding_boundaries),
        cmocka_unit_test(test_sha256_pieces_agree),
        cmocka_unit_test(test_sha256_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
