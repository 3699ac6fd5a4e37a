/*
 * nominate.c - the nomination rules file, the scorecard's columns and its
 * cursor, and the dossiers' split into files (nomination.h, nominate.h).
 *
 * The scorecard is one statement stepped once: each row is handed to the
 * caller (the workbook writes it straight to its sheet) and only the
 * shortlisted rows are kept, so memory does not grow with the number of
 * volunteers.  The columns are found by name once, when the statement is
 * prepared, so a query that lacks one fails before any row.
 */
#include "himama/nominate.h"
#include "himama/conf.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 1000000

const hm_nom_figure hm_nom_figures[HM_NOM_NFIG] = {
    { "call_months", "亲情连线达标月数", "Months with a call to each child" },
    { "reading", "陪你阅读（次）", "Reading sessions" },
    { "holiday", "假日亲子活动（场）", "Holiday activities" },
    { "birthday", "陪过生日（次）", "Birthdays accompanied" },
    { "wishes", "实现微心愿（个）", "Wishes fulfilled" },
    { "children", "结对儿童（名）", "Children paired" },
    { "months_paired", "结对月数", "Months paired" },
    { "trainings", "参加培训（次）", "Trainings attended" },
    { "stories", "事迹（篇）", "Stories recorded" },
};


void hm_nomination_conf_init(hm_nomination_conf *c)
{
    memset(c, 0, sizeof *c);
    c->quota_default = 3;
}

void hm_nomination_conf_release(hm_nomination_conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nquota; i++)
        free(c->quota[i].town_code);
    free(c->quota);
    c->quota = NULL;
    c->nquota = 0;
}

/* The parser's state: the rules being filled, the keys seen, the message. */
typedef struct nom_parse {
    hm_nomination_conf *c;
    bool seen[HM_NOM_NFIG + 5];
    char why[256];
} nom_parse;

/* The slots of seen past the figures'. */
enum { SEEN_MIN_CALL = HM_NOM_NFIG, SEEN_MIN_PAIRED, SEEN_QUOTA, SEEN_NOTICE, SEEN_ROLES };

/* A key that is a word choice: notice_names or roles; NULL when fine. */
static const char *nom_choice(nom_parse *P, const char *key, const char *val, bool *known)
{
    static const char *const roles[] = { "mothers", "fathers", "all" };
    *known = true;
    if (strcmp(key, "notice_names") == 0) {
        bool masked = strcmp(val, "masked") == 0;
        if (!masked && strcmp(val, "full") != 0) {
            snprintf(P->why, sizeof P->why, "'notice_names' must be 'full' or 'masked', "
                     "not '%s'", val);
            return P->why;
        }
        if (P->seen[SEEN_NOTICE])
            goto twice;
        P->seen[SEEN_NOTICE] = true;
        P->c->notice_masked = masked;
        return NULL;
    }
    if (strcmp(key, "roles") == 0) {
        int r = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(val, roles[i]) == 0)
                r = i;
        if (r < 0) {
            snprintf(P->why, sizeof P->why, "'roles' must be 'mothers', 'fathers' or 'all', "
                     "not '%s'", val);
            return P->why;
        }
        if (P->seen[SEEN_ROLES])
            goto twice;
        P->seen[SEEN_ROLES] = true;
        P->c->roles = (hm_nom_roles)r;
        return NULL;
    }
    *known = false;
    return NULL;
twice:
    snprintf(P->why, sizeof P->why, "'%s' is given twice", key);
    return P->why;
}

