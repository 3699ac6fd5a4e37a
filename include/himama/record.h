/*
 * record.h - a child's record (一人一档): which children a record covers,
 * and the models of a town's records, made of one child's model each.
 *
 * A record is a report of its own period kind (HM_PERIOD_RECORD) drawn
 * from templates/child.LANG.tmpl, whose queries take the child as :child
 * (params.h).  One child's record is one model, like any report.  A
 * town's records are one PDF and one workbook: the job builds each
 * child's model in turn and
 *   - moves its sections to the end of the PDF's model, the first of them
 *     starting a new page (hm_record_append), so the one renderer draws
 *     every child a page or two of its own, with a bookmark each;
 *   - copies its rows into the workbook's model, whose every table has a
 *     first column naming the child (hm_record_book_add), so each sheet
 *     lists the whole town, one sheet per section as for one child.
 */
#ifndef HIMAMA_RECORD_H
#define HIMAMA_RECORD_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"

/* The children a record covers, by id (with the name each is shown with). */
typedef struct hm_record_children {
    char **id;       /* child_id, owned */
    char **who;      /* "child_id name", owned: the workbook's first column */
    size_t n;
} hm_record_children;

/*
 * Fill *out with child when it is in the database (town NULL), or with
 * every child of town in child_id order (child NULL).  HM_EUSAGE with err
 * saying so when the child or the town is unknown or the town has no
 * children; HM_EDB when the query fails.  Release with
 * hm_record_children_release.
 */
hm_error hm_record_children_find(sqlite3 *db, const char *child, const char *town,
                                 hm_record_children *out, char *err, size_t errsz);

/* Free what c holds and empty it; NULL is fine. */
void hm_record_children_release(hm_record_children *c);

/*
 * Move every section of src to the end of dst, the first of them marked
 * to start a new page; src keeps its other fields and no section (free it
 * with hm_report_free).
 */
void hm_record_append(hm_report *dst, hm_report *src);

/*
 * Make book (a model of the record's template) the workbook of a town:
 * every table gets a first column, label, and loses its rows; texts that
 * quote one child's figures (intro, note) are dropped and each heading
 * becomes its sheet's name.  Call once, before hm_record_book_add.
 * HM_EQUERY with err set when a section keeps rows in a temporary file
 * (a record's template may not use `detail`).
 */
hm_error hm_record_book_init(hm_report *book, const char *label, char *err, size_t errsz);

/*
 * Append a copy of each row of src's sections (src a model of the same
 * template) to book's, after a first cell who.  HM_EQUERY with err set when
 * the two models do not have the same sections and columns.
 */
hm_error hm_record_book_add(hm_report *book, const hm_report *src, const char *who, char *err,
                            size_t errsz);

#endif
