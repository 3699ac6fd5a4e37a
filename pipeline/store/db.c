/*
 * db.c - opening and locking the database, and the helpers every SQL
 * caller uses (prepare, step, fail, scripts).  Migration is in migrate.c.
 *
 * Consistency when killed: every change happens in a transaction, the
 * database runs in WAL mode, and synchronous=NORMAL keeps it consistent
 * (the last transactions may be lost on power failure, never half-applied).
 */
#include "himama/db.h"
#include "himama/kinds.h"
#include "himama/reasons.h"
#include "himama/strset.h"
#include "himama/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The integer a PRAGMA that reads one gives, into *v (false on error). */
static bool pragma_int(sqlite3 *db, const char *pragma, sqlite3_int64 *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) != SQLITE_OK)
        return false;
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ok;
}

int hm_db_version(sqlite3 *db)
{
    sqlite3_int64 v;
    return pragma_int(db, "PRAGMA user_version", &v) ? (int)v : -1;
}

static void bit_or_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_int64 *acc = sqlite3_aggregate_context(ctx, (int)sizeof *acc);
    if (acc && sqlite3_value_type(argv[0]) != SQLITE_NULL)
        *acc |= sqlite3_value_int64(argv[0]);
}

static void bit_or_final(sqlite3_context *ctx)
{
    sqlite3_int64 *acc = sqlite3_aggregate_context(ctx, 0);
    sqlite3_result_int64(ctx, acc ? *acc : 0);
}

static void bit_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    sqlite3_result_int(ctx, __builtin_popcountll((unsigned long long)
                                                 sqlite3_value_int64(argv[0])));
}

/* hm_contact(type), hm_five_ones(type): 1 or 0, as hm_activity_contact and
 * hm_activity_five_ones (kinds.h) decide; NULL for a NULL type. */
static void type_rule(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (!t)
        return;
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    bool (*rule)(const char *, size_t) = (bool (*)(const char *, size_t))sqlite3_user_data(cx);
    sqlite3_result_int(cx, rule(t, n));
}

/* hm_reason_zh(reason): a reason the door stored, in Chinese (reasons.h);
 * one not in the catalogue as it is; NULL for NULL. */
static void reason_zh(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (!t)
        return;
    hm_strbuf zh = HM_STRBUF_INIT;
    hm_strbuf_grow(&zh, 0);
    hm_reason_zh(t, &zh);
    sqlite3_result_text(cx, zh.buf, (int)zh.len, SQLITE_TRANSIENT);
    hm_strbuf_release(&zh);
}

/* hm_years(from, to): whole years from date from to date to ('YYYY-MM-DD'),
 * as hm_date_age counts them (an age, years in the programme); NULL when
 * either is NULL or not such a date. */
static void years(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *a = (const char *)sqlite3_value_text(argv[0]);
    const char *b = (const char *)sqlite3_value_text(argv[1]);
    int32_t from, to;
    if (!a || !b || sqlite3_value_bytes(argv[0]) != 10 || sqlite3_value_bytes(argv[1]) != 10 ||
        !hm_date_parse_iso(a, &from) || !hm_date_parse_iso(b, &to))
        return;
    sqlite3_result_int(cx, hm_date_age(from, to));
}

/*
 * hm_on_record(registered_on, exited_on, from, to): 1 when a child's record
 * is open on some day from `from` to `to` (both 'YYYY-MM-DD'; the same day
 * twice for "on record at the end"): registered by `to` or with no
 * registration date, and not exited before `from`; else 0.  The one
 * statement of the rule: the coverage tables, who the children are, the
 * needs and the range's profiled children all call it (a child paired in
 * the period counts as registered: its caller passes NULL for the date).
 */
static void on_record(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *reg = sqlite3_value_text(argv[0]);
    const unsigned char *exited = sqlite3_value_text(argv[1]);
    const unsigned char *from = sqlite3_value_text(argv[2]);
    const unsigned char *to = sqlite3_value_text(argv[3]);
    if (!from || !to)
        return;
    sqlite3_result_int(cx, (!reg || strcmp((const char *)reg, (const char *)to) <= 0) &&
                               (!exited || strcmp((const char *)exited, (const char *)from) >= 0));
}

/*
 * hm_paired_months(started_on, ended_on, exited_on, from, to): the months
 * of the period from..to (at most 62, counted from from's month as bit 0)
 * in which a pairing pairs its child, as the bits of an integer, by
 * hm_pairing_months (kinds.h), the rule ingest's child_spans follow; 0 for
 * none, NULL for a period of no month or of more than 62.
 */
