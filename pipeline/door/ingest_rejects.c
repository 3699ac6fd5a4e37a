/*
 * ingest_rejects.c - what ingest records of a row it did not load: the
 * rejects table, the rejects file beside it (the rejected rows as read,
 * for a person to fix and send again), and warnings about rows loaded.
 *
 * The rejects file is opened with the first rejected row, written to a
 * hidden ".pending" name, closed and synced before the unit's transaction
 * commits and renamed into place after; hm_ingest_recover finishes what a
 * stopped process left.  Its cells are guarded against formulas, since a
 * person opens it in a spreadsheet.
 */
#include "himama/ingest_int.h"
#include "himama/db.h"
#include "himama/reasons.h"
#include "himama/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

size_t hm_ingest_rejects_cell(FILE *fp, const char *s, size_t len)
{
    /* At most HM_RAW_KEEP bytes of the cell; control characters become
     * spaces first, then the cell is trimmed, and only then is it guarded
     * against a formula: "\0=HYPERLINK(...)" must not reach a spreadsheet
     * as " =HYPERLINK(...)" unguarded. */
    char buf[HM_RAW_KEEP];
    size_t n = hm_raw_cut(s, len, sizeof buf);
    bool cut = n < len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            c = ' ';
        buf[i] = (char)c;
    }
    const char *t = hm_utf8_trim(buf, &n);
    bool guard = n && (*t == '=' || *t == '+' || *t == '-' || *t == '@');
    bool quote = guard;
    for (size_t i = 0; i < n && !quote; i++)
        quote = t[i] == ',' || t[i] == '"' || t[i] == '\n' || t[i] == '\r';
    if (quote)
        fputc('"', fp);
    if (guard)
        fputc('\'', fp);
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '"')
            fputc('"', fp);
        fputc(t[i], fp);
    }
    if (cut)
        fputs("\xe2\x80\xa6", fp);   /* "…": the rest is left out */
    if (quote)
        fputc('"', fp);
    return n;
}

/* Bytes of a name kept before it is shortened with a digest of it: the
 * longest derived name (".ID-NAME.rejects.csv.pending") then stays well
 * under the 255 bytes a file name may have. */
#define NAME_KEEP 160

char *hm_ingest_short_name(const char *name)
{
    size_t n = strlen(name);
    if (n <= NAME_KEEP + 12)
        return hm_xstrdup(name);
    hm_sha256 sha;
    char hex[65];
    hm_sha256_init(&sha);
    hm_sha256_update(&sha, name, n);
    hm_sha256_final_hex(&sha, hex);
    const char *dot = strrchr(name, '.');
    size_t ext = dot && (size_t)(name + n - dot) <= 8 ? (size_t)(name + n - dot) : 0;
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_add(&sb, name, hm_raw_cut(name, n - ext, NAME_KEEP));
    hm_strbuf_addf(&sb, "~%.8s", hex);
    hm_strbuf_add(&sb, name + n - ext, ext);
    return hm_strbuf_detach(&sb);
}

char *hm_ingest_rejects_name(long long id, const char *unit)
{
    hm_strbuf name = HM_STRBUF_INIT;
    char *base = hm_ingest_short_name(hm_path_base(unit));
    hm_strbuf_addf(&name, "%lld-%s.rejects.csv", id, base);
    free(base);
    for (char *c = name.buf; *c; c++)
        if (*c == ':')
            *c = '-';   /* FILE:SHEET of a workbook */
    return hm_strbuf_detach(&name);
}

#define PENDING ".pending"

