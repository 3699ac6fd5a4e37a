/*
 * cli.c - the helpers every command prints with: errors and notes (copied
 * to run's log while it is set), the ingest progress line, and what the
 * two commands that write reports (report, run) share.
 */
#include "himama/cli.h"
#include "himama/log.h"
#include "himama/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
