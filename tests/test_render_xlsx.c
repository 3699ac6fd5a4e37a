/*
 * test_render_xlsx.c - the xlsx renderer on hand-built report models,
 * checked with a real reader (openpyxl, through tests/tools/check_xlsx.py):
 * sheet names, frozen header, autofilter, number formats, values equal to
 * the model, dates as dates, formula-looking text as strings, "<3" for
 * small child counts in public reports, native charts, constant-memory
 * sheets for detail lists, byte-identical output, the privacy guard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "himama/render.h"
#include "himama/xlsx_write.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CREATED 1793491200    /* 2026-11-01T00:00:00Z */

static char g_dir[256];
static char g_python[256];
static char g_checker[512];

/* ---- building models ---- */

/* A new report with the title block filled in. */
static hm_report *report_new(const char *audience, const char *lang)
{
    hm_report *r = tu_report_new("monthly", "2026-10", "2026-10-01", "2026-10-31", audience, lang);
    r->title = hm_xstrdup("爱心妈妈结对关爱月报");
    r->subtitle = hm_xstrdup("2026年10月");
    r->org = hm_xstrdup("海门区妇联");
    r->generated_at = hm_xstrdup("2026-11-01 06:00");
    r->footer = hm_xstrdup("内部资料");
    return r;
}

/* Append a section with an ncol x nrow table of NULL cells. */
static hm_section *add_section(hm_report *r, hm_section_kind kind, const char *id,
                               const char *heading, const char *sheet, size_t ncol, size_t nrow)
{
    hm_section *s = tu_add_section(r, kind, id, heading);
    s->sheet = sheet ? hm_xstrdup(sheet) : NULL;
    s->table.ncol = ncol;
    s->table.nrow = nrow;
    s->table.cols = hm_xcalloc(ncol ? ncol : 1, sizeof *s->table.cols);
    s->table.cells = hm_xcalloc(ncol * nrow > 0 ? ncol * nrow : 1, sizeof *s->table.cells);
    return s;
}

/* Describe column c. */
static void col_set(hm_section *s, size_t c, const char *name, const char *label, hm_format f,
                    bool child_count)
{
    s->table.cols[c].name = hm_xstrdup(name);
    s->table.cols[c].label = hm_xstrdup(label);
    s->table.cols[c].format = f;
    s->table.cols[c].child_count = child_count;
}

/* The cell at (row, col), writable. */
static hm_value *cell(hm_section *s, size_t row, size_t col)
{
    return &s->table.cells[row * s->table.ncol + col];
}

/* Set cells to an integer, a real or a text. */
static void set_int(hm_section *s, size_t row, size_t col, int64_t v)
{
    cell(s, row, col)->type = HM_V_INT;
    cell(s, row, col)->i = v;
}

static void set_real(hm_section *s, size_t row, size_t col, double v)
{
    cell(s, row, col)->type = HM_V_REAL;
    cell(s, row, col)->r = v;
}

static void set_text(hm_section *s, size_t row, size_t col, const char *v)
{
    cell(s, row, col)->type = HM_V_TEXT;
    cell(s, row, col)->s = hm_xstrdup(v);
}

/* Make s a chart over category column cat and the given series columns. */
static void set_chart(hm_section *s, size_t cat, size_t n, const size_t *series)
{
    s->category_col = cat;
    s->nseries = n;
    s->series_cols = hm_xcalloc(n, sizeof *s->series_cols);
    memcpy(s->series_cols, series, n * sizeof *series);
}

