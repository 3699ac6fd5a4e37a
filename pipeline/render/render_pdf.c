/*
 * render_pdf.c - draw the report model as an A4 briefing: a title block,
 * then each section (heading and bookmark, intro paragraph, KPI tiles, a
 * table, a bar or line chart with its table, a note), and a footer with
 * "page i of N" on every page.
 *
 * Layout is one pass top to bottom; the cursor (y) is the top of the free
 * space on the current page in PDF points.  Footers need the page count,
 * so they are drawn after the layout, going back to each page by index.
 * Nothing reads the clock: the document dates come from opts->created.
 *
 * The palette, margins and footer are the theme's (theme.h); the
 * briefing's own sizes are in the LAYOUT table below.
 */
#include "himama/chart.h"
#include "himama/pdf.h"
#include "himama/pdf_table.h"
#include "himama/render.h"
#include "himama/theme.h"
#include "himama/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* =========== LAYOUT: the briefing's own sizes in points (the theme has the rest) =========== */
static const struct layout {
    double running_size;                             /* running header */
    double org_size, badge_size, title_bar_h;
    double heading_gap_before, heading_gap_after;
    double body_leading;                             /* leading as a factor of size */
    double table_size, table_leading, cell_pad_x, cell_pad_y, table_gap_after;
    double note_size;
    double kpi_tile_h, kpi_gap, kpi_value_size, kpi_small_size;
    double chart_h, chart_size, chart_value_size, chart_gap_after;
    double min_col_em;                               /* narrowest text column, in em */
    double keep_with_heading;                        /* room wanted below a heading
                                                        (tables, text; tiles and charts
                                                        keep their own height) */
} LAYOUT = {
    .running_size = 8,
    .org_size = 10.5, .badge_size = 10, .title_bar_h = 6,
    .heading_gap_before = 18, .heading_gap_after = 8,
    .body_leading = 1.6,
    .table_size = 8.5, .table_leading = 1.4, .cell_pad_x = 5, .cell_pad_y = 4,
    .table_gap_after = 6,
    .note_size = 8,
    .kpi_tile_h = 74, .kpi_gap = 8, .kpi_value_size = 20, .kpi_small_size = 7.5,
    .chart_h = 190, .chart_size = 7.5, .chart_value_size = 6.5, .chart_gap_after = 10,
    .min_col_em = 4,
    .keep_with_heading = 90,
};
/* ========================================================================================== */

/* The palette, margins, type sizes and footer (theme.h). */
#define THEME hm_pdf_theme_briefing

/* Words in the two languages. */
typedef struct words {
    /* previous, ytd: a KPI tile's two small figures when their columns have no label */
    const char *internal, *public_, *previous, *ytd, *no_data, *page_fmt, *generated, *period;
    /* under a list cut short (pdf_rows): shown, total; then the sheet clause or the end */
    const char *cut_fmt, *cut_sheet_fmt, *cut_end;
} words;

static const words WORDS_ZH = {
    "内部资料", "公开版", "上月", "本年累计", "本期无数据", "第 %zu 页 / 共 %zu 页",
    "生成时间", "数据期间",
    "仅列出前 %s 行，共 %s 行", "；完整名单见工作簿「%s」。", "。",
};
static const words WORDS_EN = {
    "INTERNAL", "PUBLIC", "Last month", "Year to date", "No data for this period",
    "Page %zu of %zu", "Generated", "Data period",
    "First %s of %s rows", "; the full list is in the workbook, sheet “%s”.", ".",
};

/* The renderer's state. */
typedef struct rctx {
    hm_pdf *pdf;
    const hm_report *r;
    const words *w;
    bool pub;
    double left, right, width;   /* text column */
    double top, bottom;          /* free space limits on a page */
    double y;                    /* top of the free space */
} rctx;

/* An empty string for NULL. */
static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Running header of pages after the first: title and period, audience. */
static hm_error running_header(rctx *c)
{
    const hm_report *r = c->r;
    double y = HM_PDF_A4_HEIGHT - THEME.margin_top + 16;
    char left[512];
    snprintf(left, sizeof left, "%s  %s", nz(r->title), nz(r->subtitle));
    hm_pdf_text(c->pdf, c->left, y, LAYOUT.running_size, THEME.muted, left);
    hm_pdf_text_right(c->pdf, c->right, y, LAYOUT.running_size,
                      c->pub ? THEME.badge_public : THEME.badge_internal,
                      c->pub ? c->w->public_ : c->w->internal);
    return hm_pdf_line(c->pdf, c->left, y - 5, c->right, y - 5, THEME.rule, 0.5);
}

/* Start a new page and put the cursor at its top. */
static hm_error new_page(rctx *c)
{
    if (hm_pdf_add_page(c->pdf))
        return hm_pdf_status(c->pdf);
    c->y = c->top;
    if (hm_pdf_page_count(c->pdf) > 1)
        return running_header(c);
    return HM_OK;
}

/* Make sure h points fit below the cursor, else start a new page. */
static hm_error ensure(rctx *c, double h)
{
    if (c->y - h < c->bottom && c->y < c->top)
        return new_page(c);
    return hm_pdf_status(c->pdf);
}

/* The first line of text wrapped to width, with "…" when cut (into sb). */
static void fit_line(rctx *c, const char *text, double size, double width, hm_strbuf *sb)
{
    char *fit = hm_pdf_fit(c->pdf, text, size, width);
    hm_strbuf_reset(sb);
    hm_strbuf_adds(sb, fit);
    free(fit);
}

/* A wrapped paragraph at the cursor; breaks pages between lines. */
static hm_error paragraph(rctx *c, const char *text, double size, uint32_t rgb, double indent)
{
    hm_pdf_lines l = {0};
    double lead = size * LAYOUT.body_leading;
    if (!text || !*text)
        return hm_pdf_status(c->pdf);
    hm_pdf_wrap(c->pdf, text, size, c->width - indent, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (ensure(c, lead))
            break;
        hm_pdf_text(c->pdf, c->left + indent, c->y - size, size, rgb, l.line[i]);
        c->y -= lead;
    }
    hm_pdf_lines_release(&l);
    return hm_pdf_status(c->pdf);
}

