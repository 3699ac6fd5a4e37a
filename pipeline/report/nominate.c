/*
 * nominate.c - the nomination rules file and nominations.xlsx.
 *
 * The workbook is opened in constant-memory mode and every sheet is
 * written strictly top to bottom.  Sheets are created in the order they
 * are shown (about, shortlist, public notice, scorecard, continuations);
 * the shortlist and notice sheets get their header rows first and their
 * data after the scorecard has streamed past, which constant-memory mode
 * allows because it flushes per sheet.  The scorecard is one statement
 * stepped once: each row goes straight to the current sheet, and a full
 * sheet (Excel's 1,048,576 rows, header included) is closed with its
 * autofilter and a continuation sheet "评分表（续N）" with the same header
 * takes the next row, so no row is lost or repeated at the seam.
 */
#include "himama/nominate.h"
#include "himama/db.h"
#include "himama/util.h"
#include "himama/xlsx_write.h"

#include <xlsxwriter.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXCEL_MAX_ROWS 1048576u
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

/* s without leading and trailing blanks, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Parse a whole number 0..VALUE_MAX. */
static bool parse_count(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
        if (v > VALUE_MAX)
            return false;
    }
    *out = v;
    return true;
}

hm_error hm_nomination_conf_parse(const char *name, const char *text, hm_nomination_conf *c,
                                  char *err, size_t errsz)
{
    char *copy = hm_xstrdup(text), *save = NULL;
    bool seen[HM_NOM_NFIG + 3] = { false };
    hm_error rc = HM_OK;
    int line = 0;
    char *s = copy;
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;   /* a BOM from Notepad */
    for (char *ln = s; ln; ln = save) {
        char *nl = strchr(ln, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        line++;
        char *t = trim(ln);
        if (!*t || *t == '#')
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: expected 'key = value'", name, line);
            goto out;
        }
        *eq = '\0';
        char *key = trim(t), *val = trim(eq + 1);
        int64_t v;
        if (!parse_count(val, &v)) {
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: '%s' must be a whole number from 0 "
                      "to %d, not '%s'", name, line, key, VALUE_MAX, val);
            goto out;
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
            slot = HM_NOM_NFIG;
            dst = &c->min_call_months;
        } else if (strcmp(key, "eligible.min_months_paired") == 0) {
            slot = HM_NOM_NFIG + 1;
            dst = &c->min_months_paired;
        } else if (strcmp(key, "quota.default") == 0) {
            slot = HM_NOM_NFIG + 2;
            dst = &c->quota_default;
        } else if (strncmp(key, "quota.", 6) == 0 && key[6]) {
            for (size_t i = 0; i < c->nquota; i++)
                if (strcmp(c->quota[i].town_code, key + 6) == 0) {
                    rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: '%s' is given twice", name,
                              line, key);
                    goto out;
                }
            c->quota = hm_xrealloc(c->quota, (c->nquota + 1) * sizeof *c->quota);
            c->quota[c->nquota].town_code = hm_xstrdup(key + 6);
            c->quota[c->nquota].quota = v;
            c->nquota++;
            continue;
        }
        if (!dst) {
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: unknown key '%s' (weight.FIGURE, "
                      "eligible.min_call_months, eligible.min_months_paired, quota.default, "
                      "quota.TOWN_CODE)", name, line, key);
            goto out;
        }
        if (seen[slot]) {
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: '%s' is given twice", name, line, key);
            goto out;
        }
        seen[slot] = true;
        *dst = v;
    }
out:
    free(copy);
    return rc;
}

