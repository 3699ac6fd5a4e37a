/*
 * summary.h - the summary tables (queries/schema.sql), kept by ingest so
 * that the reports need not count millions of activity rows again:
 *
 *   child_months      per child and month: contacts (activity rows,
 *                     visits to the class teacher or guardian excepted),
 *                     the last one, their types, and whether the child is
 *                     paired then;
 *   volunteer_months  per volunteer and month: activity rows, the last one,
 *                     and the service hours: participations (activities
 *                     taken part in), their minutes (the largest of each
 *                     activity's rows) and those without minutes;
 *   month_events      per month and type: distinct activity_ids;
 *   month_town_events per month, town and "five ones" type (call,
 *                     reading, holiday, birthday): distinct activity_ids
 *                     with a child of the town;
 *   child_spans       per child: the runs of months in which it is paired;
 *   activity_crews    per month and activity with two or more volunteers
 *                     in it: each of its volunteers.
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
    /* volunteer months: participations, minutes and no_minutes to add */
    int64_t parts, minutes, no_minutes;
    char last[11];           /* 'YYYY-MM-DD' */
} hm_summary_acc;

/* A row of the current activity: its type, month, child's town and
 * volunteer (offsets into cur_towns) and minutes (-1: none). */
typedef struct hm_summary_cur {
    char type[16];
    char month[8];
    size_t town, town_len;
    size_t vol, vol_len;
    int64_t minutes;
} hm_summary_cur;

/*
 * Monthly report: the activity rows outside a pairing (activity_outside).
 * Ingest records each activity row it stores as outside or not; a pairing
 * that is new or changed marks its volunteer and child, whose rows in the
 * table are checked again at the end of the file, and, when the change
 * may have taken covered days away, the months of those days, whose rows
 * of that volunteer and child are checked again too.
 */
typedef struct hm_summary_outside {
    hm_strset pairs;         /* "volunteer\x1fchild" of new or changed pairings */
    hm_strset lost;          /* of those, the ones that may have lost covered days */
    int32_t *spans;          /* months (year * 12 + month - 1) holding such days, */
    size_t nspans, spans_cap;   /* as pairs first, last */
    sqlite3_stmt *st_put, *st_del, *st_clear, *st_scan, *st_check;
} hm_summary_outside;

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
    sqlite3_stmt *st_event, *st_child_months, *st_crew;
    sqlite3_stmt *st_child, *st_pairs, *st_del, *st_ins, *st_flag;
    int32_t *runs;           /* scratch: month runs of one child */
    size_t runs_cap;
    hm_summary_outside out;  /* activity_outside */
} hm_summary;

/* One activity row, as stored, and the town of its child. */
typedef struct hm_summary_row {
    const char *activity_id, *child, *volunteer, *date, *type, *town;
    size_t activity_len, child_len, volunteer_len, town_len;   /* date is 'YYYY-MM-DD' */
    bool has_minutes;        /* minutes given (else NULL: counted as "no minutes") */
    int64_t minutes;
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
 * again in full, child_spans and activity_outside included (the migration
 * from schema version 1 and tests that insert rows directly use this).
 */
hm_error hm_summary_recount(sqlite3 *db, const char *month, char *err, size_t errsz);

/* ---------------------------------------------------------------------
 * Monthly report: activity rows outside a pairing (activity_outside).
 */

/* An activity row r was stored: new (is_new) or changed.  outside: no
 * pairing of its volunteer and child is active on its date.  A new row
 * inside a pairing costs nothing. */
hm_error hm_summary_outside_row(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                                bool outside, bool is_new, char *err, size_t errsz);

/* A pairing of volunteer and child is new or changed.  lost_from and
 * lost_to ('YYYY-MM-DD', lost_to NULL for open) bound the days it may no
 * longer cover (lost_from NULL: none, as for a new pairing).  The rows of
 * that volunteer and child are checked again by hm_summary_finish. */
hm_error hm_summary_outside_pairing(hm_summary *s, sqlite3 *db, const char *volunteer,
                                    size_t vlen, const char *child, size_t clen,
                                    const char *lost_from, const char *lost_to,
                                    char *err, size_t errsz);

/* Count activity_outside again from activities and pairings (the
 * migration to schema version 3, tests). */
hm_error hm_summary_outside_recount(sqlite3 *db, char *err, size_t errsz);

/* Count volunteer_months again in full from activities (the migration to
 * schema version 5, which added its service hours). */
hm_error hm_summary_volunteer_recount(sqlite3 *db, char *err, size_t errsz);

/* Count activity_crews again in full from activities (the migration to
 * schema version 8, which added it). */
hm_error hm_summary_crews_recount(sqlite3 *db, char *err, size_t errsz);

#endif