/*
 * Under the title block of a period not yet ended (r->complete false): the
 * template's banner (r->unfinished) in a framed box in the colour of the
 * internal mark, so nobody reads a month in progress as a whole one.
 */
static hm_error unfinished_banner(rctx *c)
{
    const hm_report *r = c->r;
    hm_pdf_lines l = {0};
    double size = THEME.body_size, lead = size * 1.45, pad = 7;
    if (r->complete || !r->unfinished || !*r->unfinished)
        return hm_pdf_status(c->pdf);
    c->y -= 4;
    hm_pdf_wrap(c->pdf, r->unfinished, size, c->width - 2 * pad - 4, &l);
    double h = (double)l.n * lead + 2 * pad - (lead - size);
    hm_pdf_fill_rect(c->pdf, c->left, c->y - h, 4, h, THEME.badge_internal);
    hm_pdf_stroke_rect(c->pdf, c->left, c->y - h, c->width, h, THEME.badge_internal, 1);
    for (size_t i = 0; i < l.n; i++)
        hm_pdf_text(c->pdf, c->left + pad + 4, c->y - pad - size * 0.85 - (double)i * lead,
                    size, THEME.badge_internal, l.line[i]);
    hm_pdf_lines_release(&l);
    c->y -= h + 8;
    return hm_pdf_status(c->pdf);
}

/* The title block at the top of the first page. */
static hm_error title_block(rctx *c)
{
    const hm_report *r = c->r;
    const char *badge = c->pub ? c->w->public_ : c->w->internal;
    uint32_t bc = c->pub ? THEME.badge_public : THEME.badge_internal;
    double bw = hm_pdf_text_width(c->pdf, badge, LAYOUT.badge_size) + 14;
    double top = HM_PDF_A4_HEIGHT;
    hm_pdf_lines l = {0};

    hm_pdf_fill_rect(c->pdf, 0, top - LAYOUT.title_bar_h, HM_PDF_A4_WIDTH, LAYOUT.title_bar_h,
                     THEME.accent);
    /* Audience marker: a framed label at the top right. */
    double by = c->y - 20;
    hm_pdf_stroke_rect(c->pdf, c->right - bw, by, bw, 20, bc, 1.2);
    hm_pdf_text_center(c->pdf, c->right - bw / 2, by + 6, LAYOUT.badge_size, bc, badge);

    hm_pdf_wrap(c->pdf, nz(r->title), THEME.title_size, c->width - bw - 16, &l);
    for (size_t i = 0; i < l.n; i++) {
        hm_pdf_text(c->pdf, c->left, c->y - THEME.title_size, THEME.title_size,
                    THEME.text, l.line[i]);
        c->y -= THEME.title_size * 1.35;
    }
    hm_pdf_lines_release(&l);
    c->y -= 4;
    if (r->subtitle && *r->subtitle) {
        hm_pdf_text(c->pdf, c->left, c->y - THEME.subtitle_size, THEME.subtitle_size,
                    THEME.accent, r->subtitle);
        c->y -= THEME.subtitle_size * 1.6;
    }
    if (r->org && *r->org) {
        hm_pdf_text(c->pdf, c->left, c->y - LAYOUT.org_size, LAYOUT.org_size, THEME.muted,
                    r->org);
        c->y -= LAYOUT.org_size * 1.6;
    }
    c->y -= 4;
    hm_pdf_line(c->pdf, c->left, c->y, c->right, c->y, THEME.accent, 1.5);
    c->y -= 6;
    return unfinished_banner(c);
}

/* Room the start of a section's body needs below its heading. */
static double keep_room(const hm_section *s)
{
    switch (s->kind) {
    case HM_SEC_KPI:
        return LAYOUT.kpi_tile_h + (s->intro ? 2 * THEME.body_size * LAYOUT.body_leading : 0);
    case HM_SEC_BAR:
    case HM_SEC_LINE:
        return LAYOUT.chart_h + (s->intro ? 2 * THEME.body_size * LAYOUT.body_leading : 0);
    default:
        return LAYOUT.keep_with_heading;
    }
}

/* A section heading with its accent bar and bookmark, kept with its body. */
static hm_error heading(rctx *c, const hm_section *s)
{
    double h = THEME.heading_size;
    c->y -= LAYOUT.heading_gap_before;
    if (c->y > c->top)
        c->y = c->top;
    if (ensure(c, h * 1.15 + LAYOUT.heading_gap_after + keep_room(s)))
        return hm_pdf_status(c->pdf);
    double top = c->y;
    hm_pdf_fill_rect(c->pdf, c->left, c->y - h * 1.15, 3.5, h * 1.15, THEME.accent);
    hm_pdf_text(c->pdf, c->left + 10, c->y - h * 0.95, h, THEME.text, nz(s->heading));
    c->y -= h * 1.15 + LAYOUT.heading_gap_after;
    if (s->heading && *s->heading)
        hm_pdf_outline(c->pdf, s->heading, hm_pdf_page_count(c->pdf) - 1, top + 6);
    return hm_pdf_status(c->pdf);
}

/*
 * The text shown for v under spec: text values as they are, everything
 * else through hm_value_format (which applies "<3" for the public).
 */
static const char *cell_text(const rctx *c, const hm_value *v, const hm_colspec *spec,
                             char *buf, size_t bufsz)
{
    if (v->type == HM_V_TEXT)
        return nz(v->s);
    hm_value_format(v, spec, c->pub, buf, bufsz);
    return buf;
}

/* Whether a column's values are numbers (drawn right-aligned, never wrapped). */
static bool numeric_col(const hm_colspec *spec)
{
    return hm_pdf_numeric_col(spec);
}

