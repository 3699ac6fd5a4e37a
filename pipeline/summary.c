/*
 * summary.c - child_months and volunteer_months (see summary.h).
 */
#include "himama/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries per accumulator before it is merged into the database (about
 * 20 MB each at most). */
#define SUMMARY_CAP (1u << 18)

enum { CHILD = 0, VOLUNTEER = 1 };

static const char *const merge_sql[2] = {
    "INSERT INTO child_months (child_id, month, contacts, last_contact) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (child_id, month) DO UPDATE SET contacts = contacts + excluded.contacts,"
    " last_contact = max(last_contact, excluded.last_contact)",
    "INSERT INTO volunteer_months (volunteer_id, month, activities, last_activity)"
    " VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (volunteer_id, month) DO UPDATE SET activities = activities + excluded.activities,"
    " last_activity = max(last_activity, excluded.last_activity)",
};

void hm_summary_init(hm_summary *s)
{
    memset(s, 0, sizeof *s);
    s->cap = SUMMARY_CAP;
}

static void reset(hm_summary *s, int w)
{
    hm_strset_release(&s->keys[w]);
    hm_strset_init(&s->keys[w]);
}

void hm_summary_release(hm_summary *s)
{
    if (!s)
        return;
    for (int w = 0; w < 2; w++) {
        hm_strset_release(&s->keys[w]);
        free(s->acc[w]);
        sqlite3_finalize(s->st[w]);
    }
    hm_strset_release(&s->dirty);
    memset(s, 0, sizeof *s);
}

static const hm_strset *sort_set;

static int by_key(const void *a, const void *b)
{
    const hm_strset *k = sort_set;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    size_t li = k->len[i], lj = k->len[j];
    int c = memcmp(k->arena + k->off[i], k->arena + k->off[j], li < lj ? li : lj);
    return c ? c : (li > lj) - (li < lj);
}

/* Merge accumulator w into its table, in key order (the B-tree pages are
 * then visited once each), and empty it. */
static hm_error merge(hm_summary *s, sqlite3 *db, int w, char *err, size_t errsz)
{
    hm_strset *k = &s->keys[w];
    hm_error rc = HM_OK;
    if (k->n == 0)
        return HM_OK;
    if (!s->st[w] && sqlite3_prepare_v3(db, merge_sql[w], -1, SQLITE_PREPARE_PERSISTENT,
                                        &s->st[w], NULL) != SQLITE_OK) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    uint32_t *order = hm_xmalloc(k->n * sizeof *order);
    for (size_t i = 0; i < k->n; i++)
        order[i] = (uint32_t)i;
    sort_set = k;
    qsort(order, k->n, sizeof *order, by_key);
    sort_set = NULL;
    sqlite3_stmt *st = s->st[w];
    for (size_t i = 0; i < k->n && rc == HM_OK; i++) {
        uint32_t e = order[i];
        const char *key = k->arena + k->off[e];
        size_t len = k->len[e];          /* id, '\x1f', YYYY-MM */
        const hm_summary_acc *a = &s->acc[w][e];
        sqlite3_bind_text(st, 1, key, (int)(len - 8), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key + len - 7, 7, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, a->n);
        sqlite3_bind_text(st, 4, a->last, 10, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
            rc = HM_EDB;
        }
        sqlite3_reset(st);
    }
    sqlite3_clear_bindings(st);
    free(order);
    reset(s, w);
    return rc;
}

