/*
 * ingest.c - load CSV files into the database by the rules at the door.
 *
 * Design notes.
 *
 * A file is read twice: once to hash it (SHA-256) and tell its encoding,
 * which needs every byte before the first record can be trusted, then again
 * through the CSV reader, converting to UTF-8 on the fly.  The second pass
 * runs inside one transaction that also holds the file's ingest_log row, so
 * a process killed mid-file leaves no trace of it; a file rejected whole is
 * rolled back and then recorded alone in a transaction of its own.
 *
 * Every kind is handled by the same code, driven by the contract tables of
 * kinds.c: the SQL for a kind (insert, select by key, update) is built from
 * its column list once per file and reused for every row.  A row is parsed
 * into one slot per contract column; columns the file does not have keep
 * the stored values of an existing row (an export without a 'notes' column
 * does not erase the notes), while a present but empty field sets NULL.
 *
 * Outcome of a row with a key already stored: the parsed values are
 * compared with the stored ones (so "1,000.00" equals "1000" and a label its
 * code): equal is 'unchanged', different is 'updated' with the changed
 * columns written to audit as JSON.
 */
#include "himama/ingest.h"
#include "himama/csv.h"
#include "himama/db.h"
#include "himama/encoding.h"
#include "himama/fields.h"
#include "himama/sha256.h"
#include "himama/strset.h"
#include "himama/summary.h"
#include "himama/forms.h"
#include "himama/xlsx_read.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Limits of DESIGN.md "Lengths", in code points. */
#define LEN_ID 32
#define LEN_NAME 64
#define LEN_TEXT 16384
#define LEN_LONGTEXT 262144

/* Entries per cache of references or pairs before it starts afresh:
 * about 40 MB at most for each. */
#define CACHE_CAP (1u << 19)

typedef enum slot_type { SLOT_NULL, SLOT_INT, SLOT_TEXT } slot_type;

/* One column's parsed value. */
typedef struct slot {
    slot_type t;
    int64_t i;
    hm_strbuf s;
} slot;

/*
 * Lookups kept from row to row: the references found, and the pairings of
 * each volunteer-child pair (for activities).  Rows are only added or
 * updated, never deleted, so what a file of another kind found stays true:
 * after a unit commits, only the lookups into the table of its own kind
 * are forgotten (a child may have moved town, a pairing ended); after a
 * unit rolls back, all of them.
 */
struct hm_ingest_cache {
    hm_strset refs[HM_REF_FUND + 1];
    hm_strset towns;              /* the towns of the children in refs */
    hm_strset pairs;              /* "volunteer\x1fchild" -> first | count << 32 */
    int32_t *spans;               /* pairs of (start, end) days */
    size_t nspans, spans_cap;
};

hm_ingest_cache *hm_ingest_cache_new(void)
{
    return hm_xcalloc(1, sizeof(hm_ingest_cache));
}

static void cache_pairs_clear(hm_ingest_cache *c)
{
    hm_strset_release(&c->pairs);
    c->nspans = 0;
}

static void cache_clear(hm_ingest_cache *c)
{
    for (int i = 0; i <= HM_REF_FUND; i++)
        hm_strset_release(&c->refs[i]);
    hm_strset_release(&c->towns);
    cache_pairs_clear(c);
}

void hm_ingest_cache_free(hm_ingest_cache *c)
{
    if (!c)
        return;
    cache_clear(c);
    free(c->spans);
    free(c);
}

/* A unit of kind k committed: forget the lookups into its table. */
static void cache_forget(hm_ingest_cache *c, const hm_kind *k)
{
    static const struct { hm_kind_id kind; hm_ref ref; } into[] = {
        { HM_KIND_TOWNS, HM_REF_TOWN }, { HM_KIND_CHILDREN, HM_REF_CHILD },
        { HM_KIND_VOLUNTEERS, HM_REF_VOLUNTEER }, { HM_KIND_TRAININGS, HM_REF_EVENT },
        { HM_KIND_DONATIONS, HM_REF_FUND },
    };
    if (!k) {
        cache_clear(c);
        return;
    }
    for (size_t i = 0; i < sizeof into / sizeof into[0]; i++)
        if (into[i].kind == k->id)
            hm_strset_release(&c->refs[into[i].ref]);
    if (k->id == HM_KIND_PAIRINGS)
        cache_pairs_clear(c);
}

typedef struct ingest_ctx {
    sqlite3 *db;
    const hm_ingest_opts *o;
    hm_ingest_result *res;
    const char *path;
    const hm_kind *k;
    /* header */
    size_t nheader;
    char **header;                 /* names as written (trimmed) */
    int colmap[HM_MAX_COLUMNS];    /* contract column -> header field, or -1 */
    bool *mapped;                  /* header field -> is it a contract column */
    /* row values */
    slot val[HM_MAX_COLUMNS];
    slot old[HM_MAX_COLUMNS];
    hm_strbuf tmp;
    /* statements */
    sqlite3_stmt *st_select, *st_insert, *st_update;
    sqlite3_stmt *st_ref[HM_REF_FUND + 1];
    sqlite3_stmt *st_overlap, *st_paired, *st_reject, *st_warn, *st_audit;
    hm_ingest_cache own, *c;      /* c: the run's cache, or own (this unit's) */
    long child_town;              /* the row's child's town: an entry of c->towns */
    hm_summary sum;               /* activities: child_months and volunteer_months */
    /* The rejects file: written to a hidden ".pending" name, closed and
     * synced before the transaction commits, renamed into place after. */
    FILE *rej_fp;
    char *rej_final, *rej_pending;
    char now[21];
} ingest_ctx;

void hm_ingest_result_release(hm_ingest_result *r)
{
    if (!r)
        return;
    free(r->rejects_path);
    r->rejects_path = NULL;
}

/* ---------------------------------------------------------------- SQL */

/* The database column of contract column c. */
static void column_sql_name(const hm_column *c, hm_strbuf *sb)
{
    hm_strbuf_adds(sb, c->name);
    if (c->type == HM_F_MONEY || c->type == HM_F_MONEY_POS)
        hm_strbuf_adds(sb, "_fen");
}

/* Build and prepare the kind's insert, select-by-key and update statements. */
static hm_error prepare_kind(ingest_ctx *x, char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    hm_strbuf sb = HM_STRBUF_INIT, where = HM_STRBUF_INIT;
    hm_error rc;
    int nkey = 0;

    hm_strbuf_adds(&where, " WHERE ");
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (!k->columns[i].key)
            continue;
        if (nkey++)
            hm_strbuf_adds(&where, " AND ");
        column_sql_name(&k->columns[i], &where);
        hm_strbuf_addf(&where, " = ?%zu", i + 1);
    }

    hm_strbuf_addf(&sb, "INSERT INTO %s (", k->name);
    for (size_t i = 0; i < k->ncolumns; i++) {
        column_sql_name(&k->columns[i], &sb);
        hm_strbuf_adds(&sb, ", ");
    }
    hm_strbuf_adds(&sb, "ingest_id, line) VALUES (");
    for (size_t i = 0; i < k->ncolumns + 2; i++)
        hm_strbuf_addf(&sb, "%s?%zu", i ? ", " : "", i + 1);
    hm_strbuf_adds(&sb, ") ON CONFLICT DO NOTHING");
    if ((rc = hm_db_prepare(x->db, &x->st_insert, sb.buf, err, errsz)) != HM_OK)
        goto out;

    hm_strbuf_reset(&sb);
    hm_strbuf_adds(&sb, "SELECT ");
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (i)
            hm_strbuf_adds(&sb, ", ");
        column_sql_name(&k->columns[i], &sb);
    }
    hm_strbuf_addf(&sb, " FROM %s%s", k->name, where.buf);
    if ((rc = hm_db_prepare(x->db, &x->st_select, sb.buf, err, errsz)) != HM_OK)
        goto out;

    hm_strbuf_reset(&sb);
    hm_strbuf_addf(&sb, "UPDATE %s SET ", k->name);
    for (size_t i = 0; i < k->ncolumns; i++) {
        column_sql_name(&k->columns[i], &sb);
        hm_strbuf_addf(&sb, " = ?%zu, ", i + 1);
    }
    hm_strbuf_addf(&sb, "ingest_id = ?%zu, line = ?%zu%s", k->ncolumns + 1, k->ncolumns + 2,
                   where.buf);
    rc = hm_db_prepare(x->db, &x->st_update, sb.buf, err, errsz);
out:
    hm_strbuf_release(&sb);
    hm_strbuf_release(&where);
    return rc;
}