/* The "no data" box shown for an empty table: one line, or as many as its text wraps to
 * (a list left to the packs says where its rows are). */
static hm_error empty_box(rctx *c, const hm_section *s)
{
    const char *text = s->empty && *s->empty ? s->empty : c->w->no_data;
    double size = THEME.body_size, lead = size * LAYOUT.body_leading;
    hm_pdf_lines l = {0};
    hm_pdf_wrap(c->pdf, text, size, c->width - 20, &l);
    size_t n = l.n > 1 ? l.n : 1;
    double h = size * 2.4 + (double)(n - 1) * lead;
    if (!ensure(c, h)) {
        hm_pdf_fill_rect(c->pdf, c->left, c->y - h, c->width, h, THEME.empty_bg);
        if (n == 1)
            hm_pdf_text(c->pdf, c->left + 10, c->y - h / 2 - size * 0.35, size, THEME.muted,
                        text);
        for (size_t i = 0; n > 1 && i < n; i++)
            hm_pdf_text(c->pdf, c->left + 10, c->y - size * 1.2 - size * 0.35 -
                        (double)i * lead, size, THEME.muted, l.line[i]);
        c->y -= h + LAYOUT.table_gap_after;
    }
    hm_pdf_lines_release(&l);
    return hm_pdf_status(c->pdf);
}

/* ---- KPI tiles ---- */

/* One KPI tile at (x, top) of width w. */
static void kpi_tile(rctx *c, const hm_table *t, size_t row, double x, double top, double w)
{
    char buf[128], line[256];
    hm_strbuf sb = HM_STRBUF_INIT;
    double h = LAYOUT.kpi_tile_h, inner = w - 20;

    hm_strbuf_init(&sb);
    hm_pdf_fill_rect(c->pdf, x, top - h, w, h, THEME.tile_bg);
    hm_pdf_stroke_rect(c->pdf, x, top - h, w, h, THEME.tile_border, 0.6);
    hm_pdf_fill_rect(c->pdf, x, top - h, 3, h, THEME.accent);
    if (t->ncol > 0) {
        fit_line(c, cell_text(c, hm_table_cell(t, row, 0), &t->cols[0], buf, sizeof buf),
                 THEME.label_size, inner, &sb);
        hm_pdf_text(c->pdf, x + 11, top - 8 - THEME.label_size, THEME.label_size,
                    THEME.muted, sb.buf);
    }
    if (t->ncol > 1) {
        const char *v = cell_text(c, hm_table_cell(t, row, 1), &t->cols[1], buf, sizeof buf);
        double size = LAYOUT.kpi_value_size;
        double vw = hm_pdf_text_width(c->pdf, v, size);
        if (vw > inner && vw > 0)
            size = size * inner / vw;
        hm_pdf_text(c->pdf, x + 11, top - 8 - THEME.label_size - 6 - size * 0.9, size,
                    THEME.text, v);
    }
    double ly = top - h + 8 + LAYOUT.kpi_small_size * 1.4;
    const char *names[2] = { c->w->previous, c->w->ytd };
    for (size_t k = 0; k < 2; k++) {
        size_t col = 2 + k;
        if (col >= t->ncol || hm_table_cell(t, row, col)->type == HM_V_NULL)
            continue;
        /* the template's column label names the figure ("上月", "上年同期") */
        bool own = t->cols[col].label && t->cols[col].label[0];
        const char *lab = own ? t->cols[col].label : names[k];
        snprintf(line, sizeof line, "%s %s", lab,
                 cell_text(c, hm_table_cell(t, row, col), &t->cols[col], buf, sizeof buf));
        fit_line(c, line, LAYOUT.kpi_small_size, inner, &sb);
        hm_pdf_text(c->pdf, x + 11, ly, LAYOUT.kpi_small_size, THEME.muted, sb.buf);
        ly -= LAYOUT.kpi_small_size * 1.4;
    }
    hm_strbuf_release(&sb);
}

/* KPI rows as a grid of tiles, three or four to a row. */
static hm_error kpi_section(rctx *c, const hm_section *s)
{
    const hm_table *t = &s->table;
    size_t per_row = t->nrow <= 4 ? t->nrow : (t->nrow % 3 == 0 && t->nrow <= 9 ? 3 : 4);
    if (t->nrow == 0)
        return empty_box(c, s);
    double w = (c->width - LAYOUT.kpi_gap * (double)(per_row - 1)) / (double)per_row;
    for (size_t i = 0; i < t->nrow; i += per_row) {
        if (ensure(c, LAYOUT.kpi_tile_h))
            break;
        for (size_t j = 0; j < per_row && i + j < t->nrow; j++)
            kpi_tile(c, t, i + j, c->left + (double)j * (w + LAYOUT.kpi_gap), c->y, w);
        c->y -= LAYOUT.kpi_tile_h + LAYOUT.kpi_gap;
    }
    return hm_pdf_status(c->pdf);
}

/* ---- tables ---- */

/* The wrapped cells of one row and its height. */
typedef struct row_cells {
    hm_pdf_lines *cell;     /* ncol */
    double h;
} row_cells;

