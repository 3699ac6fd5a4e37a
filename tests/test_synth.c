/*
 * test_synth.c - the synthetic data set: deterministic, of the right size,
 * valid dates, consistent references, real GB18030 where it claims so, and
 * bad rows (--errors) exactly where expected-rejects.tsv says.
 *
 * The test reads back what synth wrote with its own tiny CSV reader, so it
 * does not depend on the ingest stage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <dirent.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "himama/kinds.h"
#include "himama/synth.h"
#include "himama/util.h"

#define UNTIL_Y 2025
#define UNTIL_M 6
#define UNTIL_D 30

/* ------------------------------------------------------------ helpers */

static int32_t until_days(void)
{
    return hm_days_from_civil(UNTIL_Y, UNTIL_M, UNTIL_D);
}

/* Run synth at district scale into a fresh temporary directory. */
static char *run_district(uint64_t seed, bool errors, hm_synth_result *res)
{
    char err[256];
    char *dir = tu_temp_dir("himama-synth");
    hm_synth_opts o = { HM_SYNTH_DISTRICT, seed, until_days(), errors, dir, false };
    assert_int_equal(hm_synth_run(&o, res, err, sizeof err), HM_OK);
    return dir;
}

/* The whole file dir/name; *n its length. */
static char *slurp(const char *dir, const char *name, size_t *n)
{
    char *p = hm_path_join(dir, name);
    char *s = tu_slurp(p, n);
    free(p);
    return s;
}

static bool valid_utf8(const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = hm_utf8_decode(s + i, n - i, &cp);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* The file as UTF-8 text without BOM (converting GB18030); caller frees. */
static char *read_text(const char *dir, const char *name, bool *was_gb)
{
    size_t n;
    char *raw = slurp(dir, name, &n);
    *was_gb = false;
    if (n >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) {
        memmove(raw, raw + 3, n - 2);
        return raw;
    }
    if (valid_utf8(raw, n))
        return raw;
    *was_gb = true;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    assert_true(cd != (iconv_t)-1);
    size_t cap = n * 2 + 16, inleft = n, outleft = cap;
    char *out = hm_xmalloc(cap), *in = raw, *op = out;
    assert_true(iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1);
    assert_int_equal(inleft, 0);
    *op = '\0';
    iconv_close(cd);
    free(raw);
    return out;
}

/* A parsed CSV file: records of fields, with the physical line of each. */
typedef struct table {
    char ***rows;       /* rows[0] is the header */
    size_t *nf;
    long *line;
    size_t n;
} table;

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->nf[i]; j++)
            free(t->rows[i][j]);
        free(t->rows[i]);
    }
    free(t->rows);
    free(t->nf);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Parse RFC 4180 text (LF or CRLF line ends). */
static void parse_csv(const char *s, table *t)
{
    memset(t, 0, sizeof *t);
    long line = 1;
    while (*s) {
        char **f = NULL;
        size_t nf = 0;
        long start = line;
        for (;;) {
            hm_strbuf fb = HM_STRBUF_INIT;
            hm_strbuf_add(&fb, "", 0);
            if (*s == '"') {
                s++;
                for (;;) {
                    assert_true(*s != '\0');  /* unterminated quote */
                    if (*s == '"' && s[1] == '"') {
                        hm_strbuf_addc(&fb, '"');
                        s += 2;
                    } else if (*s == '"') {
                        s++;
                        break;
                    } else {
                        if (*s == '\n')
                            line++;
                        hm_strbuf_addc(&fb, *s++);
                    }
                }
            } else {
                while (*s && *s != ',' && *s != '\r' && *s != '\n')
                    hm_strbuf_addc(&fb, *s++);
            }
            f = hm_xrealloc(f, (nf + 1) * sizeof *f);
            f[nf++] = hm_strbuf_detach(&fb);
            if (*s == ',') {
                s++;
                continue;
            }
            if (*s == '\r')
                s++;
            if (*s == '\n') {
                s++;
                line++;
            }
            break;
        }
        t->rows = hm_xrealloc(t->rows, (t->n + 1) * sizeof *t->rows);
        t->nf = hm_xrealloc(t->nf, (t->n + 1) * sizeof *t->nf);
        t->line = hm_xrealloc(t->line, (t->n + 1) * sizeof *t->line);
        t->rows[t->n] = f;
        t->nf[t->n] = nf;
        t->line[t->n] = start;
        t->n++;
    }
}

