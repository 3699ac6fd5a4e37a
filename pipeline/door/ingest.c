/*
 * ingest.c - the driver of the first stage: files and workbooks in, one
 * transaction per unit (a CSV file, or a sheet of a workbook), the rows of
 * each read through a row source (csv.h) and handed to the row checks.
 * The parts it drives are listed in ingest_int.h.
 *
 * Design notes.
 *
 * A file is read twice: once to hash it (SHA-256) and tell its encoding,
 * which needs every byte before the first record can be trusted, then again
 * through the CSV reader, converting to UTF-8 on the fly.  The second pass
 * runs inside one transaction that also holds the file's ingest_log row, so
 * a process killed mid-file leaves no trace of it; a file rejected whole is
 * rolled back and then recorded alone in a transaction of its own.  A file
 * identical to one loaded before (by its digest) is skipped.
 *
 * Every kind is handled by the same code, driven by the contract tables of
 * kinds.c: nothing here or in the parts names a kind.
 */
#include "himama/ingest.h"
#include "himama/ingest_int.h"
#include "himama/csv.h"
#include "himama/encoding.h"
#include "himama/reasons.h"
#include "himama/sha256.h"
#include "himama/xlsx_read.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void hm_ingest_result_release(hm_ingest_result *r)
{
    if (!r)
        return;
    free(r->rejects_path);
    r->rejects_path = NULL;
}

/* ------------------------------------------------------------- files */

/*
 * Read fp once to its end: the SHA-256 into res->sha256, the size, and,
 * when det is not NULL, every byte fed to the encoding detector.
 */
static hm_error digest_stream(FILE *fp, hm_ingest_result *res, hm_encdetect *det,
                              unsigned long long *size)
{
    hm_sha256 sha;
    static unsigned char buf[1 << 16];
    size_t n;
    hm_sha256_init(&sha);
    *size = 0;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        hm_sha256_update(&sha, buf, n);
        if (det)
            hm_encdetect_feed(det, buf, n);
        *size += n;
    }
    if (ferror(fp)) {
        snprintf(res->reason, sizeof res->reason, "cannot read the file: %s", strerror(errno));
        hm_sha256_release(&sha);
        return HM_EIO;
    }
    hm_sha256_final_hex(&sha, res->sha256);
    return HM_OK;
}

/* Hash the file and tell its encoding in one pass. */
static hm_error scan_file(FILE *fp, hm_ingest_result *res, hm_encoding *enc, size_t *bom,
                          unsigned long long *size)
{
    hm_encdetect det;
    hm_encdetect_init(&det);
    hm_error rc = digest_stream(fp, res, &det, size);
    if (rc != HM_OK)
        return rc;
    if (hm_encdetect_finish(&det, enc, bom, res->reason, sizeof res->reason) != HM_OK)
        return HM_EENCODING;
    res->encoding = hm_encoding_name(*enc);
    return HM_OK;
}