static void paired_months(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *d[5];
    for (int i = 0; i < 5; i++)
        d[i] = (const char *)sqlite3_value_text(argv[i]);
    int32_t m0 = hm_month_number(d[3]), mt = hm_month_number(d[4]), a, b;
    if (m0 < 0 || mt < m0 || mt - m0 > 61)
        return;
    if (!hm_pairing_months(d[0], d[1], d[2], &a, &b) || a > mt || b < m0) {
        sqlite3_result_int64(cx, 0);
        return;
    }
    int lo = (a > m0 ? a : m0) - m0, hi = (b < mt ? b : mt) - m0;
    sqlite3_result_int64(cx, (sqlite3_int64)(((uint64_t)1 << (hi + 1)) - ((uint64_t)1 << lo)));
}

/*
 * hm_pairing_forms(volunteer_id, child_id): the pairing forms of
 * queries/halfyear_pairing_forms.sql, as JSON [[groups, pairings,
 * volunteers, children] for one-to-one, one-to-many, many-to-one,
 * many-to-many].  Each row is a pairing (give each volunteer-child pair
 * once), in volunteer order (a volunteer's rows together; else an error).
 * A group is a connected component of the graph whose edges are the
 * pairings, found by union-find: one pass, where SQL needs window
 * functions and a walk.  Its form follows from how many volunteers and
 * children it holds.
 */
typedef struct forms_acc {
    bool ready;
    hm_strset kids;          /* child id -> its node */
    char *last;              /* the previous row's volunteer, and its node */
    size_t last_len;
    uint32_t last_node;
    uint32_t *parent, *edges;   /* per node: union-find parent; pairings (at a root) */
    unsigned char *kid;      /* per node: a child (1) or a volunteer (0) */
    size_t nodes, cap;
} forms_acc;

static uint32_t forms_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static uint32_t forms_node(forms_acc *a, unsigned char kid)
{
    if (a->nodes == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4096;
        a->parent = hm_xrealloc(a->parent, a->cap * sizeof *a->parent);
        a->edges = hm_xrealloc(a->edges, a->cap * sizeof *a->edges);
        a->kid = hm_xrealloc(a->kid, a->cap);
    }
    uint32_t id = (uint32_t)a->nodes++;
    a->parent[id] = id;
    a->edges[id] = 0;
    a->kid[id] = kid;
    return id;
}

static void forms_free(forms_acc *a)
{
    hm_strset_release(&a->kids);
    free(a->last);
    free(a->parent);
    free(a->edges);
    free(a->kid);
    memset(a, 0, sizeof *a);
}

static void forms_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    forms_acc *a = sqlite3_aggregate_context(cx, sizeof *a);
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    const char *c = (const char *)sqlite3_value_text(argv[1]);
    if (!a || !v || !c)
        return;
    size_t nv = (size_t)sqlite3_value_bytes(argv[0]), nc = (size_t)sqlite3_value_bytes(argv[1]);
    if (!a->ready) {
        hm_strset_init_val(&a->kids, 4);
        a->ready = true;
    }
    if (!a->last || nv != a->last_len || memcmp(v, a->last, nv) != 0) {
        if (a->last && strcmp(v, a->last) < 0) {
            sqlite3_result_error(cx, "hm_pairing_forms: rows not in volunteer order", -1);
            return;
        }
        free(a->last);
        a->last = hm_xmalloc(nv + 1);
        memcpy(a->last, v, nv + 1);
        a->last_len = nv;
        a->last_node = forms_node(a, 0);
    }
    long e = hm_strset_find(&a->kids, c, nc);
    uint32_t k = e >= 0 ? (uint32_t)hm_strset_val(&a->kids, (size_t)e) : forms_node(a, 1);
    if (e < 0 && hm_strset_add(&a->kids, c, nc, k) < 0) {
        sqlite3_result_error(cx, "hm_pairing_forms: the child IDs pass 4 GB", -1);
        return;
    }
    uint32_t rv = forms_root(a->parent, a->last_node), rk = forms_root(a->parent, k);
    if (rv != rk) {
        a->parent[rk] = rv;
        a->edges[rv] += a->edges[rk];
    }
    a->edges[rv]++;
}

