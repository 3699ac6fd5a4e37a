/*
 * test_pdf.c - the drawing layer: the embedded font subset is complete
 * (every composite glyph with all its components), text is measured and
 * wrapped by code point, characters the font cannot show are counted,
 * the font's ToUnicode map is a real one (poppler and MuPDF read it
 * without a warning and give back the text drawn), the font program
 * embedded is a true subset, and the same input gives the same bytes,
 * also from two threads drawing at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "himama/pdf.h"
#include "himama/util.h"
#include "tools/pdf_font_check.h"

/* Characters known to be composite in the default font, then common ones. */
static const char COMPOSITES[] = "海结妈爱童门镇心";
static const char COMMON[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    "爱心妈妈结对关爱留守困境儿童亲情连线陪你阅读假日亲子活动过生日微愿妇联执委机党员干部在职老师社会工作者心理咨询女企业家其他储备库送温暖知识研学疏导捐赠支出培训签到事迹镇";

/* Remove the file and the directory made by temp_dir. */
static void temp_remove(char *dir, char *file)
{
    if (file) {
        unlink(file);
        free(file);
    }
    rmdir(dir);
    free(dir);
}

/* Draw COMPOSITES and COMMON wrapped over one page and save to path. */
static void render_sample(const char *path, bool glyph_fix)
{
    hm_pdf *p = NULL;
    char err[256];
    hm_pdf_opts o = { .created = 1790000000, .title = "爱心妈妈测试",
                      .author = "海门区妇联", .no_glyph_fix = !glyph_fix };
    hm_pdf_lines lines = {0};

    assert_int_equal(hm_pdf_open(&p, &o, err, sizeof err), HM_OK);
    assert_int_equal(hm_pdf_add_page(p), HM_OK);
    assert_int_equal(hm_pdf_text(p, 50, 790, 24, 0x1F3A5F, COMPOSITES), HM_OK);
    assert_int_equal(hm_pdf_wrap(p, COMMON, 12, 495, &lines), HM_OK);
    for (size_t i = 0; i < lines.n; i++)
        assert_int_equal(hm_pdf_text(p, 50, 750 - 16.0 * (double)i, 12, 0x333333,
                                     lines.line[i]), HM_OK);
    hm_pdf_lines_release(&lines);
    assert_int_equal(hm_pdf_outline(p, "海门爱心妈妈", 0, 800), HM_OK);
    assert_int_equal(hm_pdf_save(p, path), HM_OK);
    assert_int_equal(hm_pdf_placeholders(p), 0);
    hm_pdf_free(p);
}

static void test_pdf_composite_glyphs_complete(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "glyphs.pdf");
    pfc_result r;

    render_sample(path, true);
    assert_true(pfc_check_pdf(path, HM_PDF_DEFAULT_FONT, 0, &r));
    if (r.problems)
        fail_msg("%zu glyph problems, first: %s", r.problems, r.first_problem);
    /* The text really exercises the bug: composites with high components. */
    assert_true(r.glyphs_used >= 400);
    assert_true(r.composites >= 100);
    assert_true(r.high_components >= 20);
    temp_remove(dir, path);
}

/* The embedded font program of path (caller frees), and its length. */
static unsigned char *font_program_of(const char *path, size_t *len)
{
    size_t n = 0, pos = 0;
    unsigned num;
    unsigned char *pdf = pfc_slurp(path, &n);
    assert_non_null(pdf);
    assert_true(pfc_ref(pdf, n, "/FontFile2 ", &pos, &num));
    unsigned char *prog = pfc_object_stream(pdf, n, num, len);
    assert_non_null(prog);
    free(pdf);
    return prog;
}

/* Sum of the big-endian words of b (len bytes, zero-padded). */
static uint32_t sfnt_sum(const unsigned char *b, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4) {
        unsigned char w[4] = {0};
        memcpy(w, b + i, len - i < 4 ? len - i : 4);
        sum += pfc_be32(w);
    }
    return sum;
}

/*
 * The font program is a subset: no glyph names (post version 3), the
 * metrics of glyphs not drawn zeroed, every table's checksum and the
 * font's checkSumAdjustment right; and the CIDToGIDMap maps only the codes
 * drawn.  (libharu's own program held the whole hmtx and post: 0.95 MB.)
 */
