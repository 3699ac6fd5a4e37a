/*
 * csv.c - the streaming RFC 4180 reader (rules in csv.h).
 *
 * Design notes.
 *
 * Input is read in large blocks.  UTF-8 input is scanned in the read buffer
 * itself; GB18030 input is converted by iconv, a block at a time, into a
 * UTF-8 buffer, and a multi-byte sequence cut by the end of a block stays
 * at the front of the input buffer until the next read completes it.  Either
 * way the scanner sees one buffer of UTF-8, d[dpos..dend).
 *
 * The scanner is a small state machine (start of field, unquoted, quoted,
 * quote seen inside quotes, text after a closing quote, whole line).  Each
 * state skips over ordinary bytes with a table lookup and copies the span in
 * one go into the field buffer, so the cost per record is a few memcpy calls
 * and no allocation once the buffers have grown.  Fields are stored one
 * after another in fb, each followed by a NUL; their pointers are made only
 * when the record is complete, because fb may move while it grows.
 *
 * The raw text of a record that lies wholly in the current buffer is handed
 * out in place: the byte after it (its line end, already consumed, or the
 * spare byte past the data) is overwritten with a NUL.  A record that
 * crosses a refill has its raw text gathered in r->raw instead.
 *
 * An unterminated quote is only known at end of file, when the record that
 * holds it may be far larger than anything kept.  The reader then seeks back
 * to the start and reads the input again as plain physical lines, returning
 * each line from the record's first line on as its own record.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "himama/csv.h"
#include "himama/util.h"

#define CSV_BUFSIZE (256u << 10)   /* default bytes per read */
#define CSV_BUFSIZE_MAX (1u << 20) /* a buffer never exceeds the record cap */
#define CSV_RAW_KEEP 1024          /* raw bytes kept of an overlong record */

/* Scanner states. */
enum {
    ST_FIELD,   /* at the start of a field */
    ST_UNQ,     /* inside an unquoted field */
    ST_QUO,     /* inside a quoted field */
    ST_QSEEN,   /* a quote seen inside a quoted field: end or escape */
    ST_AFTER,   /* after a closing quote, before the comma or line end */
    ST_LINE     /* a whole physical line (after an unterminated quote) */
};

/* Reader modes. */
enum {
    MODE_RECORDS,   /* normal reading */
    MODE_LINES,     /* re-reading physical lines after an unterminated quote */
    MODE_DONE,      /* end of file returned */
    MODE_ERROR      /* a read or conversion error returned; sticky */
};

/* Bytes that end a span: in unquoted text, in quoted text, in a line. */
static const unsigned char special_unq[256] = { [','] = 1, ['\r'] = 1, ['\n'] = 1 };
static const unsigned char special_quo[256] = { ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };
static const unsigned char special_line[256] = { ['\r'] = 1, ['\n'] = 1 };

struct hm_csv_reader {
    FILE *fp;
    hm_encoding enc;
    size_t bom_len;
    off_t start_pos;             /* file position at open, for re-reading */
    iconv_t cd;                  /* (iconv_t)-1 for UTF-8 input */
    size_t readsz;               /* bytes asked for per fread */
    char *in;                    /* raw input awaiting conversion (GB18030) */
    size_t incap, inlen;
    int in_eof;                  /* fread has reported end of file */
    char *d;                     /* UTF-8 data being scanned */
    size_t dcap;                 /* usable bytes of d (one more allocated) */
    size_t dpos, dend;
    unsigned long long offset;   /* input bytes read */
    unsigned long long conv_at;  /* input offset of in[0] */
    int mode;
    long line;                   /* physical line at dpos, 1-based */
    int skip_lf;                 /* a record ended at CR: skip an LF next */
    hm_strbuf fb;                /* field bytes, each field NUL-terminated */
    size_t *foff, *flen;
    char **field;
    size_t nfield, nfcap;
    hm_strbuf raw;               /* raw text of a record crossing refills */
    int overlong;
    long uq_from, uq_open;       /* unterminated quote: first line, opened at */
    char uqmsg[64];
    char errbuf[160];
};

/* Read and drop the BOM. */
static void skip_bom(hm_csv_reader *r)
{
    unsigned char tmp[8];
    if (r->bom_len == 0)
        return;
    size_t n = fread(tmp, 1, r->bom_len, r->fp);
    r->offset += n;
    r->conv_at += n;
}

