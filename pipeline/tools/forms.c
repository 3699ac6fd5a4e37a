/*
 * forms.c - write the Excel intake workbook (see forms.h).
 *
 * Everything a sheet offers comes from the contract tables in kinds.h, so
 * a change to the contract changes the forms with it: the header labels,
 * the English names in the comments, which columns are required, the
 * enumerations in the dropdowns, the formats and validations by type.
 *
 * Every dropdown's values are also written to a hidden sheet (and the IDs
 * to the roster): Excel limits a list typed into the validation itself to
 * 255 characters, which a district's children or a city's town codes
 * exceed, and such lists are referenced by range (see set_list for why
 * short ones are still typed).  The validations start below the guidance
 * row, so the guidance itself is never "invalid".
 */
#include "himama/forms.h"
#include "himama/kinds.h"
#include "himama/util.h"
#include "himama/xlsx_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define DATA_ROW 2                          /* 0-based first data row */
#define LAST_ROW (HM_FORMS_LAST_ROW - 1)    /* 0-based */

/*
 * A dropdown's list: its values, and where they are written (sheet,
 * column, rows, 0-based and inclusive) for a validation by range.
 */
typedef struct list_ref {
    const char *sheet;
    int col;
    int first, last;    /* last < first: empty */
    char **items;       /* owned copies, n of them */
    size_t n;
} list_ref;

typedef struct fw {
    lxw_workbook *wb;
    sqlite3 *db;
    const hm_forms_options *o;
    hm_forms_stats st;
    char *err;
    size_t errsz;
    /* formats */
    lxw_format *f_head, *f_head_req, *f_guide, *f_text, *f_date, *f_money, *f_int;
    lxw_format *f_warn, *f_roster_head;
    /* the lists sheet and where each list is (all owned items freed at the end) */
    lxw_worksheet *lists;
    int lists_next_col;
    const hm_enum *enums[16];
    list_ref enum_ref[16];
    size_t nenums;
    list_ref towns;
    /* the roster: rows of the children's and volunteers' IDs (0-based) */
    list_ref children, volunteers;
} fw;

/* Record a libxlsxwriter failure in what (e.g. "lists sheet"). */
static hm_error lxw_fail(fw *w, const char *what, lxw_error e)
{
    return hm_xlsxw_fail(e, w->err, w->errsz, "%s", what);
}

#define CHECK(w, call, what)                                   \
    do {                                                       \
        lxw_error e_ = (call);                                 \
        if (e_ != LXW_NO_ERROR)                                \
            return lxw_fail((w), (what), e_);                  \
    } while (0)

/* Display width of UTF-8 text: wide (CJK) characters count two, others one. */
static double text_width(const char *s)
{
    return hm_xlsxw_text_width(s, 1.0);
}

/* ---- the lists sheet ---- */

/* Keep a copy of a list's value. */
static void list_keep(list_ref *r, const char *v)
{
    r->items = hm_xrealloc(r->items, (r->n + 1) * sizeof *r->items);
    r->items[r->n++] = hm_xstrdup(v);
}

static void list_release(list_ref *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i]);
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

/* "'下拉选项'!$A$2:$A$9" for a list. */
static char *list_formula(const list_ref *r)
{
    const char *sheet = r->sheet;
    hm_strbuf sb = HM_STRBUF_INIT;
    char c0[8];
    lxw_col_to_name(c0, (lxw_col_t)r->col, false);
    hm_strbuf_addf(&sb, "='%s'!$%s$%d:$%s$%d", sheet, c0, r->first + 1, c0, r->last + 1);
    return hm_strbuf_detach(&sb);
}

