/*
 * cmd_run.c - `himama run monthly [YYYY-MM]`: the cron job.
 *
 * Under the database's lock for the whole run:
 *   1. open every file once (never through a link) and move the inbox's
 *      into the processing folder (files left there by a run that was
 *      killed are picked up too; one a run died on twice is set aside),
 *      see run_take.c;
 *   2. read each through its descriptor in dependency order, marking it
 *      first (a run killed on it leaves the mark), for at most
 *      file_timeout, moving each to archive/DATE/ once its transaction is
 *      committed (its rejects file copied beside it), or to failed/DATE/
 *      with a .reason.txt when it was rejected whole or ran out of time; a
 *      file the database could not take stays in processing for the next
 *      run;
 *   3. write the monthly report for both audiences (hm_report_write, as
 *      `report monthly` does), the two at once on two cores.
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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
        cli_redact(reason ? reason : "", shown, sizeof shown);
        hm_log_printf(log, "%s:%lld:%s: rejected: %s", hm_path_base(file ? file : ""),
                      (long long)sqlite3_column_int64(st, 1), col ? col : "", shown);
    }
    sqlite3_finalize(st);
}

/*
 * The time a run spends on one file.  Ingest runs in this process, and
 * every row it keeps goes through SQLite: a progress handler on the
 * connection (every few thousand virtual machine steps) checks the
 * deadline, and once it has passed makes the running statement fail
 * (SQLITE_INTERRUPT); ingest then rolls the unit's transaction back and
 * returns the error, and the run rejects the file whole.  A statement is
 * stopped inside, so the check needs no help from ingest and no signal;
 * ingest's own progress callback and the end of each unit check it too.
 * (sqlite3_interrupt would not do: called between statements it is
 * forgotten when the next one starts.)  Work between two statements
 * (parsing) is bounded by ingest's own budgets, not by this clock.
 */
typedef struct run_clock {
    int64_t start;          /* first: cli_progress takes a pointer to it */
    bool tty;               /* draw the progress line */
    bool armed;             /* a file is being read under the deadline */
    double deadline;        /* CLOCK_MONOTONIC seconds */
    bool expired;
} run_clock;

/* Seconds on the monotonic clock. */
static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True (from then on) once the deadline of the file being read has passed. */
static bool clock_check(run_clock *c)
{
    if (c->armed && !c->expired && mono_now() >= c->deadline)
        c->expired = true;
    return c->armed && c->expired;
}

/* SQLite's progress handler: non-zero stops the running statement. */
static int clock_handler(void *ctx)
{
    return clock_check(ctx) ? 1 : 0;
}

/* Ingest's progress callback: the line on a terminal, and the deadline. */
static void run_progress(void *ctx, const char *file, long long rows, unsigned long long bytes,
                         unsigned long long total)
{
    run_clock *c = ctx;
    if (c->tty)
        cli_progress(&c->start, file, rows, bytes, total);
    clock_check(c);
}

/* What the units of one file came to (a workbook has one per sheet). */
typedef struct file_tally {
    hm_log *log;
    sqlite3 *db;
    cli_run_totals *t;
    run_clock *clock;
    size_t units, rejected_whole, rejected_rows;
    char reason[512];          /* why the last unit was rejected whole */
    char **rejects;            /* rejects files written */
    size_t nrejects;
} file_tally;

/* A loaded unit's warnings: counted, the first five on stderr beneath a
 * line that says how many, every one in the log. */
static long long unit_warnings(file_tally *f, const char *name, long long id)
{
    long long n = cli_warnings_count(f->db, id);
    if (n == 0)
        return 0;
    if (f->clock->tty)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "%s: %lld warning%s\n", hm_path_base(name), n, n == 1 ? "" : "s");
    cli_warnings_list(f->db, id, n, 5, f->log);
    f->t->warnings += n;
    return n;
}

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
                      "%lld unchanged, %lld rejected, %lld warnings",
                      hm_path_base(name), res->kind->name, res->encoding, res->rows_read,
                      res->rows_loaded, res->rows_updated, res->rows_unchanged,
                      res->rows_rejected, cli_warnings_count(f->db, res->id));
        unit_warnings(f, name, res->id);
        if (res->rows_rejected)
            log_rejects(f->log, f->db, res->id);
        if (res->rejects_path) {
            f->rejects = hm_xrealloc(f->rejects, (f->nrejects + 1) * sizeof *f->rejects);
            f->rejects[f->nrejects++] = hm_xstrdup(res->rejects_path);
        }
        break;
    }
    clock_check(f->clock);
}

