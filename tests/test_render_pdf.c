/*
 * test_render_pdf.c - the PDF briefing, checked with real readers: the
 * font is embedded as a Unicode subset, the figures, headings and page
 * numbers extract as text, the structure passes a checker, two renders
 * are byte-identical, and a public report never shows personal data.
 *
 * Set HIMAMA_TEST_KEEP to a directory to keep a copy of the reports
 * rendered here (to look at them).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "himama/chart.h"
#include "himama/pdf.h"
#include "himama/render.h"
#include "himama/util.h"
#include "tools/pdf_font_check.h"

#define CREATED 1790000000      /* 2026-09-21 */
#define TABLE_ROWS 200

/* ---- building a model by hand ---- */

static hm_value vint(int64_t i)
{
    hm_value v = { .type = HM_V_INT, .i = i };
    return v;
}

static hm_value vreal(double r)
{
    hm_value v = { .type = HM_V_REAL, .r = r };
    return v;
}

static hm_value vtext(const char *s)
{
    hm_value v = { .type = HM_V_TEXT, .s = hm_xstrdup(s) };
    return v;
}

static hm_value vnull(void)
{
    hm_value v = { .type = HM_V_NULL };
    return v;
}

/* Append a section; strings are copied. */
static hm_section *add_section(hm_report *r, hm_section_kind kind, const char *id,
                               const char *heading, const char *intro)
{
    hm_section *s = tu_add_section(r, kind, id, heading);
    s->intro = intro ? hm_xstrdup(intro) : NULL;
    return s;
}
/* Give s columns (name, label, format, child count) and room for nrow rows. */
static void set_columns(hm_section *s, size_t ncol, const char *const *names,
                        const char *const *labels, const hm_format *fmt,
                        const bool *child, size_t nrow)
{
    hm_table *t = &s->table;
    t->ncol = ncol;
    t->cols = hm_xcalloc(ncol, sizeof *t->cols);
    for (size_t j = 0; j < ncol; j++) {
        t->cols[j].name = hm_xstrdup(names[j]);
        t->cols[j].label = hm_xstrdup(labels[j]);
        t->cols[j].format = fmt[j];
        t->cols[j].child_count = child ? child[j] : false;
    }
    t->nrow = nrow;
    t->cells = hm_xcalloc(nrow * ncol, sizeof *t->cells);
}

static void set_cell(hm_section *s, size_t row, size_t col, hm_value v)
{
    s->table.cells[row * s->table.ncol + col] = v;
}

static const char *const TOWNS[] = {
    "海门街道", "三厂街道", "常乐镇", "悦来镇", "四甲镇", "余东镇", "正余镇", "包场镇",
    "临江新区", "海永镇",
};

/* A monthly report: KPI tiles, a bar chart, a line chart, a long list,
 * an empty list and a text section. */
