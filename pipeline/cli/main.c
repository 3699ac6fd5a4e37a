/*
 * main.c - himama's command line: global options, configuration, and the
 * table that maps subcommands to their functions (cmd_*.c, one per
 * command).  Stages live in their own modules and the commands' shared
 * helpers in cli.c; this file only parses, dispatches and returns exit
 * codes.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/config.h"
#include "himama/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct cmd {
    const char *name;
    hm_cmd_fn fn;
    const char *usage;
    const char *help;
} cmd;

static const cmd commands[] = {
    { "init", cmd_init, "init",
      "Create the database, or migrate it to this version's schema.\n" },
    { "ingest", cmd_ingest, "ingest [--force] FILE|DIR...",
      "Load CSV files and Excel workbooks into the database, one transaction\n"
      "per file (per sheet of a workbook).  A DIR loads every *.csv and *.xlsx\n"
      "in it (other files are not read), workbooks first, then in dependency\n"
      "order (towns, children, volunteers, pairings, then the rest).  A file\n"
      "identical to one already loaded is skipped unless --force is given.\n"
      "Rejected rows are listed in OUT/rejects/ID-FILE.rejects.csv with line,\n"
      "column and reason.  Each file's summary line says how many warnings it\n"
      "raised (an unknown column, a repeated header line) and shows the first\n"
      "five.\n"
      "Exit: 0 all rows loaded, 2 some rows rejected, 3 a file rejected whole.\n" },
    { "report", cmd_report,
      "report monthly YYYY-MM | halfyear YYYY-H1|YYYY-H2 | annual YYYY |\n"
      "       range YYYY-MM-DD YYYY-MM-DD | child CHILD_ID | child --town CODE\n"
      "       [--audience internal|public] [--lang zh|en] [--template NAME]",
      "Write a report to OUT/KIND/PERIOD/AUDIENCE/: briefing.pdf, tables.xlsx\n"
      "and manifest.json.  The kinds, with the audience each defaults to:\n"
      "  monthly YYYY-MM      internal  the month, and next month's to-do lists\n"
      "  halfyear YYYY-H1|H2  public    symposium materials: trends, towns compared,\n"
      "                                 volunteers, training, needs, money, stories\n"
      "  annual YYYY          internal  the year, laid out as the half-year report;\n"
      "                                 also nominations.xlsx (scorecard, shortlist\n"
      "                                 per town, public notice list) and dossiers.pdf\n"
      "                                 (one page per shortlisted candidate; beyond\n"
      "                                 2,000 pages dossiers-1.pdf, dossiers-2.pdf ...),\n"
      "                                 scored by the rules in templates/nomination.conf\n"
      "  range FROM TO        internal  totals between two dates YYYY-MM-DD\n"      "  child CHILD_ID       internal  a child's record (一人一档) in OUT/child/CHILD_ID/:\n"
      "                                 record.pdf, record.xlsx; only internal\n"
      "  child --town CODE    internal  every child of the town in OUT/child/town-CODE/\n"
      "                                 records.pdf (a child per page or two), records.xlsx\n"
      "The public audience shows children by alias only, no phone, guardian,\n"
      "school or class teacher, and counts under 3 as \"<3\".  The language is\n"
      "--lang, else HIMAMA_LANG, else config 'language', else zh.  --template\n"
      "NAME uses templates/NAME.LANG.tmpl (or a file, when NAME has a '/').\n"
      "Files appear whole or not at all; a report that cannot be written leaves\n"
      "the previous one in place and exits 3.\n" },
    { "run", cmd_run, "run monthly [YYYY-MM]",
      "For cron: ingest the inbox, then write the monthly report (default:\n"
      "the month before today) for both audiences.  Files move from the inbox\n"
      "to processing/, then to archive/YYYY-MM-DD/ once loaded (with their\n"
      "rejects file) or to failed/YYYY-MM-DD/ with a .reason.txt when rejected\n"
      "whole; these folders sit beside the inbox.  Only *.csv and *.xlsx are\n"
      "read; other files, links, FIFOs and devices go to failed/ with a reason\n"
      "(a link is never followed).  A file is read for at most file_timeout\n"
      "(config, default 10m); a file a run died on is tried once more, then\n"
      "set aside in failed/.  One summary line on stdout, the files with\n"
      "warnings on stderr, the detail and every warning in the log file\n"
      "(config 'log').  Holds the database's lock.\n"
      "Exit: the highest of 0 ok, 2 rows rejected, 3 a file rejected whole or a\n"
      "report not written, 4 another himama process holds the database.\n" },
    { "synth", cmd_synth,
      "synth --scale district|city|nation [--seed N] [--errors] [--per-district]\n"
      "       [--until YYYY-MM-DD] DIR",
      "Write a deterministic synthetic data set in the input contract's format.\n"
      "--errors adds a known number of bad rows of each kind and lists them in\n"
      "DIR/expected-rejects.tsv; --until sets the last day of the data (default:\n"
      "the last day of the month before today).  --per-district writes one data\n"
      "set per district into DIR/CODE/ (district or city scale), for rollup.\n" },
    { "forms", cmd_forms, "forms DIR",
      "Write DIR/intake.xlsx: an Excel form per kind of input with dropdowns, date\n"
      "and number checks, and a roster of current children and volunteers.\n" },
    { "rollup", cmd_rollup, "rollup [--level district|city|province] [--force] CODE=DATABASE ...",
      "Load each district's whole database into this one, its IDs qualified by\n"
      "its code (CODE:ID), one transaction per district; a district rolled up\n"
      "before is replaced by a changed file, an unchanged one is skipped, an\n"
      "older one refused without --force.  The district's file is never\n"
      "modified (an older schema is migrated in a copy).  --level says what the\n"
      "databases are (default district): their towns with that level empty get\n"
      "CODE there.  Holds the database's lock.\n" },
    { "check", cmd_check, "check",
      "Integrity and consistency checks; exit 0 only when all hold.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Print the help text of command name (NULL: the overview) to stdout. */
