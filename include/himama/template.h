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

/* A section's texts that a public report may word differently. */
typedef enum hm_tmpl_text {
    HM_TEXT_HEADING, HM_TEXT_INTRO, HM_TEXT_NOTE, HM_TEXT_EMPTY, HM_TEXT_N
} hm_tmpl_text;

/* One column as the template declares it. */
typedef struct hm_tmpl_col {
    char *name;              /* the query's column name */
    char *label;             /* header shown to the reader */
    hm_format format;
    bool child_count;        /* flag "children": counts children ("<3" in public) */
    char *child_by;          /* flag "children=COL": counts children in the rows whose
                                column COL (declared in the same section) is not 0 or
                                NULL; NULL when the flag is not given */
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
    bool targets;            /* "rows = targets": no query; a row per target set in
                                templates/targets.conf, its actual the figure.KEY of
                                the same figure (targets.h); left out with none set */
    hm_tmpl_audience audience;
    char *levels;            /* "levels = COLUMN": a per-town table, COLUMN (declared,
                                usually hidden) the town's code, NULL on the total row;
                                its rows roll up by unit (levels.h); NULL: none */
    size_t nsums;
    char **sums;             /* "sums = a, b": the columns a unit's row adds up */
    size_t nratios;
    char **ratios;           /* "ratios = rate:num/den, ...": recomputed, never averaged */
    bool town_list;          /* "town_list = yes": a list for the town cadres, which a
                                report above the district leaves to the packs (its
                                query not run, the template's "elsewhere" shown) */
    char *rank;              /* "rank = COL:KEY, KEY2": COL ranks each rolled-up row among
                                the rows of its level under the same unit, by KEY (a
                                column, or num/den), then KEY2, ..., highest first */
    int text_line[5];        /* lines of heading, intro, note, empty, note_if (messages) */
    char *public_text[HM_TEXT_N];  /* "heading.public", ...: the public report's wording
                                      instead (NULL: the same as the internal one) */
    int public_line[HM_TEXT_N];    /* their lines (messages) */
} hm_tmpl_section;

/* One "figure.KEY = {ref}" line: a headline figure the manifest carries. */
typedef struct hm_tmpl_figure {
    char *key;               /* [a-z0-9_]+, unique in the template */
    char *ref;               /* the placeholder's body: "id.col", "id.col:N", "id.rows" */
    int line;
} hm_tmpl_figure;

typedef struct hm_template {
    char *path;              /* the file it was read from, for messages */
    char *title, *subtitle, *footer;   /* with placeholders; may be NULL */
    char *unfinished;        /* the banner of a period not yet ended; may be NULL */
    char *elsewhere;         /* shown for a town_list section of a report above the
                                district, instead of its rows; may be NULL */
    size_t nfig;
    hm_tmpl_figure *fig;     /* the headline figures, in template order */
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

/*
 * The text which (heading, intro, note or empty) of section s as a report
 * for the audience shows it: for a public report its ".public" wording
 * when the template gives one, else the plain key's (may be NULL).
 */
const char *hm_tmpl_section_text(const hm_tmpl_section *s, hm_tmpl_text which,
                                 bool public_audience);

/* ---- the placeholder grammar ------------------------------------------
 * A template's texts hold placeholders in braces, "{{" and "}}" standing
 * for the braces themselves.  A placeholder names a value of the run
 * ({period}, {year}, {month}, {from}, {to}, {org}, {generated}, {today};
 * the words of the report's level: {scope.total} 全区合计, {scope.area}
 * 全区, {scope.unit} 区, {scope.no_town} 区级（未分区镇）, and of its
 * per-town tables' rows: {scope.rows} 区镇, {scope.Rows} the same
 * capitalised in English, {scope.row} 镇 / town as in "by town"), a
 * section's row count ({id.rows}) or one of its values ({id.col}: the
 * first row; {id.col:N}: row N from 1; {id.col:last}).  The template
 * checks them (hm_template_parse) and aggregate.c fills them, both
 * through the scanner and parser below.
 */

/* What hm_tmpl_scan does with the pieces of a text; arg is passed on. */
typedef struct hm_tmpl_scanner {
    /* Literal text s[0..n) (an escaped brace comes as one brace); may be NULL. */
    void (*lit)(void *arg, const char *s, size_t n);
    /* The body of a placeholder (between its braces); not HM_OK stops the scan. */
    hm_error (*ref)(void *arg, const char *body);
    /* A brace without its partner, why saying which; its result ends the
     * scan.  NULL: the brace is literal text. */
    hm_error (*bad)(void *arg, const char *why);
} hm_tmpl_scanner;

/*
 * Walk text (NULL: nothing) from the start, calling sc's functions in
 * order.  Returns HM_OK, or the first result of sc->ref or sc->bad that
 * was not HM_OK.
 */
hm_error hm_tmpl_scan(const char *text, const hm_tmpl_scanner *sc, void *arg);

/* The values of the run a placeholder may name. */
typedef enum hm_tmpl_run_value {
    HM_RUN_PERIOD, HM_RUN_YEAR, HM_RUN_MONTH, HM_RUN_FROM, HM_RUN_TO, HM_RUN_ORG,
    HM_RUN_GENERATED, HM_RUN_TODAY,
    /* the words of the report's level (level_words.h) */
    HM_RUN_SCOPE_TOTAL, HM_RUN_SCOPE_AREA, HM_RUN_SCOPE_UNIT, HM_RUN_SCOPE_NO_TOWN,
    HM_RUN_SCOPE_ROWS, HM_RUN_SCOPE_ROWS_CAP, HM_RUN_SCOPE_ROW
} hm_tmpl_run_value;

/* What a placeholder's body names. */
typedef enum hm_tmpl_ref_kind {
    HM_REF_RUN,      /* a value of the run: run says which */
    HM_REF_ROWS,     /* "id.rows": section id's row count */
    HM_REF_CELL,     /* "id.col", "id.col:N", "id.col:last": one value */
    HM_REF_UNKNOWN   /* none of these (no '.' and no value of the run) */
} hm_tmpl_ref_kind;

/* A placeholder's body, parsed (hm_tmpl_ref_parse; hm_tmpl_ref_release). */
typedef struct hm_tmpl_ref {
    hm_tmpl_ref_kind kind;
    hm_tmpl_run_value run;   /* HM_REF_RUN */
    const char *id;          /* ROWS and CELL: the section's id, else NULL */
    const char *col;         /* CELL: the column's name, else NULL */
    const char *sel;         /* CELL: the text after ':', or NULL for none */
    bool row_ok;             /* CELL: no sel, "last", or a whole number from 1 */
    bool last;               /* CELL: sel is "last" */
    size_t row;              /* CELL: the row from 0 (0 without sel; SIZE_MAX - 1
                                or more when sel is not a number) */
    char *buf_;              /* owned: the copy id, col and sel point into */
} hm_tmpl_ref;

/* Parse the placeholder body into *ref (release it with hm_tmpl_ref_release). */
void hm_tmpl_ref_parse(const char *body, hm_tmpl_ref *ref);

/* Free what ref holds; the struct itself is the caller's. */
void hm_tmpl_ref_release(hm_tmpl_ref *ref);

#endif
