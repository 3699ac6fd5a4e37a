/*
 * pdf.c - the drawing layer over libharu: one UTF-8 CJK font, A4 pages,
 * text measured and wrapped by code point, simple shapes, bookmarks, and
 * the font program and text map written before saving.
 *
 * Design notes.
 *
 * - libharu reports errors through a callback.  Ours records the first one
 *   in the document; every wrapper also checks the HPDF_STATUS it gets back,
 *   turns a failure into a sticky hm_error with a message, and calls
 *   HPDF_ResetError so that the library state stays usable for cleanup.
 * - libharu's own text measuring and wrapping count UTF-8 bytes, not
 *   characters, and draw nothing for unspaced Chinese, so every width here
 *   is the sum of HPDF_Font_GetUnicodeWidth over code points (read from
 *   the face's table, built once per process from libharu's answers:
 *   pdf_font.h).
 * - Text goes through one filter (sanitize_cp) both when measured and when
 *   drawn, so a measured width is the width drawn: a character the font
 *   lacks (glyph 0), one above U+FFFF (libharu handles only the BMP) or an
 *   invalid byte becomes the placeholder.
 * - The font program (attach_font_program): the document gets, before
 *   libharu writes it, a font descriptor with the subset program of
 *   pdf_font.h (the glyphs drawn and every component of a composite one;
 *   see the header for why libharu's own is not used), and the
 *   CIDToGIDMap keeps only the codes drawn (trim_cid_map).
 * - The text map (write_tounicode): with the UTF-8 encoder libharu writes
 *   each character as its 2-byte code point (Identity-H, so CID = code
 *   point, and a CIDToGIDMap takes it to the glyph), and hands its
 *   encoding CMap (a begincidrange over 0000-FFFF) to the font as
 *   /ToUnicode, which is no map to Unicode.  Every code point drawn is
 *   remembered (used_cp), and before saving the stream's contents are
 *   replaced by a bfchar/bfrange map of exactly those codes.
 */
#include "himama/pdf.h"
#include "himama/pdf_font.h"
#include "himama/util.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define PLACEHOLDER_CP 0x25A1u      /* □ */
#define PLACEHOLDER_FALLBACK '?'
/* Status for a libharu call that returned NULL (the callback has the cause). */
#define CALL_FAILED ((HPDF_STATUS)0xFFFF)
/* Most entries a ToUnicode CMap may hold in one begin...end block. */
#define CMAP_BLOCK_MAX 100

struct hm_pdf {
    HPDF_Doc doc;
    HPDF_Font font;
    HPDF_FontDef fontdef;
    HPDF_Encoder utf8;
    const hm_font_face *face;       /* shared by every document (pdf_font.h) */
    const hm_font_metrics *metrics; /* the face's code point lookups */
    hm_font_cursor cursor;          /* libharu's reading position in the face */
    char *font_path;
    int font_index;
    bool glyph_fix;
    HPDF_Page *pages;
    size_t npage, apage;
    HPDF_Page page;                 /* current page */
    bool fill_known, font_known;    /* set on the current page since it became current: */
    uint32_t fill_rgb;              /* the fill colour */
    double font_size;               /* the font's size */
    uint32_t placeholder;           /* code point drawn for missing ones */
    size_t nplaceholder;
    uint8_t used_cp[0x10000 / 8];   /* bit set: code point drawn (BMP only) */
    hm_error status;                /* sticky */
    char err[256];
    HPDF_STATUS cb_error;           /* last error seen by the callback */
    HPDF_STATUS cb_detail;
};

/* libharu's error callback: remember the error, never jump. */
static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    hm_pdf *p = user;
    p->cb_error = error_no;
    p->cb_detail = detail_no;
}

/* Record the first error (printf-style message) and return it. */
__attribute__((format(printf, 3, 4)))
static hm_error fail(hm_pdf *p, hm_error e, const char *fmt, ...)
{
    if (p->status == HM_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, sizeof p->err, fmt, ap);
        va_end(ap);
        p->status = e;
    }
    return p->status;
}

/*
 * Check a libharu status: on failure record it with what was being done,
 * reset libharu's sticky error and return HM_EPDF.
 */
static hm_error check(hm_pdf *p, HPDF_STATUS st, const char *what)
{
    if (st == HPDF_OK && p->cb_error == HPDF_OK)
        return p->status;
    HPDF_STATUS e = p->cb_error != HPDF_OK ? p->cb_error : st;
    fail(p, HM_EPDF, "libharu error 0x%04X (detail %u) in %s", (unsigned)e,
         (unsigned)p->cb_detail, what);
    p->cb_error = HPDF_OK;
    p->cb_detail = 0;
    if (p->doc)
        HPDF_ResetError(p->doc);
    return p->status;
}

const char *hm_pdf_error(const hm_pdf *p)
{
    return p ? p->err : "no document";
}

hm_error hm_pdf_status(const hm_pdf *p)
{
    return p ? p->status : HM_EPDF;
}