static void cli_help(const char *name)
{
    const cmd *c = name ? find_command(name) : NULL;
    if (c) {
        printf("usage: himama [global options] %s\n\n%s", c->usage, c->help);
        return;
    }
    printf("usage: himama [--db FILE] [--out DIR] [--config FILE] [--quiet] COMMAND ...\n\n"
           "Reports and analytics for a caring-mothers (爱心妈妈) pairing programme.\n\n"
           "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %s\n", commands[i].usage);
    printf("  help COMMAND\n  version\n\n"
           "environment: HIMAMA_DB, HIMAMA_OUT, HIMAMA_FONT (path, ':N' for a .ttc face),\n"
           "  HIMAMA_CONFIG, HIMAMA_INBOX, HIMAMA_LOG, HIMAMA_ORG, HIMAMA_LANG,\n"
           "  HIMAMA_DATADIR, HIMAMA_PUBLIC_MODE, HIMAMA_QUIET (see 'man himama')\n"
           "defaults: ./himama.db, ./out, the WenQuanYi Micro Hei font\n"
           "exit status: 0 ok, 1 usage, 2 rows rejected, 3 failure, 4 database locked\n");
}

/* True when argv holds -h or --help (before any "--"). */
static bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

/* Take the value of option opt from argv[*i] ("--opt V" or "--opt=V"). */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int main(int argc, char **argv)
{
    hm_cli cli;
    hm_config cfg;
    const char *opt_db = NULL, *opt_out = NULL, *opt_config = NULL;
    bool quiet = false;
    int i, rc;

    umask(077);  /* children's data: the owner only */
    hm_timing_origin();
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *v;
        if ((v = option_value(argc, argv, &i, "--db")))
            opt_db = v;
        else if ((v = option_value(argc, argv, &i, "--out")))
            opt_out = v;
        else if ((v = option_value(argc, argv, &i, "--config")))
            opt_config = v;
        else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            quiet = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(NULL);
            return HM_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("himama %s\n", HIMAMA_VERSION);
            return HM_EXIT_OK;
        } else {
            cli_error("unknown global option '%s' (see 'himama help')", argv[i]);
            return HM_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_help(NULL);
        return HM_EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc && !find_command(argv[i + 1])) {
            cli_error("no such command '%s'", argv[i + 1]);
            return HM_EXIT_USAGE;
        }
        cli_help(i + 1 < argc ? argv[i + 1] : NULL);
        return HM_EXIT_OK;
    }
    if (strcmp(argv[i], "version") == 0) {
        printf("himama %s\n", HIMAMA_VERSION);
        return HM_EXIT_OK;
    }
    const cmd *c = find_command(argv[i]);
    if (!c) {
        cli_error("no such command '%s' (see 'himama help')", argv[i]);
        return HM_EXIT_USAGE;
    }
    if (cli_wants_help(argc - i, argv + i)) {
        cli_help(c->name);
        return HM_EXIT_OK;
    }

    hm_config_init(&cfg);
    char errbuf[512];
    if (hm_config_load(&cfg, opt_config, errbuf, sizeof errbuf) != HM_OK) {
        cli_error("%s", errbuf);
        hm_config_release(&cfg);
        return HM_EXIT_USAGE;
    }
    memset(&cli, 0, sizeof cli);
    cli.quiet = quiet || hm_config_bool(&cfg, "quiet", "HIMAMA_QUIET");
    cli.config = opt_config;
    cli.db = opt_db ? opt_db : hm_config_get(&cfg, "database", "HIMAMA_DB", "himama.db");
    cli.out = opt_out ? opt_out : hm_config_get(&cfg, "out", "HIMAMA_OUT", "out");
    cli.font = hm_config_get(&cfg, "font", "HIMAMA_FONT",
                             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:0");
    cli.inbox = hm_config_get(&cfg, "inbox", "HIMAMA_INBOX", "inbox");
    cli.log = hm_config_get(&cfg, "log", "HIMAMA_LOG", "himama.log");
    cli.org = hm_config_get(&cfg, "organisation", "HIMAMA_ORG", "");
    cli.lang = hm_config_get(&cfg, "language", "HIMAMA_LANG", "zh");
    cli.datadir = hm_config_datadir(&cfg, argv[0]);
    const char *mode = hm_config_get(&cfg, "public_mode", "HIMAMA_PUBLIC_MODE", "0640");
    if (hm_config_mode(mode, &cli.public_mode) != HM_OK) {
        cli_error("public_mode must be permission bits such as 0640 or 0644 "
                  "(read and write only), not '%s'", mode);
        hm_config_release(&cfg);
        return HM_EXIT_USAGE;
    }
    const char *timeout = hm_config_get(&cfg, "file_timeout", "HIMAMA_FILE_TIMEOUT", "10m");
    if (hm_config_duration(timeout, &cli.file_timeout) != HM_OK) {
        cli_error("file_timeout must be a whole number of seconds, or of minutes or hours "
                  "such as 10m or 1h, not '%s'", timeout);
        hm_config_release(&cfg);
        return HM_EXIT_USAGE;
    }

    const char *each = hm_config_get(&cfg, "each", "HIMAMA_EACH", "none");
    cli.each = strcmp(each, "none") == 0 || !*each ? NULL : each;

    rc = c->fn(argc - i, argv + i, &cli);
    hm_config_release(&cfg);
    return rc;
}
