/*
 * theme.h - the look himama's PDFs share: page margins, the palette, the
 * type sizes and the footer on every page.  The briefing (render_pdf.c)
 * and the nomination dossiers (dossier.c) draw with it; what belongs to
 * one document's layout alone (KPI tiles, charts, tables, a candidate's
 * page) stays in that document's file.
 *
 * Sizes in PDF points, colours 0xRRGGBB.  The themes are constant and
 * owned here.
 */
#ifndef HIMAMA_THEME_H
#define HIMAMA_THEME_H

#include <stdbool.h>
#include <stdint.h>

#include "himama.h"
#include "himama/pdf.h"

typedef struct hm_pdf_theme {
    /* the page */
    double margin_left, margin_right, margin_top, margin_bottom;
    /* type sizes */
    double title_size;       /* the document's title, a dossier's candidate */
    double subtitle_size;    /* the line under the title, a dossier's sub-heading */
    double heading_size;     /* a section heading */
    double body_size;        /* running text */
    double label_size;       /* the label of a tile */
    double footer_size;
    /* the palette */
    uint32_t text, muted, accent, accent_light, rule;
    uint32_t header_bg, header_text, zebra;          /* table header, alternate rows */
    uint32_t tile_bg, tile_border, empty_bg;
    uint32_t badge_internal, badge_public;           /* the audience marks */
    uint32_t axis, grid;                             /* charts */
    uint32_t series[6];                              /* chart series, in turn */
    /* the footer */
    double footer_y;             /* baseline */
    double footer_rule;          /* width of a rule 12 points above it; 0: none */
    bool footer_pages_first;     /* draw the page number before the left text (the
                                    same page, other bytes) */
} hm_pdf_theme;

/* The briefing's theme, the one the others vary. */
extern const hm_pdf_theme hm_pdf_theme_briefing;

/*
 * The dossiers' theme into *out: the briefing's, but for lighter greys and
 * a lower footer without a rule (as the dossiers have always been drawn;
 * drop the differences in theme.c to give both one look).
 */
void hm_pdf_theme_dossier(hm_pdf_theme *out);

/*
 * Draw the footer of t on every page of p: left at the left margin, cut
 * with "…" where it would meet the page number, and the page number
 * (page_fmt, a printf format taking the page and the page count as two
 * size_t) ending at the right margin.  Call it once the last page is
 * added.  HM_OK or p's sticky error.
 */
hm_error hm_pdf_theme_footers(hm_pdf *p, const hm_pdf_theme *t, const char *left,
                              const char *page_fmt);

#endif
