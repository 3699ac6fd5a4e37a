/*
 * aggregate.h - run a template's queries for a period and audience into
 * one report model (report.h).
 *
 * The SQL files in queries/ are the single source of every number: this
 * stage binds parameters, copies rows into the model, applies the
 * template's labels and formats and fills placeholders.  It counts nothing
 * itself.
 *
 * The parameters a query may use are params.h's.
 */
#ifndef HIMAMA_AGGREGATE_H
#define HIMAMA_AGGREGATE_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/params.h"
#include "himama/report.h"
#include "himama/template.h"

typedef struct hm_aggregate_params {
    const hm_query_params *query;   /* the period, audience, language, ... (params.h) */
    const char *queries_dir;/* the folder holding the .sql files */
    sqlite3 *twin;          /* NULL, or a second connection reading the same
                               snapshot as db (hm_db_begin_twin): the sections'
                               queries then run on both at once, in two threads */
    const struct hm_section_sink *sink;   /* NULL, or where each section goes
                                             as soon as it is complete */
    const struct hm_targets *targets;     /* the work plan's targets (targets.h) for a
                                             "rows = targets" section; NULL or none
                                             set: that section is left out */
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
 * Errors: HM_EUSAGE (no audience, language or queries folder), HM_EQUERY (a query file missing,
 * failing, using an unknown parameter, or lacking a declared column).
 */
hm_error hm_aggregate(sqlite3 *db, const hm_template *tmpl, const hm_aggregate_params *params,
                      hm_report **out, char *err, size_t errsz);

#endif
