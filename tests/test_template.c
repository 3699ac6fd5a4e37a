/*
 * test_template.c - the template parser: the shipped templates parse, and
 * every kind of mistake a staff member may make is reported as FILE:LINE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/level_words.h"
#include "himama/template.h"
#include "himama/util.h"

/* Parse text as "t.tmpl"; return the error code, message in err. */
static hm_error parse(const char *text, char *err, size_t errsz)
{
    hm_template *t = NULL;
    hm_error rc = hm_template_parse("t.tmpl", text, &t, err, errsz);
    if (rc == HM_OK)
        assert_non_null(t);
    else
        assert_null(t);
    hm_template_free(t);
    return rc;
}

/* Assert that text fails with a message starting "t.tmpl:LINE:" and holding needle. */
static void expect_error(const char *text, int line, const char *needle)
{
    char err[512] = "", prefix[32];
    assert_int_equal(parse(text, err, sizeof err), HM_ETEMPLATE);
    snprintf(prefix, sizeof prefix, "t.tmpl:%d: ", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
}

#define HEAD "title = T\n"
#define SEC "[section s]\nkind = table\nheading = H\nquery = q\ncolumns = a:A:int, b:B\n"

static void test_template_shipped(void **state)
{
    (void)state;
    const char *files[] = { "templates/monthly.zh.tmpl", "templates/monthly.en.tmpl" };
    for (size_t i = 0; i < 2; i++) {
        hm_template *t = NULL;
        char err[512] = "";
        hm_error rc = hm_template_load(files[i], &t, err, sizeof err);
        if (rc != HM_OK)
            fail_msg("%s", err);
        assert_true(t->nsec >= 10);
        const hm_tmpl_section *s = hm_template_find(t, "five_ones");
        assert_non_null(s);
        assert_string_equal(s->query, "monthly_five_ones");
        assert_non_null(s->note_if);
        s = hm_template_find(t, "activity_types");
        assert_int_equal(s->kind, HM_SEC_BAR);
        assert_int_equal(s->nseries, 2);
        s = hm_template_find(t, "uncontacted");
        assert_int_equal(s->kind, HM_SEC_LIST);
        assert_true(s->detail);
        for (size_t c = 0; c < s->ncol; c++)
            if (strcmp(s->cols[c].name, "child_name") == 0)
                assert_true(s->cols[c].internal);
        assert_int_equal(hm_template_find(t, "rejects")->audience, HM_AUD_INTERNAL);
        assert_int_equal(s->pdf_rows, 200);                          /* uncontacted */
        assert_int_equal(hm_template_find(t, "rejects")->pdf_rows, 200);
        assert_int_equal(hm_template_find(t, "five_ones")->pdf_rows, 0);   /* all rows */
        hm_template_free(t);
    }
}

static void test_template_minimal(void **state)
{
    (void)state;
    hm_template *t = NULL;
    char err[256];
    const char *text = "\xef\xbb\xbf# comment\n\ntitle = 月报 {year}年{month}月\n"
                       "[section s]\r\nkind = table\nheading = 一、概况\nsheet = 概况\n"
                       "query = q_1\ncolumns = a:甲:int:children, b:乙:money:w2, c:丙:percent:hidden\n"
                       "intro = 共 {s.rows} 行，首行 {s.a}，第二行 {s.a:2}，末行 {s.b:last}，{{括号}}\n"
                       "detail = yes\n";
    assert_int_equal(hm_template_parse("t.tmpl", text, &t, err, sizeof err), HM_OK);
    assert_string_equal(t->title, "月报 {year}年{month}月");
    assert_int_equal(t->nsec, 1);
    const hm_tmpl_section *s = &t->sec[0];
    assert_string_equal(s->id, "s");
    assert_string_equal(s->sheet, "概况");
    assert_int_equal(s->ncol, 3);
    assert_string_equal(s->cols[0].label, "甲");
    assert_int_equal(s->cols[0].format, HM_FMT_INT);
    assert_true(s->cols[0].child_count);
    assert_int_equal(s->cols[1].format, HM_FMT_MONEY);
    assert_true(s->cols[1].width == 2.0);
    assert_true(s->cols[2].hidden);
    assert_true(s->detail);
    hm_template_free(t);
}

static void test_template_syntax_error_names_line(void **state)
{
    (void)state;
    expect_error(HEAD SEC "hedaing = x\n", 7, "unknown key 'hedaing'");
    expect_error(HEAD "this line has no equals sign\n" SEC, 2, "expected 'key = value'");
    expect_error(HEAD "[sektion s]\n", 2, "expected '[section ID]'");
    expect_error(HEAD SEC "[section s]\n", 7, "defined twice");
    expect_error(HEAD SEC "kind = table\n", 7, "'kind' is given twice");
    expect_error(HEAD "colour = red\n" SEC, 2, "unknown key 'colour'");
    expect_error(HEAD "title2 = x\n", 2, "unknown key");
    expect_error("title = T\nsubtitle = \xff\xfe\n" SEC, 2, "UTF-8");
    expect_error("# no title\n" SEC, 1, "no 'title'");
    expect_error(HEAD "[section s]\nkind = table\nquery = q\ncolumns = a:A\n", 2, "no 'heading'");
    expect_error(HEAD "[section s]\nkind = table\nheading = H\n", 2, "no 'query'");
}

/* figure.KEY lines, the unfinished banner and the children=COL mark. */
static void test_template_figures_unfinished_child_flag(void **state)
{
    (void)state;
    hm_template *t = NULL;
    char err[256];
    const char *text = "title = T\nunfinished = 统计期间尚未结束，数据截至 {today}。\n"
                       "figure.calls = {s.v:3}\nfigure.rows_rejected = {s.rows}\n"
                       "[section s]\nkind = kpi\nheading = H\nquery = q\n"
                       "columns = m:M:text:hidden, v:V:int:children=kid, kid:K:int:hidden\n";
    assert_int_equal(hm_template_parse("t.tmpl", text, &t, err, sizeof err), HM_OK);
    assert_string_equal(t->unfinished, "统计期间尚未结束，数据截至 {today}。");
    assert_int_equal(t->nfig, 2);
    assert_string_equal(t->fig[0].key, "calls");
    assert_string_equal(t->fig[0].ref, "s.v:3");
    assert_string_equal(t->fig[1].key, "rows_rejected");
    assert_string_equal(t->fig[1].ref, "s.rows");
    assert_false(t->sec[0].cols[1].child_count);      /* not every row: only flagged ones */
    assert_string_equal(t->sec[0].cols[1].child_by, "kid");
    hm_template_free(t);

#define KSEC "[section s]\nkind = kpi\nheading = H\nquery = q\ncolumns = a:A:int, b:B:int\n"
    expect_error(HEAD "figure.calls = s.a\n" KSEC, 2, "one placeholder");
    expect_error(HEAD "figure.calls = {s.a} and {s.b}\n" KSEC, 2, "one placeholder");
    expect_error(HEAD "figure.Calls = {s.a}\n" KSEC, 2, "figure name");
    expect_error(HEAD "figure.calls = {s.a}\nfigure.calls = {s.b}\n" KSEC, 3, "given twice");
    expect_error(HEAD "figure.calls = {s.zz}\n" KSEC, 2, "declares no column 'zz'");
    expect_error(HEAD "figure.calls = {period}\n" KSEC, 2, "must name one value");
    expect_error(HEAD "unfinished = {s.a}\n" KSEC, 2, "only values of the run");
    expect_error(HEAD "[section s]\nkind = kpi\nheading = H\nquery = q\n"
                 "columns = a:A:int:children=nope\n", 2, "not another declared column");
    expect_error(HEAD "[section s]\nkind = list\nheading = H\nquery = q\ndetail = yes\n"
                 "columns = a:A:int:children=b, b:B:int\n", 2, "detail section");
#undef KSEC
}

static void test_template_unknown_kind_and_format(void **state)
{
    (void)state;
    expect_error(HEAD "[section s]\nkind = pie\n", 3, "unknown kind 'pie'");
    expect_error(HEAD "[section s]\nkind = table\nheading = H\nquery = q\n"
                 "columns = a:A:int, b:B:currency\n", 6, "unknown format 'currency'");
    expect_error(HEAD "[section s]\ncolumns = a:A:int:secret\n", 3, "unknown flag 'secret'");
    expect_error(HEAD "[section s]\ncolumns = a\n", 3, "needs 'name:label'");
    expect_error(HEAD "[section s]\ncolumns = a:A, a:B\n", 3, "declared twice");
    expect_error(HEAD "[section s]\ndetail = maybe\n", 3, "detail must be");
    expect_error(HEAD "[section s]\nsheet = a/b\n", 3, "sheet name");
    expect_error(HEAD "[section s]\nsheet = 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二\n",
                 3, "sheet name");
    expect_error(HEAD "[section s]\nkind = bar\nheading = H\nquery = q\ncolumns = a:A, b:B:int\n"
                 "category = a\n", 2, "needs 'category' and 'series'");
    expect_error(HEAD "[section s]\nkind = bar\nheading = H\nquery = q\ncolumns = a:A, b:B:int\n"
                 "category = a\nseries = b, c\n", 2, "series 'c'");
}

static void test_template_query_name_refused(void **state)
{
    (void)state;
    expect_error(HEAD "[section s]\nquery = ../secret\n", 3, "query name '../secret'");
    expect_error(HEAD "[section s]\nquery = sub/q\n", 3, "query name 'sub/q'");
    expect_error(HEAD "[section s]\nquery = q.sql\n", 3, "query name");
    expect_error(HEAD "[section s]\nquery = /etc/passwd\n", 3, "query name");
    expect_error(HEAD "[section s]\nquery = Monthly\n", 3, "query name");
    expect_error(HEAD "[section a/b]\n", 2, "section id");
    assert_false(hm_template_name_ok(""));
    assert_false(hm_template_name_ok(".."));
    assert_true(hm_template_name_ok("monthly_five_ones"));
}

static void test_template_placeholders(void **state)
{
    (void)state;
    char err[256];
    /* A sentence may quote a section defined later. */
    assert_int_equal(parse(HEAD "[section s]\nkind = text\nheading = H\nintro = {t.a} {t.rows} "
                           "{period} {org}\n[section t]\nheading = H\nquery = q\ncolumns = a:A\n",
                           err, sizeof err), HM_OK);
    expect_error(HEAD SEC "intro = {nosuch.a}\n", 7, "names no section 'nosuch'");
    expect_error(HEAD SEC "intro = {s.zzz}\n", 7, "declares no column 'zzz'");
    expect_error(HEAD SEC "intro = {weather}\n", 7, "unknown placeholder");
    expect_error(HEAD SEC "intro = {s.a:0}\n", 7, "row must be");
    expect_error(HEAD SEC "intro = {s.a:first}\n", 7, "row must be");
    expect_error(HEAD SEC "intro = open {s.a\n", 7, "'{' without '}'");
    expect_error(HEAD SEC "intro = a } b\n", 7, "'}' without '{'");
    expect_error("title = {x.y}\n" SEC, 1, "names no section 'x'");
    expect_error(HEAD SEC "note_if = s.nope\n", 7, "declares no column 'nope'");
    expect_error(HEAD "[section s]\nkind = table\nheading = H\nquery = q\n"
                 "columns = a:A, n:N:text:internal\nintro = {s.n}\n", 7, "internal");
}

/* Whether s is valid UTF-8 to its NUL. */
static bool utf8_ok(const char *s)
{
    for (size_t i = 0, n = strlen(s), k; i < n; i += k) {
        uint32_t cp;
        if ((k = hm_utf8_decode(s + i, n - i, &cp)) == 0)
            return false;
    }
    return true;
}

/*
 * A message quoting a long line of Chinese is cut to fit, at a character
 * boundary: the reason stays valid UTF-8 (found by fuzzing).
 */
static void test_template_pdf_rows(void **state)
{
    (void)state;
    hm_template *t = NULL;
    char err[256] = "";
    assert_int_equal(hm_template_parse("t.tmpl", HEAD SEC "pdf_rows = 20\n", &t, err, sizeof err),
                     HM_OK);
    assert_int_equal(t->sec[0].pdf_rows, 20);
    hm_template_free(t);
    assert_int_equal(hm_template_parse("t.tmpl", HEAD SEC "pdf_rows = 0\n", &t, err, sizeof err),
                     HM_OK);
    assert_int_equal(t->sec[0].pdf_rows, 0);
    hm_template_free(t);
    assert_int_equal(hm_template_parse("t.tmpl", HEAD SEC, &t, err, sizeof err), HM_OK);
    assert_int_equal(t->sec[0].pdf_rows, 0);                  /* not given: every row */
    hm_template_free(t);

    expect_error(HEAD SEC "pdf_rows = -1\n", 7, "pdf_rows must be a whole number");
    expect_error(HEAD SEC "pdf_rows = abc\n", 7, "'abc'");
    expect_error(HEAD SEC "pdf_rows = 2.5\n", 7, "pdf_rows");
    expect_error(HEAD SEC "pdf_rows =\n", 7, "pdf_rows");
    expect_error(HEAD SEC "pdf_rows = 99999999999999999999\n", 7, "pdf_rows");
    expect_error(HEAD SEC "pdf_rows = 5\npdf_rows = 6\n", 8, "given twice");
}

static void test_template_long_line_error_stays_utf8(void **state)
{
    (void)state;
    hm_strbuf text = HM_STRBUF_INIT;
    hm_strbuf_init(&text);
    hm_strbuf_adds(&text, HEAD);
    for (int i = 0; i < 700; i++)
        hm_strbuf_adds(&text, "月");
    hm_strbuf_adds(&text, "\n");
    char err[512] = "";
    assert_int_equal(parse(text.buf, err, sizeof err), HM_ETEMPLATE);
    assert_true(strncmp(err, "t.tmpl:2: expected 'key = value'", 32) == 0);
    assert_true(utf8_ok(err));
    /* A buffer that ends inside the first quoted character. */
    const char *prefix = "t.tmpl:2: expected 'key = value', found '";
    char small[64];
    assert_int_equal(parse(text.buf, small, strlen(prefix) + 2), HM_ETEMPLATE);
    assert_true(utf8_ok(small));
    assert_string_equal(small, prefix);
    hm_strbuf_release(&text);
}

/* What the scanner hands on, as text: literal text as is, "<body>" per placeholder. */
typedef struct scan_log {
    hm_strbuf sb;
    const char *stop_at;   /* a body whose ref stops the scan */
} scan_log;

static void log_lit(void *arg, const char *s, size_t n)
{
    hm_strbuf_add(&((scan_log *)arg)->sb, s, n);
}

static hm_error log_ref(void *arg, const char *body)
{
    scan_log *l = arg;
    hm_strbuf_addf(&l->sb, "<%s>", body);
    return l->stop_at && strcmp(body, l->stop_at) == 0 ? HM_ETEMPLATE : HM_OK;
}

static hm_error log_bad(void *arg, const char *why)
{
    hm_strbuf_addf(&((scan_log *)arg)->sb, "!%s", why);
    return HM_ETEMPLATE;
}

/* Scan text with sc; the log into out (size 256), the result returned. */
static hm_error scan(const char *text, const hm_tmpl_scanner *sc, const char *stop_at,
                     char *out)
{
    scan_log l = { HM_STRBUF_INIT, stop_at };
    hm_strbuf_init(&l.sb);
    hm_error rc = hm_tmpl_scan(text, sc, &l);
    snprintf(out, 256, "%s", l.sb.buf);
    hm_strbuf_release(&l.sb);
    return rc;
}

/* The one scanner: escapes, placeholders, unmatched braces checked or literal. */
static void test_template_scan(void **state)
{
    (void)state;
    const hm_tmpl_scanner strict = { log_lit, log_ref, log_bad };
    const hm_tmpl_scanner lenient = { log_lit, log_ref, NULL };
    char out[256];
    assert_int_equal(scan("共 {s.rows} 人，{{括号}} 与 {period}。", &strict, NULL, out), HM_OK);
    assert_string_equal(out, "共 <s.rows> 人，{括号} 与 <period>。");
    assert_int_equal(scan("{a}{b}", &strict, NULL, out), HM_OK);
    assert_string_equal(out, "<a><b>");
    assert_int_equal(scan("", &strict, NULL, out), HM_OK);
    assert_string_equal(out, "");
    assert_int_equal(scan(NULL, &strict, NULL, out), HM_OK);
    assert_int_equal(scan("x {a{b} y", &strict, NULL, out), HM_OK);
    assert_string_equal(out, "x <a{b> y");
    assert_int_equal(scan("a } b", &strict, NULL, out), HM_ETEMPLATE);
    assert_string_equal(out, "a !'}' without '{' (write '}}' for a brace)");
    assert_int_equal(scan("a {b", &strict, NULL, out), HM_ETEMPLATE);
    assert_string_equal(out, "a !'{' without '}' (write '{{' for a brace)");
    assert_int_equal(scan("a } {b", &lenient, NULL, out), HM_OK);
    assert_string_equal(out, "a } {b");
    assert_int_equal(scan("{x} then {y} then {z}", &strict, "y", out), HM_ETEMPLATE);
    assert_string_equal(out, "<x> then <y>");
    const hm_tmpl_scanner refs_only = { NULL, log_ref, NULL };
    assert_int_equal(scan("a {b} c {{d}}", &refs_only, NULL, out), HM_OK);
    assert_string_equal(out, "<b>");
}

/* The one parser of a placeholder's body. */
static void test_template_ref_parse(void **state)
{
    (void)state;
    hm_tmpl_ref r;
    hm_tmpl_ref_parse("month", &r);
    assert_int_equal(r.kind, HM_REF_RUN);
    assert_int_equal(r.run, HM_RUN_MONTH);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("generated", &r);
    assert_int_equal(r.run, HM_RUN_GENERATED);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("nothing", &r);
    assert_int_equal(r.kind, HM_REF_UNKNOWN);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("kpi.rows", &r);
    assert_int_equal(r.kind, HM_REF_ROWS);
    assert_string_equal(r.id, "kpi");
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("kpi.value", &r);
    assert_int_equal(r.kind, HM_REF_CELL);
    assert_string_equal(r.id, "kpi");
    assert_string_equal(r.col, "value");
    assert_null(r.sel);
    assert_true(r.row_ok);
    assert_int_equal(r.row, 0);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("kpi.value:3", &r);
    assert_true(r.row_ok && !r.last);
    assert_int_equal(r.row, 2);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("kpi.value:last", &r);
    assert_true(r.row_ok && r.last);
    hm_tmpl_ref_release(&r);
    hm_tmpl_ref_parse("kpi.rows:2", &r);   /* a column called rows */
    assert_int_equal(r.kind, HM_REF_CELL);
    assert_string_equal(r.col, "rows");
    assert_int_equal(r.row, 1);
    hm_tmpl_ref_release(&r);
    static const char *const bad_rows[] = { "a.b:0", "a.b:-1", "a.b:x", "a.b:", "a.b:2x" };
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        hm_tmpl_ref_parse(bad_rows[i], &r);
        assert_int_equal(r.kind, HM_REF_CELL);
        assert_false(r.row_ok);
        hm_tmpl_ref_release(&r);
    }
}