size_t hm_pdf_placeholders(const hm_pdf *p)
{
    return p->nplaceholder;
}

size_t hm_pdf_page_count(const hm_pdf *p)
{
    return p->npage;
}

/* Set the info dates from t (UTC). */
static hm_error set_dates(hm_pdf *p, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return fail(p, HM_EPDF, "creation time %lld is out of range", (long long)t);
    HPDF_Date d;
    memset(&d, 0, sizeof d);
    d.year = tm.tm_year + 1900;
    d.month = tm.tm_mon + 1;
    d.day = tm.tm_mday;
    d.hour = tm.tm_hour;
    d.minutes = tm.tm_min;
    d.seconds = tm.tm_sec;
    d.ind = 'Z';
    if (check(p, HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, d), "creation date"))
        return p->status;
    return check(p, HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_MOD_DATE, d), "modification date");
}

/* Set one UTF-8 info attribute when given. */
static hm_error set_info(hm_pdf *p, HPDF_InfoType type, const char *value, const char *what)
{
    if (!value || !*value)
        return p->status;
    return check(p, HPDF_SetInfoAttr(p->doc, type, value), what);
}

/*
 * Load the font into the document as HPDF_LoadTTFontFromFile(2) does, but
 * reading the face shared by every document (pdf_font.h) from memory.
 * Returns the font's name, or NULL with the error recorded.
 */
static const char *load_font(hm_pdf *p, const char *path, bool ttc)
{
    char ferr[256];
    int index = ttc ? p->font_index : 0;
    if (!(p->face = hm_font_face_get(path, index, ferr, sizeof ferr))) {
        fail(p, HM_EPDF, "cannot load the TrueType font '%s' (face %d): %s", path, index, ferr);
        return NULL;
    }
    HPDF_MMgr mmgr = p->doc->mmgr;
    HPDF_Stream s = hm_font_face_stream(p->face, mmgr, &p->cursor);
    HPDF_FontDef def = !s ? NULL
                       : ttc ? HPDF_TTFontDef_Load2(mmgr, s, (HPDF_UINT)index, HPDF_TRUE)
                             : HPDF_TTFontDef_Load(mmgr, s, HPDF_TRUE);
    if (!def) {
        fail(p, HM_EPDF, "cannot load the TrueType font '%s' (face %d): libharu error 0x%04X",
             path, index, (unsigned)p->cb_error);
        return NULL;
    }
    if (check(p, HPDF_Doc_RegisterFontDef(p->doc, def), "registering the font"))
        return NULL;        /* libharu freed def */
    memcpy(p->doc->ttfont_tag, "HPDFAA", 6);    /* the subset tag of a first font */
    HPDF_TTFontDef_SetTagName(def, (char *)"HPDFAA");
    return def->base_font;
}

hm_error hm_pdf_open(hm_pdf **out, const hm_pdf_opts *o, char *err, size_t errsz)
{
    hm_pdf *p = hm_xcalloc(1, sizeof *p);
    const char *path = o && o->font_path && *o->font_path ? o->font_path : HM_PDF_DEFAULT_FONT;
    hm_error rc;

    *out = NULL;
    p->font_path = hm_xstrdup(path);
    p->font_index = o ? o->font_index : 0;
    p->glyph_fix = !(o && o->no_glyph_fix);

    FILE *fp = fopen(path, "rb");
    if (!fp) {
        rc = fail(p, HM_EIO, "cannot read the font '%s'", path);
        goto out;
    }
    unsigned char magic[4] = {0};
    size_t got = fread(magic, 1, sizeof magic, fp);
    fclose(fp);
    bool ttc = got == 4 && memcmp(magic, "ttcf", 4) == 0;

    p->doc = HPDF_New(on_hpdf_error, p);
    if (!p->doc) {
        rc = fail(p, HM_EPDF, "libharu could not create a document");
        goto out;
    }
    if ((rc = check(p, HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL), "compression")))
        goto out;
    if ((rc = check(p, HPDF_UseUTFEncodings(p->doc), "UTF-8 encodings")))
        goto out;
    const char *name = load_font(p, path, ttc);
    if (!name) {
        rc = p->status;
        goto out;
    }
    p->fontdef = HPDF_GetFontDef(p->doc, name);
    if (!p->fontdef || p->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE) {
        rc = check(p, CALL_FAILED, "selecting the font");
        goto out;
    }
    p->metrics = hm_font_face_metrics(p->face, p->fontdef);
    if (!hm_font_flatten_cmap(p->fontdef, p->metrics)) {
        rc = fail(p, HM_EPDF, "out of memory loading the font '%s'", path);
        goto out;
    }
    p->font = HPDF_GetFont(p->doc, name, "UTF-8");
    p->utf8 = HPDF_GetEncoder(p->doc, "UTF-8");
    if (!p->font || !p->utf8) {
        rc = check(p, CALL_FAILED, "selecting the font");
        goto out;
    }
    p->placeholder = p->metrics->gid[PLACEHOLDER_CP] != 0 ? PLACEHOLDER_CP
                                                           : (uint32_t)PLACEHOLDER_FALLBACK;
    if ((rc = check(p, HPDF_SetCurrentEncoder(p->doc, "UTF-8"), "info encoder")))
        goto out;
    if ((rc = set_info(p, HPDF_INFO_TITLE, o ? o->title : NULL, "title")) ||
        (rc = set_info(p, HPDF_INFO_AUTHOR, o ? o->author : NULL, "author")) ||
        (rc = set_info(p, HPDF_INFO_SUBJECT, o ? o->subject : NULL, "subject")) ||
        (rc = set_info(p, HPDF_INFO_CREATOR, "himama " HIMAMA_VERSION, "creator")))
        goto out;
    if ((rc = set_dates(p, o ? o->created : 0)))
        goto out;
    if ((rc = check(p, HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE), "page mode")))
        goto out;
    *out = p;
    p = NULL;
    rc = HM_OK;