static hm_report *build_report(const char *audience, const char *lang)
{
    hm_report *r = tu_report_new("monthly", "2026-08", "2026-08-01", "2026-08-31", audience, lang);
    r->title = hm_xstrdup("“Hi,妈妈”爱心妈妈结对关爱月报");
    r->subtitle = hm_xstrdup("2026年8月");
    r->org = hm_xstrdup("海门区妇女联合会");
    r->generated_at = hm_xstrdup("2026-09-01 06:00");
    r->footer = hm_xstrdup("生成时间 2026-09-01 06:00 UTC · 数据期间 2026-08-01 至 2026-08-31");

    /* KPI tiles: label, value, previous, year to date. */
    hm_section *s = add_section(r, HM_SEC_KPI, "kpi", "一、本月概况",
                                "本月全区爱心妈妈与结对儿童保持常态联系，五个一活动稳步推进。");
    {
        const char *n[] = { "label", "value", "previous", "year_to_date" };
        const char *zh[] = { "指标", "本月", "上月", "本年累计" };
        const char *en[] = { "Measure", "This month", "Last month", "Year to date" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_INT, HM_FMT_INT, HM_FMT_INT };
        set_columns(s, 4, n, strcmp(lang, "en") == 0 ? en : zh, f, NULL, 6);
        const char *labels[] = { "结对儿童", "在册爱心妈妈", "亲情连线", "陪你阅读",
                                 "微心愿实现", "假日亲子活动" };
        int64_t v[][3] = { { 186, 184, 190 }, { 512, 508, 530 }, { 1327, 1290, 9876 },
                           { 64, 58, 402 }, { 27, 31, 188 }, { 9, 7, 51 } };
        for (size_t i = 0; i < 6; i++) {
            set_cell(s, i, 0, vtext(labels[i]));
            for (size_t k = 0; k < 3; k++)
                set_cell(s, i, k + 1, vint(v[i][k]));
        }
        set_cell(s, 5, 3, vnull());
    }

    /* Bar chart over the towns. */
    s = add_section(r, HM_SEC_BAR, "towns", "二、各区镇结对与联系情况", NULL);
    {
        const char *n[] = { "town", "paired", "contacted", "rate" };
        const char *l[] = { "区镇", "结对儿童", "本月联系儿童", "联系率" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_INT, HM_FMT_INT, HM_FMT_PERCENT };
        bool ch[] = { false, true, true, false };
        set_columns(s, 4, n, l, f, ch, 10);
        int64_t paired[] = { 31, 24, 22, 19, 18, 17, 16, 15, 2, 22 };
        int64_t contacted[] = { 29, 23, 20, 17, 18, 15, 16, 12, 2, 20 };
        for (size_t i = 0; i < 10; i++) {
            set_cell(s, i, 0, vtext(TOWNS[i]));
            set_cell(s, i, 1, vint(paired[i]));
            set_cell(s, i, 2, vint(contacted[i]));
            set_cell(s, i, 3, vreal((double)contacted[i] / (double)paired[i]));
        }
        s->category_col = 0;
        s->nseries = 2;
        s->series_cols = hm_xcalloc(2, sizeof *s->series_cols);
        s->series_cols[0] = 1;
        s->series_cols[1] = 2;
        s->note = hm_xstrdup("注：联系指通话或走访，访班主任、访监护人不计入。");
    }

    /* Line chart of the monthly contact rate. */
    s = add_section(r, HM_SEC_LINE, "trend", "三、联系率逐月走势", NULL);
    {
        const char *n[] = { "month", "rate" };
        const char *l[] = { "月份", "月联系率" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_PERCENT };
        set_columns(s, 2, n, l, f, NULL, 8);
        double rate[] = { 0.81, 0.84, 0.86, 0.83, 0.88, 0.9, 0.89, 0.925 };
        for (size_t i = 0; i < 8; i++) {
            char m[16];
            snprintf(m, sizeof m, "%zu月", i + 1);
            set_cell(s, i, 0, vtext(m));
            set_cell(s, i, 1, vreal(rate[i]));
        }
        s->category_col = 0;
        s->nseries = 1;
        s->series_cols = hm_xcalloc(1, sizeof *s->series_cols);
        s->series_cols[0] = 1;
    }

    /* A long action list with wrapped text. */
    s = add_section(r, HM_SEC_LIST, "uncontacted", "四、本月未联系儿童（待跟进）",
                    "以下儿童本月没有任何通话或走访记录，请所在区镇妇联督促结对爱心妈妈在下月10日前完成联系。");
    {
        const char *n[] = { "child_id", "alias", "town", "volunteer", "reason", "days" };
        const char *l[] = { "儿童编号", "化名", "区镇", "结对爱心妈妈", "情况说明", "未联系天数" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_TEXT,
                          HM_FMT_INT };
        set_columns(s, 6, n, l, f, NULL, TABLE_ROWS);
        for (size_t i = 0; i < TABLE_ROWS; i++) {
            char id[16], alias[32], vol[32];
            snprintf(id, sizeof id, "C%04zu", i + 1);
            snprintf(alias, sizeof alias, "小%s%zu", (i % 3) ? "海" : "童", i % 50);
            snprintf(vol, sizeof vol, "爱心妈妈%zu号", 100 + i);
            set_cell(s, i, 0, vtext(id));
            set_cell(s, i, 1, vtext(alias));
            set_cell(s, i, 2, vtext(TOWNS[i % 10]));
            set_cell(s, i, 3, vtext(vol));
            set_cell(s, i, 4, vtext(i % 4 == 0
                ? "监护人外出务工，电话多次未接通；爱心妈妈已约定下周随镇妇联一同上门走访，并联系班主任了解在校情况。"
                : i % 4 == 1 ? "假期随父母外出。"
                : i % 4 == 2 ? "Volunteer changed jobs; a new pairing is being arranged by the town federation."
                             : "结对关系正在调整中，储备库爱心妈妈已对接。"));
            set_cell(s, i, 5, vint((int64_t)(31 + (i * 7) % 60)));
        }
        s->note = hm_xstrdup("注：按未联系天数从多到少排列；天数自上次联系之日起算。");
    }

    /* An empty list. */
    s = add_section(r, HM_SEC_LIST, "wishes_waiting", "五、等待超过60天的微心愿", NULL);
    {
        const char *n[] = { "wish_id", "alias", "description", "days" };
        const char *l[] = { "心愿编号", "化名", "心愿内容", "等待天数" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_INT };
        set_columns(s, 4, n, l, f, NULL, 0);
        s->empty = hm_xstrdup("本月没有等待超过60天的微心愿。");
    }

    /* Text only. */
    add_section(r, HM_SEC_TEXT, "next", "六、下月工作提示",
                "9月有18名结对儿童过生日，请各区镇提前安排“陪过生日”活动；中秋节前后组织假日亲子活动，"
                "并做好微心愿认领与实现情况的登记。");
    return r;
}

