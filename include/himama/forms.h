/*
 * forms.h - the Excel intake workbook (intake.xlsx) that town staff fill in
 * instead of writing CSV files, and the rules ingest needs to read it back.
 *
 * The workbook has, in this order:
 *   - one sheet per kind of DESIGN.md's contract, named by the kind's
 *     Chinese name (hm_kind.label: 区镇, 儿童, 志愿者, ...), so that a sheet
 *     name, like a file name, tells the kind;
 *       row 1: the header, one column per hm_column, in the contract's
 *              order, headed by the Chinese label (required ones in red),
 *              with the English name as the cell's comment;
 *       row 2: the guidance row (see below);
 *       rows 3 on: data.  Dropdowns (list validation) for every
 *              enumeration (labels), for town codes (from the database's
 *              towns) and, as a suggestion that still allows new IDs, for
 *              child and volunteer IDs (from the roster sheet); dates are
 *              formatted yyyy-mm-dd and validated as dates from 2000-01-01
 *              (birth dates from 1990-01-01) to 2099-12-31; IDs and phone
 *              numbers are formatted as text ("@") so leading zeros stay;
 *              money is "#,##0.00" and validated as a number >= 0 (> 0
 *              where the contract says so); minutes as whole numbers
 *              0..1440; the needs column offers the six labels but accepts
 *              several separated by "；".  Rows 1-2 are frozen.
 *   - HM_FORMS_ROSTER_SHEET: the current children (not exited) and all
 *     volunteers, IDs and names, with a warning in its first row that it
 *     holds personal data for internal use;
 *   - HM_FORMS_LISTS_SHEET (hidden): every dropdown's values.  A list that
 *     fits Excel's 255 bytes for a typed list is typed into its validation;
 *     a longer one (many towns, a district's children) refers to its range
 *     here or on the roster.
 *
 * RULES FOR INGEST (to be applied to xlsx sheets, and harmless for CSV):
 *
 *   Auxiliary sheets.  A sheet for which hm_forms_aux_sheet(name) is true
 *   (the roster and the lists) holds no records: skip it without a word.
 *   A sheet whose kind cannot be told should be skipped with a warning,
 *   not make the workbook rejected, since people add notes sheets.
 *
 *   The guidance row.  The first row after the header (the first non-blank
 *   one; hm_xlsx_next has already dropped blank rows) is a guidance row
 *   when its first field, with leading white space (space, tab, U+3000,
 *   NBSP) skipped, starts with HM_FORMS_GUIDANCE_MARK ("说明：", with a
 *   full-width colon) or with "说明:" (ASCII colon).  Such a row is skipped
 *   and not counted, like a blank line; hm_forms_is_guidance(rec) applies
 *   exactly this test.  Only that one row is tested: a data row further
 *   down whose first field happens to start with 说明 is data.
 *   A person who deletes the guidance row loses nothing.
 */
#ifndef HIMAMA_FORMS_H
#define HIMAMA_FORMS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "himama.h"
#include "himama/csv.h"
#include "himama/kinds.h"

#define HM_FORMS_FILE "intake.xlsx"
#define HM_FORMS_GUIDANCE_MARK HM_INTAKE_GUIDANCE_MARK   /* kinds.h */
#define HM_FORMS_ROSTER_SHEET HM_INTAKE_ROSTER_SHEET
#define HM_FORMS_LISTS_SHEET HM_INTAKE_LISTS_SHEET
/* Data validations cover rows 3 .. HM_FORMS_LAST_ROW (1-based). */
#define HM_FORMS_LAST_ROW 10000

typedef struct hm_forms_options {
    time_t created;         /* the workbook's creation time (0: libxlsxwriter's "now") */
    const char *org;        /* organisation, shown as author; NULL or "" for none */
    const char *today;      /* "YYYY-MM-DD": children exited before it are not listed */
} hm_forms_options;

/* OUT: what went into the workbook. */
typedef struct hm_forms_stats {
    size_t sheets;          /* kind sheets written */
    size_t towns;           /* town codes offered in dropdowns (0: free text) */
    size_t children;        /* children listed on the roster */
    size_t volunteers;      /* volunteers listed on the roster */
    size_t validations;     /* data validations written */
} hm_forms_stats;

/*
 * Write the intake workbook to path, atomically: a temporary file beside
 * it is renamed to path only when the workbook is complete, so path is
 * never left half written.  db may be NULL (no database yet): then the
 * town columns are free text with a note in their guidance, and the
 * roster is empty.  o may be NULL (defaults).  st may be NULL.
 * Returns HM_OK, HM_EDB (a query failed), HM_EXLSX (libxlsxwriter refused
 * something) or HM_EIO (the file could not be written), with err set.
 */
hm_error hm_forms_write(sqlite3 *db, const char *path, const hm_forms_options *o,
                        hm_forms_stats *st, char *err, size_t errsz);

/*
 * True when rec, the first non-blank row after a sheet's header, is the
 * guidance row (see RULES FOR INGEST above).
 */
bool hm_forms_is_guidance(const hm_csv_record *rec);

/*
 * A label as the dropdowns offer it: ASCII double quotes become “ and ”
 * (a list typed into a validation cannot hold '"'; ingest accepts both).
 * Caller frees.
 */
char *hm_forms_label(const char *label);

/* True when a sheet of this name is one of the workbook's auxiliary sheets. */
bool hm_forms_aux_sheet(const char *name);

#endif
