/*
 * test_fields.c - the rules at the door for one field, as tables: each row
 * an input and either the value it must give or a piece of the reason it
 * must be rejected with.
 *
 * Decisions where the rules are silent, pinned down here:
 *   - a time needs two-digit minutes and seconds: 10:30:5 and 10:3 are
 *     rejected, 9:05 is fine; 24:00 and 23:59:60 are rejected;
 *   - a trailing blank after a date is accepted (fields arrive trimmed
 *     anyway), a leading one is not (the caller trims);
 *   - YYYY年M月D日 needs its 日 or 号, and a time after it needs a space;
 *   - money may have leading zeros in plain form (007 is 7 yuan) but not
 *     before a thousands separator (0,100 is rejected);
 *   - minutes may have leading zeros (0090 is 90);
 *   - needs split only at ; ； , ， | (and ｜, the full-width bar): the
 *     enumeration comma 、 is part of the two-part labels, so
 *     亲情关爱、电话连线 is rejected with the hint to use ';'; 其他 alone
 *     is not a need (its label is 其他帮扶措施); a field of separators only
 *     gives no needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "himama/fields.h"
#include "himama/kinds.h"
#include "himama/util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Days since 1970-01-01 of a civil date. */
static int32_t day(int y, int m, int d)
{
    return hm_days_from_civil(y, m, d);
}

/* Whether s is valid UTF-8 throughout. */
static int valid_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* ---- dates ------------------------------------------------------------ */

struct date_case {
    const char *in;
    const char *want;   /* YYYY-MM-DD, or NULL when rejected */
    const char *reason; /* a piece of the reason when rejected */
};