/* ---- running the readers ---- */

/* Render r to dir/name; returns the path (caller frees). */
static char *render(hm_report *r, const char *dir, const char *name)
{
    char err[512] = "";
    hm_render_opts o = { .font_path = NULL, .font_index = 0, .created = CREATED };
    char *path = hm_path_join(dir, name);
    hm_error rc = hm_render_pdf(r, &o, path, err, sizeof err);
    if (rc != HM_OK)
        fail_msg("render failed: %s", err);
    const char *keep = getenv("HIMAMA_TEST_KEEP");
    if (keep && *keep) {
        hm_strbuf cmd = HM_STRBUF_INIT, out = HM_STRBUF_INIT;
        hm_strbuf_init(&cmd);
        hm_strbuf_init(&out);
        hm_strbuf_addf(&cmd, "cp '%s' '%s/'", path, keep);
        tu_run(cmd.buf, &out);
        hm_strbuf_release(&cmd);
        hm_strbuf_release(&out);
    }
    return path;
}

/* Remove a file and free its name. */
static void drop(char *path)
{
    unlink(path);
    free(path);
}

/* End a test: remove its (empty) directory, free its name and the report. */
static void leave(char *dir, hm_report *r)
{
    rmdir(dir);
    free(dir);
    hm_report_free(r);
}

/* Number of pages (pdfinfo), 0 when it fails. */
static int page_count(const char *path)
{
    hm_strbuf cmd = HM_STRBUF_INIT, out = HM_STRBUF_INIT;
    int pages = 0;
    hm_strbuf_init(&cmd);
    hm_strbuf_init(&out);
    hm_strbuf_addf(&cmd, "pdfinfo '%s' 2>/dev/null", path);
    if (tu_run(cmd.buf, &out) == 0) {
        const char *p = strstr(out.buf, "Pages:");
        if (p)
            pages = atoi(p + 6);
    }
    hm_strbuf_release(&cmd);
    hm_strbuf_release(&out);
    return pages;
}

/* pdftotext -layout of path into out; asserts it ran. */
static void text_of(const char *path, hm_strbuf *out)
{
    hm_strbuf cmd = HM_STRBUF_INIT;
    hm_strbuf_init(&cmd);
    hm_strbuf_addf(&cmd, "pdftotext -layout '%s' - 2>/dev/null", path);
    assert_int_equal(tu_run(cmd.buf, out), 0);
    hm_strbuf_release(&cmd);
}

#define assert_contains(hay, needle) \
    do { if (!strstr((hay), (needle))) fail_msg("missing: %s", (needle)); } while (0)

/* ---- tests ---- */

