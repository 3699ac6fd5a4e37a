/*
 * test_units.c - the units above the towns (views units and town_units of
 * queries/schema.sql) and hm_unit_resolve / hm_unit_fill_towns: a code, a
 * name or a path finds one unit; a name two cities share is refused as
 * ambiguous; an unknown one is refused; a unit's towns are its own; the
 * units' month_events and first rows of hm_scope_events_count (one pass
 * for all units) count an activity once per unit, month and type, in the
 * units of its child and of its volunteer, up to the report's end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/migrate.h"
#include "himama/scope.h"
#include "himama/scope_events.h"
#include "himama/units.h"
#include "test_util.h"

/* Two 鼓楼区 (Nanjing's and Fuzhou's), a district given with its province
 * but no city, and a town of the organisation's own district. */
static const char *const towns_sql =
    "INSERT INTO towns (town_code, town_name, district, city, province) VALUES"
    " ('T1', '甲镇', '鼓楼区', '南京市', '江苏省'),"
    " ('T2', '乙镇', '鼓楼区', '南京市', '江苏省'),"
    " ('T3', '丙镇', '鼓楼区', '福州市', '福建省'),"
    " ('T4', '丁镇', '海门区', NULL, '江苏省'),"
    " ('T5', '戊镇', NULL, NULL, NULL),"
    " ('320684', '己镇', '玄武区', '南京市', '江苏省');";