static void test_pdf_font_program_is_a_subset(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "subset.pdf");
    size_t len = 0, pos = 0, map_len = 0, n = 0;
    unsigned num;

    render_sample(path, true);
    unsigned char *f = font_program_of(path, &len);
    assert_true(len > 12 && len < 600000);
    assert_int_equal(sfnt_sum(f, len), 0xB1B0AFBAu);
    size_t ntables = pfc_be16(f + 4);
    bool post = false, hmtx = false;
    for (size_t t = 0; t < ntables; t++) {
        const unsigned char *rec = f + 12 + 16 * t;
        uint32_t off = pfc_be32(rec + 8), tlen = pfc_be32(rec + 12);
        assert_true(off <= len && tlen <= len - off);
        if (memcmp(rec, "head", 4) != 0)
            assert_int_equal(pfc_be32(rec + 4), sfnt_sum(f + off, tlen));
        if (memcmp(rec, "post", 4) == 0) {
            assert_int_equal(tlen, 32);
            assert_int_equal(pfc_be32(f + off), 0x00030000u);
            post = true;
        } else if (memcmp(rec, "hmtx", 4) == 0) {
            size_t nonzero = 0;
            for (uint32_t i = 0; i + 4 <= tlen; i += 4)
                nonzero += pfc_be32(f + off + i) != 0;
            assert_true(nonzero > 100 && nonzero < 2000);    /* of about 49,000 */
            hmtx = true;
        }
    }
    assert_true(post && hmtx);
    free(f);

    unsigned char *pdf = pfc_slurp(path, &n);
    assert_non_null(pdf);
    assert_true(pfc_ref(pdf, n, "/CIDToGIDMap ", &pos, &num));
    unsigned char *map = pfc_object_stream(pdf, n, num, &map_len);
    assert_non_null(map);
    assert_true(map_len > 2 * 0x6D77);
    assert_int_not_equal(pfc_be16(map + 2 * 0x6D77), 0);   /* 海: drawn */
    assert_int_equal(pfc_be16(map + 2 * 'Q'), 0);          /* not drawn */
    assert_int_equal(pfc_be16(map + 2 * 0x9F8D), 0);       /* 龍: not drawn */
    free(map);
    free(pdf);
    temp_remove(dir, path);
}

static void test_pdf_check_fails_without_fix(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "broken.pdf");
    pfc_result r;

    render_sample(path, false);
    assert_true(pfc_check_pdf(path, HM_PDF_DEFAULT_FONT, 0, &r));
    assert_true(r.problems > 0);
    assert_non_null(strstr(r.first_problem, "missing component"));
    temp_remove(dir, path);
}

static void test_pdf_same_input_same_bytes(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *a = hm_path_join(dir, "a.pdf"), *b = hm_path_join(dir, "b.pdf");
    size_t na = 0, nb = 0;

    render_sample(a, true);
    render_sample(b, true);
    unsigned char *da = pfc_slurp(a, &na), *db = pfc_slurp(b, &nb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);
    unlink(a);
    free(a);
    temp_remove(dir, b);
}

/* Draw what render_sample draws, without asserting (for a thread). */
static void *render_in_thread(void *arg)
{
    const char *path = arg;
    hm_pdf *p = NULL;
    char err[256];
    hm_pdf_opts o = { .created = 1790000000, .title = "爱心妈妈测试", .author = "海门区妇联" };
    hm_pdf_lines lines = {0};
    if (hm_pdf_open(&p, &o, err, sizeof err) != HM_OK)
        return NULL;
    hm_pdf_add_page(p);
    hm_pdf_text(p, 50, 790, 24, 0x1F3A5F, COMPOSITES);
    hm_pdf_wrap(p, COMMON, 12, 495, &lines);
    for (size_t i = 0; i < lines.n; i++)
        hm_pdf_text(p, 50, 750 - 16.0 * (double)i, 12, 0x333333, lines.line[i]);
    hm_pdf_lines_release(&lines);
    hm_pdf_outline(p, "海门爱心妈妈", 0, 800);
    hm_pdf_save(p, path);
    hm_pdf_free(p);
    return NULL;
}

/*
 * Documents drawn in two threads at once (sharing the font face read once
 * per process) are the bytes of one drawn alone.
 */
