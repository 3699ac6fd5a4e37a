/*
 * nominate.h - the annual nominations' model built from the store
 * (nomination.h describes the model): the scorecard of every volunteer,
 * computed in SQL (queries/annual_scorecard.sql) with the rules' weights,
 * thresholds and quotas bound as parameters, and the shortlist it
 * selects (a quota per town).
 *
 * The scorecard is a cursor: its rows are given one at a time (the
 * workbook streams them), so memory does not grow with the number of
 * volunteers; only the shortlisted rows are kept, for the shortlist, the
 * notice list and the dossiers (dossier_model.h).
 *
 * Nothing here prints or exits.  Ownership: a cursor is the caller's from
 * hm_scorecard_open to hm_scorecard_free; the rules and parameters must
 * outlive it.
 */
#ifndef HIMAMA_NOMINATE_H
#define HIMAMA_NOMINATE_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/nomination.h"
#include "himama/params.h"

typedef struct hm_scorecard hm_scorecard;

/*
 * Prepare the scorecard query of p->queries_dir on db with the rules c
 * and the parameters p->query bound.  OUT: *out, the cursor (NULL on
 * failure).  HM_EQUERY with err set when the file cannot be read, does
 * not prepare, binds an unknown parameter or lacks a column.
 */
hm_error hm_scorecard_open(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, hm_scorecard **out, char *err,
                           size_t errsz);

/*
 * Step to the next row.  OUT: *row, the row (valid until the next call
 * or hm_scorecard_free), or NULL after the last.  A shortlisted row is
 * also kept as a candidate.  HM_EQUERY with err set on a failed step.
 */
hm_error hm_scorecard_next(hm_scorecard *s, const hm_nom_row **row, char *err,
                           size_t errsz);

/* The counts so far: volunteers, eligible, shortlisted (not the sheets). */
void hm_scorecard_stats(const hm_scorecard *s, hm_nominate_stats *stats);

/*
 * The candidates kept so far, in the scorecard's order (town, rank).
 * OUT: *n.  The array stays the cursor's (until hm_scorecard_take or
 * hm_scorecard_free).
 */
const hm_nom_candidate *hm_scorecard_shortlist(const hm_scorecard *s, size_t *n);

/* The candidates kept, now the caller's (hm_nom_candidates_free); OUT: *n. */
hm_nom_candidate *hm_scorecard_take(hm_scorecard *s, size_t *n);

/* Finalize the query and free s with the candidates it still holds; NULL is fine. */
void hm_scorecard_free(hm_scorecard *s);

#endif