static void load(const char *dir, const char *name, table *t, const hm_kind **k)
{
    bool gb;
    char *text = read_text(dir, name, &gb);
    parse_csv(text, t);
    free(text);
    *k = hm_kind_by_filename(name);
    assert_non_null(*k);
    assert_true(t->n >= 1);
    assert_int_equal(t->nf[0], (*k)->ncolumns);
    for (size_t j = 0; j < t->nf[0]; j++)
        assert_int_equal(hm_kind_column(*k, t->rows[0][j]), (int)j);
    for (size_t i = 1; i < t->n; i++)
        assert_int_equal(t->nf[i], (*k)->ncolumns);
}

/* Parse a date in any of the forms synth writes; -1 when empty. */
static int32_t parse_date(const char *s)
{
    int y, m, d;
    char rest[8];
    if (!*s)
        return -1;
    if (sscanf(s, "%d-%d-%d%1s", &y, &m, &d, rest) != 3 &&
        sscanf(s, "%d/%d/%d%1s", &y, &m, &d, rest) != 3 &&
        sscanf(s, "%d年%d月%d日%1s", &y, &m, &d, rest) != 3)
        fail_msg("not a date: '%s'", s);
    if (!hm_date_valid(y, m, d))
        fail_msg("not a calendar date: '%s'", s);
    return hm_days_from_civil(y, m, d);
}

/* A sorted set of IDs. */
typedef struct idset {
    char **v;
    size_t n;
} idset;

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void idset_add(idset *s, const char *id)
{
    s->v = hm_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = hm_xstrdup(id);
}

static void idset_sort(idset *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmpstr);
    for (size_t i = 1; i < s->n; i++)
        assert_true(strcmp(s->v[i - 1], s->v[i]) != 0);  /* keys are unique */
}

static bool idset_has(const idset *s, const char *id)
{
    return bsearch(&id, s->v, s->n, sizeof *s->v, cmpstr) != NULL;
}

static void idset_free(idset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static uint64_t rows_of_kind(const hm_synth_result *r, const char *kind)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].kind, kind) == 0)
            n += r->files[i].rows;
    return n;
}

/* -------------------------------------------------------------- tests */