/* Prepare the statements every kind shares. */
static hm_error prepare_common(ingest_ctx *x, char *err, size_t errsz)
{
    static const char *const ref_sql[] = {
        [HM_REF_NONE] = NULL,
        [HM_REF_TOWN] = "SELECT 1 FROM towns WHERE town_code = ?1",
        [HM_REF_CHILD] = "SELECT town_code FROM children WHERE child_id = ?1",
        [HM_REF_VOLUNTEER] = "SELECT 1 FROM volunteers WHERE volunteer_id = ?1",
        [HM_REF_EVENT] = "SELECT 1 FROM trainings WHERE event_id = ?1",
        [HM_REF_FUND] = "SELECT 1 FROM donations WHERE restricted_to = ?1 LIMIT 1",
    };
    hm_error rc;
    for (int i = HM_REF_TOWN; i <= HM_REF_FUND; i++)
        if ((rc = hm_db_prepare(x->db, &x->st_ref[i], ref_sql[i], err, errsz)) != HM_OK)
            return rc;
    if ((rc = hm_db_prepare(x->db, &x->st_overlap,
            "SELECT pairing_id, started_on, ended_on FROM pairings"
            " WHERE volunteer_id = ?1 AND child_id = ?2 AND pairing_id <> ?3"
            " AND started_on <= ?5 AND coalesce(ended_on, ?6) >= ?4 LIMIT 1",
            err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(x->db, &x->st_paired,
            "SELECT started_on, ended_on FROM pairings WHERE volunteer_id = ?1 AND child_id = ?2",
            err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(x->db, &x->st_reject,
            "INSERT INTO rejects (ingest_id, file, line, \"column\", reason, raw)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(x->db, &x->st_warn,
            "INSERT INTO warnings (ingest_id, file, line, reason) VALUES (?1, ?2, ?3, ?4)",
            err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(x->db, &x->st_audit,
            "INSERT INTO audit (ingest_id, table_name, key, old, new, at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errsz)) != HM_OK)
        return rc;
    return HM_OK;
}

static void finalize_all(ingest_ctx *x)
{
    sqlite3_finalize(x->st_select);
    sqlite3_finalize(x->st_insert);
    sqlite3_finalize(x->st_update);
    for (int i = 0; i <= HM_REF_FUND; i++)
        sqlite3_finalize(x->st_ref[i]);
    sqlite3_finalize(x->st_overlap);
    sqlite3_finalize(x->st_paired);
    sqlite3_finalize(x->st_reject);
    sqlite3_finalize(x->st_warn);
    sqlite3_finalize(x->st_audit);
    x->st_select = x->st_insert = x->st_update = NULL;
    memset(x->st_ref, 0, sizeof x->st_ref);
    x->st_overlap = x->st_paired = x->st_reject = x->st_warn = x->st_audit = NULL;
}

/* Bind slot v to parameter idx of st.  The slot must outlive the step. */
static void bind_slot(sqlite3_stmt *st, int idx, const slot *v)
{
    switch (v->t) {
    case SLOT_NULL: sqlite3_bind_null(st, idx); break;
    case SLOT_INT: sqlite3_bind_int64(st, idx, v->i); break;
    case SLOT_TEXT: sqlite3_bind_text(st, idx, v->s.buf, (int)v->s.len, SQLITE_STATIC); break;
    }
}

/* Read column idx of st into slot v. */
static void column_slot(sqlite3_stmt *st, int idx, slot *v)
{
    switch (sqlite3_column_type(st, idx)) {
    case SQLITE_NULL:
        v->t = SLOT_NULL;
        break;
    case SQLITE_INTEGER:
        v->t = SLOT_INT;
        v->i = sqlite3_column_int64(st, idx);
        break;
    default:
        v->t = SLOT_TEXT;
        hm_strbuf_reset(&v->s);
        hm_strbuf_add(&v->s, sqlite3_column_text(st, idx), (size_t)sqlite3_column_bytes(st, idx));
        break;
    }
}

static bool slot_equal(const slot *a, const slot *b)
{
    if (a->t != b->t)
        return false;
    if (a->t == SLOT_INT)
        return a->i == b->i;
    if (a->t == SLOT_TEXT)
        return a->s.len == b->s.len && memcmp(a->s.buf, b->s.buf, a->s.len) == 0;
    return true;
}

static void slot_copy(slot *dst, const slot *src)
{
    dst->t = src->t;
    dst->i = src->i;
    hm_strbuf_reset(&dst->s);
    if (src->t == SLOT_TEXT)
        hm_strbuf_add(&dst->s, src->s.buf, src->s.len);
}

static void slot_json(hm_strbuf *sb, const slot *v)
{
    switch (v->t) {
    case SLOT_NULL: hm_strbuf_adds(sb, "null"); break;
    case SLOT_INT: hm_strbuf_addf(sb, "%lld", (long long)v->i); break;
    case SLOT_TEXT: hm_strbuf_add_json(sb, v->s.buf); break;
    }
}

/* ------------------------------------------------------- rejects file */

/*
 * Write one cell of the rejects file: trimmed like a field, guarded with a
 * leading ' when it then starts like a formula, quoted when needed; control
 * characters (a rejected row may hold them) become spaces.
 */
static void write_cell(FILE *fp, const char *s, size_t len)
{
    s = hm_utf8_trim(s, &len);
    bool guard = len && (*s == '=' || *s == '+' || *s == '-' || *s == '@');
    bool quote = guard;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (quote)
        fputc('"', fp);
    if (guard)
        fputc('\'', fp);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            fputc('"', fp);
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            c = ' ';
        fputc(c, fp);
    }
    if (quote)
        fputc('"', fp);
}

/* The rejects file's name for ingest id and unit name (caller frees). */
static char *rejects_name(long long id, const char *unit)
{
    hm_strbuf name = HM_STRBUF_INIT;
    hm_strbuf_addf(&name, "%lld-%s.rejects.csv", id, hm_path_base(unit));
    for (char *c = name.buf; *c; c++)
        if (*c == ':')
            *c = '-';   /* FILE:SHEET of a workbook */
    return hm_strbuf_detach(&name);
}

#define PENDING ".pending"

/* Open the rejects file for this ingest and write its header row. */
static hm_error rejects_open(ingest_ctx *x)
{
    if (x->rej_fp || !x->o->rejects_dir)
        return HM_OK;
    if (hm_mkdirs(x->o->rejects_dir) != HM_OK)
        return HM_EIO;
    char *name = rejects_name(x->res->id, x->path);
    hm_strbuf pending = HM_STRBUF_INIT;
    hm_strbuf_addf(&pending, ".%s" PENDING, name);
    x->rej_final = hm_path_join(x->o->rejects_dir, name);
    x->rej_pending = hm_path_join(x->o->rejects_dir, pending.buf);
    hm_strbuf_release(&pending);
    free(name);
    x->rej_fp = fopen(x->rej_pending, "wb");
    if (!x->rej_fp)
        return HM_EIO;
    fputs("\xef\xbb\xbf", x->rej_fp);
    for (size_t i = 0; i < x->nheader; i++) {
        write_cell(x->rej_fp, x->header[i], strlen(x->header[i]));
        fputc(',', x->rej_fp);
    }
    fputs("line,column,reason\r\n", x->rej_fp);
    return HM_OK;
}

/* Flush, sync and close the pending rejects file; HM_EIO with a reason. */
static hm_error rejects_close(ingest_ctx *x, char *reason, size_t rsz)
{
    if (!x->rej_fp)
        return HM_OK;
    int bad = fflush(x->rej_fp) != 0 || ferror(x->rej_fp) || fsync(fileno(x->rej_fp)) != 0;
    int e = errno;
    bad |= fclose(x->rej_fp) != 0;
    x->rej_fp = NULL;
    if (bad) {
        snprintf(reason, rsz, "cannot write the rejects file '%s': %s", x->rej_final,
                 strerror(e ? e : errno));
        unlink(x->rej_pending);
        return HM_EIO;
    }
    return HM_OK;
}

hm_error hm_ingest_recover(sqlite3 *db, const char *rejects_dir, char *err, size_t errsz)
{
    DIR *d = opendir(rejects_dir);
    if (!d)
        return HM_OK;   /* no rejects yet */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM ingest_log WHERE id = ?1 AND status = 'loaded'",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        closedir(d);
        return HM_EDB;
    }
    hm_error rc = HM_OK;
    struct dirent *e;
    size_t plen = strlen(PENDING);
    while ((e = readdir(d)) && rc == HM_OK) {
        size_t n = strlen(e->d_name);
        bool pending = e->d_name[0] == '.' && n > plen + 1 &&
                       strcmp(e->d_name + n - plen, PENDING) == 0;
        bool stale_tmp = strstr(e->d_name, ".rejects.csv.tmp-") != NULL;
        if (!pending && !stale_tmp)
            continue;
        char *path = hm_path_join(rejects_dir, e->d_name);
        bool keep = false;
        if (pending) {
            char *final_name = hm_xstrndup(e->d_name + 1, n - 1 - plen);
            char *final = hm_path_join(rejects_dir, final_name);
            sqlite3_bind_int64(st, 1, strtoll(final_name, NULL, 10));
            keep = sqlite3_step(st) == SQLITE_ROW && access(final, F_OK) != 0;
            sqlite3_reset(st);
            /* Committed but not yet renamed when the process stopped. */
            if (keep && hm_atomic_rename(path, final) != HM_OK) {
                snprintf(err, errsz, "cannot move '%s' to '%s': %s", path, final,
                         strerror(errno));
                rc = HM_EIO;
            }
            free(final);
            free(final_name);
        }
        if (!keep)
            unlink(path);   /* a load rolled back, or an earlier version's temporary */
        free(path);
    }
    sqlite3_finalize(st);
    closedir(d);
    return rc;
}

/* ---------------------------------------------------------- outcomes */

/* Record a rejected record: in the rejects table and the rejects file. */
static hm_error reject(ingest_ctx *x, const hm_csv_record *rec, const char *column,
                       const char *reason, char *err, size_t errsz)
{
    x->res->rows_rejected++;
    sqlite3_bind_int64(x->st_reject, 1, x->res->id);
    sqlite3_bind_text(x->st_reject, 2, x->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(x->st_reject, 3, rec->line);
    sqlite3_bind_text(x->st_reject, 4, column ? column : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st_reject, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st_reject, 6, rec->raw, (int)rec->raw_len, SQLITE_STATIC);
    hm_error rc = hm_db_step_done(x->db, x->st_reject, err, errsz);
    if (rc != HM_OK)
        return rc;
    if (rejects_open(x) != HM_OK) {
        snprintf(err, errsz, "cannot write the rejects file in '%s': %s", x->o->rejects_dir,
                 strerror(errno));
        return HM_EIO;
    }
    if (!x->rej_fp)
        return HM_OK;
    FILE *fp = x->rej_fp;
    for (size_t i = 0; i < rec->nfield; i++) {
        write_cell(fp, rec->field[i], rec->flen[i]);
        fputc(',', fp);
    }
    /* Pad a short row so line/column/reason stay under their headers. */
    for (size_t i = rec->nfield; i < x->nheader; i++)
        fputc(',', fp);
    fprintf(fp, "%ld,", rec->line);
    write_cell(fp, column ? column : "", column ? strlen(column) : 0);
    fputc(',', fp);
    write_cell(fp, reason, strlen(reason));
    fputs("\r\n", fp);
    if (ferror(fp)) {
        snprintf(err, errsz, "cannot write the rejects file '%s': %s", x->rej_final,
                 strerror(errno));
        return HM_EIO;
    }
    return HM_OK;
}

static hm_error warn(ingest_ctx *x, long line, const char *reason, char *err, size_t errsz)
{
    sqlite3_bind_int64(x->st_warn, 1, x->res->id);
    sqlite3_bind_text(x->st_warn, 2, x->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(x->st_warn, 3, line);
    sqlite3_bind_text(x->st_warn, 4, reason, -1, SQLITE_STATIC);
    return hm_db_step_done(x->db, x->st_warn, err, errsz);
}

/* ------------------------------------------------------------ fields */

/* Parse field (s, len) of contract column c into v; false with reason. */
static bool parse_field(ingest_ctx *x, const hm_column *c, const char *s, size_t len,
                        slot *v, char *reason, size_t rsz)
{
    hm_clean_mode mode = (c->type == HM_F_NAME || c->type == HM_F_TEXT ||
                          c->type == HM_F_LONGTEXT) ? HM_CLEAN_TEXT : HM_CLEAN_CODE;
    if (!hm_field_clean(s, len, mode, &x->tmp, reason, rsz))
        return false;
    v->t = SLOT_NULL;
    if (x->tmp.len == 0) {
        if (c->required) {
            snprintf(reason, rsz, "required field is empty");
            return false;
        }
        return true;
    }
    const char *t = x->tmp.buf;
    size_t limit = 0;
    switch (c->type) {
    case HM_F_ID: limit = LEN_ID; break;
    case HM_F_NAME: limit = LEN_NAME; break;
    case HM_F_TEXT: case HM_F_PHONE: limit = LEN_TEXT; break;
    case HM_F_LONGTEXT: limit = LEN_LONGTEXT; break;
    default: break;
    }
    if (limit) {
        size_t n = hm_utf8_count(t, x->tmp.len);
        if (n > limit) {
            snprintf(reason, rsz, "too long: %zu characters, at most %zu allowed", n, limit);
            return false;
        }
        v->t = SLOT_TEXT;
        hm_strbuf_reset(&v->s);
        hm_strbuf_add(&v->s, t, x->tmp.len);
        return true;
    }
    switch (c->type) {
    case HM_F_DATE:
    case HM_F_BIRTHDATE: {
        int32_t min = c->type == HM_F_DATE ? hm_days_from_civil(2000, 1, 1)
                                           : hm_days_from_civil(1990, 1, 1);
        int32_t days;
        char iso[11];
        if (!hm_field_date(t, min, x->o->today, &days, reason, rsz))
            return false;
        hm_date_format(days, iso);
        v->t = SLOT_TEXT;
        hm_strbuf_reset(&v->s);
        hm_strbuf_add(&v->s, iso, 10);
        return true;
    }
    case HM_F_MONEY:
    case HM_F_MONEY_POS:
        v->t = SLOT_INT;
        return hm_field_money(t, c->type == HM_F_MONEY_POS, &v->i, reason, rsz);
    case HM_F_MINUTES: {
        int m;
        if (!hm_field_minutes(t, &m, reason, rsz))
            return false;
        v->t = SLOT_INT;
        v->i = m;
        return true;
    }
    case HM_F_ENUM: {
        const char *code;
        if (!hm_field_enum(c->enumeration, t, &code, reason, rsz))
            return false;
        v->t = SLOT_TEXT;
        hm_strbuf_reset(&v->s);
        hm_strbuf_adds(&v->s, code);
        return true;
    }
    case HM_F_NEEDS:
        v->t = SLOT_TEXT;
        return hm_field_needs(t, &v->s, reason, rsz);
    default:
        break;
    }
    snprintf(reason, rsz, "internal error: unhandled column type");
    return false;
}

/* ----------------------------------------------------------- header */

/* Map the header fields onto kind k: fills colmap; returns the number of
 * matched columns, or -1 when a column is named twice (dup names it). */
static int map_header(const hm_kind *k, char **names, size_t n, int *colmap,
                      const char **dup)
{
    int matched = 0;
    for (size_t i = 0; i < k->ncolumns; i++)
        colmap[i] = -1;
    for (size_t f = 0; f < n; f++) {
        int c = hm_kind_column(k, names[f]);
        if (c < 0)
            continue;
        if (colmap[c] >= 0) {
            *dup = names[f];
            return -1;
        }
        colmap[c] = (int)f;
        matched++;
    }
    return matched;
}

/* The first required column of k missing from colmap, or NULL. */
static const hm_column *missing_required(const hm_kind *k, const int *colmap)
{
    for (size_t i = 0; i < k->ncolumns; i++)
        if (k->columns[i].required && colmap[i] < 0)
            return &k->columns[i];
    return NULL;
}

/* Tell the kind from the header alone: the kind whose required columns are
 * all present and which matches the most columns; NULL when none or a tie. */
static const hm_kind *kind_from_header(char **names, size_t n)
{
    const hm_kind *best = NULL;
    int best_n = 0, ties = 0;
    int colmap[HM_MAX_COLUMNS];
    for (size_t i = 0; i < HM_NKINDS; i++) {
        const char *dup;
        int m = map_header(&hm_kinds[i], names, n, colmap, &dup);
        if (m <= 0 || missing_required(&hm_kinds[i], colmap))
            continue;
        if (m > best_n) {
            best = &hm_kinds[i];
            best_n = m;
            ties = 0;
        } else if (m == best_n) {
            ties++;
        }
    }
    return ties ? NULL : best;
}

/* Clean the header record into x->header (names as written, trimmed). */
static bool read_header(ingest_ctx *x, const hm_csv_record *rec, char *reason, size_t rsz)
{
    x->nheader = rec->nfield;
    x->header = hm_xcalloc(rec->nfield, sizeof *x->header);
    for (size_t i = 0; i < rec->nfield; i++) {
        if (!hm_field_clean(rec->field[i], rec->flen[i], HM_CLEAN_CODE, &x->tmp, reason, rsz))
            return false;
        x->header[i] = hm_xstrndup(x->tmp.buf, x->tmp.len);
    }
    return true;
}

/* True when rec repeats the header line (two exports pasted together). */
static bool is_header_repeat(ingest_ctx *x, const hm_csv_record *rec)
{
    char reason[8];
    if (rec->nfield != x->nheader || rec->error)
        return false;
    for (size_t i = 0; i < rec->nfield; i++) {
        if (!hm_field_clean(rec->field[i], rec->flen[i], HM_CLEAN_CODE, &x->tmp, reason,
                            sizeof reason))
            return false;
        if (strcmp(x->tmp.buf, x->header[i]) != 0)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------- rows */

/* A reference check: true when v exists in the referenced table; *val
 * is then its cached value (a child's town: an entry of x->c->towns). */
static hm_error ref_exists(ingest_ctx *x, hm_ref ref, const slot *v, bool *found,
                           int64_t *val, char *err, size_t errsz)
{
    long e = hm_strset_find(&x->c->refs[ref], v->s.buf, v->s.len);
    if (e >= 0) {
        *found = true;
        *val = x->c->refs[ref].val[e];
        return HM_OK;
    }
    /* Bounded memory: a national file references millions of IDs; past
     * the cap the cache starts afresh (it only saves lookups). */
    if (x->c->refs[ref].n >= CACHE_CAP) {
        hm_strset_release(&x->c->refs[ref]);
        hm_strset_init(&x->c->refs[ref]);
    }
    sqlite3_stmt *st = x->st_ref[ref];
    bind_slot(st, 1, v);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        /* A child is kept with its town. */
        *val = ref != HM_REF_CHILD ? 0
            : hm_strset_add(&x->c->towns, (const char *)sqlite3_column_text(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0), 0);
        hm_strset_add(&x->c->refs[ref], v->s.buf, v->s.len, *val);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(x->db));
        return HM_EDB;
    }
    return HM_OK;
}

static const char *ref_noun(hm_ref r)
{
    switch (r) {
    case HM_REF_TOWN: return "town";
    case HM_REF_CHILD: return "child";
    case HM_REF_VOLUNTEER: return "volunteer";
    case HM_REF_EVENT: return "training event";
    case HM_REF_FUND: return "fund (no donation is restricted to it)";
    case HM_REF_NONE: break;
    }
    return "reference";
}

/* The slot of column name in the current row (must exist in the kind). */
static slot *col(ingest_ctx *x, const char *name)
{
    return &x->val[hm_kind_column_index(x->k, name)];
}

/* The header name as written for column name, or the English name. */
static const char *col_header(ingest_ctx *x, const char *name)
{
    int i = hm_kind_column_index(x->k, name);
    return x->colmap[i] >= 0 ? x->header[x->colmap[i]] : x->k->columns[i].name;
}

/* Compare two date slots ('YYYY-MM-DD' text; NULL never compares). */
static bool date_before(const slot *a, const slot *b)
{
    return a->t == SLOT_TEXT && b->t == SLOT_TEXT && strcmp(a->s.buf, b->s.buf) < 0;
}

/*
 * Order-of-events rules across the columns of one row (and, for pairings,
 * against the stored pairings).  On a broken rule *column and reason say
 * which; returns HM_OK either way unless the database failed.
 */
static hm_error check_order(ingest_ctx *x, const char **column, char *reason, size_t rsz,
                            bool *ok, char *err, size_t errsz)
{
    *ok = true;
    switch (x->k->id) {
    case HM_KIND_CHILDREN:
        if (date_before(col(x, "exited_on"), col(x, "registered_on"))) {
            *column = col_header(x, "exited_on");
            snprintf(reason, rsz, "exits (%s) before being registered (%s)",
                     col(x, "exited_on")->s.buf, col(x, "registered_on")->s.buf);
            *ok = false;
        }
        break;
    case HM_KIND_PAIRINGS: {
        slot *start = col(x, "started_on"), *end = col(x, "ended_on");
        if (date_before(end, start)) {
            *column = col_header(x, "ended_on");
            snprintf(reason, rsz, "ends (%s) before it starts (%s)", end->s.buf, start->s.buf);
            *ok = false;
            break;
        }
        char today[11];
        hm_date_format(x->o->today, today);
        sqlite3_stmt *st = x->st_overlap;
        bind_slot(st, 1, col(x, "volunteer_id"));
        bind_slot(st, 2, col(x, "child_id"));
        bind_slot(st, 3, col(x, "pairing_id"));
        bind_slot(st, 4, start);
        if (end->t == SLOT_TEXT)
            bind_slot(st, 5, end);
        else
            sqlite3_bind_text(st, 5, today, 10, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, today, 10, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *column = "";
            snprintf(reason, rsz, "overlaps pairing '%s' (%s to %s) of the same volunteer "
                     "and child", (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1),
                     sqlite3_column_type(st, 2) == SQLITE_NULL
                         ? "now" : (const char *)sqlite3_column_text(st, 2));
            *ok = false;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(x->db));
            return HM_EDB;
        }
        break;
    }
    case HM_KIND_WISHES: {
        slot *reg = col(x, "registered_on"), *cl = col(x, "claimed_on");
        slot *ful = col(x, "fulfilled_on"), *can = col(x, "cancelled_on");
        if (date_before(cl, reg)) {
            *column = col_header(x, "claimed_on");
            snprintf(reason, rsz, "claimed (%s) before it was registered (%s)", cl->s.buf,
                     reg->s.buf);
        } else if (date_before(ful, reg)) {
            *column = col_header(x, "fulfilled_on");
            snprintf(reason, rsz, "fulfilled (%s) before it was registered (%s)", ful->s.buf,
                     reg->s.buf);
        } else if (date_before(ful, cl)) {
            *column = col_header(x, "fulfilled_on");
            snprintf(reason, rsz, "fulfilled (%s) before it was claimed (%s)", ful->s.buf,
                     cl->s.buf);
        } else if (ful->t != SLOT_NULL && can->t != SLOT_NULL) {
            *column = col_header(x, "cancelled_on");
            snprintf(reason, rsz, "both fulfilled (%s) and cancelled (%s)", ful->s.buf,
                     can->s.buf);
        } else if (date_before(can, reg)) {
            *column = col_header(x, "cancelled_on");
            snprintf(reason, rsz, "cancelled (%s) before it was registered (%s)", can->s.buf,
                     reg->s.buf);
        } else {
            break;
        }
        *ok = false;
        break;
    }
    default:
        break;
    }
    return HM_OK;
}

/* The key of the current row as text for audit: one ID, or a JSON array. */
static void key_text(ingest_ctx *x, hm_strbuf *sb)
{
    int nkey = 0;
    for (size_t i = 0; i < x->k->ncolumns; i++)
        nkey += x->k->columns[i].key;
    if (nkey > 1)
        hm_strbuf_addc(sb, '[');
    int n = 0;
    for (size_t i = 0; i < x->k->ncolumns; i++) {
        if (!x->k->columns[i].key)
            continue;
        if (nkey > 1) {
            if (n++)
                hm_strbuf_addc(sb, ',');
            slot_json(sb, &x->val[i]);
        } else {
            hm_strbuf_add(sb, x->val[i].s.buf, x->val[i].s.len);
        }
    }
    if (nkey > 1)
        hm_strbuf_addc(sb, ']');
}

/*
 * Monthly report: a pairing that is new (old NULL) or changed from old.
 * Its volunteer and child's activity rows outside a pairing are checked
 * again at the end of the file; a change also names the days the old
 * pairing covered and the new one may not (a superset is harmless).
 */
static hm_error note_pairing(ingest_ctx *x, const slot *now, const slot *old,
                             char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    int iv = hm_kind_column_index(k, "volunteer_id"), ic = hm_kind_column_index(k, "child_id");
    int is = hm_kind_column_index(k, "started_on"), ie = hm_kind_column_index(k, "ended_on");
    const slot *v = &now[iv], *c = &now[ic];
    hm_error rc = HM_OK;
    if (v->t == SLOT_TEXT && c->t == SLOT_TEXT)
        rc = hm_summary_outside_pairing(&x->sum, x->db, v->s.buf, v->s.len, c->s.buf, c->s.len,
                                        NULL, NULL, err, errsz);
    if (rc != HM_OK || !old)
        return rc;
    const slot *ov = &old[iv], *oc = &old[ic], *os = &old[is], *oe = &old[ie];
    if (ov->t != SLOT_TEXT || oc->t != SLOT_TEXT || os->t != SLOT_TEXT)
        return HM_OK;
    const char *oend = oe->t == SLOT_TEXT ? oe->s.buf : NULL;
    const slot *ns = &now[is], *ne = &now[ie];
    bool same = v->t == SLOT_TEXT && c->t == SLOT_TEXT && slot_equal(v, ov) && slot_equal(c, oc);
    if (!same)
        return hm_summary_outside_pairing(&x->sum, x->db, ov->s.buf, ov->s.len, oc->s.buf,
                                          oc->s.len, os->s.buf, oend, err, errsz);
    /* The same volunteer and child: the days lost at the start, the end. */
    if (ns->t == SLOT_TEXT && strcmp(os->s.buf, ns->s.buf) < 0)
        rc = hm_summary_outside_pairing(&x->sum, x->db, ov->s.buf, ov->s.len, oc->s.buf,
                                        oc->s.len, os->s.buf, ns->s.buf, err, errsz);
    if (rc == HM_OK && ne->t == SLOT_TEXT && (!oend || strcmp(ne->s.buf, oend) < 0))
        rc = hm_summary_outside_pairing(&x->sum, x->db, ov->s.buf, ov->s.len, oc->s.buf,
                                        oc->s.len, ne->s.buf, oend, err, errsz);
    return rc;
}

/* The current activity row as the summary tables take it, with its
 * child's town (looked up as a reference just before); false when its
 * date or type is missing (never so for a stored row). */
static bool activity_row(ingest_ctx *x, hm_summary_row *r)
{
    const slot *a = col(x, "activity_id"), *v = col(x, "volunteer_id");
    const slot *c = col(x, "child_id"), *d = col(x, "date"), *t = col(x, "type");
    if (d->t != SLOT_TEXT || d->s.len != 10 || t->t != SLOT_TEXT)
        return false;
    const hm_strset *towns = &x->c->towns;
    *r = (hm_summary_row){
        .activity_id = a->s.buf, .activity_len = a->s.len,
        .child = c->s.buf, .child_len = c->s.len,
        .volunteer = v->s.buf, .volunteer_len = v->s.len,
        .date = d->s.buf, .type = t->s.buf,
        .town = x->child_town < 0 ? "" : towns->arena + towns->off[x->child_town],
        .town_len = x->child_town < 0 ? 0 : towns->len[x->child_town],
    };
    return true;
}

/* A new row: count it into the summary tables (activities), or mark its
 * child for new spans (pairings, children). */
static hm_error note_new(ingest_ctx *x, char *err, size_t errsz)
{
    const slot *c;
    hm_summary_row r;
    switch (x->k->id) {
    case HM_KIND_ACTIVITIES:
        return activity_row(x, &r) ? hm_summary_activity(&x->sum, x->db, &r, err, errsz)
                                   : HM_OK;
    case HM_KIND_PAIRINGS:
    case HM_KIND_CHILDREN: {
        hm_error rc = x->k->id == HM_KIND_PAIRINGS ? note_pairing(x, x->val, NULL, err, errsz)
                                                   : HM_OK;
        c = col(x, "child_id");
        return rc == HM_OK && c->t == SLOT_TEXT
               ? hm_summary_child(&x->sum, x->db, c->s.buf, c->s.len, err, errsz) : rc;
    }
    default:
        return HM_OK;
    }
}

/* A changed row, with its values vals (new or old): recount the month of
 * an activity, compute the spans of the child of a pairing or child. */
static hm_error note_changed(ingest_ctx *x, const slot *vals, char *err, size_t errsz)
{
    const slot *v;
    switch (x->k->id) {
    case HM_KIND_ACTIVITIES:
        v = &vals[hm_kind_column_index(x->k, "date")];
        if (v->t == SLOT_TEXT)
            hm_summary_dirty(&x->sum, v->s.buf, v->s.len);
        return HM_OK;
    case HM_KIND_PAIRINGS:
    case HM_KIND_CHILDREN:
        v = &vals[hm_kind_column_index(x->k, "child_id")];
        return v->t == SLOT_TEXT
               ? hm_summary_child(&x->sum, x->db, v->s.buf, v->s.len, err, errsz) : HM_OK;
    default:
        return HM_OK;
    }
}

/*
 * Store the parsed row.  The insert comes first and does nothing when the
 * key exists (most rows of a new file are new, so this saves a lookup);
 * only then is the stored row read, compared, and updated with audit.
 */
static hm_error store_row(ingest_ctx *x, long line, char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    sqlite3_stmt *st = x->st_insert;
    hm_error rc = HM_OK;
    for (size_t i = 0; i < k->ncolumns; i++)
        bind_slot(st, (int)i + 1, &x->val[i]);
    sqlite3_bind_int64(st, (int)k->ncolumns + 1, x->res->id);
    sqlite3_bind_int64(st, (int)k->ncolumns + 2, line);
    if ((rc = hm_db_step_done(x->db, st, err, errsz)) != HM_OK)
        return rc;
    if (sqlite3_changes(x->db) > 0) {
        x->res->rows_loaded++;
        return note_new(x, err, errsz);
    }
    st = x->st_select;
    for (size_t i = 0; i < k->ncolumns; i++)
        if (k->columns[i].key)
            bind_slot(st, (int)i + 1, &x->val[i]);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        for (size_t i = 0; i < k->ncolumns; i++)
            column_slot(st, (int)i, &x->old[i]);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (s != SQLITE_ROW) {
        snprintf(err, errsz, "database error: %s", s == SQLITE_DONE
                 ? "a row neither inserted nor found" : sqlite3_errmsg(x->db));
        return HM_EDB;
    }
    /* Columns the file lacks keep their stored values. */
    bool changed = false;
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (x->colmap[i] < 0)
            slot_copy(&x->val[i], &x->old[i]);
        else if (!slot_equal(&x->val[i], &x->old[i]))
            changed = true;
    }
    if (!changed) {
        x->res->rows_unchanged++;
        return HM_OK;
    }
    hm_strbuf oldj = HM_STRBUF_INIT, newj = HM_STRBUF_INIT, key = HM_STRBUF_INIT;
    hm_strbuf_addc(&oldj, '{');
    hm_strbuf_addc(&newj, '{');
    int n = 0;
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (slot_equal(&x->val[i], &x->old[i]))
            continue;
        hm_strbuf sbname = HM_STRBUF_INIT;
        column_sql_name(&k->columns[i], &sbname);
        if (n++) {
            hm_strbuf_addc(&oldj, ',');
            hm_strbuf_addc(&newj, ',');
        }
        hm_strbuf_add_json(&oldj, sbname.buf);
        hm_strbuf_addc(&oldj, ':');
        slot_json(&oldj, &x->old[i]);
        hm_strbuf_add_json(&newj, sbname.buf);
        hm_strbuf_addc(&newj, ':');
        slot_json(&newj, &x->val[i]);
        hm_strbuf_release(&sbname);
    }
    hm_strbuf_addc(&oldj, '}');
    hm_strbuf_addc(&newj, '}');
    key_text(x, &key);
    sqlite3_bind_int64(x->st_audit, 1, x->res->id);
    sqlite3_bind_text(x->st_audit, 2, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->st_audit, 3, key.buf, (int)key.len, SQLITE_STATIC);
    sqlite3_bind_text(x->st_audit, 4, oldj.buf, (int)oldj.len, SQLITE_STATIC);
    sqlite3_bind_text(x->st_audit, 5, newj.buf, (int)newj.len, SQLITE_STATIC);
    sqlite3_bind_text(x->st_audit, 6, x->now, -1, SQLITE_STATIC);
    rc = hm_db_step_done(x->db, x->st_audit, err, errsz);
    if (rc == HM_OK) {
        st = x->st_update;
        for (size_t i = 0; i < k->ncolumns; i++)
            bind_slot(st, (int)i + 1, &x->val[i]);
        sqlite3_bind_int64(st, (int)k->ncolumns + 1, x->res->id);
        sqlite3_bind_int64(st, (int)k->ncolumns + 2, line);
        if ((rc = hm_db_step_done(x->db, st, err, errsz)) == HM_OK) {
            x->res->rows_updated++;
            rc = note_changed(x, x->val, err, errsz);
            if (rc == HM_OK)
                rc = note_changed(x, x->old, err, errsz);
            if (rc == HM_OK && k->id == HM_KIND_PAIRINGS)
                rc = note_pairing(x, x->val, x->old, err, errsz);
            if (rc == HM_OK && k->id == HM_KIND_CHILDREN) {
                /* The child's activities count in its town's figures. */
                int t = hm_kind_column_index(k, "town_code");
                const slot *c = col(x, "child_id");
                if (!slot_equal(&x->val[t], &x->old[t]))
                    rc = hm_summary_child_town(&x->sum, x->db, c->s.buf, c->s.len, err, errsz);
            }
        }
    }
    hm_strbuf_release(&oldj);
    hm_strbuf_release(&newj);
    hm_strbuf_release(&key);
    return rc;
}

/* Load the pairings of the current row's volunteer and child into the
 * cache; returns the cache entry. */
static hm_error load_pairs(ingest_ctx *x, const hm_strbuf *key, long *entry,
                           char *err, size_t errsz)
{
    sqlite3_stmt *st = x->st_paired;
    size_t first = x->c->nspans;
    int rc;
    bind_slot(st, 1, col(x, "volunteer_id"));
    bind_slot(st, 2, col(x, "child_id"));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t a, b;
        if (!hm_date_parse_iso((const char *)sqlite3_column_text(st, 0), &a))
            continue;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL ||
            !hm_date_parse_iso((const char *)sqlite3_column_text(st, 1), &b))
            b = INT32_MAX;
        if (x->c->nspans + 2 > x->c->spans_cap) {
            x->c->spans_cap = x->c->spans_cap ? x->c->spans_cap * 2 : 1024;
            x->c->spans = hm_xrealloc(x->c->spans, x->c->spans_cap * sizeof *x->c->spans);
        }
        x->c->spans[x->c->nspans++] = a;
        x->c->spans[x->c->nspans++] = b;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(x->db));
        return HM_EDB;
    }
    int64_t val = (int64_t)first | ((int64_t)(x->c->nspans - first) / 2) << 32;
    *entry = hm_strset_add(&x->c->pairs, key->buf, key->len, val);
    return HM_OK;
}

