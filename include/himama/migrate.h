/*
 * migrate.h - create or upgrade the database's schema (store/migrate.c).
 */
#ifndef HIMAMA_MIGRATE_H
#define HIMAMA_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"

/*
 * Bring the schema to HM_SCHEMA_VERSION: run datadir/queries/schema.sql on
 * an empty database, later migrations on older ones, each in one
 * transaction.  *from gets the version found (0: a new database).
 */
hm_error hm_db_migrate(sqlite3 *db, const char *datadir, int *from,
                       char *err, size_t errsz);

#endif
