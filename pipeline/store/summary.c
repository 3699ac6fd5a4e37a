/*
 * summary.c - the summary tables (see summary.h).
 */
#include "himama/summary.h"
#include "himama/kinds.h"
#include "himama/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries per accumulator or set before it is merged into the database
 * (about 10 MB each at most).  2^18 took a whole national ingest to 267 MB
 * of peak memory, over the 256 MB limit; 2^17 keeps it at 231 MB, and the
 * merges it adds cost no measurable time (docs/performance.md). */
#define SUMMARY_CAP (1u << 17)

/* Whether child is paired in month (SQL expressions): a run of child_spans
 * holds the month. */
#define PAIRED_SQL(child, month) \
    "EXISTS (SELECT 1 FROM child_spans s WHERE s.child_id = " child \
    " AND s.first_month <= " month " AND s.last_month >= " month ")"

static const char *const merge_sql[HM_SUM_NACC] = {
    "INSERT INTO child_months (child_id, month, contacts, last_contact, types, paired)"
    " VALUES (?1, ?2, ?3, ?4, ?5, " PAIRED_SQL("?1", "?2") ")"
    " ON CONFLICT (child_id, month) DO UPDATE SET contacts = contacts + excluded.contacts,"
    " last_contact = max(last_contact, excluded.last_contact),"
    " types = types | excluded.types",
    "INSERT INTO volunteer_months (volunteer_id, month, activities, last_activity,"
    " participations, minutes, no_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (volunteer_id, month) DO UPDATE SET activities = activities + excluded.activities,"
    " last_activity = max(last_activity, excluded.last_activity),"
    " participations = participations + excluded.participations,"
    " minutes = minutes + excluded.minutes, no_minutes = no_minutes + excluded.no_minutes",
    "INSERT INTO month_events (month, type, events) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (month, type) DO UPDATE SET events = events + excluded.events",
    "INSERT INTO month_town_events (month, type, town_code, events) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (month, town_code, type) DO UPDATE SET events = events + excluded.events",
};

/* Monthly report: activity rows outside a pairing (at the end of this file). */
static void outside_release(hm_summary_outside *o);
static hm_error outside_check(hm_summary *s, sqlite3 *db, char *err, size_t errsz);

void hm_summary_init(hm_summary *s)
{
    memset(s, 0, sizeof *s);
    hm_strbuf_init(&s->cur_id);
    hm_strbuf_init(&s->cur_towns);
    hm_strbuf_init(&s->max);
    s->cap = SUMMARY_CAP;
    hm_strset_init_val(&s->type_bits, 8);
}

static void set_reset(hm_strset *k)
{
    hm_strset_release(k);
    hm_strset_init(k);
}

void hm_summary_release(hm_summary *s)
{
    if (!s)
        return;
    for (int w = 0; w < HM_SUM_NACC; w++) {
        hm_strset_release(&s->keys[w]);
        free(s->acc[w]);
        sqlite3_finalize(s->st[w]);
    }
    hm_strset_release(&s->dirty);
    hm_strset_release(&s->children);
    hm_strset_release(&s->type_bits);
    hm_strbuf_release(&s->cur_id);
    hm_strbuf_release(&s->cur_towns);
    hm_strbuf_release(&s->max);
    free(s->cur);
    sqlite3_finalize(s->st_event);
    sqlite3_finalize(s->st_child_months);
    sqlite3_finalize(s->st_crew);
    sqlite3_finalize(s->st_child);
    sqlite3_finalize(s->st_pairs);
    sqlite3_finalize(s->st_del);
    sqlite3_finalize(s->st_ins);
    sqlite3_finalize(s->st_flag);
    free(s->runs);
    outside_release(&s->out);
    memset(s, 0, sizeof *s);
}

/* The entries of set k in key order. */
static const hm_strset *sort_set;

static int by_key(const void *a, const void *b)
{
    const hm_strset *k = sort_set;
    size_t li, lj;
    const char *ki = hm_strset_key(k, *(const uint32_t *)a, &li);
    const char *kj = hm_strset_key(k, *(const uint32_t *)b, &lj);
    int c = memcmp(ki, kj, li < lj ? li : lj);
    return c ? c : (li > lj) - (li < lj);
}

static uint32_t *sorted(const hm_strset *k)
{
    uint32_t *order = hm_xmalloc((k->n ? k->n : 1) * sizeof *order);
    for (size_t i = 0; i < k->n; i++)
        order[i] = (uint32_t)i;
    sort_set = k;
    qsort(order, k->n, sizeof *order, by_key);
    sort_set = NULL;
    return order;
}

/* Merge accumulator w into its table, in key order (each B-tree page is
 * then visited once), and empty it. */
static hm_error merge(hm_summary *s, sqlite3 *db, int w, char *err, size_t errsz)
{
    hm_strset *k = &s->keys[w];
    hm_error rc;
    if (k->n == 0)
        return HM_OK;
    if ((rc = hm_db_prepare(db, &s->st[w], merge_sql[w], err, errsz)) != HM_OK)
        return rc;
    uint32_t *order = sorted(k);
    sqlite3_stmt *st = s->st[w];
    for (size_t i = 0; i < k->n && rc == HM_OK; i++) {
        uint32_t e = order[i];
        size_t len;
        const char *key = hm_strset_key(k, e, &len);
        const hm_summary_acc *a = &s->acc[w][e];
        if (w == HM_SUM_EVENTS) {         /* YYYY-MM, '\x1f', type */
            sqlite3_bind_text(st, 1, key, 7, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key + 8, (int)(len - 8), SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, a->n);
        } else if (w == HM_SUM_TOWN_EVENTS) {   /* YYYY-MM, '\x1f', type, '\x1f', town */
            const char *sep = memchr(key + 8, '\x1f', len - 8);
            size_t tl = sep ? (size_t)(sep - key - 8) : len - 8;
            sqlite3_bind_text(st, 1, key, 7, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key + 8, (int)tl, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, sep ? sep + 1 : "", sep ? (int)(len - 9 - tl) : 0,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, a->n);
        } else {                          /* id, '\x1f', YYYY-MM */
            sqlite3_bind_text(st, 1, key, (int)(len - 8), SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key + len - 7, 7, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, a->n);
            sqlite3_bind_text(st, 4, a->last, 10, SQLITE_STATIC);
            if (w == HM_SUM_CHILD)
                sqlite3_bind_int64(st, 5, a->types);
            if (w == HM_SUM_VOLUNTEER) {
                sqlite3_bind_int64(st, 5, a->parts);
                sqlite3_bind_int64(st, 6, a->minutes);
                sqlite3_bind_int64(st, 7, a->no_minutes);
            }
        }
        rc = hm_db_step_done(db, st, err, errsz);
    }
    sqlite3_clear_bindings(st);
    free(order);
    set_reset(k);
    return rc;
}