static const struct date_case date_cases[] = {
    /* every accepted form */
    { "2026-10-01", "2026-10-01", NULL },
    { "2026-1-5", "2026-01-05", NULL },
    { "2026-01-5", "2026-01-05", NULL },
    { "2026/10/01", "2026-10-01", NULL },
    { "2026/1/5", "2026-01-05", NULL },
    { "2026.10.01", "2026-10-01", NULL },
    { "2026.1.5", "2026-01-05", NULL },
    { "2026年10月1日", "2026-10-01", NULL },
    { "2026年01月05日", "2026-01-05", NULL },
    { "2026年1月5号", "2026-01-05", NULL },
    { "2026-10-01 10:30", "2026-10-01", NULL },
    { "2026-10-01 9:05", "2026-10-01", NULL },
    { "2026-10-01 0:00", "2026-10-01", NULL },
    { "2026-10-01 00:00:00", "2026-10-01", NULL },
    { "2026-10-01 10:30:00", "2026-10-01", NULL },
    { "2026-10-01 23:59:59", "2026-10-01", NULL },
    { "2026/10/1 0:00", "2026-10-01", NULL },
    { "2026.10.1 8:15:30", "2026-10-01", NULL },
    { "2026年10月1日 10:30", "2026-10-01", NULL },
    { "2026-10-01  10:30", "2026-10-01", NULL },
    { "2026-10-01\t10:30", "2026-10-01", NULL },
    { "2026-10-01\xe3\x80\x80" "10:30", "2026-10-01", NULL },
    { "2026-10-01\xc2\xa0" "10:30", "2026-10-01", NULL },
    { "2026-10-01 ", "2026-10-01", NULL },
    /* the calendar */
    { "2024-02-29", "2024-02-29", NULL },
    { "2000-02-29", "2000-02-29", NULL },
    { "2023-02-29", NULL, "not a calendar date: '2023-02-29'" },
    { "2026-02-31", NULL, "not a calendar date: '2026-02-31'" },
    { "2026-02-30", NULL, "not a calendar date: '2026-02-30'" },
    { "2026-04-31", NULL, "not a calendar date" },
    { "2026-10-32", NULL, "not a calendar date" },
    { "2026-15-01", NULL, "not a calendar date: '2026-15-01'" },
    { "2026-00-10", NULL, "not a calendar date" },
    { "2026-10-00", NULL, "not a calendar date" },
    { "2026年2月30日", NULL, "not a calendar date" },
    { "2026-02-30 10:00", NULL, "not a calendar date" },
    /* the range */
    { "2000-01-01", "2000-01-01", NULL },
    { "2026-11-28", "2026-11-28", NULL },
    { "1999-12-31", NULL, "date before 2000-01-01: '1999-12-31'" },
    { "2026-11-29", NULL, "date in the future: '2026-11-29' (today is 2026-11-28)" },
    { "2027-01-01", NULL, "date in the future: '2027-01-01' (today is 2026-11-28)" },
    { "0000-01-01", NULL, "not a calendar date" },
    /* Excel serials and other numbers */
    { "45123", NULL, "not a date: '45123' (looks like an Excel date serial "
                     "number: format the column as a date)" },
    { "45123.5", NULL, "looks like an Excel date serial number" },
    { "0", NULL, "looks like an Excel date serial number" },
    { "20261001", NULL, "write it with separators: 2026-10-01" },
    /* separators and shapes */
    { "2026-1/5", NULL, "mixed date separators: '2026-1/5'" },
    { "2026/1-5", NULL, "mixed date separators" },
    { "2026.1/5", NULL, "mixed date separators" },
    { "01/10/2026", NULL, "the year comes first" },
    { "1-10-2026", NULL, "the year comes first" },
    { "26-10-01", NULL, "not a date: '26-10-01' (expected YYYY-MM-DD)" },
    { "02026-10-01", NULL, "not a date" },
    { "2026-10", NULL, "not a date" },
    { "2026-010-01", NULL, "not a date" },
    { "2026-10-001", NULL, "not a date" },
    { "2026年10月1", NULL, "not a date" },
    { "2026年10-1日", NULL, "not a date" },
    { "2026年10月1日10:30", NULL, "no space between date and time" },
    { "2026 10 01", NULL, "not a date" },
    { " 2026-10-01", NULL, "not a date" },
    { "", NULL, "not a date: ''" },
    { "tomorrow", NULL, "not a date: 'tomorrow'" },
    { "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-10-01", NULL, "not a date" },
    /* times */
    { "2026-10-01 24:00", NULL, "not a valid time: '2026-10-01 24:00'" },
    { "2026-10-01 23:60", NULL, "not a valid time" },
    { "2026-10-01 23:59:60", NULL, "not a valid time" },
    { "2026-10-01 10:30:5", NULL, "not a valid time" },
    { "2026-10-01 10:3", NULL, "not a valid time" },
    { "2026-10-01 100:30", NULL, "not a valid time" },
    { "2026-10-01 10", NULL, "not a valid time" },
    { "2026-10-01 10:30:00:00", NULL, "not a valid time" },
    { "2026-10-01T10:30", NULL, "time joined with 'T' not accepted: '2026-10-01T10:30'" },
    { "2026-10-01T10:30:00Z", NULL, "time joined with 'T' not accepted" },
    { "2026-10-01 10:30 AM", NULL, "12-hour time (am/pm) not accepted" },
    { "2026-10-01 10:30pm", NULL, "12-hour time (am/pm) not accepted" },
    { "2026-10-01 10:30 p.m.", NULL, "12-hour time (am/pm) not accepted" },
    { "2026-10-01 下午3:00", NULL, "12-hour time (上午/下午) not accepted" },
    { "2026-10-01 上午10:30", NULL, "12-hour time (上午/下午) not accepted" },
    { "2026年10月1日 下午3:00", NULL, "12-hour time (上午/下午) not accepted" },
    { "2026-10-01 10:30+08:00", NULL, "time zone not accepted: '2026-10-01 10:30+08:00'" },
    { "2026-10-01 10:30:00Z", NULL, "time zone not accepted" },
    { "2026-10-01 10:30 UTC", NULL, "time zone not accepted" },
    { "2026-10-01 10:30 CST", NULL, "time zone not accepted" },
    { "2026-10-01 10:30:00.5", NULL, "fractions of a second not accepted" },
    { "2026-10-01 10:30:00.000", NULL, "fractions of a second not accepted" },
    { "2026-10-01 ten", NULL, "not a date" },
};

