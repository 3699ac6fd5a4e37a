/*
 * cli.h - what the command layer shares: global options and the
 * subcommand functions.  Only pipeline/main.c and pipeline/cmd_*.c use it;
 * these are the only places that print to the terminal or pick exit codes.
 */
#ifndef HIMAMA_CLI_H
#define HIMAMA_CLI_H

#include <stdbool.h>

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
    bool quiet;
    bool no_output_list;    /* report: do not list the files written (run sums up) */
} hm_cli;

typedef int (*hm_cmd_fn)(int argc, char **argv, hm_cli *cli);

int cmd_init(int argc, char **argv, hm_cli *cli);
int cmd_ingest(int argc, char **argv, hm_cli *cli);
int cmd_report(int argc, char **argv, hm_cli *cli);
int cmd_run(int argc, char **argv, hm_cli *cli);
int cmd_synth(int argc, char **argv, hm_cli *cli);
int cmd_check(int argc, char **argv, hm_cli *cli);
int cmd_forms(int argc, char **argv, hm_cli *cli);

/* Print the help text of command name (NULL: the overview) to stdout. */
void cli_help(const char *name);
/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);
/* Print "himama: " and the message to stderr, unless it is suppressed. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The ingest progress line on a terminal: file, rows, share of bytes read,
 * rows per second.  ctx points to the start time (int64_t seconds).
 */
void cli_progress(void *ctx, const char *file, long long rows, unsigned long long bytes,
                  unsigned long long total);
/* Print to stderr unless --quiet. */
void cli_note(const hm_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct hm_log;
/* While log is set (not NULL), cli_error and cli_note also write their
 * message to it, so that `run` keeps what its stages said. */
void cli_set_log(struct hm_log *log);

#endif
