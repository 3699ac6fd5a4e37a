/*
 * nominate.h - the annual "most beautiful caring mother" (最美爱心妈妈)
 * nomination data: nominations.xlsx (the scorecard of every volunteer, the
 * shortlist per town, the public-notice list 公示名单) and dossiers.pdf
 * (one page per shortlisted candidate; a long shortlist takes several
 * files, dossiers-1.pdf, dossiers-2.pdf, ..., see hm_dossier_volumes).
 *
 * The weights, eligibility rules and town quotas come from a plain-text
 * file staff can edit (templates/nomination.conf; its format is described
 * at its top).  The scorecard is computed in SQL
 * (queries/annual_scorecard.sql) with the weights bound as parameters;
 * this module only streams its rows into the workbook, in
 * libxlsxwriter's constant-memory mode, starting a continuation sheet
 * whenever a sheet is full, so memory does not grow with the number of
 * volunteers.  Only the shortlisted rows (a quota per town) are kept in
 * memory, for the shortlist, the notice list and the dossiers.
 *
 * Nothing here prints or exits.  Ownership: hm_nomination_conf_release
 * frees what hm_nomination_conf_load stored; strings passed in are used
 * during the call only.
 */
#ifndef HIMAMA_NOMINATE_H
#define HIMAMA_NOMINATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/params.h"
#include "himama/render.h"
#include "himama/util.h"

/* The scored figures, in the order of the scorecard's columns. */
enum {
    HM_NOM_CALL_MONTHS, HM_NOM_READING, HM_NOM_HOLIDAY, HM_NOM_BIRTHDAY, HM_NOM_WISHES,
    HM_NOM_CHILDREN, HM_NOM_MONTHS_PAIRED, HM_NOM_TRAININGS, HM_NOM_STORIES,
    HM_NOM_NFIG
};

/* One scored figure: its key in the file and the query, and its labels. */
typedef struct hm_nom_figure {
    const char *key;     /* "call_months": weight.call_months, :w_call_months, column */
    const char *zh, *en; /* column header */
} hm_nom_figure;

/* The figures, indexed by the enum above. */
extern const hm_nom_figure hm_nom_figures[HM_NOM_NFIG];

/* One town's quota. */
typedef struct hm_nom_quota {
    char *town_code;
    int64_t quota;
} hm_nom_quota;

/* The nomination rules. */
typedef struct hm_nomination_conf {
    int64_t weight[HM_NOM_NFIG];   /* whole points per unit of each figure */
    int64_t min_call_months;       /* eligible: at least this many call months */
    int64_t min_months_paired;     /* eligible: at least this many months paired */
    int64_t quota_default;         /* shortlisted per town, unless listed */
    size_t nquota;
    hm_nom_quota *quota;           /* per-town quotas (owned) */
} hm_nomination_conf;

/* Set c to the built-in defaults (weights 0, quota 3, no rules). */
void hm_nomination_conf_init(hm_nomination_conf *c);
/* Free what c holds (c itself is the caller's); NULL is fine. */
void hm_nomination_conf_release(hm_nomination_conf *c);

/*
 * Parse the rules text (name is used in messages "NAME:LINE: reason") into
 * c, which must have been initialised.  Keys: weight.FIGURE,
 * eligible.min_call_months, eligible.min_months_paired, quota.default,
 * quota.TOWN_CODE; values are whole numbers 0..1000000.  An unknown key, a
 * bad value or a key given twice is HM_ETEMPLATE.
 */
hm_error hm_nomination_conf_parse(const char *name, const char *text, hm_nomination_conf *c,
                                  char *err, size_t errsz);
/* Read the file at path and parse it (HM_EIO when it cannot be read). */
hm_error hm_nomination_conf_load(const char *path, hm_nomination_conf *c, char *err,
                                 size_t errsz);

/*
 * The score's formula in words, e.g. "得分 = 5×亲情连线达标月数 + 2×陪你阅读
 * + ..." (lang "zh" or "en"), appended to sb (an initialised strbuf).
 */
void hm_nomination_formula(const hm_nomination_conf *c, const char *lang, hm_strbuf *sb);

/* A shortlisted candidate, as the scorecard gave it (in town order). */
typedef struct hm_nom_candidate {
    char *volunteer_id, *volunteer, *masked, *town, *role, *sector;
    int64_t rank, score;
    int64_t fig[HM_NOM_NFIG];
} hm_nom_candidate;