static void test_fields_date_table(void **state)
{
    (void)state;
    int32_t min = day(2000, 1, 1), today = day(2026, 11, 28);
    for (size_t i = 0; i < N(date_cases); i++) {
        const struct date_case *c = &date_cases[i];
        char err[256] = "";
        int32_t d = -1;
        bool ok = hm_field_date(c->in, min, today, &d, err, sizeof err);
        if (c->want) {
            char got[11];
            if (!ok)
                fail_msg("date '%s' rejected: %s", c->in, err);
            hm_date_format(d, got);
            if (strcmp(got, c->want) != 0)
                fail_msg("date '%s' gave %s, want %s", c->in, got, c->want);
        } else {
            if (ok)
                fail_msg("date '%s' accepted, want rejected", c->in);
            if (!strstr(err, c->reason))
                fail_msg("date '%s': reason \"%s\" lacks \"%s\"", c->in, err,
                         c->reason);
        }
    }
}

/* Leap years by the Gregorian rule, with a far maximum so 2100 is in range. */
static void test_fields_date_leap_years(void **state)
{
    (void)state;
    int32_t min = day(2000, 1, 1), max = day(2500, 12, 31), d;
    char err[256];
    assert_true(hm_field_date("2000-02-29", min, max, &d, err, sizeof err));
    assert_int_equal(d, day(2000, 2, 29));
    assert_true(hm_field_date("2024/2/29", min, max, &d, err, sizeof err));
    assert_false(hm_field_date("2023-02-29", min, max, &d, err, sizeof err));
    assert_string_equal(err, "not a calendar date: '2023-02-29'");
    assert_false(hm_field_date("2100-02-29", min, max, &d, err, sizeof err));
    assert_string_equal(err, "not a calendar date: '2100-02-29'");
    assert_true(hm_field_date("2100-02-28", min, max, &d, err, sizeof err));
    assert_true(hm_field_date("2400年2月29日", min, max, &d, err, sizeof err));
    assert_int_equal(d, day(2400, 2, 29));
}

/* Birth dates use a different minimum; the reason names it. */
static void test_fields_date_min_is_named(void **state)
{
    (void)state;
    int32_t d;
    char err[256];
    assert_true(hm_field_date("1990-01-01", day(1990, 1, 1), day(2026, 11, 28),
                              &d, err, sizeof err));
    assert_false(hm_field_date("1989-12-31", day(1990, 1, 1), day(2026, 11, 28),
                               &d, err, sizeof err));
    assert_string_equal(err, "date before 1990-01-01: '1989-12-31'");
}

/* ---- money ------------------------------------------------------------ */

struct money_case {
    const char *in;
    bool positive;
    int64_t want;       /* fen, when reason is NULL */
    const char *reason;
};