/* Add one to accumulator w under key (len bytes), with date; *out (when
 * not NULL) is its entry, valid until the next count into w. */
static hm_error count(hm_summary *s, sqlite3 *db, int w, const char *key, size_t len,
                      const char *date, int64_t types, hm_summary_acc **out,
                      char *err, size_t errsz)
{
    hm_strset *k = &s->keys[w];
    long e = hm_strset_find(k, key, len);
    if (e < 0) {
        if (k->n >= s->cap) {
            hm_error rc = merge(s, db, w, err, errsz);
            if (rc != HM_OK)
                return rc;
        }
        if ((e = hm_strset_add(k, key, len, 0)) < 0)
            return hm_fail(HM_ENOMEM, err, errsz, "summary keys: more than 4 GB");
        if ((size_t)e >= s->acc_cap[w]) {
            s->acc_cap[w] = s->acc_cap[w] ? s->acc_cap[w] * 2 : 1024;
            s->acc[w] = hm_xrealloc(s->acc[w], s->acc_cap[w] * sizeof *s->acc[w]);
        }
        s->acc[w][e] = (hm_summary_acc){ 0 };
        memcpy(s->acc[w][e].last, date, 10);
        s->acc[w][e].last[10] = '\0';
    }
    hm_summary_acc *a = &s->acc[w][e];
    a->n++;
    a->types |= types;
    if (memcmp(date, a->last, 10) > 0)
        memcpy(a->last, date, 10);
    if (out)
        *out = a;
    return HM_OK;
}

/* Count under "id\x1fYYYY-MM". */
static hm_error count_month(hm_summary *s, sqlite3 *db, int w, const char *id, size_t len,
                            const char *date, int64_t types, hm_summary_acc **out,
                            char *err, size_t errsz)
{
    char key[160];
    if (len + 8 > sizeof key)
        len = sizeof key - 8;    /* ids are at most 32 code points: never so */
    memcpy(key, id, len);
    key[len] = '\x1f';
    memcpy(key + len + 1, date, 7);
    return count(s, db, w, key, len + 8, date, types, out, err, errsz);
}

/*
 * Whether an activity row is the first of its activity, type and month
 * (it then counts in month_events), and the first of them with a child of
 * its town (month_town_events).  The rows of the current activity_id are
 * kept in s->cur.  An activity_id above every one in the database (s->max:
 * exports number their activities in order) has no other rows, and the
 * rows after it under the same id are known from s->cur; any other is
 * looked up once, with its children's towns.
 */

/* Add a row (type, date, town, volunteer, minutes or -1) to s->cur. */
static void cur_add(hm_summary *s, const char *type, size_t type_len, const char *date,
                    const char *town, size_t town_len, const char *vol, size_t vol_len,
                    int64_t minutes)
{
    if (s->ncur == s->cur_cap) {
        s->cur_cap = s->cur_cap ? s->cur_cap * 2 : 16;
        s->cur = hm_xrealloc(s->cur, s->cur_cap * sizeof *s->cur);
    }
    hm_summary_cur *c = &s->cur[s->ncur++];
    size_t n = type_len < sizeof c->type - 1 ? type_len : sizeof c->type - 1;
    memcpy(c->type, type, n);
    c->type[n] = '\0';
    memcpy(c->month, date, 7);
    c->month[7] = '\0';
    c->town = s->cur_towns.len;
    c->town_len = town_len;
    hm_strbuf_add(&s->cur_towns, town ? town : "", town_len);
    c->vol = s->cur_towns.len;
    c->vol_len = vol_len;
    hm_strbuf_add(&s->cur_towns, vol ? vol : "", vol_len);
    c->minutes = minutes;
}