/* Free the candidates cand[0..n) and the array; NULL is fine. */
void hm_nom_candidates_free(hm_nom_candidate *cand, size_t n);

typedef struct hm_nominate_params {
    const hm_query_params *query;   /* what the queries bind (params.h): the year,
                                       audience, language, organisation */
    /* As the workbook and the dossiers show them: the same as query's. */
    const char *from, *to;      /* the year, inclusive 'YYYY-MM-DD' */
    const char *audience;       /* "internal" or "public" (names masked as 张*) */
    const char *lang;           /* "zh" or "en" */
    const char *queries_dir;    /* the folder holding the .sql files */
    const char *org;            /* shown on the about sheet; may be NULL */
    const hm_render_opts *render;   /* font and creation time */
    size_t rows_per_sheet;      /* data rows per scorecard sheet; 0: Excel's
                                   maximum (1,048,575 below the header) */
    size_t pages_per_file;      /* dossier pages per PDF file; 0: HM_DOSSIER_PAGES */
    /*
     * When set, hm_nominate_write writes no dossiers: it hands the
     * candidates over instead, once the workbook has all its rows and
     * before it compresses it (most of the time left), so that another
     * thread can write the dossiers meanwhile (hm_dossier_write).  The
     * candidates become the callee's (hm_nom_candidates_free); called at
     * most once, not at all when the scorecard fails.
     */
    void (*hand_over)(void *arg, hm_nom_candidate *cand, size_t n);
    void *hand_over_arg;
} hm_nominate_params;

/*
 * Dossier pages per PDF file by default.  libharu keeps a document in
 * memory until it is saved (about 15 KB a page), so a national shortlist
 * of 15,000 pages in one file took 270 MB; files of 2,000 pages bound it.
 */
#define HM_DOSSIER_PAGES 2000

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

/* What a run wrote, for tests and the caller. */
typedef struct hm_nominate_stats {
    size_t volunteers;          /* scorecard rows */
    size_t eligible;            /* of them, eligible */
    size_t shortlisted;         /* candidates (dossier pages) */
    size_t scorecard_sheets;    /* sheets the scorecard took */
} hm_nominate_stats;

/*
 * Write nominations.xlsx to xlsx_path and the dossiers beside pdf_base,
 * the final path without ".pdf" (".../dossiers"): pdf_base.pdf when the
 * shortlist fits one file, else pdf_base-1.pdf, pdf_base-2.pdf, ... (see
 * hm_dossier_volumes), each to a temporary name listed in OUT: files
 * (which must be empty; the caller renames them into place and releases
 * it); with p->hand_over set, the dossiers are the callee's to write and
 * files stays empty.  stats may be NULL.  On error every file written is
 * removed, files is empty and err says why (HM_EQUERY, HM_EXLSX, HM_EPDF,
 * HM_EIO).
 */
hm_error hm_nominate_write(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, const char *xlsx_path,
                           const char *pdf_base, hm_dossier_files *files,
                           hm_nominate_stats *stats, char *err, size_t errsz);

/* ---- shared with dossier.c ---- */


/*
 * Split the candidates cand[0..n) into files (volumes) of at most
 * per_file pages (> 0), one page each, keeping a town's candidates in one
 * file when they fit in one: a file ends early rather than split a town
 * that the next file can hold whole.  OUT: start[k] is the first
 * candidate of file k and start[count] = n; start must hold n + 2
 * entries.  Returns the number of files, 1 when n is 0 (a file saying no
 * one qualified).
 */
size_t hm_dossier_volumes(const hm_nom_candidate *cand, size_t n, size_t per_file,
                          size_t *start);

/*
 * Write the dossiers: one page per candidate (cand[0..n)), the figures,
 * the children by alias, a monthly activity bar chart and the stories,
 * in files as hm_nominate_write describes (pdf_base, OUT: files).  Each
 * file numbers its own pages; when there are several, each footer also
 * names the file's place in the set ("volume 2 of 8").  Runs
 * queries/annual_dossier_{children,months,stories}.sql per candidate; the
 * first two read temp.dossier_activities, the candidates' activity rows
 * of the year, which it fills first in one pass over activities.
 */
hm_error hm_dossier_write(sqlite3 *db, const hm_nominate_params *p,
                          const hm_nomination_conf *c, const hm_nom_candidate *cand, size_t n,
                          const char *pdf_base, hm_dossier_files *files, char *err,
                          size_t errsz);

#endif