out:
    if (p) {
        snprintf(err, errsz, "%s", p->err);
        hm_pdf_free(p);
    }
    return rc;
}

void hm_pdf_free(hm_pdf *p)
{
    if (!p)
        return;
    if (p->doc)
        HPDF_Free(p->doc);
    free(p->pages);
    free(p->font_path);
    free(p);
}

hm_error hm_pdf_add_page(hm_pdf *p)
{
    if (p->status)
        return p->status;
    HPDF_Page page = HPDF_AddPage(p->doc);
    if (!page)
        return check(p, CALL_FAILED, "adding a page");
    if (check(p, HPDF_Page_SetWidth(page, (HPDF_REAL)HM_PDF_A4_WIDTH), "page width") ||
        check(p, HPDF_Page_SetHeight(page, (HPDF_REAL)HM_PDF_A4_HEIGHT), "page height"))
        return p->status;
    if (p->npage == p->apage) {
        p->apage = p->apage ? 2 * p->apage : 16;
        p->pages = hm_xrealloc(p->pages, p->apage * sizeof *p->pages);
    }
    p->pages[p->npage++] = page;
    p->page = page;
    p->fill_known = p->font_known = false;
    return HM_OK;
}

hm_error hm_pdf_select_page(hm_pdf *p, size_t index)
{
    if (p->status)
        return p->status;
    if (index >= p->npage)
        return fail(p, HM_EPDF, "no page %zu (the document has %zu)", index + 1, p->npage);
    p->page = p->pages[index];
    p->fill_known = p->font_known = false;
    return HM_OK;
}

/* Fail when there is no current page. */
static hm_error need_page(hm_pdf *p)
{
    if (p->status)
        return p->status;
    if (!p->page)
        return fail(p, HM_EPDF, "drawing before the first page");
    return HM_OK;
}

/*
 * Decode the next code point of s (n bytes left) into *cp and return the
 * bytes used (at least 1).  An invalid byte gives U+FFFD.
 */
static size_t next_cp(const char *s, size_t n, uint32_t *cp)
{
    size_t k = hm_utf8_decode(s, n, cp);
    if (k == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return k;
}

/*
 * The code point actually drawn for cp: control characters become a
 * space, and what the font cannot show becomes the placeholder (*missing
 * set).  A newline is kept (callers decide).
 */
static uint32_t sanitize_cp(hm_pdf *p, uint32_t cp, bool *missing)
{
    *missing = false;
    if (cp == '\n')
        return cp;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return ' ';
    if (cp > 0xFFFF || cp == 0xFFFD || p->metrics->gid[cp] == 0) {
        *missing = true;
        return p->placeholder;
    }
    return cp;
}

/*
 * Width of code point cp at size 1000 (font units per em of 1000): what
 * HPDF_Font_GetUnicodeWidth answers, from the face's table.
 */
static double cp_width(hm_pdf *p, uint32_t cp)
{
    int w = cp <= 0xFFFF ? p->metrics->width[cp] : 0;
    return w > 0 ? (double)w : 0.0;
}

double hm_pdf_text_width(hm_pdf *p, const char *utf8, double size)
{
    double w = 0;
    size_t n = strlen(utf8);
    if (p->status || !p->font)
        return 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool missing;
        i += next_cp(utf8 + i, n - i, &cp);
        cp = sanitize_cp(p, cp, &missing);
        w += cp_width(p, cp == '\n' ? ' ' : cp);
    }
    return w * size / 1000.0;
}

/* Build the string to draw: sanitized, newlines as spaces; count placeholders. */
static void prepare_text(hm_pdf *p, const char *utf8, hm_strbuf *sb)
{
    size_t n = strlen(utf8);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        bool missing;
        char enc[4];
        i += next_cp(utf8 + i, n - i, &cp);
        cp = sanitize_cp(p, cp, &missing);
        if (missing)
            p->nplaceholder++;
        if (cp == '\n')
            cp = ' ';
        if (cp <= 0xFFFF)
            p->used_cp[cp >> 3] |= (uint8_t)(1u << (cp & 7));
        hm_strbuf_add(sb, enc, hm_utf8_encode(cp, enc));
    }
}

