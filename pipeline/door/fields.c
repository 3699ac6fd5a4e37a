/*
 * fields.c - DESIGN.md's "Rules at the door", one field at a time.
 *
 * Design notes.  These functions run for every field of every row, millions
 * per file, so each scans its bytes once and the validators (date, money,
 * minutes, enum) never allocate; only hm_field_clean and hm_field_needs write
 * to a growing buffer, which the caller reuses from field to field.  Money
 * never touches floating point: the digits go straight into integer yuan and
 * fen, and the accumulation stops once the amount is past the limit, so an
 * arbitrarily long string of digits cannot overflow.
 *
 * Reasons are built only on failure.  They quote the value, cut to a few
 * dozen bytes at a character boundary, and a reason cut short by a small err
 * buffer is cut at a character boundary too, so a reject never carries half
 * a UTF-8 sequence into the database or the rejects file.
 */
#include "himama/fields.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 60                    /* bytes of a value quoted in a reason */
#define QUOTE_SZ (QUOTE_MAX + 4)        /* ... plus "..." and the NUL */
#define MONEY_MAX_YUAN INT64_C(1000000000000)
#define MINUTES_MAX 1440

/* ---- reasons ---------------------------------------------------------- */

/* Length of the complete UTF-8 characters among the first n bytes of s. */
static size_t utf8_whole(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = n;
    while (i > 0 && (u[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return 0;
    unsigned char lead = u[i - 1];
    size_t want = lead < 0x80 ? 1 : (lead & 0xe0) == 0xc0 ? 2
                : (lead & 0xf0) == 0xe0 ? 3 : (lead & 0xf8) == 0xf0 ? 4 : 1;
    return (n - (i - 1) >= want) ? n : i - 1;
}

/* Write a formatted reason into err (never a partial character); false. */
static bool fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || errsz == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    if (n < 0)
        err[0] = '\0';
    else if ((size_t)n >= errsz)
        err[utf8_whole(err, errsz - 1)] = '\0';
    return false;
}

/* The first n bytes of s as shown in a reason: cut short with "...". */
static const char *shown_n(const char *s, size_t n, char buf[QUOTE_SZ])
{
    size_t k = n;
    const char *more = "";
    if (k > QUOTE_MAX) {
        k = utf8_whole(s, QUOTE_MAX);
        more = "...";
    }
    snprintf(buf, QUOTE_SZ, "%.*s%s", (int)k, s, more);
    return buf;
}

/* The NUL-terminated value s as shown in a reason. */
static const char *shown(const char *s, char buf[QUOTE_SZ])
{
    return shown_n(s, strnlen(s, QUOTE_MAX + 1), buf);
}

/* ---- characters ------------------------------------------------------- */

/* A control character that rejects a field: C0 but tab/CR/LF, DEL, C1. */
static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n')
        || (cp >= 0x7f && cp <= 0x9f);
}

/* A bidirectional control, removed from every field. */
static bool is_bidi(uint32_t cp)
{
    return cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069);
}

/* A zero-width character, removed from codes. */
static bool is_zero_width(uint32_t cp)
{
    return (cp >= 0x200b && cp <= 0x200d) || cp == 0xfeff;
}

/* Bytes of a blank (hm_utf8_blank) at p, a NUL-terminated string, or 0. */
static size_t blank_len(const char *p)
{
    return hm_utf8_blank(p, strnlen(p, HM_UTF8_BLANK_MAX));
}

/* Skip blanks at p. */
static const char *skip_blanks(const char *p)
{
    size_t k;
    while ((k = blank_len(p)) != 0)
        p += k;
    return p;
}

/* Whether p starts with the NUL-terminated prefix. */
static bool starts(const char *p, const char *prefix)
{
    return strncmp(p, prefix, strlen(prefix)) == 0;
}

/* ASCII case-insensitive equality of s (n bytes) and the string t. */
static bool ascii_ieq(const char *s, size_t n, const char *t)
{
    size_t i = 0;
    for (; i < n && t[i]; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)t[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b + 32);
        if (a != b)
            return false;
    }
    return i == n && t[i] == '\0';
}