/* The main model: every section kind, every format, awkward text. */
static hm_report *model_main(const char *audience, const char *lang)
{
    hm_report *r = report_new(audience, lang);
    hm_section *s;

    s = add_section(r, HM_SEC_TEXT, "method", "统计口径", NULL, 0, 0);
    s->intro = hm_xstrdup("本报告按区镇统计；一次活动涉及多个区镇时在每个区镇各计一次。");

    s = add_section(r, HM_SEC_KPI, "kpi", "本月概况", "概况", 4, 3);
    col_set(s, 0, "label", "指标", HM_FMT_TEXT, false);
    col_set(s, 1, "value", "本月", HM_FMT_INT, false);
    col_set(s, 2, "previous", "上月", HM_FMT_INT, false);
    col_set(s, 3, "year_to_date", "本年累计", HM_FMT_INT, false);
    const char *kl[] = { "亲情连线次数", "陪你阅读次数", "实现微心愿个数" };
    for (size_t i = 0; i < 3; i++) {
        set_text(s, i, 0, kl[i]);
        set_int(s, i, 1, 50 + (int64_t)i * 7);
        set_int(s, i, 2, 40 + (int64_t)i);
        set_int(s, i, 3, 1234 + (int64_t)i * 1000);
    }

    s = add_section(r, HM_SEC_TABLE, "money", "捐赠与支出", "资金", 6, 5);
    s->intro = hm_xstrdup("金额单位为元；定向资金按来源列出。");
    s->note = hm_xstrdup("注：99公益日的捐赠按到账日期计入。");
    col_set(s, 0, "date", "日期", HM_FMT_DATE, false);
    col_set(s, 1, "donor", "捐赠方", HM_FMT_TEXT, false);
    col_set(s, 2, "amount_fen", "金额（元）", HM_FMT_MONEY, false);
    col_set(s, 3, "share", "占比", HM_FMT_PERCENT, false);
    col_set(s, 4, "children", "受益儿童", HM_FMT_INT, true);
    col_set(s, 5, "remark", "备注", HM_FMT_TEXT, false);
    set_text(s, 0, 0, "2026-10-01");
    set_text(s, 0, 1, "=HYPERLINK(\"http://x\",\"y\")");
    set_int(s, 0, 2, 123456);
    set_real(s, 0, 3, 0.875);
    set_int(s, 0, 4, 2);
    set_text(s, 0, 5, "+86 138 0000 0000");
    set_text(s, 1, 0, "2026-10-31");
    set_text(s, 1, 1, "某某爱心企业有限公司（海门）");
    set_int(s, 1, 2, 5);
    set_real(s, 1, 3, 0.0);
    set_int(s, 1, 4, 1);
    set_text(s, 1, 5, "-5");
    set_text(s, 2, 0, "2026-10-15");
    set_text(s, 2, 1, "@SUM(A1:A2)");
    set_int(s, 2, 2, 100000000000LL);   /* one billion yuan */
    set_real(s, 2, 3, 0.125);
    set_int(s, 2, 4, 0);
    /* row 3: NULLs except the donor */
    set_text(s, 3, 1, "个人（匿名）");
    set_text(s, 4, 0, "2026-10-20");
    set_text(s, 4, 1, "Spring Bud class");
    set_int(s, 4, 2, 99);
    set_real(s, 4, 3, 1.0);
    set_int(s, 4, 4, 37);
    set_text(s, 4, 5, "多行\n备注");

    s = add_section(r, HM_SEC_BAR, "towns", "各镇五个一完成情况", "各镇对比", 3, 4);
    col_set(s, 0, "town", "区镇", HM_FMT_TEXT, false);
    col_set(s, 1, "calls", "亲情连线", HM_FMT_INT, false);
    col_set(s, 2, "readings", "陪你阅读", HM_FMT_INT, false);
    const char *towns[] = { "三厂街道", "常乐镇", "悦来镇", "正余镇" };
    for (size_t i = 0; i < 4; i++) {
        set_text(s, i, 0, towns[i]);
        set_int(s, i, 1, 30 + (int64_t)i * 11);
        set_int(s, i, 2, 12 + (int64_t)i * 3);
    }
    set_chart(s, 0, 2, (const size_t[]){ 1, 2 });

    s = add_section(r, HM_SEC_LINE, "trend", "月度联系率", "趋势", 2, 6);
    col_set(s, 0, "month", "月份", HM_FMT_TEXT, false);
    col_set(s, 1, "rate", "联系率", HM_FMT_PERCENT, false);
    for (size_t i = 0; i < 6; i++) {
        char m[16];
        snprintf(m, sizeof m, "2026-%02zu", i + 5);
        set_text(s, i, 0, m);
        set_real(s, i, 1, 0.8 + (double)i * 0.02);
    }
    set_chart(s, 0, 1, (const size_t[]){ 1 });

    s = add_section(r, HM_SEC_LIST, "todo", "本月待办", "待办", 2, 0);
    col_set(s, 0, "child_id", "儿童编号", HM_FMT_TEXT, false);
    col_set(s, 1, "what", "事项", HM_FMT_TEXT, false);
    s->empty = hm_xstrdup("本月没有待办事项。");

    /* sheet names that must be sanitised, cut and de-duplicated */
    s = add_section(r, HM_SEC_TABLE, "bad", "非法字符", "a/b:c*?[x]\\y", 1, 1);
    col_set(s, 0, "n", "数量", HM_FMT_INT, false);
    set_int(s, 0, 0, 7);
    s = add_section(r, HM_SEC_TABLE, "dup", "重名", "概况", 1, 1);
    col_set(s, 0, "n", "数量", HM_FMT_INT, false);
    set_int(s, 0, 0, 8);
    s = add_section(r, HM_SEC_TABLE, "long", "很长的名字",
                    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五", 1, 1);
    col_set(s, 0, "story", "事迹", HM_FMT_TEXT, false);
    /* longer than a cell may hold */
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    for (int i = 0; i < 40000; i++)
        hm_strbuf_adds(&sb, "爱");
    cell(s, 0, 0)->type = HM_V_TEXT;
    cell(s, 0, 0)->s = hm_xstrdup(sb.buf);
    s->intro = hm_strbuf_detach(&sb);   /* a merged paragraph too */

    s = add_section(r, HM_SEC_TABLE, "quote", "引号", "'引号'的表'", 1, 1);
    col_set(s, 0, "n", "数量", HM_FMT_INT, false);
    set_int(s, 0, 0, 9);

    add_section(r, HM_SEC_TABLE, "hidden", "不进工作簿", NULL, 0, 0);
    return r;
}

/* The sheet names model_main must give, in order (zh). */
static const char *const main_sheets[] = {
    "说明", "概况", "资金", "各镇对比", "趋势", "待办", "a_b_c___x__y", "概况 (2)",
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "引号'的表", NULL
};

/* A model with a detail list of n rows (and a chart, to see it still works). */
static hm_report *model_detail(size_t n)
{
    hm_report *r = report_new("internal", "zh");
    hm_section *s = add_section(r, HM_SEC_BAR, "towns", "各镇结对数", "各镇", 2, 2);
    col_set(s, 0, "town", "区镇", HM_FMT_TEXT, false);
    col_set(s, 1, "pairs", "结对数", HM_FMT_INT, false);
    set_text(s, 0, 0, "常乐镇");
    set_int(s, 0, 1, 12);
    set_text(s, 1, 0, "悦来镇");
    set_int(s, 1, 1, 30);
    set_chart(s, 0, 1, (const size_t[]){ 1 });

    s = add_section(r, HM_SEC_LIST, "uncontacted", "本月未联系的儿童", "未联系儿童", 4, n);
    s->detail = true;
    s->pdf_rows = 200;          /* a PDF limit only: the workbook keeps all n rows */
    s->note = hm_xstrdup("共列出全部未联系儿童。");
    col_set(s, 0, "child_id", "儿童编号", HM_FMT_TEXT, false);
    col_set(s, 1, "last_contact", "最近联系", HM_FMT_DATE, false);
    col_set(s, 2, "spent_fen", "已支出（元）", HM_FMT_MONEY, false);
    col_set(s, 3, "remark", "备注", HM_FMT_TEXT, false);
    for (size_t i = 0; i < n; i++) {
        char id[32], d[16];
        snprintf(id, sizeof id, "C%06zu", i + 1);
        snprintf(d, sizeof d, "2026-%02zu-%02zu", i % 9 + 1, i % 28 + 1);
        set_text(s, i, 0, id);
        set_text(s, i, 1, d);
        set_int(s, i, 2, (int64_t)(i * 37 % 100000));
        set_text(s, i, 3, i % 1000 == 0 ? "=1+1" : "待回访");
    }
    return r;
}

/* A public model: child counts 0..4 and a child-count share. */
static hm_report *model_public(void)
{
    hm_report *r = report_new("public", "zh");
    hm_section *s = add_section(r, HM_SEC_TABLE, "reach", "各镇受益儿童", "受益儿童", 4, 5);
    col_set(s, 0, "town", "区镇", HM_FMT_TEXT, false);
    col_set(s, 1, "children", "受益儿童", HM_FMT_INT, true);
    col_set(s, 2, "rate", "联系率", HM_FMT_PERCENT, true);
    col_set(s, 3, "events", "活动次数", HM_FMT_INT, false);
    for (size_t i = 0; i < 5; i++) {
        char t[16];
        snprintf(t, sizeof t, "镇%zu", i);
        set_text(s, i, 0, t);
        set_int(s, i, 1, (int64_t)i);
        set_real(s, i, 2, 0.5);
        set_int(s, i, 3, (int64_t)i);   /* not a child count: 1 and 2 stay */
    }
    set_real(s, 4, 1, 1.6);             /* rounds to 2: "<3" too */
    return r;
}

/* ---- the model as JSON for the checker ---- */

/* Append v as JSON. */
static void json_value(hm_strbuf *sb, const hm_value *v)
{
    switch (v->type) {
    case HM_V_NULL:
        hm_strbuf_adds(sb, "null");
        break;
    case HM_V_INT:
        hm_strbuf_addf(sb, "%lld", (long long)v->i);
        break;
    case HM_V_REAL:
        hm_strbuf_addf(sb, "%.17g", v->r);
        break;
    case HM_V_TEXT:
        hm_strbuf_add_json(sb, v->s);
        break;
    }
}

/* Append s as JSON, or null. */
static void json_str(hm_strbuf *sb, const char *s)
{
    if (s)
        hm_strbuf_add_json(sb, s);
    else
        hm_strbuf_adds(sb, "null");
}

/* Write the model, the expected sheet names and mode to path. */
static void write_model_json(const hm_report *r, const char *const *sheets, int inline_strings,
                             const char *path)
{
    static const char *const kinds[] = { "kpi", "table", "bar", "line", "list", "text" };
    static const char *const fmts[] = { "text", "int", "money", "date", "percent", "real" };
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_strbuf_adds(&sb, "{\"sheets\":[");
    for (size_t i = 0; sheets[i]; i++) {
        if (i)
            hm_strbuf_addc(&sb, ',');
        hm_strbuf_add_json(&sb, sheets[i]);
    }
    hm_strbuf_adds(&sb, "],\"title\":");
    json_str(&sb, r->title);
    hm_strbuf_adds(&sb, ",\"author\":");
    json_str(&sb, r->org);
    hm_strbuf_adds(&sb, ",\"company\":");
    json_str(&sb, r->org);
    hm_strbuf_adds(&sb, ",\"period\":");
    json_str(&sb, r->period);
    hm_strbuf_adds(&sb, ",\"generated_at\":");
    json_str(&sb, r->generated_at);
    hm_strbuf_adds(&sb, ",\"audience\":");
    json_str(&sb, r->audience);
    hm_strbuf_addf(&sb, ",\"created\":%d", CREATED);
    if (inline_strings >= 0)
        hm_strbuf_addf(&sb, ",\"inline\":%s", inline_strings ? "true" : "false");
    hm_strbuf_adds(&sb, ",\"sections\":[");
    for (size_t i = 0; i < r->nsec; i++) {
        const hm_section *s = &r->sec[i];
        const hm_table *t = &s->table;
        if (i)
            hm_strbuf_addc(&sb, ',');
        hm_strbuf_addf(&sb, "{\"kind\":\"%s\",\"id\":", kinds[s->kind]);
        json_str(&sb, s->id);
        hm_strbuf_adds(&sb, ",\"heading\":");
        json_str(&sb, s->heading);
        hm_strbuf_adds(&sb, ",\"sheet\":");
        json_str(&sb, s->sheet);
        hm_strbuf_adds(&sb, ",\"intro\":");
        json_str(&sb, s->intro);
        hm_strbuf_adds(&sb, ",\"note\":");
        json_str(&sb, s->note);
        hm_strbuf_adds(&sb, ",\"empty\":");
        json_str(&sb, s->empty);
        hm_strbuf_adds(&sb, ",\"series\":[");
        for (size_t k = 0; k < s->nseries; k++)
            hm_strbuf_addf(&sb, "%s%zu", k ? "," : "", s->series_cols[k]);
        hm_strbuf_adds(&sb, "],\"cols\":[");
        for (size_t c = 0; c < t->ncol; c++) {
            hm_strbuf_addf(&sb, "%s{\"name\":", c ? "," : "");
            json_str(&sb, t->cols[c].name);
            hm_strbuf_adds(&sb, ",\"label\":");
            json_str(&sb, t->cols[c].label);
            hm_strbuf_addf(&sb, ",\"format\":\"%s\",\"child_count\":%s}", fmts[t->cols[c].format],
                           t->cols[c].child_count ? "true" : "false");
        }
        hm_strbuf_adds(&sb, "],\"rows\":[");
        for (size_t row = 0; row < t->nrow; row++) {
            hm_strbuf_adds(&sb, row ? ",[" : "[");
            for (size_t c = 0; c < t->ncol; c++) {
                if (c)
                    hm_strbuf_addc(&sb, ',');
                json_value(&sb, hm_table_cell(t, row, c));
            }
            hm_strbuf_addc(&sb, ']');
        }
        hm_strbuf_adds(&sb, "]}");
    }
    hm_strbuf_adds(&sb, "]}\n");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(sb.buf, 1, sb.len, f), sb.len);
    assert_int_equal(fclose(f), 0);
    hm_strbuf_release(&sb);
}

