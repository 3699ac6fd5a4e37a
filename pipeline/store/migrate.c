/*
 * migrate.c - the schema brought to this program's version: schema.sql on
 * a new database, migrate_N.sql on an older one, and the summary tables a
 * migration added counted from the rows already stored.
 *
 * Apart from db.c because it is the one place where the store's low level
 * (db.c) and its summaries (summary.c, which uses db.c) meet: db.c calls
 * nothing above it.
 */
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/summary.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run the SQL file datadir/queries/name. */
static hm_error exec_file(sqlite3 *db, const char *datadir, const char *name,
                          char *err, size_t errsz)
{
    char *rel = hm_path_join("queries", name);
    char *path = hm_path_join(datadir, rel);
    char *sql = hm_read_file(path, NULL);
    hm_error rc;
    if (!sql) {
        snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
        rc = HM_EQUERY;
    } else {
        rc = hm_db_exec_script(db, path, sql, err, errsz);
    }
    free(sql);
    free(path);
    free(rel);
    return rc;
}

hm_error hm_db_migrate(sqlite3 *db, const char *datadir, int *from,
                       char *err, size_t errsz)
{
    int v = hm_db_version(db);
    *from = v;
    if (v < 0) {
        snprintf(err, errsz, "cannot read schema version: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    if (v >= HM_SCHEMA_VERSION)
        return HM_OK;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "cannot begin: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    /* Another process may have migrated it meanwhile. */
    v = hm_db_version(db);
    hm_error rc = HM_OK;
    if (v == 0) {
        rc = exec_file(db, datadir, "schema.sql", err, errsz);
    } else {
        for (int n = v + 1; n <= HM_SCHEMA_VERSION && rc == HM_OK; n++) {
            char name[32];
            snprintf(name, sizeof name, "migrate_%d.sql", n);
            rc = exec_file(db, datadir, name, err, errsz);
        }
        /* Count the summary tables the scripts added, once all exist:
         * from before version 2 every one; from version 2 the monthly
         * report's activity rows outside a pairing (version 3); from
         * before version 5 the volunteers' months with their hours; from
         * before version 8 the activities' crews. */
        if (rc == HM_OK && v < 2)
            rc = hm_summary_recount(db, NULL, err, errsz);
        if (rc == HM_OK && v >= 2 && v < 3)
            rc = hm_summary_outside_recount(db, err, errsz);
        if (rc == HM_OK && v >= 2 && v < 5)
            rc = hm_summary_volunteer_recount(db, err, errsz);
        if (rc == HM_OK && v >= 2 && v < 8)
            rc = hm_summary_crews_recount(db, err, errsz);
    }
    if (rc == HM_OK && v < HM_SCHEMA_VERSION) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", HM_SCHEMA_VERSION);
        if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errsz, "cannot set the schema version: %s", sqlite3_errmsg(db));
            rc = HM_EDB;
        }
    }
    if (rc == HM_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "cannot commit schema: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
    }
    if (rc != HM_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
