/*
 * xlsx_read.c - the sheets of an .xlsx workbook as rows (see xlsx_read.h).
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
#include "himama/xlsx_read.h"
#include "himama/util.h"

#include <expat.h>
#include <minizip/unzip.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK 65536
#define MAX_COLS 16384                /* column XFD */
#define MAX_ROWS 1048576
#define SST_MAX_BYTES (1024u << 20)   /* 1 GiB of shared-string text */
#define MAX_SERIAL 2958465.0          /* 9999-12-31 */

/* What a cell style's number format makes of a number. */
enum { XF_NUMBER = 0, XF_DATE = 1, XF_TIME = 2 };

typedef struct sheet_info {
    char *name;
    char *rid;        /* relationship id in the workbook */
    char *part;       /* zip entry name, or NULL when the relationship is missing */
    bool hidden;
} sheet_info;

typedef struct rel {
    char *id;
    char *type;
    char *target;
} rel;

struct hm_xlsx_book {
    char *path;
    sheet_info *sheets;
    size_t nsheets;
    bool date1904;
    /* shared strings: text of string i at sst.buf + sst_off[i], sst_len[i] bytes */
    hm_strbuf sst;
    size_t *sst_off;
    size_t *sst_len;
    size_t nsst, asst;
    /* cellXfs: XF_* per style index */
    unsigned char *xf;
    size_t nxf;
};

/* ---- small helpers ---- */

/* The local part of an XML name ("r:id" -> "id"). */
static const char *local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

/* The value of the attribute whose local name is lname, or NULL. */
static const char *attr(const XML_Char **atts, const char *lname)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local_name(atts[i]), lname) == 0)
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
static void xstring_append(hm_strbuf *out, const char *in, size_t n)
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

/* What every handler of a part shares: the parser and a fatal error. */
typedef struct xml_ctx {
    XML_Parser p;
    char err[256];     /* set by a handler that stops the parser */
} xml_ctx;

/* Stop the parser for good with a message. */
static void xml_fail(xml_ctx *x, const char *msg)
{
    if (!x->err[0])
        snprintf(x->err, sizeof x->err, "%s", msg);
    XML_StopParser(x->p, XML_FALSE);
}

/* Refuse document type declarations (the door to entity expansion). */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    xml_fail(ud, "document type declarations are not allowed");
}