/*
 * A report says nothing of a section it leaves out: a text the public
 * report shows may not quote an internal section (nor the internal report's
 * a public one), and an error names the line of that text; a ".public"
 * wording is the public report's text instead.
 */
static void test_template_audience_refs(void **state)
{
    (void)state;
#define INT_SEC "[section todo]\nkind = list\nheading = To do\nquery = q\ncolumns = a:A:int\n" \
                "audience = internal\n"
    expect_error(HEAD INT_SEC SEC "intro = {todo.rows} to do\n", 13, "quotes section 'todo'");
    expect_error(HEAD INT_SEC SEC "note = {todo.a:last}\n", 13, "'note': the public report");
    expect_error(HEAD "footer = {todo.rows}\n" INT_SEC, 2, "quotes section 'todo'");
    expect_error(HEAD INT_SEC SEC "note_if = todo.a\nnote = n\n", 13, "'note_if'");
    expect_error(HEAD INT_SEC SEC "intro = x\nintro.public = {todo.rows}\n", 14,
                 "'intro.public': the public report");
    expect_error(HEAD "[section p]\nkind = text\nheading = P\naudience = public\n"
                 SEC "intro = {p.rows}\n", 11, "the internal report shows this text");
    expect_error(HEAD INT_SEC "intro.public = x\n", 8, "'intro.public' would never be shown");
    expect_error(HEAD SEC "heading.public = {nope.rows}\n", 7, "names no section 'nope'");
    expect_error(HEAD SEC "heading.public = a\nheading.public = b\n", 8, "given twice");

    /* Internal texts may quote internal sections; the public wording replaces
     * the plain one in public reports only. */
    char err[512] = "";
    hm_template *t = NULL;
    assert_int_equal(hm_template_parse("t.tmpl", HEAD INT_SEC "intro = {todo.rows}\n" SEC
                                       "intro = {todo.rows} (see To do)\n"
                                       "intro.public = {s.rows} in all\n",
                                       &t, err, sizeof err), HM_OK);
    hm_template_free(t);
    assert_int_equal(hm_template_parse("t.tmpl", HEAD INT_SEC "intro = {todo.rows}\n" SEC
                                       "heading.public = Public H\n", &t, err, sizeof err),
                     HM_OK);
    const hm_tmpl_section *s = hm_template_find(t, "s");
    assert_string_equal(hm_tmpl_section_text(s, HM_TEXT_HEADING, false), "H");
    assert_string_equal(hm_tmpl_section_text(s, HM_TEXT_HEADING, true), "Public H");
    assert_null(hm_tmpl_section_text(s, HM_TEXT_INTRO, true));
    hm_template_free(t);
#undef INT_SEC
}

