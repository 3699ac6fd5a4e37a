/*
 * pdf_table.h - column geometry of the briefing's tables (render_pdf.c):
 * how wide each column is and at what size its figures are set, so that a
 * number never wraps and a header wraps only where it cannot be helped.
 */
#ifndef HIMAMA_PDF_TABLE_H
#define HIMAMA_PDF_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "himama/pdf.h"
#include "himama/report.h"

/* The table's frame: all in points except min_col_em (in em of size). */
typedef struct hm_pdf_table_geom {
    double width;        /* the text column the table fills */
    double size;         /* the table's type size */
    double pad;          /* a cell's left plus right padding */
    double min_col_em;   /* the narrowest a text column gets */
} hm_pdf_table_geom;

/* Whether spec's values are numbers (int, money, percent, real). */
bool hm_pdf_numeric_col(const hm_colspec *spec);

/*
 * The widths (w, t->ncol points, summing to g->width) and figure sizes
 * (fs, t->ncol points) of t's columns, judged from the rows in memory as
 * pub shows them: the template's relative hints when any column has one,
 * else each column's natural width; then every numeric column at least as
 * wide as its widest figure (room taken from text columns down to
 * min_col_em), headers widened to one line where nothing else suffers,
 * and a numeric column still too narrow set smaller in fs (else fs[j] is
 * g->size).  The caller owns w and fs.
 */
void hm_pdf_table_columns(hm_pdf *pdf, const hm_table *t, bool pub, const hm_pdf_table_geom *g,
                          double *w, double *fs);

#endif
