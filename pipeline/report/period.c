/*
 * period.c - a report's period, parsed once from the command line (see
 * period.h).  Every check a period's text needs is here, and so is every
 * range derived from it, so the command layer, the report job and the
 * queries' parameters agree on what "2026-11" means.
 */
#include "himama/period.h"
#include "himama/util.h"

#include <stdio.h>
#include <string.h>

/* The earliest day a period may start on. */
#define FIRST_YEAR 2000

static const char *const kind_names[] = { "monthly", "halfyear", "annual", "range", "child" };

const char *hm_period_kind_name(hm_period_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "";
}

bool hm_period_kind_parse(const char *name, hm_period_kind *kind)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (hm_period_kind)i;
            return true;
        }
    return false;
}

/* The first day of month m (may be 0 or 13: the month before or after) of year y. */
static int32_t month_start(int y, int m)
{
    if (m < 1) {
        m += 12;
        y--;
    } else if (m > 12) {
        m -= 12;
        y++;
    }
    return hm_days_from_civil(y, m, 1);
}

/* Set span s to the days first..last. */
static void span_set(hm_span *s, int32_t first, int32_t last)
{
    s->first = first;
    s->last = last;
    hm_date_format(first, s->from);
    hm_date_format(last, s->to);
}

/* True when s[0..n) are n decimal digits. */
static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The month "YYYY-MM" into its first and last days. */
static bool parse_month(const char *s, int32_t *first, int32_t *last)
{
    char buf[16];
    int y, m, d;
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    snprintf(buf, sizeof buf, "%s-01", s);
    if (!hm_date_parse_iso(buf, first))
        return false;
    hm_civil_from_days(*first, &y, &m, &d);
    *last = month_start(y, m + 1) - 1;
    return y >= FIRST_YEAR;
}

/* The half year "YYYY-H1" or "YYYY-H2" into its first and last days. */
static bool parse_half(const char *s, int32_t *first, int32_t *last)
{
    if (strlen(s) != 7 || !digits(s, 4) || s[4] != '-' || s[5] != 'H' ||
        (s[6] != '1' && s[6] != '2'))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *first = hm_days_from_civil(y, s[6] == '1' ? 1 : 7, 1);
    *last = s[6] == '1' ? hm_days_from_civil(y, 6, 30) : hm_days_from_civil(y, 12, 31);
    return y >= FIRST_YEAR;
}

/* The year "YYYY" into its first and last days. */
static bool parse_year(const char *s, int32_t *first, int32_t *last)
{
    if (strlen(s) != 4 || !digits(s, 4))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *first = hm_days_from_civil(y, 1, 1);
    *last = hm_days_from_civil(y, 12, 31);
    return y >= FIRST_YEAR;
}

/* The day "YYYY-MM-DD" (2000-01-01 or later) into *day. */
static bool parse_day(const char *s, int32_t *day)
{
    return s && hm_date_parse_iso(s, day) && *day >= hm_days_from_civil(FIRST_YEAR, 1, 1);
}

void hm_period_from_days(hm_period_kind kind, int32_t first, int32_t last, hm_period *p)
{
    int y, m, d;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->first = first;
    p->last = last;
    hm_date_format(first, p->from);
    hm_date_format(last, p->to);
    hm_civil_from_days(first, &y, &m, &d);
    switch (kind) {
    case HM_PERIOD_MONTHLY:
        snprintf(p->label, sizeof p->label, "%04d-%02d", y % 10000, m % 100);
        span_set(&p->prev, month_start(y, m - 1), first - 1);
        break;
    case HM_PERIOD_HALFYEAR:
        snprintf(p->label, sizeof p->label, "%04d-H%d", y % 10000, m <= 6 ? 1 : 2);
        break;
    case HM_PERIOD_ANNUAL:
        snprintf(p->label, sizeof p->label, "%04d", y % 10000);
        break;
    case HM_PERIOD_RANGE:
    case HM_PERIOD_RECORD:   /* hm_period_record names it after its subject */
        snprintf(p->label, sizeof p->label, "%s_%s", p->from, p->to);
        break;
    }
    if (kind != HM_PERIOD_MONTHLY)
        span_set(&p->prev, first - (last - first + 1), first - 1);
    hm_civil_from_days(last, &y, &m, &d);
    span_set(&p->ytd, hm_days_from_civil(y, 1, 1), last);
    span_set(&p->next_month, month_start(y, m + 1), month_start(y, m + 2) - 1);
}

