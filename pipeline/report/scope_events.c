/*
 * scope_events.c - the units' month_events and first rows in one pass
 * over the activity rows (scope_events.h).
 *
 * The children and volunteers of the units' towns are held in two hash
 * tables (their ID to the unit), then every activity row is read once in
 * key order (activity_id first): the rows of one activity come together,
 * so the units, months and types it counts in are gathered per activity
 * and each counted once, which is count(DISTINCT activity_id) by unit,
 * month and type without sorting the rows.  The rule is unit_scope.sql's:
 * a row belongs to the unit of its child and to that of its volunteer.
 */
#include "himama/scope_events.h"
#include "himama/db.h"
#include "himama/params.h"
#include "himama/strset.h"
#include "himama/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The unit (or town) of an ID in a set of IDs, or -1. */
static int32_t map_get(const hm_strset *m, const unsigned char *s, int n)
{
    if (!s)
        return -1;
    long e = hm_strset_find(m, (const char *)s, (size_t)n);
    return e < 0 ? -1 : (int32_t)hm_strset_val(m, (size_t)e);
}

/* A unit's first row by date (its key), the strings owned. */
typedef struct {
    char date[11];
    char *activity_id, *volunteer_id, *child_id;
} first_row;

struct hm_scope_events {
    size_t nunits;
    hm_strset cells;       /* the months and types seen, in the order seen: 'YYYY-MM TYPE'
                            * -> where the type starts (the month is the bytes before
                            * it but one) */
    size_t capcells;
    uint32_t *count;       /* [cell][unit] */
    first_row *first;      /* [unit] */
};

/* One unit and cell an activity counts in. */
typedef struct {
    int32_t unit;
    uint32_t at;
} hit;

typedef struct {
    hit *v;
    size_t n, cap;
} hits;

/* The cell of the row's month (the date's first 7 bytes) and type, added when new. */
static uint32_t cell_index(hm_scope_events *e, const char *date, const char *type)
{
    char key[160];
    size_t mlen = strnlen(date, 7);
    int n = snprintf(key, sizeof key, "%.*s %s", (int)mlen, date, type);
    if (n < 0 || (size_t)n >= sizeof key)
        n = (int)sizeof key - 1;   /* a type that long is no type the schema knows */
    long c = hm_strset_find(&e->cells, key, (size_t)n);
    if (c >= 0)
        return (uint32_t)c;
    if (e->cells.n == e->capcells) {
        size_t old = e->capcells;
        e->capcells = old ? old * 2 : 256;
        e->count = hm_xrealloc(e->count, e->capcells * e->nunits * sizeof *e->count);
        memset(e->count + old * e->nunits, 0,
               (e->capcells - old) * e->nunits * sizeof *e->count);
    }
    /* a few hundred keys of at most 160 bytes: far from the set's limit */
    return (uint32_t)hm_strset_add(&e->cells, key, (size_t)n, (int64_t)mlen + 1);
}

/* Count the activity whose hits are h once per unit and cell. */
static void flush_hits(hm_scope_events *e, hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = h->v[j].unit == h->v[i].unit && h->v[j].at == h->v[i].at;
        if (!seen)
            e->count[(size_t)h->v[i].at * e->nunits + (size_t)h->v[i].unit]++;
    }
    h->n = 0;
}

static void add_hit(hits *h, int32_t unit, uint32_t at)
{
    if (h->n == h->cap)
        h->v = hm_xrealloc(h->v, (h->cap = h->cap ? h->cap * 2 : 16) * sizeof *h->v);
    h->v[h->n++] = (hit){ unit, at };
}

/* Keep the row of st (activity_id, date, -, volunteer_id, child_id) as unit's first when
 * it is earlier than the one kept. */
static void keep_first(first_row *f, const char *date, sqlite3_stmt *st)
{
    if (f->activity_id && strcmp(date, f->date) >= 0)
        return;
    snprintf(f->date, sizeof f->date, "%s", date);
    free(f->activity_id);
    free(f->volunteer_id);
    free(f->child_id);
    f->activity_id = hm_xstrdup((const char *)sqlite3_column_text(st, 0));
    f->volunteer_id = hm_xstrdup((const char *)sqlite3_column_text(st, 3));
    f->child_id = hm_xstrdup((const char *)sqlite3_column_text(st, 4));
}

