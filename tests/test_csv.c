/*
 * test_csv.c - the CSV reader, data-driven: each input is read with every
 * small buffer size (so that every field, quote, CRLF and multi-byte
 * sequence is cut by a refill somewhere) and with the default buffer, and
 * the records are compared as text with what is expected.
 *
 * A record is written as  LINE:NLINES [f1|f2|...] raw{...}  followed by
 * " err{reason}@FIELD" when marked; \r, \n, NUL, '|' and '\\' in fields and
 * raw are escaped.  Records are separated by newlines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "himama/csv.h"
#include "himama/util.h"

/* Append the n bytes of s, escaped. */
static void dump_bytes(hm_strbuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\r': hm_strbuf_adds(sb, "\\r"); break;
        case '\n': hm_strbuf_adds(sb, "\\n"); break;
        case '\0': hm_strbuf_adds(sb, "\\0"); break;
        case '|': hm_strbuf_adds(sb, "\\|"); break;
        case '\\': hm_strbuf_adds(sb, "\\\\"); break;
        default: hm_strbuf_addc(sb, s[i]); break;
        }
    }
}

/* A temporary file holding the n bytes of s, positioned at its start. */
static FILE *file_with(const char *s, size_t n)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    if (n > 0)
        assert_int_equal(fwrite(s, 1, n, fp), n);
    rewind(fp);
    return fp;
}

/*
 * Read all of fp and return the records as text (caller frees).  A read
 * error is written as "ERROR: message" in place of the next record.
 */
static char *read_all(FILE *fp, hm_encoding enc, size_t bom, size_t bufsize)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_grow(&sb, 0);
    hm_csv_reader *r = hm_csv_open_bufsize(fp, enc, bom, bufsize);
    assert_non_null(r);
    hm_csv_record rec;
    const char *errmsg = NULL;
    int rc;
    while ((rc = hm_csv_next(r, &rec, &errmsg)) == 1) {
        hm_strbuf_addf(&sb, "%ld:%ld [", rec.line, rec.nlines);
        for (size_t i = 0; i < rec.nfield; i++) {
            if (i)
                hm_strbuf_addc(&sb, '|');
            assert_int_equal(rec.field[i][rec.flen[i]], '\0');
            dump_bytes(&sb, rec.field[i], rec.flen[i]);
        }
        hm_strbuf_adds(&sb, "] raw{");
        assert_int_equal(rec.raw[rec.raw_len], '\0');
        dump_bytes(&sb, rec.raw, rec.raw_len);
        hm_strbuf_addc(&sb, '}');
        if (rec.error)
            hm_strbuf_addf(&sb, " err{%s}@%d", rec.error, rec.error_field);
        else
            assert_int_equal(rec.error_field, -1);
        hm_strbuf_addc(&sb, '\n');
    }
    if (rc < 0)
        hm_strbuf_addf(&sb, "ERROR: %s\n", errmsg);
    else
        assert_null(errmsg);
    /* The end is sticky. */
    assert_int_equal(hm_csv_next(r, &rec, &errmsg), rc);
    hm_csv_close(r);
    return hm_strbuf_detach(&sb);
}

/* Check that the n bytes of s read as want with every buffer size. */
static void check_enc(const char *s, size_t n, hm_encoding enc, size_t bom,
                      const char *want)
{
    size_t top = n + 3 < 40 ? n + 3 : 40;
    for (size_t bufsize = 0; bufsize <= top; bufsize++) {
        FILE *fp = file_with(s, n);
        char *got = read_all(fp, enc, bom, bufsize);
        if (strcmp(got, want) != 0) {
            print_error("buffer size %zu\n--- want\n%s--- got\n%s", bufsize,
                        want, got);
            free(got);
            fclose(fp);
            fail();
        }
        free(got);
        fclose(fp);
    }
}

#define CHECK(lit, want) check_enc(lit, sizeof(lit) - 1, HM_ENC_UTF8, 0, want)
#define CHECK_GB(lit, want) \
    check_enc(lit, sizeof(lit) - 1, HM_ENC_GB18030, 0, want)