static int setup(void **state)
{
    sqlite3 *db = NULL;
    char err[256];
    int from;
    if (hm_db_open(":memory:", true, &db, err, sizeof err) != HM_OK ||
        hm_db_migrate(db, ".", &from, err, sizeof err) != HM_OK ||
        sqlite3_exec(db, towns_sql, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        sqlite3_close(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    sqlite3_close(*state);
    return 0;
}

/* The towns hm_unit_fill_towns put in temp.unit_towns, "T1,T2". */
static char *filled(sqlite3 *db, const hm_unit *u, long long *n)
{
    char err[256];
    assert_int_equal(hm_unit_fill_towns(db, u, n, err, sizeof err), HM_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(town_code, ',') FROM "
                     "(SELECT town_code FROM temp.unit_towns ORDER BY 1)", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *v = (const char *)sqlite3_column_text(st, 0);
    char *out = hm_xstrdup(v ? v : "");
    sqlite3_finalize(st);
    return out;
}

static void test_units_resolve_path(void **state)
{
    sqlite3 *db = *state;
    hm_unit u;
    char err[256];
    long long n;
    assert_int_equal(hm_unit_resolve(db, "江苏省/南京市/鼓楼区", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.level, "district");
    assert_string_equal(u.key, "鼓楼区");
    assert_int_equal(u.towns, 2);
    char *t = filled(db, &u, &n);
    assert_string_equal(t, "T1,T2");
    assert_int_equal(n, 2);
    free(t);
    hm_unit_release(&u);
    /* the end of a path is enough when it is unique */
    assert_int_equal(hm_unit_resolve(db, "福州市/鼓楼区", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.path, "福建省/福州市/鼓楼区");
    t = filled(db, &u, &n);
    assert_string_equal(t, "T3");
    free(t);
    hm_unit_release(&u);
}

static void test_units_resolve_name_and_code(void **state)
{
    sqlite3 *db = *state;
    hm_unit u;
    char err[256];
    long long n;
    assert_int_equal(hm_unit_resolve(db, "江苏省", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.level, "province");
    char *t = filled(db, &u, &n);
    assert_string_equal(t, "320684,T1,T2,T4");
    free(t);
    hm_unit_release(&u);
    /* a level skipped: 海门区's parent is the province */
    assert_int_equal(hm_unit_resolve(db, "海门区", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.path, "江苏省/海门区");
    hm_unit_release(&u);
    /* a town by its code and by its name; the own district's town too */
    assert_int_equal(hm_unit_resolve(db, "320684", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.level, "town");
    assert_string_equal(u.name, "己镇");
    t = filled(db, &u, &n);
    assert_string_equal(t, "320684");
    free(t);
    hm_unit_release(&u);
    assert_int_equal(hm_unit_resolve(db, "戊镇", &u, err, sizeof err), HM_OK);
    assert_string_equal(u.key, "T5");
    assert_string_equal(u.path, "T5");
    t = filled(db, &u, &n);
    assert_string_equal(t, "T5");
    free(t);
    hm_unit_release(&u);
}

static void test_units_resolve_ambiguous(void **state)
{
    sqlite3 *db = *state;
    hm_unit u;
    char err[256];
    assert_int_equal(hm_unit_resolve(db, "鼓楼区", &u, err, sizeof err), HM_EUSAGE);
    assert_non_null(strstr(err, "ambiguous"));
    assert_non_null(strstr(err, "江苏省/南京市/鼓楼区"));
    assert_non_null(strstr(err, "福建省/福州市/鼓楼区"));
    assert_null(u.path);
}

static void test_units_resolve_unknown(void **state)
{
    sqlite3 *db = *state;
    hm_unit u;
    char err[256];
    assert_int_equal(hm_unit_resolve(db, "朝阳区", &u, err, sizeof err), HM_ENOTFOUND);
    assert_non_null(strstr(err, "unknown unit '朝阳区'"));
    assert_int_equal(hm_unit_resolve(db, "南京市/海门区", &u, err, sizeof err), HM_ENOTFOUND);
    assert_int_equal(hm_unit_resolve(db, "", &u, err, sizeof err), HM_EUSAGE);
}

/* A town that moves district moves in the tree: the views read the row. */
static void test_units_move(void **state)
{
    sqlite3 *db = *state;
    hm_unit u;
    char err[256];
    long long n;
    assert_int_equal(sqlite3_exec(db, "UPDATE towns SET district = '玄武区' WHERE town_code = 'T2'",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(hm_unit_resolve(db, "南京市/玄武区", &u, err, sizeof err), HM_OK);
    char *t = filled(db, &u, &n);
    assert_string_equal(t, "320684,T2");
    free(t);
    hm_unit_release(&u);
    assert_int_equal(sqlite3_exec(db, "UPDATE towns SET district = '鼓楼区' WHERE town_code = 'T2'",
                                  NULL, NULL, NULL), SQLITE_OK);
}

/* Children, volunteers and activity rows for the events' test: A1 has two rows on two
 * days of September in 南京市/鼓楼区 (one activity), A2 a volunteer of 南京市/鼓楼区 and a
 * child of 福州市/鼓楼区 (one in each), A3 is after the report's end, A4 the first row
 * of 福州市/鼓楼区. */
static const char *const rows_sql =
    "INSERT INTO children (child_id, name, birth_date, town_code) VALUES"
    " ('K1', 'a', '2015-01-01', 'T1'), ('K2', 'b', '2015-01-01', 'T2'),"
    " ('K3', 'c', '2015-01-01', 'T3');"
    "INSERT INTO volunteers (volunteer_id, name, town_code) VALUES"
    " ('V1', 'x', 'T1'), ('V3', 'y', 'T3');"
    "INSERT INTO activities (activity_id, date, type, volunteer_id, child_id) VALUES"
    " ('A1', '2026-09-05', 'call', 'V1', 'K1'), ('A1', '2026-09-20', 'call', 'V1', 'K2'),"
    " ('A2', '2026-09-10', 'reading', 'V1', 'K3'), ('A3', '2026-11-01', 'call', 'V3', 'K3'),"
    " ('A4', '2026-08-01', 'call', 'V3', 'K3');";

/* Unit i's temp.unit_events and temp.unit_first after hm_scope_events_put, as text. */
static char *events_of(sqlite3 *db, const hm_scope_events *e, size_t i)
{
    char err[256];
    assert_int_equal(hm_scope_events_put(db, e, i, err, sizeof err), HM_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT coalesce((SELECT group_concat(month || ' ' || type || ' ' || events, ',')"
        "  FROM (SELECT * FROM temp.unit_events ORDER BY 1, 2)), '') || ';' ||"
        " coalesce((SELECT activity_id || '/' || volunteer_id || '/' || child_id"
        "  FROM temp.unit_first), '')", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *out = hm_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_units_scope_events(void **state)
{
    sqlite3 *db = *state;
    char err[256];
    hm_unit *u = NULL;
    size_t n = 0;
    hm_scope_events *e = NULL;
    assert_int_equal(sqlite3_exec(db, rows_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(hm_scope_units(db, "district", &u, &n, err, sizeof err), HM_OK);
    assert_int_equal(n, 4);   /* by path: 江苏省/南京市/玄武区, 江苏省/南京市/鼓楼区,
                                 江苏省/海门区, 福建省/福州市/鼓楼区 */
    assert_string_equal(u[1].path, "江苏省/南京市/鼓楼区");
    assert_string_equal(u[3].path, "福建省/福州市/鼓楼区");
    assert_int_equal(hm_scope_events_count(db, u, n, "2026-10-31", NULL, NULL, "queries", &e, err,
                                           sizeof err), HM_OK);
    char *t = events_of(db, e, 1);
    assert_string_equal(t, "2026-09 call 1,2026-09 reading 1;A1/V1/K1");
    free(t);
    t = events_of(db, e, 3);
    assert_string_equal(t, "2026-08 call 1,2026-09 reading 1;A4/V3/K3");
    free(t);
    t = events_of(db, e, 0);
    assert_string_equal(t, ";");
    free(t);
    hm_scope_events_free(e);
    /* with the index of September's rows: each row under its child's and its
     * volunteer's town */
    assert_int_equal(hm_scope_events_count(db, u, n, "2026-10-31", "2026-09-01",
                                           "2026-09-30", "queries", &e, err, sizeof err),
                     HM_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT group_concat(town_code || ':' || activity_id || '/' || child_id, ',')"
        "  FROM (SELECT * FROM temp.town_activities ORDER BY 1, 2, 3, 4)", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "T1:A1/K1,T1:A1/K2,T1:A2/K3,T2:A1/K2,T3:A2/K3");
    sqlite3_finalize(st);
    hm_scope_events_free(e);
    for (size_t i = 0; i < n; i++)
        hm_unit_release(&u[i]);
    free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_resolve_path),
        cmocka_unit_test(test_units_resolve_name_and_code),
        cmocka_unit_test(test_units_resolve_ambiguous),
        cmocka_unit_test(test_units_resolve_unknown),
        cmocka_unit_test(test_units_move),
        cmocka_unit_test(test_units_scope_events),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