/* Was the row's volunteer paired with its child on the row's date? */
static hm_error was_paired(ingest_ctx *x, bool *paired, char *err, size_t errsz)
{
    hm_strbuf key = HM_STRBUF_INIT;
    slot *v = col(x, "volunteer_id"), *c = col(x, "child_id");
    int32_t day;
    hm_error rc = HM_OK;
    *paired = false;
    hm_strbuf_add(&key, v->s.buf, v->s.len);
    hm_strbuf_addc(&key, '\x1f');
    hm_strbuf_add(&key, c->s.buf, c->s.len);
    long e = hm_strset_find(&x->c->pairs, key.buf, key.len);
    if (e < 0 && x->c->pairs.n >= CACHE_CAP)
        cache_pairs_clear(x->c);
    if (e < 0 && (rc = load_pairs(x, &key, &e, err, errsz)) != HM_OK)
        goto out;
    if (!hm_date_parse_iso(col(x, "date")->s.buf, &day))
        goto out;
    int64_t val = x->c->pairs.val[e];
    size_t first = (size_t)(val & 0xffffffff), n = (size_t)(val >> 32);
    for (size_t i = 0; i < n && !*paired; i++)
        *paired = x->c->spans[first + 2 * i] <= day && day <= x->c->spans[first + 2 * i + 1];
out:
    hm_strbuf_release(&key);
    return rc;
}

