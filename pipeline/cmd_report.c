/*
 * cmd_report.c - `himama report KIND PERIOD [--audience A] [--lang L]
 * [--template NAME]`, KIND one of monthly (YYYY-MM), halfyear
 * (YYYY-H1|YYYY-H2, public by default), annual (YYYY) and range
 * (YYYY-MM-DD YYYY-MM-DD).  The annual report also writes nominations.xlsx
 * and dossiers.pdf (nominate.h), from templates/nomination.conf.
 *
 * aggregate -> render PDF and XLSX to temporary names beside the final
 * ones -> manifest.json (digests of the temporaries, which become the
 * final files unchanged) -> only when all three exist, rename them into
 * place.  On any failure the temporaries are removed, earlier reports are
 * left as they were, one line says why, and the exit status is 3.  All
 * queries and the manifest's input list run in one read transaction, so
 * they see one snapshot even while an ingest is writing.
 */
#include "himama.h"
#include "himama/aggregate.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/manifest.h"
#include "himama/nominate.h"
#include "himama/pdf.h"
#include "himama/perms.h"
#include "himama/report.h"
#include "himama/template.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NOUT = 5 };

/* Parse "YYYY-MM" into the month's first and last days; false if not a month. */
static bool parse_month(const char *s, char from[11], char to[11])
{
    int32_t d;
    char buf[16];
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    snprintf(buf, sizeof buf, "%s-01", s);
    if (!hm_date_parse_iso(buf, &d))
        return false;
    int y = atoi(s), m = atoi(s + 5);
    int32_t next = m == 12 ? hm_days_from_civil(y + 1, 1, 1) : hm_days_from_civil(y, m + 1, 1);
    hm_date_format(d, from);
    hm_date_format(next - 1, to);
    return y >= 2000;
}

/* Parse "YYYY-H1" or "YYYY-H2" into the half's first and last days. */
static bool parse_half(const char *s, char from[11], char to[11])
{
    if (strlen(s) != 7 || s[4] != '-' || s[5] != 'H' || (s[6] != '1' && s[6] != '2'))
        return false;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    int y = atoi(s);
    snprintf(from, 11, "%04d-%s", y, s[6] == '1' ? "01-01" : "07-01");
    snprintf(to, 11, "%04d-%s", y, s[6] == '1' ? "06-30" : "12-31");
    return y >= 2000;
}

/* Parse "YYYY" into the year's first and last days. */
static bool parse_year(const char *s, char from[11], char to[11])
{
    if (strlen(s) != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    int y = atoi(s);
    snprintf(from, 11, "%04d-01-01", y);
    snprintf(to, 11, "%04d-12-31", y);
    return y >= 2000;
}

/* Check the "YYYY-MM-DD" date s and copy it to out in canonical form. */
static bool parse_day(const char *s, char out[11])
{
    int32_t d;
    if (strlen(s) != 10 || !hm_date_parse_iso(s, &d))
        return false;
    hm_date_format(d, out);
    return strcmp(out, s) == 0 && strcmp(out, "2000-01-01") >= 0;
}

/*
 * The period of a report of kind: from, to and its name in the output path
 * into period (size 32).  arg2 is the second date of a range.  false with
 * a message printed when the arguments do not fit the kind.
 */
static bool parse_period(const char *kind, const char *arg, const char *arg2,
                         char from[11], char to[11], char *period, size_t periodsz)
{
    if (strcmp(kind, "range") == 0) {
        if (!arg || !arg2 || !parse_day(arg, from) || !parse_day(arg2, to)) {
            cli_error("range needs two dates 'YYYY-MM-DD YYYY-MM-DD' (2000-01-01 or later)");
            return false;
        }
        if (strcmp(from, to) > 0) {
            cli_error("range ends (%s) before it starts (%s)", to, from);
            return false;
        }
        snprintf(period, periodsz, "%s_%s", from, to);
        return true;
    }
    if (arg2) {
        cli_error("unexpected argument '%s' (see 'himama help report')", arg2);
        return false;
    }
    bool ok = false;
    const char *want = "";
    if (strcmp(kind, "monthly") == 0) {
        ok = arg && parse_month(arg, from, to);
        want = "a month 'YYYY-MM'";
    } else if (strcmp(kind, "halfyear") == 0) {
        ok = arg && parse_half(arg, from, to);
        want = "a half year 'YYYY-H1' or 'YYYY-H2'";
    } else if (strcmp(kind, "annual") == 0) {
        ok = arg && parse_year(arg, from, to);
        want = "a year 'YYYY'";
    }
    if (!ok) {
        cli_error("%s needs %s (2000 or later), not '%s'", kind, want, arg ? arg : "");
        return false;
    }
    snprintf(period, periodsz, "%s", arg);
    return true;
}

/* Split "path:N" into a path (caller frees) and a face index. */
static char *split_font(const char *spec, int *index)
{
    const char *colon = strrchr(spec, ':');
    *index = 0;
    if (colon && colon[1]) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (*end == '\0' && v >= 0 && v < 1000) {
            *index = (int)v;
            return hm_xstrndup(spec, (size_t)(colon - spec));
        }
    }
    return hm_xstrdup(spec);
}

