/*
 * test_periods.c - the half-year, annual and range reports on the
 * hand-made fixture (tests/fixtures/report/fixture.sql, 2026 in two
 * towns), every expected figure worked out by hand in the comments, and
 * the nomination rules file and scorecard; and the period type itself
 * (hm_period_parse: each kind, leap years, bad input, the labels).
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
#include "himama/dossier_model.h"
#include "himama/nominate.h"
#include "himama/nominate_job.h"
#include "himama/params.h"
#include "himama/period.h"
#include "himama/template.h"

#include "test_util.h"

/* Run template name for kind/period/from/to and audience; fail on error. */
static hm_report *run(sqlite3 *db, const char *name, const char *kind, const char *period,
                      const char *from, const char *to, const char *audience)
{
    hm_template *t = NULL;
    hm_report *r = NULL;
    hm_period_kind k;
    hm_period per;
    hm_query_params q;
    int32_t first, last;
    char err[512] = "", path[128];
    assert_true(hm_period_kind_parse(kind, &k));
    assert_true(hm_date_parse_iso(from, &first) && hm_date_parse_iso(to, &last));
    hm_period_from_days(k, first, last, &per);
    assert_string_equal(per.label, period);
    hm_query_params_init(&q, &per, audience, "zh", "某区妇联", hm_days_from_civil(2027, 1, 10));
    snprintf(path, sizeof path, "templates/%s.zh.tmpl", name);
    if (hm_template_load(path, &t, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_aggregate_params p = { .query = &q, .queries_dir = "queries" };
    if (hm_aggregate(db, t, &p, &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_template_free(t);
    return r;
}

/* The query parameters of the year 2026, internal, in Chinese. */
static hm_query_params year_2026(void)
{
    hm_period per;
    hm_query_params q;
    char err[256];
    if (hm_period_parse("annual", "2026", NULL, &per, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_query_params_init(&q, &per, "internal", "zh", "某区妇联", hm_days_from_civil(2027, 1, 10));
    return q;
}

/* Parse a period that must be good; fail the test otherwise. */
static hm_period good(const char *kind, const char *arg1, const char *arg2)
{
    hm_period p;
    char err[256] = "";
    if (hm_period_parse(kind, arg1, arg2, &p, err, sizeof err) != HM_OK)
        fail_msg("%s %s: %s", kind, arg1 ? arg1 : "", err);
    return p;
}

/* Assert that span s runs from `from` to `to`, as text and as day numbers. */
static void span_is(const hm_span *s, const char *from, const char *to)
{
    int32_t f, t;
    assert_string_equal(s->from, from);
    assert_string_equal(s->to, to);
    assert_true(hm_date_parse_iso(from, &f) && hm_date_parse_iso(to, &t));
    assert_int_equal(s->first, f);
    assert_int_equal(s->last, t);
}

/* Each kind: its days, its label and the ranges the queries bind. */
static void test_periods_parse_kinds(void **state)
{
    (void)state;
    hm_period p = good("monthly", "2026-11", NULL);
    assert_int_equal(p.kind, HM_PERIOD_MONTHLY);
    assert_string_equal(p.from, "2026-11-01");
    assert_string_equal(p.to, "2026-11-30");
    assert_int_equal(p.first, hm_days_from_civil(2026, 11, 1));
    assert_int_equal(p.last, hm_days_from_civil(2026, 11, 30));
    assert_string_equal(p.label, "2026-11");
    span_is(&p.prev, "2026-10-01", "2026-10-31");
    span_is(&p.ytd, "2026-01-01", "2026-11-30");
    span_is(&p.next_month, "2026-12-01", "2026-12-31");
    p = good("monthly", "2026-03", NULL);
    span_is(&p.prev, "2026-02-01", "2026-02-28");
    span_is(&p.next_month, "2026-04-01", "2026-04-30");
    p = good("monthly", "2026-01", NULL);
    span_is(&p.prev, "2025-12-01", "2025-12-31");
    p = good("monthly", "2026-12", NULL);
    span_is(&p.next_month, "2027-01-01", "2027-01-31");

    p = good("halfyear", "2026-H1", NULL);
    assert_int_equal(p.kind, HM_PERIOD_HALFYEAR);
    assert_string_equal(p.from, "2026-01-01");
    assert_string_equal(p.to, "2026-06-30");
    assert_string_equal(p.label, "2026-H1");
    p = good("halfyear", "2026-H2", NULL);
    assert_string_equal(p.from, "2026-07-01");
    assert_string_equal(p.to, "2026-12-31");
    assert_string_equal(p.label, "2026-H2");
    span_is(&p.prev, "2025-12-29", "2026-06-30");   /* as many days (184) just before */
    span_is(&p.ytd, "2026-01-01", "2026-12-31");
    span_is(&p.next_month, "2027-01-01", "2027-01-31");

    p = good("annual", "2025", NULL);
    assert_int_equal(p.kind, HM_PERIOD_ANNUAL);
    assert_string_equal(p.from, "2025-01-01");
    assert_string_equal(p.to, "2025-12-31");
    assert_string_equal(p.label, "2025");
    span_is(&p.prev, "2024-01-02", "2024-12-31");   /* 365 days; 2024 had 366 */

    p = good("range", "2024-12-01", "2026-11-30");
    assert_int_equal(p.kind, HM_PERIOD_RANGE);
    assert_string_equal(p.from, "2024-12-01");
    assert_string_equal(p.to, "2026-11-30");
    assert_string_equal(p.label, "2024-12-01_2026-11-30");
    p = good("range", "2026-01-11", "2026-01-20");
    span_is(&p.prev, "2026-01-01", "2026-01-10");
    p = good("range", "2026-05-05", "2026-05-05");   /* one day */
    span_is(&p.prev, "2026-05-04", "2026-05-04");
    assert_string_equal(hm_period_kind_name(p.kind), "range");
}

/* February in leap years and in the others, and ranges across it. */
static void test_periods_parse_leap_years(void **state)
{
    (void)state;
    hm_period p = good("monthly", "2024-02", NULL);
    assert_string_equal(p.to, "2024-02-29");
    p = good("monthly", "2000-02", NULL);   /* divisible by 400: leap */
    assert_string_equal(p.to, "2000-02-29");
    p = good("monthly", "2100-02", NULL);   /* divisible by 100 only: not */
    assert_string_equal(p.to, "2100-02-28");
    p = good("monthly", "2025-03", NULL);
    span_is(&p.prev, "2025-02-01", "2025-02-28");
    p = good("halfyear", "2024-H1", NULL);
    span_is(&p.prev, "2023-07-03", "2023-12-31");   /* 182 days in a leap half */
    p = good("range", "2024-02-28", "2024-03-01");
    assert_int_equal(p.last - p.first, 2);
    span_is(&p.prev, "2024-02-25", "2024-02-27");
    p = good("range", "2024-02-29", "2024-02-29");
    assert_string_equal(p.label, "2024-02-29_2024-02-29");
    hm_period_month_before(hm_days_from_civil(2024, 3, 31), &p);
    assert_string_equal(p.label, "2024-02");
    span_is(&p.prev, "2024-01-01", "2024-01-31");
    assert_string_equal(p.to, "2024-02-29");
    hm_period_month_before(hm_days_from_civil(2026, 1, 1), &p);
    assert_string_equal(p.label, "2025-12");
    assert_string_equal(p.to, "2025-12-31");
}

/* What the command line may not say, and what it is told. */
static void test_periods_parse_bad(void **state)
{
    (void)state;
    static const struct { const char *kind, *arg1, *arg2, *says; } bad[] = {
        { "weekly", "2026-11", NULL, "unknown report 'weekly'" },
        { NULL, NULL, NULL, "unknown report ''" },
        { "monthly", NULL, NULL, "monthly needs a month 'YYYY-MM' (2000 or later), not ''" },
        { "monthly", "2026-13", NULL, "not '2026-13'" },
        { "monthly", "2026-00", NULL, "a month" },
        { "monthly", "2026-1", NULL, "a month" },
        { "monthly", "2026-011", NULL, "a month" },
        { "monthly", "2026/11", NULL, "a month" },
        { "monthly", "1999-12", NULL, "2000 or later" },
        { "monthly", "2026-11", "2026-12", "unexpected argument '2026-12'" },
        { "halfyear", "2026-H3", NULL, "a half year 'YYYY-H1' or 'YYYY-H2'" },
        { "halfyear", "2026-h1", NULL, "a half year" },
        { "halfyear", "1999-H2", NULL, "a half year" },
        { "halfyear", "2026", NULL, "a half year" },
        { "annual", "26", NULL, "annual needs a year 'YYYY' (2000 or later), not '26'" },
        { "annual", "20x6", NULL, "a year" },
        { "annual", "1999", NULL, "a year" },
        { "annual", "2026-01", NULL, "a year" },
        { "range", "2026-01-01", NULL, "range needs two dates" },
        { "range", NULL, NULL, "range needs two dates" },
        { "range", "2026-02-29", "2026-03-31", "range needs two dates" },   /* not leap */
        { "range", "2026-1-01", "2026-03-31", "range needs two dates" },
        { "range", "1999-12-31", "2026-03-31", "(2000-01-01 or later)" },
        { "range", "2026-02-01", "2026-01-01",
          "range ends (2026-01-01) before it starts (2026-02-01)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hm_period p;
        char err[256] = "";
        if (hm_period_parse(bad[i].kind, bad[i].arg1, bad[i].arg2, &p, err, sizeof err) !=
            HM_EUSAGE)
            fail_msg("%s %s: accepted", bad[i].kind ? bad[i].kind : "(null)",
                     bad[i].arg1 ? bad[i].arg1 : "(null)");
        if (!strstr(err, bad[i].says))
            fail_msg("%s %s: '%s' does not say '%s'", bad[i].kind ? bad[i].kind : "(null)",
                     bad[i].arg1 ? bad[i].arg1 : "(null)", err, bad[i].says);
    }
}

/* hm_period_from_days gives what parsing the same days gives. */
static void test_periods_from_days(void **state)
{
    (void)state;
    static const struct { const char *kind, *arg1, *arg2; } each[] = {
        { "monthly", "2026-11", NULL }, { "halfyear", "2024-H2", NULL },
        { "annual", "2000", NULL }, { "range", "2024-12-01", "2026-11-30" },
    };
    for (size_t i = 0; i < sizeof each / sizeof each[0]; i++) {
        hm_period a = good(each[i].kind, each[i].arg1, each[i].arg2), b;
        hm_period_from_days(a.kind, a.first, a.last, &b);
        assert_int_equal(a.kind, b.kind);
        assert_string_equal(a.label, b.label);
        span_is(&b.prev, a.prev.from, a.prev.to);
        span_is(&b.ytd, a.ytd.from, a.ytd.to);
        span_is(&b.next_month, a.next_month.from, a.next_month.to);
        assert_string_equal(a.from, b.from);
        assert_string_equal(a.to, b.to);
        assert_int_equal(a.first, b.first);
        assert_int_equal(a.last, b.last);
        hm_period_kind k;
        assert_true(hm_period_kind_parse(each[i].kind, &k));
        assert_int_equal(k, a.kind);
        assert_string_equal(hm_period_kind_name(k), each[i].kind);
    }
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
        "('X2', 'V4', 'C4', '2025-05-01', NULL, NULL), "
        "('X3', 'V5', 'C7', '2026-11-01', NULL, NULL), "
        "('X4', 'V3', 'C7', '2026-11-01', NULL, NULL)", NULL, NULL, NULL), SQLITE_OK);
    char err[256];   /* rows added behind ingest's back: count the summaries again */
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_report *r = run(db, "halfyear", "halfyear", "2026-H2", "2026-07-01", "2026-12-31",
                       "public");
    const hm_section *f = tu_sec(r, "forms");
    /* Forms by group (connected volunteers and children) at 2026-12-31:
       V1-C1, V2-C1, V1-C2, V1-C3, V2-C3, V2-C6, V4-C2 and X2's V4-C4 join
       V1, V2, V4 and C1, C2, C3, C4, C6 into one many-to-many group; X3
       and X4 (V5-C7, V3-C7) make a many-to-one group.  Each volunteer and
       child is counted once, so the rows add up to the total. */
    assert_int_equal(f->table.nrow, 5);
    assert_int_equal(tu_ival(f, 0, "groups"), 0);      /* one-to-one */
    assert_int_equal(tu_ival(f, 0, "pairings"), 0);
    assert_int_equal(tu_ival(f, 1, "groups"), 0);      /* one-to-many */
    assert_int_equal(tu_ival(f, 1, "pairings"), 0);
    assert_int_equal(tu_ival(f, 2, "groups"), 1);      /* many-to-one: V3, V5 with C7 */
    assert_int_equal(tu_ival(f, 2, "pairings"), 2);
    assert_int_equal(tu_ival(f, 2, "volunteers"), 2);
    assert_int_equal(tu_ival(f, 2, "children"), 1);
    assert_int_equal(tu_ival(f, 3, "groups"), 1);      /* many-to-many */
    assert_int_equal(tu_ival(f, 3, "pairings"), 8);
    assert_int_equal(tu_ival(f, 3, "volunteers"), 3);
    assert_int_equal(tu_ival(f, 3, "children"), 5);
    assert_int_equal(tu_ival(f, 4, "groups"), 2);      /* total */
    assert_int_equal(tu_ival(f, 4, "pairings"), 10);
    assert_int_equal(tu_ival(f, 4, "volunteers"), 5);
    assert_int_equal(tu_ival(f, 4, "children"), 6);
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
    assert_false(c.notice_masked);   /* names in full unless the rules say otherwise */
    hm_nomination_conf_release(&c);
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", "notice_names = masked\n", &c, err,
                                              sizeof err), HM_OK);
    assert_true(c.notice_masked);
    assert_int_equal(c.roles, HM_NOM_MOTHERS);   /* the award's name: mothers by default */
    hm_nomination_conf_release(&c);
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", "\xEF\xBB\xBF# c\n\nroles = all\n", &c,
                                              err, sizeof err), HM_OK);
    assert_int_equal(c.roles, HM_NOM_ALL);
    assert_string_equal(hm_nom_roles_name(c.roles), "all");
    hm_nomination_conf_release(&c);

    const char *bad[] = { "weight.charm = 3\n", "weight.reading = -1\n", "quota.default = x\n",
                          "weight.reading = 1\nweight.reading = 2\n", "just words\n",
                          "notice_names = some\n", "notice_names = full\nnotice_names = full\n",
                          "# c\nroles = mother\n", "roles = all\nroles = fathers\n" };
    const char *line[] = { "n.conf:1:", "n.conf:1:", "n.conf:1:", "n.conf:2:", "n.conf:1:",
                           "n.conf:1:", "n.conf:2:", "n.conf:2: 'roles' must be",
                           "n.conf:2: 'roles' is given twice" };
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
    char err[512] = "", xlsx[64], pdf[80], base[64];
    hm_dossier_files files = { 0 };
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", RULES, &c, err, sizeof err), HM_OK);
    snprintf(xlsx, sizeof xlsx, "/tmp/hm-nom-%ld.xlsx", (long)getpid());
    snprintf(base, sizeof base, "/tmp/hm-nom-%ld", (long)getpid());
    snprintf(pdf, sizeof pdf, "%s.pdf", base);
    hm_render_opts ro = { .font_path = NULL, .font_index = 0, .created = 1792022400 };
    hm_query_params q = year_2026();
    hm_nominate_params p = {
        .query = &q, .from = "2026-01-01", .to = "2026-12-31", .audience = "internal",
        .lang = "zh", .queries_dir = "queries", .org = "某区妇联", .render = &ro, .rows_per_sheet = 2,
    };
    if (hm_nominate_write(db, &c, &p, xlsx, base, &files, &st, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    /* One candidate: one file, named as before the split. */
    assert_int_equal(files.n, 1);
    assert_string_equal(files.final[0], pdf);
    assert_int_equal(rename(files.tmp[0], files.final[0]), 0);
    hm_dossier_files_release(&files);
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
    assert_int_equal(hm_nominate_write(db, &c, &p, xlsx, base, &files, &st, err, sizeof err),
                     HM_EQUERY);
    assert_int_not_equal(access(xlsx, F_OK), 0);
    assert_int_equal(files.n, 0);
    hm_nomination_conf_release(&c);
    sqlite3_close(db);
}

/* Candidates in the towns given as a string, one letter per candidate. */
static hm_nom_candidate *cands(const char *towns, char names[][2])
{
    size_t n = strlen(towns);
    hm_nom_candidate *c = calloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        names[i][0] = towns[i];
        names[i][1] = '\0';
        c[i].town = names[i];
    }
    return c;
}

/*
 * Dossier files: at most per_file pages each; a town starts a new file
 * when it does not fit in what is left of the current one but fits in a
 * file of its own; a town longer than a file fills files in turn.
 */
static void test_periods_dossier_volumes(void **state)
{
    (void)state;
    char names[16][2];
    size_t start[18];
    struct {
        const char *towns;
        size_t per, nv, start[8];
    } cases[] = {
        { "", 4, 1, { 0, 0 } },                          /* nobody: one file */
        { "AAABB", 5, 1, { 0, 5 } },                     /* fits one file */
        { "AAABBCCCCCD", 4, 3, { 0, 3, 7, 11 } },        /* B moves on; C is split */
        { "ABC", 1, 3, { 0, 1, 2, 3 } },                 /* a page a file */
        { "AABBBB", 4, 2, { 0, 2, 6 } },                 /* B whole in the second */
        { "AAAAAAAAA", 4, 3, { 0, 4, 8, 9 } },           /* one long town */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = strlen(cases[k].towns);
        hm_nom_candidate *c = cands(cases[k].towns, names);
        size_t nv = hm_dossier_volumes(c, n, cases[k].per, start);
        assert_int_equal(nv, cases[k].nv);
        for (size_t v = 0; v <= nv; v++)
            assert_int_equal(start[v], cases[k].start[v]);
        for (size_t v = 0; v < nv; v++) {
            assert_true(start[v + 1] - start[v] <= cases[k].per);
            assert_true(n == 0 || start[v + 1] > start[v]);
        }
        free(c);
    }
}

/* The pages of the PDF at path (its "/Type /Page" objects). */
static size_t pdf_pages(const char *path)
{
    size_t len = 0, n = 0;
    char *b = hm_read_file(path, &len);
    assert_non_null(b);
    for (size_t i = 0; i + 11 <= len; i++)
        if (memcmp(b + i, "/Type /Page", 11) == 0 && (i + 11 == len || b[i + 11] != 's'))
            n++;
    free(b);
    return n;
}

/*
 * Split dossiers.  With no call required every volunteer is eligible: T1
 * (V1, V4, V5) and T2 (V2, V3), quota 3, five candidates.  Two candidates
 * a file: T1 takes two files (2 + 1), T2 a third of its own (2), named
 * BASE-1.pdf .. BASE-3.pdf; every page of them is there, whole.  Two
 * short records share a page: V4 and V5 (one pair each) do when they are
 * in one file; V1, V2 and V3 (three pairs or more) have a page each.
 */
static void test_periods_dossier_split(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_nomination_conf c;
    hm_nominate_stats st;
    hm_dossier_files files = { 0 };
    char err[512] = "", xlsx[64], base[64], want[96];
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", "weight.call_months = 5\n", &c, err,
                                              sizeof err), HM_OK);
    snprintf(xlsx, sizeof xlsx, "/tmp/hm-split-%ld.xlsx", (long)getpid());
    snprintf(base, sizeof base, "/tmp/hm-split-%ld", (long)getpid());
    hm_render_opts ro = { .font_path = NULL, .font_index = 0, .created = 1792022400 };
    hm_query_params q = year_2026();
    hm_nominate_params p = {
        .query = &q, .from = "2026-01-01", .to = "2026-12-31", .audience = "internal",
        .lang = "zh", .queries_dir = "queries", .org = "某区妇联", .render = &ro, .pages_per_file = 2,
    };
    if (hm_nominate_write(db, &c, &p, xlsx, base, &files, &st, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_int_equal(st.shortlisted, 5);
    assert_int_equal(files.n, 3);
    const size_t pages[3] = { 2, 1, 2 };
    for (size_t i = 0; i < files.n; i++) {
        snprintf(want, sizeof want, "%s-%zu.pdf", base, i + 1);
        assert_string_equal(files.final[i], want);
        assert_int_equal(pdf_pages(files.tmp[i]), pages[i]);
        unlink(files.tmp[i]);
    }
    hm_dossier_files_release(&files);
    unlink(xlsx);

    /* Ten candidates a file: one file, BASE.pdf, of four pages (V4 and V5 on one). */
    p.pages_per_file = 10;
    if (hm_nominate_write(db, &c, &p, xlsx, base, &files, &st, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_int_equal(files.n, 1);
    snprintf(want, sizeof want, "%s.pdf", base);
    assert_string_equal(files.final[0], want);
    assert_int_equal(pdf_pages(files.tmp[0]), 4);
    unlink(files.tmp[0]);
    hm_dossier_files_release(&files);
    unlink(xlsx);

    /* A dossier query that fails in the third file (V2, of T2) leaves no
     * file behind, of any volume. */
    p.pages_per_file = 2;
    p.queries_dir = "tests/fixtures/report/queries_dossier_fails";
    assert_int_equal(hm_nominate_write(db, &c, &p, xlsx, base, &files, &st, err, sizeof err),
                     HM_EQUERY);
    assert_non_null(strstr(err, "overflow"));
    assert_int_equal(files.n, 0);
    assert_int_not_equal(access(xlsx, F_OK), 0);
    for (size_t i = 1; i <= 3; i++) {
        snprintf(want, sizeof want, "%s-%zu.pdf", base, i);
        assert_int_not_equal(access(want, F_OK), 0);
    }
    hm_nomination_conf_release(&c);
    sqlite3_close(db);
}

/* Run sql on db or fail the test. */
static void sql_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
}

/* The :roles the comparison below binds. */
static const char *card_roles = "mothers";

/* Bind the scorecard's parameters for the comparison below. */
static void bind_card(sqlite3_stmt *st)
{
    static const struct { const char *name, *text; long long v; } par[] = {
        { ":from", "2026-01-01", 0 }, { ":to", "2026-12-31", 0 },
        { ":audience", "internal", 0 }, { ":lang", "zh", 0 }, { ":quotas", "{\"T2\":1}", 0 },
        { ":quota_default", NULL, 2 }, { ":min_call_months", NULL, 1 },
        { ":min_months_paired", NULL, 2 }, { ":w_call_months", NULL, 5 },
        { ":w_reading", NULL, 2 }, { ":w_holiday", NULL, 3 }, { ":w_birthday", NULL, 3 },
        { ":w_wishes", NULL, 4 }, { ":w_children", NULL, 2 }, { ":w_months_paired", NULL, 1 },
        { ":w_trainings", NULL, 1 }, { ":w_stories", NULL, 2 }, { ":roles", "", 0 },
    };
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        size_t k = 0;
        while (k < sizeof par / sizeof par[0] && strcmp(par[k].name, name) != 0)
            k++;
        if (k == sizeof par / sizeof par[0])
            fail_msg("unknown parameter %s", name);
        if (strcmp(name, ":roles") == 0)
            sqlite3_bind_text(st, i, card_roles, -1, SQLITE_STATIC);
        else if (par[k].text)
            sqlite3_bind_text(st, i, par[k].text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i, par[k].v);
    }
}

/* Every row of the query in file path (read as himama reads a query,
 * its include lines expanded), as text, one line per row. */
static void card_rows(sqlite3 *db, const char *path, hm_strbuf *out)
{
    char *sql = NULL, err[256];
    sqlite3_stmt *st = NULL;
    if (hm_query_read(path, &sql, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", path, sqlite3_errmsg(db));
    bind_card(st);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *v = sqlite3_column_text(st, i);
            hm_strbuf_addf(out, "%s|", v ? (const char *)v : "NULL");
        }
        hm_strbuf_addc(out, '\n');
    }
    sqlite3_finalize(st);
    free(sql);
}

/*
 * The scorecard computes months as bits per pairing; the reference
 * expands every volunteer-child-month.  Same rows on the fixture and with
 * the edges added: two pairings of one pair sharing a month (calls in
 * February, March and May, none in April), a pairing from before the
 * year (a call in December before it counts for nothing), a child who
 * exited before the year, calls outside any pairing, two calls in one
 * month, calls every month to a child until it exits.
 */
static void test_periods_scorecard_reference(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_strbuf a = HM_STRBUF_INIT, b = HM_STRBUF_INIT;
    hm_strbuf_init(&a);
    hm_strbuf_init(&b);
    card_rows(db, "queries/annual_scorecard.sql", &a);
    card_rows(db, "tests/fixtures/report/scorecard_reference.sql", &b);
    assert_string_equal(a.buf, b.buf);

    sql_exec(db,
        "INSERT INTO children (child_id, name, birth_date, town_code, exited_on) VALUES"
        " ('C8', '郑八', '2015-01-01', 'T1', '2025-12-15');"
        "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on) VALUES"
        " ('E1', 'V4', 'C4', '2026-02-01', '2026-03-10'),"
        " ('E2', 'V4', 'C4', '2026-03-20', '2026-05-31'),"
        " ('E3', 'V5', 'C6', '2025-06-01', '2026-02-15'),"
        " ('E4', 'V5', 'C8', '2025-01-01', NULL);"
        "INSERT INTO activities (activity_id, date, type, volunteer_id, child_id) VALUES"
        " ('E10', '2026-02-03', 'call', 'V4', 'C4'), ('E11', '2026-03-05', 'call', 'V4', 'C4'),"
        " ('E12', '2026-05-30', 'call', 'V4', 'C4'), ('E13', '2026-04-02', 'call', 'V4', 'C2'),"
        " ('E14', '2026-04-20', 'call', 'V4', 'C2'), ('E15', '2025-12-30', 'call', 'V5', 'C6'),"
        " ('E16', '2026-01-30', 'call', 'V5', 'C6'), ('E17', '2026-03-03', 'call', 'V3', 'C1'),"
        " ('E18', '2026-02-10', 'call', 'V5', 'C8'), ('E19', '2026-12-31', 'call', 'V1', 'C3'),"
        " ('E20', '2026-01-05', 'call', 'V3', 'C5'), ('E21', '2026-02-05', 'call', 'V3', 'C5'),"
        " ('E22', '2026-03-05', 'call', 'V3', 'C5'), ('E23', '2026-04-05', 'call', 'V3', 'C5'),"
        " ('E24', '2026-05-05', 'call', 'V3', 'C5'), ('E25', '2026-06-05', 'call', 'V3', 'C5'),"
        " ('E26', '2026-07-05', 'call', 'V3', 'C5'), ('E27', '2026-08-05', 'call', 'V3', 'C5'),"
        " ('E28', '2026-09-05', 'call', 'V3', 'C5'), ('E29', '2026-01-06', 'call', 'V3', 'C4'),"
        " ('E30', '2026-02-06', 'call', 'V3', 'C4'), ('E31', '2026-03-06', 'call', 'V3', 'C4'),"
        " ('E32', '2026-04-06', 'reading', 'V3', 'C4'), ('E32', '2026-04-06', 'reading', 'V3', 'C5');"
        /* hours: one activity with two children counts its longest row once */
        "UPDATE activities SET minutes = 90 WHERE activity_id = 'E32' AND child_id = 'C4';"
        "UPDATE activities SET minutes = 60 WHERE activity_id = 'E32' AND child_id = 'C5';"
        "UPDATE activities SET minutes = 45 WHERE activity_id IN ('E20', 'E21', 'E22');"
        /* joined on the year's end seven years before; joined after the first pairing */
        "UPDATE volunteers SET joined_on = '2019-12-31' WHERE volunteer_id = 'V1';"
        "UPDATE volunteers SET joined_on = '2026-03-01' WHERE volunteer_id = 'V4';"
        /* ages at the year's end: a birthday on it, the day after, 29 February */
        "UPDATE volunteers SET birth_date = '1970-12-31' WHERE volunteer_id = 'V1';"
        "UPDATE volunteers SET birth_date = '1971-01-01' WHERE volunteer_id = 'V4';"
        "UPDATE volunteers SET birth_date = '1920-02-29' WHERE volunteer_id = 'V2';");
    char err[256];   /* rows added behind ingest's back: count the summaries again */
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_strbuf_reset(&a);
    hm_strbuf_reset(&b);
    card_rows(db, "queries/annual_scorecard.sql", &a);
    card_rows(db, "tests/fixtures/report/scorecard_reference.sql", &b);
    assert_string_equal(a.buf, b.buf);
    /* The edges are in it: V4 has call months (February, March, May with
     * C4; April with C2 alone is not enough, C4 was paired then too). */
    assert_non_null(strstr(a.buf, "|V4|"));
    /* V3: 90 + 3 x 45 minutes, 3.75 hours, shown as 4 (then gender, since, years;
     * no birth date, no age) */
    const char *v3 = strstr(a.buf, "|V3|"), *eol = v3 ? strchr(v3, '\n') : NULL;
    assert_non_null(eol);
#define ENDS_WITH(row, tail) \
    assert_memory_equal(strchr(row, '\n') - strlen(tail), tail, strlen(tail))
    ENDS_WITH(v3, "|4|NULL|2026-01-05|0|NULL|");
    /* in the programme since the earlier of joining and the first pairing
     * (V3 never joined: its first pairing), whole years at the year's end */
    const char *v1 = strstr(a.buf, "|V1|"), *v4 = strstr(a.buf, "|V4|");
    assert_non_null(v1);
    assert_non_null(v4);
    ENDS_WITH(v1, "|2019-12-31|7|56|");
    ENDS_WITH(v4, "|2026-02-01|0|55|");
    const char *v2 = strstr(a.buf, "|V2|");
    assert_non_null(v2);
    ENDS_WITH(v2, "|106|");
#undef ENDS_WITH
    /* roles: V3 recorded as a father; V4 as a mother, V1 with none */
    sql_exec(db, "UPDATE volunteers SET role = 'father' WHERE volunteer_id = 'V3';"
                 "UPDATE volunteers SET role = 'mother' WHERE volunteer_id = 'V4';");
    const char *roles[] = { "mothers", "fathers", "all" };
    for (size_t i = 0; i < 3; i++) {
        card_roles = roles[i];
        hm_strbuf_reset(&a);
        hm_strbuf_reset(&b);
        card_rows(db, "queries/annual_scorecard.sql", &a);
        card_rows(db, "tests/fixtures/report/scorecard_reference.sql", &b);
        assert_string_equal(a.buf, b.buf);
        /* V3, eligible by its calls, has no rank among the mothers only */
        assert_int_equal(strstr(a.buf, "|NULL|V3|") != NULL, i == 0);
    }
    card_roles = "mothers";
    hm_strbuf_release(&a);
    hm_strbuf_release(&b);
    sqlite3_close(db);
}

/*
 * The scorecard as a cursor, and the dossier page model of its one
 * candidate.  With the test rules only V3 (T2) is shortlisted.  Its page:
 * the children paired in 2026 in order of pairing, by alias (C4 强强 of
 * 城西镇 with two activities, S2 and A6; C5 多多 of 城东镇 with none),
 * twelve months with one activity in September and one in October, and
 * the stories of the year newest first (two added here; one of 2025 is
 * not of the year).
 */
static void test_periods_dossier_page_model(void **state)
{
    (void)state;
    sqlite3 *db = tu_fixture_db(false);
    hm_nomination_conf c;
    hm_scorecard *sc = NULL;
    hm_dossier_model *m = NULL;
    hm_dossier_page pg = { 0 };
    const hm_nom_row *row;
    char err[512] = "";
    size_t rows = 0, n = 0;
    sql_exec(db,
        "INSERT INTO stories (story_id, volunteer_id, child_id, date, title, text) VALUES"
        " ('T1', 'V3', 'C4', '2026-03-02', '春游', '带强强去公园。'),"
        " ('T2', 'V3', NULL, '2026-11-20', NULL, '走访了学校。'),"
        " ('T3', 'V3', 'C5', '2025-12-30', '旧事', '去年的事。');");
    hm_nomination_conf_init(&c);
    assert_int_equal(hm_nomination_conf_parse("n.conf", RULES, &c, err, sizeof err), HM_OK);
    hm_query_params q = year_2026();
    hm_nominate_params p = {
        .query = &q, .from = "2026-01-01", .to = "2026-12-31", .audience = "internal",
        .lang = "zh", .queries_dir = "queries",
    };
    if (hm_scorecard_open(db, &c, &p, &sc, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    while (hm_scorecard_next(sc, &row, err, sizeof err) == HM_OK && row) {
        assert_false(row->null[HM_NOM_COL_VOLUNTEER_ID]);
        assert_non_null(row->text[HM_NOM_COL_VOLUNTEER_ID]);
        rows++;
    }
    assert_int_equal(rows, 5);
    const hm_nom_candidate *cand = hm_scorecard_shortlist(sc, &n);
    assert_int_equal(n, 1);
    assert_string_equal(cand[0].volunteer_id, "V3");
    assert_string_equal(hm_nom_column_name(HM_NOM_COL_FIG + HM_NOM_STORIES), "stories");

    if (hm_dossier_model_open(db, &p, cand, n, &m, err, sizeof err) != HM_OK ||
        hm_dossier_model_page(m, 0, &pg, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_ptr_equal(pg.cand, &cand[0]);
    assert_int_equal(pg.index, 0);
    assert_int_equal(pg.nchildren, 2);
    assert_string_equal(pg.children[0].child, "强强");
    assert_string_equal(pg.children[0].town, "城西镇");
    assert_string_equal(pg.children[0].since, "2026-01-05");
    assert_int_equal(pg.children[0].activities, 2);
    assert_string_equal(pg.children[1].child, "多多");
    assert_string_equal(pg.children[1].town, "城东镇");
    assert_int_equal(pg.children[1].activities, 0);
    /* the pairs' five ones: 强强 paired January to October, calls in
     * September and October, the birthday (9 May) in the span and missed;
     * 多多 paired until leaving on 20 September, before the birthday (2
     * November), so four promises are due; neither pair kept one */
    assert_true(pg.children[0].has_record);
    assert_int_equal(pg.children[0].months, 10);
    assert_int_equal(pg.children[0].called_months, 2);
    assert_true(pg.children[0].birthday_due);
    assert_false(pg.children[0].birthday_kept);
    assert_int_equal(pg.children[0].kept, 0);
    assert_int_equal(pg.children[0].due, 5);
    assert_true(pg.children[1].has_record);
    assert_int_equal(pg.children[1].months, 9);
    assert_int_equal(pg.children[1].called_months, 0);
    assert_false(pg.children[1].birthday_due);
    assert_int_equal(pg.children[1].due, 4);
    /* who V3 is: no role, so no gender; never joined, so since the first pairing */
    assert_string_equal(cand[0].gender, "");
    assert_string_equal(cand[0].since, "2026-01-05");
    assert_int_equal(cand[0].years, 0);
    assert_int_equal(pg.nmonths, 12);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(pg.month[i], i + 1);
        assert_int_equal(pg.activities[i], i + 1 == 9 || i + 1 == 10);
    }
    assert_int_equal(pg.nstories, 2);
    assert_string_equal(pg.stories[0].date, "2026-11-20");
    assert_string_equal(pg.stories[0].title, "");
    assert_string_equal(pg.stories[0].child, "");
    assert_string_equal(pg.stories[0].text, "走访了学校。");
    assert_string_equal(pg.stories[1].title, "春游");
    assert_string_equal(pg.stories[1].child, "强强");

    /* The same page again: the model re-binds its queries, the page is refilled. */
    if (hm_dossier_model_page(m, 0, &pg, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_int_equal(pg.nchildren, 2);
    assert_int_equal(pg.nstories, 2);
    hm_dossier_page_release(&pg);
    hm_dossier_model_free(m);
    hm_scorecard_free(sc);
    hm_nomination_conf_release(&c);
    sqlite3_close(db);
}

/* A query file's include lines stand for the files they name, one level
 * deep; a bad name, a missing file or a nested include is an error naming
 * the file and line.  The shipped five-ones queries prepare. */
static void test_periods_query_include(void **state)
{
    (void)state;
    char dir[] = "/tmp/hm-include-XXXXXX", path[128], err[512];
    assert_non_null(mkdtemp(dir));
    const char *files[][2] = {
        { "part.sql", "WITH a(x) AS (SELECT 1)\n" },
        { "main.sql", "-- a query\n-- include part.sql\nSELECT x FROM a;\n" },
        { "nested.sql", "-- include main.sql\n" },
        { "bad.sql", "SELECT 1;\n-- include ../part.sql\n" },
        { "missing.sql", "-- include nope.sql\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(files[i][1], fp);
        fclose(fp);
    }
    char *sql = NULL;
    snprintf(path, sizeof path, "%s/main.sql", dir);
    assert_int_equal(hm_query_read(path, &sql, err, sizeof err), HM_OK);
    assert_string_equal(sql, "-- a query\nWITH a(x) AS (SELECT 1)\n\nSELECT x FROM a;\n");
    free(sql);
    const char *bad[][2] = { { "nested.sql", "may not include another" },
                             { "bad.sql", "bad.sql:2: an include names a file" },
                             { "missing.sql", "missing.sql:1: cannot read" },
                             { "absent.sql", "cannot read query" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, bad[i][0]);
        assert_int_equal(hm_query_read(path, &sql, err, sizeof err), HM_EQUERY);
        assert_null(sql);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: '%s' lacks '%s'", bad[i][0], err, bad[i][1]);
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);

    sqlite3 *db = tu_fixture_db(false);
    const char *q[] = { "queries/five_ones_pairs.sql", "queries/five_ones_none.sql" };
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(hm_query_read(q[i], &sql, err, sizeof err), HM_OK);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
            fail_msg("%s: %s", q[i], sqlite3_errmsg(db));
        sqlite3_finalize(st);
        free(sql);
    }
    sqlite3_close(db);
}

/* The five ones per pair are kept for a report on its connection
 * (temp.shared_five_ones) and not read by the next: two half years on one
 * connection give what each gives on a connection of its own. */
static void test_periods_five_ones_per_report(void **state)
{
    (void)state;
    static const char *const P[][3] = { { "2026-H1", "2026-01-01", "2026-06-30" },
                                        { "2026-H2", "2026-07-01", "2026-12-31" } };
    int64_t alone[2], pairs[2], none[2];
    for (int i = 0; i < 2; i++) {
        sqlite3 *db = tu_fixture_db(false);
        hm_report *r = run(db, "halfyear", "halfyear", P[i][0], P[i][1], P[i][2], "internal");
        const hm_section *f = tu_sec(r, "pair_five_ones");
        alone[i] = tu_ival(f, f->table.nrow - 1, "pairs");
        none[i] = (int64_t)tu_sec(r, "pairs_none")->table.nrow;
        hm_report_free(r);
        sqlite3_close(db);
    }
    assert_true(alone[0] != alone[1]);   /* else the test could not tell */
    sqlite3 *db = tu_fixture_db(false);
    for (int i = 0; i < 2; i++) {
        hm_report *r = run(db, "halfyear", "halfyear", P[i][0], P[i][1], P[i][2], "internal");
        const hm_section *f = tu_sec(r, "pair_five_ones");
        pairs[i] = tu_ival(f, f->table.nrow - 1, "pairs");
        assert_int_equal(pairs[i], alone[i]);
        assert_int_equal((int64_t)tu_sec(r, "pairs_none")->table.nrow, none[i]);
        hm_report_free(r);
    }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods_parse_kinds),
        cmocka_unit_test(test_periods_parse_leap_years),
        cmocka_unit_test(test_periods_parse_bad),
        cmocka_unit_test(test_periods_from_days),
        cmocka_unit_test(test_periods_halfyear_kpi_and_trend),
        cmocka_unit_test(test_periods_halfyear_forms_retention),
        cmocka_unit_test(test_periods_range_all_time),
        cmocka_unit_test(test_periods_nomination_conf),
        cmocka_unit_test(test_periods_nominations),
        cmocka_unit_test(test_periods_dossier_volumes),
        cmocka_unit_test(test_periods_dossier_split),
        cmocka_unit_test(test_periods_dossier_page_model),
        cmocka_unit_test(test_periods_scorecard_reference),
        cmocka_unit_test(test_periods_query_include),
        cmocka_unit_test(test_periods_five_ones_per_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