/* A new parser whose handlers get ctx (which starts with an xml_ctx). */
static XML_Parser parser_new(xml_ctx *x, void *ctx)
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
static hm_error parse_part(unzFile zf, const char *name, xml_ctx *x,
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
    buf = hm_xmalloc(CHUNK);
    for (;;) {
        int n = unzReadCurrentFile(zf, buf, CHUNK);
        if (n < 0) {
            snprintf(err, errsz, "part '%s' has damaged compressed data", name);
            rc = HM_EIO;
            goto out;
        }
        if (XML_Parse(x->p, buf, n, n == 0) == XML_STATUS_ERROR) {
            snprintf(err, errsz, "part '%s': xml error at line %lu: %s", name,
                     (unsigned long)XML_GetCurrentLineNumber(x->p),
                     x->err[0] ? x->err : XML_ErrorString(XML_GetErrorCode(x->p)));
            rc = HM_EIO;
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
    if (strcmp(local_name(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (!id || !type || !target)
        return;
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

/* Read the relationships of part (absent: none); HM_OK or HM_EIO. */
static hm_error read_rels(unzFile zf, const char *part, rels_ctx *c, char *err, size_t errsz)
{
    char *name = part ? rels_name(part) : hm_xstrdup("_rels/.rels");
    memset(c, 0, sizeof *c);
    XML_Parser p = parser_new(&c->x, c);
    hm_error rc = HM_ENOMEM;
    if (p) {
        XML_SetStartElementHandler(p, rels_start);
        rc = parse_part(zf, name, &c->x, err, errsz);
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
    const char *ln = local_name(name);
    if (strcmp(ln, "workbookPr") == 0) {
        c->b->date1904 = xml_true(attr(atts, "date1904"));
    } else if (strcmp(ln, "sheet") == 0) {
        const char *nm = attr(atts, "name"), *rid = attr(atts, "id"), *st = attr(atts, "state");
        if (!nm || !rid) {
            xml_fail(&c->x, "a sheet without a name or relationship id");
            return;
        }
        hm_xlsx_book *b = c->b;
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
    const char *ln = local_name(name);
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
    const char *ln = local_name(name);
    if (strcmp(ln, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(ln, "rPh") == 0) {
        if (c->in_rph)
            c->in_rph--;
    } else if (strcmp(ln, "si") == 0 && c->in_si) {
        hm_xlsx_book *b = c->b;
        c->in_si = 0;
        if (b->sst.len + c->text.len + 1 > SST_MAX_BYTES) {
            xml_fail(&c->x, "shared strings too large");
            return;
        }
        if (b->nsst == b->asst) {
            b->asst = b->asst ? 2 * b->asst : 256;
            b->sst_off = hm_xrealloc(b->sst_off, b->asst * sizeof *b->sst_off);
            b->sst_len = hm_xrealloc(b->sst_len, b->asst * sizeof *b->sst_len);
        }
        size_t off = b->sst.len;
        xstring_append(&b->sst, c->text.buf ? c->text.buf : "", c->text.len);
        b->sst_off[b->nsst] = off;
        b->sst_len[b->nsst] = b->sst.len - off;
        hm_strbuf_addc(&b->sst, '\0');
        b->nsst++;
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
    const char *ln = local_name(name);
    if (strcmp(ln, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !code)
            return;
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
        const char *id = attr(atts, "numFmtId");
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
    if (strcmp(local_name(name), "cellXfs") == 0)
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

/* Work out the XF_* of every cell style. */
static void styles_resolve(hm_xlsx_book *b, const styles_ctx *c)
{
    b->nxf = c->nxf;
    b->xf = hm_xcalloc(c->nxf ? c->nxf : 1, 1);
    for (size_t i = 0; i < c->nxf; i++) {
        int id = c->xf_fmt[i], kind = -1;
        for (size_t j = 0; j < c->nfmts; j++)
            if (c->fmts[j].id == id)
                kind = format_code_kind(c->fmts[j].code);
        b->xf[i] = (unsigned char)(kind >= 0 ? kind : builtin_kind(id));
    }
}

/* ---- opening the book ---- */

/* Why path could not be opened as a zip archive, from its first bytes. */
static void explain_not_zip(const char *path, char *err, size_t errsz)
{
    unsigned char head[8] = { 0 };
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
        return;
    }
    size_t n = fread(head, 1, sizeof head, fp);
    fclose(fp);
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
    hm_xlsx_book *b = hm_xcalloc(1, sizeof *b);
    unzFile zf = NULL;
    rels_ctx root, wrels;
    wb_ctx wc;
    sst_ctx sc;
    styles_ctx stc;
    char *wb_part = NULL, msg[512];
    const char *t;
    XML_Parser p = NULL;
    hm_error rc;
    bool ok = false;

    memset(&root, 0, sizeof root);
    memset(&wrels, 0, sizeof wrels);
    memset(&sc, 0, sizeof sc);
    memset(&stc, 0, sizeof stc);
    msg[0] = '\0';
    if (errsz)
        err[0] = '\0';
    b->path = hm_xstrdup(path);

    zf = unzOpen64(path);
    if (!zf) {
        explain_not_zip(path, err, errsz);
        goto out;
    }

    /* The package's relationships name the workbook part. */
    if (read_rels(zf, NULL, &root, msg, sizeof msg) != HM_OK)
        goto bad;
    t = rel_by_type(&root, "/officeDocument");
    wb_part = resolve_target("", t ? t : "xl/workbook.xml");

    memset(&wc, 0, sizeof wc);
    wc.b = b;
    if (!(p = parser_new(&wc.x, &wc)))
        goto nomem;
    XML_SetStartElementHandler(p, wb_start);
    rc = parse_part(zf, wb_part, &wc.x, msg, sizeof msg);
    XML_ParserFree(p);
    p = NULL;
    if (rc == HM_ENOTFOUND) {
        snprintf(err, errsz, "'%s' is not an xlsx workbook: it has no workbook part ('%s')",
                 path, wb_part);
        goto out;
    }
    if (rc != HM_OK)
        goto bad;

    /* The workbook's relationships name the sheets, shared strings and styles. */
    if (read_rels(zf, wb_part, &wrels, msg, sizeof msg) != HM_OK)
        goto bad;
    for (size_t i = 0; i < b->nsheets; i++)
        for (size_t j = 0; j < wrels.n; j++)
            if (strcmp(wrels.r[j].id, b->sheets[i].rid) == 0) {
                b->sheets[i].part = resolve_target(wb_part, wrels.r[j].target);
                break;
            }

    if ((t = rel_by_type(&wrels, "/sharedStrings"))) {
        char *part = resolve_target(wb_part, t);
        sc.b = b;
        if (!(p = parser_new(&sc.x, &sc))) {
            free(part);
            goto nomem;
        }
        XML_SetElementHandler(p, sst_start, sst_end);
        XML_SetCharacterDataHandler(p, sst_text);
        rc = parse_part(zf, part, &sc.x, msg, sizeof msg);
        free(part);
        XML_ParserFree(p);
        p = NULL;
        if (rc != HM_OK && rc != HM_ENOTFOUND)
            goto bad;
    }
    if ((t = rel_by_type(&wrels, "/styles"))) {
        char *part = resolve_target(wb_part, t);
        if (!(p = parser_new(&stc.x, &stc))) {
            free(part);
            goto nomem;
        }
        XML_SetElementHandler(p, styles_start, styles_end);
        rc = parse_part(zf, part, &stc.x, msg, sizeof msg);
        free(part);
        XML_ParserFree(p);
        p = NULL;
        if (rc != HM_OK && rc != HM_ENOTFOUND)
            goto bad;
    }
    styles_resolve(b, &stc);
    ok = true;
    goto out;

nomem:
    snprintf(msg, sizeof msg, "out of memory");
bad:
    snprintf(err, errsz, "'%s' is not a readable xlsx workbook: %s", path, msg);
out:
    if (zf)
        unzClose(zf);
    rels_release(&root);
    rels_release(&wrels);
    hm_strbuf_release(&sc.text);
    for (size_t i = 0; i < stc.nfmts; i++)
        free(stc.fmts[i].code);
    free(stc.fmts);
    free(stc.xf_fmt);
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
    free(b->sst_len);
    free(b->xf);
    free(b->path);
    free(b);
}

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
    const char *ln = local_name(name);

    if (!s->in_sheetdata) {
        if (strcmp(ln, "sheetData") == 0)
            s->in_sheetdata = 1;
        return;
    }
    if (!s->in_row) {
        if (strcmp(ln, "row") != 0)
            return;
        const char *r = attr(atts, "r");
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
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *st = attr(atts, "s");
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
            hm_strbuf_add(&val, b->sst.buf + b->sst_off[i], b->sst_len[i]);
    } else if (strcmp(t, "inlineStr") == 0) {
        xstring_append(&val, s->is.buf ? s->is.buf : "", s->is.len);
    } else if (strcmp(t, "str") == 0) {
        xstring_append(&val, v, s->v.len);
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
    const char *ln = local_name(name);

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
    s->zf = unzOpen64(b->path);
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
    if (!parser_new(&s->x, s)) {
        snprintf(err, errsz, "out of memory");
        goto fail;
    }
    XML_SetElementHandler(s->x.p, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(s->x.p, sheet_text);
    s->buf = hm_xmalloc(CHUNK);
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
        if (i)
            hm_strbuf_addc(&s->raw, ',');
        raw_add(&s->raw, s->fieldp[i], s->len[i]);
    }
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
            int n = unzReadCurrentFile(s->zf, s->buf, CHUNK);
            if (n < 0)
                return sheet_fail(s, "damaged compressed data", errmsg);
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