hm_error hm_nomination_conf_load(const char *path, hm_nomination_conf *c, char *err,
                                 size_t errsz)
{
    char *text = hm_read_file(path, NULL);
    if (!text)
        return hm_fail(HM_EIO, err, errsz, "cannot read the nomination rules '%s': %s", path,
                    strerror(errno));
    hm_error rc = hm_nomination_conf_parse(path, text, c, err, errsz);
    free(text);
    return rc;
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

/* ---- the workbook ---- */

/* The scorecard's columns as the query names them, with their headers. */
typedef struct col {
    const char *name, *zh, *en;
} col;

static const col CARD_HEAD[] = {
    { "town", "区镇", "Town" }, { "town_rank", "镇内排名", "Rank in town" },
    { "volunteer_id", "志愿者编号", "Volunteer ID" }, { "volunteer", "姓名", "Name" },
    { "role", "角色", "Role" }, { "sector", "界别", "Sector" },
};
#define NHEAD (sizeof CARD_HEAD / sizeof CARD_HEAD[0])
static const col CARD_TAIL[] = {
    { "score", "得分", "Score" }, { "eligible", "符合条件", "Eligible" },
    { "shortlisted", "入选推荐", "Shortlisted" },
};
#define NTAIL (sizeof CARD_TAIL / sizeof CARD_TAIL[0])
#define NCARD (NHEAD + HM_NOM_NFIG + NTAIL)

/* The writer's state. */
typedef struct nw {
    lxw_workbook *wb;
    const hm_nominate_params *p;
    const hm_nomination_conf *c;
    bool en;
    const char *sheet;        /* for messages */
    char *err;
    size_t errsz;
    lxw_format *f_title, *f_header, *f_para, *f_bold;
    hm_nom_candidate *cand;   /* shortlisted rows */
    size_t ncand, acand;
} nw;

/* Record a libxlsxwriter failure at (row, col) of the current sheet. */
static hm_error xfail(nw *x, lxw_error e, lxw_row_t row, lxw_col_t c)
{
    return hm_xlsxw_fail_cell(e, x->sheet, row, c, x->err, x->errsz);
}

/* Write s as a string (never a formula). */
static hm_error put_s(nw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                      lxw_format *f)
{
    lxw_error e = worksheet_write_string(ws, r, c, s ? s : "", f);
    return e == LXW_NO_ERROR ? HM_OK : xfail(x, e, r, c);
}

/* Write a number. */
static hm_error put_n(nw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v)
{
    lxw_error e = worksheet_write_number(ws, r, c, v, NULL);
    return e == LXW_NO_ERROR ? HM_OK : xfail(x, e, r, c);
}

/* A new sheet called name, made current for messages. */
static lxw_worksheet *add_sheet(nw *x, const char *name)
{
    x->sheet = name;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        hm_fail(HM_EXLSX, x->err, x->errsz, "cannot add the sheet '%s'", name);
    return ws;
}

/* A header row at row r of ws from n labels; frozen below. */
static hm_error header_row(nw *x, lxw_worksheet *ws, lxw_row_t r, const char *const *labels,
                           size_t n)
{
    hm_error rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = put_s(x, ws, r, (lxw_col_t)i, labels[i], x->f_header)) != HM_OK)
            return rc;
    worksheet_freeze_panes(ws, r + 1, 0);
    return HM_OK;
}