/* Make s->cur the rows of r's activity in the database other than r. */
static hm_error cur_load(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                         char *err, size_t errsz)
{
    hm_error rc = hm_db_prepare(db, &s->st_event,
                          "SELECT a.type, a.date, c.town_code, a.volunteer_id, a.child_id,"
                          " a.minutes FROM activities a"
                          " LEFT JOIN children c ON c.child_id = a.child_id"
                          " WHERE a.activity_id = ?1", err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_stmt *st = s->st_event;
    s->ncur = 0;
    hm_strbuf_reset(&s->cur_towns);
    sqlite3_bind_text(st, 1, r->activity_id, (int)r->activity_len, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        size_t vl = (size_t)sqlite3_column_bytes(st, 3), cl = (size_t)sqlite3_column_bytes(st, 4);
        if (vl == r->volunteer_len && cl == r->child_len &&
            memcmp(sqlite3_column_text(st, 3), r->volunteer, vl) == 0 &&
            memcmp(sqlite3_column_text(st, 4), r->child, cl) == 0)
            continue;   /* r itself */
        const char *date = (const char *)sqlite3_column_text(st, 1);
        if (!date || sqlite3_column_bytes(st, 1) < 7)
            continue;
        cur_add(s, (const char *)sqlite3_column_text(st, 0),
                (size_t)sqlite3_column_bytes(st, 0), date,
                (const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2),
                (const char *)sqlite3_column_text(st, 3), vl,
                sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5));
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        return hm_db_fail(db, err, errsz);
    hm_strbuf_reset(&s->cur_id);
    hm_strbuf_add(&s->cur_id, r->activity_id, r->activity_len);
    s->cur_ok = true;
    return HM_OK;
}

/* The largest activity_id in the database (r's row included) into s->max. */
static hm_error max_load(hm_summary *s, sqlite3 *db, char *err, size_t errsz)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(activity_id) FROM activities", -1, &st, NULL)
        != SQLITE_OK)
        return hm_db_fail(db, err, errsz);
    int src = sqlite3_step(st);
    hm_strbuf_reset(&s->max);
    if (src == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        hm_strbuf_add(&s->max, (const char *)sqlite3_column_text(st, 0),
                      (size_t)sqlite3_column_bytes(st, 0));
    sqlite3_finalize(st);
    if (src != SQLITE_ROW)
        return hm_db_fail(db, err, errsz);
    s->max_ok = true;
    return HM_OK;
}

/* memcmp order of byte strings, as SQLite's BINARY collation. */
static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/*
 * What r adds to its volunteer's month: the activity is a new
 * participation unless another row of it in the month names the
 * volunteer (another child); its minutes are then the largest of those
 * rows' (SQL's max: rows without minutes ignored, none at all counts as
 * "no minutes").  prev is that largest of the other rows (-1: none has
 * minutes), seen whether there is any.
 */
static void hours_add(hm_summary_acc *a, const hm_summary_row *r, bool seen, int64_t prev)
{
    int64_t mine = r->has_minutes ? r->minutes : -1;
    if (!seen) {
        a->parts++;
        if (mine < 0)
            a->no_minutes++;
        else
            a->minutes += mine;
        return;
    }
    if (mine <= prev)
        return;                    /* the activity's minutes stay prev */
    a->minutes += mine - (prev < 0 ? 0 : prev);
    if (prev < 0)
        a->no_minutes--;           /* it has minutes now */
}

/* Whether r is the first row of its activity, type and month (*first),
 * and with a child of its town (*first_town); whether another row of the
 * activity in the month names r's volunteer (*seen) and the largest
 * minutes among those (*prev, -1: none).  Adds r to s->cur. */
static hm_error firsts(hm_summary *s, sqlite3 *db, const hm_summary_row *r, bool *first,
                       bool *first_town, bool *seen, int64_t *prev, char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    bool same = s->cur_ok && s->cur_id.len == r->activity_len &&
                memcmp(s->cur_id.buf, r->activity_id, r->activity_len) == 0;
    if (!same && s->max_ok &&
        bytes_cmp(r->activity_id, r->activity_len, s->max.buf, s->max.len) > 0) {
        /* Above every other: r is its activity's only row. */
        hm_strbuf_reset(&s->max);
        hm_strbuf_add(&s->max, r->activity_id, r->activity_len);
        s->ncur = 0;
        hm_strbuf_reset(&s->cur_towns);
        hm_strbuf_reset(&s->cur_id);
        hm_strbuf_add(&s->cur_id, r->activity_id, r->activity_len);
        s->cur_ok = true;
    } else if (!same) {
        if ((rc = cur_load(s, db, r, err, errsz)) != HM_OK)
            return rc;
        if (!s->max_ok && (rc = max_load(s, db, err, errsz)) != HM_OK)
            return rc;
    }
    size_t tl = strlen(r->type);
    *first = *first_town = true;
    *seen = false;
    *prev = -1;
    for (size_t i = 0; i < s->ncur; i++) {
        const hm_summary_cur *c = &s->cur[i];
        if (memcmp(c->month, r->date, 7) != 0)
            continue;
        if (c->vol_len == r->volunteer_len &&
            memcmp(s->cur_towns.buf + c->vol, r->volunteer, r->volunteer_len) == 0) {
            *seen = true;
            if (c->minutes > *prev)
                *prev = c->minutes;
        }
        if (strcmp(c->type, r->type) != 0)
            continue;
        *first = false;
        if (c->town_len == r->town_len &&
            memcmp(s->cur_towns.buf + c->town, r->town, r->town_len) == 0)
            *first_town = false;
    }
    cur_add(s, r->type, tl, r->date, r->town, r->town_len, r->volunteer, r->volunteer_len,
            r->has_minutes ? r->minutes : -1);
    return HM_OK;
}

/*
 * activity_crews: r's volunteer is new to its activity's month (firsts'
 * *seen false).  The other rows of the activity in the month (s->cur, r
 * itself last) name no volunteer, one, or several: with one, the activity
 * has several volunteers from now on, and that one and r's volunteer are
 * its crew; with several, they are in the table already and r's volunteer
 * joins them (INSERT OR IGNORE: a changed month is counted again at the
 * end of the file).  At most two rows per row, and only for the few
 * activities with several volunteers.
 */
