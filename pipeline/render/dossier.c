/*
 * dossier.c - dossiers.pdf: one A4 page per shortlisted candidate for the
 * "most beautiful caring mother" nomination, for the jury; a shortlist
 * longer than a file's pages goes into several files (volumes), each
 * built, saved and freed before the next, since libharu holds a whole
 * document in memory until it is saved.
 *
 * Each page: the candidate (name masked for the public audience), town,
 * sector, rank and score; the nine scored figures as tiles; the children
 * paired in the year by alias only; a bar chart of the candidate's
 * activities month by month; then the year's stories, newest first, as
 * far as the page holds (the rest is marked as left out, the full texts
 * are in the database).  The three per-candidate queries are prepared once
 * and re-bound for each candidate.
 */
#include "himama/nominate.h"
#include "himama/db.h"
#include "himama/pdf.h"
#include "himama/theme.h"
#include "himama/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Q_CHILDREN, Q_MONTHS, Q_STORIES, NQ };
static const char *const QFILES[NQ] = { "annual_dossier_children.sql",
                                        "annual_dossier_months.sql",
                                        "annual_dossier_stories.sql" };

/* The state of one run. */
typedef struct dctx {
    hm_pdf *pdf;
    hm_pdf_theme t;            /* palette, margins, type sizes, footer */
    const hm_nominate_params *p;
    bool en;
    size_t volume, nvolumes;   /* this file's place in the set (1-based) */
    sqlite3 *db;
    sqlite3_stmt *q[NQ];
    char *err;
    size_t errsz;
} dctx;

