/*
 * rollup.c - a district's database loaded into this one (himama rollup).
 *
 * The district's file is never opened by SQLite: it is copied byte by
 * byte to a temporary file, hashed in the same read, and the copy is
 * migrated when older and attached.  Its rows are then copied table by
 * table with INSERT ... SELECT, the columns read from the schema so a
 * column added later is copied too: the ID columns (and the references to
 * them) qualified as CODE:ID, ingest_id moved past this database's own
 * ingest_log ids, the towns given the district's code at its level when
 * the district left it empty.  The summary tables are copied the same
 * way: a qualified ID is in one district only, so each district's rows of
 * child_months, volunteer_months, month_town_events, child_spans and
 * activity_outside are its own, and month_events (distinct activity IDs
 * per month and type) adds up; span_counts and span_gaps follow
 * child_spans through its triggers.  Replacing a district deletes first
 * what the earlier copy brought: the IDs in [CODE:, CODE;) (';' follows
 * ':'), read through each table's key, and its ingest_log rows.
 */
#include "himama/rollup.h"
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/sha256.h"
#include "himama/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tables copied, in an order the foreign keys accept. */
static const char *const copied[] = {
    "ingest_log", "rejects", "warnings", "audit", "towns", "children", "volunteers",
    "pairings", "activities", "wishes", "donations", "expenditures", "trainings",
    "attendance", "stories", "feedback", "child_months", "volunteer_months", "month_town_events",
    "child_spans", "activity_outside", "activity_crews", "rollups",
};

/* Columns holding an ID or a reference to one: qualified as CODE:ID. */
static const char *const id_columns[] = {
    "town_code", "child_id", "volunteer_id", "pairing_id", "activity_id", "wish_id",
    "donation_id", "expense_id", "event_id", "story_id", "claimed_by",
    "feedback_id",
};

/* Each table's rows of a district, by its key's first column, deleted in
 * this order (the referring rows first). */
static const char *const deleted[][2] = {
    { "activity_outside", "activity_id" }, { "activity_crews", "activity_id" },
    { "activities", "activity_id" },
    { "attendance", "event_id" }, { "stories", "story_id" }, { "feedback", "feedback_id" },
    { "wishes", "wish_id" },
    { "pairings", "pairing_id" }, { "trainings", "event_id" },
    { "donations", "donation_id" }, { "expenditures", "expense_id" },
    { "child_months", "child_id" }, { "volunteer_months", "volunteer_id" },
    { "month_town_events", "town_code" }, { "child_spans", "child_id" },
    { "children", "child_id" }, { "volunteers", "volunteer_id" }, { "towns", "town_code" },
    { "rollups", "code" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool is_id_column(const char *c)
{
    for (size_t i = 0; i < N(id_columns); i++)
        if (strcmp(c, id_columns[i]) == 0)
            return true;
    return false;
}

/* Bind :code, :lo, :hi, :off and :level where st has them. */
static void bind_common(sqlite3_stmt *st, const char *code, const char *lo, const char *hi,
                        long long off, const char *level)
{
    int i;
    if ((i = sqlite3_bind_parameter_index(st, ":code")) > 0)
        sqlite3_bind_text(st, i, code, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":lo")) > 0)
        sqlite3_bind_text(st, i, lo, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":hi")) > 0)
        sqlite3_bind_text(st, i, hi, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":off")) > 0)
        sqlite3_bind_int64(st, i, off);
    if ((i = sqlite3_bind_parameter_index(st, ":level")) > 0)
        sqlite3_bind_text(st, i, level, -1, SQLITE_STATIC);
}

typedef struct ctx {
    sqlite3 *db;
    const char *code, *level;
    char lo[40], hi[40];
    long long off;          /* added to the district's ingest_log ids */
    long long rows;
    char *err;
    size_t errsz;
} ctx;

/* Run sql with the common parameters; adds its changes to x->rows when count. */
static hm_error run(ctx *x, const char *sql, bool count)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = hm_db_prepare(x->db, &st, sql, x->err, x->errsz);
    if (rc != HM_OK)
        return rc;
    bind_common(st, x->code, x->lo, x->hi, x->off, x->level);
    rc = hm_db_step_done(x->db, st, x->err, x->errsz);
    if (rc == HM_OK && count)
        x->rows += sqlite3_changes64(x->db);
    sqlite3_finalize(st);
    return rc;
}

