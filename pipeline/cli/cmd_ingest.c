/*
 * cmd_ingest.c - `himama ingest [--force] FILE|DIR...`: load CSV files and
 * print one summary line per file on stderr.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/ingest.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Print the one-line summary of a file; warnings: how many it raised. */
static void summary(const hm_cli *cli, const char *path, const hm_ingest_result *r,
                    long long warnings)
{
    if (cli->quiet && r->status == HM_INGEST_LOADED && r->rows_rejected == 0 && warnings == 0)
        return;
    switch (r->status) {
    case HM_INGEST_REJECTED:
        if (r->kind || r->encoding)
            fprintf(stderr, "%s: REJECTED whole (%s%s%s): %s\n", path,
                    r->kind ? r->kind->name : "", r->kind && r->encoding ? ", " : "",
                    r->encoding ? r->encoding : "", r->reason);
        else
            fprintf(stderr, "%s: REJECTED whole: %s\n", path, r->reason);
        break;
    case HM_INGEST_SKIPPED:
        fprintf(stderr, "%s: skipped: %s\n", path, r->reason);
        break;
    case HM_INGEST_LOADED:
        fprintf(stderr, "%s: %s, %s: %lld read: %lld loaded, %lld updated, %lld unchanged, "
                "%lld rejected", path, r->kind->name, r->encoding, r->rows_read, r->rows_loaded,
                r->rows_updated, r->rows_unchanged, r->rows_rejected);
        if (warnings)
            fprintf(stderr, "; %lld warning%s", warnings, warnings == 1 ? "" : "s");
        if (r->rejects_path)
            fprintf(stderr, " (see %s)", r->rejects_path);
        fputc('\n', stderr);
        break;
    }
}

/* What the units of one ingest came to. */
typedef struct tally {
    const hm_cli *cli;
    sqlite3 *db;
    bool progress;
    size_t units, rejected_whole;
    long long read, rejected;
    int exit_code;
} tally;

/* One unit done: print its line and count it. */
static void one_unit(void *ctx, const char *name, const hm_ingest_result *res)
{
    tally *t = ctx;
    if (t->progress)
        fputs("\r\033[K", stderr);
    long long warnings = res->status == HM_INGEST_LOADED ? cli_warnings_count(t->db, res->id) : 0;
    summary(t->cli, name, res, warnings);
    /* Every warning counts, and the first five are shown: an unknown
     * (misspelt) column's data goes nowhere. */
    cli_warnings_list(t->db, res->id, warnings, 5, NULL);
    t->units++;
    t->read += res->rows_read;
    t->rejected += res->rows_rejected;
    if (res->status == HM_INGEST_REJECTED) {
        t->exit_code = HM_EXIT_FAIL;
        t->rejected_whole++;
    } else if (res->rows_rejected && t->exit_code < HM_EXIT_ROWS) {
        t->exit_code = HM_EXIT_ROWS;
    }
}

int cmd_ingest(int argc, char **argv, hm_cli *cli)
{
    bool force = false;
    int i;
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            cli_error("ingest: unknown option '%s'", argv[i]);
            return HM_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("ingest: name at least one FILE or DIR");
        return HM_EXIT_USAGE;
    }

    char err[1024];
    char **files = NULL;
    size_t nfiles = 0;
    if (hm_ingest_collect(argv + i, (size_t)(argc - i), &files, &nfiles, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        return HM_EXIT_USAGE;
    }
    if (nfiles == 0) {
        cli_error("ingest: no *.csv or *.xlsx files in %s", argv[i]);
        free(files);
        return HM_EXIT_FAIL;
    }

    int lockfd = -1, from;
    sqlite3 *db = NULL;
    int exit_code = cli_lock(cli, &lockfd, err, sizeof err);
    if (exit_code != HM_EXIT_OK)
        goto out;
    hm_error rc;
    if (hm_db_open(cli->db, true, &db, err, sizeof err) != HM_OK ||
        hm_db_migrate(db, cli->datadir, &from, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        exit_code = HM_EXIT_FAIL;
        goto out;
    }

    char *rejects_dir = hm_path_join(cli->out, "rejects");
    if (hm_ingest_recover(db, rejects_dir, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        free(rejects_dir);
        exit_code = HM_EXIT_FAIL;
        goto out;
    }
    int64_t start = (int64_t)time(NULL);
    hm_ingest_opts o = { .force = force, .rejects_dir = rejects_dir, .today = hm_today(),
                         .progress = NULL, .progress_ctx = &start,
                         .cache = hm_ingest_cache_new() };
    if (!cli->quiet && isatty(STDERR_FILENO))
        o.progress = cli_progress;
    tally t = { cli, db, o.progress != NULL, 0, 0, 0, 0, HM_EXIT_OK };
    for (size_t f = 0; f < nfiles; f++) {
        rc = hm_ingest_path(db, files[f], &o, one_unit, &t, err, sizeof err);
        if (rc != HM_OK) {
            if (o.progress)
                fputs("\r\033[K", stderr);
            cli_error("%s: %s", files[f], err);
            t.exit_code = HM_EXIT_FAIL;
        }
    }
    exit_code = t.exit_code;
    if (t.units > 1 && !cli->quiet)
        fprintf(stderr, "%zu files: %lld rows read, %lld rejected; %zu files rejected whole\n",
                t.units, t.read, t.rejected, t.rejected_whole);
    free(rejects_dir);
    hm_ingest_cache_free(o.cache);
out:
    sqlite3_close(db);
    hm_db_unlock(lockfd);
    for (size_t f = 0; f < nfiles; f++)
        free(files[f]);
    free(files);
    return exit_code;
}