/* The text of column i of st's current row ("" for NULL). */
static const char *txt(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* Reset st and bind its parameters (params.h) for the candidate vid. */
static hm_error bind_for(dctx *d, sqlite3_stmt *st, const char *vid, const char *qfile)
{
    const hm_param_extra who = { ":volunteer_id", vid, 0 };
    sqlite3_reset(st);
    return hm_params_bind(st, d->p->query, &who, 1, qfile, d->err, d->errsz);
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

/* The monthly bar chart of st's rows (month, activities) at the top *y. */
static hm_error month_chart(dctx *d, sqlite3_stmt *st, double *y)
{
    long long v[12] = { 0 };
    int mon[12] = { 0 };
    int n = 0, src;
    long long top = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW && n < 12) {
        mon[n] = sqlite3_column_int(st, 0);
        v[n] = sqlite3_column_int64(st, 1);
        if (v[n] > top)
            top = v[n];
        n++;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return hm_fail(HM_EQUERY, d->err, d->errsz, "%s: %s", QFILES[Q_MONTHS],
                    sqlite3_errmsg(d->db));
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
        snprintf(buf, sizeof buf, "%lld", v[i]);
        if (v[i] > 0)
            hm_pdf_text_center(d->pdf, bx + slot * 0.3, base + bh + 3, 8, d->t.text, buf);
        snprintf(buf, sizeof buf, d->en ? "%d" : "%d月", mon[i]);
        hm_pdf_text_center(d->pdf, bx + slot * 0.3, base - 12, 8, d->t.muted, buf);
    }
    *y = base - 24;
    return hm_pdf_status(d->pdf);
}

/* One candidate's page. */
static hm_error page(dctx *d, const hm_nom_candidate *k, size_t index)
{
    hm_error rc;
    hm_strbuf sb = HM_STRBUF_INIT;
    bool pub = strcmp(d->p->audience, "public") == 0;
    double y = HM_PDF_A4_HEIGHT - d->t.margin_top;
    double width = HM_PDF_A4_WIDTH - d->t.margin_left - d->t.margin_right;
    double floor = d->t.margin_bottom;
    int src;

    hm_strbuf_init(&sb);
    if ((rc = hm_pdf_add_page(d->pdf)) != HM_OK)
        goto out;
    hm_strbuf_addf(&sb, d->en ? "\"Most beautiful caring mother\" %.4s · candidate %zu"
                              : "%.4s年度“最美爱心妈妈”候选人材料 · 第 %zu 位", d->p->from,
                   index + 1);
    hm_pdf_text(d->pdf, d->t.margin_left, y - 10, d->t.body_size, d->t.muted, sb.buf);
    y -= 40;
    const char *name = pub ? k->masked : k->volunteer;
    hm_pdf_text(d->pdf, d->t.margin_left, y, d->t.title_size, d->t.text, name);
    hm_pdf_outline(d->pdf, name, hm_pdf_page_count(d->pdf) - 1, y + d->t.title_size);
    hm_strbuf_reset(&sb);
    hm_strbuf_addf(&sb, d->en ? "%s · %s · %s · rank %lld in town · score %lld"
                              : "%s · %s · %s · 镇内第 %lld 名 · 得分 %lld",
                   k->town, k->sector ? k->sector : "", k->role ? k->role : "",
                   (long long)k->rank, (long long)k->score);
    if (!pub) {
        hm_strbuf_addf(&sb, d->en ? " · ID %s" : " · 编号 %s", k->volunteer_id);
    }
    y -= 20;
    hm_pdf_text(d->pdf, d->t.margin_left, y, 11, d->t.muted, sb.buf);
    y -= 18;

    /* The figures: three rows of three tiles. */
    double gap = 8, tw = (width - 2 * gap) / 3, th = 40;
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        double tx = d->t.margin_left + (tw + gap) * (i % 3);
        double ty = y - (th + gap) * (i / 3) - th;
        char v[32];
        hm_pdf_fill_rect(d->pdf, tx, ty, tw, th, d->t.tile_bg);
        hm_pdf_fill_rect(d->pdf, tx, ty, 3, th, d->t.accent);
        hm_pdf_text(d->pdf, tx + 10, ty + th - 14, d->t.label_size, d->t.muted,
                    d->en ? hm_nom_figures[i].en : hm_nom_figures[i].zh);
        snprintf(v, sizeof v, "%lld", (long long)k->fig[i]);
        hm_pdf_text(d->pdf, tx + 10, ty + 8, 16, d->t.text, v);
    }
    y -= 3 * (th + gap) + 10;

    /* The children, by alias. */
    subhead(d, d->en ? "Children paired (by alias)" : "结对儿童（化名）", &y);
    if ((rc = bind_for(d, d->q[Q_CHILDREN], k->volunteer_id, QFILES[Q_CHILDREN])) != HM_OK)
        goto out;
    hm_strbuf_reset(&sb);
    size_t nkids = 0;
    while ((src = sqlite3_step(d->q[Q_CHILDREN])) == SQLITE_ROW) {
        sqlite3_stmt *st = d->q[Q_CHILDREN];
        hm_strbuf_addf(&sb, d->en ? "%s%s (%s, since %s, %lld activities)"
                                  : "%s%s（%s，%s 起结对，本年活动 %lld 次）",
                       nkids ? (d->en ? "; " : "；") : "", txt(st, 0), txt(st, 1), txt(st, 2),
                       (long long)sqlite3_column_int64(st, 3));
        nkids++;
    }
    if (src != SQLITE_DONE) {
        rc = hm_fail(HM_EQUERY, d->err, d->errsz, "%s: %s", QFILES[Q_CHILDREN],
                  sqlite3_errmsg(d->db));
        goto out;
    }
    if (!nkids)
        hm_strbuf_adds(&sb, d->en ? "None this year." : "本年度无结对儿童。");
    wrapped(d, sb.buf, d->t.margin_left, &y, width, d->t.body_size, d->t.text, floor);
    y -= 8;

    /* The months. */
    subhead(d, d->en ? "Activities month by month" : "每月开展活动（次）", &y);
    if ((rc = bind_for(d, d->q[Q_MONTHS], k->volunteer_id, QFILES[Q_MONTHS])) != HM_OK ||
        (rc = month_chart(d, d->q[Q_MONTHS], &y)) != HM_OK)
        goto out;

    /* The stories, as far as the page holds. */
    subhead(d, d->en ? "Stories of the year" : "本年度事迹", &y);
    if ((rc = bind_for(d, d->q[Q_STORIES], k->volunteer_id, QFILES[Q_STORIES])) != HM_OK)
        goto out;
    size_t nst = 0;
    bool cut = false;
    while ((src = sqlite3_step(d->q[Q_STORIES])) == SQLITE_ROW) {
        sqlite3_stmt *st = d->q[Q_STORIES];
        if (cut)
            continue;
        hm_strbuf_reset(&sb);
        hm_strbuf_addf(&sb, "%s  %s%s%s%s", txt(st, 0), txt(st, 1),
                       *txt(st, 2) ? (d->en ? " (with " : "（结对儿童：") : "", txt(st, 2),
                       *txt(st, 2) ? (d->en ? ")" : "）") : "");
        cut = !wrapped(d, sb.buf, d->t.margin_left, &y, width, 10.5, d->t.accent, floor + 14) ||
              !wrapped(d, txt(st, 3), d->t.margin_left, &y, width, d->t.body_size, d->t.text,
                       floor + 14);
        y -= 6;
        nst++;
    }
    if (src != SQLITE_DONE) {
        rc = hm_fail(HM_EQUERY, d->err, d->errsz, "%s: %s", QFILES[Q_STORIES],
                  sqlite3_errmsg(d->db));
        goto out;
    }
    if (!nst)
        hm_pdf_text(d->pdf, d->t.margin_left, y - 10, d->t.body_size, d->t.muted,
                    d->en ? "No stories recorded this year." : "本年度没有记录事迹。");
    if (cut)
        hm_pdf_text(d->pdf, d->t.margin_left, floor, 9, d->t.muted,
                    d->en ? "… the rest is left out here; the full texts are in the database."
                          : "……其余内容从略，全文见数据库事迹记录。");
    rc = hm_pdf_status(d->pdf);
out:
    hm_strbuf_release(&sb);
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

size_t hm_dossier_volumes(const hm_nom_candidate *cand, size_t n, size_t per_file,
                          size_t *start)
{
    size_t nv = 0, in = 0;   /* files begun, pages in the current one */
    start[nv++] = 0;
    for (size_t i = 0; i < n; i++) {
        bool town_starts = i == 0 || strcmp(cand[i].town, cand[i - 1].town) != 0;
        if (in > 0 && town_starts) {
            size_t len = 1;
            while (i + len < n && strcmp(cand[i + len].town, cand[i].town) == 0)
                len++;
            if (in + len > per_file && len <= per_file) {
                start[nv++] = i;   /* the town fits whole in the next file */
                in = 0;
            }
        }
        if (in == per_file) {
            start[nv++] = i;
            in = 0;
        }
        in++;
    }
    start[nv] = n;
    return nv;
}

void hm_dossier_files_release(hm_dossier_files *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->final[i]);
        free(f->tmp[i]);
    }
    free(f->final);
    free(f->tmp);
    memset(f, 0, sizeof *f);
}

