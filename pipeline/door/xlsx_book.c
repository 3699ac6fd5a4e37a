/*
 * xlsx_book.c - an .xlsx workbook opened: its parts, sheet list, shared
 * strings and styles (see xlsx_read.h; the sheets are read in xlsx_read.c).
 *
 * An .xlsx file is a zip archive of XML parts.  The parts are found the
 * way the format says, not by fixed names: _rels/.rels names the workbook
 * part, the workbook's own .rels file names each sheet's part, the shared
 * strings and the styles.  Element and attribute names are compared by
 * their local name (after any "prefix:"), so both the usual transitional
 * and the strict OOXML namespaces read the same.
 *
 * The small parts (relationships, workbook, styles) and the shared strings
 * are parsed whole when the book is opened.  A sheet is parsed in chunks:
 * hm_xlsx_next feeds expat decompressed data until the end of a <row>
 * element, where the handler suspends the parser (XML_StopParser with
 * resumable set); the next call resumes it.  So the only per-sheet memory
 * is the row being built and one input chunk.
 *
 * Hardening: a document type declaration in any part is refused (no part
 * of a real workbook has one, and entities are how XML bombs work); a row
 * is capped at HM_CSV_MAX_RECORD bytes and the shared strings at
 * SST_MAX_BYTES, so a small zip cannot make us allocate without bound.
 */
#include "himama/xlsx_int.h"

#include <minizip/unzip.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the archive, read through the book's descriptor ---- */

/* One open stream over the descriptor: its own position, read with pread. */
typedef struct fd_stream {
    int fd;
    unsigned long long pos, size;
} fd_stream;

static voidpf ZCALLBACK fd_open(voidpf opaque, const void *filename, int mode)
{
    const hm_xlsx_book *b = opaque;
    (void)filename;
    if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ)
        return NULL;
    fd_stream *f = hm_xcalloc(1, sizeof *f);
    f->fd = b->fd;
    f->size = b->size;
    return f;
}

static uLong ZCALLBACK fd_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    fd_stream *f = stream;
    uLong got = 0;
    (void)opaque;
    while (got < size) {
        ssize_t n = pread(f->fd, (char *)buf + got, size - got, (off_t)f->pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (uLong)n;
        f->pos += (unsigned long long)n;
    }
    return got;
}

static uLong ZCALLBACK fd_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK fd_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((fd_stream *)stream)->pos;
}

static long ZCALLBACK fd_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    fd_stream *f = stream;
    unsigned long long base;
    (void)opaque;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = f->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = f->size; break;
    default: return -1;
    }
    if (offset > (1ull << 62) || base + offset > (1ull << 62))
        return -1;
    f->pos = base + offset;
    return 0;
}

static int ZCALLBACK fd_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    free(stream);
    return 0;
}

static int ZCALLBACK fd_error(voidpf opaque, voidpf stream)
{
    (void)opaque, (void)stream;
    return 0;
}

unzFile hm_xlsx_unz_open(hm_xlsx_book *b)
{
    zlib_filefunc64_def ff = {
        .zopen64_file = fd_open, .zread_file = fd_read, .zwrite_file = fd_write,
        .ztell64_file = fd_tell, .zseek64_file = fd_seek, .zclose_file = fd_close,
        .zerror_file = fd_error, .opaque = b,
    };
    return unzOpen2_64(b->path, &ff);
}

bool hm_xlsx_inflate_count(hm_xlsx_book *b, size_t n, char *msg, size_t msgsz)
{
    b->inflated += n;
    if (b->inflated <= b->inflate_max)
        return true;
    snprintf(msg, msgsz, "its parts inflate to more than %llu MB, %llu times the file's size "
             "(a zip bomb?); save it again from a spreadsheet or split it",
             b->inflate_max >> 20, HM_XLSX_INFLATE_RATIO);
    return false;
}

/* ---- small helpers ---- */

/* The local part of an XML name ("r:id" -> "id"). */
const char *hm_xlsx_local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

/* The value of the attribute whose local name is lname, or NULL. */
const char *hm_xlsx_attr(const XML_Char **atts, const char *lname)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(hm_xlsx_local_name(atts[i]), lname) == 0)
            return atts[i + 1];
    return NULL;
}

