/*
 * test_xlsx_read.c - the xlsx reader on workbooks written by libxlsxwriter
 * (shared strings; inline strings in constant-memory mode), by openpyxl
 * (1900 and 1904 date systems), by hand (inline rich strings, escapes,
 * namespaced elements, cells without references), and on files that are
 * not workbooks or are damaged.  Each sheet is dumped as one line per row,
 * "LINE:field|field|...", and compared with what it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "himama/util.h"
#include "himama/xlsx_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static char g_dir[256];
static char g_python[256];
static char g_tools[512];

/*
 * Read sheet `sheet` of path into text: one line per row, "LINE:f1|f2|...",
 * or "LINE!error" for a malformed row, and "FAIL:message" when reading
 * stops with an error.  Caller frees.
 */
static char *dump_sheet(const char *path, size_t sheet)
{
    char err[512];
    hm_strbuf out = HM_STRBUF_INIT;
    hm_strbuf_init(&out);
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    if (!b) {
        hm_strbuf_addf(&out, "OPEN:%s\n", err);
        return hm_strbuf_detach(&out);
    }
    hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, sheet, err, sizeof err);
    if (!s) {
        hm_strbuf_addf(&out, "SHEET:%s\n", err);
        hm_xlsx_close(b);
        return hm_strbuf_detach(&out);
    }
    hm_csv_record rec;
    const char *msg;
    int rc;
    while ((rc = hm_xlsx_next(s, &rec, &msg)) == 1) {
        assert_int_equal(rec.nlines, 1);
        if (rec.error) {
            hm_strbuf_addf(&out, "%ld!%s\n", rec.line, rec.error);
            continue;
        }
        hm_strbuf_addf(&out, "%ld:", rec.line);
        for (size_t i = 0; i < rec.nfield; i++) {
            assert_int_equal(strlen(rec.field[i]), rec.flen[i]);
            hm_strbuf_addf(&out, "%s%s", i ? "|" : "", rec.field[i]);
        }
        hm_strbuf_addc(&out, '\n');
    }
    if (rc < 0)
        hm_strbuf_addf(&out, "FAIL:%s\n", msg);
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), rc);   /* the end stays the end */
    hm_xlsx_sheet_close(s);
    hm_xlsx_close(b);
    return hm_strbuf_detach(&out);
}