void hm_dossier_files_discard(hm_dossier_files *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        remove(f->tmp[i]);
    hm_dossier_files_release(f);
}

/* Name file k (1-based) of nv: base.pdf alone, else base-k.pdf, k padded
 * to the digits of nv so that the files sort in order. */
static void add_file(hm_dossier_files *f, const char *base, size_t k, size_t nv)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    int width = 1;
    for (size_t m = nv; m >= 10; m /= 10)
        width++;
    hm_strbuf_init(&sb);
    if (nv == 1)
        hm_strbuf_addf(&sb, "%s.pdf", base);
    else
        hm_strbuf_addf(&sb, "%s-%0*zu.pdf", base, width, k);
    f->final = hm_xrealloc(f->final, (f->n + 1) * sizeof *f->final);
    f->tmp = hm_xrealloc(f->tmp, (f->n + 1) * sizeof *f->tmp);
    f->final[f->n] = hm_strbuf_detach(&sb);
    f->tmp[f->n] = hm_atomic_tmpname(f->final[f->n]);
    f->n++;
}

/*
 * Fill temp.dossier_activities with the candidates' activity rows of the
 * year, in one pass over activities: the dossier queries read it, since
 * activities has no index by volunteer and a search per candidate would
 * read a year of activities each time (hours for a national shortlist).
 */