static void test_csv_simple(void **state)
{
    (void)state;
    CHECK("a,b,c\n1,2,3\n",
          "1:1 [a|b|c] raw{a,b,c}\n"
          "2:1 [1|2|3] raw{1,2,3}\n");
}

static void test_csv_no_final_line_end(void **state)
{
    (void)state;
    CHECK("a,b\n1,2",
          "1:1 [a|b] raw{a,b}\n"
          "2:1 [1|2] raw{1,2}\n");
    CHECK("a,b\n1,",
          "1:1 [a|b] raw{a,b}\n"
          "2:1 [1|] raw{1,}\n");
    CHECK("a,b\n\"1\",\"2\"",
          "1:1 [a|b] raw{a,b}\n"
          "2:1 [1|2] raw{\"1\",\"2\"}\n");
}

static void test_csv_line_ends(void **state)
{
    (void)state;
    CHECK("a\r\nb\rc\nd\r\re",
          "1:1 [a] raw{a}\n"
          "2:1 [b] raw{b}\n"
          "3:1 [c] raw{c}\n"
          "4:1 [d] raw{d}\n"
          "6:1 [e] raw{e}\n");
    /* A CR at the very end, and an LF after a CR-ended record. */
    CHECK("a\r",
          "1:1 [a] raw{a}\n");
    CHECK("a\r\n\nb\n",
          "1:1 [a] raw{a}\n"
          "3:1 [b] raw{b}\n");
}

static void test_csv_empty_fields(void **state)
{
    (void)state;
    CHECK("a,,b,\n,x\n",
          "1:1 [a||b|] raw{a,,b,}\n"
          "2:1 [|x] raw{,x}\n");
}

static void test_csv_blank_lines_skipped_but_counted(void **state)
{
    (void)state;
    CHECK("h1,h2\n\n,,\n \t, \xc2\xa0,\xe3\x80\x80\r\n\r\nx,y\n\r,\n",
          "1:1 [h1|h2] raw{h1,h2}\n"
          "6:1 [x|y] raw{x,y}\n");
    /* Quotes make a line that is not blank, even when empty. */
    CHECK("\"\",\"\"\n",
          "1:1 [|] raw{\"\",\"\"}\n");
    /* Other white space (an em space) is content. */
    CHECK("\xe2\x80\x83,\n",
          "1:1 [\xe2\x80\x83|] raw{\xe2\x80\x83,}\n");
}

static void test_csv_blank_only_file(void **state)
{
    (void)state;
    CHECK("\n\r\n,,,\n", "");
}

static void test_csv_quoted_fields(void **state)
{
    (void)state;
    CHECK("\"a,b\",\"c\"\"d\",\"\",\"\"\"\"\n",
          "1:1 [a,b|c\"d||\"] raw{\"a,b\",\"c\"\"d\",\"\",\"\"\"\"}\n");
}

static void test_csv_quoted_line_ends(void **state)
{
    (void)state;
    CHECK("\"l1\nl2\",x\r\nnext\n",
          "1:2 [l1\\nl2|x] raw{\"l1\\nl2\",x}\n"
          "3:1 [next] raw{next}\n");
    /* CRLF and a lone CR inside quotes are kept and counted as lines. */
    CHECK("\"a\r\nb\rc\"\nz\n",
          "1:3 [a\\r\\nb\\rc] raw{\"a\\r\\nb\\rc\"}\n"
          "4:1 [z] raw{z}\n");
    /* Blank lines inside quotes are content. */
    CHECK("\"a\n\n,\n\"\nz",
          "1:4 [a\\n\\n,\\n] raw{\"a\\n\\n,\\n\"}\n"
          "5:1 [z] raw{z}\n");
}

static void test_csv_quote_inside_unquoted_is_literal(void **state)
{
    (void)state;
    CHECK("ab\"c,d\",5\"\n",
          "1:1 [ab\"c|d\"|5\"] raw{ab\"c,d\",5\"}\n");
    /* A quote after leading white space does not open a quoted field. */
    CHECK(" \"a,b\"\n",
          "1:1 [ \"a|b\"] raw{ \"a,b\"}\n");
}

