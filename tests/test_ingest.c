/*
 * test_ingest.c - the parts of ingest (ingest_int.h) one by one: the
 * contract's column enums and per-kind rules, the blank rule, the row
 * checks (fields parsed, the header mapped), the rejects file's cells and
 * the raw text kept of a record, the row source over a CSV file and over a
 * workbook's sheet, and the driver on small files (rows loaded, updated
 * with audit, rejected, warned about; a file read again skipped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "himama/csv.h"
#include "himama/db.h"
#include "himama/migrate.h"
#include "himama/ingest.h"
#include "himama/ingest_int.h"
#include "himama/kinds.h"
#include "himama/reasons.h"
#include "himama/util.h"
#include "himama/xlsx_read.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    return tu_mkdtemp(g_dir, sizeof g_dir, "himama-ingest") ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown_dir(g_dir);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ---- the contract: column enums and per-kind rules ---- */

/* Every HM_COL_<KIND>_<COLUMN>, with its kind and the name it stands for. */
#define C(K, COL) { HM_KIND_##K, HM_COL_##K##_##COL, HM_NCOL_##K, #COL }
static const struct { hm_kind_id kind; int index; int ncol; const char *upper; } g_cols[] = {
    C(TOWNS, TOWN_CODE), C(TOWNS, TOWN_NAME), C(TOWNS, DISTRICT), C(TOWNS, CITY),
    C(TOWNS, PROVINCE),
    C(CHILDREN, CHILD_ID), C(CHILDREN, NAME), C(CHILDREN, ALIAS), C(CHILDREN, GENDER),
    C(CHILDREN, BIRTH_DATE), C(CHILDREN, TOWN_CODE), C(CHILDREN, CATEGORY),
    C(CHILDREN, GUARDIAN), C(CHILDREN, GUARDIAN_PHONE), C(CHILDREN, SCHOOL),
    C(CHILDREN, CLASS_TEACHER), C(CHILDREN, NEEDS), C(CHILDREN, REGISTERED_ON),
    C(CHILDREN, EXITED_ON),
    C(VOLUNTEERS, VOLUNTEER_ID), C(VOLUNTEERS, NAME), C(VOLUNTEERS, ROLE),
    C(VOLUNTEERS, PHONE), C(VOLUNTEERS, TOWN_CODE), C(VOLUNTEERS, SECTOR),
    C(VOLUNTEERS, ORGANIZATION), C(VOLUNTEERS, SPECIALTIES), C(VOLUNTEERS, JOINED_ON),
    C(VOLUNTEERS, POOL), C(VOLUNTEERS, BIRTH_DATE),
    C(PAIRINGS, PAIRING_ID), C(PAIRINGS, VOLUNTEER_ID), C(PAIRINGS, CHILD_ID),
    C(PAIRINGS, STARTED_ON), C(PAIRINGS, ENDED_ON), C(PAIRINGS, END_REASON),
    C(ACTIVITIES, ACTIVITY_ID), C(ACTIVITIES, DATE), C(ACTIVITIES, TYPE),
    C(ACTIVITIES, VOLUNTEER_ID), C(ACTIVITIES, CHILD_ID), C(ACTIVITIES, MINUTES),
    C(ACTIVITIES, TITLE), C(ACTIVITIES, NOTES),
    C(WISHES, WISH_ID), C(WISHES, CHILD_ID), C(WISHES, REGISTERED_ON),
    C(WISHES, DESCRIPTION), C(WISHES, EST_COST), C(WISHES, CLAIMED_BY),
    C(WISHES, CLAIMED_ORG), C(WISHES, CLAIMED_ON), C(WISHES, FULFILLED_ON),
    C(WISHES, CANCELLED_ON),
    C(DONATIONS, DONATION_ID), C(DONATIONS, DATE), C(DONATIONS, DONOR),
    C(DONATIONS, DONOR_TYPE), C(DONATIONS, AMOUNT), C(DONATIONS, RESTRICTED_TO),
    C(DONATIONS, RECEIPT_NO),
    C(EXPENDITURES, EXPENSE_ID), C(EXPENDITURES, DATE), C(EXPENDITURES, PROJECT),
    C(EXPENDITURES, TOWN_CODE), C(EXPENDITURES, CATEGORY), C(EXPENDITURES, AMOUNT),
    C(EXPENDITURES, FUND), C(EXPENDITURES, APPROVED_BY),
    C(TRAININGS, EVENT_ID), C(TRAININGS, DATE), C(TRAININGS, KIND), C(TRAININGS, TITLE),
    C(TRAININGS, SPEAKER),
    C(ATTENDANCE, EVENT_ID), C(ATTENDANCE, VOLUNTEER_ID),
    C(STORIES, STORY_ID), C(STORIES, VOLUNTEER_ID), C(STORIES, CHILD_ID), C(STORIES, DATE),
    C(STORIES, TITLE), C(STORIES, TEXT),
    C(FEEDBACK, FEEDBACK_ID), C(FEEDBACK, RAISED_ON), C(FEEDBACK, TOWN_CODE),
    C(FEEDBACK, VOLUNTEER_ID), C(FEEDBACK, CATEGORY), C(FEEDBACK, TEXT), C(FEEDBACK, STATUS),
    C(FEEDBACK, RESOLVED_ON), C(FEEDBACK, RESPONSE),
};
#undef C

