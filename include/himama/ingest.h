/*
 * ingest.h - the first stage: read CSV files, validate every row by the
 * rules at the door, and load them into the database, one transaction per
 * file.  Every row read ends loaded, updated, unchanged or rejected; a file
 * rejected whole is recorded once in ingest_log with its reason.
 */
#ifndef HIMAMA_INGEST_H
#define HIMAMA_INGEST_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/kinds.h"

/*
 * What ingest looked up (references, pairings) kept from one file to the
 * next of one run: a run of many files then looks each up once.  Give one
 * in hm_ingest_opts.cache for the length of a run on one database; NULL
 * keeps the lookups for one file only.
 */
typedef struct hm_ingest_cache hm_ingest_cache;
hm_ingest_cache *hm_ingest_cache_new(void);
void hm_ingest_cache_free(hm_ingest_cache *c);

typedef struct hm_ingest_opts {
    bool force;               /* read a file again even if identical to one loaded */
    const char *rejects_dir;  /* where ID-FILE.rejects.csv go (created on demand) */
    int32_t today;            /* the last acceptable date (days since 1970-01-01) */
    /* Progress: called every few thousand rows with rows so far; may be NULL. */
    void (*progress)(void *ctx, const char *file, long long rows, unsigned long long bytes,
                     unsigned long long total_bytes);
    void *progress_ctx;
    hm_ingest_cache *cache;   /* lookups kept across files, or NULL */
} hm_ingest_opts;

typedef enum hm_ingest_status {
    HM_INGEST_LOADED,    /* read (some rows may have been rejected) */
    HM_INGEST_SKIPPED,   /* identical to a file loaded before */
    HM_INGEST_REJECTED   /* rejected whole: nothing of it was loaded */
} hm_ingest_status;

typedef struct hm_ingest_result {
    long long id;              /* ingest_log.id (0 when not even that could be written) */
    hm_ingest_status status;
    const hm_kind *kind;       /* NULL when unknown */
    const char *encoding;      /* "UTF-8", "GB18030" or NULL */
    char sha256[65];
    char reason[512];          /* why rejected or skipped; empty otherwise */
    long long rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected;
    long long rows_warned;     /* loaded with a warning (e.g. activity outside a pairing) */
    char *rejects_path;        /* the rejects file written, or NULL (owned) */
} hm_ingest_result;

void hm_ingest_result_release(hm_ingest_result *r);

/*
 * Ingest one file.  Returns HM_OK when the file was loaded, skipped or
 * rejected whole (see res->status), or an error when the database itself
 * failed (err says why; the file's transaction is rolled back).
 */
hm_error hm_ingest_file(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_result *res, char *err, size_t errsz);

/* Called once per unit ingested: a CSV file, or a sheet of a workbook. */
typedef void (*hm_ingest_cb)(void *ctx, const char *name, const hm_ingest_result *res);

/*
 * Ingest path: a CSV file (one unit) or an Excel workbook (.xlsx: every
 * visible sheet whose name or header tells a kind, each a unit of its own,
 * named "FILE:SHEET" in ingest_log and rejects, in dependency order; the
 * intake form's roster and list sheets are skipped).  cb gets each unit's
 * result (valid only during the call).  Returns HM_OK unless the database
 * failed.
 */
hm_error hm_ingest_path(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_cb cb, void *ctx, char *err, size_t errsz);

/*
 * Ingest the regular file already open on fd (opened once, never through
 * a link: see hm_open_input), as hm_ingest_path does a path: hashed,
 * sniffed and parsed through fd alone, read from offset 0 (fd's own offset
 * does not matter and fd is not closed).  name is the path shown in
 * messages and recorded in ingest_log; its extension tells a workbook
 * (.xlsx) from a CSV file.  hm_ingest_path is hm_open_input, this, close.
 */
hm_error hm_ingest_fd(sqlite3 *db, int fd, const char *name, const hm_ingest_opts *o,
                      hm_ingest_cb cb, void *ctx, char *err, size_t errsz);

/*
 * Expand args (files, and directories meaning every *.csv and *.xlsx in
 * them; workbooks first, as they usually hold several kinds) into a
 * list in dependency order: by kind (towns, children, volunteers, pairings,
 * donations, trainings, activities, wishes, expenditures, attendance,
 * stories; the kind from the file name, else from the header), then by name.
 * Files whose kind cannot be told go last (they will be rejected with the
 * reason).  Links are not followed: a link named or in a directory is
 * listed as a file, to be refused when ingested.  *files is a malloc'd
 * array of malloc'd paths.
 */
hm_error hm_ingest_collect(char *const *args, size_t nargs, char ***files, size_t *nfiles,
                           char *err, size_t errsz);


/*
 * Finish what a stopped ingest left in rejects_dir: a rejects file whose
 * ingest committed but was not yet renamed into place is renamed; one of a
 * load that was rolled back is removed.  Call it holding the writer's
 * lock, before ingesting (ingest ids of rolled-back loads are reused).
 */
hm_error hm_ingest_recover(sqlite3 *db, const char *rejects_dir, char *err, size_t errsz);

/*
 * A name to make other names from (ID-NAME.rejects.csv, NAME.reason.txt):
 * name itself when at most 172 bytes, else cut at a character with "~"
 * and 8 hex digits of its SHA-256 added before its extension, so that
 * any name the file system accepted still gives derived names it accepts.
 * Caller frees.
 */
char *hm_ingest_short_name(const char *name);

/* The kind of the file at path from its name, else its header (read without
 * following a link); NULL if unknown. */
const hm_kind *hm_ingest_sniff_kind(const char *path);

/* The same for the file open on fd, named name (its header read through fd
 * from offset 0; fd stays open). */
const hm_kind *hm_ingest_sniff_kind_fd(int fd, const char *name);

#endif
