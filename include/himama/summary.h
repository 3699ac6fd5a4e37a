/*
 * summary.h - the summary tables child_months and volunteer_months, kept
 * by ingest so that the reports need not count activities.
 *
 * child_months holds, per child and month, the activity rows that are a
 * contact (visits to the class teacher or the guardian excepted) and the
 * last day of one; volunteer_months, per volunteer and month, all their
 * activity rows and the last day of one.
 *
 * Rows new to the database are added up in memory while a file is read
 * and merged into the tables in key order at the end (or when the
 * accumulator is full): no query per row, and no month is counted again.
 * A row that changed (its date, type or people may differ) marks the
 * months of its old and new values, which are recounted from activities
 * at the end, after the merge.
 */
#ifndef HIMAMA_SUMMARY_H
#define HIMAMA_SUMMARY_H

#include "himama/strset.h"
#include "himama/util.h"

#include <sqlite3.h>
#include <stddef.h>

typedef struct hm_summary_acc {
    int64_t n;
    char last[11];           /* 'YYYY-MM-DD' */
} hm_summary_acc;

typedef struct hm_summary {
    hm_strset keys[2];       /* child / volunteer: "id\x1fYYYY-MM" */
    hm_summary_acc *acc[2];
    size_t acc_cap[2];
    hm_strset dirty;         /* months to recount ("YYYY-MM") */
    size_t cap;              /* entries per accumulator before a merge */
    sqlite3_stmt *st[2];
} hm_summary;

void hm_summary_init(hm_summary *s);
void hm_summary_release(hm_summary *s);

/* Count one new activity row: its child, volunteer, date (YYYY-MM-DD) and
 * type code.  May merge into the database when the accumulator is full. */
hm_error hm_summary_add(hm_summary *s, sqlite3 *db, const char *child, size_t child_len,
                        const char *volunteer, size_t volunteer_len, const char *date,
                        const char *type, char *err, size_t errsz);

/* A row of this date (YYYY-MM-DD or longer) changed: recount its month. */
void hm_summary_dirty(hm_summary *s, const char *date, size_t len);

/* Merge what is counted, then recount the marked months; s is empty
 * afterwards and may be used again. */
hm_error hm_summary_finish(hm_summary *s, sqlite3 *db, char *err, size_t errsz);

/*
 * Count month ("YYYY-MM") of both tables again from activities; NULL
 * counts every month (tests that insert activities directly use this).
 */
hm_error hm_summary_recount(sqlite3 *db, const char *month, char *err, size_t errsz);

#endif