/* The towns of the units: their codes, numbered in the order found (a
 * code's entry in map is its town number), and each number's unit. */
typedef struct {
    hm_strset map;       /* the towns' codes */
    int32_t *unit;       /* [town] its unit */
    size_t n;
} town_list;

/* Fill t with every town of units[0..n) and its unit. */
static hm_error map_towns(sqlite3 *db, const hm_unit *units, size_t n, town_list *t,
                          char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    size_t cap = 1024;
    hm_strset_init(&t->map);
    t->unit = hm_xcalloc(cap, sizeof *t->unit);
    for (size_t i = 0; i < n && rc == HM_OK; i++) {
        if ((rc = hm_unit_fill_towns(db, &units[i], NULL, err, errsz)) != HM_OK ||
            (rc = hm_db_prepare(db, &st, "SELECT town_code FROM temp.unit_towns", err,
                                errsz)) != HM_OK)
            break;
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(st, 0);
            size_t len = (size_t)sqlite3_column_bytes(st, 0);
            if (hm_strset_find(&t->map, code, len) >= 0)
                continue;   /* a town lies in one unit of a level */
            if (hm_strset_add(&t->map, code, len, 0) < 0) {
                rc = hm_fail(HM_ENOMEM, err, errsz, "the units' town codes pass 4 GB");
                break;
            }
            if (t->n == cap)
                t->unit = hm_xrealloc(t->unit, (cap *= 2) * sizeof *t->unit);
            t->unit[t->n++] = (int32_t)i;
        }
        if (rc == HM_OK && s != SQLITE_DONE)
            rc = hm_db_fail(db, err, errsz);
        sqlite3_finalize(st);
        st = NULL;
    }
    return rc;
}

static void towns_release(town_list *t)
{
    hm_strset_release(&t->map);
    free(t->unit);
    memset(t, 0, sizeof *t);
}

/* Fill people with the IDs of sql's rows (ID, town) whose town is one of towns', to
 * the town's number (the IDs are the table's key: each comes once). */
static hm_error map_people(sqlite3 *db, const char *count_sql, const char *sql,
                           const town_list *towns, hm_strset *people, char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st, count_sql, err, errsz);
    if (rc != HM_OK)
        return rc;
    size_t n = 0, bytes = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = (size_t)sqlite3_column_int64(st, 0);
        bytes = (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    st = NULL;
    hm_strset_init_val(people, 4);
    hm_strset_reserve(people, n, bytes);
    if ((rc = hm_db_prepare(db, &st, sql, err, errsz)) != HM_OK)
        return rc;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 1);
        long t = code ? hm_strset_find(&towns->map, code, (size_t)sqlite3_column_bytes(st, 1))
                      : -1;
        if (t >= 0 && hm_strset_add(people, (const char *)sqlite3_column_text(st, 0),
                                    (size_t)sqlite3_column_bytes(st, 0), t) < 0) {
            rc = hm_fail(HM_ENOMEM, err, errsz, "the IDs of the units' people pass 4 GB");
            break;
        }
    }
    if (rc == HM_OK && s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    return rc;
}

/* What the pass reads and, with ins, writes: temp.town_activities' rows of the days
 * from..to (unit_index.sql's rows of the units' towns). */
typedef struct {
    const town_list *towns;
    const hm_strset *kids, *vols;   /* ID -> town number */
    const char *to;             /* the events' last day */
    sqlite3_stmt *ins;          /* NULL: no index rows */
    const char *from, *rows_to;
} pass_ctx;

/* Add st's row (activity_id, -, -, volunteer_id, child_id) under town t to the index. */
static int index_row(const pass_ctx *p, int32_t t, sqlite3_stmt *st)
{
    size_t len;
    const char *code = hm_strset_key(&p->towns->map, (size_t)t, &len);
    sqlite3_bind_text(p->ins, 1, code, (int)len, SQLITE_STATIC);
    for (int c = 0; c < 3; c++)
        sqlite3_bind_text(p->ins, 2 + c, (const char *)sqlite3_column_text(st, c ? 2 + c : 0),
                          sqlite3_column_bytes(st, c ? 2 + c : 0), SQLITE_STATIC);
    int s = sqlite3_step(p->ins);
    sqlite3_reset(p->ins);
    return s == SQLITE_DONE ? SQLITE_OK : s;
}

