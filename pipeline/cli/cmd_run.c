/*
 * cmd_run.c - `himama run monthly [YYYY-MM]`: the cron job.
 *
 * Under the database's lock for the whole run:
 *   1. move every file of the inbox into the processing folder (files left
 *      there by a run that was killed are picked up too);
 *   2. ingest the processing folder's CSV files in dependency order, moving
 *      each to archive/DATE/ once its transaction is committed (its rejects
 *      file copied beside it), or to failed/DATE/ with a .reason.txt when it
 *      was rejected whole; a file the database could not take stays in
 *      processing for the next run;
 *   3. write the monthly report for both audiences (hm_report_write, as
 *      `report monthly` does).
 *
 * stdout gets exactly one line, for cron's mail; the detail goes to the
 * log file, one timestamped line per event.  Errors also go to stderr.
 * The exit status is the highest of the stages' (DESIGN.md).
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/inbox.h"
#include "himama/ingest.h"
#include "himama/log.h"
#include "himama/period.h"
#include "himama/report_job.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the run did, for the summary line. */
typedef struct run_totals {
    size_t files;            /* files found (inbox and leftovers) */
    size_t skipped;          /* identical to a file loaded before */
    size_t failed;           /* rejected whole, or not a CSV file */
    size_t held;             /* left in processing (database error) */
    long long rows, rejected;
} run_totals;


/* n with thousands separators ("3,456") into buf. */
static const char *fmt_count(long long n, char *buf, size_t size)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n < 0 ? -n : n);
    size_t o = 0;
    if (n < 0 && o + 1 < size)
        buf[o++] = '-';
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Raise *code to c when c is higher. */
static void raise_to(int *code, int c)
{
    if (c > *code)
        *code = c;
}

/* Move path into failed/DATE/ with a reason file; log what happened. */
static void fail_file(hm_log *log, const char *path, const char *faildir, const char *reason,
                      const char *lang)
{
    char *dst = NULL;
    hm_strbuf text = HM_STRBUF_INIT;
    if (hm_inbox_move(path, faildir, &dst) != HM_OK) {
        hm_log_printf(log, "%s: cannot move to '%s': %s", path, faildir, strerror(errno));
        cli_error("cannot move '%s' to '%s': %s", path, faildir, strerror(errno));
        return;
    }
    if (strcmp(lang, "zh") == 0)
        hm_strbuf_addf(&text, "%s：整个文件未导入。\n原因：%s\n请修改后重新放入收件箱。\n",
                       hm_path_base(dst), reason);
    else
        hm_strbuf_addf(&text, "%s: the whole file was rejected.\nReason: %s\n"
                       "Fix it and put it in the inbox again.\n", hm_path_base(dst), reason);
    if (hm_inbox_write_reason(dst, text.buf) != HM_OK)
        hm_log_printf(log, "%s: cannot write its reason file: %s", dst, strerror(errno));
    hm_log_printf(log, "%s: rejected whole, moved to %s: %s", hm_path_base(path), dst, reason);
    hm_strbuf_release(&text);
    free(dst);
}

/*
 * The reason of a rejected row for the log, with the quoted values left out
 * (from the first quote to the last, as a value may hold quotes itself):
 * a reason may quote the field, and the field may be a child's name.  The
 * rejects file, owner-only like the database, keeps the whole reason.
 */
static void redact(const char *reason, char *out, size_t size)
{
    const char *first = strchr(reason, '\'');
    const char *last = strrchr(reason, '\'');
    if (!first || first == last) {
        snprintf(out, size, "%.*s", first ? (int)(first - reason) : (int)strlen(reason), reason);
        return;
    }
    snprintf(out, size, "%.*s'...'%s", (int)(first - reason), reason, last + 1);
}

/* Log every rejected row of ingest id: file, line, column and reason only. */
static void log_rejects(hm_log *log, sqlite3 *db, long long id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT file, line, \"column\", reason FROM rejects "
                           "WHERE ingest_id = ? ORDER BY line", -1, &st, NULL) != SQLITE_OK) {
        hm_log_printf(log, "cannot list the rejected rows: %s", sqlite3_errmsg(db));
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *col = (const char *)sqlite3_column_text(st, 2);
        const char *reason = (const char *)sqlite3_column_text(st, 3);
        char shown[512];
        redact(reason ? reason : "", shown, sizeof shown);
        hm_log_printf(log, "%s:%lld:%s: rejected: %s", hm_path_base(file ? file : ""),
                      (long long)sqlite3_column_int64(st, 1), col ? col : "", shown);
    }
    sqlite3_finalize(st);
}

