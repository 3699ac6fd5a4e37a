/*
 * nominations_xlsx.h - nominations.xlsx drawn from the nomination model
 * (nomination.h): an about sheet (the formula, the weights, eligibility,
 * the tie rule, the quotas), the shortlist per town, the public-notice
 * list (公示名单) and the scorecard of every volunteer.
 *
 * The workbook is written in libxlsxwriter's constant-memory mode, each
 * sheet strictly top to bottom, so the scorecard's rows are given one at
 * a time (hm_nom_book_row) and never held; a full sheet is continued on
 * a new one.  The renderer runs no query: the caller steps the scorecard
 * (nominate.h) and hands each row over.
 *
 * Order of calls: hm_nom_book_open, hm_nom_book_row for every scorecard
 * row, hm_nom_book_lists once, hm_nom_book_pairs per candidate (internal),
 * hm_nom_book_close.  After a failure of
 * any but the last, hm_nom_book_discard.  Ownership: the book is the
 * caller's from open to close or discard, which both free it; the rules
 * and parameters given to open must outlive it.  One thread at a time.
 */
#ifndef HIMAMA_NOMINATIONS_XLSX_H
#define HIMAMA_NOMINATIONS_XLSX_H

#include <stddef.h>

#include "himama.h"
#include "himama/nomination.h"

typedef struct hm_nom_book hm_nom_book;

/*
 * Start the workbook at path for the rules c and the parameters p (the
 * year, language, organisation, creation time, rows per scorecard sheet):
 * the about sheet, the shortlist's and notice's headers (their rows come
 * after the scorecard, hm_nom_book_lists) and the first scorecard sheet.
 * OUT: *out.  HM_EXLSX or HM_EIO with err set; on failure nothing is left
 * at path and *out is NULL.
 */
hm_error hm_nom_book_open(const char *path, const hm_nomination_conf *c,
                          const hm_nominate_params *p, hm_nom_book **out, char *err,
                          size_t errsz);

/* Write the next scorecard row, on a new sheet when the current one is full. */
hm_error hm_nom_book_row(hm_nom_book *b, const hm_nom_row *row, char *err, size_t errsz);

/*
 * End the scorecard and write the shortlist and the public notice from
 * the candidates cand[0..n) (read during the call only).
 */
hm_error hm_nom_book_lists(hm_nom_book *b, const hm_nom_candidate *cand, size_t n, char *err,
                           size_t errsz);

/*
 * Write candidate pg->cand's pairs of the year with their five ones, a
 * row each, on the sheet of the candidates' pairs (made at the first
 * call; internal only: in public nothing is written).
 */
hm_error hm_nom_book_pairs(hm_nom_book *b, const hm_dossier_page *pg, char *err, size_t errsz);

/* The number of sheets the scorecard has taken so far. */
size_t hm_nom_book_sheets(const hm_nom_book *b);

/*
 * Compress the workbook into its path and free b (whatever happens); on
 * failure the path is removed and err says why.
 */
hm_error hm_nom_book_close(hm_nom_book *b, char *err, size_t errsz);

/* Free b (NULL is fine) and remove its path. */
void hm_nom_book_discard(hm_nom_book *b);

#endif