/* One row of the pass (activity_id, date, type, volunteer_id, child_id), the last
 * activity's hits counted when this is the next one's. */
static int pass_row(hm_scope_events *e, const pass_ctx *p, sqlite3_stmt *st, hits *h,
                    char **last, size_t *lastcap)
{
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *date = (const char *)sqlite3_column_text(st, 1);
    const char *type = (const char *)sqlite3_column_text(st, 2);
    if (!id || !date || !type)
        return SQLITE_OK;   /* NOT NULL columns */
    size_t idn = (size_t)sqlite3_column_bytes(st, 0);
    if (!*last || strcmp(id, *last) != 0) {   /* a new activity: count the last one */
        flush_hits(e, h);
        if (idn + 1 > *lastcap)
            *last = hm_xrealloc(*last, *lastcap = idn + 64);
        memcpy(*last, id, idn + 1);
    }
    int32_t tc = map_get(p->kids, sqlite3_column_text(st, 4), sqlite3_column_bytes(st, 4));
    int32_t tv = map_get(p->vols, sqlite3_column_text(st, 3), sqlite3_column_bytes(st, 3));
    int32_t uc = tc >= 0 ? p->towns->unit[tc] : -1, uv = tv >= 0 ? p->towns->unit[tv] : -1;
    int rc = SQLITE_OK;
    if (p->ins && strcmp(date, p->from) >= 0 && strcmp(date, p->rows_to) <= 0) {
        if (tc >= 0)
            rc = index_row(p, tc, st);
        if (rc == SQLITE_OK && tv >= 0 && tv != tc)
            rc = index_row(p, tv, st);
    }
    if (uc >= 0)
        keep_first(&e->first[uc], date, st);
    if (uv >= 0 && uv != uc)
        keep_first(&e->first[uv], date, st);
    if ((uc < 0 && uv < 0) || strcmp(date, p->to) > 0)
        return rc;
    uint32_t c = cell_index(e, date, type);
    if (uc >= 0)
        add_hit(h, uc, c);
    if (uv >= 0 && uv != uc)
        add_hit(h, uv, c);
    return rc;
}

/* The pass: every activity row in key order. */
static hm_error count_rows(sqlite3 *db, hm_scope_events *e, const pass_ctx *p, char *err,
                           size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st,
        "SELECT activity_id, date, type, volunteer_id, child_id FROM main.activities"
        " ORDER BY activity_id", err, errsz);
    if (rc != HM_OK)
        return rc;
    hits h = { 0 };
    char *last = NULL;   /* the activity whose hits h holds */
    size_t lastcap = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        if (pass_row(e, p, st, &h, &last, &lastcap) != SQLITE_OK)
            break;
    flush_hits(e, &h);
    free(h.v);
    free(last);
    if (s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    return rc;
}

/* temp.town_activities, made empty by its one definition (queries_dir's
 * town_activities.sql, which unit_index.sql includes), and its insert into *ins. */