/* What the units of one file came to (a workbook has one per sheet). */
typedef struct file_tally {
    hm_log *log;
    sqlite3 *db;
    run_totals *t;
    size_t units, rejected_whole, rejected_rows;
    char reason[512];          /* why the last unit was rejected whole */
    char **rejects;            /* rejects files written */
    size_t nrejects;
} file_tally;

/* One unit ingested: log it and count it. */
static void run_unit_done(void *ctx, const char *name, const hm_ingest_result *res)
{
    file_tally *f = ctx;
    f->units++;
    f->t->rows += res->rows_read;
    f->t->rejected += res->rows_rejected;
    f->rejected_rows += (size_t)res->rows_rejected;
    switch (res->status) {
    case HM_INGEST_REJECTED:
        f->rejected_whole++;
        snprintf(f->reason, sizeof f->reason, "%s", res->reason);
        hm_log_printf(f->log, "%s: rejected whole: %s", hm_path_base(name), res->reason);
        break;
    case HM_INGEST_SKIPPED:
        f->t->skipped++;
        hm_log_printf(f->log, "%s: skipped: %s", hm_path_base(name), res->reason);
        break;
    case HM_INGEST_LOADED:
        hm_log_printf(f->log, "%s: %s, %s: %lld read: %lld loaded, %lld updated, "
                      "%lld unchanged, %lld rejected, %lld with warnings",
                      hm_path_base(name), res->kind->name, res->encoding, res->rows_read,
                      res->rows_loaded, res->rows_updated, res->rows_unchanged,
                      res->rows_rejected, res->rows_warned);
        if (res->rows_rejected)
            log_rejects(f->log, f->db, res->id);
        if (res->rejects_path) {
            f->rejects = hm_xrealloc(f->rejects, (f->nrejects + 1) * sizeof *f->rejects);
            f->rejects[f->nrejects++] = hm_xstrdup(res->rejects_path);
        }
        break;
    }
}

/*
 * Ingest one file from processing (a CSV file, or a workbook whose sheets
 * are units of their own), then archive it, or fail it when nothing of it
 * could be read (every unit rejected whole).
 */
static int run_one(hm_log *log, sqlite3 *db, const char *path, const hm_ingest_opts *o,
                   const char *archdir, const char *faildir, const hm_cli *cli, run_totals *t)
{
    char err[1024] = "";
    char *dst = NULL;
    int code = HM_EXIT_OK;
    file_tally f = { .log = log, .db = db, .t = t };
    hm_error rc = hm_ingest_path(db, path, o, run_unit_done, &f, err, sizeof err);
    if (o->progress)
        fputs("\r\033[K", stderr);
    if (rc != HM_OK) {
        /* The transaction was rolled back: keep the file for the next run. */
        hm_log_printf(log, "%s: not loaded, kept in processing: %s", hm_path_base(path), err);
        cli_error("%s: %s", path, err);
        t->held++;
        code = HM_EXIT_FAIL;
        goto out;
    }
    if (f.rejected_whole)
        raise_to(&code, HM_EXIT_FAIL);
    if (f.units > 0 && f.rejected_whole == f.units) {
        t->failed++;
        fail_file(log, path, faildir, f.reason, cli->lang);
        goto out;
    }
    if (hm_inbox_move(path, archdir, &dst) != HM_OK) {
        hm_log_printf(log, "%s: loaded but cannot be archived in '%s': %s",
                      hm_path_base(path), archdir, strerror(errno));
        cli_error("cannot move '%s' to '%s': %s", path, archdir, strerror(errno));
        code = HM_EXIT_FAIL;
        goto out;
    }
    hm_log_printf(log, "%s: archived as %s", hm_path_base(path), dst);
    for (size_t i = 0; i < f.nrejects; i++) {
        char *copy = NULL;
        if (hm_inbox_copy(f.rejects[i], archdir, &copy) == HM_OK) {
            hm_log_printf(log, "%s: rejects in %s and %s", hm_path_base(path), f.rejects[i],
                          copy);
        } else {
            hm_log_printf(log, "%s: cannot copy '%s' to the archive: %s", hm_path_base(path),
                          f.rejects[i], strerror(errno));
            code = HM_EXIT_FAIL;
        }
        free(copy);
    }
    if (f.rejected_rows)
        raise_to(&code, HM_EXIT_ROWS);
out:
    for (size_t i = 0; i < f.nrejects; i++)
        free(f.rejects[i]);
    free(f.rejects);
    free(dst);
    return code;
}