/* ---- helpers ---- */

/* A shell command from fmt (caller frees). */
static char *cmdf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cmdf(const char *fmt, ...)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    va_list ap;
    hm_strbuf_init(&sb);
    va_start(ap, fmt);
    hm_strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    return hm_strbuf_detach(&sb);
}

/* Run the checker on xlsx against model; assert it finds nothing wrong. */
static void run_checker(const char *xlsx, const char *model)
{
    char *cmd = cmdf("'%s' '%s' check '%s' '%s' 2>&1", g_python, g_checker, xlsx, model);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    char line[1024];
    int lines = 0;
    while (fgets(line, sizeof line, p)) {
        fprintf(stderr, "check_xlsx: %s", line);
        lines++;
    }
    int st = pclose(p);
    assert_int_equal(lines, 0);
    assert_int_equal(st, 0);
}

/* Render r to path with the fixed creation time; assert success. */
static void render_ok(const hm_report *r, const char *path)
{
    hm_render_opts o = { NULL, 0, CREATED };
    char err[512] = "";
    hm_error rc = hm_render_xlsx(r, &o, path, err, sizeof err);
    if (rc != HM_OK)
        fprintf(stderr, "render: %s\n", err);
    assert_int_equal(rc, HM_OK);
}

/* ---- tests ---- */

