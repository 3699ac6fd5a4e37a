/*
 * test_redact.c - free text cleaned for the public audience, and the
 * children's public aliases.
 *
 * Every test builds an in-memory store from queries/schema.sql with the
 * children and volunteers below, loads the dictionary and cleans short
 * texts whose expected form is written out in full.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "himama/redact.h"

#include "test_util.h"

/*
 * 悦来镇 (T1): 张小雨 and 李明 share the alias 小琪 (小琪①, 小琪②).
 * 东城镇 (T2): 王芳 is its only 小琪 (no suffix); 赵强 has no alias.
 * 小明 (2 characters) and 王小明 (3) test a name inside a longer name;
 * 刘洋 is the name of two children with different aliases.
 */
static const char ROWS[] =
    "INSERT INTO towns (town_code, town_name) VALUES ('T1', '悦来镇'), ('T2', '东城镇');"
    "INSERT INTO children (child_id, name, alias, birth_date, town_code, guardian,"
    " guardian_phone, school, class_teacher) VALUES"
    " ('C02', '李　明', '小琪', '2014-03-01', 'T1', '王桂英（奶奶）', '0513-81234567',"
    "  '悦来中学（南校区）', '欧阳春花'),"
    " ('C01', '张小雨', '小琪', '2015-11-05', 'T1', '张大山', '139 0000 0001', '悦来小学',"
    "  '陈老师'),"
    " ('C03', '王芳', '小琪', '2016-11-20', 'T2', '奶奶', NULL, '不详', NULL),"
    " ('C04', '赵强', '  ', '2013-05-09', 'T2', '赵大江、钱小红', NULL, NULL, '无'),"
    " ('C05', '欧阳娜娜', '娜娜', '2012-11-02', 'T2', NULL, NULL, NULL, NULL),"
    " ('C06', '小明', '明明', '2017-07-07', 'T2', NULL, NULL, NULL, NULL),"
    " ('C07', '王小明', '阿明', '2013-11-11', 'T2', NULL, NULL, NULL, NULL),"
    " ('C08', '周游', '游游', '2013-11-11', 'T2', NULL, NULL, NULL, NULL),"
    " ('C09', 'Tom Li', '汤姆', '2013-11-11', 'T1', 'Mary Li', NULL, NULL, NULL),"
    " ('C10', '刘洋', '洋洋', '2013-11-11', 'T1', NULL, NULL, NULL, NULL),"
    " ('C11', '刘洋', '小洋', '2013-11-11', 'T2', NULL, NULL, NULL, NULL),"
    " ('C12', '明', '小明明', '2013-11-11', 'T2', NULL, NULL, NULL, NULL),"
    " ('C13', '陈小宝', '小花', '2013-11-11', 'T1', '悦来', NULL, NULL, NULL),"
    " ('C14', '李小花', '花花', '2013-11-11', 'T1', NULL, NULL, NULL, NULL);"
    "INSERT INTO volunteers (volunteer_id, name, phone, town_code) VALUES"
    " ('V1', '孙爱心', '138-0000-0002', 'T1'), ('V2', '钱妈妈', '81230000', 'T2'),"
    " ('V3', '李阿姨', NULL, 'T1'), ('V4', '张大山', NULL, 'T1'),"
    " ('V5', '王芳芳', NULL, 'T2');";

/* A new in-memory store: the schema and the rows given. */
static sqlite3 *store(const char *rows)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    tu_exec_file(db, "queries/schema.sql");
    char *msg = NULL;
    if (sqlite3_exec(db, rows, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    return db;
}

typedef struct fixture {
    sqlite3 *db;
    hm_redact *r;
} fixture;

static int setup(void **state)
{
    fixture *f = hm_xcalloc(1, sizeof *f);
    f->db = store(ROWS);
    char err[256] = "";
    if (hm_redact_load(f->db, &f->r, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hm_redact_free(f->r);
    sqlite3_close(f->db);
    free(f);
    return 0;
}

/* in cleaned by r (caller frees). */
static char *clean(const hm_redact *r, const char *in)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_redact_text(r, in, &sb);
    return hm_strbuf_detach(&sb);
}

/* Assert that in cleans to want (the result freed before a failure is reported). */
#define expect_clean(r, in, want)                                                          \
    do {                                                                                   \
        char *got_ = clean((r), (in));                                                     \
        char msg_[1024];                                                                   \
        bool ok_ = strcmp(got_, (want)) == 0;                                              \
        snprintf(msg_, sizeof msg_, "clean(\"%s\")\n  got  \"%s\"\n  want \"%s\"", (in), \
                 got_, (want));                                                            \
        free(got_);                                                                        \
        if (!ok_)                                                                          \
            fail_msg("%s", msg_);                                                          \
    } while (0)

/* Whether s (n bytes) is valid UTF-8. */
static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t m = hm_utf8_decode(s + i, n - i, &c);
        if (!m)
            return false;
        i += m;
    }
    return true;
}

