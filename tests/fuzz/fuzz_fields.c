/*
 * fuzz_fields.c - fuzzing harness for the field cleaning and validators.
 *
 * The first byte of the input is a selector, the rest is one field:
 *   bits 0-3  which enumeration hm_field_enum gets;
 *   bit 4     money must be positive (donations) or may be zero (est_cost);
 *   bit 5     birth date range (from 1990) or ordinary dates (from 2000);
 *   bits 6-7  the size of the reason buffer: 256, 64, 7 or 1 bytes.
 * The field is cleaned in both modes; each cleaned value then goes through
 * the date, money, minutes, enum and needs validators, as ingest does.
 *
 * Invariants:
 *   - cleaning succeeds exactly when the field is valid UTF-8 without
 *     control characters (C0 but tab/CR/LF, DEL, C1), and then equals a
 *     simple reference cleaning (bidi controls out; in code mode also
 *     zero-width characters out, full-width ASCII to ASCII, U+3000 to a
 *     space; then white space trimmed); the result is valid UTF-8, never
 *     longer than the input, and cleaning it again changes nothing;
 *   - every reason is NUL-terminated within its buffer and valid UTF-8,
 *     non-empty when the buffer has room;
 *   - a date accepted is within its range and reads back the same from
 *     its YYYY-MM-DD form;
 *   - money accepted is 0..1e14 fen (above 0 when it must be positive) and
 *     reads back the same from its formatted yuan;
 *   - minutes accepted are 0..1440 and were written as digits only;
 *   - an enum accepted gives one of its codes, which is accepted as itself;
 *   - needs accepted give distinct codes in table order joined by ';',
 *     which are accepted as themselves.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "himama/fields.h"
#include "himama/kinds.h"
#include "himama/util.h"

static const hm_enum *const enums[] = {
    &hm_enum_gender, &hm_enum_child_category, &hm_enum_role, &hm_enum_sector,
    &hm_enum_pool, &hm_enum_activity_type, &hm_enum_donor_type,
    &hm_enum_expense_category, &hm_enum_training_kind, &hm_enum_needs,
};
#define NENUMS (sizeof enums / sizeof enums[0])

static const size_t errsizes[4] = { 256, 64, 7, 1 };

/* Whether s (n bytes) is valid UTF-8 (NULs allowed). */
static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Check a reason left in err (of size errsz) after a failure. */
static void check_reason(const char *err, size_t errsz)
{
    size_t n = strnlen(err, errsz);
    FUZZ_CHECK(n < errsz);
    FUZZ_CHECK(valid_utf8(err, n));
    if (errsz >= 64)
        FUZZ_CHECK(n > 0);
}

static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n')
        || (cp >= 0x7f && cp <= 0x9f);
}

static bool is_bidi(uint32_t cp)
{
    return cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069);
}

static bool is_white(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n'
        || cp == 0x3000 || cp == 0xa0;
}

/*
 * The reference cleaning, written for clarity: false when s is not valid
 * UTF-8 or holds a control character; else out gets the cleaned text.
 */
static bool ref_clean(const char *s, size_t len, bool code, hm_strbuf *out)
{
    uint32_t *cps = malloc((len + 1) * sizeof *cps);
    FUZZ_CHECK(cps != NULL);
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, len - i, &cp);
        if (k == 0 || is_control(cp)) {
            ok = false;
            break;
        }
        i += k;
        if (is_bidi(cp))
            continue;
        if (code && ((cp >= 0x200b && cp <= 0x200d) || cp == 0xfeff))
            continue;
        if (code && cp >= 0xff01 && cp <= 0xff5e)
            cp -= 0xfee0;
        else if (code && cp == 0x3000)
            cp = ' ';
        cps[n++] = cp;
    }
    hm_strbuf_reset(out);
    if (ok) {
        size_t a = 0, b = n;
        while (a < b && is_white(cps[a]))
            a++;
        while (b > a && is_white(cps[b - 1]))
            b--;
        for (size_t i = a; i < b; i++) {
            char enc[4];
            hm_strbuf_add(out, enc, hm_utf8_encode(cps[i], enc));
        }
    }
    free(cps);
    return ok;
}

