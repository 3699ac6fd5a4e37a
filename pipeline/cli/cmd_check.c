/*
 * cmd_check.c - `himama check`: integrity and consistency checks; exit 0
 * only when every check holds (warnings do not fail it).
 */
#include "himama.h"
#include "himama/check.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/util.h"

#include <stdio.h>
#include <string.h>

typedef struct report_ctx {
    const hm_cli *cli;
    long shown_warnings;
} report_ctx;

/* Print one check outcome on stdout. */
static void show(void *ctx, const char *check, bool warning, const char *message)
{
    report_ctx *r = ctx;
    if (!message) {
        if (!r->cli->quiet)
            printf("ok       %s\n", check);
        return;
    }
    if (warning) {
        /* A long list of warnings is summarised after the first few. */
        if (r->shown_warnings++ < 20)
            printf("warning  %s: %s\n", check, message);
        return;
    }
    printf("FAILED   %s: %s\n", check, message);
}

int cmd_check(int argc, char **argv, hm_cli *cli)
{
    char err[1024], today[11];
    sqlite3 *db = NULL;
    (void)argv;
    if (argc != 1) {
        cli_error("check takes no arguments");
        return HM_EXIT_USAGE;
    }
    if (hm_db_open(cli->db, false, &db, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        return HM_EXIT_FAIL;
    }
    if (hm_db_require_current(db, cli->db, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        sqlite3_close(db);
        return HM_EXIT_FAIL;
    }
    hm_db_reader_cache(db);
    hm_date_format(hm_today(), today);
    report_ctx r = { cli, 0 };
    hm_check_totals t;
    int exit_code = HM_EXIT_OK;
    if (hm_check_run(db, cli->datadir, today, show, &r, &t, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        exit_code = HM_EXIT_FAIL;
    } else {
        if (r.shown_warnings > 20)
            printf("warning  ... and %ld more warnings\n", r.shown_warnings - 20);
        printf("%ld checks: %ld failed (%ld violations), %ld warnings\n", t.checks, t.failed,
               t.violations, t.warnings);
        if (t.failed)
            exit_code = HM_EXIT_FAIL;
    }
    sqlite3_close(db);
    return exit_code;
}
