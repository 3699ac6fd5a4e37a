/*
 * aggregate.c - from a template and the database to a report model.
 *
 * Each section's query file is run with bound named parameters; a file
 * may hold several statements (run in order, each prepared on the tail of
 * the one before), and the last statement that returns columns gives the
 * section's rows.  Only the columns the template declares are copied, in
 * the template's order; internal columns never enter a public model, so
 * nothing later can leak them.  A sentence may quote any section: the
 * placeholders naming a section are worked out as soon as it is built
 * (before its hidden columns are dropped), and a text is filled once
 * every section it quotes is built, so a sink (a workbook being written)
 * can take each section while later queries still run.
 *
 * A `detail` table or list with pdf_rows keeps in memory only its first
 * pdf_rows rows, all the PDF draws.  Once its query returns more, every
 * row (those kept too) goes to a temporary file (spill.h) as it comes, and
 * the workbook reads them back from there: the model's size does not grow
 * with the list, and the query runs once.  The rows are copied from the
 * same declared columns, so a public report's spill file holds no
 * internal column either.
 */
#include "himama/aggregate.h"
#include "himama/targets.h"
#include "himama/db.h"
#include "himama/levels.h"
#include "himama/spill.h"
#include "himama/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* Everything one run needs beside the template. */
typedef struct run {
    sqlite3 *db;
    const hm_aggregate_params *ap;
    bool public_aud;
    bool **hidden;       /* per model section: which columns to drop once it is built */
    struct refs *refs;   /* the placeholders of the template's texts, resolved */
    hm_error read_rc;    /* the first failure to read a spilled row for a placeholder */
    char *err;
    size_t errsz;
} run;

/* Copy the current row's column i into v. */
static void value_from(sqlite3_stmt *st, int i, hm_value *v)
{
    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        v->type = HM_V_INT;
        v->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        v->type = HM_V_REAL;
        v->r = sqlite3_column_double(st, i);
        break;
    case SQLITE_NULL:
        v->type = HM_V_NULL;
        break;
    default: {
        const unsigned char *s = sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        v->type = HM_V_TEXT;
        v->s = hm_xstrndup(s ? (const char *)s : "", (size_t)n);
        break;
    }
    }
}

/* Free the texts among the n values at v. */
static void values_release(hm_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].type == HM_V_TEXT)
            free(v[i].s);
}

/* Free the rows of t, in memory and spilled (not its columns). */
static void rows_release(hm_table *t)
{
    values_release(t->cells, t->nrow * t->ncol);
    free(t->cells);
    t->cells = NULL;
    t->nrow = 0;
    hm_spill_free(t->spill);
    t->spill = NULL;
}

/* How many rows of sec stay in memory: all, or pdf_rows for a detail table or list. */
static size_t rows_kept(const hm_section *sec)
{
    if (sec->detail && (sec->kind == HM_SEC_TABLE || sec->kind == HM_SEC_LIST) &&
        sec->pdf_rows > 0)
        return sec->pdf_rows;
    return SIZE_MAX;
}

/* Append row (ncol values) to t's spill file, starting the file (with the rows in memory) first. */
static hm_error spill_row(run *R, hm_section *sec, const hm_value *row)
{
    hm_table *t = &sec->table;
    char msg[512];
    hm_error rc = HM_OK;
    if (!t->spill) {
        rc = hm_spill_open(t->ncol, &t->spill, msg, sizeof msg);
        for (size_t i = 0; rc == HM_OK && i < t->nrow; i++)
            rc = hm_spill_append(t->spill, hm_table_cell(t, i, 0), msg, sizeof msg);
    }
    if (rc == HM_OK)
        rc = hm_spill_append(t->spill, row, msg, sizeof msg);
    if (rc != HM_OK)
        return hm_fail(rc, R->err, R->errsz, "section '%s': %s", sec->id, msg);
    return HM_OK;
}

/*
 * Run the statements of sql; the rows of the last one that returns
 * columns go into sec->table, whose columns are already set.
 */
