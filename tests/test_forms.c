/*
 * test_forms.c - the intake workbook: written from a small database (and
 * from none), read back with our own xlsx reader and checked with openpyxl
 * (tests/tools/check_forms.py) against the contract tables: a sheet per
 * kind, headers and their comments, guidance rows, dropdowns whose ranges
 * hold the enumerations, towns and roster IDs, date and number checks,
 * column formats, frozen header, hidden lists; a form filled in by openpyxl
 * reads back as the rows ingest will see.  Also the guidance-row rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/forms.h"
#include "himama/kinds.h"
#include "himama/util.h"
#include "himama/xlsx_read.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CREATED 1793491200    /* 2026-11-01T00:00:00Z */

static char g_dir[256];
static char g_python[256];
static char g_tools[512];

/* A database at path with two towns, three children (one exited) and two volunteers. */
static sqlite3 *small_db(const char *path)
{
    char err[512];
    sqlite3 *db = NULL;
    int from;
    remove(path);
    assert_int_equal(hm_db_open(path, true, &db, err, sizeof err), HM_OK);
    assert_int_equal(hm_db_migrate(db, ".", &from, err, sizeof err), HM_OK);
    assert_int_equal(sqlite3_exec(db,
        "INSERT INTO towns (town_code, town_name) VALUES ('T02', '常乐镇'), ('T01', '三厂街道');"
        "INSERT INTO children (child_id, name, birth_date, town_code, exited_on) VALUES"
        " ('C001', '张三', '2015-06-01', 'T01', NULL),"
        " ('C002', '李四', '2014-01-01', 'T02', '2020-01-01'),"
        " ('C003', '王五', '2016-02-02', 'T02', '2027-01-01');"
        "INSERT INTO volunteers (volunteer_id, name, town_code) VALUES"
        " ('V002', '钱爸爸', 'T02'), ('V001', '赵妈妈', 'T01');",
        NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static const char *type_name(hm_ftype t)
{
    switch (t) {
    case HM_F_ID: return "id";
    case HM_F_NAME: return "name";
    case HM_F_TEXT: return "text";
    case HM_F_LONGTEXT: return "longtext";
    case HM_F_PHONE: return "phone";
    case HM_F_DATE: return "date";
    case HM_F_BIRTHDATE: return "birthdate";
    case HM_F_ADULT_BIRTHDATE: return "adult_birthdate";
    case HM_F_MONEY: return "money";
    case HM_F_MONEY_POS: return "money_pos";
    case HM_F_MINUTES: return "minutes";
    case HM_F_ENUM: return "enum";
    case HM_F_NEEDS: return "needs";
    }
    return "?";
}

static const char *ref_name(hm_ref r)
{
    switch (r) {
    case HM_REF_TOWN: return "town";
    case HM_REF_CHILD: return "child";
    case HM_REF_VOLUNTEER: return "volunteer";
    case HM_REF_EVENT: return "event";
    case HM_REF_FUND: return "fund";
    case HM_REF_NONE: break;
    }
    return "";
}

/* Append a JSON array of strings. */
static void json_list(hm_strbuf *sb, const char *const *v, size_t n)
{
    hm_strbuf_addc(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            hm_strbuf_addc(sb, ',');
        hm_strbuf_add_json(sb, v[i]);
    }
    hm_strbuf_addc(sb, ']');
}

/* What the database offers: town codes, roster children and volunteers. */
typedef struct offered {
    const char *const *towns, *const *children, *const *volunteers;
    size_t ntowns, nchildren, nvolunteers;
} offered;

static const char *const small_towns[] = { "T01", "T02" };
static const char *const small_children[] = { "C001", "C003" };
static const char *const small_volunteers[] = { "V001", "V002" };
static const offered small_db_offers = { small_towns, small_children, small_volunteers, 2, 2, 2 };
static const offered no_db_offers = { NULL, NULL, NULL, 0, 0, 0 };

/* Write what the checker must find, from the contract tables. */
static void write_expect(const char *path, const offered *off)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_strbuf_adds(&sb, "{\"sheets\":[");
    for (size_t k = 0; k < HM_NKINDS; k++) {
        const hm_kind *kind = &hm_kinds[k];
        hm_strbuf_addf(&sb, "%s{\"name\":", k ? "," : "");
        hm_strbuf_add_json(&sb, kind->label);
        hm_strbuf_adds(&sb, ",\"columns\":[");
        for (size_t c = 0; c < kind->ncolumns; c++) {
            const hm_column *col = &kind->columns[c];
            hm_strbuf_addf(&sb, "%s{\"name\":", c ? "," : "");
            hm_strbuf_add_json(&sb, col->name);
            hm_strbuf_adds(&sb, ",\"label\":");
            hm_strbuf_add_json(&sb, col->label);
            hm_strbuf_addf(&sb, ",\"type\":\"%s\",\"required\":%s,\"ref\":\"%s\",\"enum\":",
                           type_name(col->type), col->required ? "true" : "false",
                           ref_name(col->ref));
            const hm_enum *e = col->type == HM_F_ENUM ? col->enumeration
                               : col->type == HM_F_NEEDS ? &hm_enum_needs : NULL;
            if (e) {
                char *labels[16];
                assert_true(e->nvalues <= 16);
                for (size_t i = 0; i < e->nvalues; i++)
                    labels[i] = hm_forms_label(e->values[i].label);
                json_list(&sb, (const char *const *)labels, e->nvalues);
                for (size_t i = 0; i < e->nvalues; i++)
                    free(labels[i]);
            } else {
                hm_strbuf_adds(&sb, "null");
            }
            hm_strbuf_addc(&sb, '}');
        }
        hm_strbuf_adds(&sb, "]}");
    }
    hm_strbuf_adds(&sb, "],\"towns\":");
    json_list(&sb, off->towns, off->ntowns);
    hm_strbuf_adds(&sb, ",\"children\":");
    json_list(&sb, off->children, off->nchildren);
    hm_strbuf_adds(&sb, ",\"volunteers\":");
    json_list(&sb, off->volunteers, off->nvolunteers);
    hm_strbuf_adds(&sb, ",\"roster\":");
    hm_strbuf_add_json(&sb, HM_FORMS_ROSTER_SHEET);
    hm_strbuf_adds(&sb, ",\"lists\":");
    hm_strbuf_add_json(&sb, HM_FORMS_LISTS_SHEET);
    hm_strbuf_adds(&sb, "}\n");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(sb.buf, 1, sb.len, fp), sb.len);
    assert_int_equal(fclose(fp), 0);
    hm_strbuf_release(&sb);
}

/* Read every kind sheet back with our reader: header labels, then the guidance row only. */
static void read_back(const char *path, bool with_db)
{
    char err[512];
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(hm_xlsx_nsheets(b), HM_NKINDS + 2);
    for (size_t k = 0; k < HM_NKINDS; k++) {
        const hm_kind *kind = &hm_kinds[k];
        assert_string_equal(hm_xlsx_sheet_name(b, k), kind->label);
        assert_false(hm_xlsx_sheet_hidden(b, k));
        assert_false(hm_forms_aux_sheet(kind->label));
        /* the sheet name tells the kind, as a file name would */
        assert_ptr_equal(hm_kind_by_filename(kind->label), kind);

        hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, k, err, sizeof err);
        assert_non_null(s);
        hm_csv_record rec;
        const char *msg;
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
        assert_int_equal(rec.line, 1);
        assert_int_equal(rec.nfield, kind->ncolumns);
        for (size_t c = 0; c < kind->ncolumns; c++) {
            assert_string_equal(rec.field[c], kind->columns[c].label);
            assert_int_equal(hm_kind_column(kind, rec.field[c]), (int)c);
        }
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
        assert_int_equal(rec.line, 2);
        assert_true(hm_forms_is_guidance(&rec));
        /* a date that goes with a status says so */
        if (k == HM_KIND_FEEDBACK)
            assert_non_null(strstr(rec.field[HM_COL_FEEDBACK_RESOLVED_ON],
                                   "办理状态为“已办结”时必填；办理状态不是“已办结”时留空"));
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 0);
        hm_xlsx_sheet_close(s);
    }
    assert_string_equal(hm_xlsx_sheet_name(b, HM_NKINDS), HM_FORMS_ROSTER_SHEET);
    assert_true(hm_forms_aux_sheet(HM_FORMS_ROSTER_SHEET));
    assert_null(hm_kind_by_filename(HM_FORMS_ROSTER_SHEET));
    assert_false(hm_xlsx_sheet_hidden(b, HM_NKINDS));
    assert_string_equal(hm_xlsx_sheet_name(b, HM_NKINDS + 1), HM_FORMS_LISTS_SHEET);
    assert_true(hm_forms_aux_sheet(HM_FORMS_LISTS_SHEET));
    assert_null(hm_kind_by_filename(HM_FORMS_LISTS_SHEET));
    assert_true(hm_xlsx_sheet_hidden(b, HM_NKINDS + 1));

    /* the roster: warning, header, then the current children and all volunteers */
    hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, HM_NKINDS, err, sizeof err);
    assert_non_null(s);
    hm_csv_record rec;
    const char *msg;
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
    assert_non_null(strstr(rec.field[0], "个人信息"));
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
    assert_string_equal(rec.field[0], "儿童编号");
    assert_string_equal(rec.field[4], "志愿者编号");
    if (with_db) {
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
        assert_string_equal(rec.raw, "C001,张三,T01,,V001,赵妈妈,T01");
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
        assert_string_equal(rec.raw, "C003,王五,T02,,V002,钱爸爸,T02");
    }
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), 0);
    hm_xlsx_sheet_close(s);
    hm_xlsx_close(b);
}