/* An OOXML boolean attribute value: "1" or "true". */
static bool xml_true(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* True when s ends with suffix. */
static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Append n bytes of in to out, decoding the OOXML string escape "_xHHHH_"
 * (a UTF-16 code unit: Excel writes control characters, and an underscore
 * that would otherwise look like an escape, this way).  Escapes that are
 * surrogates are kept as written.
 */
void hm_xlsx_xstring_append(hm_strbuf *out, const char *in, size_t n)
{
    size_t i = 0, start = 0;
    hm_strbuf_grow(out, n);
    while (i + 7 <= n) {
        if (in[i] == '_' && in[i + 1] == 'x' && in[i + 6] == '_') {
            int h0 = hexval(in[i + 2]), h1 = hexval(in[i + 3]);
            int h2 = hexval(in[i + 4]), h3 = hexval(in[i + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                uint32_t cp = (uint32_t)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
                if (cp < 0xD800 || cp > 0xDFFF) {
                    char enc[4];
                    size_t k = hm_utf8_encode(cp, enc);
                    hm_strbuf_add(out, in + start, i - start);
                    hm_strbuf_add(out, enc, k);
                    i += 7;
                    start = i;
                    continue;
                }
            }
        }
        i++;
    }
    hm_strbuf_add(out, in + start, n - start);
}

/* Join a relationship target to the directory of the part that names it. */
static char *resolve_target(const char *base_part, const char *target)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    char **seg = NULL;
    size_t nseg = 0;

    if (target[0] == '/') {
        hm_strbuf_adds(&sb, target + 1);
    } else {
        const char *slash = strrchr(base_part, '/');
        if (slash)
            hm_strbuf_add(&sb, base_part, (size_t)(slash - base_part + 1));
        hm_strbuf_adds(&sb, target);
    }
    /* Drop "." and ".." segments. */
    char *path = hm_strbuf_detach(&sb);
    seg = hm_xcalloc(strlen(path) + 1, sizeof *seg);
    for (char *save = NULL, *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0) {
            if (nseg)
                nseg--;
            continue;
        }
        seg[nseg++] = t;
    }
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            hm_strbuf_addc(&sb, '/');
        hm_strbuf_adds(&sb, seg[i]);
    }
    free(seg);
    free(path);
    if (!sb.buf)
        hm_strbuf_grow(&sb, 0);
    return hm_strbuf_detach(&sb);
}

/* The relationships file of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
static char *rels_name(const char *part)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    const char *slash = strrchr(part, '/');
    const char *base = slash ? slash + 1 : part;
    hm_strbuf_add(&sb, part, (size_t)(base - part));
    hm_strbuf_addf(&sb, "_rels/%s.rels", base);
    return hm_strbuf_detach(&sb);
}

/* ---- parsing one whole part ---- */


/* Stop the parser for good with a message. */
static void xml_fail(xml_ctx *x, const char *msg)
{
    if (!x->err[0])
        snprintf(x->err, sizeof x->err, "%s", msg);
    XML_StopParser(x->p, XML_FALSE);
}

/* Stop the parser for good: a cap of the budget was reached. */
static void budget_fail(xml_ctx *x, const char *msg)
{
    if (!x->err[0])
        x->budget = true;
    xml_fail(x, msg);
}

/* Refuse document type declarations (the door to entity expansion). */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    xml_fail(ud, "document type declarations are not allowed");
}

/* A new parser whose handlers get ctx (which starts with an xml_ctx). */
XML_Parser hm_xlsx_parser_new(xml_ctx *x, void *ctx)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p)
        return NULL;
    x->p = p;
    x->err[0] = '\0';
    XML_SetUserData(p, ctx);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    return p;
}

/*
 * Parse the zip entry name with expat, handlers already set on p.  Returns
 * HM_OK, HM_ENOTFOUND when the entry is absent, or HM_EIO with err set.
 */