/* Wrap a row (header when row is SIZE_MAX); lines capped to fit a page. */
static void row_wrap(rctx *c, const hm_table *t, size_t row, const double *w, const double *fs,
                     row_cells *rc)
{
    char buf[128];
    double size = LAYOUT.table_size, lead = size * LAYOUT.table_leading;
    size_t max_lines = (size_t)((c->top - c->bottom) / lead) / 2;
    size_t most = 1;
    for (size_t j = 0; j < t->ncol; j++) {
        const char *text = row == SIZE_MAX ? nz(t->cols[j].label)
                           : cell_text(c, hm_table_cell(t, row, j), &t->cols[j], buf, sizeof buf);
        hm_pdf_lines *l = &rc->cell[j];
        bool one = row != SIZE_MAX && numeric_col(&t->cols[j]);   /* a number never wraps */
        hm_pdf_lines_release(l);
        hm_pdf_wrap(c->pdf, text, one ? fs[j] : size, one ? 1e9 : w[j] - 2 * LAYOUT.cell_pad_x,
                    l);
        if (l->n > max_lines) {           /* a story longer than a page: cut it */
            hm_strbuf sb = HM_STRBUF_INIT;
            hm_strbuf_init(&sb);
            hm_strbuf_adds(&sb, l->line[max_lines - 1]);
            hm_strbuf_adds(&sb, "…");
            for (size_t k = max_lines - 1; k < l->n; k++)
                free(l->line[k]);
            l->line[max_lines - 1] = hm_strbuf_detach(&sb);
            l->n = max_lines;
        }
        if (l->n > most)
            most = l->n;
    }
    rc->h = (double)most * lead + 2 * LAYOUT.cell_pad_y;
}

/* Draw a wrapped row at the cursor (header: shaded, else zebra when odd). */
static void row_draw(rctx *c, const hm_table *t, const double *w, const double *fs,
                     const row_cells *rc, bool header, bool odd)
{
    double size = LAYOUT.table_size, lead = size * LAYOUT.table_leading;
    if (header)
        hm_pdf_fill_rect(c->pdf, c->left, c->y - rc->h, c->width, rc->h, THEME.header_bg);
    else if (odd)
        hm_pdf_fill_rect(c->pdf, c->left, c->y - rc->h, c->width, rc->h, THEME.zebra);
    double x = c->left;
    for (size_t j = 0; j < t->ncol; j++) {
        const hm_pdf_lines *l = &rc->cell[j];
        bool right = numeric_col(&t->cols[j]);
        for (size_t k = 0; k < l->n; k++) {
            double by = c->y - LAYOUT.cell_pad_y - (double)k * lead - size * 1.05;
            uint32_t col = header ? THEME.header_text : THEME.text;
            if (right && !header)
                hm_pdf_text_right(c->pdf, x + w[j] - LAYOUT.cell_pad_x, by, fs[j], col,
                                  l->line[k]);
            else if (right)
                hm_pdf_text_right(c->pdf, x + w[j] - LAYOUT.cell_pad_x, by, size, col, l->line[k]);
            else
                hm_pdf_text(c->pdf, x + LAYOUT.cell_pad_x, by, size, col, l->line[k]);
        }
        x += w[j];
    }
    if (header)
        hm_pdf_line(c->pdf, c->left, c->y - rc->h, c->right, c->y - rc->h, THEME.accent, 0.8);
    c->y -= rc->h;
}

/* A note in small muted type under a table or chart. */
static hm_error note(rctx *c, const hm_section *s)
{
    if (!s->note || !*s->note)
        return hm_pdf_status(c->pdf);
    c->y -= 2;
    return paragraph(c, s->note, LAYOUT.note_size, THEME.muted, 0);
}

/*
 * How many of s's rows the PDF shows: all, or pdf_rows for a long table or
 * list.  Those are always in memory: a spilled table keeps that many
 * (report.h); the guard only protects against a model built otherwise.
 */
static size_t rows_shown(const hm_section *s)
{
    size_t n = hm_table_rows(&s->table);
    if ((s->kind == HM_SEC_TABLE || s->kind == HM_SEC_LIST) && s->pdf_rows > 0 &&
        n > s->pdf_rows)
        n = s->pdf_rows;
    return n < s->table.nrow ? n : s->table.nrow;
}

/* Under a table cut short: how many rows there are and where to find them all. */
static hm_error cut_note(rctx *c, const hm_section *s)
{
    char shown[32], total[32], text[512];
    hm_colspec spec = { .format = HM_FMT_INT };
    hm_value v = { .type = HM_V_INT };
    hm_strbuf sb = HM_STRBUF_INIT;

    v.i = (int64_t)rows_shown(s);
    hm_value_format(&v, &spec, false, shown, sizeof shown);
    v.i = (int64_t)hm_table_rows(&s->table);
    hm_value_format(&v, &spec, false, total, sizeof total);
    hm_strbuf_init(&sb);
    snprintf(text, sizeof text, c->w->cut_fmt, shown, total);
    hm_strbuf_adds(&sb, text);
    if (s->sheet && *s->sheet) {
        snprintf(text, sizeof text, c->w->cut_sheet_fmt, s->sheet);
        hm_strbuf_adds(&sb, text);
    } else {
        hm_strbuf_adds(&sb, c->w->cut_end);
    }
    paragraph(c, sb.buf, LAYOUT.note_size, THEME.muted, 0);
    hm_strbuf_release(&sb);
    return hm_pdf_status(c->pdf);
}

/*
 * A table with a shaded header row repeated on every page it spans.  A
 * table or list with pdf_rows shows only its first rows, then a line
 * saying how many there are (the workbook has them all).
 */
