/*
 * nominations_xlsx.c - nominations.xlsx from the nomination model
 * (nominations_xlsx.h).
 *
 * A public report's workbook holds the about sheet and the public notice
 * only: the scorecard and the shortlist are row-level lists of volunteers
 * and their shortfalls, for staff.  The notice names the candidates in
 * full (a 公示 is there for the public to see who is nominated and object),
 * or as 张* when the rules say notice_names = masked.
 *
 * The workbook is opened in constant-memory mode and every sheet is
 * written strictly top to bottom.  Sheets are created in the order they
 * are shown (about, shortlist, public notice, scorecard, continuations,
 * then the candidates' pairs with their five ones, internal only);
 * the shortlist and notice sheets get their header rows first and their
 * data after the scorecard has streamed past, which constant-memory mode
 * allows because it flushes per sheet.  Each scorecard row goes straight
 * to the current sheet, and a full sheet (Excel's 1,048,576 rows, header
 * included) is closed with its autofilter and a continuation sheet
 * "评分表（续N）" with the same header takes the next row, so no row is
 * lost or repeated at the seam.
 */
#include "himama/nominations_xlsx.h"
#include "himama/render.h"
#include "himama/util.h"
#include "himama/xlsx_write.h"

#include <xlsxwriter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXCEL_MAX_ROWS 1048576u
#define NCARD HM_NOM_NCOL
/* The shortlist's columns: the scorecard's up to the score, then from the hours. */
#define SL_SHOWN (HM_NOM_COL_SCORE + 1)
#define SL_NCOL (SL_SHOWN + HM_NOM_NCOL - HM_NOM_COL_HOURS)

/* The writer's state. */
struct hm_nom_book {
    lxw_workbook *wb;
    char *path;
    const hm_nominate_params *p;
    const hm_nomination_conf *c;
    bool en;
    const char *sheet;        /* for messages */
    char *err;
    size_t errsz;
    lxw_format *f_title, *f_header, *f_bold;
    bool pub;                 /* the public report: the notice only */
    lxw_worksheet *sl, *pn;   /* the shortlist (NULL in public) and the public notice */
    const char *sl_name, *pn_name;
    lxw_worksheet *card;      /* the current scorecard sheet */
    char card_name[64];
    size_t nsheet, row, per;  /* scorecard sheets, rows in the current one, rows a sheet */
    lxw_worksheet *pairs;     /* the candidates' pairs (internal) */
    const char *pairs_name;
    lxw_row_t prow;           /* its last row written */
};
typedef struct hm_nom_book nw;

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
    hm_strbuf_reset(&sb);
    hm_nomination_roles_text(c, x->p->lang, &sb);
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
    for (size_t i = 0; i < NCARD; i++)
        labels[i] = hm_nom_column_label(i, x->en);
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

/* The formats, the about sheet, the shortlist's and notice's headers. */
static hm_error write_front(nw *x)
{
    hm_error rc;
    x->f_title = workbook_add_format(x->wb);
    x->f_header = workbook_add_format(x->wb);
    x->f_bold = workbook_add_format(x->wb);
    format_set_bold(x->f_title);
    format_set_font_size(x->f_title, 16);
    format_set_bold(x->f_header);
    format_set_text_wrap(x->f_header);
    format_set_bg_color(x->f_header, 0xDDEBF7);
    format_set_border(x->f_header, LXW_BORDER_THIN);
    format_set_bold(x->f_bold);

    if ((rc = write_about(x)) != HM_OK)
        return rc;
    x->sl_name = x->en ? "Shortlist" : "推荐名单";
    x->pn_name = x->en ? "Public notice" : "公示名单";
    if (!x->pub) {
        const char *labels[NCARD];
        if (!(x->sl = add_sheet(x, x->sl_name)))
            return HM_EXLSX;
        card_labels(x, labels);
        x->sheet = x->sl_name;
        for (size_t i = 0; i < NCARD; i++)
            worksheet_set_column(x->sl, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 14 : 11, NULL);
        for (size_t i = HM_NOM_COL_HOURS; i < NCARD; i++)   /* the flags left out */
            labels[SL_SHOWN + i - HM_NOM_COL_HOURS] = labels[i];
        if ((rc = header_row(x, x->sl, 0, labels, SL_NCOL)) != HM_OK)
            return rc;
    }
    if (!(x->pn = add_sheet(x, x->pn_name)))
        return HM_EXLSX;
    const char *pl[6] = { x->en ? "No." : "序号", x->en ? "Town" : "区镇",
                          x->en ? "Name" : "姓名", x->en ? "Role" : "角色",
                          x->en ? "Sector" : "界别", x->en ? "Organisation" : "所在单位" };
    x->sheet = x->pn_name;
    worksheet_set_column(x->pn, 0, 0, 8, NULL);
    worksheet_set_column(x->pn, 1, 4, 16, NULL);
    worksheet_set_column(x->pn, 5, 5, 28, NULL);
    return header_row(x, x->pn, 0, pl, 6);
}