static hm_error run_query(run *R, hm_section *sec, const char *qpath, const char *sql)
{
    const char *tail = sql;
    hm_table *t = &sec->table;
    size_t *map = hm_xcalloc(t->ncol ? t->ncol : 1, sizeof *map);
    hm_value *row = hm_xcalloc(t->ncol ? t->ncol : 1, sizeof *row);   /* one to spill */
    size_t keep = rows_kept(sec);
    hm_error rc = HM_OK;
    bool got_rows = false;

    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(R->db, tail, -1, &st, &tail) != SQLITE_OK) {
            rc = hm_fail(HM_EQUERY, R->err, R->errsz, "%s: %s", qpath, sqlite3_errmsg(R->db));
            goto out;
        }
        if (!st)
            continue;   /* only a comment or white space */
        if ((rc = hm_params_bind(st, R->ap->query, NULL, 0, qpath, R->err, R->errsz)) !=
            HM_OK) {
            sqlite3_finalize(st);
            goto out;
        }
        int ncol = sqlite3_column_count(st);
        if (ncol > 0) {
            for (size_t c = 0; c < t->ncol; c++) {
                int k;
                for (k = 0; k < ncol; k++)
                    if (strcmp(sqlite3_column_name(st, k), t->cols[c].name) == 0)
                        break;
                if (k == ncol) {
                    rc = hm_fail(HM_EQUERY, R->err, R->errsz, "%s: section '%s' declares the "
                              "column '%s' that the query does not return", qpath, sec->id,
                              t->cols[c].name);
                    sqlite3_finalize(st);
                    goto out;
                }
                map[c] = (size_t)k;
            }
            rows_release(t);
            got_rows = true;
        }
        size_t alloc = 0;
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            if (ncol == 0)
                continue;
            if (t->nrow == keep) {
                for (size_t c = 0; c < t->ncol; c++)
                    value_from(st, (int)map[c], &row[c]);
                rc = spill_row(R, sec, row);
                values_release(row, t->ncol);
                if (rc != HM_OK) {
                    sqlite3_finalize(st);
                    goto out;
                }
                continue;
            }
            if (t->nrow == alloc) {
                alloc = alloc ? alloc * 2 : 16;
                if (alloc > keep)
                    alloc = keep;
                t->cells = hm_xrealloc(t->cells, alloc * (t->ncol ? t->ncol : 1) *
                                       sizeof *t->cells);
            }
            for (size_t c = 0; c < t->ncol; c++)
                value_from(st, (int)map[c], &t->cells[t->nrow * t->ncol + c]);
            t->nrow++;
        }
        if (src != SQLITE_DONE) {
            rc = hm_fail(HM_EQUERY, R->err, R->errsz, "%s: %s", qpath, sqlite3_errmsg(R->db));
            sqlite3_finalize(st);
            goto out;
        }
        sqlite3_finalize(st);
    }
    if (!got_rows) {
        rc = hm_fail(HM_EQUERY, R->err, R->errsz, "%s: no statement returns rows", qpath);
    } else if (t->spill) {
        char msg[512];
        if ((rc = hm_spill_flush(t->spill, msg, sizeof msg)) != HM_OK)
            hm_fail(rc, R->err, R->errsz, "section '%s': %s", sec->id, msg);
    }
out:
    free(row);
    free(map);
    return rc;
}

/*
 * The value ref (HM_REF_CELL) names in r, with its column's spec in
 * *spec; for HM_REF_ROWS the row count goes into buf instead.  NULL when
 * there is no such value, or when a spilled row cannot be read
 * (R->read_rc and R->err then say why).  The value is valid until the
 * next lookup.
 */
static const hm_value *lookup(run *R, const hm_report *r, const hm_tmpl_ref *ref, char *buf,
                              size_t bufsz, const hm_colspec **spec)
{
    *spec = NULL;
    if (ref->kind != HM_REF_ROWS && ref->kind != HM_REF_CELL)
        return NULL;
    for (size_t s = 0; s < r->nsec; s++) {
        const hm_table *t = &r->sec[s].table;
        if (strcmp(r->sec[s].id, ref->id) != 0)
            continue;
        size_t nrows = hm_table_rows(t);
        if (ref->kind == HM_REF_ROWS) {
            snprintf(buf, bufsz, "%zu", nrows);
            return NULL;
        }
        for (size_t c = 0; c < t->ncol; c++) {
            if (strcmp(t->cols[c].name, ref->col) != 0)
                continue;
            size_t row = ref->last ? (nrows ? nrows - 1 : 0) : ref->row;
            if (row >= nrows)
                return NULL;
            const hm_value *v;
            char msg[512];
            hm_error rc = hm_table_row(t, row, &v, msg, sizeof msg);
            if (rc != HM_OK) {
                if (R->read_rc == HM_OK)
                    R->read_rc = hm_fail(rc, R->err, R->errsz, "section '%s': %s",
                                         r->sec[s].id, msg);
                return NULL;
            }
            *spec = &t->cols[c];
            return &v[c];
        }
    }
    return NULL;
}

/* The text the value of the run `which` stands for, into buf. */
static void run_placeholder(run *R, const hm_report *r, hm_tmpl_run_value which, char *buf,
                            size_t bufsz)
{
    const hm_query_params *q = R->ap->query;
    buf[0] = '\0';
    switch (which) {
    case HM_RUN_PERIOD:
        snprintf(buf, bufsz, "%s", q->period.label);
        break;
    case HM_RUN_YEAR:
        snprintf(buf, bufsz, "%.4s", q->period.from);
        break;
    case HM_RUN_MONTH:
        snprintf(buf, bufsz, "%d", atoi(q->period.from + 5));
        break;
    case HM_RUN_FROM:
        snprintf(buf, bufsz, "%s", q->period.from);
        break;
    case HM_RUN_TO:
        snprintf(buf, bufsz, "%s", q->period.to);
        break;
    case HM_RUN_ORG:
        snprintf(buf, bufsz, "%s", q->org ? q->org : "");
        break;
    case HM_RUN_GENERATED:
        snprintf(buf, bufsz, "%s", r->generated_at);
        break;
    case HM_RUN_TODAY:
        snprintf(buf, bufsz, "%s", q->today);
        break;
    case HM_RUN_SCOPE_TOTAL:
    case HM_RUN_SCOPE_AREA:
    case HM_RUN_SCOPE_UNIT:
    case HM_RUN_SCOPE_NO_TOWN:
    case HM_RUN_SCOPE_ROWS:
    case HM_RUN_SCOPE_ROWS_CAP:
    case HM_RUN_SCOPE_ROW: {
        static const hm_level_word_kind word[] = { HM_WORD_TOTAL, HM_WORD_AREA, HM_WORD_UNIT,
                                                   HM_WORD_NO_TOWN, HM_WORD_ROWS,
                                                   HM_WORD_ROWS_CAP, HM_WORD_ROW };
        snprintf(buf, bufsz, "%s", hm_level_word(q->level, q->rows_level, q->lang,
                                                 word[which - HM_RUN_SCOPE_TOTAL]));
        break;
    }
    }
}