/* No temporary files left beside the workbook. */
static void no_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_null(strstr(e->d_name, ".tmp-"));
    closedir(d);
}

/* ---- tests ---- */

static void test_forms_with_database(void **state)
{
    (void)state;
    char err[512];
    sqlite3 *db = small_db(tu_path(g_dir, "forms.db"));
    assert_int_equal(tu_shell("mkdir -p '%s'", tu_path(g_dir, "withdb")), 0);
    char x[512];
    snprintf(x, sizeof x, "%s", tu_path(g_dir, "withdb/" HM_FORMS_FILE));
    hm_forms_options o = { .created = CREATED, .org = "海门区妇联", .today = "2026-11-01" };
    hm_forms_stats st;
    assert_int_equal(hm_forms_write(db, x, &o, &st, err, sizeof err), HM_OK);
    sqlite3_close(db);
    assert_int_equal(st.sheets, HM_NKINDS);
    assert_int_equal(st.towns, 2);
    assert_int_equal(st.children, 2);
    assert_int_equal(st.volunteers, 2);
    assert_true(st.validations >= 40);
    no_leftovers(tu_path(g_dir, "withdb"));

    read_back(x, true);
    const char *expect = tu_path(g_dir, "withdb.json");
    write_expect(expect, &small_db_offers);
    assert_int_equal(tu_shell("'%s' '%s/check_forms.py' check '%s' '%s'", g_python, g_tools, x,
                              expect), 0);

    /* the same input gives the same bytes */
    const char *again = tu_path(g_dir, "withdb/again.xlsx");
    db = small_db(tu_path(g_dir, "forms.db"));
    assert_int_equal(hm_forms_write(db, again, &o, NULL, err, sizeof err), HM_OK);
    sqlite3_close(db);
    assert_int_equal(tu_shell("cmp -s '%s' '%s'", x, again), 0);
}

