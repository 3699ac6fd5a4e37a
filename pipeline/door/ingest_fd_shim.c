/*
 * ingest_fd_shim.c - TEMPORARY: hm_ingest_fd for the command layer until
 * the door reads a descriptor itself.  To be replaced at merge by the
 * door's own hm_ingest_fd (and this file removed).
 *
 * It reads the file through the descriptor by a link of its own to
 * /proc/self/fd/N, made in a fresh hidden folder beside name and carrying
 * name's base name (so the kind, the workbook test and the rejects file's
 * name come out as for name), then records name instead of the link's
 * path in ingest_log, rejects and warnings.  The folders of runs killed
 * while reading are removed by the next call.
 */
#include "himama/ingest.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct shim_ctx {
    const char *link, *name;
    hm_ingest_cb cb;
    void *ctx;
} shim_ctx;

/* cb with the link's path replaced by name at the start of the unit's name. */
static void shim_cb(void *ctx, const char *unit, const hm_ingest_result *res)
{
    shim_ctx *s = ctx;
    size_t n = strlen(s->link);
    if (strncmp(unit, s->link, n) != 0) {
        s->cb(s->ctx, unit, res);
        return;
    }
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_addf(&sb, "%s%s", s->name, unit + n);
    s->cb(s->ctx, sb.buf, res);
    hm_strbuf_release(&sb);
}

/* Record name instead of link in the tables that name a unit's file. */
static void shim_rename(sqlite3 *db, const char *link, const char *name)
{
    static const char *const sql[] = {
        "UPDATE ingest_log SET file = ?2 || substr(file, length(?1) + 1) "
        "WHERE file = ?1 OR substr(file, 1, length(?1) + 1) = ?1 || ':'",
        "UPDATE rejects SET file = ?2 || substr(file, length(?1) + 1) "
        "WHERE file = ?1 OR substr(file, 1, length(?1) + 1) = ?1 || ':'",
        "UPDATE warnings SET file = ?2 || substr(file, length(?1) + 1) "
        "WHERE file = ?1 OR substr(file, 1, length(?1) + 1) = ?1 || ':'",
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, link, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
            (void)sqlite3_step(st);
        }
        sqlite3_finalize(st);
    }
}

/* Remove the folders (and links) of runs killed while reading, in dir. */
static void shim_sweep(const char *dir)
{
    DIR *d = opendir(*dir ? dir : ".");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end;
        long pid = strncmp(e->d_name, ".fd-", 4) == 0 ? strtol(e->d_name + 4, &end, 10) : 0;
        if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        hm_strbuf sb = HM_STRBUF_INIT;
        hm_strbuf_addf(&sb, "%s%s", dir, e->d_name);
        DIR *sub = opendir(sb.buf);
        struct dirent *f;
        while (sub && (f = readdir(sub))) {
            if (f->d_name[0] == '.')
                continue;
            char *p = hm_path_join(sb.buf, f->d_name);
            unlink(p);
            free(p);
        }
        if (sub)
            closedir(sub);
        rmdir(sb.buf);
        hm_strbuf_release(&sb);
    }
    if (d)
        closedir(d);
}

hm_error hm_ingest_fd(sqlite3 *db, int fd, const char *name, const hm_ingest_opts *o,
                      hm_ingest_cb cb, void *ctx, char *err, size_t errsz)
{
    static unsigned counter;
    const char *base = hm_path_base(name);
    char target[64];
    hm_strbuf dir = HM_STRBUF_INIT;
    hm_strbuf_add(&dir, name, (size_t)(base - name));
    shim_sweep(dir.buf);
    hm_strbuf_addf(&dir, ".fd-%ld-%u", (long)getpid(), counter++);
    if (mkdir(dir.buf, 0700) != 0) {
        snprintf(err, errsz, "cannot create '%s': %s", dir.buf, strerror(errno));
        hm_strbuf_release(&dir);
        return HM_EIO;
    }
    char *link = hm_path_join(dir.buf, base);
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    hm_error rc;
    if (symlink(target, link) != 0) {
        snprintf(err, errsz, "cannot create '%s': %s", link, strerror(errno));
        rc = HM_EIO;
    } else {
        shim_ctx s = { link, name, cb, ctx };
        rc = hm_ingest_path(db, link, o, shim_cb, &s, err, errsz);
        shim_rename(db, link, name);
        unlink(link);
    }
    rmdir(dir.buf);
    free(link);
    hm_strbuf_release(&dir);
    return rc;
}