hm_csv_reader *hm_csv_open_bufsize(FILE *fp, hm_encoding enc, size_t bom_len,
                                   size_t bufsize)
{
    hm_csv_reader *r = NULL;
    iconv_t cd = (iconv_t)-1;
    if (enc == HM_ENC_GB18030) {
        cd = iconv_open("UTF-8", "GB18030");
        if (cd == (iconv_t)-1)
            goto out;
    }
    if (bufsize == 0)
        bufsize = CSV_BUFSIZE;
    if (bufsize > CSV_BUFSIZE_MAX)
        bufsize = CSV_BUFSIZE_MAX;
    r = hm_xcalloc(1, sizeof *r);
    r->fp = fp;
    r->enc = enc;
    r->bom_len = bom_len > 4 ? 4 : bom_len;
    r->start_pos = ftello(fp);
    r->cd = cd;
    r->readsz = bufsize;
    if (cd == (iconv_t)-1) {
        r->dcap = bufsize;
    } else {
        /* Room for a cut sequence beside a full read; output may grow by
         * half (2 bytes become 3) and a lone 0x80 becomes 3 bytes. */
        r->incap = bufsize + 8;
        r->in = hm_xmalloc(r->incap);
        r->dcap = 2 * bufsize + 16;
    }
    r->d = hm_xmalloc(r->dcap + 1);
    r->mode = MODE_RECORDS;
    r->line = 1;
    hm_strbuf_init(&r->fb);
    hm_strbuf_init(&r->raw);
    skip_bom(r);
out:
    return r;
}

hm_csv_reader *hm_csv_open(FILE *fp, hm_encoding enc, size_t bom_len)
{
    return hm_csv_open_bufsize(fp, enc, bom_len, 0);
}

unsigned long long hm_csv_offset(const hm_csv_reader *r)
{
    return r ? r->offset : 0;
}

void hm_csv_close(hm_csv_reader *r)
{
    if (!r)
        return;
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    free(r->in);
    free(r->d);
    hm_strbuf_release(&r->fb);
    hm_strbuf_release(&r->raw);
    free(r->foff);
    free(r->flen);
    free(r->field);
    free(r);
}

/* Record a read or conversion error; returns -1. */
static int fail(hm_csv_reader *r, const char *what, unsigned long long at)
{
    snprintf(r->errbuf, sizeof r->errbuf, "%s at byte offset %llu", what, at);
    r->mode = MODE_ERROR;
    return -1;
}

/*
 * Make d[0..dend) the next UTF-8 data.  Returns the number of bytes, 0 at
 * end of input, or -1 on a read or conversion error.
 */
static int refill(hm_csv_reader *r)
{
    r->dpos = r->dend = 0;
    if (r->cd == (iconv_t)-1) {
        if (r->in_eof)
            return 0;
        size_t n = fread(r->d, 1, r->readsz, r->fp);
        if (n == 0) {
            if (ferror(r->fp))
                return fail(r, "read error", r->offset);
            r->in_eof = 1;
            return 0;
        }
        r->offset += n;
        r->dend = n;
        return 1;
    }
    for (;;) {
        if (!r->in_eof && r->inlen < r->incap) {
            size_t want = r->incap - r->inlen;
            if (want > r->readsz)
                want = r->readsz;
            size_t n = fread(r->in + r->inlen, 1, want, r->fp);
            if (n == 0) {
                if (ferror(r->fp))
                    return fail(r, "read error", r->offset);
                r->in_eof = 1;
            }
            r->inlen += n;
            r->offset += n;
        }
        if (r->inlen == 0) {
            if (r->in_eof)
                return 0;
            continue;
        }
        char *src = r->in, *dst = r->d;
        size_t srcleft = r->inlen, dstleft = r->dcap;
        size_t rc = iconv(r->cd, &src, &srcleft, &dst, &dstleft);
        int e = errno;
        size_t made = r->dcap - dstleft;
        r->conv_at += r->inlen - srcleft;
        memmove(r->in, src, srcleft);
        r->inlen = srcleft;
        if (rc == (size_t)-1 && made == 0) {
            if (e == EILSEQ && (unsigned char)r->in[0] == 0x80) {
                /* A lone 0x80 is the euro sign in GBK (code page 936);
                 * glibc's GB18030 does not take it. */
                memcpy(r->d, "\xe2\x82\xac", 3);
                made = 3;
                memmove(r->in, r->in + 1, --r->inlen);
                r->conv_at++;
            } else if (e == EILSEQ) {
                return fail(r, "invalid GB18030 byte sequence", r->conv_at);
            } else if (e == EINVAL) {
                if (r->in_eof)
                    return fail(r, "incomplete GB18030 sequence at end of file",
                                r->conv_at);
                continue;
            } else if (e != E2BIG) {
                return fail(r, "GB18030 conversion error", r->conv_at);
            }
        }
        if (made > 0) {
            r->dend = made;
            return 1;
        }
        if (r->in_eof && r->inlen == 0)
            return 0;
    }
}

