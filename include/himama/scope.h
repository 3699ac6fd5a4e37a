/*
 * scope.h - a report restricted to one unit and everything below it
 * (--unit, --each): queries/unit_scope.sql run on a report's connection
 * makes temporary views and tables with the names of the tables the
 * report queries read, holding only the unit's rows, so every query of the
 * report counts the unit alone without a change (report/scope.c).
 */
#ifndef HIMAMA_SCOPE_H
#define HIMAMA_SCOPE_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/level_words.h"
#include "himama/params.h"
#include "himama/report.h"
#include "himama/scope_events.h"
#include "himama/units.h"

/*
 * Once per report job, before hm_scope_apply, on each connection: the
 * activity rows of the towns reported on in town order
 * (queries_dir/unit_index.sql, temp.town_activities), from which every
 * unit's scope copies its rows by index ranges; of a monthly report, its
 * month's rows only (report/scope.c).  u is the one unit of --unit, or
 * NULL for every town (--each).  HM_EQUERY or HM_EDB with err
 * set on failure.
 */
hm_error hm_scope_index(sqlite3 *db, const hm_unit *u, const hm_query_params *q,
                        const char *queries_dir, char *err, size_t errsz);

/*
 * The days of the activity rows a unit's scope holds (unit_index.sql's
 * :rows_from and :rows_to) into *from and *to: a monthly report's month
 * (true), else every day (false).
 */
bool hm_scope_rows_window(const hm_query_params *q, const char **from, const char **to);

/*
 * Restrict what db's unqualified table names read to unit u (a unit of
 * db, hm_unit_resolve), which is unit i of ev (hm_scope_events_count):
 * its towns into temp.unit_towns, its counts (hm_scope_events_put), then
 * queries_dir/unit_scope.sql, bound with q, which drops the scope of an
 * earlier call first; hm_scope_index must have been run on db.  Run it
 * in the report's read transaction, on each connection the report reads
 * through.  HM_EQUERY or HM_EDB with err set on failure.
 */
hm_error hm_scope_apply(sqlite3 *db, const hm_unit *u, const hm_scope_events *ev, size_t i,
                        const hm_query_params *q, const char *queries_dir, char *err,
                        size_t errsz);

/*
 * Every unit of level ("town", "district", "city" or "province") in db,
 * by path, into *units (*n of them; release each with hm_unit_release,
 * then free the array).  Call it before a scope is applied.  HM_EUSAGE
 * when db has no unit of that level (the towns file gives no such
 * column), HM_EDB on a database error; err says why.
 */
hm_error hm_scope_units(sqlite3 *db, const char *level, hm_unit **units, size_t *n,
                        char *err, size_t errsz);

/*
 * What a unit's report shows as its organisation (caller frees): org (may
 * be NULL or empty), " · ", and the unit's path, a town's code replaced by
 * its name ("江苏省/南通市/海门区/三厂街道").
 */
char *hm_scope_label(const char *org, const hm_unit *u);

/*
 * The level of a report on db (its scope applied, when it is a unit's)
 * into *own, and the level of its per-town tables' rows into *rows: u's
 * level for a unit's report (NULL: the whole's); else one above the first
 * level (province, city, district) at which the towns lie in more than
 * one unit - the nearest level above it that the towns give, or the level
 * just above it when they give none (a whole database whose towns lie in
 * several districts of one city is the city's) - and the organisation's
 * own district when the towns lie in one unit at every level.  *rows is
 * that first level (the towns when there is none), as levels.h shows.
 * HM_EDB with err set on failure.
 */
hm_error hm_scope_levels(sqlite3 *db, const hm_unit *u, hm_level *own, hm_level *rows,
                         char *err, size_t errsz);

/* Record in r that it is u's report (the manifest's "unit"). */
void hm_scope_mark(hm_report *r, const hm_unit *u);

#endif