/*
 * Set the fill colour of the current page, unless it is already that
 * colour (set since the page became current: the colour, like the font
 * below, belongs to the page's graphics state and lasts across text
 * objects; each setting costs libharu a 512-byte clear).
 */
static hm_error set_fill(hm_pdf *p, uint32_t rgb)
{
    if (p->fill_known && p->fill_rgb == rgb)
        return p->status;
    if (check(p, HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)((rgb >> 16) & 0xFF) / 255.0f,
                                      (HPDF_REAL)((rgb >> 8) & 0xFF) / 255.0f,
                                      (HPDF_REAL)(rgb & 0xFF) / 255.0f), "fill colour"))
        return p->status;
    p->fill_known = true;
    p->fill_rgb = rgb;
    return HM_OK;
}

/* Set the font's size on the current page, unless it is already that. */
static hm_error set_font(hm_pdf *p, double size)
{
    if (p->font_known && p->font_size == size)
        return p->status;
    if (check(p, HPDF_Page_SetFontAndSize(p->page, p->font, (HPDF_REAL)size), "font size"))
        return p->status;
    p->font_known = true;
    p->font_size = size;
    return HM_OK;
}

/* Set the stroke colour and line width of the current page. */
static hm_error set_stroke(hm_pdf *p, uint32_t rgb, double line_width)
{
    if (check(p, HPDF_Page_SetRGBStroke(p->page, (HPDF_REAL)((rgb >> 16) & 0xFF) / 255.0f,
                                        (HPDF_REAL)((rgb >> 8) & 0xFF) / 255.0f,
                                        (HPDF_REAL)(rgb & 0xFF) / 255.0f), "stroke colour"))
        return p->status;
    return check(p, HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)line_width), "line width");
}

hm_error hm_pdf_text(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                     const char *utf8)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    if (need_page(p))
        return p->status;
    if (!utf8 || !*utf8)
        return HM_OK;
    hm_strbuf_init(&sb);
    prepare_text(p, utf8, &sb);
    if (set_fill(p, rgb) ||
        check(p, HPDF_Page_BeginText(p->page), "begin text") ||
        set_font(p, size) ||
        check(p, HPDF_Page_TextOut(p->page, (HPDF_REAL)x, (HPDF_REAL)y, sb.buf), "text") ||
        check(p, HPDF_Page_EndText(p->page), "end text"))
        goto out;
out:
    hm_strbuf_release(&sb);
    return p->status;
}

hm_error hm_pdf_text_right(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                           const char *utf8)
{
    return hm_pdf_text(p, x - hm_pdf_text_width(p, utf8, size), y, size, rgb, utf8);
}

hm_error hm_pdf_text_center(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                            const char *utf8)
{
    return hm_pdf_text(p, x - hm_pdf_text_width(p, utf8, size) / 2, y, size, rgb, utf8);
}

/* Characters after which a line may break and before which it may too. */
static bool is_wide(uint32_t cp)
{
    return cp >= 0x2E80;
}

