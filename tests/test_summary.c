/*
 * test_summary.c - the summary tables (pipeline/summary.c): the runs of
 * paired months of a child (child_spans) at their edges, the paired and
 * types columns of child_months, the events per month and town, the
 * service hours of volunteer_months, the activities with several
 * volunteers in a month (activity_crews), and the activity rows outside a
 * pairing; each kept row by row as ingest does and equal to a full
 * recount.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/summary.h"
#include "test_util.h"

/* Towns T1, T2; children C1..C6; volunteers V1, V2.  C4 exits 2025-06-15,
 * C5 exits 2025-04-10 (before its pairing starts). */
static const char *const base_sql =
    "INSERT INTO towns (town_code) VALUES ('T1'), ('T2');"
    "INSERT INTO volunteers (volunteer_id, name, town_code) VALUES ('V1', '甲', 'T1'), ('V2', '乙', 'T2');"
    "INSERT INTO children (child_id, name, birth_date, town_code, exited_on) VALUES"
    " ('C1', '一', '2015-01-01', 'T1', NULL), ('C2', '二', '2015-01-01', 'T1', NULL),"
    " ('C3', '三', '2015-01-01', 'T2', NULL), ('C4', '四', '2015-01-01', 'T2', '2025-06-15'),"
    " ('C5', '五', '2015-01-01', 'T2', '2025-04-10'), ('C6', '六', '2015-01-01', 'T1', NULL);";

/* Two pairings of C1 sharing March (one run); C2 with a gap in March (two
 * runs); C3 in touching months (one run); C4 open, cut at its exit; C5
 * starting after its exit (none); C6 none. */
static const char *const pairings_sql =
    "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on) VALUES"
    " ('P1', 'V1', 'C1', '2025-01-15', '2025-03-10'), ('P2', 'V2', 'C1', '2025-03-20', NULL),"
    " ('P3', 'V1', 'C2', '2025-01-01', '2025-02-28'), ('P4', 'V1', 'C2', '2025-04-01', '2025-05-31'),"
    " ('P5', 'V2', 'C3', '2025-01-01', '2025-02-01'), ('P6', 'V2', 'C3', '2025-03-01', '2025-03-31'),"
    " ('P7', 'V2', 'C4', '2025-05-01', NULL), ('P8', 'V2', 'C5', '2025-05-01', NULL);";

static const char *const spans_want =
    "C1 2025-01 9999-12 T1|C2 2025-01 2025-02 T1|C2 2025-04 2025-05 T1|"
    "C3 2025-01 2025-03 T2|C4 2025-05 2025-06 T2";

/* Activities: A1 a holiday with C1 (T1) and C3 (T2) in March, and again
 * with C2 (T1) in April under the same id; A2 a call to C2 in March (not
 * paired then); A3 a visit to C3's teacher (no contact).  Minutes (-1:
 * none): V1 takes part in A1 in March with two children (60 and 90: it
 * counts once, 90), V2 with two (none, and 20 on another day of the
 * month: 20); A2 has none. */
static const struct {
    const char *id, *date, *type, *vol, *child, *town;
    int minutes;
} acts[] = {
    { "A1", "2025-03-05", "holiday", "V1", "C1", "T1", 60 },
    { "A1", "2025-03-05", "holiday", "V2", "C3", "T2", -1 },
    { "A1", "2025-03-05", "holiday", "V1", "C3", "T2", 90 },
    { "A2", "2025-03-12", "call", "V1", "C2", "T1", -1 },
    { "A3", "2025-03-15", "visit_teacher", "V2", "C3", "T2", 30 },
    { "A1", "2025-04-02", "holiday", "V1", "C2", "T1", 45 },
    { "A1", "2025-03-25", "holiday", "V2", "C1", "T1", 20 },
};
#define NACTS (sizeof acts / sizeof acts[0])

