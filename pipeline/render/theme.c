/*
 * theme.c - the look of himama's PDFs (theme.h): the briefing's theme,
 * the dossiers' variant of it, and the footer both draw.
 */
#include "himama/theme.h"

#include <stdio.h>
#include <stdlib.h>

const hm_pdf_theme hm_pdf_theme_briefing = {
    .margin_left = 50, .margin_right = 50, .margin_top = 52, .margin_bottom = 62,
    .title_size = 22, .subtitle_size = 12, .heading_size = 14, .body_size = 10,
    .label_size = 9, .footer_size = 8,
    .text = 0x222222, .muted = 0x6B6B6B, .accent = 0xB0283F, .accent_light = 0xF6E4E8,
    .rule = 0xCFCFCF,
    .header_bg = 0xEBD3D8, .header_text = 0x3A1A20, .zebra = 0xF7F5F5,
    .tile_bg = 0xFBF6F7, .tile_border = 0xE6C9CF, .empty_bg = 0xF4F4F4,
    .badge_internal = 0xB0283F, .badge_public = 0x2F7D4F,
    .axis = 0x8A8A8A, .grid = 0xE3E3E3,
    .series = { 0xB0283F, 0x2E6DA4, 0xE39B2D, 0x4E9A6A, 0x7E5BA6, 0x6B7B8C },
    .footer_y = 34, .footer_rule = 0.5, .footer_pages_first = false,
};

void hm_pdf_theme_dossier(hm_pdf_theme *out)
{
    *out = hm_pdf_theme_briefing;
    /* the dossiers' own differences, kept so that their files do not change */
    out->margin_top = 50;
    out->margin_bottom = 70;
    out->muted = 0x666666;
    out->rule = 0xCCCCCC;
    out->tile_bg = 0xF7F3F3;
    out->grid = 0xE6E6E6;
    out->footer_y = 28;
    out->footer_rule = 0;
    out->footer_pages_first = true;
}

hm_error hm_pdf_theme_footers(hm_pdf *p, const hm_pdf_theme *t, const char *left,
                              const char *page_fmt)
{
    size_t n = hm_pdf_page_count(p);
    double x0 = t->margin_left, x1 = HM_PDF_A4_WIDTH - t->margin_right, y = t->footer_y;
    char pages[96];

    for (size_t i = 0; i < n; i++) {
        if (hm_pdf_select_page(p, i))
            break;
        snprintf(pages, sizeof pages, page_fmt, i + 1, n);
        double pw = hm_pdf_text_width(p, pages, t->footer_size);
        if (t->footer_rule > 0)
            hm_pdf_line(p, x0, y + 12, x1, y + 12, t->rule, t->footer_rule);
        char *fit = hm_pdf_fit(p, left, t->footer_size, x1 - x0 - pw - 20);
        if (t->footer_pages_first)
            hm_pdf_text_right(p, x1, y, t->footer_size, t->muted, pages);
        hm_pdf_text(p, x0, y, t->footer_size, t->muted, fit);
        if (!t->footer_pages_first)
            hm_pdf_text_right(p, x1, y, t->footer_size, t->muted, pages);
        free(fit);
    }
    return hm_pdf_status(p);
}
