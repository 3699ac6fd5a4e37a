/*
 * aggregate.h - run a template's queries for a period and audience into
 * one report model (report.h).
 *
 * The SQL files in queries/ are the single source of every number: this
 * stage binds parameters, copies rows into the model, applies the
 * template's labels and formats and fills placeholders.  It counts nothing
 * itself.
 *
 * Parameters a query may use (only those it names are bound; any other
 * named parameter is an error):
 *   :from :to             the period, inclusive, 'YYYY-MM-DD'
 *   :prev_from :prev_to   the period before (the previous month for a
 *                         monthly report, else as many days just before)
 *   :ytd_from             1 January of :to's year
 *   :next_from :next_to   the calendar month after :to's month
 *   :today                the day of the run
 *   :audience             'internal' or 'public'
 *   :lang                 'zh' or 'en'
 *   :kind :period :org    as given
 */
#ifndef HIMAMA_AGGREGATE_H
#define HIMAMA_AGGREGATE_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"
#include "himama/template.h"

typedef struct hm_aggregate_params {
    const char *kind;       /* "monthly", "halfyear", "annual", "range" */
    const char *period;     /* e.g. "2026-10" */
    const char *from, *to;  /* inclusive 'YYYY-MM-DD' */
    const char *audience;   /* "internal" or "public" */
    const char *lang;       /* "zh" or "en" */
    const char *today;      /* 'YYYY-MM-DD'; NULL: hm_today() */
    const char *org;        /* may be NULL */
    const char *queries_dir;/* the folder holding the .sql files */
    sqlite3 *twin;          /* NULL, or a second connection reading the same
                               snapshot as db (hm_db_begin_twin): the sections'
                               queries then run on both at once, in two threads */
    const struct hm_section_sink *sink;   /* NULL, or where each section goes
                                             as soon as it is complete */
} hm_aggregate_params;

/*
 * A consumer of the model while it fills (a workbook being written).
 * begin gets the model before any query runs, in the calling thread:
 * each section's id, kind, sheet, detail flag and columns are set.
 * section gets model section s once its rows and texts are final, in
 * template order, from a thread of its own; end, from the same thread,
 * once every section and the report's own texts are.  A failure (err set)
 * fails hm_aggregate, after any section's failure in template order.
 */
typedef struct hm_section_sink {
    void *arg;
    hm_error (*begin)(void *arg, const hm_report *r, char *err, size_t errsz);
    hm_error (*section)(void *arg, const hm_report *r, size_t s, char *err, size_t errsz);
    hm_error (*end)(void *arg, const hm_report *r, char *err, size_t errsz);
} hm_section_sink;

/*
 * Run every section of tmpl for the audience in params against db and
 * return the filled model in *out (caller frees with hm_report_free).
 * Sections whose audience does not match are left out; columns flagged
 * internal are left out of public reports and hidden ones out of all.
 * On error *out is NULL and err names the section and query file (with a
 * twin, of the first section in template order that failed, as without).
 * Errors: HM_EUSAGE (bad parameters), HM_EQUERY (a query file missing,
 * failing, using an unknown parameter, or lacking a declared column).
 */
hm_error hm_aggregate(sqlite3 *db, const hm_template *tmpl, const hm_aggregate_params *params,
                      hm_report **out, char *err, size_t errsz);

/*
 * The parameter dates derived from from/to (each 11 bytes, 'YYYY-MM-DD'):
 * previous period, year start, next month.  false when from/to are not
 * valid dates or to is before from.
 */
typedef struct hm_aggregate_dates {
    char prev_from[11], prev_to[11], ytd_from[11], next_from[11], next_to[11];
} hm_aggregate_dates;

bool hm_aggregate_dates_for(const char *kind, const char *from, const char *to,
                            hm_aggregate_dates *d);

#endif
