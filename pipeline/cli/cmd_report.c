/*
 * cmd_report.c - `himama report KIND PERIOD [--audience A] [--lang L]
 * [--template NAME]`, KIND one of monthly (YYYY-MM), halfyear
 * (YYYY-H1|YYYY-H2, public by default), annual (YYYY) and range
 * (YYYY-MM-DD YYYY-MM-DD).  The annual report also writes nominations.xlsx
 * and dossiers.pdf (nominate.h), from templates/nomination.conf; a long
 * shortlist's dossiers take several files, dossiers-1.pdf, dossiers-2.pdf,
 * ... (HIMAMA_DOSSIER_PAGES pages each, by default HM_DOSSIER_PAGES).
 *
 * aggregate (writing the workbook's sheets meanwhile, but for the annual
 * report: book_sink) -> render the PDF, and compress the workbook in a
 * second thread, to temporary names beside the final ones ->
 * manifest.json (digests of the temporaries, which become the final
 * files unchanged) -> only when all exist, rename them into place
 * (the manifest last), then remove dossier files of an earlier run that
 * this one did not write (dossiers-3.pdf when there are now two).  On any
 * failure the temporaries are removed, earlier reports are left as they
 * were, one line says why, and the exit status is 3.  All queries and the
 * manifest's input list run in read transactions on one snapshot, so they
 * see one database even while an ingest is writing: a second connection
 * that sees the same snapshot (hm_db_begin_twin) serves a second thread,
 * which runs half of the sections' queries (hm_aggregate) or, for the
 * annual report, writes the nominations workbook (nominate_run).
 */
#include "himama.h"
#include "himama/aggregate.h"
#include "himama/cli.h"
#include "himama/db.h"
#include "himama/manifest.h"
#include "himama/nominate.h"
#include "himama/pdf.h"
#include "himama/perms.h"
#include "himama/render.h"
#include "himama/report.h"
#include "himama/template.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fixed outputs; the dossiers (annual only) are one file or more. */
enum { OUT_BRIEFING, OUT_TABLES, OUT_NOMINATIONS, OUT_MANIFEST, NOUT };

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

/* Dossier pages per file: HIMAMA_DOSSIER_PAGES when set to a whole number
 * from 1, else 0 (the default). */
static size_t dossier_pages(void)
{
    const char *v = getenv("HIMAMA_DOSSIER_PAGES");
    char *end;
    if (!v || !*v)
        return 0;
    unsigned long long n = strtoull(v, &end, 10);
    return *end == '\0' && n > 0 && n < 1000000000ull ? (size_t)n : 0;
}

/*
 * Remove from dir the dossier files of an earlier run that this run did
 * not write: name.pdf or name-N.pdf (name "dossiers" or "dossiers-en"),
 * when not among keep[0..n).  Best effort: a file that cannot be removed
 * stays (the manifest lists the files of this run).
 */
static void remove_stale_dossiers(const char *dir, const char *name, char *const *keep,
                                  size_t n)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    size_t nl = strlen(name);
    if (!dp)
        return;
    while ((de = readdir(dp)) != NULL) {
        const char *f = de->d_name, *rest = f + nl;
        if (strncmp(f, name, nl) != 0)
            continue;
        if (*rest == '-') {
            const char *q = rest + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if (q == rest + 1)
                continue;
            rest = q;
        }
        if (strcmp(rest, ".pdf") != 0)
            continue;
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++)
            kept = strcmp(hm_path_base(keep[i]), f) == 0;
        if (!kept) {
            char *path = hm_path_join(dir, f);
            unlink(path);
            free(path);
        }
    }
    closedir(dp);
}

/*
 * The annual report's nominations workbook, written by a second thread
 * while the first counts and renders the report's tables: the scorecard
 * query and the workbook's deflate take longer than the tables, and the
 * machine has two cores.  The second thread hands the shortlist over once
 * the workbook has its rows (hand_over), and the first, done with the
 * tables by then, writes the dossiers on its own connection while the
 * second compresses the workbook.  The second thread has its own
 * connection (job.db, in a read transaction on the same snapshot as the
 * first: hm_db_begin_twin), its own libxlsxwriter workbook and its own
 * error text; it shares only what it reads and no one writes meanwhile
 * (the nomination file, the parameters, the render options), and the
 * shortlist, under job.lock.  Its file is a temporary like the others,
 * renamed into place or removed by the first thread once it has joined
 * it.
 */
