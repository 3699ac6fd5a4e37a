/*
 * xlsx_read.c - the sheets of an .xlsx workbook as rows (see xlsx_read.h);
 * the book itself is opened in xlsx_book.c.
 *
 * A sheet is parsed in chunks: hm_xlsx_next feeds expat decompressed data
 * until the end of a <row> element, where the handler suspends the parser
 * (XML_StopParser with resumable set); the next call resumes it.  So the
 * only per-sheet memory is the row being built and one input chunk.  A
 * row is capped at HM_CSV_MAX_RECORD bytes.
 */
#include "himama/xlsx_int.h"

#include <minizip/unzip.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 16384                /* column XFD */
#define MAX_ROWS 1048576
#define MAX_SERIAL 2958465.0          /* 9999-12-31 */

/* ---- values ---- */

/* Copy s into out, cut to 19 bytes. */
static void copy20(char out[20], const char *s)
{
    size_t k = strlen(s);
    if (k > 19)
        k = 19;
    memcpy(out, s, k);
    out[k] = '\0';
}

bool hm_xlsx_serial_text(double serial, bool date1904, bool time_only, char out[20])
{
    if (!isfinite(serial) || serial < 0 || serial >= MAX_SERIAL + 1)
        return false;
    double day = floor(serial);
    long long secs = llround((serial - day) * 86400.0);
    long days = (long)day;
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    char tmp[64];   /* the compiler cannot see that the fields fit 20 bytes */
    if (time_only && days == 0) {
        snprintf(tmp, sizeof tmp, "%02d:%02d:%02d", hh, mi, ss);
        copy20(out, tmp);
        return true;
    }
    int y, m, d;
    if (date1904) {
        hm_civil_from_days((int32_t)(hm_days_from_civil(1904, 1, 1) + days), &y, &m, &d);
    } else if (days == 60) {
        /* Excel's 1900 leap-year bug: serial 60 is the day that never was. */
        y = 1900, m = 2, d = 29;
    } else {
        /* Serial 1 is 1900-01-01; from 61 on, every serial is one day late. */
        int32_t base = days < 60 ? hm_days_from_civil(1899, 12, 31)
                                 : hm_days_from_civil(1899, 12, 30);
        hm_civil_from_days((int32_t)(base + days), &y, &m, &d);
    }
    if (secs == 0)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
    copy20(out, tmp);
    return true;
}

/* A number as text: integers without ".0", others with up to 15 significant digits. */
static void number_text(double v, char *out, size_t outsz)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, outsz, "%.0f", v == 0 ? 0.0 : v);  /* no "-0" */
        return;
    }
    snprintf(out, outsz, "%.15g", v);
}

/* Parse a whole string as a number (C locale); false when it is not one. */
static bool parse_number(const char *s, double *v)
{
    char *end;
    if (!*s)
        return false;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0' && errno != ERANGE && isfinite(*v);
}

/*
 * An ISO 8601 date-time cell (t="d"): "2026-10-01", "2026-10-01T10:30:00",
 * maybe with fractions or a zone, shown as the reader shows dates; the
 * text is kept when it is not of that form.
 */
static void iso_text(const char *v, hm_strbuf *out)
{
    int y, m, d, hh = 0, mi = 0, ss = 0, n = 0;
    if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && hm_date_valid(y, m, d)) {
        if (v[10] == 'T' && sscanf(v + 11, "%2d:%2d:%2d", &hh, &mi, &ss) >= 2 && hh < 24 &&
            mi < 60 && ss < 61) {
            if (hh || mi || ss)
                hm_strbuf_addf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
            else
                hm_strbuf_addf(out, "%04d-%02d-%02d", y, m, d);
            return;
        }
        if (v[10] == '\0') {
            hm_strbuf_addf(out, "%04d-%02d-%02d", y, m, d);
            return;
        }
    }
    if (sscanf(v, "%2d:%2d:%2d%n", &hh, &mi, &ss, &n) == 3 && v[n] == '\0') {
        hm_strbuf_addf(out, "%02d:%02d:%02d", hh, mi, ss);
        return;
    }
    hm_strbuf_adds(out, v);
}

/* ---- sheets ---- */