/* Write a list (header, then values) into the next column of the lists sheet. */
static hm_error lists_add(fw *w, const char *head, const char *const *values, size_t n,
                          list_ref *out)
{
    int col = w->lists_next_col++;
    CHECK(w, worksheet_write_string(w->lists, 0, (lxw_col_t)col, head, w->f_head),
          "lists sheet");
    for (size_t i = 0; i < n; i++)
        CHECK(w, worksheet_write_string(w->lists, (lxw_row_t)(1 + i), (lxw_col_t)col,
                                        values[i], w->f_text), "lists sheet");
    CHECK(w, worksheet_set_column(w->lists, (lxw_col_t)col, (lxw_col_t)col, 18, NULL),
          "lists sheet");
    out->sheet = HM_FORMS_LISTS_SHEET;
    out->col = col;
    out->first = 1;
    out->last = (int)n;
    for (size_t i = 0; i < n; i++)
        list_keep(out, values[i]);
    return HM_OK;
}

/* The list of enumeration e, added on first use. */
static hm_error enum_list(fw *w, const hm_enum *e, const list_ref **out)
{
    for (size_t i = 0; i < w->nenums; i++)
        if (w->enums[i] == e) {
            *out = &w->enum_ref[i];
            return HM_OK;
        }
    if (w->nenums == sizeof w->enums / sizeof w->enums[0]) {
        snprintf(w->err, w->errsz, "too many enumerations for the lists sheet");
        return HM_EXLSX;
    }
    char **labels = hm_xcalloc(e->nvalues ? e->nvalues : 1, sizeof *labels);
    for (size_t i = 0; i < e->nvalues; i++)
        labels[i] = hm_forms_label(e->values[i].label);
    hm_error rc = lists_add(w, e->name, (const char *const *)labels, e->nvalues,
                            &w->enum_ref[w->nenums]);
    for (size_t i = 0; i < e->nvalues; i++)
        free(labels[i]);
    free(labels);
    if (rc != HM_OK)
        return rc;
    w->enums[w->nenums] = e;
    *out = &w->enum_ref[w->nenums++];
    return HM_OK;
}

