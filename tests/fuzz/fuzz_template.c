/*
 * fuzz_template.c - fuzzing harness for the template parser.
 *
 * The input is template text: a NUL-terminated copy goes to
 * hm_template_parse (so the parser sees the text up to the first NUL, and
 * ASan sees any read past the copy).
 *
 * Invariants:
 *   - the result is HM_OK with a template, or HM_ETEMPLATE with none;
 *   - on success the template has a title and at least one section; every
 *     section id, query name and column name is [a-z0-9_]+ (so a template
 *     can never name a file outside queries/), section ids are unique and
 *     found again by hm_template_find, and every line number kept (section
 *     headers, texts) lies within the text;
 *   - on failure the reason is NUL-terminated within its buffer, valid
 *     UTF-8, and reads "NAME:LINE: reason" with LINE within the text.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "himama/template.h"
#include "himama/util.h"

#define NAME "fuzz.tmpl"

/* Whether s (n bytes) is valid UTF-8. */
static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Whether s is one or more of [a-z0-9_], checked here without the parser. */
static bool plain_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/*
 * The number of lines the parser can see in text: one per '\n', plus a
 * last line without one; at least 1, so that an empty text may be blamed
 * on its (empty) first line.
 */
static int count_lines(const char *text)
{
    size_t len = strlen(text);
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    if (len > 0 && text[len - 1] != '\n')
        n++;
    return n > 0 ? n : 1;
}

/* Check a template returned by a successful parse. */
static void check_template(const hm_template *t, int nlines)
{
    FUZZ_CHECK(t->path != NULL && strcmp(t->path, NAME) == 0);
    FUZZ_CHECK(t->title != NULL);
    FUZZ_CHECK(t->nsec >= 1 && t->sec != NULL);
    for (size_t i = 0; i < t->nsec; i++) {
        const hm_tmpl_section *s = &t->sec[i];
        FUZZ_CHECK(plain_name(s->id));
        FUZZ_CHECK(hm_template_find(t, s->id) == s);
        FUZZ_CHECK(s->line >= 1 && s->line <= nlines);
        FUZZ_CHECK(s->heading != NULL);
        FUZZ_CHECK(s->query == NULL || plain_name(s->query));
        FUZZ_CHECK(s->kind == HM_SEC_TEXT || s->query != NULL);
        for (size_t j = 0; j < 5; j++)
            FUZZ_CHECK(s->text_line[j] >= 0 && s->text_line[j] <= nlines);
        FUZZ_CHECK(s->text_line[0] >= s->line);
        for (size_t c = 0; c < s->ncol; c++) {
            FUZZ_CHECK(plain_name(s->cols[c].name));
            FUZZ_CHECK(s->cols[c].label != NULL && s->cols[c].label[0] != '\0');
        }
        if (s->sheet)
            FUZZ_CHECK(s->sheet[0] != '\0');
    }
}

/* Check the reason left in err (of size errsz) after a failure. */
static void check_reason(const char *err, size_t errsz, int nlines)
{
    size_t n = strnlen(err, errsz);
    FUZZ_CHECK(n < errsz);
    FUZZ_CHECK(valid_utf8(err, n));
    size_t np = strlen(NAME);
    FUZZ_CHECK(n > np && memcmp(err, NAME ":", np + 1) == 0);
    const char *p = err + np + 1;
    long line = 0;
    FUZZ_CHECK(*p >= '1' && *p <= '9');
    while (*p >= '0' && *p <= '9' && line <= nlines)
        line = line * 10 + (*p++ - '0');
    FUZZ_CHECK(line >= 1 && line <= nlines);
    FUZZ_CHECK(p[0] == ':' && p[1] == ' ' && p[2] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    int nlines = count_lines(text);

    char err[512];
    memset(err, 'x', sizeof err);
    hm_template *t = (hm_template *)&err;   /* must be overwritten */
    hm_error rc = hm_template_parse(NAME, text, &t, err, sizeof err);
    if (rc == HM_OK) {
        FUZZ_CHECK(t != NULL);
        check_template(t, nlines);
    } else {
        FUZZ_CHECK(rc == HM_ETEMPLATE);
        FUZZ_CHECK(t == NULL);
        check_reason(err, sizeof err, nlines);
    }
    hm_template_free(t);
    free(text);
    return 0;
}