struct hm_xlsx_sheet {
    xml_ctx x;               /* first: handlers get the sheet as user data */
    hm_xlsx_book *b;
    const char *name;        /* the book's */
    unzFile zf;
    bool file_open;
    char *buf;
    bool suspended, final_fed, done, failed;
    hm_strbuf errmsg;
    unsigned long long offset;

    /* where the parser is */
    int in_sheetdata, in_row, in_cell, in_v, in_is, in_t, in_rph;
    long row_num, last_row;
    long next_col;           /* 0-based column the next cell goes to */
    long cell_col;
    char ctype[16];
    long cstyle;
    hm_strbuf v, is;         /* the cell's <v> text and inline-string text */

    /* the row being built: field i is data.buf + off[i], len[i] bytes */
    hm_strbuf data;
    size_t *off, *len;
    size_t nfield, afield;
    const char *row_err;
    int row_err_field;
    char row_errbuf[160];
    bool row_ready;

    /* the record handed out */
    char **fieldp;
    size_t afieldp;
    hm_strbuf raw;
    long width;              /* fields of the header, -1 until it is read */
};

/* Mark the current row as malformed (the first reason wins). */
static void row_error(hm_xlsx_sheet *s, int field, const char *fmt, const char *arg)
{
    if (s->row_err)
        return;
    snprintf(s->row_errbuf, sizeof s->row_errbuf, fmt, arg);
    s->row_err = s->row_errbuf;
    s->row_err_field = field;
}

/* Append one field of n bytes to the row. */
static void row_push(hm_xlsx_sheet *s, const char *text, size_t n)
{
    if (s->nfield == s->afield) {
        s->afield = s->afield ? 2 * s->afield : 32;
        s->off = hm_xrealloc(s->off, s->afield * sizeof *s->off);
        s->len = hm_xrealloc(s->len, s->afield * sizeof *s->len);
    }
    if (s->data.len + n + 1 > HM_CSV_MAX_RECORD) {
        row_error(s, -1, "row longer than %s bytes", "8 MiB");
        n = 0;
    }
    s->off[s->nfield] = s->data.len;
    s->len[s->nfield] = n;
    hm_strbuf_add(&s->data, text, n);
    hm_strbuf_addc(&s->data, '\0');
    s->nfield++;
}

/*
 * A cell reference's column ("AB12" -> 27); -1 when it is not a reference.
 * The row part is not checked against the row: the row element says it.
 */
static long ref_column(const char *ref)
{
    long col = 0;
    const char *p = ref;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        col = col * 26 + ((*p | 0x20) - 'a' + 1);
        if (col > MAX_COLS)
            return -1;
        p++;
    }
    if (p == ref || !(*p >= '1' && *p <= '9'))
        return -1;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p ? -1 : col - 1;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    hm_xlsx_sheet *s = ud;
    const char *ln = hm_xlsx_local_name(name);

    if (!s->in_sheetdata) {
        if (strcmp(ln, "sheetData") == 0)
            s->in_sheetdata = 1;
        return;
    }
    if (!s->in_row) {
        if (strcmp(ln, "row") != 0)
            return;
        const char *r = hm_xlsx_attr(atts, "r");
        s->in_row = 1;
        s->nfield = 0;
        hm_strbuf_reset(&s->data);
        s->row_err = NULL;
        s->row_err_field = -1;
        s->next_col = 0;
        s->row_num = s->last_row + 1;
        if (r) {
            char *end;
            long n = strtol(r, &end, 10);
            if (*end || n < 1 || n > MAX_ROWS)
                row_error(s, -1, "bad row number '%s'", r);
            else
                s->row_num = n;
        }
        return;
    }
    if (!s->in_cell) {
        if (strcmp(ln, "c") != 0)
            return;
        const char *r = hm_xlsx_attr(atts, "r");
        const char *t = hm_xlsx_attr(atts, "t");
        const char *st = hm_xlsx_attr(atts, "s");
        s->in_cell = 1;
        hm_strbuf_reset(&s->v);
        hm_strbuf_reset(&s->is);
        snprintf(s->ctype, sizeof s->ctype, "%s", t ? t : "n");
        s->cstyle = st ? strtol(st, NULL, 10) : 0;
        s->cell_col = s->next_col;
        if (r) {
            long c = ref_column(r);
            if (c < 0)
                row_error(s, (int)s->nfield, "bad cell reference '%s'", r);
            else if (c < s->next_col)
                row_error(s, (int)s->nfield, "cell '%s' out of order", r);
            else
                s->cell_col = c;
        }
        if (s->cell_col >= MAX_COLS) {
            row_error(s, -1, "more than %s columns", "16384");
            s->cell_col = s->next_col;
        }
        return;
    }
    if (strcmp(ln, "v") == 0)
        s->in_v = 1;
    else if (strcmp(ln, "is") == 0)
        s->in_is = 1;
    else if (s->in_is && strcmp(ln, "rPh") == 0)
        s->in_rph++;
    else if (s->in_is && strcmp(ln, "t") == 0)
        s->in_t = 1;
}

