/*
 * manifest.h - manifest.json, written beside every report so that a figure
 * quoted at a symposium can be traced back: the report, period, whether
 * the period has ended, audience, time, program version, the report's
 * headline figures under stable English keys (for a federation or a
 * dashboard; docs/himama.1 lists them), the SHA-256 of every input file
 * loaded so far and of every output, and the rows behind each section.
 */
#ifndef HIMAMA_MANIFEST_H
#define HIMAMA_MANIFEST_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report.h"
#include "himama/util.h"

/* One output file of the report. */
typedef struct hm_manifest_output {
    const char *name;   /* its final name in the report's folder, e.g. "briefing.pdf" */
    const char *path;   /* where to read it now (the temporary file before the rename) */
} hm_manifest_output;

/*
 * The SHA-256 of the file at path as 64 lowercase hex digits into out,
 * and its size into *bytes (may be NULL).  HM_EIO when it cannot be read.
 */
hm_error hm_manifest_file_sha256(const char *path, char out[65], int64_t *bytes);

/*
 * Append the manifest of report r to json (an initialised strbuf):
 * "period_complete" (r->complete), "figures" (r->fig: each the value the
 * tiles and sentences show, "<3" when hidden, left out when the report does
 * not hold its section), inputs from db's ingest_log (status 'loaded',
 * oldest first; a public report's by digest, kind and row counts, without
 * the file's name), the outputs (each
 * read and digested now), and per section its query file and row count.
 * template_name is recorded as given.  The time is hm_now() (so
 * SOURCE_DATE_EPOCH makes it reproducible).  On error json may hold a
 * partial text and err says why (HM_EDB or HM_EIO).
 */
hm_error hm_manifest_build(sqlite3 *db, const hm_report *r, const char *template_name,
                           const hm_manifest_output *outs, size_t nout, hm_strbuf *json,
                           char *err, size_t errsz);

#endif