/* Closing marks that must not start a line. */
static bool no_line_start(uint32_t cp)
{
    static const uint32_t marks[] = {
        0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0xFF09,
        0x300B, 0x300D, 0x300F, 0x3011, 0x201D, 0x2019, 0x2026, 0xFF05, 0x3009,
        ',', '.', ';', ':', '!', '?', ')', ']', '%'
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (marks[i] == cp)
            return true;
    return false;
}

/* Opening marks that must not end a line. */
static bool no_line_end(uint32_t cp)
{
    static const uint32_t marks[] = {
        0xFF08, 0x300A, 0x300C, 0x300E, 0x3010, 0x201C, 0x2018, 0x3008, '(', '['
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (marks[i] == cp)
            return true;
    return false;
}

/* Whether cp is an ASCII digit. */
static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/*
 * Whether a line may break after sep, a separator inside a run of Latin
 * text such as a file name, when next follows: after '/' and '_' always,
 * after '-' and '.' unless both sides are digits (so 2024-12 and 149,560.50
 * stay whole; activities-2024-12.csv may break after "activities-" or
 * "2024-12.").
 */
static bool break_after_sep(uint32_t prev, uint32_t sep, uint32_t next)
{
    if (next == 0 || next == ' ' || is_wide(next) || no_line_start(next))
        return false;
    if (sep == '/' || sep == '_')
        return true;
    if (sep == '-' || sep == '.')
        return !(is_digit(prev) && is_digit(next));
    return false;
}

/*
 * Whether text is a list of names: items joined by '、' (U+3001) with no
 * sentence punctuation (，。；：!?) and none longer than 8 characters.  In
 * such a list a line breaks only after a '、', never inside a name.
 */
static bool names_list(const char *s, size_t n)
{
    size_t item = 0;
    bool sep = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = next_cp(s + i, n - i, &cp);
        i += k;
        if (cp == 0x3001) {
            sep = true;
            item = 0;
            continue;
        }
        if (cp == 0xFF0C || cp == 0x3002 || cp == 0xFF1B || cp == 0xFF1A || cp == '\n' ||
            cp == 0xFF01 || cp == 0xFF1F || ++item > 8)
            return false;
    }
    return sep;
}

/* Append bytes [from, to) of s to lines, trailing spaces dropped. */
static void add_line(hm_pdf_lines *l, const char *s, size_t from, size_t to)
{
    while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\t' || s[to - 1] == '\r'))
        to--;
    l->line = hm_xrealloc(l->line, (l->n + 1) * sizeof *l->line);
    l->line[l->n++] = hm_xstrndup(s + from, to - from);
}

void hm_pdf_lines_release(hm_pdf_lines *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
    l->line = NULL;
    l->n = 0;
}

/*
 * Greedy wrapping over code points.  A break opportunity is remembered as
 * the byte offset where the next line would start: after a space (the
 * space is dropped), between two characters when either is wide (CJK) and
 * the marks allow it - in a list of names (names_list) only after a '、'
 * -, or after a separator of a file name or path (break_after_sep).  When
 * a character would overflow, the line ends at the last opportunity, or
 * just before the character when there is none.
 */
hm_error hm_pdf_wrap(hm_pdf *p, const char *utf8, double size, double width,
                     hm_pdf_lines *lines)
{
    size_t n = utf8 ? strlen(utf8) : 0;
    double limit = width * 1000.0 / (size > 0 ? size : 1);
    size_t start = 0;          /* byte where the current line starts */
    double w = 0;              /* width of [start, i) in font units */
    size_t brk = 0;            /* last break: the next line's start, 0 none */
    size_t brk_end = 0;        /* ... and where the current line then ends */
    double w_after = 0;        /* width of [brk, i) */
    uint32_t prev = 0, prev2 = 0;
    bool list = false;

    if (p->status)
        return p->status;
    list = names_list(utf8 ? utf8 : "", n);
    if (n == 0) {
        add_line(lines, "", 0, 0);
        return HM_OK;
    }
    for (size_t i = 0; i < n;) {
        uint32_t raw, cp;
        bool missing;
        size_t k = next_cp(utf8 + i, n - i, &raw);
        cp = sanitize_cp(p, raw, &missing);
        if (cp == '\n') {
            add_line(lines, utf8, start, i);
            i += k;
            start = i;
            w = 0;
            brk = 0;
            prev = prev2 = 0;
            continue;
        }
        if (i > start && cp != ' ' &&
            (((is_wide(cp) || is_wide(prev)) && !no_line_start(cp) && !no_line_end(prev) &&
              (!list || prev == 0x3001)) ||
             break_after_sep(prev2, prev, cp))) {
            brk = i;
            brk_end = i;
            w_after = 0;
        }
        double cw = cp_width(p, cp);
        if (w + cw > limit && i > start && cp != ' ') {
            if (brk > start) {
                add_line(lines, utf8, start, brk_end);
                start = brk;
                w = w_after;
            } else {
                add_line(lines, utf8, start, i);
                start = i;
                w = 0;
            }
            brk = 0;
            w_after = 0;
        }
        w += cw;
        w_after += cw;
        i += k;
        if (cp == ' ') {
            brk = i;
            brk_end = i - k;
            w_after = 0;
        }
        prev2 = prev;
        prev = cp;
    }
    if (start < n || lines->n == 0)
        add_line(lines, utf8, start, n);
    return HM_OK;
}

hm_error hm_pdf_fill_rect(hm_pdf *p, double x, double y, double w, double h, uint32_t rgb)
{
    if (need_page(p) || set_fill(p, rgb))
        return p->status;
    if (check(p, HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                                     (HPDF_REAL)h), "rectangle"))
        return p->status;
    return check(p, HPDF_Page_Fill(p->page), "fill");
}

hm_error hm_pdf_stroke_rect(hm_pdf *p, double x, double y, double w, double h,
                            uint32_t rgb, double line_width)
{
    if (need_page(p) || set_stroke(p, rgb, line_width))
        return p->status;
    if (check(p, HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                                     (HPDF_REAL)h), "rectangle"))
        return p->status;
    return check(p, HPDF_Page_Stroke(p->page), "stroke");
}

hm_error hm_pdf_line(hm_pdf *p, double x1, double y1, double x2, double y2,
                     uint32_t rgb, double line_width)
{
    double xy[4] = { x1, y1, x2, y2 };
    return hm_pdf_polyline(p, xy, 2, rgb, line_width);
}

hm_error hm_pdf_polyline(hm_pdf *p, const double *xy, size_t n, uint32_t rgb,
                         double line_width)
{
    if (need_page(p) || n < 2 || set_stroke(p, rgb, line_width))
        return p->status;
    if (check(p, HPDF_Page_SetLineJoin(p->page, HPDF_ROUND_JOIN), "line join") ||
        check(p, HPDF_Page_MoveTo(p->page, (HPDF_REAL)xy[0], (HPDF_REAL)xy[1]), "move"))
        return p->status;
    for (size_t i = 1; i < n; i++)
        if (check(p, HPDF_Page_LineTo(p->page, (HPDF_REAL)xy[2 * i], (HPDF_REAL)xy[2 * i + 1]),
                  "line"))
            return p->status;
    return check(p, HPDF_Page_Stroke(p->page), "stroke");
}