/* The text a placeholder naming a section's value stands for, into buf. */
static void section_placeholder(run *R, const hm_report *r, const hm_tmpl_ref *ref, char *buf,
                                size_t bufsz)
{
    const hm_colspec *spec;
    buf[0] = '\0';
    const hm_value *v = lookup(R, r, ref, buf, bufsz, &spec);
    if (v && v->type == HM_V_NULL)
        snprintf(buf, bufsz, "—");
    else if (v)
        hm_value_format(v, spec, R->public_aud, buf, bufsz);
}

/* True when the value ref points at is set: not NULL, not 0, not "". */
static bool section_value_set(run *R, const hm_report *r, const hm_tmpl_ref *ref)
{
    char buf[32];
    const hm_colspec *spec;
    const hm_value *v = lookup(R, r, ref, buf, sizeof buf, &spec);
    if (!v)
        return false;
    switch (v->type) {
    case HM_V_NULL: return false;
    case HM_V_INT: return v->i != 0;
    case HM_V_REAL: return v->r != 0.0;
    case HM_V_TEXT: return v->s[0] != '\0';
    }
    return false;
}

/*
 * The placeholders of the template's texts, each parsed once
 * (hm_tmpl_ref_parse).  Those that name a section's value are resolved
 * (text, and whether set, for note_if) as soon as their section is built
 * and before its hidden columns are dropped, by the thread that built it.
 * Texts are then filled from here, in any thread, once the sections they
 * quote are built (pool.built).
 */
typedef struct ref_entry {
    char *body;          /* the placeholder's body: "period", "id.col", "id.col:3", "id.rows" */
    hm_tmpl_ref ref;     /* the same, parsed */
    size_t owner;        /* the model section it names, SIZE_MAX for none */
    char *text;          /* resolved: what it stands for (a section's value) */
    bool set;            /* resolved: the value is set (note_if) */
    bool figure;         /* a headline figure's: value, format and hidden are kept */
    hm_value value;      /* resolved for a figure: a copy of the value (owned) */
    hm_format format;
    bool hidden;         /* resolved for a figure: hm_value_hidden said so */
} ref_entry;

typedef struct refs {
    ref_entry *e;
    size_t n, alloc;
} refs;

/* The entry for body (NULL when it was never collected). */
static const ref_entry *ref_find(const refs *rs, const char *body)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->e[i].body, body) == 0)
            return &rs->e[i];
    return NULL;
}

/* The model section whose id ref names, SIZE_MAX for none. */
static size_t ref_owner(const hm_report *r, const hm_tmpl_ref *ref)
{
    if (!ref->id)
        return SIZE_MAX;
    for (size_t s = 0; s < r->nsec; s++)
        if (strcmp(r->sec[s].id, ref->id) == 0)
            return s;
    return SIZE_MAX;
}

/* Collect body (a placeholder's) once. */
static void ref_add(refs *rs, const hm_report *r, const char *body)
{
    if (ref_find(rs, body))
        return;
    if (rs->n == rs->alloc) {
        rs->alloc = rs->alloc ? 2 * rs->alloc : 16;
        rs->e = hm_xrealloc(rs->e, rs->alloc * sizeof *rs->e);
    }
    ref_entry *e = &rs->e[rs->n++];
    memset(e, 0, sizeof *e);
    e->body = hm_xstrdup(body);
    hm_tmpl_ref_parse(body, &e->ref);
    e->owner = ref_owner(r, &e->ref);
}

/* The placeholders of one text, to each(arg, body); the text was checked. */
static void text_refs(const char *text, hm_error (*each)(void *, const char *), void *arg)
{
    const hm_tmpl_scanner sc = { NULL, each, NULL };
    hm_tmpl_scan(text, &sc, arg);
}

/* Call each(arg, body) for every placeholder of section ts's texts as the
 * audience sees them, and its note_if. */
static void section_refs(const hm_tmpl_section *ts, bool public_aud,
                         hm_error (*each)(void *, const char *), void *arg)
{
    text_refs(hm_tmpl_section_text(ts, HM_TEXT_HEADING, public_aud), each, arg);
    text_refs(hm_tmpl_section_text(ts, HM_TEXT_INTRO, public_aud), each, arg);
    text_refs(hm_tmpl_section_text(ts, HM_TEXT_EMPTY, public_aud), each, arg);
    text_refs(hm_tmpl_section_text(ts, HM_TEXT_NOTE, public_aud), each, arg);
    if (ts->note_if)
        each(arg, ts->note_if);
}

typedef struct collect {
    refs *rs;
    const hm_report *r;
} collect;

static hm_error collect_one(void *arg, const char *body)
{
    collect *c = arg;
    ref_add(c->rs, c->r, body);
    return HM_OK;
}

