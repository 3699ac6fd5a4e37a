/*
 * test_kinds.c - the contract tables of kinds.c agree with the schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/db.h"
#include "himama/util.h"
#include "himama/kinds.h"

/* An in-memory database made by queries/schema.sql. */
static sqlite3 *schema_db(void)
{
    sqlite3 *db;
    char err[256];
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *sql = hm_read_file("queries/schema.sql", NULL);
    assert_non_null(sql);
    assert_int_equal(hm_db_exec_script(db, "schema.sql", sql, err, sizeof err), HM_OK);
    free(sql);
    return db;
}

/* The activity_types table of schema.sql holds exactly the enumeration. */
static void test_kinds_activity_types_match_schema(void **state)
{
    (void)state;
    sqlite3 *db = schema_db();
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT code, label FROM activity_types ORDER BY code",
                                        -1, &st, NULL), SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *label = hm_enum_label(&hm_enum_activity_type, code);
        assert_non_null(label);
        assert_string_equal(label, (const char *)sqlite3_column_text(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    assert_int_equal(n, hm_enum_activity_type.nvalues);
    sqlite3_close(db);
}

/* Every kind's table has a column per contract column (money with _fen). */
static void test_kinds_tables_have_contract_columns(void **state)
{
    (void)state;
    sqlite3 *db = schema_db();
    for (size_t k = 0; k < HM_NKINDS; k++) {
        for (size_t c = 0; c < hm_kinds[k].ncolumns; c++) {
            const hm_column *col = &hm_kinds[k].columns[c];
            char name[64], q[256];
            bool money = col->type == HM_F_MONEY || col->type == HM_F_MONEY_POS;
            snprintf(name, sizeof name, "%s%s", col->name, money ? "_fen" : "");
            snprintf(q, sizeof q, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                     hm_kinds[k].name, name);
            sqlite3_stmt *st;
            assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            if (sqlite3_column_int(st, 0) != 1)
                fail_msg("table %s lacks column %s", hm_kinds[k].name, name);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
}

/* The table a reference column looks its values up in (NULL: none with a key). */
static const char *ref_table(hm_ref r)
{
    switch (r) {
    case HM_REF_TOWN: return "towns";
    case HM_REF_CHILD: return "children";
    case HM_REF_VOLUNTEER: return "volunteers";
    case HM_REF_EVENT: return "trainings";
    default: return NULL;
    }
}

/*
 * Every REFERENCES of a kind's table is checked by ingest before the row is
 * stored (the connection leaves SQLite's foreign keys off, see db.c): the
 * column is a reference column into that table, or, for activity_types,
 * the enumeration that table holds.  And no reference column lacks its
 * REFERENCES.
 */
static void test_kinds_references_are_checked(void **state)
{
    (void)state;
    sqlite3 *db = schema_db();
    size_t fks = 0, refs = 0;
    for (size_t k = 0; k < HM_NKINDS; k++) {
        const hm_kind *kind = &hm_kinds[k];
        char q[256];
        snprintf(q, sizeof q, "SELECT \"from\", \"table\" FROM pragma_foreign_key_list('%s')"
                 " WHERE \"from\" <> 'ingest_id'", kind->name);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *from = (const char *)sqlite3_column_text(st, 0);
            const char *table = (const char *)sqlite3_column_text(st, 1);
            int c = hm_kind_column(kind, from);
            if (c < 0)
                fail_msg("%s.%s references %s but is no contract column", kind->name, from, table);
            const hm_column *col = &kind->columns[c];
            bool checked = strcmp(table, "activity_types") == 0
                ? col->type == HM_F_ENUM && col->enumeration == &hm_enum_activity_type
                : ref_table(col->ref) && strcmp(ref_table(col->ref), table) == 0;
            if (!checked)
                fail_msg("%s.%s references %s, which ingest does not check", kind->name, from,
                         table);
            fks++;
        }
        sqlite3_finalize(st);
        for (size_t c = 0; c < kind->ncolumns; c++)
            refs += ref_table(kind->columns[c].ref) != NULL;
    }
    /* Each reference column has its REFERENCES, and activities.type one more. */
    assert_int_equal(fks, refs + 1);
    sqlite3_close(db);
}

/* What counts as a contact and as one of the five ones, in C and through
 * the SQL functions the summaries use: the same answer for every type. */
static void test_kinds_activity_rules(void **state)
{
    (void)state;
    size_t contact = 0, five = 0;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hm_contact(?1), hm_five_ones(?1)", -1, &st,
                                        NULL), SQLITE_OK);
    for (size_t i = 0; i < hm_enum_activity_type.nvalues; i++) {
        const char *t = hm_enum_activity_type.values[i].code;
        bool c = hm_activity_contact(t, strlen(t)), f = hm_activity_five_ones(t, strlen(t));
        contact += c;
        five += f;
        if (f && !c)
            fail_msg("'%s' is one of the five ones but not a contact", t);
        sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), c);
        assert_int_equal(sqlite3_column_int(st, 1), f);
        sqlite3_reset(st);
    }
    assert_int_equal(contact, hm_enum_activity_type.nvalues - 2);
    assert_int_equal(five, 4);
    assert_false(hm_activity_contact("visit_guardian", 14));
    assert_true(hm_activity_contact("visit_guardian", 5));   /* "visit" is not a visit type */
    assert_true(hm_activity_five_ones("call", 4));
    assert_false(hm_activity_five_ones("callx", 5));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_activity_types_match_schema),
        cmocka_unit_test(test_kinds_tables_have_contract_columns),
        cmocka_unit_test(test_kinds_references_are_checked),
        cmocka_unit_test(test_kinds_activity_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
