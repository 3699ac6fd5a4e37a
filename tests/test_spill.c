/*
 * test_spill.c - long lists kept in a temporary file (spill.h): the file
 * gives back exactly the rows written, in order, with NULL, integers,
 * reals and text intact; a detail list longer than its pdf_rows keeps only
 * those rows in memory and still reaches the workbook whole, masked as a
 * public report must be; and no temporary file or descriptor is left
 * behind, also when the report fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/aggregate.h"
#include "himama/params.h"
#include "himama/spill.h"
#include "himama/template.h"
#include "himama/xlsx_read.h"

#include "test_util.h"

#define CREATED 1793491200    /* 2026-11-01 00:00:00 UTC */
#define NITEMS 1000           /* rows of the detail list */
#define KEPT 7                /* its pdf_rows */

static char *g_dir;           /* this run's scratch directory */

static int group_setup(void **state)
{
    (void)state;
    char buf[512];
    if (!tu_mkdtemp(buf, sizeof buf, "himama-test-spill"))
        return -1;
    g_dir = hm_xstrdup(buf);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = tu_teardown_dir(g_dir);
    free(g_dir);
    return rc;
}

/* Number of entries in dir, "." and ".." left out (-1 when it cannot be read). */
static int dir_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* Number of this process's open file descriptors. */
static int open_fds(void)
{
    return dir_entries("/proc/self/fd");
}

/* Whether a and b are the same value: same type, integers equal, reals bit for bit. */
static bool value_same(const hm_value *a, const hm_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case HM_V_NULL:
        return true;
    case HM_V_INT:
        return a->i == b->i;
    case HM_V_REAL:
        return memcmp(&a->r, &b->r, sizeof a->r) == 0;
    case HM_V_TEXT:
        return strcmp(a->s, b->s) == 0;
    }
    return false;
}

/* ---- the file alone ---- */

enum { RT_COLS = 4, RT_ROWS = 3000 };

/* Row i of the round-trip table: every type, edge values, types mixed in a column. */
static void rt_row(size_t i, hm_value *v, char *text, size_t textsz, char *big)
{
    static const int64_t ints[] = { 0, 1, -1, 63, 64, -64, -65, 127, 128, INT64_MAX, INT64_MIN,
                                    INT64_MIN + 1, (int64_t)1 << 40, -((int64_t)1 << 53) - 1 };
    static const double reals[] = { 0.0, -0.0, 0.1, -2.5, 1e-310, DBL_MAX, -DBL_MAX,
                                    DBL_MIN, 123456.789, 1.0 / 3.0 };
    memset(v, 0, RT_COLS * sizeof *v);
    v[0].type = HM_V_INT;
    v[0].i = ints[i % (sizeof ints / sizeof ints[0])] ^ (int64_t)(i * 7919);
    v[1].type = i % 5 == 0 ? HM_V_NULL : HM_V_REAL;
    v[1].r = reals[i % (sizeof reals / sizeof reals[0])] * (i % 2 ? 1.0 : -1.0);
    v[2].type = HM_V_TEXT;
    if (i == 1234) {
        v[2].s = big;            /* longer than any buffer the reader starts with */
    } else if (i % 9 == 0) {
        v[2].s = (char *)"";
    } else {
        snprintf(text, textsz, "第%zu行, \"quoted\"\nsecond line %zu", i, i * 31);
        v[2].s = text;
    }
    switch (i % 4) {             /* one column holding every type in turn */
    case 0: v[3].type = HM_V_NULL; break;
    case 1: v[3].type = HM_V_INT; v[3].i = -(int64_t)i; break;
    case 2: v[3].type = HM_V_REAL; v[3].r = (double)i / 8.0; break;
    default: v[3].type = HM_V_TEXT; v[3].s = i % 8 == 3 ? (char *)"儿童" : (char *)"x"; break;
    }
}

/* Assert that row i of sp (all columns kept) is rt_row(i). */
static void rt_check(hm_spill *sp, size_t i, char *big)
{
    hm_value want[RT_COLS];
    const hm_value *got;
    char text[128], err[256];
    rt_row(i, want, text, sizeof text, big);
    if (hm_spill_row(sp, i, &got, err, sizeof err) != HM_OK)
        fail_msg("row %zu: %s", i, err);
    for (size_t c = 0; c < RT_COLS; c++)
        if (!value_same(&got[c], &want[c]))
            fail_msg("row %zu column %zu differs (type %d, want %d)", i, c,
                     (int)got[c].type, (int)want[c].type);
}