/* One "key = value" of the rules (conf.h); NULL when fine, else why not. */
static const char *nom_pair(void *arg, const char *key, const char *val)
{
    nom_parse *P = arg;
    hm_nomination_conf *c = P->c;
    bool known;
    const char *why = nom_choice(P, key, val, &known);
    int64_t v;
    if (known)
        return why;
    if (!hm_conf_count(val, VALUE_MAX, &v)) {
        snprintf(P->why, sizeof P->why, "'%s' must be a whole number from 0 to %d, not '%s'",
                 key, VALUE_MAX, val);
        return P->why;
    }
    int slot = -1;
    int64_t *dst = NULL;
    if (strncmp(key, "weight.", 7) == 0) {
        for (int i = 0; i < HM_NOM_NFIG; i++)
            if (strcmp(key + 7, hm_nom_figures[i].key) == 0) {
                slot = i;
                dst = &c->weight[i];
            }
    } else if (strcmp(key, "eligible.min_call_months") == 0) {
        slot = SEEN_MIN_CALL;
        dst = &c->min_call_months;
    } else if (strcmp(key, "eligible.min_months_paired") == 0) {
        slot = SEEN_MIN_PAIRED;
        dst = &c->min_months_paired;
    } else if (strcmp(key, "quota.default") == 0) {
        slot = SEEN_QUOTA;
        dst = &c->quota_default;
    } else if (strncmp(key, "quota.", 6) == 0 && key[6]) {
        for (size_t i = 0; i < c->nquota; i++)
            if (strcmp(c->quota[i].town_code, key + 6) == 0) {
                snprintf(P->why, sizeof P->why, "'%s' is given twice", key);
                return P->why;
            }
        c->quota = hm_xrealloc(c->quota, (c->nquota + 1) * sizeof *c->quota);
        c->quota[c->nquota].town_code = hm_xstrdup(key + 6);
        c->quota[c->nquota].quota = v;
        c->nquota++;
        return NULL;
    }
    if (!dst) {
        snprintf(P->why, sizeof P->why, "unknown key '%s' (weight.FIGURE, "
                 "eligible.min_call_months, eligible.min_months_paired, quota.default, "
                 "quota.TOWN_CODE, notice_names, roles)", key);
        return P->why;
    }
    if (P->seen[slot]) {
        snprintf(P->why, sizeof P->why, "'%s' is given twice", key);
        return P->why;
    }
    P->seen[slot] = true;
    *dst = v;
    return NULL;
}

hm_error hm_nomination_conf_parse(const char *name, const char *text, hm_nomination_conf *c,
                                  char *err, size_t errsz)
{
    nom_parse P = { .c = c };
    return hm_conf_read(name, text, nom_pair, &P, err, errsz);
}

hm_error hm_nomination_conf_load(const char *path, hm_nomination_conf *c, char *err,
                                 size_t errsz)
{
    nom_parse P = { .c = c };
    return hm_conf_load(path, "the nomination rules", nom_pair, &P, err, errsz);
}

const char *hm_nom_roles_name(hm_nom_roles r)
{
    return r == HM_NOM_FATHERS ? "fathers" : r == HM_NOM_ALL ? "all" : "mothers";
}

void hm_nomination_formula(const hm_nomination_conf *c, const char *lang, hm_strbuf *sb)
{
    bool en = lang && strcmp(lang, "en") == 0;
    bool any = false;
    hm_strbuf_adds(sb, en ? "Score = " : "得分 = ");
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        if (c->weight[i] == 0)
            continue;
        hm_strbuf_addf(sb, "%s%lld × %s", any ? " + " : "", (long long)c->weight[i],
                       en ? hm_nom_figures[i].en : hm_nom_figures[i].zh);
        any = true;
    }
    if (!any)
        hm_strbuf_adds(sb, "0");
}

void hm_nomination_roles_text(const hm_nomination_conf *c, const char *lang, hm_strbuf *sb)
{
    bool en = lang && strcmp(lang, "en") == 0;
    static const char *const zh[] = {
        "参评对象：爱心妈妈（角色未填写的按爱心妈妈计；roles = mothers）。",
        "参评对象：爱心爸爸（roles = fathers）。",
        "参评对象：全体志愿者，不分爱心妈妈、爱心爸爸（roles = all）。",
    };
    static const char *const eng[] = {
        ("Who may be nominated: caring mothers (a volunteer with no role recorded counts as "
         "one; roles = mothers)."),
        "Who may be nominated: caring fathers (roles = fathers).",
        "Who may be nominated: every volunteer, mother or father (roles = all).",
    };
    hm_strbuf_adds(sb, en ? eng[c->roles] : zh[c->roles]);
}

/* ---- the scorecard's columns ---- */

/* A column of the scorecard that is not a figure: its name in the query, its headers. */
typedef struct col {
    const char *name, *zh, *en;
} col;