/* Insert an ingest_log row; *id gets its id. */
static hm_error log_insert(sqlite3 *db, const char *path, const char *sheet,
                           const hm_ingest_result *res, const char *status,
                           const char *started, long long *id, char *err, size_t errsz)
{
    sqlite3_stmt *st;
    char now[21];
    hm_time_format(hm_now(), now);
    if (sqlite3_prepare_v2(db,
            "INSERT INTO ingest_log (file, sha256, kind, encoding, status, reason, started_at,"
            " finished_at, sheet) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st,
            NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (res->sha256[0])
        sqlite3_bind_text(st, 2, res->sha256, -1, SQLITE_STATIC);
    if (res->kind)
        sqlite3_bind_text(st, 3, res->kind->name, -1, SQLITE_STATIC);
    if (res->encoding)
        sqlite3_bind_text(st, 4, res->encoding, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    if (res->reason[0])
        sqlite3_bind_text(st, 6, res->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, started, -1, SQLITE_STATIC);
    if (strcmp(status, "loaded") != 0)
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    if (sheet)
        sqlite3_bind_text(st, 9, sheet, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    *id = sqlite3_last_insert_rowid(db);
    return HM_OK;
}

/* Record a file (or sheet: not NULL) rejected whole or skipped, in a
 * transaction of its own. */
static hm_error log_alone(sqlite3 *db, const char *path, const char *sheet,
                          hm_ingest_result *res, const char *status, const char *started,
                          char *err, size_t errsz)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    hm_error rc = log_insert(db, path, sheet, res, status, started, &res->id, err, errsz);
    if (rc == HM_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
    }
    if (rc != HM_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/*
 * The id of a loaded file with this digest, or 0; for a workbook's sheet
 * (not NULL), of that sheet of a workbook with this digest: a run killed
 * between two sheets left the later ones to load.  A district's file
 * brought in by a rollup (ingest_log.rollup) was not loaded here.
 */
static long long loaded_before(sqlite3 *db, const char *sha, const char *sheet)
{
    sqlite3_stmt *st;
    long long id = 0;
    if (sqlite3_prepare_v2(db, sheet
            ? "SELECT id FROM ingest_log WHERE sha256 = ?1 AND status = 'loaded'"
              " AND sheet = ?2 AND rollup IS NULL ORDER BY id LIMIT 1"
            : "SELECT id FROM ingest_log WHERE sha256 = ?1 AND status = "
              "'loaded' AND rollup IS NULL ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    if (sheet)
        sqlite3_bind_text(st, 2, sheet, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/*
 * A warning per column of the header that is not the contract's (and per
 * empty field the header ended with), or, when there are more than
 * HM_UNKNOWN_NAMED of them, one warning for all, naming the first few.
 */
static hm_error warn_unknown(hm_ingest_ctx *x, char *err, size_t errsz)
{
    size_t unknown = x->header_trailing;
    char w[512];
    for (size_t f = 0; f < x->nheader; f++)
        unknown += hm_kind_column(x->k, x->header[f]) < 0;
    if (unknown > HM_UNKNOWN_NAMED) {
        hm_strbuf names = HM_STRBUF_INIT;
        size_t named = 0;
        for (size_t f = 0; f < x->nheader && named < HM_UNKNOWN_NAMED; f++)
            if (hm_kind_column(x->k, x->header[f]) < 0)
                hm_strbuf_addf(&names, "%s'%.60s'", named++ ? ", " : "", x->header[f]);
        if (named)
            hm_reason_make(w, sizeof w, HM_R_UNKNOWN_COLUMNS, unknown, names.buf);
        else
            hm_reason_make(w, sizeof w, HM_R_UNKNOWN_COLUMNS_EMPTY, unknown);
        hm_strbuf_release(&names);
        return hm_ingest_warn(x, 1, w, err, errsz);
    }
    for (size_t f = 0; f < x->nheader + x->header_trailing; f++) {
        const char *name = f < x->nheader ? x->header[f] : "";
        if (f < x->nheader && hm_kind_column(x->k, name) >= 0)
            continue;
        hm_reason_make(w, sizeof w, HM_R_UNKNOWN_COLUMN, name);
        hm_error rc = hm_ingest_warn(x, 1, w, err, errsz);
        if (rc != HM_OK)
            return rc;
    }
    return HM_OK;
}

/*
 * The unit's header: its kind (from the name, else the header itself),
 * the contract's columns mapped, the kind's statements prepared, a warning
 * per unknown column.  Returns HM_OK, HM_EREJECTED (res->reason says why)
 * or a database error.
 */
static hm_error start_unit(hm_ingest_ctx *x, const hm_csv_record *rec, char *err,
                           size_t errsz)
{
    hm_ingest_result *res = x->res;
    char reason[256];
    const char *dup = NULL;
    hm_error rc;
    if (rec->error)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason, "header line %ld: %s",
                       rec->line, rec->error);
    if (!hm_ingest_read_header(x, rec, reason, sizeof reason))
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason, "header: %s", reason);
    if (x->nheader > HM_MAX_HEADER)
    {
        hm_reason_make(res->reason, sizeof res->reason, HM_R_HEADER_TOO_WIDE, x->nheader,
                       HM_MAX_HEADER);
        return HM_EREJECTED;
    }
    if (!x->k && !(x->k = hm_ingest_kind_from_header(x->header, x->nheader)))
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason,
                       "cannot tell the kind of file from its name or header: start the file "
                       "name with its kind (e.g. children-2026.csv or 儿童.csv) or use the "
                       "contract's column names");
    res->kind = x->k;
    if (hm_ingest_map_header(x->k, x->header, x->nheader, x->colmap, &dup) < 0)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason,
                       "the header names column '%s' twice", dup);
    const hm_column *miss = hm_ingest_missing_required(x->k, x->colmap);
    if (miss)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason,
                       "the header lacks the required column '%s' (%s) of a %s file",
                       miss->name, miss->label, x->k->name);
    if ((rc = hm_ingest_prepare_kind(x, err, errsz)) != HM_OK)
        return rc;
    x->mapped = hm_xcalloc(x->nheader ? x->nheader : 1, sizeof *x->mapped);
    for (size_t i = 0; i < x->k->ncolumns; i++)
        if (x->colmap[i] >= 0)
            x->mapped[x->colmap[i]] = true;
    return warn_unknown(x, err, errsz);
}

/*
 * Give the unit up whole, too many of its rows being rejected (stopped at
 * line, or, when 0, more than half of them): nothing of it is loaded, the first
 * HM_UNIT_KEEP_REJECTS rejects are kept in the rejects file for staff to
 * see.  Returns HM_EREJECTED.
 */
static hm_error over_budget(hm_ingest_ctx *x, long line)
{
    char why[200];
    const hm_ingest_result *r = x->res;
    if (line > 0)
        hm_reason_make(why, sizeof why, HM_R_REJECTS_STOPPED, line, HM_UNIT_MAX_REJECTS);
    else
        hm_reason_make(why, sizeof why, HM_R_REJECTS_HALF, r->rows_rejected, r->rows_read);
    x->keep_rejects = true;
    hm_reason_make(x->res->reason, sizeof x->res->reason, HM_R_TOO_MANY_REJECTS, why,
                   HM_UNIT_KEEP_REJECTS);
    return HM_EREJECTED;
}

/*
 * The body of one unit's transaction: header, kind, rows.  Returns HM_OK
 * (unit read), HM_EREJECTED (res->reason says why) or a database/IO error.
 */
static hm_error load_rows(hm_ingest_ctx *x, hm_row_source *src, unsigned long long size,
                          char *err, size_t errsz)
{
    hm_ingest_result *res = x->res;
    hm_csv_record rec;
    const char *srcerr = NULL;
    hm_error rc;
    int got = src->next(src->impl, &rec, &srcerr);
    if (got < 0)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason, "%s", srcerr);
    if (got == 0)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason,
                       "no header (the file is empty)");
    if ((rc = start_unit(x, &rec, err, errsz)) != HM_OK)
        return rc;
    bool first = true;
    while ((got = src->next(src->impl, &rec, &srcerr)) > 0) {
        /* The guidance row of himama's own intake form is not data. */
        if (first && !rec.error && rec.nfield > 0 &&
            hm_kind_guidance(rec.field[0], rec.flen[0])) {
            first = false;
            continue;
        }
        first = false;
        if (hm_ingest_is_header_repeat(x, &rec)) {
            char w[128];
            hm_reason_make(w, sizeof w, HM_R_HEADER_REPEATS);
            if ((rc = hm_ingest_warn(x, rec.line, w, err, errsz)) != HM_OK)
                return rc;
            continue;
        }
        res->rows_read++;
        if ((rc = hm_ingest_process_record(x, &rec, err, errsz)) != HM_OK)
            return rc;
        if (res->rows_rejected > HM_UNIT_MAX_REJECTS)
            return over_budget(x, rec.line);
        if (x->o->progress && res->rows_read % 8192 == 0)
            x->o->progress(x->o->progress_ctx, x->path, res->rows_read,
                           src->offset(src->impl), size);
    }
    if (got < 0)
        return hm_fail(HM_EREJECTED, res->reason, sizeof res->reason, "%s", srcerr);
    if (res->rows_rejected > HM_UNIT_MIN_REJECTS && res->rows_rejected * 2 > res->rows_read)
        return over_budget(x, 0);
    return hm_summary_finish(&x->sum, x->db, err, errsz);
}

/* Release everything a context holds. */
static void ctx_release(hm_ingest_ctx *x)
{
    hm_ingest_finalize(x);
    for (size_t i = 0; i < x->nheader; i++)
        free(x->header[i]);
    free(x->header);
    free(x->mapped);
    for (size_t i = 0; i < HM_MAX_COLUMNS; i++) {
        hm_strbuf_release(&x->val[i].s);
        hm_strbuf_release(&x->old[i].s);
    }
    hm_strbuf_release(&x->tmp);
    hm_ingest_cache_clear(&x->own);
    free(x->own.spans);
    hm_summary_release(&x->sum);
    hm_ingest_rejects_abandon(x);
    free(x->rej_final);
    free(x->rej_pending);
}

/* Prepare every part's statements. */
static hm_error prepare_parts(hm_ingest_ctx *x, char *err, size_t errsz)
{
    hm_error rc = hm_ingest_cache_prepare(x, err, errsz);
    if (rc == HM_OK)
        rc = hm_ingest_rejects_prepare(x, err, errsz);
    if (rc == HM_OK)
        rc = hm_ingest_store_prepare(x, err, errsz);
    return rc;
}

/* Write the unit's counts into its ingest_log row. */
static hm_error log_counts(hm_ingest_ctx *x, char *err, size_t errsz)
{
    const hm_ingest_result *res = x->res;
    sqlite3_stmt *st;
    char now[21];
    hm_time_format(hm_now(), now);
    if (sqlite3_prepare_v2(x->db,
            "UPDATE ingest_log SET kind = ?2, rows_read = ?3, rows_loaded = ?4,"
            " rows_updated = ?5, rows_unchanged = ?6, rows_rejected = ?7, rows_warned = ?8,"
            " finished_at = ?9 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return hm_fail(HM_EDB, err, errsz, "database error: %s", sqlite3_errmsg(x->db));
    sqlite3_bind_int64(st, 1, res->id);
    sqlite3_bind_text(st, 2, x->k->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, res->rows_read);
    sqlite3_bind_int64(st, 4, res->rows_loaded);
    sqlite3_bind_int64(st, 5, res->rows_updated);
    sqlite3_bind_int64(st, 6, res->rows_unchanged);
    sqlite3_bind_int64(st, 7, res->rows_rejected);
    sqlite3_bind_int64(st, 8, res->rows_warned);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return hm_fail(HM_EDB, err, errsz, "database error: %s", sqlite3_errmsg(x->db));
    return HM_OK;
}

/*
 * A unit over its budget keeps its first rejects: the pending rejects file
 * cut after them and closed.  False when there is nothing to keep.
 */
static bool keep_first_rejects(hm_ingest_ctx *x)
{
    char why[512];
    if (!x->keep_rejects || !x->rej_fp)
        return false;
    if (x->rej_keep_end > 0 &&
        (fflush(x->rej_fp) != 0 || ftruncate(fileno(x->rej_fp), x->rej_keep_end) != 0 ||
         fseek(x->rej_fp, 0, SEEK_END) != 0)) {
        hm_ingest_rejects_abandon(x);
        return false;
    }
    return hm_ingest_rejects_close(x, why, sizeof why) == HM_OK;
}

/*
 * A unit given up whole: roll it back, then record it alone.  Nothing of
 * it stays in the database (all or nothing); when it was given up for too
 * many rejects, its first ones stay in its rejects file, named by the new
 * record, for staff to see what was wrong.
 */
static hm_error unit_rejected(hm_ingest_ctx *x, const char *started, char *err, size_t errsz)
{
    hm_ingest_result *res = x->res;
    bool keep = keep_first_rejects(x);
    hm_ingest_finalize(x);
    sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    hm_ingest_cache_clear(x->c);
    res->kind = x->k;
    res->rows_read = res->rows_loaded = res->rows_updated = 0;
    res->rows_unchanged = res->rows_rejected = res->rows_warned = 0;
    res->status = HM_INGEST_REJECTED;
    hm_error rc = log_alone(x->db, x->path, x->sheet, res, "rejected", started, err, errsz);
    if (keep && rc == HM_OK) {
        char *name = hm_ingest_rejects_name(res->id, x->path);
        char *final = hm_path_join(x->o->rejects_dir, name);
        free(name);
        if (hm_atomic_rename(x->rej_pending, final) == HM_OK) {
            res->rejects_path = final;
            final = NULL;
        }
        free(final);
    }
    if (keep && !res->rejects_path)
        unlink(x->rej_pending);
    return rc;
}

/* Commit a unit read whole, then move its rejects file into place. */
static hm_error unit_commit(hm_ingest_ctx *x, char *err, size_t errsz)
{
    hm_ingest_finalize(x);
    if (sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return hm_fail(HM_EDB, err, errsz, "cannot commit: %s", sqlite3_errmsg(x->db));
    hm_ingest_cache_forget(x->c, x->k);
    x->res->kind = x->k;
    x->res->status = HM_INGEST_LOADED;
    if (x->rej_final) {
        /* Should the process stop before this rename, the next ingest's
         * hm_ingest_recover finishes it. */
        x->res->rejects_path = hm_xstrdup(x->rej_final);
        if (hm_atomic_rename(x->rej_pending, x->rej_final) != HM_OK)
            return hm_fail(HM_EIO, err, errsz,
                           "cannot move the rejects file into place as '%s': %s",
                           x->rej_final, strerror(errno));
    }
    return HM_OK;
}

/*
 * Run one unit (a CSV file, or one sheet of a workbook) in a transaction
 * of its own, named name in ingest_log and rejects.  res holds the digest,
 * encoding and the kind known so far.
 */
static hm_error run_unit(sqlite3 *db, const char *name, const hm_ingest_opts *o,
                         hm_ingest_result *res, const char *started, hm_row_source *src,
                         unsigned long long size, char *err, size_t errsz)
{
    hm_ingest_ctx x;
    hm_error rc;
    bool in_tx = false;

    memset(&x, 0, sizeof x);
    hm_summary_init(&x.sum);
    x.db = db;
    x.o = o;
    x.res = res;
    x.path = name;
    x.sheet = src->sheet;
    x.k = res->kind;
    hm_ingest_cache_init(&x.own);
    x.c = o->cache ? o->cache : &x.own;
    memcpy(x.now, started, sizeof x.now);

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = hm_fail(HM_EDB, err, errsz, "database error: %s", sqlite3_errmsg(db));
        goto out;
    }
    in_tx = true;
    if ((rc = log_insert(db, name, src->sheet, res, "loaded", started, &res->id, err,
                         errsz)) != HM_OK ||
        (rc = prepare_parts(&x, err, errsz)) != HM_OK)
        goto out;
    rc = load_rows(&x, src, size, err, errsz);
    /* The rejects file must be whole on disk before the rows it lists are
     * committed: a write error (a full disk) rejects the unit instead. */
    if (rc == HM_EIO) {
        snprintf(res->reason, sizeof res->reason, "%s", err);
        rc = HM_EREJECTED;
    }
    if (rc == HM_OK && hm_ingest_rejects_close(&x, res->reason, sizeof res->reason) != HM_OK)
        rc = HM_EREJECTED;
    if (rc == HM_EREJECTED) {
        in_tx = false;
        rc = unit_rejected(&x, started, err, errsz);
        goto out;
    }
    if (rc != HM_OK || (rc = log_counts(&x, err, errsz)) != HM_OK)
        goto out;
    in_tx = false;
    rc = unit_commit(&x, err, errsz);
    if (rc == HM_EDB)
        in_tx = true;   /* the commit failed: roll back */
out:
    if (in_tx) {
        hm_ingest_finalize(&x);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        hm_ingest_cache_clear(x.c);
    }
    ctx_release(&x);
    return rc;
}

/* Skip a file (or sheet: not NULL) identical to one loaded before: true
 * when skipped (logged). */
static bool skip_if_loaded(sqlite3 *db, const char *name, const char *sheet,
                           const hm_ingest_opts *o, hm_ingest_result *res,
                           const char *started, hm_error *rc, char *err, size_t errsz)
{
    long long prev;
    if (o->force || (prev = loaded_before(db, res->sha256, sheet)) <= 0)
        return false;
    snprintf(res->reason, sizeof res->reason, sheet
             ? "identical to a sheet loaded before (ingest %lld); use --force to read it again"
             : "identical to a file loaded before (ingest %lld); use --force to read it again",
             prev);
    res->status = HM_INGEST_SKIPPED;
    *rc = log_alone(db, name, sheet, res, "skipped", started, err, errsz);
    return true;
}

/*
 * A stream of its own on the file open on fd, at its start (a duplicate of
 * the descriptor: closing the stream leaves fd open); NULL with errno set.
 */
static FILE *fd_stream(int fd)
{
    int d = dup(fd);
    if (d < 0)
        return NULL;
    FILE *fp = fdopen(d, "rb");
    if (!fp) {
        close(d);
        return NULL;
    }
    if (fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return NULL;
    }
    return fp;
}

/* Ingest the CSV file open on fd, named path; as hm_ingest_file. */
static hm_error ingest_csv_fd(sqlite3 *db, int fd, const char *path, const hm_ingest_opts *o,
                              hm_ingest_result *res, char *err, size_t errsz)
{
    char started[21];
    hm_encoding enc;
    size_t bom = 0;
    unsigned long long size = 0;
    hm_error rc;

    memset(res, 0, sizeof *res);
    hm_time_format(hm_now(), started);
    res->kind = hm_kind_by_filename(hm_path_base(path));

    FILE *fp = fd_stream(fd);
    if (!fp) {
        snprintf(res->reason, sizeof res->reason, "cannot read: %s", strerror(errno));
        res->status = HM_INGEST_REJECTED;
        return log_alone(db, path, NULL, res, "rejected", started, err, errsz);
    }
    rc = scan_file(fp, res, &enc, &bom, &size);
    if (rc != HM_OK) {
        fclose(fp);
        res->status = HM_INGEST_REJECTED;
        return log_alone(db, path, NULL, res, "rejected", started, err, errsz);
    }
    if (skip_if_loaded(db, path, NULL, o, res, started, &rc, err, errsz)) {
        fclose(fp);
        return rc;
    }
    rewind(fp);
    hm_csv_reader *csv = hm_csv_open(fp, enc, bom);
    if (!csv) {
        snprintf(res->reason, sizeof res->reason, "cannot convert from %s",
                 hm_encoding_name(enc));
        res->status = HM_INGEST_REJECTED;
        rc = log_alone(db, path, NULL, res, "rejected", started, err, errsz);
    } else {
        hm_row_source src = hm_csv_source(csv, path);
        rc = run_unit(db, path, o, res, started, &src, size, err, errsz);
        src.close(src.impl);
    }
    fclose(fp);
    return rc;
}

/* Record path rejected whole before it could be opened (reason says why). */
static hm_error reject_unopened(sqlite3 *db, const char *path, const char *reason,
                                hm_ingest_result *res, char *err, size_t errsz)
{
    char started[21];
    memset(res, 0, sizeof *res);
    hm_time_format(hm_now(), started);
    res->kind = hm_kind_by_filename(hm_path_base(path));
    snprintf(res->reason, sizeof res->reason, "%s", reason);
    res->status = HM_INGEST_REJECTED;
    return log_alone(db, path, NULL, res, "rejected", started, err, errsz);
}

hm_error hm_ingest_file(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_result *res, char *err, size_t errsz)
{
    int fd;
    char why[256];
    if (hm_open_input(path, &fd, why, sizeof why) != HM_OK)
        return reject_unopened(db, path, why, res, err, errsz);
    hm_error rc = ingest_csv_fd(db, fd, path, o, res, err, errsz);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------ workbooks */

/* True when path names an Excel workbook (by its extension). */
static bool is_workbook(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcasecmp(path + n - 5, ".xlsx") == 0;
}

typedef struct sheet_ref {
    size_t index;
    const hm_kind *kind;    /* from the sheet's name, or NULL */
} sheet_ref;

static int cmp_sheets(const void *a, const void *b)
{
    const sheet_ref *x = a, *y = b;
    int ox = x->kind ? x->kind->load_order : -1, oy = y->kind ? y->kind->load_order : -1;
    if (ox != oy)
        return ox - oy;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* One workbook being ingested: what its sheets share. */
typedef struct book_run {
    sqlite3 *db;
    const hm_ingest_opts *o;
    const char *path;
    hm_xlsx_book *book;
    hm_ingest_result res;     /* the workbook's: digest, and a reason when given up whole */
    unsigned long long size;
    hm_ingest_cb cb;
    void *ctx;
} book_run;

/* Record the workbook rejected or skipped whole (res.reason says why). */
static hm_error book_alone(book_run *w, hm_ingest_status status, const char *started,
                           char *err, size_t errsz)
{
    w->res.status = status;
    hm_error rc = log_alone(w->db, w->path, NULL, &w->res,
                            status == HM_INGEST_SKIPPED ? "skipped" : "rejected", started,
                            err, errsz);
    if (rc == HM_OK)
        w->cb(w->ctx, w->path, &w->res);
    return rc;
}

/* Ingest sheet ref of the workbook as "FILE:SHEET", unless it was loaded before. */
static hm_error book_sheet(book_run *w, const sheet_ref *ref, char *err, size_t errsz)
{
    const char *sname = hm_xlsx_sheet_name(w->book, ref->index);
    hm_strbuf unit = HM_STRBUF_INIT;
    hm_ingest_result r;
    char started[21];
    hm_error rc = HM_OK;
    memset(&r, 0, sizeof r);
    memcpy(r.sha256, w->res.sha256, sizeof r.sha256);
    r.encoding = "xlsx";
    r.kind = ref->kind;
    hm_strbuf_addf(&unit, "%s:%s", w->path, sname);
    hm_time_format(hm_now(), started);
    if (!skip_if_loaded(w->db, unit.buf, sname, w->o, &r, started, &rc, err, errsz)) {
        hm_xlsx_sheet *sheet = hm_xlsx_sheet_open(w->book, ref->index, r.reason,
                                                  sizeof r.reason);
        if (!sheet) {
            r.status = HM_INGEST_REJECTED;
            rc = log_alone(w->db, unit.buf, sname, &r, "rejected", started, err, errsz);
        } else {
            hm_row_source src = hm_xlsx_source(sheet, w->path);
            rc = run_unit(w->db, unit.buf, w->o, &r, started, &src, w->size, err, errsz);
            src.close(src.impl);
        }
    }
    if (rc == HM_OK)
        w->cb(w->ctx, unit.buf, &r);
    hm_ingest_result_release(&r);
    hm_strbuf_release(&unit);
    return rc;
}

/* The id of an earlier load of every sheet of refs (all loaded before), or 0. */
static long long book_loaded_before(book_run *w, const sheet_ref *refs, size_t n)
{
    long long first = 0;
    for (size_t i = 0; i < n; i++) {
        long long id = loaded_before(w->db, w->res.sha256,
                                     hm_xlsx_sheet_name(w->book, refs[i].index));
        if (id <= 0)
            return 0;
        if (!first || id < first)
            first = id;
    }
    return first;
}

/*
 * Ingest every data sheet of the workbook open on fd, in dependency order
 * (by the kind its name tells; sheets named otherwise first, their kind
 * from the header), each in its own transaction, as "FILE:SHEET".  A
 * sheet loaded before from a workbook of the same digest is skipped (a
 * run killed between two sheets left the rest to load); when every sheet
 * was, the workbook is skipped whole.
 */
static hm_error ingest_workbook(sqlite3 *db, int fd, const char *path,
                                const hm_ingest_opts *o, hm_ingest_cb cb, void *ctx,
                                char *err, size_t errsz)
{
    book_run w = { .db = db, .o = o, .path = path, .cb = cb, .ctx = ctx };
    char started[21];
    hm_error rc = HM_OK;
    sheet_ref *sheets = NULL;
    long long prev;

    hm_time_format(hm_now(), started);
    w.res.encoding = "xlsx";
    FILE *fp = fd_stream(fd);
    if (!fp) {
        snprintf(w.res.reason, sizeof w.res.reason, "cannot read: %s", strerror(errno));
        rc = book_alone(&w, HM_INGEST_REJECTED, started, err, errsz);
        goto out;
    }
    rc = digest_stream(fp, &w.res, NULL, &w.size);
    fclose(fp);
    if (rc != HM_OK) {
        rc = book_alone(&w, HM_INGEST_REJECTED, started, err, errsz);
        goto out;
    }
    if (!(w.book = hm_xlsx_open_fd(fd, path, w.res.reason, sizeof w.res.reason))) {
        rc = book_alone(&w, HM_INGEST_REJECTED, started, err, errsz);
        goto out;
    }
    size_t n = hm_xlsx_nsheets(w.book), nsheets = 0;
    sheets = hm_xcalloc(n ? n : 1, sizeof *sheets);
    for (size_t i = 0; i < n; i++) {
        const char *name = hm_xlsx_sheet_name(w.book, i);
        if (hm_xlsx_sheet_hidden(w.book, i) || hm_kind_aux_sheet(name))
            continue;
        sheets[nsheets].index = i;
        sheets[nsheets++].kind = hm_kind_by_filename(name);
    }
    qsort(sheets, nsheets, sizeof *sheets, cmp_sheets);
    if (nsheets == 0) {
        snprintf(w.res.reason, sizeof w.res.reason, "the workbook has no visible sheets");
        rc = book_alone(&w, HM_INGEST_REJECTED, started, err, errsz);
    } else if (!o->force && (prev = book_loaded_before(&w, sheets, nsheets)) > 0) {
        snprintf(w.res.reason, sizeof w.res.reason, "identical to a file loaded before "
                 "(ingest %lld); use --force to read it again", prev);
        rc = book_alone(&w, HM_INGEST_SKIPPED, started, err, errsz);
    } else {
        for (size_t i = 0; i < nsheets && rc == HM_OK; i++)
            rc = book_sheet(&w, &sheets[i], err, errsz);
    }
out:
    free(sheets);
    hm_xlsx_close(w.book);
    hm_ingest_result_release(&w.res);
    return rc;
}

hm_error hm_ingest_fd(sqlite3 *db, int fd, const char *name, const hm_ingest_opts *o,
                      hm_ingest_cb cb, void *ctx, char *err, size_t errsz)
{
    if (is_workbook(name))
        return ingest_workbook(db, fd, name, o, cb, ctx, err, errsz);
    hm_ingest_result res;
    hm_error rc = ingest_csv_fd(db, fd, name, o, &res, err, errsz);
    if (rc == HM_OK)
        cb(ctx, name, &res);
    hm_ingest_result_release(&res);
    return rc;
}

hm_error hm_ingest_path(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_cb cb, void *ctx, char *err, size_t errsz)
{
    int fd;
    char why[256];
    hm_error rc;
    if (hm_open_input(path, &fd, why, sizeof why) != HM_OK) {
        hm_ingest_result res;
        rc = reject_unopened(db, path, why, &res, err, errsz);
        if (rc == HM_OK)
            cb(ctx, path, &res);
        hm_ingest_result_release(&res);
        return rc;
    }
    rc = hm_ingest_fd(db, fd, path, o, cb, ctx, err, errsz);
    close(fd);
    return rc;
}


/* ----------------------------------------------------------- collect */

const hm_kind *hm_ingest_sniff_kind(const char *path)
{
    const hm_kind *k = hm_kind_by_filename(hm_path_base(path));
    if (k)
        return k;
    int fd;
    char why[256];
    if (hm_open_input(path, &fd, why, sizeof why) != HM_OK)
        return NULL;   /* a link, or no file: rejected with the reason when ingested */
    k = hm_ingest_sniff_kind_fd(fd, path);
    close(fd);
    return k;
}

const hm_kind *hm_ingest_sniff_kind_fd(int fd, const char *name)
{
    const hm_kind *k = hm_kind_by_filename(hm_path_base(name));
    if (k)
        return k;
    FILE *fp = fd_stream(fd);
    if (!fp)
        return NULL;
    hm_ingest_result res;
    hm_encoding enc;
    size_t bom;
    unsigned long long size;
    memset(&res, 0, sizeof res);
    if (scan_file(fp, &res, &enc, &bom, &size) == HM_OK) {
        rewind(fp);
        hm_csv_reader *r = hm_csv_open(fp, enc, bom);
        hm_csv_record rec;
        const char *e;
        hm_ingest_ctx x;
        memset(&x, 0, sizeof x);
        hm_summary_init(&x.sum);
        char reason[128];
        if (r && hm_csv_next(r, &rec, &e) == 1 && !rec.error &&
            hm_ingest_read_header(&x, &rec, reason, sizeof reason))
            k = hm_ingest_kind_from_header(x.header, x.nheader);
        hm_csv_close(r);
        ctx_release(&x);
    }
    fclose(fp);
    return k;
}

typedef struct collected {
    char *path;
    int order;      /* the kind's load order */
    size_t arg;     /* which argument named it */
} collected;

/* By kind, then by argument, then by name. */
static int cmp_collected(const void *a, const void *b)
{
    const collected *x = a, *y = b;
    if (x->order != y->order)
        return x->order - y->order;
    if (x->arg != y->arg)
        return x->arg < y->arg ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* True when name ends in ".csv" (any case). */
static bool is_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

hm_error hm_ingest_collect(char *const *args, size_t nargs, char ***files, size_t *nfiles,
                           char *err, size_t errsz)
{
    collected *list = NULL;
    size_t n = 0, cap = 0;
    hm_error rc = HM_OK;
    for (size_t a = 0; a < nargs; a++) {
        struct stat st;
        /* A link is not followed: it is listed, and refused when ingested. */
        if (lstat(args[a], &st) != 0) {
            snprintf(err, errsz, "cannot read '%s': %s", args[a], strerror(errno));
            rc = HM_EIO;
            goto out;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (n == cap)
                list = hm_xrealloc(list, (cap = cap ? cap * 2 : 16) * sizeof *list);
            list[n].path = hm_xstrdup(args[a]);
            list[n++].arg = a;
            continue;
        }
        DIR *d = opendir(args[a]);
        if (!d) {
            snprintf(err, errsz, "cannot read directory '%s': %s", args[a], strerror(errno));
            rc = HM_EIO;
            goto out;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || (!is_csv(e->d_name) && !is_workbook(e->d_name)))
                continue;
            if (n == cap)
                list = hm_xrealloc(list, (cap = cap ? cap * 2 : 16) * sizeof *list);
            list[n].path = hm_path_join(args[a], e->d_name);
            list[n++].arg = a;
        }
        closedir(d);
    }
    for (size_t i = 0; i < n; i++) {
        /* A workbook holds several kinds; it goes first, whole. */
        const hm_kind *k = is_workbook(list[i].path) ? NULL : hm_ingest_sniff_kind(list[i].path);
        list[i].order = is_workbook(list[i].path) ? -1 : k ? k->load_order : HM_NKINDS;
    }
    if (n)
        qsort(list, n, sizeof *list, cmp_collected);
    *files = hm_xcalloc(n ? n : 1, sizeof **files);
    for (size_t i = 0; i < n; i++)
        (*files)[i] = list[i].path;
    *nfiles = n;
    free(list);
    return HM_OK;
out:
    for (size_t i = 0; i < n; i++)
        free(list[i].path);
    free(list);
    return rc;
}
