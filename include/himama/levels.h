/*
 * levels.h - a per-town table at every level of the units above the towns
 * (report/levels.c).
 *
 * A template section marked "levels = COLUMN" (COLUMN holds the town's
 * code, NULL on the query's total row), "sums = ..." (the columns a unit's
 * row adds up over its towns) and "ratios = rate:num/den, ..." (the
 * columns recomputed from a unit's sums, never averaged) is rolled up once
 * its rows are in: when its towns lie in more than one unit of a level
 * (province, city, district, in that order), its rows become one row per
 * unit of the first such level (what the PDF shows), each followed in the
 * workbook by its units of the levels below and, last, its towns, with
 * the query's rows with no town (money given no town, the total, labelled
 * by the report's level) kept at the end.  With "rank = COL:KEY, ..." COL
 * is recomputed on every town's and unit's row as its rank among the rows
 * of its level under the same unit, and those rows are put in rank order.
 * A column neither summed nor recomputed is empty on a unit's row.  The units come from the view
 * town_units, so a report of one unit (scope.h) rolls up its own towns.
 * A table whose towns are all in one unit at every level is left exactly
 * as the query gave it.
 */
#ifndef HIMAMA_LEVELS_H
#define HIMAMA_LEVELS_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"
#include "himama/template.h"

/*
 * Roll section sec (built from template section ts, its columns not yet
 * dropped, its rows in memory) up by unit, as above; lang "zh" or "en"
 * names the levels.  HM_OK and nothing changed when ts has no "levels";
 * HM_ETEMPLATE when a column it names is not the section's, HM_EDB on a
 * database error; err says why.
 */
hm_error hm_levels_apply(sqlite3 *db, const hm_tmpl_section *ts, hm_section *sec,
                         const char *lang, char *err, size_t errsz);

#endif
