/*
 * dossier.c - the dossiers drawn from their page data (dossier.h): a
 * block per shortlisted candidate for the "most beautiful caring mother"
 * nomination, for the jury, in files (volumes) each built, saved and
 * freed before the next, since libharu holds a whole document in memory
 * until it is saved.
 *
 * Each block: the candidate (name masked for the public audience when the
 * rules say so), town, sector, rank and score; a profile band (organisation,
 * gender, age (internal only), years in the programme, service hours); the
 * nine scored figures as tiles; the pairs of the year with each one's "five
 * ones" (internal; in public their sums only, no child listed); a bar chart
 * of the candidate's activities month by month; then the year's stories,
 * newest first.
 *
 * The layout rule: a block is first measured (drawn "dry", nothing put on
 * the page).  Two consecutive candidates whose blocks, compactly set, each
 * fit half a page share a page, one above the other; otherwise a candidate
 * has a page of its own, set at full size, its chart grown into the space a
 * short record leaves, and its stories cut where the page ends (the rest
 * marked as left out; the full texts are in the database).  So a short
 * record never leaves a page that is a header and a blank.
 */
#include "himama/dossier.h"
#include "himama/pdf.h"
#include "himama/render.h"
#include "himama/theme.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One file being drawn. */
struct hm_dossier_doc {
    hm_pdf *pdf;
    hm_pdf_theme t;            /* palette, margins, type sizes, footer */
    const hm_nominate_params *p;
    bool en, pub;              /* English; the public audience */
    size_t volume, nvolumes;   /* this file's place in the set (1-based) */
    bool dry;                  /* measuring: move y, draw nothing */
};
typedef struct hm_dossier_doc dctx;

/* How a block is set: compact (half a page) or full (a page of its own). */
typedef struct lay {
    double tile_h;             /* a figure tile's height */
    double chart_h;            /* the month chart's plot height */
    double floor;              /* nothing is drawn below this y */
    bool compact;              /* half a page: tighter headings, the note left out */
    double space;              /* more room above each heading (a short record alone) */
} lay;

#define GAP_BLOCKS 20.0        /* between two blocks sharing a page */
#define TILE_COMPACT 20.0
#define TILE_FULL 40.0
#define CHART_COMPACT 40.0
#define CHART_FULL 90.0
#define CHART_MAX 190.0
#define SPACE_MAX 24.0

/* ---- drawing that a dry run skips ---- */

/* Text at (x, y). */
static void txt(dctx *d, double x, double y, double size, uint32_t rgb, const char *s)
{
    if (!d->dry)
        hm_pdf_text(d->pdf, x, y, size, rgb, s);
}

/* Text ending at x. */
static void txt_right(dctx *d, double x, double y, double size, uint32_t rgb, const char *s)
{
    if (!d->dry)
        hm_pdf_text_right(d->pdf, x, y, size, rgb, s);
}

/* Text centred on x. */
static void txt_center(dctx *d, double x, double y, double size, uint32_t rgb, const char *s)
{
    if (!d->dry)
        hm_pdf_text_center(d->pdf, x, y, size, rgb, s);
}

/* A line. */
static void rule(dctx *d, double x1, double y1, double x2, double y2, uint32_t rgb, double w)
{
    if (!d->dry)
        hm_pdf_line(d->pdf, x1, y1, x2, y2, rgb, w);
}

/* A filled rectangle. */
static void rect(dctx *d, double x, double y, double w, double h, uint32_t rgb)
{
    if (!d->dry)
        hm_pdf_fill_rect(d->pdf, x, y, w, h, rgb);
}

/* s cut to one line of width at size ("…" when cut), drawn at (x, y). */
static void txt_fit(dctx *d, double x, double y, double size, uint32_t rgb, const char *s,
                    double width)
{
    if (d->dry)
        return;
    char *f = hm_pdf_fit(d->pdf, s, size, width);
    hm_pdf_text(d->pdf, x, y, size, rgb, f);
    free(f);
}