static void test_render_pdf_readers_agree(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "zh");
    char *path = render(r, dir, "briefing.pdf");
    hm_strbuf cmd = HM_STRBUF_INIT, out = HM_STRBUF_INIT;
    char want[64];

    hm_strbuf_init(&cmd);
    hm_strbuf_init(&out);
    /* The CJK font: embedded, subset, with a Unicode map. */
    hm_strbuf_addf(&cmd, "pdffonts '%s' 2>/dev/null", path);
    assert_int_equal(tu_run(cmd.buf, &out), 0);
    assert_contains(out.buf, "WenQuanYi");
    const char *line = strstr(out.buf, "CID TrueType");
    assert_non_null(line);
    assert_non_null(strstr(line, "yes yes yes"));

    /* Structure. */
    hm_strbuf_reset(&cmd);
    hm_strbuf_reset(&out);
    hm_strbuf_addf(&cmd, "qpdf --check '%s' 2>&1", path);
    if (tu_run(cmd.buf, &out) != 0)
        fail_msg("qpdf --check: %s", out.buf);

    /* Text: figures, headings, lists, page numbers. */
    int pages = page_count(path);
    assert_true(pages >= 4);            /* 200 wrapped rows do not fit on fewer */
    hm_strbuf_reset(&out);
    text_of(path, &out);
    const char *expect[] = {
        "爱心妈妈结对关爱月报", "2026年8月", "海门区妇女联合会", "内部资料",
        "一、本月概况", "结对儿童", "186", "1,327", "9,876", "上月 184", "本年累计 190",
        "二、各区镇结对与联系情况", "三、联系率逐月走势", "92.5%", "93.5%",
        "四、本月未联系儿童（待跟进）", "C0001", "C0200", "未联系天数",
        "五、等待超过60天的微心愿", "本月没有等待超过60天的微心愿。",
        "六、下月工作提示", "注：按未联系天数从多到少排列", "数据期间 2026-08-01 至 2026-08-31",
        "第 1 页 / 共", NULL,
    };
    for (const char **e = expect; *e; e++)
        assert_contains(out.buf, *e);
    snprintf(want, sizeof want, "第 %d 页 / 共 %d 页", pages, pages);
    assert_contains(out.buf, want);
    snprintf(want, sizeof want, "第 1 页 / 共 %d 页", pages);
    assert_contains(out.buf, want);
    /* The list's header row is repeated on the pages it continues on. */
    size_t heads = 0;
    for (const char *p = out.buf; (p = strstr(p, "未联系天数")) != NULL; p++)
        heads++;
    assert_true(heads >= 3);

    /* Every drawn glyph, and every part of every composite, is embedded. */
    pfc_result fr;
    assert_true(pfc_check_pdf(path, HM_PDF_DEFAULT_FONT, 0, &fr));
    if (fr.problems)
        fail_msg("%zu glyph problems, first: %s", fr.problems, fr.first_problem);
    assert_true(fr.composites > 0);

    /* Bookmarks: one per section. */
    hm_strbuf_reset(&cmd);
    hm_strbuf_reset(&out);
    hm_strbuf_addf(&cmd, "qpdf --json --json-key=outlines '%s' 2>/dev/null", path);
    assert_int_equal(tu_run(cmd.buf, &out), 0);
    assert_contains(out.buf, "一、本月概况");
    assert_contains(out.buf, "六、下月工作提示");

    hm_strbuf_release(&cmd);
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

static void test_render_pdf_same_bytes(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "zh");
    char *a = render(r, dir, "a.pdf"), *b = render(r, dir, "b.pdf");
    size_t na = 0, nb = 0;
    unsigned char *da = pfc_slurp(a, &na), *db = pfc_slurp(b, &nb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);
    drop(a);
    drop(b);
    leave(dir, r);
}