static void test_spill_round_trip(void **state)
{
    (void)state;
    hm_spill *sp = NULL;
    hm_value row[RT_COLS];
    const hm_value *got;
    char text[128], err[256];
    size_t bign = 300000;
    char *big = hm_xmalloc(bign + 1);
    for (size_t k = 0; k < bign; k++)
        big[k] = (char)('a' + k % 26);
    big[bign] = '\0';

    assert_int_equal(hm_spill_open(RT_COLS, &sp, err, sizeof err), HM_OK);
    assert_int_equal(hm_spill_rows(sp), 0);
    for (size_t i = 0; i < RT_ROWS; i++) {
        rt_row(i, row, text, sizeof text, big);
        assert_int_equal(hm_spill_append(sp, row, err, sizeof err), HM_OK);
    }
    assert_int_equal(hm_spill_flush(sp, err, sizeof err), HM_OK);
    assert_int_equal(hm_spill_rows(sp), RT_ROWS);
    assert_int_equal(hm_spill_ncol(sp), RT_COLS);

    for (int pass = 0; pass < 2; pass++)          /* in order, twice */
        for (size_t i = 0; i < RT_ROWS; i++)
            rt_check(sp, i, big);
    static const size_t jumps[] = { 2999, 0, 1234, 1233, 1235, 17, 17, 2998, 1 };
    for (size_t k = 0; k < sizeof jumps / sizeof jumps[0]; k++)   /* any order */
        rt_check(sp, jumps[k], big);
    assert_int_equal(hm_spill_row(sp, RT_ROWS, &got, err, sizeof err), HM_EIO);

    /* appending after reading, then reading again */
    rt_row(5, row, text, sizeof text, big);
    assert_int_equal(hm_spill_append(sp, row, err, sizeof err), HM_OK);
    assert_int_equal(hm_spill_rows(sp), RT_ROWS + 1);
    assert_int_equal(hm_spill_row(sp, RT_ROWS, &got, err, sizeof err), HM_OK);
    for (size_t c = 0; c < RT_COLS; c++)
        assert_true(value_same(&got[c], &row[c]));

    /* dropped columns leave the others in place */
    bool drop[RT_COLS] = { false, true, false, true };
    hm_spill_drop_columns(sp, drop);
    assert_int_equal(hm_spill_ncol(sp), 2);
    hm_value want[RT_COLS];
    for (size_t i = 1230; i < 1240; i++) {
        rt_row(i, want, text, sizeof text, big);
        assert_int_equal(hm_spill_row(sp, i, &got, err, sizeof err), HM_OK);
        assert_true(value_same(&got[0], &want[0]));
        assert_true(value_same(&got[1], &want[2]));
    }
    hm_spill_free(sp);
    hm_spill_free(NULL);
    free(big);
}

/* ---- a detail list through aggregate and the workbook ---- */

/* The list's rows: NULLs, negative and large integers, reals, text with line breaks. */
static const char *const ITEMS_SQL =
    "CREATE TABLE items(id INTEGER PRIMARY KEY, n, r, t, k, secret, h);"
    "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 1000)"
    " INSERT INTO items SELECT x,"
    "  CASE WHEN x % 7 = 0 THEN NULL WHEN x % 5 = 0 THEN -x * 1000000007 ELSE x END,"
    "  CASE WHEN x % 11 = 0 THEN NULL ELSE x + 0.25 END,"
    "  CASE WHEN x % 13 = 0 THEN NULL WHEN x % 3 = 0 THEN '第' || x || '行' || char(10) || 'two'"
    "   WHEN x % 17 = 0 THEN '' ELSE 'row ' || x END,"
    "  x % 4, 'secret-' || x, x * 2 FROM i;";

/* The section's query (the order is the list's order: by id, descending). */
static const char *const ITEMS_QUERY =
    "SELECT n, r, t, k, secret, h FROM items ORDER BY id DESC;\n";