/* Collect every placeholder of the template's texts for the model r. */
static void refs_collect(refs *rs, const hm_template *tmpl, const hm_report *r,
                         const size_t *tidx)
{
    collect c = { rs, r };
    text_refs(tmpl->title, collect_one, &c);
    text_refs(tmpl->subtitle, collect_one, &c);
    text_refs(tmpl->footer, collect_one, &c);
    text_refs(tmpl->unfinished, collect_one, &c);
    text_refs(tmpl->elsewhere, collect_one, &c);
    for (size_t s = 0; s < r->nsec; s++)
        section_refs(&tmpl->sec[tidx[s]], strcmp(r->audience, "public") == 0, collect_one,
                     &c);
    for (size_t i = 0; i < tmpl->nfig; i++) {
        ref_add(rs, r, tmpl->fig[i].ref);
        for (size_t k = 0; k < rs->n; k++)
            if (strcmp(rs->e[k].body, tmpl->fig[i].ref) == 0)
                rs->e[k].figure = true;
    }
}

static void refs_free(refs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->e[i].body);
        hm_tmpl_ref_release(&rs->e[i].ref);
        free(rs->e[i].text);
        if (rs->e[i].value.type == HM_V_TEXT)
            free(rs->e[i].value.s);
    }
    free(rs->e);
}

/* Keep a copy of the value figure entry e names, with its format and the
 * small-count rule's verdict (its section built, its hidden columns still in). */
static void ref_keep_value(run *R, const hm_report *r, ref_entry *e)
{
    char buf[32];
    const hm_colspec *spec;
    e->format = HM_FMT_INT;
    if (e->ref.kind == HM_REF_ROWS) {
        e->value = (hm_value){ .type = HM_V_INT,
                               .i = (int64_t)hm_table_rows(&r->sec[e->owner].table) };
        return;
    }
    const hm_value *v = lookup(R, r, &e->ref, buf, sizeof buf, &spec);
    if (!v || !spec)
        return;
    e->value = *v;
    if (v->type == HM_V_TEXT)
        e->value.s = hm_xstrdup(v->s);
    e->format = spec->format;
    e->hidden = hm_value_hidden(v, spec, R->public_aud);
}

/* Resolve the placeholders naming section s, now built.  R->read_rc says
 * whether a spilled row could not be read. */
static void refs_resolve(run *R, const hm_report *r, size_t s)
{
    char val[256];
    for (size_t i = 0; i < R->refs->n; i++) {
        ref_entry *e = &R->refs->e[i];
        if (e->owner != s)
            continue;
        section_placeholder(R, r, &e->ref, val, sizeof val);
        e->text = hm_xstrdup(val);
        e->set = section_value_set(R, r, &e->ref);
        if (e->figure)
            ref_keep_value(R, r, e);
    }
}

/* The report's headline figures (template "figure.KEY") from their resolved entries. */
static void figures_fill(const refs *rs, const hm_template *tmpl, hm_report *r)
{
    r->fig = hm_xcalloc(tmpl->nfig + 1, sizeof *r->fig);
    for (size_t i = 0; i < tmpl->nfig; i++) {
        const ref_entry *e = ref_find(rs, tmpl->fig[i].ref);
        hm_figure *f = &r->fig[r->nfig++];
        f->key = hm_xstrdup(tmpl->fig[i].key);
        f->format = HM_FMT_INT;
        if (!e || e->owner == SIZE_MAX)
            continue;   /* its section is not in this report */
        f->present = true;
        f->value = e->value;
        if (f->value.type == HM_V_TEXT)
            f->value.s = hm_xstrdup(e->value.s);
        f->format = e->format;
        f->hidden = e->hidden;
    }
}

/* The text a placeholder stands for, into buf (its section resolved). */
static void placeholder(run *R, const hm_report *r, const char *body, char *buf,
                        size_t bufsz)
{
    const ref_entry *e = ref_find(R->refs, body);
    if (e && e->ref.kind == HM_REF_RUN) {
        run_placeholder(R, r, e->ref.run, buf, bufsz);
        return;
    }
    snprintf(buf, bufsz, "%s", e && e->text ? e->text : "");
}

/* fill's state: the text so far. */
typedef struct filler {
    run *R;
    const hm_report *r;
    hm_strbuf sb;
} filler;

static void fill_lit(void *arg, const char *s, size_t n)
{
    hm_strbuf_add(&((filler *)arg)->sb, s, n);
}

static hm_error fill_ref(void *arg, const char *body)
{
    filler *f = arg;
    char val[256];
    placeholder(f->R, f->r, body, val, sizeof val);
    hm_strbuf_adds(&f->sb, val);
    return HM_OK;
}

/* text with its placeholders filled (caller frees); NULL stays NULL. */
static char *fill(run *R, const hm_report *r, const char *text)
{
    static const hm_tmpl_scanner sc = { fill_lit, fill_ref, NULL };
    if (!text)
        return NULL;
    filler f = { R, r, HM_STRBUF_INIT };
    hm_strbuf_init(&f.sb);
    hm_tmpl_scan(text, &sc, &f);
    return hm_strbuf_detach(&f.sb);
}

/* True when the value ref points at is set (its section resolved). */
static bool value_set(run *R, const char *ref)
{
    const ref_entry *e = ref_find(R->refs, ref);
    return e && e->set;
}