static void test_csv_text_after_closing_quote(void **state)
{
    (void)state;
    CHECK("\"ab\"x,c\nn\n",
          "1:1 [ab|c] raw{\"ab\"x,c} err{text after closing quote}@0\n"
          "2:1 [n] raw{n}\n");
    CHECK("a,\"b\" c\n",
          "1:1 [a|b] raw{a,\"b\" c} err{text after closing quote}@1\n");
    /* The record still runs to its normal end: the quote after the text
     * is literal, so the comma in it separates fields. */
    CHECK("\"a\"b\"c,d\"\n",
          "1:1 [a|d\"] raw{\"a\"b\"c,d\"} err{text after closing quote}@0\n");
    /* The first error is the one reported. */
    CHECK("\"a\"x,\"b\"y\n",
          "1:1 [a|b] raw{\"a\"x,\"b\"y} err{text after closing quote}@0\n");
    /* A three-byte sequence that starts like U+3000 but is not. */
    CHECK("\"a\"\xe3\x80\x81\n",
          "1:1 [a] raw{\"a\"\xe3\x80\x81} err{text after closing quote}@0\n");
}

static void test_csv_white_space_after_closing_quote(void **state)
{
    (void)state;
    CHECK("\"a\" ,\"b\"\t\xc2\xa0\xe3\x80\x80\r\n\"c\" ",
          "1:1 [a|b] raw{\"a\" ,\"b\"\t\xc2\xa0\xe3\x80\x80}\n"
          "2:1 [c] raw{\"c\" }\n");
}

static void test_csv_unterminated_quote(void **state)
{
    (void)state;
    CHECK("h\na,\"b\nc\n\nd\n",
          "1:1 [h] raw{h}\n"
          "2:1 [a,\"b] raw{a,\"b} err{unterminated quote opened at line 2}@-1\n"
          "3:1 [c] raw{c} err{unterminated quote opened at line 2}@-1\n"
          "4:1 [] raw{} err{unterminated quote opened at line 2}@-1\n"
          "5:1 [d] raw{d} err{unterminated quote opened at line 2}@-1\n");
    /* The quote opens on the second line of a record: every line of the
     * record is returned, with the line where the quote opened. */
    CHECK("x,\"y\r\nz\",\"w\rq",
          "1:1 [x,\"y] raw{x,\"y} err{unterminated quote opened at line 2}@-1\n"
          "2:1 [z\",\"w] raw{z\",\"w} err{unterminated quote opened at line 2}@-1\n"
          "3:1 [q] raw{q} err{unterminated quote opened at line 2}@-1\n");
    /* A lone quote as the last byte. */
    CHECK("a\n\"",
          "1:1 [a] raw{a}\n"
          "2:1 [\"] raw{\"} err{unterminated quote opened at line 2}@-1\n");
}

static void test_csv_unterminated_quote_after_bom_and_gb18030(void **state)
{
    (void)state;
    /* The input is read again from after the BOM, converted again. */
    static const char gb[] = "\x84\x31\x95\x33h\r\n\"\xd0\xd5\r\n\xc3\xfb";
    check_enc(gb, sizeof gb - 1, HM_ENC_GB18030, 4,
              "1:1 [h] raw{h}\n"
              "2:1 [\"\xe5\xa7\x93] raw{\"\xe5\xa7\x93} "
              "err{unterminated quote opened at line 2}@-1\n"
              "3:1 [\xe5\x90\x8d] raw{\xe5\x90\x8d} "
              "err{unterminated quote opened at line 2}@-1\n");
    static const char u8[] = "\xef\xbb\xbf" "a\nb,\"c\n";
    check_enc(u8, sizeof u8 - 1, HM_ENC_UTF8, 3,
              "1:1 [a] raw{a}\n"
              "2:1 [b,\"c] raw{b,\"c} "
              "err{unterminated quote opened at line 2}@-1\n");
}