static const struct money_case money_cases[] = {
    /* every accepted form */
    { "1000", false, 100000, NULL },
    { "1,000.50", false, 100050, NULL },
    { "¥1000", false, 100000, NULL },
    { "¥1,000", false, 100000, NULL },
    { "100元", false, 10000, NULL },
    { "¥ 1,000.00 元", false, 100000, NULL },
    { "￥1000", false, 100000, NULL },
    { "￥ 2,500.5元", false, 250050, NULL },
    { "¥1000元", false, 100000, NULL },
    { "100 元", false, 10000, NULL },
    { "¥\xe3\x80\x80" "100", false, 10000, NULL },
    { "1\xef\xbc\x8c" "000", false, 100000, NULL },    /* full-width comma */
    { "123,456,789.01", false, 12345678901, NULL },
    { "0", false, 0, NULL },
    { "0.00", false, 0, NULL },
    { "0.5", false, 50, NULL },
    { "0.05", false, 5, NULL },
    { "12.3", false, 1230, NULL },
    { "007", false, 700, NULL },
    { "999", true, 99900, NULL },
    { "0.01", true, 1, NULL },
    { "1000000000000", false, INT64_C(100000000000000), NULL },
    { "1,000,000,000,000.00", false, INT64_C(100000000000000), NULL },
    { "999,999,999,999.99", false, INT64_C(99999999999999), NULL },
    /* refused */
    { "-100", false, 0, "negative amount: '-100'" },
    { "¥-100", false, 0, "negative amount" },
    { "-¥100", false, 0, "negative amount" },
    { "\xe2\x88\x92" "100", false, 0, "negative amount" },
    { "+100", false, 0, "sign not allowed: '+100'" },
    { ".5", false, 0, "no digits before the decimal point: '.5'" },
    { "1000.", false, 0, "no digits after the decimal point: '1000.'" },
    { "1e5", false, 0, "scientific notation not accepted: '1e5'" },
    { "1E+05", false, 0, "scientific notation not accepted" },
    { "1,0000", false, 0, "misplaced thousands separator: '1,0000'" },
    { "10,00", false, 0, "misplaced thousands separator" },
    { "1000,000", false, 0, "misplaced thousands separator" },
    { "1,000,00", false, 0, "misplaced thousands separator" },
    { "1,,000", false, 0, "misplaced thousands separator" },
    { "0,100", false, 0, "misplaced thousands separator" },
    { "1,000,", false, 0, "misplaced thousands separator" },
    { "1.005", false, 0, "more than two decimals: '1.005'" },
    { "1,000.505", false, 0, "more than two decimals" },
    { "1000000000000.01", false, 0, "amount over 1,000,000,000,000 yuan" },
    { "1000000000001", false, 0, "amount over 1,000,000,000,000 yuan" },
    { "9,999,999,999,999", false, 0, "amount over 1,000,000,000,000 yuan" },
    { "99999999999999999999999999999999999999.99", false, 0,
      "amount over 1,000,000,000,000 yuan" },
    { "0", true, 0, "amount must be above zero: '0'" },
    { "0.00", true, 0, "amount must be above zero" },
    { "¥0元", true, 0, "amount must be above zero" },
    { "", false, 0, "not an amount: ''" },
    { "¥", false, 0, "not an amount" },
    { "元", false, 0, "not an amount" },
    { "100元元", false, 0, "not an amount" },
    { "1 000", false, 0, "not an amount" },
    { "100 RMB", false, 0, "not an amount" },
    { "$100", false, 0, "not an amount" },
    { "1.2.3", false, 0, "not an amount" },
    { "1.000,50", false, 0, "more than two decimals" },
    { "(100)", false, 0, "not an amount" },
    { "\xef\xbc\x91\xef\xbc\x90\xef\xbc\x90", false, 0, "not an amount" },
};

static void test_fields_money_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(money_cases); i++) {
        const struct money_case *c = &money_cases[i];
        char err[256] = "";
        int64_t fen = -1;
        bool ok = hm_field_money(c->in, c->positive, &fen, err, sizeof err);
        if (!c->reason) {
            if (!ok)
                fail_msg("money '%s' rejected: %s", c->in, err);
            if (fen != c->want)
                fail_msg("money '%s' gave %lld fen, want %lld", c->in,
                         (long long)fen, (long long)c->want);
        } else {
            if (ok)
                fail_msg("money '%s' accepted, want rejected", c->in);
            if (!strstr(err, c->reason))
                fail_msg("money '%s': reason \"%s\" lacks \"%s\"", c->in, err,
                         c->reason);
        }
    }
}

/* Thousands of digits: no overflow, the limit still applies, and the
 * quoted value is cut short. */
static void test_fields_money_huge_strings(void **state)
{
    (void)state;
    size_t n = 10000;
    char *s = malloc(n + 8);
    char err[256];
    int64_t fen = 0;
    assert_non_null(s);

    memset(s, '9', n);
    s[n] = '\0';
    assert_false(hm_field_money(s, false, &fen, err, sizeof err));
    assert_non_null(strstr(err, "amount over 1,000,000,000,000 yuan"));
    assert_non_null(strstr(err, "...'"));
    assert_true(strlen(err) < 120);

    s[0] = '1';
    memset(s + 1, '0', n - 1);
    memcpy(s + n, ".001", 5);
    assert_false(hm_field_money(s, false, &fen, err, sizeof err));
    assert_non_null(strstr(err, "more than two decimals"));

    memcpy(s, "0.", 2);
    memset(s + 2, '0', n - 2);
    s[n] = '\0';
    assert_false(hm_field_money(s, false, &fen, err, sizeof err));
    assert_non_null(strstr(err, "more than two decimals"));
    free(s);
}

/* ---- cleaning --------------------------------------------------------- */

struct clean_case {
    const char *in;
    size_t len;         /* 0: strlen(in) */
    hm_clean_mode mode;
    const char *want;   /* NULL when rejected */
    const char *reason;
};

#define T HM_CLEAN_TEXT
#define C HM_CLEAN_CODE