static hm_error index_open(sqlite3 *db, const char *queries_dir, sqlite3_stmt **ins, char *err,
                           size_t errsz)
{
    char *qpath = hm_path_join(queries_dir, "town_activities.sql"), *sql = NULL;
    hm_error rc = hm_query_read(qpath, &sql, err, errsz);
    if (rc == HM_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = hm_fail(HM_EDB, err, errsz, "%s: %s", qpath, sqlite3_errmsg(db));
    free(sql);
    free(qpath);
    if (rc != HM_OK)
        return rc;
    return hm_db_prepare(db, ins, "INSERT OR IGNORE INTO temp.town_activities"
                                  " VALUES (?1, ?2, ?3, ?4)", err, errsz);
}

hm_error hm_scope_events_count(sqlite3 *db, const hm_unit *units, size_t n, const char *to,
                               const char *rows_from, const char *rows_to,
                               const char *queries_dir, hm_scope_events **out, char *err,
                               size_t errsz)
{
    double t0 = hm_clock();
    hm_scope_events *e = hm_xcalloc(1, sizeof *e);
    town_list towns = { 0 };
    hm_strset kids = { 0 }, vols = { 0 };
    e->nunits = n ? n : 1;
    e->first = hm_xcalloc(e->nunits, sizeof *e->first);
    hm_strset_init_val(&e->cells, 4);
    pass_ctx p = { .towns = &towns, .kids = &kids, .vols = &vols, .to = to,
                   .from = rows_from, .rows_to = rows_to };
    hm_error rc = map_towns(db, units, n, &towns, err, errsz);
    if (rc == HM_OK)
        rc = map_people(db, "SELECT count(*), sum(length(CAST(child_id AS BLOB)))"
                        " FROM main.children",
                        "SELECT child_id, town_code FROM main.children", &towns, &kids, err,
                        errsz);
    if (rc == HM_OK)
        rc = map_people(db, "SELECT count(*), sum(length(CAST(volunteer_id AS BLOB)))"
                        " FROM main.volunteers",
                        "SELECT volunteer_id, town_code FROM main.volunteers", &towns, &vols,
                        err, errsz);
    if (rc == HM_OK && rows_from)
        rc = index_open(db, queries_dir, &p.ins, err, errsz);
    if (rc == HM_OK)
        rc = count_rows(db, e, &p, err, errsz);
    sqlite3_finalize(p.ins);
    towns_release(&towns);
    hm_strset_release(&kids);
    hm_strset_release(&vols);
    hm_timing(rows_from ? "the units' events and index (one pass)"
                        : "the units' events (one pass)", t0, n);
    if (rc != HM_OK) {
        hm_scope_events_free(e);
        e = NULL;
    }
    *out = e;
    return rc;
}

hm_error hm_scope_events_put(sqlite3 *db, const hm_scope_events *e, size_t i, char *err,
                             size_t errsz)
{
    if (sqlite3_exec(db,
            "CREATE TEMP TABLE IF NOT EXISTS unit_events (month TEXT NOT NULL,"
            " type TEXT NOT NULL, events INTEGER NOT NULL);"
            "CREATE TEMP TABLE IF NOT EXISTS unit_first (activity_id TEXT NOT NULL,"
            " volunteer_id TEXT NOT NULL, child_id TEXT NOT NULL);"
            "DELETE FROM temp.unit_events; DELETE FROM temp.unit_first",
            NULL, NULL, NULL) != SQLITE_OK)
        return hm_db_fail(db, err, errsz);
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st, "INSERT INTO temp.unit_events VALUES (?1, ?2, ?3)",
                                err, errsz);
    for (size_t c = 0; c < e->cells.n && rc == HM_OK; c++) {
        uint32_t k = e->count[c * e->nunits + i];
        if (!k)
            continue;
        size_t len, type_at = (size_t)hm_strset_val(&e->cells, c);
        const char *key = hm_strset_key(&e->cells, c, &len);
        sqlite3_bind_text(st, 1, key, (int)type_at - 1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key + type_at, (int)(len - type_at), SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, k);
        rc = hm_db_step_done(db, st, err, errsz);
    }
    sqlite3_finalize(st);
    st = NULL;
    const first_row *f = &e->first[i];
    if (rc == HM_OK && f->activity_id &&
        (rc = hm_db_prepare(db, &st, "INSERT INTO temp.unit_first VALUES (?1, ?2, ?3)", err,
                            errsz)) == HM_OK) {
        sqlite3_bind_text(st, 1, f->activity_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, f->volunteer_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, f->child_id, -1, SQLITE_STATIC);
        rc = hm_db_step_done(db, st, err, errsz);
        sqlite3_finalize(st);
    }
    return rc;
}

void hm_scope_events_free(hm_scope_events *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nunits; i++) {
        free(e->first[i].activity_id);
        free(e->first[i].volunteer_id);
        free(e->first[i].child_id);
    }
    free(e->first);
    hm_strset_release(&e->cells);
    free(e->count);
    free(e);
}