static hm_error parse_part(hm_xlsx_book *b, unzFile zf, const char *name, xml_ctx *x,
                           char *err, size_t errsz)
{
    char *buf = NULL;
    hm_error rc = HM_OK;
    bool open = false;

    if (unzLocateFile(zf, name, 2) != UNZ_OK)
        return HM_ENOTFOUND;
    if (unzOpenCurrentFile(zf) != UNZ_OK) {
        snprintf(err, errsz, "part '%s' cannot be opened (damaged or encrypted)", name);
        return HM_EIO;
    }
    open = true;
    buf = hm_xmalloc(HM_XLSX_CHUNK);
    for (;;) {
        int n = unzReadCurrentFile(zf, buf, HM_XLSX_CHUNK);
        if (n < 0) {
            snprintf(err, errsz, "part '%s' has damaged compressed data", name);
            rc = HM_EIO;
            goto out;
        }
        if (!hm_xlsx_inflate_count(b, (size_t)n, err, errsz)) {
            rc = HM_EREJECTED;
            goto out;
        }
        if (XML_Parse(x->p, buf, n, n == 0) == XML_STATUS_ERROR) {
            if (x->budget)   /* a cap, not damage: say it plainly */
                snprintf(err, errsz, "%s", x->err);
            else
                snprintf(err, errsz, "part '%s': xml error at line %lu: %s", name,
                         (unsigned long)XML_GetCurrentLineNumber(x->p),
                         x->err[0] ? x->err : XML_ErrorString(XML_GetErrorCode(x->p)));
            rc = x->budget ? HM_EREJECTED : HM_EIO;
            goto out;
        }
        if (n == 0)
            break;
    }
    open = false;
    if (unzCloseCurrentFile(zf) != UNZ_OK) {
        snprintf(err, errsz, "part '%s' is damaged (checksum mismatch)", name);
        rc = HM_EIO;
    }
out:
    if (open)
        unzCloseCurrentFile(zf);
    free(buf);
    return rc;
}

/* ---- relationships ---- */

typedef struct rels_ctx {
    xml_ctx x;
    rel *r;
    size_t n, a;
} rels_ctx;

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    rels_ctx *c = ud;
    if (strcmp(hm_xlsx_local_name(name), "Relationship") != 0)
        return;
    const char *id = hm_xlsx_attr(atts, "Id");
    const char *type = hm_xlsx_attr(atts, "Type");
    const char *target = hm_xlsx_attr(atts, "Target");
    if (!id || !type || !target)
        return;
    if (c->n >= 4 * HM_XLSX_MAX_SHEETS) {
        budget_fail(&c->x, "it has more relationships between its parts than a workbook of "
                    "1024 sheets would: save it again from a spreadsheet");
        return;
    }
    if (c->n == c->a) {
        c->a = c->a ? 2 * c->a : 8;
        c->r = hm_xrealloc(c->r, c->a * sizeof *c->r);
    }
    c->r[c->n].id = hm_xstrdup(id);
    c->r[c->n].type = hm_xstrdup(type);
    c->r[c->n].target = hm_xstrdup(target);
    c->n++;
}

static void rels_release(rels_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->r[i].id);
        free(c->r[i].type);
        free(c->r[i].target);
    }
    free(c->r);
}

/* Read the relationships of part (absent: none); HM_OK, HM_EIO, or
 * HM_EREJECTED when a cap of the budget was reached. */
static hm_error read_rels(hm_xlsx_book *b, unzFile zf, const char *part, rels_ctx *c,
                          char *err, size_t errsz)
{
    char *name = part ? rels_name(part) : hm_xstrdup("_rels/.rels");
    memset(c, 0, sizeof *c);
    XML_Parser p = hm_xlsx_parser_new(&c->x, c);
    hm_error rc = HM_ENOMEM;
    if (p) {
        XML_SetStartElementHandler(p, rels_start);
        rc = parse_part(b, zf, name, &c->x, err, errsz);
        XML_ParserFree(p);
    }
    free(name);
    return rc == HM_ENOTFOUND ? HM_OK : rc;
}

/* The target of the first relationship whose type ends with suffix, or NULL. */
static const char *rel_by_type(const rels_ctx *c, const char *suffix)
{
    for (size_t i = 0; i < c->n; i++)
        if (ends_with(c->r[i].type, suffix))
            return c->r[i].target;
    return NULL;
}

/* ---- workbook ---- */

typedef struct wb_ctx {
    xml_ctx x;
    hm_xlsx_book *b;
    size_t asheets;
} wb_ctx;

