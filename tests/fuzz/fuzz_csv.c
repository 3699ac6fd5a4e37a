/*
 * fuzz_csv.c - fuzzing harness for encoding detection and the CSV reader.
 *
 * The input is a whole file.  It goes through encoding detection the way
 * ingest does (and, as a cross-check, once more fed in small chunks: the
 * verdict must not depend on how the bytes arrive); a file in an accepted
 * encoding is then read to its end through fmemopen twice, with a buffer
 * that holds all of it and with a tiny one, so that records, sequences and line
 * ends cross refills.  The two readings must give the same records.
 *
 * Invariants checked on every record:
 *   - hm_csv_next returns 1, 0 or -1; -1 (a conversion error) only for
 *     GB18030 input, never for UTF-8 read from memory;
 *   - lines are 1-based, increasing: a record starts at or after the line
 *     following the previous record (line + nlines), nlines >= 1;
 *   - nfield >= 1 unless the record is over the size cap, every field is
 *     NUL-terminated at flen, raw is NUL-terminated at raw_len, and fields
 *     and raw are valid UTF-8 (NULs aside);
 *   - error_field is -1 or names a field;
 *   - a record without error and without quotes is its raw text split at
 *     the commas, on one line, and is not blank (blank lines are skipped).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "himama/csv.h"
#include "himama/encoding.h"
#include "himama/util.h"

/* Whether s (n bytes) is valid UTF-8; NUL bytes are allowed. */
static bool valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Whether s (n bytes) holds only commas and blanks, as the reader skips. */
static bool blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == ',' || s[i] == ' ' || s[i] == '\t')
            i++;
        else if (n - i >= 2 && memcmp(s + i, "\xc2\xa0", 2) == 0)
            i += 2;
        else if (n - i >= 3 && memcmp(s + i, "\xe3\x80\x80", 3) == 0)
            i += 3;
        else
            return false;
    }
    return true;
}

/* Check one record's invariants. */
static void check_record(const hm_csv_record *rec, long next_line)
{
    FUZZ_CHECK(rec->line >= 1);
    FUZZ_CHECK(rec->nlines >= 1);
    FUZZ_CHECK(rec->line >= next_line);
    FUZZ_CHECK(rec->raw != NULL);
    FUZZ_CHECK(rec->raw[rec->raw_len] == '\0');
    FUZZ_CHECK(valid_utf8(rec->raw, rec->raw_len));
    FUZZ_CHECK(rec->nfield >= 1);   /* inputs are far below the size cap */
    FUZZ_CHECK(rec->field != NULL && rec->flen != NULL);
    for (size_t i = 0; i < rec->nfield; i++) {
        FUZZ_CHECK(rec->field[i] != NULL);
        FUZZ_CHECK(rec->field[i][rec->flen[i]] == '\0');
        FUZZ_CHECK(valid_utf8(rec->field[i], rec->flen[i]));
    }
    FUZZ_CHECK(rec->error_field >= -1);
    FUZZ_CHECK(rec->error_field < (int)rec->nfield);
    if (rec->error == NULL)
        FUZZ_CHECK(rec->error_field == -1);

    if (rec->error == NULL && memchr(rec->raw, '"', rec->raw_len) == NULL) {
        FUZZ_CHECK(rec->nlines == 1);
        FUZZ_CHECK(!blank_line(rec->raw, rec->raw_len));
        /* the raw text split at commas gives the fields */
        size_t f = 0, start = 0;
        for (size_t i = 0; i <= rec->raw_len; i++) {
            if (i < rec->raw_len && rec->raw[i] != ',')
                continue;
            FUZZ_CHECK(f < rec->nfield);
            FUZZ_CHECK(rec->flen[f] == i - start);
            FUZZ_CHECK(memcmp(rec->field[f], rec->raw + start, i - start) == 0);
            f++;
            start = i + 1;
        }
        FUZZ_CHECK(f == rec->nfield);
    }
}

/* Append a length-prefixed byte string to the transcript. */
static void put_bytes(hm_strbuf *t, const char *s, size_t n)
{
    hm_strbuf_addf(t, "%zu:", n);
    if (n)
        hm_strbuf_add(t, s, n);
}

/*
 * Read every record of data with the given buffer size, checking each, and
 * write a transcript of them into t for comparison.
 */