/* Delete what an earlier rollup of the district brought. */
static hm_error delete_district(ctx *x)
{
    /* month_events counts distinct activity IDs: take the district's off
     * before its activities go. */
    hm_error rc = run(x,
        "CREATE TEMP TABLE IF NOT EXISTS rollup_events (month TEXT, type TEXT, n INTEGER,"
        " PRIMARY KEY (month, type)) WITHOUT ROWID", false);
    if (rc == HM_OK)
        rc = run(x, "DELETE FROM temp.rollup_events", false);
    if (rc == HM_OK)
        rc = run(x, "INSERT INTO temp.rollup_events (month, type, n)"
                    " SELECT substr(date, 1, 7), type, count(DISTINCT activity_id)"
                    "   FROM main.activities WHERE activity_id >= :lo AND activity_id < :hi"
                    "  GROUP BY 1, 2", false);
    if (rc == HM_OK)
        rc = run(x, "UPDATE main.month_events SET events = events - r.n"
                    "  FROM temp.rollup_events r"
                    " WHERE r.month = month_events.month AND r.type = month_events.type", false);
    if (rc == HM_OK)
        rc = run(x, "DELETE FROM main.month_events WHERE events <= 0", false);
    for (size_t i = 0; i < N(deleted) && rc == HM_OK; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DELETE FROM main.%s WHERE %s >= :lo AND %s < :hi",
                 deleted[i][0], deleted[i][1], deleted[i][1]);
        rc = run(x, sql, false);
    }
    static const char *const logs[] = { "rejects", "warnings", "audit" };
    for (size_t i = 0; i < N(logs) && rc == HM_OK; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "DELETE FROM main.%s WHERE ingest_id IN (SELECT id FROM main.ingest_log"
                 " WHERE rollup = :code OR (rollup >= :lo AND rollup < :hi))", logs[i]);
        rc = run(x, sql, false);
    }
    if (rc == HM_OK)
        rc = run(x, "DELETE FROM main.ingest_log"
                    " WHERE rollup = :code OR (rollup >= :lo AND rollup < :hi)", false);
    if (rc == HM_OK)
        rc = run(x, "DELETE FROM main.rollups WHERE code = :code", false);
    return rc;
}

/* The expression a column of table is copied with. */
static void column_expr(hm_strbuf *sb, const char *table, const char *c)
{
    if (strcmp(table, "ingest_log") == 0 && strcmp(c, "id") == 0)
        hm_strbuf_addf(sb, "id + :off");
    else if (strcmp(table, "ingest_log") == 0 && strcmp(c, "rollup") == 0)
        hm_strbuf_addf(sb, "CASE WHEN rollup IS NULL THEN :code ELSE :code || ':' || rollup END");
    else if (strcmp(c, "ingest_id") == 0)
        hm_strbuf_addf(sb, "ingest_id + :off");
    else if (is_id_column(c) || (strcmp(table, "audit") == 0 && strcmp(c, "key") == 0) ||
             (strcmp(table, "rollups") == 0 && strcmp(c, "code") == 0))
        hm_strbuf_addf(sb, ":code || ':' || \"%s\"", c);
    else if (strcmp(table, "towns") == 0 &&
             (strcmp(c, "district") == 0 || strcmp(c, "city") == 0 || strcmp(c, "province") == 0))
        hm_strbuf_addf(sb, "CASE WHEN :level = '%s' AND \"%s\" IS NULL THEN :code ELSE \"%s\" END",
                       c, c, c);
    else
        hm_strbuf_addf(sb, "\"%s\"", c);
}

/* INSERT INTO main.table SELECT ... FROM src.table, the columns from the schema. */
static hm_error copy_table(ctx *x, const char *table)
{
    sqlite3_stmt *st = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s', 'main') ORDER BY cid",
             table);
    hm_error rc = hm_db_prepare(x->db, &st, sql, x->err, x->errsz);
    if (rc != HM_OK)
        return rc;
    hm_strbuf cols = HM_STRBUF_INIT, exprs = HM_STRBUF_INIT;
    bool own_id = strcmp(table, "rejects") == 0 || strcmp(table, "warnings") == 0 ||
                  strcmp(table, "audit") == 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(st, 0);
        if (own_id && strcmp(c, "id") == 0)
            continue;       /* a new id here; nothing refers to it */
        hm_strbuf_addf(&cols, "%s\"%s\"", cols.len ? ", " : "", c);
        if (exprs.len)
            hm_strbuf_adds(&exprs, ", ");
        column_expr(&exprs, table, c);
    }
    if (s != SQLITE_DONE)
        rc = hm_db_fail(x->db, x->err, x->errsz);
    sqlite3_finalize(st);
    if (rc == HM_OK) {
        hm_strbuf q = HM_STRBUF_INIT;
        hm_strbuf_addf(&q, "INSERT INTO main.%s (%s) SELECT %s FROM src.%s", table, cols.buf,
                       exprs.buf, table);
        rc = run(x, q.buf, true);
        hm_strbuf_release(&q);
    }
    hm_strbuf_release(&cols);
    hm_strbuf_release(&exprs);
    return rc;
}

