/*
 * cmd_synth.c - `himama synth`.
 */
#include "himama.h"
#include "himama/cli.h"

int cmd_synth(int argc, char **argv, hm_cli *cli)
{
    (void)argc;
    (void)argv;
    (void)cli;
    cli_error("'synth' is not available yet");
    return HM_EXIT_USAGE;
}