/* Append n bytes to the current field (dropped for an overlong record). */
static void fb_add(hm_csv_reader *r, const char *s, size_t n)
{
    if (n > 0 && !r->overlong)
        hm_strbuf_add(&r->fb, s, n);
}

/* Close the field that began at fb offset start. */
static void field_end(hm_csv_reader *r, size_t start)
{
    if (r->overlong)
        return;
    if (r->nfield == r->nfcap) {
        r->nfcap = r->nfcap ? 2 * r->nfcap : 32;
        r->foff = hm_xrealloc(r->foff, r->nfcap * sizeof *r->foff);
        r->flen = hm_xrealloc(r->flen, r->nfcap * sizeof *r->flen);
        r->field = hm_xrealloc(r->field, r->nfcap * sizeof *r->field);
    }
    r->foff[r->nfield] = start;
    r->flen[r->nfield] = r->fb.len - start;
    r->nfield++;
    hm_strbuf_add(&r->fb, "", 1);
}

/* Give up the content of a record grown past the cap: keep the start of its
 * raw text, cut at a character boundary. */
static void make_overlong(hm_csv_reader *r)
{
    size_t k = r->raw.len < CSV_RAW_KEEP ? r->raw.len : CSV_RAW_KEEP;
    while (k > 0 && k < r->raw.len && ((unsigned char)r->raw.buf[k] & 0xc0) == 0x80)
        k--;
    r->raw.len = k;
    r->raw.buf[k] = '\0';
    r->overlong = 1;
    hm_strbuf_reset(&r->fb);
    r->nfield = 0;
}

/* Append d[from..to) to the raw text of a record that crosses a refill. */
static void raw_add(hm_csv_reader *r, size_t from, size_t to)
{
    if (r->overlong)
        return;
    hm_strbuf_add(&r->raw, r->d + from, to - from);
    if (r->raw.len > HM_CSV_MAX_RECORD)
        make_overlong(r);
}

