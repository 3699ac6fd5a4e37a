/*
 * report.h - the in-memory report model that aggregate fills and both
 * renderers (render.h) draw.  Neither renderer runs SQL; aggregate does
 * no drawing.
 *
 * A report is a title block plus an ordered list of sections.  Every
 * section holds one table (the rows of its query); the section's kind says
 * how to show it: KPI tiles, a table, a bar or line chart, a list, or only
 * a paragraph of text.
 *
 * A long list (a `detail` section) need not hold all its rows: the model
 * keeps those the PDF draws and the rest live in a temporary file (its
 * table's spill, spill.h), which the workbook renderer reads back.  Read
 * rows with hm_table_row and count them with hm_table_rows; table.nrow
 * counts only the rows in memory.
 *
 * Ownership: hm_report_free frees the report and everything it holds
 * (and so deletes its temporary files); every string in the model is
 * owned by the model (malloc'd).
 */
#ifndef HIMAMA_REPORT_H
#define HIMAMA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

typedef enum hm_vtype {
    HM_V_NULL,
    HM_V_INT,
    HM_V_REAL,
    HM_V_TEXT
} hm_vtype;

typedef struct hm_value {
    hm_vtype type;
    int64_t i;      /* HM_V_INT */
    double r;       /* HM_V_REAL */
    char *s;        /* HM_V_TEXT (owned) */
    bool child;     /* counts children in this row: set by hm_table_mark_children from
                       its column's "children=COL" mark and the row's COL */
} hm_value;

/* How a column's values are shown. */
typedef enum hm_format {
    HM_FMT_TEXT,      /* as is */
    HM_FMT_INT,       /* integer with thousands separators in tables */
    HM_FMT_MONEY,     /* integer fen, shown as yuan with two decimals */
    HM_FMT_DATE,      /* 'YYYY-MM-DD' text; a real date in Excel */
    HM_FMT_PERCENT,   /* real 0..1, shown as 87.5% */
    HM_FMT_REAL       /* real, one decimal */
} hm_format;

typedef struct hm_colspec {
    char *name;          /* the query's column name */
    char *label;         /* header shown to the reader */
    hm_format format;
    bool child_count;    /* counts children in every row: public audience shows 1..2 as "<3" */
    char *child_by;      /* NULL, or the column of the same table whose value in a row
                            (not 0, not NULL) says this column counts children in that
                            row (hm_table_mark_children); owned */
    double width;        /* relative width hint for the PDF, 0 = automatic */
} hm_colspec;

/* Rows kept in a temporary file (spill.h). */
typedef struct hm_spill hm_spill;

typedef struct hm_table {
    size_t ncol;
    hm_colspec *cols;
    size_t nrow;         /* rows in cells */
    hm_value *cells;     /* nrow * ncol, row-major */
    hm_spill *spill;     /* NULL: cells hold every row.  Else the file holds every
                            row, in order (hm_table_rows of them), and cells only the
                            first nrow; owned by the table */
} hm_table;

typedef enum hm_section_kind {
    HM_SEC_KPI,     /* tiles; rows are (label, value, previous, year_to_date), formats per column */
    HM_SEC_TABLE,   /* a table with a header row */
    HM_SEC_BAR,     /* a bar chart: category column + series columns; also a table in Excel */
    HM_SEC_LINE,    /* a line chart, same shape as BAR */
    HM_SEC_LIST,    /* an action list: a table whose rows are things to do */
    HM_SEC_TEXT     /* only the intro paragraph */
} hm_section_kind;

typedef struct hm_section {
    hm_section_kind kind;
    char *id;            /* the template's section id, e.g. "five_ones" */
    char *heading;       /* shown, and the PDF bookmark */
    char *sheet;         /* Excel sheet name (<= 31 chars), NULL: not in the workbook */
    char *intro;         /* paragraph above, placeholders already filled; may be NULL */
    char *note;          /* note below the table; may be NULL */
    char *empty;         /* shown instead of an empty table; may be NULL */
    hm_table table;
    size_t category_col;     /* charts: the category column */
    size_t nseries;          /* charts: the series columns */
    size_t *series_cols;
    bool detail;             /* a long list: Excel writes it in constant-memory mode, and
                                a TABLE or LIST with pdf_rows keeps only the first
                                pdf_rows rows in memory (the rest in table.spill) */
    size_t pdf_rows;         /* the PDF shows at most this many rows (and says how many
                                there are); 0 = all.  The workbook always has every row. */
    char *query;             /* the query file it came from, for the manifest */
    bool page_break;         /* the PDF starts it on a new page (a town's records: each
                                child's first section, record.h) */
    unsigned char *row_depth;    /* NULL, or per row of a table rolled up by unit
                                    (levels.h): 0 for the rows the PDF shows (the units
                                    of the level below the report's own, the total), n
                                    for a row n levels further down (the workbook's) */
    bool in_packs;           /* a list for the town cadres in a report above the district:
                                no rows, its query not run; the packs (--each) hold them */
} hm_section;