static void test_pdf_two_threads_same_bytes(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path[3];
    unsigned char *data[3];
    size_t len[3];
    pthread_t th[2];

    for (int i = 0; i < 3; i++) {
        char name[24];
        snprintf(name, sizeof name, "t%d.pdf", i);
        path[i] = hm_path_join(dir, name);
    }
    /* the threads first (the first test: the face is read by one of them) */
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, render_in_thread, path[i + 1]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    render_sample(path[0], true);
    for (int i = 0; i < 3; i++) {
        data[i] = pfc_slurp(path[i], &len[i]);
        assert_non_null(data[i]);
    }
    for (int i = 1; i < 3; i++) {
        assert_int_equal(len[i], len[0]);
        assert_memory_equal(data[i], data[0], len[0]);
    }
    for (int i = 0; i < 3; i++) {
        free(data[i]);
        if (i < 2) {
            unlink(path[i]);
            free(path[i]);
        }
    }
    temp_remove(dir, path[2]);
}

/* Open a document with the default font (caller frees). */
static hm_pdf *open_default(void)
{
    hm_pdf *p = NULL;
    char err[256];
    hm_pdf_opts o = { .created = 0 };
    assert_int_equal(hm_pdf_open(&p, &o, err, sizeof err), HM_OK);
    assert_int_equal(hm_pdf_add_page(p), HM_OK);
    return p;
}

static void test_pdf_width_by_code_point(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    double one = hm_pdf_text_width(p, "海", 10);
    assert_true(one > 9.0 && one < 10.5);           /* a full em */
    double many = hm_pdf_text_width(p, "海海海海", 10);
    assert_true(many > 4 * one - 0.01 && many < 4 * one + 0.01);
    double latin = hm_pdf_text_width(p, "ab", 10);
    assert_true(latin > 0 && latin < one * 1.5);
    assert_true(hm_pdf_text_width(p, "", 10) == 0);
    hm_pdf_free(p);
}

static void test_pdf_wrap_chinese_and_latin(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    hm_pdf_lines l = {0};
    const char *zh = "海门区妇联启动爱心妈妈结对关爱项目，为全区留守、困境儿童招募爱心妈妈，"
                     "开展亲情连线、陪你阅读、假日亲子活动、陪过生日和微心愿等五个一活动。";
    hm_strbuf joined = HM_STRBUF_INIT;

    assert_int_equal(hm_pdf_wrap(p, zh, 10, 100, &l), HM_OK);
    assert_true(l.n >= 6);
    hm_strbuf_init(&joined);
    for (size_t i = 0; i < l.n; i++) {
        assert_true(hm_pdf_text_width(p, l.line[i], 10) <= 100.0 + 1e-6);
        assert_true(strncmp(l.line[i], "，", 3) != 0 && strncmp(l.line[i], "、", 3) != 0 &&
                    strncmp(l.line[i], "。", 3) != 0);
        hm_strbuf_adds(&joined, l.line[i]);
    }
    assert_string_equal(joined.buf, zh);      /* nothing lost, nothing cut */
    hm_strbuf_release(&joined);
    hm_pdf_lines_release(&l);

    assert_int_equal(hm_pdf_wrap(p, "The quick brown fox jumps over the lazy dog", 10, 60, &l),
                     HM_OK);
    for (size_t i = 0; i < l.n; i++) {
        assert_true(l.line[i][0] != ' ');
        size_t n = strlen(l.line[i]);
        assert_true(n > 0 && l.line[i][n - 1] != ' ');
    }
    assert_string_equal(l.line[0], "The quick");
    hm_pdf_lines_release(&l);

    /* A newline always breaks; an empty text is one empty line. */
    assert_int_equal(hm_pdf_wrap(p, "上月\n本年", 10, 500, &l), HM_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.line[1], "本年");
    hm_pdf_lines_release(&l);
    assert_int_equal(hm_pdf_wrap(p, "", 10, 500, &l), HM_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.line[0], "");
    hm_pdf_lines_release(&l);
    hm_pdf_free(p);
}