/* Every kind's column enum names its columns in the contract's order. */
static void test_ingest_kind_column_enums(void **state)
{
    (void)state;
    size_t seen[HM_NKINDS] = { 0 };
    for (size_t i = 0; i < sizeof g_cols / sizeof g_cols[0]; i++) {
        const hm_kind *k = &hm_kinds[g_cols[i].kind];
        assert_int_equal(k->id, g_cols[i].kind);
        assert_int_equal(k->ncolumns, (size_t)g_cols[i].ncol);
        assert_true(g_cols[i].index >= 0 && (size_t)g_cols[i].index < k->ncolumns);
        char lower[64];
        size_t n = strlen(g_cols[i].upper);
        assert_true(n < sizeof lower);
        for (size_t j = 0; j <= n; j++)
            lower[j] = (char)tolower((unsigned char)g_cols[i].upper[j]);
        const char *name = k->columns[g_cols[i].index].name;
        assert_non_null(name);
        if (strcmp(name, lower) != 0)
            fprintf(stderr, "%s: HM_COL_..._%s is '%s'\n", k->name, g_cols[i].upper, name);
        assert_string_equal(name, lower);
        assert_int_equal(hm_kind_column_index(k, lower), g_cols[i].index);
        seen[k->id]++;
    }
    /* The list above names every column of every kind. */
    for (size_t i = 0; i < HM_NKINDS; i++)
        assert_int_equal(seen[i], hm_kinds[i].ncolumns);
}

/* A rule's column is one of the kind's, or -1 when the flags do not need it. */
static void expect_column(const hm_kind *k, int col, bool needed, hm_ftype type)
{
    if (!needed)
        return;
    assert_true(col >= 0 && (size_t)col < k->ncolumns);
    if (type != (hm_ftype)-1)
        assert_int_equal(k->columns[col].type, type);
}

/* The per-kind rules name columns of the right kind and type. */
static void test_ingest_kind_rules(void **state)
{
    (void)state;
    int with_rules = 0;
    for (size_t i = 0; i < HM_NKINDS; i++) {
        const hm_kind *k = &hm_kinds[i];
        const hm_kind_rules *r = k->rules;
        if (!r)
            continue;
        with_rules++;
        unsigned f = r->flags;
        bool act = f & HM_RULE_ACTIVITY, pair = f & HM_RULE_PAIRING;
        expect_column(k, r->id, act || pair, HM_F_ID);
        expect_column(k, r->child, act || pair || (f & (HM_RULE_CHILD_SPANS | HM_RULE_CHILD_TOWN)),
                      HM_F_ID);
        expect_column(k, r->volunteer, act || pair, HM_F_ID);
        expect_column(k, r->date, act, HM_F_DATE);
        expect_column(k, r->type, act, HM_F_ENUM);
        expect_column(k, r->start, pair, HM_F_DATE);
        expect_column(k, r->end, pair, HM_F_DATE);
        expect_column(k, r->town, f & HM_RULE_CHILD_TOWN, HM_F_ID);
        for (size_t j = 0; j < r->norder; j++) {
            const hm_order_rule *o = &r->order[j];
            bool when = o->test == HM_ORDER_NEEDED_WHEN || o->test == HM_ORDER_ONLY_WHEN;
            bool age = o->test == HM_ORDER_AGE_AT;
            expect_column(k, o->a, true, age ? HM_F_ADULT_BIRTHDATE : HM_F_DATE);
            assert_true(age ? o->years > 0 : o->years == 0);
            expect_column(k, o->b, true, when ? HM_F_ENUM : HM_F_DATE);
            /* The reason takes both values (NEEDED_WHEN: b's, a being empty). */
            const char *p = strstr(o->reason, "%s");
            assert_non_null(p);
            if (o->test != HM_ORDER_NEEDED_WHEN)
                assert_non_null(strstr(p + 2, "%s"));
            /* A rule on an enumeration names one of its codes. */
            if (when)
                assert_non_null(hm_enum_label(k->columns[o->b].enumeration, o->code));
            else
                assert_null(o->code);
        }
    }
    assert_int_equal(with_rules, 6);
    assert_true(hm_kinds[HM_KIND_ACTIVITIES].rules->flags & HM_RULE_ACTIVITY);
    assert_true(hm_kinds[HM_KIND_PAIRINGS].rules->flags & HM_RULE_PAIRING);
    assert_null(hm_kinds[HM_KIND_TOWNS].rules);
    /* Every reference points into a kind. */
    for (int r = HM_REF_TOWN; r <= HM_REF_FUND; r++)
        assert_non_null(hm_ref_kind((hm_ref)r));
    assert_null(hm_ref_kind(HM_REF_NONE));
    assert_ptr_equal(hm_ref_kind(HM_REF_CHILD), &hm_kinds[HM_KIND_CHILDREN]);
}