/* Whether s (n bytes) contains the string t. */
static bool contains(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, t, m) == 0)
            return true;
    return false;
}

/* Exact equality of s (n bytes) and the string t. */
static bool bytes_eq(const char *s, size_t n, const char *t)
{
    return strlen(t) == n && memcmp(s, t, n) == 0;
}

/* An ASCII digit. */
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- cleaning --------------------------------------------------------- */

/* Show the start of a field that holds controls, each as <U+XXXX>. */
static void show_controls(const char *s, size_t len, char *buf, size_t bufsz)
{
    size_t o = 0, i = 0;
    buf[0] = '\0';
    while (i < len && o + 12 < bufsz) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, len - i, &cp);
        if (k == 0)
            break;
        if (is_bidi(cp)) {
            /* not shown: it could disguise the reason too */
        } else if (is_control(cp)) {
            o += (size_t)snprintf(buf + o, bufsz - o, "<U+%04" PRIX32 ">", cp);
        } else if (o + k + 4 < bufsz) {
            memcpy(buf + o, s + i, k);
            o += k;
            buf[o] = '\0';
        } else {
            break;
        }
        i += k;
        if (o >= QUOTE_MAX)
            break;
    }
    if (i < len && o + 4 <= bufsz)
        memcpy(buf + o, "...", 4);
}

/*
 * hm_field_clean: the output never grows (every mapping shortens or keeps
 * a character), so the buffer is grown once and written in place.  Leading
 * white space is skipped until the first kept character; `keep` remembers
 * the end of the last non-white character, which trims the tail.
 */
bool hm_field_clean(const char *s, size_t len, hm_clean_mode mode,
                    hm_strbuf *out, char *err, size_t errsz)
{
    bool code = mode == HM_CLEAN_CODE;
    size_t n = 0, keep = 0, nchar = 0;

    hm_strbuf_reset(out);
    hm_strbuf_grow(out, len);
    char *o = out->buf;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t k;
        if (c > 0x20 && c < 0x7f) {
            /* Printable ASCII, most of every file: kept as it is. */
            o[n++] = (char)c;
            keep = n;
            nchar++;
            i++;
            continue;
        }
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else if ((k = hm_utf8_decode(s + i, len - i, &cp)) == 0) {
            hm_strbuf_reset(out);
            return fail(err, errsz, "invalid utf-8 at byte %zu", i + 1);
        }
        nchar++;
        if (is_control(cp)) {
            char shownbuf[QUOTE_SZ * 2];
            show_controls(s, len, shownbuf, sizeof shownbuf);
            hm_strbuf_reset(out);
            return fail(err, errsz,
                        "control character U+%04" PRIX32 " at character %zu: '%s'",
                        cp, nchar, shownbuf);
        }
        if (is_bidi(cp) || (code && is_zero_width(cp))) {
            i += k;
            continue;
        }
        if (code && cp >= 0xff01 && cp <= 0xff5e) {
            o[n++] = (char)(cp - 0xfee0);   /* full-width ASCII, never white */
            keep = n;
        } else if (code && cp == 0x3000) {
            if (n > 0)
                o[n++] = ' ';
        } else if (hm_utf8_space(s + i, k) != k) {
            memcpy(o + n, s + i, k);
            n += k;
            keep = n;
        } else if (n > 0) {
            memcpy(o + n, s + i, k);
            n += k;
        }
        i += k;
    }
    out->len = keep;
    o[keep] = '\0';
    return true;
}

/* ---- dates ------------------------------------------------------------ */

/* Read the digits at *p (advancing it) into *v; returns how many there were. */
static int read_digits(const char **p, int *v)
{
    const char *q = *p;
    int n = 0, val = 0;
    while (is_digit(*q)) {
        if (n < 9)
            val = val * 10 + (*q - '0');
        n++;
        q++;
    }
    *p = q;
    *v = val;
    return n;
}