/* Write text to a new file at path; HM_EIO on any error (checked at close). */
static hm_error write_text(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wbx");
    if (!fp)
        return HM_EIO;
    size_t n = fwrite(text, 1, len, fp);
    int bad = n != len || fflush(fp) != 0 || ferror(fp);
    if (fclose(fp) != 0)
        bad = 1;
    return bad ? HM_EIO : HM_OK;
}

/* True when s is "internal" or "public". */
static bool audience_ok(const char *s)
{
    return strcmp(s, "internal") == 0 || strcmp(s, "public") == 0;
}

/* The template file for name and lang (caller frees): a path when name has a '/'. */
static char *template_path(const hm_cli *cli, const char *name, const char *lang)
{
    if (strchr(name, '/'))
        return hm_xstrdup(name);
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_adds(&sb, cli->datadir);
    if (sb.len && sb.buf[sb.len - 1] != '/')
        hm_strbuf_addc(&sb, '/');
    hm_strbuf_addf(&sb, "templates/%s.%s.tmpl", name, lang);
    return hm_strbuf_detach(&sb);
}

int cmd_report(int argc, char **argv, hm_cli *cli)
{
    const char *kind = NULL, *arg1 = NULL, *arg2 = NULL, *audience = NULL, *lang = cli->lang;
    const char *tmpl_name = NULL;
    char from[11], to[11], today[11], period[32], err[1024] = "";
    char *tmpl_file = NULL, *dir = NULL, *font = NULL, *qdir = NULL, *conf_file = NULL;
    char *final[NOUT] = { NULL }, *tmp[NOUT] = { NULL };
    static const char *const bases[NOUT] = { "briefing.pdf", "tables.xlsx", "nominations.xlsx",
                                             "dossiers.pdf", "manifest.json" };
    char names[NOUT][40];
    hm_template *tmpl = NULL;
    hm_report *rep = NULL;
    hm_nomination_conf conf;
    sqlite3 *db = NULL;
    hm_strbuf json = HM_STRBUF_INIT;
    bool in_txn = false, annual;
    int exit_code = HM_EXIT_FAIL;
    hm_error rc;

    hm_nomination_conf_init(&conf);
    period[0] = '\0';
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (strcmp(a, "--audience") == 0)
            dst = &audience;
        else if (strcmp(a, "--lang") == 0)
            dst = &lang;
        else if (strcmp(a, "--template") == 0)
            dst = &tmpl_name;
        if (dst) {
            if (i + 1 >= argc) {
                cli_error("option '%s' needs a value", a);
                return HM_EXIT_USAGE;
            }
            *dst = argv[++i];
        } else if (strncmp(a, "--audience=", 11) == 0) {
            audience = a + 11;
        } else if (strncmp(a, "--lang=", 7) == 0) {
            lang = a + 7;
        } else if (strncmp(a, "--template=", 11) == 0) {
            tmpl_name = a + 11;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s' (see 'himama help report')", a);
            return HM_EXIT_USAGE;
        } else if (!kind) {
            kind = a;
        } else if (!arg1) {
            arg1 = a;
        } else if (!arg2) {
            arg2 = a;
        } else {
            cli_error("unexpected argument '%s' (see 'himama help report')", a);
            return HM_EXIT_USAGE;
        }
    }
    if (!kind) {
        cli_error("report needs a kind: monthly, halfyear, annual or range");
        return HM_EXIT_USAGE;
    }
    if (strcmp(kind, "monthly") != 0 && strcmp(kind, "halfyear") != 0 &&
        strcmp(kind, "annual") != 0 && strcmp(kind, "range") != 0) {
        cli_error("unknown report '%s' (monthly, halfyear, annual or range)", kind);
        return HM_EXIT_USAGE;
    }
    if (!parse_period(kind, arg1, arg2, from, to, period, sizeof period))
        return HM_EXIT_USAGE;
    annual = strcmp(kind, "annual") == 0;
    /* Symposium materials are shown to an audience: public unless asked. */
    if (!audience)
        audience = strcmp(kind, "halfyear") == 0 ? "public" : "internal";
    if (!tmpl_name)
        tmpl_name = kind;
    hm_date_format(hm_today(), today);
    if (strcmp(from, today) > 0) {
        cli_error("period '%s' starts in the future (today is %s)", period, today);
        return HM_EXIT_USAGE;
    }
    if (!audience_ok(audience)) {
        cli_error("audience must be 'internal' or 'public', not '%s'", audience);
        return HM_EXIT_USAGE;
    }
    if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0) {
        cli_error("language must be 'zh' or 'en', not '%s'", lang);
        return HM_EXIT_USAGE;
    }
    if (!strchr(tmpl_name, '/') && !hm_template_name_ok(tmpl_name)) {
        cli_error("template name '%s' may hold only a-z, 0-9 and '_' (or give a path)",
                  tmpl_name);
        return HM_EXIT_USAGE;
    }

    tmpl_file = template_path(cli, tmpl_name, lang);
    if ((rc = hm_template_load(tmpl_file, &tmpl, err, sizeof err)) != HM_OK)
        goto fail;
    if (annual) {
        conf_file = hm_path_join(cli->datadir, "templates/nomination.conf");
        if ((rc = hm_nomination_conf_load(conf_file, &conf, err, sizeof err)) != HM_OK)
            goto fail;
    }
    if ((rc = hm_db_open(cli->db, false, &db, err, sizeof err)) != HM_OK ||
        (rc = hm_db_require_current(db, cli->db, err, sizeof err)) != HM_OK)
        goto fail;
    hm_db_reader_cache(db);
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, sizeof err, "cannot read database '%s': %s", cli->db, sqlite3_errmsg(db));
        goto fail;
    }
    in_txn = true;
    qdir = hm_path_join(cli->datadir, "queries");
    hm_aggregate_params ap = {
        .kind = kind, .period = period, .from = from, .to = to, .audience = audience,
        .lang = lang, .today = today, .org = cli->org, .queries_dir = qdir,
    };
    if ((rc = hm_aggregate(db, tmpl, &ap, &rep, err, sizeof err)) != HM_OK)
        goto fail;

    hm_strbuf_init(&json);
    hm_strbuf_addf(&json, "%s/%s/%s", kind, period, audience);
    dir = hm_path_join(cli->out, json.buf);
    hm_strbuf_reset(&json);
    if (hm_mkdirs(dir) != HM_OK) {
        snprintf(err, sizeof err, "cannot create folder '%s': %s", dir, strerror(errno));
        goto fail;
    }
    /* The default language keeps DESIGN.md's names; another language gets
     * its code before the extension (briefing-en.pdf), so a Chinese and an
     * English report of the same period and audience live side by side. */
    for (int i = 0; i < NOUT; i++) {
        const char *dot = strrchr(bases[i], '.');
        if (strcmp(lang, "zh") == 0)
            snprintf(names[i], sizeof names[i], "%s", bases[i]);
        else
            snprintf(names[i], sizeof names[i], "%.*s-%s%s", (int)(dot - bases[i]), bases[i],
                     lang, dot);
        final[i] = hm_path_join(dir, names[i]);
        tmp[i] = hm_atomic_tmpname(final[i]);
    }

    hm_render_opts ro = { 0 };
    font = split_font(cli->font, &ro.font_index);
    ro.font_path = font;
    ro.created = hm_now();
    hm_pdf_stats pst = { 0 };
    if ((rc = hm_render_pdf_stats(rep, &ro, tmp[0], &pst, err, sizeof err)) != HM_OK ||
        (rc = hm_render_xlsx(rep, &ro, tmp[1], err, sizeof err)) != HM_OK)
        goto fail;
    size_t nouts = 2;
    hm_manifest_output outs[4] = { { names[0], tmp[0] }, { names[1], tmp[1] },
                                   { names[2], tmp[2] }, { names[3], tmp[3] } };
    if (annual) {
        hm_nominate_params np = {
            .from = from, .to = to, .audience = audience, .lang = lang,
            .queries_dir = qdir, .org = cli->org, .render = &ro,
        };
        if ((rc = hm_nominate_write(db, &conf, &np, tmp[2], tmp[3], NULL, err,
                                    sizeof err)) != HM_OK)
            goto fail;
        nouts = 4;
    }
    /* The manifest names a shipped template relative to the data folder. */
    const char *shown = tmpl_file;
    size_t dl = strlen(cli->datadir);
    if (!strchr(tmpl_name, '/') && strncmp(tmpl_file, cli->datadir, dl) == 0)
        shown = tmpl_file + dl + (tmpl_file[dl] == '/');
    if ((rc = hm_manifest_build(db, rep, shown, outs, nouts, &json, err, sizeof err)) != HM_OK)
        goto fail;
    if (write_text(tmp[NOUT - 1], json.buf, json.len) != HM_OK) {
        snprintf(err, sizeof err, "cannot write '%s': %s", tmp[NOUT - 1], strerror(errno));
        goto fail;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    in_txn = false;
    /* Only the files this report writes (the annual one writes two more). */
    char *written[NOUT];
    size_t nwritten = 0;
    for (int i = 0; i < NOUT; i++)
        if (annual || (i != 2 && i != 3))
            written[nwritten++] = tmp[i];
    if (strcmp(audience, "public") == 0 &&
        hm_perms_publish(cli->out, dir, written, nwritten, cli->public_mode) != HM_OK) {
        snprintf(err, sizeof err, "cannot set public_mode on '%s': %s", dir, strerror(errno));
        goto fail;
    }
    if (pst.placeholders)
        cli_note(cli, "himama: warning: report %s %s (%s): %zu character%s the font lacks "
                 "drawn as a placeholder\n", kind, period, audience, pst.placeholders,
                 pst.placeholders == 1 ? "" : "s");
    for (int i = 0; i < NOUT; i++) {
        if (!annual && (i == 2 || i == 3))
            continue;   /* nominations and dossiers: the annual report only */
        if (hm_atomic_rename(tmp[i], final[i]) != HM_OK) {
            snprintf(err, sizeof err, "cannot move '%s' into place: %s", final[i],
                     strerror(errno));
            goto fail;
        }
        free(tmp[i]);
        tmp[i] = NULL;
    }
    for (int i = 0; i < NOUT && !cli->no_output_list; i++)
        if (annual || (i != 2 && i != 3))
            printf("%s\n", final[i]);
    exit_code = HM_EXIT_OK;
    goto out;

fail:
    cli_error("report %s %s (%s) not written: %s", kind, period, audience ? audience : "",
              err[0] ? err : "unknown error");
out:
    for (int i = 0; i < NOUT; i++) {
        if (tmp[i])
            unlink(tmp[i]);
        free(tmp[i]);
        free(final[i]);
    }
    if (in_txn)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    hm_strbuf_release(&json);
    hm_report_free(rep);
    hm_template_free(tmpl);
    free(tmpl_file);
    free(dir);
    free(font);
    free(qdir);
    free(conf_file);
    hm_nomination_conf_release(&conf);
    return exit_code;
}