/* Town codes (and names beside them) from the database into the lists sheet. */
static hm_error towns_list(fw *w)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    int col = w->lists_next_col, row = 1, sq;

    w->towns.first = 1;
    w->towns.last = 0;
    if (!w->db)
        return HM_OK;
    w->lists_next_col += 2;
    w->towns.sheet = HM_FORMS_LISTS_SHEET;
    w->towns.col = col;
    if (sqlite3_prepare_v2(w->db, "SELECT town_code, coalesce(town_name, '') FROM towns "
                           "ORDER BY town_code", -1, &st, NULL) != SQLITE_OK) {
        snprintf(w->err, w->errsz, "reading towns: %s", sqlite3_errmsg(w->db));
        return HM_EDB;
    }
    lxw_error e = worksheet_write_string(w->lists, 0, (lxw_col_t)col, "town_code", w->f_head);
    if (e == LXW_NO_ERROR)
        e = worksheet_write_string(w->lists, 0, (lxw_col_t)(col + 1), "town_name", w->f_head);
    while (e == LXW_NO_ERROR && (sq = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        list_keep(&w->towns, code);
        e = worksheet_write_string(w->lists, (lxw_row_t)row, (lxw_col_t)col, code, w->f_text);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_string(w->lists, (lxw_row_t)row, (lxw_col_t)(col + 1),
                                       (const char *)sqlite3_column_text(st, 1), w->f_text);
        row++;
    }
    if (e != LXW_NO_ERROR) {
        rc = lxw_fail(w, "lists sheet", e);
        goto out;
    }
    if (sq != SQLITE_DONE) {
        snprintf(w->err, w->errsz, "reading towns: %s", sqlite3_errmsg(w->db));
        rc = HM_EDB;
        goto out;
    }
    w->towns.last = row - 1;
    w->st.towns = (size_t)(row - 1);
    e = worksheet_set_column(w->lists, (lxw_col_t)col, (lxw_col_t)(col + 1), 18, NULL);
    if (e != LXW_NO_ERROR)
        rc = lxw_fail(w, "lists sheet", e);
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- the roster ---- */

/* List one table's ids, names and towns in columns col.. of the roster. */
static hm_error roster_block(fw *w, lxw_worksheet *ws, int col, const char *sql,
                             const char *const head[3], list_ref *ref, size_t *count)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    int row = DATA_ROW, sq = SQLITE_DONE;
    lxw_error e = LXW_NO_ERROR;

    for (int c = 0; c < 3 && e == LXW_NO_ERROR; c++)
        e = worksheet_write_string(ws, 1, (lxw_col_t)(col + c), head[c], w->f_roster_head);
    if (e != LXW_NO_ERROR)
        return lxw_fail(w, "roster sheet", e);
    ref->sheet = HM_FORMS_ROSTER_SHEET;
    ref->col = col;
    ref->first = DATA_ROW;
    ref->last = DATA_ROW - 1;
    if (!w->db)
        return HM_OK;
    if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(w->err, w->errsz, "reading the roster: %s", sqlite3_errmsg(w->db));
        return HM_EDB;
    }
    if (sqlite3_bind_parameter_count(st) > 0 &&
        sqlite3_bind_text(st, 1, w->o && w->o->today ? w->o->today : "0000-00-00", -1,
                          SQLITE_STATIC) != SQLITE_OK) {
        snprintf(w->err, w->errsz, "reading the roster: %s", sqlite3_errmsg(w->db));
        rc = HM_EDB;
        goto out;
    }
    while ((sq = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 3 && e == LXW_NO_ERROR; c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            if (c == 0)
                list_keep(ref, v ? (const char *)v : "");
            e = worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)(col + c),
                                       v ? (const char *)v : "", w->f_text);
        }
        if (e != LXW_NO_ERROR) {
            rc = lxw_fail(w, "roster sheet", e);
            goto out;
        }
        row++;
    }
    if (sq != SQLITE_DONE) {
        snprintf(w->err, w->errsz, "reading the roster: %s", sqlite3_errmsg(w->db));
        rc = HM_EDB;
        goto out;
    }
    ref->last = row - 1;
    *count = (size_t)(row - DATA_ROW);
out:
    sqlite3_finalize(st);
    return rc;
}

/* The roster sheet: a warning, then children and volunteers side by side. */
static hm_error write_roster(fw *w, lxw_worksheet *ws)
{
    static const char *const ch[3] = { "儿童编号", "姓名", "区镇编码" };
    static const char *const vh[3] = { "志愿者编号", "姓名", "区镇编码" };
    hm_error rc;

    CHECK(w, worksheet_set_row(ws, 0, 48, NULL), "roster sheet");
    CHECK(w, worksheet_merge_range(ws, 0, 0, 0, 6,
                                   "内部资料，含个人信息：本表列出在册儿童和志愿者的编号与姓名，"
                                   "仅供填表时选取编号。请勿外传、打印或公开；"
                                   "报送数据前可删除本表。",
                                   w->f_warn), "roster sheet");
    if ((rc = roster_block(w, ws, 0,
                           "SELECT child_id, name, town_code FROM children "
                           "WHERE exited_on IS NULL OR exited_on >= ?1 "
                           "ORDER BY town_code, child_id",
                           ch, &w->children, &w->st.children)) != HM_OK)
        return rc;
    if ((rc = roster_block(w, ws, 4,
                           "SELECT volunteer_id, name, town_code FROM volunteers "
                           "ORDER BY town_code, volunteer_id",
                           vh, &w->volunteers, &w->st.volunteers)) != HM_OK)
        return rc;
    CHECK(w, worksheet_set_column(ws, 0, 0, 14, w->f_text), "roster sheet");
    CHECK(w, worksheet_set_column(ws, 1, 2, 12, w->f_text), "roster sheet");
    CHECK(w, worksheet_set_column(ws, 3, 3, 3, NULL), "roster sheet");
    CHECK(w, worksheet_set_column(ws, 4, 4, 14, w->f_text), "roster sheet");
    CHECK(w, worksheet_set_column(ws, 5, 6, 12, w->f_text), "roster sheet");
    worksheet_freeze_panes(ws, 2, 0);
    return HM_OK;
}

