/*
 * targets.h - the year's work-plan targets (templates/targets.conf, a
 * file staff edit; its format is described at its top) and the rows of
 * the half-year's and annual's "targets" section: per target set, the
 * target, the actual and the share reached.
 *
 * One definition per figure: a target names a headline figure of the
 * template (figure.KEY) and its actual is that figure's resolved value,
 * the very cell the report shows elsewhere; nothing is counted here.
 * The share is actual / target against the whole year's target, in the
 * half-year too (how far the year's plan is reached: "时间过半、任务过半").
 *
 * Nothing here prints or exits.
 */
#ifndef HIMAMA_TARGETS_H
#define HIMAMA_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/report.h"

/* The targets a file may set, in the order of the section's rows. */
enum {
    HM_TGT_CHILDREN_PAIRED, HM_TGT_CONTACT_RATE, HM_TGT_CALLS, HM_TGT_READING,
    HM_TGT_HOLIDAY, HM_TGT_BIRTHDAYS, HM_TGT_WISHES, HM_TGT_HOURS, HM_TGT_DONATIONS,
    HM_TGT_N
};

/* One target: its key in the file, the figure it compares with, its labels. */
typedef struct hm_target_def {
    const char *key;        /* "calls": the key in targets.conf */
    const char *figure;     /* "calls": the template's figure.KEY giving the actual */
    const char *zh, *en;    /* the row's label */
} hm_target_def;

/* The targets, indexed by the enum above. */
extern const hm_target_def hm_target_defs[HM_TGT_N];

/* The year's targets, as the file gives them. */
typedef struct hm_targets {
    bool set[HM_TGT_N];     /* given in the file */
    int64_t value[HM_TGT_N];/* as written: a count, a percent (contact_rate, 0..100)
                               or whole yuan (donations) */
} hm_targets;

/*
 * Parse the targets text into t (zeroed first); name is used in messages
 * "NAME:LINE: reason".  Values are whole numbers (contact_rate 0..100,
 * optionally with '%'; the others 0..10^12).  An unknown key, a bad value
 * or a key given twice is HM_ETEMPLATE.
 */
hm_error hm_targets_parse(const char *name, const char *text, hm_targets *t, char *err,
                          size_t errsz);

/*
 * Read the file at path into t.  A missing file is no targets (HM_OK,
 * none set); a file that cannot be read otherwise is HM_EIO.
 */
hm_error hm_targets_load(const char *path, hm_targets *t, char *err, size_t errsz);

/* Whether any target is set (NULL: none). */
bool hm_targets_any(const hm_targets *t);

/*
 * A headline figure, resolved: NULL when the report does not hold it,
 * else its value (the cell's), format and the public small-count verdict.
 */
typedef struct hm_target_actual {
    const hm_value *value;
    hm_format format;
    bool hidden;
} hm_target_actual;

/* The figure called key in the report being built (caller's lookup). */
typedef hm_target_actual (*hm_target_lookup)(void *arg, const char *key);

/*
 * Fill table tbl (its columns set, no rows) with a row per target set in
 * t: the columns called "label" (text), "target" and "actual" (text, as
 * the figure is shown: a count, a percentage, yuan) and "share" (real,
 * actual / target; NULL when the target is 0 or the actual is missing or
 * hidden).  Other columns stay NULL.  lang "en" labels in English; public
 * shows a hidden actual as "<3".
 */
void hm_targets_rows(const hm_targets *t, const char *lang, bool public_audience,
                     hm_target_lookup lookup, void *arg, hm_table *tbl);

#endif