/* Assert that sheet i of path reads as want. */
static void expect_sheet(const char *path, size_t i, const char *want)
{
    char *got = dump_sheet(path, i);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s sheet %zu:\n--- want\n%s--- got\n%s", path, i, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* The message of opening path, which must fail. */
static void expect_open_error(const char *path, const char *part)
{
    char err[512];
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    if (b)
        hm_xlsx_close(b);
    assert_null(b);
    if (!strstr(err, part))
        fprintf(stderr, "message '%s' lacks '%s'\n", err, part);
    assert_non_null(strstr(err, part));
    assert_non_null(strstr(err, path));
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* ---- tests ---- */

static void test_xlsx_read_serial_dates(void **state)
{
    char out[20];
    (void)state;
    struct { double v; bool d1904, time_only; const char *want; } cases[] = {
        { 1, false, false, "1900-01-01" },
        { 59, false, false, "1900-02-28" },
        { 60, false, false, "1900-02-29" },   /* Excel's phantom day */
        { 61, false, false, "1900-03-01" },
        { 45123, false, false, "2023-07-16" },
        { 45123.4375, false, false, "2023-07-16 10:30:00" },
        { 0.4375, false, true, "10:30:00" },
        { 0.4375, false, false, "1899-12-31 10:30:00" },
        { 0.99999999999, false, false, "1900-01-01" },   /* rounds to the next day */
        { 2958465, false, false, "9999-12-31" },
        { 0, true, false, "1904-01-01" },
        { 43661, true, false, "2023-07-16" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(hm_xlsx_serial_text(cases[i].v, cases[i].d1904, cases[i].time_only, out));
        assert_string_equal(out, cases[i].want);
    }
    assert_false(hm_xlsx_serial_text(-1, false, false, out));
    assert_false(hm_xlsx_serial_text(2958466, false, false, out));
}

/* A workbook written with libxlsxwriter's defaults (shared strings). */
static void test_xlsx_read_libxlsxwriter(void **state)
{
    (void)state;
    const char *path = tu_path(g_dir, "lxw.xlsx");
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "儿童");
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "空白");
    assert_non_null(ws);
    assert_non_null(ws2);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *dt = workbook_add_format(wb);
    format_set_num_format(dt, "yyyy-mm-dd hh:mm");
    lxw_format *tm = workbook_add_format(wb);
    format_set_num_format(tm, "hh:mm");
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    lxw_format *fill = workbook_add_format(wb);
    format_set_bg_color(fill, LXW_COLOR_YELLOW);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);

    const char *head[] = { "儿童编号", "姓名", "出生日期", "金额", "是否", NULL, "备注" };
    for (int c = 0; c < 7; c++)
        if (head[c])
            assert_int_equal(worksheet_write_string(ws, 0, c, head[c], NULL), LXW_NO_ERROR);
    lxw_datetime birth = { 2015, 6, 1, 0, 0, 0 };
    lxw_datetime when = { 2026, 10, 1, 10, 30, 0 };
    lxw_datetime at = { 0, 0, 0, 10, 30, 0 };
    assert_int_equal(worksheet_write_string(ws, 1, 0, "C001", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 1, 1, "张三", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_datetime(ws, 1, 2, &birth, date), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_number(ws, 1, 3, 1000.5, money), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_boolean(ws, 1, 4, 1, NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 1, 6, "a,b", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_merge_range(ws, 2, 0, 2, 2, "合并", fill), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_number(ws, 2, 3, 42, money), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_boolean(ws, 2, 4, 0, NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_datetime(ws, 2, 6, &when, dt), LXW_NO_ERROR);
    for (int c = 0; c < 7; c++)   /* row 4: styled, no values */
        assert_int_equal(worksheet_write_blank(ws, 3, c, fill), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 5, 0, "007", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_formula_num(ws, 5, 1, "=1+1", NULL, 2), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_datetime(ws, 5, 2, &at, tm), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_number(ws, 5, 3, 13812345678.0, NULL), LXW_NO_ERROR);
    char ra[] = "a", rb[] = "b";
    lxw_rich_string_tuple f1 = { .format = bold, .string = ra };
    lxw_rich_string_tuple f2 = { .format = NULL, .string = rb };
    lxw_rich_string_tuple *rich[] = { &f1, &f2, NULL };
    assert_int_equal(worksheet_write_rich_string(ws, 5, 4, rich, NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 6, 0, "x", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 7, 7, "beyond", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_number(ws, 8, 0, 0.1 + 0.2, NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_number(ws, 8, 1, -0.0, NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 8, 2, "ctl\001", NULL), LXW_NO_ERROR);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    char err[256];
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(hm_xlsx_nsheets(b), 2);
    assert_string_equal(hm_xlsx_sheet_name(b, 0), "儿童");
    assert_string_equal(hm_xlsx_sheet_name(b, 1), "空白");
    assert_null(hm_xlsx_sheet_name(b, 2));
    assert_false(hm_xlsx_date1904(b));
    assert_null(hm_xlsx_sheet_open(b, 2, err, sizeof err));
    /* raw is the row as CSV */
    hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, 0, err, sizeof err);
    assert_non_null(s);
    hm_csv_record rec;
    const char *msg;
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
    assert_int_equal(hm_xlsx_next(s, &rec, &msg), 1);
    assert_int_equal(rec.line, 2);
    assert_null(rec.error);
    assert_string_equal(rec.raw, "C001,张三,2015-06-01,1000.5,TRUE,,\"a,b\"");
    assert_int_equal(rec.raw_len, strlen(rec.raw));
    assert_true(hm_xlsx_offset(s) > 0);
    hm_xlsx_sheet_close(s);
    hm_xlsx_close(b);

    expect_sheet(path, 0,
                 "1:儿童编号|姓名|出生日期|金额|是否||备注\n"
                 "2:C001|张三|2015-06-01|1000.5|TRUE||a,b\n"
                 "3:合并|||42|FALSE||2026-10-01 10:30:00\n"
                 "6:007|2|10:30:00|13812345678|ab||\n"
                 "7:x||||||\n"
                 "8:|||||||beyond\n"
                 "9:0.3|0|ctl\001||||\n");
    expect_sheet(path, 1, "");
}

/* Constant-memory mode writes inline strings; a long sheet streams. */
static void test_xlsx_read_constant_memory(void **state)
{
    (void)state;
    const char *path = tu_path(g_dir, "big.xlsx");
    lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL,
                                 .use_zip64 = LXW_FALSE };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "活动");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    const int rows = 20000;
    assert_int_equal(worksheet_write_string(ws, 0, 0, "活动编号", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 0, 1, "时长", NULL), LXW_NO_ERROR);
    assert_int_equal(worksheet_write_string(ws, 0, 2, "日期", NULL), LXW_NO_ERROR);
    for (int r = 1; r <= rows; r++) {
        char id[32];
        lxw_datetime d = { 2026, 1 + r % 12, 1 + r % 28, 0, 0, 0 };
        snprintf(id, sizeof id, "活动%06d", r);
        assert_int_equal(worksheet_write_string(ws, r, 0, id, NULL), LXW_NO_ERROR);
        assert_int_equal(worksheet_write_number(ws, r, 1, r % 1441, NULL), LXW_NO_ERROR);
        assert_int_equal(worksheet_write_datetime(ws, r, 2, &d, date), LXW_NO_ERROR);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    char err[256];
    hm_xlsx_book *b = hm_xlsx_open(path, err, sizeof err);
    assert_non_null(b);
    hm_xlsx_sheet *s = hm_xlsx_sheet_open(b, 0, err, sizeof err);
    assert_non_null(s);
    hm_csv_record rec;
    const char *msg;
    long n = 0;
    int rc;
    while ((rc = hm_xlsx_next(s, &rec, &msg)) == 1) {
        assert_null(rec.error);
        assert_int_equal(rec.nfield, 3);
        assert_int_equal(rec.line, n + 1);
        if (n == rows) {
            assert_string_equal(rec.field[0], "活动020000");
            assert_string_equal(rec.field[1], "1267");        /* 20000 % 1441 */
            assert_string_equal(rec.field[2], "2026-09-09");  /* month 1 + 20000 % 12, day 1 + 20000 % 28 */
        }
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, rows + 1);
    hm_xlsx_sheet_close(s);
    hm_xlsx_close(b);

    /* The same file damaged in the middle of the sheet's compressed data. */
    const char *bad = tu_path(g_dir, "big-damaged.xlsx");
    assert_int_equal(tu_shell("cp '%s' '%s' && size=$(stat -c %%s '%s') && "
                              "printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of='%s' bs=1 "
                              "seek=$((size / 2)) conv=notrunc status=none",
                              path, bad, bad, bad), 0);
    char *got = dump_sheet(bad, 0);
    assert_true(strncmp(got, "OPEN:", 5) == 0 || strstr(got, "FAIL:sheet '活动': ") != NULL);
    free(got);
}

/* Workbooks from openpyxl, in both date systems, and hand-written ones. */
static void test_xlsx_read_openpyxl(void **state)
{
    (void)state;
    assert_int_equal(tu_shell("'%s' '%s/make_xlsx_fixtures.py' '%s'", g_python, g_tools, g_dir), 0);

    const char *p1900 = tu_path(g_dir, "openpyxl_1900.xlsx");
    char err[256];
    hm_xlsx_book *b = hm_xlsx_open(p1900, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(hm_xlsx_nsheets(b), 3);
    assert_false(hm_xlsx_sheet_hidden(b, 0));
    assert_string_equal(hm_xlsx_sheet_name(b, 2), "隐藏");
    assert_true(hm_xlsx_sheet_hidden(b, 2));
    assert_false(hm_xlsx_date1904(b));
    hm_xlsx_close(b);
    expect_sheet(p1900, 0,
                 "1:活动编号|日期|类型|志愿者编号|儿童编号|时长|标题|备注\n"
                 "2:A001|2026-10-03|亲情连线|V001|C001|30|第一次, 电话|\n"
                 "3:007|2026-10-04 10:30:00|TRUE|FALSE|1000.5|0.3|合并|\n"
                 "5:A002||||13812345678|||最后一列\n"
                 "10:2026-01-02|10:30:00|0.5|45123||-5|1e+20|  \n"
                 "12:1900-02-28|1900-02-29|1900-03-01|||||\n");
    expect_sheet(p1900, 1, "1:x\n");

    const char *p1904 = tu_path(g_dir, "openpyxl_1904.xlsx");
    b = hm_xlsx_open(p1904, err, sizeof err);
    assert_non_null(b);
    assert_true(hm_xlsx_date1904(b));
    hm_xlsx_close(b);
    expect_sheet(p1904, 0,
                 "1:捐赠编号|日期|金额\n"
                 "2:D1|2026-10-01|1000\n"
                 "3:D2|2000-01-01 23:59:59|0.01\n");

    expect_sheet(tu_path(g_dir, "inline.xlsx"), 0,
                 "1:事迹编号|正文|日期\n"
                 "2:S1|line one\r\nline & two_x0041_|2026-10-05\n"
                 "3:#N/A|calc, \"q\"|2026-10-05 08:15:00\n"
                 "5:|||TRUE\n");
    expect_sheet(tu_path(g_dir, "badsst.xlsx"), 0,
                 "1:only\n"
                 "2!shared string index '5' out of range\n"
                 "3!cell 'A3' out of order\n"
                 "4!bad cell reference '4A'\n"
                 "5:|only\n");
    expect_sheet(tu_path(g_dir, "doctype.xlsx"), 0,
                 "FAIL:sheet '事迹': xml error at line 2: document type declarations are "
                 "not allowed\n");
    expect_open_error(tu_path(g_dir, "noworkbook.xlsx"), "has no workbook part");
}

/* Files that are not workbooks at all. */
static void test_xlsx_read_not_xlsx(void **state)
{
    (void)state;
    const char *csv = tu_path(g_dir, "children.xlsx");
    const char text[] = "child_id,name\nC001,张三\n";
    write_file(csv, text, sizeof text - 1);
    expect_open_error(csv, "not a zip archive");

    const char *empty = tu_path(g_dir, "empty.xlsx");
    write_file(empty, "", 0);
    expect_open_error(empty, "the file is empty");

    const unsigned char ole[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0 };
    const char *xls = tu_path(g_dir, "old.xlsx");
    write_file(xls, ole, sizeof ole);
    expect_open_error(xls, "old .xls file or a password-protected workbook");

    expect_open_error(tu_path(g_dir, "does-not-exist.xlsx"), "cannot read");

    /* a real workbook cut in half loses the zip's central directory */
    const char *whole = tu_path(g_dir, "whole.xlsx");
    lxw_workbook *wb = workbook_new(whole);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    assert_int_equal(worksheet_write_string(ws, 0, 0, "x", NULL), LXW_NO_ERROR);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    const char *cut = tu_path(g_dir, "cut.xlsx");
    assert_int_equal(tu_shell("head -c $(( $(stat -c %%s '%s') / 2 )) '%s' > '%s'", whole, whole,
                              cut), 0);
    expect_open_error(cut, "damaged or truncated");
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    if (!tu_mkdtemp(g_dir, sizeof g_dir, "himama-xlsxr"))
        return -1;
    tu_tools_path(g_tools, sizeof g_tools, "");
    return tu_find_python(g_python, sizeof g_python) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown_dir(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_read_serial_dates),
        cmocka_unit_test(test_xlsx_read_libxlsxwriter),
        cmocka_unit_test(test_xlsx_read_constant_memory),
        cmocka_unit_test(test_xlsx_read_openpyxl),
        cmocka_unit_test(test_xlsx_read_not_xlsx),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
