/*
 * period.h - the period a report covers: parsed once from the command
 * line, then passed down by value to the report job, the queries'
 * parameters (params.h) and the output path.
 *
 * A period is a kind (monthly, halfyear, annual, range), its first and
 * last day (inclusive, as day numbers and as 'YYYY-MM-DD'), the label it
 * has in output paths and in the {period} placeholder ("2026-11",
 * "2026-H1", "2025", "2024-12-01_2026-11-30"; a child's record: the
 * child's id or "town-CODE"), and the ranges derived
 * from it that the queries bind (:prev_from, :ytd_from, :next_from ...).
 * Every period starts on 2000-01-01 or later.
 */
#ifndef HIMAMA_PERIOD_H
#define HIMAMA_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

/* The kinds of report, each with its own way of naming a period. */
typedef enum hm_period_kind {
    HM_PERIOD_MONTHLY,    /* a calendar month: "YYYY-MM" */
    HM_PERIOD_HALFYEAR,   /* a half year: "YYYY-H1" (January-June) or "YYYY-H2" */
    HM_PERIOD_ANNUAL,     /* a calendar year: "YYYY" */
    HM_PERIOD_RANGE,      /* any days: "YYYY-MM-DD YYYY-MM-DD" */
    HM_PERIOD_RECORD      /* a child's record (one file per child): the whole history
                             up to the day of the run (hm_period_record); named "child" */
} hm_period_kind;

/* Days first..last inclusive, as day numbers and as 'YYYY-MM-DD'. */
typedef struct hm_span {
    int32_t first, last;      /* hm_days_from_civil numbers */
    char from[11], to[11];    /* the same days as text */
} hm_span;

typedef struct hm_period {
    hm_period_kind kind;
    int32_t first, last;      /* the period's days, inclusive */
    char from[11], to[11];    /* the same as 'YYYY-MM-DD' */
    char label[160];          /* in output paths and {period}; a record's is its
                                 subject as a folder name (hm_period_record) */
    /* Derived, for the queries (params.h): */
    hm_span prev;             /* the period before: the previous month for a
                                 monthly report, else as many days just before */
    hm_span ytd;              /* 1 January of the last day's year to the last day */
    hm_span next_month;       /* the calendar month after the last day's month */
} hm_period;

/* The kind's name as the command line and the model write it ("monthly"). */
const char *hm_period_kind_name(hm_period_kind kind);

/* The kind called name into *kind; false when there is none. */
bool hm_period_kind_parse(const char *name, hm_period_kind *kind);

/*
 * Parse a period as the command line gives it: kind ("monthly",
 * "halfyear", "annual", "range"), arg1 (the month, half, year, or the
 * range's first day) and arg2 (the range's last day; NULL for the other
 * kinds).  Dates must be canonical ("2026-03", not "2026-3") and start on
 * 2000-01-01 or later; a range may not end before it starts.  On success
 * *p is filled.  HM_EUSAGE with err saying why (in the words `himama
 * report` prints) when the arguments do not fit the kind.
 */
hm_error hm_period_parse(const char *kind, const char *arg1, const char *arg2, hm_period *p,
                         char *err, size_t errsz);

/*
 * Fill *p as the period of kind from day first to day last (inclusive,
 * first <= last), as hm_period_parse would for the same days; the label is
 * derived from the days.  The caller makes sure the days fit the kind.
 */
void hm_period_from_days(hm_period_kind kind, int32_t first, int32_t last, hm_period *p);

/*
 * Fill *p as the period of a record: every day from 2000-01-01 to today
 * (a day number), labelled with its subject as one folder name: the
 * child's id, or "town-" and the town's code when child is NULL.  Bytes
 * that cannot stand in a folder's name ('/', '\\', '%', control
 * characters, a leading '.') are written %XX.  HM_EUSAGE with err set when
 * neither is given or the label would not fit.
 */
hm_error hm_period_record(const char *child, const char *town, int32_t today, hm_period *p,
                          char *err, size_t errsz);

/* Fill *p as the monthly period of the month before the one holding day. */
void hm_period_month_before(int32_t day, hm_period *p);

#endif