/* Whether s holds only commas and blanks (hm_utf8_blank). */
static int is_blank(const char *s, size_t n)
{
    size_t i = 0, k;
    while (i < n) {
        if (s[i] == ',')
            k = 1;
        else if ((k = hm_utf8_blank(s + i, n - i)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

/*
 * Feed one byte after a closing quote to the blank check.  The bytes not
 * yet known to form a blank wait in pend (*npend of them; a blank may be
 * cut by a refill); *npend is 0 between blanks and -1 once text was seen.
 */
static void ws_step(char pend[HM_UTF8_BLANK_MAX], int *npend, unsigned char c)
{
    if (*npend < 0)
        return;
    pend[(*npend)++] = (char)c;
    if (hm_utf8_blank(pend, (size_t)*npend) == (size_t)*npend)
        *npend = 0;
    else if (*npend == HM_UTF8_BLANK_MAX)
        *npend = -1;
}

/* Go back to the start of the input to re-read it as physical lines, from
 * line from on.  Returns 0, or -1 when the input cannot be re-read. */
static int start_lines(hm_csv_reader *r, long from, long opened)
{
    if (r->start_pos < 0 || fseeko(r->fp, r->start_pos, SEEK_SET) != 0)
        return fail(r, "unterminated quote, and the input cannot be re-read",
                    r->offset);
    clearerr(r->fp);
    if (r->cd != (iconv_t)-1)
        iconv(r->cd, NULL, NULL, NULL, NULL);
    r->offset = r->conv_at = 0;
    r->inlen = 0;
    r->in_eof = 0;
    r->dpos = r->dend = 0;
    r->line = 1;
    r->skip_lf = 0;
    r->mode = MODE_LINES;
    r->uq_from = from;
    r->uq_open = opened;
    snprintf(r->uqmsg, sizeof r->uqmsg, "unterminated quote opened at line %ld",
             opened);
    skip_bom(r);
    return 0;
}

/*
 * Read one record into the reader's buffers.  Returns 1 for a record to hand
 * out, 2 for one to skip (blank, or a line before an unterminated quote), 0
 * at end of input, -1 on error.  rec gets the line numbers, raw and error.
 *
 * Longer than our functions should be, and kept whole on purpose: it is the
 * scanner's state machine (the states above), whose states share the
 * record's running state (where its raw text starts, whether it crossed a
 * refill, the quote's line, the pending CR) and the hot loop's locals; split
 * into functions, each would take most of them by pointer and the one loop
 * that every byte passes through would be harder to follow and slower.
 */
static int read_record(hm_csv_reader *r, hm_csv_record *rec)
{
    const int lines = r->mode == MODE_LINES;
    int state = lines ? ST_LINE : ST_FIELD;
    long rec_line = r->line, quote_line = 0, last_line;
    int had_quote = 0, q_cr = 0, ws = 0;
    char pend[HM_UTF8_BLANK_MAX];
    const char *error = NULL;
    int error_field = -1;
    size_t fstart = 0, rs = r->dpos, raw_end;
    int at_eof = 0, ended = 0;

    hm_strbuf_reset(&r->fb);
    hm_strbuf_reset(&r->raw);
    r->nfield = 0;
    r->overlong = 0;
    int split = 0;

    while (!ended) {
        if (r->dpos == r->dend) {
            if (r->dend > rs || split) {
                raw_add(r, rs, r->dend);
                split = 1;
            }
            int got = refill(r);
            if (got < 0)
                return -1;
            rs = 0;
            if (got == 0) {
                if ((state == ST_FIELD || state == ST_LINE) && r->nfield == 0 &&
                    r->raw.len == 0 && !r->overlong)
                    return 0;
                if (state == ST_QUO)
                    return start_lines(r, rec_line, quote_line) < 0 ? -1 : 2;
                at_eof = ended = 1;
            }
            continue;
        }
        const unsigned char *d = (const unsigned char *)r->d;
        size_t p = r->dpos, e = r->dend;
        if (r->skip_lf) {
            r->skip_lf = 0;
            if (d[p] == '\n') {
                /* The LF of a CRLF that ended the previous record. */
                r->dpos = rs = p + 1;
                continue;
            }
        }
        switch (state) {
        case ST_FIELD:
            if (d[p] == '"') {
                had_quote = 1;
                quote_line = r->line;
                q_cr = 0;
                r->dpos = p + 1;
                state = ST_QUO;
            } else {
                state = ST_UNQ;
            }
            continue;
        case ST_UNQ:
        case ST_LINE: {
            const unsigned char *tab = state == ST_UNQ ? special_unq : special_line;
            while (p < e && !tab[d[p]])
                p++;
            fb_add(r, r->d + r->dpos, p - r->dpos);
            r->dpos = p;
            if (p == e)
                continue;
            if (d[p] == ',') {
                field_end(r, fstart);
                fstart = r->fb.len;
                r->dpos = p + 1;
                state = ST_FIELD;
                continue;
            }
            ended = 1;
            continue;
        }
        case ST_QUO:
            while (p < e && !special_quo[d[p]])
                p++;
            if (p > r->dpos) {
                fb_add(r, r->d + r->dpos, p - r->dpos);
                q_cr = 0;
            }
            r->dpos = p;
            if (p == e)
                continue;
            if (d[p] == '"') {
                state = ST_QSEEN;
            } else if (d[p] == '\r') {
                fb_add(r, "\r", 1);
                r->line++;
                q_cr = 1;
            } else {
                fb_add(r, "\n", 1);
                if (!q_cr)
                    r->line++;
                q_cr = 0;
            }
            r->dpos = p + 1;
            continue;
        case ST_QSEEN:
            if (d[p] == '"') {
                fb_add(r, "\"", 1);
                r->dpos = p + 1;
                state = ST_QUO;
                q_cr = 0;
            } else if (d[p] == ',') {
                field_end(r, fstart);
                fstart = r->fb.len;
                r->dpos = p + 1;
                state = ST_FIELD;
            } else if (d[p] == '\r' || d[p] == '\n') {
                ended = 1;
            } else {
                ws = 0;
                state = ST_AFTER;
            }
            continue;
        case ST_AFTER:
            while (p < e && !special_unq[d[p]])
                ws_step(pend, &ws, d[p++]);
            r->dpos = p;
            if (p == e)
                continue;
            if (ws != 0 && !error) {
                error = "text after closing quote";
                error_field = (int)r->nfield;
            }
            if (d[p] == ',') {
                field_end(r, fstart);
                fstart = r->fb.len;
                r->dpos = p + 1;
                state = ST_FIELD;
                continue;
            }
            ended = 1;
            continue;
        default:
            continue;
        }
    }

    /* The record ends at dpos: a line end, or the end of the input. */
    if (state == ST_AFTER && ws != 0 && !error) {
        error = "text after closing quote";
        error_field = (int)r->nfield;
    }
    field_end(r, fstart);
    last_line = r->line;
    raw_end = r->dpos;
    if (split)
        raw_add(r, rs, raw_end);
    if (!at_eof) {
        if (r->d[r->dpos] == '\r')
            r->skip_lf = 1;
        r->line++;
        r->dpos++;
    }
    if (split || r->overlong) {
        rec->raw = r->raw.buf;
        rec->raw_len = r->raw.len;
    } else {
        r->d[raw_end] = '\0';
        rec->raw = r->d + rs;
        rec->raw_len = raw_end - rs;
    }
    rec->line = rec_line;
    rec->nlines = last_line - rec_line + 1;
    if (lines) {
        if (rec_line < r->uq_from)
            return 2;
        error = r->uqmsg;
        error_field = -1;
    } else if (r->overlong) {
        error = "record longer than 8 MiB";
        error_field = -1;
    } else if (!had_quote && is_blank(rec->raw, rec->raw_len)) {
        return 2;
    }
    rec->error = error;
    rec->error_field = error_field;
    return 1;
}

int hm_csv_next(hm_csv_reader *r, hm_csv_record *rec, const char **errmsg)
{
    if (errmsg)
        *errmsg = NULL;
    for (;;) {
        if (r->mode == MODE_DONE)
            return 0;
        if (r->mode == MODE_ERROR) {
            if (errmsg)
                *errmsg = r->errbuf;
            return -1;
        }
        int rc = read_record(r, rec);
        if (rc == 2)
            continue;
        if (rc == 0) {
            r->mode = MODE_DONE;
            return 0;
        }
        if (rc < 0) {
            r->mode = MODE_ERROR;
            if (errmsg)
                *errmsg = r->errbuf;
            return -1;
        }
        if (r->overlong) {
            rec->nfield = 0;
        } else {
            for (size_t i = 0; i < r->nfield; i++)
                r->field[i] = r->fb.buf + r->foff[i];
            rec->nfield = r->nfield;
        }
        rec->field = r->field;
        rec->flen = r->flen;
        return 1;
    }
}

/* The row-source face of the reader. */
static int source_next(void *impl, hm_csv_record *rec, const char **errmsg)
{
    return hm_csv_next(impl, rec, errmsg);
}

static unsigned long long source_offset(const void *impl)
{
    return hm_csv_offset(impl);
}

static void source_close(void *impl)
{
    hm_csv_close(impl);
}

hm_row_source hm_csv_source(hm_csv_reader *r, const char *path)
{
    return (hm_row_source){ .file = path, .sheet = NULL, .impl = r, .next = source_next,
                            .offset = source_offset, .close = source_close };
}

hm_row_position hm_row_source_position(const hm_row_source *src, const hm_csv_record *rec,
                                       int field)
{
    return (hm_row_position){ .file = src->file, .sheet = src->sheet, .line = rec->line,
                              .column = field < 0 ? 0 : field + 1 };
}

char *hm_row_position_format(const hm_row_position *p, char *out, size_t outsz)
{
    int n = p->sheet ? snprintf(out, outsz, "%s:%s:%ld", p->file, p->sheet, p->line)
                     : snprintf(out, outsz, "%s:%ld", p->file, p->line);
    if (p->column > 0 && n >= 0 && (size_t)n < outsz)
        snprintf(out + n, outsz - (size_t)n, ":%d", p->column);
    return out;
}