hm_error hm_pdf_fill_circle(hm_pdf *p, double x, double y, double r, uint32_t rgb)
{
    if (need_page(p) || set_fill(p, rgb))
        return p->status;
    if (check(p, HPDF_Page_Circle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)r), "circle"))
        return p->status;
    return check(p, HPDF_Page_Fill(p->page), "fill");
}

hm_error hm_pdf_outline(hm_pdf *p, const char *utf8, size_t page, double y)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    if (p->status)
        return p->status;
    if (page >= p->npage)
        return fail(p, HM_EPDF, "bookmark to missing page %zu", page + 1);
    hm_strbuf_init(&sb);
    /* Only valid UTF-8 reaches libharu's converter. */
    size_t n = strlen(utf8);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        char enc[4];
        i += next_cp(utf8 + i, n - i, &cp);
        if (cp < 0x20)
            cp = ' ';
        hm_strbuf_add(&sb, enc, hm_utf8_encode(cp, enc));
    }
    HPDF_Outline ol = HPDF_CreateOutline(p->doc, NULL, sb.buf, p->utf8);
    if (!ol) {
        check(p, CALL_FAILED, "bookmark");
        goto out;
    }
    HPDF_Destination dst = HPDF_Page_CreateDestination(p->pages[page]);
    if (!dst) {
        check(p, CALL_FAILED, "bookmark destination");
        goto out;
    }
    if (check(p, HPDF_Destination_SetFitH(dst, (HPDF_REAL)y), "bookmark position") ||
        check(p, HPDF_Outline_SetDestination(ol, dst), "bookmark destination"))
        goto out;
out:
    hm_strbuf_release(&sb);
    return p->status;
}

/* ---- streams deflated here ---- */

/* Write the filter of a stream deflate_here deflated (libharu writes none for it). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream out)
{
    (void)dict;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/*
 * Deflate the data of the stream dictionary d here, at zlib's fastest
 * level, and have libharu write it as it is with its filter.  libharu
 * deflates every stream at zlib's default level, which takes three times
 * as long for streams a fifth smaller.  A stream libharu would not deflate,
 * or that has its own writer, is left to libharu.
 */
static hm_error deflate_here(hm_pdf *p, HPDF_Dict d)
{
    if (!d || !d->stream || d->stream->type != HPDF_STREAM_MEMORY || d->write_fn ||
        d->filter != HPDF_STREAM_FILTER_FLATE_DECODE)
        return p->status;
    HPDF_UINT n = HPDF_Stream_Size(d->stream), got = n;
    if (n == 0)
        return p->status;
    unsigned char *raw = hm_xmalloc(n);
    uLongf zlen = compressBound(n);
    unsigned char *z = hm_xmalloc(zlen);
    HPDF_STATUS st = HPDF_Stream_Seek(d->stream, 0, HPDF_SEEK_SET);
    if (st == HPDF_OK && (st = HPDF_Stream_Read(d->stream, raw, &got)) == HPDF_STREAM_EOF &&
        got == n)
        st = HPDF_OK;
    if (st == HPDF_OK && got == n && compress2(z, &zlen, raw, n, Z_BEST_SPEED) == Z_OK) {
        HPDF_MemStream_FreeData(d->stream);
        if (!check(p, HPDF_Stream_Write(d->stream, z, (HPDF_UINT)zlen), "a deflated stream")) {
            d->filter = HPDF_STREAM_FILTER_NONE;
            d->write_fn = write_flate_filter;
        }
    } else {
        check(p, st == HPDF_OK ? CALL_FAILED : st, "deflating a stream");
    }
    free(raw);
    free(z);
    return p->status;
}

/* Deflate here every page's contents (deflate_here). */
static hm_error deflate_pages(hm_pdf *p)
{
    for (size_t i = 0; i < p->npage && !p->status; i++)
        deflate_here(p, ((HPDF_PageAttr)p->pages[i]->attr)->contents);
    return p->status;
}

/* ---- the font program ---- */

/*
 * Give the font its descriptor and subset program before libharu writes it
 * (libharu makes its own only for a font without a descriptor, and then
 * embeds the whole hmtx, loca and post tables).  The descriptor holds what
 * libharu's would, in its order; the program (pdf_font.h) holds the glyphs
 * libharu flagged as drawn, every component of a composite one flagged
 * too (unless no_glyph_fix: tests only).
 */