static void test_forms_without_database(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(tu_shell("mkdir -p '%s'", tu_path(g_dir, "nodb")), 0);
    const char *x = tu_path(g_dir, "nodb/" HM_FORMS_FILE);
    hm_forms_stats st;
    assert_int_equal(hm_forms_write(NULL, x, NULL, &st, err, sizeof err), HM_OK);
    assert_int_equal(st.towns, 0);
    assert_int_equal(st.children, 0);
    assert_int_equal(st.volunteers, 0);
    read_back(x, false);
    const char *expect = tu_path(g_dir, "nodb.json");
    write_expect(expect, &no_db_offers);
    assert_int_equal(tu_shell("'%s' '%s/check_forms.py' check '%s' '%s'", g_python, g_tools, x,
                              expect), 0);
}

#ifdef __SANITIZE_ADDRESS__
/*
 * LeakSanitizer: ignore libxlsxwriter 1.1.4's leak of the formula copied
 * for each validation by range (see test_forms_long_lists_by_range).
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:worksheet_data_validation_range\n";
}

/* The slow unwinder sees through libxlsxwriter, so the suppression matches. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
#endif

/*
 * Lists too long to type into a validation (60 towns, 120 children) are
 * referenced by range instead.  libxlsxwriter 1.1.4 leaks a copy of the
 * formula of each such validation, so this case is left out of the leak
 * checker's run (HIMAMA_VALGRIND=1, set by the test runner) and the leak is
 * suppressed for LeakSanitizer.
 */
