/*
 * record.c - a child's record (record.h): the children it covers, and a
 * town's records assembled from one model per child.
 */
#include "himama/record.h"
#include "himama/db.h"
#include "himama/util.h"

#include <stdlib.h>
#include <string.h>

/* Add one row's id and "id name" to c. */
static void children_add(hm_record_children *c, const char *id, const char *name)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_strbuf_addf(&sb, "%s %s", id, name ? name : "");
    c->id = hm_xrealloc(c->id, (c->n + 1) * sizeof *c->id);
    c->who = hm_xrealloc(c->who, (c->n + 1) * sizeof *c->who);
    c->id[c->n] = hm_xstrdup(id);
    c->who[c->n++] = hm_strbuf_detach(&sb);
}

/* Whether town is a town of the database (*known), HM_EDB on failure. */
static hm_error town_known(sqlite3 *db, const char *town, bool *known, char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st, "SELECT 1 FROM towns WHERE town_code = ?1", err,
                                errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(st, 1, town, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    *known = s == SQLITE_ROW;
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    return rc;
}

hm_error hm_record_children_find(sqlite3 *db, const char *child, const char *town,
                                 hm_record_children *out, char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    int s;
    memset(out, 0, sizeof *out);
    hm_error rc = hm_db_prepare(db, &st, "SELECT child_id, name FROM children WHERE "
                                "child_id = ?1 OR (?1 IS NULL AND town_code = ?2) "
                                "ORDER BY child_id", err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(st, 1, child, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, town, -1, SQLITE_TRANSIENT);
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        children_add(out, (const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1));
    if (s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    if (rc != HM_OK || out->n)
        return rc;
    if (child)
        return hm_fail(HM_EUSAGE, err, errsz, "no child '%s' in the database", child);
    bool known = false;
    if ((rc = town_known(db, town, &known, err, errsz)) != HM_OK)
        return rc;
    return hm_fail(HM_EUSAGE, err, errsz, known ? "town '%s' has no children"
                                                : "no town '%s' in the database", town);
}

void hm_record_children_release(hm_record_children *c)
{
    for (size_t i = 0; c && i < c->n; i++) {
        free(c->id[i]);
        free(c->who[i]);
    }
    if (c) {
        free(c->id);
        free(c->who);
        memset(c, 0, sizeof *c);
    }
}

void hm_record_append(hm_report *dst, hm_report *src)
{
    if (!src->nsec)
        return;
    dst->sec = hm_xrealloc(dst->sec, (dst->nsec + src->nsec) * sizeof *dst->sec);
    memcpy(dst->sec + dst->nsec, src->sec, src->nsec * sizeof *src->sec);
    dst->sec[dst->nsec].page_break = true;
    dst->nsec += src->nsec;
    free(src->sec);
    src->sec = NULL;
    src->nsec = 0;
}

/* Free the values of t's rows and leave it with none. */
static void table_clear(hm_table *t)
{
    for (size_t i = 0; i < t->nrow * t->ncol; i++)
        if (t->cells[i].type == HM_V_TEXT)
            free(t->cells[i].s);
    free(t->cells);
    t->cells = NULL;
    t->nrow = 0;
}

hm_error hm_record_book_init(hm_report *book, const char *label, char *err, size_t errsz)
{
    for (size_t i = 0; i < book->nsec; i++) {
        hm_section *s = &book->sec[i];
        hm_table *t = &s->table;
        if (t->spill)
            return hm_fail(HM_EQUERY, err, errsz, "section '%s': a record's sections may "
                           "not be 'detail'", s->id);
        table_clear(t);
        t->cols = hm_xrealloc(t->cols, (t->ncol + 1) * sizeof *t->cols);
        memmove(t->cols + 1, t->cols, t->ncol * sizeof *t->cols);
        t->cols[0] = (hm_colspec){ .name = hm_xstrdup("child"), .label = hm_xstrdup(label),
                                   .format = HM_FMT_TEXT };
        t->ncol++;
        for (size_t k = 0; k < s->nseries; k++)
            s->series_cols[k]++;
        s->category_col++;
        free(s->intro);
        free(s->note);
        s->intro = s->note = NULL;
        if (s->sheet) {
            free(s->heading);
            s->heading = hm_xstrdup(s->sheet);
        }
    }
    return HM_OK;
}

/* A copy of v (its text duplicated). */
static hm_value value_copy(const hm_value *v)
{
    hm_value c = *v;
    if (v->type == HM_V_TEXT)
        c.s = hm_xstrdup(v->s ? v->s : "");
    return c;
}

hm_error hm_record_book_add(hm_report *book, const hm_report *src, const char *who, char *err,
                            size_t errsz)
{
    if (book->nsec != src->nsec)
        return hm_fail(HM_EQUERY, err, errsz, "a child's record has %zu sections, not %zu",
                       src->nsec, book->nsec);
    for (size_t i = 0; i < book->nsec; i++) {
        hm_table *t = &book->sec[i].table;
        const hm_table *f = &src->sec[i].table;
        if (f->ncol + 1 != t->ncol || f->spill)
            return hm_fail(HM_EQUERY, err, errsz, "section '%s' differs from one child to "
                           "the next", book->sec[i].id);
        if (!f->nrow)
            continue;
        t->cells = hm_xrealloc(t->cells, (t->nrow + f->nrow) * t->ncol * sizeof *t->cells);
        for (size_t r = 0; r < f->nrow; r++) {
            hm_value *row = &t->cells[(t->nrow + r) * t->ncol];
            row[0] = (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup(who) };
            for (size_t c = 0; c < f->ncol; c++)
                row[c + 1] = value_copy(hm_table_cell(f, r, c));
        }
        t->nrow += f->nrow;
    }
    return HM_OK;
}