/* The about sheet: title, formula, weights, eligibility, tie rule, quotas. */
static hm_error write_about(nw *x)
{
    const hm_nomination_conf *c = x->c;
    bool en = x->en;
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_error rc = HM_OK;
    lxw_row_t r = 0;
    char year[8];
    lxw_worksheet *ws = add_sheet(x, en ? "About" : "说明");
    if (!ws)
        return HM_EXLSX;
    hm_strbuf_init(&sb);
    snprintf(year, sizeof year, "%.4s", x->p->from);
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 14, NULL);
    worksheet_set_column(ws, 2, 2, 60, NULL);
    hm_strbuf_addf(&sb, en ? "\"Most beautiful caring mother\" %s: nomination data"
                           : "%s年度“最美爱心妈妈”推荐评选数据", year);
    if ((rc = put_s(x, ws, r++, 0, sb.buf, x->f_title)) != HM_OK)
        goto out;
    hm_strbuf_reset(&sb);
    hm_strbuf_addf(&sb, en ? "Period %s to %s%s%s" : "统计期间 %s 至 %s%s%s", x->p->from,
                   x->p->to, x->p->org && *x->p->org ? " · " : "", x->p->org ? x->p->org : "");
    if ((rc = put_s(x, ws, r++, 0, sb.buf, NULL)) != HM_OK)
        goto out;
    r++;
    /* The formula, then the weights as a table anyone can recompute from. */
    if ((rc = put_s(x, ws, r++, 0, en ? "Score" : "评分公式", x->f_bold)) != HM_OK)
        goto out;
    hm_strbuf_reset(&sb);
    hm_nomination_formula(c, x->p->lang, &sb);
    if ((rc = put_s(x, ws, r++, 0, sb.buf, NULL)) != HM_OK)
        goto out;
    const char *wh[3] = { en ? "Figure (scorecard column)" : "指标（评分表列名）",
                          en ? "Weight" : "权重", en ? "Key in the rules file" : "规则文件中的键" };
    if ((rc = header_row(x, ws, r++, wh, 3)) != HM_OK)
        goto out;
    worksheet_freeze_panes(ws, 0, 0);
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        char key[64];
        snprintf(key, sizeof key, "weight.%s", hm_nom_figures[i].key);
        if ((rc = put_s(x, ws, r, 0, en ? hm_nom_figures[i].en : hm_nom_figures[i].zh,
                        NULL)) != HM_OK ||
            (rc = put_n(x, ws, r, 1, (double)c->weight[i])) != HM_OK ||
            (rc = put_s(x, ws, r, 2, key, NULL)) != HM_OK)
            goto out;
        r++;
    }
    r++;
    if ((rc = put_s(x, ws, r++, 0, en ? "Eligibility" : "参评条件", x->f_bold)) != HM_OK)
        goto out;
    hm_strbuf_reset(&sb);
    hm_strbuf_addf(&sb, en ? "A call to each paired child in at least %lld months of the "
                             "year, and paired in at least %lld months."
                           : "全年至少 %lld 个月每月与每名结对儿童亲情连线，且结对至少 %lld 个月。",
                   (long long)c->min_call_months, (long long)c->min_months_paired);
    if ((rc = put_s(x, ws, r++, 0, sb.buf, NULL)) != HM_OK)
        goto out;
    r++;
    if ((rc = put_s(x, ws, r++, 0, en ? "Ranking and ties" : "排名与同分规则", x->f_bold)) != HM_OK)
        goto out;
    if ((rc = put_s(x, ws, r++, 0, en ? "Eligible volunteers are ranked within their town by "
                    "score; on equal scores more months with a call to each child first, then "
                    "more months paired, then the lower volunteer ID."
                    : "符合条件的志愿者在本区镇内按得分从高到低排名；得分相同时，亲情连线达标"
                      "月数多者在前，再相同时结对月数多者在前，再相同时志愿者编号小者在前。",
                    NULL)) != HM_OK)
        goto out;
    r++;
    if ((rc = put_s(x, ws, r++, 0, en ? "Quota per town" : "各区镇推荐名额", x->f_bold)) != HM_OK)
        goto out;
    hm_strbuf_reset(&sb);
    hm_strbuf_addf(&sb, en ? "%lld per town unless listed below (quota.default)"
                           : "每个区镇 %lld 名，下列区镇除外（quota.default）",
                   (long long)c->quota_default);
    if ((rc = put_s(x, ws, r++, 0, sb.buf, NULL)) != HM_OK)
        goto out;
    for (size_t i = 0; i < c->nquota; i++) {
        if ((rc = put_s(x, ws, r, 0, c->quota[i].town_code, NULL)) != HM_OK ||
            (rc = put_n(x, ws, r, 1, (double)c->quota[i].quota)) != HM_OK)
            goto out;
        r++;
    }
    r++;
    if ((rc = put_s(x, ws, r++, 0, en ? "The rules are in templates/nomination.conf; every "
                    "figure is computed by queries/annual_scorecard.sql."
                    : "规则保存在 templates/nomination.conf，各项数据由 "
                      "queries/annual_scorecard.sql 计算。", NULL)) != HM_OK)
        goto out;
out:
    hm_strbuf_release(&sb);
    return rc;
}

/* The scorecard's header labels into labels[NCARD]. */
static void card_labels(const nw *x, const char **labels)
{
    size_t k = 0;
    for (size_t i = 0; i < NHEAD; i++)
        labels[k++] = x->en ? CARD_HEAD[i].en : CARD_HEAD[i].zh;
    for (int i = 0; i < HM_NOM_NFIG; i++)
        labels[k++] = x->en ? hm_nom_figures[i].en : hm_nom_figures[i].zh;
    for (size_t i = 0; i < NTAIL; i++)
        labels[k++] = x->en ? CARD_TAIL[i].en : CARD_TAIL[i].zh;
}

/* Start a scorecard sheet (number n, 1 = the first) with its header row. */
static lxw_worksheet *card_sheet(nw *x, size_t n, char *name, size_t namesz)
{
    const char *labels[NCARD];
    if (n == 1)
        snprintf(name, namesz, "%s", x->en ? "Scorecard" : "评分表");
    else
        snprintf(name, namesz, x->en ? "Scorecard (cont. %zu)" : "评分表（续%zu）", n - 1);
    lxw_worksheet *ws = add_sheet(x, name);
    if (!ws)
        return NULL;
    card_labels(x, labels);
    for (size_t i = 0; i < NCARD; i++)
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 14 : 11, NULL);
    if (header_row(x, ws, 0, labels, NCARD) != HM_OK)
        return NULL;
    return ws;
}

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

