/*
 * cmd_rollup.c - `himama rollup [--level district|city|province] [--force]
 * CODE=DATABASE ...`: load each district's database into this one, its IDs
 * qualified by its code, one transaction per district (store/rollup.c).
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/rollup.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: himama rollup [--level district|city|province] [--force] CODE=DATABASE ...";

int cmd_rollup(int argc, char **argv, hm_cli *cli)
{
    char err[1024];
    const char *level = "district";
    bool force = false;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (strcmp(argv[i], "--level") == 0 && i + 1 < argc) {
            level = argv[++i];
        } else if (strncmp(argv[i], "--level=", 8) == 0) {
            level = argv[i] + 8;
        } else if (argv[i][0] == '-') {
            cli_error("rollup: unknown option '%s'\n%s", argv[i], usage);
            return HM_EXIT_USAGE;
        } else if (!strchr(argv[i], '=') || argv[i][0] == '=') {
            cli_error("rollup: '%s' is not CODE=DATABASE\n%s", argv[i], usage);
            return HM_EXIT_USAGE;
        } else {
            n++;
        }
    }
    if (n == 0) {
        cli_error("%s", usage);
        return HM_EXIT_USAGE;
    }
    int lockfd = -1, from = 0;
    int locked = cli_lock(cli, &lockfd, err, sizeof err);
    if (locked != HM_EXIT_OK)
        return locked;
    sqlite3 *db = NULL;
    int exit_code = HM_EXIT_OK;
    if (hm_db_open(cli->db, true, &db, err, sizeof err) != HM_OK ||
        hm_db_migrate(db, cli->datadir, &from, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        exit_code = HM_EXIT_FAIL;
    }
    for (int i = 1; i < argc && exit_code == HM_EXIT_OK; i++) {
        if (argv[i][0] == '-') {
            i += strcmp(argv[i], "--level") == 0;
            continue;
        }
        char code[64];
        const char *eq = strchr(argv[i], '=');
        snprintf(code, sizeof code, "%.*s", (int)(eq - argv[i]), argv[i]);
        hm_rollup_opts o = { .code = code, .path = eq + 1, .level = level,
                             .datadir = cli->datadir, .force = force };
        hm_rollup_result r;
        hm_error rc = hm_rollup_district(db, &o, &r, err, sizeof err);
        if (rc != HM_OK) {
            cli_error("rollup: %s: %s", code, err);
            exit_code = rc == HM_EUSAGE ? HM_EXIT_USAGE : HM_EXIT_FAIL;
            break;
        }
        cli_note(cli, "%s: %s from '%s' (SHA-256 %.12s, schema version %d, last ingest %s): "
                 "%lld rows\n", code, r.status, o.path, r.sha256, r.version,
                 r.last_ingest[0] ? r.last_ingest : "none", r.rows);
    }
    sqlite3_close(db);
    hm_db_unlock(lockfd);
    return exit_code;
}
