/*
 * report_job.h - writing one report, as `himama report` and `himama run`
 * do: OUT/KIND/PERIOD/AUDIENCE/ gets briefing.pdf, tables.xlsx, for the
 * annual report nominations.xlsx and the dossiers, and manifest.json; a
 * child's record (record.h) OUT/child/CHILD_ID/ record.pdf, record.xlsx
 * and manifest.json, a town's OUT/child/town-CODE/ records.pdf,
 * records.xlsx and manifest.json.
 *
 * The job owns everything between the command line and the files: the
 * template and the nomination rules, the database connection and a second
 * one on the same snapshot for a second thread, the model (aggregate.h),
 * the renderers, temporary files beside the final names, the manifest,
 * the permissions of a public report and the commit (every file renamed
 * into place, the manifest last).  Files appear whole or not at all: on
 * any failure the temporaries are removed and an earlier report stays as
 * it was.  The job prints nothing.
 */
#ifndef HIMAMA_REPORT_JOB_H
#define HIMAMA_REPORT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/period.h"

/* What to write; the strings are the caller's and must outlive the call. */
typedef struct hm_report_job {
    hm_period period;            /* the report's kind and days (hm_period_parse) */
    const char *audience;        /* "internal" or "public" */
    const char *lang;            /* "zh" or "en" */
    const char *template_name;   /* NAME for DATADIR/templates/NAME.LANG.tmpl, a file
                                    when it holds a '/'; NULL: the kind's name */
    const char *db_path;         /* the database file */
    const char *out_dir;         /* OUT */
    const char *datadir;         /* where queries/ and templates/ live */
    const char *font;            /* the CJK TrueType font, "path" or "path:N" */
    const char *org;             /* the organisation shown; may be NULL */
    unsigned public_mode;        /* permission bits of a public report's files */
    size_t dossier_pages;        /* dossier pages per file; 0: HM_DOSSIER_PAGES */
    int32_t today;               /* the day of the run (:today), hm_today() */
    const char *child;           /* a record (HM_PERIOD_RECORD): the child (:child) ... */
    const char *town;            /* ... or, child NULL, every child of the town (:town) */
    const char *unit;            /* NULL, or the one unit (a code, name or path,
                                    units.h) the report is restricted to (scope.h),
                                    written to OUT/KIND/PERIOD/AUDIENCE/units/PATH */
    const char *each;            /* NULL, or a level ("town", "district", "city",
                                    "province"): the whole's report, then one per
                                    unit of that level and units/index.xlsx, all at
                                    one snapshot */
} hm_report_job;

/* What a job wrote; release with hm_report_result_release. */
typedef struct hm_report_result {
    char **files;                /* the final paths written, in order, manifest last */
    size_t nfiles;
    size_t placeholders;         /* characters the font lacks, drawn as a placeholder
                                    (set once the files are about to be committed) */
} hm_report_result;

/*
 * The folder of a report: OUT/KIND/PERIOD/AUDIENCE, or OUT/KIND/PERIOD
 * when audience is NULL (caller frees).  The one place the path is made.
 * A record has no audience (it is internal only): OUT/child/CHILD_ID for
 * a child's, OUT/child/town-CODE for a town's (hm_period_record).
 * unit (may be NULL: the whole) is a unit's path (units.h): its report is
 * in AUDIENCE/units/PATH, each key of the path a folder made safe (a
 * control character or '\\' becomes '_', a key that is empty or begins
 * with '.' gets a '_' in front); "" gives AUDIENCE/units itself.
 */
char *hm_report_dir(const char *out_dir, const hm_period *p, const char *audience,
                    const char *unit);

/*
 * Write the report job describes.  res (may be NULL) is emptied first
 * and, on success, lists the files written.  On failure nothing of this
 * run is left behind and err says why: HM_EUSAGE (a bad audience,
 * language or template name, a record for the public, an unknown child or
 * town), HM_ETEMPLATE, HM_EQUERY, HM_EDB, HM_ESCHEMA,
 * HM_EIO, HM_EPDF, HM_EXLSX or HM_EPRIVACY.
 */
hm_error hm_report_write(const hm_report_job *job, hm_report_result *res, char *err,
                         size_t errsz);

/* Free what res holds and empty it; NULL is fine. */
void hm_report_result_release(hm_report_result *res);

#endif
