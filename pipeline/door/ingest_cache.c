/*
 * ingest_cache.c - the lookups ingest keeps from row to row: whether a
 * referenced ID exists (with a child's town), and the pairings of each
 * volunteer-child pair.  A national file references millions of IDs, so
 * each cache is bounded: past HM_INGEST_CACHE_CAP entries it starts afresh
 * (it only saves lookups).
 */
#include "himama/ingest_int.h"
#include "himama/db.h"

#include <stdlib.h>
#include <string.h>

void hm_ingest_cache_init(hm_ingest_cache *c)
{
    memset(c, 0, sizeof *c);
    hm_strset_init_val(&c->refs[HM_REF_CHILD], 4);   /* the town's entry in towns */
    hm_strset_init_val(&c->pairs, 8);
}

hm_ingest_cache *hm_ingest_cache_new(void)
{
    hm_ingest_cache *c = hm_xmalloc(sizeof(hm_ingest_cache));
    hm_ingest_cache_init(c);
    return c;
}

static void pairs_clear(hm_ingest_cache *c)
{
    hm_strset_release(&c->pairs);
    c->nspans = 0;
}

void hm_ingest_cache_clear(hm_ingest_cache *c)
{
    for (int i = 0; i <= HM_REF_FUND; i++)
        hm_strset_release(&c->refs[i]);
    hm_strset_release(&c->towns);
    pairs_clear(c);
}

void hm_ingest_cache_free(hm_ingest_cache *c)
{
    if (!c)
        return;
    hm_ingest_cache_clear(c);
    free(c->spans);
    free(c);
}

void hm_ingest_cache_forget(hm_ingest_cache *c, const hm_kind *k)
{
    if (!k) {
        hm_ingest_cache_clear(c);
        return;
    }
    for (int r = HM_REF_TOWN; r <= HM_REF_FUND; r++)
        if (hm_ref_kind((hm_ref)r) == k)
            hm_strset_release(&c->refs[r]);
    if (k->rules && (k->rules->flags & HM_RULE_PAIRING))
        pairs_clear(c);
}

hm_error hm_ingest_cache_prepare(hm_ingest_ctx *x, char *err, size_t errsz)
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
    return hm_db_prepare(x->db, &x->st_paired,
            "SELECT started_on, ended_on FROM pairings WHERE volunteer_id = ?1 AND child_id = ?2",
            err, errsz);
}

hm_error hm_ingest_ref_exists(hm_ingest_ctx *x, hm_ref ref, const hm_slot *v, bool *found,
                              int64_t *val, char *err, size_t errsz)
{
    long e = hm_strset_find(&x->c->refs[ref], v->s.buf, v->s.len);
    if (e >= 0) {
        *found = true;
        *val = hm_strset_val(&x->c->refs[ref], (size_t)e);
        return HM_OK;
    }
    if (x->c->refs[ref].n >= HM_INGEST_CACHE_CAP)
        hm_strset_release(&x->c->refs[ref]);
    sqlite3_stmt *st = x->st_ref[ref];
    hm_slot_bind(st, 1, v);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        /* A child is kept with its town. */
        *val = ref != HM_REF_CHILD ? 0
            : hm_strset_add(&x->c->towns, (const char *)sqlite3_column_text(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0), 0);
        if (*val >= 0)   /* else not kept: the lookup is only saved */
            hm_strset_add(&x->c->refs[ref], v->s.buf, v->s.len, *val);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(x->db));
        return HM_EDB;
    }
    if (*found && *val < 0) {
        snprintf(err, errsz, "the towns of the referenced children pass 4 GB");
        return HM_ENOMEM;
    }
    return HM_OK;
}

/* Load the pairings of volunteer v and child c into the cache under key;
 * *entry gets the cache entry. */
static hm_error load_pairs(hm_ingest_ctx *x, const hm_slot *v, const hm_slot *c,
                           const hm_strbuf *key, long *entry, char *err, size_t errsz)
{
    sqlite3_stmt *st = x->st_paired;
    hm_ingest_cache *ca = x->c;
    size_t first = ca->nspans;
    int rc;
    hm_slot_bind(st, 1, v);
    hm_slot_bind(st, 2, c);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t a, b;
        if (!hm_date_parse_iso((const char *)sqlite3_column_text(st, 0), &a))
            continue;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL ||
            !hm_date_parse_iso((const char *)sqlite3_column_text(st, 1), &b))
            b = INT32_MAX;
        if (ca->nspans + 2 > ca->spans_cap) {
            ca->spans_cap = ca->spans_cap ? ca->spans_cap * 2 : 1024;
            ca->spans = hm_xrealloc(ca->spans, ca->spans_cap * sizeof *ca->spans);
        }
        ca->spans[ca->nspans++] = a;
        ca->spans[ca->nspans++] = b;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errsz, "database error: %s", sqlite3_errmsg(x->db));
        return HM_EDB;
    }
    int64_t val = (int64_t)first | ((int64_t)(ca->nspans - first) / 2) << 32;
    if ((*entry = hm_strset_add(&ca->pairs, key->buf, key->len, val)) < 0) {
        snprintf(err, errsz, "the pairs of volunteer and child looked up pass 4 GB");
        return HM_ENOMEM;
    }
    return HM_OK;
}

hm_error hm_ingest_was_paired(hm_ingest_ctx *x, const hm_slot *v, const hm_slot *c,
                              int32_t day, bool *paired, char *err, size_t errsz)
{
    hm_strbuf key = HM_STRBUF_INIT;
    hm_error rc = HM_OK;
    *paired = false;
    hm_strbuf_add(&key, v->s.buf, v->s.len);
    hm_strbuf_addc(&key, '\x1f');
    hm_strbuf_add(&key, c->s.buf, c->s.len);
    long e = hm_strset_find(&x->c->pairs, key.buf, key.len);
    if (e < 0 && x->c->pairs.n >= HM_INGEST_CACHE_CAP)
        pairs_clear(x->c);
    if (e < 0 && (rc = load_pairs(x, v, c, &key, &e, err, errsz)) != HM_OK)
        goto out;
    int64_t val = hm_strset_val(&x->c->pairs, (size_t)e);
    size_t first = (size_t)(val & 0xffffffff), n = (size_t)(val >> 32);
    for (size_t i = 0; i < n && !*paired; i++)
        *paired = x->c->spans[first + 2 * i] <= day && day <= x->c->spans[first + 2 * i + 1];
out:
    hm_strbuf_release(&key);
    return rc;
}
