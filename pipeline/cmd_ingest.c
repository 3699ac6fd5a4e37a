/*
 * cmd_ingest.c - `himama ingest`.
 */
#include "himama.h"
#include "himama/cli.h"

int cmd_ingest(int argc, char **argv, hm_cli *cli)
{
    (void)argc;
    (void)argv;
    (void)cli;
    cli_error("'ingest' is not available yet");
    return HM_EXIT_USAGE;
}