/* Turn the finished cell into its field (and empty fields for skipped columns). */
static void cell_finish(hm_xlsx_sheet *s)
{
    hm_strbuf val = HM_STRBUF_INIT;
    const char *v = s->v.buf ? s->v.buf : "";
    const char *t = s->ctype;
    hm_xlsx_book *b = s->b;

    hm_strbuf_grow(&val, 0);
    if (strcmp(t, "s") == 0) {
        char *end;
        unsigned long long i = strtoull(v, &end, 10);
        if (!*v || *end || i >= b->nsst)
            row_error(s, (int)s->cell_col, "shared string index '%s' out of range", v);
        else
            hm_strbuf_add(&val, b->sst.buf + b->sst_off[i], b->sst_off[i + 1] - b->sst_off[i] - 1);
    } else if (strcmp(t, "inlineStr") == 0) {
        hm_xlsx_xstring_append(&val, s->is.buf ? s->is.buf : "", s->is.len);
    } else if (strcmp(t, "str") == 0) {
        hm_xlsx_xstring_append(&val, v, s->v.len);
    } else if (strcmp(t, "b") == 0) {
        hm_strbuf_adds(&val, strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ? "FALSE" : v);
    } else if (strcmp(t, "d") == 0) {
        iso_text(v, &val);
    } else if (strcmp(t, "e") == 0) {
        hm_strbuf_adds(&val, v);
    } else {
        double d;
        char num[40];
        int kind = s->cstyle >= 0 && (size_t)s->cstyle < b->nxf ? b->xf[s->cstyle] : XF_NUMBER;
        if (!*v) {
            /* an empty or styled-only cell */
        } else if (!parse_number(v, &d)) {
            hm_strbuf_adds(&val, v);
        } else if (kind != XF_NUMBER && hm_xlsx_serial_text(d, b->date1904, kind == XF_TIME, num)) {
            hm_strbuf_adds(&val, num);
        } else {
            number_text(d, num, sizeof num);
            hm_strbuf_adds(&val, num);
        }
    }
    while (s->next_col < s->cell_col) {
        row_push(s, "", 0);
        s->next_col++;
    }
    row_push(s, val.buf, val.len);
    s->next_col = s->cell_col + 1;
    hm_strbuf_release(&val);
}

static void sheet_end(void *ud, const XML_Char *name)
{
    hm_xlsx_sheet *s = ud;
    const char *ln = hm_xlsx_local_name(name);

    if (!s->in_sheetdata)
        return;
    if (s->in_cell) {
        if (strcmp(ln, "v") == 0)
            s->in_v = 0;
        else if (strcmp(ln, "t") == 0)
            s->in_t = 0;
        else if (strcmp(ln, "rPh") == 0 && s->in_rph)
            s->in_rph--;
        else if (strcmp(ln, "is") == 0)
            s->in_is = 0;
        else if (strcmp(ln, "c") == 0) {
            s->in_cell = s->in_v = s->in_is = s->in_t = s->in_rph = 0;
            cell_finish(s);
        }
        return;
    }
    if (s->in_row && strcmp(ln, "row") == 0) {
        s->in_row = 0;
        s->last_row = s->row_num;
        s->row_ready = true;
        XML_StopParser(s->x.p, XML_TRUE);   /* hand the row out; resumed by the next call */
        return;
    }
    if (strcmp(ln, "sheetData") == 0)
        s->in_sheetdata = 0;
}

static void sheet_text(void *ud, const XML_Char *text, int len)
{
    hm_xlsx_sheet *s = ud;
    hm_strbuf *to = NULL;
    if (!s->in_cell)
        return;
    if (s->in_v)
        to = &s->v;
    else if (s->in_is && s->in_t && !s->in_rph)
        to = &s->is;
    if (!to)
        return;
    if (to->len + (size_t)len > HM_CSV_MAX_RECORD) {
        row_error(s, (int)s->cell_col, "cell longer than %s bytes", "8 MiB");
        return;
    }
    hm_strbuf_add(to, text, (size_t)len);
}