/* The blank rule and the intake form's rows and sheets. */
static void test_ingest_blank_rule(void **state)
{
    (void)state;
    assert_int_equal(hm_utf8_blank(" x", 2), 1);
    assert_int_equal(hm_utf8_blank("\xc2\xa0", 2), 2);
    assert_int_equal(hm_utf8_blank("\xe3\x80\x80", 3), 3);
    assert_int_equal(hm_utf8_blank("\xe3\x80", 2), 0);      /* cut short */
    assert_int_equal(hm_utf8_blank("\n", 1), 0);
    assert_int_equal(hm_utf8_space("\n", 1), 1);
    assert_int_equal(hm_utf8_space_before("a\xe3\x80\x80", 4), 3);
    assert_int_equal(hm_utf8_space_before("a\xc2\xa0", 3), 2);
    assert_int_equal(hm_utf8_space_before("\x80", 1), 0);
    const char *s = "\xe3\x80\x80 a b\xc2\xa0\r\n";
    size_t n = strlen(s);
    const char *t = hm_utf8_trim(s, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(t, "a b", 3);

    assert_true(hm_kind_guidance("\xe3\x80\x80 说明：填写", strlen("\xe3\x80\x80 说明：填写")));
    assert_true(hm_kind_guidance("说明:x", strlen("说明:x")));
    assert_false(hm_kind_guidance("说明", strlen("说明")));
    assert_false(hm_kind_guidance("C001", 4));
    assert_true(hm_kind_aux_sheet(HM_INTAKE_ROSTER_SHEET));
    assert_true(hm_kind_aux_sheet(HM_INTAKE_LISTS_SHEET));
    assert_false(hm_kind_aux_sheet("儿童"));
    assert_false(hm_kind_aux_sheet(NULL));
}

/* ---- the row checks ---- */

/* Parse s as column name of kind k: true and v set, or false and reason. */
static bool parse(hm_kind_id k, int col, const char *s, hm_slot *v, char *reason, size_t rsz)
{
    hm_strbuf tmp = HM_STRBUF_INIT;
    int32_t today = hm_days_from_civil(2026, 12, 7);
    bool ok = hm_ingest_parse_field(&hm_kinds[k].columns[col], s, strlen(s), today, &tmp, v,
                                    reason, rsz);
    hm_strbuf_release(&tmp);
    return ok;
}

static void test_ingest_parse_field(void **state)
{
    (void)state;
    hm_slot v = { HM_SLOT_NULL, 0, HM_STRBUF_INIT };
    char reason[256];

    assert_true(parse(HM_KIND_DONATIONS, HM_COL_DONATIONS_AMOUNT, " 1,000.50 ", &v, reason,
                      sizeof reason));
    assert_int_equal(v.t, HM_SLOT_INT);
    assert_int_equal(v.i, 100050);
    assert_false(parse(HM_KIND_DONATIONS, HM_COL_DONATIONS_AMOUNT, "0", &v, reason,
                       sizeof reason));

    assert_true(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_BIRTH_DATE, "2013年2月8日", &v,
                      reason, sizeof reason));
    assert_int_equal(v.t, HM_SLOT_TEXT);
    assert_string_equal(v.s.buf, "2013-02-08");
    assert_false(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_REGISTERED_ON, "2027-01-01", &v,
                       reason, sizeof reason));
    assert_non_null(strstr(reason, "future"));

    /* A label stores its code; an empty optional field is NULL. */
    assert_true(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_GENDER, "女", &v, reason,
                      sizeof reason));
    assert_string_equal(v.s.buf, "F");
    assert_true(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_GENDER, "\xe3\x80\x80", &v, reason,
                      sizeof reason));
    assert_int_equal(v.t, HM_SLOT_NULL);
    assert_false(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_NAME, " ", &v, reason,
                       sizeof reason));
    assert_string_equal(reason, "required field is empty");

    /* Full-width digits in an ID become ASCII; 33 characters are too many. */
    assert_true(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_CHILD_ID, "Ｃ００１", &v, reason,
                      sizeof reason));
    assert_string_equal(v.s.buf, "C001");
    assert_false(parse(HM_KIND_CHILDREN, HM_COL_CHILDREN_CHILD_ID,
                       "123456789012345678901234567890123", &v, reason, sizeof reason));
    assert_non_null(strstr(reason, "too long: 33 characters"));

    assert_true(parse(HM_KIND_ACTIVITIES, HM_COL_ACTIVITIES_MINUTES, "90", &v, reason,
                      sizeof reason));
    assert_int_equal(v.i, 90);
    assert_false(parse(HM_KIND_ACTIVITIES, HM_COL_ACTIVITIES_MINUTES, "1441", &v, reason,
                       sizeof reason));
    hm_strbuf_release(&v.s);
}

static void test_ingest_header(void **state)
{
    (void)state;
    char h1[] = "儿童编号", h2[] = "name", h3[] = "出生日期", h4[] = "town_code";
    char h5[] = "notes", h6[] = "child_id";
    char *children[] = { h1, h2, h3, h4, h5 };
    char *dup[] = { h6, h1 };
    char *bare[] = { h6, h2 };
    int colmap[HM_MAX_COLUMNS];
    const char *d = NULL;
    const hm_kind *k = &hm_kinds[HM_KIND_CHILDREN];

    assert_int_equal(hm_ingest_map_header(k, children, 5, colmap, &d), 4);
    assert_int_equal(colmap[HM_COL_CHILDREN_CHILD_ID], 0);
    assert_int_equal(colmap[HM_COL_CHILDREN_BIRTH_DATE], 2);
    assert_int_equal(colmap[HM_COL_CHILDREN_ALIAS], -1);
    assert_null(hm_ingest_missing_required(k, colmap));
    assert_ptr_equal(hm_ingest_kind_from_header(children, 5), k);

    assert_int_equal(hm_ingest_map_header(k, dup, 2, colmap, &d), -1);
    assert_string_equal(d, "儿童编号");

    assert_int_equal(hm_ingest_map_header(k, bare, 2, colmap, &d), 2);
    const hm_column *miss = hm_ingest_missing_required(k, colmap);
    assert_non_null(miss);
    assert_string_equal(miss->name, "birth_date");
    assert_null(hm_ingest_kind_from_header(bare, 2));
}

