/*
 * test_util.h - helpers the unit tests share: temporary directories, shell
 * commands and their output, whole files, the Python interpreter with
 * openpyxl that the checkers in tests/tools/ need, the report fixture
 * database, and looking up or building report models.
 *
 * Header-only (static inline), so that each tests/test_*.c stays one
 * translation unit and the Makefile's build rule needs nothing more.
 * Helpers named with "assert" semantics fail the current test through
 * cmocka; the ones meant for group setup return a status instead.
 * Ownership: a returned char * is the caller's to free.
 */
#ifndef HIMAMA_TEST_UTIL_H
#define HIMAMA_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "himama/db.h"
#include "himama/redact.h"
#include "himama/render.h"
#include "himama/summary.h"
#include "himama/util.h"

/* ---- temporary directories and paths ---- */

/*
 * Make a new directory "$TMPDIR/PREFIX-XXXXXX" (/tmp when TMPDIR is unset
 * or empty) into buf (n bytes).  Returns false when it cannot; for group
 * setup functions, which report failure by their return value.
 */
static inline bool tu_mkdtemp(char *buf, size_t n, const char *prefix)
{
    const char *base = getenv("TMPDIR");
    int k = snprintf(buf, n, "%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
    return k > 0 && (size_t)k < n && mkdtemp(buf) != NULL;
}

/* A new temporary directory as tu_mkdtemp (caller frees); fails the test if it cannot. */
static inline char *tu_temp_dir(const char *prefix)
{
    char buf[512];
    assert_true(tu_mkdtemp(buf, sizeof buf, prefix));
    return hm_xstrdup(buf);
}

/* Remove dir, the files directly in it, and free dir. */
static inline void tu_remove_tree(char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = hm_path_join(dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(dp);
    }
    rmdir(dir);
    free(dir);
}

/* "dir/name" in one of four rotating static buffers (so four may be in use at once). */
static inline const char *tu_path(const char *dir, const char *name)
{
    static char buf[4][512];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", dir, name);
    return buf[slot];
}

/*
 * "tests/tools/NAME" (or the tools directory itself when name is empty),
 * found beside this header, into out (n bytes).
 */
static inline void tu_tools_path(char *out, size_t n, const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    snprintf(out, n, "%.*stools%s%s", slash ? (int)(slash - here + 1) : 0, here,
             *name ? "/" : "", name);
}

/* ---- commands and files ---- */

/* Run a shell command built from fmt; its status as system() gives it. */
static inline int tu_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tu_shell(const char *fmt, ...)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    va_list ap;
    hm_strbuf_init(&sb);
    va_start(ap, fmt);
    hm_strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    int st = system(sb.buf);
    hm_strbuf_release(&sb);
    return st;
}

/* Run cmd, append its stdout to out; returns the exit status (-1: not run). */
static inline int tu_run(const char *cmd, hm_strbuf *out)
{
    char buf[4096];
    size_t n;
    FILE *fp = popen(cmd, "r");
    if (!fp)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        hm_strbuf_add(out, buf, n);
    int st = pclose(fp);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The whole file at path, NUL-terminated (caller frees); *n its size.  Fails the test when absent. */
static inline char *tu_slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    hm_strbuf sb = HM_STRBUF_INIT;
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, fp)) > 0)
        hm_strbuf_add(&sb, buf, k);
    fclose(fp);
    *n = sb.len;
    return hm_strbuf_detach(&sb);
}

/* Remove the test directory at group teardown, unless HIMAMA_KEEP_TMP is set; 0 or -1. */
static inline int tu_teardown_dir(const char *dir)
{
    if (!getenv("HIMAMA_KEEP_TMP"))
        return tu_shell("rm -rf '%s'", dir) == 0 ? 0 : -1;
    return 0;
}

/* ---- Python with openpyxl, for the checkers in tests/tools/ ---- */

/* Whether interpreter py can import openpyxl. */
static inline bool tu_python_ok(const char *py)
{
    return tu_shell("'%s' -c 'import openpyxl' >/dev/null 2>&1", py) == 0;
}

/*
 * The first of $HIMAMA_PYTHON, /usr/bin/python3 (Debian's own interpreter,
 * where python3-openpyxl lives) and python3 that imports openpyxl, into
 * out (n bytes).  False, with a line on stderr, when none does.
 */
static inline bool tu_find_python(char *out, size_t n)
{
    const char *cands[] = { getenv("HIMAMA_PYTHON"), "/usr/bin/python3", "python3" };
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (cands[i] && *cands[i] && tu_python_ok(cands[i])) {
            snprintf(out, n, "%s", cands[i]);
            return true;
        }
    }
    fprintf(stderr, "no python3 with openpyxl (Debian package python3-openpyxl)\n");
    return false;
}

/* ---- the report fixture database ---- */