/* Move the inbox's files into processing (or failed, for a non-CSV file). */
static int take_inbox(hm_log *log, const hm_cli *cli, const char *procdir, const char *faildir,
                      run_totals *t)
{
    char **names = NULL;
    size_t n = 0;
    int code = HM_EXIT_OK;
    hm_error rc = hm_inbox_list(cli->inbox, &names, &n);
    if (rc == HM_ENOTFOUND) {
        hm_log_printf(log, "inbox '%s' does not exist", cli->inbox);
        cli_error("inbox '%s' does not exist (set 'inbox' in himama.conf)", cli->inbox);
        return HM_EXIT_USAGE;
    }
    if (rc != HM_OK) {
        hm_log_printf(log, "cannot read the inbox '%s': %s", cli->inbox, strerror(errno));
        cli_error("cannot read the inbox '%s': %s", cli->inbox, strerror(errno));
        return HM_EXIT_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        char *src = hm_path_join(cli->inbox, names[i]);
        size_t len = strlen(names[i]);
        if ((len < 5 || strcasecmp(names[i] + len - 4, ".csv") != 0) &&
            (len < 6 || strcasecmp(names[i] + len - 5, ".xlsx") != 0)) {
            t->files++;
            t->failed++;
            fail_file(log, src, faildir, "not a .csv or .xlsx file: save it from Excel or "
                      "WPS as \"CSV UTF-8\" or as an Excel workbook", cli->lang);
            raise_to(&code, HM_EXIT_FAIL);
        } else if (hm_inbox_move(src, procdir, NULL) != HM_OK) {
            hm_log_printf(log, "%s: cannot move it to '%s': %s", names[i], procdir,
                          strerror(errno));
            cli_error("cannot move '%s' to '%s': %s", src, procdir, strerror(errno));
            raise_to(&code, HM_EXIT_FAIL);
        } else {
            hm_log_printf(log, "%s: taken from the inbox", names[i]);
        }
        free(src);
    }
    hm_inbox_list_free(names, n);
    return code;
}

/* Ingest everything in procdir; returns the exit status of the stage. */
static int ingest_processing(hm_log *log, const hm_cli *cli, const char *procdir,
                             const char *archdir, const char *faildir, run_totals *t)
{
    char err[1024];
    char **files = NULL;
    size_t nfiles = 0;
    sqlite3 *db = NULL;
    char *rejects_dir = NULL;
    int code = HM_EXIT_OK, from = 0;
    char *arg = (char *)procdir;

    if (hm_ingest_collect(&arg, 1, &files, &nfiles, err, sizeof err) != HM_OK) {
        hm_log_printf(log, "%s", err);
        cli_error("%s", err);
        return HM_EXIT_FAIL;
    }
    t->files += nfiles;
    if (hm_db_open(cli->db, true, &db, err, sizeof err) != HM_OK ||
        hm_db_migrate(db, cli->datadir, &from, err, sizeof err) != HM_OK) {
        hm_log_printf(log, "%s", err);
        cli_error("%s", err);
        t->held += nfiles;
        code = HM_EXIT_FAIL;
        goto out;
    }
    if (from == 0)
        hm_log_printf(log, "created database '%s'", cli->db);
    rejects_dir = hm_path_join(cli->out, "rejects");
    if (hm_ingest_recover(db, rejects_dir, err, sizeof err) != HM_OK) {
        hm_log_printf(log, "%s", err);
        cli_error("%s", err);
        t->held += nfiles;
        code = HM_EXIT_FAIL;
        goto out;
    }
    int64_t start = (int64_t)time(NULL);
    hm_ingest_opts o = { .rejects_dir = rejects_dir, .today = hm_today(),
                         .progress = NULL, .progress_ctx = &start,
                         .cache = hm_ingest_cache_new() };
    if (!cli->quiet && isatty(STDERR_FILENO))
        o.progress = cli_progress;
    for (size_t f = 0; f < nfiles; f++)
        raise_to(&code, run_one(log, db, files[f], &o, archdir, faildir, cli, t));
    hm_ingest_cache_free(o.cache);
out:
    sqlite3_close(db);
    free(rejects_dir);
    for (size_t f = 0; f < nfiles; f++)
        free(files[f]);
    free(files);
    return code;
}