/* Open the rejects file for this ingest and write its header row. */
static hm_error rejects_open(hm_ingest_ctx *x)
{
    if (x->rej_fp || !x->o->rejects_dir)
        return HM_OK;
    if (hm_mkdirs(x->o->rejects_dir) != HM_OK)
        return HM_EIO;
    char *name = hm_ingest_rejects_name(x->res->id, x->path);
    hm_strbuf pending = HM_STRBUF_INIT;
    hm_strbuf_addf(&pending, ".%s" PENDING, name);
    x->rej_final = hm_path_join(x->o->rejects_dir, name);
    x->rej_pending = hm_path_join(x->o->rejects_dir, pending.buf);
    hm_strbuf_release(&pending);
    free(name);
    x->rej_fp = fopen(x->rej_pending, "wb");
    if (!x->rej_fp)
        return HM_EIO;
    fputs("\xef\xbb\xbf", x->rej_fp);
    for (size_t i = 0; i < x->nheader; i++) {
        hm_ingest_rejects_cell(x->rej_fp, x->header[i], strlen(x->header[i]));
        fputc(',', x->rej_fp);
    }
    fputs("line,column,reason,\xe5\x8e\x9f\xe5\x9b\xa0\r\n", x->rej_fp);   /* 原因 */
    return HM_OK;
}

hm_error hm_ingest_rejects_close(hm_ingest_ctx *x, char *reason, size_t rsz)
{
    if (!x->rej_fp)
        return HM_OK;
    int bad = fflush(x->rej_fp) != 0 || ferror(x->rej_fp) || fsync(fileno(x->rej_fp)) != 0;
    int e = errno;
    bad |= fclose(x->rej_fp) != 0;
    x->rej_fp = NULL;
    if (bad) {
        snprintf(reason, rsz, "cannot write the rejects file '%s': %s", x->rej_final,
                 strerror(e ? e : errno));
        unlink(x->rej_pending);
        return HM_EIO;
    }
    return HM_OK;
}

hm_error hm_ingest_rejects_prepare(hm_ingest_ctx *x, char *err, size_t errsz)
{
    hm_error rc = hm_db_prepare(x->db, &x->st_reject,
            "INSERT INTO rejects (ingest_id, file, line, \"column\", reason, raw)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errsz);
    if (rc == HM_OK)
        rc = hm_db_prepare(x->db, &x->st_warn,
            "INSERT INTO warnings (ingest_id, file, line, reason) VALUES (?1, ?2, ?3, ?4)",
            err, errsz);
    return rc;
}

void hm_ingest_rejects_abandon(hm_ingest_ctx *x)
{
    if (x->rej_fp) {
        fclose(x->rej_fp);
        unlink(x->rej_pending);
        x->rej_fp = NULL;
    }
}

hm_error hm_ingest_recover(sqlite3 *db, const char *rejects_dir, char *err, size_t errsz)
{
    DIR *d = opendir(rejects_dir);
    if (!d)
        return HM_OK;   /* no rejects yet */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM ingest_log WHERE id = ?1 AND status = 'loaded'",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        closedir(d);
        return HM_EDB;
    }
    hm_error rc = HM_OK;
    struct dirent *e;
    size_t plen = strlen(PENDING);
    while ((e = readdir(d)) && rc == HM_OK) {
        size_t n = strlen(e->d_name);
        bool pending = e->d_name[0] == '.' && n > plen + 1 &&
                       strcmp(e->d_name + n - plen, PENDING) == 0;
        bool stale_tmp = strstr(e->d_name, ".rejects.csv.tmp-") != NULL;
        if (!pending && !stale_tmp)
            continue;
        char *path = hm_path_join(rejects_dir, e->d_name);
        bool keep = false;
        if (pending) {
            char *final_name = hm_xstrndup(e->d_name + 1, n - 1 - plen);
            char *final = hm_path_join(rejects_dir, final_name);
            sqlite3_bind_int64(st, 1, strtoll(final_name, NULL, 10));
            keep = sqlite3_step(st) == SQLITE_ROW && access(final, F_OK) != 0;
            sqlite3_reset(st);
            /* Committed but not yet renamed when the process stopped. */
            if (keep && hm_atomic_rename(path, final) != HM_OK) {
                snprintf(err, errsz, "cannot move '%s' to '%s': %s", path, final,
                         strerror(errno));
                rc = HM_EIO;
            }
            free(final);
            free(final_name);
        }
        if (!keep)
            unlink(path);   /* a load rolled back, or an earlier version's temporary */
        free(path);
    }
    sqlite3_finalize(st);
    closedir(d);
    return rc;
}

