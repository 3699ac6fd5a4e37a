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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SST_MAX_BYTES (1024u << 20)   /* 1 GiB of shared-string text */

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
    buf = hm_xmalloc(HM_XLSX_CHUNK);
    for (;;) {
        int n = unzReadCurrentFile(zf, buf, HM_XLSX_CHUNK);
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
    if (strcmp(hm_xlsx_local_name(name), "Relationship") != 0)
        return;
    const char *id = hm_xlsx_attr(atts, "Id");
    const char *type = hm_xlsx_attr(atts, "Type");
    const char *target = hm_xlsx_attr(atts, "Target");
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
    XML_Parser p = hm_xlsx_parser_new(&c->x, c);
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
        hm_xlsx_xstring_append(&b->sst, c->text.buf ? c->text.buf : "", c->text.len);
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
    const char *ln = hm_xlsx_local_name(name);
    if (strcmp(ln, "numFmt") == 0) {
        const char *id = hm_xlsx_attr(atts, "numFmtId"), *code = hm_xlsx_attr(atts, "formatCode");
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
        const char *id = hm_xlsx_attr(atts, "numFmtId");
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
    if (!(p = hm_xlsx_parser_new(&wc.x, &wc)))
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
        if (!(p = hm_xlsx_parser_new(&sc.x, &sc))) {
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
        if (!(p = hm_xlsx_parser_new(&stc.x, &stc))) {
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