/*
 * Remove the temporaries (".NAME.tmp-PID-N", see hm_atomic_tmpname) that a
 * report killed while rendering left in dir, when their process is gone.
 * They are hidden files and never at a report's name; this only tidies up.
 */
static void sweep_temporaries(hm_log *log, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        const char *tag = strstr(e->d_name, ".tmp-");
        if (e->d_name[0] != '.' || !tag)
            continue;
        char *end;
        long pid = strtol(tag + 5, &end, 10);
        if (pid <= 0 || *end != '-')
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;   /* still running (or not ours to judge) */
        char *p = hm_path_join(dir, e->d_name);
        if (unlink(p) == 0)
            hm_log_printf(log, "removed %s, left by a report that was interrupted", p);
        free(p);
    }
    closedir(d);
}

/* Write the monthly report of month for one audience, as `report` does. */
static int run_report(hm_log *log, const hm_cli *cli, const hm_period *month,
                      const char *audience)
{
    hm_report_job job;
    hm_report_result res;
    char err[1024] = "";
    cli_report_job_init(cli, &job);
    job.period = *month;
    job.audience = audience;
    char *dir = hm_report_dir(cli->out, month, audience);
    sweep_temporaries(log, dir);
    hm_error rc = hm_report_write(&job, &res, err, sizeof err);
    int code = cli_report_done(cli, &job, &res, rc, err);
    if (code == HM_EXIT_OK)
        hm_log_printf(log, "report monthly %s (%s) written to %s", month->label, audience, dir);
    else
        hm_log_printf(log, "report monthly %s (%s) NOT written (exit %d)", month->label,
                      audience, code);
    hm_report_result_release(&res);
    free(dir);
    return code;
}

/*
 * The month to report from run's arguments (argv[2], else the month
 * before today) into *period; false with a message printed on a usage
 * error.
 */
static bool run_month(int argc, char **argv, int32_t today, hm_period *period)
{
    char err[512], daystr[11];
    if (argc < 2 || strcmp(argv[1], "monthly") != 0) {
        cli_error("run needs 'monthly' (see 'himama help run')");
        return false;
    }
    if (argc > 3) {
        cli_error("unexpected argument '%s' (see 'himama help run')", argv[3]);
        return false;
    }
    if (argc < 3) {
        hm_period_month_before(today, period);
        return true;
    }
    if (hm_period_parse("monthly", argv[2], NULL, period, err, sizeof err) != HM_OK) {
        cli_error("run monthly needs a month 'YYYY-MM' (2000-01 or later), not '%s'", argv[2]);
        return false;
    }
    if (period->first > today) {
        hm_date_format(today, daystr);
        cli_error("month '%s' is in the future (today is %s)", argv[2], daystr);
        return false;
    }
    return true;
}