/* Drop the columns flagged in drop from t. */
static void drop_columns(hm_table *t, const bool *drop)
{
    size_t keep = 0;
    for (size_t c = 0; c < t->ncol; c++)
        keep += !drop[c];
    if (keep == t->ncol)
        return;
    if (t->spill)
        hm_spill_drop_columns(t->spill, drop);
    hm_value *cells = hm_xcalloc(t->nrow * keep + 1, sizeof *cells);
    for (size_t row = 0; row < t->nrow; row++) {
        size_t k = 0;
        for (size_t c = 0; c < t->ncol; c++) {
            hm_value *v = &t->cells[row * t->ncol + c];
            if (drop[c]) {
                if (v->type == HM_V_TEXT)
                    free(v->s);
            } else {
                cells[row * keep + k++] = *v;
            }
        }
    }
    size_t k = 0;
    for (size_t c = 0; c < t->ncol; c++) {
        if (drop[c]) {
            free(t->cols[c].name);
            free(t->cols[c].label);
            free(t->cols[c].child_by);
        } else {
            t->cols[k++] = t->cols[c];
        }
    }
    free(t->cells);
    t->cells = cells;
    t->ncol = keep;
}

/* The index of column name in t (it exists: the template was checked). */
static size_t col_index(const hm_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return 0;
}

/* Set up section sec from template section ts: what is known before its query runs. */
static void setup_section(run *R, const hm_tmpl_section *ts, hm_section *sec, bool **hidden)
{
    sec->kind = ts->kind;
    sec->id = hm_xstrdup(ts->id);
    sec->sheet = ts->sheet ? hm_xstrdup(ts->sheet) : NULL;
    sec->detail = ts->detail;
    sec->pdf_rows = ts->pdf_rows;
    sec->table.cols = hm_xcalloc(ts->ncol + 1, sizeof *sec->table.cols);
    *hidden = hm_xcalloc(ts->ncol + 1, sizeof **hidden);
    for (size_t c = 0; c < ts->ncol; c++) {
        const hm_tmpl_col *tc = &ts->cols[c];
        if (tc->internal && R->public_aud)
            continue;   /* never enters a public model */
        hm_colspec *cs = &sec->table.cols[sec->table.ncol];
        (*hidden)[sec->table.ncol] = tc->hidden;
        cs->name = hm_xstrdup(tc->name);
        cs->label = hm_xstrdup(tc->label);
        cs->format = tc->format;
        cs->child_count = tc->child_count;
        cs->child_by = tc->child_by ? hm_xstrdup(tc->child_by) : NULL;
        cs->width = tc->width;
        sec->table.ncol++;
    }
}

/* Whether section ts's rows are left to the packs: a list for the town cadres in a
 * report above the district (its query is not run; the template's elsewhere is shown). */
static bool left_to_packs(const run *R, const hm_tmpl_section *ts)
{
    return ts->town_list && hm_level_above_district(R->ap->query->level);
}

/* Run section sec's query (template section ts), if it has one. */
static hm_error query_section(run *R, const hm_tmpl_section *ts, hm_section *sec)
{
    hm_error rc = HM_OK;
    char *qpath = NULL, *qfile = NULL, *sql = NULL;
    if (!ts->query)
        return HM_OK;
    qfile = hm_xmalloc(strlen(ts->query) + 5);
    snprintf(qfile, strlen(ts->query) + 5, "%s.sql", ts->query);
    sec->query = hm_path_join("queries", qfile);
    if ((sec->in_packs = left_to_packs(R, ts)))
        goto out;
    qpath = hm_path_join(R->ap->queries_dir, qfile);
    char why[512];
    if (hm_query_read(qpath, &sql, why, sizeof why) != HM_OK) {
        rc = hm_fail(HM_EQUERY, R->err, R->errsz, "section '%s': %s", ts->id, why);
        goto out;
    }
    double t0 = hm_clock();
    rc = run_query(R, sec, qpath, sql);
    hm_timing(ts->query, t0, hm_table_rows(&sec->table));
out:
    free(sql);
    free(qpath);
    free(qfile);
    return rc;
}

/*
 * Build model section s: run its query, resolve the placeholders that
 * quote it, then drop its hidden columns and find its chart's columns.
 * After this nothing writes to the section but fill_section (its texts).
 */
static hm_error build_section(run *R, const hm_template *tmpl, hm_report *r,
                              const size_t *tidx, size_t s)
{
    const hm_tmpl_section *ts = &tmpl->sec[tidx[s]];
    hm_section *sec = &r->sec[s];
    hm_error rc = query_section(R, ts, sec);
    if (rc != HM_OK)
        return rc;
    hm_table_mark_children(&sec->table);
    refs_resolve(R, r, s);
    if ((rc = R->read_rc) != HM_OK)
        return rc;
    /* a per-town table of towns in several units: a row per unit (levels.h) */
    if ((rc = hm_levels_apply(R->db, ts, sec, R->ap->query->lang, R->err, R->errsz)) != HM_OK)
        return rc;
    drop_columns(&sec->table, R->hidden[s]);
    if (ts->category) {
        sec->category_col = col_index(&sec->table, ts->category);
        sec->nseries = ts->nseries;
        sec->series_cols = hm_xcalloc(ts->nseries, sizeof *sec->series_cols);
        for (size_t i = 0; i < ts->nseries; i++)
            sec->series_cols[i] = col_index(&sec->table, ts->series[i]);
    }
    return HM_OK;
}