static void test_synth_deterministic(void **state)
{
    (void)state;
    hm_synth_result a, b, c;
    char *da = run_district(42, true, &a);
    char *db = run_district(42, true, &b);
    char *dc = run_district(43, true, &c);
    assert_int_equal(a.nfiles, b.nfiles);
    for (size_t i = 0; i < a.nfiles; i++) {
        size_t na, nb;
        assert_string_equal(a.files[i].name, b.files[i].name);
        char *x = slurp(da, a.files[i].name, &na);
        char *y = slurp(db, b.files[i].name, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(x, y, na);
        free(x);
        free(y);
    }
    size_t na, nc;
    char *x = slurp(da, "children.csv", &na);
    char *z = slurp(dc, "children.csv", &nc);
    assert_true(na != nc || memcmp(x, z, na) != 0);
    free(x);
    free(z);
    hm_synth_result_release(&a);
    hm_synth_result_release(&b);
    hm_synth_result_release(&c);
    tu_remove_tree(da);
    tu_remove_tree(db);
    tu_remove_tree(dc);
}

static void test_synth_district_counts(void **state)
{
    (void)state;
    hm_synth_result r;
    char *dir = run_district(1, false, &r);
    assert_int_equal(rows_of_kind(&r, "towns"), 9);
    uint64_t n = rows_of_kind(&r, "children");
    assert_true(n >= 180 && n <= 230);
    n = rows_of_kind(&r, "volunteers");
    assert_true(n >= 500 && n <= 620);
    n = rows_of_kind(&r, "pairings");
    assert_true(n >= 350 && n <= 700);
    n = rows_of_kind(&r, "activities");
    assert_true(n >= 5000 && n <= 20000);
    n = rows_of_kind(&r, "wishes");
    assert_true(n >= 150 && n <= 450);
    n = rows_of_kind(&r, "donations");
    assert_true(n >= 100 && n <= 500);
    n = rows_of_kind(&r, "expenditures");
    assert_true(n >= 100 && n <= 500);
    n = rows_of_kind(&r, "trainings");
    assert_true(n >= 15 && n <= 40);
    n = rows_of_kind(&r, "attendance");
    assert_true(n >= 1000);
    n = rows_of_kind(&r, "stories");
    assert_true(n >= 10 && n <= 100);
    n = rows_of_kind(&r, "feedback");
    assert_true(n >= 30 && n <= 150);
    /* 24 monthly activity files, and no bad rows without --errors */
    int months = 0;
    for (size_t i = 0; i < r.nfiles; i++) {
        months += strcmp(r.files[i].kind, "activities") == 0;
        assert_int_equal(r.files[i].bad_rows, 0);
        assert_non_null(hm_kind_by_filename(r.files[i].name));
    }
    assert_int_equal(months, 24);
    assert_int_equal(r.bad_rows, 0);
    struct stat st;
    char *p = hm_path_join(dir, "expected-rejects.tsv");
    assert_int_not_equal(stat(p, &st), 0);
    free(p);
    hm_synth_result_release(&r);
    tu_remove_tree(dir);
}

/* Every date valid and in range, every reference known, pairings apart. */
static void test_synth_dates_and_references(void **state)
{
    (void)state;
    hm_synth_result r;
    char *dir = run_district(7, false, &r);
    idset towns = { 0 }, children = { 0 }, vols = { 0 }, events = { 0 };
    int32_t lo = hm_days_from_civil(2000, 1, 1), lo_birth = hm_days_from_civil(1990, 1, 1);
    int32_t hi = until_days();
    size_t nbirths = 0;   /* volunteers' birth dates */
    /* first the entities, so references can be checked in any file */
    static const char *const order[] = { "towns", "children", "volunteers", "trainings" };
    for (size_t o = 0; o < 4; o++) {
        for (size_t i = 0; i < r.nfiles; i++) {
            if (strcmp(r.files[i].kind, order[o]) != 0)
                continue;
            table t;
            const hm_kind *k;
            load(dir, r.files[i].name, &t, &k);
            idset *set = o == 0 ? &towns : o == 1 ? &children : o == 2 ? &vols : &events;
            for (size_t j = 1; j < t.n; j++)
                idset_add(set, t.rows[j][0]);
            table_free(&t);
        }
    }
    idset_sort(&towns);
    idset_sort(&children);
    idset_sort(&vols);
    idset_sort(&events);
    size_t nfiles_checked = 0;
    for (size_t i = 0; i < r.nfiles; i++) {
        if (strcmp(r.files[i].kind, "expected-rejects") == 0)
            continue;
        table t;
        const hm_kind *k;
        load(dir, r.files[i].name, &t, &k);
        nfiles_checked++;
        int ps = hm_kind_column_index(k, "started_on"), pe = hm_kind_column_index(k, "ended_on");
        for (size_t j = 1; j < t.n; j++) {
            for (size_t c = 0; c < k->ncolumns; c++) {
                const hm_column *col = &k->columns[c];
                const char *v = t.rows[j][c];
                if (col->required)
                    assert_true(v[0] != '\0');
                if (col->type == HM_F_DATE || col->type == HM_F_BIRTHDATE) {
                    int32_t d = parse_date(v);
                    if (d >= 0) {
                        assert_true(d >= (col->type == HM_F_DATE ? lo : lo_birth));
                        assert_true(d <= hi);
                    }
                }
                if (col->type == HM_F_ADULT_BIRTHDATE && v[0]) {
                    /* 25 to 68 at the data's end, 16 or older on joining */
                    int32_t d = parse_date(v);
                    int age = hm_date_age(d, hi);
                    const char *joined = t.rows[j][hm_kind_column_index(k, "joined_on")];
                    assert_true(age >= 25 && age <= 68);
                    assert_true(!joined[0] || hm_date_age(d, parse_date(joined)) >= 16);
                    nbirths++;
                }
                if (col->type == HM_F_ID)
                    assert_true(hm_utf8_count(v, strlen(v)) <= 32);
                if (!v[0])
                    continue;
                if (col->ref == HM_REF_TOWN)
                    assert_true(idset_has(&towns, v));
                else if (col->ref == HM_REF_CHILD)
                    assert_true(idset_has(&children, v));
                else if (col->ref == HM_REF_VOLUNTEER)
                    assert_true(idset_has(&vols, v));
                else if (col->ref == HM_REF_EVENT)
                    assert_true(idset_has(&events, v));
            }
            if (ps >= 0 && t.rows[j][pe][0])
                assert_true(parse_date(t.rows[j][pe]) >= parse_date(t.rows[j][ps]));
        }
        /* a matter raised has a date of resolution when resolved, and only then */
        if (k->id == HM_KIND_FEEDBACK) {
            for (size_t j = 1; j < t.n; j++) {
                const char *raised = t.rows[j][HM_COL_FEEDBACK_RAISED_ON];
                const char *status = t.rows[j][HM_COL_FEEDBACK_STATUS];
                const char *done = t.rows[j][HM_COL_FEEDBACK_RESOLVED_ON];
                assert_true(strcmp(status, "已办结") == 0 || strcmp(status, "办理中") == 0 ||
                            strcmp(status, "待办") == 0);
                assert_int_equal(strcmp(status, "已办结") == 0, done[0] != '\0');
                if (done[0])
                    assert_true(parse_date(done) >= parse_date(raised));
            }
        }
        /* pairings of one volunteer and child never share a day */
        if (ps >= 0) {
            for (size_t a = 1; a < t.n; a++) {
                for (size_t b = a + 1; b < t.n; b++) {
                    if (strcmp(t.rows[a][1], t.rows[b][1]) || strcmp(t.rows[a][2], t.rows[b][2]))
                        continue;
                    int32_t s1 = parse_date(t.rows[a][ps]), s2 = parse_date(t.rows[b][ps]);
                    int32_t e1 = t.rows[a][pe][0] ? parse_date(t.rows[a][pe]) : hi;
                    int32_t e2 = t.rows[b][pe][0] ? parse_date(t.rows[b][pe]) : hi;
                    assert_true(e1 < s2 || e2 < s1);
                }
            }
        }
        table_free(&t);
    }
    assert_int_equal(nfiles_checked, r.nfiles);
    /* most volunteers give a birth date, some none */
    assert_true(nbirths > vols.n * 8 / 10 && nbirths < vols.n);
    idset_free(&towns);
    idset_free(&children);
    idset_free(&vols);
    idset_free(&events);
    hm_synth_result_release(&r);
    tu_remove_tree(dir);
}

/* The share of paired children contacted each month is realistic. */
static void test_synth_contact_rate(void **state)
{
    (void)state;
    hm_synth_result r;
    char *dir = run_district(3, false, &r);
    table t;
    const hm_kind *k;
    load(dir, "pairings.csv", &t, &k);
    int y0 = UNTIL_Y - 2, m0 = UNTIL_M + 1;  /* 24 months ending with UNTIL */
    for (int mi = 0; mi < 24; mi++) {
        int y = y0 + (m0 - 1 + mi) / 12, m = (m0 - 1 + mi) % 12 + 1;
        int32_t first = hm_days_from_civil(y, m, 1);
        int32_t last = m == 12 ? hm_days_from_civil(y + 1, 1, 1) - 1
                               : hm_days_from_civil(y, m + 1, 1) - 1;
        static unsigned char paired[100000], contacted[100000];
        memset(paired, 0, sizeof paired);
        memset(contacted, 0, sizeof contacted);
        for (size_t j = 1; j < t.n; j++) {
            int32_t s = parse_date(t.rows[j][3]);
            int32_t e = t.rows[j][4][0] ? parse_date(t.rows[j][4]) : INT32_MAX;
            if (s <= last && e >= first)
                paired[atoi(t.rows[j][2] + 1)] = 1;
        }
        char name[64];
        snprintf(name, sizeof name, "activities-%04d-%02d.csv", y, m);
        table a;
        const hm_kind *ka;
        load(dir, name, &a, &ka);
        for (size_t j = 1; j < a.n; j++) {
            const char *type = a.rows[j][2];
            if (strcmp(type, "visit_teacher") && strcmp(type, "visit_guardian"))
                contacted[atoi(a.rows[j][4] + 1)] = 1;
            int32_t d = parse_date(a.rows[j][1]);
            assert_true(d >= first && d <= last);
        }
        table_free(&a);
        int np = 0, nc = 0;
        for (size_t c = 0; c < sizeof paired; c++) {
            np += paired[c];
            nc += paired[c] && contacted[c];
        }
        if (np >= 50) {
            double rate = (double)nc / np;
            assert_true(rate >= 0.80 && rate <= 0.99);
        }
    }
    table_free(&t);
    hm_synth_result_release(&r);
    tu_remove_tree(dir);
}

static void test_synth_gb18030_files(void **state)
{
    (void)state;
    hm_synth_result r;
    char *dir = run_district(5, false, &r);
    int ngb = 0;
    for (size_t i = 0; i < r.nfiles; i++) {
        size_t n;
        char *raw = slurp(dir, r.files[i].name, &n);
        if (strcmp(r.files[i].encoding, "GB18030") == 0) {
            ngb++;
            assert_false(valid_utf8(raw, n));
            assert_non_null(strstr(raw, "\r\n"));
            bool gb;
            char *text = read_text(dir, r.files[i].name, &gb);
            assert_true(gb);
            /* a Chinese header: the first column's label */
            const hm_kind *k = hm_kind_by_filename(r.files[i].name);
            assert_non_null(k);
            assert_memory_equal(text, k->columns[0].label, strlen(k->columns[0].label));
            free(text);
        } else {
            assert_true(valid_utf8(raw, n));
            if (strcmp(r.files[i].encoding, "UTF-8+BOM") == 0)
                assert_memory_equal(raw, "\xEF\xBB\xBF", 3);
            else
                assert_true(n < 3 || memcmp(raw, "\xEF\xBB\xBF", 3) != 0);
        }
        free(raw);
    }
    assert_true(ngb >= 4);
    hm_synth_result_release(&r);
    tu_remove_tree(dir);
}

/* Split raw bytes into physical lines (LF ends; CR kept). */
static size_t split_lines(char *raw, size_t n, char ***out, size_t **len)
{
    size_t k = 0;
    *out = NULL;
    *len = NULL;
    size_t st = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n ? i > st : raw[i] == '\n') {
            *out = hm_xrealloc(*out, (k + 1) * sizeof **out);
            *len = hm_xrealloc(*len, (k + 1) * sizeof **len);
            (*out)[k] = raw + st;
            (*len)[k] = i - st;
            k++;
            st = i + 1;
        }
    }
    return k;
}

