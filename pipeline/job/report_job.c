/*
 * report_job.c - one report, from the template to the committed files
 * (report_job.h).
 *
 * open (template, rules, the database and its twin, the folder) ->
 * aggregate (writing the workbook's sheets meanwhile, but for the annual
 * report: book_sink) -> draw the model with each renderer of the table
 * below, compressing the workbook in a second thread meanwhile, to
 * temporary names beside the final ones -> for the annual report, the
 * nominations and dossiers -> manifest.json (digests of the temporaries,
 * which become the final files unchanged) -> only when all exist, rename
 * them into place (the manifest last), then remove dossier files of an
 * earlier run that this one did not write (dossiers-3.pdf when there are
 * now two).  On any failure the temporaries are removed and earlier
 * reports are left as they were.
 *
 * All queries and the manifest's input list run in read transactions on
 * one snapshot, so they see one database even while an ingest is
 * writing: a second connection that sees the same snapshot
 * (hm_db_begin_twin) serves a second thread, which runs half of the
 * sections' queries (hm_aggregate) or, for the annual report, writes the
 * nominations workbook (nominate_run).
 */
#include "himama/report_job.h"
#include "himama/targets.h"
#include "himama/aggregate.h"
#include "himama/db.h"
#include "himama/manifest.h"
#include "himama/nominate_job.h"
#include "himama/params.h"
#include "himama/render.h"
#include "himama/perms.h"
#include "himama/record.h"
#include "himama/redact.h"
#include "himama/report.h"
#include "himama/scope.h"
#include "himama/template.h"
#include "himama/unit_index.h"
#include "himama/units.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct job_run job_run;

/* The workbook of the whole model (when it was not streamed). */
static hm_error render_tables(const hm_report *r, const hm_render_opts *o, const char *path,
                              hm_pdf_stats *stats, char *err, size_t errsz)
{
    (void)stats;
    return hm_render_xlsx(r, o, path, err, errsz);
}

/*
 * The files drawn from the model, in the order they are listed in the
 * manifest and renamed into place.  A new output format is a renderer
 * with this signature (stats may stay untouched) and one line here.  The
 * workbook (book) is written while the queries run, through the section
 * sink, unless a second job has the second thread (the annual report).
 */
static const struct renderer {
    const char *name;   /* the file's name in the default language */
    hm_error (*render)(const hm_report *r, const hm_render_opts *o, const char *path,
                       hm_pdf_stats *stats, char *err, size_t errsz);
    bool book;          /* the workbook: may be streamed (book_sink) */
} renderers[] = {
    { "briefing.pdf", hm_render_pdf_stats, false },
    { "tables.xlsx", render_tables, true },
};

/* The file slots: each renderer's, then the annual report's workbook and the manifest. */
enum { NRENDER = sizeof renderers / sizeof renderers[0], OUT_NOMINATIONS = NRENDER,
       OUT_MANIFEST, NOUT };

/* A record's files: a child's, then a town's (record.h), by renderer. */
static const char *const record_names[2][NRENDER] = {
    { "record.pdf", "record.xlsx" }, { "records.pdf", "records.xlsx" },
};

static const char *slot_name(const hm_report_job *job, int i)
{
    if (i < NRENDER && job->period.kind == HM_PERIOD_RECORD)
        return record_names[job->child == NULL][i];
    return i < NRENDER ? renderers[i].name
                       : i == OUT_NOMINATIONS ? "nominations.xlsx" : "manifest.json";
}

/*
 * The annual report's nominations workbook, written by a second thread
 * while the first counts and renders the report's tables: the scorecard
 * query and the workbook's deflate take longer than the tables, and the
 * machine has two cores.  The second thread hands the shortlist over once
 * the workbook has its rows (hand_over), and the first, done with the
 * tables by then, writes the dossiers on its own connection while the
 * second compresses the workbook.  The second thread has its own
 * connection (the twin, in a read transaction on the same snapshot as the
 * first), its own libxlsxwriter workbook and its own error text; it
 * shares only what it reads and no one writes meanwhile (the nomination
 * rules, the parameters, the render options), and the shortlist, under
 * lock.  Its file is a temporary like the others, renamed into place or
 * removed by the first thread once it has joined it.
 */