/* Every line of l, joined, equals text: nothing lost, nothing cut. */
static void assert_joined(const hm_pdf_lines *l, const char *text)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    for (size_t i = 0; i < l->n; i++)
        hm_strbuf_adds(&sb, l->line[i]);
    assert_string_equal(sb.buf, text);
    hm_strbuf_release(&sb);
}

/* A file name breaks only after a separator (/ - _ .), never inside a run between them. */
static void test_pdf_wrap_file_names_at_separators(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    hm_pdf_lines l = {0};
    const char *path = "/srv/himama/inbox/2024-12/activities-2024-12.csv";
    for (double w = 40; w <= 200; w += 7) {
        assert_int_equal(hm_pdf_wrap(p, path, 8.5, w, &l), HM_OK);
        assert_joined(&l, path);
        for (size_t i = 0; i + 1 < l.n; i++) {
            size_t n = strlen(l.line[i]);
            char last = l.line[i][n - 1], next = l.line[i + 1][0];
            /* a break inside a run happens only when the run alone is too wide */
            if (!strchr("/-_.", last))
                assert_true(hm_pdf_text_width(p, l.line[i], 8.5) > w - 8.5);
            /* never between the digits of 2024-12 or 12.csv's figures */
            assert_false(last == '-' && next >= '0' && next <= '9' && n > 1 &&
                         l.line[i][n - 2] >= '0' && l.line[i][n - 2] <= '9');
        }
        hm_pdf_lines_release(&l);
    }
    /* the case in the issue: never "activities-2024-12.cs" / "v" */
    assert_int_equal(hm_pdf_wrap(p, "activities-2024-12.csv", 8.5, 78, &l), HM_OK);
    for (size_t i = 0; i < l.n; i++)
        assert_string_not_equal(l.line[i], "v");
    assert_string_equal(l.line[l.n - 1], "csv");
    hm_pdf_lines_release(&l);
    /* numbers stay whole where they fit */
    assert_int_equal(hm_pdf_wrap(p, "149,560.50", 8.5, 60, &l), HM_OK);
    assert_int_equal(l.n, 1);
    hm_pdf_lines_release(&l);
    hm_pdf_free(p);
}

/* In a list of names joined by 、 a line breaks only after a 、, never inside a name. */
static void test_pdf_wrap_names_list_after_comma(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    hm_pdf_lines l = {0};
    const char *names = "张卫、王小明、李秀英、欧阳明月、赵敏、孙建国、周晓燕";
    for (double w = 45; w <= 200; w += 5) {
        assert_int_equal(hm_pdf_wrap(p, names, 8.5, w, &l), HM_OK);
        assert_joined(&l, names);
        for (size_t i = 0; i + 1 < l.n; i++) {
            size_t n = strlen(l.line[i]);
            assert_true(n >= 3);
            assert_memory_equal(l.line[i] + n - 3, "、", 3);   /* "张卫、王小" / "明" never */
        }
        hm_pdf_lines_release(&l);
    }
    /* a sentence with 、 still breaks between any two characters */
    const char *zh = "本月开展亲情连线、陪你阅读、假日亲子活动，陪伴儿童过生日。";
    assert_int_equal(hm_pdf_wrap(p, zh, 10, 75, &l), HM_OK);
    assert_joined(&l, zh);
    assert_memory_not_equal(l.line[0] + strlen(l.line[0]) - 3, "、", 3);
    hm_pdf_lines_release(&l);
    hm_pdf_free(p);
}

static void test_pdf_placeholders_counted(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    /* U+20000 (𠀀) and an emoji are above U+FFFF; 0xFF is not UTF-8. */
    assert_int_equal(hm_pdf_text(p, 50, 700, 12, 0, "王\xF0\xA0\x80\x80 \xF0\x9F\x98\x80 \xFF"),
                     HM_OK);
    assert_int_equal(hm_pdf_placeholders(p), 3);
    assert_int_equal(hm_pdf_text(p, 50, 680, 12, 0, "海门\tA\x01"), HM_OK);
    assert_int_equal(hm_pdf_placeholders(p), 3);
    /* A BMP character the font lacks (Thai) is counted and is no error. */
    assert_int_equal(hm_pdf_text(p, 50, 660, 12, 0, "ก海"), HM_OK);
    assert_int_equal(hm_pdf_placeholders(p), 4);
    assert_int_equal(hm_pdf_status(p), HM_OK);
    hm_pdf_free(p);
}

