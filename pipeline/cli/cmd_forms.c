/*
 * cmd_forms.c - `himama forms DIR`: write the Excel intake workbook
 * DIR/intake.xlsx, with town codes and the roster from the database when
 * there is one.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/forms.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_forms(int argc, char **argv, hm_cli *cli)
{
    char err[1024], today[11];
    sqlite3 *db = NULL;
    char *path = NULL;
    hm_forms_stats st;
    int exit_code = HM_EXIT_OK;

    if (argc != 2 || argv[1][0] == '-') {
        cli_error("usage: himama forms DIR");
        return HM_EXIT_USAGE;
    }
    const char *dir = argv[1];
    if (hm_mkdirs(dir) != HM_OK) {
        cli_error("cannot create directory '%s'", dir);
        return HM_EXIT_FAIL;
    }
    if (access(cli->db, F_OK) != 0) {
        cli_note(cli, "no database '%s': town codes will be free text and the roster empty\n",
                 cli->db);
    } else if (hm_db_open(cli->db, false, &db, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        return HM_EXIT_FAIL;
    } else if (hm_db_version(db) < 1) {
        cli_error("database '%s' has no schema yet (run 'himama init')", cli->db);
        sqlite3_close(db);
        return HM_EXIT_FAIL;
    }

    hm_date_format(hm_today(), today);
    hm_forms_options o = { .created = (time_t)hm_now(), .org = cli->org, .today = today };
    path = hm_path_join(dir, HM_FORMS_FILE);
    if (hm_forms_write(db, path, &o, &st, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        exit_code = HM_EXIT_FAIL;
    } else {
        cli_note(cli, "wrote %s: %zu sheets, %zu towns, %zu children and %zu volunteers "
                 "on the roster\n", path, st.sheets, st.towns, st.children, st.volunteers);
    }
    free(path);
    sqlite3_close(db);
    return exit_code;
}
