/*
 * nomination.h - the model of the annual "most beautiful caring mother"
 * (最美爱心妈妈) nominations: the rules, the scorecard's columns and rows,
 * the shortlisted candidates, the dossiers' split into files (volumes)
 * and one dossier page's data.  It knows no database: nominate.h and
 * dossier_model.h build it from the store, the renderers draw it
 * (nominations_xlsx.h, dossier.h), and the report job drives both
 * (nominate_job.h).
 *
 * The weights, eligibility rules and town quotas come from a plain-text
 * file staff can edit (templates/nomination.conf; its format is described
 * at its top).
 *
 * Nothing here prints or exits.  Ownership: hm_nomination_conf_release
 * frees what hm_nomination_conf_load stored; strings passed in are used
 * during the call only.
 */
#ifndef HIMAMA_NOMINATION_H
#define HIMAMA_NOMINATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/util.h"

struct hm_query_params;   /* params.h */
struct hm_render_opts;    /* render.h */

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

/* Who may be nominated (roles = in the rules): the award is "最美爱心妈妈". */
typedef enum hm_nom_roles {
    HM_NOM_MOTHERS,      /* mothers only (the default) */
    HM_NOM_FATHERS,      /* fathers only */
    HM_NOM_ALL           /* every volunteer */
} hm_nom_roles;

/* "mothers", "fathers" or "all": the word of the rules file and of :roles. */
const char *hm_nom_roles_name(hm_nom_roles r);