static hm_error table(rctx *c, const hm_section *s)
{
    hm_table view = s->table;          /* the rows drawn */
    const hm_table *t = &view;
    double *w = NULL, *fs = NULL;
    row_cells head = {0}, row = {0};

    view.nrow = rows_shown(s);
    hm_value *level_rows = NULL;      /* a table rolled up by unit: its top rows alone */
    if (s->row_depth && view.nrow > 0) {
        size_t k = 0;
        level_rows = hm_xcalloc(view.nrow * t->ncol, sizeof *level_rows);
        for (size_t i = 0; i < view.nrow; i++)
            if (s->row_depth[i] == 0)
                memcpy(&level_rows[k++ * t->ncol], &s->table.cells[i * t->ncol],
                       t->ncol * sizeof *level_rows);
        view.cells = level_rows;
        view.nrow = k;
    }
    if (t->nrow == 0 || t->ncol == 0) {
        free(level_rows);
        return empty_box(c, s);
    }
    w = hm_xcalloc(t->ncol, sizeof *w);
    fs = hm_xcalloc(t->ncol, sizeof *fs);
    head.cell = hm_xcalloc(t->ncol, sizeof *head.cell);
    row.cell = hm_xcalloc(t->ncol, sizeof *row.cell);
    hm_pdf_table_columns(c->pdf, t, c->pub, &(hm_pdf_table_geom){
                             .width = c->width, .size = LAYOUT.table_size,
                             .pad = 2 * LAYOUT.cell_pad_x, .min_col_em = LAYOUT.min_col_em },
                         w, fs);
    row_wrap(c, t, SIZE_MAX, w, fs, &head);
    for (size_t i = 0; i < t->nrow; i++) {
        row_wrap(c, t, i, w, fs, &row);
        bool first = i == 0;
        if (first || c->y - row.h < c->bottom) {
            if (!first)
                hm_pdf_line(c->pdf, c->left, c->y, c->right, c->y, THEME.rule, 0.6);
            if (ensure(c, head.h + row.h) || (!first && c->y < c->top && new_page(c)))
                goto out;
            row_draw(c, t, w, fs, &head, true, false);
        }
        row_draw(c, t, w, fs, &row, false, i % 2 == 1);
        if (hm_pdf_status(c->pdf))
            goto out;
    }
    hm_pdf_line(c->pdf, c->left, c->y, c->right, c->y, THEME.rule, 0.6);
    if (!level_rows && view.nrow < hm_table_rows(&s->table)) {
        c->y -= 3;
        cut_note(c, s);
    }
    c->y -= LAYOUT.table_gap_after;
out:
    for (size_t j = 0; j < t->ncol; j++) {
        hm_pdf_lines_release(&head.cell[j]);
        hm_pdf_lines_release(&row.cell[j]);
    }
    free(head.cell);
    free(row.cell);
    free(w);
    free(fs);
    free(level_rows);
    return hm_pdf_status(c->pdf);
}

/* ---- charts ---- */

/* The numeric value of a cell, false for NULL or text. */
static bool cell_number(const hm_value *v, double *out)
{
    if (v->type == HM_V_INT) {
        *out = (double)v->i;
        return true;
    }
    if (v->type == HM_V_REAL) {
        *out = v->r;
        return true;
    }
    return false;
}

/* An axis tick label for value v in the format of spec. */
static void tick_label(double v, const hm_colspec *spec, char *out, size_t outsz)
{
    hm_colspec plain = { .format = HM_FMT_INT };
    hm_value iv = { .type = HM_V_INT };
    switch (spec->format) {
    case HM_FMT_PERCENT:   /* whole percents, or one decimal when the steps are finer */
        snprintf(out, outsz, fabs(v * 100 - round(v * 100)) > 1e-6 ? "%.1f%%" : "%.0f%%",
                 v * 100);
        return;
    case HM_FMT_MONEY:
        iv.i = (int64_t)llround(v / 100);     /* fen to whole yuan */
        break;
    default:
        if (fabs(v - round(v)) > 1e-9) {
            snprintf(out, outsz, "%.1f", v);
            return;
        }
        iv.i = (int64_t)llround(v);
        break;
    }
    hm_value_format(&iv, &plain, false, out, outsz);
}

/* A box on the page: left, bottom, right, top. */
typedef struct lbox {
    double x0, y0, x1, y1;
} lbox;