/* Whether s is a plain number: digits, optionally a point and digits. */
static bool plain_number(const char *s)
{
    const char *p = s;
    int v;
    if (read_digits(&p, &v) == 0)
        return false;
    if (*p == '.') {
        p++;
        if (read_digits(&p, &v) == 0)
            return false;
    }
    return *p == '\0';
}

/* Whether s is D/M/YYYY (any of - / . as separator): day or month first. */
static bool year_last(const char *s)
{
    const char *p = s;
    int v, n = read_digits(&p, &v);
    if (n < 1 || n > 2 || !strchr("-/.", *p) || !*p)
        return false;
    char sep = *p++;
    n = read_digits(&p, &v);
    if (n < 1 || n > 2 || *p != sep)
        return false;
    p++;
    return read_digits(&p, &v) == 4 && *p == '\0';
}

/* Parse H:MM or H:MM:SS at *p (advancing it); false when malformed. */
static bool read_time(const char **p, int *h, int *mi, int *se)
{
    const char *q = *p;
    int nh = read_digits(&q, h);
    if (nh < 1 || nh > 2 || *q != ':')
        return false;
    q++;
    if (read_digits(&q, mi) != 2)
        return false;
    *se = 0;
    if (*q == ':') {
        q++;
        if (read_digits(&q, se) != 2)
            return false;
    }
    *p = q;
    return true;
}

/* Whether t holds a 12-hour marker: am, pm, a.m. or p.m. (any case). */
static bool has_ampm(const char *t)
{
    for (const char *p = t; *p; p++) {
        char c = (char)(*p | 0x20);
        if (c != 'a' && c != 'p')
            continue;
        const char *q = p + 1;
        if (*q == '.')
            q++;
        if ((*q | 0x20) == 'm' && (p == t || !((p[-1] | 0x20) >= 'a'
                                               && (p[-1] | 0x20) <= 'z')))
            return true;
    }
    return false;
}

/*
 * The reason for what follows a well-formed date (rest) when it is not a
 * valid time: each of DESIGN.md's named refusals gets its own reason.
 */
static bool bad_time(const char *s, const char *rest, char *err, size_t errsz)
{
    char q[QUOTE_SZ];
    int h, mi, se;

    if (*rest == 'T' || *rest == 't')
        return fail(err, errsz, "time joined with 'T' not accepted: '%s' "
                    "(put a space between date and time)", shown(s, q));
    if (strstr(rest, "上午") || strstr(rest, "下午") || strstr(rest, "中午")
        || strstr(rest, "晚上"))
        return fail(err, errsz, "12-hour time (上午/下午) not accepted: '%s' "
                    "(write a 24-hour time such as 14:30)", shown(s, q));
    if (has_ampm(rest))
        return fail(err, errsz, "12-hour time (am/pm) not accepted: '%s' "
                    "(write a 24-hour time such as 14:30)", shown(s, q));
    const char *p = skip_blanks(rest);
    if (p == rest && is_digit(*p))
        return fail(err, errsz, "no space between date and time: '%s'",
                    shown(s, q));
    if (p != rest && read_time(&p, &h, &mi, &se)) {
        if (*p == '.' && is_digit(p[1]))
            return fail(err, errsz, "fractions of a second not accepted: '%s'",
                        shown(s, q));
        p = skip_blanks(p);
        if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-'
            || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
            return fail(err, errsz, "time zone not accepted: '%s'", shown(s, q));
    }
    if (is_digit(*skip_blanks(rest)))
        return fail(err, errsz, "not a valid time: '%s' (expected H:MM or "
                    "H:MM:SS from 0:00 to 23:59:59)", shown(s, q));
    return fail(err, errsz, "not a date: '%s' (expected YYYY-MM-DD)",
                shown(s, q));
}