/* ---- a kind's sheet ---- */

/* The guidance text of column c (without the 说明： mark). */
static void guidance(fw *w, const hm_column *c, hm_strbuf *g)
{
    if (c->required)
        hm_strbuf_adds(g, "必填，");
    if (c->key)
        hm_strbuf_adds(g, "同一编号只填一行，");
    switch (c->ref) {
    case HM_REF_TOWN:
        if (w->towns.last >= w->towns.first)
            hm_strbuf_adds(g, "从下拉列表选区镇编码");
        else
            hm_strbuf_adds(g, "区镇编码（数据库中还没有区镇，请手工填写，须与区镇表一致）");
        return;
    case HM_REF_CHILD:
        hm_strbuf_adds(g, "已登记儿童的编号，可从下拉列表或编号名单选取");
        return;
    case HM_REF_VOLUNTEER:
        hm_strbuf_adds(g, "已登记志愿者的编号，可从下拉列表或编号名单选取");
        return;
    case HM_REF_EVENT:
        hm_strbuf_adds(g, "培训表中的培训编号");
        return;
    case HM_REF_FUND:
        hm_strbuf_adds(g, "某笔捐赠的“定向”内容，不定向留空");
        return;
    case HM_REF_NONE:
        break;
    }
    switch (c->type) {
    case HM_F_ID:
        hm_strbuf_adds(g, "编号，文本，最多32个字符");
        break;
    case HM_F_NAME:
        hm_strbuf_adds(g, "最多64个字");
        break;
    case HM_F_TEXT:
        hm_strbuf_adds(g, "文本");
        break;
    case HM_F_LONGTEXT:
        hm_strbuf_adds(g, "正文");
        break;
    case HM_F_PHONE:
        hm_strbuf_adds(g, "电话号码");
        break;
    case HM_F_DATE:
        hm_strbuf_adds(g, "日期格式 2026-10-01");
        break;
    case HM_F_BIRTHDATE:
        hm_strbuf_adds(g, "日期格式 2015-06-01，1990年以后");
        break;
    case HM_F_ADULT_BIRTHDATE:
        hm_strbuf_addf(g, "日期格式 1975-06-01，%d年以后，加入时和填表时均年满%d周岁",
                       HM_ADULT_BIRTH_YEAR, HM_ADULT_MIN_AGE);
        break;
    case HM_F_MONEY:
        hm_strbuf_adds(g, "金额（元），最多两位小数");
        break;
    case HM_F_MONEY_POS:
        hm_strbuf_adds(g, "金额（元），大于0，最多两位小数");
        break;
    case HM_F_MINUTES:
        hm_strbuf_adds(g, "整数分钟，0至1440");
        break;
    case HM_F_ENUM:
        hm_strbuf_adds(g, "从下拉列表选择：");
        for (size_t i = 0; i < c->enumeration->nvalues; i++)
            hm_strbuf_addf(g, "%s%s", i ? "/" : "", c->enumeration->values[i].label);
        break;
    case HM_F_NEEDS:
        hm_strbuf_adds(g, "可多项，用“；”分隔，从下拉列表选或照填：");
        for (size_t i = 0; i < hm_enum_needs.nvalues; i++)
            hm_strbuf_addf(g, "%s%s", i ? "；" : "", hm_enum_needs.values[i].label);
        break;
    }
}

/* The kind's rules tying column i to another column's value (NEEDED_WHEN,
 * ONLY_WHEN), appended to its guidance g. */