/* Bind the scorecard's parameters: the common ones (params.h) and the
 * rules' (quotas, thresholds, :w_KEY weights); an unknown one is an error. */
static hm_error bind_all(nw *x, sqlite3_stmt *st, const char *qpath, const char *quotas)
{
    enum { NFIXED = 4 };
    hm_param_extra ex[NFIXED + HM_NOM_NFIG] = {
        { ":quotas", quotas, 0 },
        { ":quota_default", NULL, x->c->quota_default },
        { ":min_call_months", NULL, x->c->min_call_months },
        { ":min_months_paired", NULL, x->c->min_months_paired },
    };
    char wname[HM_NOM_NFIG][64];
    for (int i = 0; i < HM_NOM_NFIG; i++) {
        snprintf(wname[i], sizeof wname[i], ":w_%s", hm_nom_figures[i].key);
        ex[NFIXED + i] = (hm_param_extra){ wname[i], NULL, x->c->weight[i] };
    }
    return hm_params_bind(st, x->p->query, ex, NFIXED + HM_NOM_NFIG, qpath, x->err, x->errsz);
}

/* Keep the current row as a candidate. */
static void keep_candidate(nw *x, sqlite3_stmt *st, const int *ci)
{
    if (x->ncand == x->acand) {
        x->acand = x->acand ? x->acand * 2 : 16;
        x->cand = hm_xrealloc(x->cand, x->acand * sizeof *x->cand);
    }
    hm_nom_candidate *k = &x->cand[x->ncand++];
    memset(k, 0, sizeof *k);
    k->town = hm_xstrdup(col_text(st, ci[0]));
    k->rank = sqlite3_column_int64(st, ci[1]);
    k->volunteer_id = hm_xstrdup(col_text(st, ci[2]));
    k->volunteer = hm_xstrdup(col_text(st, ci[3]));
    k->role = hm_xstrdup(col_text(st, ci[4]));
    k->sector = hm_xstrdup(col_text(st, ci[5]));
    for (int i = 0; i < HM_NOM_NFIG; i++)
        k->fig[i] = sqlite3_column_int64(st, ci[NHEAD + (size_t)i]);
    k->score = sqlite3_column_int64(st, ci[NHEAD + HM_NOM_NFIG]);
    k->masked = hm_xstrdup(col_text(st, ci[NCARD]));
}

void hm_nom_candidates_free(hm_nom_candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].volunteer_id);
        free(c[i].volunteer);
        free(c[i].masked);
        free(c[i].town);
        free(c[i].role);
        free(c[i].sector);
    }
    free(c);
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