static void forms_final(sqlite3_context *cx)
{
    forms_acc *a = sqlite3_aggregate_context(cx, 0);
    long long f[4][4] = { { 0 } };   /* per form: groups, pairings, volunteers, children */
    if (a && a->ready) {
        hm_strset_release(&a->kids);   /* the ids are no longer needed */
        uint32_t *n = hm_xcalloc(a->nodes * 2 + 1, sizeof *n);   /* per root: volunteers, children */
        for (size_t x = 0; x < a->nodes; x++)
            n[2 * forms_root(a->parent, (uint32_t)x) + a->kid[x]]++;
        for (size_t x = 0; x < a->nodes; x++) {
            if (a->parent[x] != x)
                continue;
            uint32_t vs = n[2 * x], ks = n[2 * x + 1];
            int form = vs == 1 ? (ks == 1 ? 0 : 1) : (ks == 1 ? 2 : 3);
            f[form][0]++;
            f[form][1] += a->edges[x];
            f[form][2] += vs;
            f[form][3] += ks;
        }
        free(n);
        forms_free(a);
    }
    char out[512];
    snprintf(out, sizeof out, "[[%lld,%lld,%lld,%lld],[%lld,%lld,%lld,%lld],"
             "[%lld,%lld,%lld,%lld],[%lld,%lld,%lld,%lld]]",
             f[0][0], f[0][1], f[0][2], f[0][3], f[1][0], f[1][1], f[1][2], f[1][3],
             f[2][0], f[2][1], f[2][2], f[2][3], f[3][0], f[3][1], f[3][2], f[3][3]);
    sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
}

bool hm_db_add_functions(sqlite3 *db)
{
    int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    return sqlite3_create_function(db, "bit_or", 1, det, NULL, NULL, bit_or_step,
                                   bit_or_final) == SQLITE_OK &&
           sqlite3_create_function(db, "bit_count", 1, det, NULL, bit_count, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_contact", 1, det, (void *)hm_activity_contact,
                                   type_rule, NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_five_ones", 1, det, (void *)hm_activity_five_ones,
                                   type_rule, NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_reason_zh", 1, det, NULL, reason_zh, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_years", 2, det, NULL, years, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_on_record", 4, det, NULL, on_record, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_paired_months", 5, det, NULL, paired_months, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, "hm_pairing_forms", 2, det, NULL, NULL, forms_step,
                                   forms_final) == SQLITE_OK;
}

hm_error hm_db_open(const char *path, bool create, sqlite3 **out,
                    char *err, size_t errsz)
{
    sqlite3 *db = NULL;
    /* One connection, used by one thread: no mutexes, no memory statistics
     * (both cost a lock on every allocation in the bulk load). */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    static bool configured;
    if (!configured) {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        configured = true;
    }
    *out = NULL;
    if (!create && access(path, F_OK) != 0) {
        snprintf(err, errsz, "database '%s' does not exist (run 'himama init')", path);
        return HM_ENOTFOUND;
    }
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "cannot open database '%s': %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return HM_EDB;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    /* Reading the schema proves the file is a database, before any write. */
    int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "'%s' is not a usable himama database: %s", path,
                 sqlite3_errmsg(db));
        sqlite3_close(db);
        return HM_EDB;
    }
    int v = hm_db_version(db);
    if (v > HM_SCHEMA_VERSION) {
        snprintf(err, errsz, "database '%s' has schema version %d, newer than this "
                 "himama (%d): upgrade himama", path, v, HM_SCHEMA_VERSION);
        sqlite3_close(db);
        return HM_ESCHEMA;
    }
    /*
     * References are checked by ingest itself, before each row is stored
     * (every REFERENCES of the schema is a reference column of its kind:
     * tests/test_kinds.c), and rows are never deleted nor their keys
     * changed; SQLite's own foreign key checks would look every reference
     * up a second time (8% of loading activities).  `himama check` counts
     * dangling references.  The WAL is copied into the database every 64 MB
     * rather than every 4 MB: a run of many files copies each page less
     * often (the last connection to close copies the rest).
     */
    if (sqlite3_exec(db, "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;"
                     "PRAGMA temp_store = FILE; PRAGMA wal_autocheckpoint = 16384;",
                     NULL, NULL, NULL) != SQLITE_OK || !hm_db_add_functions(db)) {
        snprintf(err, errsz, "cannot set up database '%s': %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return HM_EDB;
    }
    *out = db;
    return HM_OK;
}

hm_error hm_db_fail(sqlite3 *db, char *err, size_t errsz)
{
    snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
    return HM_EDB;
}

hm_error hm_db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql,
                       char *err, size_t errsz)
{
    if (*st)
        return HM_OK;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "cannot prepare '%.80s': %s", sql, sqlite3_errmsg(db));
        return HM_EDB;
    }
    return HM_OK;
}

hm_error hm_db_step_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errsz)
{
    int rc = sqlite3_step(st);
    hm_error e = rc == SQLITE_DONE ? HM_OK : hm_db_fail(db, err, errsz);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return e;
}