/* A figure lookup over the resolved placeholders (targets.h). */
typedef struct fig_lookup {
    const run *R;
    const hm_template *tmpl;
} fig_lookup;

static hm_target_actual figure_of(void *arg, const char *key)
{
    const fig_lookup *L = arg;
    hm_target_actual a = { NULL, HM_FMT_INT, false };
    for (size_t i = 0; i < L->tmpl->nfig; i++) {
        if (strcmp(L->tmpl->fig[i].key, key) != 0)
            continue;
        const ref_entry *e = ref_find(L->R->refs, L->tmpl->fig[i].ref);
        if (e && e->owner != SIZE_MAX)
            a = (hm_target_actual){ &e->value, e->format, e->hidden };
    }
    return a;
}

/* Fill section s's texts (the sections they quote are built), and a
 * targets section's rows (the figures' sections are built). */
static void fill_section(run *R, const hm_template *tmpl, hm_report *r, const size_t *tidx,
                         size_t s)
{
    const hm_tmpl_section *ts = &tmpl->sec[tidx[s]];
    hm_section *sec = &r->sec[s];
    bool pub = R->public_aud;
    if (ts->targets) {
        fig_lookup L = { R, tmpl };
        hm_targets_rows(R->ap->targets, r->lang, pub, figure_of, &L, &sec->table);
    }
    sec->heading = fill(R, r, hm_tmpl_section_text(ts, HM_TEXT_HEADING, pub));
    if (left_to_packs(R, ts)) {   /* no rows: where they are, in place of the words on them */
        sec->empty = fill(R, r, tmpl->elsewhere);
        return;
    }
    sec->intro = fill(R, r, hm_tmpl_section_text(ts, HM_TEXT_INTRO, pub));
    sec->empty = fill(R, r, hm_tmpl_section_text(ts, HM_TEXT_EMPTY, pub));
    if (!ts->note_if || value_set(R, ts->note_if))
        sec->note = fill(R, r, hm_tmpl_section_text(ts, HM_TEXT_NOTE, pub));
}

/* Fill the report's own texts (every section is built). */
static void fill_report(run *R, const hm_template *tmpl, hm_report *r)
{
    r->title = fill(R, r, tmpl->title);
    r->subtitle = fill(R, r, tmpl->subtitle);
    r->footer = fill(R, r, tmpl->footer);
}

/*
 * The sections' queries on one connection, or on two at once
 * (params->twin): each thread takes the next section in template order
 * until none is left or one has failed.  The sections are independent
 * (each fills its own hm_section, hidden flags and placeholders).  Next
 * sections whose queries keep the same temp.shared_* table (family) are
 * taken together, so that the table is computed once, on one connection.
 *
 * With a sink (params->sink) a further thread hands each section to it in
 * template order as soon as the section, and every section its texts
 * quote, is built; so a workbook's sheets are written while later
 * queries still run.
 */
typedef struct pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;  /* a section was built, or something failed */
    size_t next, n;          /* the next section to take; how many */
    bool failed;             /* a section or the sink failed: take no more */
    bool *built;             /* per section: built (build_section done) */
    char **family;           /* per section: the temp.shared_* table its query keeps, or NULL */
    const hm_template *tmpl;
    hm_report *r;
    const size_t *tidx;
} pool;

/* One thread's share: its run (its connection and error text) and its failure. */
typedef struct worker {
    pool *p;
    run R;
    hm_error rc;
    size_t failed_at;        /* the section that failed, when rc is not HM_OK */
    char err[1024];
} worker;

/* Thread body: build sections until none is left or one has failed. */
static void *work(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t s = p->next, e = s;
        bool stop = p->failed || s == p->n;
        if (!stop) {
            e = s + 1;
            while (e < p->n && p->family[s] && p->family[e] &&
                   strcmp(p->family[s], p->family[e]) == 0)
                e++;
            p->next = e;
        }
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        hm_error rc = HM_OK;
        for (; s < e && rc == HM_OK; s++) {
            rc = build_section(&w->R, p->tmpl, p->r, p->tidx, s);
            pthread_mutex_lock(&p->lock);
            if (rc != HM_OK) {
                w->rc = rc;
                w->failed_at = s;
                p->failed = true;
            } else {
                p->built[s] = true;
            }
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
        }
        if (rc != HM_OK)
            break;
    }
    return NULL;
}

/* The temp.shared_* table that section s's query keeps (the name after
 * "IF NOT EXISTS shared_" in its text), or NULL: none, or not run. */
static char *shared_family(const run *R, const hm_tmpl_section *ts)
{
    static const char mark[] = "IF NOT EXISTS shared_";
    char *qfile, *qpath, *sql = NULL, *fam = NULL;
    char why[512];
    if (!ts->query || left_to_packs(R, ts))
        return NULL;
    qfile = hm_xmalloc(strlen(ts->query) + 5);
    snprintf(qfile, strlen(ts->query) + 5, "%s.sql", ts->query);
    qpath = hm_path_join(R->ap->queries_dir, qfile);
    if (hm_query_read(qpath, &sql, why, sizeof why) == HM_OK) {
        const char *at = strstr(sql, mark);
        if (at) {
            at += sizeof mark - 1;
            size_t n = strspn(at, "abcdefghijklmnopqrstuvwxyz0123456789_");
            fam = hm_xmalloc(n + 1);
            memcpy(fam, at, n);
            fam[n] = '\0';
        }
    }
    free(sql);
    free(qpath);
    free(qfile);
    return fam;
}