static sqlite3 *empty_db(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    tu_exec_file(db, "queries/schema.sql");
    char err[256];
    if (hm_db_exec_script(db, "base", base_sql, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    return db;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Finish s (the end of a file). */
static void finish(sqlite3 *db, hm_summary *s)
{
    char err[256];
    if (hm_summary_finish(s, db, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
}

/* Mark the n children kids for new spans, as a pairings file does. */
static void mark(sqlite3 *db, hm_summary *s, const char *const *kids, size_t n)
{
    char err[256];
    for (size_t i = 0; i < n; i++)
        if (hm_summary_child(s, db, kids[i], strlen(kids[i]), err, sizeof err) != HM_OK)
            fail_msg("%s", err);
}

/* The rows of a query as "a b c|a b c" (columns joined by spaces). */
static char *rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    hm_strbuf sb = HM_STRBUF_INIT;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sb.len)
            hm_strbuf_addc(&sb, '|');
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            if (c)
                hm_strbuf_addc(&sb, ' ');
            const unsigned char *t = sqlite3_column_text(st, c);
            hm_strbuf_adds(&sb, t ? (const char *)t : "NULL");
        }
    }
    sqlite3_finalize(st);
    hm_strbuf_addc(&sb, '\0');
    return sb.buf;
}

static void expect_rows(sqlite3 *db, const char *sql, const char *want)
{
    char *got = rows(db, sql);
    assert_string_equal(got, want);
    free(got);
}

/* Insert the activities one by one in the order given (NULL: as listed);
 * with s, count each as ingest does, and finish after the first split
 * rows (a file of its own; 0: none). */
static void add_activities_in(sqlite3 *db, hm_summary *s, const size_t *order, size_t split)
{
    char err[256], sql[320], min[16];
    for (size_t n = 0; n < NACTS; n++) {
        size_t i = order ? order[n] : n;
        if (s && split && n == split && hm_summary_finish(s, db, err, sizeof err) != HM_OK)
            fail_msg("%s", err);
        if (acts[i].minutes < 0)
            snprintf(min, sizeof min, "NULL");
        else
            snprintf(min, sizeof min, "%d", acts[i].minutes);
        snprintf(sql, sizeof sql, "INSERT INTO activities (activity_id, date, type, volunteer_id,"
                 " child_id, minutes) VALUES ('%s', '%s', '%s', '%s', '%s', %s)", acts[i].id,
                 acts[i].date, acts[i].type, acts[i].vol, acts[i].child, min);
        exec(db, sql);
        if (!s)
            continue;
        hm_summary_row r = {
            .activity_id = acts[i].id, .activity_len = strlen(acts[i].id),
            .child = acts[i].child, .child_len = strlen(acts[i].child),
            .volunteer = acts[i].vol, .volunteer_len = strlen(acts[i].vol),
            .date = acts[i].date, .type = acts[i].type,
            .town = acts[i].town, .town_len = strlen(acts[i].town),
            .has_minutes = acts[i].minutes >= 0, .minutes = acts[i].minutes,
        };
        if (hm_summary_activity(s, db, &r, err, sizeof err) != HM_OK)
            fail_msg("%s", err);
    }
}

static void add_activities(sqlite3 *db, hm_summary *s)
{
    add_activities_in(db, s, NULL, 0);
}

static const char *const q_spans =
    "SELECT child_id, first_month, last_month, town_code FROM child_spans ORDER BY 1, 2";
static const char *const q_child_months =
    "SELECT child_id, month, contacts, last_contact, types, paired FROM child_months ORDER BY 1, 2";
static const char *const q_events =
    "SELECT month, type, events FROM month_events ORDER BY 1, 2";
static const char *const q_town_events =
    "SELECT month, town_code, type, events FROM month_town_events ORDER BY 1, 2, 3";
static const char *const q_volunteer_months =
    "SELECT volunteer_id, month, activities, last_activity, participations, minutes,"
    " no_minutes FROM volunteer_months ORDER BY 1, 2";
static const char *const q_crews =
    "SELECT month, activity_id, volunteer_id FROM activity_crews ORDER BY 1, 2, 3";

/* holiday = 4, call = 1 (activity_types.bit). */
static const char *const child_months_want =
    "C1 2025-03 2 2025-03-25 4 1|C2 2025-03 1 2025-03-12 1 0|C2 2025-04 1 2025-04-02 4 1|"
    "C3 2025-03 2 2025-03-05 4 1";
/* A1 counts once in March (three rows) and once in April; by town, once in
 * each town it has a child of. */
static const char *const events_want =
    "2025-03 call 1|2025-03 holiday 1|2025-03 visit_teacher 1|2025-04 holiday 1";
static const char *const town_events_want =
    "2025-03 T1 call 1|2025-03 T1 holiday 1|2025-03 T2 holiday 1|2025-04 T1 holiday 1";

/* Per volunteer and month: rows, the last, participations (A1 and A2 for
 * V1 in March: A1's two rows are one), minutes (the largest of each
 * activity's rows: V1's A1 90, V2's A1 20 although a row of it has none)
 * and those without (V1's A2). */
static const char *const volunteer_months_want =
    "V1 2025-03 3 2025-03-12 2 90 1|V1 2025-04 1 2025-04-02 1 45 0|"
    "V2 2025-03 3 2025-03-25 2 50 0";

/* Activities with several volunteers in a month: A1 in March (V1 and V2;
 * in April V1 alone). */
static const char *const crews_want = "2025-03 A1 V1|2025-03 A1 V2";

/* queries/check_summaries.sql finds nothing to say. */
static void expect_checked(sqlite3 *db)
{
    char *sql = hm_read_file("queries/check_summaries.sql", NULL);
    assert_non_null(sql);
    expect_rows(db, sql, "");
    free(sql);
}

/* Finish s; the activities as listed are then counted in every table. */
static void finish_expect_counts(sqlite3 *db, hm_summary *s)
{
    finish(db, s);
    expect_rows(db, q_child_months, child_months_want);
    expect_rows(db, q_events, events_want);
    expect_rows(db, q_town_events, town_events_want);
    expect_rows(db, q_volunteer_months, volunteer_months_want);
    expect_rows(db, q_crews, crews_want);
    expect_checked(db);
}

static void test_summary_full_recount(void **state)
{
    (void)state;
    sqlite3 *db = empty_db();
    char err[256];
    exec(db, pairings_sql);
    add_activities(db, NULL);
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    expect_rows(db, q_spans, spans_want);
    expect_rows(db, q_child_months, child_months_want);
    expect_rows(db, q_events, events_want);
    expect_rows(db, q_town_events, town_events_want);
    expect_rows(db, q_volunteer_months, volunteer_months_want);
    expect_rows(db, q_crews, crews_want);
    expect_checked(db);
    sqlite3_close(db);
}

/* As ingest: the pairings marked child by child, then the activities row
 * by row; the same tables as a full recount. */
static void test_summary_row_by_row(void **state)
{
    (void)state;
    sqlite3 *db = empty_db();
    hm_summary s;
    hm_summary_init(&s);
    exec(db, pairings_sql);
    const char *kids[] = { "C1", "C2", "C3", "C4", "C5", "C6", "C1" };
    mark(db, &s, kids, sizeof kids / sizeof kids[0]);
    finish(db, &s);
    expect_rows(db, q_spans, spans_want);

    add_activities(db, &s);
    finish_expect_counts(db, &s);
    hm_summary_release(&s);
    sqlite3_close(db);
}

/* Whatever the order of the rows and the files they come in, an activity
 * counts once per month and type, and once per town: its rows may come
 * together or apart, above every stored activity_id or below. */
static void test_summary_any_order(void **state)
{
    (void)state;
    static const size_t orders[][NACTS] = {
        { 6, 5, 4, 3, 2, 1, 0 }, { 3, 0, 4, 1, 6, 5, 2 }, { 0, 5, 1, 3, 2, 4, 6 },
        { 4, 2, 6, 0, 3, 5, 1 }, { 2, 1, 6, 0, 5, 3, 4 },
    };
    char err[256];
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        for (size_t split = 0; split < NACTS; split += 2) {
            sqlite3 *db = empty_db();
            hm_summary s;
            hm_summary_init(&s);
            exec(db, pairings_sql);
            if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
                fail_msg("%s", err);
            add_activities_in(db, &s, orders[o], split);
            finish_expect_counts(db, &s);
            hm_summary_release(&s);
            sqlite3_close(db);
        }
    }
}