static void when_guidance(const hm_kind *k, int i, hm_strbuf *g)
{
    for (size_t j = 0; k->rules && j < k->rules->norder; j++) {
        const hm_order_rule *o = &k->rules->order[j];
        if (o->a != i || (o->test != HM_ORDER_NEEDED_WHEN && o->test != HM_ORDER_ONLY_WHEN))
            continue;
        const hm_column *b = &k->columns[o->b];
        const char *label = b->enumeration ? hm_enum_label(b->enumeration, o->code) : NULL;
        hm_strbuf_addf(g, "；%s%s“%s”时%s", b->label,
                       o->test == HM_ORDER_NEEDED_WHEN ? "为" : "不是", label ? label : o->code,
                       o->test == HM_ORDER_NEEDED_WHEN ? "必填" : "留空");
    }
}

/* Column width and format of column c. */
static void column_look(fw *w, const hm_column *c, double *width, lxw_format **fmt)
{
    *fmt = NULL;
    *width = 12;
    switch (c->type) {
    case HM_F_ID:       *width = 14; *fmt = w->f_text; break;
    case HM_F_NAME:     *width = 14; *fmt = w->f_text; break;
    case HM_F_PHONE:    *width = 15; *fmt = w->f_text; break;
    case HM_F_TEXT:     *width = 28; break;
    case HM_F_LONGTEXT: *width = 48; break;
    case HM_F_DATE:
    case HM_F_BIRTHDATE:
    case HM_F_ADULT_BIRTHDATE: *width = 12; *fmt = w->f_date; break;
    case HM_F_MONEY:
    case HM_F_MONEY_POS: *width = 14; *fmt = w->f_money; break;
    case HM_F_MINUTES:  *width = 8; *fmt = w->f_int; break;
    case HM_F_ENUM: {
        double m = 8;
        for (size_t i = 0; i < c->enumeration->nvalues; i++) {
            double t = text_width(c->enumeration->values[i].label) + 3;
            if (t > m)
                m = t;
        }
        *width = m;
        break;
    }
    case HM_F_NEEDS:    *width = 30; break;
    }
    double hw = text_width(c->label) + 4;
    if (hw > *width)
        *width = hw;
}

/* Add validation v over column col's data rows. */
static hm_error validate(fw *w, lxw_worksheet *ws, int col, lxw_data_validation *v,
                         const char *sheet)
{
    lxw_error e = worksheet_data_validation_range(ws, DATA_ROW, (lxw_col_t)col, LAST_ROW,
                                                  (lxw_col_t)col, v);
    if (e != LXW_NO_ERROR) {
        char what[160];
        snprintf(what, sizeof what, "data validation on sheet '%s'", sheet);
        return lxw_fail(w, what, e);
    }
    w->st.validations++;
    return HM_OK;
}

/*
 * Make v a dropdown of list r: the values themselves when they fit Excel's
 * 255 bytes for a typed list (and hold no comma or quote), else a
 * reference to their range.  The literal list is preferred because
 * libxlsxwriter 1.1.4 leaks a copy of the formula of every validation by
 * range (LXW_VALIDATION_TYPE_LIST_FORMULA); the range is what makes long
 * lists (many towns, a district's children) possible.  *formula and *list
 * (either may be set) are the caller's to free after the validation is added.
 */
static void set_list(lxw_data_validation *v, const list_ref *r, char **formula, char ***list)
{
    size_t total = 0;
    bool plain = r->n > 0;
    for (size_t i = 0; i < r->n && plain; i++) {
        total += strlen(r->items[i]) + (i ? 1 : 0);
        plain = !strpbrk(r->items[i], ",\"") && r->items[i][0] != '\0';
    }
    if (plain && total <= 255) {
        *list = hm_xcalloc(r->n + 1, sizeof **list);
        for (size_t i = 0; i < r->n; i++)
            (*list)[i] = r->items[i];
        v->validate = LXW_VALIDATION_TYPE_LIST;
        v->value_list = *list;
    } else {
        *formula = list_formula(r);
        v->validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        v->value_formula = *formula;
    }
}

