/*
 * fuzz_xlsx.c - fuzzing harness for the workbook reader.
 *
 * The input is a whole .xlsx file (a zip archive of XML parts).  It is
 * written to a scratch file and opened through its descriptor, as ingest
 * does; every sheet is then read to its end, twice over for the first one
 * (two sheets of one book open at once), within the reader's budget.
 *
 * Invariants checked:
 *   - hm_xlsx_open_fd returns a book, or NULL with a message;
 *   - hm_xlsx_next returns 1, 0 or -1, then keeps returning 0 or -1;
 *     -1 comes with a message;
 *   - rows are numbered 1 to 1,048,576, increasing; nlines is 1;
 *   - every field is NUL-terminated at flen, raw is NUL-terminated at
 *     raw_len and at most HM_RAW_KEEP bytes, error_field is -1 or names a
 *     field, and a row without error has no more than 16,384 fields;
 *   - the bytes inflated never pass the book's budget.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "himama/xlsx_int.h"
#include "himama/xlsx_read.h"

/* Read sheet s to its end, checking each row. */
static void read_sheet(hm_xlsx_sheet *s)
{
    hm_csv_record rec;
    const char *msg;
    long last = 0;
    int got;
    while ((got = hm_xlsx_next(s, &rec, &msg)) == 1) {
        FUZZ_CHECK(rec.line >= 1 && rec.line <= 1048576);
        FUZZ_CHECK(rec.line > last);
        last = rec.line;
        FUZZ_CHECK(rec.nlines == 1);
        FUZZ_CHECK(rec.raw != NULL && rec.raw[rec.raw_len] == '\0');
        FUZZ_CHECK(rec.raw_len <= HM_RAW_KEEP);
        FUZZ_CHECK(rec.error_field >= -1 && rec.error_field < (int)rec.nfield + 16384);
        if (!rec.error)
            FUZZ_CHECK(rec.nfield <= 16384);
        for (size_t i = 0; i < rec.nfield && !rec.error; i++)
            FUZZ_CHECK(rec.field[i][rec.flen[i]] == '\0');
    }
    FUZZ_CHECK(got == 0 || got == -1);
    if (got < 0)
        FUZZ_CHECK(msg != NULL && msg[0] != '\0');
    int again = hm_xlsx_next(s, &rec, &msg);
    FUZZ_CHECK(again == got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char err[512];
    if (fd < 0) {
        FILE *tmp = tmpfile();
        FUZZ_CHECK(tmp != NULL);
        fd = dup(fileno(tmp));
        fclose(tmp);
        FUZZ_CHECK(fd >= 0);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);

    err[0] = '\0';
    hm_xlsx_book *b = hm_xlsx_open_fd(fd, "fuzz.xlsx", err, sizeof err);
    if (!b) {
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    size_t n = hm_xlsx_nsheets(b);
    FUZZ_CHECK(n <= HM_XLSX_MAX_SHEETS);
    for (size_t i = 0; i < n && i < 8; i++) {
        FUZZ_CHECK(hm_xlsx_sheet_name(b, i) != NULL);
        hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, i, err, sizeof err);
        if (!s)
            continue;
        hm_xlsx_sheet *t = i == 0 ? hm_xlsx_sheet_open(b, i, err, sizeof err) : NULL;
        read_sheet(s);
        if (t)
            read_sheet(t);
        hm_xlsx_sheet_close(t);
        hm_xlsx_sheet_close(s);
    }
    FUZZ_CHECK(b->inflated <= b->inflate_max + HM_XLSX_CHUNK);
    hm_xlsx_close(b);
    return 0;
}
