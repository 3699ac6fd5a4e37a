/*
 * test_strset.c - the string set (pipeline/core/strset.c): every key added
 * is found again with its value, through the table's growth; keys that
 * differ only in their last byte, in length, or by bytes such as '\0' and
 * '\x1f' stay apart; absent keys are not found; values of each width keep
 * their bits; long keys (a length of several bytes) are kept whole; an add
 * past the arena's limit fails and changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/strset.h"

/* Key i: an ID and a month as ingest builds them, "V%07zu\x1fYYYY-MM". */
static size_t key_of(size_t i, char *buf)
{
    int n = snprintf(buf, 32, "V%07zu\x1f%04zu-%02zu", i / 12, 2024 + i % 12 / 6, i % 12 + 1);
    return (size_t)n;
}

static void test_strset_many(void **state)
{
    (void)state;
    hm_strset s;
    hm_strset_init_val(&s, 8);
    char k[32];
    const size_t n = 200000;
    for (size_t i = 0; i < n; i++) {
        size_t len = key_of(i, k);
        assert_int_equal(hm_strset_add(&s, k, len, (int64_t)i * 3), (long)i);
    }
    assert_int_equal(s.n, n);
    assert_true(s.n <= s.nslots / 4 * 3);
    for (size_t i = 0; i < n; i++) {
        size_t len = key_of(i, k);
        long e = hm_strset_find(&s, k, len);
        assert_int_equal(e, (long)i);
        assert_int_equal(hm_strset_val(&s, (size_t)e), (int64_t)i * 3);
        /* Adding again finds it and keeps the first value. */
        assert_int_equal(hm_strset_add(&s, k, len, -1), (long)i);
        assert_int_equal(hm_strset_val(&s, (size_t)e), (int64_t)i * 3);
        /* A shorter or longer key is another key. */
        assert_int_equal(hm_strset_find(&s, k, len - 1), -1);
        size_t kl;
        assert_memory_equal(hm_strset_key(&s, (size_t)e, &kl), k, len + 1);
        assert_int_equal(kl, len);
    }
    for (size_t i = n; i < n + 1000; i++) {
        size_t len = key_of(i, k);
        assert_int_equal(hm_strset_find(&s, k, len), -1);
    }
    hm_strset_set_val(&s, 7, INT64_MIN);
    assert_int_equal(hm_strset_val(&s, 7), INT64_MIN);
    assert_int_equal(hm_strset_val(&s, 8), 24);
    hm_strset_release(&s);
    assert_int_equal(hm_strset_find(&s, "x", 1), -1);
    /* Released, it is an empty set of the same kind. */
    assert_int_equal(hm_strset_add(&s, "x", 1, -5), 0);
    assert_int_equal(hm_strset_val(&s, 0), -5);
    hm_strset_release(&s);
}

static void test_strset_values(void **state)
{
    (void)state;
    hm_strset none, four;
    hm_strset_init(&none);
    hm_strset_init_val(&four, 4);
    for (uint32_t i = 0; i < 5000; i++) {
        char k[16];
        size_t len = (size_t)snprintf(k, sizeof k, "%u", i);
        uint32_t v = i ? UINT32_MAX - i : 0;
        assert_int_equal(hm_strset_add(&none, k, len, 0), (long)i);
        assert_int_equal(hm_strset_add(&four, k, len, v), (long)i);
    }
    for (uint32_t i = 0; i < 5000; i++) {
        char k[16];
        size_t len = (size_t)snprintf(k, sizeof k, "%u", i);
        assert_int_equal(hm_strset_val(&none, (size_t)hm_strset_find(&none, k, len)), 0);
        assert_int_equal(hm_strset_val(&four, (size_t)hm_strset_find(&four, k, len)),
                         i ? (int64_t)UINT32_MAX - i : 0);
    }
    hm_strset_set_val(&four, 3, UINT32_MAX);
    assert_int_equal(hm_strset_val(&four, 3), (int64_t)UINT32_MAX);
    assert_int_equal(hm_strset_val(&four, 4), (int64_t)UINT32_MAX - 4);
    hm_strset_release(&none);
    hm_strset_release(&four);
}