/* ---- the rejects ---- */

/* The rejects file's cell for s. */
static void expect_cell(const char *s, const char *want)
{
    char buf[256] = { 0 };
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    assert_non_null(fp);
    hm_ingest_rejects_cell(fp, s, strlen(s));
    assert_int_equal(fclose(fp), 0);
    assert_string_equal(buf, want);
}

static void test_ingest_rejects_cells(void **state)
{
    (void)state;
    expect_cell("plain", "plain");
    expect_cell("\xe3\x80\x80 trimmed\xc2\xa0 ", "trimmed");
    expect_cell("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");   /* the formula guard */
    expect_cell("  -5", "\"'-5\"");
    expect_cell("+1", "\"'+1\"");
    expect_cell("@SUM(A1)", "\"'@SUM(A1)\"");
    expect_cell("a,b", "\"a,b\"");
    expect_cell("a\x01" "b", "a b");
    expect_cell("", "");
    char *name = hm_ingest_rejects_name(7, "/in/book.xlsx:儿童");
    assert_string_equal(name, "7-book.xlsx-儿童.rejects.csv");
    free(name);
    /* The guard is decided after control characters become spaces and the
     * cell is trimmed. */
    expect_cell("\x01=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    char nul[] = "\0=1+2";
    char buf[64] = { 0 };
    FILE *fp = fmemopen(buf, sizeof buf, "w");
    assert_non_null(fp);
    hm_ingest_rejects_cell(fp, nul, 5);
    assert_int_equal(fclose(fp), 0);
    assert_string_equal(buf, "\"'=1+2\"");
    /* A long cell keeps its first 1 KiB, then "…". */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char out[2048] = { 0 };
    fp = fmemopen(out, sizeof out, "w");
    assert_non_null(fp);
    assert_int_equal(hm_ingest_rejects_cell(fp, big, strlen(big)), HM_RAW_KEEP);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(strlen(out), HM_RAW_KEEP + 3);
    /* A name too long for a file system is cut with a digest. */
    hm_strbuf longname = HM_STRBUF_INIT;
    hm_strbuf_adds(&longname, "towns-");
    for (int i = 0; i < 80; i++)
        hm_strbuf_adds(&longname, "海");
    hm_strbuf_adds(&longname, ".csv");
    name = hm_ingest_rejects_name(12, longname.buf);
    assert_true(strlen(name) + strlen("..pending") < 255);
    assert_non_null(strstr(name, ".csv.rejects.csv"));
    assert_non_null(strchr(name, '~'));
    char *again = hm_ingest_rejects_name(12, longname.buf);
    assert_string_equal(name, again);   /* the same name every time */
    free(again);
    free(name);
    hm_strbuf_release(&longname);
}

/* The Chinese of an English reason. */
static void expect_zh(const char *en, const char *zh, bool known)
{
    hm_strbuf out = HM_STRBUF_INIT;
    hm_strbuf_grow(&out, 0);
    assert_int_equal(hm_reason_zh(en, &out), known);
    assert_string_equal(out.buf, zh);
    hm_strbuf_release(&out);
}

static void test_ingest_reasons_zh(void **state)
{
    (void)state;
    char r[512], inner[200];
    expect_zh("the row has 3 fields, the header has 4", "该行有 3 个字段，表头有 4 个", true);
    expect_zh("the row has 1 field, the header has 2", "该行有 1 个字段，表头有 2 个", true);
    expect_zh("required field is empty", "必填项为空", true);
    expect_zh("unknown town 'HM09'", "未知的乡镇“HM09”", true);
    expect_zh("not a date: '20260101' (write it with separators: 2026-01-01)",
              "不是日期：“20260101”（请加分隔符：2026-01-01）", true);
    expect_zh("header: control character U+0001 at character 3: 'a b'",
              "表头：第 3 个字符处有控制字符 U+0001：“a b”", true);
    expect_zh("activity outside a pairing: volunteer 'V1' and child 'C1' were not paired on "
              "2026-01-02", "结对之外的活动：志愿者“V1”与儿童“C1”在 2026-01-02 未结对", true);
    hm_reason_make(inner, sizeof inner, HM_R_REJECTS_STOPPED, 10002L, 10000);
    hm_reason_make(r, sizeof r, HM_R_TOO_MANY_REJECTS, inner, 1000);
    expect_zh(r, "被拒收的行太多（在第 10002 行停止：超过 10000 行被拒收）：全部未导入；"
              "请改正拒收文件中列出的前 1000 行后重新提交", true);
    expect_zh("'a.xlsx' is refused: it has more than 1024 sheets: split it into several "
              "workbooks", "工作簿“a.xlsx”被拒收：工作表超过 1024 个：请拆分为几个工作簿", true);
    expect_zh("something new", "something new", false);
    /* Every reason made from the catalogue reads back. */
    hm_reason_make(r, sizeof r, HM_R_UNKNOWN_COLUMN, "remark2");
    expect_zh(r, "未知列“remark2”已忽略", true);
    hm_reason_make(r, sizeof r, HM_R_HEADER_TOO_WIDE, (size_t)2000, 1024);
    expect_zh(r, "表头有 2000 列，最多读取 1024 列：请删去约定之外的列", true);
    assert_true(hm_reason_count() > HM_R_NKNOWN);
}

/* ---- the row source ---- */

/* Read every record of src into text: "LINE:f1|f2" per record. */
static char *dump_source(hm_row_source *src)
{
    hm_strbuf out = HM_STRBUF_INIT;
    hm_csv_record rec;
    const char *msg;
    hm_strbuf_init(&out);
    while (src->next(src->impl, &rec, &msg) == 1) {
        hm_strbuf_addf(&out, "%ld:", rec.line);
        for (size_t i = 0; i < rec.nfield; i++)
            hm_strbuf_addf(&out, "%s%s", i ? "|" : "", rec.field[i]);
        hm_strbuf_addc(&out, '\n');
    }
    return hm_strbuf_detach(&out);
}

static void test_ingest_row_source(void **state)
{
    (void)state;
    const char *csv = tu_path(g_dir, "rows.csv");
    const char *book = tu_path(g_dir, "rows.xlsx");
    write_text(csv, "town_code,town_name\r\nHM01,海门\r\n,,\r\nHM02,\"三厂, 街道\"\r\n");

    lxw_workbook *wb = workbook_new(book);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "区镇");
    worksheet_write_string(ws, 0, 0, "town_code", NULL);
    worksheet_write_string(ws, 0, 1, "town_name", NULL);
    worksheet_write_string(ws, 1, 0, "HM01", NULL);
    worksheet_write_string(ws, 1, 1, "海门", NULL);
    worksheet_write_string(ws, 3, 0, "HM02", NULL);
    worksheet_write_string(ws, 3, 1, "三厂, 街道", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

    /* The CSV file. */
    FILE *fp = fopen(csv, "rb");
    assert_non_null(fp);
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 0);
    assert_non_null(r);
    hm_row_source src = hm_csv_source(r, csv);
    assert_null(src.sheet);
    char *a = dump_source(&src);
    assert_string_equal(a, "1:town_code|town_name\n2:HM01|海门\n4:HM02|三厂, 街道\n");
    assert_true(src.offset(src.impl) > 0);
    hm_csv_record rec = { .line = 4 };
    hm_row_position pos = hm_row_source_position(&src, &rec, 1);
    char where[512], want[512];
    snprintf(want, sizeof want, "%s:4:2", csv);
    assert_string_equal(hm_row_position_format(&pos, where, sizeof where), want);
    src.close(src.impl);
    fclose(fp);

    /* The same rows from a sheet, without knowing which it is. */
    char err[512];
    hm_xlsx_book *b = hm_xlsx_open(book, err, sizeof err);
    assert_non_null(b);
    hm_xlsx_sheet *sh = hm_xlsx_sheet_open(b, 0, err, sizeof err);
    assert_non_null(sh);
    src = hm_xlsx_source(sh, book);
    assert_string_equal(src.sheet, "区镇");
    char *c = dump_source(&src);
    assert_string_equal(c, a);
    pos = hm_row_source_position(&src, &rec, -1);
    snprintf(want, sizeof want, "%s:区镇:4", book);
    assert_string_equal(hm_row_position_format(&pos, where, sizeof where), want);
    src.close(src.impl);
    hm_xlsx_close(b);
    free(a);
    free(c);
}