/*
 * --errors: expected-rejects.tsv lists every bad row; removing the listed
 * lines from each file gives back the clean data set byte for byte.
 */
static void test_synth_errors(void **state)
{
    (void)state;
    hm_synth_result clean, bad;
    char *dc = run_district(9, false, &clean);
    char *db = run_district(9, true, &bad);
    assert_true(bad.bad_rows >= 60);
    assert_int_equal(clean.rows, bad.rows);
    size_t n;
    char *tsv = slurp(db, "expected-rejects.tsv", &n);
    char **lines;
    size_t *lens;
    size_t nl = split_lines(tsv, n, &lines, &lens);
    assert_int_equal(nl - 1, bad.bad_rows);
    assert_memory_equal(lines[0], "file\tline\tcolumn\trule", 21);
    for (size_t i = 0; i < clean.nfiles; i++) {
        const char *name = clean.files[i].name;
        /* the lines listed for this file */
        long listed[64];
        int nlisted = 0;
        for (size_t j = 1; j < nl; j++) {
            char f[128];
            long ln;
            char *row = hm_xstrndup(lines[j], lens[j]);
            assert_int_equal(sscanf(row, "%127[^\t]\t%ld", f, &ln), 2);
            free(row);
            if (strcmp(f, name) == 0 && nlisted < 64)
                listed[nlisted++] = ln;
        }
        assert_int_equal((uint64_t)nlisted, bad.files[i].bad_rows);
        size_t na, nb;
        char *ra = slurp(dc, name, &na), *rb = slurp(db, name, &nb);
        char **la, **lb;
        size_t *lna, *lnb;
        size_t ka = split_lines(ra, na, &la, &lna), kb = split_lines(rb, nb, &lb, &lnb);
        assert_int_equal(ka + (size_t)nlisted, kb);
        size_t ia = 0;
        for (size_t ib = 0; ib < kb; ib++) {
            bool skip = false;
            for (int x = 0; x < nlisted; x++)
                skip |= listed[x] == (long)ib + 1;
            if (skip) {
                assert_true(ib > 0);  /* never the header */
                continue;
            }
            assert_int_equal(lna[ia], lnb[ib]);
            assert_memory_equal(la[ia], lb[ib], lna[ia]);
            ia++;
        }
        assert_int_equal(ia, ka);
        free(la);
        free(lb);
        free(lna);
        free(lnb);
        free(ra);
        free(rb);
    }
    free(lines);
    free(lens);
    free(tsv);
    hm_synth_result_release(&clean);
    hm_synth_result_release(&bad);
    tu_remove_tree(dc);
    tu_remove_tree(db);
}

