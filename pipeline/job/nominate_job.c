/*
 * nominate_job.c - the annual report's nominations, driven
 * (nominate_job.h): the report stage builds the model (nominate.c,
 * dossier_model.c), the renderers draw it (nominations_xlsx.c,
 * dossier.c), and this file hands one to the other, a scorecard row or a
 * dossier page at a time.
 */
#include "himama/nominate_job.h"
#include "himama/dossier.h"
#include "himama/dossier_model.h"
#include "himama/nominate.h"
#include "himama/nominations_xlsx.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the workbook -------------------------------------------------------- */

/* Whether the report has the sheet of the candidates' pairs (internal). */
static bool has_pairs(const hm_nominate_params *p)
{
    return !(p->audience && strcmp(p->audience, "public") == 0);
}

/* The children of each candidate and their five ones (internal), from a
 * dossier model on this connection, kept in the candidates: the sheet of
 * pairs shows them, and the dossiers take them from there instead of
 * computing them again (dossier_model.c). */
static hm_error load_pairs(sqlite3 *db, const hm_nominate_params *p, hm_nom_candidate *cand,
                           size_t n, char *err, size_t errsz)
{
    hm_dossier_model *m = NULL;
    hm_dossier_page pg = { 0 };
    hm_error rc = HM_OK;
    if (n == 0 || !has_pairs(p))
        return HM_OK;
    if ((rc = hm_dossier_model_open(db, p, cand, n, &m, err, errsz)) != HM_OK)
        return rc;
    for (size_t i = 0; i < n && rc == HM_OK; i++)
        if ((rc = hm_dossier_model_pairs(m, i, &pg, err, errsz)) == HM_OK) {
            cand[i].children = pg.children;
            cand[i].nchildren = pg.nchildren;
            cand[i].children_loaded = true;
            pg.children = NULL;
            pg.nchildren = 0;
        }
    hm_dossier_page_release(&pg);
    hm_dossier_model_free(m);
    return rc;
}

/* The sheet of the candidates' pairs and their five ones (internal), from
 * the children load_pairs kept. */
static hm_error write_pairs(const hm_nominate_params *p, hm_nom_book *book,
                            const hm_nom_candidate *cand, size_t n, char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    if (!has_pairs(p))
        return HM_OK;
    for (size_t i = 0; i < n && rc == HM_OK; i++) {
        hm_dossier_page pg = { .cand = &cand[i], .index = i, .nchildren = cand[i].nchildren,
                               .children = cand[i].children };
        rc = hm_nom_book_pairs(book, &pg, err, errsz);
    }
    return rc;
}

hm_error hm_nominations_xlsx_write(sqlite3 *db, const hm_nomination_conf *c,
                                   const hm_nominate_params *p, const char *xlsx_path,
                                   hm_nom_hand_over hand_over, void *arg,
                                   hm_nominate_stats *stats, char *err, size_t errsz)
{
    hm_scorecard *sc = NULL;
    hm_nom_book *book = NULL;
    hm_nominate_stats local;
    const hm_nom_row *row;
    hm_error rc;
    double t0 = hm_clock();
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);

    if ((rc = hm_scorecard_open(db, c, p, &sc, err, errsz)) != HM_OK ||
        (rc = hm_nom_book_open(xlsx_path, c, p, &book, err, errsz)) != HM_OK)
        goto out;
    while ((rc = hm_scorecard_next(sc, &row, err, errsz)) == HM_OK && row)
        if ((rc = hm_nom_book_row(book, row, err, errsz)) != HM_OK)
            break;
    hm_scorecard_stats(sc, stats);
    if (rc != HM_OK)
        goto out;
    stats->scorecard_sheets = hm_nom_book_sheets(book);
    hm_timing("scorecard (query and sheet)", t0, stats->volunteers);
    size_t n;
    const hm_nom_candidate *cand = hm_scorecard_shortlist(sc, &n);
    if ((rc = hm_nom_book_lists(book, cand, n, err, errsz)) != HM_OK)
        goto out;
    hm_nom_candidate *taken = hm_scorecard_take(sc, &n);
    t0 = hm_clock();
    rc = load_pairs(db, p, taken, n, err, errsz);
    if (hand_over)   /* the dossiers start; the candidates stay until the job ends */
        hand_over(arg, taken, n);
    if (rc == HM_OK)
        rc = write_pairs(p, book, taken, n, err, errsz);
    hm_timing("nominations.xlsx (the candidates' pairs)", t0, n);
    if (!hand_over)
        hm_nom_candidates_free(taken, n);
    if (rc != HM_OK)
        goto out;
    t0 = hm_clock();
    rc = hm_nom_book_close(book, err, errsz);
    book = NULL;
    hm_timing("nominations.xlsx (close)", t0, 0);