static hm_error crew_add(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                         char *err, size_t errsz)
{
    size_t n = s->ncur ? s->ncur - 1 : 0;
    const hm_summary_cur *one = NULL;   /* the first other volunteer's row */
    bool several = false;
    for (size_t i = 0; i < n && !several; i++) {
        const hm_summary_cur *c = &s->cur[i];
        if (memcmp(c->month, r->date, 7) != 0)
            continue;
        if (!one)
            one = c;
        else
            several = bytes_cmp(s->cur_towns.buf + c->vol, c->vol_len,
                                s->cur_towns.buf + one->vol, one->vol_len) != 0;
    }
    if (!one)
        return HM_OK;
    hm_error rc = hm_db_prepare(db, &s->st_crew,
                                "INSERT OR IGNORE INTO activity_crews (month, activity_id,"
                                " volunteer_id) VALUES (?1, ?2, ?3)", err, errsz);
    for (int k = 0; k < (several ? 1 : 2) && rc == HM_OK; k++) {
        sqlite3_bind_text(s->st_crew, 1, r->date, 7, SQLITE_STATIC);
        sqlite3_bind_text(s->st_crew, 2, r->activity_id, (int)r->activity_len, SQLITE_STATIC);
        if (k == 0)
            sqlite3_bind_text(s->st_crew, 3, r->volunteer, (int)r->volunteer_len,
                              SQLITE_STATIC);
        else
            sqlite3_bind_text(s->st_crew, 3, s->cur_towns.buf + one->vol, (int)one->vol_len,
                              SQLITE_STATIC);
        rc = hm_db_step_done(db, s->st_crew, err, errsz);
    }
    return rc;
}

/* activity_types.bit of type t, read from the table the first time. */
static hm_error type_bit(hm_summary *s, sqlite3 *db, const char *t, int64_t *bit,
                         char *err, size_t errsz)
{
    if (s->type_bits.n == 0) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT code, bit FROM activity_types", -1, &st, NULL)
            != SQLITE_OK)
            return hm_db_fail(db, err, errsz);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW)
            hm_strset_add(&s->type_bits, (const char *)sqlite3_column_text(st, 0),
                          (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
        if (src != SQLITE_DONE)
            return hm_db_fail(db, err, errsz);
    }
    long e = hm_strset_find(&s->type_bits, t, strlen(t));
    *bit = e < 0 ? 0 : hm_strset_val(&s->type_bits, (size_t)e);
    return HM_OK;
}

hm_error hm_summary_activity(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                             char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    bool first = false;
    int64_t bit = 0;
    size_t tl = strlen(r->type);
    if (hm_activity_contact(r->type, tl) &&
        (rc = type_bit(s, db, r->type, &bit, err, errsz)) == HM_OK)
        rc = count_month(s, db, HM_SUM_CHILD, r->child, r->child_len, r->date, bit,
                         NULL, err, errsz);
    bool five = hm_activity_five_ones(r->type, tl), first_town = false, seen = false;
    int64_t prev = -1;
    if (rc == HM_OK)
        rc = firsts(s, db, r, &first, &first_town, &seen, &prev, err, errsz);
    hm_summary_acc *va = NULL;
    if (rc == HM_OK)
        rc = count_month(s, db, HM_SUM_VOLUNTEER, r->volunteer, r->volunteer_len, r->date,
                         0, &va, err, errsz);
    if (rc == HM_OK)
        hours_add(va, r, seen, prev);
    if (rc == HM_OK && !seen)
        rc = crew_add(s, db, r, err, errsz);
    if (rc == HM_OK && first && tl < 48) {
        char k[56];
        memcpy(k, r->date, 7);
        k[7] = '\x1f';
        memcpy(k + 8, r->type, tl);
        rc = count(s, db, HM_SUM_EVENTS, k, 8 + tl, r->date, 0, NULL, err, errsz);
    }
    if (rc == HM_OK && five && first_town) {
        hm_strbuf key = HM_STRBUF_INIT;
        hm_strbuf_add(&key, r->date, 7);
        hm_strbuf_addc(&key, '\x1f');
        hm_strbuf_add(&key, r->type, tl);
        hm_strbuf_addc(&key, '\x1f');
        hm_strbuf_add(&key, r->town ? r->town : "", r->town_len);
        rc = count(s, db, HM_SUM_TOWN_EVENTS, key.buf, key.len, r->date, 0, NULL, err,
                   errsz);
        hm_strbuf_release(&key);
    }
    return rc;
}

void hm_summary_dirty(hm_summary *s, const char *date, size_t len)
{
    s->cur_ok = false;   /* a row changed: look its activity up again */
    if (len >= 7)
        hm_strset_add(&s->dirty, date, 7, 0);
}

hm_error hm_summary_child_town(hm_summary *s, sqlite3 *db, const char *child, size_t len,
                               char *err, size_t errsz)
{
    hm_error rc = hm_db_prepare(db, &s->st_child_months,
                          "SELECT month FROM child_months WHERE child_id = ?1", err, errsz);
    if (rc != HM_OK)
        return rc;
    sqlite3_bind_text(s->st_child_months, 1, child, (int)len, SQLITE_STATIC);
    int src;
    while ((src = sqlite3_step(s->st_child_months)) == SQLITE_ROW)
        hm_summary_dirty(s, (const char *)sqlite3_column_text(s->st_child_months, 0),
                         (size_t)sqlite3_column_bytes(s->st_child_months, 0));
    sqlite3_reset(s->st_child_months);
    return src == SQLITE_DONE ? HM_OK : hm_db_fail(db, err, errsz);
}

/* ---------------------------------------------------------- spans */

static void month_text(int32_t m, char out[8])
{
    int y = (int)(m / 12) % 10000, mm = (int)(m % 12) + 1;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + mm / 10);
    out[6] = (char)('0' + mm % 10);
    out[7] = '\0';
}

static int by_start(const void *a, const void *b)
{
    int32_t x = ((const int32_t *)a)[0], y = ((const int32_t *)b)[0];
    return (x > y) - (x < y);
}

