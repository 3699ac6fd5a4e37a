/*
 * cmd_synth.c - `himama synth --scale district|city|nation [--seed N]
 * [--errors] [--per-district] [--until YYYY-MM-DD] [--quiet] DIR`: parse the options, run
 * the synth stage, print a summary of the files written on stderr.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/synth.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of option opt at argv[*i] ("--opt V" or "--opt=V"), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *matched)
{
    size_t n = strlen(opt);
    *matched = false;
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=') {
        *matched = true;
        return argv[*i] + n + 1;
    }
    if (argv[*i][n] == '\0') {
        *matched = true;
        return *i + 1 < argc ? argv[++*i] : NULL;
    }
    return NULL;
}

/* Columns s takes on a terminal: two for each CJK character, one for others. */
static size_t display_width(const char *s)
{
    size_t w = 0, n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (!k) {
            k = 1;
            cp = '?';
        }
        w += cp >= 0x1100 ? 2 : 1;
        i += k;
    }
    return w;
}

int cmd_synth(int argc, char **argv, hm_cli *cli)
{
    hm_synth_opts o;
    hm_synth_result res;
    const char *scale = NULL, *dir = NULL;
    bool quiet = cli->quiet, m;
    char err[512];

    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.until = hm_synth_default_until(hm_today());
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--scale", &m)) || m) {
            if (!v || !hm_synth_scale_parse(v, &o.scale)) {
                cli_error("synth: --scale takes district, city or nation");
                return HM_EXIT_USAGE;
            }
            scale = v;
        } else if ((v = opt_value(argc, argv, &i, "--seed", &m)) || m) {
            char *end;
            errno = 0;
            if (!v || !*v || *v == '-' || (o.seed = strtoull(v, &end, 10), errno) || *end) {
                cli_error("synth: --seed takes a non-negative integer, not '%s'", v ? v : "");
                return HM_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--until", &m)) || m) {
            if (!v || !hm_date_parse_iso(v, &o.until)) {
                cli_error("synth: --until takes a date YYYY-MM-DD, not '%s'", v ? v : "");
                return HM_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--errors") == 0) {
            o.errors = true;
        } else if (strcmp(argv[i], "--per-district") == 0) {
            o.per_district = true;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("synth: unknown option '%s'", argv[i]);
            return HM_EXIT_USAGE;
        } else if (dir) {
            cli_error("synth: one directory only ('%s' and '%s')", dir, argv[i]);
            return HM_EXIT_USAGE;
        } else {
            dir = argv[i];
        }
    }
    if (!scale || !dir) {
        cli_error("usage: himama synth --scale district|city|nation [--seed N] [--errors] "
                  "[--per-district] [--until YYYY-MM-DD] DIR");
        return HM_EXIT_USAGE;
    }
    if (o.until > hm_today()) {
        char d[11];
        hm_date_format(o.until, d);
        cli_error("synth: --until '%s' is after today; its rows would be rejected", d);
        return HM_EXIT_USAGE;
    }
    if (hm_mkdirs(dir) != HM_OK) {
        cli_error("synth: cannot create directory '%s'", dir);
        return HM_EXIT_FAIL;
    }
    o.dir = dir;
    hm_error rc = hm_synth_run(&o, &res, err, sizeof err);
    if (rc != HM_OK) {
        cli_error("synth: %s", err);
        hm_synth_result_release(&res);
        return rc == HM_EUSAGE ? HM_EXIT_USAGE : HM_EXIT_FAIL;
    }
    if (!quiet) {
        char d[11];
        hm_date_format(o.until, d);
        fprintf(stderr, "synth: %s scale, seed %llu, until %s, into '%s'\n",
                hm_synth_scale_name(o.scale), (unsigned long long)o.seed, d, dir);
        for (size_t i = 0; i < res.nfiles; i++) {
            const hm_synth_file *f = &res.files[i];
            size_t w = display_width(f->name);
            fprintf(stderr, "  %s%*s %-16s %-9s %10llu rows", f->name, w < 28 ? (int)(28 - w) : 0,
                    "", f->kind, f->encoding, (unsigned long long)f->rows);
            if (f->bad_rows)
                fprintf(stderr, " + %llu bad", (unsigned long long)f->bad_rows);
            fputc('\n', stderr);
        }
        fprintf(stderr, "  %llu files, %llu rows", (unsigned long long)res.nfiles,
                (unsigned long long)res.rows);
        if (res.bad_rows)
            fprintf(stderr, ", %llu bad rows listed in expected-rejects.tsv",
                    (unsigned long long)res.bad_rows);
        fputc('\n', stderr);
    }
    hm_synth_result_release(&res);
    return HM_EXIT_OK;
}