static bool lbox_hits(const lbox *a, const lbox *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* One point of a line chart, with its value label. */
typedef struct lpoint {
    bool on;                /* the cell has a number: a point is drawn */
    double y;
    size_t k;               /* series, for the order of equal values */
    char text[128];         /* as chart() formats it */
} lpoint;

/* Higher points first; equal ones in series order. */
static int lpoint_cmp(const void *a, const void *b)
{
    const lpoint *p = a, *q = b;
    if (p->y != q->y)
        return p->y < q->y ? 1 : -1;
    return (p->k > q->k) - (p->k < q->k);
}

/*
 * The value labels of a line chart, drawn over its lines; pt holds its
 * points as chart() drew them, nc columns of ns series (pt[i * ns + k]),
 * column i centred at px0 + gw * (i + 0.5).  Each column's points are
 * labelled from the highest down: a label goes just above its point,
 * else just below it, and only where it touches no other label, point or
 * legend entry and stays between the axis (py0) and the chart's top.
 * Where two lines run close together the upper one is labelled above and
 * the lower below; a point crowded out keeps no label (the table under
 * the chart has every value) rather than one printed over another.
 */
static void line_labels(rctx *c, lpoint *pt, size_t nc, size_t ns, double gw, double px0,
                        double py0, double top, const lbox *legend)
{
    size_t nmark = 0, nplaced = 0;
    double vs = LAYOUT.chart_value_size, r = 2.2;
    lbox *marks = hm_xcalloc(nc * ns, sizeof *marks);
    lbox *placed = hm_xcalloc(nc * ns + ns, sizeof *placed);
    lpoint *col = hm_xcalloc(ns, sizeof *col);

    for (size_t i = 0; i < nc; i++) {
        double cx = px0 + gw * ((double)i + 0.5);
        for (size_t k = 0; k < ns; k++)
            if (pt[i * ns + k].on)
                marks[nmark++] = (lbox){ cx - r, pt[i * ns + k].y - r, cx + r,
                                         pt[i * ns + k].y + r };
    }
    for (size_t k = 0; k < ns; k++)
        placed[nplaced++] = legend[k];

    for (size_t i = 0; i < nc; i++) {
        double cx = px0 + gw * ((double)i + 0.5);
        size_t n = 0;
        for (size_t k = 0; k < ns; k++)
            if (pt[i * ns + k].on)
                col[n++] = pt[i * ns + k];
        qsort(col, n, sizeof *col, lpoint_cmp);
        for (size_t j = 0; j < n; j++) {
            double w = hm_pdf_text_width(c->pdf, col[j].text, vs);
            /* baselines above and below the point; the box spans the
               digits' height (0.85 of the size) and a little below */
            double at[2] = { col[j].y + r + 2, col[j].y - r - 2 - vs * 0.85 };
            for (size_t a = 0; a < 2; a++) {
                lbox b = { cx - w / 2 - 1, at[a] - vs * 0.15, cx + w / 2 + 1, at[a] + vs * 0.85 };
                bool ok = b.y0 >= py0 + 0.5 && b.y1 <= top;
                for (size_t q = 0; ok && q < nplaced; q++)
                    ok = !lbox_hits(&b, &placed[q]);
                for (size_t q = 0; ok && q < nmark; q++)
                    ok = !lbox_hits(&b, &marks[q]);
                if (!ok)
                    continue;
                hm_pdf_text_center(c->pdf, cx, at[a], vs, THEME.text, col[j].text);
                placed[nplaced++] = b;
                break;
            }
        }
    }
    free(marks);
    free(placed);
    free(col);
}

/*
 * A chart's frame: its series columns, value scale and plot area.  The
 * plot area spans px0..px1 across and py0 (the axis) up to py1; column i
 * of the nc categories is centred at px0 + gw * (i + 0.5).
 */
typedef struct chart_frame {
    const hm_table *t;
    size_t *sc, ns, nc;          /* the series columns (owned), how many; categories */
    size_t *kc;                  /* each series' colour: its place among all the chart's series */
    double vmin, vmax, step;     /* value axis */
    bool cut;                    /* the axis starts above 0: its baseline is marked */
    double size;                 /* type size of labels */
    double top;                  /* top of the chart */
    double px0, px1, py0, py1, gw;
} chart_frame;

/* The height on the page of value v. */
static double chart_y(const chart_frame *f, double v)
{
    return f->py0 + (v - f->vmin) / (f->vmax - f->vmin) * (f->py1 - f->py0);
}

/*
 * The value axis of f (hm_chart_axis): counts from 0 to their largest
 * value; rates (every series a percentage) over the data's range, the
 * cut baseline then marked.
 */
static void chart_scale(chart_frame *f)
{
    double lo = 0, hi = 0;
    bool integral = true, rate = true, any = false;
    for (size_t i = 0; i < f->nc; i++)
        for (size_t k = 0; k < f->ns; k++) {
            double v;
            if (!cell_number(hm_table_cell(f->t, i, f->sc[k]), &v))
                continue;
            lo = !any || v < lo ? v : lo;
            hi = !any || v > hi ? v : hi;
            any = true;
        }
    for (size_t k = 0; k < f->ns; k++) {
        hm_format fm = f->t->cols[f->sc[k]].format;
        if (fm == HM_FMT_PERCENT || fm == HM_FMT_REAL)
            integral = false;
        if (fm != HM_FMT_PERCENT)
            rate = false;
    }
    f->cut = hm_chart_axis(lo, hi, integral, rate && any, &f->vmin, &f->vmax, &f->step);
}

/* The colour of series k. */
static uint32_t series_colour(size_t k)
{
    return THEME.series[k % (sizeof THEME.series / sizeof THEME.series[0])];
}

/* Legend at the chart's top: a swatch and the label of each series; their boxes into legend. */
static void chart_legend(rctx *c, const chart_frame *f, bool line, lbox *legend)
{
    double size = f->size, top = f->top, lx = c->left;
    for (size_t k = 0; k < f->ns; k++) {
        uint32_t col = series_colour(f->kc[k]);
        const char *label = nz(f->t->cols[f->sc[k]].label);
        if (line) {
            hm_pdf_line(c->pdf, lx, top - size * 0.9, lx + 14, top - size * 0.9, col, 1.6);
            hm_pdf_fill_circle(c->pdf, lx + 7, top - size * 0.9, 2.2, col);
        } else {
            hm_pdf_fill_rect(c->pdf, lx + 2, top - size * 1.3, 10, size * 0.9, col);
        }
        hm_pdf_text(c->pdf, lx + 18, top - size * 1.3, size, THEME.text, label);
        double lw = 18 + hm_pdf_text_width(c->pdf, label, size);
        legend[k] = (lbox){ lx, top - size * 1.6, lx + lw, top };
        lx += lw + 16;
    }
}

/*
 * The plot area of f (room for the value labels on the left, the legend
 * above, the category labels below), then the value axis: gridlines and
 * tick labels in the first series' format.
 */
static void chart_value_axis(rctx *c, chart_frame *f)
{
    const hm_colspec *yspec = &f->t->cols[f->sc[0]];
    double size = f->size, label_w = 0;
    char buf[128];
    for (double v = f->vmin; v <= f->vmax + f->step / 2; v += f->step) {
        tick_label(v, yspec, buf, sizeof buf);
        double tw = hm_pdf_text_width(c->pdf, buf, size);
        label_w = tw > label_w ? tw : label_w;
    }
    f->px0 = c->left + label_w + 6;
    f->px1 = c->right;
    f->py1 = f->top - size * 2.6;                       /* below the legend */
    f->py0 = f->top - LAYOUT.chart_h + size * 4.6;      /* above the category labels */
    f->gw = (f->px1 - f->px0) / (double)f->nc;
    for (double v = f->vmin; v <= f->vmax + f->step / 2; v += f->step) {
        double y = chart_y(f, v);
        hm_pdf_line(c->pdf, f->px0, y, f->px1, y, fabs(v) < f->step / 2 ? THEME.axis : THEME.grid,
                    fabs(v) < f->step / 2 ? 0.8 : 0.5);
        tick_label(v, yspec, buf, sizeof buf);
        hm_pdf_text_right(c->pdf, f->px0 - 4, y - size * 0.35, size, THEME.muted, buf);
    }
    hm_pdf_line(c->pdf, f->px0, f->py0, f->px0, f->py1, THEME.axis, 0.8);
    if (f->cut) {
        /* the axis does not start at 0: a heavy baseline and a break mark on the axis */
        hm_pdf_line(c->pdf, f->px0, f->py0, f->px1, f->py0, THEME.axis, 1.2);
        for (int i = 0; i < 2; i++) {
            double y = f->py0 + 5 + 3 * i;
            hm_pdf_fill_rect(c->pdf, f->px0 - 4, y - 1, 8, 2.5, 0xFFFFFF);
            hm_pdf_line(c->pdf, f->px0 - 4, y - 1.5, f->px0 + 4, y + 1.5, THEME.axis, 0.8);
        }
    }
}

/*
 * The category axis of f: each category's label (two lines at most, every
 * so many categories when they are crowded) under its column, and the
 * category column's label at the right as the axis title.
 */
static void chart_category_axis(rctx *c, const hm_section *s, const chart_frame *f)
{
    const hm_table *t = f->t;
    double size = f->size;
    size_t label_every = 1;
    char buf[128];
    hm_strbuf sb = HM_STRBUF_INIT;

    hm_strbuf_init(&sb);
    while (f->gw * (double)label_every < size * 2.2)
        label_every++;
    for (size_t i = 0; i < f->nc; i++) {
        if (i % label_every)
            continue;
        const char *cat = cell_text(c, hm_table_cell(t, i, s->category_col),
                                    &t->cols[s->category_col], buf, sizeof buf);
        hm_pdf_lines l = {0};
        double cw = f->gw * (double)label_every - 2;
        hm_pdf_wrap(c->pdf, cat, size, cw, &l);
        for (size_t k = 0; k < l.n && k < 2; k++) {
            hm_strbuf_reset(&sb);
            hm_strbuf_adds(&sb, l.line[k]);
            if (k == 1 && l.n > 2)
                hm_strbuf_adds(&sb, "…");
            hm_pdf_text_center(c->pdf, f->px0 + f->gw * ((double)i + 0.5),
                               f->py0 - size * 1.4 - (double)k * size * 1.2, size, THEME.text,
                               sb.buf);
        }
        hm_pdf_lines_release(&l);
    }
    hm_pdf_text_right(c->pdf, f->px1, f->top - LAYOUT.chart_h + 1, size, THEME.muted,
                      nz(t->cols[s->category_col].label));
    hm_strbuf_release(&sb);
}

/*
 * The series of f: grouped bars with their value labels (when they fit),
 * or polylines with their points, whose value labels line_labels places
 * afterwards from pt (nc * ns points, filled here).  A value the public
 * must not see (hm_value_hidden) gets no bar and sits on the axis, with
 * its "<3" label.
 */
static void chart_series(rctx *c, const chart_frame *f, bool line, lpoint *pt)
{
    size_t nc = f->nc, ns = f->ns;
    double gw = f->gw, base = chart_y(f, f->vmin < 0 && f->vmax > 0 ? 0 : f->vmin);
    double inner = gw * (line ? 1.0 : 0.72), bw = inner / (double)ns;
    bool labels = bw >= f->size * 2.2 || nc * ns <= 24;
    double *xy = hm_xcalloc(2 * nc, sizeof *xy);
    char buf[128];

    for (size_t k = 0; k < ns; k++) {
        uint32_t col = series_colour(f->kc[k]);
        const hm_colspec *spec = &f->t->cols[f->sc[k]];
        size_t np = 0;
        for (size_t i = 0; i < nc; i++) {
            const hm_value *cv = hm_table_cell(f->t, i, f->sc[k]);
            double v;
            if (!cell_number(cv, &v))
                continue;
            const char *vt = cell_text(c, cv, spec, buf, sizeof buf);
            bool hidden = hm_value_hidden(cv, spec, c->pub);
            if (line) {
                lpoint *p = &pt[i * ns + k];
                *p = (lpoint){ .on = true, .y = hidden ? base : chart_y(f, v), .k = k };
                snprintf(p->text, sizeof p->text, "%s", vt);
                xy[2 * np] = f->px0 + gw * ((double)i + 0.5);
                xy[2 * np + 1] = p->y;
                np++;
            } else {
                double x = f->px0 + gw * (double)i + (gw - inner) / 2 + bw * (double)k;
                double y = hidden ? base : chart_y(f, v);
                if (!hidden)
                    hm_pdf_fill_rect(c->pdf, x + 0.5, y < base ? y : base, bw - 1,
                                     fabs(y - base), col);
                if (labels)
                    hm_pdf_text_center(c->pdf, x + bw / 2, (y > base ? y : base) + 2,
                                       LAYOUT.chart_value_size, THEME.text, vt);
            }
        }
        if (line) {
            hm_pdf_polyline(c->pdf, xy, np, col, 1.6);
            for (size_t p = 0; p < np; p++)
                hm_pdf_fill_circle(c->pdf, xy[2 * p], xy[2 * p + 1], 2.2, col);
        }
    }
    free(xy);
}

/*
 * One panel of a chart: the series sc[0..ns) (colours kc), its legend,
 * axes and series, then the cursor below it.
 */
static hm_error chart_panel(rctx *c, const hm_section *s, bool line, size_t *sc, size_t *kc,
                            size_t ns)
{
    const hm_table *t = &s->table;
    chart_frame f = { .t = t, .nc = t->nrow, .size = LAYOUT.chart_size, .sc = sc, .kc = kc,
                      .ns = ns };
    lbox *legend = NULL;
    lpoint *pt = NULL;
    chart_scale(&f);
    if (ensure(c, LAYOUT.chart_h))
        return hm_pdf_status(c->pdf);
    f.top = c->y;
    legend = hm_xcalloc(f.ns, sizeof *legend);
    chart_legend(c, &f, line, legend);
    chart_value_axis(c, &f);
    chart_category_axis(c, s, &f);
    if (line)
        pt = hm_xcalloc(f.nc * f.ns, sizeof *pt);
    chart_series(c, &f, line, pt);
    if (line && f.nc <= 14)
        line_labels(c, pt, f.nc, f.ns, f.gw, f.px0, f.py0, f.top, legend);
    c->y = f.top - LAYOUT.chart_h - LAYOUT.chart_gap_after;
    free(legend);
    free(pt);
    return hm_pdf_status(c->pdf);
}

/*
 * A bar or line chart of section s.  Series whose peaks differ by more
 * than HM_CHART_PANEL_RATIO times (calls against wishes) are drawn in
 * panels of their own, one under the other, each with its own scale, so
 * the small ones do not lie flat on the axis; a series keeps its colour.
 */
static hm_error chart(rctx *c, const hm_section *s, bool line)
{
    const hm_table *t = &s->table;
    size_t ns = 0;
    for (size_t k = 0; k < s->nseries; k++)
        if (s->series_cols[k] < t->ncol)
            ns++;
    if (t->nrow == 0 || ns == 0 || s->category_col >= t->ncol)
        return hm_pdf_status(c->pdf);          /* the table below says "no data" */
    size_t *all = hm_xcalloc(ns, sizeof *all), *panel = hm_xcalloc(ns, sizeof *panel);
    size_t *sc = hm_xcalloc(ns, sizeof *sc), *kc = hm_xcalloc(ns, sizeof *kc);
    double *peak = hm_xcalloc(ns, sizeof *peak);
    ns = 0;
    for (size_t k = 0; k < s->nseries; k++)
        if (s->series_cols[k] < t->ncol)
            all[ns++] = s->series_cols[k];
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < t->nrow; i++) {
            double v;
            if (cell_number(hm_table_cell(t, i, all[k]), &v) && fabs(v) > peak[k])
                peak[k] = fabs(v);
        }
    size_t np = hm_chart_panels(peak, ns, HM_CHART_PANEL_RATIO, panel);
    for (size_t p = 0; p < np && !hm_pdf_status(c->pdf); p++) {
        size_t n = 0;
        for (size_t k = 0; k < ns; k++)
            if (panel[k] == p) {
                sc[n] = all[k];
                kc[n++] = k;
            }
        chart_panel(c, s, line, sc, kc, n);
    }
    free(all);
    free(panel);
    free(sc);
    free(kc);
    free(peak);
    return hm_pdf_status(c->pdf);
}