static void test_render_pdf_public_hides_small_counts(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("public", "zh");
    char *path = render(r, dir, "public.pdf");
    hm_strbuf out = HM_STRBUF_INIT;
    hm_strbuf_init(&out);
    text_of(path, &out);
    assert_contains(out.buf, "公开版");
    assert_contains(out.buf, "<3");          /* 临江新区: 2 paired, 2 contacted */
    assert_null(strstr(out.buf, "内部资料"));
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

/* text without its white space (pdftotext breaks lines where the page wrapped them). */
static char *squeeze(const char *text)
{
    char *out = hm_xstrdup(text ? text : "");
    size_t k = 0;
    for (size_t i = 0; out[i]; i++)
        if (out[i] != ' ' && out[i] != '\n' && out[i] != '\f' && out[i] != '\r' &&
            out[i] != '\t')
            out[k++] = out[i];
    out[k] = '\0';
    return out;
}

/* Every sentence the model holds (each section's heading, intro and note, the
 * banner) is in the text pdftotext extracts, in both languages. */
static void test_render_pdf_every_sentence_extractable(void **state)
{
    (void)state;
    static const char *const langs[] = { "zh", "en" };
    for (size_t li = 0; li < 2; li++) {
        char *dir = tu_temp_dir("himama-render");
        hm_report *r = build_report("internal", langs[li]);
        r->complete = false;
        r->unfinished = hm_xstrdup(li == 0 ? "统计期间尚未结束，数据截至 2026-08-15。"
                                           : "The period has not ended: data up to 2026-08-15.");
        char *path = render(r, dir, "briefing.pdf");
        hm_strbuf out = HM_STRBUF_INIT;
        hm_strbuf_init(&out);
        text_of(path, &out);
        char *all = squeeze(out.buf);
        size_t checked = 0;
        for (size_t i = 0; i < r->nsec; i++) {
            const char *texts[] = { r->sec[i].heading, r->sec[i].intro, r->sec[i].note };
            for (size_t k = 0; k < 3; k++) {
                if (!texts[k] || !*texts[k])
                    continue;
                char *want = squeeze(texts[k]);
                if (!strstr(all, want))
                    fail_msg("section '%s': pdftotext lost \"%s\"", r->sec[i].id, texts[k]);
                free(want);
                checked++;
            }
        }
        char *banner = squeeze(r->unfinished);
        assert_contains(all, banner);
        assert_true(checked >= 8);
        free(banner);
        free(all);
        hm_strbuf_release(&out);
        drop(path);
        leave(dir, r);
    }
}

/* The banner of an unfinished period is on page 1, and only when the period has not ended. */
static void test_render_pdf_unfinished_banner(void **state)
{
    (void)state;
    const char *banner = "统计期间尚未结束，数据截至 2026-08-15。";
    for (int complete = 0; complete < 2; complete++) {
        char *dir = tu_temp_dir("himama-render");
        hm_report *r = build_report("public", "zh");
        r->complete = complete;
        r->unfinished = complete ? NULL : hm_xstrdup(banner);
        char *path = render(r, dir, "briefing.pdf");
        hm_strbuf cmd = HM_STRBUF_INIT, out = HM_STRBUF_INIT;
        hm_strbuf_init(&cmd);
        hm_strbuf_init(&out);
        hm_strbuf_addf(&cmd, "pdftotext -l 1 '%s' - 2>/dev/null", path);
        assert_int_equal(tu_run(cmd.buf, &out), 0);
        char *all = squeeze(out.buf), *want = squeeze(banner);
        if (complete)
            assert_null(strstr(all, "统计期间尚未结束"));
        else
            assert_contains(all, want);
        free(all);
        free(want);
        hm_strbuf_release(&cmd);
        hm_strbuf_release(&out);
        drop(path);
        leave(dir, r);
    }
}

/* Series more than ten times apart get panels of their own; close ones share. */
static void test_render_pdf_chart_panels(void **state)
{
    (void)state;
    size_t panel[5];
    /* calls ~300, reading ~50, holiday 0-5, birthdays ~13, wishes ~11 */
    double trend[5] = { 330, 53, 5, 13, 11 };
    assert_int_equal(hm_chart_panels(trend, 5, HM_CHART_PANEL_RATIO, panel), 2);
    assert_int_equal(panel[0], 0);
    assert_int_equal(panel[1], 0);
    assert_int_equal(panel[2], 1);
    assert_int_equal(panel[3], 1);
    assert_int_equal(panel[4], 1);
    double close[3] = { 100, 20, 10 };            /* ten times exactly: one panel */
    assert_int_equal(hm_chart_panels(close, 3, HM_CHART_PANEL_RATIO, panel), 1);
    double three[3] = { 5000, 300, 4 };
    assert_int_equal(hm_chart_panels(three, 3, HM_CHART_PANEL_RATIO, panel), 3);
    assert_int_equal(panel[2], 2);
    double zero[3] = { 300, 0, 5 };               /* an all-zero series joins the last */
    assert_int_equal(hm_chart_panels(zero, 3, HM_CHART_PANEL_RATIO, panel), 2);
    assert_int_equal(panel[1], 1);
    assert_int_equal(hm_chart_panels(NULL, 0, HM_CHART_PANEL_RATIO, panel), 1);
}

/* A rate chart spans the data (89%-95%) with a marked baseline; counts start at 0. */
static void test_render_pdf_chart_axis(void **state)
{
    (void)state;
    double lo, hi, step;
    assert_true(hm_chart_axis(0.89, 0.954, false, true, &lo, &hi, &step));
    assert_true(lo >= 0.8 && lo <= 0.89 && hi >= 0.954 && hi <= 1.0);
    assert_true(hi - lo <= 0.2);
    assert_false(hm_chart_axis(3, 330, true, false, &lo, &hi, &step));
    assert_true(lo == 0 && hi >= 330 && step >= 1 && step == floor(step));
    assert_false(hm_chart_axis(0, 13, true, false, &lo, &hi, &step));
    assert_true(step == floor(step));              /* counts never step by 2.5 */
    assert_false(hm_chart_axis(0.05, 0.95, false, true, &lo, &hi, &step));   /* from 0 */
    assert_true(lo == 0 && hi <= 1.0);
}

static void test_render_pdf_public_refuses_personal_data(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("public", "zh");
    hm_section *s = &r->sec[3];
    free(s->table.cols[3].name);
    s->table.cols[3].name = hm_xstrdup("guardian");
    char *path = hm_path_join(dir, "public.pdf");
    char err[512] = "";
    hm_render_opts o = { .created = CREATED };
    struct stat st;

    assert_int_equal(hm_render_pdf(r, &o, path, err, sizeof err), HM_EPRIVACY);
    assert_non_null(strstr(err, "guardian"));
    assert_int_equal(stat(path, &st), -1);   /* nothing written */
    free(path);
    leave(dir, r);
}

static void test_render_pdf_english_page_numbers(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "en");
    char *path = render(r, dir, "en.pdf");
    hm_strbuf out = HM_STRBUF_INIT;
    char want[64];
    int pages = page_count(path);
    hm_strbuf_init(&out);
    text_of(path, &out);
    snprintf(want, sizeof want, "Page 1 of %d", pages);
    assert_contains(out.buf, want);
    assert_contains(out.buf, "Last month 184");
    assert_null(strstr(out.buf, "第 1 页"));
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

static void test_render_pdf_bad_font_writes_nothing(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "zh");
    char *path = hm_path_join(dir, "x.pdf");
    char err[512] = "";
    hm_render_opts o = { .font_path = "missing-font.ttc", .created = CREATED };
    struct stat st;
    assert_int_not_equal(hm_render_pdf(r, &o, path, err, sizeof err), HM_OK);
    assert_non_null(strstr(err, "missing-font.ttc"));
    assert_int_equal(stat(path, &st), -1);
    free(path);
    leave(dir, r);
}

