/*
 * check.h - integrity and consistency checks of the database.
 *
 * The checks are SQL files: queries/check_*.sql return one row (one text
 * column) per violation, queries/warn_*.sql one row per thing worth a look
 * that is not an error.  Adding a check needs no change to C.
 */
#ifndef HIMAMA_CHECK_H
#define HIMAMA_CHECK_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

/*
 * Called once per check with its name and outcome (message NULL when it
 * holds) and once more per violation or warning row with its message.
 */
typedef void (*hm_check_fn)(void *ctx, const char *check, bool warning, const char *message);

typedef struct hm_check_totals {
    long checks;      /* checks run */
    long failed;      /* checks with at least one violation */
    long violations;  /* violation rows */
    long warnings;    /* warning rows */
} hm_check_totals;

/*
 * Run PRAGMA integrity_check, then every check_*.sql and warn_*.sql under
 * datadir/queries in name order (:today bound to today, 'YYYY-MM-DD').
 * Each message is passed to fn.  Returns HM_OK when the checks could run
 * (whatever they found), else an error with err set.
 */
hm_error hm_check_run(sqlite3 *db, const char *datadir, const char *today, hm_check_fn fn,
                      void *ctx, hm_check_totals *totals, char *err, size_t errsz);

#endif