/* One section: heading, intro, then its body by kind, then the note. */
static hm_error section(rctx *c, const hm_section *s)
{
    if (s->page_break && c->y < c->top && new_page(c))
        return hm_pdf_status(c->pdf);
    if (heading(c, s))
        return hm_pdf_status(c->pdf);
    if (s->intro && *s->intro) {
        paragraph(c, s->intro, THEME.body_size, THEME.text, 0);
        c->y -= 4;
    }
    switch (s->kind) {
    case HM_SEC_KPI:
        kpi_section(c, s);
        break;
    case HM_SEC_BAR:
    case HM_SEC_LINE:
        chart(c, s, s->kind == HM_SEC_LINE);
        table(c, s);
        break;
    case HM_SEC_TABLE:
    case HM_SEC_LIST:
        table(c, s);
        break;
    case HM_SEC_TEXT:
        break;
    }
    note(c, s);
    return hm_pdf_status(c->pdf);
}

/* Footers on every page, now that the page count is known. */
static hm_error footers(rctx *c)
{
    const hm_report *r = c->r;
    char left[512];
    if (r->footer && *r->footer)
        snprintf(left, sizeof left, "%s", r->footer);
    else
        snprintf(left, sizeof left, "%s %s  %s %s – %s", c->w->generated, nz(r->generated_at),
                 c->w->period, nz(r->from), nz(r->to));
    return hm_pdf_theme_footers(c->pdf, &THEME, left, c->w->page_fmt);
}