/* What a run reads files with. */
typedef struct run_ctx {
    hm_log *log;
    const hm_cli *cli;
    sqlite3 *db;
    const char *procdir, *archdir, *faildir;
    cli_run_totals *t;
    run_clock clock;
} run_ctx;

/* Archive a file read (path) and copy its rejects files beside it. */
static int archive_file(run_ctx *r, const char *path, const file_tally *f)
{
    char *dst = NULL;
    int code = HM_EXIT_OK;
    if (hm_inbox_move(path, r->archdir, &dst) != HM_OK) {
        hm_log_printf(r->log, "%s: loaded but cannot be archived in '%s': %s",
                      hm_path_base(path), r->archdir, strerror(errno));
        cli_error("cannot move '%s' to '%s': %s", path, r->archdir, strerror(errno));
        return HM_EXIT_FAIL;
    }
    hm_log_printf(r->log, "%s: archived as %s", hm_path_base(path), dst);
    for (size_t i = 0; i < f->nrejects; i++) {
        char *copy = NULL;
        if (hm_inbox_copy(f->rejects[i], r->archdir, &copy) == HM_OK) {
            hm_log_printf(r->log, "%s: rejects in %s and %s", hm_path_base(path),
                          f->rejects[i], copy);
        } else {
            hm_log_printf(r->log, "%s: cannot copy '%s' to the archive: %s",
                          hm_path_base(path), f->rejects[i], strerror(errno));
            code = HM_EXIT_FAIL;
        }
        free(copy);
    }
    free(dst);
    return code;
}

/* Why a file that ran out of time was rejected, into buf. */
static void timeout_reason(const run_ctx *r, const file_tally *f, char *buf, size_t size)
{
    long s = r->cli->file_timeout;
    char took[48];
    if (s % 60 == 0)
        snprintf(took, sizeof took, "%ld minute%s", s / 60, s == 60 ? "" : "s");
    else
        snprintf(took, sizeof took, "%ld second%s", s, s == 1 ? "" : "s");
    snprintf(buf, size, "reading it took longer than file_timeout (%s), so it was stopped%s; "
             "split it into smaller files, or raise file_timeout in himama.conf", took,
             f->units ? " (its sheets read before then were loaded, the rest not)"
                      : " and nothing of it was loaded");
}

/*
 * Read one file of processing through its descriptor (a CSV file, or a
 * workbook whose sheets are units of their own), marked as tried first,
 * then archive it, or fail it when nothing of it could be read (every unit
 * rejected whole) or it ran out of time.
 */
