/*
 * test_encoding.c - the encoding rule of DESIGN.md, fed whole and in every
 * chunk size so that sequences split across chunks are covered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "himama/encoding.h"

typedef struct result {
    hm_error err;
    hm_encoding enc;
    size_t bom_len;
    char reason[200];
} result;

/* Detect the n bytes of s fed in chunks of the given size. */
static result detect_chunked(const char *s, size_t n, size_t chunk)
{
    result r;
    hm_encdetect d;
    hm_encdetect_init(&d);
    for (size_t i = 0; i < n; i += chunk)
        hm_encdetect_feed(&d, s + i, n - i < chunk ? n - i : chunk);
    r.err = hm_encdetect_finish(&d, &r.enc, &r.bom_len, r.reason,
                                sizeof r.reason);
    return r;
}

/* Detect s in one piece and in every chunk size, checking that all agree. */
static result detect(const char *s, size_t n)
{
    result whole = detect_chunked(s, n, n ? n : 1);
    for (size_t chunk = 1; chunk < n; chunk++) {
        result r = detect_chunked(s, n, chunk);
        assert_int_equal(r.err, whole.err);
        assert_int_equal(r.enc, whole.enc);
        assert_int_equal(r.bom_len, whole.bom_len);
        assert_string_equal(r.reason, whole.reason);
    }
    return whole;
}

#define DETECT(lit) detect(lit, sizeof(lit) - 1)

static void test_encoding_empty_is_utf8(void **state)
{
    (void)state;
    result r = detect("", 0);
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
    assert_int_equal(r.bom_len, 0);
}

static void test_encoding_ascii_is_utf8(void **state)
{
    (void)state;
    result r = DETECT("child_id,name\r\nC1,Li\r\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
    assert_int_equal(r.bom_len, 0);
}

static void test_encoding_utf8_chinese(void **state)
{
    (void)state;
    /* 儿童编号,姓名 and a 4-byte character (U+20BB7). */
    result r = DETECT("\xe5\x84\xbf\xe7\xab\xa5\xe7\xbc\x96\xe5\x8f\xb7,"
                      "\xe5\xa7\x93\xe5\x90\x8d\n\xf0\xa0\xae\xb7\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
}

static void test_encoding_utf8_bom(void **state)
{
    (void)state;
    result r = DETECT("\xef\xbb\xbf" "a,b\n\xe5\xa7\x93\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
    assert_int_equal(r.bom_len, 3);
    r = DETECT("\xef\xbb\xbf");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
    assert_int_equal(r.bom_len, 3);
}

static void test_encoding_utf8_bom_then_bad_bytes(void **state)
{
    (void)state;
    /* Valid GB18030 after the BOM, but the BOM says UTF-8. */
    result r = DETECT("\xef\xbb\xbf" "ab\xb6\xf9");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-8"));
    assert_non_null(strstr(r.reason, "offset 5"));
}

static void test_encoding_gb18030(void **state)
{
    (void)state;
    /* 儿童编号,姓名 in GB18030. */
    result r = DETECT("\xb6\xf9\xcd\xaf\xb1\xe0\xba\xc5,\xd0\xd5\xc3\xfb\r\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
    assert_int_equal(r.bom_len, 0);
}

static void test_encoding_gb18030_four_byte(void **state)
{
    (void)state;
    /* 81 30 81 30 is U+0080; 95 34 B2 35 is U+20BB7. */
    result r = DETECT("a\x81\x30\x81\x30z\x95\x34\xb2\x35\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
}

static void test_encoding_gb18030_single_0x80(void **state)
{
    (void)state;
    result r = DETECT("price\x80\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
}

static void test_encoding_gb18030_bom(void **state)
{
    (void)state;
    result r = DETECT("\x84\x31\x95\x33\xb6\xf9\n");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
    assert_int_equal(r.bom_len, 4);
    r = DETECT("\x84\x31\x95\x33" "a\xff");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "GB18030"));
    assert_non_null(strstr(r.reason, "offset 5"));
}

static void test_encoding_utf16_rejected(void **state)
{
    (void)state;
    result r = DETECT("\xff\xfe" "a\0,\0b\0");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-16"));
    assert_non_null(strstr(r.reason, "\"CSV UTF-8\""));
    r = DETECT("\xfe\xff\0a");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-16"));
    r = DETECT("\xff\xfe");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-16"));
}

static void test_encoding_utf32_rejected(void **state)
{
    (void)state;
    result r = DETECT("\xff\xfe\0\0a\0\0\0");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-32"));
    assert_non_null(strstr(r.reason, "\"CSV UTF-8\""));
    r = DETECT("\0\0\xfe\xff\0\0\0a");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "UTF-32"));
}

static void test_encoding_neither_names_offset(void **state)
{
    (void)state;
    /* UTF-8 breaks at the FF (offset 6); GB18030 at AD FF (offset 5). */
    result r = DETECT("abc\xe4\xb8\xad\xff" "def");
    assert_int_equal(r.err, HM_EENCODING);
    assert_string_equal(r.reason,
                        "neither UTF-8 nor GB18030 (first bad byte at offset 6)");
    /* A lead byte cut off by the end of the file. */
    r = DETECT("ab\xe4");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "offset 2"));
    /* A GB18030 four-byte sequence with a bad third byte. */
    r = DETECT("x\x81\x30\x20\x30");
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "offset 1"));
}