/* Draw wrapped text from (x, *y) down, no lower than floor; false when cut. */
static bool wrapped(dctx *d, const char *text, double x, double *y, double width, double size,
                    uint32_t rgb, double floor)
{
    hm_pdf_lines ln = { 0 };
    bool all = true;
    hm_pdf_wrap(d->pdf, text, size, width, &ln);
    for (size_t i = 0; i < ln.n; i++) {
        if (*y - size < floor) {
            all = false;
            break;
        }
        txt(d, x, *y - size, size, rgb, ln.line[i]);
        *y -= size * 1.45;
    }
    hm_pdf_lines_release(&ln);
    return all;
}

/* A small section heading with a rule under it (smaller in a compact block). */
static void subhead(dctx *d, const char *text, const lay *L, double *y)
{
    double size = L->compact ? d->t.subtitle_size - 1.5 : d->t.subtitle_size;
    double under = L->compact ? 13 : 16;
    *y -= L->space;
    txt(d, d->t.margin_left, *y - size, size, d->t.accent, text);
    rule(d, d->t.margin_left, *y - under, HM_PDF_A4_WIDTH - d->t.margin_right, *y - under,
         d->t.rule, 0.6);
    *y -= L->compact ? 19 : 26;
}

/* ---- the block's parts ---- */

/* The monthly bar chart of the page's months at the top *y, h high. */
static void month_chart(dctx *d, const hm_dossier_page *pg, double h, double *y)
{
    const int64_t *v = pg->activities;
    int n = pg->nmonths;
    long long top = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > top)
            top = v[i];
    double x0 = d->t.margin_left + 24, w = HM_PDF_A4_WIDTH - d->t.margin_right - x0;
    double base = *y - h - 4;
    long long step = top <= 4 ? 1 : (top + 3) / 4;
    long long ymax = step * 4;
    int grid = h < 60 ? 2 : 4;   /* a low chart: fewer lines, readable labels */
    char buf[32];
    for (int k = 0; k <= grid; k++) {
        double gy = base + h * (double)k / grid;
        rule(d, x0, gy, x0 + w, gy, k ? d->t.grid : d->t.rule, 0.5);
        snprintf(buf, sizeof buf, "%lld", ymax * k / grid);
        txt_right(d, x0 - 4, gy - 3, 8, d->t.muted, buf);
    }
    double slot = n ? w / n : w;
    for (int i = 0; i < n; i++) {
        double bh = ymax ? h * (double)v[i] / (double)ymax : 0;
        double bx = x0 + slot * i + slot * 0.2;
        if (bh > 0)
            rect(d, bx, base, slot * 0.6, bh, d->t.accent);
        snprintf(buf, sizeof buf, "%lld", (long long)v[i]);
        if (v[i] > 0)
            txt_center(d, bx + slot * 0.3, base + bh + 3, 8, d->t.text, buf);
        snprintf(buf, sizeof buf, d->en ? "%d" : "%d月", pg->month[i]);
        txt_center(d, bx + slot * 0.3, base - 12, 8, d->t.muted, buf);
    }
    *y = base - 22;
}

/* The block's head: the set, the name (an outline entry), who and the score;
 * compact, the set is on the name's line, at the right. */