static int run_one(run_ctx *r, cli_run_file *file, const hm_ingest_opts *o)
{
    char err[1024] = "";
    const char *name = hm_path_base(file->path);
    int code = HM_EXIT_OK, tries = file->tries + 1;
    file_tally f = { .log = r->log, .db = r->db, .t = r->t, .clock = &r->clock };
    /* Durably, before reading: a run killed on this file leaves the mark. */
    if (hm_inbox_set_tries(r->procdir, name, tries) != HM_OK)
        hm_log_printf(r->log, "%s: cannot mark it as being read: %s", name, strerror(errno));
    if (tries > 1)
        hm_log_printf(r->log, "%s: reading (try %d of %d)", name, tries, CLI_RUN_MAX_TRIES);
    else
        hm_log_printf(r->log, "%s: reading", name);
    r->clock.start = (int64_t)time(NULL);
    r->clock.deadline = mono_now() + (double)r->cli->file_timeout;
    r->clock.armed = r->cli->file_timeout > 0;
    r->clock.expired = false;
    hm_error rc = hm_ingest_fd(r->db, file->fd, file->path, o, run_unit_done, &f, err,
                               sizeof err);
    r->clock.armed = false;
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    close(file->fd);
    file->fd = -1;
    if (r->clock.tty)
        fputs("\r\033[K", stderr);
    if (rc != HM_OK && r->clock.expired) {
        char reason[512];
        timeout_reason(r, &f, reason, sizeof reason);
        r->t->failed++;
        cli_run_fail(r->log, file->path, r->faildir, reason, r->cli->lang);
        code = HM_EXIT_FAIL;
    } else if (rc != HM_OK) {
        /* The transaction was rolled back: keep the file for the next run. */
        hm_log_printf(r->log, "%s: not loaded, kept in processing: %s", name, err);
        cli_error("%s: %s", file->path, err);
        r->t->held++;
        code = HM_EXIT_FAIL;
    } else if (f.units > 0 && f.rejected_whole == f.units) {
        r->t->failed++;
        cli_run_fail(r->log, file->path, r->faildir, f.reason, r->cli->lang);
        code = HM_EXIT_FAIL;
    } else {
        if (f.rejected_whole)
            raise_to(&code, HM_EXIT_FAIL);
        raise_to(&code, archive_file(r, file->path, &f));
        if (f.rejected_rows)
            raise_to(&code, HM_EXIT_ROWS);
    }
    /* The run did not die on it: whether it left processing or not. */
    hm_inbox_clear_tries(r->procdir, name);
    for (size_t i = 0; i < f.nrejects; i++)
        free(f.rejects[i]);
    free(f.rejects);
    return code;
}

