/*
 * spill.h - the rows of a long table kept in a temporary file instead of
 * memory, written once and read back in order as often as needed.
 *
 * aggregate writes a `detail` list's rows here while its query runs and
 * keeps in the model only the rows the PDF draws; the workbook renderer
 * streams them back (report.h, hm_table_row).  So a report's memory does
 * not grow with the length of its action lists.
 *
 * The file is made in $TMPDIR (/tmp when unset or empty) and unlinked at
 * once: it has no name while it is in use, disappears when hm_spill_free
 * closes it, and cannot outlive the process even when it is killed.  It
 * holds exactly the values given (NULL, 64-bit integer, double bit for bit,
 * text up to its first NUL), a tag byte and a variable-length number or
 * the eight bytes of a double each, in this machine's byte order: it is
 * private to the process that wrote it.
 *
 * Ownership: a spill owns its file and its buffers; a row handed out by
 * hm_spill_row belongs to the spill and is valid until the next call on
 * it.  Nothing here prints or exits.
 */
#ifndef HIMAMA_SPILL_H
#define HIMAMA_SPILL_H

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"

/*
 * Create an empty spill for rows of ncol values into *out (free it with
 * hm_spill_free).  HM_EIO with err set when no temporary file can be made;
 * *out is then NULL.
 */
hm_error hm_spill_open(size_t ncol, hm_spill **out, char *err, size_t errsz);

/*
 * Append one row: row[0..ncol) as given to hm_spill_open (before any
 * hm_spill_drop_columns).  The values are copied.  HM_EIO with err set on
 * a write error (a full disk); the spill is then unusable.
 */
hm_error hm_spill_append(hm_spill *sp, const hm_value *row, char *err, size_t errsz);

/* Push appended rows to the file, so that write errors show now; HM_EIO on failure. */
hm_error hm_spill_flush(hm_spill *sp, char *err, size_t errsz);

/* Number of rows appended. */
size_t hm_spill_rows(const hm_spill *sp);

/* Number of values in a row handed out by hm_spill_row. */
size_t hm_spill_ncol(const hm_spill *sp);

/*
 * Row i (0-based, below hm_spill_rows) into *row: hm_spill_ncol values
 * owned by the spill, valid until the next call on sp.  Reading rows in
 * order costs one row's read each; any other order reads the file again
 * from its start.  HM_EIO with err set when the file cannot be read or i
 * is out of range.
 */
hm_error hm_spill_row(hm_spill *sp, size_t i, const hm_value **row, char *err, size_t errsz);

/*
 * Leave out of every row handed out from now on the columns c for which
 * drop[c] is true (drop has hm_spill_ncol entries).  The file is unchanged.
 */
void hm_spill_drop_columns(hm_spill *sp, const bool *drop);

/* Close and so delete the file, and free sp.  Accepts NULL. */
void hm_spill_free(hm_spill *sp);

#endif
