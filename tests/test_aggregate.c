/*
 * test_aggregate.c - the monthly report's figures on a hand-made month.
 *
 * tests/fixtures/report/fixture.sql holds October 2026 in two towns with
 * one-to-many and many-to-one pairings, a group holiday event with
 * children of both towns, a pairing ending and one starting mid-month, a
 * child who exited in September, and visits to a teacher and a guardian
 * that are not contact.  Every expected figure below is worked out by hand
 * in the comments.  The tests run from the project root and use the
 * shipped templates and queries.
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
#include "himama/db.h"
#include "himama/ingest.h"
#include "himama/manifest.h"
#include "himama/params.h"
#include "himama/template.h"

#include "test_util.h"

/* The query parameters of the period KIND ARG1 [ARG2], the day of the run 'YYYY-MM-DD'. */
static hm_query_params query_for(const char *kind, const char *arg1, const char *arg2,
                                 const char *audience, const char *lang, const char *org,
                                 const char *today)
{
    hm_period per;
    hm_query_params q;
    int32_t day;
    char err[256];
    if (hm_period_parse(kind, arg1, arg2, &per, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_true(hm_date_parse_iso(today, &day));
    hm_query_params_init(&q, &per, audience, lang, org, day);
    return q;
}

/* A new in-memory database: the schema and the fixture rows. */
static sqlite3 *fixture_db(void)
{
    return tu_fixture_db(true);
}

/* Run template tmpl_path for October 2026 and audience; fail on error. */
static hm_report *october(sqlite3 *db, const char *tmpl_path, const char *audience,
                          const char *lang)
{
    hm_template *t = NULL;
    hm_report *r = NULL;
    char err[512] = "";
    if (hm_template_load(tmpl_path, &t, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_query_params q = query_for("monthly", "2026-10", NULL, audience, lang, "某区妇联",
                                  "2026-11-01");
    hm_aggregate_params p = { .query = &q, .queries_dir = "queries" };
    if (hm_aggregate(db, t, &p, &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_template_free(t);
    return r;
}

#define assert_real(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_aggregate_kpi(void **state)
{
    (void)state;
    sqlite3 *db = fixture_db();
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");
    const hm_section *k = tu_sec(r, "kpi");
    assert_int_equal(k->kind, HM_SEC_KPI);
    assert_int_equal(k->table.nrow, 7);
    assert_false(tu_has_col(k, "metric"));   /* hidden: dropped */
    /*
     * Paired: Oct C1 C2 C3 C4 (P5 ends 10-15) C6 (P6 starts 10-20) = 5; C5
     * exited 09-20 and P8 (C7) ended 09-30.  Sept: C1 C2 C3 C4 C5 C7 = 6.
     * Year: all seven.  C1 (two volunteers) and C3 (two) count once.
     */
    static const struct { int64_t m, p, y; } want[7] = {
        { 5, 6, 7 },   /* children paired */
        { 3, 2, 4 },   /* volunteers active: Oct V1 V2 V3; Sept V1 V3; year + V4 (June) */
        { 3, 2, 6 },   /* calls: A1 A2 A6; S1 S2; + A0 */
        { 1, 0, 1 },   /* reading: A3 */
        { 1, 1, 2 },   /* holiday: H1 (3 rows, one event); S3 */
        { 1, 0, 1 },   /* birthday: B1 */
        { 1, 0, 2 },   /* wishes fulfilled: W1; + W5 in May (W6 is November) */
    };
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(tu_ival(k, i, "value"), want[i].m);
        assert_int_equal(tu_ival(k, i, "previous"), want[i].p);
        assert_int_equal(tu_ival(k, i, "ytd"), want[i].y);
    }
    assert_string_equal(tu_sval(k, 0, "label"), "结对儿童（名）");
    assert_non_null(strstr(k->intro, "全区共有 5 名儿童"));
    assert_non_null(strstr(k->intro, "亲情连线 3 次"));
    assert_non_null(strstr(k->intro, "2026年10月"));

    /*
     * Contact rate.  Oct: contacted C1 C2 C4 C6 (H1 names C6), not C3 (only
     * teacher and guardian visits): 4/5.  Sept: C1 C4 of 6.  Year, by month
     * (paired/contacted): Jan 4/0, Feb 5/0, Mar 6/1 (A0), Apr-Aug 5x 6/0,
     * Sep 6/2, Oct 5/4 = 7/56.
     */
    const hm_section *c = tu_sec(r, "contact");
    assert_int_equal(c->table.nrow, 1);
    assert_real(tu_rval(c, 0, "value"), 0.8);
    assert_real(tu_rval(c, 0, "previous"), 2.0 / 6.0);
    assert_real(tu_rval(c, 0, "ytd"), 7.0 / 56.0);
    assert_false(tu_has_col(c, "paired"));
    assert_non_null(strstr(c->intro, "本月 5 名结对儿童中，有 4 名"));
    assert_non_null(strstr(c->intro, "联系率为 80.0%"));
    assert_non_null(strstr(c->intro, "另有 1 名"));

    assert_string_equal(r->title, "“爱心妈妈”结对关爱工作月报");
    assert_string_equal(r->subtitle, "2026年10月（统计期间：2026-10-01 至 2026-10-31）");
    assert_string_equal(r->period, "2026-10");
    assert_string_equal(r->org, "某区妇联");
    assert_string_equal(tu_sec(r, "kpi")->query, "queries/monthly_kpi.sql");
    hm_report_free(r);
    sqlite3_close(db);
}

static void test_aggregate_five_ones_by_town(void **state)
{
    (void)state;
    sqlite3 *db = fixture_db();
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");
    const hm_section *f = tu_sec(r, "five_ones");
    assert_int_equal(f->table.nrow, 3);
    assert_false(tu_has_col(f, "events_counted_twice"));
    /* T1: C1 C2 paired and contacted; calls A1 A2; reading A3; H1; B1; W1. */
    assert_string_equal(tu_sval(f, 0, "town"), "城东镇");
    assert_int_equal(tu_ival(f, 0, "paired"), 2);
    assert_int_equal(tu_ival(f, 0, "contacted"), 2);
    assert_real(tu_rval(f, 0, "contact_rate"), 1.0);
    assert_int_equal(tu_ival(f, 0, "calls"), 2);
    assert_int_equal(tu_ival(f, 0, "reading"), 1);
    assert_int_equal(tu_ival(f, 0, "holiday"), 1);
    assert_int_equal(tu_ival(f, 0, "birthday"), 1);
    assert_int_equal(tu_ival(f, 0, "wishes"), 1);
    /* T2: C3 C4 C6 paired, C4 C6 contacted; call A6; H1 (C6) again. */
    assert_string_equal(tu_sval(f, 1, "town"), "城西镇");
    assert_int_equal(tu_ival(f, 1, "paired"), 3);
    assert_int_equal(tu_ival(f, 1, "contacted"), 2);
    assert_real(tu_rval(f, 1, "contact_rate"), 2.0 / 3.0);
    assert_int_equal(tu_ival(f, 1, "calls"), 1);
    assert_int_equal(tu_ival(f, 1, "reading"), 0);
    assert_int_equal(tu_ival(f, 1, "holiday"), 1);
    assert_int_equal(tu_ival(f, 1, "birthday"), 0);
    assert_int_equal(tu_ival(f, 1, "wishes"), 0);
    /* District: children add up (5, 4); H1 counts once (1, not 2). */
    assert_string_equal(tu_sval(f, 2, "town"), "全区合计");
    assert_int_equal(tu_ival(f, 2, "paired"), 5);
    assert_int_equal(tu_ival(f, 2, "contacted"), 4);
    assert_real(tu_rval(f, 2, "contact_rate"), 0.8);
    assert_int_equal(tu_ival(f, 2, "calls"), 3);
    assert_int_equal(tu_ival(f, 2, "reading"), 1);
    assert_int_equal(tu_ival(f, 2, "holiday"), 1);
    assert_int_equal(tu_ival(f, 2, "birthday"), 1);
    assert_int_equal(tu_ival(f, 2, "wishes"), 1);
    assert_non_null(f->note);
    assert_non_null(strstr(f->note, "少 1 场"));
    assert_true(f->table.cols[tu_col(f, "paired")].child_count);
    assert_false(f->table.cols[tu_col(f, "calls")].child_count);

    /* The bar chart: calls 3 vs 2, holiday 1 vs 1. */
    const hm_section *b = tu_sec(r, "activity_types");
    assert_int_equal(b->kind, HM_SEC_BAR);
    assert_int_equal(b->table.nrow, 12);
    assert_int_equal(b->category_col, tu_col(b, "label"));
    assert_int_equal(b->nseries, 2);
    assert_int_equal(b->series_cols[0], tu_col(b, "this_month"));
    assert_int_equal(b->series_cols[1], tu_col(b, "last_month"));
    assert_string_equal(tu_sval(b, 0, "label"), "亲情连线");
    assert_int_equal(tu_ival(b, 0, "this_month"), 3);
    assert_int_equal(tu_ival(b, 0, "last_month"), 2);
    assert_int_equal(tu_ival(b, 2, "this_month"), 1);
    assert_int_equal(tu_ival(b, 2, "last_month"), 1);
    assert_int_equal(tu_ival(b, 5, "this_month"), 1);   /* visit_teacher A4 */
    hm_report_free(r);
    sqlite3_close(db);
}

/* When no event spans towns the note is left out. */
static void test_aggregate_note_only_when_needed(void **state)
{
    (void)state;
    sqlite3 *db = fixture_db();
    assert_int_equal(sqlite3_exec(db, "DELETE FROM activities WHERE activity_id = 'H1' "
                                  "AND child_id = 'C6'", NULL, NULL, NULL), SQLITE_OK);
    char err[256];   /* rows changed behind ingest's back: count the summaries again */
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");
    const hm_section *f = tu_sec(r, "five_ones");
    assert_int_equal(tu_ival(f, 1, "holiday"), 0);
    assert_int_equal(tu_ival(f, 2, "holiday"), 1);
    assert_null(f->note);
    hm_report_free(r);
    sqlite3_close(db);
}

static void test_aggregate_action_lists(void **state)
{
    (void)state;
    sqlite3 *db = fixture_db();
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");

    /* Only C3 (visits to teacher and guardian are not contact); two volunteers. */
    const hm_section *u = tu_sec(r, "uncontacted");
    assert_int_equal(u->kind, HM_SEC_LIST);
    assert_true(u->detail);
    assert_int_equal(u->table.nrow, 1);
    assert_string_equal(tu_sval(u, 0, "child"), "C3");
    assert_string_equal(tu_sval(u, 0, "child_name"), "王芳");
    assert_string_equal(tu_sval(u, 0, "volunteers"), "刘爱心、陈妈妈");
    assert_string_equal(tu_sval(u, 0, "volunteer_phone"), "13800000001、13800000002");
    assert_true(tu_is_null(u, 0, "last_contact"));
    assert_non_null(strstr(u->intro, "以下 1 名"));

    /* November: C1 and C3; C5 exited, C7's pairing ended. */
    const hm_section *b = tu_sec(r, "birthdays");
    assert_int_equal(b->table.nrow, 2);
    assert_string_equal(tu_sval(b, 0, "child"), "C1");
    assert_string_equal(tu_sval(b, 0, "birthday"), "11-05");
    assert_int_equal(tu_ival(b, 0, "age"), 11);
    assert_string_equal(tu_sval(b, 0, "volunteers"), "刘爱心、陈妈妈");
    assert_string_equal(tu_sval(b, 1, "child"), "C3");
    assert_string_equal(tu_sval(b, 1, "birthday"), "11-20");

    /* W6 (60 days, fulfilled only in November) and W2 (46 days); W3 is 26
     * days old, W4 cancelled. */
    const hm_section *w = tu_sec(r, "wishes_waiting");
    assert_int_equal(w->table.nrow, 2);
    assert_string_equal(tu_sval(w, 0, "wish_id"), "W6");
    assert_int_equal(tu_ival(w, 0, "days_waiting"), 60);
    assert_string_equal(tu_sval(w, 0, "claimed_by"), "东城商会");
    assert_string_equal(tu_sval(w, 1, "wish_id"), "W2");
    assert_int_equal(tu_ival(w, 1, "days_waiting"), 46);
    assert_int_equal(tu_ival(w, 1, "est_cost"), 20000);
    assert_true(tu_is_null(w, 1, "claimed_by"));

    /* V4: paired with C2, last activity 2026-06-01; V5 has no pairing. */
    const hm_section *q = tu_sec(r, "quiet_volunteers");
    assert_int_equal(q->table.nrow, 1);
    assert_string_equal(tu_sval(q, 0, "volunteer_id"), "V4");
    assert_string_equal(tu_sval(q, 0, "phone"), "13800000004");
    assert_int_equal(tu_ival(q, 0, "children"), 1);
    assert_string_equal(tu_sval(q, 0, "last_activity"), "2026-06-01");
    assert_int_equal(tu_ival(q, 0, "days_quiet"), 152);

    /* Data problems: October's ingests only. */
    const hm_section *rj = tu_sec(r, "rejects");
    assert_int_equal(rj->table.nrow, 2);
    assert_string_equal(tu_sval(rj, 0, "file"), "activities-2026-10.csv");
    assert_int_equal(tu_ival(rj, 0, "line"), 7);
    assert_string_equal(tu_sval(rj, 0, "col"), "date");
    assert_string_equal(tu_sval(rj, 1, "file"), "bad.csv");
    assert_true(tu_is_null(rj, 1, "line"));
    assert_non_null(strstr(tu_sval(rj, 1, "reason"), "no header"));
    assert_int_equal(tu_sec(r, "warnings")->table.nrow, 1);
    const hm_section *o = tu_sec(r, "outside_pairing");
    assert_int_equal(o->table.nrow, 1);   /* H1 with C6: P6 starts 10-20 */
    assert_string_equal(tu_sval(o, 0, "activity_id"), "H1");
    assert_string_equal(tu_sval(o, 0, "child"), "C6");
    assert_string_equal(tu_sval(o, 0, "type"), "假日亲子活动");
    assert_string_equal(tu_sval(o, 0, "source"), "activities-2026-10.csv:8");

    /* Money. */
    const hm_section *d = tu_sec(r, "donations");
    assert_int_equal(d->table.nrow, 4);
    assert_string_equal(tu_sval(d, 0, "donor_type"), "企业");
    assert_string_equal(tu_sval(d, 0, "fund"), "助学基金");
    assert_int_equal(tu_ival(d, 0, "amount"), 10000000);
    assert_string_equal(tu_sval(d, 2, "donor_type"), "个人");
    assert_string_equal(tu_sval(d, 3, "donor_type"), "合计");
    assert_int_equal(tu_ival(d, 3, "donations"), 3);
    assert_int_equal(tu_ival(d, 3, "amount"), 10070000);
    assert_non_null(strstr(d->intro, "合计 100,700.00 元"));
    assert_non_null(strstr(d->intro, "支出 2 笔，合计 450.00 元"));
    const hm_section *e = tu_sec(r, "expenditures");
    assert_int_equal(e->table.nrow, 3);
    assert_string_equal(tu_sval(e, 0, "category"), "微心愿");
    assert_int_equal(tu_ival(e, 2, "amount"), 45000);
    const hm_section *fb = tu_sec(r, "fund_balance");
    assert_int_equal(fb->table.nrow, 2);
    assert_string_equal(tu_sval(fb, 0, "fund"), "助学基金");
    assert_int_equal(tu_ival(fb, 0, "raised"), 10300000);
    assert_int_equal(tu_ival(fb, 0, "spent"), 30000);
    assert_int_equal(tu_ival(fb, 0, "balance"), 10270000);
    assert_int_equal(tu_ival(fb, 1, "balance"), 55000);
    const hm_section *nr = tu_sec(r, "no_receipt");
    assert_int_equal(nr->table.nrow, 1);
    assert_string_equal(tu_sval(nr, 0, "donation_id"), "D2");
    assert_string_equal(tu_sval(nr, 0, "donor"), "王先生");
    hm_report_free(r);
    sqlite3_close(db);
}

/* True when s contains any of the fixture's personal data. */
static const char *personal(const char *s)
{
    static const char *const secrets[] = {
        "张小花", "李明", "王芳", "赵强", "钱多", "孙悦", "周游",
        "张大山", "李大海", "王大河", "139000000", "138000000", "东城小学", "西城小学",
        "陈老师", "林老师", "王先生", NULL
    };
    for (const char *const *p = secrets; s && *p; p++)
        if (strstr(s, *p))
            return *p;
    return NULL;
}

static void test_aggregate_public_masking(void **state)
{
    (void)state;
    char err[256], buf[64];
    sqlite3 *db = fixture_db();
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "public", "zh");
    assert_int_equal(hm_report_check_public(r, err, sizeof err), HM_OK);
    assert_false(tu_has_sec(r, "quiet_volunteers"));
    assert_false(tu_has_sec(r, "rejects"));
    assert_false(tu_has_sec(r, "outside_pairing"));
    assert_false(tu_has_sec(r, "no_receipt"));

    /* The action lists are internal; the public report says nothing of them,
     * and numbers its sections without them. */
    assert_false(tu_has_sec(r, "uncontacted"));
    assert_false(tu_has_sec(r, "birthdays"));
    assert_false(tu_has_sec(r, "wishes_waiting"));
    assert_null(strstr(tu_sec(r, "contact")->intro, "提醒"));
    assert_non_null(strstr(tu_sec(r, "contact")->intro, "本月没有联系记录。"));
    assert_string_equal(tu_sec(r, "donations")->heading, "三、资金收支（一）本月捐赠收入");

    /* Nothing personal anywhere in the model. */
    const char *hit;
    for (size_t i = 0; i < r->nsec; i++) {
        const hm_section *s = &r->sec[i];
        if ((hit = personal(s->intro)) || (hit = personal(s->note)) || (hit = personal(s->heading)))
            fail_msg("section '%s' text shows '%s'", s->id, hit);
        for (size_t k = 0; k < s->table.nrow * s->table.ncol; k++)
            if (s->table.cells[k].type == HM_V_TEXT && (hit = personal(s->table.cells[k].s)))
                fail_msg("section '%s' cell shows '%s'", s->id, hit);
    }

    /* Child counts of 1 or 2 show as "<3". */
    const hm_section *f = tu_sec(r, "five_ones");
    size_t c = tu_col(f, "paired");
    assert_true(f->table.cols[c].child_count);
    hm_value_format(hm_table_cell(&f->table, 0, c), &f->table.cols[c], true, buf, sizeof buf);
    assert_string_equal(buf, "<3");
    hm_value_format(hm_table_cell(&f->table, 1, c), &f->table.cols[c], true, buf, sizeof buf);
    assert_string_equal(buf, "3");
    hm_value_format(hm_table_cell(&f->table, 0, c), &f->table.cols[c], false, buf, sizeof buf);
    assert_string_equal(buf, "2");
    hm_report_free(r);

    /* The same figures as the internal report, whose lists show each
     * child's public alias beside the name. */
    r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");
    assert_int_equal(tu_ival(tu_sec(r, "five_ones"), 0, "paired"), 2);
    const hm_section *u = tu_sec(r, "uncontacted");
    assert_string_equal(tu_sval(u, 0, "child_name"), "王芳");
    assert_string_equal(tu_sval(u, 0, "child_alias"), "芳芳");
    const hm_section *b = tu_sec(r, "birthdays");
    assert_string_equal(tu_sval(b, 0, "child_alias"), "小花花");
    assert_string_equal(tu_sval(b, 1, "child_alias"), "芳芳");
    const hm_section *w = tu_sec(r, "wishes_waiting");
    assert_string_equal(tu_sval(w, 0, "child_alias"), "C2");   /* no alias: by child_id */
    assert_non_null(strstr(tu_sec(r, "contact")->intro, "名单见“三、下月工作提醒”"));
    assert_string_equal(tu_sec(r, "donations")->heading, "四、资金收支（一）本月捐赠收入");
    hm_report_free(r);
    sqlite3_close(db);
}

static void test_aggregate_english(void **state)
{
    (void)state;
    sqlite3 *db = fixture_db();
    hm_report *r = october(db, "templates/monthly.en.tmpl", "internal", "en");
    const hm_section *f = tu_sec(r, "five_ones");
    assert_string_equal(tu_sval(f, 2, "town"), "District total");
    assert_non_null(strstr(f->note, "1 less than"));
    assert_string_equal(tu_sval(tu_sec(r, "kpi"), 0, "label"), "Children paired");
    assert_string_equal(tu_sval(tu_sec(r, "activity_types"), 0, "label"), "Calls");
    hm_report_free(r);
    sqlite3_close(db);
}

/* Run a one-section template over the fixture queries; returns the code. */
static hm_error run_custom(sqlite3 *db, const char *text, hm_report **r, char *err, size_t errsz)
{
    hm_template *t = NULL;
    if (hm_template_parse("custom.tmpl", text, &t, err, errsz) != HM_OK)
        fail_msg("%s", err);
    hm_query_params q = query_for("monthly", "2026-10", NULL, "internal", "zh", NULL,
                                  "2026-11-01");
    hm_aggregate_params p = { .query = &q, .queries_dir = "tests/fixtures/report/queries" };
    hm_error rc = hm_aggregate(db, t, &p, r, err, errsz);
    hm_template_free(t);
    return rc;
}

static void test_aggregate_query_files(void **state)
{
    (void)state;
    char err[512];
    hm_report *r = NULL;
    sqlite3 *db = fixture_db();
    if (run_custom(db, "title = T {s.rows}\n[section s]\nheading = H {s.fen:last}\n"
                   "query = multi\ncolumns = nada:X, n:N:int, fen:F:money, "
                   "since:S:date, share:P:percent\n", &r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    const hm_section *s = &r->sec[0];
    assert_int_equal(s->table.nrow, 3);
    assert_int_equal(s->table.ncol, 5);
    assert_string_equal(s->table.cols[0].name, "nada");   /* the template's order */
    assert_true(tu_is_null(s, 0, "nada"));
    assert_int_equal(tu_ival(s, 2, "n"), 3);
    assert_int_equal(tu_ival(s, 2, "fen"), 300);
    assert_string_equal(tu_sval(s, 0, "since"), "2026-10-01");
    assert_real(tu_rval(s, 0, "share"), 0.5);
    assert_string_equal(r->title, "T 3");
    assert_string_equal(s->heading, "H 3.00");
    assert_string_equal(s->query, "queries/multi.sql");
    hm_report_free(r);

    assert_int_equal(run_custom(db, "title = T\n[section s]\nheading = H\nquery = unknown_param\n"
                                "columns = a:A\n", &r, err, sizeof err), HM_EQUERY);
    assert_null(r);
    assert_non_null(strstr(err, "unknown parameter ':colour'"));
    assert_int_equal(run_custom(db, "title = T\n[section s]\nheading = H\nquery = bad_sql\n"
                                "columns = a:A\n", &r, err, sizeof err), HM_EQUERY);
    assert_non_null(strstr(err, "no_such_table"));
    assert_int_equal(run_custom(db, "title = T\n[section s]\nheading = H\nquery = multi\n"
                                "columns = n:N, zzz:Z\n", &r, err, sizeof err), HM_EQUERY);
    assert_non_null(strstr(err, "'zzz'"));
    assert_int_equal(run_custom(db, "title = T\n[section s]\nheading = H\nquery = missing\n"
                                "columns = a:A\n", &r, err, sizeof err), HM_EQUERY);
    assert_non_null(strstr(err, "missing.sql"));
    sqlite3_close(db);
}

/* The manifest lists loaded inputs and the rows behind each section. */
static void test_aggregate_manifest(void **state)
{
    (void)state;
    char err[256];
    hm_strbuf sb = HM_STRBUF_INIT;
    sqlite3 *db = fixture_db();
    setenv("SOURCE_DATE_EPOCH", "1793491200", 1);
    hm_report *r = october(db, "templates/monthly.zh.tmpl", "internal", "zh");
    hm_strbuf_init(&sb);
    if (hm_manifest_build(db, r, "templates/monthly.zh.tmpl", NULL, 0, &sb, err, sizeof err)
        != HM_OK)
        fail_msg("%s", err);
    assert_non_null(strstr(sb.buf, "\"generated_at\": \"2026-11-01T00:00:00Z\""));
    assert_non_null(strstr(sb.buf, "\"version\": \"" HIMAMA_VERSION "\""));
    assert_non_null(strstr(sb.buf, "\"file\": \"activities-2026-10.csv\""));
    assert_null(strstr(sb.buf, "bad.csv"));          /* rejected whole: not an input */
    assert_non_null(strstr(sb.buf, "\"query\": \"queries/monthly_kpi.sql\",\n      \"rows\": 7"));
    assert_non_null(strstr(sb.buf, "\"id\": \"five_ones\""));
    assert_non_null(strstr(sb.buf, "\"outputs\": [],"));
    /* Output digests need the SHA-256 module; checked once it is in the tree. */
    unsetenv("SOURCE_DATE_EPOCH");
    hm_strbuf_release(&sb);
    hm_report_free(r);
    sqlite3_close(db);
}

/* Every text and every cell of section sec, one line each, into sb. */
static void dump_section(const hm_section *sec, hm_strbuf *sb)
{
    char err[256];
    hm_strbuf_addf(sb, "[%s] %s|%s|%s|%s|%zu rows\n", sec->id, sec->heading,
                   sec->intro ? sec->intro : "", sec->note ? sec->note : "",
                   sec->empty ? sec->empty : "", hm_table_rows(&sec->table));
    for (size_t i = 0; i < hm_table_rows(&sec->table); i++) {
        const hm_value *v;
        if (hm_table_row(&sec->table, i, &v, err, sizeof err) != HM_OK)
            fail_msg("%s", err);
        for (size_t c = 0; c < sec->table.ncol; c++) {
            switch (v[c].type) {
            case HM_V_INT: hm_strbuf_addf(sb, "%lld|", (long long)v[c].i); break;
            case HM_V_REAL: hm_strbuf_addf(sb, "%.17g|", v[c].r); break;
            case HM_V_TEXT: hm_strbuf_addf(sb, "'%s'|", v[c].s); break;
            default: hm_strbuf_add(sb, "NULL|", 5); break;
            }
        }
        hm_strbuf_addc(sb, '\n');
    }
}

/* The report's own texts, one line, into sb. */
static void dump_title(const hm_report *r, hm_strbuf *sb)
{
    hm_strbuf_addf(sb, "%s|%s|%s\n", r->title, r->subtitle ? r->subtitle : "",
                   r->footer ? r->footer : "");
}

/* Every text and every cell of r, one line each, into sb. */
static void dump_report(const hm_report *r, hm_strbuf *sb)
{
    dump_title(r, sb);
    for (size_t s = 0; s < r->nsec; s++)
        dump_section(&r->sec[s], sb);
}

/* Aggregate the template at tmpl_path (or parse text) for October; twin may be NULL. */
static hm_error october_sink(sqlite3 *db, sqlite3 *twin, const hm_section_sink *sink,
                             const char *tmpl_path, const char *text, const char *qdir,
                             hm_report **r, char *err, size_t errsz)
{
    hm_template *t = NULL;
    if ((tmpl_path ? hm_template_load(tmpl_path, &t, err, errsz)
                   : hm_template_parse("custom.tmpl", text, &t, err, errsz)) != HM_OK)
        fail_msg("%s", err);
    hm_query_params q = query_for("monthly", "2026-10", NULL, "internal", "zh", "某区妇联",
                                  "2026-11-01");
    hm_aggregate_params p = { .query = &q, .queries_dir = qdir, .twin = twin, .sink = sink };
    hm_error rc = hm_aggregate(db, t, &p, r, err, errsz);
    hm_template_free(t);
    return rc;
}

static hm_error october_twin(sqlite3 *db, sqlite3 *twin, const char *tmpl_path,
                             const char *text, const char *qdir, hm_report **r, char *err,
                             size_t errsz)
{
    return october_sink(db, twin, NULL, tmpl_path, text, qdir, r, err, errsz);
}

/* A sink that writes down what it is given, in the order given; fails at fail_at. */
typedef struct recorder {
    hm_strbuf seen;
    int begun, ended;
    size_t next;             /* the section expected next */
    bool in_order;
    size_t fail_at;          /* SIZE_MAX: never fail */
} recorder;

static hm_error rec_begin(void *arg, const hm_report *r, char *err, size_t errsz)
{
    (void)err;
    (void)errsz;
    recorder *k = arg;
    k->begun++;
    /* before any query: the skeleton is there, no rows and no texts yet */
    for (size_t s = 0; s < r->nsec; s++)
        if (r->sec[s].id == NULL || r->sec[s].heading != NULL || hm_table_rows(&r->sec[s].table))
            k->in_order = false;
    return HM_OK;
}

static hm_error rec_section(void *arg, const hm_report *r, size_t s, char *err, size_t errsz)
{
    recorder *k = arg;
    if (s != k->next++ || k->begun != 1 || k->ended)
        k->in_order = false;
    if (s == k->fail_at) {
        snprintf(err, errsz, "the sink refused section %zu", s);
        return HM_EXLSX;
    }
    dump_section(&r->sec[s], &k->seen);
    return HM_OK;
}

static hm_error rec_end(void *arg, const hm_report *r, char *err, size_t errsz)
{
    (void)err;
    (void)errsz;
    recorder *k = arg;
    if (k->next != r->nsec)
        k->in_order = false;
    k->ended++;
    dump_title(r, &k->seen);
    return HM_OK;
}

/* Aggregate (as october_sink) into a recorder that fails at fail_at;
 * the caller releases rec->seen. */
static hm_error recorded(sqlite3 *db, sqlite3 *twin, size_t fail_at, const char *tmpl_path,
                         const char *text, const char *qdir, recorder *rec, hm_report **r,
                         char *err, size_t errsz)
{
    *rec = (recorder){ .in_order = true, .fail_at = fail_at };
    hm_strbuf_init(&rec->seen);
    hm_section_sink sink = { rec, rec_begin, rec_section, rec_end };
    return october_sink(db, twin, &sink, tmpl_path, text, qdir, r, err, errsz);
}

/* Every text and cell of r in the order a sink gets them: the sections, then the title. */
static void dump_as_fed(const hm_report *r, hm_strbuf *sb)
{
    for (size_t s = 0; s < r->nsec; s++)
        dump_section(&r->sec[s], sb);
    dump_title(r, sb);
}

/* The fixture in a database file, read on two connections at one snapshot. */
typedef struct twin_db {
    char *dir;
    sqlite3 *db, *twin;
} twin_db;

static twin_db twin_open(void)
{
    twin_db t = { tu_temp_dir("himama-test-aggregate"), NULL, NULL };
    assert_non_null(t.dir);
    char path[600], err[512] = "";
    snprintf(path, sizeof path, "%s/h.db", t.dir);
    if (hm_db_open(path, true, &t.db, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    tu_exec_file(t.db, "queries/schema.sql");
    tu_exec_file(t.db, "tests/fixtures/report/fixture.sql");
    if (hm_summary_recount(t.db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    if (hm_db_begin_twin(t.db, path, &t.twin, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    assert_non_null(t.twin);
    tu_redact(t.db);
    tu_redact(t.twin);
    return t;
}

static void twin_close(twin_db *t)
{
    sqlite3_exec(t->twin, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(t->twin);
    sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(t->db);
    tu_remove_tree(t->dir);
}

/*
 * With a second connection the sections run in two threads: the same
 * report, text for text and cell for cell; and a failure names the first
 * failing section in template order, as one thread would, whichever
 * thread got there first.
 */
static void test_aggregate_two_connections(void **state)
{
    (void)state;
    twin_db t = twin_open();
    sqlite3 *db = t.db, *twin = t.twin;
    char err[512] = "";

    hm_strbuf one = HM_STRBUF_INIT, two = HM_STRBUF_INIT;
    hm_strbuf_init(&one);
    hm_strbuf_init(&two);
    for (int k = 0; k < 2; k++) {
        hm_report *r = NULL;
        if (october_twin(db, k ? twin : NULL, "templates/monthly.zh.tmpl", NULL, "queries", &r,
                         err, sizeof err) != HM_OK)
            fail_msg("%s", err);
        dump_report(r, k ? &two : &one);
        hm_report_free(r);
    }
    assert_non_null(strstr(one.buf, "[uncontacted]"));
    assert_string_equal(one.buf, two.buf);

    /* Sections 2 and 4 fail; 2 is the one named, every time. */
    const char *text = "title = T\n"
                       "[section a]\nheading = A\nquery = multi\ncolumns = n:N:int\n"
                       "[section b]\nheading = B\nquery = bad_sql\ncolumns = a:A\n"
                       "[section c]\nheading = C\nquery = multi\ncolumns = n:N:int\n"
                       "[section d]\nheading = D\nquery = unknown_param\ncolumns = a:A\n";
    for (int i = 0; i < 20; i++) {
        hm_report *r = NULL;
        assert_int_equal(october_twin(db, twin, NULL, text, "tests/fixtures/report/queries", &r,
                                      err, sizeof err), HM_EQUERY);
        assert_null(r);
        assert_non_null(strstr(err, "bad_sql.sql"));
    }
    hm_strbuf_release(&one);
    hm_strbuf_release(&two);
    twin_close(&t);
}

/*
 * A sink gets every section in template order, each already final (what
 * it saw equals the finished report, and the one-thread one), with a
 * text that quotes a later section filled; its failure fails the report
 * and stops it.
 */
static void test_aggregate_sink(void **state)
{
    (void)state;
    twin_db t = twin_open();
    sqlite3 *db = t.db, *twin = t.twin;
    char err[512] = "";

    hm_strbuf plain = HM_STRBUF_INIT;
    hm_strbuf_init(&plain);
    hm_report *r = NULL;
    if (october_twin(db, NULL, "templates/monthly.zh.tmpl", NULL, "queries", &r, err,
                     sizeof err) != HM_OK)
        fail_msg("%s", err);
    dump_as_fed(r, &plain);
    hm_report_free(r);
    for (int k = 0; k < 2; k++) {   /* one connection, then two */
        recorder rec;
        hm_strbuf final = HM_STRBUF_INIT;
        hm_strbuf_init(&final);
        if (recorded(db, k ? twin : NULL, SIZE_MAX, "templates/monthly.zh.tmpl", NULL, "queries",
                     &rec, &r, err, sizeof err) != HM_OK)
            fail_msg("%s", err);
        dump_as_fed(r, &final);
        assert_true(rec.in_order);
        assert_int_equal(rec.begun, 1);
        assert_int_equal(rec.ended, 1);
        assert_non_null(strstr(rec.seen.buf, "[uncontacted]"));
        assert_string_equal(rec.seen.buf, final.buf);
        assert_string_equal(rec.seen.buf, plain.buf);
        hm_report_free(r);
        hm_strbuf_release(&final);
        hm_strbuf_release(&rec.seen);
    }

    /* The first section quotes the last: the sink waits for it. */
    const char *text = "title = T {c.n:last}\n"
                       "[section a]\nheading = A\nintro = c has {c.rows} rows, last {c.n:last}\n"
                       "query = multi\ncolumns = n:N:int\n"
                       "[section b]\nheading = B\nquery = multi\ncolumns = n:N:int\n"
                       "[section c]\nheading = C\nquery = multi\ncolumns = n:N:int\n";
    for (int i = 0; i < 10; i++) {
        recorder rec;
        if (recorded(db, twin, SIZE_MAX, NULL, text, "tests/fixtures/report/queries", &rec, &r,
                     err, sizeof err) != HM_OK)
            fail_msg("%s", err);
        assert_true(rec.in_order);
        assert_non_null(strstr(rec.seen.buf, "[a] A|c has 3 rows, last 3|"));
        assert_non_null(strstr(rec.seen.buf, "T 3||"));
        hm_report_free(r);
        hm_strbuf_release(&rec.seen);
    }

    /* The sink fails at b: the report fails with its error, and c is never given. */
    for (int i = 0; i < 10; i++) {
        recorder rec;
        assert_int_equal(recorded(db, twin, 1, NULL, text, "tests/fixtures/report/queries", &rec,
                                  &r, err, sizeof err),
                         HM_EXLSX);
        assert_null(r);
        assert_string_equal(err, "the sink refused section 1");
        assert_int_equal(rec.next, 2);
        assert_int_equal(rec.ended, 0);
        hm_strbuf_release(&rec.seen);
    }

    /* The sink fails at a while c's query fails: the report fails with one
     * of the two errors (c may never be taken once the sink has failed),
     * and the sink gets nothing more. */
    const char *bad = "title = T\n"
                      "[section a]\nheading = A\nquery = multi\ncolumns = n:N:int\n"
                      "[section b]\nheading = B\nquery = multi\ncolumns = n:N:int\n"
                      "[section c]\nheading = C\nquery = bad_sql\ncolumns = a:A\n";
    for (int i = 0; i < 10; i++) {
        recorder rec;
        hm_error rc = recorded(db, twin, 0, NULL, bad, "tests/fixtures/report/queries", &rec, &r,
                               err, sizeof err);
        assert_null(r);
        assert_int_equal(rec.ended, 0);
        /* the sink stops the queries not yet taken: c may not run */
        if (rc == HM_EQUERY)
            assert_non_null(strstr(err, "bad_sql.sql"));
        else
            assert_string_equal(err, "the sink refused section 0");
        hm_strbuf_release(&rec.seen);
    }

    hm_strbuf_release(&plain);
    twin_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregate_kpi),
        cmocka_unit_test(test_aggregate_five_ones_by_town),
        cmocka_unit_test(test_aggregate_note_only_when_needed),
        cmocka_unit_test(test_aggregate_action_lists),
        cmocka_unit_test(test_aggregate_public_masking),
        cmocka_unit_test(test_aggregate_english),
        cmocka_unit_test(test_aggregate_query_files),
        cmocka_unit_test(test_aggregate_manifest),
        cmocka_unit_test(test_aggregate_two_connections),
        cmocka_unit_test(test_aggregate_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