/* The data validation of column c, if it has one. */
static hm_error column_validation(fw *w, lxw_worksheet *ws, int col, const hm_column *c,
                                  const char *sheet)
{
    lxw_data_validation v;
    char *formula = NULL, **list = NULL;
    const list_ref *ref = NULL;
    hm_error rc = HM_OK;
    char bad[] = "请从下拉列表中选择", listmsg[] = "可从下拉列表选择，也可填新的编号";
    char datemsg[] = "请填写日期，例如 2026-10-01", title[] = "填写有误";
    char money[] = "请填写金额（元），最多两位小数", mins[] = "请填写0至1440之间的整数分钟";
    char idlen[] = "编号最多32个字符", namelen[] = "最多64个字";
    char needs[] = "可选一项，多项请用“；”分隔";

    memset(&v, 0, sizeof v);
    v.error_title = title;
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;

    if (c->ref == HM_REF_TOWN) {
        if (w->towns.last < w->towns.first)
            return HM_OK;
        ref = &w->towns;
        v.error_message = bad;
    } else if ((c->ref == HM_REF_CHILD || c->ref == HM_REF_VOLUNTEER) &&
               (c->ref == HM_REF_CHILD ? &w->children : &w->volunteers)->n > 0) {
        ref = c->ref == HM_REF_CHILD ? &w->children : &w->volunteers;
        v.error_type = LXW_VALIDATION_ERROR_TYPE_WARNING;   /* new IDs are fine */
        v.error_message = listmsg;
    } else if (c->type == HM_F_ENUM) {
        if ((rc = enum_list(w, c->enumeration, &ref)) != HM_OK)
            return rc;
        v.error_message = bad;
    } else if (c->type == HM_F_NEEDS) {
        if ((rc = enum_list(w, &hm_enum_needs, &ref)) != HM_OK)
            return rc;
        v.error_type = LXW_VALIDATION_ERROR_TYPE_INFORMATION;  /* several are allowed */
        v.error_message = needs;
    } else if (c->type == HM_F_DATE || c->type == HM_F_BIRTHDATE ||
               c->type == HM_F_ADULT_BIRTHDATE) {
        lxw_datetime lo = { c->type == HM_F_BIRTHDATE ? 1990
                            : c->type == HM_F_ADULT_BIRTHDATE ? HM_ADULT_BIRTH_YEAR : 2000,
                            1, 1, 0, 0, 0 };
        lxw_datetime hi = { 2099, 12, 31, 0, 0, 0 };
        v.validate = LXW_VALIDATION_TYPE_DATE;
        v.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
        v.minimum_datetime = lo;
        v.maximum_datetime = hi;
        v.error_message = datemsg;
    } else if (c->type == HM_F_MONEY || c->type == HM_F_MONEY_POS) {
        v.validate = LXW_VALIDATION_TYPE_DECIMAL;
        v.criteria = c->type == HM_F_MONEY_POS ? LXW_VALIDATION_CRITERIA_GREATER_THAN
                                               : LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
        v.value_number = 0;
        v.error_message = money;
    } else if (c->type == HM_F_MINUTES) {
        v.validate = LXW_VALIDATION_TYPE_INTEGER;
        v.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
        v.minimum_number = 0;
        v.maximum_number = 1440;
        v.error_message = mins;
    } else if (c->type == HM_F_ID) {
        v.validate = LXW_VALIDATION_TYPE_LENGTH;
        v.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
        v.value_number = 32;
        v.error_message = idlen;
    } else if (c->type == HM_F_NAME) {
        v.validate = LXW_VALIDATION_TYPE_LENGTH;
        v.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
        v.value_number = 64;
        v.error_message = namelen;
    } else {
        return HM_OK;
    }
    if (ref)
        set_list(&v, ref, &formula, &list);
    rc = validate(w, ws, col, &v, sheet);
    free(formula);
    free(list);
    return rc;
}