static void test_strset_bytes(void **state)
{
    (void)state;
    hm_strset s;
    hm_strset_init_val(&s, 8);
    assert_int_equal(hm_strset_find(&s, "", 0), -1);
    long a = hm_strset_add(&s, "", 0, 1);
    long b = hm_strset_add(&s, "a\0b", 3, 2);
    long c = hm_strset_add(&s, "a\0c", 3, 3);
    long d = hm_strset_add(&s, "a\x1f" "b", 3, 4);
    long e = hm_strset_add(&s, "a", 1, 5);
    assert_int_equal(s.n, 5);
    assert_int_equal(hm_strset_find(&s, "", 0), a);
    assert_int_equal(hm_strset_find(&s, "a\0b", 3), b);
    assert_int_equal(hm_strset_find(&s, "a\0c", 3), c);
    assert_int_equal(hm_strset_find(&s, "a\x1f" "b", 3), d);
    assert_int_equal(hm_strset_find(&s, "a", 1), e);
    assert_int_equal(hm_strset_find(&s, "a\0", 2), -1);
    size_t len;
    assert_memory_equal(hm_strset_key(&s, (size_t)c, &len), "a\0c", 4);   /* a '\0' after */
    assert_int_equal(len, 3);
    assert_string_equal(hm_strset_key(&s, (size_t)a, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(hm_strset_val(&s, (size_t)c), 3);
    hm_strset_release(&s);
}

/* Keys whose length takes one, two and three bytes, and keys that share
 * all but their last byte. */
static void test_strset_long_keys(void **state)
{
    (void)state;
    static const size_t lens[] = { 127, 128, 129, 16383, 16384, 70000 };
    const size_t nl = sizeof lens / sizeof lens[0];
    char *k = malloc(70001);
    hm_strset s;
    hm_strset_init_val(&s, 4);
    memset(k, 'x', 70001);
    for (size_t i = 0; i < nl; i++) {
        k[lens[i] - 1] = 'y';
        assert_int_equal(hm_strset_add(&s, k, lens[i], (int64_t)lens[i]), (long)i);
        k[lens[i] - 1] = 'x';
    }
    for (size_t i = 0; i < nl; i++) {
        k[lens[i] - 1] = 'y';
        long e = hm_strset_find(&s, k, lens[i]);
        assert_int_equal(e, (long)i);
        assert_int_equal(hm_strset_val(&s, (size_t)e), (int64_t)lens[i]);
        size_t len;
        assert_memory_equal(hm_strset_key(&s, (size_t)e, &len), k, lens[i]);
        assert_int_equal(len, lens[i]);
        k[lens[i] - 1] = 'x';
        assert_int_equal(hm_strset_find(&s, k, lens[i]), -1);
    }
    hm_strset_release(&s);
    free(k);
}

/* Past the arena's limit (4 GB; a test's set is given less) an add fails
 * and leaves the set as it was; a key that still fits is added. */
static void test_strset_limit(void **state)
{
    (void)state;
    hm_strset s;
    hm_strset_init_val(&s, 4);
    s.limit = 4096;
    char k[64];
    size_t i = 0, len;
    long e;
    for (;; i++) {
        len = (size_t)snprintf(k, sizeof k, "key %zu of the limit test", i);
        if ((e = hm_strset_add(&s, k, len, (int64_t)i)) < 0)
            break;
        assert_int_equal(e, (long)i);
    }
    assert_true(i > 50);
    size_t n = s.n, used = s.arena_len;
    assert_true(used <= 4096);
    assert_int_equal(n, i);
    assert_int_equal(hm_strset_add(&s, k, len, 1), -1);   /* again: still no room */
    assert_int_equal(hm_strset_find(&s, k, len), -1);
    assert_int_equal(s.n, n);
    assert_int_equal(s.arena_len, used);
    char big[5000];
    memset(big, 'b', sizeof big);
    assert_int_equal(hm_strset_add(&s, big, sizeof big, 1), -1);
    for (size_t j = 0; j < i; j++) {
        len = (size_t)snprintf(k, sizeof k, "key %zu of the limit test", j);
        e = hm_strset_find(&s, k, len);
        assert_int_equal(e, (long)j);
        assert_int_equal(hm_strset_val(&s, (size_t)e), (int64_t)j);
    }
    if (4096 - used >= 4) {
        assert_int_equal(hm_strset_add(&s, "z", 1, 9), (long)n);   /* 1+4+1+1 bytes */
        assert_int_equal(hm_strset_find(&s, "z", 1), (long)n);
    }
    /* Released, the set keeps its limit. */
    hm_strset_release(&s);
    assert_int_equal(s.limit, 4096);
    assert_int_equal(hm_strset_add(&s, big, sizeof big, 1), -1);
    assert_int_equal(s.n, 0);
    hm_strset_release(&s);
}

/* Reserved room: the table does not grow while it fills; and the hash fed
 * a byte at a time finds what hm_strset_find finds. */
static void test_strset_reserve_hashed(void **state)
{
    (void)state;
    hm_strset s;
    hm_strset_init(&s);
    const size_t n = 30000;
    hm_strset_reserve(&s, n, n * 16);
    size_t nslots = s.nslots, cap = s.arena_cap;
    uint32_t *slots = s.slots;
    char k[32];
    for (size_t i = 0; i < n; i++) {
        size_t len = key_of(i, k);
        assert_int_equal(hm_strset_add(&s, k, len, 0), (long)i);
    }
    assert_int_equal(s.nslots, nslots);
    assert_ptr_equal(s.slots, slots);
    assert_int_equal(s.arena_cap, cap);
    for (size_t i = 0; i < n + 100; i++) {
        size_t len = key_of(i, k);
        uint64_t h = HM_STRSET_HASH0;
        for (size_t j = 0; j < len; j++)
            h = hm_strset_hash_step(h, (unsigned char)k[j]);
        assert_int_equal(hm_strset_find_hashed(&s, k, len, h), i < n ? (long)i : -1);
    }
    hm_strset_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strset_many),
        cmocka_unit_test(test_strset_values),
        cmocka_unit_test(test_strset_bytes),
        cmocka_unit_test(test_strset_long_keys),
        cmocka_unit_test(test_strset_limit),
        cmocka_unit_test(test_strset_reserve_hashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