/* Validate and store one record; rejected rows are recorded. */
static hm_error process_record(ingest_ctx *x, const hm_csv_record *rec, char *err, size_t errsz)
{
    char reason[512];
    const char *column = "";
    const hm_kind *k = x->k;
    hm_error rc;

    if (rec->error) {
        column = rec->error_field >= 0 && (size_t)rec->error_field < x->nheader
                     ? x->header[rec->error_field] : "";
        return reject(x, rec, column, rec->error, err, errsz);
    }
    if (rec->nfield != x->nheader) {
        snprintf(reason, sizeof reason, "the row has %zu field%s, the header has %zu",
                 rec->nfield, rec->nfield == 1 ? "" : "s", x->nheader);
        return reject(x, rec, "", reason, err, errsz);
    }
    /* A control character anywhere rejects the row, even in an ignored
     * column; the contract's columns are checked as they are parsed. */
    for (size_t f = 0; f < rec->nfield; f++) {
        if (!x->mapped[f] && !hm_field_clean(rec->field[f], rec->flen[f], HM_CLEAN_TEXT, &x->tmp, reason,
                            sizeof reason))
            return reject(x, rec, x->header[f], reason, err, errsz);
    }
    for (size_t i = 0; i < k->ncolumns; i++) {
        const hm_column *c = &k->columns[i];
        int f = x->colmap[i];
        x->val[i].t = SLOT_NULL;
        if (f < 0)
            continue;
        if (!parse_field(x, c, rec->field[f], rec->flen[f], &x->val[i], reason, sizeof reason))
            return reject(x, rec, x->header[f], reason, err, errsz);
    }
    x->child_town = -1;
    for (size_t i = 0; i < k->ncolumns; i++) {
        const hm_column *c = &k->columns[i];
        bool found;
        int64_t val;
        if (c->ref == HM_REF_NONE || x->val[i].t == SLOT_NULL)
            continue;
        if ((rc = ref_exists(x, c->ref, &x->val[i], &found, &val, err, errsz)) != HM_OK)
            return rc;
        if (found && c->ref == HM_REF_CHILD)
            x->child_town = (long)val;
        if (!found) {
            snprintf(reason, sizeof reason, "unknown %s '%s'", ref_noun(c->ref),
                     x->val[i].s.buf);
            return reject(x, rec, x->header[x->colmap[i]], reason, err, errsz);
        }
    }
    bool ok;
    if ((rc = check_order(x, &column, reason, sizeof reason, &ok, err, errsz)) != HM_OK)
        return rc;
    if (!ok)
        return reject(x, rec, column, reason, err, errsz);
    long long loaded = x->res->rows_loaded, updated = x->res->rows_updated;
    if ((rc = store_row(x, rec->line, err, errsz)) != HM_OK)
        return rc;
    if (k->id == HM_KIND_ACTIVITIES) {
        bool paired;
        if ((rc = was_paired(x, &paired, err, errsz)) != HM_OK)
            return rc;
        hm_summary_row r;
        if ((x->res->rows_loaded != loaded || x->res->rows_updated != updated) &&
            activity_row(x, &r) &&
            /* Monthly report: the rows outside a pairing (summary.h). */
            (rc = hm_summary_outside_row(&x->sum, x->db, &r, !paired,
                                         x->res->rows_loaded != loaded, err, errsz)) != HM_OK)
            return rc;
        if (!paired) {
            snprintf(reason, sizeof reason, "activity outside a pairing: volunteer '%s' and "
                     "child '%s' were not paired on %s", col(x, "volunteer_id")->s.buf,
                     col(x, "child_id")->s.buf, col(x, "date")->s.buf);
            x->res->rows_warned++;
            return warn(x, rec->line, reason, err, errsz);
        }
    }
    return HM_OK;
}