static const col CARD_HEAD[] = {
    { "town", "区镇", "Town" }, { "town_rank", "镇内排名", "Rank in town" },
    { "volunteer_id", "志愿者编号", "Volunteer ID" }, { "volunteer", "姓名", "Name" },
    { "role", "角色", "Role" }, { "sector", "界别", "Sector" },
};
static const col CARD_TAIL[] = {
    { "score", "得分", "Score" }, { "eligible", "符合条件", "Eligible" },
    { "shortlisted", "入选推荐", "Shortlisted" }, { "hours", "服务时长（小时）", "Service hours" },
    { "organization", "单位或团队", "Organisation" }, { "gender", "性别", "Gender" },
    { "since", "参与起始", "In the programme since" },
    { "years", "参与年限（年）", "Years in the programme" },
    { "age", "年龄（岁）", "Age" },
};
_Static_assert(sizeof CARD_HEAD / sizeof CARD_HEAD[0] == HM_NOM_COL_FIG, "scorecard head");
_Static_assert(sizeof CARD_TAIL / sizeof CARD_TAIL[0] == HM_NOM_NCOL - HM_NOM_COL_SCORE,
               "scorecard tail");

const char *hm_nom_column_name(size_t i)
{
    if (i < HM_NOM_COL_FIG)
        return CARD_HEAD[i].name;
    if (i < HM_NOM_COL_SCORE)
        return hm_nom_figures[i - HM_NOM_COL_FIG].key;
    return i < HM_NOM_NCOL ? CARD_TAIL[i - HM_NOM_COL_SCORE].name : NULL;
}

const char *hm_nom_column_label(size_t i, bool en)
{
    if (i < HM_NOM_COL_FIG)
        return en ? CARD_HEAD[i].en : CARD_HEAD[i].zh;
    if (i < HM_NOM_COL_SCORE)
        return en ? hm_nom_figures[i - HM_NOM_COL_FIG].en : hm_nom_figures[i - HM_NOM_COL_FIG].zh;
    if (i >= HM_NOM_NCOL)
        return NULL;
    return en ? CARD_TAIL[i - HM_NOM_COL_SCORE].en : CARD_TAIL[i - HM_NOM_COL_SCORE].zh;
}

bool hm_nom_column_is_text(size_t i)
{
    return (i < HM_NOM_COL_FIG && i != HM_NOM_COL_RANK) || i == HM_NOM_COL_ORG ||
           i == HM_NOM_COL_GENDER || i == HM_NOM_COL_SINCE;
}

/* ---- the scorecard ---- */

/* The masked name: a column the candidates keep and the scorecard does not show. */
enum { COL_MASKED = HM_NOM_NCOL, NQCOL };

struct hm_scorecard {
    sqlite3 *db;
    sqlite3_stmt *st;
    char *qpath;                  /* the query file, for messages */
    int ci[NQCOL];                /* each column's index in st */
    hm_nom_row row;               /* the current row */
    hm_nominate_stats stats;      /* volunteers, eligible, shortlisted */
    hm_nom_candidate *cand;       /* shortlisted rows (owned) */
    size_t ncand, acand;
};

/* The text of column i of the current row ("" for NULL). */
static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* Index of the column called name in st, or -1. */
static int col_of(sqlite3_stmt *st, const char *name)
{
    for (int i = 0; i < sqlite3_column_count(st); i++)
        if (strcmp(sqlite3_column_name(st, i), name) == 0)
            return i;
    return -1;
}

/* The quotas as a JSON object for :quotas (caller releases sb). */
static void quotas_json(const hm_nomination_conf *c, hm_strbuf *sb)
{
    hm_strbuf_addc(sb, '{');
    for (size_t i = 0; i < c->nquota; i++) {
        if (i)
            hm_strbuf_addc(sb, ',');
        hm_strbuf_add_json(sb, c->quota[i].town_code);
        hm_strbuf_addf(sb, ":%lld", (long long)c->quota[i].quota);
    }
    hm_strbuf_addc(sb, '}');
}

/* Bind the scorecard's parameters: the common ones (params.h) and the
 * rules' (quotas, thresholds, roles, :w_KEY weights); an unknown one is an error. */