static hm_error attach_font_program(hm_pdf *p)
{
    HPDF_TTFontDefAttr attr = (HPDF_TTFontDefAttr)p->fontdef->attr;
    HPDF_FontAttr fa = (HPDF_FontAttr)p->font->attr;
    HPDF_FontDef def = p->fontdef;
    HPDF_MMgr mmgr = p->font->mmgr;
    uint32_t n = attr->num_glyphs;
    hm_strbuf prog = HM_STRBUF_INIT;

    if (n > hm_font_face_glyphs(p->face))
        n = hm_font_face_glyphs(p->face);
    if (n > 0)
        attr->glyph_tbl.flgs[0] = 1;        /* .notdef */
    if (p->glyph_fix)
        hm_font_face_flag_components(p->face, attr->glyph_tbl.flgs, n);
    hm_strbuf_init(&prog);
    hm_font_face_subset(p->face, attr->glyph_tbl.flgs, n, &prog);

    HPDF_Dict desc = HPDF_Dict_New(mmgr);
    HPDF_Dict data = desc ? HPDF_DictStream_New(mmgr, fa->xref) : NULL;
    HPDF_STATUS st = desc && data ? HPDF_OK : CALL_FAILED;
    if (st == HPDF_OK) {
        st += HPDF_Stream_Write(data->stream, (const HPDF_BYTE *)prog.buf, (HPDF_UINT)prog.len);
        st += HPDF_Dict_Add(desc, "FontFile2", data);
        st += HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)prog.len);
        st += HPDF_Dict_AddNumber(data, "Length2", 0);
        st += HPDF_Dict_AddNumber(data, "Length3", 0);
        data->filter = p->font->filter;
        st += HPDF_Xref_Add(fa->xref, desc);
        st += HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
        st += HPDF_Dict_AddNumber(desc, "Ascent", def->ascent);
        st += HPDF_Dict_AddNumber(desc, "Descent", def->descent);
        st += HPDF_Dict_AddNumber(desc, "Flags", (HPDF_INT32)def->flags);
        st += HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(mmgr, def->font_bbox));
        st += HPDF_Dict_AddName(desc, "FontName", attr->base_font);
        st += HPDF_Dict_AddNumber(desc, "ItalicAngle", def->italic_angle);
        st += HPDF_Dict_AddNumber(desc, "StemV", def->stemv);
        st += HPDF_Dict_AddNumber(desc, "XHeight", def->x_height);
    }
    hm_strbuf_release(&prog);
    if (check(p, st, "the font program") || deflate_here(p, data))
        return p->status;
    def->descriptor = desc;
    return HM_OK;
}

/*
 * Map only the codes drawn in the font's CIDToGIDMap (libharu maps every
 * code the font has; a code not drawn is never looked up), so the map
 * compresses to almost nothing.
 */
static hm_error trim_cid_map(hm_pdf *p)
{
    HPDF_FontAttr fa = (HPDF_FontAttr)p->font->attr;
    HPDF_Dict map = fa ? fa->map_stream : NULL;
    if (!map || !map->stream || map->stream->type != HPDF_STREAM_MEMORY)
        return fail(p, HM_EPDF, "the font has no CIDToGIDMap to trim");
    size_t n = HPDF_Stream_Size(map->stream) / 2;
    unsigned char *b = hm_xcalloc(n ? 2 * n : 1, 1);
    for (size_t cp = 0; cp < n && cp <= 0xFFFF; cp++) {
        if ((p->used_cp[cp >> 3] >> (cp & 7)) & 1) {
            b[2 * cp] = (unsigned char)(p->metrics->gid[cp] >> 8);
            b[2 * cp + 1] = (unsigned char)p->metrics->gid[cp];
        }
    }
    HPDF_MemStream_FreeData(map->stream);
    check(p, HPDF_Stream_Write(map->stream, b, (HPDF_UINT)(2 * n)), "the CIDToGIDMap");
    free(b);
    return p->status;
}

/* ---- the ToUnicode map ---- */

/* A run of consecutive codes drawn, all with the same first byte. */
typedef struct cmap_run {
    uint16_t lo, hi;
} cmap_run;

/* Whether code point cp was drawn (a surrogate has no text of its own). */
static bool cp_used(const hm_pdf *p, uint32_t cp)
{
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return false;
    return (p->used_cp[cp >> 3] >> (cp & 7)) & 1;
}

/*
 * Fill runs (room for 0x10000) with the codes drawn, in order, as runs of
 * consecutive codes that never cross a change of the first byte.  Returns
 * the number of runs.
 */
static size_t cmap_runs(const hm_pdf *p, cmap_run *runs)
{
    size_t n = 0;
    bool open = false;
    for (uint32_t cp = 0; cp <= 0xFFFF; cp++) {
        if (!cp_used(p, cp)) {
            open = false;
        } else if (open && (cp & 0xFF) != 0) {
            runs[n - 1].hi = (uint16_t)cp;
        } else {
            runs[n].lo = runs[n].hi = (uint16_t)cp;
            n++;
            open = true;
        }
    }
    return n;
}