/* The reason for a value that is not a date at all. */
static bool not_a_date(const char *s, char *err, size_t errsz)
{
    char q[QUOTE_SZ];
    if (plain_number(s)) {
        const char *p = s;
        int v;
        if (read_digits(&p, &v) == 8 && *p == '\0'
            && hm_date_valid(v / 10000, v / 100 % 100, v % 100))
            return fail(err, errsz, "not a date: '%s' (write it with "
                        "separators: %04d-%02d-%02d)", s, v / 10000,
                        v / 100 % 100, v % 100);
        return fail(err, errsz, "not a date: '%s' (looks like an Excel date "
                    "serial number: format the column as a date)", shown(s, q));
    }
    if (year_last(s))
        return fail(err, errsz, "not a date: '%s' (the year comes first: "
                    "YYYY-MM-DD)", shown(s, q));
    return fail(err, errsz, "not a date: '%s' (expected YYYY-MM-DD)",
                shown(s, q));
}

bool hm_field_date(const char *s, int32_t min_days, int32_t max_days,
                   int32_t *days, char *err, size_t errsz)
{
    char q[QUOTE_SZ];
    const char *p = s;
    int y, m, d, h = 0, mi = 0, se = 0;
    bool cjk;
    char sep = 0;

    if (read_digits(&p, &y) != 4)
        return not_a_date(s, err, errsz);
    if (*p == '-' || *p == '/' || *p == '.') {
        cjk = false;
        sep = *p++;
    } else if (starts(p, "年")) {
        cjk = true;
        p += strlen("年");
    } else {
        return not_a_date(s, err, errsz);
    }
    int nm = read_digits(&p, &m);
    if (nm < 1 || nm > 2)
        return not_a_date(s, err, errsz);
    if (cjk) {
        if (!starts(p, "月"))
            return not_a_date(s, err, errsz);
        p += strlen("月");
    } else if (*p == sep) {
        p++;
    } else if (*p == '-' || *p == '/' || *p == '.') {
        return fail(err, errsz, "mixed date separators: '%s'", shown(s, q));
    } else {
        return not_a_date(s, err, errsz);
    }
    int nd = read_digits(&p, &d);
    if (nd < 1 || nd > 2)
        return not_a_date(s, err, errsz);
    if (cjk) {
        if (starts(p, "日"))
            p += strlen("日");
        else if (starts(p, "号"))
            p += strlen("号");
        else
            return not_a_date(s, err, errsz);
    }

    /* What follows: nothing, or blanks and a 24-hour time. */
    const char *t = skip_blanks(p);
    if (*t != '\0') {
        if (t == p || !read_time(&t, &h, &mi, &se) || *skip_blanks(t) != '\0')
            return bad_time(s, p, err, errsz);
        if (h > 23 || mi > 59 || se > 59)
            return fail(err, errsz, "not a valid time: '%s' (expected H:MM or "
                        "H:MM:SS from 0:00 to 23:59:59)", shown(s, q));
    }

    if (!hm_date_valid(y, m, d))
        return fail(err, errsz, "not a calendar date: '%s'", shown(s, q));
    int32_t v = hm_days_from_civil(y, m, d);
    if (v < min_days) {
        char lim[11];
        hm_date_format(min_days, lim);
        return fail(err, errsz, "date before %s: '%s'", lim, shown(s, q));
    }
    if (v > max_days) {
        char lim[11];
        hm_date_format(max_days, lim);
        return fail(err, errsz, "date in the future: '%s' (today is %s)",
                    shown(s, q), lim);
    }
    *days = v;
    return true;
}

/* ---- money ------------------------------------------------------------ */

/* Bytes of a thousands separator (',' or U+FF0C) at p, or 0. */
static size_t comma_len(const char *p)
{
    if (*p == ',')
        return 1;
    return starts(p, "，") ? strlen("，") : 0;
}

/* Bytes of a yuan sign (U+00A5 or U+FFE5) at p, or 0. */
static size_t yuan_sign_len(const char *p)
{
    if (starts(p, "¥"))
        return strlen("¥");
    return starts(p, "￥") ? strlen("￥") : 0;
}

/* The reason for a sign at p (after any yuan sign), or NULL. */
static const char *sign_reason(const char *p)
{
    if (*p == '-' || starts(p, "−"))
        return "negative amount";
    if (*p == '+')
        return "sign not allowed";
    return NULL;
}

/* Append digit c to *yuan unless already past the limit (then *over). */
static void add_digit(int64_t *yuan, bool *over, char c)
{
    if (*over)
        return;
    *yuan = *yuan * 10 + (c - '0');
    if (*yuan > MONEY_MAX_YUAN)
        *over = true;
}