/* Insert the attached copy's rows. */
static hm_error insert_district(ctx *x)
{
    hm_error rc = HM_OK;
    for (size_t i = 0; i < N(copied) && rc == HM_OK; i++)
        rc = copy_table(x, copied[i]);
    if (rc == HM_OK)
        rc = run(x, "INSERT INTO main.month_events (month, type, events)"
                    " SELECT month, type, events FROM src.month_events WHERE true"
                    " ON CONFLICT (month, type) DO UPDATE SET events = events + excluded.events",
                 false);
    return rc;
}

/* Copy path to tmp (a new file) and hash it in the same read. */
static hm_error copy_hash(const char *path, const char *tmp, char sha[65], char *err,
                          size_t errsz)
{
    char reason[128];
    int in = -1;
    if (hm_open_input(path, &in, reason, sizeof reason) != HM_OK)
        return hm_fail(HM_EIO, err, errsz, "cannot read '%s': %s", path, reason);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return hm_fail(HM_EIO, err, errsz, "cannot create '%s': %s", tmp, strerror(errno));
    }
    hm_sha256 h;
    hm_sha256_init(&h);
    static char buf[1 << 16];
    ssize_t n;
    hm_error rc = HM_OK;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        hm_sha256_update(&h, buf, (size_t)n);
        if (write(out, buf, (size_t)n) != n) {
            rc = hm_fail(HM_EIO, err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
            break;
        }
    }
    if (n < 0 && rc == HM_OK)
        rc = hm_fail(HM_EIO, err, errsz, "cannot read '%s': %s", path, strerror(errno));
    if (close(out) != 0 && rc == HM_OK)
        rc = hm_fail(HM_EIO, err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
    close(in);
    if (rc == HM_OK)
        hm_sha256_final_hex(&h, sha);
    else
        hm_sha256_release(&h);
    return rc;
}

/* Open the copy, check and migrate it, read its latest ingest; closed after. */
static hm_error prepare_copy(const char *tmp, const char *path, const char *datadir,
                             hm_rollup_result *res, char *err, size_t errsz)
{
    sqlite3 *c = NULL;
    hm_error rc = hm_db_open(tmp, false, &c, err, errsz);
    if (rc != HM_OK) {
        char e[256];
        snprintf(e, sizeof e, "%s", err);
        snprintf(err, errsz, "'%s': %s", path, e);
        return rc;
    }
    res->version = hm_db_version(c);
    int from = 0;
    if (res->version <= 0)
        rc = hm_fail(HM_EUSAGE, err, errsz, "'%s' is not a himama database", path);
    else if (res->version < HM_SCHEMA_VERSION)
        rc = hm_db_migrate(c, datadir, &from, err, errsz);
    sqlite3_stmt *st = NULL;
    if (rc == HM_OK &&
        (rc = hm_db_prepare(c, &st, "SELECT ifnull(max(finished_at), '') FROM ingest_log",
                            err, errsz)) == HM_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(res->last_ingest, sizeof res->last_ingest, "%s",
                     (const char *)sqlite3_column_text(st, 0));
        else
            rc = hm_db_fail(c, err, errsz);
    }
    sqlite3_finalize(st);
    if (sqlite3_close(c) != SQLITE_OK && rc == HM_OK)
        rc = hm_fail(HM_EDB, err, errsz, "cannot close the copy of '%s'", path);
    return rc;
}

/* The district's row in rollups: its SHA-256 and latest ingest, or false. */
static bool rolled_before(sqlite3 *db, const char *code, char sha[65], char last[32])
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT sha256, ifnull(last_ingest, '') FROM rollups"
                               " WHERE code = ?1", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(sha, 65, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(last, 32, "%s", (const char *)sqlite3_column_text(st, 1));
        found = true;
    }
    sqlite3_finalize(st);
    return found;
}

/* A code: 1..32 bytes, no ':', '/', ';', quote, white space or control character. */
static bool code_valid(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > 32)
        return false;
    for (const unsigned char *p = (const unsigned char *)c; *p; p++)
        if (*p <= ' ' || *p == ':' || *p == '/' || *p == ';' || *p == '\'' || *p == '"' ||
            *p == 0x7f)
            return false;
    return true;
}