static hm_error candidate_activities(dctx *d, const hm_nom_candidate *cand, size_t n)
{
    static const char *const setup =
        "DROP TABLE IF EXISTS temp.dossier_candidates;"
        "DROP TABLE IF EXISTS temp.dossier_activities;"
        "CREATE TEMP TABLE dossier_candidates (volunteer_id TEXT NOT NULL PRIMARY KEY)"
        " WITHOUT ROWID;"
        "CREATE TEMP TABLE dossier_activities (volunteer_id TEXT NOT NULL,"
        " child_id TEXT NOT NULL, date TEXT NOT NULL, activity_id TEXT NOT NULL);";
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    if (sqlite3_exec(d->db, setup, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d->db, "INSERT OR IGNORE INTO temp.dossier_candidates VALUES (?1)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, cand[i].volunteer_id, -1, SQLITE_STATIC);
        int s2 = sqlite3_step(st);
        sqlite3_reset(st);
        if (s2 != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(d->db,
                           "INSERT INTO temp.dossier_activities"
                           " SELECT a.volunteer_id, a.child_id, a.date, a.activity_id"
                           " FROM activities a WHERE a.date BETWEEN ?1 AND ?2"
                           " AND a.volunteer_id IN (SELECT volunteer_id FROM temp.dossier_candidates)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, d->p->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d->p->to, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE ||
        sqlite3_exec(d->db, "CREATE INDEX temp.dossier_activities_volunteer"
                            " ON dossier_activities (volunteer_id, date)",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_finalize(st);
    return HM_OK;
fail:
    rc = hm_fail(HM_EQUERY, d->err, d->errsz, "dossiers: cannot gather the candidates' "
                 "activities: %s", sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    return rc;
}

hm_error hm_dossier_write(sqlite3 *db, const hm_nominate_params *p,
                          const hm_nomination_conf *c, const hm_nom_candidate *cand, size_t n,
                          const char *pdf_base, hm_dossier_files *files, char *err,
                          size_t errsz)
{
    dctx d;
    hm_error rc = HM_OK;
    size_t per = p->pages_per_file ? p->pages_per_file : HM_DOSSIER_PAGES;
    size_t *start = hm_xmalloc((n + 2) * sizeof *start);
    double t0 = hm_clock();
    (void)c;
    memset(&d, 0, sizeof d);
    hm_pdf_theme_dossier(&d.t);
    d.p = p;
    d.db = db;
    d.en = p->lang && strcmp(p->lang, "en") == 0;
    d.err = err;
    d.errsz = errsz;
    d.nvolumes = hm_dossier_volumes(cand, n, per, start);
    if ((rc = candidate_activities(&d, cand, n)) != HM_OK)
        goto out;
    for (int i = 0; i < NQ; i++) {
        char *qpath = hm_path_join(p->queries_dir, QFILES[i]);
        char *sql = hm_read_file(qpath, NULL);
        if (!sql)
            rc = hm_fail(HM_EQUERY, err, errsz, "cannot read query '%s': %s", qpath,
                      strerror(errno));
        else if (sqlite3_prepare_v2(db, sql, -1, &d.q[i], NULL) != SQLITE_OK || !d.q[i])
            rc = hm_fail(HM_EQUERY, err, errsz, "%s: %s", qpath, sqlite3_errmsg(db));
        free(sql);
        free(qpath);
        if (rc != HM_OK)
            goto out;
    }
    hm_pdf_opts po = {
        .font_path = p->render ? p->render->font_path : NULL,
        .font_index = p->render ? p->render->font_index : 0,
        .created = p->render ? p->render->created : 0,
        .title = d.en ? "Nomination dossiers" : "最美爱心妈妈候选人材料",
        .author = p->org,
    };
    for (d.volume = 1; d.volume <= d.nvolumes; d.volume++) {
        add_file(files, pdf_base, d.volume, d.nvolumes);
        if ((rc = hm_pdf_open(&d.pdf, &po, err, errsz)) != HM_OK)
            goto out;
        for (size_t i = start[d.volume - 1]; i < start[d.volume]; i++)
            if ((rc = page(&d, &cand[i], i)) != HM_OK)
                goto out;
        if (n == 0) {
            hm_pdf_add_page(d.pdf);
            hm_pdf_text(d.pdf, d.t.margin_left, HM_PDF_A4_HEIGHT - d.t.margin_top - 20,
                        d.t.heading_size, d.t.text,
                        d.en ? "No volunteer met the nomination rules this year."
                             : "本年度没有符合推荐条件的志愿者。");
        }
        if ((rc = footers(&d)) != HM_OK ||
            (rc = hm_pdf_save(d.pdf, files->tmp[files->n - 1])) != HM_OK) {
            if (rc == HM_OK || !err[0] || strcmp(hm_pdf_error(d.pdf), "") != 0)
                snprintf(err, errsz, "dossiers: %s", hm_pdf_error(d.pdf));
            rc = rc ? rc : HM_EPDF;
            goto out;
        }
        hm_pdf_free(d.pdf);
        d.pdf = NULL;
    }
out:
    for (int i = 0; i < NQ; i++)
        sqlite3_finalize(d.q[i]);
    sqlite3_exec(db, "DROP TABLE IF EXISTS temp.dossier_activities;"
                     "DROP TABLE IF EXISTS temp.dossier_candidates;", NULL, NULL, NULL);
    hm_pdf_free(d.pdf);
    free(start);
    if (rc != HM_OK)
        hm_dossier_files_discard(files);
    hm_timing("dossiers", t0, n);
    return rc;
}
