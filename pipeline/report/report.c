/*
 * report.c - the report model's shared pieces: freeing, formatting values
 * for display, and the public-audience guard both renderers call.
 */
#include "himama/report.h"
#include "himama/spill.h"
#include "himama/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const hm_forbidden_public[] = {
    "child_name", "guardian", "guardian_phone", "phone", "volunteer_phone",
    "school", "class_teacher", "birth_date", NULL
};

static void table_release(hm_table *t)
{
    for (size_t i = 0; i < t->nrow * t->ncol; i++)
        if (t->cells[i].type == HM_V_TEXT)
            free(t->cells[i].s);
    free(t->cells);
    for (size_t c = 0; c < t->ncol; c++) {
        free(t->cols[c].name);
        free(t->cols[c].label);
        free(t->cols[c].child_by);
    }
    free(t->cols);
    hm_spill_free(t->spill);
    memset(t, 0, sizeof *t);
}

void hm_table_mark_children(hm_table *t)
{
    for (size_t c = 0; c < t->ncol; c++) {
        const char *by = t->cols[c].child_by;
        size_t f;
        if (!by)
            continue;
        for (f = 0; f < t->ncol && strcmp(t->cols[f].name, by) != 0; f++)
            ;
        if (f == t->ncol)
            continue;
        for (size_t row = 0; row < t->nrow; row++) {
            const hm_value *flag = hm_table_cell(t, row, f);
            bool on = (flag->type == HM_V_INT && flag->i != 0) ||
                      (flag->type == HM_V_REAL && flag->r != 0.0) ||
                      (flag->type == HM_V_TEXT && strcmp(flag->s, "0") != 0 && flag->s[0]);
            t->cells[row * t->ncol + c].child = on;
        }
    }
}

size_t hm_table_rows(const hm_table *t)
{
    return t->spill ? hm_spill_rows(t->spill) : t->nrow;
}

hm_error hm_table_row(const hm_table *t, size_t row, const hm_value **out, char *err,
                      size_t errsz)
{
    if (row < t->nrow) {
        *out = hm_table_cell(t, row, 0);
        return HM_OK;
    }
    if (!t->spill) {
        *out = NULL;
        return hm_fail(HM_EIO, err, errsz, "row %zu asked of a table of %zu rows", row + 1,
                       t->nrow);
    }
    return hm_spill_row(t->spill, row, out, err, errsz);
}

void hm_report_free(hm_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsec; i++) {
        hm_section *s = &r->sec[i];
        free(s->id);
        free(s->heading);
        free(s->sheet);
        free(s->intro);
        free(s->note);
        free(s->empty);
        free(s->series_cols);
        free(s->query);
        free(s->row_depth);
        table_release(&s->table);
    }
    free(r->sec);
    for (size_t i = 0; i < r->nfig; i++) {
        free(r->fig[i].key);
        if (r->fig[i].value.type == HM_V_TEXT)
            free(r->fig[i].value.s);
    }
    free(r->fig);
    free(r->unit_level);
    free(r->unit_path);
    free(r->today);
    free(r->unfinished);
    free(r->kind);
    free(r->period);
    free(r->from);
    free(r->to);
    free(r->audience);
    free(r->lang);
    free(r->title);
    free(r->subtitle);
    free(r->org);
    free(r->generated_at);
    free(r->footer);
    free(r);
}

/* Write the decimal digits of v with ',' every three digits. */
static void group_thousands(uint64_t v, char *out, size_t outsz)
{
    char digits[32], tmp[48];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t j = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            tmp[j++] = ',';
        tmp[j++] = digits[i];
    }
    tmp[j] = '\0';
    snprintf(out, outsz, "%s", tmp);
}

bool hm_value_hidden(const hm_value *v, const hm_colspec *spec, bool public_audience)
{
    /* the columns the rule covers */
    if (!public_audience || !spec || !(spec->child_count || v->child) ||
        spec->format == HM_FMT_PERCENT)
        return false;
    int64_t i;
    if (v->type == HM_V_INT)
        i = v->i;
    else if (v->type == HM_V_REAL)
        i = (int64_t)llround(v->r);
    else
        return false;
    return i > 0 && i < 3;
}

void hm_value_format(const hm_value *v, const hm_colspec *spec, bool public_audience,
                     char *out, size_t outsz)
{
    char num[48];
    if (outsz == 0)
        return;
    out[0] = '\0';
    switch (v->type) {
    case HM_V_NULL:
        return;
    case HM_V_TEXT:
        snprintf(out, outsz, "%s", v->s);
        return;
    case HM_V_INT:
    case HM_V_REAL:
        break;
    }
    double r = v->type == HM_V_INT ? (double)v->i : v->r;
    int64_t i = v->type == HM_V_INT ? v->i : (int64_t)llround(v->r);
    if (hm_value_hidden(v, spec, public_audience)) {
        snprintf(out, outsz, "<3");
        return;
    }
    switch (spec ? spec->format : HM_FMT_INT) {
    case HM_FMT_MONEY: {
        int64_t fen = i;
        uint64_t a = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
        group_thousands(a / 100, num, sizeof num);
        snprintf(out, outsz, "%s%s.%02u", fen < 0 ? "-" : "", num, (unsigned)(a % 100));
        return;
    }
    case HM_FMT_PERCENT:
        snprintf(out, outsz, "%.1f%%", r * 100.0);
        return;
    case HM_FMT_REAL:
        snprintf(out, outsz, "%.1f", r);
        return;
    case HM_FMT_TEXT:
    case HM_FMT_DATE:
        if (v->type == HM_V_REAL)
            snprintf(out, outsz, "%g", r);
        else
            snprintf(out, outsz, "%lld", (long long)i);
        return;
    case HM_FMT_INT:
        break;
    }
    uint64_t a = i < 0 ? (uint64_t)(-(i + 1)) + 1 : (uint64_t)i;
    group_thousands(a, num, sizeof num);
    snprintf(out, outsz, "%s%s", i < 0 ? "-" : "", num);
}

hm_error hm_section_check_public(const hm_report *r, size_t s, char *err, size_t errsz)
{
    if (!r->audience || strcmp(r->audience, "public") != 0)
        return HM_OK;
    const hm_table *t = &r->sec[s].table;
    for (size_t c = 0; c < t->ncol; c++) {
        for (const char *const *f = hm_forbidden_public; *f; f++) {
            if (strcmp(t->cols[c].name, *f) == 0) {
                snprintf(err, errsz, "refusing to write a public report: section '%s' "
                         "has the column '%s'", r->sec[s].id ? r->sec[s].id : "?", *f);
                return HM_EPRIVACY;
            }
        }
    }
    return HM_OK;
}

hm_error hm_report_check_public(const hm_report *r, char *err, size_t errsz)
{
    for (size_t s = 0; s < r->nsec; s++) {
        hm_error rc = hm_section_check_public(r, s, err, errsz);
        if (rc != HM_OK)
            return rc;
    }
    return HM_OK;
}