/* The words of a report's level: the keys a per-town table rolls up by, a list left to
 * the packs, the {scope.*} placeholders and the words they stand for. */
static void test_template_levels(void **state)
{
    (void)state;
    char err[512] = "";
    hm_template *t = NULL;
    assert_int_equal(hm_template_parse("t.tmpl", HEAD "elsewhere = {scope.area}: see the packs\n"
                                       "[section s]\nkind = table\nheading = By {scope.row}\n"
                                       "query = q\ncolumns = r:R:int, a:A:int, c:C:text:hidden\n"
                                       "levels = c\nsums = a\nrank = r:a, a/a\n"
                                       "intro = {scope.Rows} add up to the {scope.total}\n"
                                       "[section l]\nkind = list\nheading = L\nquery = q\n"
                                       "columns = a:A\ntown_list = yes\n", &t, err, sizeof err),
                     HM_OK);
    assert_string_equal(t->elsewhere, "{scope.area}: see the packs");
    assert_string_equal(t->sec[0].rank, "r:a, a/a");
    assert_false(t->sec[0].town_list);
    assert_true(t->sec[1].town_list);
    hm_template_free(t);
    expect_error(HEAD "elsewhere = {s.a}\n" SEC, 2, "'elsewhere' may quote only values of the run");
    expect_error(HEAD SEC "town_list = maybe\n", 7, "town_list must be 'yes' or 'no'");
    expect_error(HEAD SEC "intro = {scope.weather}\n", 7, "names no section 'scope'");

    /* a district's words are those the templates had before the levels */
    assert_string_equal(hm_level_word(HM_LEVEL_DISTRICT, HM_LEVEL_TOWN, "zh", HM_WORD_TOTAL),
                        "全区合计");
    assert_string_equal(hm_level_word(HM_LEVEL_DISTRICT, HM_LEVEL_TOWN, "en", HM_WORD_NO_TOWN),
                        "District level (no town)");
    assert_string_equal(hm_level_word(HM_LEVEL_CITY, HM_LEVEL_DISTRICT, "zh", HM_WORD_TOTAL),
                        "全市合计");
    assert_string_equal(hm_level_word(HM_LEVEL_CITY, HM_LEVEL_DISTRICT, "zh", HM_WORD_ROWS),
                        "区县");
    assert_string_equal(hm_level_word(HM_LEVEL_NATION, HM_LEVEL_PROVINCE, "en", HM_WORD_ROWS_CAP),
                        "Provinces");
    assert_string_equal(hm_level_word(HM_LEVEL_TOWN, HM_LEVEL_TOWN, "zh", HM_WORD_ROW), "镇");
    hm_level l;
    assert_true(hm_level_parse("city", &l) && l == HM_LEVEL_CITY);
    assert_false(hm_level_parse("street", &l));
    assert_true(hm_level_above_district(HM_LEVEL_CITY));
    assert_false(hm_level_above_district(HM_LEVEL_DISTRICT));
    assert_false(hm_level_above_district(HM_LEVEL_TOWN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_shipped),
        cmocka_unit_test(test_template_minimal),
        cmocka_unit_test(test_template_figures_unfinished_child_flag),
        cmocka_unit_test(test_template_syntax_error_names_line),
        cmocka_unit_test(test_template_unknown_kind_and_format),
        cmocka_unit_test(test_template_query_name_refused),
        cmocka_unit_test(test_template_placeholders),
        cmocka_unit_test(test_template_pdf_rows),
        cmocka_unit_test(test_template_long_line_error_stays_utf8),
        cmocka_unit_test(test_template_scan),
        cmocka_unit_test(test_template_ref_parse),
        cmocka_unit_test(test_template_audience_refs),
        cmocka_unit_test(test_template_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