/* One text's placeholders all quote built sections (p locked). */
typedef struct quoted {
    const pool *p;
    const refs *rs;
    bool ok;
} quoted;

static hm_error quoted_one(void *arg, const char *body)
{
    quoted *q = arg;
    const ref_entry *e = ref_find(q->rs, body);
    if (e && e->owner != SIZE_MAX && !q->p->built[e->owner])
        q->ok = false;
    return HM_OK;
}

/* Whether section s (or, for s == n, the report's own texts) can be filled (p locked). */
static bool fillable(const pool *p, const refs *rs, size_t s)
{
    quoted q = { p, rs, true };
    if (s == p->n) {
        for (size_t i = 0; i < p->n; i++)
            if (!p->built[i])
                return false;
        return true;
    }
    if (!p->built[s])
        return false;
    if (p->tmpl->sec[p->tidx[s]].targets)   /* its rows are the figures' values */
        for (size_t i = 0; i < rs->n; i++)
            if (rs->e[i].figure && rs->e[i].owner != SIZE_MAX && !p->built[rs->e[i].owner])
                return false;
    section_refs(&p->tmpl->sec[p->tidx[s]], strcmp(p->r->audience, "public") == 0, quoted_one,
                 &q);
    return q.ok;
}

/* The sink's thread (or, without a sink, the filling of the texts): its
 * run, for filling texts, and its failure. */
typedef struct feeder {
    pool *p;
    run R;
    const hm_section_sink *sink;   /* NULL: fill the texts only */
    hm_error rc;
    char err[1024];
} feeder;

/* Wait until section s (n: the report's texts) can be filled; false when something failed. */
static bool wait_fillable(feeder *f, size_t s)
{
    pool *p = f->p;
    pthread_mutex_lock(&p->lock);
    while (!p->failed && !fillable(p, f->R.refs, s))
        pthread_cond_wait(&p->changed, &p->lock);
    bool ok = !p->failed;
    pthread_mutex_unlock(&p->lock);
    return ok;
}

/* Thread body: fill each section's texts and hand it to the sink, in order. */
static void *feed(void *arg)
{
    feeder *f = arg;
    pool *p = f->p;
    hm_error rc = HM_OK;
    for (size_t s = 0; s <= p->n && rc == HM_OK; s++) {
        if (!wait_fillable(f, s))
            return NULL;   /* a section failed: its worker reports it */
        if (s < p->n) {
            fill_section(&f->R, p->tmpl, p->r, p->tidx, s);
            if (f->sink)
                rc = f->sink->section(f->sink->arg, p->r, s, f->err, sizeof f->err);
        } else {
            fill_report(&f->R, p->tmpl, p->r);
            if (f->sink)
                rc = f->sink->end(f->sink->arg, p->r, f->err, sizeof f->err);
        }
    }
    if (rc != HM_OK) {
        f->rc = rc;
        pthread_mutex_lock(&p->lock);
        p->failed = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

/*
 * Build r's sections on R's connection and, with a twin, on that one too,
 * in two threads; with a sink, feed it from a third.  Without a sink (or
 * a thread for it) the texts are filled on this thread once the sections
 * are built.  On failure err says why the first
 * failing section (in template order) failed: every section before it
 * was taken, and so finished, before either thread stopped; a sink's
 * failure comes after any section's.
 */
static hm_error build_all(run *R, const hm_template *tmpl, hm_report *r,
                          const size_t *tidx, sqlite3 *twin, const hm_section_sink *sink)
{
    pool p = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER,
               .n = r->nsec, .tmpl = tmpl, .r = r, .tidx = tidx };
    p.built = hm_xcalloc(r->nsec + 1, sizeof *p.built);
    p.family = hm_xcalloc(r->nsec + 1, sizeof *p.family);
    for (size_t s = 0; s < r->nsec; s++)
        p.family[s] = shared_family(R, &tmpl->sec[tidx[s]]);
    worker w[2];
    feeder f;
    pthread_t th, fth;
    int nw = twin ? 2 : 1;
    for (int i = 0; i < nw; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].p = &p;
        w[i].R = *R;
        w[i].R.err = w[i].err;
        w[i].R.errsz = sizeof w[i].err;
    }
    if (twin)
        w[1].R.db = twin;
    memset(&f, 0, sizeof f);
    f.p = &p;
    f.R = *R;
    f.R.err = f.err;
    f.R.errsz = sizeof f.err;
    f.sink = sink;
    bool fed = sink && pthread_create(&fth, NULL, feed, &f) == 0;
    bool started = twin && pthread_create(&th, NULL, work, &w[1]) == 0;
    work(&w[0]);
    if (started)
        pthread_join(th, NULL);
    else if (twin)
        work(&w[1]);   /* no second thread: the rest on this one */
    if (fed)
        pthread_join(fth, NULL);
    else
        feed(&f);      /* no sink, or no thread for it: fill (and feed) now */
    free(p.built);
    for (size_t s = 0; s < r->nsec; s++)
        free(p.family[s]);
    free(p.family);
    pthread_cond_destroy(&p.changed);
    const worker *bad = NULL;
    for (int i = 0; i < nw; i++)
        if (w[i].rc != HM_OK && (!bad || w[i].failed_at < bad->failed_at))
            bad = &w[i];
    if (bad) {
        snprintf(R->err, R->errsz, "%s", bad->err);
        return bad->rc;
    }
    if (f.rc != HM_OK)
        snprintf(R->err, R->errsz, "%s", f.err);
    return f.rc;
}