/* ---- the ToUnicode map ---- */

/* Text drawn by the ToUnicode test: Chinese, Latin, digits, punctuation. */
static const char *const TU_LINES[] = {
    "海门区妇联“爱心妈妈”结对关爱工作月报（2026年11月）",
    "全区共有 186 名儿童处于结对关爱中，332 名志愿者开展了关爱活动。",
    "Caring Mothers: 3,262 calls; 95.2% contacted - Q&A [ok] {x} #7 @home!",
    "0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
    "、。：；！？《》【】…—·～ ÿĀ ¥€",     /* U+00FF and U+0100: a first byte changes */
};

/* Set the bit of every code point of utf8 in set (0x10000 bits). */
static void tu_mark_text(const char *utf8, uint8_t *set)
{
    size_t n = strlen(utf8);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(utf8 + i, n - i, &cp);
        assert_true(k > 0 && cp <= 0xFFFF);
        set[cp >> 3] |= (uint8_t)(1u << (cp & 7));
        i += k;
    }
}

/* Draw TU_LINES and COMMON (wrapped) to path; mark every code point drawn. */
static void render_text_sample(const char *path, uint8_t *drawn, hm_strbuf *all)
{
    hm_pdf *p = open_default();
    hm_pdf_lines lines = {0};
    double y = 800;

    for (size_t i = 0; i < sizeof TU_LINES / sizeof TU_LINES[0]; i++, y -= 20) {
        assert_int_equal(hm_pdf_text(p, 40, y, 11, 0x333333, TU_LINES[i]), HM_OK);
        tu_mark_text(TU_LINES[i], drawn);
        hm_strbuf_adds(all, TU_LINES[i]);
    }
    assert_int_equal(hm_pdf_wrap(p, COMMON, 12, 495, &lines), HM_OK);
    for (size_t i = 0; i < lines.n; i++, y -= 16) {
        assert_int_equal(hm_pdf_text(p, 40, y, 12, 0, lines.line[i]), HM_OK);
        tu_mark_text(lines.line[i], drawn);
        hm_strbuf_adds(all, lines.line[i]);
    }
    hm_pdf_lines_release(&lines);
    assert_int_equal(hm_pdf_save(p, path), HM_OK);
    assert_int_equal(hm_pdf_placeholders(p), 0);
    hm_pdf_free(p);
}

/* The inflated /ToUnicode stream of the (one) font in the PDF at path (caller frees). */
static char *tounicode_of(const char *path)
{
    size_t n = 0, pos = 0, len = 0;
    unsigned num = 0;
    unsigned char *pdf = pfc_slurp(path, &n);
    assert_non_null(pdf);
    assert_true(pfc_ref(pdf, n, "/ToUnicode ", &pos, &num));
    unsigned char *s = pfc_object_stream(pdf, n, num, &len);
    assert_non_null(s);
    char *text = hm_xstrndup((const char *)s, len);
    free(s);
    free(pdf);
    return text;
}

/* Read a <XXXX> code at *s (4 hex digits), advancing past it. */
static uint32_t cmap_hex(const char **s)
{
    while (**s == ' ' || **s == '\n' || **s == '\r')
        (*s)++;
    assert_int_equal(**s, '<');
    char *end = NULL;
    unsigned long v = strtoul(*s + 1, &end, 16);
    assert_true(end == *s + 5 && *end == '>');
    *s = end + 1;
    return (uint32_t)v;
}

/*
 * Check the map's syntax (no begincidrange; blocks of at most 100 entries
 * whose count is right; a bfrange within one first byte) and set in
 * mapped the bit of every code it maps; each code must map to itself.
 */