typedef struct nominate_job {
    sqlite3 *db;                       /* the thread's connection (the twin) */
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

/*
 * The workbook of a monthly, half-year or range report, written while the
 * queries run (hm_section_sink): a thread of hm_aggregate writes each
 * section's sheet as soon as it is complete, and once the model is
 * complete a thread of its own compresses the workbook (hm_book_close)
 * while this one draws the other files.
 */
typedef struct book_sink {
    const hm_render_opts *ro;
    const char *path;
    hm_book *book;           /* open; NULL once closed or discarded */
    hm_error rc;             /* book_close_run's */
    char err[1024];
} book_sink;

/* Everything one job holds, released by job_release. */
struct job_run {
    const hm_report_job *job;
    bool annual;
    bool town;                        /* a town's records (record.h) */
    char *err;
    size_t errsz;
    /* opened */
    char *tmpl_file, *conf_file, *qdir, *dir, *font;
    hm_template *tmpl;
    hm_nomination_conf conf;
    hm_targets targets;               /* templates/targets.conf (none: no such section) */
    sqlite3 *db, *twin;               /* twin: the second connection (hm_db_begin_twin) */
    hm_redact *redact;                /* the SQL functions' dictionary (job_redact) */
    bool in_txn;
    hm_query_params q;
    hm_render_opts ro;
    hm_nominate_params np;
    /* the files */
    char names[NOUT][40], dossier_name[40];
    char *final[NOUT], *tmp[NOUT], *dossier_base;
    hm_dossier_files dossiers;
    hm_manifest_output *outs;
    char **wtmp, **wfinal;            /* the files written, in order */
    size_t nouts, placed;             /* of them, renamed into place */
    /* the work */
    hm_record_children kids;          /* a record's children */
    hm_report *rep;
    hm_report *book_rep;              /* a town's records: the workbook's model; else NULL */
    book_sink book;                   /* the workbook written while the queries run */
    nominate_job nom;
    pthread_t nom_thread;
    bool nom_started;
    hm_nom_candidate *shortlist;
    size_t nshort;
    hm_pdf_stats pst;
    /* the units (--unit, --each) */
    hm_unit *units;                   /* the units to report, after the whole (--each) */
    size_t nunits;
    const hm_unit *unit;              /* the unit of the report being written, or NULL */
    bool indexed;                     /* hm_scope_index has run on both connections */
    hm_scope_events *events;          /* the units' month_events and first rows */
    char *org;                        /* the organisation shown for a unit's report */
    hm_unit_index index;              /* --each: the rows of units/index.xlsx */
};

/* ---- the folder and the names ------------------------------------------ */

/* Add unit path's keys to sb as folders, each made safe (hm_report_dir). */
static void add_unit_dirs(hm_strbuf *sb, const char *path)
{
    hm_strbuf_adds(sb, "/units");
    while (*path) {
        const char *end = strchr(path, '/');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        hm_strbuf_addc(sb, '/');
        if (n == 0 || path[0] == '.')
            hm_strbuf_addc(sb, '_');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)path[i];
            hm_strbuf_addc(sb, c < 0x20 || c == 0x7f || c == '\\' ? '_' : (char)c);
        }
        path += n + (end != NULL);
    }
}

char *hm_report_dir(const char *out_dir, const hm_period *p, const char *audience,
                    const char *unit)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_strbuf_addf(&sb, "%s/%s", hm_period_kind_name(p->kind), p->label);
    if (audience && p->kind != HM_PERIOD_RECORD)
        hm_strbuf_addf(&sb, "/%s", audience);
    if (unit && p->kind != HM_PERIOD_RECORD)
        add_unit_dirs(&sb, unit);
    char *dir = hm_path_join(out_dir, sb.buf);
    hm_strbuf_release(&sb);
    return dir;
}

/* The template file for name and lang (caller frees): a path when name has a '/'. */
static char *template_path(const char *datadir, const char *name, const char *lang)
{
    if (strchr(name, '/'))
        return hm_xstrdup(name);
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_adds(&sb, datadir);
    if (sb.len && sb.buf[sb.len - 1] != '/')
        hm_strbuf_addc(&sb, '/');
    hm_strbuf_addf(&sb, "templates/%s.%s.tmpl", name, lang);
    return hm_strbuf_detach(&sb);
}

/* The template's name as the manifest records it: a shipped template
 * relative to the data folder. */
static const char *template_shown(const job_run *J, const char *name)
{
    size_t dl = strlen(J->job->datadir);
    if (!strchr(name, '/') && strncmp(J->tmpl_file, J->job->datadir, dl) == 0)
        return J->tmpl_file + dl + (J->tmpl_file[dl] == '/');
    return J->tmpl_file;
}

/*
 * Name every file slot: the default language keeps DESIGN.md's names;
 * another language gets its code before the extension (briefing-en.pdf),
 * so a Chinese and an English report of the same period and audience live
 * side by side.  Each final name gets its temporary beside it.
 */
