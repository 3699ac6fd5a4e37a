/*
 * ingest_int.h - the parts of ingest, private to the door (and its tests).
 *
 *   ingest.c         the driver: files and workbooks, digests and
 *                    duplicates, one transaction per unit, the header
 *   ingest_rows.c    the row checks: a record's fields parsed by the
 *                    contract, references looked up, the order rules
 *   ingest_store.c   the kind's SQL, and a checked row stored or compared
 *   ingest_rules.c   the kind's rules of kinds.h (hm_kind_rules) at work:
 *                    order rules, pairings, and the summary tables
 *   ingest_rejects.c the rejects table and the rejects file, warnings
 *   ingest_cache.c   the lookups kept from row to row (references, pairs)
 *
 * Calls run down this list only (the driver calls the rest; nothing calls
 * the driver).  Nothing in these parts names a kind: what differs by kind
 * is in the contract tables of kinds.c.
 */
#ifndef HIMAMA_INGEST_INT_H
#define HIMAMA_INGEST_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "himama.h"
#include "himama/csv.h"
#include "himama/ingest.h"
#include "himama/kinds.h"
#include "himama/strset.h"
#include "himama/summary.h"
#include "himama/util.h"

/* Entries per cache of references or pairs before it starts afresh:
 * about 40 MB at most for each. */
#define HM_INGEST_CACHE_CAP (1u << 19)

/*
 * The budget of a unit: more than HM_UNIT_MAX_REJECTS rows rejected, or
 * more than HM_UNIT_MIN_REJECTS and more than half of its rows, and the
 * unit is given up whole, the first HM_UNIT_KEEP_REJECTS rejects kept in
 * its rejects file.  A header of more than HM_MAX_HEADER columns is
 * refused; more than HM_UNKNOWN_NAMED unknown columns make one warning.
 * A rejects file keeps HM_RAW_KEEP bytes of each cell and at most
 * HM_REJECT_ROW_KEEP bytes of cells per row.
 */
#define HM_UNIT_MAX_REJECTS 10000
#define HM_UNIT_MIN_REJECTS 1000
#define HM_UNIT_KEEP_REJECTS 1000
#define HM_MAX_HEADER 1024
#define HM_UNKNOWN_NAMED 5
#define HM_REJECT_ROW_KEEP 16384

typedef enum hm_slot_type { HM_SLOT_NULL, HM_SLOT_INT, HM_SLOT_TEXT } hm_slot_type;

/* One column's parsed (or stored) value. */
typedef struct hm_slot {
    hm_slot_type t;
    int64_t i;
    hm_strbuf s;
} hm_slot;

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

/* One unit's ingest: its header, its row and the statements. */
typedef struct hm_ingest_ctx {
    sqlite3 *db;
    const hm_ingest_opts *o;
    hm_ingest_result *res;
    const char *path;              /* the unit's name: FILE or FILE:SHEET */
    const char *sheet;             /* the sheet's name, or NULL for a CSV file */
    const hm_kind *k;
    /* header */
    size_t nheader;
    char **header;                 /* names as written (trimmed) */
    size_t header_trailing;        /* empty fields the header ended with (not columns) */
    int colmap[HM_MAX_COLUMNS];    /* contract column -> header field, or -1 */
    bool *mapped;                  /* header field -> is it a contract column */
    /* row values */
    hm_slot val[HM_MAX_COLUMNS];
    hm_slot old[HM_MAX_COLUMNS];
    hm_strbuf tmp;
    /* statements */
    sqlite3_stmt *st_select, *st_insert, *st_update;
    sqlite3_stmt *st_ref[HM_REF_FUND + 1];
    sqlite3_stmt *st_overlap, *st_paired, *st_reject, *st_warn, *st_audit;
    sqlite3_stmt *st_alias;        /* another child of the town with the alias */
    hm_ingest_cache own, *c;       /* c: the run's cache, or own (this unit's) */
    long child_town;               /* the row's child's town: an entry of c->towns */
    hm_summary sum;                /* activities: child_months and volunteer_months */
    /* The rejects file: written to a hidden ".pending" name, closed and
     * synced before the transaction commits, renamed into place after. */
    FILE *rej_fp;
    char *rej_final, *rej_pending;
    long rej_keep_end;             /* the file's length after HM_UNIT_KEEP_REJECTS rows */
    bool keep_rejects;             /* given up whole: keep the first rejects anyway */
    char now[21];
} hm_ingest_ctx;