static void block_head(dctx *d, const hm_dossier_page *pg, const lay *L, hm_strbuf *sb,
                       double *y)
{
    const hm_nom_candidate *k = pg->cand;
    hm_strbuf_reset(sb);
    hm_strbuf_addf(sb, d->en ? "\"Most beautiful caring mother\" %.4s · candidate %zu"
                             : "%.4s年度“最美爱心妈妈”候选人材料 · 第 %zu 位", d->p->from,
                   pg->index + 1);
    if (L->compact) {
        *y -= 20;
        txt_right(d, HM_PDF_A4_WIDTH - d->t.margin_right, *y, d->t.body_size, d->t.muted,
                  sb->buf);
    } else {
        txt(d, d->t.margin_left, *y - 10, d->t.body_size, d->t.muted, sb->buf);
        *y -= 38;
    }
    const char *name = d->pub && d->p->names_masked ? k->masked : k->volunteer;
    txt(d, d->t.margin_left, *y, d->t.title_size, d->t.text, name);
    if (!d->dry)
        hm_pdf_outline(d->pdf, name, hm_pdf_page_count(d->pdf) - 1, *y + d->t.title_size);
    hm_strbuf_reset(sb);
    hm_strbuf_addf(sb, d->en ? "%s · %s · %s · rank %lld in town · score %lld"
                             : "%s · %s · %s · 镇内第 %lld 名 · 得分 %lld",
                   k->town, k->sector ? k->sector : "", k->role ? k->role : "",
                   (long long)k->rank, (long long)k->score);
    if (!d->pub)
        hm_strbuf_addf(sb, d->en ? " · ID %s" : " · 编号 %s", k->volunteer_id);
    *y -= L->compact ? 17 : 19;
    txt(d, d->t.margin_left, *y, 11, d->t.muted, sb->buf);
    *y -= L->compact ? 10 : 12;
}

/* The profile band: organisation, gender, age (internal only), years in
 * the programme, hours. */
static void profile(dctx *d, const hm_nom_candidate *k, double width, const lay *L, double *y)
{
    enum { NCELL = 5 };
    const char *nr = d->en ? "not recorded" : "未记录";
    const char *label[NCELL] = {
        d->en ? "Organisation or team" : "单位或团队", d->en ? "Gender" : "性别",
        d->en ? "Age (year end)" : "年龄（年末）", d->en ? "In the programme" : "参与年限",
        d->en ? "Service hours this year" : "本年度服务时长",
    };
    char years[96], hours[48], age[32];
    /* The public dossier shows no age (docs/decisions.md): its cell is left out. */
    const double share_pub[NCELL] = { 0.34, 0.12, 0, 0.33, 0.21 };
    const double share_int[NCELL] = { 0.27, 0.11, 0.13, 0.29, 0.20 };
    const double *share = d->pub ? share_pub : share_int;
    const double h = L->compact ? 28 : 32;
    if (k->age < 0)
        snprintf(age, sizeof age, "%s", nr);
    else
        snprintf(age, sizeof age, d->en ? "%lld" : "%lld 岁", (long long)k->age);
    if (k->years < 0)
        snprintf(years, sizeof years, "%s", nr);
    else if (k->years == 0)
        snprintf(years, sizeof years, d->en ? "under a year (since %.7s)" : "不足 1 年（%.7s 起）",
                 k->since);
    else if (d->en)
        snprintf(years, sizeof years, "%lld year%s (since %.7s)", (long long)k->years,
                 k->years == 1 ? "" : "s", k->since);
    else
        snprintf(years, sizeof years, "%lld 年（%.7s 起）", (long long)k->years, k->since);
    snprintf(hours, sizeof hours, d->en ? "%lld h" : "%lld 小时", (long long)k->hours);
    const char *value[NCELL] = { *k->organization ? k->organization : "—",
                                 *k->gender ? k->gender : nr, age, years, hours };
    double x = d->t.margin_left, top = *y;
    rect(d, x, top - h, width, h, d->t.tile_bg);
    for (int i = 0; i < NCELL; i++) {
        double cw = width * share[i];
        if (cw <= 0)
            continue;
        txt(d, x + 8, top - 11, d->t.label_size - 1, d->t.muted, label[i]);
        txt_fit(d, x + 8, top - h + 6, 10.5, d->t.text, value[i], cw - 14);
        if (i)
            rule(d, x, top - h + 6, x, top - 6, d->t.rule, 0.5);
        x += cw;
    }
    *y -= h + (L->compact ? 5 : 8);
}