/* The transaction: the old rows out, the copy's in, the rollups row. */
static hm_error swap_district(ctx *x, const hm_rollup_opts *o, hm_rollup_result *res)
{
    hm_error rc = run(x, "BEGIN IMMEDIATE", false);
    if (rc != HM_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = delete_district(x)) == HM_OK &&
        (rc = hm_db_prepare(x->db, &st, "SELECT ifnull(max(id), 0) FROM main.ingest_log",
                            x->err, x->errsz)) == HM_OK) {
        x->off = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        rc = insert_district(x);
    }
    if (rc == HM_OK) {
        char now[21];
        hm_time_format(hm_now(), now);
        st = NULL;
        rc = hm_db_prepare(x->db, &st,
            "INSERT INTO main.rollups (code, file, sha256, schema_version, last_ingest,"
            " rolled_at, rows) VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6, ?7)",
            x->err, x->errsz);
        if (rc == HM_OK) {
            sqlite3_bind_text(st, 1, o->code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, o->path, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, res->version);
            sqlite3_bind_text(st, 5, res->last_ingest, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 7, x->rows);
            rc = hm_db_step_done(x->db, st, x->err, x->errsz);
            sqlite3_finalize(st);
        }
    }
    if (rc == HM_OK && sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = hm_db_fail(x->db, x->err, x->errsz);
    if (rc != HM_OK)
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

hm_error hm_rollup_district(sqlite3 *db, const hm_rollup_opts *o, hm_rollup_result *res,
                            char *err, size_t errsz)
{
    memset(res, 0, sizeof *res);
    res->status = "unchanged";
    const char *level = o->level ? o->level : "district";
    if (!code_valid(o->code))
        return hm_fail(HM_EUSAGE, err, errsz, "bad district code '%s': 1 to 32 characters, "
                       "none of ':', '/', ';', quotes or spaces", o->code);
    if (strcmp(level, "district") != 0 && strcmp(level, "city") != 0 &&
        strcmp(level, "province") != 0)
        return hm_fail(HM_EUSAGE, err, errsz, "unknown level '%s': district, city or province",
                       level);
    char *wal = hm_xmalloc(strlen(o->path) + 5);
    sprintf(wal, "%s-wal", o->path);
    struct stat sb;
    bool live = stat(wal, &sb) == 0 && sb.st_size > 0;
    free(wal);
    if (live)
        return hm_fail(HM_EIO, err, errsz, "'%s' has changes not yet written into it (a -wal "
                       "file): close the program using it, or run `himama check` on it", o->path);
    const char *tdir = getenv("TMPDIR");
    char *tmp = hm_path_join(tdir && *tdir ? tdir : "/tmp", "himama-rollup-XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        hm_error e = hm_fail(HM_EIO, err, errsz, "cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return e;
    }
    close(fd);
    char old_sha[65] = "", old_last[32] = "";
    bool before = rolled_before(db, o->code, old_sha, old_last);
    hm_error rc = copy_hash(o->path, tmp, res->sha256, err, errsz);
    if (rc == HM_OK && before && !o->force && strcmp(old_sha, res->sha256) == 0)
        goto out;   /* unchanged */
    if (rc == HM_OK)
        rc = prepare_copy(tmp, o->path, o->datadir, res, err, errsz);
    if (rc == HM_OK && before && !o->force && strcmp(res->last_ingest, old_last) < 0)
        rc = hm_fail(HM_EUSAGE, err, errsz, "'%s' is older than the database of %s rolled up "
                     "(last ingest %s, against %s): give --force to roll it up all the same",
                     o->path, o->code, res->last_ingest[0] ? res->last_ingest : "none", old_last);
    if (rc == HM_OK) {
        sqlite3_stmt *st = NULL;
        rc = hm_db_prepare(db, &st, "ATTACH ?1 AS src", err, errsz);
        if (rc == HM_OK) {
            sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
            rc = hm_db_step_done(db, st, err, errsz);
            sqlite3_finalize(st);
        }
        if (rc == HM_OK) {
            ctx x = { .db = db, .code = o->code, .level = level, .err = err, .errsz = errsz };
            snprintf(x.lo, sizeof x.lo, "%s:", o->code);
            snprintf(x.hi, sizeof x.hi, "%s;", o->code);
            rc = swap_district(&x, o, res);
            res->rows = x.rows;
            res->status = before ? "replaced" : "added";
            sqlite3_exec(db, "DETACH src", NULL, NULL, NULL);
        }
    }
out:
    unlink(tmp);
    char *side = hm_xmalloc(strlen(tmp) + 5);
    sprintf(side, "%s-wal", tmp);
    unlink(side);
    sprintf(side, "%s-shm", tmp);
    unlink(side);
    free(side);
    free(tmp);
    return rc;
}