/* A second run into the same directory leaves one data set. */
static void test_synth_rerun_removes_stale(void **state)
{
    (void)state;
    hm_synth_result r;
    char err[128];
    char *dir = run_district(1, true, &r);
    hm_synth_result_release(&r);
    hm_synth_opts o = { HM_SYNTH_DISTRICT, 1, hm_days_from_civil(2024, 3, 31), false, dir,
                        false };
    assert_int_equal(hm_synth_run(&o, &r, err, sizeof err), HM_OK);
    size_t n = 0;
    DIR *dp = opendir(dir);
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        assert_true(strcmp(e->d_name, "expected-rejects.tsv") != 0);
        assert_true(strncmp(e->d_name, "activities-2025-", 16) != 0);
    }
    closedir(dp);
    assert_int_equal(n, r.nfiles);
    hm_synth_result_release(&r);
    tu_remove_tree(dir);
}

static void test_synth_options(void **state)
{
    (void)state;
    hm_synth_scale sc;
    assert_true(hm_synth_scale_parse("district", &sc));
    assert_int_equal(sc, HM_SYNTH_DISTRICT);
    assert_true(hm_synth_scale_parse("nation", &sc));
    assert_int_equal(sc, HM_SYNTH_NATION);
    assert_false(hm_synth_scale_parse("planet", &sc));
    assert_string_equal(hm_synth_scale_name(HM_SYNTH_CITY), "city");
    assert_int_equal(hm_synth_default_until(hm_days_from_civil(2026, 11, 28)),
                     hm_days_from_civil(2026, 10, 31));
    assert_int_equal(hm_synth_default_until(hm_days_from_civil(2026, 1, 1)),
                     hm_days_from_civil(2025, 12, 31));
    hm_synth_result r;
    char err[128];
    hm_synth_opts o = { HM_SYNTH_DISTRICT, 1, hm_days_from_civil(2001, 5, 1), false, ".", false };
    assert_int_equal(hm_synth_run(&o, &r, err, sizeof err), HM_EUSAGE);
    assert_int_equal(r.nfiles, 0);
    hm_synth_result_release(&r);
    /* an unwritable directory is an I/O error, not a crash */
    o.until = until_days();
    o.dir = "/nonexistent-dir/below";
    assert_int_equal(hm_synth_run(&o, &r, err, sizeof err), HM_EIO);
    assert_non_null(strstr(err, "towns.csv"));
    hm_synth_result_release(&r);
}

