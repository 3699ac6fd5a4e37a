/*
 * cli.h - what the command layer shares: global options, the subcommand
 * functions (pipeline/cli/cmd_*.c, dispatched from main.c's table) and
 * the helpers they print with (pipeline/cli/cli.c).  These are the only
 * places that print to the terminal or pick exit codes.
 */
#ifndef HIMAMA_CLI_H
#define HIMAMA_CLI_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama.h"
#include "himama/report_job.h"

typedef struct hm_cli {
    const char *db;         /* database file */
    const char *out;        /* output directory */
    const char *config;     /* config file, or NULL */
    const char *font;       /* CJK TrueType font, optionally "path:N" */
    const char *inbox;      /* run: inbox directory */
    const char *log;        /* run: log file */
    const char *org;        /* organisation name shown on reports */
    const char *lang;       /* "zh" or "en" */
    const char *datadir;    /* where queries/ and templates/ live */
    unsigned public_mode;   /* permission bits of public report files */
    long file_timeout;      /* run: seconds spent on one file at most (0: no limit) */
    const char *each;       /* run: the level of the packs beside the whole's reports
                               (town, district, city, province), NULL: none */
    bool quiet;
} hm_cli;

typedef int (*hm_cmd_fn)(int argc, char **argv, hm_cli *cli);

int cmd_init(int argc, char **argv, hm_cli *cli);
int cmd_ingest(int argc, char **argv, hm_cli *cli);
int cmd_report(int argc, char **argv, hm_cli *cli);
int cmd_run(int argc, char **argv, hm_cli *cli);
int cmd_synth(int argc, char **argv, hm_cli *cli);
int cmd_check(int argc, char **argv, hm_cli *cli);
int cmd_forms(int argc, char **argv, hm_cli *cli);
int cmd_rollup(int argc, char **argv, hm_cli *cli);

/* ---- cli.c ---- */

/* Print "himama: " and the message to stderr (and to the log, when set). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print to stderr unless --quiet (and to the log, when set, either way). */
void cli_note(const hm_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The ingest progress line on a terminal: file, rows, share of bytes read,
 * rows per second.  ctx points to the start time (int64_t seconds).
 */
void cli_progress(void *ctx, const char *file, long long rows, unsigned long long bytes,
                  unsigned long long total);

struct hm_log;

/*
 * Take the database's lock for a command that writes it (hm_db_lock):
 * HM_EXIT_OK with *lockfd set (release it with hm_db_unlock), or the exit
 * code with the reason printed (cli_error) and written into why, as one
 * line staff can act on: HM_EXIT_LOCKED when another himama process holds
 * it ("database 'DB' is in use by another himama process (pid N)"),
 * HM_EXIT_FAIL when the lock file cannot be made ("the lock file 'DB.lock'
 * is a link or not a regular file; remove it ...").
 */
int cli_lock(const hm_cli *cli, int *lockfd, char *why, size_t whysz);

/*
 * A reason for the log with its quoted values left out (from the first
 * quote to the last, as a value may hold quotes itself) into out: a reason
 * may quote a field, and the field may be a child's name.
 */
void cli_redact(const char *reason, char *out, size_t size);

/* How many warnings ingest id raised (its rows in the warnings table); 0
 * when id is 0 or the table cannot be read. */
long long cli_warnings_count(sqlite3 *db, long long id);

/*
 * The warnings of ingest id (total of them, from cli_warnings_count): the
 * first show on stderr as "  FILE:LINE: warning: REASON", then "... and N
 * more" when some were not shown; every one to log (when not NULL), its
 * quoted values left out (cli_redact).
 */
void cli_warnings_list(sqlite3 *db, long long id, long long total, size_t show,
                       struct hm_log *log);

/* ---- run_take.c: the files `run monthly` reads ---- */

/* Runs that may start reading one file: after that many died on it, the
 * next run sets it aside in failed/. */
#define CLI_RUN_MAX_TRIES 2

/* What a run did, for its summary line. */
typedef struct cli_run_totals {
    size_t files;            /* files found (inbox and leftovers) */
    size_t skipped;          /* identical to a file loaded before */
    size_t failed;           /* rejected whole, or not a CSV file */
    size_t held;             /* left in processing (database error) */
    long long rows, rejected, warnings;
} cli_run_totals;

/* A file in processing, open for reading. */
typedef struct cli_run_file {
    char *path;     /* its path in processing */
    int fd;         /* open on it (hm_open_input), or -1 */
    int order;      /* load order: -1 a workbook, else its kind's, else HM_NKINDS */
    int tries;      /* runs that started reading it before this one */
} cli_run_file;

/*
 * Move path into faildir (failed/DATE/) with a PATH.reason.txt saying
 * reason (in lang, "zh" or "en"), and log it.
 */
void cli_run_fail(struct hm_log *log, const char *path, const char *faildir,
                  const char *reason, const char *lang);

/*
 * The files a run reads, each opened once (never through a link) and
 * held open: those a killed run left in procdir (a file a run died on
 * twice goes to faildir instead), then the inbox's, moved into procdir.
 * What cannot be opened as a regular file, is not a .csv or .xlsx, or was
 * swapped while being moved goes to faildir with a reason.  *files (free
 * with cli_run_files_free) is in load order.  Returns the exit status of
 * the step: HM_EXIT_USAGE when the inbox does not exist.
 */
int cli_run_gather(struct hm_log *log, const hm_cli *cli, const char *procdir,
                   const char *faildir, cli_run_totals *t, cli_run_file **files, size_t *n);

/* Close and free what cli_run_gather returned. */
void cli_run_files_free(cli_run_file *files, size_t n);

/* While log is set (not NULL), cli_error and cli_note also write their
 * message to it, so that `run` keeps what its stages said. */
void cli_set_log(struct hm_log *log);

/*
 * A report job (report_job.h) with what the global options and the
 * environment give: database, output and data folders, font,
 * organisation, language, public_mode, HIMAMA_DOSSIER_PAGES and today.
 * The caller sets the period and audience (and may change the language
 * and template).
 */
void cli_report_job_init(const hm_cli *cli, hm_report_job *job);

/*
 * Say what hm_report_write (rc, err, res) came to for job: the warning
 * about characters the font lacks; on failure the reason, as "report KIND
 * PERIOD (AUDIENCE) not written: why" (a usage error alone).  Returns the
 * exit code: HM_EXIT_OK, HM_EXIT_USAGE for HM_EUSAGE, else HM_EXIT_FAIL.
 */
int cli_report_done(const hm_cli *cli, const hm_report_job *job, const hm_report_result *res,
                    hm_error rc, const char *err);

#endif