/* Exec the SQL file at path on db or fail the test. */
static inline void tu_exec_file(sqlite3 *db, const char *path)
{
    char err[512];
    char *sql = hm_read_file(path, NULL);
    if (!sql)
        fail_msg("cannot read %s", path);
    if (hm_db_exec_script(db, path, sql, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    free(sql);
}

/*
 * A new in-memory database with the schema, then the rows of
 * tests/fixtures/report/fixture.sql, and the summary tables counted from
 * them as ingest would; foreign keys enforced when asked.
 */
/* Register the report queries' SQL functions redact() and public_alias()
 * on db, with a dictionary of db's rows as they are now, owned by db. */
static inline void tu_redact(sqlite3 *db)
{
    char err[256];
    if (hm_redact_attach(db, false, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
}

static inline sqlite3 *tu_fixture_db(bool foreign_keys)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_true(hm_db_add_functions(db));
    if (foreign_keys)
        assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL),
                         SQLITE_OK);
    tu_exec_file(db, "queries/schema.sql");
    tu_exec_file(db, "tests/fixtures/report/fixture.sql");
    char err[256];
    if (hm_summary_recount(db, NULL, err, sizeof err) != HM_OK)
        fail_msg("%s", err);
    tu_redact(db);
    return db;
}

/* ---- looking up a report's figures ---- */

/* The section called id (fails when absent). */
static inline const hm_section *tu_sec(const hm_report *r, const char *id)
{
    for (size_t i = 0; i < r->nsec; i++)
        if (strcmp(r->sec[i].id, id) == 0)
            return &r->sec[i];
    fail_msg("no section '%s'", id);
    return NULL;
}

/* Whether r has a section called id. */
static inline bool tu_has_sec(const hm_report *r, const char *id)
{
    for (size_t i = 0; i < r->nsec; i++)
        if (strcmp(r->sec[i].id, id) == 0)
            return true;
    return false;
}

/* Whether s has a column called name. */
static inline bool tu_has_col(const hm_section *s, const char *name)
{
    for (size_t c = 0; c < s->table.ncol; c++)
        if (strcmp(s->table.cols[c].name, name) == 0)
            return true;
    return false;
}

/* The index of s's column called name (fails when absent). */
static inline size_t tu_col(const hm_section *s, const char *name)
{
    for (size_t c = 0; c < s->table.ncol; c++)
        if (strcmp(s->table.cols[c].name, name) == 0)
            return c;
    fail_msg("section '%s' has no column '%s'", s->id, name);
    return 0;
}

/* The cell of s at row, column name (fails when either is absent). */
static inline const hm_value *tu_cell(const hm_section *s, size_t row, const char *name)
{
    if (row >= s->table.nrow)
        fail_msg("section '%s' has %zu rows, not %zu", s->id, s->table.nrow, row + 1);
    return hm_table_cell(&s->table, row, tu_col(s, name));
}

/* The integer, real or text in that cell (fails when it is of another type). */
static inline int64_t tu_ival(const hm_section *s, size_t row, const char *name)
{
    const hm_value *v = tu_cell(s, row, name);
    if (v->type != HM_V_INT)
        fail_msg("%s[%zu].%s is not an integer (type %d)", s->id, row, name, (int)v->type);
    return v->i;
}

static inline double tu_rval(const hm_section *s, size_t row, const char *name)
{
    const hm_value *v = tu_cell(s, row, name);
    if (v->type != HM_V_REAL)
        fail_msg("%s[%zu].%s is not a real (type %d)", s->id, row, name, (int)v->type);
    return v->r;
}

static inline const char *tu_sval(const hm_section *s, size_t row, const char *name)
{
    const hm_value *v = tu_cell(s, row, name);
    if (v->type != HM_V_TEXT)
        fail_msg("%s[%zu].%s is not text (type %d)", s->id, row, name, (int)v->type);
    return v->s;
}

/* Whether that cell is NULL. */
static inline bool tu_is_null(const hm_section *s, size_t row, const char *name)
{
    return tu_cell(s, row, name)->type == HM_V_NULL;
}

/* ---- building a report model by hand ---- */

/* A new report of kind for period (from..to), audience and lang; strings are copied. */
static inline hm_report *tu_report_new(const char *kind, const char *period, const char *from,
                                       const char *to, const char *audience, const char *lang)
{
    hm_report *r = hm_xcalloc(1, sizeof *r);
    r->kind = hm_xstrdup(kind);
    r->period = hm_xstrdup(period);
    r->from = hm_xstrdup(from);
    r->to = hm_xstrdup(to);
    r->audience = hm_xstrdup(audience);
    r->lang = hm_xstrdup(lang);
    return r;
}

/* Append an empty section (no table) to r; strings are copied. */
static inline hm_section *tu_add_section(hm_report *r, hm_section_kind kind, const char *id,
                                         const char *heading)
{
    r->sec = hm_xrealloc(r->sec, (r->nsec + 1) * sizeof *r->sec);
    hm_section *s = &r->sec[r->nsec++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->id = hm_xstrdup(id);
    s->heading = hm_xstrdup(heading);
    return s;
}

#endif