bool hm_field_money(const char *s, bool positive, int64_t *fen,
                    char *err, size_t errsz)
{
    char q[QUOTE_SZ];
    const char *p = s, *why;
    int64_t yuan = 0;
    bool over = false;
    size_t k;

    if ((why = sign_reason(p)) != NULL)
        return fail(err, errsz, "%s: '%s'", why, shown(s, q));
    if ((k = yuan_sign_len(p)) != 0)
        p = skip_blanks(p + k);
    if ((why = sign_reason(p)) != NULL)
        return fail(err, errsz, "%s: '%s'", why, shown(s, q));

    /* Whole yuan: plain digits, or one to three digits and ",ddd" groups. */
    const char *start = p;
    while (is_digit(*p))
        add_digit(&yuan, &over, *p++);
    size_t lead = (size_t)(p - start);
    if (lead == 0) {
        if (*p == '.' && is_digit(p[1]))
            return fail(err, errsz, "no digits before the decimal point: '%s'",
                        shown(s, q));
        return fail(err, errsz, "not an amount: '%s'", shown(s, q));
    }
    if (comma_len(p)) {
        if (lead > 3 || *start == '0')
            return fail(err, errsz, "misplaced thousands separator: '%s'",
                        shown(s, q));
        while ((k = comma_len(p)) != 0) {
            p += k;
            int group = 0;
            while (is_digit(*p)) {
                add_digit(&yuan, &over, *p++);
                group++;
            }
            if (group != 3)
                return fail(err, errsz, "misplaced thousands separator: '%s'",
                            shown(s, q));
        }
    }

    /* Fen: a point and one or two digits. */
    int cents = 0;
    if (*p == '.') {
        int nf = 0;
        for (p++; is_digit(*p); p++, nf++)
            if (nf < 2)
                cents = cents * 10 + (*p - '0');
        if (nf == 0)
            return fail(err, errsz, "no digits after the decimal point: '%s'",
                        shown(s, q));
        if (nf > 2)
            return fail(err, errsz, "more than two decimals: '%s'", shown(s, q));
        if (nf == 1)
            cents *= 10;
    }
    if (*p == 'e' || *p == 'E')
        return fail(err, errsz, "scientific notation not accepted: '%s' "
                    "(format the column as a number)", shown(s, q));
    p = skip_blanks(p);
    if (starts(p, "元"))
        p = skip_blanks(p + strlen("元"));
    if (*p != '\0')
        return fail(err, errsz, "not an amount: '%s'", shown(s, q));
    if (over || (yuan == MONEY_MAX_YUAN && cents > 0))
        return fail(err, errsz, "amount over 1,000,000,000,000 yuan: '%s'",
                    shown(s, q));
    if (positive && yuan == 0 && cents == 0)
        return fail(err, errsz, "amount must be above zero: '%s'", shown(s, q));
    *fen = yuan * 100 + cents;
    return true;
}

void hm_fen_format(int64_t fen, char out[32])
{
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(out, 32, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", u / 100,
             (unsigned)(u % 100));
}

/* ---- minutes, enumerations, needs ------------------------------------- */

bool hm_field_minutes(const char *s, int *minutes, char *err, size_t errsz)
{
    char q[QUOTE_SZ];
    const char *p = s;
    int v, h, mi;

    while (*p == '0' && is_digit(p[1]))
        p++;
    int n = read_digits(&p, &v);
    if (n == 0 || *p != '\0') {
        const char *t = s;
        int se;
        if (read_time(&t, &h, &mi, &se) && *t == '\0')
            return fail(err, errsz, "not a whole number of minutes: '%s' "
                        "(write minutes, e.g. 90)", shown(s, q));
        return fail(err, errsz, "not a whole number of minutes: '%s'",
                    shown(s, q));
    }
    if (n > 4 || v > MINUTES_MAX)
        return fail(err, errsz, "minutes out of range 0 to 1440: '%s'",
                    shown(s, q));
    *minutes = v;
    return true;
}