static void wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    wb_ctx *c = ud;
    const char *ln = hm_xlsx_local_name(name);
    if (strcmp(ln, "workbookPr") == 0) {
        c->b->date1904 = xml_true(hm_xlsx_attr(atts, "date1904"));
    } else if (strcmp(ln, "sheet") == 0) {
        const char *nm = hm_xlsx_attr(atts, "name");
        const char *rid = hm_xlsx_attr(atts, "id");
        const char *st = hm_xlsx_attr(atts, "state");
        if (!nm || !rid) {
            xml_fail(&c->x, "a sheet without a name or relationship id");
            return;
        }
        hm_xlsx_book *b = c->b;
        if (b->nsheets >= HM_XLSX_MAX_SHEETS) {
            budget_fail(&c->x, "it has more than 1024 sheets: split it into several workbooks");
            return;
        }
        if (b->nsheets == c->asheets) {
            c->asheets = c->asheets ? 2 * c->asheets : 8;
            b->sheets = hm_xrealloc(b->sheets, c->asheets * sizeof *b->sheets);
        }
        sheet_info *si = &b->sheets[b->nsheets++];
        si->name = hm_xstrdup(nm);
        si->rid = hm_xstrdup(rid);
        si->part = NULL;
        si->hidden = st && strcmp(st, "visible") != 0;
    }
}

/* ---- shared strings ---- */

typedef struct sst_ctx {
    xml_ctx x;
    hm_xlsx_book *b;
    int in_si, in_t, in_rph;
    hm_strbuf text;
    bool too_big;
} sst_ctx;

static void sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sst_ctx *c = ud;
    const char *ln = hm_xlsx_local_name(name);
    (void)atts;
    if (strcmp(ln, "si") == 0) {
        c->in_si = 1;
        hm_strbuf_reset(&c->text);
    } else if (c->in_si && strcmp(ln, "rPh") == 0) {
        c->in_rph++;
    } else if (c->in_si && strcmp(ln, "t") == 0) {
        c->in_t = 1;
    }
}

static void sst_end(void *ud, const XML_Char *name)
{
    sst_ctx *c = ud;
    const char *ln = hm_xlsx_local_name(name);
    if (strcmp(ln, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(ln, "rPh") == 0) {
        if (c->in_rph)
            c->in_rph--;
    } else if (strcmp(ln, "si") == 0 && c->in_si) {
        hm_xlsx_book *b = c->b;
        c->in_si = 0;
        /* What the table costs in memory: its text and an offset per string. */
        if (b->sst.len + c->text.len + 1 + (b->nsst + 2) * HM_XLSX_SST_ENTRY >
            HM_XLSX_SST_MAX_COST) {
            budget_fail(&c->x, "its shared strings would take more than 64 MB of memory "
                        "(too many or too long texts): split the workbook");
            return;
        }
        if (b->nsst + 2 > b->asst) {
            b->asst = b->asst ? 2 * b->asst : 256;
            b->sst_off = hm_xrealloc(b->sst_off, b->asst * sizeof *b->sst_off);
        }
        b->sst_off[b->nsst] = b->sst.len;
        hm_xlsx_xstring_append(&b->sst, c->text.buf ? c->text.buf : "", c->text.len);
        hm_strbuf_addc(&b->sst, '\0');
        b->nsst++;
        b->sst_off[b->nsst] = b->sst.len;
    }
}

static void sst_text(void *ud, const XML_Char *s, int len)
{
    sst_ctx *c = ud;
    if (c->in_si && c->in_t && !c->in_rph) {
        if (c->text.len + (size_t)len > HM_CSV_MAX_RECORD) {
            xml_fail(&c->x, "a shared string is too long");
            return;
        }
        hm_strbuf_add(&c->text, s, (size_t)len);
    }
}

/* ---- styles ---- */

typedef struct numfmt {
    int id;
    int kind;          /* XF_* of the code, worked out once */
    size_t seq;        /* order of appearance */
    char *code;
} numfmt;

typedef struct styles_ctx {
    xml_ctx x;
    numfmt *fmts;
    size_t nfmts, afmts;
    int *xf_fmt;           /* numFmtId per cellXfs entry */
    size_t nxf, axf;
    int in_cellxfs;
} styles_ctx;

static void styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    styles_ctx *c = ud;
    const char *ln = hm_xlsx_local_name(name);
    if (strcmp(ln, "numFmt") == 0) {
        const char *id = hm_xlsx_attr(atts, "numFmtId"), *code = hm_xlsx_attr(atts, "formatCode");
        if (!id || !code)
            return;
        if (c->nfmts >= HM_XLSX_MAX_NUMFMTS) {
            budget_fail(&c->x, "it has more than 65536 number formats (Excel allows a few "
                        "hundred): save it again from a spreadsheet");
            return;
        }
        if (c->nfmts == c->afmts) {
            c->afmts = c->afmts ? 2 * c->afmts : 16;
            c->fmts = hm_xrealloc(c->fmts, c->afmts * sizeof *c->fmts);
        }
        c->fmts[c->nfmts].id = atoi(id);
        c->fmts[c->nfmts].code = hm_xstrdup(code);
        c->nfmts++;
    } else if (strcmp(ln, "cellXfs") == 0) {
        c->in_cellxfs = 1;
    } else if (c->in_cellxfs && strcmp(ln, "xf") == 0) {
        const char *id = hm_xlsx_attr(atts, "numFmtId");
        if (c->nxf >= HM_XLSX_MAX_XFS) {
            budget_fail(&c->x, "it has more than 65536 cell styles (Excel allows 64,000): "
                        "save it again from a spreadsheet");
            return;
        }
        if (c->nxf == c->axf) {
            c->axf = c->axf ? 2 * c->axf : 64;
            c->xf_fmt = hm_xrealloc(c->xf_fmt, c->axf * sizeof *c->xf_fmt);
        }
        c->xf_fmt[c->nxf++] = id ? atoi(id) : 0;
    }
}