static const struct clean_case clean_cases[] = {
    /* trimming */
    { "  abc  ", 0, T, "abc", NULL },
    { "\t abc \r\n", 0, T, "abc", NULL },
    { "\xe3\x80\x80" "abc\xe3\x80\x80", 0, T, "abc", NULL },
    { "\xe3\x80\x80" "abc\xe3\x80\x80", 0, C, "abc", NULL },
    { "\xc2\xa0" "abc\xc2\xa0", 0, T, "abc", NULL },
    { "\xc2\xa0\xe3\x80\x80 \t", 0, C, "", NULL },
    { "  张三  ", 0, T, "张三", NULL },
    { "a b", 0, T, "a b", NULL },
    { "中\xc2\xa0文", 0, T, "中\xc2\xa0文", NULL },
    { "a\xe3\x80\x80" "b", 0, T, "a\xe3\x80\x80" "b", NULL },
    { "a\xe3\x80\x80" "b", 0, C, "a b", NULL },
    { "a\tb\r\nc", 0, T, "a\tb\r\nc", NULL },
    { "", 0, T, "", NULL },
    { "   ", 0, C, "", NULL },
    /* zero-width characters: removed from codes, kept in text */
    { "C0\xe2\x80\x8b" "01", 0, C, "C001", NULL },
    { "C0\xe2\x80\x8b" "01", 0, T, "C0\xe2\x80\x8b" "01", NULL },
    { "\xef\xbb\xbf" "C001", 0, C, "C001", NULL },
    { "C\xe2\x80\x8c" "0\xe2\x80\x8d" "01", 0, C, "C001", NULL },
    { "\xe2\x80\x8b C001 \xe2\x80\x8b", 0, C, "C001", NULL },
    { "V\xe2\x80\x8e" "12\xe2\x80\x8f", 0, C, "V12", NULL },
    /* bidirectional controls: removed from every field */
    { "\xe2\x80\xae" "evil\xe2\x80\xac", 0, T, "evil", NULL },
    { "abc\xe2\x80\x8e", 0, T, "abc", NULL },
    { "\xe2\x81\xa6" "x\xe2\x81\xa9", 0, T, "x", NULL },
    { "\xe2\x80\xaa" "a\xe2\x80\xab" "b\xe2\x80\xad" "c", 0, T, "abc", NULL },
    { "\xe2\x80\x8f 12 ", 0, T, "12", NULL },
    { "\xe2\x81\xa7" "y\xe2\x81\xa8", 0, C, "y", NULL },
    /* full-width ASCII: mapped in codes, kept in text */
    { "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96\xef\xbc\x8d\xef\xbc\x91"
      "\xef\xbc\x90\xef\xbc\x8d\xef\xbc\x90\xef\xbc\x91", 0, C, "2026-10-01", NULL },
    { "\xef\xbc\xa1\xef\xbc\xa2\xef\xbd\x83\xef\xbc\x91", 0, C, "ABc1", NULL },
    { "\xef\xbc\xa1\xef\xbc\xa2", 0, T, "\xef\xbc\xa1\xef\xbc\xa2", NULL },
    { "\xef\xbc\x81\xef\xbd\x9e", 0, C, "!~", NULL },
    { "\xef\xbd\x9f", 0, C, "\xef\xbd\x9f", NULL },     /* U+FF5F: out of range */
    /* control characters reject the field */
    { "ab\x07" "c", 0, T, NULL, "control character U+0007 at character 3: 'ab<U+0007>c'" },
    { "a\0b", 3, T, NULL, "control character U+0000 at character 2" },
    { "\0", 1, C, NULL, "control character U+0000 at character 1" },
    { "abc\x7f", 0, T, NULL, "control character U+007F at character 4" },
    { "x\xc2\x85y", 0, T, NULL, "control character U+0085 at character 2" },
    { "\xc2\x9f", 0, C, NULL, "control character U+009F" },
    { "\x1b[31m", 0, T, NULL, "control character U+001B at character 1" },
    { "张\x0b", 0, T, NULL, "control character U+000B at character 2: '张<U+000B>'" },
    { "\xe2\x80\xae" "ab\x07", 0, T, NULL, "U+0007 at character 4: 'ab<U+0007>'" },
    { "\xff", 0, T, NULL, "invalid utf-8 at byte 1" },
    { "ab\xe4\xb8", 0, T, NULL, "invalid utf-8 at byte 3" },
};