/* ---------------------------------------------------------- slots */

/* Bind slot v to parameter idx of st.  The slot must outlive the step. */
static inline void hm_slot_bind(sqlite3_stmt *st, int idx, const hm_slot *v)
{
    switch (v->t) {
    case HM_SLOT_NULL: sqlite3_bind_null(st, idx); break;
    case HM_SLOT_INT: sqlite3_bind_int64(st, idx, v->i); break;
    case HM_SLOT_TEXT: sqlite3_bind_text(st, idx, v->s.buf, (int)v->s.len, SQLITE_STATIC); break;
    }
}

static inline bool hm_slot_equal(const hm_slot *a, const hm_slot *b)
{
    if (a->t != b->t)
        return false;
    if (a->t == HM_SLOT_INT)
        return a->i == b->i;
    if (a->t == HM_SLOT_TEXT)
        return a->s.len == b->s.len && memcmp(a->s.buf, b->s.buf, a->s.len) == 0;
    return true;
}

/* True when field f (n bytes) is empty or white space only, as the fields
 * of a blank line are. */
static inline bool hm_ingest_field_blank(const char *f, size_t n)
{
    size_t k;
    while (n > 0 && (k = hm_utf8_space(f, n)) > 0) {
        f += k;
        n -= k;
    }
    return n == 0;
}

/* --------------------------------------------------- ingest_cache.c */

/* An empty cache in c (hm_ingest_cache_new makes one). */
void hm_ingest_cache_init(hm_ingest_cache *c);
/* Forget every lookup (a unit rolled back). */
void hm_ingest_cache_clear(hm_ingest_cache *c);
/* A unit of kind k (NULL: unknown) committed: forget the lookups into its table. */
void hm_ingest_cache_forget(hm_ingest_cache *c, const hm_kind *k);
/* Prepare the reference lookups and the pairs lookup into x. */
hm_error hm_ingest_cache_prepare(hm_ingest_ctx *x, char *err, size_t errsz);
/*
 * Does v exist in the table ref refers to?  *found says; *val is then its
 * cached value (a child's town: an entry of x->c->towns, else 0).
 */
hm_error hm_ingest_ref_exists(hm_ingest_ctx *x, hm_ref ref, const hm_slot *v, bool *found,
                              int64_t *val, char *err, size_t errsz);
/* Was volunteer v paired with child c on day (since 1970-01-01)? */
hm_error hm_ingest_was_paired(hm_ingest_ctx *x, const hm_slot *v, const hm_slot *c,
                              int32_t day, bool *paired, char *err, size_t errsz);

/* ------------------------------------------------- ingest_rejects.c */

/*
 * Write one cell of a rejects file: its first HM_RAW_KEEP bytes (then
 * "…"), control characters made spaces, trimmed like a field, then
 * guarded with a leading ' when it starts like a formula, quoted when
 * needed.  Returns the bytes of the cell's text written.
 */
size_t hm_ingest_rejects_cell(FILE *fp, const char *s, size_t len);
/* The rejects file's name for ingest id and unit name (caller frees). */
char *hm_ingest_rejects_name(long long id, const char *unit);
/* The fields of rec that count: without the empty ones beyond the header's end. */
size_t hm_ingest_row_width(const hm_ingest_ctx *x, const hm_csv_record *rec);
/* Prepare the statements of rejects and warnings into x. */
hm_error hm_ingest_rejects_prepare(hm_ingest_ctx *x, char *err, size_t errsz);
/* Record a rejected record: in the rejects table and the rejects file. */
hm_error hm_ingest_reject(hm_ingest_ctx *x, const hm_csv_record *rec, const char *column,
                          const char *reason, char *err, size_t errsz);