hm_error hm_nom_book_open(const char *path, const hm_nomination_conf *c,
                          const hm_nominate_params *p, hm_nom_book **out, char *err,
                          size_t errsz)
{
    nw *x = hm_xcalloc(1, sizeof *x);
    hm_error rc;
    *out = NULL;
    x->path = hm_xstrdup(path);
    x->p = p;
    x->c = c;
    x->en = p->lang && strcmp(p->lang, "en") == 0;
    x->pub = p->audience && strcmp(p->audience, "public") == 0;
    x->err = err;
    x->errsz = errsz;
    x->per = p->rows_per_sheet ? p->rows_per_sheet : EXCEL_MAX_ROWS - 1;
    if (x->per > EXCEL_MAX_ROWS - 1)
        x->per = EXCEL_MAX_ROWS - 1;

    hm_xlsxw_opts wo = { .constant_memory = true, .zip64 = true };
    if ((rc = hm_xlsxw_open(path, &wo, &x->wb, err, errsz)) != HM_OK) {
        free(x->path);
        free(x);
        return rc;
    }
    hm_xlsxw_props props = {
        .title = x->en ? "Nominations" : "最美爱心妈妈推荐数据",
        .author = p->org,
        .created = p->render ? p->render->created : 0,
    };
    if ((rc = hm_xlsxw_properties(x->wb, &props, err, errsz)) != HM_OK ||
        (rc = write_front(x)) != HM_OK)
        goto fail;
    if (!x->pub && !(x->card = card_sheet(x, x->nsheet = 1, x->card_name,
                                          sizeof x->card_name))) {
        rc = HM_EXLSX;
        goto fail;
    }
    *out = x;
    return HM_OK;
fail:
    hm_nom_book_discard(x);
    return rc;
}

/* What an age cell says when no birth date is recorded. */
static const char *not_recorded(const nw *x)
{
    return x->en ? "not recorded" : "未记录";
}

hm_error hm_nom_book_row(hm_nom_book *x, const hm_nom_row *row, char *err, size_t errsz)
{
    hm_error rc;
    x->err = err;
    x->errsz = errsz;
    if (x->pub)
        return HM_OK;   /* the scorecard is for staff */
    if (x->row == x->per) {
        worksheet_autofilter(x->card, 0, 0, (lxw_row_t)x->row, NCARD - 1);
        x->card = card_sheet(x, ++x->nsheet, x->card_name, sizeof x->card_name);
        if (!x->card)
            return HM_EXLSX;
        x->row = 0;
    }
    x->row++;
    for (size_t i = 0; i < NCARD; i++) {
        if (row->null[i] && i != HM_NOM_COL_AGE)
            continue;
        if (row->null[i])   /* no birth date: said so */
            rc = put_s(x, x->card, (lxw_row_t)x->row, (lxw_col_t)i, not_recorded(x), NULL);
        else if (hm_nom_column_is_text(i))
            rc = put_s(x, x->card, (lxw_row_t)x->row, (lxw_col_t)i, row->text[i], NULL);
        else
            rc = put_n(x, x->card, (lxw_row_t)x->row, (lxw_col_t)i, (double)row->num[i]);
        if (rc != HM_OK)
            return rc;
    }
    return HM_OK;
}

/* The shortlist's rows. */
static hm_error write_shortlist(nw *x, const hm_nom_candidate *cand, size_t n)
{
    hm_error rc;
    lxw_worksheet *sl = x->sl;
    x->sheet = x->sl_name;
    for (size_t i = 0; i < n; i++) {
        const hm_nom_candidate *k = &cand[i];
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
        lxw_col_t c = SL_SHOWN;
        if ((rc = put_n(x, sl, r, SL_SHOWN - 1, (double)k->score)) != HM_OK ||
            (rc = put_n(x, sl, r, c++, (double)k->hours)) != HM_OK ||
            (rc = put_s(x, sl, r, c++, k->organization, NULL)) != HM_OK ||
            (rc = put_s(x, sl, r, c++, k->gender, NULL)) != HM_OK ||
            (rc = put_s(x, sl, r, c++, k->since, NULL)) != HM_OK ||
            (k->years >= 0 && (rc = put_n(x, sl, r, c, (double)k->years)) != HM_OK))
            return rc;
        c++;
        rc = k->age >= 0 ? put_n(x, sl, r, c, (double)k->age)
                         : put_s(x, sl, r, c, not_recorded(x), NULL);
        if (rc != HM_OK)
            return rc;
    }
    worksheet_autofilter(sl, 0, 0, (lxw_row_t)(n ? n : 1), SL_NCOL - 1);
    return HM_OK;
}

