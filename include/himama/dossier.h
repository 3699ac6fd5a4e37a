/*
 * dossier.h - the dossiers drawn from their page data (nomination.h):
 * an A4 page per shortlisted candidate, or half of one for a short record,
 * for the "most beautiful caring mother" jury, in files (volumes) of a few thousand pages, each a
 * document of its own (libharu holds a whole document in memory until it
 * is saved).  The renderer runs no query: the caller builds each page's
 * data (dossier_model.h) and hands it over.
 *
 * Order of calls, per file: hm_dossier_doc_open, hm_dossier_doc_pages per
 * candidate or two (or hm_dossier_doc_none when no one qualified),
 * hm_dossier_doc_save, hm_dossier_doc_free.  Ownership: the document is
 * the caller's until hm_dossier_doc_free; the parameters given to open
 * must outlive it; pages are read during the call only.
 */
#ifndef HIMAMA_DOSSIER_H
#define HIMAMA_DOSSIER_H

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/nomination.h"

typedef struct hm_dossier_doc hm_dossier_doc;

/*
 * Start file volume (1-based) of nvolumes for the parameters p (year,
 * audience, language, organisation, font and creation time).  OUT: *out
 * (NULL on failure).  HM_EPDF or HM_EIO with err set.
 */
hm_error hm_dossier_doc_open(const hm_nominate_params *p, size_t volume, size_t nvolumes,
                             hm_dossier_doc **out, char *err, size_t errsz);

/*
 * Draw the candidate pg, and next with it when both are short: the
 * candidate (name masked for the public audience when the rules say so),
 * town, sector, rank and score; a profile band (organisation, gender,
 * years in the programme, service hours); the nine figures as tiles; the
 * children by alias with each pair's five ones (in public their sums
 * only); a bar chart of the activities month by month; then the stories.
 * When pg and next (NULL: none) each fit half a page, set compactly, they
 * share one page and *both is set; else pg has a page of its own, its
 * stories as far as the page holds (the rest marked as left out).  The
 * error of the PDF layer (hm_pdf_error) when drawing failed.
 */
hm_error hm_dossier_doc_pages(hm_dossier_doc *d, const hm_dossier_page *pg,
                              const hm_dossier_page *next, bool *both);

/* Draw the page saying no volunteer met the rules (an empty shortlist). */
void hm_dossier_doc_none(hm_dossier_doc *d);

/*
 * Number the pages (and, with several files, name the file's place in
 * the set in each footer) and save the document to path.  HM_EPDF or
 * HM_EIO with err set ("dossiers: ...").
 */
hm_error hm_dossier_doc_save(hm_dossier_doc *d, const char *path, char *err, size_t errsz);

/* Free d (NULL is fine); a document not saved is lost. */
void hm_dossier_doc_free(hm_dossier_doc *d);

#endif