static hm_error bind_all(const hm_nomination_conf *c, const hm_nominate_params *p,
                         sqlite3_stmt *st, const char *qpath, char *err, size_t errsz)
{
    enum { NFIXED = 5 };
    hm_strbuf quotas = HM_STRBUF_INIT;
    hm_strbuf_init(&quotas);
    quotas_json(c, &quotas);
    hm_param_extra ex[NFIXED + HM_NOM_NFIG] = {
        { ":quotas", quotas.buf, 0 },
        { ":quota_default", NULL, c->quota_default },
        { ":min_call_months", NULL, c->min_call_months },
        { ":min_months_paired", NULL, c->min_months_paired },
        { ":roles", hm_nom_roles_name(c->roles), 0 },
    };
    char wname[HM_NOM_NFIG][64];
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        snprintf(wname[i], sizeof wname[i], ":w_%s", hm_nom_figures[i].key);
        ex[NFIXED + i] = (hm_param_extra){ wname[i], NULL, c->weight[i] };
    }
    hm_error rc = hm_params_bind(st, p->query, ex, NFIXED + HM_NOM_NFIG, qpath, err, errsz);
    hm_strbuf_release(&quotas);
    return rc;
}

hm_error hm_scorecard_open(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, hm_scorecard **out, char *err,
                           size_t errsz)
{
    hm_scorecard *s = hm_xcalloc(1, sizeof *s);
    hm_error rc = HM_OK;
    s->db = db;
    s->qpath = hm_path_join(p->queries_dir, "annual_scorecard.sql");
    char *sql = NULL;
    *out = NULL;
    if ((rc = hm_query_read(s->qpath, &sql, err, errsz)) != HM_OK)
        goto out;
    int prc = sqlite3_prepare_v2(db, sql, -1, &s->st, NULL);
    if (prc != SQLITE_OK || !s->st) {
        rc = hm_fail(HM_EQUERY, err, errsz, "%s: %s", s->qpath,
                     prc != SQLITE_OK ? sqlite3_errmsg(db) : "no statement");
        goto out;
    }
    if ((rc = bind_all(c, p, s->st, s->qpath, err, errsz)) != HM_OK)
        goto out;
    for (size_t i = 0; i < NQCOL; i++) {
        const char *name = i == COL_MASKED ? "masked" : hm_nom_column_name(i);
        if ((s->ci[i] = col_of(s->st, name)) < 0) {
            rc = hm_fail(HM_EQUERY, err, errsz, "%s: the query does not return the column "
                         "'%s'", s->qpath, name);
            goto out;
        }
    }
out:
    free(sql);
    if (rc != HM_OK)
        hm_scorecard_free(s);
    else
        *out = s;
    return rc;
}

/* Keep the current row as a candidate. */
static void keep_candidate(hm_scorecard *s)
{
    sqlite3_stmt *st = s->st;
    const int *ci = s->ci;
    if (s->ncand == s->acand) {
        s->acand = s->acand ? s->acand * 2 : 16;
        s->cand = hm_xrealloc(s->cand, s->acand * sizeof *s->cand);
    }
    hm_nom_candidate *k = &s->cand[s->ncand++];
    memset(k, 0, sizeof *k);
    k->town = hm_xstrdup(col_text(st, ci[HM_NOM_COL_TOWN]));
    k->rank = sqlite3_column_int64(st, ci[HM_NOM_COL_RANK]);
    k->volunteer_id = hm_xstrdup(col_text(st, ci[HM_NOM_COL_VOLUNTEER_ID]));
    k->volunteer = hm_xstrdup(col_text(st, ci[HM_NOM_COL_VOLUNTEER]));
    k->role = hm_xstrdup(col_text(st, ci[HM_NOM_COL_ROLE]));
    k->sector = hm_xstrdup(col_text(st, ci[HM_NOM_COL_SECTOR]));
    for (int i = 0; i < HM_NOM_NFIG; i++)
        k->fig[i] = sqlite3_column_int64(st, ci[HM_NOM_COL_FIG + i]);
    k->score = sqlite3_column_int64(st, ci[HM_NOM_COL_SCORE]);
    k->masked = hm_xstrdup(col_text(st, ci[COL_MASKED]));
    k->organization = hm_xstrdup(col_text(st, ci[HM_NOM_COL_ORG]));
    k->gender = hm_xstrdup(col_text(st, ci[HM_NOM_COL_GENDER]));
    k->since = hm_xstrdup(col_text(st, ci[HM_NOM_COL_SINCE]));
    k->years = sqlite3_column_type(st, ci[HM_NOM_COL_YEARS]) == SQLITE_NULL
                   ? -1 : sqlite3_column_int64(st, ci[HM_NOM_COL_YEARS]);
    k->age = sqlite3_column_type(st, ci[HM_NOM_COL_AGE]) == SQLITE_NULL
                 ? -1 : sqlite3_column_int64(st, ci[HM_NOM_COL_AGE]);
    k->hours = sqlite3_column_int64(st, ci[HM_NOM_COL_HOURS]);
}