int cmd_run(int argc, char **argv, hm_cli *cli)
{
    char daystr[11], buf[32], buf2[32];
    char *procdir = NULL, *archroot = NULL, *failroot = NULL, *archdir = NULL, *faildir = NULL;
    char *monthdir = NULL;
    hm_period period;
    hm_log log = { .fd = -1 };
    run_totals t = { 0 };
    int lockfd = -1, code = HM_EXIT_OK, report_code = HM_EXIT_OK;
    long holder = 0;
    hm_strbuf line = HM_STRBUF_INIT;

    int32_t today = hm_today();
    if (!run_month(argc, argv, today, &period))
        return HM_EXIT_USAGE;
    hm_date_format(today, daystr);
    const char *month = period.label;

    if (hm_log_open(&log, cli->log) != HM_OK) {
        cli_error("cannot open the log '%s': %s", cli->log, strerror(errno));
        printf("himama run monthly %s: FAILED: cannot open the log '%s'\n", month, cli->log);
        return HM_EXIT_USAGE;
    }
    cli_set_log(&log);
    const char *dbbase = hm_path_base(cli->db);
    if (dbbase != cli->db) {
        /* The database's folder, on a fresh install (the lock lives there). */
        char *dbdir = hm_xstrndup(cli->db, (size_t)(dbbase - cli->db));
        if (hm_mkdirs(dbdir) != HM_OK)
            hm_log_printf(&log, "cannot create folder '%s': %s", dbdir, strerror(errno));
        free(dbdir);
    }
    hm_error rc = hm_db_lock(cli->db, &lockfd, &holder);
    if (rc != HM_OK) {
        if (rc == HM_ELOCKED) {
            cli_error("database '%s' is in use by another himama process (pid %ld)", cli->db,
                      holder);
            hm_strbuf_addf(&line, "database in use by another himama process (pid %ld)",
                           holder);
            code = HM_EXIT_LOCKED;
        } else {
            cli_error("cannot create the lock file beside '%s'", cli->db);
            hm_strbuf_addf(&line, "cannot create the lock file beside '%s'", cli->db);
            code = HM_EXIT_FAIL;
        }
        goto out;
    }
    hm_log_printf(&log, "run monthly %s started: inbox '%s', database '%s', out '%s'", month,
                  cli->inbox, cli->db, cli->out);

    procdir = hm_inbox_sibling(cli->inbox, "processing");
    archroot = hm_inbox_sibling(cli->inbox, "archive");
    failroot = hm_inbox_sibling(cli->inbox, "failed");
    archdir = hm_path_join(archroot, daystr);
    faildir = hm_path_join(failroot, daystr);
    if (hm_mkdirs(procdir) != HM_OK) {
        cli_error("cannot create folder '%s': %s", procdir, strerror(errno));
        hm_strbuf_addf(&line, "cannot create folder '%s'", procdir);
        code = HM_EXIT_FAIL;
        goto out;
    }
    code = take_inbox(&log, cli, procdir, faildir, &t);
    if (code == HM_EXIT_USAGE) {
        hm_strbuf_addf(&line, "inbox '%s' does not exist", cli->inbox);
        goto out;
    }
    raise_to(&code, ingest_processing(&log, cli, procdir, archdir, faildir, &t));

    if (t.files == 0) {
        hm_log_printf(&log, "the inbox is empty: no new data; writing the reports");
        hm_strbuf_adds(&line, "inbox empty, no new data");
    } else {
        hm_strbuf_addf(&line, "%zu file%s, %s rows, %s rejected", t.files,
                       t.files == 1 ? "" : "s", fmt_count(t.rows, buf, sizeof buf),
                       fmt_count(t.rejected, buf2, sizeof buf2));
        if (t.skipped)
            hm_strbuf_addf(&line, ", %zu skipped as loaded before", t.skipped);
        if (t.failed)
            hm_strbuf_addf(&line, ", %zu rejected whole (see %s)", t.failed, faildir);
        if (t.held)
            hm_strbuf_addf(&line, ", %zu kept in %s", t.held, procdir);
    }

    raise_to(&report_code, run_report(&log, cli, &period, "internal"));
    raise_to(&report_code, run_report(&log, cli, &period, "public"));
    raise_to(&code, report_code);
    monthdir = hm_report_dir(cli->out, &period, NULL);
    if (report_code == HM_EXIT_OK)
        hm_strbuf_addf(&line, "; reports written to %s", monthdir);
    else
        hm_strbuf_addf(&line, "; reports NOT written (see %s)", cli->log);

out:
    if (hm_log_failed(&log)) {
        cli_error("cannot write the log '%s'", cli->log);
        raise_to(&code, HM_EXIT_FAIL);
    }
    hm_log_printf(&log, "run monthly %s finished, exit %d: %s", month, code, line.buf);
    cli_set_log(NULL);
    if (!hm_log_close(&log) && code < HM_EXIT_FAIL) {
        cli_error("cannot write the log '%s'", cli->log);
        code = HM_EXIT_FAIL;
    }
    hm_db_unlock(lockfd);
    printf("himama run monthly %s: %s%s\n", month, code == HM_EXIT_FAIL ? "FAILED: " : "",
           line.buf ? line.buf : "");
    if (fflush(stdout) != 0 && code < HM_EXIT_FAIL)
        code = HM_EXIT_FAIL;
    hm_strbuf_release(&line);
    free(procdir);
    free(archroot);
    free(failroot);
    free(archdir);
    free(faildir);
    free(monthdir);
    return code;
}
