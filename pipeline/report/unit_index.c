/*
 * unit_index.c - the rows of units/index.xlsx and their model
 * (unit_index.h).
 */
#include "himama/unit_index.h"
#include "himama/util.h"

#include <stdlib.h>
#include <string.h>

/* A copy of v, or "<3" when the figure is hidden. */
static hm_value value_copy(const hm_figure *f)
{
    hm_value v = f->value;
    if (f->hidden)
        return (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup("<3") };
    if (v.type == HM_V_TEXT)
        v.s = hm_xstrdup(v.s);
    v.child = false;
    return v;
}

void hm_unit_index_add(hm_unit_index *x, const hm_unit *u, const hm_report *r)
{
    if (x->nrow == 0) {
        x->model = hm_xcalloc(1, sizeof *x->model);
        x->model->kind = hm_xstrdup(r->kind);
        x->model->period = hm_xstrdup(r->period);
        x->model->from = hm_xstrdup(r->from);
        x->model->to = hm_xstrdup(r->to);
        x->model->audience = hm_xstrdup(r->audience);
        x->model->lang = hm_xstrdup(r->lang);
        x->model->generated_at = hm_xstrdup(r->generated_at ? r->generated_at : "");
        x->model->today = hm_xstrdup(r->today ? r->today : "");
        x->model->complete = r->complete;
        x->model->org = hm_xstrdup(r->org ? r->org : "");
        x->key = hm_xcalloc(r->nfig + 1, sizeof *x->key);
        x->format = hm_xcalloc(r->nfig + 1, sizeof *x->format);
        for (size_t i = 0; i < r->nfig; i++) {
            if (!r->fig[i].present)
                continue;
            x->key[x->nfig] = hm_xstrdup(r->fig[i].key);
            x->format[x->nfig++] = r->fig[i].format;
        }
    }
    hm_unit_index_row w = hm_unit_index_row_of(x, u, r);
    hm_unit_index_push(x, &w);
}

hm_unit_index_row hm_unit_index_row_of(const hm_unit_index *x, const hm_unit *u,
                                       const hm_report *r)
{
    hm_unit_index_row w;
    memset(&w, 0, sizeof w);
    if (u) {
        w.level = hm_xstrdup(u->level);
        w.path = hm_xstrdup(u->path);
        w.name = hm_xstrdup(u->name);
    }
    w.fig = hm_xcalloc(x->nfig + 1, sizeof *w.fig);
    for (size_t k = 0; k < x->nfig; k++)
        for (size_t i = 0; i < r->nfig; i++)
            if (r->fig[i].present && strcmp(r->fig[i].key, x->key[k]) == 0)
                w.fig[k] = value_copy(&r->fig[i]);
    return w;
}

void hm_unit_index_push(hm_unit_index *x, hm_unit_index_row *w)
{
    if (x->nrow == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 16;
        x->row = hm_xrealloc(x->row, x->cap * sizeof *x->row);
    }
    x->row[x->nrow++] = *w;
    memset(w, 0, sizeof *w);
}

/* A text value (a copy of s; NULL stays NULL). */
static hm_value text(const char *s)
{
    return s ? (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup(s) } : (hm_value){ 0 };
}

/* Column c of t: name, label and format. */
static void col_set(hm_table *t, size_t c, const char *name, const char *label, hm_format f)
{
    t->cols[c].name = hm_xstrdup(name);
    t->cols[c].label = hm_xstrdup(label);
    t->cols[c].format = f;
}

hm_report *hm_unit_index_model(const hm_unit_index *x)
{
    if (!x->model)
        return NULL;
    bool en = strcmp(x->model->lang, "en") == 0;
    hm_report *r = hm_xcalloc(1, sizeof *r);
    const hm_report *m = x->model;
    r->kind = hm_xstrdup(m->kind);
    r->period = hm_xstrdup(m->period);
    r->from = hm_xstrdup(m->from);
    r->to = hm_xstrdup(m->to);
    r->audience = hm_xstrdup(m->audience);
    r->lang = hm_xstrdup(m->lang);
    r->generated_at = hm_xstrdup(m->generated_at);
    r->today = hm_xstrdup(m->today);
    r->complete = m->complete;
    r->org = hm_xstrdup(m->org);
    r->title = hm_xstrdup(en ? "Headline figures by unit" : "各单位主要数据");
    r->subtitle = hm_xstrdup(m->period);
    r->nsec = 1;
    r->sec = hm_xcalloc(1, sizeof *r->sec);
    hm_section *s = &r->sec[0];
    s->kind = HM_SEC_TABLE;
    s->id = hm_xstrdup("units");
    s->heading = hm_xstrdup(en ? "Units" : "各单位");
    s->sheet = hm_xstrdup(en ? "Units" : "各单位");
    hm_table *t = &s->table;
    t->ncol = 3 + x->nfig;
    t->cols = hm_xcalloc(t->ncol, sizeof *t->cols);
    col_set(t, 0, "level", en ? "Level" : "级别", HM_FMT_TEXT);
    col_set(t, 1, "path", en ? "Unit" : "单位", HM_FMT_TEXT);
    col_set(t, 2, "name", en ? "Name" : "名称", HM_FMT_TEXT);
    for (size_t k = 0; k < x->nfig; k++)
        col_set(t, 3 + k, x->key[k], x->key[k], x->format[k]);
    t->nrow = x->nrow;
    t->cells = hm_xcalloc(t->nrow * t->ncol + 1, sizeof *t->cells);
    for (size_t i = 0; i < x->nrow; i++) {
        const hm_unit_index_row *w = &x->row[i];
        hm_value *v = &t->cells[i * t->ncol];
        v[0] = text(w->level ? w->level : en ? "whole" : "全部");
        v[1] = text(w->path);
        v[2] = text(w->name);
        for (size_t k = 0; k < x->nfig; k++) {
            v[3 + k] = w->fig[k];
            if (v[3 + k].type == HM_V_TEXT)
                v[3 + k].s = hm_xstrdup(v[3 + k].s);
        }
    }
    return r;
}

void hm_unit_index_release(hm_unit_index *x)
{
    for (size_t i = 0; i < x->nrow; i++) {
        hm_unit_index_row *w = &x->row[i];
        free(w->level);
        free(w->path);
        free(w->name);
        for (size_t k = 0; k < x->nfig; k++)
            if (w->fig[k].type == HM_V_TEXT)
                free(w->fig[k].s);
        free(w->fig);
    }
    free(x->row);
    for (size_t k = 0; k < x->nfig; k++)
        free(x->key[k]);
    free(x->key);
    free(x->format);
    hm_report_free(x->model);
    memset(x, 0, sizeof *x);
}
