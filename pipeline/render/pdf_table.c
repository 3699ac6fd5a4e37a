/*
 * pdf_table.c - the widths of a briefing table's columns and the size of
 * its figures: each column's natural width or the template's hints, then
 * numbers kept on one line and headers kept whole where room allows.
 */
#include "himama/pdf_table.h"
#include "himama/util.h"

#include <stdlib.h>

bool hm_pdf_numeric_col(const hm_colspec *spec)
{
    return spec->format == HM_FMT_INT || spec->format == HM_FMT_MONEY ||
           spec->format == HM_FMT_PERCENT || spec->format == HM_FMT_REAL;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* The text a cell shows: text as it is, else formatted ("<3" for the public). */
static const char *cell_text(bool pub, const hm_value *v, const hm_colspec *spec, char *buf,
                             size_t bufsz)
{
    if (v->type == HM_V_TEXT)
        return nz(v->s);
    hm_value_format(v, spec, pub, buf, bufsz);
    return buf;
}

/*
 * Column widths: the specs' relative hints when any is given (columns
 * without one get the average hint); otherwise each column's natural width
 * (its widest cell or header word), numbers kept whole and text columns
 * sharing the rest in proportion, none narrower than min_col_em.
 */
static void column_widths(hm_pdf *pdf, const hm_table *t, bool pub, const hm_pdf_table_geom *g,
                          double *w)
{
    size_t n = t->ncol;
    double avail = g->width, hint_sum = 0, hint_cnt = 0;
    double size = g->size, pad = g->pad;
    char buf[128];

    for (size_t j = 0; j < n; j++)
        if (t->cols[j].width > 0) {
            hint_sum += t->cols[j].width;
            hint_cnt++;
        }
    if (hint_cnt > 0) {
        double avg = hint_sum / hint_cnt, total = 0;
        for (size_t j = 0; j < n; j++)
            total += t->cols[j].width > 0 ? t->cols[j].width : avg;
        for (size_t j = 0; j < n; j++)
            w[j] = avail * (t->cols[j].width > 0 ? t->cols[j].width : avg) / total;
        return;
    }
    double fixed = 0, flex = 0, minw = g->min_col_em * size + pad;
    for (size_t j = 0; j < n; j++) {
        const hm_colspec *spec = &t->cols[j];
        double m = hm_pdf_text_width(pdf, nz(spec->label), size) + pad;
        size_t rows = t->nrow < 400 ? t->nrow : 400;     /* enough to judge */
        for (size_t i = 0; i < rows; i++) {
            const char *v = cell_text(pub, hm_table_cell(t, i, j), spec, buf, sizeof buf);
            double vw = hm_pdf_text_width(pdf, v, size) + pad;
            if (vw > m)
                m = vw;
        }
        w[j] = m;
        if (hm_pdf_numeric_col(spec))
            fixed += m;
        else
            flex += m;
    }
    if (fixed + flex <= avail) {          /* room to spare: widen all in proportion */
        double k = avail / (fixed + flex);
        for (size_t j = 0; j < n; j++)
            w[j] *= k;
        return;
    }
    /*
     * Too wide: numbers keep their width; text columns narrower than a fair
     * share of what is left keep theirs too (repeatedly, as the share
     * grows), and the wide ones split the rest in proportion.
     */
    double rest = avail - fixed, wide = flex;
    bool *set = hm_xcalloc(n, sizeof *set);
    for (bool again = true; again;) {
        again = false;
        size_t left = 0;
        for (size_t j = 0; j < n; j++)
            if (!hm_pdf_numeric_col(&t->cols[j]) && !set[j])
                left++;
        for (size_t j = 0; j < n && left > 0; j++) {
            if (hm_pdf_numeric_col(&t->cols[j]) || set[j] || w[j] > rest / (double)left)
                continue;
            set[j] = true;
            rest -= w[j];
            wide -= w[j];
            again = true;
            break;
        }
    }
    for (size_t j = 0; j < n; j++)
        if (!hm_pdf_numeric_col(&t->cols[j]) && !set[j]) {
            w[j] = wide > 0 ? rest * w[j] / wide : minw;
            if (w[j] < minw)
                w[j] = minw;
        }
    free(set);
    double total = 0;
    for (size_t j = 0; j < n; j++)
        total += w[j];
    for (size_t j = 0; j < n; j++)        /* still too wide: shrink everything */
        w[j] *= avail / total;
}

/*
 * Take up to amount points from the columns wider than their floor lo[j]
 * (in proportion to what each has above it); returns what was taken.
 */
static double take_room(double *w, const double *lo, size_t n, double amount)
{
    double slack = 0;
    for (size_t j = 0; j < n; j++)
        if (w[j] > lo[j])
            slack += w[j] - lo[j];
    double take = amount < slack ? amount : slack;
    for (size_t j = 0; j < n && take > 0; j++)
        if (w[j] > lo[j])
            w[j] -= (w[j] - lo[j]) * take / slack;
    return take > 0 ? take : 0;
}

/*
 * Give the columns narrower than want[j] room taken from the others down to
 * keep[j] (each other column keeps at least that), in proportion to what
 * each lacks.
 */
static void widen_to(double *w, const double *want, const double *keep, size_t n)
{
    double lack = 0;
    double *lo = hm_xcalloc(n, sizeof *lo);
    for (size_t j = 0; j < n; j++) {
        lo[j] = w[j] < want[j] ? w[j] : (keep[j] > want[j] ? keep[j] : want[j]);
        if (w[j] < want[j])
            lack += want[j] - w[j];
    }
    double got = lack > 0 ? take_room(w, lo, n, lack) : 0;
    for (size_t j = 0; j < n && got > 0; j++)
        if (lo[j] == w[j] && w[j] < want[j])
            w[j] += (want[j] - w[j]) * got / lack;
    free(lo);
}

/*
 * After column_widths: a number never wraps and a header wraps only where
 * it cannot be helped.  A numeric column narrower than its widest figure
 * takes room from the columns with room to spare (text columns down to
 * min_col_em); then a header that would wrap takes room the same way
 * without making anything else wrap.  A numeric column still too narrow
 * gets a smaller font (fs[j]) so its figures stay on one line.
 */
static void columns_fit(hm_pdf *pdf, const hm_table *t, bool pub, const hm_pdf_table_geom *g,
                        double *w, double *fs)
{
    size_t n = t->ncol;
    double size = g->size, pad = g->pad;
    double minw = g->min_col_em * size + pad;
    double *num = hm_xcalloc(n, sizeof *num), *head = hm_xcalloc(n, sizeof *head);
    double *lo = hm_xcalloc(n, sizeof *lo), *keep = hm_xcalloc(n, sizeof *keep);
    char buf[128];
    for (size_t j = 0; j < n; j++) {
        const hm_colspec *spec = &t->cols[j];
        fs[j] = size;
        head[j] = hm_pdf_text_width(pdf, nz(spec->label), size) + pad;
        for (size_t i = 0; hm_pdf_numeric_col(spec) && i < t->nrow; i++) {
            const char *v = cell_text(pub, hm_table_cell(t, i, j), spec, buf, sizeof buf);
            double vw = hm_pdf_text_width(pdf, v, size) + pad;
            if (vw > num[j])
                num[j] = vw;
        }
        lo[j] = hm_pdf_numeric_col(spec) ? num[j] : minw;
        keep[j] = lo[j] > head[j] ? lo[j] : head[j];
    }
    widen_to(w, num, keep, n);     /* numbers whole, leaving headers whole */
    widen_to(w, num, lo, n);       /* numbers whole, headers may wrap */
    widen_to(w, head, keep, n);    /* headers whole where nothing else suffers */
    for (size_t j = 0; j < n; j++)
        if (num[j] > w[j] + 0.01)
            fs[j] = size * (w[j] - pad) / (num[j] - pad);
    free(num);
    free(head);
    free(lo);
    free(keep);
}

void hm_pdf_table_columns(hm_pdf *pdf, const hm_table *t, bool pub, const hm_pdf_table_geom *g,
                          double *w, double *fs)
{
    column_widths(pdf, t, pub, g, w);
    columns_fit(pdf, t, pub, g, w, fs);
}
