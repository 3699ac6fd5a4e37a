/*
 * cmd_init.c - `himama init`: create or migrate the database.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/migrate.h"

#include <stdio.h>

int cmd_init(int argc, char **argv, hm_cli *cli)
{
    char err[512];
    sqlite3 *db = NULL;
    int lockfd = -1, from = 0;
    (void)argv;
    if (argc != 1) {
        cli_error("init takes no arguments");
        return HM_EXIT_USAGE;
    }
    int locked = cli_lock(cli, &lockfd, err, sizeof err);
    if (locked != HM_EXIT_OK)
        return locked;
    hm_error rc;
    int exit_code = HM_EXIT_OK;
    if ((rc = hm_db_open(cli->db, true, &db, err, sizeof err)) != HM_OK ||
        (rc = hm_db_migrate(db, cli->datadir, &from, err, sizeof err)) != HM_OK) {
        cli_error("%s", err);
        exit_code = HM_EXIT_FAIL;
    } else if (from == 0) {
        cli_note(cli, "created database '%s' (schema version %d)\n", cli->db, HM_SCHEMA_VERSION);
    } else if (from < HM_SCHEMA_VERSION) {
        cli_note(cli, "migrated database '%s' from schema version %d to %d\n", cli->db, from,
                 HM_SCHEMA_VERSION);
    } else {
        cli_note(cli, "database '%s' is up to date (schema version %d)\n", cli->db, from);
    }
    sqlite3_close(db);
    hm_db_unlock(lockfd);
    return exit_code;
}
