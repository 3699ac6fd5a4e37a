/*
 * cmd_check.c - `himama check`.
 */
#include "himama.h"
#include "himama/cli.h"

int cmd_check(int argc, char **argv, hm_cli *cli)
{
    (void)argc;
    (void)argv;
    (void)cli;
    cli_error("'check' is not available yet");
    return HM_EXIT_USAGE;
}
