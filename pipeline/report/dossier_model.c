/*
 * dossier_model.c - the dossiers' page data from the store
 * (dossier_model.h).
 *
 * The three per-candidate queries are prepared once and re-bound for each
 * candidate.  Before them, the candidates' activity rows of the year are
 * gathered into temp.dossier_activities in one pass: activities has no
 * index by volunteer, and a search per candidate would read a year of
 * activities each time (hours for a national shortlist).  Their pairs'
 * five ones are gathered likewise, once, into temp.dossier_pairs
 * (queries/annual_dossier_five_ones.sql), from a stream of the candidates'
 * rows only (:five_ones_who, their ids as a JSON array).  When every
 * candidate already holds its children (hm_nom_candidate.children_loaded:
 * the workbook's sheet of pairs loaded them on its own connection), the
 * pairs are not gathered again and the children are copied from there.
 */
#include "himama/dossier_model.h"
#include "himama/params.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Q_CHILDREN, Q_MONTHS, Q_STORIES, NQ };
static const char *const QFILES[NQ] = { "annual_dossier_children.sql",
                                        "annual_dossier_months.sql",
                                        "annual_dossier_stories.sql" };

struct hm_dossier_model {
    sqlite3 *db;
    const hm_nominate_params *p;
    const hm_nom_candidate *cand;
    size_t n;
    bool loaded;             /* every candidate holds its children */
    sqlite3_stmt *q[NQ];
};

/* A copy of the text of column i of st's current row ("" for NULL). */
static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return hm_xstrdup(s ? (const char *)s : "");
}

/* Fill temp.dossier_activities with the candidates' activity rows of the
 * year: for the children's activities, and for the months of the year
 * that are parts of months (annual_dossier_months.sql: whole months come
 * from volunteer_months).  With the children loaded and a year of whole
 * months, nothing needs them: the table stays empty. */