static void test_redact_alias_suffixes(void **state)
{
    fixture *f = *state;
    assert_string_equal(hm_redact_alias(f->r, "C01"), "小琪①");
    assert_string_equal(hm_redact_alias(f->r, "C02"), "小琪②");
    assert_string_equal(hm_redact_alias(f->r, "C03"), "小琪");   /* alone in its town */
    assert_string_equal(hm_redact_alias(f->r, "C04"), "C04");    /* blank alias: child_id */
    assert_string_equal(hm_redact_alias(f->r, "C05"), "娜娜");
    assert_null(hm_redact_alias(f->r, "C99"));
    /* The query a report can use gives the same. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT child_id, public_alias FROM ("
                                        HM_REDACT_ALIAS_SQL ")", -1, &st, NULL), SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_string_equal((const char *)sqlite3_column_text(st, 1),
                            hm_redact_alias(f->r, (const char *)sqlite3_column_text(st, 0)));
        n++;
    }
    assert_int_equal(n, 14);
    sqlite3_finalize(st);
}

static void test_redact_alias_many(void **state)
{
    (void)state;
    hm_strbuf sql = HM_STRBUF_INIT;
    hm_strbuf_init(&sql);
    hm_strbuf_adds(&sql, "INSERT INTO towns (town_code) VALUES ('T1');");
    /* Inserted in reverse: the numbers follow child_id, not the rows' order. */
    for (int i = 22; i >= 1; i--)
        hm_strbuf_addf(&sql, "INSERT INTO children (child_id, name, alias, birth_date,"
                       " town_code) VALUES ('K%02d', '孩子%02d', '小琪', '2015-01-01', 'T1');",
                       i, i);
    sqlite3 *db = store(sql.buf);
    hm_strbuf_release(&sql);
    hm_redact *r = NULL;
    char err[256];
    assert_int_equal(hm_redact_load(db, &r, err, sizeof err), HM_OK);
    assert_string_equal(hm_redact_alias(r, "K01"), "小琪①");
    assert_string_equal(hm_redact_alias(r, "K10"), "小琪⑩");
    assert_string_equal(hm_redact_alias(r, "K20"), "小琪⑳");
    assert_string_equal(hm_redact_alias(r, "K21"), "小琪（21）");
    assert_string_equal(hm_redact_alias(r, "K22"), "小琪（22）");
    hm_redact_free(r);
    sqlite3_close(db);
}

static void test_redact_child_name(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "张小雨", "小琪①");
    expect_clean(r, "张小雨今天很开心。", "小琪①今天很开心。");
    expect_clean(r, "今天陪张小雨", "今天陪小琪①");
    expect_clean(r, "（张小雨）、“张小雨”,张小雨!", "（小琪①）、“小琪①”,小琪①!");
    expect_clean(r, "(张小雨)\"张小雨\"", "(小琪①)\"小琪①\"");
    expect_clean(r, "abc张小雨123", "abc小琪①123");
    expect_clean(r, "和王芳一起", "和小琪一起");
    expect_clean(r, "赵强的心愿", "C04的心愿");
    /* The given name of a three-character name; a compound surname. */
    expect_clean(r, "小雨说谢谢", "小琪①说谢谢");
    expect_clean(r, "欧阳娜娜和娜娜", "娜娜和娜娜");
    /* Spaces and zero-width characters inside a name; 李　明 as stored. */
    expect_clean(r, "李明、李 明、李　明、李\xe2\x80\x8b明", "小琪②、小琪②、小琪②、小琪②");
    expect_clean(r, "张 小 雨", "小琪①");
    /* Three spaces are not inside a name. */
    expect_clean(r, "李   明", "李   明");
}