/* Append s to out[*len..] as one folder name's bytes; false when it does not fit. */
static bool label_add(char *out, size_t outsz, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        bool plain = *c >= 0x20 && *c != 0x7f && *c != '/' && *c != '\\' && *c != '%' &&
                     !(*len == 0 && *c == '.');
        if (*len + (plain ? 1 : 3) >= outsz)
            return false;
        if (plain) {
            out[(*len)++] = (char)*c;
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[*c >> 4];
            out[(*len)++] = hex[*c & 15];
        }
    }
    out[*len] = '\0';
    return true;
}

hm_error hm_period_record(const char *child, const char *town, int32_t today, hm_period *p,
                          char *err, size_t errsz)
{
    const char *subject = child ? child : town;
    size_t len = 0;
    if (!subject || !*subject)
        return hm_fail(HM_EUSAGE, err, errsz, "a record needs a child's id or --town CODE");
    hm_period_from_days(HM_PERIOD_RECORD, hm_days_from_civil(FIRST_YEAR, 1, 1), today, p);
    if (!child)
        len = (size_t)snprintf(p->label, sizeof p->label, "town-");
    if (!label_add(p->label, sizeof p->label, &len, subject))
        return hm_fail(HM_EUSAGE, err, errsz, "'%s' is too long for a folder's name", subject);
    return HM_OK;
}

void hm_period_month_before(int32_t day, hm_period *p)
{
    int y, m, d;
    hm_civil_from_days(day, &y, &m, &d);
    int32_t first = month_start(y, m - 1);
    hm_period_from_days(HM_PERIOD_MONTHLY, first, hm_days_from_civil(y, m, 1) - 1, p);
}

/* The range "FROM TO" of two days into *p. */
static hm_error parse_range(const char *arg1, const char *arg2, hm_period *p, char *err,
                            size_t errsz)
{
    int32_t first, last;
    if (!parse_day(arg1, &first) || !parse_day(arg2, &last))
        return hm_fail(HM_EUSAGE, err, errsz, "range needs two dates 'YYYY-MM-DD YYYY-MM-DD' "
                       "(2000-01-01 or later)");
    if (last < first)
        return hm_fail(HM_EUSAGE, err, errsz, "range ends (%s) before it starts (%s)", arg2,
                       arg1);
    hm_period_from_days(HM_PERIOD_RANGE, first, last, p);
    return HM_OK;
}

hm_error hm_period_parse(const char *kind, const char *arg1, const char *arg2, hm_period *p,
                         char *err, size_t errsz)
{
    hm_period_kind k;
    int32_t first = 0, last = 0;
    bool ok = false;
    const char *want = "";
    if (!hm_period_kind_parse(kind, &k) || k == HM_PERIOD_RECORD)
        return hm_fail(HM_EUSAGE, err, errsz, "unknown report '%s' (monthly, halfyear, annual "
                       "or range)", kind ? kind : "");
    if (k == HM_PERIOD_RANGE)
        return parse_range(arg1, arg2, p, err, errsz);
    if (arg2)
        return hm_fail(HM_EUSAGE, err, errsz, "unexpected argument '%s' (see 'himama help "
                       "report')", arg2);
    switch (k) {
    case HM_PERIOD_MONTHLY:
        ok = arg1 && parse_month(arg1, &first, &last);
        want = "a month 'YYYY-MM'";
        break;
    case HM_PERIOD_HALFYEAR:
        ok = arg1 && parse_half(arg1, &first, &last);
        want = "a half year 'YYYY-H1' or 'YYYY-H2'";
        break;
    case HM_PERIOD_ANNUAL:
        ok = arg1 && parse_year(arg1, &first, &last);
        want = "a year 'YYYY'";
        break;
    case HM_PERIOD_RANGE:
    case HM_PERIOD_RECORD:
        break;
    }
    if (!ok)
        return hm_fail(HM_EUSAGE, err, errsz, "%s needs %s (2000 or later), not '%s'", kind,
                       want, arg1 ? arg1 : "");
    hm_period_from_days(k, first, last, p);
    return HM_OK;
}