/* The figures: three rows of three tiles, each L->tile_h high. */
static void tiles(dctx *d, const hm_nom_candidate *k, double width, const lay *L, double *y)
{
    double gap = L->compact ? 4 : 6, tw = (width - 2 * gap) / 3, th = L->tile_h;
    double vsize = th < 36 ? 13 : 16;
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        double tx = d->t.margin_left + (tw + gap) * (i % 3);
        double ty = *y - (th + gap) * (i / 3) - th;
        char v[32];
        rect(d, tx, ty, tw, th, d->t.tile_bg);
        rect(d, tx, ty, 3, th, d->t.accent);
        const char *label = d->en ? hm_nom_figures[i].en : hm_nom_figures[i].zh;
        if (d->pub && strcmp(hm_nom_figures[i].key, "children") == 0 && k->fig[i] > 0 &&
            k->fig[i] < 3)
            snprintf(v, sizeof v, "<3");   /* the public small-count rule */
        else
            snprintf(v, sizeof v, "%lld", (long long)k->fig[i]);
        if (th < 36) {   /* compact: the label left, the value right, one line */
            txt_fit(d, tx + 10, ty + th / 2 - 3.5, d->t.label_size - 1, d->t.muted, label,
                    tw - 42);
            txt_right(d, tx + tw - 10, ty + th / 2 - 4.5, vsize, d->t.text, v);
        } else {
            txt(d, tx + 10, ty + th - 14, d->t.label_size, d->t.muted, label);
            txt(d, tx + 10, ty + 8, vsize, d->t.text, v);
        }
    }
    *y -= 3 * (th + gap) + 6;
}
/* Yes, no, or not due, for a promise of the five ones. */
static const char *mark(const dctx *d, bool due, bool kept)
{
    if (!due)
        return d->en ? "n/a" : "不适用";
    return kept ? (d->en ? "yes" : "是") : (d->en ? "no" : "否");
}

/* The public's sums of the pairs' five ones: no child listed (DESIGN.md). */
static void pairs_public(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double width,
                         const lay *L, double *y)
{
    int64_t months = 0, called = 0, kept = 0, due = 0;
    for (size_t i = 0; i < pg->nchildren; i++) {
        const hm_dossier_child *c = &pg->children[i];
        months += c->months;
        called += c->called_months;
        kept += c->kept;
        due += c->due;
    }
    hm_strbuf_reset(sb);
    if (pg->nchildren >= 3)
        hm_strbuf_addf(sb, d->en ? "%zu children paired this year. " : "本年度结对儿童 %zu 名。",
                       pg->nchildren);
    else if (pg->nchildren)   /* the public small-count rule */
        hm_strbuf_adds(sb, d->en ? "<3 children paired this year. " : "本年度结对儿童 <3 名。");
    else
        hm_strbuf_adds(sb, d->en ? "No child paired this year." : "本年度无结对儿童。");
    if (due > 0 && d->en)
        hm_strbuf_addf(sb, "The five ones: %lld of %lld promises kept; a call in %lld of %lld "
                           "months paired.", (long long)kept, (long long)due, (long long)called,
                       (long long)months);
    else if (due > 0)
        hm_strbuf_addf(sb, "“五个一”：应履行 %lld 项，已履行 %lld 项；结对 %lld 个月中 %lld "
                           "个月有亲情连线。", (long long)due, (long long)kept, (long long)months,
                       (long long)called);
    wrapped(d, sb->buf, d->t.margin_left, y, width, d->t.body_size, d->t.text, L->floor);
    *y -= 6;
}

