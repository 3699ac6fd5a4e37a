/*
 * db.h - the embedded SQLite database: open, migrate, lock, and helpers
 * for running named SQL files.
 */
#ifndef HIMAMA_DB_H
#define HIMAMA_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama.h"

#define HM_SCHEMA_VERSION 9

/*
 * Open the database at path (created when create is true and it does not
 * exist), with foreign keys on, WAL, synchronous=NORMAL, a busy timeout.
 * Checks that the file is an SQLite database and that its schema is not
 * newer than this program.  On error *db is NULL and err says why.
 */
hm_error hm_db_open(const char *path, bool create, sqlite3 **db,
                    char *err, size_t errsz);

/*
 * For readers (report, check): fail with a message saying how to upgrade
 * when db's schema is older than this program's.
 */
hm_error hm_db_require_current(sqlite3 *db, const char *path, char *err, size_t errsz);

/*
 * For readers (report, check): a smaller page cache.  Their queries build
 * temporary tables (materialized CTEs, DISTINCT, GROUP BY, automatic
 * indexes), each with a page cache of the connection's cache_size, so the
 * 64 MB that ingest wants would let one report reach 290 MB at national
 * scale; 8 MB each keeps it at 55 MB at the same speed (measured).
 */
void hm_db_reader_cache(sqlite3 *db);

/*
 * The SQL functions the queries use beyond SQLite's own, for sets of
 * months held as the bits of an integer (queries/annual_scorecard.sql):
 * bit_or(x), the aggregate OR of x over the group (0 for none, NULLs
 * skipped), as in PostgreSQL; bit_count(x), the number of bits set in x
 * (NULL for NULL), as in MySQL; hm_years(from, to), whole years between
 * two 'YYYY-MM-DD' dates as hm_date_age counts them (ages, years in the
 * programme; NULL for NULL); hm_on_record(registered_on, exited_on,
 * from, to), a child on record in a period, the rule every query of
 * registered children calls; hm_paired_months(started_on, ended_on,
 * exited_on, from, to), the months of a period a pairing pairs its child
 * in, as bits (the five ones per pair, the scorecard); hm_contact, hm_five_ones and hm_reason_zh
 * (db.c says what each gives).  hm_db_open adds them to every
 * connection it opens; false when SQLite refused.
 */
bool hm_db_add_functions(sqlite3 *db);

/* err = "database error: " and SQLite's message for db; returns HM_EDB. */
hm_error hm_db_fail(sqlite3 *db, char *err, size_t errsz);

/* Prepare sql into *st, unless *st is prepared already (a statement kept
 * for many uses); on failure err names the statement. */
hm_error hm_db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql,
                       char *err, size_t errsz);

/* Run st (bound) to its end, then reset it and clear its bindings. */
hm_error hm_db_step_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errsz);

/*
 * Begin a read transaction on db (open, not in a transaction) and open a
 * second connection to the same file at path, in a read transaction that
 * sees the same snapshot, for a second thread to read while db's thread
 * reads too.  SQLite here has no snapshot API: the second connection's
 * data_version is read before db's transaction starts and again once its
 * own has started; equal, no change was committed in between, so both
 * see the same database.  Otherwise both transactions are ended and it is
 * tried again, a few times.  On HM_OK db is in a read transaction, and
 * so is *twin (yours: roll back and close it), or *twin is NULL when the
 * database kept changing (read everything through db then).  On error
 * (HM_EDB) db is not in a transaction, *twin is NULL and err says why.
 */
hm_error hm_db_begin_twin(sqlite3 *db, const char *path, sqlite3 **twin, char *err,
                          size_t errsz);

/* The schema version of db (PRAGMA user_version), or -1 on error. */
int hm_db_version(sqlite3 *db);

/*
 * Run every statement of a SQL text (no parameters).  On error err names
 * the failing statement's first line.
 */
hm_error hm_db_exec_script(sqlite3 *db, const char *name, const char *sql,
                           char *err, size_t errsz);

/*
 * Take the writer's lock: flock on "DBPATH.lock", non-blocking.  On
 * HM_ELOCKED, *holder is the pid written in the lock file by the holder
 * (0 when unknown).  The lock file is never opened through a link and
 * must be a regular file (else HM_EIO, errno ELOOP or EINVAL).  *fd is to
 * be passed to hm_db_unlock.
 */
hm_error hm_db_lock(const char *dbpath, int *fd, long *holder);
void hm_db_unlock(int fd);

#endif