bool hm_field_enum(const hm_enum *e, const char *s, const char **code,
                   char *err, size_t errsz)
{
    char q[QUOTE_SZ], list[512];
    size_t n = strlen(s), o = 0;

    for (size_t i = 0; i < e->nvalues; i++) {
        if (ascii_ieq(s, n, e->values[i].code)
            || ascii_ieq(s, n, e->values[i].label)) {
            *code = e->values[i].code;
            return true;
        }
    }
    list[0] = '\0';
    for (size_t i = 0; i < e->nvalues && o < sizeof list; i++) {
        int w = snprintf(list + o, sizeof list - o, "%s%s/%s", i ? ", " : "",
                         e->values[i].code, e->values[i].label);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    if (o >= sizeof list)
        list[utf8_whole(list, sizeof list - 1)] = '\0';
    return fail(err, errsz, "unknown %s: '%s' (expected one of %s)", e->name,
                shown(s, q), list);
}

/* Spellings of a need beyond its code and label: the halves of two-part
 * labels, and 实现"微心愿" with other quotes or none. */
static const struct need_alias {
    const char *text;
    const char *code;
} need_aliases[] = {
    { "亲情关爱", "affection" }, { "心理疏导", "affection" },
    { "电话连线", "contact" }, { "走访探视", "contact" },
    { "亲子阅读", "reading" }, { "亲子研学", "reading" },
    { "陪过节日", "festival" }, { "陪过生日", "festival" },
    { "微心愿", "wish" }, { "实现微心愿", "wish" },
    { "实现“微心愿”", "wish" }, { "“微心愿”", "wish" }, { "\"微心愿\"", "wish" },
};

/* Index in hm_enum_needs of the need that part (n bytes) names, or -1. */
static int need_index(const char *part, size_t n)
{
    const hm_enum *e = &hm_enum_needs;
    const char *code = NULL;

    for (size_t i = 0; i < sizeof need_aliases / sizeof need_aliases[0]; i++)
        if (bytes_eq(part, n, need_aliases[i].text))
            code = need_aliases[i].code;
    for (size_t i = 0; i < e->nvalues; i++) {
        if (code ? strcmp(code, e->values[i].code) == 0
                 : (ascii_ieq(part, n, e->values[i].code)
                    || bytes_eq(part, n, e->values[i].label)))
            return (int)i;
    }
    return -1;
}

/* Bytes of a needs separator (; ； , ， | ｜) at p, or 0. */
static size_t needs_sep_len(const char *p)
{
    if (*p == ';' || *p == ',' || *p == '|')
        return 1;
    if (starts(p, "；") || starts(p, "，") || starts(p, "｜"))
        return 3;
    return 0;
}

bool hm_field_needs(const char *s, hm_strbuf *out, char *err, size_t errsz)
{
    const hm_enum *e = &hm_enum_needs;
    char q[QUOTE_SZ];
    uint32_t seen = 0;
    const char *p = s;

    hm_strbuf_reset(out);
    for (;;) {
        const char *a = p;
        while (*p && !needs_sep_len(p))
            p++;
        size_t m = (size_t)(p - a);
        a = hm_utf8_trim(a, &m);
        const char *b = a + m;
        if (b > a) {
            int i = need_index(a, (size_t)(b - a));
            if (i < 0) {
                const char *hint = " (expected affection, contact, reading, "
                                   "festival, wish, other or their labels)";
                if (contains(a, (size_t)(b - a), "、"))
                    hint = " (separate several needs with ';')";
                return fail(err, errsz, "unknown need '%s'%s",
                            shown_n(a, (size_t)(b - a), q), hint);
            }
            seen |= UINT32_C(1) << i;
        }
        if (!*p)
            break;
        p += needs_sep_len(p);
    }
    for (size_t i = 0; i < e->nvalues; i++) {
        if (seen & (UINT32_C(1) << i)) {
            if (out->len)
                hm_strbuf_addc(out, ';');
            hm_strbuf_adds(out, e->values[i].code);
        }
    }
    return true;
}