static void test_csv_nul_in_field(void **state)
{
    (void)state;
    static const char in[] = "a\0b,c\n\"\0\"\n";
    check_enc(in, sizeof in - 1, HM_ENC_UTF8, 0,
              "1:1 [a\\0b|c] raw{a\\0b,c}\n"
              "2:1 [\\0] raw{\"\\0\"}\n");
    FILE *fp = file_with(in, sizeof in - 1);
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 0);
    hm_csv_record rec;
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_int_equal(rec.nfield, 2);
    assert_int_equal(rec.flen[0], 3);
    assert_memory_equal(rec.field[0], "a\0b", 4);
    assert_int_equal(rec.raw_len, 5);
    hm_csv_close(r);
    fclose(fp);
}

static void test_csv_empty_file(void **state)
{
    (void)state;
    check_enc("", 0, HM_ENC_UTF8, 0, "");
    check_enc("", 0, HM_ENC_GB18030, 0, "");
}

static void test_csv_bom(void **state)
{
    (void)state;
    check_enc("\xef\xbb\xbf", 3, HM_ENC_UTF8, 3, "");
    check_enc("\x84\x31\x95\x33", 4, HM_ENC_GB18030, 4, "");
    check_enc("\xef\xbb\xbf" "a,b\n", 7, HM_ENC_UTF8, 3,
              "1:1 [a|b] raw{a,b}\n");
    check_enc("\x84\x31\x95\x33\xd0\xd5\n", 7, HM_ENC_GB18030, 4,
              "1:1 [\xe5\xa7\x93] raw{\xe5\xa7\x93}\n");
    /* The offset counts the BOM. */
    FILE *fp = file_with("\xef\xbb\xbf" "a\n", 5);
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 3);
    hm_csv_record rec;
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_int_equal(hm_csv_next(r, &rec, NULL), 0);
    assert_int_equal(hm_csv_offset(r), 5);
    hm_csv_close(r);
    fclose(fp);
}

static void test_csv_gb18030(void **state)
{
    (void)state;
    /* 儿童编号,姓名 / C1,"李,四" with a CRLF. */
    CHECK_GB("\xb6\xf9\xcd\xaf\xb1\xe0\xba\xc5,\xd0\xd5\xc3\xfb\r\n"
             "C1,\"\xc0\xee,\xcb\xc4\"\r\n",
             "1:1 [\xe5\x84\xbf\xe7\xab\xa5\xe7\xbc\x96\xe5\x8f\xb7|"
             "\xe5\xa7\x93\xe5\x90\x8d] raw{\xe5\x84\xbf\xe7\xab\xa5\xe7\xbc"
             "\x96\xe5\x8f\xb7,\xe5\xa7\x93\xe5\x90\x8d}\n"
             "2:1 [C1|\xe6\x9d\x8e,\xe5\x9b\x9b] raw{C1,\"\xe6\x9d\x8e,"
             "\xe5\x9b\x9b\"}\n");
}

static void test_csv_gb18030_four_byte_and_euro(void **state)
{
    (void)state;
    /* 95 34 B2 35 is U+20BB7; 81 30 81 30 is U+0080; a lone 80 is the
     * euro sign of GBK. */
    CHECK_GB("a\x95\x34\xb2\x35,\x81\x30\x81\x30\n\x80" "5\n",
             "1:1 [a\xf0\xa0\xae\xb7|\xc2\x80] raw{a\xf0\xa0\xae\xb7,\xc2\x80}\n"
             "2:1 [\xe2\x82\xac" "5] raw{\xe2\x82\xac" "5}\n");
}

static void test_csv_gb18030_ideographic_space_is_blank(void **state)
{
    (void)state;
    /* A1 A1 is U+3000 in GB18030. */
    CHECK_GB("h\n\xa1\xa1,\xa1\xa1\nx\n",
             "1:1 [h] raw{h}\n"
             "3:1 [x] raw{x}\n");
}

static void test_csv_gb18030_bad_bytes(void **state)
{
    (void)state;
    /* 84 31 A5 30 is well formed but maps to nothing. */
    CHECK_GB("a,b\nc\x84\x31\xa5\x30\n",
             "1:1 [a|b] raw{a,b}\n"
             "ERROR: invalid GB18030 byte sequence at byte offset 5\n");
}

