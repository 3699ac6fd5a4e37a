/*
 * unit_index.h - the index of a run of --each (units/index.xlsx): one row
 * per report written, the whole's first, with the manifest's headline
 * figures as columns (report/unit_index.c builds it as a model; the job
 * draws it with the workbook renderer).
 */
#ifndef HIMAMA_UNIT_INDEX_H
#define HIMAMA_UNIT_INDEX_H

#include <stddef.h>

#include "himama.h"
#include "himama/report.h"
#include "himama/units.h"

/* One report's row. */
typedef struct hm_unit_index_row {
    char *level, *path, *name;   /* NULL: the whole */
    hm_value *fig;               /* the figures, as the first row's keys (owned) */
} hm_unit_index_row;

typedef struct hm_unit_index {
    hm_report *model;            /* the first report's title, period and figures' keys */
    size_t nfig;
    char **key;                  /* the figures' keys */
    hm_format *format;
    size_t nrow, cap;
    hm_unit_index_row *row;
} hm_unit_index;

/* Add r's figures as u's row (u NULL: the whole).  The first call takes the
 * figures' keys and the report's kind, period and language. */
void hm_unit_index_add(hm_unit_index *x, const hm_unit *u, const hm_report *r);

/* u's row of r's figures, by x's keys (x has its first row), not yet added: a
 * job writing units at once makes each unit's row as its report is done and
 * adds them in the units' order. */
hm_unit_index_row hm_unit_index_row_of(const hm_unit_index *x, const hm_unit *u,
                                       const hm_report *r);

/* Add row *w to x as its next row (x owns what *w held; *w is emptied). */
void hm_unit_index_push(hm_unit_index *x, hm_unit_index_row *w);

/* The index as a model (caller frees with hm_report_free): one table
 * section "units", its columns the level, the unit's path and name and the
 * figures; a figure the public small-count rule hides is "<3". */
hm_report *hm_unit_index_model(const hm_unit_index *x);

/* Free what x holds and empty it. */
void hm_unit_index_release(hm_unit_index *x);

#endif