static void styles_end(void *ud, const XML_Char *name)
{
    styles_ctx *c = ud;
    if (strcmp(hm_xlsx_local_name(name), "cellXfs") == 0)
        c->in_cellxfs = 0;
}

/*
 * What a custom number format code shows: a date when it holds y or d (or
 * m without h or s), a time when it holds h or s only; letters inside
 * quotes or brackets ([Red], [$-804], [h]) and escaped ones (\x, _x, *x)
 * do not count.
 */
static int format_code_kind(const char *code)
{
    bool date = false, time = false, month = false;
    for (const char *p = code; *p; p++) {
        switch (*p) {
        case '"':
            while (p[1] && p[1] != '"')
                p++;
            if (p[1])
                p++;
            break;
        case '[':
            while (p[1] && p[1] != ']')
                p++;
            if (p[1])
                p++;
            break;
        case '\\': case '_': case '*':
            if (p[1])
                p++;
            break;
        case 'y': case 'Y': case 'd': case 'D':
            date = true;
            break;
        case 'm': case 'M':
            month = true;
            break;
        case 'h': case 'H': case 's': case 'S':
            time = true;
            break;
        default:
            break;
        }
    }
    if (date || (month && !time))
        return XF_DATE;
    return time ? XF_TIME : XF_NUMBER;
}

/* What built-in number format id shows (CJK locales' date formats included). */
static int builtin_kind(int id)
{
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return XF_DATE;
    if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
        return XF_TIME;
    return XF_NUMBER;
}

/* By id, then by order of appearance (the last of one id wins, as before). */
static int cmp_numfmt(const void *a, const void *b)
{
    const numfmt *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Work out the XF_* of every cell style: the formats sorted by id once,
 * each style's format then found by binary search (never styles times
 * formats).
 */
static void styles_resolve(hm_xlsx_book *b, styles_ctx *c)
{
    for (size_t j = 0; j < c->nfmts; j++) {
        c->fmts[j].seq = j;
        c->fmts[j].kind = format_code_kind(c->fmts[j].code);
    }
    if (c->nfmts)
        qsort(c->fmts, c->nfmts, sizeof *c->fmts, cmp_numfmt);
    b->nxf = c->nxf;
    b->xf = hm_xcalloc(c->nxf ? c->nxf : 1, 1);
    for (size_t i = 0; i < c->nxf; i++) {
        int id = c->xf_fmt[i], kind = -1;
        size_t lo = 0, hi = c->nfmts;
        while (lo < hi) {   /* the first entry with an id above id */
            size_t mid = lo + (hi - lo) / 2;
            if (c->fmts[mid].id <= id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && c->fmts[lo - 1].id == id)
            kind = c->fmts[lo - 1].kind;
        b->xf[i] = (unsigned char)(kind >= 0 ? kind : builtin_kind(id));
    }
}

/* ---- opening the book ---- */

/* Why the file on fd could not be opened as a zip archive, from its first bytes. */
static void explain_not_zip(int fd, const char *path, char *err, size_t errsz)
{
    unsigned char head[8] = { 0 };
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
        return;
    }
    if (n == 0)
        snprintf(err, errsz, "'%s' is not an xlsx workbook: the file is empty", path);
    else if (n >= 4 && head[0] == 0xD0 && head[1] == 0xCF && head[2] == 0x11 && head[3] == 0xE0)
        snprintf(err, errsz, "'%s' is not an xlsx workbook: it is an old .xls file or a "
                 "password-protected workbook (save it as .xlsx without a password)", path);
    else if (n >= 2 && head[0] == 'P' && head[1] == 'K')
        snprintf(err, errsz, "'%s' is not a readable xlsx workbook: the zip archive is "
                 "damaged or truncated", path);
    else
        snprintf(err, errsz, "'%s' is not an xlsx workbook: not a zip archive (a CSV or "
                 "other file renamed .xlsx?)", path);
}