/* The candidates' pairs: its header (rows: hm_nom_book_pairs). */
static hm_error pairs_begin(nw *x)
{
    static const char *const zh[] = {
        "区镇", "镇内排名", "志愿者编号", "姓名", "结对儿童（化名）", "儿童所在区镇", "结对起始",
        "本年活动（次）", "结对月数", "有亲情连线的月数", "陪你阅读", "假日亲子活动",
        "生日在结对期内", "陪过生日", "实现微心愿", "履行项数", "应履行项数",
    };
    static const char *const en[] = {
        "Town", "Rank in town", "Volunteer ID", "Name", "Child (alias)", "Child's town",
        "Paired since", "Activities", "Months paired", "Months with a call", "Reading session",
        "Holiday activity", "Birthday in the paired span", "Birthday accompanied",
        "Wish fulfilled", "Promises kept", "Promises due",
    };
    x->pairs_name = x->en ? "Candidates' pairs" : "候选人结对五个一";
    if (!(x->pairs = add_sheet(x, x->pairs_name)))
        return HM_EXLSX;
    worksheet_set_column(x->pairs, 0, 16, 12, NULL);
    return header_row(x, x->pairs, 0, x->en ? en : zh, sizeof zh / sizeof zh[0]);
}

hm_error hm_nom_book_pairs(hm_nom_book *x, const hm_dossier_page *pg, char *err, size_t errsz)
{
    const hm_nom_candidate *k = pg->cand;
    hm_error rc = HM_OK;
    x->err = err;
    x->errsz = errsz;
    x->sheet = x->pairs_name;
    if (x->pub || !x->pairs)
        return HM_OK;   /* a list of children: for staff */
    for (size_t i = 0; i < pg->nchildren && rc == HM_OK; i++) {
        const hm_dossier_child *c = &pg->children[i];
        lxw_row_t r = ++x->prow;
        const int64_t five[] = { c->months, c->called_months, c->reading, c->holiday,
                                 c->birthday_due, c->birthday_kept, c->wish, c->kept, c->due };
        if ((rc = put_s(x, x->pairs, r, 0, k->town, NULL)) != HM_OK ||
            (rc = put_n(x, x->pairs, r, 1, (double)k->rank)) != HM_OK ||
            (rc = put_s(x, x->pairs, r, 2, k->volunteer_id, NULL)) != HM_OK ||
            (rc = put_s(x, x->pairs, r, 3, k->volunteer, NULL)) != HM_OK ||
            (rc = put_s(x, x->pairs, r, 4, c->child, NULL)) != HM_OK ||
            (rc = put_s(x, x->pairs, r, 5, c->town, NULL)) != HM_OK ||
            (rc = put_s(x, x->pairs, r, 6, c->since, NULL)) != HM_OK ||
            (rc = put_n(x, x->pairs, r, 7, (double)c->activities)) != HM_OK)
            break;
        for (size_t f = 0; f < sizeof five / sizeof five[0] && c->has_record && rc == HM_OK; f++)
            rc = put_n(x, x->pairs, r, (lxw_col_t)(8 + f), (double)five[f]);
    }
    return rc;
}

hm_error hm_nom_book_lists(hm_nom_book *x, const hm_nom_candidate *cand, size_t n, char *err,
                           size_t errsz)
{
    hm_error rc;
    lxw_worksheet *pn = x->pn;
    x->err = err;
    x->errsz = errsz;
    if (!x->pub) {
        worksheet_autofilter(x->card, 0, 0, (lxw_row_t)(x->row ? x->row : 1), NCARD - 1);
        if ((rc = write_shortlist(x, cand, n)) != HM_OK)
            return rc;
    }
    if (!x->pub && (rc = pairs_begin(x)) != HM_OK)
        return rc;
    x->sheet = x->pn_name;
    for (size_t i = 0; i < n; i++) {
        const hm_nom_candidate *k = &cand[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        if ((rc = put_n(x, pn, r, 0, (double)(i + 1))) != HM_OK ||
            (rc = put_s(x, pn, r, 1, k->town, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 2, x->p->names_masked ? k->masked : k->volunteer,
                        NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 3, k->role, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 4, k->sector, NULL)) != HM_OK ||
            (rc = put_s(x, pn, r, 5, k->organization, NULL)) != HM_OK)
            return rc;
    }
    lxw_row_t r = (lxw_row_t)(n + 2);
    if (x->p->names_masked)
        return put_s(x, pn, r, 0, x->en
                     ? "Names are shown as the surname and *. Objections may be raised with the "
                       "district Women's Federation during the notice period."
                     : "注：姓名仅显示姓氏，其余以 * 代替。公示期间如有异议，请向区妇联反映。",
                     NULL);
    return put_s(x, pn, r, 0, x->en
                 ? "Objections may be raised with the district Women's Federation during the "
                   "notice period."
                 : "注：公示期间如有异议，请向区妇联反映。", NULL);
}

size_t hm_nom_book_sheets(const hm_nom_book *x)
{
    return x->nsheet;
}

hm_error hm_nom_book_close(hm_nom_book *x, char *err, size_t errsz)
{
    hm_error rc = hm_xlsxw_close(x->wb, x->path, NULL, err, errsz);
    free(x->path);
    free(x);
    return rc;
}

void hm_nom_book_discard(hm_nom_book *x)
{
    if (!x)
        return;
    hm_xlsxw_discard(x->wb, x->path);
    free(x->path);
    free(x);
}