static void test_forms_long_lists_by_range(void **state)
{
    (void)state;
    if (getenv("HIMAMA_VALGRIND") && strcmp(getenv("HIMAMA_VALGRIND"), "1") == 0)
        skip();
    char err[512];
    const char *dbpath = tu_path(g_dir, "long.db");
    sqlite3 *db = NULL;
    int from;
    static char towns[60][24], kids[120][24];
    const char *tp[60], *kp[120];
    remove(dbpath);
    assert_int_equal(hm_db_open(dbpath, true, &db, err, sizeof err), HM_OK);
    assert_int_equal(hm_db_migrate(db, ".", &from, err, sizeof err), HM_OK);
    assert_int_equal(sqlite3_exec(db,
        "INSERT INTO towns (town_code) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
        " SELECT i + 1 FROM n WHERE i < 59) SELECT printf('TOWN-%03d', i) FROM n;"
        "INSERT INTO children (child_id, name, birth_date, town_code) WITH RECURSIVE "
        " n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 119) "
        " SELECT printf('CHILD-%04d', i), 'n', '2015-01-01', 'TOWN-000' FROM n;",
        NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 60; i++) {
        snprintf(towns[i], sizeof towns[i], "TOWN-%03d", i);
        tp[i] = towns[i];
    }
    for (int i = 0; i < 120; i++) {
        snprintf(kids[i], sizeof kids[i], "CHILD-%04d", i);
        kp[i] = kids[i];
    }
    char x[512];
    snprintf(x, sizeof x, "%s", tu_path(g_dir, "long.xlsx"));
    hm_forms_stats st;
    assert_int_equal(hm_forms_write(db, x, NULL, &st, err, sizeof err), HM_OK);
    sqlite3_close(db);
    assert_int_equal(st.towns, 60);
    assert_int_equal(st.children, 120);
    offered off = { tp, kp, NULL, 60, 120, 0 };
    const char *expect = tu_path(g_dir, "long.json");
    write_expect(expect, &off);
    assert_int_equal(tu_shell("'%s' '%s/check_forms.py' check '%s' '%s'", g_python, g_tools, x,
                              expect), 0);
    /* and they are ranges, not typed lists */
    assert_int_equal(tu_shell("cd '%s' && rm -rf long-x && mkdir long-x && cd long-x && "
                              "unzip -q ../long.xlsx && grep -q \"<formula1>'%s'!\\$A\\$2:\\$A\\$61"
                              "</formula1>\" xl/worksheets/sheet2.xml",
                              g_dir, HM_FORMS_LISTS_SHEET),
                     0);
}

/* A form filled in by openpyxl reads back as the rows ingest will see. */
static void test_forms_filled_reads_back(void **state)
{
    (void)state;
    char err[512];
    sqlite3 *db = small_db(tu_path(g_dir, "filled.db"));
    const char *x = tu_path(g_dir, "blank.xlsx"), *filled = tu_path(g_dir, "filled.xlsx");
    assert_int_equal(hm_forms_write(db, x, NULL, NULL, err, sizeof err), HM_OK);
    sqlite3_close(db);
    assert_int_equal(tu_shell("'%s' '%s/check_forms.py' fill '%s' '%s'", g_python, g_tools, x,
                              filled), 0);

    hm_xlsx_book *b = hm_xlsx_open(filled, err, sizeof err);
    assert_non_null(b);
    struct { size_t sheet; const char *rows[4]; } want[] = {
        { HM_KIND_CHILDREN,
          { "C010,小明,,男,2015-06-01,T01,留守,,13812345678,,,亲情关爱；微心愿,2026-01-05,",
            "007,小红,红红,女,2016-02-29,T02,,,,,,,,", NULL } },
        { HM_KIND_DONATIONS, { "D1,2026-10-01,某企业,企业,1000.5,,R-001", NULL } },
        { HM_KIND_TOWNS, { NULL } },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, want[i].sheet, err, sizeof err);
        assert_non_null(s);
        hm_csv_record rec;
        const char *msg;
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);     /* header */
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);     /* guidance */
        assert_true(hm_forms_is_guidance(&rec));
        for (size_t r = 0; want[i].rows[r]; r++) {
            assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
            assert_int_equal(rec.line, (long)(3 + r));
            assert_false(hm_forms_is_guidance(&rec));
            assert_string_equal(rec.raw, want[i].rows[r]);
        }
        assert_int_equal(hm_xlsx_next(s, &rec, &msg), 0);
        hm_xlsx_sheet_close(s);
    }
    hm_xlsx_close(b);
}