/* Run every validator on the cleaned value v. */
static void validate(const char *v, uint8_t sel, hm_strbuf *tmp)
{
    size_t errsz = errsizes[(sel >> 6) & 3];
    char err[256];
    bool positive = (sel >> 4) & 1;
    bool birth = (sel >> 5) & 1;

    /* dates */
    int32_t min = birth ? hm_days_from_civil(1990, 1, 1) : hm_days_from_civil(2000, 1, 1);
    int32_t max = hm_days_from_civil(2026, 10, 15);
    int32_t days = INT32_MIN;
    memset(err, 'x', sizeof err);
    if (hm_field_date(v, min, max, &days, err, errsz)) {
        FUZZ_CHECK(days >= min && days <= max);
        char iso[11], iso_err[256];
        int32_t again;
        hm_date_format(days, iso);
        FUZZ_CHECK(hm_field_date(iso, min, max, &again, iso_err, sizeof iso_err));
        FUZZ_CHECK(again == days);
    } else {
        check_reason(err, errsz);
    }

    /* money */
    int64_t fen = -1;
    memset(err, 'x', sizeof err);
    if (hm_field_money(v, positive, &fen, err, errsz)) {
        FUZZ_CHECK(fen >= 0 && fen <= INT64_C(100000000000000));
        if (positive)
            FUZZ_CHECK(fen > 0);
        char yuan[32], m_err[256];
        int64_t again = -1;
        hm_fen_format(fen, yuan);
        FUZZ_CHECK(hm_field_money(yuan, positive, &again, m_err, sizeof m_err));
        FUZZ_CHECK(again == fen);
    } else {
        check_reason(err, errsz);
    }

    /* minutes */
    int minutes = -1;
    memset(err, 'x', sizeof err);
    if (hm_field_minutes(v, &minutes, err, errsz)) {
        FUZZ_CHECK(minutes >= 0 && minutes <= 1440);
        FUZZ_CHECK(*v != '\0');
        for (const char *p = v; *p; p++)
            FUZZ_CHECK(*p >= '0' && *p <= '9');
    } else {
        check_reason(err, errsz);
    }

    /* an enumeration */
    const hm_enum *e = enums[(sel & 15) % NENUMS];
    const char *code = NULL;
    memset(err, 'x', sizeof err);
    if (hm_field_enum(e, v, &code, err, errsz)) {
        bool known = false;
        for (size_t i = 0; i < e->nvalues; i++)
            known = known || code == e->values[i].code;
        FUZZ_CHECK(known);
        const char *again = NULL;
        char e_err[256];
        FUZZ_CHECK(hm_field_enum(e, code, &again, e_err, sizeof e_err));
        FUZZ_CHECK(again == code);
    } else {
        check_reason(err, errsz);
    }

    /* needs */
    memset(err, 'x', sizeof err);
    if (hm_field_needs(v, tmp, err, errsz)) {
        FUZZ_CHECK(tmp->buf != NULL || tmp->len == 0);
        size_t last = 0;   /* 1 + index of the previous code */
        const char *p = tmp->len ? tmp->buf : "";
        while (*p) {
            const char *semi = strchr(p, ';');
            size_t n = semi ? (size_t)(semi - p) : strlen(p);
            size_t idx = 0;
            while (idx < hm_enum_needs.nvalues &&
                   !(strlen(hm_enum_needs.values[idx].code) == n &&
                     memcmp(hm_enum_needs.values[idx].code, p, n) == 0))
                idx++;
            FUZZ_CHECK(idx < hm_enum_needs.nvalues);
            FUZZ_CHECK(idx + 1 > last);     /* in table order, no repeats */
            last = idx + 1;
            p += n;
            if (*p == ';') {
                p++;
                FUZZ_CHECK(*p != '\0');
            }
        }
        char *first = hm_xstrndup(tmp->len ? tmp->buf : "", tmp->len);
        char n_err[256];
        FUZZ_CHECK(hm_field_needs(first, tmp, n_err, sizeof n_err));
        FUZZ_CHECK(strcmp(first, tmp->len ? tmp->buf : "") == 0);
        free(first);
    } else {
        check_reason(err, errsz);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    size_t errsz = errsizes[(sel >> 6) & 3];
    hm_strbuf out = HM_STRBUF_INIT, ref = HM_STRBUF_INIT, again = HM_STRBUF_INIT,
              tmp = HM_STRBUF_INIT;
    hm_strbuf_init(&out);
    hm_strbuf_init(&ref);
    hm_strbuf_init(&again);
    hm_strbuf_init(&tmp);

    for (int m = 0; m < 2; m++) {
        hm_clean_mode mode = m ? HM_CLEAN_CODE : HM_CLEAN_TEXT;
        char err[256];
        memset(err, 'x', sizeof err);
        bool ok = hm_field_clean(s, len, mode, &out, err, errsz);
        bool ref_ok = ref_clean(s, len, m == 1, &ref);
        FUZZ_CHECK(ok == ref_ok);
        if (!ok) {
            check_reason(err, errsz);
            FUZZ_CHECK(out.len == 0);
            continue;
        }
        FUZZ_CHECK(out.buf != NULL && out.buf[out.len] == '\0');
        FUZZ_CHECK(out.len <= len);
        FUZZ_CHECK(out.len == ref.len && memcmp(out.buf, ref.buf, out.len) == 0);
        FUZZ_CHECK(valid_utf8(out.buf, out.len));
        /* cleaning is idempotent */
        FUZZ_CHECK(hm_field_clean(out.buf, out.len, mode, &again, err, sizeof err));
        FUZZ_CHECK(again.len == out.len && memcmp(again.buf, out.buf, out.len) == 0);
        validate(out.buf, sel, &tmp);
    }
    hm_strbuf_release(&out);
    hm_strbuf_release(&ref);
    hm_strbuf_release(&again);
    hm_strbuf_release(&tmp);
    return 0;
}
