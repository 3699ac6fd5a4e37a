/*
 * cmd_report.c - `himama report`.
 */
#include "himama.h"
#include "himama/cli.h"

int cmd_report(int argc, char **argv, hm_cli *cli)
{
    (void)argc;
    (void)argv;
    (void)cli;
    cli_error("'report' is not available yet");
    return HM_EXIT_USAGE;
}
