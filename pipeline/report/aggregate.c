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
#include "himama/db.h"
#include "himama/spill.h"
#include "himama/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* The first day of the month m (1..12, may overflow by one) of year y. */
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

bool hm_aggregate_dates_for(const char *kind, const char *from, const char *to,
                            hm_aggregate_dates *d)
{
    int32_t f, t;
    int y, m, dd;
    if (!from || !to || !hm_date_parse_iso(from, &f) || !hm_date_parse_iso(to, &t) || t < f)
        return false;
    hm_civil_from_days(f, &y, &m, &dd);
    if (kind && strcmp(kind, "monthly") == 0) {
        hm_date_format(month_start(y, m - 1), d->prev_from);
        hm_date_format(f - 1, d->prev_to);
    } else {
        hm_date_format(f - (t - f + 1), d->prev_from);
        hm_date_format(f - 1, d->prev_to);
    }
    hm_civil_from_days(t, &y, &m, &dd);
    hm_date_format(hm_days_from_civil(y, 1, 1), d->ytd_from);
    hm_date_format(month_start(y, m + 1), d->next_from);
    hm_date_format(month_start(y, m + 2) - 1, d->next_to);
    return true;
}

/* The named parameters a query may use. */
typedef struct param {
    const char *name;    /* with its ':' prefix */
    const char *value;
} param;

enum { NPARAMS = 13 };