/* Drop db's temp.shared_* tables: what one query keeps for another of the
 * same report on this connection (five_ones_pairs.sql and
 * five_ones_none.sql), so that no report reads another's. */
static void shared_drop(sqlite3 *db)
{
    static const char list[] = "SELECT name FROM temp.sqlite_master WHERE type = 'table'"
                               " AND name LIKE 'shared!_%' ESCAPE '!'";
    hm_strbuf sb = HM_STRBUF_INIT;
    sqlite3_stmt *st = NULL;
    if (!db)
        return;
    hm_strbuf_init(&sb);
    if (sqlite3_prepare_v2(db, list, -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            hm_strbuf_addf(&sb, "DROP TABLE IF EXISTS temp.\"%s\";",
                           (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (sb.len)
        sqlite3_exec(db, sb.buf, NULL, NULL, NULL);
    hm_strbuf_release(&sb);
}

/* A new model for the run's parameters, with no section yet. */
static hm_report *report_new(const hm_query_params *q)
{
    char now[21];
    hm_report *r = hm_xcalloc(1, sizeof *r);
    r->kind = hm_xstrdup(hm_period_kind_name(q->period.kind));
    r->period = hm_xstrdup(q->period.label);
    r->from = hm_xstrdup(q->period.from);
    r->to = hm_xstrdup(q->period.to);
    r->audience = hm_xstrdup(q->audience);
    r->lang = hm_xstrdup(q->lang);
    r->org = hm_xstrdup(q->org ? q->org : "");
    hm_time_format(hm_now(), now);
    now[10] = ' ';
    now[16] = '\0';
    r->generated_at = hm_xstrdup(now);
    r->today = hm_xstrdup(q->today);
    r->complete = strcmp(q->period.to, q->today) < 0;
    return r;
}

hm_error hm_aggregate(sqlite3 *db, const hm_template *tmpl, const hm_aggregate_params *ap,
                      hm_report **out, char *err, size_t errsz)
{
    const hm_query_params *q = ap->query;
    hm_report *r = NULL;
    size_t *tidx = NULL;
    hm_error rc = HM_OK;
    run R;
    refs rs = { 0 };
    memset(&R, 0, sizeof R);
    *out = NULL;

    if (!q || !q->audience || (strcmp(q->audience, "internal") != 0 &&
                               strcmp(q->audience, "public") != 0))
        return hm_fail(HM_EUSAGE, err, errsz, "audience must be 'internal' or 'public'");
    if (!ap->queries_dir || !q->lang)
        return hm_fail(HM_EUSAGE, err, errsz, "language and queries folder are required");

    R.db = db;
    R.ap = ap;
    R.public_aud = strcmp(q->audience, "public") == 0;
    R.err = err;
    R.errsz = errsz;
    r = report_new(q);
    r->sec = hm_xcalloc(tmpl->nsec + 1, sizeof *r->sec);
    R.hidden = hm_xcalloc(tmpl->nsec + 1, sizeof *R.hidden);
    tidx = hm_xcalloc(tmpl->nsec + 1, sizeof *tidx);
    for (size_t i = 0; i < tmpl->nsec; i++) {
        const hm_tmpl_section *ts = &tmpl->sec[i];
        if ((ts->audience == HM_AUD_INTERNAL && R.public_aud) ||
            (ts->audience == HM_AUD_PUBLIC && !R.public_aud) ||
            (ts->targets && !hm_targets_any(ap->targets)))
            continue;
        tidx[r->nsec++] = i;
    }
    for (size_t s = 0; s < r->nsec; s++)
        setup_section(&R, &tmpl->sec[tidx[s]], &r->sec[s], &R.hidden[s]);
    refs_collect(&rs, tmpl, r, tidx);
    R.refs = &rs;
    if (!r->complete)
        r->unfinished = fill(&R, r, tmpl->unfinished);   /* values of the run only */
    if (ap->sink && (rc = ap->sink->begin(ap->sink->arg, r, err, errsz)) != HM_OK)
        goto out;
    shared_drop(db);
    shared_drop(ap->twin);
    rc = build_all(&R, tmpl, r, tidx, ap->twin, ap->sink);
    shared_drop(db);
    shared_drop(ap->twin);
    if (rc != HM_OK)
        goto out;
    figures_fill(&rs, tmpl, r);
    *out = r;
    r = NULL;
out:
    if (R.hidden)
        for (size_t i = 0; i < tmpl->nsec; i++)
            free(R.hidden[i]);
    free(R.hidden);
    free(tidx);
    refs_free(&rs);
    hm_report_free(r);
    return rc;
}
