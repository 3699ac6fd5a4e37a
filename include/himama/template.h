/*
 * template.h - report templates: plain UTF-8 text a staff member edits
 * without a compiler.  A template names the report's title, the order of
 * its sections, and for each section its kind, heading, Excel sheet, the
 * query file that gives its rows, the columns shown (label, format, flags)
 * and sentences with placeholders.  The format itself is described at the
 * top of templates/monthly.zh.tmpl.
 *
 * Ownership: hm_template_free frees the template and every string in it.
 */
#ifndef HIMAMA_TEMPLATE_H
#define HIMAMA_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"

/* Which audience a section or column is for. */
typedef enum hm_tmpl_audience {
    HM_AUD_ALL,        /* every audience (the default) */
    HM_AUD_INTERNAL,   /* internal reports only */
    HM_AUD_PUBLIC      /* public reports only */
} hm_tmpl_audience;

/* One column as the template declares it. */
typedef struct hm_tmpl_col {
    char *name;              /* the query's column name */
    char *label;             /* header shown to the reader */
    hm_format format;
    bool child_count;        /* flag "children": counts children ("<3" in public) */
    bool internal;           /* flag "internal": dropped from public reports */
    bool hidden;             /* flag "hidden": only for placeholders, never shown */
    double width;            /* flag "wN": relative width hint for the PDF */
} hm_tmpl_col;

/* One [section ID] block. */
typedef struct hm_tmpl_section {
    char *id;                /* [a-z0-9_]+, unique in the template */
    int line;                /* line of its "[section ...]" header */
    hm_section_kind kind;
    char *heading;
    char *sheet;             /* NULL: not in the workbook */
    char *query;             /* query file name without ".sql" ([a-z0-9_]+) */
    size_t ncol;
    hm_tmpl_col *cols;
    char *intro, *note, *empty;   /* with placeholders; may be NULL */
    char *note_if;           /* "id.col[:N|:last]": show note only when that value is set */
    char *category;          /* charts: the category column's name */
    size_t nseries;
    char **series;           /* charts: series column names */
    bool detail;
    size_t pdf_rows;         /* PDF shows at most this many rows, 0 = all */
    hm_tmpl_audience audience;
    int text_line[5];        /* lines of heading, intro, note, empty, note_if (messages) */
} hm_tmpl_section;

typedef struct hm_template {
    char *path;              /* the file it was read from, for messages */
    char *title, *subtitle, *footer;   /* with placeholders; may be NULL */
    size_t nsec;
    hm_tmpl_section *sec;
} hm_template;

/*
 * Parse template text.  name is used in messages ("NAME:LINE: reason").
 * On success *out is a new template (free with hm_template_free); on
 * HM_ETEMPLATE *out is NULL and err holds "NAME:LINE: reason".
 * Checks every key, kind, format, flag and query name ([a-z0-9_] only, so
 * a template can never name a file outside queries/), that chart columns
 * and placeholders name declared columns of known sections.
 */
hm_error hm_template_parse(const char *name, const char *text, hm_template **out,
                           char *err, size_t errsz);

/* Read the file at path and parse it (errors as hm_template_parse, or HM_EIO). */
hm_error hm_template_load(const char *path, hm_template **out, char *err, size_t errsz);

/* Free t and everything it holds; NULL is allowed. */
void hm_template_free(hm_template *t);

/* True when s is a valid query or section name: 1..64 of [a-z0-9_]. */
bool hm_template_name_ok(const char *s);

/* The section with this id, or NULL. */
const hm_tmpl_section *hm_template_find(const hm_template *t, const char *id);

#endif