typedef struct nominate_job {
    sqlite3 *db;                       /* the thread's connection (cmd_report's twin) */
    const hm_nomination_conf *conf;
    const hm_nominate_params *np;
    const char *xlsx;                  /* the workbook's temporary */
    pthread_mutex_t lock;              /* guards the four below */
    pthread_cond_t changed;            /* signalled when one of them changes */
    hm_nom_candidate *cand;            /* the shortlist, once handed over (owned) */
    size_t ncand;
    bool handed;                       /* cand is set */
    bool done;                         /* the thread has finished */
    hm_error rc;                       /* OUT */
    char err[1024];                    /* OUT: why, when rc is not HM_OK */
} nominate_job;

/* hand_over: keep the shortlist for the first thread and wake it. */
static void nominate_hand_over(void *arg, hm_nom_candidate *cand, size_t n)
{
    nominate_job *j = arg;
    pthread_mutex_lock(&j->lock);
    j->cand = cand;
    j->ncand = n;
    j->handed = true;
    pthread_cond_signal(&j->changed);
    pthread_mutex_unlock(&j->lock);
}

/* Thread body: hm_nominate_write on the job's connection. */
static void *nominate_run(void *arg)
{
    nominate_job *j = arg;
    hm_dossier_files none = { 0 };
    j->rc = hm_nominate_write(j->db, j->conf, j->np, j->xlsx, NULL, &none, NULL, j->err,
                              sizeof j->err);
    pthread_mutex_lock(&j->lock);
    j->done = true;
    pthread_cond_signal(&j->changed);
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* Wait until the second thread hands the shortlist over or finishes
 * without it; true with *cand and *n set (and owned by the caller). */
static bool nominate_wait_shortlist(nominate_job *j, hm_nom_candidate **cand, size_t *n)
{
    pthread_mutex_lock(&j->lock);
    while (!j->handed && !j->done)
        pthread_cond_wait(&j->changed, &j->lock);
    bool handed = j->handed;
    *cand = j->cand;
    *n = j->ncand;
    j->cand = NULL;
    j->ncand = 0;
    pthread_mutex_unlock(&j->lock);
    return handed;
}

/*
 * The workbook of a monthly, half-year or range report, written while the
 * queries run (hm_section_sink): a thread of hm_aggregate writes each
 * section's sheet as soon as it is complete, and once the model is
 * complete a thread of its own compresses the workbook (hm_book_close)
 * while this one draws the PDF.
 */
typedef struct book_sink {
    const hm_render_opts *ro;
    const char *path;
    hm_book *book;           /* open; NULL once closed or discarded */
    hm_error rc;             /* book_close_run's */
    char err[1024];
} book_sink;

static hm_error book_begin(void *arg, const hm_report *r, char *err, size_t errsz)
{
    book_sink *b = arg;
    return hm_book_open(r, b->path, &b->book, err, errsz);
}

static hm_error book_section(void *arg, const hm_report *r, size_t s, char *err,
                             size_t errsz)
{
    double t0 = hm_clock();
    hm_error rc = hm_book_section(((book_sink *)arg)->book, s, err, errsz);
    if (r->sec[s].sheet) {
        char what[96];
        snprintf(what, sizeof what, "sheet %s", r->sec[s].id);
        hm_timing(what, t0, hm_table_rows(&r->sec[s].table));
    }
    return rc;
}

static hm_error book_end(void *arg, const hm_report *r, char *err, size_t errsz)
{
    (void)r;
    book_sink *b = arg;
    return hm_book_finish(b->book, b->ro, err, errsz);
}

/* Thread body: compress and close the workbook. */
static void *book_close_run(void *arg)
{
    book_sink *b = arg;
    double t0 = hm_clock();
    b->rc = hm_book_close(b->book, b->err, sizeof b->err);
    b->book = NULL;
    hm_timing("tables.xlsx (compressing)", t0, 0);
    return NULL;
}

int cmd_report(int argc, char **argv, hm_cli *cli)
{
    const char *kind = NULL, *arg1 = NULL, *arg2 = NULL, *audience = NULL, *lang = cli->lang;
    const char *tmpl_name = NULL;
    char from[11], to[11], today[11], period[32], err[1024] = "";
    char *tmpl_file = NULL, *dir = NULL, *font = NULL, *qdir = NULL, *conf_file = NULL;
    char *final[NOUT] = { NULL }, *tmp[NOUT] = { NULL }, *dossier_base = NULL;
    static const char *const bases[NOUT] = { "briefing.pdf", "tables.xlsx", "nominations.xlsx",
                                             "manifest.json" };
    char names[NOUT][40], dossier_name[40];
    hm_dossier_files dossiers = { 0 };
    hm_manifest_output *outs = NULL;
    char **wtmp = NULL, **wfinal = NULL;   /* the files written, in order */
    size_t nouts = 0, placed = 0;          /* of them, renamed into place */
    hm_template *tmpl = NULL;
    hm_report *rep = NULL;
    hm_nomination_conf conf;
    sqlite3 *db = NULL, *twin = NULL;   /* twin: the second connection (hm_db_begin_twin) */
    book_sink book = { 0 };             /* the workbook written while the queries run */
    hm_strbuf json = HM_STRBUF_INIT;
    bool in_txn = false, annual, started = false;
    nominate_job job = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };
    hm_nom_candidate *shortlist = NULL;
    size_t nshort = 0;
    pthread_t worker;
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
    /* A second connection that sees the same snapshot, for a second
     * thread: the annual report's nominations workbook is written on it
     * (nominate_run) while this one counts and renders the tables; the
     * other reports run their sections' queries on both at once
     * (hm_aggregate).  Without it (the database kept changing) this one
     * does everything. */
    if ((rc = hm_db_begin_twin(db, cli->db, &twin, err, sizeof err)) != HM_OK)
        goto fail;
    in_txn = true;
    qdir = hm_path_join(cli->datadir, "queries");
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
    /* The dossiers' names without ".pdf": dossiers, dossiers-en. */
    snprintf(dossier_name, sizeof dossier_name, "dossiers%s%s",
             strcmp(lang, "zh") == 0 ? "" : "-", strcmp(lang, "zh") == 0 ? "" : lang);
    dossier_base = hm_path_join(dir, dossier_name);

    hm_render_opts ro = { 0 };
    font = split_font(cli->font, &ro.font_index);
    ro.font_path = font;
    ro.created = hm_now();
    hm_nominate_params np = {
        .from = from, .to = to, .audience = audience, .lang = lang,
        .queries_dir = qdir, .org = cli->org, .render = &ro,
        .pages_per_file = dossier_pages(),
    };
    hm_nominate_params np_job = np;   /* the second thread's: hands the shortlist over */
    np_job.hand_over = nominate_hand_over;
    np_job.hand_over_arg = &job;
    if (annual && twin) {
        job.db = twin;
        job.conf = &conf;
        job.np = &np_job;
        job.xlsx = tmp[OUT_NOMINATIONS];
        started = pthread_create(&worker, NULL, nominate_run, &job) == 0;
    }
    book.ro = &ro;
    book.path = tmp[OUT_TABLES];
    const hm_section_sink sink = { &book, book_begin, book_section, book_end };
    hm_aggregate_params ap = {
        .kind = kind, .period = period, .from = from, .to = to, .audience = audience,
        .lang = lang, .today = today, .org = cli->org, .queries_dir = qdir,
        .twin = annual ? NULL : twin, .sink = annual ? NULL : &sink,
    };
    if ((rc = hm_aggregate(db, tmpl, &ap, &rep, err, sizeof err)) != HM_OK)
        goto fail;

    pthread_t closer;
    bool closing = !annual && pthread_create(&closer, NULL, book_close_run, &book) == 0;
    if (!annual && !closing)
        book_close_run(&book);
    hm_pdf_stats pst = { 0 };
    double t0 = hm_clock();
    rc = hm_render_pdf_stats(rep, &ro, tmp[OUT_BRIEFING], &pst, err, sizeof err);
    hm_timing(names[OUT_BRIEFING], t0, 0);
    if (closing)
        pthread_join(closer, NULL);
    if (rc != HM_OK)
        goto fail;
    if (!annual && (rc = book.rc) != HM_OK) {
        snprintf(err, sizeof err, "%s", book.err);
        goto fail;
    }
    if (annual) {
        t0 = hm_clock();
        if ((rc = hm_render_xlsx(rep, &ro, tmp[OUT_TABLES], err, sizeof err)) != HM_OK)
            goto fail;
        hm_timing(names[OUT_TABLES], t0, 0);
    }
    if (started) {
        t0 = hm_clock();
        bool handed = nominate_wait_shortlist(&job, &shortlist, &nshort);
        hm_timing("waiting for the shortlist", t0, nshort);
        if (handed && (rc = hm_dossier_write(db, &np, &conf, shortlist, nshort, dossier_base,
                                             &dossiers, err, sizeof err)) != HM_OK)
            goto fail;
        t0 = hm_clock();
        pthread_join(worker, NULL);
        hm_timing("waiting for nominations.xlsx", t0, 0);
        started = false;
        if ((rc = job.rc) != HM_OK) {
            snprintf(err, sizeof err, "%s", job.err);
            goto fail;
        }
    } else if (annual) {
        if ((rc = hm_nominate_write(db, &conf, &np, tmp[OUT_NOMINATIONS], dossier_base,
                                    &dossiers, NULL, err, sizeof err)) != HM_OK)
            goto fail;
    }
    /* The files this report writes, in the order they are listed and
     * renamed into place; the manifest comes last and lists the others. */
    size_t nall = NOUT + dossiers.n;
    wtmp = hm_xmalloc(nall * sizeof *wtmp);
    wfinal = hm_xmalloc(nall * sizeof *wfinal);
    outs = hm_xmalloc(nall * sizeof *outs);
    for (int i = 0; i < OUT_MANIFEST; i++) {
        if (!annual && i == OUT_NOMINATIONS)
            continue;   /* nominations and dossiers: the annual report only */
        outs[nouts] = (hm_manifest_output){ names[i], tmp[i] };
        wtmp[nouts] = tmp[i];
        wfinal[nouts++] = final[i];
    }
    for (size_t i = 0; i < dossiers.n; i++) {
        outs[nouts] = (hm_manifest_output){ hm_path_base(dossiers.final[i]), dossiers.tmp[i] };
        wtmp[nouts] = dossiers.tmp[i];
        wfinal[nouts++] = dossiers.final[i];
    }
    /* The manifest names a shipped template relative to the data folder. */
    const char *shown = tmpl_file;
    size_t dl = strlen(cli->datadir);
    if (!strchr(tmpl_name, '/') && strncmp(tmpl_file, cli->datadir, dl) == 0)
        shown = tmpl_file + dl + (tmpl_file[dl] == '/');
    if ((rc = hm_manifest_build(db, rep, shown, outs, nouts, &json, err, sizeof err)) != HM_OK)
        goto fail;
    if (write_text(tmp[OUT_MANIFEST], json.buf, json.len) != HM_OK) {
        snprintf(err, sizeof err, "cannot write '%s': %s", tmp[OUT_MANIFEST], strerror(errno));
        goto fail;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    in_txn = false;
    wtmp[nouts] = tmp[OUT_MANIFEST];
    wfinal[nouts++] = final[OUT_MANIFEST];
    if (strcmp(audience, "public") == 0 &&
        hm_perms_publish(cli->out, dir, wtmp, nouts, cli->public_mode) != HM_OK) {
        snprintf(err, sizeof err, "cannot set public_mode on '%s': %s", dir, strerror(errno));
        goto fail;
    }
    if (pst.placeholders)
        cli_note(cli, "himama: warning: report %s %s (%s): %zu character%s the font lacks "
                 "drawn as a placeholder\n", kind, period, audience, pst.placeholders,
                 pst.placeholders == 1 ? "" : "s");
    for (; placed < nouts; placed++)
        if (hm_atomic_rename(wtmp[placed], wfinal[placed]) != HM_OK) {
            snprintf(err, sizeof err, "cannot move '%s' into place: %s", wfinal[placed],
                     strerror(errno));
            goto fail;
        }
    if (annual)
        remove_stale_dossiers(dir, dossier_name, dossiers.final, dossiers.n);
    for (size_t i = 0; i < nouts && !cli->no_output_list; i++)
        printf("%s\n", wfinal[i]);
    exit_code = HM_EXIT_OK;
    goto out;

fail:
    cli_error("report %s %s (%s) not written: %s", kind, period, audience ? audience : "",
              err[0] ? err : "unknown error");
out:
    /* The second thread writes files and reads the snapshot: wait for it
     * before removing them. */
    if (started)
        pthread_join(worker, NULL);
    hm_book_discard(book.book);   /* a failure before it was closed */
    if (twin) {
        sqlite3_exec(twin, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(twin);
    }
    hm_nom_candidates_free(job.cand, job.ncand);   /* handed over after a failure here */
    hm_nom_candidates_free(shortlist, nshort);
    /* Remove what was written and not renamed into place. */
    if (wtmp) {
        for (size_t i = placed; i < nouts; i++)
            unlink(wtmp[i]);
        if (exit_code != HM_EXIT_OK)
            unlink(tmp[OUT_MANIFEST]);   /* renamed last, listed last */
    } else {
        for (int i = 0; i < NOUT; i++)
            if (tmp[i])
                unlink(tmp[i]);
        for (size_t i = 0; i < dossiers.n; i++)
            unlink(dossiers.tmp[i]);
    }
    for (int i = 0; i < NOUT; i++) {
        free(tmp[i]);
        free(final[i]);
    }
    hm_dossier_files_release(&dossiers);
    free(dossier_base);
    free(wtmp);
    free(wfinal);
    free(outs);
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