/* A one-section template over the list, with pdf_rows (0: every row in memory). */
static hm_template *items_template(size_t pdf_rows, const char *query)
{
    char text[1024], err[512];
    hm_template *t = NULL;
    snprintf(text, sizeof text,
             "title = T {items.rows}\n"
             "[section items]\n"
             "kind = list\n"
             "heading = H {items.t:last}|{items.n:500}|{items.h:3}\n"
             "sheet = Items\n"
             "query = %s\n"
             "pdf_rows = %zu\n"
             "detail = yes\n"
             "columns = n:N:int, h:H:int:hidden, r:R:real, t:T:text, "
             "k:K:int:children, secret:S:text:internal\n"
             "intro = {items.rows} rows, h {items.h:last}\n"
             "note_if = items.h:999\n"
             "note = noted\n",
             query, pdf_rows);
    if (hm_template_parse("items.tmpl", text, &t, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    return t;
}

/* A database holding the list, and the queries folder with its query. */
static sqlite3 *items_db(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, ITEMS_SQL, NULL, NULL, NULL), SQLITE_OK);
    FILE *fp = fopen(tu_path(g_dir, "items.sql"), "w");
    assert_non_null(fp);
    fputs(ITEMS_QUERY, fp);
    assert_int_equal(fclose(fp), 0);
    return db;
}

/* Aggregate tmpl for audience; the code, with *r set on success. */
static hm_error items_report(sqlite3 *db, const hm_template *tmpl, const char *audience,
                             hm_report **r, char *err, size_t errsz)
{
    hm_period october;
    hm_query_params q;
    hm_period_parse("monthly", "2026-10", NULL, &october, err, errsz);
    hm_query_params_init(&q, &october, audience, "en", NULL, hm_days_from_civil(2026, 11, 1));
    hm_aggregate_params p = { .query = &q, .queries_dir = g_dir };
    return hm_aggregate(db, tmpl, &p, r, err, errsz);
}

/* Aggregate the list with pdf_rows for audience; fails the test on error. */
static hm_report *items(sqlite3 *db, size_t pdf_rows, const char *audience)
{
    char err[512] = "";
    hm_report *r = NULL;
    hm_template *t = items_template(pdf_rows, "items");
    if (items_report(db, t, audience, &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_template_free(t);
    return r;
}

/* Column c of the query's current row as a model value (text borrowed from st). */
static hm_value stmt_value(sqlite3_stmt *st, int c)
{
    hm_value v = { .type = HM_V_NULL };
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER: v.type = HM_V_INT; v.i = sqlite3_column_int64(st, c); break;
    case SQLITE_FLOAT: v.type = HM_V_REAL; v.r = sqlite3_column_double(st, c); break;
    case SQLITE_TEXT: v.type = HM_V_TEXT; v.s = (char *)sqlite3_column_text(st, c); break;
    default: break;
    }
    return v;
}

/*
 * Assert that the list's table holds the query's rows, in order, in the
 * query columns cols (ncols of them): the kept ones in memory too.
 */
static void assert_rows_are_query(sqlite3 *db, const hm_table *t, const int *cols, size_t ncols)
{
    sqlite3_stmt *st = NULL;
    char err[256];
    const hm_value *got;
    assert_int_equal(t->ncol, ncols);
    assert_int_equal(sqlite3_prepare_v2(db, ITEMS_QUERY, -1, &st, NULL), SQLITE_OK);
    size_t i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (hm_table_row(t, i, &got, err, sizeof err) != HM_OK)
            fail_msg("row %zu: %s", i, err);
        for (size_t c = 0; c < ncols; c++) {
            hm_value want = stmt_value(st, cols[c]);
            if (!value_same(&got[c], &want))
                fail_msg("row %zu column %zu differs", i, c);
            if (i < t->nrow && !value_same(hm_table_cell(t, i, c), &want))
                fail_msg("row %zu column %zu differs in memory", i, c);
        }
        i++;
    }
    sqlite3_finalize(st);
    assert_int_equal(i, NITEMS);
    assert_int_equal(hm_table_rows(t), NITEMS);
}