static void test_redact_longer_name(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    /* 小明 is a child; so is 王小明, whose given name is also 小明. */
    expect_clean(r, "王小明", "阿明");
    expect_clean(r, "小明", "明明");
    expect_clean(r, "王小明和小明", "阿明和明明");
    expect_clean(r, "小明和王小明", "明明和阿明");
    /* One character is never a key (明 is C12's whole name). */
    expect_clean(r, "明天见", "明天见");
}

static void test_redact_overlapping(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    /* Two keys back to back. */
    expect_clean(r, "张小雨悦来小学", "小琪①某学校");
    /* 王芳 and 王小明 share a first character; the one that matches wins. */
    expect_clean(r, "王小明王芳", "阿明小琪");
    /* 小明明 is an alias (kept) that starts with the name 小明. */
    expect_clean(r, "小明明", "小明明");
    expect_clean(r, "小明呢", "明明呢");
}

static void test_redact_adults(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "监护人张大山表示感谢", "监护人张某表示感谢");
    expect_clean(r, "王桂英：“谢谢”", "王某：“谢谢”");
    expect_clean(r, "奶奶说", "奶奶说");                  /* a kinship word, not a name */
    expect_clean(r, "班主任欧阳春花说", "班主任欧阳某说");  /* compound surname kept */
    expect_clean(r, "陈老师家访", "陈某家访");
    expect_clean(r, "赵大江和钱小红", "赵某和钱某");        /* two names in one field */
    expect_clean(r, "Mary Li visited", "某某 visited");    /* no surname we can tell */
    expect_clean(r, "无", "无");                           /* a placeholder */
}

static void test_redact_schools(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "在悦来小学读三年级", "在某学校读三年级");
    expect_clean(r, "悦来中学（南校区）", "某学校");
    expect_clean(r, "悦来中学的老师", "某学校的老师");
    expect_clean(r, "情况不详", "情况不详");   /* 不详 as a school is no school */
}

static void test_redact_latin(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "Tom Li came.", "汤姆 came.");
    expect_clean(r, "TOM LI, tomli", "汤姆, 汤姆");
    expect_clean(r, "Tom Lily", "Tom Lily");
    expect_clean(r, "xTom Li", "xTom Li");
}

/* The author's own name in their own story stays; the guardian of the same
 * name elsewhere, and every other name, are still cleaned. */
static void test_redact_author_kept(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_redact_text_keep(r, "张大山陪张小雨读书，张大山很高兴", "张大山", &sb);
    assert_string_equal(sb.buf, "张大山陪小琪①读书，张大山很高兴");
    hm_strbuf_reset(&sb);
    hm_redact_text_keep(r, "张大山陪张小雨读书", "孙爱心", &sb);
    assert_string_equal(sb.buf, "张某陪小琪①读书");
    hm_strbuf_reset(&sb);
    hm_redact_text_keep(r, "张大山", NULL, &sb);
    assert_string_equal(sb.buf, "张某");
    hm_strbuf_release(&sb);
}

static void test_redact_known_kept(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    /* A volunteer's name holding a child's name stays whole. */
    expect_clean(r, "王芳芳老师和王芳", "王芳芳老师和小琪");
    /* A volunteer who has a guardian's exact name is masked like the guardian. */
    expect_clean(r, "张大山", "张某");
    /* A town's name holding a guardian's name (悦来) stays whole. */
    expect_clean(r, "悦来镇的悦来", "悦来镇的悦某");
    /* 小花 is C13's alias and the given name of 李小花: the alias stays. */
    expect_clean(r, "小花和李小花", "小花和花花");
    expect_clean(r, "小琪①和小琪", "小琪①和小琪");
}

static void test_redact_conflict_and_common_word(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    /* Two children named 刘洋 with different aliases: neither alias. */
    expect_clean(r, "刘洋来了", "某某来了");
    /* A name that is also a word is replaced all the same. */
    expect_clean(r, "周游世界", "游游世界");
}

