/*
 * check.c - run the database's integrity check and the SQL checks under
 * queries/ (check_*.sql: violations; warn_*.sql: warnings).
 */
#include "himama/check.h"
#include "himama/db.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run one SQL file; every row of its last statement is a message. */
static hm_error run_file(sqlite3 *db, const char *path, const char *name, const char *today,
                         bool warning, hm_check_fn fn, void *ctx, hm_check_totals *t,
                         char *err, size_t errsz)
{
    char *sql = hm_read_file(path, NULL);
    if (!sql) {
        snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
        return HM_EQUERY;
    }
    hm_error rc = HM_OK;
    long rows = 0;
    const char *tail = sql;
    while (*tail) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
            snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
            rc = HM_EQUERY;
            break;
        }
        if (!st)
            continue;
        int idx = sqlite3_bind_parameter_index(st, ":today");
        if (idx)
            sqlite3_bind_text(st, idx, today, -1, SQLITE_STATIC);
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            const char *msg = (const char *)sqlite3_column_text(st, 0);
            fn(ctx, name, warning, msg ? msg : "(no message)");
            rows++;
        }
        if (s != SQLITE_DONE) {
            snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
            rc = HM_EQUERY;
        }
        sqlite3_finalize(st);
        if (rc != HM_OK)
            break;
    }
    free(sql);
    if (rc != HM_OK)
        return rc;
    t->checks++;
    if (warning) {
        t->warnings += rows;
    } else {
        t->violations += rows;
        t->failed += rows > 0;
    }
    if (rows == 0)
        fn(ctx, name, warning, NULL);
    return HM_OK;
}

static int only_checks(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0 &&
           (strncmp(e->d_name, "check_", 6) == 0 || strncmp(e->d_name, "warn_", 5) == 0);
}

hm_error hm_check_run(sqlite3 *db, const char *datadir, const char *today, hm_check_fn fn,
                      void *ctx, hm_check_totals *totals, char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    memset(totals, 0, sizeof *totals);

    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "integrity check: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    long bad = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *msg = (const char *)sqlite3_column_text(st, 0);
        if (msg && strcmp(msg, "ok") != 0) {
            fn(ctx, "integrity", false, msg);
            bad++;
        }
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        snprintf(err, errsz, "integrity check: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    totals->checks++;
    totals->violations += bad;
    totals->failed += bad > 0;
    if (!bad)
        fn(ctx, "integrity", false, NULL);

    char *dir = hm_path_join(datadir, "queries");
    struct dirent **names = NULL;
    int n = scandir(dir, &names, only_checks, alphasort);
    if (n < 0) {
        snprintf(err, errsz, "cannot read '%s': %s", dir, strerror(errno));
        free(dir);
        return HM_EQUERY;
    }
    for (int i = 0; i < n; i++) {
        const char *file = names[i]->d_name;
        bool warning = strncmp(file, "warn_", 5) == 0;
        char name[256];
        size_t skip = warning ? 5 : 6;
        snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 4 - skip), file + skip);
        char *path = hm_path_join(dir, file);
        if (rc == HM_OK)
            rc = run_file(db, path, name, today, warning, fn, ctx, totals, err, errsz);
        free(path);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir);
    return rc;
}