static int read_all(const uint8_t *data, size_t size, hm_encoding enc,
                     size_t bom_len, size_t bufsize, hm_strbuf *t)
{
    /* fmemopen refuses size 0; the reader sees the same empty input. */
    static const char empty[1];
    FILE *fp = fmemopen(size ? (void *)data : (void *)empty, size ? size : 1, "rb");
    FUZZ_CHECK(fp != NULL);
    if (size == 0)
        fgetc(fp);   /* at end: an empty file */
    hm_csv_reader *r = hm_csv_open_bufsize(fp, enc, bom_len, bufsize);
    FUZZ_CHECK(r != NULL);
    hm_csv_record rec;
    const char *errmsg = NULL;
    long next_line = 1;
    int rc;
    unsigned long nrec = 0;
    while ((rc = hm_csv_next(r, &rec, &errmsg)) == 1) {
        check_record(&rec, next_line);
        next_line = rec.line + rec.nlines;
        hm_strbuf_addf(t, "R%ld+%ld n%zu e%d|", rec.line, rec.nlines, rec.nfield,
                       rec.error_field);
        put_bytes(t, rec.raw, rec.raw_len);
        if (rec.error)
            put_bytes(t, rec.error, strlen(rec.error));
        for (size_t i = 0; i < rec.nfield; i++)
            put_bytes(t, rec.field[i], rec.flen[i]);
        FUZZ_CHECK(++nrec <= size + 1);   /* never more records than bytes */
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1) {
        FUZZ_CHECK(enc == HM_ENC_GB18030);
        FUZZ_CHECK(errmsg != NULL && *errmsg != '\0');
        hm_strbuf_addf(t, "E%s", errmsg);
        /* the error sticks */
        FUZZ_CHECK(hm_csv_next(r, &rec, &errmsg) == -1);
    } else {
        hm_strbuf_adds(t, "EOF");
        FUZZ_CHECK(hm_csv_next(r, &rec, &errmsg) == 0);
    }
    hm_csv_close(r);
    fclose(fp);
    return rc;
}

/* Detect the encoding of data, fed in chunks of chunk bytes (0: at once). */
static hm_error detect(const uint8_t *data, size_t size, size_t chunk,
                       hm_encoding *enc, size_t *bom_len, char *reason,
                       size_t reasonsz)
{
    hm_encdetect d;
    hm_encdetect_init(&d);
    if (chunk == 0) {
        hm_encdetect_feed(&d, data, size);
    } else {
        for (size_t i = 0; i < size; i += chunk)
            hm_encdetect_feed(&d, data + i, size - i < chunk ? size - i : chunk);
    }
    return hm_encdetect_finish(&d, enc, bom_len, reason, reasonsz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_encoding enc = HM_ENC_UTF8, enc2 = HM_ENC_UTF8;
    size_t bom_len = 0, bom_len2 = 0;
    char reason[256], reason2[256];
    reason[0] = reason2[0] = '\0';
    hm_error rc = detect(data, size, 0, &enc, &bom_len, reason, sizeof reason);
    size_t chunk = 1 + (size_t)(size ? data[size / 2] % 5 : 0);
    hm_error rc2 = detect(data, size, chunk, &enc2, &bom_len2, reason2, sizeof reason2);
    FUZZ_CHECK(rc == rc2);
    if (rc != HM_OK) {
        FUZZ_CHECK(rc == HM_EENCODING);
        FUZZ_CHECK(reason[0] != '\0');
        FUZZ_CHECK(strcmp(reason, reason2) == 0);
        return 0;
    }
    FUZZ_CHECK(enc == enc2 && bom_len == bom_len2);
    FUZZ_CHECK(bom_len <= 4 && bom_len <= size);

    hm_strbuf t1 = HM_STRBUF_INIT, t2 = HM_STRBUF_INIT;
    hm_strbuf_init(&t1);
    hm_strbuf_init(&t2);
    /* A buffer larger than the input reads it in one go, as the default
     * buffer does for any input libFuzzer makes, at a fraction of the cost
     * of allocating the default 256 KiB for every run. */
    int r1 = read_all(data, size, enc, bom_len, size + 16, &t1);
    size_t small = 1 + (size_t)(size ? (data[0] + size) % 7 : 0);
    int r2 = read_all(data, size, enc, bom_len, small, &t2);
    /* A conversion error is met after more or fewer records depending on
     * the buffer; otherwise the two readings agree exactly. */
    FUZZ_CHECK(r1 == r2);
    if (r1 == 0)
        FUZZ_CHECK(t1.len == t2.len && memcmp(t1.buf, t2.buf, t1.len) == 0);
    hm_strbuf_release(&t1);
    hm_strbuf_release(&t2);
    return 0;
}