static hm_error candidate_activities(hm_dossier_model *m, char *err, size_t errsz)
{
    static const char *const setup =
        "DROP TABLE IF EXISTS temp.dossier_candidates;"
        "DROP TABLE IF EXISTS temp.dossier_activities;"
        "DROP TABLE IF EXISTS temp.dossier_pairs;"
        "CREATE TEMP TABLE dossier_candidates (volunteer_id TEXT NOT NULL PRIMARY KEY)"
        " WITHOUT ROWID;"
        "CREATE TEMP TABLE dossier_activities (volunteer_id TEXT NOT NULL,"
        " child_id TEXT NOT NULL, date TEXT NOT NULL, activity_id TEXT NOT NULL);";
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    if (sqlite3_exec(m->db, setup, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(m->db, "INSERT OR IGNORE INTO temp.dossier_candidates VALUES (?1)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < m->n; i++) {
        sqlite3_bind_text(st, 1, m->cand[i].volunteer_id, -1, SQLITE_STATIC);
        int s2 = sqlite3_step(st);
        sqlite3_reset(st);
        if (s2 != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(m->db,
                           "INSERT INTO temp.dossier_activities"
                           " SELECT a.volunteer_id, a.child_id, a.date, a.activity_id"
                           " FROM activities a WHERE a.date BETWEEN ?1 AND ?2"
                           " AND a.volunteer_id IN (SELECT volunteer_id FROM temp.dossier_candidates)"
                           " AND NOT (?3 AND ?1 = date(?1, 'start of month')"
                           " AND ?2 = date(?2, 'start of month', '+1 month', '-1 day'))",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, m->p->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->p->to, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, m->loaded);
    if (sqlite3_step(st) != SQLITE_DONE ||
        sqlite3_exec(m->db, "CREATE INDEX temp.dossier_activities_volunteer"
                            " ON dossier_activities (volunteer_id, date)",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_finalize(st);
    return HM_OK;
fail:
    rc = hm_fail(HM_EQUERY, err, errsz, "dossiers: cannot gather the candidates' "
                 "activities: %s", sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
    return rc;
}

/* Fill temp.dossier_pairs with the five ones of the candidates' pairs. */
static hm_error candidate_pairs(hm_dossier_model *m, char *err, size_t errsz)
{
    static const char file[] = "annual_dossier_five_ones.sql";
    char *qpath = hm_path_join(m->p->queries_dir, file);
    char *sql = NULL;
    sqlite3_stmt *st = NULL;
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_error rc = hm_query_read(qpath, &sql, err, errsz);
    hm_strbuf_init(&sb);
    if (rc != HM_OK)
        goto out;
    hm_strbuf_adds(&sb, "CREATE TEMP TABLE dossier_pairs AS\n");
    hm_strbuf_adds(&sb, sql);
    if (sqlite3_prepare_v2(m->db, sb.buf, -1, &st, NULL) != SQLITE_OK || !st) {
        rc = hm_fail(HM_EQUERY, err, errsz, "%s: %s", qpath, sqlite3_errmsg(m->db));
        goto out;
    }
    hm_strbuf_release(&sb);
    hm_strbuf_init(&sb);   /* now the candidates' ids, a JSON array */
    for (size_t i = 0; i < m->n; i++) {
        hm_strbuf_addc(&sb, i ? ',' : '[');
        hm_strbuf_add_json(&sb, m->cand[i].volunteer_id);
    }
    hm_strbuf_adds(&sb, m->n ? "]" : "[]");
    const hm_param_extra who = { ":five_ones_who", sb.buf, 0 };
    if ((rc = hm_params_bind(st, m->p->query, &who, 1, file, err, errsz)) != HM_OK)
        goto out;
    if (sqlite3_step(st) != SQLITE_DONE ||
        sqlite3_exec(m->db, "CREATE INDEX temp.dossier_pairs_key"
                            " ON dossier_pairs (volunteer_id, child_id)",
                     NULL, NULL, NULL) != SQLITE_OK)
        rc = hm_fail(HM_EQUERY, err, errsz, "%s: %s", qpath, sqlite3_errmsg(m->db));
out:
    sqlite3_finalize(st);
    hm_strbuf_release(&sb);
    free(sql);
    free(qpath);
    return rc;
}

hm_error hm_dossier_model_open(sqlite3 *db, const hm_nominate_params *p,
                               const hm_nom_candidate *cand, size_t n, hm_dossier_model **out,
                               char *err, size_t errsz)
{
    hm_dossier_model *m = hm_xcalloc(1, sizeof *m);
    hm_error rc;
    m->db = db;
    m->p = p;
    m->cand = cand;
    m->n = n;
    m->loaded = n > 0;
    for (size_t i = 0; i < n; i++)
        m->loaded = m->loaded && cand[i].children_loaded;
    *out = NULL;
    if ((rc = candidate_activities(m, err, errsz)) != HM_OK ||
        (!m->loaded && (rc = candidate_pairs(m, err, errsz)) != HM_OK))
        goto out;
    for (int i = m->loaded ? Q_CHILDREN + 1 : 0; i < NQ; i++) {
        char *qpath = hm_path_join(p->queries_dir, QFILES[i]);
        char *sql = NULL;
        rc = hm_query_read(qpath, &sql, err, errsz);
        if (rc == HM_OK && (sqlite3_prepare_v2(db, sql, -1, &m->q[i], NULL) != SQLITE_OK ||
                            !m->q[i]))
            rc = hm_fail(HM_EQUERY, err, errsz, "%s: %s", qpath, sqlite3_errmsg(db));
        free(sql);
        free(qpath);
        if (rc != HM_OK)
            goto out;
    }
out:
    if (rc != HM_OK)
        hm_dossier_model_free(m);
    else
        *out = m;
    return rc;
}

/* Reset query q and bind its parameters (params.h) for the candidate vid. */
static hm_error bind_for(hm_dossier_model *m, int q, const char *vid, char *err, size_t errsz)
{
    const hm_param_extra who = { ":volunteer_id", vid, 0 };
    sqlite3_reset(m->q[q]);
    return hm_params_bind(m->q[q], m->p->query, &who, 1, QFILES[q], err, errsz);
}

/* The error of query q's last step. */
static hm_error step_failed(hm_dossier_model *m, int q, char *err, size_t errsz)
{
    return hm_fail(HM_EQUERY, err, errsz, "%s: %s", QFILES[q], sqlite3_errmsg(m->db));
}

/* A copy of the children that candidate k already holds, into pg. */
static void copy_children(const hm_nom_candidate *k, hm_dossier_page *pg)
{
    pg->nchildren = k->nchildren;
    pg->children = k->nchildren ? hm_xmalloc(k->nchildren * sizeof *pg->children) : NULL;
    for (size_t i = 0; i < k->nchildren; i++) {
        pg->children[i] = k->children[i];
        pg->children[i].child = hm_xstrdup(k->children[i].child);
        pg->children[i].town = hm_xstrdup(k->children[i].town);
        pg->children[i].since = hm_xstrdup(k->children[i].since);
    }
}

/* The candidate's children (alias, town, since, activities). */
static hm_error load_children(hm_dossier_model *m, const char *vid, hm_dossier_page *pg,
                              char *err, size_t errsz)
{
    sqlite3_stmt *st = m->q[Q_CHILDREN];
    size_t cap = 0;
    int src;
    if (m->loaded) {
        copy_children(pg->cand, pg);
        return HM_OK;
    }
    hm_error rc = bind_for(m, Q_CHILDREN, vid, err, errsz);
    if (rc != HM_OK)
        return rc;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (pg->nchildren == cap) {
            cap = cap ? cap * 2 : 4;
            pg->children = hm_xrealloc(pg->children, cap * sizeof *pg->children);
        }
        hm_dossier_child *c = &pg->children[pg->nchildren++];
        c->child = dup_col(st, 0);
        c->town = dup_col(st, 1);
        c->since = dup_col(st, 2);
        c->activities = sqlite3_column_int64(st, 3);
        c->has_record = sqlite3_column_type(st, 4) != SQLITE_NULL;
        c->months = sqlite3_column_int64(st, 4);
        c->called_months = sqlite3_column_int64(st, 5);
        c->reading = sqlite3_column_int(st, 6) != 0;
        c->holiday = sqlite3_column_int(st, 7) != 0;
        c->birthday_due = sqlite3_column_int(st, 8) != 0;
        c->birthday_kept = sqlite3_column_int(st, 9) != 0;
        c->wish = sqlite3_column_int(st, 10) != 0;
        c->kept = sqlite3_column_int64(st, 11);
        c->due = sqlite3_column_int64(st, 12);
    }
    return src == SQLITE_DONE ? HM_OK : step_failed(m, Q_CHILDREN, err, errsz);
}

/* The candidate's activities month by month (at most twelve rows). */
static hm_error load_months(hm_dossier_model *m, const char *vid, hm_dossier_page *pg,
                            char *err, size_t errsz)
{
    sqlite3_stmt *st = m->q[Q_MONTHS];
    int src;
    hm_error rc = bind_for(m, Q_MONTHS, vid, err, errsz);
    if (rc != HM_OK)
        return rc;
    while ((src = sqlite3_step(st)) == SQLITE_ROW && pg->nmonths < 12) {
        pg->month[pg->nmonths] = sqlite3_column_int(st, 0);
        pg->activities[pg->nmonths] = sqlite3_column_int64(st, 1);
        pg->nmonths++;
    }
    return src == SQLITE_ROW || src == SQLITE_DONE ? HM_OK
                                                   : step_failed(m, Q_MONTHS, err, errsz);
}

/* The candidate's stories of the year, newest first. */
static hm_error load_stories(hm_dossier_model *m, const char *vid, hm_dossier_page *pg,
                             char *err, size_t errsz)
{
    sqlite3_stmt *st = m->q[Q_STORIES];
    size_t cap = 0;
    int src;
    hm_error rc = bind_for(m, Q_STORIES, vid, err, errsz);
    if (rc != HM_OK)
        return rc;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (pg->nstories == cap) {
            cap = cap ? cap * 2 : 4;
            pg->stories = hm_xrealloc(pg->stories, cap * sizeof *pg->stories);
        }
        hm_dossier_story *s = &pg->stories[pg->nstories++];
        s->date = dup_col(st, 0);
        s->title = dup_col(st, 1);
        s->child = dup_col(st, 2);
        s->text = dup_col(st, 3);
    }
    return src == SQLITE_DONE ? HM_OK : step_failed(m, Q_STORIES, err, errsz);
}

hm_error hm_dossier_model_page(hm_dossier_model *m, size_t i, hm_dossier_page *pg, char *err,
                               size_t errsz)
{
    const hm_nom_candidate *k = &m->cand[i];
    hm_error rc;
    hm_dossier_page_release(pg);
    pg->cand = k;
    pg->index = i;
    if ((rc = load_children(m, k->volunteer_id, pg, err, errsz)) != HM_OK ||
        (rc = load_months(m, k->volunteer_id, pg, err, errsz)) != HM_OK ||
        (rc = load_stories(m, k->volunteer_id, pg, err, errsz)) != HM_OK)
        return rc;
    return HM_OK;
}

hm_error hm_dossier_model_pairs(hm_dossier_model *m, size_t i, hm_dossier_page *pg, char *err,
                                size_t errsz)
{
    hm_dossier_page_release(pg);
    pg->cand = &m->cand[i];
    pg->index = i;
    return load_children(m, m->cand[i].volunteer_id, pg, err, errsz);
}

void hm_dossier_page_release(hm_dossier_page *pg)
{
    if (!pg)
        return;
    for (size_t i = 0; i < pg->nchildren; i++) {
        free(pg->children[i].child);
        free(pg->children[i].town);
        free(pg->children[i].since);
    }
    for (size_t i = 0; i < pg->nstories; i++) {
        free(pg->stories[i].date);
        free(pg->stories[i].title);
        free(pg->stories[i].child);
        free(pg->stories[i].text);
    }
    free(pg->children);
    free(pg->stories);
    memset(pg, 0, sizeof *pg);
}

void hm_dossier_model_free(hm_dossier_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < NQ; i++)
        sqlite3_finalize(m->q[i]);
    sqlite3_exec(m->db, "DROP TABLE IF EXISTS temp.dossier_activities;"
                        "DROP TABLE IF EXISTS temp.dossier_pairs;"
                        "DROP TABLE IF EXISTS temp.dossier_candidates;", NULL, NULL, NULL);
    free(m);
}