static void test_render_pdf_counts_placeholders(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "zh");
    hm_section *s = &r->sec[3];
    /* A name with a character above U+FFFF (𠀀) and an emoji. */
    free(s->table.cells[1].s);
    s->table.cells[1].s = hm_xstrdup("小\xF0\xA0\x80\x80\xF0\x9F\x98\x80");
    char *path = hm_path_join(dir, "ph.pdf");
    char err[512] = "";
    hm_render_opts o = { .created = CREATED };
    hm_pdf_stats st = {0};
    hm_strbuf out = HM_STRBUF_INIT;

    assert_int_equal(hm_render_pdf_stats(r, &o, path, &st, err, sizeof err), HM_OK);
    assert_int_equal(st.placeholders, 2);
    assert_int_equal((int)st.pages, page_count(path));
    hm_strbuf_init(&out);
    text_of(path, &out);
    assert_contains(out.buf, "小□□");
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

static void test_render_pdf_survives_awkward_input(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_report("internal", "zh");
    hm_strbuf big = HM_STRBUF_INIT, out = HM_STRBUF_INIT;

    /* A story far longer than a page in one cell. */
    hm_strbuf_init(&big);
    for (int i = 0; i < 3000; i++)
        hm_strbuf_adds(&big, "爱心妈妈每月陪孩子读书，");
    free(r->sec[3].table.cells[4].s);
    r->sec[3].table.cells[4].s = hm_strbuf_detach(&big);
    /* No title, an invalid byte in a heading, a table without columns. */
    free(r->title);
    r->title = NULL;
    free(r->sec[0].heading);
    r->sec[0].heading = hm_xstrdup("概况\xFF");
    hm_section *s = add_section(r, HM_SEC_TABLE, "nothing", "空表", NULL);
    s->table.cells = hm_xcalloc(1, sizeof *s->table.cells);
    /* A bar chart of 40 categories with negative values and a missing series. */
    s = add_section(r, HM_SEC_BAR, "many", "四十个类别", NULL);
    {
        const char *n[] = { "cat", "delta" };
        const char *l[] = { "类别", "变化" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_MONEY };
        set_columns(s, 2, n, l, f, NULL, 40);
        for (size_t i = 0; i < 40; i++) {
            char name[32];
            snprintf(name, sizeof name, "第%zu类很长的类别名称", i + 1);
            set_cell(s, i, 0, vtext(name));
            set_cell(s, i, 1, i == 7 ? vnull() : vint((int64_t)(i * 12345) - 200000));
        }
        s->nseries = 2;
        s->series_cols = hm_xcalloc(2, sizeof *s->series_cols);
        s->series_cols[0] = 1;
        s->series_cols[1] = 9;
    }
    char *path = render(r, dir, "awkward.pdf");
    hm_strbuf cmd = HM_STRBUF_INIT;
    hm_strbuf_init(&cmd);
    hm_strbuf_init(&out);
    hm_strbuf_addf(&cmd, "qpdf --check '%s' 2>&1", path);
    if (tu_run(cmd.buf, &out) != 0)
        fail_msg("qpdf --check: %s", out.buf);
    hm_strbuf_reset(&out);
    text_of(path, &out);
    assert_contains(out.buf, "四十个类别");
    assert_contains(out.buf, "-2,000");
    hm_strbuf_release(&cmd);
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

/* A list of n rows "名单第I行" cut to pdf_rows in the PDF. */
static hm_report *build_long_list(const char *lang, size_t n, size_t pdf_rows, const char *sheet)
{
    hm_report *r = tu_report_new("monthly", "2026-08", "2026-08-01", "2026-08-31", "internal",
                                 lang);
    r->title = hm_xstrdup("月报");
    r->subtitle = hm_xstrdup("2026年8月");
    r->generated_at = hm_xstrdup("2026-09-01 06:00");
    hm_section *s = add_section(r, HM_SEC_LIST, "uncontacted", "本月未获联系的结对儿童", NULL);
    free(s->sheet);
    s->sheet = sheet ? hm_xstrdup(sheet) : NULL;
    s->pdf_rows = pdf_rows;
    s->note = hm_xstrdup("注：请各区镇督促联系。");
    {
        const char *nm[] = { "child", "town", "days" };
        const char *l[] = { "儿童", "区镇", "天数" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_TEXT, HM_FMT_INT };
        set_columns(s, 3, nm, l, f, NULL, n);
        for (size_t i = 0; i < n; i++) {
            char name[48];
            snprintf(name, sizeof name, "名单第%zu行", i + 1);
            set_cell(s, i, 0, vtext(name));
            set_cell(s, i, 1, vtext(TOWNS[i % 10]));
            set_cell(s, i, 2, vint((int64_t)i));
        }
    }
    return r;
}

/* pdf_rows: only the first rows are drawn, then a note with the count and the sheet. */
static void test_render_pdf_long_list_cut(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_long_list("zh", 500, 20, "未联系儿童");
    char *path = render(r, dir, "cut.pdf");
    hm_strbuf out = HM_STRBUF_INIT;
    hm_strbuf_init(&out);
    text_of(path, &out);
    assert_contains(out.buf, "名单第1行");
    assert_contains(out.buf, "名单第20行");
    assert_null(strstr(out.buf, "名单第21行"));
    assert_null(strstr(out.buf, "名单第500行"));
    assert_contains(out.buf, "仅列出前 20 行，共 500 行；完整名单见工作簿「未联系儿童」。");
    assert_contains(out.buf, "注：请各区镇督促联系。");          /* the section's own note stays */
    assert_int_equal(page_count(path), 1);
    assert_int_equal(r->sec[0].table.nrow, 500);                   /* the model is untouched */
    drop(path);
    hm_report_free(r);

    /* Thousands separators; English; no sheet: no workbook clause. */
    r = build_long_list("en", 1500, 20, NULL);
    path = render(r, dir, "cut-en.pdf");
    hm_strbuf_reset(&out);
    text_of(path, &out);
    assert_contains(out.buf, "First 20 of 1,500 rows.");
    assert_null(strstr(out.buf, "workbook"));
    drop(path);
    hm_report_free(r);

    r = build_long_list("en", 1500, 1000, "Not contacted");
    path = render(r, dir, "cut-en2.pdf");
    hm_strbuf_reset(&out);
    text_of(path, &out);
    assert_contains(out.buf, "First 1,000 of 1,500 rows; the full list is in the workbook, "
                             "sheet “Not contacted”.");
    assert_contains(out.buf, "名单第1000行");
    assert_null(strstr(out.buf, "名单第1001行"));
    drop(path);
    hm_report_free(r);

    /* As many rows as the limit, or no limit: every row, no note. */
    r = build_long_list("zh", 20, 20, "未联系儿童");
    path = render(r, dir, "exact.pdf");
    hm_strbuf_reset(&out);
    text_of(path, &out);
    assert_contains(out.buf, "名单第20行");
    assert_null(strstr(out.buf, "仅列出前"));
    drop(path);
    hm_report_free(r);
    r = build_long_list("zh", 60, 0, "未联系儿童");
    path = render(r, dir, "all.pdf");
    hm_strbuf_reset(&out);
    text_of(path, &out);
    assert_contains(out.buf, "名单第60行");
    assert_null(strstr(out.buf, "仅列出前"));
    drop(path);
    hm_report_free(r);

    hm_strbuf_release(&out);
    rmdir(dir);
    free(dir);
}

/*
 * Line charts whose lines run close together: two contact rates a point
 * or two apart, and five activity counts of which three stay near zero.
 */
static hm_report *build_crowded_lines(void)
{
    hm_report *r = tu_report_new("halfyear", "2026-H1", "2026-01-01", "2026-06-30", "internal", "zh");
    r->title = hm_xstrdup("半年度座谈会材料");
    hm_section *s = add_section(r, HM_SEC_LINE, "rates", "与上年同期逐月对比", NULL);
    {
        const char *n[] = { "month", "rate", "rate_prev" };
        const char *l[] = { "月份", "联系率（本年）", "联系率（上年同期）" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_PERCENT, HM_FMT_PERCENT };
        set_columns(s, 3, n, l, f, NULL, 6);
        double a[] = { 0.911, 0.918, 0.909, 0.931, 0.903, 0.954 };
        double b[] = { 0.924, 0.934, 0.886, 0.912, 0.954, 0.948 };
        for (size_t i = 0; i < 6; i++) {
            char m[16];
            snprintf(m, sizeof m, "%zu月", i + 1);
            set_cell(s, i, 0, vtext(m));
            set_cell(s, i, 1, vreal(a[i]));
            set_cell(s, i, 2, vreal(b[i]));
        }
        s->category_col = 0;
        s->nseries = 2;
        s->series_cols = hm_xcalloc(2, sizeof *s->series_cols);
        s->series_cols[0] = 1;
        s->series_cols[1] = 2;
    }
    s = add_section(r, HM_SEC_LINE, "trend", "逐月趋势", NULL);
    {
        const char *n[] = { "month", "calls", "reading", "holiday", "birthday", "wishes" };
        const char *l[] = { "月份", "亲情连线", "陪你阅读", "假日亲子活动", "陪过生日", "实现微心愿" };
        hm_format f[] = { HM_FMT_TEXT, HM_FMT_INT, HM_FMT_INT, HM_FMT_INT, HM_FMT_INT, HM_FMT_INT };
        set_columns(s, 6, n, l, f, NULL, 12);
        for (size_t i = 0; i < 12; i++) {
            char m[16];
            snprintf(m, sizeof m, "%zu月", i + 1);
            set_cell(s, i, 0, vtext(m));
            set_cell(s, i, 1, vint(300 + (int64_t)(i * 7 % 30)));
            set_cell(s, i, 2, vint(40 + (int64_t)(i * 5 % 13)));
            set_cell(s, i, 3, vint((int64_t)(i % 4)));
            set_cell(s, i, 4, vint(5 + (int64_t)(i * 3 % 9)));
            set_cell(s, i, 5, vint(8 + (int64_t)(i % 5)));
        }
        s->category_col = 0;
        s->nseries = 5;
        s->series_cols = hm_xcalloc(5, sizeof *s->series_cols);
        for (size_t k = 0; k < 5; k++)
            s->series_cols[k] = k + 1;
    }
    return r;
}

/* How many times needle occurs in hay. */
static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Value labels of close lines go above and below their points, never
 * over one another; a label with no room is left out. */
static void test_render_pdf_line_labels_apart(void **state)
{
    (void)state;
    char py[256], tool[512];
    if (!tu_find_python(py, sizeof py))
        fail_msg("the word checker needs python3");
    tu_tools_path(tool, sizeof tool, "check_pdf_words.py");
    char *dir = tu_temp_dir("himama-render");
    hm_report *r = build_crowded_lines();
    char *path = render(r, dir, "lines.pdf");
    hm_strbuf cmd = HM_STRBUF_INIT, out = HM_STRBUF_INIT;
    hm_strbuf_init(&cmd);
    hm_strbuf_init(&out);
    hm_strbuf_addf(&cmd, "'%s' '%s' '%s' 2>&1", py, tool, path);
    int rc = tu_run(cmd.buf, &out);
    if (rc != 0)
        fail_msg("words printed over others (exit %d):\n%s", rc, out.buf);
    assert_contains(out.buf, "0 overlapping words");

    /* Both rates of every month are labelled (once on the chart, once in
       its table): the lower of two close points gets its label below. */
    const char *rates[] = { "91.1%", "91.8%", "90.9%", "93.1%", "90.3%", "95.4%",
                            "92.4%", "93.4%", "88.6%", "91.2%", "94.8%", NULL };
    hm_strbuf_reset(&out);
    text_of(path, &out);
    for (const char **v = rates; *v; v++)
        if (occurrences(out.buf, *v) < 2)
            fail_msg("%s is not labelled on the chart", *v);
    /* 95.4% is both May's previous and June's current rate. */
    assert_true(occurrences(out.buf, "95.4%") >= 4);
    /* The top line is labelled at every month. */
    assert_true(occurrences(out.buf, "314") >= 2);

    hm_strbuf_release(&cmd);
    hm_strbuf_release(&out);
    drop(path);
    leave(dir, r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_pdf_readers_agree),
        cmocka_unit_test(test_render_pdf_same_bytes),
        cmocka_unit_test(test_render_pdf_public_hides_small_counts),
        cmocka_unit_test(test_render_pdf_every_sentence_extractable),
        cmocka_unit_test(test_render_pdf_unfinished_banner),
        cmocka_unit_test(test_render_pdf_chart_panels),
        cmocka_unit_test(test_render_pdf_chart_axis),
        cmocka_unit_test(test_render_pdf_public_refuses_personal_data),
        cmocka_unit_test(test_render_pdf_english_page_numbers),
        cmocka_unit_test(test_render_pdf_bad_font_writes_nothing),
        cmocka_unit_test(test_render_pdf_counts_placeholders),
        cmocka_unit_test(test_render_pdf_survives_awkward_input),
        cmocka_unit_test(test_render_pdf_long_list_cut),
        cmocka_unit_test(test_render_pdf_line_labels_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
