/*
 * dossier.c - the dossiers drawn from their page data (dossier.h): one A4
 * page per shortlisted candidate for the "most beautiful caring mother"
 * nomination, for the jury, in files (volumes) each built, saved and
 * freed before the next, since libharu holds a whole document in memory
 * until it is saved.
 *
 * Each page: the candidate (name masked for the public audience), town,
 * sector, rank and score; the nine scored figures as tiles; the children
 * paired in the year by alias only; a bar chart of the candidate's
 * activities month by month; then the year's stories, newest first, as
 * far as the page holds (the rest is marked as left out, the full texts
 * are in the database).
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
};
typedef struct hm_dossier_doc dctx;

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
        hm_pdf_text(d->pdf, x, *y - size, size, rgb, ln.line[i]);
        *y -= size * 1.45;
    }
    hm_pdf_lines_release(&ln);
    return all;
}

/* A small section heading with a rule under it. */
static void subhead(dctx *d, const char *text, double *y)
{
    double size = d->t.subtitle_size;
    hm_pdf_text(d->pdf, d->t.margin_left, *y - size, size, d->t.accent, text);
    hm_pdf_line(d->pdf, d->t.margin_left, *y - 16, HM_PDF_A4_WIDTH - d->t.margin_right, *y - 16,
                d->t.rule, 0.6);
    *y -= 26;
}

/* The monthly bar chart of the page's months at the top *y. */
static void month_chart(dctx *d, const hm_dossier_page *pg, double *y)
{
    const int64_t *v = pg->activities;
    int n = pg->nmonths;
    long long top = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > top)
            top = v[i];
    double h = 90, x0 = d->t.margin_left + 24, w = HM_PDF_A4_WIDTH - d->t.margin_right - x0;
    double base = *y - h - 4;
    long long step = top <= 4 ? 1 : (top + 3) / 4;
    long long ymax = step * 4;
    char buf[32];
    for (int k = 0; k <= 4; k++) {
        double gy = base + h * (double)k / 4;
        hm_pdf_line(d->pdf, x0, gy, x0 + w, gy, k ? d->t.grid : d->t.rule, 0.5);
        snprintf(buf, sizeof buf, "%lld", step * k);
        hm_pdf_text_right(d->pdf, x0 - 4, gy - 3, 8, d->t.muted, buf);
    }
    double slot = n ? w / n : w;
    for (int i = 0; i < n; i++) {
        double bh = ymax ? h * (double)v[i] / (double)ymax : 0;
        double bx = x0 + slot * i + slot * 0.2;
        if (bh > 0)
            hm_pdf_fill_rect(d->pdf, bx, base, slot * 0.6, bh, d->t.accent);
        snprintf(buf, sizeof buf, "%lld", (long long)v[i]);
        if (v[i] > 0)
            hm_pdf_text_center(d->pdf, bx + slot * 0.3, base + bh + 3, 8, d->t.text, buf);
        snprintf(buf, sizeof buf, d->en ? "%d" : "%d月", pg->month[i]);
        hm_pdf_text_center(d->pdf, bx + slot * 0.3, base - 12, 8, d->t.muted, buf);
    }
    *y = base - 24;
}

/* The page's head: the set, the name (an outline entry), who and the score. */
static void page_head(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double *y)
{
    const hm_nom_candidate *k = pg->cand;
    bool pub = strcmp(d->p->audience, "public") == 0;
    hm_strbuf_addf(sb, d->en ? "\"Most beautiful caring mother\" %.4s · candidate %zu"
                             : "%.4s年度“最美爱心妈妈”候选人材料 · 第 %zu 位", d->p->from,
                   pg->index + 1);
    hm_pdf_text(d->pdf, d->t.margin_left, *y - 10, d->t.body_size, d->t.muted, sb->buf);
    *y -= 40;
    const char *name = pub && d->p->names_masked ? k->masked : k->volunteer;
    hm_pdf_text(d->pdf, d->t.margin_left, *y, d->t.title_size, d->t.text, name);
    hm_pdf_outline(d->pdf, name, hm_pdf_page_count(d->pdf) - 1, *y + d->t.title_size);
    hm_strbuf_reset(sb);
    hm_strbuf_addf(sb, d->en ? "%s · %s · %s · rank %lld in town · score %lld"
                             : "%s · %s · %s · 镇内第 %lld 名 · 得分 %lld",
                   k->town, k->sector ? k->sector : "", k->role ? k->role : "",
                   (long long)k->rank, (long long)k->score);
    if (!pub) {
        hm_strbuf_addf(sb, d->en ? " · ID %s" : " · 编号 %s", k->volunteer_id);
    }
    *y -= 20;
    hm_pdf_text(d->pdf, d->t.margin_left, *y, 11, d->t.muted, sb->buf);
    *y -= 18;
}