static void check_tounicode(const char *cmap, uint8_t *mapped)
{
    assert_null(strstr(cmap, "cidrange"));
    assert_non_null(strstr(cmap, "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange"));
    for (const char *s = cmap; (s = strstr(s, " beginbf")) != NULL;) {
        const char *num = s;
        while (num > cmap && num[-1] >= '0' && num[-1] <= '9')
            num--;
        long count = strtol(num, NULL, 10);
        bool range = strncmp(s, " beginbfrange", 13) == 0;
        assert_true(count >= 1 && count <= 100);
        s = strchr(s, '\n');
        assert_non_null(s);
        for (long e = 0; e < count; e++) {
            uint32_t lo = cmap_hex(&s), hi = range ? cmap_hex(&s) : lo;
            uint32_t dst = cmap_hex(&s);
            assert_true(lo <= hi && (lo >> 8) == (hi >> 8));
            assert_int_equal(dst, lo);
            for (uint32_t c = lo; c <= hi; c++) {
                assert_false(mapped[c >> 3] & (1u << (c & 7)));    /* mapped once */
                mapped[c >> 3] |= (uint8_t)(1u << (c & 7));
            }
        }
        while (*s == '\n')
            s++;
        assert_int_equal(strncmp(s, range ? "endbfrange" : "endbfchar", range ? 10 : 9), 0);
    }
}

/* s without spaces, tabs, newlines and form feeds (caller frees). */
static char *squeeze(const char *s)
{
    char *out = hm_xmalloc(strlen(s) + 1), *o = out;
    for (; *s; s++)
        if (!strchr(" \t\r\n\f", *s))
            *o++ = *s;
    *o = '\0';
    return out;
}

/*
 * Run cmd (a reader printing the text of a PDF on stdout, its stderr to
 * errpath): it must succeed, say nothing on stderr, and give back want
 * (compared without white space).
 */
static void expect_reader_text(const char *cmd, const char *errpath, const char *want)
{
    hm_strbuf out = HM_STRBUF_INIT;
    size_t en = 0;
    hm_strbuf_init(&out);
    assert_int_equal(tu_run(cmd, &out), 0);
    char *err = tu_slurp(errpath, &en);
    if (en)
        fail_msg("%s: warned: %.200s", cmd, err);
    char *got = squeeze(out.buf), *exp = squeeze(want);
    if (strcmp(got, exp) != 0)
        fail_msg("%s: text differs\n  drawn: %.300s\n  read:  %.300s", cmd, exp, got);
    free(got);
    free(exp);
    free(err);
    hm_strbuf_release(&out);
}

static void test_pdf_tounicode_maps_text_drawn(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "text.pdf"), *errpath = hm_path_join(dir, "stderr.txt");
    uint8_t *drawn = hm_xcalloc(0x10000 / 8, 1), *mapped = hm_xcalloc(0x10000 / 8, 1);
    hm_strbuf all = HM_STRBUF_INIT, cmd = HM_STRBUF_INIT;

    hm_strbuf_init(&all);
    hm_strbuf_init(&cmd);
    render_text_sample(path, drawn, &all);

    char *cmap = tounicode_of(path);
    check_tounicode(cmap, mapped);
    assert_memory_equal(mapped, drawn, 0x10000 / 8);      /* exactly the codes drawn */
    assert_null(strstr(cmap, "<0035> <0035>"));             /* the digits: in a range */
    assert_null(strstr(cmap, "<00FF> <0100>"));             /* never across a first byte */
    const char *first = strstr(cmap, "beginbfchar");          /* over 100: two blocks */
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "beginbfchar"));
    free(cmap);

    hm_strbuf_addf(&cmd, "pdftotext -raw '%s' - 2>'%s'", path, errpath);
    expect_reader_text(cmd.buf, errpath, all.buf);
    hm_strbuf_reset(&cmd);
    hm_strbuf_addf(&cmd, "pdftoppm -r 20 -png '%s' '%s/page' 2>'%s' && rm -f '%s'/page*.png",
                   path, dir, errpath, dir);
    assert_int_equal(tu_shell("%s", cmd.buf), 0);
    size_t en = 0;
    free(tu_slurp(errpath, &en));
    assert_int_equal(en, 0);
    hm_strbuf_reset(&cmd);
    hm_strbuf_addf(&cmd, "mutool draw -q -N -F txt -o - '%s' 2>'%s'", path, errpath);
    expect_reader_text(cmd.buf, errpath, all.buf);

    free(drawn);
    free(mapped);
    hm_strbuf_release(&all);
    hm_strbuf_release(&cmd);
    unlink(errpath);
    free(errpath);
    temp_remove(dir, path);
}