static void test_render_xlsx_main(void **state)
{
    (void)state;
    hm_report *r = model_main("internal", "zh");
    const char *x = tu_path(g_dir, "main.xlsx"), *m = tu_path(g_dir, "main.json");
    render_ok(r, x);
    write_model_json(r, (const char *const *)main_sheets, 0, m);
    run_checker(x, m);
    if (getenv("HIMAMA_XLSX_DUMP")) {
        assert_int_equal(tu_shell("'%s' '%s' dump '%s' >&2", g_python, g_checker, x), 0);
    }
    hm_report_free(r);
}

static void test_render_xlsx_english(void **state)
{
    (void)state;
    hm_report *r = model_main("internal", "en");
    const char *names[] = { "About", "概况", "资金", "各镇对比", "趋势", "待办", "a_b_c___x__y",
                            "概况 (2)",
                            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
                            "引号'的表", NULL };
    const char *x = tu_path(g_dir, "en.xlsx"), *m = tu_path(g_dir, "en.json");
    render_ok(r, x);
    write_model_json(r, names, 0, m);
    run_checker(x, m);
    hm_report_free(r);
}

static void test_render_xlsx_detail_constant_memory(void **state)
{
    (void)state;
    hm_report *r = model_detail(50000);
    const char *x = tu_path(g_dir, "detail.xlsx"), *m = tu_path(g_dir, "detail.json");
    const char *names[] = { "说明", "各镇", "未联系儿童", NULL };
    render_ok(r, x);
    write_model_json(r, names, 1, m);
    run_checker(x, m);
    hm_report_free(r);
}