static void test_redact_phones(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "13812345678", "***");
    expect_clean(r, "电话13812345678。", "电话***。");
    expect_clean(r, "电话:138 1234 5678,", "电话:***,");
    expect_clean(r, "138-1234-5678", "***");
    expect_clean(r, "１３８１２３４５６７８", "***");
    expect_clean(r, "１３８－１２３４－５６７８号", "***号");
    expect_clean(r, "+86 138 1234 5678", "+86 ***");
    expect_clean(r, "座机0513-81234567或010 12345678", "座机***或***");
    expect_clean(r, "（0513）81234567", "***");
    expect_clean(r, "(0513) 8123 4567", "***");
    /* Known numbers of the store, also without the area code. */
    expect_clean(r, "13900000001", "***");
    expect_clean(r, "拨81234567", "拨***");
    expect_clean(r, "拨8123 0000", "拨***");
    expect_clean(r, "138 0000 0002", "***");
    /* A phone number and a year. */
    expect_clean(r, "13812345678 2026年", "*** 2026年");
    expect_clean(r, "138 1234 5678 2026年", "*** 2026年");
}

static void test_redact_numbers_kept(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    static const char *const keep[] = {
        "共500元", "2026-10-15", "2026年10月15日", "12345678", "1,380,000.00元",
        "1381234567890",      /* a phone number inside a longer run */
        "12812345678",        /* 12 is no mobile prefix */
        "第1 3 5 7 9 11 13 15 17次", "20261015", "138", "0.5",
        "2013-05-09 2015-06-01",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        expect_clean(r, keep[i], keep[i]);
}

static void test_redact_identity_numbers(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "身份证320621201501011234。", "身份证***。");
    expect_clean(r, "32062120150101123X号", "***号");
    expect_clean(r, "32062120150101123x", "***");
    expect_clean(r, "３２０６２１２０１５０１０１１２３Ｘ", "***");
    expect_clean(r, "320621150101123", "***");            /* 15 digits */
    expect_clean(r, "320621 20150101 1234", "***");
    expect_clean(r, "卡号6222 0212 3456 7890 123", "卡号***");
    expect_clean(r, "12345678901234567890123", "***");    /* any long unbroken run */
}

static void test_redact_unchanged(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    static const char *const texts[] = {
        "",
        "今天天气很好，我们一起去了图书馆。",
        "Plain ASCII text, with punctuation; and   spaces.\n\tTabs too.",
        "混合 text，全角！？【】《》「」…… \xf0\x9f\x98\x80 emoji and \xf0\xa0\x80\x80",
        "雨 小 and 李   明 are not names here: 雨小",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *got = clean(r, texts[i]);
        assert_int_equal(strlen(got), strlen(texts[i]));
        assert_memory_equal(got, texts[i], strlen(texts[i]));
        free(got);
    }
}

static void test_redact_invalid_utf8(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    expect_clean(r, "张小雨\xff\xfe好", "小琪①\xef\xbf\xbd\xef\xbf\xbd好");
    expect_clean(r, "\xe5\xbc", "\xef\xbf\xbd\xef\xbf\xbd");             /* cut short */
    expect_clean(r, "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");             /* overlong */
    expect_clean(r, "138\xff" "12345678", "138\xef\xbf\xbd" "12345678");
    /* Random bytes always give valid UTF-8. */
    srand(17);
    char buf[257];
    for (int t = 0; t < 3000; t++) {
        size_t n = (size_t)(rand() % 256);
        for (size_t i = 0; i < n; i++) {
            static const char pool[] = "张小雨李明1389 -（）X\xe3\x80\x80";
            buf[i] = rand() % 3 ? pool[rand() % (int)(sizeof pool - 1)] : (char)(rand() % 255 + 1);
        }
        buf[n] = '\0';
        char *got = clean(r, buf);
        assert_true(valid_utf8(got, strlen(got)));
        free(got);
    }
}

static void test_redact_empty_store(void **state)
{
    (void)state;
    sqlite3 *db = store("");
    hm_redact *r = NULL;
    char err[256];
    assert_int_equal(hm_redact_load(db, &r, err, sizeof err), HM_OK);
    assert_int_equal(hm_redact_size(r), 0);
    expect_clean(r, "张小雨 13812345678 悦来小学", "张小雨 *** 悦来小学");
    hm_redact_free(r);
    sqlite3_close(db);
}