/* A file holding head, then n bytes of fill, then tail. */
static FILE *big_file(const char *head, char fill, size_t n, const char *tail)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    char chunk[4096];
    memset(chunk, fill, sizeof chunk);
    fputs(head, fp);
    for (size_t done = 0; done < n; done += sizeof chunk)
        assert_int_equal(fwrite(chunk, 1, n - done < sizeof chunk ? n - done
                                                        : sizeof chunk, fp),
                         n - done < sizeof chunk ? n - done : sizeof chunk);
    fputs(tail, fp);
    rewind(fp);
    return fp;
}

static void test_csv_record_size_cap(void **state)
{
    (void)state;
    size_t n = HM_CSV_MAX_RECORD + 100;
    static const size_t bufsizes[] = { 0, 4096, 65536 + 3 };
    for (size_t k = 0; k < sizeof bufsizes / sizeof bufsizes[0]; k++) {
        FILE *fp = big_file("h1,h2\n\"", 'x', n, "\n\",y\nnext,1\n");
        hm_csv_reader *r = hm_csv_open_bufsize(fp, HM_ENC_UTF8, 0, bufsizes[k]);
        hm_csv_record rec;
        assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
        assert_int_equal(rec.nfield, 2);
        assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
        assert_int_equal(rec.line, 2);
        assert_int_equal(rec.nlines, 2);
        assert_non_null(rec.error);
        assert_non_null(strstr(rec.error, "record longer than"));
        assert_int_equal(rec.error_field, -1);
        assert_int_equal(rec.nfield, 0);
        assert_true(rec.raw_len > 0 && rec.raw_len <= 1024);
        assert_int_equal(rec.raw[rec.raw_len], '\0');
        assert_memory_equal(rec.raw, "\"xxx", 4);
        assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
        assert_int_equal(rec.line, 4);
        assert_null(rec.error);
        assert_int_equal(rec.nfield, 2);
        assert_string_equal(rec.field[0], "next");
        assert_int_equal(hm_csv_next(r, &rec, NULL), 0);
        hm_csv_close(r);
        fclose(fp);
    }
    /* Just under the cap is kept whole. */
    FILE *fp = big_file("", 'y', HM_CSV_MAX_RECORD - 2, ",z\n");
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 0);
    hm_csv_record rec;
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_null(rec.error);
    assert_int_equal(rec.raw_len, HM_CSV_MAX_RECORD);
    assert_int_equal(rec.flen[0], HM_CSV_MAX_RECORD - 2);
    assert_string_equal(rec.field[1], "z");
    hm_csv_close(r);
    fclose(fp);
}

static void test_csv_record_cap_cuts_raw_at_character(void **state)
{
    (void)state;
    /* 姓 is three bytes; 1024 is not a multiple of three, plus "a". */
    size_t n = HM_CSV_MAX_RECORD + 30;
    FILE *fp = tmpfile();
    fputc('a', fp);
    for (size_t i = 0; i < n / 3; i++)
        fputs("\xe5\xa7\x93", fp);
    fputs("\nb\n", fp);
    rewind(fp);
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 0);
    hm_csv_record rec;
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_non_null(rec.error);
    assert_int_equal((rec.raw_len - 1) % 3, 0);
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_string_equal(rec.raw, "b");
    assert_int_equal(rec.line, 2);
    hm_csv_close(r);
    fclose(fp);
}

static void test_csv_unterminated_quote_past_cap(void **state)
{
    (void)state;
    FILE *fp = big_file("h\n\"", 'x', HM_CSV_MAX_RECORD + 10, "\nlast");
    hm_csv_reader *r = hm_csv_open_bufsize(fp, HM_ENC_UTF8, 0, 1000);
    hm_csv_record rec;
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_string_equal(rec.raw, "h");
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_int_equal(rec.line, 2);
    assert_string_equal(rec.error, "unterminated quote opened at line 2");
    assert_true(rec.raw_len <= 1024);
    assert_int_equal(hm_csv_next(r, &rec, NULL), 1);
    assert_int_equal(rec.line, 3);
    assert_string_equal(rec.raw, "last");
    assert_string_equal(rec.error, "unterminated quote opened at line 2");
    assert_int_equal(hm_csv_next(r, &rec, NULL), 0);
    hm_csv_close(r);
    fclose(fp);
}