/* Render r's workbook to path (fixed creation time); fails the test on error. */
static void render(const hm_report *r, const char *path)
{
    hm_render_opts o = { NULL, 0, CREATED };
    char err[512] = "";
    if (hm_render_xlsx(r, &o, path, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
}

/* Assert that files a and b hold the same bytes. */
static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *da = tu_slurp(a, &na), *db = tu_slurp(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);
}

/* The text the workbook reader gives for query column c of st as the sheet shows it. */
static void expected_cell(sqlite3_stmt *st, int c, bool public_aud, char *out, size_t outsz)
{
    hm_value v = stmt_value(st, c);
    out[0] = '\0';
    if (c == 3 && public_aud && v.type == HM_V_INT && v.i > 0 && v.i < 3)
        snprintf(out, outsz, "<3");
    else if (v.type == HM_V_INT)
        snprintf(out, outsz, "%lld", (long long)v.i);
    else if (v.type == HM_V_REAL)
        snprintf(out, outsz, "%.15g", v.r);
    else if (v.type == HM_V_TEXT)
        snprintf(out, outsz, "%s", v.s);
}

/*
 * Assert that the sheet "Items" of the workbook at path has the header
 * row and then exactly the query's rows in order: N, R, T, K and, for
 * the internal report, S.
 */
static void assert_sheet_is_query(sqlite3 *db, const char *path, bool public_aud)
{
    char err[512], want[256];
    const char *msg = NULL;
    hm_csv_record rec;
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    if (!b)
        fail_msg("%s", err);
    assert_string_equal(hm_xlsx_sheet_name(b, 1), "Items");
    hm_xlsx_sheet *sh = hm_xlsx_sheet_open(b, 1, err, sizeof err);
    assert_non_null(sh);
    int k;
    while ((k = hm_xlsx_next(sh, &rec, &msg)) == 1)    /* heading and intro, then the header */
        if (rec.nfield >= 4 && strcmp(rec.field[0], "N") == 0)
            break;
    assert_int_equal(k, 1);
    assert_string_equal(rec.field[3], "K");
    if (public_aud)
        assert_true(rec.nfield == 4);
    else
        assert_string_equal(rec.field[4], "S");

    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, ITEMS_QUERY, -1, &st, NULL), SQLITE_OK);
    size_t ncols = public_aud ? 4 : 5, i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_int_equal(hm_xlsx_next(sh, &rec, &msg), 1);
        for (size_t c = 0; c < ncols; c++) {
            expected_cell(st, (int)c, public_aud, want, sizeof want);
            const char *got = c < rec.nfield ? rec.field[c] : "";
            if (strcmp(got, want) != 0)
                fail_msg("sheet row %zu column %zu: '%s', want '%s'", i, c, got, want);
        }
        for (size_t c = ncols; c < rec.nfield; c++)
            assert_string_equal(rec.field[c], "");
        i++;
    }
    sqlite3_finalize(st);
    assert_int_equal(i, NITEMS);
    /* after the list only its note */
    assert_int_equal(hm_xlsx_next(sh, &rec, &msg), 1);
    assert_string_equal(rec.field[0], "noted");
    while ((k = hm_xlsx_next(sh, &rec, &msg)) == 1)
        fail_msg("a row after the note: '%s'", rec.raw);
    assert_int_equal(k, 0);
    hm_xlsx_sheet_close(sh);
    hm_xlsx_close(b);
}

static void test_spill_detail_list_internal(void **state)
{
    (void)state;
    sqlite3 *db = items_db();
    hm_report *r = items(db, KEPT, "internal");
    const hm_table *t = &r->sec[0].table;

    /* only what the PDF draws stays in memory; the count is the query's */
    assert_non_null(t->spill);
    assert_int_equal(t->nrow, KEPT);
    static const int cols[] = { 0, 1, 2, 3, 4 };   /* h (second) was hidden: dropped */
    assert_rows_are_query(db, t, cols, 5);

    /* placeholders may quote rows beyond those kept, hidden columns too */
    assert_string_equal(r->title, "T 1000");
    assert_string_equal(r->sec[0].heading, "H row 1|501|1,996");   /* rows 1000, 500, 3 */
    assert_string_equal(r->sec[0].intro, "1000 rows, h 2");
    assert_string_equal(r->sec[0].note, "noted");

    /* the workbook is the one the whole list in memory gives, byte for byte */
    hm_report *whole = items(db, 0, "internal");
    assert_null(whole->sec[0].table.spill);
    assert_int_equal(whole->sec[0].table.nrow, NITEMS);
    const char *a = tu_path(g_dir, "spilled.xlsx"), *b = tu_path(g_dir, "whole.xlsx");
    render(r, a);
    render(whole, b);
    assert_same_file(a, b);
    assert_sheet_is_query(db, a, false);

    /* rendering again reads the file again from its start */
    render(r, b);
    assert_same_file(a, b);
    hm_report_free(whole);
    hm_report_free(r);
    sqlite3_close(db);
}