/* ------------------------------------------------------------- files */

/*
 * Read fp once to its end: the SHA-256 into res->sha256, the size, and,
 * when det is not NULL, every byte fed to the encoding detector.
 */
static hm_error digest_stream(FILE *fp, hm_ingest_result *res, hm_encdetect *det,
                              unsigned long long *size)
{
    hm_sha256 sha;
    static unsigned char buf[1 << 16];
    size_t n;
    hm_sha256_init(&sha);
    *size = 0;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        hm_sha256_update(&sha, buf, n);
        if (det)
            hm_encdetect_feed(det, buf, n);
        *size += n;
    }
    if (ferror(fp)) {
        snprintf(res->reason, sizeof res->reason, "cannot read the file: %s", strerror(errno));
        return HM_EIO;
    }
    hm_sha256_final_hex(&sha, res->sha256);
    return HM_OK;
}

/* Hash the file and tell its encoding in one pass. */
static hm_error scan_file(FILE *fp, hm_ingest_result *res, hm_encoding *enc, size_t *bom,
                          unsigned long long *size)
{
    hm_encdetect det;
    hm_encdetect_init(&det);
    hm_error rc = digest_stream(fp, res, &det, size);
    if (rc != HM_OK)
        return rc;
    if (hm_encdetect_finish(&det, enc, bom, res->reason, sizeof res->reason) != HM_OK)
        return HM_EENCODING;
    res->encoding = hm_encoding_name(*enc);
    return HM_OK;
}