/* Record a warning about line of the unit. */
hm_error hm_ingest_warn(hm_ingest_ctx *x, long line, const char *reason, char *err,
                        size_t errsz);
/* Flush, sync and close the pending rejects file; HM_EIO with reason set. */
hm_error hm_ingest_rejects_close(hm_ingest_ctx *x, char *reason, size_t rsz);
/* Close and remove a pending rejects file left open (a unit given up). */
void hm_ingest_rejects_abandon(hm_ingest_ctx *x);

/* --------------------------------------------------- ingest_rules.c */

/*
 * The kind's order rules (and, for a pairing, no overlap with another of
 * the same volunteer and child).  On a broken rule *ok is false and
 * *column and reason say which; HM_OK either way unless the database failed.
 */
hm_error hm_ingest_check_order(hm_ingest_ctx *x, const char **column, char *reason,
                               size_t rsz, bool *ok, char *err, size_t errsz);
/* A new row was stored: what it does to the summary tables. */
hm_error hm_ingest_note_new(hm_ingest_ctx *x, char *err, size_t errsz);
/* A stored row changed from x->old to x->val: what that does to the summaries. */
hm_error hm_ingest_note_changed(hm_ingest_ctx *x, char *err, size_t errsz);
/*
 * After the row was stored (new, updated or unchanged: loaded and updated
 * say which): an activity outside a pairing is counted as such and
 * warned about.
 */
hm_error hm_ingest_note_stored(hm_ingest_ctx *x, long line, bool loaded, bool updated,
                               char *err, size_t errsz);

/* --------------------------------------------------- ingest_store.c */

/* Build and prepare the kind's insert, select-by-key and update statements. */
hm_error hm_ingest_prepare_kind(hm_ingest_ctx *x, char *err, size_t errsz);
/* Prepare the audit statement. */
hm_error hm_ingest_store_prepare(hm_ingest_ctx *x, char *err, size_t errsz);
/* Finalize every statement of x (each part's too). */
void hm_ingest_finalize(hm_ingest_ctx *x);
/*
 * Store the checked row x->val read at line: loaded when new, updated
 * (with audit) when it differs from the stored one, else unchanged.
 */
hm_error hm_ingest_store_row(hm_ingest_ctx *x, long line, char *err, size_t errsz);

/* ---------------------------------------------------- ingest_rows.c */

/*
 * Map the header fields names[0..n) onto kind k: fills colmap; returns
 * the number of matched columns, or -1 when a column is named twice (*dup
 * names it).
 */
int hm_ingest_map_header(const hm_kind *k, char **names, size_t n, int *colmap,
                         const char **dup);
/* The first required column of k missing from colmap, or NULL. */
const hm_column *hm_ingest_missing_required(const hm_kind *k, const int *colmap);
/* The kind the header alone tells (the kind whose required columns are all
 * there and which matches the most), or NULL when none or a tie. */
const hm_kind *hm_ingest_kind_from_header(char **names, size_t n);
/* Clean the header record into x->header; false with reason. */
bool hm_ingest_read_header(hm_ingest_ctx *x, const hm_csv_record *rec, char *reason,
                           size_t rsz);
/* True when rec repeats the header line (two exports pasted together). */
bool hm_ingest_is_header_repeat(hm_ingest_ctx *x, const hm_csv_record *rec);
/*
 * Parse field (s, len) of contract column c into v; false with reason.
 * today is the last date allowed.
 */
bool hm_ingest_parse_field(const hm_column *c, const char *s, size_t len, int32_t today,
                           hm_strbuf *tmp, hm_slot *v, char *reason, size_t rsz);
/* Check one record and store it; a rejected record is recorded. */
hm_error hm_ingest_process_record(hm_ingest_ctx *x, const hm_csv_record *rec, char *err,
                                  size_t errsz);

#endif