hm_xlsx_book *hm_xlsx_open(const char *path, char *err, size_t errsz)
{
    int fd;
    char why[256];
    if (hm_open_input(path, &fd, why, sizeof why) != HM_OK) {
        snprintf(err, errsz, "cannot read '%s': %s", path, why);
        return NULL;
    }
    hm_xlsx_book *b = hm_xlsx_open_fd(fd, path, err, errsz);
    if (!b)
        close(fd);
    else
        b->own_fd = true;
    return b;
}

/* Two sheets naming one part (a workbook made to read a part many times):
 * the second's name, or NULL. */
static const sheet_info *shared_part(const hm_xlsx_book *b, const sheet_info **first)
{
    for (size_t i = 0; i < b->nsheets; i++)
        for (size_t j = 0; b->sheets[i].part && j < i; j++)
            if (b->sheets[j].part && strcmp(b->sheets[i].part, b->sheets[j].part) == 0) {
                *first = &b->sheets[j];
                return &b->sheets[i];
            }
    return NULL;
}

/*
 * Parse the part named part (freed here) with a new parser: ctx starts
 * with its xml_ctx x; the handlers may be NULL.  As parse_part.
 */
static hm_error parse_with(hm_xlsx_book *b, unzFile zf, char *part, xml_ctx *x, void *ctx,
                           XML_StartElementHandler start, XML_EndElementHandler end,
                           XML_CharacterDataHandler text, char *msg, size_t msgsz)
{
    XML_Parser p = hm_xlsx_parser_new(x, ctx);
    hm_error rc = HM_ENOMEM;
    if (p) {
        XML_SetElementHandler(p, start, end);
        if (text)
            XML_SetCharacterDataHandler(p, text);
        rc = parse_part(b, zf, part, x, msg, msgsz);
        XML_ParserFree(p);
    } else {
        snprintf(msg, msgsz, "out of memory");
    }
    free(part);
    return rc;
}

/* The book's budget from the size of the file on fd; false when it is no file. */
static bool book_size(hm_xlsx_book *b, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    b->size = (unsigned long long)st.st_size;
    b->inflate_max = b->size * HM_XLSX_INFLATE_RATIO;
    if (b->inflate_max < HM_XLSX_INFLATE_FLOOR)
        b->inflate_max = HM_XLSX_INFLATE_FLOOR;
    if (b->inflate_max > HM_XLSX_INFLATE_MAX)
        b->inflate_max = HM_XLSX_INFLATE_MAX;
    return true;
}

/*
 * The workbook's relationships, sheets' parts, shared strings and styles,
 * once the workbook part wb_part is read.  HM_OK, or an error with msg set
 * (HM_EREJECTED: a cap of the budget was reached).
 */
