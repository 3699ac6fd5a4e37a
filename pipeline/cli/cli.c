/*
 * cli.c - the helpers every command prints with: errors and notes (copied
 * to run's log while it is set), the ingest progress line, and what the
 * two commands that write reports (report, run) share.
 */
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/log.h"
#include "himama/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The log that cli_error and cli_note copy their messages to, or NULL. */
static hm_log *cli_log;

void cli_set_log(hm_log *log)
{
    cli_log = log;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    if (cli_log) {
        va_start(ap, fmt);
        hm_log_vprintf(cli_log, fmt, ap);
        va_end(ap);
    }
    fputs("himama: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_note(const hm_cli *cli, const char *fmt, ...)
{
    va_list ap;
    if (cli_log) {
        va_start(ap, fmt);
        hm_log_vprintf(cli_log, fmt, ap);
        va_end(ap);
    }
    if (cli->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void cli_progress(void *ctx, const char *file, long long rows, unsigned long long bytes,
                  unsigned long long total)
{
    const int64_t *start = ctx;
    int64_t secs = (int64_t)time(NULL) - *start;
    fprintf(stderr, "\r  %s: %lld rows, %3.0f%%, %lld rows/s   ", hm_path_base(file), rows,
            total ? 100.0 * (double)bytes / (double)total : 100.0,
            secs > 0 ? rows / secs : rows);
}

int cli_lock(const hm_cli *cli, int *lockfd, char *why, size_t whysz)
{
    long holder = 0;
    hm_error rc = hm_db_lock(cli->db, lockfd, &holder);
    if (rc == HM_OK)
        return HM_EXIT_OK;
    int code = HM_EXIT_LOCKED;
    if (rc == HM_ELOCKED) {
        snprintf(why, whysz, "database '%s' is in use by another himama process (pid %ld)",
                 cli->db, holder);
    } else {
        int e = errno;
        if (e == ELOOP || e == EINVAL)
            snprintf(why, whysz, "the lock file '%s.lock' is a link or not a regular file; "
                     "remove it and run again", cli->db);
        else
            snprintf(why, whysz, "cannot create the lock file '%s.lock': %s", cli->db,
                     strerror(e));
        code = HM_EXIT_FAIL;
    }
    cli_error("%s", why);
    return code;
}

void cli_redact(const char *reason, char *out, size_t size)
{
    const char *first = strchr(reason, '\'');
    const char *last = strrchr(reason, '\'');
    if (!first || first == last) {
        snprintf(out, size, "%.*s", first ? (int)(first - reason) : (int)strlen(reason), reason);
        return;
    }
    snprintf(out, size, "%.*s'...'%s", (int)(first - reason), reason, last + 1);
}

long long cli_warnings_count(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = NULL;
    long long n = 0;
    if (!db || id <= 0 ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM warnings WHERE ingest_id = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

void cli_warnings_list(sqlite3 *db, long long id, long long total, size_t show,
                       struct hm_log *log)
{
    sqlite3_stmt *st = NULL;
    size_t shown = 0;
    if (!db || id <= 0 || total <= 0)
        return;
    if (sqlite3_prepare_v2(db, "SELECT file, line, reason FROM warnings WHERE ingest_id = ? "
                           "ORDER BY line, id", -1, &st, NULL) != SQLITE_OK) {
        hm_log_printf(log, "cannot list the warnings: %s", sqlite3_errmsg(db));
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        const char *base = hm_path_base(file ? file : "");
        long long line = sqlite3_column_int64(st, 1);
        if (shown < show) {
            fprintf(stderr, "  %s:%lld: warning: %s\n", base, line, reason ? reason : "");
            shown++;
        }
        if (log) {
            char red[512];
            cli_redact(reason ? reason : "", red, sizeof red);
            hm_log_printf(log, "%s:%lld: warning: %s", base, line, red);
        } else if (shown >= show) {
            break;
        }
    }
    sqlite3_finalize(st);
    if ((long long)shown < total && show > 0)
        fprintf(stderr, "  ... and %lld more warning%s%s\n", total - (long long)shown,
                total - (long long)shown == 1 ? "" : "s",
                log ? " (all in the log)" : " (all in the database's warnings table)");
}

/* Dossier pages per file: HIMAMA_DOSSIER_PAGES when set to a whole number
 * from 1, else 0 (the default). */
static size_t dossier_pages(void)
{
    const char *v = getenv("HIMAMA_DOSSIER_PAGES");
    char *end;
    if (!v || !*v)
        return 0;
    unsigned long long n = strtoull(v, &end, 10);
    return *end == '\0' && n > 0 && n < 1000000000ull ? (size_t)n : 0;
}

void cli_report_job_init(const hm_cli *cli, hm_report_job *job)
{
    *job = (hm_report_job){
        .lang = cli->lang, .db_path = cli->db, .out_dir = cli->out, .datadir = cli->datadir,
        .font = cli->font, .org = cli->org, .public_mode = cli->public_mode,
        .dossier_pages = dossier_pages(), .today = hm_today(),
    };
}

int cli_report_done(const hm_cli *cli, const hm_report_job *job, const hm_report_result *res,
                    hm_error rc, const char *err)
{
    const char *kind = hm_period_kind_name(job->period.kind), *period = job->period.label;
    if (res && res->placeholders)
        cli_note(cli, "himama: warning: report %s %s (%s): %zu character%s the font lacks "
                 "drawn as a placeholder\n", kind, period, job->audience, res->placeholders,
                 res->placeholders == 1 ? "" : "s");
    if (rc == HM_OK)
        return HM_EXIT_OK;
    if (rc == HM_EUSAGE) {
        cli_error("%s", err);
        return HM_EXIT_USAGE;
    }
    cli_error("report %s %s (%s) not written: %s", kind, period,
              job->audience ? job->audience : "", err && err[0] ? err : hm_strerror(rc));
    return HM_EXIT_FAIL;
}