#undef T
#undef C

static void test_fields_clean_table(void **state)
{
    (void)state;
    hm_strbuf sb = HM_STRBUF_INIT;
    for (size_t i = 0; i < N(clean_cases); i++) {
        const struct clean_case *c = &clean_cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        char err[256] = "";
        bool ok = hm_field_clean(c->in, len, c->mode, &sb, err, sizeof err);
        if (c->want) {
            if (!ok)
                fail_msg("clean case %zu '%s' rejected: %s", i, c->in, err);
            if (sb.len != strlen(c->want) || strcmp(sb.buf, c->want) != 0)
                fail_msg("clean case %zu gave '%s', want '%s'", i, sb.buf, c->want);
        } else {
            if (ok)
                fail_msg("clean case %zu accepted, want rejected", i);
            if (!strstr(err, c->reason))
                fail_msg("clean case %zu: reason \"%s\" lacks \"%s\"", i, err,
                         c->reason);
            assert_int_equal(sb.len, 0);
        }
    }
    hm_strbuf_release(&sb);
}

/* Cleaning in code mode, then validating: what a spreadsheet gives. */
static void test_fields_clean_then_validate(void **state)
{
    (void)state;
    hm_strbuf sb = HM_STRBUF_INIT;
    char err[256];
    int32_t d;
    int64_t fen;
    const char *code;
    static const char fw_date[] = "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96"
        "\xef\xbc\x8d\xef\xbc\x91\xef\xbc\x90\xef\xbc\x8d\xef\xbc\x90\xef\xbc\x91";
    static const char fw_money[] = "\xef\xbf\xa5\xef\xbc\x91\xef\xbc\x8c\xef\xbc\x90"
        "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x8e\xef\xbc\x95\xef\xbc\x90";

    assert_true(hm_field_clean(fw_date, strlen(fw_date), HM_CLEAN_CODE, &sb,
                               err, sizeof err));
    assert_true(hm_field_date(sb.buf, day(2000, 1, 1), day(2026, 11, 28), &d,
                              err, sizeof err));
    assert_int_equal(d, day(2026, 10, 1));

    assert_true(hm_field_clean(fw_money, strlen(fw_money), HM_CLEAN_CODE, &sb,
                               err, sizeof err));
    assert_string_equal(sb.buf, "\xef\xbf\xa5" "1,000.50");
    assert_true(hm_field_money(sb.buf, true, &fen, err, sizeof err));
    assert_int_equal(fen, 100050);

    static const char blanks[] = "\xe3\x80\x80\xe2\x80\x8b" "2026/1/5 \xc2\xa0";
    assert_true(hm_field_clean(blanks, strlen(blanks), HM_CLEAN_CODE, &sb,
                               err, sizeof err));
    assert_string_equal(sb.buf, "2026/1/5");

    static const char fw_call[] = "\xef\xbd\x83\xef\xbd\x81\xef\xbd\x8c\xef\xbd\x8c";
    assert_true(hm_field_clean(fw_call, strlen(fw_call), HM_CLEAN_CODE, &sb,
                               err, sizeof err));
    assert_true(hm_field_enum(&hm_enum_activity_type, sb.buf, &code, err, sizeof err));
    assert_string_equal(code, "call");
    hm_strbuf_release(&sb);
}

/* ---- minutes ---------------------------------------------------------- */