/* --per-district at district scale: one district, HM, whose files are the
 * whole data set's byte for byte; the towns name Haimen, Nantong, Jiangsu;
 * with --errors or at nation scale it is refused. */
static void test_synth_per_district(void **state)
{
    (void)state;
    hm_synth_result whole, per;
    char err[256];
    char *dir = run_district(11, false, &whole);
    char *pdir = tu_temp_dir("himama-synth-pd");
    hm_synth_opts o = { HM_SYNTH_DISTRICT, 11, until_days(), false, pdir, true };
    assert_int_equal(hm_synth_run(&o, &per, err, sizeof err), HM_OK);
    assert_int_equal(per.nfiles, whole.nfiles);
    assert_int_equal(per.rows, whole.rows);
    char *hm = hm_path_join(pdir, "HM");
    for (size_t i = 0; i < whole.nfiles; i++) {
        char pname[128];
        snprintf(pname, sizeof pname, "HM/%s", whole.files[i].name);
        assert_string_equal(per.files[i].name, pname);
        size_t na, nb;
        char *a = slurp(dir, whole.files[i].name, &na);
        char *b = slurp(hm, whole.files[i].name, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        free(a);
        free(b);
    }
    size_t n;
    char *towns = slurp(dir, "towns.csv", &n);
    assert_non_null(strstr(towns, "town_code,town_name,district,city,province\n"));
    assert_non_null(strstr(towns, "HM01,海门街道,海门区,南通市,江苏省\n"));
    free(towns);
    hm_synth_result_release(&whole);
    hm_synth_result_release(&per);
    o.errors = true;
    assert_int_equal(hm_synth_run(&o, &per, err, sizeof err), HM_EUSAGE);
    hm_synth_result_release(&per);
    o.errors = false;
    o.scale = HM_SYNTH_NATION;
    assert_int_equal(hm_synth_run(&o, &per, err, sizeof err), HM_EUSAGE);
    hm_synth_result_release(&per);
    tu_remove_tree(hm);
    tu_remove_tree(pdir);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_deterministic),
        cmocka_unit_test(test_synth_district_counts),
        cmocka_unit_test(test_synth_dates_and_references),
        cmocka_unit_test(test_synth_contact_rate),
        cmocka_unit_test(test_synth_gb18030_files),
        cmocka_unit_test(test_synth_errors),
        cmocka_unit_test(test_synth_rerun_removes_stale),
        cmocka_unit_test(test_synth_options),
        cmocka_unit_test(test_synth_per_district),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
