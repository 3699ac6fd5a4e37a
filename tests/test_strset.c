/*
 * test_strset.c - the string set (pipeline/strset.c): every key added is
 * found again with its value, through the table's growth; keys that differ
 * only in their last byte, in length, or by bytes such as '\0' and '\x1f'
 * stay apart; absent keys are not found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
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
    hm_strset_init(&s);
    char k[32];
    const size_t n = 200000;
    for (size_t i = 0; i < n; i++) {
        size_t len = key_of(i, k);
        assert_int_equal(hm_strset_add(&s, k, len, (int64_t)i * 3), (long)i);
    }
    assert_int_equal(s.n, n);
    for (size_t i = 0; i < n; i++) {
        size_t len = key_of(i, k);
        long e = hm_strset_find(&s, k, len);
        assert_int_equal(e, (long)i);
        assert_int_equal(s.val[e], (int64_t)i * 3);
        /* Adding again finds it and keeps the first value. */
        assert_int_equal(hm_strset_add(&s, k, len, -1), (long)i);
        assert_int_equal(s.val[e], (int64_t)i * 3);
        /* A shorter or longer key is another key. */
        assert_int_equal(hm_strset_find(&s, k, len - 1), -1);
    }
    for (size_t i = n; i < n + 1000; i++) {
        size_t len = key_of(i, k);
        assert_int_equal(hm_strset_find(&s, k, len), -1);
    }
    hm_strset_release(&s);
    assert_int_equal(hm_strset_find(&s, "x", 1), -1);
}

static void test_strset_bytes(void **state)
{
    (void)state;
    hm_strset s;
    hm_strset_init(&s);
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
    assert_memory_equal(s.arena + s.off[c], "a\0c", 4);   /* kept with a '\0' after */
    hm_strset_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strset_many),
        cmocka_unit_test(test_strset_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
