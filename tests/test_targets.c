/*
 * test_targets.c - the work plan's targets: the file's parser (good and
 * bad lines, with file:line messages), and the targets section of the
 * half-year: its actuals are the report's own figures, its shares
 * actual / target, and no target set means no section.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/aggregate.h"
#include "himama/params.h"
#include "himama/targets.h"
#include "himama/template.h"

#include "test_util.h"

static void test_targets_parse(void **state)
{
    (void)state;
    hm_targets t;
    char err[256];
    assert_int_equal(hm_targets_parse("t.conf", "\xEF\xBB\xBF# plan\n\ncalls = 2400\n"
                                      "contact_rate = 90%\ndonations = 200000\r\n",
                                      &t, err, sizeof err), HM_OK);
    assert_true(t.set[HM_TGT_CALLS] && t.set[HM_TGT_CONTACT_RATE] && t.set[HM_TGT_DONATIONS]);
    assert_false(t.set[HM_TGT_READING]);
    assert_int_equal(t.value[HM_TGT_CALLS], 2400);
    assert_int_equal(t.value[HM_TGT_CONTACT_RATE], 90);
    assert_int_equal(t.value[HM_TGT_DONATIONS], 200000);
    assert_true(hm_targets_any(&t));
    assert_int_equal(hm_targets_parse("t.conf", "# nothing set\n", &t, err, sizeof err), HM_OK);
    assert_false(hm_targets_any(&t));
    assert_false(hm_targets_any(NULL));

    const char *bad[] = { "charm = 3\n", "calls = -1\n", "# c\ncalls = 1\ncalls = 2\n",
                          "contact_rate = 101\n", "just words\n", "hours = 1.5\n",
                          "\nreading = 10 times\n" };
    const char *want[] = { "t.conf:1: unknown key 'charm'", "t.conf:1: 'calls' must be",
                           "t.conf:3: 'calls' is given twice", "t.conf:1: 'contact_rate' must",
                           "t.conf:1: expected 'key = value'", "t.conf:1: 'hours' must",
                           "t.conf:2: 'reading' must" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hm_targets_parse("t.conf", bad[i], &t, err, sizeof err), HM_ETEMPLATE);
        if (strncmp(err, want[i], strlen(want[i])) != 0)
            fail_msg("%s: got '%s'", bad[i], err);
    }
    /* The shipped file parses and sets nothing: no section until staff set one. */
    assert_int_equal(hm_targets_load("templates/targets.conf", &t, err, sizeof err), HM_OK);
    assert_false(hm_targets_any(&t));
    /* No file: no targets, no error. */
    assert_int_equal(hm_targets_load("tests/no-such-targets.conf", &t, err, sizeof err), HM_OK);
    assert_false(hm_targets_any(&t));
}

/* The half-year 2026-H2 of the fixture with targets t (may be NULL). */
static hm_report *half(sqlite3 *db, const char *tmpl_path, const hm_targets *t)
{
    hm_template *tm = NULL;
    hm_report *r = NULL;
    hm_period per;
    hm_query_params q;
    int32_t day;
    char err[512] = "";
    if (hm_template_load(tmpl_path, &tm, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    if (hm_period_parse("halfyear", "2026-H2", NULL, &per, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_true(hm_date_parse_iso("2027-01-05", &day));
    hm_query_params_init(&q, &per, "internal", "zh", "", day);
    hm_aggregate_params p = { .query = &q, .queries_dir = "queries", .targets = t };
    if (hm_aggregate(db, tm, &p, &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_template_free(tm);
    return r;
}

/* Section id of r, or NULL. */
static const hm_section *section(const hm_report *r, const char *id)
{
    for (size_t s = 0; s < r->nsec; s++)
        if (strcmp(r->sec[s].id, id) == 0)
            return &r->sec[s];
    return NULL;
}

/* Figure key of r. */
static const hm_figure *figure(const hm_report *r, const char *key)
{
    for (size_t i = 0; i < r->nfig; i++)
        if (strcmp(r->fig[i].key, key) == 0)
            return &r->fig[i];
    fail_msg("no figure %s", key);
    return NULL;
}

/* The actual and share of row i are the figure's value, formatted, and value / target. */
static void check_row(const hm_section *sec, size_t i, const char *label, const hm_figure *f,
                      double target)
{
    char want[64];
    hm_colspec spec = { .format = f->format };
    const hm_value *row = &sec->table.cells[i * sec->table.ncol];
    assert_string_equal(row[0].s, label);
    hm_value_format(&f->value, &spec, false, want, sizeof want);
    assert_string_equal(row[2].s, want);
    double v = f->value.type == HM_V_INT ? (double)f->value.i : f->value.r;
    assert_int_equal(row[3].type, HM_V_REAL);
    assert_true(fabs(row[3].r - v / target) < 1e-12);
}

static void test_targets_section(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(true);
    char err[256];
    hm_targets t;
    assert_int_equal(hm_targets_parse("t.conf", "calls = 8\ncontact_rate = 80\n"
                                      "donations = 1000\nchildren_paired = 10\n",
                                      &t, err, sizeof err), HM_OK);
    hm_report *r = half(db, "templates/halfyear.zh.tmpl", &t);
    const hm_section *sec = section(r, "targets");
    assert_non_null(sec);
    assert_int_equal(sec->table.ncol, 4);
    assert_int_equal(sec->table.nrow, 4);   /* the targets set, in the file's key order */
    check_row(sec, 0, "结对儿童（名）", figure(r, "children_paired"), 10);
    check_row(sec, 1, "月均联系率", figure(r, "contact_rate"), 0.8);
    check_row(sec, 2, "亲情连线（次）", figure(r, "calls"), 8);
    check_row(sec, 3, "募集善款（元）", figure(r, "donations_fen"), 100000);
    assert_string_equal(sec->table.cells[2 * 4 + 1].s, "8");
    assert_string_equal(sec->table.cells[1 * 4 + 1].s, "80.0%");
    assert_string_equal(sec->table.cells[3 * 4 + 1].s, "1,000.00");
    hm_report_free(r);

    /* None set (or no file): no section at all. */
    assert_int_equal(hm_targets_parse("t.conf", "", &t, err, sizeof err), HM_OK);
    r = half(db, "templates/halfyear.zh.tmpl", &t);
    assert_null(section(r, "targets"));
    hm_report_free(r);
    r = half(db, "templates/annual.en.tmpl", NULL);
    assert_null(section(r, "targets"));
    hm_report_free(r);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets_parse),
        cmocka_unit_test(test_targets_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