/* The nomination rules. */
typedef struct hm_nomination_conf {
    int64_t weight[HM_NOM_NFIG];   /* whole points per unit of each figure */
    int64_t min_call_months;       /* eligible: at least this many call months */
    int64_t min_months_paired;     /* eligible: at least this many months paired */
    int64_t quota_default;         /* shortlisted per town, unless listed */
    bool notice_masked;            /* notice_names = masked: the public notice and
                                      dossiers show 张* instead of the full name */
    hm_nom_roles roles;            /* who is eligible by role (default mothers) */
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
 * quota.TOWN_CODE (whole numbers 0..1000000), notice_names (full, masked)
 * and roles (mothers, fathers, all).  An unknown key, a
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

/*
 * Who may be nominated (the rules' roles) in a sentence, e.g. "参评对象：
 * 爱心妈妈（...）" (lang "zh" or "en"), appended to sb (an initialised strbuf).
 */
void hm_nomination_roles_text(const hm_nomination_conf *c, const char *lang, hm_strbuf *sb);

/*
 * The scorecard's columns, in the order of the workbook's: who (town,
 * rank in town, ID, name, role, sector), the figures, then the score and
 * the two flags, then what is shown and not scored: the service hours
 * and who the volunteer is (organisation, gender, in the programme
 * since, whole years in it at the year's end, age at the year's end).
 * The shortlist sheet shows them too, the flags left out.
 */
enum {
    HM_NOM_COL_TOWN, HM_NOM_COL_RANK, HM_NOM_COL_VOLUNTEER_ID, HM_NOM_COL_VOLUNTEER,
    HM_NOM_COL_ROLE, HM_NOM_COL_SECTOR,
    HM_NOM_COL_FIG,                                  /* the first figure */
    HM_NOM_COL_SCORE = HM_NOM_COL_FIG + HM_NOM_NFIG,
    HM_NOM_COL_ELIGIBLE, HM_NOM_COL_SHORTLISTED,
    HM_NOM_COL_HOURS,                                /* shown, not scored */
    HM_NOM_COL_ORG, HM_NOM_COL_GENDER, HM_NOM_COL_SINCE, HM_NOM_COL_YEARS,
    HM_NOM_COL_AGE,
    HM_NOM_NCOL
};

/* Column i's name in queries/annual_scorecard.sql ("town", "call_months", ...). */
const char *hm_nom_column_name(size_t i);
/* Column i's header in the workbook, in English when en, else Chinese. */
const char *hm_nom_column_label(size_t i, bool en);
/* Whether column i holds text (who the volunteer is, but the rank and the
 * years) rather than a number. */
bool hm_nom_column_is_text(size_t i);

/*
 * One scorecard row as the workbook needs it: per column, NULL in the
 * query (an empty cell), else its text (text columns) or its number.
 * The texts belong to whoever gave the row and last until the next.
 */
typedef struct hm_nom_row {
    bool null[HM_NOM_NCOL];
    const char *text[HM_NOM_NCOL];
    int64_t num[HM_NOM_NCOL];
} hm_nom_row;

/* A shortlisted candidate, as the scorecard gave it (in town order). */
typedef struct hm_nom_candidate {
    char *volunteer_id, *volunteer, *masked, *town, *role, *sector;
    char *organization;          /* the volunteer's organisation, "" when none */
    char *gender;                /* from the role, "" when none */
    char *since;                 /* in the programme since 'YYYY-MM-DD', "" when unknown */
    int64_t years;               /* whole years in the programme at the year's end; -1 unknown */
    int64_t age;                 /* age at the year's end; -1 no birth date recorded */
    int64_t hours;               /* service hours of the year (the scorecard's) */
    int64_t rank, score;
    int64_t fig[HM_NOM_NFIG];
    /* The candidate's children and their five ones, as the dossier model
     * gives them (hm_dossier_model_pairs), kept once loaded so that the
     * workbook's sheet of pairs and the dossiers compute them once: owned;
     * children_loaded false until then. */
    struct hm_dossier_child *children;
    size_t nchildren;
    bool children_loaded;
} hm_nom_candidate;

/* Free the candidates cand[0..n) and the array; NULL is fine. */
void hm_nom_candidates_free(hm_nom_candidate *cand, size_t n);

/* What the nominations are made for and how they are shown. */
typedef struct hm_nominate_params {
    const struct hm_query_params *query;   /* what the queries bind (params.h): the
                                              year, audience, language, organisation */
    /* As the workbook and the dossiers show them: the same as query's. */
    const char *from, *to;      /* the year, inclusive 'YYYY-MM-DD' */
    const char *audience;       /* "internal" or "public" (the notice only; names as
                                   the rules' notice_names say) */
    const char *lang;           /* "zh" or "en" */
    const char *queries_dir;    /* the folder holding the .sql files */
    const char *org;            /* shown on the about sheet; may be NULL */
    const struct hm_render_opts *render;   /* font and creation time (render.h) */
    size_t rows_per_sheet;      /* data rows per scorecard sheet; 0: Excel's
                                   maximum (1,048,575 below the header) */
    size_t pages_per_file;      /* dossier pages per PDF file; 0: HM_DOSSIER_PAGES */
    bool names_masked;          /* public: candidates as 张* (the rules' notice_names) */
} hm_nominate_params;

/* What a run wrote, for tests and the caller. */
typedef struct hm_nominate_stats {
    size_t volunteers;          /* scorecard rows */
    size_t eligible;            /* of them, eligible */
    size_t shortlisted;         /* candidates (dossier pages) */
    size_t scorecard_sheets;    /* sheets the scorecard took */
} hm_nominate_stats;

/*
 * Dossier pages per PDF file by default.  libharu keeps a document in
 * memory until it is saved (about 15 KB a page), so a national shortlist
 * of 15,000 pages in one file took 270 MB; files of 2,000 pages bound it.
 */
#define HM_DOSSIER_PAGES 2000

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

/* A child paired with a candidate in the year, by alias only. */
typedef struct hm_dossier_child {
    char *child;            /* the alias (or the child's ID) */
    char *town;             /* the child's town */
    char *since;            /* when the pairing started, 'YYYY-MM-DD' */
    int64_t activities;     /* activities with this volunteer in the year */
    /* The pair's five ones in the year (queries/five_ones_base.sql); all 0 and
     * has_record false when the pair had no paired month in the year. */
    bool has_record;
    int64_t months, called_months;   /* months paired; of them, with a call */
    bool reading, holiday, birthday_due, birthday_kept, wish;
    int64_t kept, due;               /* promises kept of those due (4 or 5) */
} hm_dossier_child;

/* One of the candidate's stories of the year. */
typedef struct hm_dossier_story {
    char *date, *title;     /* title "" when none */
    char *child;            /* the child's alias, "" when none */
    char *text;
} hm_dossier_story;

/*
 * One dossier page: the candidate and what the dossier queries gave for
 * it.  Strings are "" for a NULL; all is owned (hm_dossier_page_release)
 * but cand.
 */
typedef struct hm_dossier_page {
    const hm_nom_candidate *cand;   /* not owned */
    size_t index;                   /* its place in the shortlist, from 0 */
    size_t nchildren;
    hm_dossier_child *children;     /* in order of pairing */
    int nmonths;                    /* months of the year, at most 12 */
    int month[12];                  /* 1..12 */
    int64_t activities[12];         /* in month[i] */
    size_t nstories;
    hm_dossier_story *stories;      /* newest first */
} hm_dossier_page;

/* Free what pg holds and empty it; NULL is fine. */
void hm_dossier_page_release(hm_dossier_page *pg);

#endif
