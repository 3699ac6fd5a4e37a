/*
 * test_db.c - the second connection of the annual report (db.h:
 * hm_db_begin_twin): it and the first are both in a read transaction on
 * the same snapshot, which a commit by a third connection afterwards does
 * not change; both can be read from two threads at once.  And the SQL
 * functions every connection gets (hm_db_add_functions).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/db.h"

#include "test_util.h"

/* SELECT count(*) FROM t on db. */
static int64_t count_t(sqlite3 *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A connection and what count_run found on it. */
typedef struct counter {
    sqlite3 *db;
    int64_t n;
} counter;

/* Thread body: the pairs of rows of t on c->db into c->n (-1 on error). */
static void *count_run(void *arg)
{
    counter *c = arg;
    sqlite3_stmt *st;
    c->n = -1;
    if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM t a, t b", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            c->n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return NULL;
}

static void test_db_twin_same_snapshot(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-test-db");
    assert_non_null(dir);
    char path[600];
    snprintf(path, sizeof path, "%s/h.db", dir);
    char err[512] = "";
    sqlite3 *db = NULL, *writer = NULL, *twin = NULL;
    assert_int_equal(hm_db_open(path, true, &writer, err, sizeof err), HM_OK);
    assert_int_equal(sqlite3_exec(writer, "CREATE TABLE t (x INTEGER);"
                                          "INSERT INTO t VALUES (1), (2), (3);",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(hm_db_open(path, false, &db, err, sizeof err), HM_OK);
    assert_int_equal(hm_db_begin_twin(db, path, &twin, err, sizeof err), HM_OK);
    assert_non_null(twin);
    assert_int_equal(sqlite3_get_autocommit(db), 0);
    assert_int_equal(sqlite3_get_autocommit(twin), 0);

    /* A commit afterwards: neither sees it. */
    assert_int_equal(sqlite3_exec(writer, "INSERT INTO t VALUES (4)", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(count_t(db), 3);
    assert_int_equal(count_t(twin), 3);

    /* Both read at once, each from its own thread. */
    counter a = { db, 0 }, b = { twin, 0 };
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, count_run, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, count_run, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.n, 9);
    assert_int_equal(b.n, 9);

    sqlite3_exec(twin, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    assert_int_equal(count_t(db), 4);
    sqlite3_close(twin);
    sqlite3_close(db);
    sqlite3_close(writer);
    tu_remove_tree(dir);
}

static void test_db_twin_missing_database(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-test-db");
    assert_non_null(dir);
    char path[600], other[600];
    snprintf(path, sizeof path, "%s/h.db", dir);
    snprintf(other, sizeof other, "%s/none.db", dir);
    char err[512] = "";
    sqlite3 *db = NULL, *twin = (sqlite3 *)1;
    assert_int_equal(hm_db_open(path, true, &db, err, sizeof err), HM_OK);
    assert_int_not_equal(hm_db_begin_twin(db, other, &twin, err, sizeof err), HM_OK);
    assert_null(twin);
    assert_non_null(strstr(err, "none.db"));
    assert_int_equal(sqlite3_get_autocommit(db), 1);   /* not left in a transaction */
    sqlite3_close(db);
    tu_remove_tree(dir);
}

/* The text of the single value SQL gives on db ("NULL" for NULL). */
static void sql_value(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, outsz, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
}

static void test_db_bit_functions(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char v[64];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE b (g INTEGER, x INTEGER);"
                                  "INSERT INTO b VALUES (1, 1), (1, 2), (1, NULL), (1, 6),"
                                  " (2, 2048), (2, 2048), (3, NULL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sql_value(db, "SELECT group_concat(o, ',') FROM (SELECT bit_or(x) AS o FROM b GROUP BY g"
                  " ORDER BY g)", v, sizeof v);
    assert_string_equal(v, "7,2048,0");
    sql_value(db, "SELECT bit_or(x) FROM b WHERE g = 9", v, sizeof v);   /* no rows */
    assert_string_equal(v, "0");
    sql_value(db, "SELECT bit_count(4095) || ',' || bit_count(0) || ',' || bit_count(-1)"
                  " || ',' || bit_count(5)", v, sizeof v);
    assert_string_equal(v, "12,0,64,2");
    sql_value(db, "SELECT bit_count(NULL)", v, sizeof v);
    assert_string_equal(v, "NULL");
    sql_value(db, "SELECT bit_count(bit_or(x)) FROM b", v, sizeof v);
    assert_string_equal(v, "4");   /* 1 | 2 | 6 | 2048 */
    sqlite3_close(db);
}

/* hm_years: whole years as hm_date_age counts them, as the ages and the
 * years in the programme use it; NULL for a missing or malformed date. */
static void test_db_years(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char v[64];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    sql_value(db, "SELECT hm_years('2010-06-30', '2026-06-30') || ',' ||"
                  " hm_years('2010-07-01', '2026-06-30') || ',' ||"
                  " hm_years('2012-02-29', '2025-02-28') || ',' ||"
                  " hm_years('2012-02-29', '2025-03-01') || ',' ||"
                  " hm_years('2026-12-31', '2026-12-31')", v, sizeof v);
    assert_string_equal(v, "16,15,12,13,0");
    sql_value(db, "SELECT hm_years(NULL, '2026-06-30')", v, sizeof v);
    assert_string_equal(v, "NULL");
    sql_value(db, "SELECT hm_years('2010-6-30', '2026-06-30')", v, sizeof v);
    assert_string_equal(v, "NULL");
    sql_value(db, "SELECT hm_years('2010-06-30', '2026-02-30')", v, sizeof v);
    assert_string_equal(v, "NULL");
    sqlite3_close(db);
}

/* hm_on_record: a child's record open on some day of [from, to]; the ends
 * count, a missing registration date is registered, a missing exit is
 * open; NULL for a missing period end. */
static void test_db_on_record(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char v[64];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    sql_value(db, "SELECT hm_on_record('2026-06-30', NULL, '2026-06-30', '2026-06-30') || "
                  "hm_on_record('2026-07-01', NULL, '2026-06-30', '2026-06-30') || "
                  "hm_on_record(NULL, '2026-06-30', '2026-06-30', '2026-06-30') || "
                  "hm_on_record(NULL, '2026-06-29', '2026-06-30', '2026-06-30') || "
                  "hm_on_record('2026-03-01', '2026-05-01', '2026-01-01', '2026-06-30') || "
                  "hm_on_record('2025-01-01', '2025-12-31', '2026-01-01', '2026-06-30') || "
                  "hm_on_record(NULL, NULL, '2026-01-01', '2026-06-30')", v, sizeof v);
    assert_string_equal(v, "1010101");
    sql_value(db, "SELECT hm_on_record(NULL, NULL, NULL, '2026-06-30')", v, sizeof v);
    assert_string_equal(v, "NULL");
    sqlite3_close(db);
}

/* hm_paired_months: the period's months a pairing pairs its child in, as
 * bits from the period's first month: an open pairing, one within the
 * period, one cut by the child's exit, one after, one before, an exit
 * before the start; NULL for a period longer than 62 months. */
static void test_db_paired_months(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char v[64];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    sql_value(db, "SELECT hm_paired_months('2025-11-15', NULL, NULL, '2026-01-01', '2026-06-30')"
                  " || ',' || hm_paired_months('2026-03-10', '2026-04-02', NULL, '2026-01-01', '2026-06-30')"
                  " || ',' || hm_paired_months('2026-01-05', NULL, '2026-02-20', '2026-01-01', '2026-06-30')"
                  " || ',' || hm_paired_months('2026-07-01', NULL, NULL, '2026-01-01', '2026-06-30')"
                  " || ',' || hm_paired_months('2025-01-01', '2025-12-31', NULL, '2026-01-01', '2026-06-30')"
                  " || ',' || hm_paired_months('2026-03-01', NULL, '2026-02-28', '2026-01-01', '2026-06-30')",
              v, sizeof v);
    assert_string_equal(v, "63,12,3,0,0,0");
    sql_value(db, "SELECT hm_paired_months('2020-01-01', NULL, NULL, '2020-01-01', '2026-01-31')", v,
              sizeof v);
    assert_string_equal(v, "NULL");
    sqlite3_close(db);
}

/* hm_pairing_forms: the groups of connected pairings, one of each form and
 * two many-to-many ones (one joined only through a later volunteer); no
 * rows, all zero; rows out of volunteer order, an error. */
static void test_db_pairing_forms(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    char v[128];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE p (v TEXT, c TEXT);"
                                  "INSERT INTO p VALUES ('V1', 'C1'), ('V2', 'C2'), ('V2', 'C3'),"
                                  " ('V3', 'C4'), ('V4', 'C4'), ('V5', 'C5'), ('V5', 'C6'),"
                                  " ('V6', 'C6'), ('V6', 'C7'), ('V7', 'C8'), ('V8', 'C9'),"
                                  " ('V9', 'C8'), ('V9', 'C9')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sql_value(db, "SELECT hm_pairing_forms(v, c) FROM (SELECT * FROM p ORDER BY v)", v, sizeof v);
    assert_string_equal(v, "[[1,1,1,1],[1,2,1,2],[1,2,2,1],[2,8,5,5]]");
    sql_value(db, "SELECT hm_pairing_forms(v, c) FROM p WHERE v = 'none'", v, sizeof v);
    assert_string_equal(v, "[[0,0,0,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]");
    assert_int_not_equal(sqlite3_exec(db, "SELECT hm_pairing_forms(v, c) FROM"
                                      " (SELECT * FROM p ORDER BY v DESC)", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_twin_same_snapshot),
        cmocka_unit_test(test_db_twin_missing_database),
        cmocka_unit_test(test_db_bit_functions),
        cmocka_unit_test(test_db_years),
        cmocka_unit_test(test_db_on_record),
        cmocka_unit_test(test_db_paired_months),
        cmocka_unit_test(test_db_pairing_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