size_t hm_ingest_row_width(const hm_ingest_ctx *x, const hm_csv_record *rec)
{
    size_t n = rec->nfield;
    while (n > x->nheader && hm_ingest_field_blank(rec->field[n - 1], rec->flen[n - 1]))
        n--;
    return n;
}

/*
 * A rejected record's line in the rejects file: its fields (those that
 * count, and at most 8 beyond the header's), each cut to HM_RAW_KEEP
 * bytes and all to HM_REJECT_ROW_KEEP, then line, column and reason.
 */
static void write_reject(hm_ingest_ctx *x, const hm_csv_record *rec, const char *column,
                         const char *reason)
{
    FILE *fp = x->rej_fp;
    size_t width = hm_ingest_row_width(x, rec), budget = HM_REJECT_ROW_KEEP;
    if (width > x->nheader + 8)
        width = x->nheader + 8;
    for (size_t i = 0; i < width; i++) {
        if (budget > 0)
            budget -= hm_ingest_rejects_cell(fp, rec->field[i],
                                             rec->flen[i] < budget ? rec->flen[i] : budget);
        fputc(',', fp);
    }
    /* Pad a short row so line/column/reason stay under their headers. */
    for (size_t i = width; i < x->nheader; i++)
        fputc(',', fp);
    fprintf(fp, "%ld,", rec->line);
    hm_ingest_rejects_cell(fp, column ? column : "", column ? strlen(column) : 0);
    fputc(',', fp);
    hm_ingest_rejects_cell(fp, reason, strlen(reason));
    fputc(',', fp);
    /* The reason in Chinese beside the English one. */
    hm_strbuf zh = HM_STRBUF_INIT;
    hm_reason_zh(reason, &zh);
    hm_ingest_rejects_cell(fp, zh.buf ? zh.buf : "", zh.len);
    hm_strbuf_release(&zh);
    fputs("\r\n", fp);
}

hm_error hm_ingest_reject(hm_ingest_ctx *x, const hm_csv_record *rec, const char *column,
                          const char *reason, char *err, size_t errsz)
{
    x->res->rows_rejected++;
    sqlite3_bind_int64(x->st_reject, 1, x->res->id);
    sqlite3_bind_text(x->st_reject, 2, x->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(x->st_reject, 3, rec->line);
    sqlite3_bind_text(x->st_reject, 4, column ? column : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st_reject, 5, reason, -1, SQLITE_STATIC);
    /* HM_RAW_KEEP bytes of the record: enough to find it, and a hostile row
     * of 8 MiB (or one shared string in every row) cannot fill the disk. */
    sqlite3_bind_text(x->st_reject, 6, rec->raw,
                      (int)hm_raw_cut(rec->raw, rec->raw_len, HM_RAW_KEEP), SQLITE_STATIC);
    hm_error rc = hm_db_step_done(x->db, x->st_reject, err, errsz);
    if (rc != HM_OK)
        return rc;
    if (rejects_open(x) != HM_OK) {
        snprintf(err, errsz, "cannot write the rejects file in '%s': %s", x->o->rejects_dir,
                 strerror(errno));
        return HM_EIO;
    }
    if (!x->rej_fp)
        return HM_OK;
    write_reject(x, rec, column, reason);
    if (x->res->rows_rejected == HM_UNIT_KEEP_REJECTS)
        x->rej_keep_end = ftell(x->rej_fp);
    if (ferror(x->rej_fp)) {
        snprintf(err, errsz, "cannot write the rejects file '%s': %s", x->rej_final,
                 strerror(errno));
        return HM_EIO;
    }
    return HM_OK;
}

hm_error hm_ingest_warn(hm_ingest_ctx *x, long line, const char *reason, char *err,
                        size_t errsz)
{
    sqlite3_bind_int64(x->st_warn, 1, x->res->id);
    sqlite3_bind_text(x->st_warn, 2, x->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(x->st_warn, 3, line);
    sqlite3_bind_text(x->st_warn, 4, reason, -1, SQLITE_STATIC);
    return hm_db_step_done(x->db, x->st_warn, err, errsz);
}