hm_error hm_scorecard_next(hm_scorecard *s, const hm_nom_row **row, char *err,
                           size_t errsz)
{
    sqlite3_stmt *st = s->st;
    int src = sqlite3_step(st);
    *row = NULL;
    if (src == SQLITE_DONE)
        return HM_OK;
    if (src != SQLITE_ROW)
        return hm_fail(HM_EQUERY, err, errsz, "%s: %s", s->qpath, sqlite3_errmsg(s->db));
    for (size_t i = 0; i < HM_NOM_NCOL; i++) {
        int k = s->ci[i];
        s->row.null[i] = sqlite3_column_type(st, k) == SQLITE_NULL;
        s->row.text[i] = NULL;
        s->row.num[i] = 0;
        if (s->row.null[i])
            continue;
        if (hm_nom_column_is_text(i))
            s->row.text[i] = col_text(st, k);
        else
            s->row.num[i] = sqlite3_column_int64(st, k);
    }
    s->stats.volunteers++;
    s->stats.eligible += sqlite3_column_int64(st, s->ci[HM_NOM_COL_ELIGIBLE]) != 0;
    if (sqlite3_column_int64(st, s->ci[HM_NOM_COL_SHORTLISTED]) != 0) {
        keep_candidate(s);
        s->stats.shortlisted = s->ncand;
    }
    *row = &s->row;
    return HM_OK;
}

void hm_scorecard_stats(const hm_scorecard *s, hm_nominate_stats *stats)
{
    stats->volunteers = s->stats.volunteers;
    stats->eligible = s->stats.eligible;
    stats->shortlisted = s->stats.shortlisted;
}

const hm_nom_candidate *hm_scorecard_shortlist(const hm_scorecard *s, size_t *n)
{
    *n = s->ncand;
    return s->cand;
}

hm_nom_candidate *hm_scorecard_take(hm_scorecard *s, size_t *n)
{
    hm_nom_candidate *c = s->cand;
    *n = s->ncand;
    s->cand = NULL;
    s->ncand = s->acand = 0;
    return c;
}

void hm_scorecard_free(hm_scorecard *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st);
    hm_nom_candidates_free(s->cand, s->ncand);
    free(s->qpath);
    free(s);
}

void hm_nom_candidates_free(hm_nom_candidate *c, size_t n)
{
    if (!c)
        return;
    for (size_t i = 0; i < n; i++) {
        free(c[i].volunteer_id);
        free(c[i].volunteer);
        free(c[i].masked);
        free(c[i].town);
        free(c[i].role);
        free(c[i].sector);
        free(c[i].organization);
        free(c[i].gender);
        free(c[i].since);
        for (size_t k = 0; k < c[i].nchildren; k++) {
            free(c[i].children[k].child);
            free(c[i].children[k].town);
            free(c[i].children[k].since);
        }
        free(c[i].children);
    }
    free(c);
}

/* ---- the dossiers' files ---- */

size_t hm_dossier_volumes(const hm_nom_candidate *cand, size_t n, size_t per_file,
                          size_t *start)
{
    size_t nv = 0, in = 0;   /* files begun, pages in the current one */
    start[nv++] = 0;
    for (size_t i = 0; i < n; i++) {
        bool town_starts = i == 0 || strcmp(cand[i].town, cand[i - 1].town) != 0;
        if (in > 0 && town_starts) {
            size_t len = 1;
            while (i + len < n && strcmp(cand[i + len].town, cand[i].town) == 0)
                len++;
            if (in + len > per_file && len <= per_file) {
                start[nv++] = i;   /* the town fits whole in the next file */
                in = 0;
            }
        }
        if (in == per_file) {
            start[nv++] = i;
            in = 0;
        }
        in++;
    }
    start[nv] = n;
    return nv;
}
