/*
 * cmd_report.c - `himama report KIND PERIOD [--audience A] [--lang L]
 * [--template NAME]`, KIND one of monthly (YYYY-MM), halfyear
 * (YYYY-H1|YYYY-H2, public by default), annual (YYYY) and range
 * (YYYY-MM-DD YYYY-MM-DD); and `himama report child CHILD_ID` or `himama
 * report child --town CODE`, a child's record (一人一档, record.h) or all
 * the records of a town's children, internal only.  --unit CODE restricts a
 * report to one unit (a town, district, city or province, and all below
 * it), --each LEVEL writes the whole's report and one per unit of LEVEL
 * with units/index.xlsx (report_job.h).  The annual report also writes nominations.xlsx
 * and dossiers.pdf (nominate.h), from templates/nomination.conf; a long
 * shortlist's dossiers take several files, dossiers-1.pdf, dossiers-2.pdf,
 * ... (HIMAMA_DOSSIER_PAGES pages each, by default HM_DOSSIER_PAGES).
 *
 * This file parses the options into a report job and lists the files it
 * wrote; the job itself (threads, temporaries, manifest, commit) is
 * hm_report_write's (report_job.h).  On failure one line says why and the
 * exit status is 3; 1 for a usage error, which includes a child or town
 * the database does not hold (the command named nothing there is to
 * report on, as a period in the future).
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/period.h"
#include "himama/report_job.h"
#include "himama/util.h"

#include <stdio.h>
#include <string.h>

/* The command line's words: the kind, its one or two period arguments, the options. */
typedef struct report_args {
    const char *kind, *arg1, *arg2;
    const char *audience, *lang, *tmpl_name;
    const char *town;            /* child --town CODE */
    const char *unit, *each;     /* --unit CODE, --each LEVEL (report_job.h) */
} report_args;

/* Sort argv into a; false with a message printed on a usage error. */
static bool parse_args(int argc, char **argv, report_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        if (strcmp(s, "--audience") == 0)
            dst = &a->audience;
        else if (strcmp(s, "--lang") == 0)
            dst = &a->lang;
        else if (strcmp(s, "--template") == 0)
            dst = &a->tmpl_name;
        else if (strcmp(s, "--town") == 0)
            dst = &a->town;
        else if (strcmp(s, "--unit") == 0)
            dst = &a->unit;
        else if (strcmp(s, "--each") == 0)
            dst = &a->each;
        if (dst) {
            if (i + 1 >= argc) {
                cli_error("option '%s' needs a value", s);
                return false;
            }
            *dst = argv[++i];
        } else if (strncmp(s, "--audience=", 11) == 0) {
            a->audience = s + 11;
        } else if (strncmp(s, "--lang=", 7) == 0) {
            a->lang = s + 7;
        } else if (strncmp(s, "--template=", 11) == 0) {
            a->tmpl_name = s + 11;
        } else if (strncmp(s, "--town=", 7) == 0) {
            a->town = s + 7;
        } else if (strncmp(s, "--unit=", 7) == 0) {
            a->unit = s + 7;
        } else if (strncmp(s, "--each=", 7) == 0) {
            a->each = s + 7;
        } else if (s[0] == '-' && s[1]) {
            cli_error("unknown option '%s' (see 'himama help report')", s);
            return false;
        } else if (!a->kind) {
            a->kind = s;
        } else if (!a->arg1) {
            a->arg1 = s;
        } else if (!a->arg2) {
            a->arg2 = s;
        } else {
            cli_error("unexpected argument '%s' (see 'himama help report')", s);
            return false;
        }
    }
    return true;
}

/*
 * The period of a record (`report child CHILD_ID` or `report child --town
 * CODE`) into job; false with a message printed on a usage error.
 */
static bool record_period(const report_args *a, hm_report_job *job)
{
    char err[512] = "";
    if (a->audience && strcmp(a->audience, "internal") != 0) {
        cli_error("a child's record is internal only: it holds names, guardians, schools "
                  "and phone numbers (no --audience %s)", a->audience);
        return false;
    }
    if (a->arg2 || (a->arg1 && a->town) || (!a->arg1 && !a->town)) {
        cli_error("report child needs one child's id, or --town CODE for every child of a "
                  "town");
        return false;
    }
    if (a->town && !*a->town) {
        cli_error("--town needs a town's code");
        return false;
    }
    job->child = a->town ? NULL : a->arg1;
    job->town = a->town;
    if (hm_period_record(job->child, job->town, job->today, &job->period, err,
                         sizeof err) != HM_OK) {
        cli_error("%s", err);
        return false;
    }
    return true;
}

int cmd_report(int argc, char **argv, hm_cli *cli)
{
    report_args a = { .lang = cli->lang };
    hm_report_job job;
    hm_report_result res;
    char err[1024] = "", today[11];

    if (!parse_args(argc, argv, &a))
        return HM_EXIT_USAGE;
    if (!a.kind) {
        cli_error("report needs a kind: monthly, halfyear, annual, range or child");
        return HM_EXIT_USAGE;
    }
    cli_report_job_init(cli, &job);
    if (strcmp(a.kind, "child") == 0) {
        if (!record_period(&a, &job))
            return HM_EXIT_USAGE;
    } else if (a.town) {
        cli_error("--town is for 'report child' only");
        return HM_EXIT_USAGE;
    } else if (hm_period_parse(a.kind, a.arg1, a.arg2, &job.period, err, sizeof err) != HM_OK) {
        cli_error("%s", err);
        return HM_EXIT_USAGE;
    }
    if (job.period.first > job.today) {
        hm_date_format(job.today, today);
        cli_error("period '%s' starts in the future (today is %s)", job.period.label, today);
        return HM_EXIT_USAGE;
    }
    /* Symposium materials are shown to an audience: public unless asked. */
    job.audience = a.audience ? a.audience
                              : job.period.kind == HM_PERIOD_HALFYEAR ? "public" : "internal";
    if (job.period.kind == HM_PERIOD_RECORD)
        job.audience = "internal";
    job.lang = a.lang;
    job.template_name = a.tmpl_name;
    job.unit = a.unit;
    job.each = a.each;

    hm_error rc = hm_report_write(&job, &res, err, sizeof err);
    int code = cli_report_done(cli, &job, &res, rc, err);
    for (size_t i = 0; rc == HM_OK && i < res.nfiles; i++)
        printf("%s\n", res.files[i]);
    hm_report_result_release(&res);
    return code;
}