static void test_spill_detail_list_public(void **state)
{
    (void)state;
    sqlite3 *db = items_db();
    hm_report *r = items(db, KEPT, "public");
    const hm_table *t = &r->sec[0].table;
    assert_non_null(t->spill);
    assert_int_equal(t->nrow, KEPT);
    static const int cols[] = { 0, 1, 2, 3 };      /* no internal column, even in the file */
    assert_rows_are_query(db, t, cols, 4);
    assert_true(t->cols[3].child_count);

    hm_report *whole = items(db, 0, "public");
    const char *a = tu_path(g_dir, "spilled-public.xlsx");
    const char *b = tu_path(g_dir, "whole-public.xlsx");
    render(r, a);
    render(whole, b);
    assert_same_file(a, b);
    assert_sheet_is_query(db, a, true);             /* 1 and 2 children shown as "<3" */
    hm_report_free(whole);
    hm_report_free(r);
    sqlite3_close(db);
}

/* ---- nothing left behind ---- */

static void test_spill_temporary_file_removed(void **state)
{
    (void)state;
    char *tmp = tu_temp_dir("himama-test-spill-tmpdir");
    const char *old = getenv("TMPDIR");
    char *saved = old ? hm_xstrdup(old) : NULL;
    char err[512] = "";
    hm_report *r = NULL;
    sqlite3 *db = items_db();
    hm_template *t = items_template(KEPT, "items");
    int fds = open_fds();
    assert_true(fds > 0);
    setenv("TMPDIR", tmp, 1);

    /* while the report lives: an open file without a name */
    assert_int_equal(items_report(db, t, "internal", &r, err, sizeof err), HM_OK);
    assert_non_null(r->sec[0].table.spill);
    assert_int_equal(dir_entries(tmp), 0);
    assert_int_equal(open_fds(), fds + 1);
    render(r, tu_path(g_dir, "removed.xlsx"));
    assert_int_equal(open_fds(), fds + 1);
    hm_report_free(r);
    assert_int_equal(open_fds(), fds);
    assert_int_equal(dir_entries(tmp), 0);

    /* a workbook that cannot be written: the file goes with the report */
    r = NULL;
    assert_int_equal(items_report(db, t, "internal", &r, err, sizeof err), HM_OK);
    hm_render_opts o = { NULL, 0, CREATED };
    assert_int_not_equal(hm_render_xlsx(r, &o, tu_path(g_dir, "no/such/dir.xlsx"), err,
                                        sizeof err), HM_OK);
    hm_report_free(r);
    assert_int_equal(open_fds(), fds);

    /* a later section's query fails after the list was spilled */
    hm_template *two = NULL;
    assert_int_equal(hm_template_parse("two.tmpl",
                                       "title = T\n"
                                       "[section items]\nkind = list\nheading = H\n"
                                       "query = items\npdf_rows = 2\ndetail = yes\n"
                                       "columns = n:N:int\n"
                                       "[section broken]\nkind = table\nheading = B\n"
                                       "query = no_such_query\ncolumns = n:N\n",
                                       &two, err, sizeof err), HM_OK);
    r = NULL;
    assert_int_equal(items_report(db, two, "internal", &r, err, sizeof err), HM_EQUERY);
    assert_null(r);
    assert_int_equal(open_fds(), fds);
    assert_int_equal(dir_entries(tmp), 0);
    hm_template_free(two);

    /* no temporary file can be made: a clear error, nothing leaked */
    setenv("TMPDIR", tu_path(tmp, "missing"), 1);
    r = NULL;
    assert_int_equal(items_report(db, t, "internal", &r, err, sizeof err), HM_EIO);
    assert_null(r);
    assert_non_null(strstr(err, "section 'items'"));
    assert_non_null(strstr(err, "missing"));
    assert_int_equal(open_fds(), fds);

    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    hm_template_free(t);
    sqlite3_close(db);
    tu_remove_tree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spill_round_trip),
        cmocka_unit_test(test_spill_detail_list_internal),
        cmocka_unit_test(test_spill_detail_list_public),
        cmocka_unit_test(test_spill_temporary_file_removed),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