static void test_fields_minutes(void **state)
{
    (void)state;
    static const struct { const char *in; int want; } ok[] = {
        { "0", 0 }, { "1", 1 }, { "90", 90 }, { "1440", 1440 }, { "007", 7 },
        { "0000000000090", 90 },
    };
    static const struct { const char *in; const char *reason; } bad[] = {
        { "1441", "minutes out of range 0 to 1440: '1441'" },
        { "99999999999999999999", "minutes out of range 0 to 1440" },
        { "-5", "not a whole number of minutes: '-5'" },
        { "1.5", "not a whole number of minutes" },
        { "1:30", "not a whole number of minutes: '1:30' (write minutes, e.g. 90)" },
        { "", "not a whole number of minutes: ''" },
        { "abc", "not a whole number of minutes" },
        { "30min", "not a whole number of minutes" },
        { "1e3", "not a whole number of minutes" },
    };
    char err[256];
    for (size_t i = 0; i < N(ok); i++) {
        int m = -1;
        if (!hm_field_minutes(ok[i].in, &m, err, sizeof err))
            fail_msg("minutes '%s' rejected: %s", ok[i].in, err);
        assert_int_equal(m, ok[i].want);
    }
    for (size_t i = 0; i < N(bad); i++) {
        int m = -1;
        if (hm_field_minutes(bad[i].in, &m, err, sizeof err))
            fail_msg("minutes '%s' accepted", bad[i].in);
        if (!strstr(err, bad[i].reason))
            fail_msg("minutes '%s': reason \"%s\" lacks \"%s\"", bad[i].in,
                     err, bad[i].reason);
    }
}

/* ---- enumerations ----------------------------------------------------- */

static void test_fields_enum(void **state)
{
    (void)state;
    static const struct {
        const hm_enum *e;
        const char *in;
        const char *want;   /* NULL: rejected */
    } cases[] = {
        { &hm_enum_gender, "F", "F" }, { &hm_enum_gender, "f", "F" },
        { &hm_enum_gender, "女", "F" }, { &hm_enum_gender, "男", "M" },
        { &hm_enum_gender, "X", NULL }, { &hm_enum_gender, "", NULL },
        { &hm_enum_gender, "女 ", NULL },
        { &hm_enum_activity_type, "亲情连线", "call" },
        { &hm_enum_activity_type, "CALL", "call" },
        { &hm_enum_activity_type, "Visit_Teacher", "visit_teacher" },
        { &hm_enum_activity_type, "亲子研学", "study_trip" },
        { &hm_enum_activity_type, "亲情", NULL },
        { &hm_enum_activity_type, "calls", NULL },
        { &hm_enum_donor_type, "99公益日", "giving_day" },
        { &hm_enum_donor_type, "Giving_Day", "giving_day" },
        { &hm_enum_sector, "机关党员干部", "cadre" },
        { &hm_enum_pool, "储备库", "reserve" },
        { &hm_enum_child_category, "留守困境", "both" },
        { &hm_enum_training_kind, "赋能微课堂", "micro_class" },
        { &hm_enum_expense_category, "微心愿", "wish" },
    };
    char err[512];
    for (size_t i = 0; i < N(cases); i++) {
        const char *code = NULL;
        bool ok = hm_field_enum(cases[i].e, cases[i].in, &code, err, sizeof err);
        if (cases[i].want) {
            if (!ok)
                fail_msg("enum '%s' rejected: %s", cases[i].in, err);
            assert_string_equal(code, cases[i].want);
        } else if (ok) {
            fail_msg("enum '%s' accepted as %s", cases[i].in, code);
        }
    }
    assert_false(hm_field_enum(&hm_enum_gender, "X", &(const char *){ NULL },
                               err, sizeof err));
    assert_string_equal(err, "unknown gender: 'X' (expected one of F/女, M/男)");
}

/* ---- needs ------------------------------------------------------------ */