static void test_encoding_invalid_utf8_forms_fall_to_gb18030(void **state)
{
    (void)state;
    /* An overlong (C0 AF) and a surrogate (ED A0 80) are not UTF-8, but are
     * well-formed GB18030. */
    result r = DETECT("a\xc0\xaf");
    assert_int_equal(r.enc, HM_ENC_GB18030);
    r = DETECT("a\xed\xa0\x80");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
    /* Above U+10FFFF: F4 90 80 80 (GB18030: F4 90, then 80 twice). */
    r = DETECT("\xf4\x90\x80\x80");
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_GB18030);
}

static void test_encoding_long_input(void **state)
{
    (void)state;
    /* Many chunks of mixed ASCII and UTF-8, bad byte far in. */
    char buf[5000];
    size_t n = 0;
    while (n + 4 < sizeof buf) {
        memcpy(buf + n, "a\xe5\xa7\x93", 4);
        n += 4;
    }
    result r = detect_chunked(buf, n, 7);
    assert_int_equal(r.err, HM_OK);
    assert_int_equal(r.enc, HM_ENC_UTF8);
    buf[4001] = '\xff';
    r = detect_chunked(buf, n, 13);
    assert_int_equal(r.err, HM_EENCODING);
    assert_non_null(strstr(r.reason, "offset 4001"));
}

static void test_encoding_names(void **state)
{
    (void)state;
    assert_string_equal(hm_encoding_name(HM_ENC_UTF8), "UTF-8");
    assert_string_equal(hm_encoding_name(HM_ENC_GB18030), "GB18030");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding_empty_is_utf8),
        cmocka_unit_test(test_encoding_ascii_is_utf8),
        cmocka_unit_test(test_encoding_utf8_chinese),
        cmocka_unit_test(test_encoding_utf8_bom),
        cmocka_unit_test(test_encoding_utf8_bom_then_bad_bytes),
        cmocka_unit_test(test_encoding_gb18030),
        cmocka_unit_test(test_encoding_gb18030_four_byte),
        cmocka_unit_test(test_encoding_gb18030_single_0x80),
        cmocka_unit_test(test_encoding_gb18030_bom),
        cmocka_unit_test(test_encoding_utf16_rejected),
        cmocka_unit_test(test_encoding_utf32_rejected),
        cmocka_unit_test(test_encoding_neither_names_offset),
        cmocka_unit_test(test_encoding_invalid_utf8_forms_fall_to_gb18030),
        cmocka_unit_test(test_encoding_long_input),
        cmocka_unit_test(test_encoding_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
