/*
 * test_periods.c - the half-year, annual and range reports on the
 * hand-made fixture (tests/fixtures/report/fixture.sql, 2026 in two
 * towns), every expected figure worked out by hand in the comments, and
 * the nomination rules file and scorecard.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "himama/aggregate.h"
#include "himama/db.h"
#include "himama/nominate.h"
#include "himama/template.h"

#include "test_util.h"

/* Run template name for kind/period/from/to and audience; fail on error. */
static hm_report *run(sqlite3 *db, const char *name, const char *kind, const char *period,
                      const char *from, const char *to, const char *audience)
{
    hm_template *t = NULL;
    hm_report *r = NULL;
    char err[512] = "", path[128];
    snprintf(path, sizeof path, "templates/%s.zh.tmpl", name);
    if (hm_template_load(path, &t, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_aggregate_params p = {
        .kind = kind, .period = period, .from = from, .to = to, .audience = audience,
        .lang = "zh", .today = "2027-01-10", .org = "某区妇联", .queries_dir = "queries",
    };
    if (hm_aggregate(db, t, &p, &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_template_free(t);
    return r;
}

/*
 * 2026-H2 (July to December).  Activities: calls S1, S2 (September) and
 * A1, A2, A6 (October) = 5; reading A3 = 1; holiday S3 and H1 (one event,
 * three rows) = 2; birthday B1 = 1.  Wishes fulfilled: W1 (10-08), W6
 * (11-01) = 2.  Nothing in 2025, so the same half a year earlier is "—".
 */
static void test_periods_halfyear_kpi_and_trend(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_report *r = run(db, "halfyear", "halfyear", "2026-H2", "2026-07-01", "2026-12-31",
                       "internal");
    const hm_section *k = tu_sec(r, "kpi");
    int64_t want[7] = { -1, -1, 5, 1, 2, 1, 2 };
    for (size_t i = 2; i < 7; i++) {
        assert_int_equal(tu_ival(k, i, "value"), want[i]);
        assert_true(tu_is_null(k, i, "previous"));
    }
    /* Children paired in H2: C1, C2, C3, C4, C5 (exited 09-20, so paired
       until September), C6 (from 10-20), C7 (until 09-30) = 7. */
    assert_int_equal(tu_ival(k, 0, "value"), 7);

    /* The trend: six months; September 2 calls, 1 holiday; October 3 calls,
       1 reading, 1 holiday, 1 birthday, 1 wish; November 1 wish.  October's
       contact: paired C1, C2, C3, C4, C6 = 5 (C5 exited, C7 ended in
       September); contacted C1, C2, C4, C6 = 4 (C3 only had visits). */
    const hm_section *t = tu_sec(r, "trend");
    assert_int_equal(t->table.nrow, 6);
    assert_int_equal(tu_ival(t, 2, "calls"), 2);
    assert_int_equal(tu_ival(t, 2, "holiday"), 1);
    assert_int_equal(tu_ival(t, 3, "calls"), 3);
    assert_int_equal(tu_ival(t, 3, "reading"), 1);
    assert_int_equal(tu_ival(t, 3, "holiday"), 1);
    assert_int_equal(tu_ival(t, 3, "birthday"), 1);
    assert_int_equal(tu_ival(t, 3, "wishes"), 1);
    assert_int_equal(tu_ival(t, 4, "wishes"), 1);
    assert_int_equal(tu_ival(t, 3, "paired"), 5);
    assert_int_equal(tu_ival(t, 3, "contacted"), 4);
    /* The months add up to the half. */
    const char *figs[5] = { "calls", "reading", "holiday", "birthday", "wishes" };
    for (size_t f = 0; f < 5; f++) {
        int64_t sum = 0;
        for (size_t m = 0; m < 6; m++)
            sum += tu_ival(t, m, figs[f]);
        assert_int_equal(sum, tu_ival(k, 2 + f, "value"));
    }
    hm_report_free(r);
    sqlite3_close(db);
}

/*
 * Pairing forms on 2026-12-31: active (V1,C1) (V2,C1) (V1,C2) (V1,C3)
 * (V2,C6) (V2,C3) (V4,C2); P5, P8 ended, P7's child exited.  V1 and V2
 * have three children each, V4 one; C1, C2, C3 two volunteers each, C6
 * one.  So (V2,C6) is one-to-many, (V4,C2) many-to-one, the other five
 * mixed, none one-to-one.  Retention: two extra pairings started in 2025,
 * one ended in August 2026 (reason given), one still open: 50%.
 * Closures in H2: P5 and P8 without a reason, the extra one "家庭搬迁".
 */
static void test_periods_halfyear_forms_retention(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    assert_int_equal(sqlite3_exec(db,
        "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on, end_reason) VALUES "
        "('X1', 'V5', 'C7', '2025-03-01', '2026-08-01', '家庭搬迁'), "
        "('X2', 'V4', 'C4', '2025-05-01', NULL, NULL)", NULL, NULL, NULL), SQLITE_OK);
    char err[256];   /* rows added behind ingest's back: count the summaries again */
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_report *r = run(db, "halfyear", "halfyear", "2026-H2", "2026-07-01", "2026-12-31",
                       "public");
    const hm_section *f = tu_sec(r, "forms");
    /* X2 adds (V4,C4): V4 now has two children (C2 and C4) and C4 one
       volunteer, so (V4,C4) is one-to-many and (V4,C2) becomes mixed. */
    assert_int_equal(f->table.nrow, 5);
    assert_int_equal(tu_ival(f, 0, "pairings"), 0);   /* one-to-one */
    assert_int_equal(tu_ival(f, 1, "pairings"), 2);   /* one-to-many: (V2,C6) (V4,C4) */
    assert_int_equal(tu_ival(f, 2, "pairings"), 0);   /* many-to-one */
    assert_int_equal(tu_ival(f, 3, "pairings"), 6);   /* mixed */
    assert_int_equal(tu_ival(f, 4, "pairings"), 8);
    assert_int_equal(tu_ival(f, 4, "volunteers"), 3);
    assert_int_equal(tu_ival(f, 4, "children"), 5);
    const hm_section *rt = tu_sec(r, "retention");
    assert_int_equal(tu_ival(rt, 0, "started"), 2);
    assert_int_equal(tu_ival(rt, 0, "active"), 1);
    assert_true(fabs(tu_cell(rt, 0, "value")->r - 0.5) < 1e-9);
    const hm_section *c = tu_sec(r, "closures");
    assert_int_equal(c->table.nrow, 3);
    assert_string_equal(tu_cell(c, 0, "reason")->s, "（未填写原因）");
    assert_int_equal(tu_ival(c, 0, "pairings"), 2);
    assert_string_equal(tu_cell(c, 1, "reason")->s, "家庭搬迁");
    assert_int_equal(tu_ival(c, 2, "pairings"), 3);
    /* Public: no real name column in the stories. */
    const hm_section *st = tu_sec(r, "stories");
    for (size_t i = 0; i < st->table.ncol; i++)
        assert_string_not_equal(st->table.cols[i].name, "child_name");
    hm_report_free(r);
    sqlite3_close(db);
}

/*
 * The range over all data equals the all-time counts: calls A0, S1, S2,
 * A1, A2, A6 = 6; reading 1; holiday 2; birthday 1; wishes fulfilled W1,
 * W5, W6 = 3; children profiled 7; paired 7; volunteers 5; active V1..V4
 * = 4; raised 3,000 + 100,000 + 500 + 200 yuan; spent 300 + 150 yuan.
 */
static void test_periods_range_all_time(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_report *r = run(db, "range", "range", "2000-01-01_2027-01-10", "2000-01-01",
                       "2027-01-10", "internal");
    const hm_section *t = tu_sec(r, "totals");
    int64_t want[9] = { 6, 1, 2, 1, 3, 7, 7, 5, 4 };
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(tu_ival(t, i, "value"), want[i]);
    const hm_section *m = tu_sec(r, "money");
    assert_int_equal(tu_ival(m, 0, "value"), 10370000);
    assert_int_equal(tu_ival(m, 1, "value"), 45000);
    /* Towns: the H1 holiday event has children of T1 (C1, C2) and T2
       (C6), so the towns count 3 holidays and the district 2. */
    const hm_section *tw = tu_sec(r, "towns");
    assert_int_equal(tw->table.nrow, 3);
    assert_int_equal(tu_ival(tw, 0, "holiday") + tu_ival(tw, 1, "holiday"), 3);
    assert_int_equal(tu_ival(tw, 2, "holiday"), 2);
    assert_int_equal(tu_ival(tw, 2, "paired"), 7);
    assert_non_null(tw->note);
    hm_report_free(r);
    sqlite3_close(db);
}

static const char *RULES =
    "# test rules\n"
    "weight.call_months = 5\nweight.reading = 2\nweight.holiday = 3\n"
    "weight.birthday = 3\nweight.wishes = 4\nweight.children = 2\n"
    "eligible.min_call_months = 1\nquota.default = 1\nquota.T2 = 2\n";

static void test_periods_nomination_conf(void **state)
{
    (void)state;
    hm_nomination_conf c;
    char err[256];
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", RULES, &c, err, sizeof err), HM_OK);
    assert_int_equal(c.weight[HM_NOM_CALL_MONTHS], 5);
    assert_int_equal(c.weight[HM_NOM_STORIES], 0);
    assert_int_equal(c.min_call_months, 1);
    assert_int_equal(c.quota_default, 1);
    assert_int_equal(c.nquota, 1);
    assert_string_equal(c.quota[0].town_code, "T2");
    hm_strbuf_init(&sb);
    hm_nomination_formula(&c, "zh", &sb);
    assert_string_equal(sb.buf, "得分 = 5 × 亲情连线达标月数 + 2 × 陪你阅读（次） + 3 × "
                        "假日亲子活动（场） + 3 × 陪过生日（次） + 4 × 实现微心愿（个） + 2 × "
                        "结对儿童（名）");
    hm_strbuf_release(&sb);
    hm_nomination_conf_release(&c);

    const char *bad[] = { "weight.charm = 3\n", "weight.reading = -1\n", "quota.default = x\n",
                          "weight.reading = 1\nweight.reading = 2\n", "just words\n" };
    const char *line[] = { "n.conf:1:", "n.conf:1:", "n.conf:1:", "n.conf:2:", "n.conf:1:" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hm_nomination_conf_init(&c);
        assert_int_equal(hm_nomination_conf_parse("n.conf", bad[i], &c, err, sizeof err),
                         HM_ETEMPLATE);
        assert_true(strncmp(err, line[i], strlen(line[i])) == 0);
        hm_nomination_conf_release(&c);
    }
    /* The shipped file parses. */
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_load("templates/nomination.conf", &c, err, sizeof err),
                     HM_OK);
    assert_int_equal(c.min_call_months, 10);
    hm_nomination_conf_release(&c);
}

/*
 * The 2026 scorecard.  call_months: V1 never called all of C1, C2, C3 in
 * one month (0); V2 called only C1 in October while C6 and C3 were paired
 * (0); V3 called C4 in October when C4 was its only paired child (C5
 * exited in September): 1; V4 and V5 made no calls.  With at least one
 * call month required only V3 is eligible, so the shortlist holds one
 * candidate.  Five volunteers, two rows per sheet: three sheets.
 */
static void test_periods_nominations(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_nomination_conf c;
    hm_nominate_stats st;
    char err[512] = "", xlsx[64], pdf[64];
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", RULES, &c, err, sizeof err), HM_OK);
    snprintf(xlsx, sizeof xlsx, "/tmp/hm-nom-%ld.xlsx", (long)getpid());
    snprintf(pdf, sizeof pdf, "/tmp/hm-nom-%ld.pdf", (long)getpid());
    hm_render_opts ro = { .font_path = NULL, .font_index = 0, .created = 1792022400 };
    hm_nominate_params p = {
        .from = "2026-01-01", .to = "2026-12-31", .audience = "internal", .lang = "zh",
        .queries_dir = "queries", .org = "某区妇联", .render = &ro, .rows_per_sheet = 2,
    };
    if (hm_nominate_write(db, &c, &p, xlsx, pdf, &st, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_int_equal(st.volunteers, 5);
    assert_int_equal(st.eligible, 1);
    assert_int_equal(st.shortlisted, 1);
    assert_int_equal(st.scorecard_sheets, 3);
    assert_int_equal(access(xlsx, R_OK), 0);
    assert_int_equal(access(pdf, R_OK), 0);
    unlink(xlsx);
    unlink(pdf);

    /* A scorecard query that fails leaves no files behind. */
    p.queries_dir = "tests/fixtures/report/queries";
    assert_int_equal(hm_nominate_write(db, &c, &p, xlsx, pdf, &st, err, sizeof err),
                     HM_EQUERY);
    assert_int_not_equal(access(xlsx, F_OK), 0);
    hm_nomination_conf_release(&c);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods_halfyear_kpi_and_trend),
        cmocka_unit_test(test_periods_halfyear_forms_retention),
        cmocka_unit_test(test_periods_range_all_time),
        cmocka_unit_test(test_periods_nomination_conf),
        cmocka_unit_test(test_periods_nominations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