/* Insert an ingest_log row; *id gets its id. */
static hm_error log_insert(sqlite3 *db, const char *path, const hm_ingest_result *res,
                           const char *status, const char *started, long long *id,
                           char *err, size_t errsz)
{
    sqlite3_stmt *st;
    char now[21];
    hm_time_format(hm_now(), now);
    if (sqlite3_prepare_v2(db,
            "INSERT INTO ingest_log (file, sha256, kind, encoding, status, reason, started_at,"
            " finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (res->sha256[0])
        sqlite3_bind_text(st, 2, res->sha256, -1, SQLITE_STATIC);
    if (res->kind)
        sqlite3_bind_text(st, 3, res->kind->name, -1, SQLITE_STATIC);
    if (res->encoding)
        sqlite3_bind_text(st, 4, res->encoding, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    if (res->reason[0])
        sqlite3_bind_text(st, 6, res->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, started, -1, SQLITE_STATIC);
    if (strcmp(status, "loaded") != 0)
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    *id = sqlite3_last_insert_rowid(db);
    return HM_OK;
}

/* Record a file rejected whole or skipped, in a transaction of its own. */
static hm_error log_alone(sqlite3 *db, const char *path, hm_ingest_result *res,
                          const char *status, const char *started, char *err, size_t errsz)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    hm_error rc = log_insert(db, path, res, status, started, &res->id, err, errsz);
    if (rc == HM_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
    }
    if (rc != HM_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* The id of a loaded file with this digest, or 0. */
static long long loaded_before(sqlite3 *db, const char *sha)
{
    sqlite3_stmt *st;
    long long id = 0;
    if (sqlite3_prepare_v2(db, "SELECT id FROM ingest_log WHERE sha256 = ?1 AND status = "
                           "'loaded' ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* Where a unit's records come from: a CSV file or one sheet of a workbook. */
typedef struct row_source {
    hm_csv_reader *csv;
    hm_xlsx_sheet *sheet;
} row_source;

static int source_next(row_source *src, hm_csv_record *rec, const char **errmsg)
{
    return src->csv ? hm_csv_next(src->csv, rec, errmsg) : hm_xlsx_next(src->sheet, rec, errmsg);
}

static unsigned long long source_offset(const row_source *src)
{
    return src->csv ? hm_csv_offset(src->csv) : hm_xlsx_offset(src->sheet);
}

/*
 * The body of one unit's transaction: header, kind, rows.  Returns HM_OK
 * (unit read), HM_EREJECTED (res->reason says why) or a database/IO error.
 */
static hm_error load_rows(ingest_ctx *x, row_source *r, unsigned long long size,
                          char *err, size_t errsz)
{
    hm_ingest_result *res = x->res;
    hm_csv_record rec;
    const char *csverr = NULL;
    hm_error rc = HM_OK;
    int got = source_next(r, &rec, &csverr);
    if (got < 0) {
        snprintf(res->reason, sizeof res->reason, "%s", csverr);
        rc = HM_EREJECTED;
        goto out;
    }
    if (got == 0) {
        snprintf(res->reason, sizeof res->reason, "no header (the file is empty)");
        rc = HM_EREJECTED;
        goto out;
    }
    if (rec.error) {
        snprintf(res->reason, sizeof res->reason, "header line %ld: %s", rec.line, rec.error);
        rc = HM_EREJECTED;
        goto out;
    }
    char reason[256];
    if (!read_header(x, &rec, reason, sizeof reason)) {
        snprintf(res->reason, sizeof res->reason, "header: %s", reason);
        rc = HM_EREJECTED;
        goto out;
    }
    const char *dup = NULL;
    if (!x->k) {
        x->k = kind_from_header(x->header, x->nheader);
        if (!x->k) {
            snprintf(res->reason, sizeof res->reason,
                     "cannot tell the kind of file from its name or header: start the file "
                     "name with its kind (e.g. children-2026.csv or 儿童.csv) or use the "
                     "contract's column names");
            rc = HM_EREJECTED;
            goto out;
        }
    }
    res->kind = x->k;
    if (map_header(x->k, x->header, x->nheader, x->colmap, &dup) < 0) {
        snprintf(res->reason, sizeof res->reason, "the header names column '%s' twice", dup);
        rc = HM_EREJECTED;
        goto out;
    }
    const hm_column *miss = missing_required(x->k, x->colmap);
    if (miss) {
        snprintf(res->reason, sizeof res->reason,
                 "the header lacks the required column '%s' (%s) of a %s file", miss->name,
                 miss->label, x->k->name);
        rc = HM_EREJECTED;
        goto out;
    }
    if ((rc = prepare_kind(x, err, errsz)) != HM_OK)
        goto out;
    x->mapped = hm_xcalloc(x->nheader ? x->nheader : 1, sizeof *x->mapped);
    for (size_t i = 0; i < x->k->ncolumns; i++)
        if (x->colmap[i] >= 0)
            x->mapped[x->colmap[i]] = true;
    for (size_t f = 0; f < x->nheader; f++) {
        if (hm_kind_column(x->k, x->header[f]) >= 0)
            continue;
        char w[320];
        snprintf(w, sizeof w, "unknown column '%.200s' ignored", x->header[f]);
        if ((rc = warn(x, 1, w, err, errsz)) != HM_OK)
            goto out;
    }
    bool first = true;
    while ((got = source_next(r, &rec, &csverr)) > 0) {
        /* The guidance row of himama's own intake form is not data. */
        if (first && hm_forms_is_guidance(&rec)) {
            first = false;
            continue;
        }
        first = false;
        if (is_header_repeat(x, &rec)) {
            if ((rc = warn(x, rec.line, "the header line repeats here (two exports pasted "
                           "together?); skipped", err, errsz)) != HM_OK)
                goto out;
            continue;
        }
        res->rows_read++;
        if ((rc = process_record(x, &rec, err, errsz)) != HM_OK)
            goto out;
        if (x->o->progress && res->rows_read % 8192 == 0)
            x->o->progress(x->o->progress_ctx, x->path, res->rows_read, source_offset(r), size);
    }
    if (got < 0) {
        snprintf(res->reason, sizeof res->reason, "%s", csverr);
        rc = HM_EREJECTED;
        goto out;
    }
    rc = hm_summary_finish(&x->sum, x->db, err, errsz);
out:
    return rc;
}

/* Release everything a context holds. */
static void ctx_release(ingest_ctx *x)
{
    finalize_all(x);
    for (size_t i = 0; i < x->nheader; i++)
        free(x->header[i]);
    free(x->header);
    free(x->mapped);
    for (size_t i = 0; i < HM_MAX_COLUMNS; i++) {
        hm_strbuf_release(&x->val[i].s);
        hm_strbuf_release(&x->old[i].s);
    }
    hm_strbuf_release(&x->tmp);
    cache_clear(&x->own);
    free(x->own.spans);
    hm_summary_release(&x->sum);
    if (x->rej_fp) {
        fclose(x->rej_fp);
        unlink(x->rej_pending);
    }
    free(x->rej_final);
    free(x->rej_pending);
}

/*
 * Run one unit (a CSV file, or one sheet of a workbook) in a transaction
 * of its own, named name in ingest_log and rejects.  res holds the digest,
 * encoding and the kind known so far.
 */
static hm_error run_unit(sqlite3 *db, const char *name, const hm_ingest_opts *o,
                         hm_ingest_result *res, const char *started, row_source *src,
                         unsigned long long size, char *err, size_t errsz)
{
    ingest_ctx x;
    hm_error rc;
    bool in_tx = false;

    memset(&x, 0, sizeof x);
    hm_summary_init(&x.sum);
    x.db = db;
    x.o = o;
    x.res = res;
    x.path = name;
    x.k = res->kind;
    x.c = o->cache ? o->cache : &x.own;
    memcpy(x.now, started, sizeof x.now);

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
        goto out;
    }
    in_tx = true;
    if ((rc = log_insert(db, name, res, "loaded", started, &res->id, err, errsz)) != HM_OK ||
        (rc = prepare_common(&x, err, errsz)) != HM_OK)
        goto out;
    rc = load_rows(&x, src, size, err, errsz);
    /* The rejects file must be whole on disk before the rows it lists are
     * committed: a write error (a full disk) rejects the unit instead. */
    if (rc == HM_EIO) {
        snprintf(res->reason, sizeof res->reason, "%s", err);
        rc = HM_EREJECTED;
    }
    if (rc == HM_OK && rejects_close(&x, res->reason, sizeof res->reason) != HM_OK)
        rc = HM_EREJECTED;
    if (rc == HM_EREJECTED) {
        /* Roll the unit back, then record it alone. */
        finalize_all(&x);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        in_tx = false;
        cache_clear(x.c);
        res->kind = x.k;
        res->rows_read = res->rows_loaded = res->rows_updated = 0;
        res->rows_unchanged = res->rows_rejected = res->rows_warned = 0;
        res->status = HM_INGEST_REJECTED;
        rc = log_alone(db, name, res, "rejected", started, err, errsz);
        goto out;
    }
    if (rc != HM_OK)
        goto out;
    {
        sqlite3_stmt *st;
        char now[21];
        hm_time_format(hm_now(), now);
        if (sqlite3_prepare_v2(db,
                "UPDATE ingest_log SET kind = ?2, rows_read = ?3, rows_loaded = ?4,"
                " rows_updated = ?5, rows_unchanged = ?6, rows_rejected = ?7, rows_warned = ?8,"
                " finished_at = ?9 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
            rc = HM_EDB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, res->id);
        sqlite3_bind_text(st, 2, x.k->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, res->rows_read);
        sqlite3_bind_int64(st, 4, res->rows_loaded);
        sqlite3_bind_int64(st, 5, res->rows_updated);
        sqlite3_bind_int64(st, 6, res->rows_unchanged);
        sqlite3_bind_int64(st, 7, res->rows_rejected);
        sqlite3_bind_int64(st, 8, res->rows_warned);
        sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
            rc = HM_EDB;
            goto out;
        }
    }
    finalize_all(&x);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "cannot commit: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
        goto out;
    }
    in_tx = false;
    cache_forget(x.c, x.k);
    res->kind = x.k;
    res->status = HM_INGEST_LOADED;
    if (x.rej_final) {
        /* Should the process stop before this rename, the next ingest's
         * hm_ingest_recover finishes it. */
        res->rejects_path = hm_xstrdup(x.rej_final);
        if (hm_atomic_rename(x.rej_pending, x.rej_final) != HM_OK) {
            snprintf(err, errsz, "cannot move the rejects file into place as '%s': %s",
                     x.rej_final, strerror(errno));
            rc = HM_EIO;
        }
    }
out:
    if (in_tx) {
        finalize_all(&x);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        cache_clear(x.c);
    }
    ctx_release(&x);
    return rc;
}

/* Skip a file identical to one loaded before: true when skipped (logged). */
static bool skip_if_loaded(sqlite3 *db, const char *name, const hm_ingest_opts *o,
                           hm_ingest_result *res, const char *started, hm_error *rc,
                           char *err, size_t errsz)
{
    long long prev;
    if (o->force || (prev = loaded_before(db, res->sha256)) <= 0)
        return false;
    snprintf(res->reason, sizeof res->reason,
             "identical to a file loaded before (ingest %lld); use --force to read it again",
             prev);
    res->status = HM_INGEST_SKIPPED;
    *rc = log_alone(db, name, res, "skipped", started, err, errsz);
    return true;
}

hm_error hm_ingest_file(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_result *res, char *err, size_t errsz)
{
    char started[21];
    hm_encoding enc;
    size_t bom = 0;
    unsigned long long size = 0;
    hm_error rc;

    memset(res, 0, sizeof *res);
    hm_time_format(hm_now(), started);
    res->kind = hm_kind_by_filename(hm_path_base(path));

    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(res->reason, sizeof res->reason, "cannot open: %s", strerror(errno));
        res->status = HM_INGEST_REJECTED;
        return log_alone(db, path, res, "rejected", started, err, errsz);
    }
    rc = scan_file(fp, res, &enc, &bom, &size);
    if (rc != HM_OK) {
        fclose(fp);
        res->status = HM_INGEST_REJECTED;
        return log_alone(db, path, res, "rejected", started, err, errsz);
    }
    if (skip_if_loaded(db, path, o, res, started, &rc, err, errsz)) {
        fclose(fp);
        return rc;
    }
    rewind(fp);
    row_source src = { hm_csv_open(fp, enc, bom), NULL };
    if (!src.csv) {
        snprintf(res->reason, sizeof res->reason, "cannot convert from %s",
                 hm_encoding_name(enc));
        res->status = HM_INGEST_REJECTED;
        rc = log_alone(db, path, res, "rejected", started, err, errsz);
    } else {
        rc = run_unit(db, path, o, res, started, &src, size, err, errsz);
    }
    hm_csv_close(src.csv);
    fclose(fp);
    return rc;
}

/* ------------------------------------------------------------ workbooks */

/* True when path names an Excel workbook (by its extension). */
static bool is_workbook(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcasecmp(path + n - 5, ".xlsx") == 0;
}

/* Digest a file (no encoding: a workbook is binary). */
static hm_error digest_file(const char *path, hm_ingest_result *res, unsigned long long *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(res->reason, sizeof res->reason, "cannot open: %s", strerror(errno));
        return HM_EIO;
    }
    hm_error rc = digest_stream(fp, res, NULL, size);
    fclose(fp);
    return rc;
}

typedef struct sheet_ref {
    size_t index;
    const hm_kind *kind;    /* from the sheet's name, or NULL */
} sheet_ref;

static int cmp_sheets(const void *a, const void *b)
{
    const sheet_ref *x = a, *y = b;
    int ox = x->kind ? x->kind->load_order : -1, oy = y->kind ? y->kind->load_order : -1;
    if (ox != oy)
        return ox - oy;
    return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Ingest every data sheet of a workbook, in dependency order (by the kind
 * its name tells; sheets named otherwise first, their kind from the
 * header), each in its own transaction, as "FILE:SHEET".
 */
static hm_error ingest_workbook(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                                hm_ingest_cb cb, void *ctx, char *err, size_t errsz)
{
    hm_ingest_result res;
    char started[21];
    unsigned long long size;
    hm_error rc = HM_OK;
    hm_xlsx_book *book = NULL;
    sheet_ref *sheets = NULL;

    memset(&res, 0, sizeof res);
    hm_time_format(hm_now(), started);
    res.encoding = "xlsx";
    if (digest_file(path, &res, &size) != HM_OK) {
        res.status = HM_INGEST_REJECTED;
        if ((rc = log_alone(db, path, &res, "rejected", started, err, errsz)) == HM_OK)
            cb(ctx, path, &res);
        goto out;
    }
    if (skip_if_loaded(db, path, o, &res, started, &rc, err, errsz)) {
        if (rc == HM_OK)
            cb(ctx, path, &res);
        goto out;
    }
    book = hm_xlsx_open(path, res.reason, sizeof res.reason);
    if (!book) {
        res.status = HM_INGEST_REJECTED;
        if ((rc = log_alone(db, path, &res, "rejected", started, err, errsz)) == HM_OK)
            cb(ctx, path, &res);
        goto out;
    }
    size_t n = hm_xlsx_nsheets(book), nsheets = 0;
    sheets = hm_xcalloc(n ? n : 1, sizeof *sheets);
    for (size_t i = 0; i < n; i++) {
        const char *name = hm_xlsx_sheet_name(book, i);
        if (hm_xlsx_sheet_hidden(book, i) || hm_forms_aux_sheet(name))
            continue;
        sheets[nsheets].index = i;
        sheets[nsheets++].kind = hm_kind_by_filename(name);
    }
    qsort(sheets, nsheets, sizeof *sheets, cmp_sheets);
    if (nsheets == 0) {
        snprintf(res.reason, sizeof res.reason, "the workbook has no visible sheets");
        res.status = HM_INGEST_REJECTED;
        if ((rc = log_alone(db, path, &res, "rejected", started, err, errsz)) == HM_OK)
            cb(ctx, path, &res);
        goto out;
    }
    for (size_t i = 0; i < nsheets && rc == HM_OK; i++) {
        const char *sname = hm_xlsx_sheet_name(book, sheets[i].index);
        hm_strbuf unit = HM_STRBUF_INIT;
        hm_ingest_result r;
        memset(&r, 0, sizeof r);
        memcpy(r.sha256, res.sha256, sizeof r.sha256);
        r.encoding = "xlsx";
        r.kind = sheets[i].kind;
        hm_strbuf_addf(&unit, "%s:%s", path, sname);
        hm_time_format(hm_now(), started);
        row_source src = { NULL, hm_xlsx_sheet_open(book, sheets[i].index, r.reason,
                                                    sizeof r.reason) };
        if (!src.sheet) {
            r.status = HM_INGEST_REJECTED;
            rc = log_alone(db, unit.buf, &r, "rejected", started, err, errsz);
        } else {
            rc = run_unit(db, unit.buf, o, &r, started, &src, size, err, errsz);
            hm_xlsx_sheet_close(src.sheet);
        }
        if (rc == HM_OK)
            cb(ctx, unit.buf, &r);
        hm_ingest_result_release(&r);
        hm_strbuf_release(&unit);
    }
out:
    free(sheets);
    hm_xlsx_close(book);
    hm_ingest_result_release(&res);
    return rc;
}

hm_error hm_ingest_path(sqlite3 *db, const char *path, const hm_ingest_opts *o,
                        hm_ingest_cb cb, void *ctx, char *err, size_t errsz)
{
    if (is_workbook(path))
        return ingest_workbook(db, path, o, cb, ctx, err, errsz);
    hm_ingest_result res;
    hm_error rc = hm_ingest_file(db, path, o, &res, err, errsz);
    if (rc == HM_OK)
        cb(ctx, path, &res);
    hm_ingest_result_release(&res);
    return rc;
}


/* ----------------------------------------------------------- collect */

const hm_kind *hm_ingest_sniff_kind(const char *path)
{
    const hm_kind *k = hm_kind_by_filename(hm_path_base(path));
    if (k)
        return k;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    hm_ingest_result res;
    hm_encoding enc;
    size_t bom;
    unsigned long long size;
    memset(&res, 0, sizeof res);
    if (scan_file(fp, &res, &enc, &bom, &size) == HM_OK) {
        rewind(fp);
        hm_csv_reader *r = hm_csv_open(fp, enc, bom);
        hm_csv_record rec;
        const char *e;
        ingest_ctx x;
        memset(&x, 0, sizeof x);
        hm_summary_init(&x.sum);
        char reason[128];
        if (r && hm_csv_next(r, &rec, &e) == 1 && !rec.error &&
            read_header(&x, &rec, reason, sizeof reason))
            k = kind_from_header(x.header, x.nheader);
        hm_csv_close(r);
        ctx_release(&x);
    }
    fclose(fp);
    return k;
}

typedef struct collected {
    char *path;
    int order;      /* the kind's load order */
    size_t arg;     /* which argument named it */
} collected;

/* By kind, then by argument, then by name. */
static int cmp_collected(const void *a, const void *b)
{
    const collected *x = a, *y = b;
    if (x->order != y->order)
        return x->order - y->order;
    if (x->arg != y->arg)
        return x->arg < y->arg ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* True when name ends in ".csv" (any case). */
static bool is_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

hm_error hm_ingest_collect(char *const *args, size_t nargs, char ***files, size_t *nfiles,
                           char *err, size_t errsz)
{
    collected *list = NULL;
    size_t n = 0, cap = 0;
    hm_error rc = HM_OK;
    for (size_t a = 0; a < nargs; a++) {
        struct stat st;
        if (stat(args[a], &st) != 0) {
            snprintf(err, errsz, "cannot read '%s': %s", args[a], strerror(errno));
            rc = HM_EIO;
            goto out;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (n == cap)
                list = hm_xrealloc(list, (cap = cap ? cap * 2 : 16) * sizeof *list);
            list[n].path = hm_xstrdup(args[a]);
            list[n++].arg = a;
            continue;
        }
        DIR *d = opendir(args[a]);
        if (!d) {
            snprintf(err, errsz, "cannot read directory '%s': %s", args[a], strerror(errno));
            rc = HM_EIO;
            goto out;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || (!is_csv(e->d_name) && !is_workbook(e->d_name)))
                continue;
            if (n == cap)
                list = hm_xrealloc(list, (cap = cap ? cap * 2 : 16) * sizeof *list);
            list[n].path = hm_path_join(args[a], e->d_name);
            list[n++].arg = a;
        }
        closedir(d);
    }
    for (size_t i = 0; i < n; i++) {
        /* A workbook holds several kinds; it goes first, whole. */
        const hm_kind *k = is_workbook(list[i].path) ? NULL : hm_ingest_sniff_kind(list[i].path);
        list[i].order = is_workbook(list[i].path) ? -1 : k ? k->load_order : HM_NKINDS;
    }
    if (n)
        qsort(list, n, sizeof *list, cmp_collected);
    *files = hm_xcalloc(n ? n : 1, sizeof **files);
    for (size_t i = 0; i < n; i++)
        (*files)[i] = list[i].path;
    *nfiles = n;
    free(list);
    return HM_OK;
out:
    for (size_t i = 0; i < n; i++)
        free(list[i].path);
    free(list);
    return rc;
}