hm_error hm_render_pdf(const hm_report *r, const hm_render_opts *o, const char *path,
                       char *err, size_t errsz)
{
    return hm_render_pdf_stats(r, o, path, NULL, err, errsz);
}

hm_error hm_render_pdf_stats(const hm_report *r, const hm_render_opts *o, const char *path,
                             hm_pdf_stats *stats, char *err, size_t errsz)
{
    hm_pdf *pdf = NULL;
    hm_error rc = hm_report_check_public(r, err, errsz);
    rctx c;

    if (rc)
        return rc;
    hm_pdf_opts po = {
        .font_path = o ? o->font_path : NULL,
        .font_index = o ? o->font_index : 0,
        .created = o ? o->created : 0,
        .title = r->title,
        .author = r->org,
        .subject = r->subtitle,
    };
    if ((rc = hm_pdf_open(&pdf, &po, err, errsz)))
        goto out;
    memset(&c, 0, sizeof c);
    c.pdf = pdf;
    c.r = r;
    c.w = r->lang && strcmp(r->lang, "en") == 0 ? &WORDS_EN : &WORDS_ZH;
    c.pub = r->audience && strcmp(r->audience, "public") == 0;
    c.left = THEME.margin_left;
    c.right = HM_PDF_A4_WIDTH - THEME.margin_right;
    c.width = c.right - c.left;
    c.top = HM_PDF_A4_HEIGHT - THEME.margin_top;
    c.bottom = THEME.margin_bottom;

    if (new_page(&c) || title_block(&c))
        goto fail;
    for (size_t i = 0; i < r->nsec; i++)
        if (section(&c, &r->sec[i]))
            goto fail;
    if (footers(&c) || hm_pdf_save(pdf, path))
        goto fail;
    if (stats) {
        stats->pages = hm_pdf_page_count(pdf);
        stats->placeholders = hm_pdf_placeholders(pdf);
    }
    rc = HM_OK;
    goto out;
fail:
    rc = hm_pdf_status(pdf);
    snprintf(err, errsz, "cannot write '%s': %s", hm_path_base(path), hm_pdf_error(pdf));
out:
    hm_pdf_free(pdf);
    return rc;
}