/* One kind's sheet: header with comments, guidance row, formats, validations. */
static hm_error write_kind(fw *w, const hm_kind *k, lxw_worksheet *ws)
{
    hm_strbuf g = HM_STRBUF_INIT;
    hm_error rc = HM_OK;
    char what[160];

    snprintf(what, sizeof what, "sheet '%s'", k->label);
    lxw_error e = worksheet_set_row(ws, 1, 54, NULL);
    for (size_t i = 0; i < k->ncolumns && e == LXW_NO_ERROR; i++) {
        const hm_column *c = &k->columns[i];
        lxw_col_t col = (lxw_col_t)i;
        double width;
        lxw_format *fmt;

        column_look(w, c, &width, &fmt);
        e = worksheet_set_column(ws, col, col, width, fmt);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_string(ws, 0, col, c->label, c->required ? w->f_head_req
                                                                        : w->f_head);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_comment(ws, 0, col, c->name);
        hm_strbuf_reset(&g);
        if (i == 0)
            hm_strbuf_adds(&g, HM_FORMS_GUIDANCE_MARK);
        guidance(w, c, &g);
        when_guidance(k, (int)i, &g);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_string(ws, 1, col, g.buf, w->f_guide);
        if (e == LXW_NO_ERROR && (rc = column_validation(w, ws, (int)i, c, k->label)) != HM_OK)
            goto out;
    }
    if (e != LXW_NO_ERROR) {
        rc = lxw_fail(w, what, e);
        goto out;
    }
    worksheet_freeze_panes(ws, 2, 0);
    w->st.sheets++;
out:
    hm_strbuf_release(&g);
    return rc;
}

/* ---- the workbook ---- */