/* An activity with three volunteers in a month (and a fourth in the
 * month after, alone there): in any order of its rows, and split over two
 * files, all three of the month are its crew, the fourth is not. */
static void test_summary_crews(void **state)
{
    (void)state;
    static const struct { const char *vol, *child, *town, *date; } rows_[] = {
        { "V1", "C1", "T1", "2025-05-03" }, { "V2", "C3", "T2", "2025-05-03" },
        { "V1", "C2", "T1", "2025-05-03" }, { "V3", "C6", "T1", "2025-05-04" },
        { "V2", "C1", "T1", "2025-05-03" }, { "V3", "C2", "T1", "2025-06-01" },
    };
    enum { N = sizeof rows_ / sizeof rows_[0] };
    static const size_t orders[][N] = {
        { 0, 1, 2, 3, 4, 5 }, { 5, 4, 3, 2, 1, 0 }, { 3, 0, 5, 2, 4, 1 }, { 2, 0, 4, 5, 1, 3 },
    };
    char err[256], sql[256];
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        for (size_t split = 0; split < N; split += 3) {
            sqlite3 *db = empty_db();
            exec(db, "INSERT INTO volunteers (volunteer_id, name, town_code) VALUES ('V3', '丙', 'T1')");
            hm_summary s;
            hm_summary_init(&s);
            for (size_t k = 0; k < N; k++) {
                size_t i = orders[o][k];
                if (split && k == split)
                    finish(db, &s);
                snprintf(sql, sizeof sql, "INSERT INTO activities (activity_id, date, type,"
                         " volunteer_id, child_id) VALUES ('A9', '%s', 'holiday', '%s', '%s')",
                         rows_[i].date, rows_[i].vol, rows_[i].child);
                exec(db, sql);
                hm_summary_row r = {
                    .activity_id = "A9", .activity_len = 2,
                    .child = rows_[i].child, .child_len = 2,
                    .volunteer = rows_[i].vol, .volunteer_len = 2,
                    .date = rows_[i].date, .type = "holiday", .town = rows_[i].town,
                    .town_len = 2,
                };
                if (hm_summary_activity(&s, db, &r, err, sizeof err) != HM_OK)
                    fail_msg("%s", err);
            }
            finish(db, &s);
            expect_rows(db, q_crews, "2025-05 A9 V1|2025-05 A9 V2|2025-05 A9 V3");
            expect_checked(db);
            hm_summary_release(&s);
            sqlite3_close(db);
        }
    }
}