/* ---- the driver ---- */

typedef struct run {
    sqlite3 *db;
    hm_ingest_opts o;
    char rejects[512];
} run;

static void run_open(run *t, const char *name)
{
    char err[256];
    int from;
    memset(t, 0, sizeof *t);
    assert_int_equal(hm_db_open(tu_path(g_dir, name), true, &t->db, err, sizeof err), HM_OK);
    assert_int_equal(hm_db_migrate(t->db, ".", &from, err, sizeof err), HM_OK);
    snprintf(t->rejects, sizeof t->rejects, "%s/rejects-%s", g_dir, name);
    t->o.rejects_dir = t->rejects;
    t->o.today = hm_days_from_civil(2026, 12, 7);
}

static void run_close(run *t)
{
    sqlite3_close(t->db);
}

/* Ingest text as the file name; res holds the result (release it). */
static void ingest(run *t, const char *name, const char *text, hm_ingest_result *res)
{
    char err[256];
    const char *path = tu_path(g_dir, name);
    write_text(path, text);
    assert_int_equal(hm_ingest_file(t->db, path, &t->o, res, err, sizeof err), HM_OK);
}

static void null_cb(void *ctx, const char *name, const hm_ingest_result *res)
{
    (void)ctx, (void)name, (void)res;
}
#define NULL_CB null_cb

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long n = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_ingest_driver(void **state)
{
    (void)state;
    run t;
    hm_ingest_result res;
    run_open(&t, "driver.db");

    ingest(&t, "towns.csv", "town_code,town_name\nHM01,海门\nHM02,三厂\n", &res);
    assert_int_equal(res.status, HM_INGEST_LOADED);
    assert_ptr_equal(res.kind, &hm_kinds[HM_KIND_TOWNS]);
    assert_int_equal(res.rows_loaded, 2);
    hm_ingest_result_release(&res);

    /* A row with an unknown town is rejected, the others loaded. */
    const char *children =
        "child_id,name,birth_date,town_code,registered_on,exited_on,extra\n"
        "C001,张小雨,2014-03-05,HM01,2024-01-10,,x\n"
        "C002,王明,2012-07-09,HM09,2024-01-10,,\n"
        "C003,李鈺,2013-02-28,HM02,2024-02-01,2024-01-01,\n"
        "C004,赵二,2015-02-01,HM02,2024-02-01,,\n";
    ingest(&t, "children.csv", children, &res);
    assert_int_equal(res.status, HM_INGEST_LOADED);
    assert_int_equal(res.rows_read, 4);
    assert_int_equal(res.rows_loaded, 2);
    assert_int_equal(res.rows_rejected, 2);
    assert_int_equal(count(t.db, "SELECT count(*) FROM children"), 2);
    assert_int_equal(count(t.db, "SELECT count(*) FROM rejects WHERE reason ="
                                 " 'unknown town ''HM09''' AND \"column\" = 'town_code'"), 1);
    /* The order rule of the contract, naming its column. */
    assert_int_equal(count(t.db, "SELECT count(*) FROM rejects WHERE \"column\" = 'exited_on'"
                                 " AND reason LIKE 'exits (2024-01-01) before being registered%'"),
                     1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM warnings WHERE reason ="
                                 " 'unknown column ''extra'' ignored'"), 1);
    assert_non_null(res.rejects_path);
    size_t n;
    char *rej = tu_slurp(res.rejects_path, &n);
    assert_non_null(rej);
    assert_non_null(strstr(rej, "C002,王明,2012-07-09,HM09,2024-01-10,,,3,town_code,"
                                "unknown town 'HM09',未知的乡镇“HM09”\r\n"));
    free(rej);
    hm_ingest_result_release(&res);

    /* The same bytes again: skipped. */
    ingest(&t, "children.csv", children, &res);
    assert_int_equal(res.status, HM_INGEST_SKIPPED);
    assert_non_null(strstr(res.reason, "identical to a file loaded before"));
    hm_ingest_result_release(&res);

    /* A changed row is updated with audit; a file without a column keeps it. */
    ingest(&t, "children-2.csv",
           "child_id,name,birth_date,town_code\n"
           "C001,张小雨,2014-03-05,HM02\nC004,赵二,2015-02-01,HM02\n", &res);
    assert_int_equal(res.rows_updated, 1);
    assert_int_equal(res.rows_unchanged, 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM audit WHERE key = 'C001' AND"
                                 " old = '{\"town_code\":\"HM01\"}'"), 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM children WHERE child_id = 'C001'"
                                 " AND registered_on = '2024-01-10'"), 1);
    hm_ingest_result_release(&res);

    /* An activity outside a pairing is loaded with a warning. */
    ingest(&t, "volunteers.csv", "volunteer_id,name,town_code\nV001,江丽萍,HM01\n", &res);
    hm_ingest_result_release(&res);
    ingest(&t, "pairings.csv", "pairing_id,volunteer_id,child_id,started_on,ended_on\n"
           "P001,V001,C001,2024-02-01,2024-06-30\nP002,V001,C001,2024-06-01,\n", &res);
    assert_int_equal(res.rows_loaded, 1);
    assert_int_equal(res.rows_rejected, 1);   /* overlaps P001 */
    hm_ingest_result_release(&res);
    ingest(&t, "activities.csv", "activity_id,date,type,volunteer_id,child_id\n"
           "A001,2024-03-01,call,V001,C001\nA002,2024-08-01,call,V001,C001\n", &res);
    assert_int_equal(res.rows_loaded, 2);
    assert_int_equal(res.rows_warned, 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM warnings WHERE reason LIKE"
                                 " 'activity outside a pairing:%not paired on 2024-08-01'"), 1);
    hm_ingest_result_release(&res);

    /* A file with no header line at all is rejected whole. */
    ingest(&t, "wishes.csv", "", &res);
    assert_int_equal(res.status, HM_INGEST_REJECTED);
    assert_string_equal(res.reason, "no header (the file is empty)");
    hm_ingest_result_release(&res);
    run_close(&t);
}