/* The figures: three rows of three tiles. */
static void tiles(dctx *d, const hm_nom_candidate *k, double width, double *y)
{
    double gap = 8, tw = (width - 2 * gap) / 3, th = 40;
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        double tx = d->t.margin_left + (tw + gap) * (i % 3);
        double ty = *y - (th + gap) * (i / 3) - th;
        char v[32];
        hm_pdf_fill_rect(d->pdf, tx, ty, tw, th, d->t.tile_bg);
        hm_pdf_fill_rect(d->pdf, tx, ty, 3, th, d->t.accent);
        hm_pdf_text(d->pdf, tx + 10, ty + th - 14, d->t.label_size, d->t.muted,
                    d->en ? hm_nom_figures[i].en : hm_nom_figures[i].zh);
        if (d->pub && strcmp(hm_nom_figures[i].key, "children") == 0 && k->fig[i] > 0 &&
            k->fig[i] < 3)
            snprintf(v, sizeof v, "<3");   /* the public small-count rule */
        else
            snprintf(v, sizeof v, "%lld", (long long)k->fig[i]);
        hm_pdf_text(d->pdf, tx + 10, ty + 8, 16, d->t.text, v);
    }
    *y -= 3 * (th + gap) + 10;
}

/* The children, by alias, as one wrapped paragraph; in public their number
 * only (no list of children leaves the staff's reports). */
static void children(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double width,
                     double *y)
{
    bool pub = strcmp(d->p->audience, "public") == 0;
    subhead(d, pub ? (d->en ? "Children paired" : "结对儿童")
                   : (d->en ? "Children paired (by alias)" : "结对儿童（化名）"), y);
    hm_strbuf_reset(sb);
    if (pub && pg->nchildren >= 3)
        hm_strbuf_addf(sb, d->en ? "%zu children paired this year." : "本年度结对儿童 %zu 名。",
                       pg->nchildren);
    else if (pub && pg->nchildren)   /* the public small-count rule */
        hm_strbuf_adds(sb, d->en ? "<3 children paired this year." : "本年度结对儿童 <3 名。");
    for (size_t i = 0; i < pg->nchildren && !pub; i++) {
        const hm_dossier_child *c = &pg->children[i];
        hm_strbuf_addf(sb, d->en ? "%s%s (%s, since %s, %lld activities)"
                                 : "%s%s（%s，%s 起结对，本年活动 %lld 次）",
                       i ? (d->en ? "; " : "；") : "", c->child, c->town, c->since,
                       (long long)c->activities);
    }
    if (!pg->nchildren)
        hm_strbuf_adds(sb, d->en ? "None this year." : "本年度无结对儿童。");
    wrapped(d, sb->buf, d->t.margin_left, y, width, d->t.body_size, d->t.text,
            d->t.margin_bottom);
    *y -= 8;
}

/* The stories, as far as the page holds, and a note when the rest is left out. */
static void stories(dctx *d, const hm_dossier_page *pg, hm_strbuf *sb, double width,
                    double *y)
{
    double floor = d->t.margin_bottom;
    bool cut = false;
    subhead(d, d->en ? "Stories of the year" : "本年度事迹", y);
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
    if (!pg->nstories)
        hm_pdf_text(d->pdf, d->t.margin_left, *y - 10, d->t.body_size, d->t.muted,
                    d->en ? "No stories recorded this year." : "本年度没有记录事迹。");
    if (cut)
        hm_pdf_text(d->pdf, d->t.margin_left, floor, 9, d->t.muted,
                    d->en ? "… the rest is left out here; the full texts are in the database."
                          : "……其余内容从略，全文见数据库事迹记录。");
}

hm_error hm_dossier_doc_page(hm_dossier_doc *d, const hm_dossier_page *pg)
{
    hm_error rc;
    hm_strbuf sb = HM_STRBUF_INIT;
    double y = HM_PDF_A4_HEIGHT - d->t.margin_top;
    double width = HM_PDF_A4_WIDTH - d->t.margin_left - d->t.margin_right;
    if ((rc = hm_pdf_add_page(d->pdf)) != HM_OK)
        return rc;
    hm_strbuf_init(&sb);
    page_head(d, pg, &sb, &y);
    tiles(d, pg->cand, width, &y);
    children(d, pg, &sb, width, &y);
    subhead(d, d->en ? "Activities month by month" : "每月开展活动（次）", &y);
    month_chart(d, pg, &y);
    rc = hm_pdf_status(d->pdf);
    if (rc == HM_OK) {
        stories(d, pg, &sb, width, &y);
        rc = hm_pdf_status(d->pdf);
    }
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
