/*
 * nominate_job.h - the annual report's nominations, driven: the scorecard
 * (nominate.h) streamed into nominations.xlsx (nominations_xlsx.h), and
 * the dossiers' page data (dossier_model.h) drawn into dossiers.pdf
 * (dossier.h), one candidate at a time, in files of at most
 * p->pages_per_file pages (hm_dossier_volumes): dossiers.pdf when the
 * shortlist fits one file, else dossiers-1.pdf, dossiers-2.pdf, ...
 *
 * The report job (report_job.c) writes the workbook in a second thread,
 * which hands the shortlist over before compressing it, and the dossiers
 * in the first, meanwhile (hm_nominations_xlsx_write, hm_dossiers_write);
 * hm_nominate_write does both in a row.
 *
 * Nothing here prints or exits; HIMAMA_TIMING times the scorecard, the
 * workbook's compression and the dossiers (hm_timing).
 */
#ifndef HIMAMA_NOMINATE_JOB_H
#define HIMAMA_NOMINATE_JOB_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/nomination.h"

/*
 * The dossier files of a run, in order: the final paths and the
 * temporary paths beside them that were written (the caller renames each
 * into place).  Both arrays and their strings are owned;
 * hm_dossier_files_release frees them (it removes no file).
 */
typedef struct hm_dossier_files {
    size_t n;
    char **final;
    char **tmp;
} hm_dossier_files;

/* Free what f holds and empty it; NULL is fine. */
void hm_dossier_files_release(hm_dossier_files *f);
/* Remove f's temporary files, then release f. */
void hm_dossier_files_discard(hm_dossier_files *f);

/*
 * Receives the shortlist once the workbook has its scorecard and lists,
 * before the candidates' pairs and the compression (most of the time
 * left): the candidates cand[0..n) become the callee's
 * (hm_nom_candidates_free), who frees them only after
 * hm_nominations_xlsx_write has returned (it still reads them).
 */
typedef void (*hm_nom_hand_over)(void *arg, hm_nom_candidate *cand, size_t n);

/*
 * Write nominations.xlsx to xlsx_path from the scorecard of db with the
 * rules c and the parameters p, and hand the shortlist over (hand_over
 * with arg; NULL: it is freed).  hand_over is called at most once, not at
 * all when the scorecard fails.  stats may be NULL.  On error no file is
 * left at xlsx_path and err says why (HM_EQUERY, HM_EXLSX, HM_EIO).
 */
hm_error hm_nominations_xlsx_write(sqlite3 *db, const hm_nomination_conf *c,
                                   const hm_nominate_params *p, const char *xlsx_path,
                                   hm_nom_hand_over hand_over, void *arg,
                                   hm_nominate_stats *stats, char *err, size_t errsz);

/*
 * Write the dossiers of the candidates cand[0..n) beside pdf_base, the
 * final path without ".pdf" (".../dossiers"), each file to a temporary
 * name listed in OUT: files (which must be empty; the caller renames them
 * into place and releases it).  Each file numbers its own pages; when
 * there are several, each footer also names the file's place in the set
 * ("volume 2 of 8").  On error every file written is removed, files is
 * empty and err says why (HM_EQUERY, HM_EPDF, HM_EIO).
 */
hm_error hm_dossiers_write(sqlite3 *db, const hm_nominate_params *p,
                           const hm_nom_candidate *cand, size_t n, const char *pdf_base,
                           hm_dossier_files *files, char *err, size_t errsz);

/*
 * hm_nominations_xlsx_write, then hm_dossiers_write of its shortlist, on
 * one connection.  On error every file written is removed (the workbook
 * too), files is empty and err says why.  stats may be NULL.
 */
hm_error hm_nominate_write(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, const char *xlsx_path,
                           const char *pdf_base, hm_dossier_files *files,
                           hm_nominate_stats *stats, char *err, size_t errsz);

#endif