hm_error hm_db_exec_script(sqlite3 *db, const char *name, const char *sql,
                           char *err, size_t errsz)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *start = tail;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
            snprintf(err, errsz, "%s: %s", name, sqlite3_errmsg(db));
            return HM_EDB;
        }
        if (!st)
            continue;  /* comment or white space */
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (rc != SQLITE_DONE) {
            size_t n = strcspn(start, "\n");
            snprintf(err, errsz, "%s: %s (in '%.*s')", name, sqlite3_errmsg(db),
                     (int)(n > 60 ? 60 : n), start);
            sqlite3_finalize(st);
            return HM_EDB;
        }
        sqlite3_finalize(st);
    }
    return HM_OK;
}

hm_error hm_db_require_current(sqlite3 *db, const char *path, char *err, size_t errsz)
{
    int v = hm_db_version(db);
    if (v >= HM_SCHEMA_VERSION)
        return HM_OK;
    snprintf(err, errsz, "database '%s' has schema version %d, older than this himama (%d): "
             "run 'himama init' (or an ingest) once to upgrade it", path, v, HM_SCHEMA_VERSION);
    return HM_ESCHEMA;
}

/* A store up to this size is read through a memory map (hm_db_reader_cache). */
#define READ_MAP_MAX 67108864

void hm_db_reader_cache(sqlite3 *db)
{
    sqlite3_exec(db, "PRAGMA cache_size = -8192", NULL, NULL, NULL);
    const char *path = sqlite3_db_filename(db, "main");
    struct stat sb;
    if (path && *path && stat(path, &sb) == 0 && sb.st_size <= READ_MAP_MAX)
        sqlite3_exec(db, "PRAGMA mmap_size = 67108864", NULL, NULL, NULL);
}

/* BEGIN on db and read, so that its snapshot is taken now. */
static bool begin_read(sqlite3 *db)
{
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return false;
    }
    return true;
}

hm_error hm_db_begin_twin(sqlite3 *db, const char *path, sqlite3 **twin, char *err,
                          size_t errsz)
{
    sqlite3 *t = NULL;
    hm_error rc;
    *twin = NULL;
    if ((rc = hm_db_open(path, false, &t, err, errsz)) != HM_OK)
        return rc;
    hm_db_reader_cache(t);
    for (int attempt = 0; attempt < 5; attempt++) {
        sqlite3_int64 before, after;
        if (!pragma_int(t, "PRAGMA data_version", &before))
            goto fail_t;
        if (!begin_read(db))
            goto fail_db;
        if (!begin_read(t))
            goto fail_t_db;
        if (!pragma_int(t, "PRAGMA data_version", &after))
            goto fail_t_db;
        if (before == after) {
            *twin = t;
            return HM_OK;
        }
        sqlite3_exec(t, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_close(t);   /* kept changing: db alone */
    if (!begin_read(db))
        goto fail_db;
    return HM_OK;
fail_t_db:
    snprintf(err, errsz, "cannot read database '%s': %s", path, sqlite3_errmsg(t));
    sqlite3_exec(t, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(t);
    return HM_EDB;
fail_t:
    snprintf(err, errsz, "cannot read database '%s': %s", path, sqlite3_errmsg(t));
    sqlite3_close(t);
    return HM_EDB;
fail_db:
    snprintf(err, errsz, "cannot read database '%s': %s", path, sqlite3_errmsg(db));
    sqlite3_close(t);
    return HM_EDB;
}

hm_error hm_db_lock(const char *dbpath, int *fd, long *holder)
{
    char *lp = hm_xmalloc(strlen(dbpath) + 6);
    sprintf(lp, "%s.lock", dbpath);
    *holder = 0;
    /* Never through a link, never blocking on a FIFO, a regular file only:
     * a lock file placed as a link to another file is refused, not truncated. */
    *fd = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    free(lp);
    if (*fd < 0)
        return HM_EIO;
    struct stat st;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        errno = EINVAL;
        return HM_EIO;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[32] = { 0 };
        ssize_t n = pread(*fd, buf, sizeof buf - 1, 0);
        if (n > 0)
            *holder = strtol(buf, NULL, 10);
        close(*fd);
        *fd = -1;
        return HM_ELOCKED;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(*fd, 0) != 0 || pwrite(*fd, buf, (size_t)n, 0) != n) {
        /* The pid is only a courtesy for the message; the lock holds. */
    }
    return HM_OK;
}

void hm_db_unlock(int fd)
{
    if (fd >= 0) {
        if (ftruncate(fd, 0) != 0) {
            /* nothing to do: the lock is released on close */
        }
        close(fd);
    }
}
