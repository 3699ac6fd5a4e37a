/*
 * xlsx_read.h - read the sheets of an .xlsx workbook as rows of text, in
 * the same record struct as the CSV reader (csv.h), so that ingest can
 * treat a sheet like a CSV file.
 *
 * The zip container is read with minizip and the XML with expat.  A sheet
 * is streamed: its XML is decompressed and parsed chunk by chunk and one
 * row is held at a time, so a sheet of a million rows needs no more memory
 * than one row (plus the workbook's shared-string table, which any cell may
 * refer to and is therefore kept whole).
 *
 * What a cell becomes (always UTF-8 text):
 *   - shared strings (also rich text: the runs are joined; phonetic
 *     guides are left out), inline strings and formula string results: the
 *     text, with the OOXML escapes "_xHHHH_" decoded;
 *   - numbers: integers without ".0" ("42", "13812345678"), other numbers
 *     with at most 15 significant digits ("1000.5", "0.3");
 *   - numbers whose cell style has a date format (built-in formats 14-22,
 *     27-36, 45-47, 50-58, or a custom code holding d, m, y, h or s outside
 *     quotes and brackets): "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when the
 *     value has a time part, "HH:MM:SS" for a time-only format below one
 *     day; the workbook's date system (1900, or 1904 when workbookPr says
 *     date1904) is honoured, and so is Excel's 1900 leap-year bug (serial
 *     60 is "1900-02-29", which is not a date and so is rejected later);
 *   - booleans: "TRUE" or "FALSE"; error values as shown ("#N/A");
 *   - ISO dates stored as text cells (t="d"): as for date-formatted numbers;
 *   - formulas: their cached value (the formula itself is never used).
 *
 * Rows (hm_csv_record):
 *   - line is the worksheet row number as Excel shows it (1-based) and
 *     nlines is 1; raw is the row's fields joined with commas, each quoted
 *     as in CSV when it holds a comma, quote or line break;
 *   - a column skipped in the XML (cell refs such as "C5" say where each
 *     cell goes) is an empty field;
 *   - rows missing from the XML are not returned (their numbers are simply
 *     skipped), and rows whose fields are all empty or white space (space,
 *     tab, U+3000, NBSP) are skipped and not returned either, as blank CSV
 *     lines are;
 *   - the first row returned is the header.  Its trailing empty fields are
 *     dropped; every later row has its trailing empty fields dropped and is
 *     then padded with empty fields to the header's width (spreadsheets do
 *     not store empty trailing cells).  A row that still has more fields
 *     than the header really has a value beyond it, and ingest rejects it
 *     as it would a CSV row;
 *   - merged cells: the value is in the top-left cell, the others are empty;
 *   - a malformed row (a bad cell reference, cells out of order, a shared
 *     string index out of range, a row over HM_CSV_MAX_RECORD bytes) is
 *     returned with error set (English, lowercase) and error_field the
 *     0-based field at fault or -1; its fields are not meaningful.
 *
 * Ownership: the book owns its sheet names and the shared strings; a sheet
 * owns the records it hands out (valid until the next hm_xlsx_next or
 * hm_xlsx_sheet_close).  A sheet borrows from its book: close every sheet
 * before the book.  Several sheets of one book may be open at once.
 * Nothing here prints or exits.
 */
#ifndef HIMAMA_XLSX_READ_H
#define HIMAMA_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/csv.h"

typedef struct hm_xlsx_book hm_xlsx_book;
typedef struct hm_xlsx_sheet hm_xlsx_sheet;

/*
 * Open the workbook at path and read its sheet list, date system, styles
 * and shared strings.  Returns NULL when the file cannot be read or is not
 * an xlsx workbook (a CSV or other file renamed .xlsx, an old .xls or a
 * password-protected workbook, a truncated or damaged zip, a missing or
 * malformed workbook part); err (errsz bytes) then says why, naming the
 * file.  Free the result with hm_xlsx_close.
 */
hm_xlsx_book *hm_xlsx_open(const char *path, char *err, size_t errsz);

/*
 * The same for the workbook already open on fd (a regular file, read from
 * offset 0 with pread, so the caller's file offset does not matter); name
 * is the path shown in messages.  fd is borrowed: keep it open until the
 * book and its sheets are closed.  hm_xlsx_open opens path with
 * hm_open_input (never through a link) and then does this.
 *
 * Hostile workbooks are refused with a reason naming the file: more than
 * HM_XLSX_MAX_SHEETS sheets, two sheets naming one part, more cell styles
 * or number formats than Excel allows, shared strings costing more than
 * 64 MiB of memory, or parts inflating to more than 16 times the file (at
 * least 4 MiB, at most 2 GiB; a sheet read past that fails with the same
 * reason).
 */
hm_xlsx_book *hm_xlsx_open_fd(int fd, const char *name, char *err, size_t errsz);

/* Number of sheets, in the workbook's order (the tabs' order). */
size_t hm_xlsx_nsheets(const hm_xlsx_book *b);

/* Name of sheet i (owned by the book), or NULL when i is out of range. */
const char *hm_xlsx_sheet_name(const hm_xlsx_book *b, size_t i);

/* True when sheet i is hidden (or very hidden) in the workbook. */
bool hm_xlsx_sheet_hidden(const hm_xlsx_book *b, size_t i);

/* True when the workbook uses the 1904 date system. */
bool hm_xlsx_date1904(const hm_xlsx_book *b);

/*
 * Start reading sheet i.  Returns NULL with err set when i is out of range
 * or the sheet's part is missing from the archive.  Free the result with
 * hm_xlsx_sheet_close, before closing the book.
 */
hm_xlsx_sheet *hm_xlsx_sheet_open(hm_xlsx_book *b, size_t i, char *err, size_t errsz);

/*
 * Read the next non-blank row of the sheet into *rec (see above).
 * Returns 1 for a row, 0 at the end of the sheet, -1 when the sheet cannot
 * be read further (damaged compressed data, malformed XML); *errmsg (owned
 * by the sheet, valid until it is closed) then says why, with the sheet's
 * name and the XML line.  After -1 or 0, further calls return the same.
 */
int hm_xlsx_next(hm_xlsx_sheet *s, hm_csv_record *rec, const char **errmsg);

/* Uncompressed bytes of the sheet's XML read so far (for progress). */
unsigned long long hm_xlsx_offset(const hm_xlsx_sheet *s);

/* Stop reading and free the sheet.  Accepts NULL. */
void hm_xlsx_sheet_close(hm_xlsx_sheet *s);

/* A row source (csv.h) reading s, a sheet of the workbook at path (both
 * borrowed until the source is closed; closing it closes s). */
hm_row_source hm_xlsx_source(hm_xlsx_sheet *s, const char *path);

/* Free the workbook.  Accepts NULL. */
void hm_xlsx_close(hm_xlsx_book *b);

/*
 * Convert an Excel serial date to text as the reader does: "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM:SS" when there is a time part, or "HH:MM:SS" when
 * time_only is true and serial is below 1.  date1904 picks the date
 * system.  Returns false (out untouched) for a serial that is no date
 * (negative, not finite, after 9999-12-31).  out has room for 20 bytes.
 */
bool hm_xlsx_serial_text(double serial, bool date1904, bool time_only, char out[20]);

#endif
