/*
 * units.c - a unit named on the command line (a code, a name or a path)
 * found in the views units and town_units (queries/schema.sql), and its
 * towns put where a report's queries can join them.
 *
 * A name is not unique nationally (several cities have a 鼓楼区), so a
 * spec that matches more than one unit is refused with the paths that
 * would tell them apart, rather than one of them picked.
 */
#include "himama/units.h"
#include "himama/db.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The candidates for ?1: an exact path first (exact = 1), then the units
 * whose path ends in "/?1" (a path's end), whose key is ?1 (a code or
 * name), or towns whose name is ?1. */
static const char candidates_sql[] =
    "SELECT u.level, u.path, u.key, u.towns, u.path = ?1 AS exact,"
    "       (SELECT t.town_name FROM towns t WHERE u.level = 'town' AND t.town_code = u.key)"
    "  FROM units u"
    " WHERE u.path = ?1"
    "    OR (instr(?1, '/') > 0 AND length(u.path) > length(?1)"
    "        AND substr(u.path, -length(?1) - 1) = '/' || ?1)"
    "    OR (instr(?1, '/') = 0 AND u.key = ?1)"
    "    OR (u.level = 'town' AND u.key IN (SELECT town_code FROM towns WHERE town_name = ?1))"
    " ORDER BY exact DESC, u.path LIMIT 8";

static void unit_set(hm_unit *u, sqlite3_stmt *st)
{
    const char *level = (const char *)sqlite3_column_text(st, 0);
    const char *path = (const char *)sqlite3_column_text(st, 1);
    const char *key = (const char *)sqlite3_column_text(st, 2);
    const char *name = (const char *)sqlite3_column_text(st, 5);
    snprintf(u->level, sizeof u->level, "%s", level ? level : "");
    u->path = hm_xstrdup(path ? path : "");
    u->key = hm_xstrdup(key ? key : "");
    u->name = hm_xstrdup(name && *name ? name : u->key);
    u->towns = sqlite3_column_int64(st, 3);
}

hm_error hm_unit_resolve(sqlite3 *db, const char *spec, hm_unit *u,
                         char *err, size_t errsz)
{
    memset(u, 0, sizeof *u);
    if (!spec || !*spec) {
        snprintf(err, errsz, "no unit given");
        return HM_EUSAGE;
    }
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st, candidates_sql, err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
    hm_strbuf seen = HM_STRBUF_INIT;
    int n = 0, exact = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        bool is_exact = sqlite3_column_int(st, 4) != 0;
        if (n > 0 && exact && !is_exact)
            break;          /* an exact path wins over the ends of longer ones */
        if (n == 0)
            unit_set(u, st);
        exact |= is_exact;
        hm_strbuf_addf(&seen, "%s'%s' (%s)", n ? ", " : "",
                       (const char *)sqlite3_column_text(st, 1),
                       (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE) {
        rc = hm_db_fail(db, err, errsz);
    } else if (n == 0) {
        snprintf(err, errsz, "unknown unit '%s': no province, city, district or town "
                 "has that code, name or path", spec);
        rc = HM_ENOTFOUND;
    } else if (n > 1) {
        snprintf(err, errsz, "unit '%s' is ambiguous: %s%s; give its path", spec,
                 seen.buf, n >= 8 ? ", ..." : "");
        rc = HM_EUSAGE;
    }
    if (rc != HM_OK)
        hm_unit_release(u);
    hm_strbuf_release(&seen);
    sqlite3_finalize(st);
    return rc;
}

void hm_unit_release(hm_unit *u)
{
    if (!u)
        return;
    free(u->path);
    free(u->key);
    free(u->name);
    memset(u, 0, sizeof *u);
}

hm_error hm_unit_fill_towns(sqlite3 *db, const hm_unit *u, long long *n,
                            char *err, size_t errsz)
{
    if (n)
        *n = 0;
    if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS unit_towns ("
                         " town_code TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;"
                         "DELETE FROM temp.unit_towns", NULL, NULL, NULL) != SQLITE_OK)
        return hm_db_fail(db, err, errsz);
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(db, &st,
        "INSERT INTO temp.unit_towns (town_code)"
        " SELECT town_code FROM main.town_units"
        "  WHERE CASE ?1 WHEN 'province' THEN province_path WHEN 'city' THEN city_path"
        "                WHEN 'district' THEN district_path ELSE town_path END = ?2",
        err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(st, 1, u->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->path, -1, SQLITE_STATIC);
    rc = hm_db_step_done(db, st, err, errsz);
    if (rc == HM_OK && n)
        *n = sqlite3_changes64(db);
    sqlite3_finalize(st);
    return rc;
}
