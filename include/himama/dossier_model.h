/*
 * dossier_model.h - the dossiers' page data built from the store: for
 * each shortlisted candidate (nomination.h), the children paired in the
 * year by alias with each pair's five ones, the activities month by month
 * and the year's stories
 * (queries/annual_dossier_{children,months,stories}.sql), one candidate
 * at a time so that memory does not grow with the shortlist.
 *
 * Ownership: the model is the caller's from hm_dossier_model_open to
 * hm_dossier_model_free; the candidates and parameters given to open must
 * outlive it.  A page is the caller's (hm_dossier_page_release).
 */
#ifndef HIMAMA_DOSSIER_MODEL_H
#define HIMAMA_DOSSIER_MODEL_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/nomination.h"

typedef struct hm_dossier_model hm_dossier_model;

/*
 * Prepare the dossier queries of p->queries_dir on db for the candidates
 * cand[0..n): first temp.dossier_activities is filled with their activity
 * rows of the year (p->from to p->to) in one pass over activities, which
 * the children and months queries read, and temp.dossier_pairs with their
 * pairs' five ones (queries/annual_dossier_five_ones.sql).  OUT: *out (NULL on failure).
 * HM_EQUERY with err set.  The temporary tables live on db until
 * hm_dossier_model_free.
 */
hm_error hm_dossier_model_open(sqlite3 *db, const hm_nominate_params *p,
                               const hm_nom_candidate *cand, size_t n, hm_dossier_model **out,
                               char *err, size_t errsz);

/*
 * Fill pg (released first) with the page of candidate i (< n): the
 * candidate, its place, its children, months and stories.  HM_EQUERY
 * with err set when a query fails.
 */
hm_error hm_dossier_model_page(hm_dossier_model *m, size_t i, hm_dossier_page *pg, char *err,
                               size_t errsz);

/*
 * Fill pg (released first) with candidate i's children and their pairs'
 * five ones only (no months, no stories): the workbook's sheet of pairs.
 * HM_EQUERY with err set when the query fails.
 */
hm_error hm_dossier_model_pairs(hm_dossier_model *m, size_t i, hm_dossier_page *pg, char *err,
                                size_t errsz);

/* Finalize the queries, drop the temporary tables and free m; NULL is fine. */
void hm_dossier_model_free(hm_dossier_model *m);

#endif
