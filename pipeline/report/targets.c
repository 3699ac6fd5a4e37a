/*
 * targets.c - the work-plan targets file and the targets section's rows
 * (targets.h).
 */
#include "himama/targets.h"
#include "himama/conf.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TARGET_MAX INT64_C(1000000000000)

const hm_target_def hm_target_defs[HM_TGT_N] = {
    { "children_paired", "children_paired", "结对儿童（名）", "Children paired" },
    { "contact_rate", "contact_rate", "月均联系率", "Contact rate (monthly mean)" },
    { "calls", "calls", "亲情连线（次）", "Calls" },
    { "reading", "reading", "陪你阅读（次）", "Reading sessions" },
    { "holiday", "holiday", "假日亲子活动（场）", "Holiday activities" },
    { "birthdays", "birthdays", "陪过生日（次）", "Birthdays accompanied" },
    { "wishes", "wishes_fulfilled", "实现微心愿（个）", "Wishes fulfilled" },
    { "hours", "volunteer_hours", "志愿服务时长（小时）", "Service hours" },
    { "donations", "donations_fen", "募集善款（元）", "Money raised (yuan)" },
};

/* The parser's state: the targets being filled and the message. */
typedef struct tgt_parse {
    hm_targets *t;
    char why[256];
} tgt_parse;

/* One "key = value" of the targets file (conf.h); NULL when fine, else why not. */
static const char *tgt_pair(void *arg, const char *key, const char *val)
{
    tgt_parse *P = arg;
    int k = -1;
    for (int i = 0; i < HM_TGT_N; i++)
        if (strcmp(key, hm_target_defs[i].key) == 0)
            k = i;
    if (k < 0) {
        snprintf(P->why, sizeof P->why, "unknown key '%s' (children_paired, contact_rate, "
                 "calls, reading, holiday, birthdays, wishes, hours, donations)", key);
        return P->why;
    }
    if (P->t->set[k]) {
        snprintf(P->why, sizeof P->why, "'%s' is given twice", key);
        return P->why;
    }
    char num[32];
    size_t n = strlen(val);
    bool rate = k == HM_TGT_CONTACT_RATE;
    if (rate && n && val[n - 1] == '%')
        n--;
    while (rate && n && val[n - 1] == ' ')
        n--;
    snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : sizeof num - 1), val);
    if (n >= sizeof num || !hm_conf_count(num, rate ? 100 : TARGET_MAX, &P->t->value[k])) {
        if (rate)
            snprintf(P->why, sizeof P->why, "'contact_rate' must be a whole percent from 0 "
                     "to 100 (90 or 90%%), not '%s'", val);
        else
            snprintf(P->why, sizeof P->why, "'%s' must be a whole number from 0 to "
                     "1000000000000, not '%s'", key, val);
        return P->why;
    }
    P->t->set[k] = true;
    return NULL;
}

hm_error hm_targets_parse(const char *name, const char *text, hm_targets *t, char *err,
                          size_t errsz)
{
    tgt_parse P = { .t = t };
    memset(t, 0, sizeof *t);
    return hm_conf_read(name, text, tgt_pair, &P, err, errsz);
}

hm_error hm_targets_load(const char *path, hm_targets *t, char *err, size_t errsz)
{
    struct stat sb;
    tgt_parse P = { .t = t };
    memset(t, 0, sizeof *t);
    if (stat(path, &sb) != 0 && errno == ENOENT)
        return HM_OK;   /* no file: no targets */
    return hm_conf_load(path, "the targets", tgt_pair, &P, err, errsz);
}

bool hm_targets_any(const hm_targets *t)
{
    for (int i = 0; t && i < HM_TGT_N; i++)
        if (t->set[i])
            return true;
    return false;
}

/* The index of the column called name in tbl, or SIZE_MAX. */
static size_t col_named(const hm_table *tbl, const char *name)
{
    for (size_t c = 0; c < tbl->ncol; c++)
        if (strcmp(tbl->cols[c].name, name) == 0)
            return c;
    return SIZE_MAX;
}

/* Set cell c of row to text s (c may be SIZE_MAX: no such column). */
static void put_text(hm_value *row, size_t c, const char *s)
{
    if (c != SIZE_MAX)
        row[c] = (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup(s) };
}

/* Target k as a value of the figure's units: fen, a fraction, a count. */
static hm_value target_value(const hm_targets *t, int k)
{
    if (k == HM_TGT_CONTACT_RATE)
        return (hm_value){ .type = HM_V_REAL, .r = (double)t->value[k] / 100.0 };
    if (k == HM_TGT_DONATIONS)
        return (hm_value){ .type = HM_V_INT, .i = t->value[k] * 100 };
    return (hm_value){ .type = HM_V_INT, .i = t->value[k] };
}

/* A value as a number (0 for NULL or text). */
static double as_real(const hm_value *v)
{
    return v->type == HM_V_INT ? (double)v->i : v->type == HM_V_REAL ? v->r : 0.0;
}

void hm_targets_rows(const hm_targets *t, const char *lang, bool public_audience,
                     hm_target_lookup lookup, void *arg, hm_table *tbl)
{
    bool en = lang && strcmp(lang, "en") == 0;
    size_t cl = col_named(tbl, "label"), ct = col_named(tbl, "target");
    size_t ca = col_named(tbl, "actual"), cs = col_named(tbl, "share");
    size_t n = 0;
    for (int k = 0; k < HM_TGT_N; k++)
        n += t && t->set[k];
    tbl->cells = hm_xcalloc(n * tbl->ncol + 1, sizeof *tbl->cells);
    tbl->nrow = 0;
    for (int k = 0; t && k < HM_TGT_N; k++) {
        if (!t->set[k])
            continue;
        const hm_target_def *d = &hm_target_defs[k];
        hm_value *row = &tbl->cells[tbl->nrow++ * tbl->ncol];
        hm_target_actual a = lookup(arg, d->figure);
        hm_value tv = target_value(t, k);
        hm_colspec spec = { .format = a.value ? a.format
                                     : k == HM_TGT_CONTACT_RATE ? HM_FMT_PERCENT
                                     : k == HM_TGT_DONATIONS ? HM_FMT_MONEY : HM_FMT_INT };
        char buf[64];
        put_text(row, cl, en ? d->en : d->zh);
        hm_value_format(&tv, &spec, false, buf, sizeof buf);
        put_text(row, ct, buf);
        if (!a.value || a.value->type == HM_V_NULL)
            snprintf(buf, sizeof buf, "—");
        else if (a.hidden && public_audience)
            snprintf(buf, sizeof buf, "<3");
        else
            hm_value_format(a.value, &spec, false, buf, sizeof buf);
        put_text(row, ca, buf);
        if (cs != SIZE_MAX && a.value && a.value->type != HM_V_NULL && a.value->type != HM_V_TEXT
            && !(a.hidden && public_audience) && as_real(&tv) > 0)
            row[cs] = (hm_value){ .type = HM_V_REAL, .r = as_real(a.value) / as_real(&tv) };
    }
}