/*
 * Append to sb the runs of one kind - the longer ones as bfrange entries
 * (ranges true) or the single codes as bfchar entries - in blocks of at
 * most CMAP_BLOCK_MAX.  A code's text is its own value: the code is the
 * code point.
 */
static void cmap_blocks(hm_strbuf *sb, const cmap_run *runs, size_t n, bool ranges)
{
    const char *kind = ranges ? "bfrange" : "bfchar";
    size_t left = 0, i = 0;
    for (size_t r = 0; r < n; r++)
        left += (runs[r].hi > runs[r].lo) == ranges;
    while (left > 0) {
        size_t k = left < CMAP_BLOCK_MAX ? left : CMAP_BLOCK_MAX;
        hm_strbuf_addf(sb, "%zu begin%s\n", k, kind);
        for (size_t done = 0; done < k; i++) {
            if ((runs[i].hi > runs[i].lo) != ranges)
                continue;
            if (ranges)
                hm_strbuf_addf(sb, "<%04X> <%04X> <%04X>\n", (unsigned)runs[i].lo,
                               (unsigned)runs[i].hi, (unsigned)runs[i].lo);
            else
                hm_strbuf_addf(sb, "<%04X> <%04X>\n", (unsigned)runs[i].lo,
                               (unsigned)runs[i].lo);
            done++;
        }
        hm_strbuf_addf(sb, "end%s\n", kind);
        left -= k;
    }
}

/*
 * Replace the contents of the font's /ToUnicode stream (libharu's encoding
 * CMap) with a map from each code drawn to its Unicode text, and drop the
 * encoding CMap's dictionary entries.  libharu compresses the stream when
 * it writes the font, as before.
 */
static hm_error write_tounicode(hm_pdf *p)
{
    static const char *const cmap_keys[] = { "Type", "CMapName", "CIDSystemInfo", "WMode" };
    HPDF_FontAttr fa = (HPDF_FontAttr)p->font->attr;
    HPDF_Dict cmap = fa ? fa->cmap_stream : NULL;
    hm_strbuf sb = HM_STRBUF_INIT;

    if (!cmap || !cmap->stream || cmap->stream->type != HPDF_STREAM_MEMORY ||
        HPDF_Dict_GetItem(p->font, "ToUnicode", HPDF_OCLASS_DICT) != cmap) {
        p->cb_error = HPDF_OK;
        HPDF_ResetError(p->doc);
        return fail(p, HM_EPDF, "the font has no ToUnicode stream to replace");
    }
    for (size_t k = 0; k < sizeof cmap_keys / sizeof cmap_keys[0]; k++)
        HPDF_Dict_RemoveElement(cmap, cmap_keys[k]);      /* absent: nothing to do */
    cmap_run *runs = hm_xmalloc(0x10000 * sizeof *runs);
    size_t n = cmap_runs(p, runs);
    hm_strbuf_init(&sb);
    hm_strbuf_adds(&sb, "/CIDInit /ProcSet findresource begin\n"
                        "12 dict begin\n"
                        "begincmap\n"
                        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                        "/CMapName /Adobe-Identity-UCS def\n"
                        "/CMapType 2 def\n"
                        "1 begincodespacerange\n"
                        "<0000> <FFFF>\n"
                        "endcodespacerange\n");
    cmap_blocks(&sb, runs, n, true);
    cmap_blocks(&sb, runs, n, false);
    hm_strbuf_adds(&sb, "endcmap\n"
                        "CMapName currentdict /CMap defineresource pop\n"
                        "end\n"
                        "end\n");
    free(runs);
    HPDF_MemStream_FreeData(cmap->stream);
    check(p, HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)sb.buf, (HPDF_UINT)sb.len),
          "writing the ToUnicode map");
    hm_strbuf_release(&sb);
    return p->status;
}

hm_error hm_pdf_save(hm_pdf *p, const char *path)
{
    if (p->status)
        return p->status;
    if (p->npage == 0 && hm_pdf_add_page(p))
        return p->status;
    if (attach_font_program(p) || trim_cid_map(p))
        return p->status;
    if (write_tounicode(p) || deflate_pages(p))
        return p->status;
    if (check(p, HPDF_SaveToFile(p->doc, path), "saving")) {
        remove(path);
        snprintf(p->err + strlen(p->err), sizeof p->err - strlen(p->err), " to '%s'",
                 hm_path_base(path));
    }
    return p->status;
}

char *hm_pdf_fit(hm_pdf *p, const char *utf8, double size, double width)
{
    hm_pdf_lines l = {0};
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    if (hm_pdf_text_width(p, utf8, size) <= width && !strchr(utf8, '\n')) {
        hm_strbuf_adds(&sb, utf8);
        return hm_strbuf_detach(&sb);
    }
    double ell = hm_pdf_text_width(p, "…", size);
    hm_pdf_wrap(p, utf8, size, width - ell, &l);
    hm_strbuf_adds(&sb, l.n ? l.line[0] : "");
    hm_strbuf_adds(&sb, "…");
    hm_pdf_lines_release(&l);
    return hm_strbuf_detach(&sb);
}
