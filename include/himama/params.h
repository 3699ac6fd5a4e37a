/*
 * params.h - the named parameters a query file may use, bound from one
 * table (params.c) for every stage that runs queries: the report's
 * sections (aggregate.c), the nominations scorecard (nominate.c) and the
 * dossiers (dossier_model.c).  tests/bench/queries.sh binds the same list.
 *
 *   :from :to             the period, inclusive, 'YYYY-MM-DD'
 *   :prev_from :prev_to   the period before (the previous month for a
 *                         monthly report, else as many days just before)
 *   :ytd_from             1 January of :to's year
 *   :next_from :next_to   the calendar month after :to's month
 *   :today                the day of the run
 *   :audience             'internal' or 'public'
 *   :lang                 'zh' or 'en'
 *   :kind                 'monthly', 'halfyear', 'annual' or 'range'
 *   :period               the period's label ('2026-10', '2026-H1', ...)
 *   :org                  the organisation ('' when none)
 *   :child                a child's record: the child's id (NULL in the
 *                         other reports)
 *   :town                 a town's records: the town's code (NULL when
 *                         the record is not a town's)
 *   :scope_total          the total row's label at the report's level
 *                         ('全区合计', 'City total', level_words.h)
 *   :scope_no_town        the label of money no town is given
 *                         ('区级（未分区镇）', 'City level (no town)')
 *   :five_ones_who        NULL: five_ones_base.sql's pairs of every
 *                         volunteer (the dossiers bind a JSON array of
 *                         their candidates' ids instead)
 *
 * A query file may take part of its text from another file of the same
 * folder: a line "-- include NAME.sql" stands for that file's text (one
 * level deep), so a definition two reports share is written once
 * (five_ones_base.sql: a pair's "five ones", for five_ones_pairs.sql and
 * five_ones_none.sql).  hm_query_read reads a query file so.
 *
 * A caller may add parameters of its own (hm_param_extra: the scorecard's
 * weights, a dossier's volunteer).  Any other named parameter in a query
 * is an error, so a typo cannot bind NULL silently.
 */
#ifndef HIMAMA_PARAMS_H
#define HIMAMA_PARAMS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/level_words.h"
#include "himama/period.h"

/* What the queries of one report see. */
typedef struct hm_query_params {
    hm_period period;         /* :from :to :prev_* :ytd_from :next_* :kind :period */
    const char *audience;     /* :audience, "internal" or "public" */
    const char *lang;         /* :lang, "zh" or "en" */
    const char *org;          /* :org; NULL binds '' */
    char today[11];           /* :today, 'YYYY-MM-DD' */
    const char *child;        /* :child, a record's child; NULL binds NULL */
    const char *town;         /* :town, a record's town; NULL binds NULL */
    hm_level level;           /* the report's level (level_words.h): :scope_total and
                                 :scope_no_town name it; hm_query_params_init sets the
                                 district, the job the level hm_scope_levels finds */
    hm_level rows_level;      /* the level of a per-town table's rows (the towns unless
                                 they lie in several units) */
} hm_query_params;

/* A parameter of one caller's own, bound beside the common ones. */
typedef struct hm_param_extra {
    const char *name;         /* with its ':' prefix, e.g. ":volunteer_id" */
    const char *text;         /* bound as text when not NULL */
    int64_t num;              /* else bound as this integer */
} hm_param_extra;

/*
 * Fill *q for period p, audience, lang, org (may be NULL) and today (a
 * day number, hm_today() for the day of the run); :child and :town are
 * NULL until the caller sets q->child and q->town.  The strings are not
 * copied: they must outlive q.
 */
void hm_query_params_init(hm_query_params *q, const hm_period *p, const char *audience,
                          const char *lang, const char *org, int32_t today);

/*
 * Bind every named parameter st uses from q and extra[0..nextra) (an
 * extra wins over a common one of the same name).  qpath names the query
 * file in messages.  HM_EQUERY with err set when st uses a parameter that
 * is neither (the message lists the known ones) or a bind fails.
 */
hm_error hm_params_bind(sqlite3_stmt *st, const hm_query_params *q, const hm_param_extra *extra,
                        size_t nextra, const char *qpath, char *err, size_t errsz);

/*
 * Read the query file at path into *sql (caller frees), its include lines
 * replaced by the files they name (see above).  On error *sql is NULL and
 * err says why ("cannot read query 'PATH': reason", or the file and line of
 * a bad include); returns HM_EQUERY.
 */
hm_error hm_query_read(const char *path, char **sql, char *err, size_t errsz);

#endif