static void name_outputs(job_run *J)
{
    const char *lang = J->job->lang;
    bool zh = strcmp(lang, "zh") == 0;
    for (int i = 0; i < NOUT; i++) {
        const char *base = slot_name(J->job, i), *dot = strrchr(base, '.');
        if (zh)
            snprintf(J->names[i], sizeof J->names[i], "%s", base);
        else
            snprintf(J->names[i], sizeof J->names[i], "%.*s-%s%s", (int)(dot - base), base,
                     lang, dot);
        J->final[i] = hm_path_join(J->dir, J->names[i]);
        J->tmp[i] = hm_atomic_tmpname(J->final[i]);
    }
    /* The dossiers' names without ".pdf": dossiers, dossiers-en. */
    snprintf(J->dossier_name, sizeof J->dossier_name, "dossiers%s%s", zh ? "" : "-",
             zh ? "" : lang);
    J->dossier_base = hm_path_join(J->dir, J->dossier_name);
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

/* ---- opening ------------------------------------------------------------ */

/* Refuse what the command line should have refused. */
static hm_error check_job(const hm_report_job *job, const char *tmpl_name, char *err,
                          size_t errsz)
{
    if (!job->audience || (strcmp(job->audience, "internal") != 0 &&
                           strcmp(job->audience, "public") != 0))
        return hm_fail(HM_EUSAGE, err, errsz, "audience must be 'internal' or 'public', not "
                       "'%s'", job->audience ? job->audience : "");
    if (job->period.kind == HM_PERIOD_RECORD && strcmp(job->audience, "internal") != 0)
        return hm_fail(HM_EUSAGE, err, errsz, "a child's record is internal only: it holds "
                       "names, guardians, schools and phone numbers (no --audience public)");
    if (job->period.kind == HM_PERIOD_RECORD && !job->child == !job->town)
        return hm_fail(HM_EUSAGE, err, errsz, "a record is of one child or of one town");
    if (!job->lang || (strcmp(job->lang, "zh") != 0 && strcmp(job->lang, "en") != 0))
        return hm_fail(HM_EUSAGE, err, errsz, "language must be 'zh' or 'en', not '%s'",
                       job->lang ? job->lang : "");
    if (!strchr(tmpl_name, '/') && !hm_template_name_ok(tmpl_name))
        return hm_fail(HM_EUSAGE, err, errsz, "template name '%s' may hold only a-z, 0-9 "
                       "and '_' (or give a path)", tmpl_name);
    if (job->period.kind == HM_PERIOD_RECORD && (job->unit || job->each))
        return hm_fail(HM_EUSAGE, err, errsz, "a record is already one child's or one "
                       "town's (no --unit or --each)");
    if (job->unit && job->each)
        return hm_fail(HM_EUSAGE, err, errsz, "give --unit or --each, not both");
    if (job->each && strcmp(job->each, "town") != 0 && strcmp(job->each, "district") != 0 &&
        strcmp(job->each, "city") != 0 && strcmp(job->each, "province") != 0)
        return hm_fail(HM_EUSAGE, err, errsz, "--each takes town, district, city or "
                       "province, not '%s'", job->each);
    return HM_OK;
}

/*
 * The units to report on: --unit's one (its report alone), --each's every
 * unit of the level (after the whole's report), found before any scope is
 * applied (the views units and towns are the whole's then).
 */
static hm_error job_units(job_run *J)
{
    const hm_report_job *job = J->job;
    if (job->unit) {
        J->units = hm_xcalloc(1, sizeof *J->units);
        hm_error rc = hm_unit_resolve(J->db, job->unit, J->units, J->err, J->errsz);
        if (rc == HM_ENOTFOUND)
            rc = HM_EUSAGE;   /* the command named nothing there is to report on */
        if (rc == HM_OK)
            J->nunits = 1;
        return rc;
    }
    if (!job->each)
        return HM_OK;
    return hm_scope_units(J->db, job->each, &J->units, &J->nunits, J->err, J->errsz);
}

/*
 * Load the template (and the annual report's rules), open the database
 * and its twin in one snapshot, and find the units to report on.
 */
static hm_error job_open(job_run *J, const char *tmpl_name)
{
    const hm_report_job *job = J->job;
    hm_error rc;
    J->tmpl_file = template_path(job->datadir, tmpl_name, job->lang);
    if ((rc = hm_template_load(J->tmpl_file, &J->tmpl, J->err, J->errsz)) != HM_OK)
        return rc;
    char *tpath = hm_path_join(job->datadir, "templates/targets.conf");
    rc = hm_targets_load(tpath, &J->targets, J->err, J->errsz);
    free(tpath);
    if (rc != HM_OK)
        return rc;
    if (J->annual) {
        J->conf_file = hm_path_join(job->datadir, "templates/nomination.conf");
        if ((rc = hm_nomination_conf_load(J->conf_file, &J->conf, J->err, J->errsz)) != HM_OK)
            return rc;
    }
    if ((rc = hm_db_open(job->db_path, false, &J->db, J->err, J->errsz)) != HM_OK ||
        (rc = hm_db_require_current(J->db, job->db_path, J->err, J->errsz)) != HM_OK)
        return rc;
    hm_db_reader_cache(J->db);
    /* A second connection that sees the same snapshot, for a second
     * thread: the annual report's nominations workbook is written on it
     * (nominate_run) while this one counts and renders the tables; the
     * other reports run their sections' queries on both at once
     * (hm_aggregate).  Without it (the database kept changing) this one
     * does everything. */
    if ((rc = hm_db_begin_twin(J->db, job->db_path, &J->twin, J->err, J->errsz)) != HM_OK)
        return rc;
    J->in_txn = true;
    if (job->period.kind == HM_PERIOD_RECORD &&
        (rc = hm_record_children_find(J->db, job->child, job->town, &J->kids, J->err,
                                      J->errsz)) != HM_OK)
        return rc;
    J->qdir = hm_path_join(job->datadir, "queries");
    return job_units(J);
}

/* Create the folder of the report about to be written (J->unit's, or the whole's) and
 * name its files. */
static hm_error report_folder(job_run *J)
{
    J->dir = hm_report_dir(J->job->out_dir, &J->job->period, J->job->audience,
                           J->unit ? J->unit->path : NULL);
    if (hm_mkdirs(J->dir) != HM_OK)
        return hm_fail(HM_EIO, J->err, J->errsz, "cannot create folder '%s': %s", J->dir,
                       strerror(errno));
    name_outputs(J);
    return HM_OK;
}

/*
 * Register the SQL functions redact() and public_alias() on both
 * connections with one dictionary, loaded on first use (hm_redact_lazy):
 * a public report cleans staff's free text with the whole dictionary; an
 * internal one needs the functions only to exist (its queries call
 * redact() for the public alone) and to show each child's alias, so it
 * reads the aliases alone.  A report that shows no child and cleans no
 * text (a city's or a nation's monthly, whose lists are in the units'
 * packs) never reads the 1 million children and 2.5 million volunteers
 * of a national store for it.
 */
static hm_error job_redact(job_run *J)
{
    hm_error rc;
    J->redact = hm_redact_lazy(strcmp(J->job->audience, "public") != 0);
    if ((rc = hm_redact_register(J->db, J->redact, J->err, J->errsz)) != HM_OK ||
        (J->twin && (rc = hm_redact_register(J->twin, J->redact, J->err, J->errsz)) != HM_OK))
        return rc;
    return HM_OK;
}

/* The parameters of the queries, the renderers and the nominations. */
static void job_params(job_run *J)
{
    const hm_report_job *job = J->job;
    hm_query_params_init(&J->q, &job->period, job->audience, job->lang, job->org, job->today);
    J->q.child = job->child;
    J->q.town = job->town;
    J->font = split_font(job->font, &J->ro.font_index);
    J->ro.font_path = J->font;
    J->ro.created = hm_now();
    J->np = (hm_nominate_params){
        .query = &J->q, .from = J->q.period.from, .to = J->q.period.to,
        .audience = job->audience, .lang = job->lang, .queries_dir = J->qdir, .org = job->org,
        .render = &J->ro, .pages_per_file = job->dossier_pages,
        .names_masked = J->conf.notice_masked,
    };
}

/* ---- the nominations (annual) -------------------------------------------- */

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

/* Thread body: hm_nominations_xlsx_write on the job's connection. */
static void *nominate_run(void *arg)
{
    nominate_job *j = arg;
    j->rc = hm_nominations_xlsx_write(j->db, j->conf, j->np, j->xlsx, nominate_hand_over, j,
                                      NULL, j->err, sizeof j->err);
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

/* Start the nominations workbook on the twin, when there is one. */
static void nominations_start(job_run *J)
{
    if (!J->annual || !J->twin)
        return;
    J->nom.db = J->twin;
    J->nom.conf = &J->conf;
    J->nom.np = &J->np;
    J->nom.xlsx = J->tmp[OUT_NOMINATIONS];
    J->nom_started = pthread_create(&J->nom_thread, NULL, nominate_run, &J->nom) == 0;
}

/*
 * Finish the nominations: with the second thread, write the dossiers from
 * the shortlist it hands over, then wait for its workbook; without it,
 * write both here.
 */
static hm_error nominations_finish(job_run *J)
{
    hm_error rc = HM_OK;
    if (J->nom_started) {
        double t0 = hm_clock();
        bool handed = nominate_wait_shortlist(&J->nom, &J->shortlist, &J->nshort);
        hm_timing("waiting for the shortlist", t0, J->nshort);
        if (handed && (rc = hm_dossiers_write(J->db, &J->np, J->shortlist, J->nshort,
                                              J->dossier_base, &J->dossiers, J->err,
                                              J->errsz)) != HM_OK)
            return rc;
        t0 = hm_clock();
        pthread_join(J->nom_thread, NULL);
        hm_timing("waiting for nominations.xlsx", t0, 0);
        J->nom_started = false;
        if ((rc = J->nom.rc) != HM_OK)
            snprintf(J->err, J->errsz, "%s", J->nom.err);
        return rc;
    }
    return hm_nominate_write(J->db, &J->conf, &J->np, J->tmp[OUT_NOMINATIONS], J->dossier_base,
                             &J->dossiers, NULL, J->err, J->errsz);
}

/* ---- the model and the renderers ---------------------------------------- */

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

/* The slot of the workbook streamed while the queries run, or -1 (annual). */
static int streamed_slot(const job_run *J)
{
    for (int i = 0; i < NRENDER && !J->annual && !J->town; i++)
        if (renderers[i].book)
            return i;
    return -1;
}

/*
 * A town's records: each child's model in turn, its rows copied into the
 * workbook's model and its sections moved to the end of the PDF's
 * (record.h).  The workbook's model is the template's, run once more for
 * the first child, as hm_record_book_init wants it.
 */
static hm_error build_town(job_run *J)
{
    hm_aggregate_params ap = { .query = &J->q, .queries_dir = J->qdir, .twin = J->twin };
    const char *label = strcmp(J->job->lang, "en") == 0 ? "Child" : "儿童";
    hm_error rc;
    J->q.child = J->kids.id[0];
    if ((rc = hm_aggregate(J->db, J->tmpl, &ap, &J->book_rep, J->err, J->errsz)) != HM_OK ||
        (rc = hm_record_book_init(J->book_rep, label, J->err, J->errsz)) != HM_OK)
        return rc;
    for (size_t i = 0; i < J->kids.n && rc == HM_OK; i++) {
        hm_report *m = NULL;
        J->q.child = J->kids.id[i];
        if ((rc = hm_aggregate(J->db, J->tmpl, &ap, &m, J->err, J->errsz)) == HM_OK &&
            (rc = hm_record_book_add(J->book_rep, m, J->kids.who[i], J->err, J->errsz)) ==
                HM_OK) {
            if (!J->rep) {
                J->rep = m;
                m = NULL;
            } else {
                hm_record_append(J->rep, m);
            }
        }
        hm_report_free(m);
    }
    J->q.child = NULL;
    return rc;
}

/* Run the template's queries into J->rep, streaming the workbook when it can. */
static hm_error build_model(job_run *J)
{
    if (J->town)
        return build_town(J);
    int book = streamed_slot(J);
    J->book.ro = &J->ro;
    J->book.path = book >= 0 ? J->tmp[book] : NULL;
    const hm_section_sink sink = { &J->book, book_begin, book_section, book_end };
    hm_aggregate_params ap = {
        .query = &J->q, .queries_dir = J->qdir,
        .twin = J->annual ? NULL : J->twin, .sink = book >= 0 ? &sink : NULL,
        .targets = &J->targets,
    };
    return hm_aggregate(J->db, J->tmpl, &ap, &J->rep, J->err, J->errsz);
}

/* Draw the model with every renderer but the streamed workbook's, in order. */
static hm_error draw_files(job_run *J, int streamed)
{
    for (int i = 0; i < NRENDER; i++) {
        if (i == streamed)
            continue;
        double t0 = hm_clock();
        const hm_report *m = renderers[i].book && J->book_rep ? J->book_rep : J->rep;
        hm_error rc = renderers[i].render(m, &J->ro, J->tmp[i], &J->pst, J->err, J->errsz);
        if (rc != HM_OK)
            return rc;
        hm_timing(J->names[i], t0, 0);
    }
    return HM_OK;
}

/* Draw every file of the model, compressing the streamed workbook in a
 * thread of its own meanwhile. */
static hm_error draw_model(job_run *J)
{
    int streamed = streamed_slot(J);
    pthread_t closer;
    bool closing = streamed >= 0 && pthread_create(&closer, NULL, book_close_run, &J->book) == 0;
    if (streamed >= 0 && !closing)
        book_close_run(&J->book);
    hm_error rc = draw_files(J, streamed);
    if (closing)
        pthread_join(closer, NULL);
    if (rc != HM_OK)
        return rc;
    if (streamed >= 0 && (rc = J->book.rc) != HM_OK)
        snprintf(J->err, J->errsz, "%s", J->book.err);
    return rc;
}

/* ---- the manifest and the commit ----------------------------------------- */

/* Add one written file to the list, as the manifest shows it and where it goes. */
static void add_output(job_run *J, const char *name, char *tmp, char *final)
{
    J->outs[J->nouts] = (hm_manifest_output){ name, tmp };
    J->wtmp[J->nouts] = tmp;
    J->wfinal[J->nouts++] = final;
}

/* The files this report writes, in the order they are listed and renamed
 * into place; the manifest comes last and lists the others. */
static void list_outputs(job_run *J)
{
    size_t nall = NOUT + J->dossiers.n;
    J->wtmp = hm_xmalloc(nall * sizeof *J->wtmp);
    J->wfinal = hm_xmalloc(nall * sizeof *J->wfinal);
    J->outs = hm_xmalloc(nall * sizeof *J->outs);
    for (int i = 0; i < OUT_MANIFEST; i++)
        if (J->annual || i != OUT_NOMINATIONS)   /* nominations and dossiers: annual only */
            add_output(J, J->names[i], J->tmp[i], J->final[i]);
    for (size_t i = 0; i < J->dossiers.n; i++)
        add_output(J, hm_path_base(J->dossiers.final[i]), J->dossiers.tmp[i],
                   J->dossiers.final[i]);
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

/* Write manifest.json for the files listed. */
static hm_error write_manifest(job_run *J, const char *tmpl_name)
{
    hm_strbuf json = HM_STRBUF_INIT;
    hm_strbuf_init(&json);
    /* A town's records: the workbook's model, whose sections count the town's rows. */
    const hm_report *m = J->book_rep ? J->book_rep : J->rep;
    hm_error rc = hm_manifest_build(J->db, m, template_shown(J, tmpl_name), J->outs, J->nouts,
                                    &json, J->err, J->errsz);
    if (rc == HM_OK && write_text(J->tmp[OUT_MANIFEST], json.buf, json.len) != HM_OK)
        rc = hm_fail(HM_EIO, J->err, J->errsz, "cannot write '%s': %s", J->tmp[OUT_MANIFEST],
                     strerror(errno));
    hm_strbuf_release(&json);
    if (rc != HM_OK)
        return rc;
    add_output(J, J->names[OUT_MANIFEST], J->tmp[OUT_MANIFEST], J->final[OUT_MANIFEST]);
    return HM_OK;
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

/* Publish a public report's files, then rename every file into place, the manifest last. */
static hm_error commit(job_run *J, hm_report_result *res)
{
    const hm_report_job *job = J->job;
    if (strcmp(job->audience, "public") == 0 &&
        hm_perms_publish(job->out_dir, J->dir, J->wtmp, J->nouts, job->public_mode) != HM_OK)
        return hm_fail(HM_EIO, J->err, J->errsz, "cannot set public_mode on '%s': %s", J->dir,
                       strerror(errno));
    (void)res;
    for (; J->placed < J->nouts; J->placed++)
        if (hm_atomic_rename(J->wtmp[J->placed], J->wfinal[J->placed]) != HM_OK)
            return hm_fail(HM_EIO, J->err, J->errsz, "cannot move '%s' into place: %s",
                           J->wfinal[J->placed], strerror(errno));
    if (J->annual)
        remove_stale_dossiers(J->dir, J->dossier_name, J->dossiers.final, J->dossiers.n);
    return HM_OK;
}

/* ---- the whole job ------------------------------------------------------- */

/* Remove what was written and not renamed into place. */
static void remove_temporaries(job_run *J, bool ok)
{
    if (J->wtmp) {
        for (size_t i = J->placed; i < J->nouts; i++)
            unlink(J->wtmp[i]);
        if (!ok && J->tmp[OUT_MANIFEST])
            unlink(J->tmp[OUT_MANIFEST]);   /* renamed last, listed last */
        return;
    }
    for (int i = 0; i < NOUT; i++)
        if (J->tmp[i])
            unlink(J->tmp[i]);
    for (size_t i = 0; i < J->dossiers.n; i++)
        unlink(J->dossiers.tmp[i]);
}

/*
 * Release what one report of the job held (its files' names, its model,
 * its nominations), waiting for its threads and removing its temporaries
 * first; the job's connections, template and units stay for the next.
 */
static void report_release(job_run *J, bool ok)
{
    /* The second thread writes files and reads the snapshot: wait for it
     * before removing them. */
    if (J->nom_started)
        pthread_join(J->nom_thread, NULL);
    J->nom_started = false;
    hm_book_discard(J->book.book);   /* a failure before it was closed */
    hm_nom_candidates_free(J->nom.cand, J->nom.ncand);   /* handed over after a failure */
    hm_nom_candidates_free(J->shortlist, J->nshort);
    remove_temporaries(J, ok);
    for (int i = 0; i < NOUT; i++) {
        free(J->tmp[i]);
        free(J->final[i]);
    }
    hm_dossier_files_release(&J->dossiers);
    free(J->dossier_base);
    free(J->wtmp);
    free(J->wfinal);
    free(J->outs);
    hm_report_free(J->rep);
    hm_report_free(J->book_rep);
    free(J->dir);
    memset(J->names, 0, sizeof J->names);
    memset(J->final, 0, sizeof J->final);
    memset(J->tmp, 0, sizeof J->tmp);
    memset(&J->dossiers, 0, sizeof J->dossiers);
    memset(&J->book, 0, sizeof J->book);
    memset(&J->pst, 0, sizeof J->pst);
    J->nom.cand = NULL;
    J->nom.ncand = 0;
    J->nom.handed = J->nom.done = false;
    J->nom.rc = HM_OK;
    J->shortlist = NULL;
    J->nshort = 0;
    J->dossier_base = NULL;
    J->wtmp = J->wfinal = NULL;
    J->outs = NULL;
    J->nouts = J->placed = 0;
    J->rep = J->book_rep = NULL;
    J->dir = NULL;
}

/* Release the report in progress, then close the connections and free the job. */
static void job_release(job_run *J, bool ok)
{
    report_release(J, ok);
    if (J->twin) {
        sqlite3_exec(J->twin, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(J->twin);
    }
    if (J->in_txn)
        sqlite3_exec(J->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(J->db);
    hm_redact_free(J->redact);   /* after both connections that call it are closed */
    hm_record_children_release(&J->kids);
    hm_template_free(J->tmpl);
    free(J->tmpl_file);
    free(J->font);
    free(J->qdir);
    free(J->conf_file);
    free(J->org);
    for (size_t i = 0; i < J->nunits; i++)
        hm_unit_release(&J->units[i]);
    free(J->units);
    hm_scope_events_free(J->events);
    hm_unit_index_release(&J->index);
    hm_nomination_conf_release(&J->conf);
    pthread_cond_destroy(&J->nom.changed);
    pthread_mutex_destroy(&J->nom.lock);
}

/* Add a copy of file to res's files. */
static void result_add_file(hm_report_result *res, const char *file)
{
    res->files = hm_xrealloc(res->files, (res->nfiles + 1) * sizeof *res->files);
    res->files[res->nfiles++] = hm_xstrdup(file);
}

/* Add the files of one report to res (which may be NULL). */
static void result_add(job_run *J, hm_report_result *res)
{
    if (!res)
        return;
    res->files = hm_xrealloc(res->files, (res->nfiles + J->nouts + 1) * sizeof *res->files);
    for (size_t i = 0; i < J->nouts; i++)
        res->files[res->nfiles++] = hm_xstrdup(J->wfinal[i]);
    res->placeholders += J->pst.placeholders;
}

/* One connection's part of a scope step (both_run). */
typedef struct {
    job_run *J;
    sqlite3 *db;
    const hm_unit *u;
    bool index;          /* hm_scope_index (with u: --unit's), else hm_scope_apply */
    hm_error rc;
    char err[512];
} scope_step;

static void *scope_step_run(void *arg)
{
    scope_step *s = arg;
    job_run *J = s->J;
    if (!s->index) {
        s->rc = hm_scope_apply(s->db, s->u, J->events, (size_t)(s->u - J->units), &J->q, J->qdir,
                               s->err, sizeof s->err);
        return NULL;
    }
    /* The first connection counts the units' events in one pass (once per job), which
     * makes its index of a monthly report's month too; the second builds its index
     * meanwhile. */
    const char *from, *to;
    bool month = hm_scope_rows_window(&J->q, &from, &to);
    s->rc = HM_OK;
    if (s->db != J->db || !month)
        s->rc = hm_scope_index(s->db, s->u, &J->q, J->qdir, s->err, sizeof s->err);
    if (s->rc == HM_OK && s->db == J->db)
        s->rc = hm_scope_events_count(s->db, J->units, J->nunits, J->q.period.to,
                                      month ? from : NULL, to, J->qdir, &J->events, s->err,
                                      sizeof s->err);
    return NULL;
}

/* Run a scope step on both connections at once (the twin's in a second thread). */
static hm_error scope_both(job_run *J, const hm_unit *u, bool index)
{
    scope_step a = { .J = J, .db = J->db, .u = u, .index = index };
    scope_step b = { .J = J, .db = J->twin, .u = u, .index = index };
    pthread_t t;
    bool two = J->twin && pthread_create(&t, NULL, scope_step_run, &b) == 0;
    scope_step_run(&a);
    if (two)
        pthread_join(t, NULL);
    else if (J->twin)
        scope_step_run(&b);
    scope_step *bad = a.rc != HM_OK ? &a : J->twin && b.rc != HM_OK ? &b : NULL;
    if (!bad)
        return HM_OK;
    snprintf(J->err, J->errsz, "%s", bad->err);
    return bad->rc;
}

/*
 * Restrict both connections to unit u (NULL: the whole, which needs
 * nothing: the whole is written first), show it beside the organisation,
 * and find the report's level (hm_scope_levels) for its wording.
 */
static hm_error report_scope(job_run *J, const hm_unit *u)
{
    J->unit = u;
    if (!u)   /* the whole's level: its towns' units say */
        return hm_scope_levels(J->db, NULL, &J->q.level, &J->q.rows_level, J->err, J->errsz);
    hm_error rc = HM_OK;
    if (!J->indexed) {   /* the first unit: the towns' activity rows, once */
        rc = scope_both(J, J->job->unit ? u : NULL, true);
        J->indexed = true;
    }
    if (rc == HM_OK)
        rc = scope_both(J, u, false);
    if (rc == HM_OK)
        rc = hm_scope_levels(J->db, u, &J->q.level, &J->q.rows_level, J->err, J->errsz);
    free(J->org);
    J->org = hm_scope_label(J->job->org, u);
    J->q.org = J->org;
    J->np.org = J->org;
    return rc;
}

/* What one unit's report of --each leaves for the job to add in the units' order. */
typedef struct {
    hm_report_result res;       /* its files */
    hm_unit_index_row row;      /* its row of units/index.xlsx */
} each_slot;

/* Write one report: the whole's (J->unit NULL) or a unit's, and commit its files
 * (into slot, when given, else into res and the index). */
static hm_error report_one(job_run *J, const char *tmpl_name, hm_report_result *res,
                           each_slot *slot)
{
    hm_error rc;
    if ((rc = report_folder(J)) != HM_OK)
        return rc;
    nominations_start(J);
    if ((rc = build_model(J)) != HM_OK)
        return rc;
    if (J->unit)
        hm_scope_mark(J->rep, J->unit);
    if ((rc = draw_model(J)) != HM_OK)
        return rc;
    if (J->annual && (rc = nominations_finish(J)) != HM_OK)
        return rc;
    list_outputs(J);
    if ((rc = write_manifest(J, tmpl_name)) != HM_OK || (rc = commit(J, NULL)) != HM_OK)
        return rc;
    result_add(J, slot ? &slot->res : res);
    if (slot)
        slot->row = hm_unit_index_row_of(&J->index, J->unit, J->rep);
    else if (J->job->each)
        hm_unit_index_add(&J->index, J->unit, J->rep);
    return HM_OK;
}

/*
 * --each on both cores: two workers, each a copy of the job reading
 * through one of its two connections (the same snapshot), take the units
 * in turn from a shared counter; each unit's files are committed as it is
 * done, and its files and index row are added in the units' order once
 * both workers have finished.  The job's template, dictionary, units and
 * events are shared and only read meanwhile.
 */
typedef struct {
    job_run *J;
    const char *tmpl_name;
    each_slot *slot;            /* [unit] */
    pthread_mutex_t lock;       /* guards the three below */
    size_t next;                /* the next unit to take */
    hm_error rc;                /* the first failure's */
    char err[1024];
} each_pool;

typedef struct {
    each_pool *P;
    job_run W;
    char err[1024];
} each_worker;

static void *each_run(void *arg)
{
    each_worker *w = arg;
    each_pool *P = w->P;
    for (;;) {
        pthread_mutex_lock(&P->lock);
        size_t i = P->next < P->J->nunits && P->rc == HM_OK ? P->next++ : SIZE_MAX;
        pthread_mutex_unlock(&P->lock);
        if (i == SIZE_MAX)
            break;
        hm_error rc = report_scope(&w->W, &P->J->units[i]);
        if (rc == HM_OK)
            rc = report_one(&w->W, P->tmpl_name, NULL, &P->slot[i]);
        report_release(&w->W, rc == HM_OK);
        if (rc != HM_OK) {
            pthread_mutex_lock(&P->lock);
            if (P->rc == HM_OK) {
                P->rc = rc;
                snprintf(P->err, sizeof P->err, "%s", w->err);
            }
            pthread_mutex_unlock(&P->lock);
            break;
        }
    }
    return NULL;
}

/* A worker: a copy of J on connection db alone, with no report in progress. */
static void each_worker_init(each_worker *w, each_pool *P, sqlite3 *db)
{
    w->P = P;
    w->W = *P->J;
    w->W.db = db;
    w->W.twin = NULL;
    w->W.err = w->err;
    w->W.errsz = sizeof w->err;
    w->W.org = NULL;
    w->W.np.query = &w->W.q;
    w->err[0] = '\0';
    pthread_mutex_init(&w->W.nom.lock, NULL);
    pthread_cond_init(&w->W.nom.changed, NULL);
}

static void each_worker_release(each_worker *w)
{
    free(w->W.org);
    pthread_cond_destroy(&w->W.nom.changed);
    pthread_mutex_destroy(&w->W.nom.lock);
}

/* Every unit's report (after the whole's), on both connections at once. */
static hm_error report_units(job_run *J, const char *tmpl_name, hm_report_result *res)
{
    hm_error rc = HM_OK;
    if (J->nunits == 0)
        return HM_OK;
    if (!J->indexed) {   /* the towns' activity rows and the units' events, once */
        rc = scope_both(J, NULL, true);
        J->indexed = true;
        if (rc != HM_OK)
            return rc;
    }
    each_pool P = { .J = J, .tmpl_name = tmpl_name, .rc = HM_OK };
    P.slot = hm_xcalloc(J->nunits, sizeof *P.slot);
    pthread_mutex_init(&P.lock, NULL);
    each_worker *w = hm_xcalloc(2, sizeof *w);
    each_worker_init(&w[0], &P, J->db);
    pthread_t t;
    bool two = J->twin && J->nunits > 1;
    if (two) {
        each_worker_init(&w[1], &P, J->twin);
        two = pthread_create(&t, NULL, each_run, &w[1]) == 0;
        if (!two)
            each_worker_release(&w[1]);
    }
    each_run(&w[0]);
    if (two) {
        pthread_join(t, NULL);
        each_worker_release(&w[1]);
    }
    each_worker_release(&w[0]);
    if ((rc = P.rc) != HM_OK)
        snprintf(J->err, J->errsz, "%s", P.err);
    for (size_t i = 0; i < J->nunits; i++) {   /* in the units' order */
        if (P.slot[i].row.fig)
            hm_unit_index_push(&J->index, &P.slot[i].row);
        for (size_t k = 0; res && k < P.slot[i].res.nfiles; k++)
            result_add_file(res, P.slot[i].res.files[k]);
        if (res)
            res->placeholders += P.slot[i].res.placeholders;
        hm_report_result_release(&P.slot[i].res);
    }
    pthread_mutex_destroy(&P.lock);
    free(P.slot);
    free(w);
    return rc;
}

/* --each: units/index.xlsx, one row per unit and the whole's, committed atomically. */
static hm_error write_index(job_run *J, hm_report_result *res)
{
    char *dir = hm_report_dir(J->job->out_dir, &J->job->period, J->job->audience, "");
    char *final = hm_path_join(dir, "index.xlsx"), *tmp = hm_atomic_tmpname(final);
    hm_report *m = hm_unit_index_model(&J->index);
    hm_error rc = hm_render_xlsx(m, &J->ro, tmp, J->err, J->errsz);
    hm_report_free(m);
    if (rc == HM_OK && strcmp(J->job->audience, "public") == 0 &&
        hm_perms_publish(J->job->out_dir, dir, &tmp, 1, J->job->public_mode) != HM_OK)
        rc = hm_fail(HM_EIO, J->err, J->errsz, "cannot set public_mode on '%s': %s", dir,
                     strerror(errno));
    if (rc == HM_OK && hm_atomic_rename(tmp, final) != HM_OK)
        rc = hm_fail(HM_EIO, J->err, J->errsz, "cannot move '%s' into place: %s", final,
                     strerror(errno));
    if (rc != HM_OK)
        unlink(tmp);
    else if (res) {
        res->files = hm_xrealloc(res->files, (res->nfiles + 1) * sizeof *res->files);
        res->files[res->nfiles++] = hm_xstrdup(final);
    }
    free(tmp);
    free(final);
    free(dir);
    return rc;
}

hm_error hm_report_write(const hm_report_job *job, hm_report_result *res, char *err,
                         size_t errsz)
{
    const char *tmpl_name = job->template_name ? job->template_name
                                               : hm_period_kind_name(job->period.kind);
    job_run J;
    hm_error rc;
    hm_malloc_keep();
    memset(&J, 0, sizeof J);
    J.job = job;
    J.annual = job->period.kind == HM_PERIOD_ANNUAL;
    J.town = job->period.kind == HM_PERIOD_RECORD && !job->child;
    J.err = err;
    J.errsz = errsz;
    pthread_mutex_init(&J.nom.lock, NULL);
    pthread_cond_init(&J.nom.changed, NULL);
    hm_nomination_conf_init(&J.conf);
    if (res)
        memset(res, 0, sizeof *res);
    if (errsz)
        err[0] = '\0';

    if ((rc = check_job(job, tmpl_name, err, errsz)) != HM_OK ||
        (rc = job_open(&J, tmpl_name)) != HM_OK || (rc = job_redact(&J)) != HM_OK)
        goto out;
    job_params(&J);
    /* the whole's report, unless --unit (its unit's alone); then each unit's on both
     * connections at once, all in one snapshot */
    if ((rc = report_scope(&J, job->unit ? &J.units[0] : NULL)) != HM_OK ||
        (rc = report_one(&J, tmpl_name, res, NULL)) != HM_OK)
        goto out;
    report_release(&J, true);
    if (job->each && (rc = report_units(&J, tmpl_name, res)) != HM_OK)
        goto out;
    if (job->each && (rc = write_index(&J, res)) != HM_OK)
        goto out;
    sqlite3_exec(J.db, "COMMIT", NULL, NULL, NULL);
    J.in_txn = false;
out:
    job_release(&J, rc == HM_OK);
    if (rc != HM_OK && res)
        hm_report_result_release(res);
    return rc;
}

void hm_report_result_release(hm_report_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nfiles; i++)
        free(res->files[i]);
    free(res->files);
    res->files = NULL;
    res->nfiles = 0;
}