static hm_error count(hm_summary *s, sqlite3 *db, int w, const char *id, size_t len,
                      const char *date, char *err, size_t errsz)
{
    char key[128];
    if (len + 8 > sizeof key)
        len = sizeof key - 8;    /* ids are at most 32 code points; never here */
    memcpy(key, id, len);
    key[len] = '\x1f';
    memcpy(key + len + 1, date, 7);
    hm_strset *k = &s->keys[w];
    long e = hm_strset_find(k, key, len + 8);
    if (e < 0) {
        if (k->n >= s->cap) {
            hm_error rc = merge(s, db, w, err, errsz);
            if (rc != HM_OK)
                return rc;
        }
        e = hm_strset_add(k, key, len + 8, 0);
        if ((size_t)e >= s->acc_cap[w]) {
            s->acc_cap[w] = s->acc_cap[w] ? s->acc_cap[w] * 2 : 1024;
            s->acc[w] = hm_xrealloc(s->acc[w], s->acc_cap[w] * sizeof *s->acc[w]);
        }
        s->acc[w][e].n = 0;
        memcpy(s->acc[w][e].last, date, 10);
        s->acc[w][e].last[10] = '\0';
    }
    hm_summary_acc *a = &s->acc[w][e];
    a->n++;
    if (memcmp(date, a->last, 10) > 0)
        memcpy(a->last, date, 10);
    return HM_OK;
}

hm_error hm_summary_add(hm_summary *s, sqlite3 *db, const char *child, size_t child_len,
                        const char *volunteer, size_t volunteer_len, const char *date,
                        const char *type, char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    if (strcmp(type, "visit_teacher") != 0 && strcmp(type, "visit_guardian") != 0)
        rc = count(s, db, CHILD, child, child_len, date, err, errsz);
    if (rc == HM_OK)
        rc = count(s, db, VOLUNTEER, volunteer, volunteer_len, date, err, errsz);
    return rc;
}

void hm_summary_dirty(hm_summary *s, const char *date, size_t len)
{
    if (len >= 7)
        hm_strset_add(&s->dirty, date, 7, 0);
}

hm_error hm_summary_finish(hm_summary *s, sqlite3 *db, char *err, size_t errsz)
{
    hm_error rc = HM_OK;
    for (int w = 0; w < 2 && rc == HM_OK; w++)
        rc = merge(s, db, w, err, errsz);
    for (size_t m = 0; m < s->dirty.n && rc == HM_OK; m++) {
        char month[8];
        memcpy(month, s->dirty.arena + s->dirty.off[m], 7);
        month[7] = '\0';
        rc = hm_summary_recount(db, month, err, errsz);
    }
    hm_strset_release(&s->dirty);
    hm_strset_init(&s->dirty);
    for (int w = 0; w < 2; w++)
        reset(s, w);
    return rc;
}

hm_error hm_summary_recount(sqlite3 *db, const char *month, char *err, size_t errsz)
{
    /* One month: its rows are found by the activities_date index.  Every
     * month: one pass over activities. */
    static const char *const one[] = {
        "DELETE FROM child_months WHERE month = ?1",
        "INSERT INTO child_months (child_id, month, contacts, last_contact)"
        " SELECT child_id, ?1, count(*), max(date) FROM activities"
        " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " AND type NOT IN ('visit_teacher', 'visit_guardian')"
        " GROUP BY child_id",
        "DELETE FROM volunteer_months WHERE month = ?1",
        "INSERT INTO volunteer_months (volunteer_id, month, activities, last_activity)"
        " SELECT volunteer_id, ?1, count(*), max(date) FROM activities"
        " WHERE date BETWEEN ?1 || '-01' AND ?1 || '-31'"
        " GROUP BY volunteer_id",
    };
    static const char *const all[] = {
        "DELETE FROM child_months",
        "INSERT INTO child_months (child_id, month, contacts, last_contact)"
        " SELECT child_id, substr(date, 1, 7), count(*), max(date) FROM activities"
        " WHERE type NOT IN ('visit_teacher', 'visit_guardian')"
        " GROUP BY child_id, substr(date, 1, 7)",
        "DELETE FROM volunteer_months",
        "INSERT INTO volunteer_months (volunteer_id, month, activities, last_activity)"
        " SELECT volunteer_id, substr(date, 1, 7), count(*), max(date) FROM activities"
        " GROUP BY volunteer_id, substr(date, 1, 7)",
    };
    const char *const *sql = month ? one : all;
    for (size_t q = 0; q < 4; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
            return HM_EDB;
        }
        if (month)
            sqlite3_bind_text(st, 1, month, 7, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            snprintf(err, errsz, "database error: %s", sqlite3_errmsg(db));
            return HM_EDB;
        }
    }
    return HM_OK;
}
