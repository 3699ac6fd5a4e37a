/*
 * scope.c - one unit's rows under the tables' own names (scope.h).
 *
 * The rule of what a unit holds is queries/unit_scope.sql alone; this
 * file fills the unit's towns and runs that file statement by statement,
 * binding the report's parameters.
 */
#include "himama/scope.h"
#include "himama/db.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The days of the activity rows a unit's scope copies (:rows_from, :rows_to):
 * a monthly report reads a unit's rows of its month only (the month's rows
 * outside a pairing; its key figures and types come from the unit's
 * month_events, and its data start from the unit's first row, both of
 * hm_scope_events), so its index holds that month; the other kinds read
 * rows of other days (the five ones' year, the scorecard, the needs) and
 * keep every row.
 */
bool hm_scope_rows_window(const hm_query_params *q, const char **from, const char **to)
{
    bool month = q->period.kind == HM_PERIOD_MONTHLY;
    *from = month ? q->period.from : "0000-00-00";
    *to = month ? q->period.to : "9999-99-99";
    return month;
}

static void rows_window(const hm_query_params *q, hm_param_extra w[2])
{
    const char *from, *to;
    hm_scope_rows_window(q, &from, &to);
    w[0] = (hm_param_extra){ .name = ":rows_from", .text = from };
    w[1] = (hm_param_extra){ .name = ":rows_to", .text = to };
}

/* Run every statement of sql on db, each bound from q and the rows' window. */
static hm_error run_script(sqlite3 *db, const char *sql, const hm_query_params *q,
                           const char *qpath, char *err, size_t errsz)
{
    hm_param_extra w[2];
    rows_window(q, w);
    const char *tail = sql;
    hm_error rc = HM_OK;
    while (rc == HM_OK && tail && *tail) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
            return hm_fail(HM_EQUERY, err, errsz, "%s: %s", qpath, sqlite3_errmsg(db));
        if (!st)
            break;   /* only comments and blanks were left */
        rc = hm_params_bind(st, q, w, 2, qpath, err, errsz);
        if (rc == HM_OK) {
            int s;
            while ((s = sqlite3_step(st)) == SQLITE_ROW)
                ;
            if (s != SQLITE_DONE)
                rc = hm_fail(HM_EDB, err, errsz, "%s: %s", qpath, sqlite3_errmsg(db));
        }
        sqlite3_finalize(st);
    }
    return rc;
}

/* Read queries_dir's file name (its include lines expanded) and run it as
 * run_script does. */
static hm_error run_file(sqlite3 *db, const char *queries_dir, const char *name,
                         const hm_query_params *q, char *err, size_t errsz)
{
    char *qpath = hm_path_join(queries_dir, name), *sql = NULL;
    hm_error rc = hm_query_read(qpath, &sql, err, errsz);
    if (rc == HM_OK)
        rc = run_script(db, sql, q, qpath, err, errsz);
    free(sql);
    free(qpath);
    return rc;
}

hm_error hm_scope_apply(sqlite3 *db, const hm_unit *u, const hm_scope_events *ev, size_t i,
                        const hm_query_params *q, const char *queries_dir, char *err,
                        size_t errsz)
{
    double t0 = hm_clock();
    hm_error rc = hm_unit_fill_towns(db, u, NULL, err, errsz);
    if (rc == HM_OK)
        rc = hm_scope_events_put(db, ev, i, err, errsz);
    if (rc == HM_OK)
        rc = run_file(db, queries_dir, "unit_scope.sql", q, err, errsz);
    hm_timing("the unit's scope", t0, 0);
    return rc;
}

hm_error hm_scope_index(sqlite3 *db, const hm_unit *u, const hm_query_params *q,
                        const char *queries_dir, char *err, size_t errsz)
{
    double t0 = hm_clock();
    hm_error rc = HM_OK;
    if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS scope_towns ("
                         " town_code TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;"
                         "DELETE FROM temp.scope_towns", NULL, NULL, NULL) != SQLITE_OK)
        rc = hm_db_fail(db, err, errsz);
    if (rc == HM_OK && u)
        rc = hm_unit_fill_towns(db, u, NULL, err, errsz);
    if (rc == HM_OK &&
        sqlite3_exec(db, u ? "INSERT INTO temp.scope_towns SELECT town_code FROM temp.unit_towns"
                           : "INSERT INTO temp.scope_towns SELECT town_code FROM main.towns",
                     NULL, NULL, NULL) != SQLITE_OK)
        rc = hm_db_fail(db, err, errsz);
    if (rc == HM_OK)
        rc = run_file(db, queries_dir, "unit_index.sql", q, err, errsz);
    hm_timing("the units' activity index", t0, 0);
    return rc;
}