out:
    hm_nom_book_discard(book);
    hm_scorecard_free(sc);
    return rc;
}

/* ---- the dossiers -------------------------------------------------------- */

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

/* One file of the set: the pages of candidates first..last-1, built one
 * ahead so that two short records can share a page (the "no one" page when
 * there are no candidates at all). */
static hm_error write_volume(hm_dossier_model *m, const hm_nominate_params *p, size_t volume,
                             size_t nvolumes, size_t first, size_t last, size_t n,
                             const char *path, char *err, size_t errsz)
{
    hm_dossier_doc *doc = NULL;
    hm_dossier_page pg[2] = { { 0 }, { 0 } };
    int cur = 0;                /* pg[cur] holds candidate i when have */
    bool have = false, both;
    hm_error rc;
    if ((rc = hm_dossier_doc_open(p, volume, nvolumes, &doc, err, errsz)) != HM_OK)
        return rc;
    for (size_t i = first; i < last; i += both ? 2 : 1) {
        bool ahead = i + 1 < last;
        if ((!have && (rc = hm_dossier_model_page(m, i, &pg[cur], err, errsz)) != HM_OK) ||
            (ahead && (rc = hm_dossier_model_page(m, i + 1, &pg[!cur], err, errsz)) != HM_OK) ||
            (rc = hm_dossier_doc_pages(doc, &pg[cur], ahead ? &pg[!cur] : NULL, &both)) != HM_OK)
            goto out;
        have = ahead && !both;  /* the next one is loaded and not drawn yet */
        cur = have ? !cur : cur;
    }
    if (n == 0)
        hm_dossier_doc_none(doc);
    rc = hm_dossier_doc_save(doc, path, err, errsz);
out:
    hm_dossier_page_release(&pg[0]);
    hm_dossier_page_release(&pg[1]);
    hm_dossier_doc_free(doc);
    return rc;
}

hm_error hm_dossiers_write(sqlite3 *db, const hm_nominate_params *p,
                           const hm_nom_candidate *cand, size_t n, const char *pdf_base,
                           hm_dossier_files *files, char *err, size_t errsz)
{
    hm_dossier_model *m = NULL;
    hm_error rc;
    size_t per = p->pages_per_file ? p->pages_per_file : HM_DOSSIER_PAGES;
    size_t *start = hm_xmalloc((n + 2) * sizeof *start);
    double t0 = hm_clock();
    size_t nv = hm_dossier_volumes(cand, n, per, start);
    if ((rc = hm_dossier_model_open(db, p, cand, n, &m, err, errsz)) != HM_OK)
        goto out;
    for (size_t v = 1; v <= nv; v++) {
        add_file(files, pdf_base, v, nv);
        if ((rc = write_volume(m, p, v, nv, start[v - 1], start[v], n,
                               files->tmp[files->n - 1], err, errsz)) != HM_OK)
            goto out;
    }
out:
    hm_dossier_model_free(m);
    free(start);
    if (rc != HM_OK)
        hm_dossier_files_discard(files);
    hm_timing("dossiers", t0, n);
    return rc;
}

/* ---- both in a row -------------------------------------------------------- */

/* Where hm_nominate_write keeps the shortlist handed over. */
typedef struct kept {
    hm_nom_candidate *cand;
    size_t n;
} kept;

/* hand_over: keep the shortlist for the dossiers. */
static void keep_shortlist(void *arg, hm_nom_candidate *cand, size_t n)
{
    kept *k = arg;
    k->cand = cand;
    k->n = n;
}

hm_error hm_nominate_write(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, const char *xlsx_path,
                           const char *pdf_base, hm_dossier_files *files,
                           hm_nominate_stats *stats, char *err, size_t errsz)
{
    kept k = { NULL, 0 };
    hm_error rc = hm_nominations_xlsx_write(db, c, p, xlsx_path, keep_shortlist, &k, stats,
                                            err, errsz);
    if (rc == HM_OK && (rc = hm_dossiers_write(db, p, k.cand, k.n, pdf_base, files, err,
                                               errsz)) != HM_OK)
        remove(xlsx_path);
    hm_nom_candidates_free(k.cand, k.n);
    return rc;
}