/*
 * A known phone number is kept only when a lookup may ask for it: one of
 * a mobile number's or a landline's form is masked by its form anyway, so
 * a national store's millions of mobile numbers cost no memory.  Masked
 * all the same, known or not.
 */
static void test_redact_phones_kept_by_need(void **state)
{
    (void)state;
    sqlite3 *db = store(
        "INSERT INTO towns (town_code, town_name) VALUES ('T1', '悦来镇');"
        "INSERT INTO volunteers (volunteer_id, name, phone, town_code) VALUES"
        " ('V1', '孙爱心', '138 0000 0002', 'T1'), ('V2', '钱妈妈', '0513-81234567', 'T1'),"
        " ('V3', '李阿姨', '81230000', 'T1');");
    hm_redact *r = NULL;
    char err[256];
    assert_int_equal(hm_redact_load(db, &r, err, sizeof err), HM_OK);
    /* Four names (the town and three volunteers) and two numbers of no
     * phone's form: 81234567 and 81230000. */
    assert_int_equal(hm_redact_size(r), 6);
    expect_clean(r, "13800000002", "***");
    expect_clean(r, "138 0000 0002", "***");
    expect_clean(r, "0513 81234567", "***");
    expect_clean(r, "拨81234567", "拨***");
    expect_clean(r, "拨8123-0000", "拨***");
    expect_clean(r, "拨12345678", "拨12345678");
    hm_redact_free(r);
    sqlite3_close(db);
}

static void test_redact_load_error(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    hm_redact *r = (hm_redact *)db;   /* must be set to NULL */
    char err[256] = "";
    assert_int_equal(hm_redact_load(db, &r, err, sizeof err), HM_EDB);
    assert_null(r);
    assert_non_null(strstr(err, "children"));
    sqlite3_close(db);
}