/* A pairing that ends, a child who exits and one who moves town: the
 * spans and paired flags follow; a changed activity month is recounted. */
static void test_summary_changes(void **state)
{
    (void)state;
    sqlite3 *db = empty_db();
    char err[256];
    hm_summary s;
    hm_summary_init(&s);
    exec(db, pairings_sql);
    add_activities(db, &s);
    if (hm_summary_finish(&s, db, err, sizeof err) != HM_OK ||
        hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);

    /* P2 ends in February: C1 is paired January to March only (P1). */
    exec(db, "UPDATE pairings SET ended_on = '2025-03-21' WHERE pairing_id = 'P2'");
    exec(db, "UPDATE children SET exited_on = '2025-03-31' WHERE child_id = 'C3'");
    exec(db, "UPDATE children SET town_code = 'T2' WHERE child_id = 'C2'");
    exec(db, "UPDATE activities SET date = '2025-05-02' WHERE activity_id = 'A1' AND child_id = 'C2'");
    /* A2 gains minutes, V2's row of A1 without them now has more than the other. */
    exec(db, "UPDATE activities SET minutes = 120 WHERE activity_id = 'A2'");
    exec(db, "UPDATE activities SET minutes = 25 WHERE activity_id = 'A1' AND volunteer_id = 'V2'"
             " AND child_id = 'C3'");
    hm_summary_dirty(&s, "2025-03-12", 10);
    hm_summary_dirty(&s, "2025-03-05", 10);
    const char *kids[] = { "C1", "C3", "C2" };
    mark(db, &s, kids, 3);
    if (hm_summary_child_town(&s, db, "C2", 2, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    hm_summary_dirty(&s, "2025-04-02", 10);
    hm_summary_dirty(&s, "2025-05-02", 10);
    if (hm_summary_finish(&s, db, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    char *kept[5] = {
        rows(db, q_spans), rows(db, q_child_months), rows(db, q_events), rows(db, q_town_events),
        rows(db, q_volunteer_months),
    };
    assert_string_equal(kept[0], "C1 2025-01 2025-03 T1|C2 2025-01 2025-02 T2|"
                                 "C2 2025-04 2025-05 T2|C3 2025-01 2025-03 T2|C4 2025-05 2025-06 T2");
    /* A1 with C2 moved to May, C2's call in March now counts in T2. */
    assert_string_equal(kept[3], "2025-03 T1 holiday 1|2025-03 T2 call 1|2025-03 T2 holiday 1|"
                                 "2025-05 T2 holiday 1");
    /* V1: A2 now 120 minutes; A1's April row moved to May.  V2: A1 now 25. */
    assert_string_equal(kept[4], "V1 2025-03 3 2025-03-12 2 210 0|V1 2025-05 1 2025-05-02 1 45 0|"
                                 "V2 2025-03 3 2025-03-25 2 55 0");
    expect_checked(db);
    /* Kept row by row equals a full recount. */
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    expect_rows(db, q_spans, kept[0]);
    expect_rows(db, q_child_months, kept[1]);
    expect_rows(db, q_events, kept[2]);
    expect_rows(db, q_town_events, kept[3]);
    expect_rows(db, q_volunteer_months, kept[4]);
    for (int i = 0; i < 5; i++)
        free(kept[i]);
    hm_summary_release(&s);
    sqlite3_close(db);
}

/* ------------------------------------------------------------------
 * Monthly report: activity rows outside a pairing (activity_outside).
 */

static const char *const q_outside =
    "SELECT activity_id, volunteer_id, child_id, date FROM activity_outside ORDER BY 1, 2, 3";

/* Whether no pairing of v and c is active on date, as ingest asks. */
static bool outside_of(sqlite3 *db, const char *v, const char *c, const char *date)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT NOT EXISTS (SELECT 1 FROM pairings WHERE volunteer_id = '%s'"
             " AND child_id = '%s' AND started_on <= '%s' AND (ended_on IS NULL OR ended_on >= '%s'))",
             v, c, date, date);
    char *got = rows(db, sql);
    bool out = strcmp(got, "1") == 0;
    free(got);
    return out;
}

/* An activity row stored (new or changed), told to the summary as ingest does. */
static void outside_row(sqlite3 *db, hm_summary *s, const char *id, const char *v,
                        const char *c, const char *date, bool is_new)
{
    char err[256];
    hm_summary_row r = {
        .activity_id = id, .activity_len = strlen(id), .child = c, .child_len = strlen(c),
        .volunteer = v, .volunteer_len = strlen(v), .date = date, .type = "",
    };
    if (hm_summary_outside_row(s, db, &r, outside_of(db, v, c, date), is_new,
                               err, sizeof err) != HM_OK)
        fail_msg("%s", err);
}

static void outside_pairing(sqlite3 *db, hm_summary *s, const char *v, const char *c,
                            const char *lost_from, const char *lost_to)
{
    char err[256];
    if (hm_summary_outside_pairing(s, db, v, strlen(v), c, strlen(c), lost_from, lost_to,
                                   err, sizeof err) != HM_OK)
        fail_msg("%s", err);
}

/* The table kept row by row equals a full recount. */
static void expect_outside(sqlite3 *db, const char *want)
{
    char err[256];
    expect_rows(db, q_outside, want);
    if (hm_summary_outside_recount(db, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    expect_rows(db, q_outside, want);
}

/* Rows stored one by one, then changed; then pairings that are new, start
 * later, move to another volunteer, end earlier: the rows of the days
 * they no longer cover come in, those a new pairing covers go out. */
static void test_summary_outside(void **state)
{
    (void)state;
    sqlite3 *db = empty_db();
    hm_summary s;
    hm_summary_init(&s);
    exec(db, pairings_sql);
    add_activities(db, NULL);
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        outside_row(db, &s, acts[i].id, acts[i].vol, acts[i].child, acts[i].date, true);
    finish(db, &s);
    /* V1 never paired with C3; V1 and C2 not paired in March. */
    expect_outside(db, "A1 V1 C3 2025-03-05|A2 V1 C2 2025-03-12");

    /* A2 moves into P4 (April) and back. */
    exec(db, "UPDATE activities SET date = '2025-04-15' WHERE activity_id = 'A2'");
    outside_row(db, &s, "A2", "V1", "C2", "2025-04-15", false);
    finish(db, &s);
    expect_outside(db, "A1 V1 C3 2025-03-05");
    exec(db, "UPDATE activities SET date = '2025-03-12' WHERE activity_id = 'A2'");
    outside_row(db, &s, "A2", "V1", "C2", "2025-03-12", false);
    finish(db, &s);
    expect_outside(db, "A1 V1 C3 2025-03-05|A2 V1 C2 2025-03-12");

    /* P9 pairs V1 and C2 in March: A2 is inside.  P6 (V2, C3) starts on
     * 03-10 instead of 03-01: A1 with C3 on 03-05 is outside, A3 on 03-15
     * not.  P4 (V1, C2 from April) goes to V2: A1 with C2 on 04-02 is
     * outside.  P1 (V1, C1) ends on 03-01 instead of 03-10: A1 with C1 on
     * 03-05 is outside. */
    exec(db, "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on)"
             " VALUES ('P9', 'V1', 'C2', '2025-03-01', '2025-03-31');"
             "UPDATE pairings SET started_on = '2025-03-10' WHERE pairing_id = 'P6';"
             "UPDATE pairings SET volunteer_id = 'V2' WHERE pairing_id = 'P4';"
             "UPDATE pairings SET ended_on = '2025-03-01' WHERE pairing_id = 'P1';");
    outside_pairing(db, &s, "V1", "C2", NULL, NULL);
    outside_pairing(db, &s, "V2", "C3", NULL, NULL);
    outside_pairing(db, &s, "V2", "C3", "2025-03-01", "2025-03-10");
    outside_pairing(db, &s, "V2", "C2", NULL, NULL);
    outside_pairing(db, &s, "V1", "C2", "2025-04-01", "2025-05-31");
    outside_pairing(db, &s, "V1", "C1", NULL, NULL);
    outside_pairing(db, &s, "V1", "C1", "2025-03-01", "2025-03-10");
    finish(db, &s);
    expect_outside(db, "A1 V1 C1 2025-03-05|A1 V1 C2 2025-04-02|A1 V1 C3 2025-03-05|"
                       "A1 V2 C3 2025-03-05");

    /* An open pairing of V1 and C3 from 2025-01-01 brings A1 with C3 in;
     * ended again on 2025-03-04, it lets it out. */
    exec(db, "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on)"
             " VALUES ('P10', 'V1', 'C3', '2025-01-01')");
    outside_pairing(db, &s, "V1", "C3", NULL, NULL);
    finish(db, &s);
    expect_outside(db, "A1 V1 C1 2025-03-05|A1 V1 C2 2025-04-02|A1 V2 C3 2025-03-05");
    exec(db, "UPDATE pairings SET ended_on = '2025-03-04' WHERE pairing_id = 'P10'");
    outside_pairing(db, &s, "V1", "C3", NULL, NULL);
    outside_pairing(db, &s, "V1", "C3", "2025-03-04", NULL);
    finish(db, &s);
    expect_outside(db, "A1 V1 C1 2025-03-05|A1 V1 C2 2025-04-02|A1 V1 C3 2025-03-05|"
                       "A1 V2 C3 2025-03-05");

    hm_summary_release(&s);
    sqlite3_close(db);
}

/* ------------------------------------------------------------------
 * Monthly report: paired children counted by run of months (span_counts,
 * span_gaps, kept by triggers on child_spans).
 */

static const char *const q_span_counts =
    "SELECT first_month, last_month, town_code, spans FROM span_counts ORDER BY 1, 2, 3";
static const char *const q_span_gaps =
    "SELECT last_month, next_month, gaps FROM span_gaps ORDER BY 1, 2";
/* The same, counted from child_spans. */
static const char *const q_span_counts_recount =
    "SELECT first_month, last_month, town_code, count(*) FROM child_spans"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
static const char *const q_span_gaps_recount =
    "SELECT last_month, next_month, count(*) FROM"
    " (SELECT lag(last_month) OVER (PARTITION BY child_id ORDER BY first_month) AS last_month,"
    " first_month AS next_month FROM child_spans) WHERE last_month IS NOT NULL"
    " GROUP BY 1, 2 ORDER BY 1, 2";

/* span_counts and span_gaps equal a recount from child_spans. */
static void expect_span_counts(sqlite3 *db)
{
    char *want = rows(db, q_span_counts_recount);
    expect_rows(db, q_span_counts, want);
    free(want);
    want = rows(db, q_span_gaps_recount);
    expect_rows(db, q_span_gaps, want);
    free(want);
}

/* Children paired in months [a, b]: from the counts, and from child_spans. */
static void expect_paired(sqlite3 *db, const char *a, const char *b)
{
    char sql[512], *want;
    snprintf(sql, sizeof sql,
             "SELECT count(DISTINCT child_id) FROM child_spans"
             " WHERE first_month <= '%s' AND last_month >= '%s'", b, a);
    want = rows(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT coalesce(sum(spans), 0) FROM span_counts"
             " WHERE first_month <= '%s' AND last_month >= '%s')"
             " - (SELECT coalesce(sum(gaps), 0) FROM span_gaps"
             " WHERE last_month >= '%s' AND next_month <= '%s')", b, a, a, b);
    expect_rows(db, sql, want);
    free(want);
}

/* Kept run by run as pairings come, change and go, the counts equal a
 * recount, and give the children paired in any window of months. */
static void test_summary_span_counts(void **state)
{
    (void)state;
    sqlite3 *db = empty_db();
    char err[256];
    hm_summary s;
    hm_summary_init(&s);
    exec(db, pairings_sql);
    const char *kids[] = { "C1", "C2", "C3", "C4", "C5", "C6" };
    mark(db, &s, kids, 6);
    finish(db, &s);
    expect_rows(db, q_span_counts, "2025-01 2025-02 T1 1|2025-01 2025-03 T2 1|"
                                   "2025-01 9999-12 T1 1|2025-04 2025-05 T1 1|"
                                   "2025-05 2025-06 T2 1");
    expect_rows(db, q_span_gaps, "2025-02 2025-04 1");

    /* C2 gets a third run (July) and C6 two; C4 moves town. */
    exec(db, "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on) VALUES"
             " ('P9', 'V1', 'C2', '2025-07-01', '2025-07-31'),"
             " ('P10', 'V1', 'C6', '2025-01-01', '2025-01-31'),"
             " ('P11', 'V2', 'C6', '2025-04-01', '2025-04-30')");
    exec(db, "UPDATE children SET town_code = 'T1' WHERE child_id = 'C4'");
    const char *changed[] = { "C2", "C6", "C4" };
    for (size_t i = 0; i < 3; i++)
        if (hm_summary_child(&s, db, changed[i], 2, err, sizeof err) != HM_OK)
            fail_msg("%s", err);
    finish(db, &s);
    expect_rows(db, q_span_gaps, "2025-01 2025-04 1|2025-02 2025-04 1|2025-05 2025-07 1");
    expect_span_counts(db);

    /* C2's March fills its first gap: two runs, then one gap left. */
    exec(db, "INSERT INTO pairings (pairing_id, volunteer_id, child_id, started_on, ended_on) VALUES"
             " ('P12', 'V2', 'C2', '2025-03-01', '2025-03-31')");
    if (hm_summary_child(&s, db, "C2", 2, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    finish(db, &s);
    expect_rows(db, q_span_gaps, "2025-01 2025-04 1|2025-05 2025-07 1");
    expect_span_counts(db);

    /* One run removed from the middle, then a whole child's runs. */
    exec(db, "INSERT INTO child_spans VALUES ('C6', '2025-06', '2025-06', 'T1')");
    expect_span_counts(db);
    exec(db, "DELETE FROM child_spans WHERE child_id = 'C6' AND first_month = '2025-04'");
    expect_span_counts(db);
    exec(db, "DELETE FROM child_spans WHERE child_id = 'C2'");
    expect_span_counts(db);
    if (hm_summary_child(&s, db, "C2", 2, err, sizeof err) != HM_OK ||
        hm_summary_child(&s, db, "C6", 2, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    finish(db, &s);
    expect_span_counts(db);
    static const char *const windows[][2] = {
        { "2025-01", "2025-01" }, { "2025-02", "2025-02" }, { "2025-03", "2025-03" },
        { "2025-06", "2025-06" }, { "2025-01", "2025-06" }, { "2025-02", "2025-07" },
        { "2025-05", "2025-12" }, { "2024-01", "2024-12" },
    };
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++)
        expect_paired(db, windows[i][0], windows[i][1]);

    /* A full recount goes through the same triggers. */
    char *kept[2] = { rows(db, q_span_counts), rows(db, q_span_gaps) };
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    expect_rows(db, q_span_counts, kept[0]);
    expect_rows(db, q_span_gaps, kept[1]);
    free(kept[0]);
    free(kept[1]);

    /* A run is never updated in place. */
    assert_int_not_equal(sqlite3_exec(db, "UPDATE child_spans SET last_month = '2025-02'",
                                      NULL, NULL, NULL), SQLITE_OK);
    hm_summary_release(&s);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_full_recount),
        cmocka_unit_test(test_summary_row_by_row),
        cmocka_unit_test(test_summary_any_order),
        cmocka_unit_test(test_summary_crews),
        cmocka_unit_test(test_summary_changes),
        cmocka_unit_test(test_summary_outside),
        cmocka_unit_test(test_summary_span_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