static void test_render_xlsx_public_small_counts(void **state)
{
    (void)state;
    hm_report *r = model_public();
    const char *x = tu_path(g_dir, "public.xlsx"), *m = tu_path(g_dir, "public.json");
    const char *names[] = { "说明", "受益儿童", NULL };
    render_ok(r, x);
    write_model_json(r, names, 0, m);
    run_checker(x, m);
    hm_report_free(r);
}

static void test_render_xlsx_public_refuses_personal_data(void **state)
{
    (void)state;
    hm_report *r = model_public();
    free(r->sec[0].table.cols[3].name);
    r->sec[0].table.cols[3].name = hm_xstrdup("guardian");
    const char *x = tu_path(g_dir, "refused.xlsx");
    hm_render_opts o = { NULL, 0, CREATED };
    char err[512] = "";
    assert_int_equal(hm_render_xlsx(r, &o, x, err, sizeof err), HM_EPRIVACY);
    assert_non_null(strstr(err, "guardian"));
    assert_int_equal(access(x, F_OK), -1);
    hm_report_free(r);
}

static void test_render_xlsx_reproducible(void **state)
{
    (void)state;
    hm_report *r = model_main("internal", "zh");
    hm_report *d = model_detail(10);
    const char *a = tu_path(g_dir, "a.xlsx"), *b = tu_path(g_dir, "b.xlsx");
    for (int k = 0; k < 2; k++) {
        render_ok(k ? d : r, a);
        render_ok(k ? d : r, b);
        size_t na, nb;
        char *ba = tu_slurp(a, &na), *bb = tu_slurp(b, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(ba, bb, na);
        free(ba);
        free(bb);
    }
    hm_report_free(r);
    hm_report_free(d);
}

static void test_render_xlsx_write_error(void **state)
{
    (void)state;
    hm_report *r = model_public();
    const char *x = tu_path(g_dir, "no-such-dir/out.xlsx");
    hm_render_opts o = { NULL, 0, CREATED };
    char err[512] = "";
    assert_int_equal(hm_render_xlsx(r, &o, x, err, sizeof err), HM_EIO);
    assert_non_null(strstr(err, "out.xlsx"));
    assert_int_equal(access(x, F_OK), -1);
    hm_report_free(r);
}

static void test_render_xlsx_bad_chart_column(void **state)
{
    (void)state;
    hm_report *r = model_detail(3);
    r->sec[0].series_cols[0] = 7;
    const char *x = tu_path(g_dir, "badchart.xlsx");
    hm_render_opts o = { NULL, 0, CREATED };
    char err[512] = "";
    assert_int_equal(hm_render_xlsx(r, &o, x, err, sizeof err), HM_EXLSX);
    assert_non_null(strstr(err, "sheet '各镇'"));
    assert_int_equal(access(x, F_OK), -1);
    hm_report_free(r);
}

static void test_render_xlsx_office_opens(void **state)
{
    (void)state;
    if (system("command -v libreoffice >/dev/null 2>&1") != 0)
        return;   /* no office suite here: the readers above must do */
    hm_report *r = model_main("internal", "zh");
    const char *x = tu_path(g_dir, "office.xlsx");
    render_ok(r, x);
    /* A profile of its own, so that another LibreOffice running at the
     * same time (another test) cannot hold its lock; no LD_PRELOAD, which
     * under valgrind would keep the office suite from starting, and no
     * VALGRIND, which its start script reads as a request to run under it. */
    assert_int_equal(tu_shell("cd '%s' && env -u LD_PRELOAD -u VALGRIND libreoffice "
                              "-env:UserInstallation=file://%s/lo-profile "
                              "--headless --convert-to csv --outdir '%s/csv' '%s' >/dev/null 2>&1",
                              g_dir, g_dir, g_dir, x), 0);
    assert_int_equal(access(tu_path(g_dir, "csv/office.csv"), F_OK), 0);
    hm_report_free(r);
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    if (!tu_mkdtemp(g_dir, sizeof g_dir, "himama-xlsx"))
        return -1;
    /* the checker sits beside this file */
    tu_tools_path(g_checker, sizeof g_checker, "check_xlsx.py");
    return tu_find_python(g_python, sizeof g_python) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown_dir(g_dir);
}

/* The one small-count rule: public child counts of 1 and 2, nothing else. */
static void test_render_xlsx_hidden_rule(void **state)
{
    (void)state;
    hm_colspec kids = { .format = HM_FMT_INT, .child_count = true };
    hm_colspec pct = { .format = HM_FMT_PERCENT, .child_count = true };
    hm_colspec plain = { .format = HM_FMT_INT };
    hm_value v0 = { .type = HM_V_INT, .i = 0 }, v1 = { .type = HM_V_INT, .i = 1 };
    hm_value v2 = { .type = HM_V_INT, .i = 2 }, v3 = { .type = HM_V_INT, .i = 3 };
    hm_value r2 = { .type = HM_V_REAL, .r = 1.6 }, r3 = { .type = HM_V_REAL, .r = 2.5 };
    hm_value t1 = { .type = HM_V_TEXT, .s = (char *)"1" }, nul = { .type = HM_V_NULL };
    char buf[32];

    assert_true(hm_value_hidden(&v1, &kids, true));
    assert_true(hm_value_hidden(&v2, &kids, true));
    assert_true(hm_value_hidden(&r2, &kids, true));
    assert_false(hm_value_hidden(&r3, &kids, true));       /* rounds to 3 */
    assert_false(hm_value_hidden(&v0, &kids, true));
    assert_false(hm_value_hidden(&v3, &kids, true));
    assert_false(hm_value_hidden(&v1, &kids, false));      /* internal */
    assert_false(hm_value_hidden(&v1, &plain, true));      /* not a child count */
    assert_false(hm_value_hidden(&v1, &pct, true));        /* a share */
    assert_false(hm_value_hidden(&t1, &kids, true));
    assert_false(hm_value_hidden(&nul, &kids, true));
    assert_false(hm_value_hidden(&v1, NULL, true));
    hm_value_format(&v2, &kids, true, buf, sizeof buf);
    assert_string_equal(buf, "<3");
    hm_value_format(&v2, &kids, false, buf, sizeof buf);
    assert_string_equal(buf, "2");
}

/*
 * The rule by row: a KPI column holding children paired and events
 * (holiday activities) hides only the rows its flag column marks; the
 * label never decides.
 */
static void test_render_xlsx_hidden_rule_by_row(void **state)
{
    (void)state;
    hm_table t = { 0 };
    char buf[32];
    t.ncol = 3;
    t.nrow = 3;
    t.cols = hm_xcalloc(3, sizeof *t.cols);
    t.cols[0] = (hm_colspec){ .name = hm_xstrdup("label"), .format = HM_FMT_TEXT };
    t.cols[1] = (hm_colspec){ .name = hm_xstrdup("value"), .format = HM_FMT_INT,
                              .child_by = hm_xstrdup("counts_children") };
    t.cols[2] = (hm_colspec){ .name = hm_xstrdup("counts_children"), .format = HM_FMT_INT };
    t.cells = hm_xcalloc(9, sizeof *t.cells);
    const char *labels[] = { "结对儿童（名）", "假日亲子活动（场）", "儿童人数（名）" };
    int64_t values[] = { 2, 1, 2 }, flags[] = { 1, 0, 0 };
    for (size_t r = 0; r < 3; r++) {
        t.cells[r * 3] = (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup(labels[r]) };
        t.cells[r * 3 + 1] = (hm_value){ .type = HM_V_INT, .i = values[r] };
        t.cells[r * 3 + 2] = (hm_value){ .type = HM_V_INT, .i = flags[r] };
    }
    hm_table_mark_children(&t);
    assert_true(hm_value_hidden(hm_table_cell(&t, 0, 1), &t.cols[1], true));
    assert_false(hm_value_hidden(hm_table_cell(&t, 1, 1), &t.cols[1], true));   /* an event */
    assert_false(hm_value_hidden(hm_table_cell(&t, 2, 1), &t.cols[1], true));   /* not the words */
    assert_false(hm_value_hidden(hm_table_cell(&t, 0, 1), &t.cols[1], false));  /* internal */
    hm_value_format(hm_table_cell(&t, 0, 1), &t.cols[1], true, buf, sizeof buf);
    assert_string_equal(buf, "<3");
    hm_value_format(hm_table_cell(&t, 1, 1), &t.cols[1], true, buf, sizeof buf);
    assert_string_equal(buf, "1");
    for (size_t i = 0; i < 9; i++)
        if (t.cells[i].type == HM_V_TEXT)
            free(t.cells[i].s);
    free(t.cells);
    for (size_t c = 0; c < 3; c++) {
        free(t.cols[c].name);
        free(t.cols[c].child_by);
    }
    free(t.cols);
}

/* Column widths: wide characters count two, the widest line counts. */
static void test_render_xlsx_text_width(void **state)
{
    (void)state;
    assert_true(hm_xlsxw_text_width("", 1.1) == 0);
    assert_true(hm_xlsxw_text_width("ab", 1.0) == 2.0);
    assert_true(hm_xlsxw_text_width("区镇", 1.1) == 4.0);
    assert_true(hm_xlsxw_text_width("（a）", 1.0) == 5.0);   /* full-width brackets */
    assert_true(hm_xlsxw_text_width("区镇\nabcdefgh", 1.0) == 8.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_xlsx_main),
        cmocka_unit_test(test_render_xlsx_hidden_rule),
        cmocka_unit_test(test_render_xlsx_hidden_rule_by_row),
        cmocka_unit_test(test_render_xlsx_text_width),
        cmocka_unit_test(test_render_xlsx_english),
        cmocka_unit_test(test_render_xlsx_detail_constant_memory),
        cmocka_unit_test(test_render_xlsx_public_small_counts),
        cmocka_unit_test(test_render_xlsx_public_refuses_personal_data),
        cmocka_unit_test(test_render_xlsx_reproducible),
        cmocka_unit_test(test_render_xlsx_write_error),
        cmocka_unit_test(test_render_xlsx_bad_chart_column),
        cmocka_unit_test(test_render_xlsx_office_opens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