/* The pairs of the year, one row each with its five ones (internal). */
static void pairs_table(dctx *d, const hm_dossier_page *pg, double width, const lay *L,
                        double *y)
{
    enum { NC = 10 };
    static const double share[NC] = { 0.15, 0.12, 0.12, 0.08, 0.13, 0.08, 0.08, 0.09, 0.08,
                                       0.07 };
    const char *head[NC] = {
        d->en ? "Child (alias)" : "儿童（化名）", d->en ? "Town" : "区镇",
        d->en ? "Paired since" : "结对起始", d->en ? "Activities" : "本年活动",
        d->en ? "Months called" : "连线月份", d->en ? "Reading" : "陪你阅读",
        d->en ? "Holiday" : "假日活动", d->en ? "Birthday" : "陪过生日",
        d->en ? "Wish" : "微心愿", d->en ? "Kept" : "履行",
    };
    const double rh = 15, x0 = d->t.margin_left;
    double x = x0;
    rect(d, x0, *y - rh, width, rh, d->t.header_bg);
    for (int c = 0; c < NC; c++) {
        txt_fit(d, x + 4, *y - rh + 4.5, 8, d->t.header_text, head[c], width * share[c] - 6);
        x += width * share[c];
    }
    *y -= rh;
    for (size_t i = 0; i < pg->nchildren; i++) {
        const hm_dossier_child *k = &pg->children[i];
        char act[24], calls[48], kept[24];
        if (*y - rh < L->floor + 12) {
            char more[96];
            snprintf(more, sizeof more, d->en ? "… and %zu more pairs (in the workbook)"
                                              : "……另有 %zu 对结对，见推荐数据工作簿",
                     pg->nchildren - i);
            txt(d, x0 + 4, *y - 11, 8, d->t.muted, more);
            *y -= rh;
            return;
        }
        snprintf(act, sizeof act, "%lld", (long long)k->activities);
        snprintf(calls, sizeof calls, "%lld/%lld", (long long)k->called_months,
                 (long long)k->months);
        snprintf(kept, sizeof kept, "%lld/%lld", (long long)k->kept, (long long)k->due);
        const char *cell[NC] = {
            k->child, k->town, k->since, act,
            k->has_record ? calls : "—", k->has_record ? mark(d, true, k->reading) : "—",
            k->has_record ? mark(d, true, k->holiday) : "—",
            k->has_record ? mark(d, k->birthday_due, k->birthday_kept) : "—",
            k->has_record ? mark(d, true, k->wish) : "—", k->has_record ? kept : "—",
        };
        if (i % 2)
            rect(d, x0, *y - rh, width, rh, d->t.zebra);
        x = x0;
        for (int c = 0; c < NC; c++) {
            bool miss = c >= 5 && c <= 8 && k->has_record &&
                        strcmp(cell[c], mark(d, true, false)) == 0;   /* a promise not kept */
            txt_fit(d, x + 4, *y - rh + 4.5, 8.5, miss ? d->t.accent : d->t.text, cell[c],
                    width * share[c] - 6);
            x += width * share[c];
        }
        *y -= rh;
    }
    if (!pg->nchildren) {
        txt(d, x0 + 4, *y - 11, 8.5, d->t.muted, d->en ? "No child paired this year."
                                                        : "本年度无结对儿童。");
        *y -= rh;
    }
    rule(d, x0, *y, x0 + width, *y, d->t.rule, 0.5);
    *y -= 4;
}

/* What the five ones of a pair are, in small type from *y down. */
static void five_ones_note(dctx *d, double width, double *y, double floor)
{
    wrapped(d, d->en ? "The five ones of a pair in the year: a call in every month paired, a "
                       "reading session, a holiday activity, a birthday (due when the child's "
                       "birthday fell while paired) and a fulfilled micro-wish."
                     : "“五个一”（按结对计）：结对期间每月亲情连线、陪你阅读、假日亲子活动、"
                       "陪过生日（生日在结对期内时）、实现微心愿。",
            d->t.margin_left, y, width, 8, d->t.muted, floor);
}

/* The pairs and their five ones (what they are: below the table, or at the
 * foot of a page of two compact blocks). */
static void pairs(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double width,
                  const lay *L, double *y)
{
    subhead(d, d->pub ? (d->en ? "Children paired and the five ones" : "结对儿童与“五个一”")
                      : (d->en ? "Children paired (by alias) and the five ones"
                               : "结对儿童（化名）与“五个一”"), L, y);
    if (d->pub)
        pairs_public(d, pg, sb, width, L, y);
    else
        pairs_table(d, pg, width, L, y);
    if (!L->compact)
        five_ones_note(d, width, y, L->floor);
    *y -= L->compact ? 2 : 6;
}