hm_xlsx_sheet *hm_xlsx_sheet_open(hm_xlsx_book *b, size_t i, char *err, size_t errsz)
{
    hm_xlsx_sheet *s = NULL;
    if (i >= b->nsheets) {
        snprintf(err, errsz, "'%s' has no sheet %zu", b->path, i + 1);
        return NULL;
    }
    const sheet_info *si = &b->sheets[i];
    if (!si->part) {
        snprintf(err, errsz, "'%s': sheet '%s' has no part in the workbook", b->path, si->name);
        return NULL;
    }
    s = hm_xcalloc(1, sizeof *s);
    s->b = b;
    s->name = si->name;
    s->width = -1;
    s->zf = hm_xlsx_unz_open(b);
    if (!s->zf) {
        snprintf(err, errsz, "cannot reopen '%s'", b->path);
        goto fail;
    }
    if (unzLocateFile(s->zf, si->part, 2) != UNZ_OK) {
        snprintf(err, errsz, "'%s': sheet '%s' is missing its part '%s'", b->path, si->name,
                 si->part);
        goto fail;
    }
    if (unzOpenCurrentFile(s->zf) != UNZ_OK) {
        snprintf(err, errsz, "'%s': sheet '%s' cannot be opened (damaged or encrypted)",
                 b->path, si->name);
        goto fail;
    }
    s->file_open = true;
    if (!hm_xlsx_parser_new(&s->x, s)) {
        snprintf(err, errsz, "out of memory");
        goto fail;
    }
    XML_SetElementHandler(s->x.p, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(s->x.p, sheet_text);
    s->buf = hm_xmalloc(HM_XLSX_CHUNK);
    return s;
fail:
    hm_xlsx_sheet_close(s);
    return NULL;
}

/* Stop for good with a message naming the sheet. */
static int sheet_fail(hm_xlsx_sheet *s, const char *what, const char **errmsg)
{
    s->failed = true;
    hm_strbuf_reset(&s->errmsg);
    hm_strbuf_addf(&s->errmsg, "sheet '%s': %s", s->name, what);
    *errmsg = s->errmsg.buf;
    return -1;
}

/* True when f is all spaces (hm_utf8_space), or empty. */
static bool blank_field(const char *f, size_t n)
{
    size_t k;
    while (n > 0 && (k = hm_utf8_space(f, n)) > 0) {
        f += k;
        n -= k;
    }
    return n == 0;
}

/* Append field f to raw, quoted as in CSV when it needs to be. */
static void raw_add(hm_strbuf *raw, const char *f, size_t n)
{
    if (!memchr(f, ',', n) && !memchr(f, '"', n) && !memchr(f, '\n', n) && !memchr(f, '\r', n)) {
        hm_strbuf_add(raw, f, n);
        return;
    }
    hm_strbuf_addc(raw, '"');
    for (size_t i = 0; i < n; i++) {
        if (f[i] == '"')
            hm_strbuf_addc(raw, '"');
        hm_strbuf_addc(raw, f[i]);
    }
    hm_strbuf_addc(raw, '"');
}

/* Fill rec from the finished row; false when the row is blank (skip it). */
static bool row_finish(hm_xlsx_sheet *s, hm_csv_record *rec)
{
    bool blank = true;
    for (size_t i = 0; i < s->nfield && blank; i++)
        blank = blank_field(s->data.buf + s->off[i], s->len[i]);
    if (blank && !s->row_err)
        return false;

    while (s->nfield > 0 && s->len[s->nfield - 1] == 0)
        s->nfield--;
    if (s->width < 0)
        s->width = (long)s->nfield;
    while (s->nfield < (size_t)s->width)
        row_push(s, "", 0);

    if (s->afieldp < s->nfield + 1) {
        s->afieldp = s->nfield + 1;
        s->fieldp = hm_xrealloc(s->fieldp, s->afieldp * sizeof *s->fieldp);
    }
    hm_strbuf_reset(&s->raw);
    hm_strbuf_grow(&s->raw, 0);
    for (size_t i = 0; i < s->nfield; i++) {
        s->fieldp[i] = s->data.buf + s->off[i];
        /* The raw text is only kept as a reject's record: HM_RAW_KEEP bytes
         * of it (a cell of 8 MiB or 16,384 cells are not copied again). */
        if (s->raw.len >= HM_RAW_KEEP)
            continue;
        if (i)
            hm_strbuf_addc(&s->raw, ',');
        raw_add(&s->raw, s->fieldp[i],
                s->len[i] < HM_RAW_KEEP + 4 ? s->len[i] : HM_RAW_KEEP + 4);
    }
    if (s->raw.len > HM_RAW_KEEP)
        s->raw.len = hm_raw_cut(s->raw.buf, s->raw.len, HM_RAW_KEEP);
    s->raw.buf[s->raw.len] = '\0';
    s->fieldp[s->nfield] = NULL;
    memset(rec, 0, sizeof *rec);
    rec->nfield = s->nfield;
    rec->field = s->fieldp;
    rec->flen = s->len;
    rec->line = s->row_num;
    rec->nlines = 1;
    rec->raw = s->raw.buf;
    rec->raw_len = s->raw.len;
    rec->error = s->row_err;
    rec->error_field = s->row_err ? s->row_err_field : -1;
    return true;
}

int hm_xlsx_next(hm_xlsx_sheet *s, hm_csv_record *rec, const char **errmsg)
{
    *errmsg = NULL;
    for (;;) {
        enum XML_Status st;
        if (s->failed) {
            *errmsg = s->errmsg.buf;
            return -1;
        }
        if (s->done)
            return 0;
        if (s->suspended) {
            s->suspended = false;
            st = XML_ResumeParser(s->x.p);
        } else if (s->final_fed) {
            s->done = true;
            s->file_open = false;
            if (unzCloseCurrentFile(s->zf) != UNZ_OK)
                return sheet_fail(s, "damaged data (checksum mismatch)", errmsg);
            continue;
        } else {
            int n = unzReadCurrentFile(s->zf, s->buf, HM_XLSX_CHUNK);
            if (n < 0)
                return sheet_fail(s, "damaged compressed data", errmsg);
            char why[256];
            if (!hm_xlsx_inflate_count(s->b, (size_t)n, why, sizeof why))
                return sheet_fail(s, why, errmsg);
            s->offset += (unsigned long long)n;
            s->final_fed = n == 0;
            st = XML_Parse(s->x.p, s->buf, n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            char what[320];
            snprintf(what, sizeof what, "xml error at line %lu: %s",
                     (unsigned long)XML_GetCurrentLineNumber(s->x.p),
                     s->x.err[0] ? s->x.err : XML_ErrorString(XML_GetErrorCode(s->x.p)));
            return sheet_fail(s, what, errmsg);
        }
        if (st == XML_STATUS_SUSPENDED)
            s->suspended = true;
        if (s->row_ready) {
            s->row_ready = false;
            if (row_finish(s, rec))
                return 1;
        }
    }
}

unsigned long long hm_xlsx_offset(const hm_xlsx_sheet *s)
{
    return s->offset;
}

void hm_xlsx_sheet_close(hm_xlsx_sheet *s)
{
    if (!s)
        return;
    if (s->x.p)
        XML_ParserFree(s->x.p);
    if (s->zf) {
        if (s->file_open)
            unzCloseCurrentFile(s->zf);
        unzClose(s->zf);
    }
    free(s->buf);
    hm_strbuf_release(&s->errmsg);
    hm_strbuf_release(&s->v);
    hm_strbuf_release(&s->is);
    hm_strbuf_release(&s->data);
    hm_strbuf_release(&s->raw);
    free(s->off);
    free(s->len);
    free(s->fieldp);
    free(s);
}

/* The row-source face of the sheet reader. */
static int source_next(void *impl, hm_csv_record *rec, const char **errmsg)
{
    return hm_xlsx_next(impl, rec, errmsg);
}

static unsigned long long source_offset(const void *impl)
{
    return hm_xlsx_offset(impl);
}

static void source_close(void *impl)
{
    hm_xlsx_sheet_close(impl);
}

hm_row_source hm_xlsx_source(hm_xlsx_sheet *s, const char *path)
{
    return (hm_row_source){ .file = path, .sheet = s->name, .impl = s, .next = source_next,
                            .offset = source_offset, .close = source_close };
}