/* Feedback at the door: its status (English or Chinese), the date of
 * resolution that goes with the status resolved and only with it, not
 * before the day raised, and its town; a changed row is an update. */
static void test_ingest_feedback(void **state)
{
    (void)state;
    run t;
    hm_ingest_result res;
    run_open(&t, "feedback.db");
    ingest(&t, "towns.csv", "town_code,town_name\nHM01,海门\n", &res);
    hm_ingest_result_release(&res);
    ingest(&t, "意见建议.csv",
           "意见编号,提出日期,区镇编码,类别,意见建议,办理状态,办结日期,办理情况\n"
           "F1,2026-06-25,HM01,交通不便,路远,已办结,2026-07-10,协调车辆\n"
           "F2,2026-06-25,HM01,study,辅导,In_Progress,,\n"
           "F3,2026-06-25,HM01,经费,不足,已完成,,\n"
           "F4,2026-06-25,HM01,经费,早于,resolved,2026-06-01,\n"
           "F5,2026-06-25,HM01,经费,无日期,resolved,,\n"
           "F6,2026-06-25,HM01,经费,有日期,待办,2026-07-01,\n"
           "F7,2026-06-25,HM09,经费,区镇,待办,,\n", &res);
    assert_ptr_equal(res.kind, &hm_kinds[HM_KIND_FEEDBACK]);
    assert_int_equal(res.rows_read, 7);
    assert_int_equal(res.rows_loaded, 2);
    assert_int_equal(res.rows_rejected, 5);
    assert_int_equal(count(t.db, "SELECT count(*) FROM feedback WHERE feedback_id = 'F2'"
                                 " AND status = 'in_progress' AND resolved_on IS NULL"), 1);
    static const char *const want[] = {
        "4|办理状态|unknown status: '已完成' (expected one of open/待办, in_progress/办理中, "
        "resolved/已办结)",
        "5|办结日期|resolved (2026-06-01) before it was raised (2026-06-25)",
        "6|办结日期|required when the status is resolved/已办结",
        "7|办结日期|must be empty while the status is open/待办 (it holds 2026-07-01): only a "
        "resolved matter has a date of resolution",
        "8|区镇编码|unknown town 'HM09'",
    };
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t.db, "SELECT line || '|' || \"column\" || '|' || reason"
                                              " FROM rejects ORDER BY line", -1, &st, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), want[i]);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    /* The reasons read back in Chinese. */
    expect_zh("required when the status is resolved/已办结",
              "办理状态为 resolved/已办结 时必填", true);
    expect_zh("resolved (2026-06-01) before it was raised (2026-06-25)",
              "办结日期（2026-06-01）早于提出日期（2026-06-25）", true);
    hm_ingest_result_release(&res);
    /* Resolved later: an update with its audit row. */
    ingest(&t, "feedback-2.csv", "feedback_id,raised_on,town_code,category,text,status,"
           "resolved_on,response\nF2,2026-06-25,HM01,study,辅导,resolved,2026-08-01,已安排\n",
           &res);
    assert_int_equal(res.rows_updated, 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM audit WHERE table_name = 'feedback'"
                                 " AND key = 'F2' AND json_extract(old, '$.status') = 'in_progress'"
                                 " AND json_extract(new, '$.resolved_on') = '2026-08-01'"), 1);
    hm_ingest_result_release(&res);
    run_close(&t);
}