static hm_error read_tables(hm_xlsx_book *b, unzFile zf, const char *wb_part, char *msg,
                            size_t msgsz)
{
    rels_ctx wrels;
    sst_ctx sc;
    styles_ctx stc;
    const char *t;
    const sheet_info *dup, *first = NULL;
    hm_error rc;
    memset(&sc, 0, sizeof sc);
    memset(&stc, 0, sizeof stc);
    if ((rc = read_rels(b, zf, wb_part, &wrels, msg, msgsz)) != HM_OK)
        goto out;
    for (size_t i = 0; i < b->nsheets; i++)
        for (size_t j = 0; j < wrels.n; j++)
            if (strcmp(wrels.r[j].id, b->sheets[i].rid) == 0) {
                b->sheets[i].part = resolve_target(wb_part, wrels.r[j].target);
                break;
            }
    if ((dup = shared_part(b, &first))) {
        snprintf(msg, msgsz, "sheets '%.100s' and '%.100s' name the same part '%.100s' "
                 "(a damaged or forged workbook): save it again from a spreadsheet",
                 first->name, dup->name, dup->part);
        rc = HM_EREJECTED;
        goto out;
    }
    if ((t = rel_by_type(&wrels, "/sharedStrings"))) {
        sc.b = b;
        rc = parse_with(b, zf, resolve_target(wb_part, t), &sc.x, &sc, sst_start, sst_end,
                        sst_text, msg, msgsz);
        if (rc != HM_OK && rc != HM_ENOTFOUND)
            goto out;
    }
    if ((t = rel_by_type(&wrels, "/styles"))) {
        rc = parse_with(b, zf, resolve_target(wb_part, t), &stc.x, &stc, styles_start,
                        styles_end, NULL, msg, msgsz);
        if (rc != HM_OK && rc != HM_ENOTFOUND)
            goto out;
    }
    styles_resolve(b, &stc);
    rc = HM_OK;
out:
    rels_release(&wrels);
    hm_strbuf_release(&sc.text);
    for (size_t i = 0; i < stc.nfmts; i++)
        free(stc.fmts[i].code);
    free(stc.fmts);
    free(stc.xf_fmt);
    return rc;
}

hm_xlsx_book *hm_xlsx_open_fd(int fd, const char *path, char *err, size_t errsz)
{
    hm_xlsx_book *b = hm_xcalloc(1, sizeof *b);
    unzFile zf = NULL;
    rels_ctx root;
    wb_ctx wc;
    char *wb_part = NULL, msg[512];
    const char *t;
    hm_error rc;
    bool ok = false;

    memset(&root, 0, sizeof root);
    memset(&wc, 0, sizeof wc);
    msg[0] = '\0';
    if (errsz)
        err[0] = '\0';
    b->path = hm_xstrdup(path);
    b->fd = fd;
    if (!book_size(b, fd)) {
        snprintf(err, errsz, "cannot read '%s': not a regular file", path);
        goto out;
    }
    zf = hm_xlsx_unz_open(b);
    if (!zf) {
        explain_not_zip(fd, path, err, errsz);
        goto out;
    }
    /* The package's relationships name the workbook part. */
    if ((rc = read_rels(b, zf, NULL, &root, msg, sizeof msg)) != HM_OK)
        goto bad;
    t = rel_by_type(&root, "/officeDocument");
    wb_part = resolve_target("", t ? t : "xl/workbook.xml");
    wc.b = b;
    rc = parse_with(b, zf, hm_xstrdup(wb_part), &wc.x, &wc, wb_start, NULL, NULL, msg,
                    sizeof msg);
    if (rc == HM_ENOTFOUND) {
        snprintf(err, errsz, "'%s' is not an xlsx workbook: it has no workbook part ('%s')",
                 path, wb_part);
        goto out;
    }
    /* The workbook's relationships name the sheets, shared strings and styles. */
    if (rc != HM_OK || (rc = read_tables(b, zf, wb_part, msg, sizeof msg)) != HM_OK)
        goto bad;
    ok = true;
    goto out;
bad:
    if (rc == HM_EREJECTED)
        snprintf(err, errsz, "'%s' is refused: %s", path, msg);
    else
        snprintf(err, errsz, "'%s' is not a readable xlsx workbook: %s", path, msg);
out:
    if (zf)
        unzClose(zf);
    rels_release(&root);
    free(wb_part);
    if (!ok) {
        hm_xlsx_close(b);
        return NULL;
    }
    return b;
}

size_t hm_xlsx_nsheets(const hm_xlsx_book *b)
{
    return b->nsheets;
}

const char *hm_xlsx_sheet_name(const hm_xlsx_book *b, size_t i)
{
    return i < b->nsheets ? b->sheets[i].name : NULL;
}

bool hm_xlsx_sheet_hidden(const hm_xlsx_book *b, size_t i)
{
    return i < b->nsheets && b->sheets[i].hidden;
}

bool hm_xlsx_date1904(const hm_xlsx_book *b)
{
    return b->date1904;
}

void hm_xlsx_close(hm_xlsx_book *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nsheets; i++) {
        free(b->sheets[i].name);
        free(b->sheets[i].rid);
        free(b->sheets[i].part);
    }
    free(b->sheets);
    hm_strbuf_release(&b->sst);
    free(b->sst_off);
    if (b->own_fd)
        close(b->fd);
    free(b->xf);
    free(b->path);
    free(b);
}