static void test_pdf_tounicode_without_text(void **state)
{
    (void)state;
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "shapes.pdf");
    uint8_t *mapped = hm_xcalloc(0x10000 / 8, 1), *none = hm_xcalloc(0x10000 / 8, 1);
    hm_pdf *p = open_default();

    assert_int_equal(hm_pdf_fill_rect(p, 50, 50, 100, 100, 0x1F3A5F), HM_OK);
    assert_int_equal(hm_pdf_save(p, path), HM_OK);
    hm_pdf_free(p);
    char *cmap = tounicode_of(path);
    check_tounicode(cmap, mapped);
    assert_memory_equal(mapped, none, 0x10000 / 8);
    assert_null(strstr(cmap, "beginbf"));
    assert_int_equal(tu_shell("test -z \"$(pdftotext '%s' - 2>&1 >/dev/null)\"", path), 0);
    free(cmap);
    free(mapped);
    free(none);
    temp_remove(dir, path);
}

static void test_pdf_bad_font_is_an_error(void **state)
{
    (void)state;
    hm_pdf *p = (hm_pdf *)1;
    char err[256] = "";
    hm_pdf_opts o = { .font_path = "no-such-font.ttf" };
    assert_int_equal(hm_pdf_open(&p, &o, err, sizeof err), HM_EIO);
    assert_null(p);
    assert_non_null(strstr(err, "no-such-font.ttf"));

    /* A file that is not a font. */
    char *dir = tu_temp_dir("himama-pdf");
    char *path = hm_path_join(dir, "fake.ttf");
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("not a font at all, just some text that is long enough", fp);
    assert_int_equal(fclose(fp), 0);
    o.font_path = path;
    assert_int_equal(hm_pdf_open(&p, &o, err, sizeof err), HM_EPDF);
    assert_null(p);
    assert_non_null(strstr(err, "cannot load the TrueType font"));
    temp_remove(dir, path);
}

static void test_pdf_errors_are_sticky(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    assert_int_equal(hm_pdf_select_page(p, 5), HM_EPDF);
    assert_non_null(strstr(hm_pdf_error(p), "no page 6"));
    assert_int_equal(hm_pdf_text(p, 10, 10, 10, 0, "海"), HM_EPDF);
    assert_int_equal(hm_pdf_status(p), HM_EPDF);
    hm_pdf_free(p);
}

/* A line that fits is kept whole; a longer one is cut with "…" and then fits. */
static void test_pdf_fit_cuts_with_ellipsis(void **state)
{
    (void)state;
    hm_pdf *p = open_default();
    char *a = hm_pdf_fit(p, "海门区妇联", 10, 200);
    assert_string_equal(a, "海门区妇联");
    char *b = hm_pdf_fit(p, "海门区妇联启动爱心妈妈结对关爱项目", 10, 60);
    size_t n = strlen(b);
    assert_true(n > 3 && strcmp(b + n - 3, "…") == 0);
    assert_true(strncmp(b, "海门", 6) == 0);
    assert_true(hm_pdf_text_width(p, b, 10) <= 60.0 + 1e-6);
    char *c = hm_pdf_fit(p, "一行\n两行", 10, 200);   /* a newline: only the first line */
    assert_string_equal(c, "一行…");
    free(a);
    free(b);
    free(c);
    hm_pdf_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_two_threads_same_bytes),
        cmocka_unit_test(test_pdf_composite_glyphs_complete),
        cmocka_unit_test(test_pdf_check_fails_without_fix),
        cmocka_unit_test(test_pdf_font_program_is_a_subset),
        cmocka_unit_test(test_pdf_same_input_same_bytes),
        cmocka_unit_test(test_pdf_width_by_code_point),
        cmocka_unit_test(test_pdf_wrap_chinese_and_latin),
        cmocka_unit_test(test_pdf_wrap_file_names_at_separators),
        cmocka_unit_test(test_pdf_wrap_names_list_after_comma),
        cmocka_unit_test(test_pdf_fit_cuts_with_ellipsis),
        cmocka_unit_test(test_pdf_placeholders_counted),
        cmocka_unit_test(test_pdf_tounicode_maps_text_drawn),
        cmocka_unit_test(test_pdf_tounicode_without_text),
        cmocka_unit_test(test_pdf_bad_font_is_an_error),
        cmocka_unit_test(test_pdf_errors_are_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