/* Stream the scorecard into its sheets; keep the shortlisted rows. */
static hm_error write_scorecard(nw *x, sqlite3 *db, hm_nominate_stats *stats)
{
    char *qpath = hm_path_join(x->p->queries_dir, "annual_scorecard.sql");
    char *sql = hm_read_file(qpath, NULL);
    sqlite3_stmt *st = NULL;
    hm_strbuf quotas = HM_STRBUF_INIT;
    hm_error rc = HM_OK;
    char name[64];
    int ci[NCARD + 1];
    size_t per = x->p->rows_per_sheet ? x->p->rows_per_sheet : EXCEL_MAX_ROWS - 1;
    if (per > EXCEL_MAX_ROWS - 1)
        per = EXCEL_MAX_ROWS - 1;

    hm_strbuf_init(&quotas);
    if (!sql) {
        rc = hm_fail(HM_EQUERY, x->err, x->errsz, "cannot read query '%s': %s", qpath,
                  strerror(errno));
        goto out;
    }
    int prc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (prc != SQLITE_OK || !st) {
        rc = hm_fail(HM_EQUERY, x->err, x->errsz, "%s: %s", qpath,
                  prc != SQLITE_OK ? sqlite3_errmsg(db) : "no statement");
        goto out;
    }
    quotas_json(x->c, &quotas);
    if ((rc = bind_all(x, st, qpath, quotas.buf)) != HM_OK)
        goto out;
    {
        const char *names[NCARD + 1];
        size_t k = 0;
        for (size_t i = 0; i < NHEAD; i++)
            names[k++] = CARD_HEAD[i].name;
        for (int i = 0; i < HM_NOM_NFIG; i++)
            names[k++] = hm_nom_figures[i].key;
        for (size_t i = 0; i < NTAIL; i++)
            names[k++] = CARD_TAIL[i].name;
        names[k++] = "masked";
        for (size_t i = 0; i < k; i++)
            if ((ci[i] = col_of(st, names[i])) < 0) {
                rc = hm_fail(HM_EQUERY, x->err, x->errsz, "%s: the query does not return the "
                          "column '%s'", qpath, names[i]);
                goto out;
            }
    }
    size_t nsheet = 1, row = 0;
    lxw_worksheet *ws = card_sheet(x, nsheet, name, sizeof name);
    if (!ws) {
        rc = HM_EXLSX;
        goto out;
    }
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (row == per) {
            worksheet_autofilter(ws, 0, 0, (lxw_row_t)row, NCARD - 1);
            ws = card_sheet(x, ++nsheet, name, sizeof name);
            if (!ws) {
                rc = HM_EXLSX;
                goto out;
            }
            row = 0;
        }
        row++;
        for (size_t i = 0; i < NCARD; i++) {
            int k = ci[i];
            if (sqlite3_column_type(st, k) == SQLITE_NULL)
                continue;
            if (i < NHEAD && i != 1)
                rc = put_s(x, ws, (lxw_row_t)row, (lxw_col_t)i, col_text(st, k), NULL);
            else
                rc = put_n(x, ws, (lxw_row_t)row, (lxw_col_t)i,
                           (double)sqlite3_column_int64(st, k));
            if (rc != HM_OK)
                goto out;
        }
        stats->volunteers++;
        stats->eligible += sqlite3_column_int64(st, ci[NHEAD + HM_NOM_NFIG + 1]) != 0;
        if (sqlite3_column_int64(st, ci[NHEAD + HM_NOM_NFIG + 2]) != 0)
            keep_candidate(x, st, ci);
    }
    if (src != SQLITE_DONE) {
        rc = hm_fail(HM_EQUERY, x->err, x->errsz, "%s: %s", qpath, sqlite3_errmsg(db));
        goto out;
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(row ? row : 1), NCARD - 1);
    stats->scorecard_sheets = nsheet;
    stats->shortlisted = x->ncand;
out:
    sqlite3_finalize(st);
    hm_strbuf_release(&quotas);
    free(sql);
    free(qpath);
    return rc;
}