static hm_error make_formats(fw *w)
{
    lxw_format **all[] = { &w->f_head, &w->f_head_req, &w->f_guide, &w->f_text, &w->f_date,
                           &w->f_money, &w->f_int, &w->f_warn, &w->f_roster_head };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = workbook_add_format(w->wb))) {
            snprintf(w->err, w->errsz, "cannot add a cell format");
            return HM_EXLSX;
        }
    format_set_bold(w->f_head);
    format_set_bg_color(w->f_head, 0xDDEBF7);
    format_set_border(w->f_head, LXW_BORDER_THIN);
    format_set_align(w->f_head, LXW_ALIGN_CENTER);
    format_set_bold(w->f_head_req);
    format_set_bg_color(w->f_head_req, 0xDDEBF7);
    format_set_border(w->f_head_req, LXW_BORDER_THIN);
    format_set_align(w->f_head_req, LXW_ALIGN_CENTER);
    format_set_font_color(w->f_head_req, 0xC00000);
    format_set_italic(w->f_guide);
    format_set_font_color(w->f_guide, 0x595959);
    format_set_font_size(w->f_guide, 9);
    format_set_text_wrap(w->f_guide);
    format_set_align(w->f_guide, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(w->f_guide, 0xF2F2F2);
    format_set_num_format(w->f_guide, "@");
    format_set_num_format(w->f_text, "@");
    format_set_num_format(w->f_date, "yyyy-mm-dd");
    format_set_num_format(w->f_money, "#,##0.00");
    format_set_num_format(w->f_int, "0");
    format_set_bold(w->f_warn);
    format_set_font_color(w->f_warn, 0xC00000);
    format_set_bg_color(w->f_warn, 0xFFF2CC);
    format_set_text_wrap(w->f_warn);
    format_set_align(w->f_warn, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bold(w->f_roster_head);
    format_set_bg_color(w->f_roster_head, 0xDDEBF7);
    format_set_border(w->f_roster_head, LXW_BORDER_THIN);
    return HM_OK;
}

/* Write the whole workbook to tmp, named path in messages (closing included). */
static hm_error write_book(fw *w, const char *tmp, const char *path)
{
    lxw_worksheet *sheets[HM_NKINDS], *roster;
    hm_error rc;

    hm_xlsxw_opts wo = { .shown = path };
    if ((rc = hm_xlsxw_open(tmp, &wo, &w->wb, w->err, w->errsz)) != HM_OK)
        return rc;
    hm_xlsxw_props props = {
        .title = "爱心妈妈结对关爱数据填报表",
        .author = w->o ? w->o->org : NULL,
        .created = w->o ? w->o->created : 0,
    };
    if ((rc = hm_xlsxw_properties(w->wb, &props, w->err, w->errsz)) != HM_OK)
        return rc;
    if ((rc = make_formats(w)) != HM_OK)
        return rc;

    /*
     * Tabs appear in the order sheets are added, but the kind sheets'
     * dropdowns refer to the roster and the lists: add every sheet first,
     * fill the roster and the lists, then the kind sheets.
     */
    for (size_t i = 0; i < HM_NKINDS; i++)
        if (!(sheets[i] = workbook_add_worksheet(w->wb, hm_kinds[i].label))) {
            snprintf(w->err, w->errsz, "cannot add sheet '%s'", hm_kinds[i].label);
            return HM_EXLSX;
        }
    roster = workbook_add_worksheet(w->wb, HM_FORMS_ROSTER_SHEET);
    w->lists = workbook_add_worksheet(w->wb, HM_FORMS_LISTS_SHEET);
    if (!roster || !w->lists) {
        snprintf(w->err, w->errsz, "cannot add the roster and lists sheets");
        return HM_EXLSX;
    }
    worksheet_hide(w->lists);
    if ((rc = write_roster(w, roster)) != HM_OK || (rc = towns_list(w)) != HM_OK)
        return rc;
    for (size_t i = 0; i < HM_NKINDS; i++)
        if ((rc = write_kind(w, &hm_kinds[i], sheets[i])) != HM_OK)
            return rc;

    rc = hm_xlsxw_close(w->wb, tmp, path, w->err, w->errsz);
    w->wb = NULL;
    return rc;
}

hm_error hm_forms_write(sqlite3 *db, const char *path, const hm_forms_options *o,
                        hm_forms_stats *st, char *err, size_t errsz)
{
    fw w;
    hm_error rc;
    char *tmp = NULL;

    memset(&w, 0, sizeof w);
    w.db = db;
    w.o = o;
    w.err = err;
    w.errsz = errsz;
    if (errsz)
        err[0] = '\0';
    tmp = hm_atomic_tmpname(path);

    rc = write_book(&w, tmp, path);
    if (rc == HM_OK && (rc = hm_atomic_rename(tmp, path)) != HM_OK)
        snprintf(err, errsz, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (rc != HM_OK)
        hm_xlsxw_discard(w.wb, tmp);   /* and an unclosed workbook after a failure */
    else if (st)
        *st = w.st;
    for (size_t i = 0; i < w.nenums; i++)
        list_release(&w.enum_ref[i]);
    list_release(&w.towns);
    list_release(&w.children);
    list_release(&w.volunteers);
    free(tmp);
    return rc;
}

char *hm_forms_label(const char *label)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    bool open = true;
    hm_strbuf_grow(&sb, strlen(label));
    for (const char *p = label; *p; p++) {
        if (*p == '"') {
            hm_strbuf_adds(&sb, open ? "\u201c" : "\u201d");
            open = !open;
        } else {
            hm_strbuf_addc(&sb, *p);
        }
    }
    return hm_strbuf_detach(&sb);
}

bool hm_forms_is_guidance(const hm_csv_record *rec)
{
    return rec && rec->nfield > 0 && !rec->error && hm_kind_guidance(rec->field[0], rec->flen[0]);
}

bool hm_forms_aux_sheet(const char *name)
{
    return hm_kind_aux_sheet(name);
}