/* A volunteer's birth date at the door: optional, from 1920 on, 16 or
 * older today (2026-12-07 here) and on joining; a child's birth date keeps
 * its own rule (from 1990), and the reasons name line and column and read
 * back in Chinese. */
static void test_ingest_volunteer_birth(void **state)
{
    (void)state;
    run t;
    hm_ingest_result res;
    run_open(&t, "birth.db");
    ingest(&t, "towns.csv", "town_code,town_name\nHM01,海门\n", &res);
    hm_ingest_result_release(&res);
    ingest(&t, "志愿者.csv",
           "志愿者编号,姓名,区镇编码,加入日期,出生日期\n"
           "V1,甲,HM01,2024-03-01,1975年6月1日\n"
           "V2,乙,HM01,2024-03-01,\n"
           "V3,丙,HM01,,1920-01-01\n"
           "V4,丁,HM01,2024-03-01,1919-12-31\n"
           "V5,戊,HM01,,2010-12-08\n"
           "V6,己,HM01,2024-03-01,2008-03-02\n"
           "V7,庚,HM01,2024-03-01,2008-03-01\n"
           "V8,辛,HM01,2024-03-01,1980-02-30\n"
           "V9,壬,HM01,,2010-12-07\n", &res);
    assert_int_equal(res.rows_read, 9);
    assert_int_equal(res.rows_loaded, 5);
    assert_int_equal(res.rows_rejected, 4);
    assert_int_equal(count(t.db, "SELECT count(*) FROM volunteers WHERE volunteer_id || '=' ||"
                                 " ifnull(birth_date, '-') IN ('V1=1975-06-01', 'V2=-',"
                                 " 'V3=1920-01-01', 'V7=2008-03-01', 'V9=2010-12-07')"), 5);
    static const char *const want[] = {
        "5|出生日期|date before 1920-01-01: '1919-12-31'",
        "6|出生日期|born 2010-12-08: under 16 today (2026-12-07); a volunteer is 16 or older",
        "7|出生日期|born 2008-03-02: under 16 on joining (2024-03-01); a volunteer is 16 or "
        "older",
        "9|出生日期|not a calendar date: '1980-02-30'",
    };
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t.db, "SELECT line || '|' || \"column\" || '|' || reason"
                                              " FROM rejects ORDER BY line", -1, &st, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), want[i]);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    expect_zh(want[1] + strlen("6|出生日期|"),
              "出生日期 2010-12-08：至今（2026-12-07）未满 16 周岁；志愿者须年满 16 周岁", true);
    expect_zh(want[2] + strlen("7|出生日期|"),
              "出生日期 2008-03-02：加入时（2024-03-01）未满 16 周岁；志愿者须年满 16 周岁", true);
    hm_ingest_result_release(&res);
    /* A child born before 1990 is still refused by the children's rule. */
    ingest(&t, "children.csv", "child_id,name,birth_date,town_code\n"
           "C1,小甲,1989-12-31,HM01\nC2,小乙,2015-05-05,HM01\n", &res);
    assert_int_equal(res.rows_loaded, 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM rejects WHERE line = 2 AND reason ="
                                 " 'date before 1990-01-01: ''1989-12-31'''"), 1);
    hm_ingest_result_release(&res);
    run_close(&t);
}