/* The shortlist and the public notice: their headers now, rows later. */
static hm_error write_lists(nw *x, lxw_worksheet *sl, lxw_worksheet *pn, const char *sl_name,
                            const char *pn_name)
{
    hm_error rc;
    x->sheet = sl_name;
    for (size_t i = 0; i < x->ncand; i++) {
        const hm_nom_candidate *k = &x->cand[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        if ((rc = put_s(x, sl, r, 0, k->town, NULL)) != HM_OK ||
            (rc = put_n(x, sl, r, 1, (double)k->rank)) != HM_OK ||
            (rc = put_s(x, sl, r, 2, k->volunteer_id, NULL)) != HM_OK ||
            (rc = put_s(x, sl, r, 3, k->volunteer, NULL)) != HM_OK ||
            (rc = put_s(x, sl, r, 4, k->role, NULL)) != HM_OK ||
            (rc = put_s(x, sl, r, 5, k->sector, NULL)) != HM_OK)
            return rc;
        for (int f = 0; f < HM_NOM_NFIG; f++)
            if ((rc = put_n(x, sl, r, (lxw_col_t)(6 + f), (double)k->fig[f])) != HM_OK)
                return rc;
        if ((rc = put_n(x, sl, r, 6 + HM_NOM_NFIG, (double)k->score)) != HM_OK)
            return rc;
    }
    worksheet_autofilter(sl, 0, 0, (lxw_row_t)(x->ncand ? x->ncand : 1), 6 + HM_NOM_NFIG);
    x->sheet = pn_name;
    for (size_t i = 0; i < x->ncand; i++) {
        const hm_nom_candidate *k = &x->cand[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        if ((rc = put_n(x, pn, r, 0, (double)(i + 1))) != HM_OK ||
            (rc = put_s(x, pn, r, 1, k->town, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 2, k->masked, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 3, k->role, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 4, k->sector, NULL)) != HM_OK)
            return rc;
    }
    lxw_row_t r = (lxw_row_t)(x->ncand + 2);
    return put_s(x, pn, r, 0, x->en
                 ? "Names are shown as the surname and *. Objections may be raised with the "
                   "district Women's Federation during the notice period."
                 : "注：姓名仅显示姓氏，其余以 * 代替。公示期间如有异议，请向区妇联反映。",
                 NULL);
}

hm_error hm_nominate_write(sqlite3 *db, const hm_nomination_conf *c,
                           const hm_nominate_params *p, const char *xlsx_path,
                           const char *pdf_base, hm_dossier_files *files,
                           hm_nominate_stats *stats, char *err, size_t errsz)
{
    nw x;
    hm_nominate_stats local;
    hm_error rc = HM_OK;
    memset(&x, 0, sizeof x);
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    x.p = p;
    x.c = c;
    x.en = p->lang && strcmp(p->lang, "en") == 0;
    x.err = err;
    x.errsz = errsz;

    hm_xlsxw_opts wo = { .constant_memory = true, .zip64 = true };
    if ((rc = hm_xlsxw_open(xlsx_path, &wo, &x.wb, err, errsz)) != HM_OK)
        goto out;
    hm_xlsxw_props props = {
        .title = x.en ? "Nominations" : "最美爱心妈妈推荐数据",
        .author = p->org,
        .created = p->render ? p->render->created : 0,
    };
    if ((rc = hm_xlsxw_properties(x.wb, &props, err, errsz)) != HM_OK)
        goto out;
    x.f_title = workbook_add_format(x.wb);
    x.f_header = workbook_add_format(x.wb);
    x.f_bold = workbook_add_format(x.wb);
    format_set_bold(x.f_title);
    format_set_font_size(x.f_title, 16);
    format_set_bold(x.f_header);
    format_set_text_wrap(x.f_header);
    format_set_bg_color(x.f_header, 0xDDEBF7);
    format_set_border(x.f_header, LXW_BORDER_THIN);
    format_set_bold(x.f_bold);

    if ((rc = write_about(&x)) != HM_OK)
        goto out;
    const char *sl_name = x.en ? "Shortlist" : "推荐名单";
    const char *pn_name = x.en ? "Public notice" : "公示名单";
    lxw_worksheet *sl = add_sheet(&x, sl_name);
    lxw_worksheet *pn = sl ? add_sheet(&x, pn_name) : NULL;
    if (!pn) {
        rc = HM_EXLSX;
        goto out;
    }
    {
        const char *labels[NCARD];
        card_labels(&x, labels);
        x.sheet = sl_name;
        for (size_t i = 0; i < NCARD; i++)
            worksheet_set_column(sl, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 14 : 11, NULL);
        if ((rc = header_row(&x, sl, 0, labels, NHEAD + HM_NOM_NFIG + 1)) != HM_OK)
            goto out;
        const char *pl[5] = { x.en ? "No." : "序号", x.en ? "Town" : "区镇",
                              x.en ? "Name" : "姓名", x.en ? "Role" : "角色",
                              x.en ? "Sector" : "界别" };
        x.sheet = pn_name;
        worksheet_set_column(pn, 0, 0, 8, NULL);
        worksheet_set_column(pn, 1, 4, 16, NULL);
        if ((rc = header_row(&x, pn, 0, pl, 5)) != HM_OK)
            goto out;
    }
    double t0 = hm_clock();
    if ((rc = write_scorecard(&x, db, stats)) != HM_OK)
        goto out;
    hm_timing("scorecard (query and sheet)", t0, stats->volunteers);
    if ((rc = write_lists(&x, sl, pn, sl_name, pn_name)) != HM_OK)
        goto out;
    if (p->hand_over) {
        p->hand_over(p->hand_over_arg, x.cand, x.ncand);
        x.cand = NULL;
        x.ncand = 0;
    }
    t0 = hm_clock();
    rc = hm_xlsxw_close(x.wb, xlsx_path, NULL, err, errsz);
    x.wb = NULL;
    hm_timing("nominations.xlsx (close)", t0, 0);
    if (rc != HM_OK)
        goto out;
    if (!p->hand_over)
        rc = hm_dossier_write(db, p, c, x.cand, x.ncand, pdf_base, files, err, errsz);
out:
    if (rc != HM_OK) {
        hm_xlsxw_discard(x.wb, xlsx_path);
        hm_dossier_files_discard(files);
    }
    hm_nom_candidates_free(x.cand, x.ncand);
    return rc;
}
