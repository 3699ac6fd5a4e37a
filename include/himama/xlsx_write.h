/*
 * xlsx_write.h - what every workbook himama writes shares (libxlsxwriter):
 * the report's tables (render_xlsx.c), the nominations (nominations_xlsx.c) and
 * the intake form (forms.c).  Opening with a clean error for a path that
 * cannot be written, the fixed document properties that make the bytes
 * depend on the data only, one mapping of lxw_error to hm_error with a
 * message, closing, and the text width that column widths are made from.
 *
 * Messages name the file as the caller shows it (shown), which may differ
 * from the file written (a temporary name renamed into place later).
 * Ownership: the caller owns the workbook from hm_xlsxw_open until
 * hm_xlsxw_close or hm_xlsxw_discard, which both free it.
 */
#ifndef HIMAMA_XLSX_WRITE_H
#define HIMAMA_XLSX_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xlsxwriter.h>

#include "himama.h"

/* How a workbook is opened. */
typedef struct hm_xlsxw_opts {
    bool constant_memory;    /* rows flushed as written: sheets strictly top to bottom */
    bool zip64;              /* allow a file over 4 GB */
    const char *shown;       /* the file's name in messages; NULL: the path */
} hm_xlsxw_opts;

/* The document properties a caller chooses; the rest are fixed. */
typedef struct hm_xlsxw_props {
    const char *title;       /* NULL: none */
    const char *subject;     /* NULL: none */
    const char *author;      /* NULL or "": "himama" */
    const char *company;     /* NULL: none */
    int64_t created;         /* creation time, seconds since the epoch (fixed for
                                reproducible bytes) */
} hm_xlsxw_props;

/*
 * Start a workbook at path.  The path is tried first (libxlsxwriter opens
 * it only when closing, and prints its own message when that fails), so
 * a missing directory or a denied permission is HM_EIO with err naming
 * the file; HM_EXLSX when libxlsxwriter cannot start.  On failure no file
 * is left at path and *out is NULL; on success *out is the caller's.
 */
hm_error hm_xlsxw_open(const char *path, const hm_xlsxw_opts *o, lxw_workbook **out,
                       char *err, size_t errsz);

/*
 * Set wb's document properties from p, with the comments "himama"
 * and the program's version; HM_EXLSX with err set on failure.
 */
hm_error hm_xlsxw_properties(lxw_workbook *wb, const hm_xlsxw_props *p, char *err,
                             size_t errsz);

/* The hm_error for e: HM_EIO when a file could not be created, else HM_EXLSX. */
hm_error hm_xlsxw_error(lxw_error e);

/*
 * Record e in err as the printf-formatted fmt, ": " and libxlsxwriter's
 * message; returns hm_xlsxw_error(e).
 */
hm_error hm_xlsxw_fail(lxw_error e, char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same for a cell: "sheet 'S' cell B7: message" (sheet NULL: "?"). */
hm_error hm_xlsxw_fail_cell(lxw_error e, const char *sheet, lxw_row_t row, lxw_col_t col,
                            char *err, size_t errsz);

/*
 * Write wb to path and free it (whatever happens).  On failure err names
 * the file as shown (NULL: path), path is removed, and the return value
 * is hm_xlsxw_error of libxlsxwriter's error.
 */
hm_error hm_xlsxw_close(lxw_workbook *wb, const char *path, const char *shown, char *err,
                        size_t errsz);

/* After a failure: free wb (NULL is fine) unwritten and remove path. */
void hm_xlsxw_discard(lxw_workbook *wb, const char *path);

/*
 * Estimated width of s in column units, for column widths: its widest
 * line, a wide character (CJK, full-width forms) counting 2 and any
 * other narrow (1.1 for the report's proportional font, 1 where a writer
 * adds its own margin).
 */
double hm_xlsxw_text_width(const char *s, double narrow);

#endif