/* Everything one run needs beside the template. */
typedef struct run {
    sqlite3 *db;
    const hm_aggregate_params *ap;
    bool public_aud;
    param params[NPARAMS];
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

/* Bind the parameters st names; an unknown one is an error. */
static hm_error bind_params(run *R, sqlite3_stmt *st, const char *qpath)
{
    int nbound = 0;
    for (size_t i = 0; i < NPARAMS; i++) {
        int idx = sqlite3_bind_parameter_index(st, R->params[i].name);
        if (idx <= 0)
            continue;
        const char *v = R->params[i].value;
        int rc = v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK)
            return hm_fail(HM_EQUERY, R->err, R->errsz, "%s: cannot bind '%s': %s", qpath,
                        R->params[i].name, sqlite3_errmsg(R->db));
        nbound++;
    }
    int n = sqlite3_bind_parameter_count(st);
    if (nbound == n)
        return HM_OK;
    for (int idx = 1; idx <= n; idx++) {
        const char *name = sqlite3_bind_parameter_name(st, idx);
        bool known = false;
        for (size_t i = 0; name && i < NPARAMS; i++)
            known |= strcmp(name, R->params[i].name) == 0;
        if (!known)
            return hm_fail(HM_EQUERY, R->err, R->errsz, "%s: unknown parameter '%s' (known: "
                        ":from :to :prev_from :prev_to :ytd_from :next_from :next_to :today "
                        ":audience :lang :kind :period :org)", qpath, name ? name : "?");
    }
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
        if ((rc = bind_params(R, st, qpath)) != HM_OK) {
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
 * The value a placeholder body ref ("id.col", "id.col:N", "id.col:last")
 * names in r, with its column's spec in *spec; for "id.rows" the count
 * goes into buf instead.  NULL when there is no such value, or when a
 * spilled row cannot be read (R->read_rc and R->err then say why).  The
 * value is valid until the next lookup.
 */
static const hm_value *lookup(run *R, const hm_report *r, const char *ref, char *buf,
                              size_t bufsz, const hm_colspec **spec)
{
    char id[80], col[80], sel[16] = "";
    const char *dot = strchr(ref, '.');
    const char *colon = dot ? strchr(dot, ':') : NULL;
    *spec = NULL;
    if (!dot || (size_t)(dot - ref) >= sizeof id)
        return NULL;
    snprintf(id, sizeof id, "%.*s", (int)(dot - ref), ref);
    if (colon) {
        snprintf(col, sizeof col, "%.*s", (int)(colon - dot - 1), dot + 1);
        snprintf(sel, sizeof sel, "%s", colon + 1);
    } else {
        snprintf(col, sizeof col, "%s", dot + 1);
    }
    for (size_t s = 0; s < r->nsec; s++) {
        const hm_table *t = &r->sec[s].table;
        if (strcmp(r->sec[s].id, id) != 0)
            continue;
        size_t nrows = hm_table_rows(t);
        if (strcmp(col, "rows") == 0 && !colon) {
            snprintf(buf, bufsz, "%zu", nrows);
            return NULL;
        }
        for (size_t c = 0; c < t->ncol; c++) {
            if (strcmp(t->cols[c].name, col) != 0)
                continue;
            size_t row = 0;
            if (strcmp(sel, "last") == 0)
                row = nrows ? nrows - 1 : 0;
            else if (sel[0])
                row = (size_t)strtoul(sel, NULL, 10) - 1;
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

/* Whether ref names a value of the run rather than of a section. */
static bool run_ref(const char *ref)
{
    static const char *const names[] = { "period", "year", "month", "from", "to", "org",
                                         "generated", NULL };
    for (const char *const *n = names; *n; n++)
        if (strcmp(ref, *n) == 0)
            return true;
    return false;
}

/* The text a placeholder of the run (run_ref) stands for, into buf. */
static void run_placeholder(run *R, const hm_report *r, const char *ref, char *buf,
                            size_t bufsz)
{
    const hm_aggregate_params *ap = R->ap;
    buf[0] = '\0';
    if (strcmp(ref, "period") == 0) {
        snprintf(buf, bufsz, "%s", ap->period ? ap->period : "");
    } else if (strcmp(ref, "year") == 0) {
        snprintf(buf, bufsz, "%.4s", ap->from);
    } else if (strcmp(ref, "month") == 0) {
        snprintf(buf, bufsz, "%d", atoi(ap->from + 5));
    } else if (strcmp(ref, "from") == 0) {
        snprintf(buf, bufsz, "%s", ap->from);
    } else if (strcmp(ref, "to") == 0) {
        snprintf(buf, bufsz, "%s", ap->to);
    } else if (strcmp(ref, "org") == 0) {
        snprintf(buf, bufsz, "%s", ap->org ? ap->org : "");
    } else if (strcmp(ref, "generated") == 0) {
        snprintf(buf, bufsz, "%s", r->generated_at);
    }
}

/* The text a placeholder naming a section's value stands for, into buf. */
static void section_placeholder(run *R, const hm_report *r, const char *ref, char *buf,
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
static bool section_value_set(run *R, const hm_report *r, const char *ref)
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
 * The placeholders of the template's texts that name a section's value,
 * each resolved (text, and whether set, for note_if) as soon as its
 * section is built and before its hidden columns are dropped, by the
 * thread that built it.  Texts are then filled from here, in any thread,
 * once the sections they quote are built (pool.built).
 */
typedef struct ref_entry {
    char *ref;           /* the placeholder's body: "id.col", "id.col:3", "id.rows" */
    size_t owner;        /* the model section it names, SIZE_MAX for none */
    char *text;          /* resolved: what it stands for */
    bool set;            /* resolved: the value is set (note_if) */
} ref_entry;

typedef struct refs {
    ref_entry *e;
    size_t n, alloc;
} refs;

/* The entry for ref (NULL when ref was never collected). */
static const ref_entry *ref_find(const refs *rs, const char *ref)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->e[i].ref, ref) == 0)
            return &rs->e[i];
    return NULL;
}

/* The model section whose id begins ref ("id.…"), SIZE_MAX for none. */
static size_t ref_owner(const hm_report *r, const char *ref)
{
    const char *dot = strchr(ref, '.');
    if (!dot)
        return SIZE_MAX;
    size_t len = (size_t)(dot - ref);
    for (size_t s = 0; s < r->nsec; s++)
        if (strlen(r->sec[s].id) == len && strncmp(r->sec[s].id, ref, len) == 0)
            return s;
    return SIZE_MAX;
}

/* Collect ref (a placeholder's body) unless it names a value of the run. */
static void ref_add(refs *rs, const hm_report *r, const char *ref)
{
    if (run_ref(ref) || ref_find(rs, ref))
        return;
    if (rs->n == rs->alloc) {
        rs->alloc = rs->alloc ? 2 * rs->alloc : 16;
        rs->e = hm_xrealloc(rs->e, rs->alloc * sizeof *rs->e);
    }
    rs->e[rs->n++] = (ref_entry){ .ref = hm_xstrdup(ref), .owner = ref_owner(r, ref),
                                  .text = NULL, .set = false };
}

/*
 * Walk text as a template writes it: each character of literal text to
 * lit (NULL: skip them), with {{ and }} standing for the braces
 * themselves, and each placeholder's body ({…}) to ref.
 */
static void scan_text(const char *text, void (*lit)(void *, char), void (*ref)(void *, const char *),
                      void *arg)
{
    for (const char *s = text; s && *s; s++) {
        if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
            if (lit)
                lit(arg, *s);
            s++;
            continue;
        }
        const char *e = *s == '{' ? strchr(s, '}') : NULL;
        if (!e) {
            if (lit)
                lit(arg, *s);
            continue;
        }
        char body[200];
        snprintf(body, sizeof body, "%.*s", (int)(e - s - 1), s + 1);
        ref(arg, body);
        s = e;
    }
}

/* Call each(arg, body) for every placeholder of section ts's texts, and its note_if. */
static void section_refs(const hm_tmpl_section *ts, void (*each)(void *, const char *),
                         void *arg)
{
    scan_text(ts->heading, NULL, each, arg);
    scan_text(ts->intro, NULL, each, arg);
    scan_text(ts->empty, NULL, each, arg);
    scan_text(ts->note, NULL, each, arg);
    if (ts->note_if)
        each(arg, ts->note_if);
}

typedef struct collect {
    refs *rs;
    const hm_report *r;
} collect;

static void collect_one(void *arg, const char *ref)
{
    collect *c = arg;
    ref_add(c->rs, c->r, ref);
}

/* Collect every placeholder of the template's texts for the model r. */
static void refs_collect(refs *rs, const hm_template *tmpl, const hm_report *r,
                         const size_t *tidx)
{
    collect c = { rs, r };
    scan_text(tmpl->title, NULL, collect_one, &c);
    scan_text(tmpl->subtitle, NULL, collect_one, &c);
    scan_text(tmpl->footer, NULL, collect_one, &c);
    for (size_t s = 0; s < r->nsec; s++)
        section_refs(&tmpl->sec[tidx[s]], collect_one, &c);
}

static void refs_free(refs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->e[i].ref);
        free(rs->e[i].text);
    }
    free(rs->e);
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
        section_placeholder(R, r, e->ref, val, sizeof val);
        e->text = hm_xstrdup(val);
        e->set = section_value_set(R, r, e->ref);
    }
}