/* A record past the size cap keeps only the start of its raw text. */
static void test_ingest_rejects_raw_bounded(void **state)
{
    (void)state;
    run t;
    hm_ingest_result res;
    run_open(&t, "raw.db");
    hm_strbuf text = HM_STRBUF_INIT;
    hm_strbuf_adds(&text, "town_code,town_name\nHM01,\"");
    for (size_t i = 0; i < HM_CSV_MAX_RECORD / 64 + 1; i++)
        hm_strbuf_adds(&text, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde,");
    hm_strbuf_adds(&text, "\"\nHM02,三厂\n");
    ingest(&t, "towns.csv", text.buf, &res);
    hm_strbuf_release(&text);
    assert_int_equal(res.rows_loaded, 1);
    assert_int_equal(res.rows_rejected, 1);
    assert_int_equal(count(t.db, "SELECT count(*) FROM rejects WHERE length(raw) <= 1024"
                                 " AND reason = 'record longer than 8 MiB'"), 1);
    hm_ingest_result_release(&res);
    run_close(&t);
}

/* An ingest through a descriptor: read from its start whatever its offset,
 * named as given, the descriptor left open. */
static void test_ingest_fd(void **state)
{
    (void)state;
    run t;
    char err[256];
    run_open(&t, "fd.db");
    const char *path = tu_path(g_dir, "fd-input.csv");
    write_text(path, "town_code,town_name\nHM01,一厂\nHM02,二厂\n");
    int fd;
    assert_int_equal(hm_open_input(path, &fd, err, sizeof err), HM_OK);
    assert_int_equal(lseek(fd, 7, SEEK_SET), 7);
    assert_int_equal(hm_ingest_fd(t.db, fd, "/inbox/towns-from-fd.csv", &t.o, NULL_CB, NULL, err,
                                  sizeof err), HM_OK);
    assert_int_equal(count(t.db, "SELECT count(*) FROM towns"), 2);
    assert_int_equal(count(t.db, "SELECT count(*) FROM ingest_log WHERE file = "
                                 "'/inbox/towns-from-fd.csv' AND kind = 'towns'"), 1);
    assert_int_equal(fcntl(fd, F_GETFD) >= 0, 1);   /* still open */
    close(fd);
    /* A link is refused, never followed. */
    const char *link = tu_path(g_dir, "towns-link.csv");
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(hm_ingest_path(t.db, link, &t.o, NULL_CB, NULL, err, sizeof err), HM_OK);
    assert_int_equal(count(t.db, "SELECT count(*) FROM ingest_log WHERE status = 'rejected' AND "
                                 "reason LIKE 'a symbolic link%'"), 1);
    const char *nolink = tu_path(g_dir, "nokind.csv");
    write_text(nolink, "town_code,town_name\nHM01,x\n");
    const char *link2 = tu_path(g_dir, "nokind-link.csv");
    assert_int_equal(symlink(nolink, link2), 0);
    assert_non_null(hm_ingest_sniff_kind(nolink));
    assert_null(hm_ingest_sniff_kind(link2));   /* its header is not read through a link */
    run_close(&t);
}

/* More than half of a unit's rows rejected (and more than 1,000): the unit
 * is given up whole, its first 1,000 rejects kept in the rejects file. */
static void test_ingest_reject_budget(void **state)
{
    (void)state;
    run t;
    hm_ingest_result res;
    run_open(&t, "budget.db");
    hm_strbuf text = HM_STRBUF_INIT;
    hm_strbuf_adds(&text, "town_code,town_name,,,\n");
    for (int i = 0; i < 1600; i++)
        hm_strbuf_addf(&text, "T%04d,town,%s\n", i, i % 3 ? "extra" : "");
    ingest(&t, "towns.csv", text.buf, &res);
    hm_strbuf_release(&text);
    assert_int_equal(res.status, HM_INGEST_REJECTED);
    assert_non_null(strstr(res.reason, "too many rejected rows (1066 of its 1600 rows"));
    assert_int_equal(count(t.db, "SELECT count(*) FROM towns"), 0);
    assert_int_equal(count(t.db, "SELECT count(*) FROM rejects"), 0);
    assert_non_null(res.rejects_path);
    char *kept = hm_read_file(res.rejects_path, NULL);
    assert_non_null(kept);
    size_t lines = 0;
    for (const char *c = kept; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1001);
    free(kept);
    hm_ingest_result_release(&res);
    run_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_kind_column_enums),
        cmocka_unit_test(test_ingest_kind_rules),
        cmocka_unit_test(test_ingest_blank_rule),
        cmocka_unit_test(test_ingest_parse_field),
        cmocka_unit_test(test_ingest_header),
        cmocka_unit_test(test_ingest_rejects_cells),
        cmocka_unit_test(test_ingest_row_source),
        cmocka_unit_test(test_ingest_driver),
        cmocka_unit_test(test_ingest_feedback),
        cmocka_unit_test(test_ingest_volunteer_birth),
        cmocka_unit_test(test_ingest_rejects_raw_bounded),
        cmocka_unit_test(test_ingest_reasons_zh),
        cmocka_unit_test(test_ingest_fd),
        cmocka_unit_test(test_ingest_reject_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