/* Read the files gathered; returns the exit status of the stage. */
static int ingest_processing(run_ctx *r, cli_run_file *files, size_t nfiles)
{
    char err[1024];
    char *rejects_dir = NULL;
    int code = HM_EXIT_OK, from = 0;
    const hm_cli *cli = r->cli;

    if (hm_db_open(cli->db, true, &r->db, err, sizeof err) != HM_OK ||
        hm_db_migrate(r->db, cli->datadir, &from, err, sizeof err) != HM_OK) {
        hm_log_printf(r->log, "%s", err);
        cli_error("%s", err);
        r->t->held += nfiles;
        code = HM_EXIT_FAIL;
        goto out;
    }
    if (from == 0)
        hm_log_printf(r->log, "created database '%s'", cli->db);
    rejects_dir = hm_path_join(cli->out, "rejects");
    if (hm_ingest_recover(r->db, rejects_dir, err, sizeof err) != HM_OK) {
        hm_log_printf(r->log, "%s", err);
        cli_error("%s", err);
        r->t->held += nfiles;
        code = HM_EXIT_FAIL;
        goto out;
    }
    sqlite3_progress_handler(r->db, 4096, clock_handler, &r->clock);
    r->clock.tty = !cli->quiet && isatty(STDERR_FILENO);
    hm_ingest_opts o = { .rejects_dir = rejects_dir, .today = hm_today(),
                         .progress = run_progress, .progress_ctx = &r->clock,
                         .cache = hm_ingest_cache_new() };
    for (size_t f = 0; f < nfiles; f++)
        raise_to(&code, run_one(r, &files[f], &o));
    hm_ingest_cache_free(o.cache);
out:
    sqlite3_close(r->db);
    r->db = NULL;
    free(rejects_dir);
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

/* One audience's monthly report, as `report` writes it (run_reports). */
typedef struct report_task {
    hm_report_job job;
    hm_report_result res;
    hm_error rc;
    char err[1024];
} report_task;

static void *report_task_run(void *arg)
{
    report_task *t = arg;
    t->rc = hm_report_write(&t->job, &t->res, t->err, sizeof t->err);
    return NULL;
}

/*
 * Write the monthly report of month for both audiences, as `report` does,
 * the internal one in a second thread while this one writes the public
 * one (each has its own connection and files; on one core, or when no
 * thread can be made, one after the other).  What each did is told
 * afterwards, internal first.  Returns the higher exit code.
 */
static int run_reports(hm_log *log, const hm_cli *cli, const hm_period *month)
{
    static const char *const audiences[2] = { "internal", "public" };
    report_task t[2];
    char *dir[2];
    int code = HM_EXIT_OK;
    for (int i = 0; i < 2; i++) {
        memset(&t[i], 0, sizeof t[i]);
        cli_report_job_init(cli, &t[i].job);
        t[i].job.period = *month;
        t[i].job.audience = audiences[i];
        t[i].job.each = cli->each;   /* config each: the packs, beside the whole's reports */
        dir[i] = hm_report_dir(cli->out, month, audiences[i], NULL);
        sweep_temporaries(log, dir[i]);
    }
    pthread_t other;
    bool threaded = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
                    pthread_create(&other, NULL, report_task_run, &t[0]) == 0;
    if (!threaded)
        report_task_run(&t[0]);
    report_task_run(&t[1]);
    if (threaded)
        pthread_join(other, NULL);
    for (int i = 0; i < 2; i++) {
        int c = cli_report_done(cli, &t[i].job, &t[i].res, t[i].rc, t[i].err);
        if (c == HM_EXIT_OK)
            hm_log_printf(log, "report monthly %s (%s) written to %s", month->label,
                          audiences[i], dir[i]);
        else
            hm_log_printf(log, "report monthly %s (%s) NOT written (exit %d)", month->label,
                          audiences[i], c);
        hm_report_result_release(&t[i].res);
        free(dir[i]);
        raise_to(&code, c);
    }
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
    cli_run_totals t = { 0 };
    cli_run_file *files = NULL;
    size_t nfiles = 0;
    int lockfd = -1, code = HM_EXIT_OK, report_code = HM_EXIT_OK;
    hm_strbuf line = HM_STRBUF_INIT;

    int32_t today = hm_today();
    if (!run_month(argc, argv, today, &period))
        return HM_EXIT_USAGE;
    hm_date_format(today, daystr);
    const char *month = period.label;

    if (hm_log_open(&log, cli->log) != HM_OK) {
        if (errno == ELOOP || errno == EINVAL)
            cli_error("the log '%s' is a link or not a regular file: it is never written "
                      "through; remove it, or set 'log' in himama.conf", cli->log);
        else
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
    char why[1024];
    code = cli_lock(cli, &lockfd, why, sizeof why);
    if (code != HM_EXIT_OK) {
        hm_strbuf_adds(&line, why);
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
    code = cli_run_gather(&log, cli, procdir, faildir, &t, &files, &nfiles);
    if (code == HM_EXIT_USAGE) {
        hm_strbuf_addf(&line, "inbox '%s' does not exist", cli->inbox);
        goto out;
    }
    run_ctx r = { .log = &log, .cli = cli, .procdir = procdir, .archdir = archdir,
                  .faildir = faildir, .t = &t };
    raise_to(&code, ingest_processing(&r, files, nfiles));

    if (t.files == 0) {
        hm_log_printf(&log, "the inbox is empty: no new data; writing the reports");
        hm_strbuf_adds(&line, "inbox empty, no new data");
    } else {
        hm_strbuf_addf(&line, "%zu file%s, %s rows, %s rejected", t.files,
                       t.files == 1 ? "" : "s", fmt_count(t.rows, buf, sizeof buf),
                       fmt_count(t.rejected, buf2, sizeof buf2));
        if (t.warnings)
            hm_strbuf_addf(&line, ", %s warning%s", fmt_count(t.warnings, buf, sizeof buf),
                           t.warnings == 1 ? "" : "s");
        if (t.skipped)
            hm_strbuf_addf(&line, ", %zu skipped as loaded before", t.skipped);
        if (t.failed)
            hm_strbuf_addf(&line, ", %zu rejected whole (see %s)", t.failed, faildir);
        if (t.held)
            hm_strbuf_addf(&line, ", %zu kept in %s", t.held, procdir);
    }

    raise_to(&report_code, run_reports(&log, cli, &period));
    raise_to(&code, report_code);
    monthdir = hm_report_dir(cli->out, &period, NULL, NULL);
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
    cli_run_files_free(files, nfiles);
    free(procdir);
    free(archroot);
    free(failroot);
    free(archdir);
    free(faildir);
    free(monthdir);
    return code;
}