/* The stories, as far as L->floor allows, and a note when the rest is left out. */
static void stories(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double width,
                    const lay *L, double *y)
{
    double floor = L->floor;
    bool cut = false;
    subhead(d, d->en ? "Stories of the year" : "本年度事迹", L, y);
    for (size_t i = 0; i < pg->nstories && !cut; i++) {
        const hm_dossier_story *s = &pg->stories[i];
        hm_strbuf_reset(sb);
        hm_strbuf_addf(sb, "%s  %s%s%s%s", s->date, s->title,
                       *s->child ? (d->en ? " (with " : "（结对儿童：") : "", s->child,
                       *s->child ? (d->en ? ")" : "）") : "");
        cut = !wrapped(d, sb->buf, d->t.margin_left, y, width, 10.5, d->t.accent, floor + 14) ||
              !wrapped(d, s->text, d->t.margin_left, y, width, d->t.body_size, d->t.text,
                       floor + 14);
        *y -= 6;
    }
    if (!pg->nstories) {
        txt(d, d->t.margin_left, *y - 10, d->t.body_size, d->t.muted,
            d->en ? "No stories recorded this year." : "本年度没有记录事迹。");
        *y -= 18;
    }
    if (cut)
        txt(d, d->t.margin_left, floor, 9, d->t.muted,
            d->en ? "… the rest is left out here; the full texts are in the database."
                  : "……其余内容从略，全文见数据库事迹记录。");
}

/* One candidate's block from *y down, set as L says. */
static void block(dctx *d, const hm_dossier_page *pg, const lay *L, hm_strbuf *sb, double *y)
{
    double width = HM_PDF_A4_WIDTH - d->t.margin_left - d->t.margin_right;
    block_head(d, pg, L, sb, y);
    profile(d, pg->cand, width, L, y);
    tiles(d, pg->cand, width, L, y);
    pairs(d, pg, sb, width, L, y);
    subhead(d, d->en ? "Activities month by month" : "每月开展活动（次）", L, y);
    month_chart(d, pg, L->chart_h, y);
    stories(d, pg, sb, width, L, y);
}

/* The height of pg's block set as L says, all its stories in. */
static double measure(dctx *d, const hm_dossier_page *pg, const lay *L, hm_strbuf *sb)
{
    lay all = *L;
    double y = 0;
    all.floor = -1e9;
    d->dry = true;
    block(d, pg, &all, sb, &y);
    d->dry = false;
    return -y;
}

hm_error hm_dossier_doc_pages(hm_dossier_doc *d, const hm_dossier_page *pg,
                              const hm_dossier_page *next, bool *both)
{
    hm_error rc;
    hm_strbuf sb = HM_STRBUF_INIT;
    double top = HM_PDF_A4_HEIGHT - d->t.margin_top, bottom = d->t.margin_bottom;
    double half = (top - bottom - GAP_BLOCKS) / 2, y = top;
    lay C = { TILE_COMPACT, CHART_COMPACT, top - half, true, 0 };
    *both = false;
    hm_strbuf_init(&sb);
    if (next && measure(d, pg, &C, &sb) <= half && measure(d, next, &C, &sb) <= half)
        *both = true;
    if ((rc = hm_pdf_add_page(d->pdf)) != HM_OK)
        goto out;
    if (*both) {
        block(d, pg, &C, &sb, &y);
        double mid = top - half - GAP_BLOCKS / 2;
        hm_pdf_line(d->pdf, d->t.margin_left, mid, HM_PDF_A4_WIDTH - d->t.margin_right, mid,
                    d->t.rule, 0.8);
        y = top - half - GAP_BLOCKS;
        C.floor = bottom;
        block(d, next, &C, &sb, &y);
        y = bottom - 2;
        five_ones_note(d, HM_PDF_A4_WIDTH - d->t.margin_left - d->t.margin_right, &y, 0);
    } else {
        lay F = { TILE_FULL, CHART_FULL, bottom, false, 0 };
        double spare = (top - bottom) - measure(d, pg, &F, &sb);
        if (spare > 0) {   /* a short record: the chart takes some of the room, */
            F.chart_h += spare * 0.6 < CHART_MAX - CHART_FULL ? spare * 0.6
                                                             : CHART_MAX - CHART_FULL;
            spare = (top - bottom) - measure(d, pg, &F, &sb);
            if (spare > 0)   /* the headings the rest, a little each */
                F.space = spare / 4 < SPACE_MAX ? spare / 4 : SPACE_MAX;
        }
        block(d, pg, &F, &sb, &y);
    }
    rc = hm_pdf_status(d->pdf);
out:
    hm_strbuf_release(&sb);
    return rc;
}