/* A headline figure of the report, for the manifest (template "figure.KEY"). */
typedef struct hm_figure {
    char *key;           /* stable English name, e.g. "children_paired" */
    bool present;        /* false: its section is not in this report (e.g. internal only) */
    hm_value value;      /* the value the tiles and sentences show (NULL when absent);
                            a ROWS figure is the row count as an int */
    hm_format format;    /* its column's format (HM_FMT_INT for a row count) */
    bool hidden;         /* the public small-count rule hides it (hm_value_hidden) */
} hm_figure;

typedef struct hm_report {
    char *kind;          /* "monthly", "halfyear", "annual", "range" */
    char *period;        /* "2026-10", "2026-H1", "2026", "2025-01-01_2026-12-31" */
    char *from, *to;     /* inclusive dates 'YYYY-MM-DD' */
    char *audience;      /* "internal" or "public" */
    char *lang;          /* "zh" or "en" */
    char *title;         /* e.g. "爱心妈妈结对关爱月报" */
    char *subtitle;      /* e.g. the period in words */
    char *org;           /* organisation shown on the cover, may be empty */
    char *generated_at;  /* 'YYYY-MM-DD HH:MM' (UTC, or SOURCE_DATE_EPOCH) */
    char *footer;        /* footer text left of the page numbers */
    char *today;         /* the day of the run, 'YYYY-MM-DD' */
    bool complete;       /* the period has ended: its last day is before today */
    char *unfinished;    /* the banner shown when !complete (template "unfinished"),
                            NULL when complete or the template has none */
    size_t nfig;
    hm_figure *fig;      /* the headline figures in template order */
    size_t nsec;
    hm_section *sec;
    char *unit_level;    /* a unit's report (scope.h): its level and path; NULL: the whole */
    char *unit_path;
} hm_report;

void hm_report_free(hm_report *r);

/* The value at (row, col) of t; row < t->nrow (a row held in memory). */
static inline const hm_value *hm_table_cell(const hm_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncol + col];
}

/*
 * Resolve the "children=COL" marks of t: for each column c with
 * cols[c].child_by naming a column of t, set child on c's value in every
 * row held in memory whose COL value is not NULL and not 0.  Call it once
 * the rows are in and before the flag column is dropped.
 */
void hm_table_mark_children(hm_table *t);

/* How many rows t has: t->nrow, or all those in its spill file. */
size_t hm_table_rows(const hm_table *t);

/*
 * Row `row` of t (below hm_table_rows(t)) into *out: t->ncol values, from
 * cells when the row is in memory, else read from the spill file into the
 * spill's buffer (valid until the next read of t; reading moves the
 * file's position, so read one table from one place at a time).  Reading
 * all rows in order reads the file once.  HM_EIO with err set when the
 * file cannot be read.
 */
hm_error hm_table_row(const hm_table *t, size_t row, const hm_value **out, char *err,
                      size_t errsz);

/*
 * Whether the public must not see v's figure under spec: the one rule of
 * the small counts.  True for a count of children - a column marked so
 * for every row (spec->child_count) or a value whose row marks it so
 * (v->child, from the column's "children=COL") - of 1 or 2 (a real
 * rounded to the nearest whole number) in a column that is not a
 * percentage, when public_audience; false for NULL, text, any count of
 * something else (events, volunteers, money) and any value of an internal
 * report.  The words around a figure never decide.  Both renderers,
 * hm_value_format and the manifest's figures ask it; a hidden value is
 * shown as "<3" and drawn as no bar or point of its own.
 */
bool hm_value_hidden(const hm_value *v, const hm_colspec *spec, bool public_audience);

/*
 * Format v for display by spec and audience into out (size outsz):
 * thousands separators, yuan with two decimals, percent with one decimal,
 * and "<3" for a value hm_value_hidden hides.  NULL is "".
 */
void hm_value_format(const hm_value *v, const hm_colspec *spec, bool public_audience,
                     char *out, size_t outsz);

/*
 * Column names that must never reach a public output (child_name, guardian,
 * guardian_phone, phone, volunteer_phone, school, class_teacher, ...),
 * NULL-terminated.
 */
extern const char *const hm_forbidden_public[];

/*
 * For a public report: HM_EPRIVACY (err names the section and column) when
 * any section holds a forbidden column; HM_OK otherwise or when internal.
 * Both renderers call it first and write nothing on failure.
 */
hm_error hm_report_check_public(const hm_report *r, char *err, size_t errsz);

/* The same for section s alone. */
hm_error hm_section_check_public(const hm_report *r, size_t s, char *err, size_t errsz);

#endif