/* The text a placeholder stands for, into buf (its section resolved). */
static void placeholder(run *R, const hm_report *r, const char *ref, char *buf,
                        size_t bufsz)
{
    if (run_ref(ref)) {
        run_placeholder(R, r, ref, buf, bufsz);
        return;
    }
    const ref_entry *e = ref_find(R->refs, ref);
    snprintf(buf, bufsz, "%s", e && e->text ? e->text : "");
}

/* fill's state: the text so far. */
typedef struct filler {
    run *R;
    const hm_report *r;
    hm_strbuf sb;
} filler;

static void fill_lit(void *arg, char c)
{
    hm_strbuf_addc(&((filler *)arg)->sb, c);
}

static void fill_ref(void *arg, const char *ref)
{
    filler *f = arg;
    char val[256];
    placeholder(f->R, f->r, ref, val, sizeof val);
    hm_strbuf_adds(&f->sb, val);
}

/* text with its placeholders filled (caller frees); NULL stays NULL. */
static char *fill(run *R, const hm_report *r, const char *text)
{
    if (!text)
        return NULL;
    filler f = { R, r, HM_STRBUF_INIT };
    hm_strbuf_init(&f.sb);
    scan_text(text, fill_lit, fill_ref, &f);
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
        cs->width = tc->width;
        sec->table.ncol++;
    }
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
    qpath = hm_path_join(R->ap->queries_dir, qfile);
    sql = hm_read_file(qpath, NULL);
    if (!sql) {
        rc = hm_fail(HM_EQUERY, R->err, R->errsz, "section '%s': cannot read query '%s': %s",
                  ts->id, qpath, strerror(errno));
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
    refs_resolve(R, r, s);
    if ((rc = R->read_rc) != HM_OK)
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

/* Fill section s's texts (the sections they quote are built). */
static void fill_section(run *R, const hm_template *tmpl, hm_report *r, const size_t *tidx,
                         size_t s)
{
    const hm_tmpl_section *ts = &tmpl->sec[tidx[s]];
    hm_section *sec = &r->sec[s];
    sec->heading = fill(R, r, ts->heading);
    sec->intro = fill(R, r, ts->intro);
    sec->empty = fill(R, r, ts->empty);
    if (!ts->note_if || value_set(R, ts->note_if))
        sec->note = fill(R, r, ts->note);
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
 * (each fills its own hm_section, hidden flags and placeholders).
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
        size_t s = p->next;
        bool stop = p->failed || s == p->n;
        if (!stop)
            p->next++;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        hm_error rc = build_section(&w->R, p->tmpl, p->r, p->tidx, s);
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
        if (rc != HM_OK)
            break;
    }
    return NULL;
}