hm_error hm_scope_units(sqlite3 *db, const char *level, hm_unit **units, size_t *n,
                        char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 16;
    *units = NULL;
    *n = 0;
    hm_error rc = hm_db_prepare(db, &st,
        "SELECT u.path, u.key, u.towns,"
        "       (SELECT t.town_name FROM main.towns t"
        "         WHERE u.level = 'town' AND t.town_code = u.key)"
        "  FROM main.units u WHERE u.level = ?1 ORDER BY u.path", err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(st, 1, level, -1, SQLITE_STATIC);
    hm_unit *v = hm_xcalloc(cap, sizeof *v);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap)
            v = hm_xrealloc(v, (cap *= 2) * sizeof *v);
        hm_unit *u = &v[(*n)++];
        const char *path = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 3);
        memset(u, 0, sizeof *u);
        snprintf(u->level, sizeof u->level, "%s", level);
        u->path = hm_xstrdup(path ? path : "");
        u->key = hm_xstrdup(key ? key : "");
        u->name = hm_xstrdup(name && *name ? name : u->key);
        u->towns = sqlite3_column_int64(st, 2);
    }
    if (s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    else if (*n == 0)
        rc = hm_fail(HM_EUSAGE, err, errsz, "no unit is a %s: the towns file gives no "
                     "%s column, or leaves it empty", level, level);
    sqlite3_finalize(st);
    if (rc != HM_OK) {
        for (size_t i = 0; i < *n; i++)
            hm_unit_release(&v[i]);
        free(v);
        v = NULL;
        *n = 0;
    }
    *units = v;
    return rc;
}

char *hm_scope_label(const char *org, const hm_unit *u)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    if (org && *org)
        hm_strbuf_addf(&sb, "%s · ", org);
    const char *slash = strrchr(u->path, '/');
    if (strcmp(u->level, "town") == 0)
        hm_strbuf_addf(&sb, "%.*s%s", slash ? (int)(slash - u->path + 1) : 0, u->path,
                       u->name);
    else
        hm_strbuf_adds(&sb, u->path);
    return hm_strbuf_detach(&sb);
}

void hm_scope_mark(hm_report *r, const hm_unit *u)
{
    free(r->unit_level);
    free(r->unit_path);
    r->unit_level = hm_xstrdup(u->level);
    r->unit_path = hm_xstrdup(u->path);
}

hm_error hm_scope_levels(sqlite3 *db, const hm_unit *u, hm_level *own, hm_level *rows,
                         char *err, size_t errsz)
{
    /* per level from the top: the units (a town giving none is one of its own), and
     * whether any town gives one */
    static const hm_level above[] = { HM_LEVEL_NATION, HM_LEVEL_PROVINCE, HM_LEVEL_CITY };
    static const hm_level at[] = { HM_LEVEL_PROVINCE, HM_LEVEL_CITY, HM_LEVEL_DISTRICT };
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st,
        "SELECT count(DISTINCT province_path) + max(province_path IS NULL), "
        "       count(province_path) > 0, "
        "       count(DISTINCT city_path) + max(city_path IS NULL), count(city_path) > 0, "
        "       count(DISTINCT district_path) + max(district_path IS NULL), "
        "       count(district_path) > 0 "
        "  FROM town_units", err, errsz);
    if (rc != HM_OK)
        return rc;
    long long n[3] = { 0 }, given[3] = { 0 };
    if (sqlite3_step(st) == SQLITE_ROW)
        for (int l = 0; l < 3; l++) {
            n[l] = sqlite3_column_int64(st, 2 * l);
            given[l] = sqlite3_column_int64(st, 2 * l + 1);
        }
    else
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    int split = 0;
    while (split < 3 && n[split] <= 1)
        split++;
    *rows = split < 3 ? at[split] : HM_LEVEL_TOWN;
    *own = HM_LEVEL_DISTRICT;
    if (u && hm_level_parse(u->level, own))
        return rc;
    if (split < 3) {
        *own = above[split];
        for (int l = split - 1; l >= 0; l--)
            if (given[l]) {
                *own = at[l];
                break;
            }
    }
    return rc;
}
