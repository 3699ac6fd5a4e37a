/*
 * summary.h - the summary tables (queries/schema.sql), kept by ingest so
 * that the reports need not count millions of activity rows again:
 *
 *   child_months      per child and month: contacts (activity rows,
 *                     visits to the class teacher or guardian excepted),
 *                     the last one, their types, and whether the child is
 *                     paired then;
 *   volunteer_months  per volunteer and month: activity rows, the last one;
 *   month_events      per month and type: distinct activity_ids;
 *   month_town_events per month, town and "five ones" type (call,
 *                     reading, holiday, birthday): distinct activity_ids
 *                     with a child of the town;
 *   child_spans       per child: the runs of months in which it is paired.
 *
 * Activity rows new to the database are added up in memory while a file
 * is read and merged into the tables in key order at the end (or when an
 * accumulator is full): no recount of any month.  An activity row that
 * changed marks the months of its old and new values, which are recounted
 * from activities at the end.  A pairing or child row that is new or
 * changed marks the child, whose spans (and paired flags) are computed
 * again from its pairings at the end.
 */
#ifndef HIMAMA_SUMMARY_H
#define HIMAMA_SUMMARY_H

#include "himama/strset.h"
#include "himama/util.h"

#include <sqlite3.h>
#include <stddef.h>

enum { HM_SUM_CHILD, HM_SUM_VOLUNTEER, HM_SUM_EVENTS, HM_SUM_TOWN_EVENTS, HM_SUM_NACC };

typedef struct hm_summary_acc {
    int64_t n;
    int64_t types;           /* child months: activity_types.bit of each type seen */
    char last[11];           /* 'YYYY-MM-DD' */
} hm_summary_acc;

/* A row of the current activity: its type, month and child's town (an
 * offset into cur_towns). */
typedef struct hm_summary_cur {
    char type[16];
    char month[8];
    size_t town, town_len;
} hm_summary_cur;

typedef struct hm_summary {
    /* keys: child / volunteer "id\x1fYYYY-MM", events "YYYY-MM\x1ftype",
     * town events "YYYY-MM\x1ftype\x1ftown" */
    hm_strset keys[HM_SUM_NACC];
    hm_summary_acc *acc[HM_SUM_NACC];
    size_t acc_cap[HM_SUM_NACC];
    hm_strset dirty;         /* months to recount ("YYYY-MM") */
    hm_strset children;      /* children whose spans to compute again */
    hm_strset type_bits;     /* activity_types: code -> bit, read once */
    /* The rows of the current activity_id other than the one being
     * counted (summary.c: firsts), and the largest activity_id stored. */
    hm_strbuf cur_id, cur_towns, max;
    struct hm_summary_cur *cur;
    size_t ncur, cur_cap;
    bool cur_ok, max_ok;
    size_t cap;              /* entries per accumulator or set before a merge */
    sqlite3_stmt *st[HM_SUM_NACC];
    sqlite3_stmt *st_event, *st_child_months;
    sqlite3_stmt *st_child, *st_pairs, *st_del, *st_ins, *st_flag;
    int32_t *runs;           /* scratch: month runs of one child */
    size_t runs_cap;
} hm_summary;

/* One activity row, as stored, and the town of its child. */
typedef struct hm_summary_row {
    const char *activity_id, *child, *volunteer, *date, *type, *town;
    size_t activity_len, child_len, volunteer_len, town_len;   /* date is 'YYYY-MM-DD' */
} hm_summary_row;

void hm_summary_init(hm_summary *s);
void hm_summary_release(hm_summary *s);

/* Count an activity row that was just inserted (it is in activities). */
hm_error hm_summary_activity(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                             char *err, size_t errsz);

/* An activity row of this date (YYYY-MM-DD or longer) changed: recount
 * its month. */
void hm_summary_dirty(hm_summary *s, const char *date, size_t len);

/* The town of this child changed: recount the months it has contacts in. */
hm_error hm_summary_child_town(hm_summary *s, sqlite3 *db, const char *child, size_t len,
                               char *err, size_t errsz);

/* A pairing of this child, or the child itself, is new or changed. */
hm_error hm_summary_child(hm_summary *s, sqlite3 *db, const char *child, size_t len,
                          char *err, size_t errsz);

/* Merge what is counted, compute the marked children's spans, recount
 * the marked months; s is empty afterwards and may be used again. */
hm_error hm_summary_finish(hm_summary *s, sqlite3 *db, char *err, size_t errsz);

/*
 * Count month ("YYYY-MM") of child_months, volunteer_months, month_events
 * and month_town_events again from activities.  NULL counts every summary table
 * again in full, child_spans included (the migration to schema version 2
 * and tests that insert rows directly use this).
 */
hm_error hm_summary_recount(sqlite3 *db, const char *month, char *err, size_t errsz);

#endif