/* One text's placeholders all quote built sections (p locked). */
typedef struct quoted {
    const pool *p;
    const refs *rs;
    bool ok;
} quoted;

static void quoted_one(void *arg, const char *ref)
{
    quoted *q = arg;
    if (run_ref(ref))
        return;
    const ref_entry *e = ref_find(q->rs, ref);
    if (e && e->owner != SIZE_MAX && !q->p->built[e->owner])
        q->ok = false;
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
    section_refs(&p->tmpl->sec[p->tidx[s]], quoted_one, &q);
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

hm_error hm_aggregate(sqlite3 *db, const hm_template *tmpl, const hm_aggregate_params *ap,
                      hm_report **out, char *err, size_t errsz)
{
    hm_aggregate_dates d;
    hm_report *r = NULL;
    size_t *tidx = NULL;
    char today[11], now[21];
    hm_error rc = HM_OK;
    run R;
    refs rs = { 0 };
    memset(&R, 0, sizeof R);
    *out = NULL;

    if (!ap->audience || (strcmp(ap->audience, "internal") != 0 &&
                          strcmp(ap->audience, "public") != 0))
        return hm_fail(HM_EUSAGE, err, errsz, "audience must be 'internal' or 'public'");
    if (!ap->queries_dir || !ap->kind || !ap->lang)
        return hm_fail(HM_EUSAGE, err, errsz, "kind, language and queries folder are required");
    if (!hm_aggregate_dates_for(ap->kind, ap->from, ap->to, &d))
        return hm_fail(HM_EUSAGE, err, errsz, "bad period '%s' to '%s'",
                    ap->from ? ap->from : "", ap->to ? ap->to : "");
    if (ap->today)
        snprintf(today, sizeof today, "%s", ap->today);
    else
        hm_date_format(hm_today(), today);

    R.db = db;
    R.ap = ap;
    R.public_aud = strcmp(ap->audience, "public") == 0;
    R.err = err;
    R.errsz = errsz;
    const param params[NPARAMS] = {
        { ":from", ap->from }, { ":to", ap->to },
        { ":prev_from", d.prev_from }, { ":prev_to", d.prev_to },
        { ":ytd_from", d.ytd_from }, { ":next_from", d.next_from }, { ":next_to", d.next_to },
        { ":today", today }, { ":audience", ap->audience }, { ":lang", ap->lang },
        { ":kind", ap->kind }, { ":period", ap->period }, { ":org", ap->org ? ap->org : "" },
    };
    memcpy(R.params, params, sizeof params);

    r = hm_xcalloc(1, sizeof *r);
    r->kind = hm_xstrdup(ap->kind);
    r->period = hm_xstrdup(ap->period ? ap->period : "");
    r->from = hm_xstrdup(ap->from);
    r->to = hm_xstrdup(ap->to);
    r->audience = hm_xstrdup(ap->audience);
    r->lang = hm_xstrdup(ap->lang);
    r->org = hm_xstrdup(ap->org ? ap->org : "");
    hm_time_format(hm_now(), now);
    now[10] = ' ';
    now[16] = '\0';
    r->generated_at = hm_xstrdup(now);

    r->sec = hm_xcalloc(tmpl->nsec + 1, sizeof *r->sec);
    R.hidden = hm_xcalloc(tmpl->nsec + 1, sizeof *R.hidden);
    tidx = hm_xcalloc(tmpl->nsec + 1, sizeof *tidx);
    for (size_t i = 0; i < tmpl->nsec; i++) {
        const hm_tmpl_section *ts = &tmpl->sec[i];
        if ((ts->audience == HM_AUD_INTERNAL && R.public_aud) ||
            (ts->audience == HM_AUD_PUBLIC && !R.public_aud))
            continue;
        tidx[r->nsec++] = i;
    }
    for (size_t s = 0; s < r->nsec; s++)
        setup_section(&R, &tmpl->sec[tidx[s]], &r->sec[s], &R.hidden[s]);
    refs_collect(&rs, tmpl, r, tidx);
    R.refs = &rs;
    if (ap->sink && (rc = ap->sink->begin(ap->sink->arg, r, err, errsz)) != HM_OK)
        goto out;
    if ((rc = build_all(&R, tmpl, r, tidx, ap->twin, ap->sink)) != HM_OK)
        goto out;
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