static void test_csv_many_records_across_buffers(void **state)
{
    (void)state;
    /* Enough records that several default-sized buffers are used. */
    FILE *fp = tmpfile();
    for (int i = 0; i < 50000; i++)
        fprintf(fp, "C%d,\"n,%d\",%s\r\n", i, i, i % 7 ? "x" : "");
    rewind(fp);
    hm_csv_reader *r = hm_csv_open(fp, HM_ENC_UTF8, 0);
    hm_csv_record rec;
    int i = 0;
    char want[32];
    while (hm_csv_next(r, &rec, NULL) == 1) {
        assert_int_equal(rec.line, i + 1);
        assert_int_equal(rec.nfield, 3);
        snprintf(want, sizeof want, "n,%d", i);
        assert_string_equal(rec.field[1], want);
        i++;
    }
    assert_int_equal(i, 50000);
    assert_int_equal(hm_csv_offset(r), (unsigned long long)ftell(fp));
    hm_csv_close(r);
    fclose(fp);
}

/* A stream that cannot be read: the write end of a pipe. */
static void test_csv_read_error(void **state)
{
    (void)state;
    for (int gb = 0; gb < 2; gb++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        FILE *fp = fdopen(fds[1], "w");
        assert_non_null(fp);
        hm_csv_reader *r = hm_csv_open(fp, gb ? HM_ENC_GB18030 : HM_ENC_UTF8, 0);
        hm_csv_record rec;
        const char *errmsg = NULL;
        assert_int_equal(hm_csv_next(r, &rec, &errmsg), -1);
        assert_non_null(errmsg);
        assert_string_equal(errmsg, "read error at byte offset 0");
        assert_int_equal(hm_csv_next(r, &rec, &errmsg), -1);
        hm_csv_close(r);
        fclose(fp);
        close(fds[0]);
    }
}

static void test_csv_close_null(void **state)
{
    (void)state;
    hm_csv_close(NULL);
    assert_int_equal(hm_csv_offset(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_simple),
        cmocka_unit_test(test_csv_no_final_line_end),
        cmocka_unit_test(test_csv_line_ends),
        cmocka_unit_test(test_csv_empty_fields),
        cmocka_unit_test(test_csv_blank_lines_skipped_but_counted),
        cmocka_unit_test(test_csv_blank_only_file),
        cmocka_unit_test(test_csv_quoted_fields),
        cmocka_unit_test(test_csv_quoted_line_ends),
        cmocka_unit_test(test_csv_quote_inside_unquoted_is_literal),
        cmocka_unit_test(test_csv_text_after_closing_quote),
        cmocka_unit_test(test_csv_white_space_after_closing_quote),
        cmocka_unit_test(test_csv_unterminated_quote),
        cmocka_unit_test(test_csv_unterminated_quote_after_bom_and_gb18030),
        cmocka_unit_test(test_csv_nul_in_field),
        cmocka_unit_test(test_csv_empty_file),
        cmocka_unit_test(test_csv_bom),
        cmocka_unit_test(test_csv_gb18030),
        cmocka_unit_test(test_csv_gb18030_four_byte_and_euro),
        cmocka_unit_test(test_csv_gb18030_ideographic_space_is_blank),
        cmocka_unit_test(test_csv_gb18030_bad_bytes),
        cmocka_unit_test(test_csv_record_size_cap),
        cmocka_unit_test(test_csv_record_cap_cuts_raw_at_character),
        cmocka_unit_test(test_csv_unterminated_quote_past_cap),
        cmocka_unit_test(test_csv_many_records_across_buffers),
        cmocka_unit_test(test_csv_read_error),
        cmocka_unit_test(test_csv_close_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
