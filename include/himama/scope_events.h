/*
 * scope_events.h - what every unit of a report job (--unit, --each) needs
 * of the activity rows of all time, counted in one pass over them for all
 * the units at once (report/scope_events.c), so that a unit's scope
 * (queries/unit_scope.sql) copies only the rows of the report's window.
 *
 * Per unit it holds the unit's month_events (the activities, distinct
 * activity_ids, by month and type, of the rows naming a child or a
 * volunteer of the unit, up to the report's end: as month_events of the
 * whole, which ingest keeps) and the key of the unit's first activity row
 * by date (the data start the reports compare with).
 */
#ifndef HIMAMA_SCOPE_EVENTS_H
#define HIMAMA_SCOPE_EVENTS_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/units.h"

typedef struct hm_scope_events hm_scope_events;

/*
 * Count, in db's read transaction, the month_events and the first row of
 * each of units[0..n) (units of one level, so that each town lies in one
 * of them at most) over every activity row, the events of rows dated up
 * to `to` ('YYYY-MM-DD').  The rows are read in key order, so an
 * activity's rows come together and are counted once per unit, month and
 * type without a sort.  With rows_from (and rows_to), the same pass also
 * makes db's temp.town_activities (as queries/unit_index.sql would, for
 * the units' towns and the rows dated rows_from to rows_to; the table as
 * queries_dir's town_activities.sql defines it), so that unit_index.sql
 * need not run on db.  Leaves temp.unit_towns holding the
 * last unit's towns.  HM_OK with *out set (free it with
 * hm_scope_events_free); HM_EDB with err set on failure.
 */
hm_error hm_scope_events_count(sqlite3 *db, const hm_unit *units, size_t n, const char *to,
                               const char *rows_from, const char *rows_to,
                               const char *queries_dir, hm_scope_events **out, char *err,
                               size_t errsz);

/*
 * Put unit i's counts (the units of hm_scope_events_count) into db's
 * temp.unit_events (month, type, events) and the key of its first row
 * into temp.unit_first (activity_id, volunteer_id, child_id; no row when
 * it has none), both created when missing and emptied first.  HM_EDB
 * with err set on failure.
 */
hm_error hm_scope_events_put(sqlite3 *db, const hm_scope_events *e, size_t i, char *err,
                             size_t errsz);

/* Free e; NULL is fine. */
void hm_scope_events_free(hm_scope_events *e);

#endif