static void test_forms_unwritable(void **state)
{
    (void)state;
    char err[512];
    const char *x = tu_path(g_dir, "no/such/dir/" HM_FORMS_FILE);
    assert_int_equal(hm_forms_write(NULL, x, NULL, NULL, err, sizeof err), HM_EIO);
    assert_non_null(strstr(err, "cannot write"));
    assert_int_equal(access(x, F_OK), -1);
}

/* Build a one-field record for the guidance rule. */
static bool guidance_of(const char *first, const char *error)
{
    char *f[2] = { (char *)first, (char *)"x" };
    size_t len[2] = { strlen(first), 1 };
    hm_csv_record rec = { .nfield = 2, .field = f, .flen = len, .line = 2, .nlines = 1,
                          .raw = "", .raw_len = 0, .error = error, .error_field = -1 };
    return hm_forms_is_guidance(&rec);
}

static void test_forms_guidance_rule(void **state)
{
    (void)state;
    assert_true(guidance_of("说明：必填", NULL));
    assert_true(guidance_of("说明:必填", NULL));
    assert_true(guidance_of("说明：", NULL));
    assert_true(guidance_of("  \t\xC2\xA0\xE3\x80\x80说明：x", NULL));
    assert_false(guidance_of("说明", NULL));
    assert_false(guidance_of("说明书", NULL));
    assert_false(guidance_of("C001", NULL));
    assert_false(guidance_of("", NULL));
    assert_false(guidance_of("x说明：", NULL));
    assert_false(guidance_of("说明：x", "bad cell reference 'x'"));
    assert_false(hm_forms_is_guidance(NULL));
    assert_false(hm_forms_aux_sheet("儿童"));
    assert_false(hm_forms_aux_sheet(NULL));
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    if (!tu_mkdtemp(g_dir, sizeof g_dir, "himama-forms"))
        return -1;
    tu_tools_path(g_tools, sizeof g_tools, "");
    return tu_find_python(g_python, sizeof g_python) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown_dir(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_with_database),
        cmocka_unit_test(test_forms_without_database),
        cmocka_unit_test(test_forms_long_lists_by_range),
        cmocka_unit_test(test_forms_filled_reads_back),
        cmocka_unit_test(test_forms_unwritable),
        cmocka_unit_test(test_forms_guidance_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