/* Compute child c's spans again; with flags, also its child_months.paired. */
static hm_error spans_one(hm_summary *s, sqlite3 *db, const char *c, size_t len, bool flags,
                          char *err, size_t errsz)
{
    hm_error rc;
    if ((rc = hm_db_prepare(db, &s->st_child,
                      "SELECT exited_on, town_code FROM children WHERE child_id = ?1",
                      err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(db, &s->st_pairs,
                      "SELECT started_on, ended_on FROM pairings WHERE child_id = ?1",
                      err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(db, &s->st_del, "DELETE FROM child_spans WHERE child_id = ?1",
                      err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(db, &s->st_ins,
                      "INSERT INTO child_spans (child_id, first_month, last_month, town_code)"
                      " VALUES (?1, ?2, ?3, ?4)", err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(db, &s->st_flag,
                      "UPDATE child_months SET paired = 1 - paired WHERE child_id = ?1"
                      " AND paired <> " PAIRED_SQL("?1", "child_months.month"),
                      err, errsz)) != HM_OK)
        return rc;

    sqlite3_bind_text(s->st_del, 1, c, (int)len, SQLITE_STATIC);
    if ((rc = hm_db_step_done(db, s->st_del, err, errsz)) != HM_OK)
        return rc;

    /* The child: gone (never so: children are not deleted) means no spans. */
    sqlite3_bind_text(s->st_child, 1, c, (int)len, SQLITE_STATIC);
    int src = sqlite3_step(s->st_child);
    char *exited = NULL, *town = NULL;
    if (src == SQLITE_ROW) {
        if (sqlite3_column_type(s->st_child, 0) != SQLITE_NULL)
            exited = hm_xstrdup((const char *)sqlite3_column_text(s->st_child, 0));
        town = hm_xstrdup((const char *)sqlite3_column_text(s->st_child, 1));
    }
    sqlite3_reset(s->st_child);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return hm_db_fail(db, err, errsz);

    size_t n = 0;
    if (town) {
        sqlite3_bind_text(s->st_pairs, 1, c, (int)len, SQLITE_STATIC);
        while ((src = sqlite3_step(s->st_pairs)) == SQLITE_ROW) {
            int32_t a, b;
            if (!hm_pairing_months((const char *)sqlite3_column_text(s->st_pairs, 0),
                                   (const char *)sqlite3_column_text(s->st_pairs, 1), exited,
                                   &a, &b))
                continue;
            if (2 * (n + 1) > s->runs_cap) {
                s->runs_cap = s->runs_cap ? s->runs_cap * 2 : 64;
                s->runs = hm_xrealloc(s->runs, s->runs_cap * sizeof *s->runs);
            }
            s->runs[2 * n] = a;
            s->runs[2 * n + 1] = b;
            n++;
        }
        sqlite3_reset(s->st_pairs);
        if (src != SQLITE_DONE) {
            free(town);
            free(exited);
            return hm_db_fail(db, err, errsz);
        }
    }
    if (n > 1)
        qsort(s->runs, n, 2 * sizeof *s->runs, by_start);
    /* Merge runs that overlap or touch, and store each. */
    for (size_t i = 0; i < n && rc == HM_OK;) {
        int32_t a = s->runs[2 * i], b = s->runs[2 * i + 1];
        size_t j = i + 1;
        for (; j < n && s->runs[2 * j] <= b + 1; j++)
            if (s->runs[2 * j + 1] > b)
                b = s->runs[2 * j + 1];
        char fm[8], lm[8];
        month_text(a, fm);
        month_text(b, lm);
        sqlite3_bind_text(s->st_ins, 1, c, (int)len, SQLITE_STATIC);
        sqlite3_bind_text(s->st_ins, 2, fm, 7, SQLITE_STATIC);
        sqlite3_bind_text(s->st_ins, 3, lm, 7, SQLITE_STATIC);
        sqlite3_bind_text(s->st_ins, 4, town, -1, SQLITE_STATIC);
        rc = hm_db_step_done(db, s->st_ins, err, errsz);
        i = j;
    }
    free(town);
    free(exited);
    if (rc == HM_OK && flags) {
        sqlite3_bind_text(s->st_flag, 1, c, (int)len, SQLITE_STATIC);
        rc = hm_db_step_done(db, s->st_flag, err, errsz);
    }
    return rc;
}

/* Compute the spans of every marked child, in key order; empty the set. */
static hm_error spans_marked(hm_summary *s, sqlite3 *db, char *err, size_t errsz)
{
    hm_strset *k = &s->children;
    hm_error rc = HM_OK;
    if (k->n == 0)
        return HM_OK;
    uint32_t *order = sorted(k);
    for (size_t i = 0; i < k->n && rc == HM_OK; i++) {
        size_t len;
        const char *child = hm_strset_key(k, order[i], &len);
        rc = spans_one(s, db, child, len, true, err, errsz);
    }
    free(order);
    set_reset(k);
    return rc;
}

hm_error hm_summary_child(hm_summary *s, sqlite3 *db, const char *child, size_t len,
                          char *err, size_t errsz)
{
    if (hm_strset_find(&s->children, child, len) >= 0)
        return HM_OK;
    if (s->children.n >= s->cap) {
        hm_error rc = spans_marked(s, db, err, errsz);
        if (rc != HM_OK)
            return rc;
    }
    if (hm_strset_add(&s->children, child, len, 0) < 0)
        return hm_fail(HM_ENOMEM, err, errsz, "summary children: more than 4 GB");
    return HM_OK;
}

/* ---------------------------------------------------------- finish */

hm_error hm_summary_finish(hm_summary *s, sqlite3 *db, char *err, size_t errsz)
{
    /* Spans first: the paired flags of merged child months read them. */
    hm_error rc = spans_marked(s, db, err, errsz);
    for (int w = 0; w < HM_SUM_NACC && rc == HM_OK; w++)
        rc = merge(s, db, w, err, errsz);
    for (size_t m = 0; m < s->dirty.n && rc == HM_OK; m++) {
        char month[8];
        memcpy(month, hm_strset_key(&s->dirty, m, NULL), 7);
        month[7] = '\0';
        rc = hm_summary_recount(db, month, err, errsz);
    }
    if (rc == HM_OK)
        rc = outside_check(s, db, err, errsz);
    set_reset(&s->dirty);
    set_reset(&s->children);
    for (int w = 0; w < HM_SUM_NACC; w++)
        set_reset(&s->keys[w]);
    s->cur_ok = s->max_ok = false;
    return rc;
}

/* Run each statement of sql with month bound to ?1 (when given). */
static hm_error run_all(sqlite3 *db, const char *const *sql, size_t n, const char *month,
                        char *err, size_t errsz)
{
    for (size_t q = 0; q < n; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK)
            return hm_db_fail(db, err, errsz);
        if (month)
            sqlite3_bind_text(st, 1, month, 7, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return hm_db_fail(db, err, errsz);
    }
    return HM_OK;
}


/* The types of a group of rows a joined to activity_types t: the sum of
 * their distinct bits. */
#define TYPES_SQL "coalesce(sum(DISTINCT t.bit), 0)"

/* volunteer_months from groups of one activity's rows naming the
 * volunteer in a month (n rows, the last date, m their largest minutes):
 * the hours' definition is summary.h's. */
#define VOLUNTEER_COLS \
    "volunteer_id, month, activities, last_activity, participations, minutes, no_minutes"
#define VOLUNTEER_SUMS \
    "sum(n), max(last), count(*), coalesce(sum(m), 0), count(*) - count(m)"
#define VOLUNTEER_DELETE "DELETE FROM volunteer_months"
#define VOLUNTEER_ALL \
    "INSERT INTO volunteer_months (" VOLUNTEER_COLS ")" \
    " SELECT volunteer_id, month, " VOLUNTEER_SUMS \
    " FROM (SELECT volunteer_id, substr(date, 1, 7) AS month, activity_id, count(*) AS n," \
    " max(date) AS last, max(minutes) AS m FROM activities" \
    " GROUP BY volunteer_id, substr(date, 1, 7), activity_id)" \
    " GROUP BY volunteer_id, month"

hm_error hm_summary_volunteer_recount(sqlite3 *db, char *err, size_t errsz)
{
    static const char *const sql[] = { VOLUNTEER_DELETE, VOLUNTEER_ALL };
    return run_all(db, sql, sizeof sql / sizeof sql[0], NULL, err, errsz);
}

/* activity_crews in full: per month and activity with two or more
 * volunteers, each of them. */
#define CREWS_DELETE "DELETE FROM activity_crews"
#define CREWS_ALL \
    "INSERT INTO activity_crews (month, activity_id, volunteer_id)" \
    " SELECT month, activity_id, volunteer_id" \
    " FROM (SELECT substr(date, 1, 7) AS month, activity_id, volunteer_id," \
    " count(*) OVER (PARTITION BY substr(date, 1, 7), activity_id) AS n" \
    " FROM activities GROUP BY substr(date, 1, 7), activity_id, volunteer_id)" \
    " WHERE n > 1"

hm_error hm_summary_crews_recount(sqlite3 *db, char *err, size_t errsz)
{
    static const char *const sql[] = { CREWS_DELETE, CREWS_ALL };
    return run_all(db, sql, sizeof sql / sizeof sql[0], NULL, err, errsz);
}

hm_error hm_summary_recount(sqlite3 *db, const char *month, char *err, size_t errsz)
{
    /* One month: its rows are found by the activities_date index. */
    static const char *const one[] = {
        "DELETE FROM child_months WHERE month = ?1",
        "INSERT INTO child_months (child_id, month, contacts, last_contact, types, paired)"
        " SELECT a.child_id, ?1, count(*), max(a.date), " TYPES_SQL ", "
        PAIRED_SQL("a.child_id", "?1")
        " FROM activities a JOIN activity_types t ON t.code = a.type"
        " WHERE a.date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " AND hm_contact(a.type)"
        " GROUP BY a.child_id",
        "DELETE FROM volunteer_months WHERE month = ?1",
        "INSERT INTO volunteer_months (" VOLUNTEER_COLS ")"
        " SELECT volunteer_id, ?1, " VOLUNTEER_SUMS
        " FROM (SELECT volunteer_id, activity_id, count(*) AS n, max(date) AS last,"
        " max(minutes) AS m FROM activities"
        " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " GROUP BY volunteer_id, activity_id)"
        " GROUP BY volunteer_id",
        "DELETE FROM month_events WHERE month = ?1",
        "INSERT INTO month_events (month, type, events)"
        " SELECT ?1, type, count(DISTINCT activity_id) FROM activities"
        " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " GROUP BY type",
        "DELETE FROM month_town_events WHERE month = ?1",
        "INSERT INTO month_town_events (month, town_code, type, events)"
        " SELECT ?1, c.town_code, a.type, count(DISTINCT a.activity_id)"
        " FROM activities a JOIN children c ON c.child_id = a.child_id"
        " WHERE a.date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " AND hm_five_ones(a.type)"
        " GROUP BY c.town_code, a.type",
        "DELETE FROM activity_crews WHERE month = ?1",
        "INSERT INTO activity_crews (month, activity_id, volunteer_id)"
        " SELECT ?1, activity_id, volunteer_id"
        " FROM (SELECT activity_id, volunteer_id,"
        " count(*) OVER (PARTITION BY activity_id) AS n FROM activities"
        " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " GROUP BY activity_id, volunteer_id)"
        " WHERE n > 1",
    };
    /* Every month: one pass over activities each, after the spans. */
    static const char *const all[] = {
        "DELETE FROM child_months",
        "INSERT INTO child_months (child_id, month, contacts, last_contact, types, paired)"
        " SELECT x.child_id, x.month, x.n, x.last, x.types, "
        PAIRED_SQL("x.child_id", "x.month")
        " FROM (SELECT a.child_id, substr(a.date, 1, 7) AS month, count(*) AS n,"
        " max(a.date) AS last, " TYPES_SQL " AS types"
        " FROM activities a JOIN activity_types t ON t.code = a.type"
        " WHERE hm_contact(a.type)"
        " GROUP BY a.child_id, substr(a.date, 1, 7)) x",
        VOLUNTEER_DELETE,
        VOLUNTEER_ALL,
        "DELETE FROM month_events",
        "INSERT INTO month_events (month, type, events)"
        " SELECT substr(date, 1, 7), type, count(DISTINCT activity_id) FROM activities"
        " GROUP BY substr(date, 1, 7), type",
        "DELETE FROM month_town_events",
        "INSERT INTO month_town_events (month, town_code, type, events)"
        " SELECT substr(a.date, 1, 7), c.town_code, a.type, count(DISTINCT a.activity_id)"
        " FROM activities a JOIN children c ON c.child_id = a.child_id"
        " WHERE hm_five_ones(a.type)"
        " GROUP BY substr(a.date, 1, 7), c.town_code, a.type",
        CREWS_DELETE,
        CREWS_ALL,
    };
    if (month)
        return run_all(db, one, sizeof one / sizeof one[0], month, err, errsz);

    hm_summary s;
    hm_summary_init(&s);
    sqlite3_stmt *st = NULL;
    hm_error rc = run_all(db, (const char *const[]){ "DELETE FROM child_spans" }, 1, NULL,
                          err, errsz);
    if (rc == HM_OK && sqlite3_prepare_v2(db, "SELECT child_id FROM children ORDER BY child_id",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = hm_db_fail(db, err, errsz);
    int src = SQLITE_DONE;
    while (rc == HM_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
        rc = spans_one(&s, db, (const char *)sqlite3_column_text(st, 0),
                       (size_t)sqlite3_column_bytes(st, 0), false, err, errsz);
    if (rc == HM_OK && src != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    hm_summary_release(&s);
    if (rc == HM_OK)
        rc = run_all(db, all, sizeof all / sizeof all[0], NULL, err, errsz);
    if (rc == HM_OK)
        rc = hm_summary_outside_recount(db, err, errsz);
    return rc;
}

/* ---------------------------------------------------------------------
 * Monthly report: activity rows outside a pairing (activity_outside).
 *
 * Ingest already asks, for every activity row it stores, whether a
 * pairing of its volunteer and child is active on its date (for the
 * warning); the answer goes to the table here, which costs a write only
 * for the few rows outside.  Pairings change after the activities were
 * loaded: a new or changed pairing can only bring rows of its volunteer
 * and child inside (those rows are in the table, found by its
 * activity_outside_pair index); a changed one can also take covered days
 * away, and the rows of those days are found by reading the months that
 * hold them from activities_date (no index on activities leads with the
 * volunteer or child, and one would slow every ingest).
 */

/* No pairing of ?2 and ?3 is active on ?4 (SQL). */
#define OUTSIDE_SQL(v, c, d) \
    "NOT EXISTS (SELECT 1 FROM pairings p WHERE p.volunteer_id = " v \
    " AND p.child_id = " c " AND p.started_on <= " d \
    " AND (p.ended_on IS NULL OR p.ended_on >= " d "))"

static void outside_release(hm_summary_outside *o)
{
    hm_strset_release(&o->pairs);
    hm_strset_release(&o->lost);
    free(o->spans);
    sqlite3_finalize(o->st_put);
    sqlite3_finalize(o->st_del);
    sqlite3_finalize(o->st_clear);
    sqlite3_finalize(o->st_scan);
    sqlite3_finalize(o->st_check);
    memset(o, 0, sizeof *o);
}

hm_error hm_summary_outside_row(hm_summary *s, sqlite3 *db, const hm_summary_row *r,
                                bool outside, bool is_new, char *err, size_t errsz)
{
    hm_summary_outside *o = &s->out;
    hm_error rc;
    sqlite3_stmt *st;
    if (!outside && is_new)
        return HM_OK;
    if (outside) {
        if ((rc = hm_db_prepare(db, &o->st_put,
                          "INSERT OR REPLACE INTO activity_outside"
                          " (activity_id, volunteer_id, child_id, date) VALUES (?1, ?2, ?3, ?4)",
                          err, errsz)) != HM_OK)
            return rc;
        st = o->st_put;
        sqlite3_bind_text(st, 4, r->date, 10, SQLITE_STATIC);
    } else {
        if ((rc = hm_db_prepare(db, &o->st_del,
                          "DELETE FROM activity_outside WHERE activity_id = ?1"
                          " AND volunteer_id = ?2 AND child_id = ?3", err, errsz)) != HM_OK)
            return rc;
        st = o->st_del;
    }
    sqlite3_bind_text(st, 1, r->activity_id, (int)r->activity_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->volunteer, (int)r->volunteer_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->child, (int)r->child_len, SQLITE_STATIC);
    return hm_db_step_done(db, st, err, errsz);
}

/* Check again the rows of the marked volunteers and children: those now
 * inside a pairing leave the table; in the months of lost days, rows of
 * pairs that lost days and are now outside enter it.  Empties the marks. */
static hm_error outside_check(hm_summary *s, sqlite3 *db, char *err, size_t errsz)
{
    hm_summary_outside *o = &s->out;
    hm_error rc = HM_OK;
    uint32_t *order = NULL;
    unsigned char *scan = NULL;
    if (o->pairs.n == 0)
        goto out;
    if ((rc = hm_db_prepare(db, &o->st_clear,
                      "DELETE FROM activity_outside WHERE volunteer_id = ?1 AND child_id = ?2"
                      " AND NOT " OUTSIDE_SQL("?1", "?2", "activity_outside.date"),
                      err, errsz)) != HM_OK)
        goto out;
    order = sorted(&o->pairs);
    for (size_t i = 0; i < o->pairs.n && rc == HM_OK; i++) {
        size_t len;
        const char *key = hm_strset_key(&o->pairs, order[i], &len);
        const char *sep = memchr(key, '\x1f', len);
        if (!sep)
            continue;
        sqlite3_bind_text(o->st_clear, 1, key, (int)(sep - key), SQLITE_STATIC);
        sqlite3_bind_text(o->st_clear, 2, sep + 1, (int)(len - (size_t)(sep - key) - 1),
                          SQLITE_STATIC);
        rc = hm_db_step_done(db, o->st_clear, err, errsz);
    }
    if (rc != HM_OK || o->nspans == 0)
        goto out;

    /* The months holding lost days, up to the last month with activities. */
    int32_t lo = HM_MONTH_OPEN, hi = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(date) FROM activities", -1, &st, NULL) != SQLITE_OK) {
        rc = hm_db_fail(db, err, errsz);
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        hi = hm_month_number((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    for (size_t i = 0; i < o->nspans; i += 2)
        if (o->spans[i] < lo)
            lo = o->spans[i];
    if (hi < 0 || lo > hi)
        goto out;
    scan = hm_xcalloc((size_t)(hi - lo + 1), 1);
    for (size_t i = 0; i < o->nspans; i += 2)
        for (int32_t m = o->spans[i]; m <= o->spans[i + 1] && m <= hi; m++)
            scan[m - lo] = 1;
    if ((rc = hm_db_prepare(db, &o->st_scan,
                      "SELECT activity_id, volunteer_id, child_id, date"
                      " FROM activities INDEXED BY activities_date"
                      " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'", err, errsz)) != HM_OK ||
        (rc = hm_db_prepare(db, &o->st_check,
                      "INSERT OR IGNORE INTO activity_outside"
                      " (activity_id, volunteer_id, child_id, date)"
                      " SELECT ?1, ?2, ?3, ?4 WHERE " OUTSIDE_SQL("?2", "?3", "?4"),
                      err, errsz)) != HM_OK)
        goto out;
    hm_strbuf key = HM_STRBUF_INIT;
    for (int32_t m = lo; m <= hi && rc == HM_OK; m++) {
        if (!scan[m - lo])
            continue;
        char month[8];
        month_text(m, month);
        sqlite3_bind_text(o->st_scan, 1, month, 7, SQLITE_STATIC);
        int src;
        while (rc == HM_OK && (src = sqlite3_step(o->st_scan)) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(o->st_scan, 1);
            const char *c = (const char *)sqlite3_column_text(o->st_scan, 2);
            size_t vl = (size_t)sqlite3_column_bytes(o->st_scan, 1);
            size_t cl = (size_t)sqlite3_column_bytes(o->st_scan, 2);
            hm_strbuf_reset(&key);
            hm_strbuf_add(&key, v ? v : "", vl);
            hm_strbuf_addc(&key, '\x1f');
            hm_strbuf_add(&key, c ? c : "", cl);
            if (hm_strset_find(&o->lost, key.buf, key.len) < 0)
                continue;
            for (int col = 0; col < 4; col++)
                sqlite3_bind_value(o->st_check, col + 1, sqlite3_column_value(o->st_scan, col));
            rc = hm_db_step_done(db, o->st_check, err, errsz);
        }
        if (rc == HM_OK && src != SQLITE_DONE)
            rc = hm_db_fail(db, err, errsz);
        sqlite3_reset(o->st_scan);
    }
    hm_strbuf_release(&key);
out:
    free(order);
    free(scan);
    set_reset(&o->pairs);
    set_reset(&o->lost);
    o->nspans = 0;
    return rc;
}

hm_error hm_summary_outside_pairing(hm_summary *s, sqlite3 *db, const char *volunteer,
                                    size_t vlen, const char *child, size_t clen,
                                    const char *lost_from, const char *lost_to,
                                    char *err, size_t errsz)
{
    hm_summary_outside *o = &s->out;
    hm_error rc = HM_OK;
    if (o->pairs.n >= s->cap && (rc = outside_check(s, db, err, errsz)) != HM_OK)
        return rc;
    hm_strbuf key = HM_STRBUF_INIT;
    hm_strbuf_add(&key, volunteer, vlen);
    hm_strbuf_addc(&key, '\x1f');
    hm_strbuf_add(&key, child, clen);
    if (hm_strset_add(&o->pairs, key.buf, key.len, 0) < 0)
        rc = hm_fail(HM_ENOMEM, err, errsz, "summary pairs: more than 4 GB");
    int32_t a = hm_month_number(lost_from);
    if (a >= 0) {
        int32_t b = lost_to ? hm_month_number(lost_to) : HM_MONTH_OPEN;
        if (b < a)
            b = a;
        if (hm_strset_add(&o->lost, key.buf, key.len, 0) < 0)
            rc = hm_fail(HM_ENOMEM, err, errsz, "summary pairs: more than 4 GB");
        if (o->nspans + 2 > o->spans_cap) {
            o->spans_cap = o->spans_cap ? o->spans_cap * 2 : 64;
            o->spans = hm_xrealloc(o->spans, o->spans_cap * sizeof *o->spans);
        }
        o->spans[o->nspans++] = a;
        o->spans[o->nspans++] = b;
    }
    hm_strbuf_release(&key);
    return rc;
}

hm_error hm_summary_outside_recount(sqlite3 *db, char *err, size_t errsz)
{
    static const char *const sql[] = {
        "DELETE FROM activity_outside",
        "INSERT INTO activity_outside (activity_id, volunteer_id, child_id, date)"
        " SELECT a.activity_id, a.volunteer_id, a.child_id, a.date FROM activities a"
        " WHERE " OUTSIDE_SQL("a.volunteer_id", "a.child_id", "a.date"),
    };
    return run_all(db, sql, sizeof sql / sizeof sql[0], NULL, err, errsz);
}
