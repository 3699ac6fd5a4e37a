/*
 * pdf.h - a small drawing layer over libharu for Chinese A4 documents.
 *
 * One hm_pdf is one document with one embedded CJK TrueType font (subset,
 * Identity-H, UTF-8 text).  Coordinates are PDF points with the origin at
 * the bottom left of the page; colours are 0xRRGGBB.
 *
 * Errors are sticky: the first libharu or I/O error is recorded in the
 * document (hm_pdf_error gives the message) and every later call returns
 * the same error without drawing, so a caller may check at convenient
 * points instead of after every call.  Nothing here prints or exits.
 *
 * Ownership: hm_pdf_open hands the caller a document that hm_pdf_free
 * releases.  Strings passed in are copied or used during the call only.
 * hm_pdf_lines owns its lines; hm_pdf_lines_release frees them.
 *
 * Why the glyph fix: libharu 2.3.0 subsets the font by flagging the glyphs
 * drawn, but follows composite glyphs to their components only when the
 * component number fits a signed 16-bit value.  Most composite CJK glyphs
 * in common fonts have larger component numbers, so without help the PDF
 * shows half a character (每 for 海) or nothing.  hm_pdf_save therefore
 * reads the font's glyf table itself and flags every component, nested
 * ones included, before libharu writes the subset.
 *
 * Why the text map: with UTF-8 text libharu gives the font its encoding
 * CMap (a begincidrange) as /ToUnicode, which readers reject and then
 * guess the text from the font.  hm_pdf_save writes in its place a map
 * from each code point drawn to itself (bfchar/bfrange entries), so text
 * copied out of the PDF is the text drawn.
 */
#ifndef HIMAMA_PDF_H
#define HIMAMA_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

/* The default CJK font and face (a .ttc collection). */
#define HM_PDF_DEFAULT_FONT "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

/* A4 portrait, in points. */
#define HM_PDF_A4_WIDTH 595.276
#define HM_PDF_A4_HEIGHT 841.89

typedef struct hm_pdf hm_pdf;

typedef struct hm_pdf_opts {
    const char *font_path;   /* TrueType .ttf or .ttc; NULL: HM_PDF_DEFAULT_FONT */
    int font_index;          /* face within a .ttc (ignored for a .ttf) */
    int64_t created;         /* creation and modification date, seconds since
                                the epoch (UTC); makes the bytes reproducible */
    const char *title;       /* document info, UTF-8; NULL: none */
    const char *author;      /* document info, UTF-8; NULL: none */
    const char *subject;     /* document info, UTF-8; NULL: none */
    bool no_glyph_fix;       /* tests only: skip the composite-glyph fix, to
                                show that the font check can fail */
} hm_pdf_opts;

/* Lines of wrapped text (each a NUL-terminated UTF-8 copy, owned). */
typedef struct hm_pdf_lines {
    size_t n;
    char **line;
} hm_pdf_lines;

/*
 * Create a document and load the font (embedded, subset).  On success *out
 * is the document (the caller frees it with hm_pdf_free); on failure *out
 * is NULL, err holds a message and the return value says why (HM_EIO for a
 * font that cannot be read, HM_EPDF for libharu errors).
 */
hm_error hm_pdf_open(hm_pdf **out, const hm_pdf_opts *o, char *err, size_t errsz);

/* Release the document and all it holds; NULL is fine. */
void hm_pdf_free(hm_pdf *p);

/* The first error recorded, or "" when none. */
const char *hm_pdf_error(const hm_pdf *p);
/* HM_OK, or the first error recorded. */
hm_error hm_pdf_status(const hm_pdf *p);

/* Append an A4 portrait page and make it current. */
hm_error hm_pdf_add_page(hm_pdf *p);
/* Number of pages so far. */
size_t hm_pdf_page_count(const hm_pdf *p);
/* Make page index (0-based) current again, e.g. to draw footers at the end. */
hm_error hm_pdf_select_page(hm_pdf *p, size_t index);

/*
 * Draw UTF-8 text on the current page with its baseline starting at (x, y).
 * Characters the font lacks, characters above U+FFFF and invalid bytes are
 * drawn as a placeholder and counted (hm_pdf_placeholders); control
 * characters become spaces.
 */
hm_error hm_pdf_text(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                     const char *utf8);
/* The same, with the text ending at x (right-aligned). */
hm_error hm_pdf_text_right(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                           const char *utf8);
/* The same, centred on x. */
hm_error hm_pdf_text_center(hm_pdf *p, double x, double y, double size, uint32_t rgb,
                            const char *utf8);

/* Width in points of utf8 at size, measured code point by code point. */
double hm_pdf_text_width(hm_pdf *p, const char *utf8, double size);

/* Characters drawn as a placeholder so far. */
size_t hm_pdf_placeholders(const hm_pdf *p);

/*
 * Wrap utf8 into lines no wider than width at size.  Breaks at spaces in
 * Latin text where possible, after '/', '_', '-' or '.' inside a word
 * such as a file name (not between digits: 2024-12, 1,234.50), between
 * CJK characters (never before a closing mark such as ，。）) - but in a
 * list of names joined by '、' only after a '、' -, at a newline always,
 * and elsewhere inside a word or name only when it alone is too wide.
 * An empty text gives one empty line.
 * OUT: lines (initialise with {0}; release with hm_pdf_lines_release).
 */
hm_error hm_pdf_wrap(hm_pdf *p, const char *utf8, double size, double width,
                     hm_pdf_lines *lines);
void hm_pdf_lines_release(hm_pdf_lines *lines);

/*
 * utf8 as it fits one line width wide at size: unchanged when it does
 * (and has no newline), else its first wrapped line and "…".  The caller
 * frees the result.
 */
char *hm_pdf_fit(hm_pdf *p, const char *utf8, double size, double width);

/* Shapes on the current page.  (x, y) is the lower left corner. */
hm_error hm_pdf_fill_rect(hm_pdf *p, double x, double y, double w, double h, uint32_t rgb);
hm_error hm_pdf_stroke_rect(hm_pdf *p, double x, double y, double w, double h,
                            uint32_t rgb, double line_width);
hm_error hm_pdf_line(hm_pdf *p, double x1, double y1, double x2, double y2,
                     uint32_t rgb, double line_width);
/* A polyline through n points xy[0..2n). */
hm_error hm_pdf_polyline(hm_pdf *p, const double *xy, size_t n, uint32_t rgb,
                         double line_width);
hm_error hm_pdf_fill_circle(hm_pdf *p, double x, double y, double r, uint32_t rgb);

/*
 * Add a top-level outline entry (bookmark) titled utf8 that opens page
 * index at height y.
 */
hm_error hm_pdf_outline(hm_pdf *p, const char *utf8, size_t page, double y);

/*
 * Complete the font subset (the composite-glyph fix, unless no_glyph_fix),
 * replace the font's ToUnicode stream by a map of the code points drawn,
 * and write the document to path.  On failure the file is removed.
 */
hm_error hm_pdf_save(hm_pdf *p, const char *path);

#endif
