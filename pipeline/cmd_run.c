/*
 * cmd_run.c - `himama run`.
 */
#include "himama.h"
#include "himama/cli.h"

int cmd_run(int argc, char **argv, hm_cli *cli)
{
    (void)argc;
    (void)argv;
    (void)cli;
    cli_error("'run' is not available yet");
    return HM_EXIT_USAGE;
}