static void test_fields_needs(void **state)
{
    (void)state;
    static const struct { const char *in; const char *want; } ok[] = {
        { "affection", "affection" },
        { "Contact ; READING", "contact;reading" },
        { "亲情关爱、心理疏导", "affection" },
        { "亲情关爱", "affection" }, { "心理疏导", "affection" },
        { "电话连线", "contact" }, { "走访探视", "contact" },
        { "亲子阅读", "reading" }, { "亲子研学", "reading" },
        { "陪过节日", "festival" }, { "陪过生日", "festival" },
        { "陪过节日或生日", "festival" },
        { "微心愿", "wish" }, { "实现\"微心愿\"", "wish" },
        { "实现“微心愿”", "wish" }, { "实现微心愿", "wish" },
        { "“微心愿”", "wish" }, { "其他帮扶措施", "other" },
        { "wish;affection", "affection;wish" },
        { "other|wish|festival|reading|contact|affection",
          "affection;contact;reading;festival;wish;other" },
        { "电话连线，亲子阅读|其他帮扶措施", "contact;reading;other" },
        { "亲情关爱；走访探视", "affection;contact" },
        { "亲情关爱｜亲子研学", "affection;reading" },
        { "陪过节日;陪过生日,festival", "festival" },
        { " affection ;; ,wish ", "affection;wish" },
        { "\xe3\x80\x80亲情关爱\xe3\x80\x80;\xc2\xa0微心愿", "affection;wish" },
        { ";;", "" },
        { "", "" },
    };
    static const struct { const char *in; const char *reason; } bad[] = {
        { "affection;flying", "unknown need 'flying' (expected affection" },
        { "亲情关爱、电话连线", "unknown need '亲情关爱、电话连线' (separate several needs with ';')" },
        { "其他", "unknown need '其他'" },
        { "亲情", "unknown need '亲情'" },
        { "affection wish", "unknown need 'affection wish'" },
    };
    hm_strbuf sb = HM_STRBUF_INIT;
    char err[256];
    for (size_t i = 0; i < N(ok); i++) {
        if (!hm_field_needs(ok[i].in, &sb, err, sizeof err))
            fail_msg("needs '%s' rejected: %s", ok[i].in, err);
        if (strcmp(sb.buf ? sb.buf : "", ok[i].want) != 0)
            fail_msg("needs '%s' gave '%s', want '%s'", ok[i].in, sb.buf,
                     ok[i].want);
    }
    for (size_t i = 0; i < N(bad); i++) {
        if (hm_field_needs(bad[i].in, &sb, err, sizeof err))
            fail_msg("needs '%s' accepted as '%s'", bad[i].in, sb.buf);
        if (!strstr(err, bad[i].reason))
            fail_msg("needs '%s': reason \"%s\" lacks \"%s\"", bad[i].in, err,
                     bad[i].reason);
    }
    hm_strbuf_release(&sb);
}

/* ---- formatting and reasons ------------------------------------------- */

static void test_fields_fen_format(void **state)
{
    (void)state;
    static const struct { int64_t fen; const char *want; } cases[] = {
        { 0, "0.00" }, { 5, "0.05" }, { 50, "0.50" }, { 100050, "1000.50" },
        { -1234, "-12.34" }, { -5, "-0.05" },
        { INT64_C(100000000000000), "1000000000000.00" },
        { INT64_MAX, "92233720368547758.07" },
        { INT64_MIN, "-92233720368547758.08" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char out[32];
        hm_fen_format(cases[i].fen, out);
        assert_string_equal(out, cases[i].want);
    }
}

/* A short err buffer never ends in half a character; no buffer is fine. */
static void test_fields_reason_truncation(void **state)
{
    (void)state;
    char err[64];
    int32_t d;
    int64_t fen;
    for (size_t sz = 1; sz <= sizeof err; sz++) {
        memset(err, 'x', sizeof err);
        assert_false(hm_field_date("二〇二六年十月一日", 0, 30000, &d, err, sz));
        assert_true(strlen(err) < sz);
        assert_true(valid_utf8(err));
    }
    assert_false(hm_field_date("bad", 0, 30000, &d, NULL, 0));
    assert_false(hm_field_money("bad", false, &fen, NULL, 0));

    /* a long value is quoted cut short, at a character boundary */
    char big[3 * 400 + 1];
    for (int i = 0; i < 400; i++)
        memcpy(big + 3 * i, "妈", 3);
    big[sizeof big - 1] = '\0';
    char err2[512];
    const char *code;
    assert_false(hm_field_enum(&hm_enum_role, big, &code, err2, sizeof err2));
    assert_true(valid_utf8(err2));
    assert_non_null(strstr(err2, "...'"));
    assert_true(strlen(err2) < 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_date_table),
        cmocka_unit_test(test_fields_date_leap_years),
        cmocka_unit_test(test_fields_date_min_is_named),
        cmocka_unit_test(test_fields_money_table),
        cmocka_unit_test(test_fields_money_huge_strings),
        cmocka_unit_test(test_fields_clean_table),
        cmocka_unit_test(test_fields_clean_then_validate),
        cmocka_unit_test(test_fields_minutes),
        cmocka_unit_test(test_fields_enum),
        cmocka_unit_test(test_fields_needs),
        cmocka_unit_test(test_fields_fen_format),
        cmocka_unit_test(test_fields_reason_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