void hm_dossier_doc_none(hm_dossier_doc *d)
{
    hm_pdf_add_page(d->pdf);
    hm_pdf_text(d->pdf, d->t.margin_left, HM_PDF_A4_HEIGHT - d->t.margin_top - 20,
                d->t.heading_size, d->t.text,
                d->en ? "No volunteer met the nomination rules this year."
                      : "本年度没有符合推荐条件的志愿者。");
}

hm_error hm_dossier_doc_open(const hm_nominate_params *p, size_t volume, size_t nvolumes,
                             hm_dossier_doc **out, char *err, size_t errsz)
{
    dctx *d = hm_xcalloc(1, sizeof *d);
    hm_pdf_theme_dossier(&d->t);
    d->p = p;
    d->en = p->lang && strcmp(p->lang, "en") == 0;
    d->pub = p->audience && strcmp(p->audience, "public") == 0;
    d->volume = volume;
    d->nvolumes = nvolumes;
    hm_pdf_opts po = {
        .font_path = p->render ? p->render->font_path : NULL,
        .font_index = p->render ? p->render->font_index : 0,
        .created = p->render ? p->render->created : 0,
        .title = d->en ? "Nomination dossiers" : "最美爱心妈妈候选人材料",
        .author = p->org,
    };
    hm_error rc = hm_pdf_open(&d->pdf, &po, err, errsz);
    if (rc != HM_OK) {
        hm_dossier_doc_free(d);
        d = NULL;
    }
    *out = d;
    return rc;
}

/* Page numbers on every page of this file, and its volume when there are several. */
static hm_error footers(dctx *d)
{
    char left[160];
    if (d->nvolumes > 1)
        snprintf(left, sizeof left, d->en ? "Nomination dossiers, volume %zu of %zu: children "
                                            "by alias only"
                                          : "推荐材料（第 %zu 册，共 %zu 册）· 儿童仅以化名出现",
                 d->volume, d->nvolumes);
    else
        snprintf(left, sizeof left, "%s", d->en ? "Nomination dossiers: children by alias only"
                                                : "推荐材料 · 儿童仅以化名出现");
    return hm_pdf_theme_footers(d->pdf, &d->t, left,
                                d->en ? "Page %zu of %zu" : "第 %zu 页 / 共 %zu 页");
}

hm_error hm_dossier_doc_save(hm_dossier_doc *d, const char *path, char *err, size_t errsz)
{
    hm_error rc;
    if ((rc = footers(d)) != HM_OK || (rc = hm_pdf_save(d->pdf, path)) != HM_OK) {
        if (rc == HM_OK || !err[0] || strcmp(hm_pdf_error(d->pdf), "") != 0)
            snprintf(err, errsz, "dossiers: %s", hm_pdf_error(d->pdf));
        rc = rc ? rc : HM_EPDF;
    }
    return rc;
}

void hm_dossier_doc_free(hm_dossier_doc *d)
{
    if (!d)
        return;
    hm_pdf_free(d->pdf);
    free(d);
}
