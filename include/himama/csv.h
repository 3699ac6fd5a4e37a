/*
 * csv.h - a streaming RFC 4180 reader that hands out records as UTF-8.
 *
 * The reader pulls bytes from a FILE*, skips bom_len bytes, converts from
 * the given encoding to UTF-8 on the fly (iconv, for GB18030), and splits
 * records: comma separated, '"' quoting with '""' escapes, quoted fields may
 * hold commas and newlines; LF, CRLF and a lone CR each end a line.
 *
 * Rules it applies (DESIGN.md "Structure"):
 *   - Lines that are empty or hold only commas and white space (space, tab,
 *     U+3000, NBSP) outside quotes are skipped: not returned, not counted,
 *     but their lines still count for line numbers.
 *   - A quote inside an unquoted field is a literal character.
 *   - Text after a closing quote (other than white space before the next
 *     comma or line end) marks the record with an error; the record still
 *     extends to its normal end.
 *   - An unterminated quote at end of file: from the line where the quote
 *     opened, each physical line is returned as its own record marked with
 *     the error "unterminated quote opened at line N" (so every line a person
 *     sees is accounted for); the fields of such records are not meaningful.
 *   - A record longer than HM_CSV_MAX_RECORD bytes is marked with an error
 *     and its content is not kept (raw is truncated), but it is consumed to
 *     its end so the following records are read correctly.
 *   - Fields may contain NUL bytes; use the lengths.
 */
#ifndef HIMAMA_CSV_H
#define HIMAMA_CSV_H

#include <stdio.h>
#include <stddef.h>

#include "himama.h"
#include "himama/encoding.h"

#define HM_CSV_MAX_RECORD (8u << 20)   /* 8 MiB of UTF-8 */
/* Bytes of a record's raw text kept where a rejected row is recorded (the
 * rejects table), and of each cell written to a rejects file. */
#define HM_RAW_KEEP 1024

/* The length of s (n bytes of UTF-8) cut to at most max bytes, at the
 * start of a character. */
static inline size_t hm_raw_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

/*
 * One record.  All pointers are owned by the reader and valid until the
 * next hm_csv_next or hm_csv_close.  Each field is NUL-terminated (but may
 * hold NULs inside: use flen).
 */
typedef struct hm_csv_record {
    size_t nfield;
    char **field;
    size_t *flen;
    long line;            /* physical line where the record starts; 1 = first */
    long nlines;          /* physical lines the record spans */
    const char *raw;      /* the record as read, in UTF-8, without its line end */
    size_t raw_len;
    const char *error;    /* NULL, or why the record is malformed (English, lowercase) */
    int error_field;      /* 0-based field of the error, or -1 for the whole record */
} hm_csv_record;

typedef struct hm_csv_reader hm_csv_reader;

/*
 * Open a reader on fp (not closed by the reader), which is positioned at the
 * start of the file.  Returns NULL only when iconv cannot convert enc.
 */
hm_csv_reader *hm_csv_open(FILE *fp, hm_encoding enc, size_t bom_len);

/*
 * The same with bufsize bytes per read (0: the default; at most 1 MiB), so
 * that tests can make records, sequences and line ends cross refills.
 */
hm_csv_reader *hm_csv_open_bufsize(FILE *fp, hm_encoding enc, size_t bom_len,
                                   size_t bufsize);

/*
 * Read the next record into *rec.  Returns 1 for a record, 0 at end of
 * file, or -1 on a read or conversion error (*errmsg, owned by the reader,
 * says which, with the byte offset).  raw is NUL-terminated.  A record over
 * the size cap has nfield 0 and only the first 1 KiB of its raw text.  After
 * an unterminated quote, the reader seeks fp back to where it was at open
 * and re-reads it, so fp must then be seekable (a file is); the records from
 * the one holding the quote on are one per physical line, each with one
 * field holding the line.
 */
int hm_csv_next(hm_csv_reader *r, hm_csv_record *rec, const char **errmsg);

/* Bytes of the input consumed so far (for progress; it starts again from 0
 * when the input is re-read after an unterminated quote). */
unsigned long long hm_csv_offset(const hm_csv_reader *r);

/* Free the reader (NULL is fine); fp stays open. */
void hm_csv_close(hm_csv_reader *r);

/*
 * A source of records, whatever it reads: a CSV file (hm_csv_source) or a
 * workbook's sheet (hm_xlsx_source in xlsx_read.h).  Ingest reads every
 * unit through one, without knowing which.
 */
typedef struct hm_row_source {
    const char *file;     /* the file's path (borrowed) */
    const char *sheet;    /* the sheet's name (borrowed), or NULL for a CSV file */
    void *impl;           /* the reader */
    /* The next record into *rec: 1, 0 at the end, -1 with *errmsg set
     * (as hm_csv_next and hm_xlsx_next). */
    int (*next)(void *impl, hm_csv_record *rec, const char **errmsg);
    /* Bytes of input read so far, for progress. */
    unsigned long long (*offset)(const void *impl);
    /* Free the reader (not the file it reads). */
    void (*close)(void *impl);
} hm_row_source;

/* Where a record, or one of its fields, is in its source. */
typedef struct hm_row_position {
    const char *file;     /* the file's path */
    const char *sheet;    /* the sheet's name, or NULL for a CSV file */
    long line;            /* the CSV line, or the sheet's row as Excel numbers it */
    int column;           /* 1-based field, or 0 for the whole record */
} hm_row_position;

/* A source reading r, a reader of the file at path (both borrowed until
 * the source is closed; closing it closes r). */
hm_row_source hm_csv_source(hm_csv_reader *r, const char *path);

/* The position of field (0-based; -1: the whole record) of rec, read from src. */
hm_row_position hm_row_source_position(const hm_row_source *src, const hm_csv_record *rec,
                                       int field);

/*
 * The position as text, as messages about data name it:
 * "FILE:LINE:COLUMN" for a CSV file, "FILE:SHEET:ROW:COLUMN" for a sheet
 * (without ":COLUMN" for a whole record).  Returns out.
 */
char *hm_row_position_format(const hm_row_position *p, char *out, size_t outsz);

#endif