static void test_redact_sql_functions(void **state)
{
    fixture *f = *state;
    char err[256];
    assert_int_equal(hm_redact_register(f->db, f->r, err, sizeof err), HM_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT redact('张小雨在悦来小学，电话13900000001'),"
                                        " redact(NULL), redact(42), public_alias('C02'),"
                                        " public_alias('C99'), public_alias(NULL),"
                                        " (SELECT group_concat(public_alias(child_id), ',')"
                                        "  FROM (SELECT child_id FROM children"
                                        "        WHERE town_code = 'T1' AND alias = '小琪'"
                                        "        ORDER BY child_id))",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "小琪①在某学校，电话***");
    assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
    assert_int_equal(sqlite3_column_type(st, 2), SQLITE_INTEGER);
    assert_int_equal(sqlite3_column_int(st, 2), 42);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "小琪②");
    assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
    assert_int_equal(sqlite3_column_type(st, 5), SQLITE_NULL);
    assert_string_equal((const char *)sqlite3_column_text(st, 6), "小琪①,小琪②");
    sqlite3_finalize(st);
    /* Not usable from the schema: the dictionary belongs to this run. */
    assert_int_not_equal(sqlite3_exec(f->db, "CREATE VIEW v AS SELECT redact(name) FROM children;"
                                      "SELECT * FROM v", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * A lazy dictionary (hm_redact_lazy) loads nothing until a function needs
 * it, then answers as the eager one, from main's tables even while a
 * temporary view of the same name (a unit's scope) stands in front of
 * them; redact() of an aliases-only one loads nothing at all.
 */
static void test_redact_lazy(void **state)
{
    fixture *f = *state;
    char err[256];
    hm_redact *lazy = hm_redact_lazy(false), *aliases = hm_redact_lazy(true);
    sqlite3 *twin = NULL;
    assert_int_equal(sqlite3_open(":memory:", &twin), SQLITE_OK);
    assert_int_equal(hm_redact_register(f->db, lazy, err, sizeof err), HM_OK);
    assert_int_equal(hm_redact_register(twin, aliases, err, sizeof err), HM_OK);
    /* No call, or a call with nothing to clean: nothing read. */
    assert_int_equal(sqlite3_exec(f->db, "SELECT redact(NULL), public_alias(NULL)", NULL, NULL,
                                  NULL), SQLITE_OK);
    assert_int_equal(hm_redact_size(lazy), 0);
    assert_null(hm_redact_alias(lazy, "C02"));
    /* An aliases-only one cleans numbers without loading (this connection
     * has no store: loading would fail). */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(twin, "SELECT redact('电话13900000001')", -1, &st,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "电话***");
    sqlite3_finalize(st);
    /* A unit's view hides every child: the dictionary is still the store's. */
    assert_int_equal(sqlite3_exec(f->db, "CREATE TEMP VIEW children AS SELECT * FROM"
                                  " main.children WHERE 0", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT redact('张小雨在悦来小学'),"
                                        " public_alias('C02')", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "小琪①在某学校");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "小琪②");
    sqlite3_finalize(st);
    assert_int_equal(hm_redact_size(lazy), hm_redact_size(f->r));
    assert_string_equal(hm_redact_alias(lazy, "C01"), hm_redact_alias(f->r, "C01"));
    /* public_alias() on a connection with no store: the error is the query's. */
    assert_int_not_equal(sqlite3_exec(twin, "SELECT public_alias('C02')", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(twin), "names to clean"));
    sqlite3_close(twin);
    hm_redact_free(aliases);
    assert_int_equal(sqlite3_exec(f->db, "DROP VIEW temp.children", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(hm_redact_register(f->db, f->r, err, sizeof err), HM_OK);
    hm_redact_free(lazy);
}

/* Seconds allowed for a megabyte: generous, and more under valgrind. */
static double time_limit(void)
{
    return getenv("HIMAMA_VALGRIND") ? 300.0 : 10.0;
}

static void test_redact_long_text(void **state)
{
    const hm_redact *r = ((fixture *)*state)->r;
    static const char unit[] = "张小雨和王小明在悦来小学，电话138 1234 5678，今天很开心。";
    static const char want[] = "小琪①和阿明在某学校，电话***，今天很开心。";
    size_t reps = (1 << 20) / (sizeof unit - 1) + 1;
    hm_strbuf in = HM_STRBUF_INIT, expect = HM_STRBUF_INIT;
    hm_strbuf_init(&in);
    hm_strbuf_init(&expect);
    for (size_t i = 0; i < reps; i++) {
        hm_strbuf_adds(&in, unit);
        hm_strbuf_adds(&expect, want);
    }
    double t0 = hm_clock();
    char *got = clean(r, in.buf);
    double secs = hm_clock() - t0;
    assert_true(strcmp(got, expect.buf) == 0);
    free(got);
    /* Worst cases for the walks: every position starts a key's first
     * character; one run of a million digit groups; a megabyte of spaces
     * between two characters of a name. */
    static const char *const fill[] = { "张", "1 ", "王小", " " };
    for (size_t k = 0; k < sizeof fill / sizeof fill[0]; k++) {
        hm_strbuf_reset(&in);
        while (in.len < (1 << 20))
            hm_strbuf_adds(&in, fill[k]);
        t0 = hm_clock();
        got = clean(r, in.buf);
        secs += hm_clock() - t0;
        assert_int_equal(strlen(got), in.len);
        free(got);
    }
    if (secs > time_limit())
        fail_msg("cleaning 5 MB took %.2f s", secs);
    hm_strbuf_release(&in);
    hm_strbuf_release(&expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_redact_alias_suffixes, setup, teardown),
        cmocka_unit_test(test_redact_alias_many),
        cmocka_unit_test_setup_teardown(test_redact_child_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_longer_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_overlapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_adults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_schools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_latin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_known_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_author_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_conflict_and_common_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_phones, setup, teardown),
        cmocka_unit_test(test_redact_phones_kept_by_need),
        cmocka_unit_test_setup_teardown(test_redact_numbers_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_identity_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_invalid_utf8, setup, teardown),
        cmocka_unit_test(test_redact_empty_store),
        cmocka_unit_test(test_redact_load_error),
        cmocka_unit_test_setup_teardown(test_redact_sql_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_lazy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_long_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
