/*
 * rollup.h - load a district's whole database into this one, its IDs
 * qualified by the district's code (store/rollup.c).
 *
 * A city (or a province) keeps the same tables as a district: after a
 * rollup it is an ordinary himama database, its summaries kept, so its
 * reports, `himama check` and a further rollup read it as any other.
 */
#ifndef HIMAMA_ROLLUP_H
#define HIMAMA_ROLLUP_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama.h"

/* What one district's rollup did. */
typedef struct hm_rollup_result {
    const char *status;     /* "added", "replaced" or "unchanged" (static) */
    char sha256[65];        /* of the district database file */
    int version;            /* its schema version (migrated in a copy when older) */
    char last_ingest[32];   /* its latest ingest_log.finished_at, "" when none */
    long long rows;         /* rows brought in (0 when unchanged) */
} hm_rollup_result;

/* Options of one district's rollup. */
typedef struct hm_rollup_opts {
    const char *code;       /* the district's code: qualifies its IDs (CODE:ID); no
                               ':', '/', ';' or white space, at most 32 bytes */
    const char *path;       /* the district's database file (never modified) */
    const char *level;      /* the level the database is: "district" (default when
                               NULL), "city" or "province": its towns with that
                               level empty are given code there */
    const char *datadir;    /* where queries/ is, for migrating an older copy */
    bool force;             /* roll up even an unchanged or older file */
} hm_rollup_opts;

/*
 * Roll up one district into db (open, writable, current schema; the
 * caller holds the writer's lock): the file is copied (and hashed in the
 * same read) to a temporary file, which is migrated when its schema is
 * older, then in one transaction the district's rows from an earlier
 * rollup are deleted (its IDs CODE:..., its ingest_log rows, its
 * contribution to the summaries) and the copy's rows inserted, with the
 * row in table rollups.  Killed at any instant, the district is wholly
 * the old or wholly the new.  A file of the same SHA-256 as the one
 * rolled up is "unchanged"; one whose latest ingest is older than the
 * rolled-up one's is refused (HM_EUSAGE) unless force.  Errors: HM_EUSAGE
 * (a bad code or level), HM_EIO (the file cannot be read or copied, or
 * has a write-ahead log not checkpointed), HM_ESCHEMA (newer than this
 * program), HM_EDB; err says which.  OUT: *res.
 */
hm_error hm_rollup_district(sqlite3 *db, const hm_rollup_opts *o, hm_rollup_result *res,
                            char *err, size_t errsz);

#endif
