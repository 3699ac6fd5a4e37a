/*
 * ingest_rules.c - the rules of a kind beyond its columns (hm_kind_rules
 * in kinds.h) at work: the order of dates within a row, pairings that may
 * not overlap, activities outside a pairing, and what a new or changed row
 * does to the summary tables (summary.h).  What a kind has of these is
 * data in its contract table; this file knows no kind by name.
 */
#include "himama/ingest_int.h"
#include "himama/db.h"

/* The header name as written for column i, or its English name. */
static const char *col_header(const hm_ingest_ctx *x, int i)
{
    return x->colmap[i] >= 0 ? x->header[x->colmap[i]] : x->k->columns[i].name;
}

/* Compare two date slots ('YYYY-MM-DD' text; NULL never compares). */
static bool date_before(const hm_slot *a, const hm_slot *b)
{
    return a->t == HM_SLOT_TEXT && b->t == HM_SLOT_TEXT && strcmp(a->s.buf, b->s.buf) < 0;
}

/* True when the row breaks rule r, which ties column a to column b being
 * r->code (NEEDED_WHEN, ONLY_WHEN); *column and reason then say how. */
static bool when_broken(const hm_ingest_ctx *x, const hm_order_rule *r, const char **column,
                        char *reason, size_t rsz)
{
    const hm_slot *a = &x->val[r->a], *b = &x->val[r->b];
    if (b->t != HM_SLOT_TEXT)
        return false;
    bool is_code = strcmp(b->s.buf, r->code) == 0, filled = a->t != HM_SLOT_NULL;
    if (r->test == HM_ORDER_NEEDED_WHEN ? !is_code || filled : is_code || !filled)
        return false;
    const hm_column *bc = &x->k->columns[r->b];
    const char *label = bc->enumeration ? hm_enum_label(bc->enumeration, b->s.buf) : NULL;
    char shown[96];
    snprintf(shown, sizeof shown, "%s%s%s", b->s.buf, label ? "/" : "", label ? label : "");
    *column = col_header(x, r->a);
    snprintf(reason, rsz, r->reason, shown, filled ? a->s.buf : "");
    return true;
}

/* True when the person born on a is under r->years old on b (AGE_AT). */
static bool too_young(const hm_slot *a, const hm_slot *b, int years)
{
    int32_t born, on;
    return a->t == HM_SLOT_TEXT && b->t == HM_SLOT_TEXT && hm_date_parse_iso(a->s.buf, &born) &&
           hm_date_parse_iso(b->s.buf, &on) && hm_date_age(born, on) < years;
}

/* True when the row breaks rule r; *column and reason then say how. */
static bool order_broken(const hm_ingest_ctx *x, const hm_order_rule *r, const char **column,
                         char *reason, size_t rsz)
{
    if (r->test == HM_ORDER_NEEDED_WHEN || r->test == HM_ORDER_ONLY_WHEN)
        return when_broken(x, r, column, reason, rsz);
    if (r->test == HM_ORDER_AGE_AT) {
        const hm_slot *a = &x->val[r->a], *b = &x->val[r->b];
        if (!too_young(a, b, r->years))
            return false;
        *column = col_header(x, r->a);
        snprintf(reason, rsz, r->reason, a->s.buf, b->s.buf);
        return true;
    }
    const hm_slot *a = &x->val[r->a], *b = &x->val[r->b];
    bool broken = r->test == HM_ORDER_NOT_BEFORE ? date_before(a, b)
                : a->t != HM_SLOT_NULL && b->t != HM_SLOT_NULL;
    if (broken) {
        *column = col_header(x, r->test == HM_ORDER_NOT_BEFORE ? r->a : r->b);
        snprintf(reason, rsz, r->reason, a->s.buf, b->s.buf);
    }
    return broken;
}

/* A pairing may not overlap another of the same volunteer and child. */
static hm_error check_overlap(hm_ingest_ctx *x, const char **column, char *reason,
                              size_t rsz, bool *ok, char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    const hm_slot *start = &x->val[r->start], *end = &x->val[r->end];
    char today[11];
    hm_date_format(x->o->today, today);
    sqlite3_stmt *st = x->st_overlap;
    hm_slot_bind(st, 1, &x->val[r->volunteer]);
    hm_slot_bind(st, 2, &x->val[r->child]);
    hm_slot_bind(st, 3, &x->val[r->id]);
    hm_slot_bind(st, 4, start);
    if (end->t == HM_SLOT_TEXT)
        hm_slot_bind(st, 5, end);
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
    return HM_OK;
}

hm_error hm_ingest_check_order(hm_ingest_ctx *x, const char **column, char *reason,
                               size_t rsz, bool *ok, char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    *ok = true;
    if (!r)
        return HM_OK;
    for (size_t i = 0; i < r->norder; i++) {
        if (order_broken(x, &r->order[i], column, reason, rsz)) {
            *ok = false;
            return HM_OK;
        }
    }
    if (!(r->flags & HM_RULE_PAIRING))
        return HM_OK;
    if (!x->st_overlap) {
        hm_error rc = hm_db_prepare(x->db, &x->st_overlap,
            "SELECT pairing_id, started_on, ended_on FROM pairings"
            " WHERE volunteer_id = ?1 AND child_id = ?2 AND pairing_id <> ?3"
            " AND started_on <= ?5 AND coalesce(ended_on, ?6) >= ?4 LIMIT 1", err, errsz);
        if (rc != HM_OK)
            return rc;
    }
    return check_overlap(x, column, reason, rsz, ok, err, errsz);
}

/* Outside-pairing rows of volunteer v and child c between from and to
 * (NULL: open) to be counted again (summary.h). */
static hm_error outside(hm_ingest_ctx *x, const hm_slot *v, const hm_slot *c,
                        const char *from, const char *to, char *err, size_t errsz)
{
    return hm_summary_outside_pairing(&x->sum, x->db, v->s.buf, v->s.len, c->s.buf, c->s.len,
                                      from, to, err, errsz);
}

/*
 * Monthly report: a pairing that is new (old NULL) or changed from old.
 * Its volunteer and child's activity rows outside a pairing are checked
 * again at the end of the file; a change also names the days the old
 * pairing covered and the new one may not (a superset is harmless).
 */
static hm_error note_pairing(hm_ingest_ctx *x, const hm_slot *now, const hm_slot *old,
                             char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    const hm_slot *v = &now[r->volunteer], *c = &now[r->child];
    hm_error rc = HM_OK;
    if (v->t == HM_SLOT_TEXT && c->t == HM_SLOT_TEXT)
        rc = outside(x, v, c, NULL, NULL, err, errsz);
    if (rc != HM_OK || !old)
        return rc;
    const hm_slot *ov = &old[r->volunteer], *oc = &old[r->child];
    const hm_slot *os = &old[r->start], *oe = &old[r->end];
    if (ov->t != HM_SLOT_TEXT || oc->t != HM_SLOT_TEXT || os->t != HM_SLOT_TEXT)
        return HM_OK;
    const char *oend = oe->t == HM_SLOT_TEXT ? oe->s.buf : NULL;
    const hm_slot *ns = &now[r->start], *ne = &now[r->end];
    bool same = v->t == HM_SLOT_TEXT && c->t == HM_SLOT_TEXT && hm_slot_equal(v, ov) &&
                hm_slot_equal(c, oc);
    if (!same)
        return outside(x, ov, oc, os->s.buf, oend, err, errsz);
    /* The same volunteer and child: the days lost at the start, the end. */
    if (ns->t == HM_SLOT_TEXT && strcmp(os->s.buf, ns->s.buf) < 0)
        rc = outside(x, ov, oc, os->s.buf, ns->s.buf, err, errsz);
    if (rc == HM_OK && ne->t == HM_SLOT_TEXT && (!oend || strcmp(ne->s.buf, oend) < 0))
        rc = outside(x, ov, oc, ne->s.buf, oend, err, errsz);
    return rc;
}

/* The current activity row as the summary tables take it, with its
 * child's town (looked up as a reference just before); false when its
 * date or type is missing (never so for a stored row). */
static bool activity_row(const hm_ingest_ctx *x, hm_summary_row *row)
{
    const hm_kind_rules *r = x->k->rules;
    const hm_slot *a = &x->val[r->id], *v = &x->val[r->volunteer];
    const hm_slot *c = &x->val[r->child], *d = &x->val[r->date], *t = &x->val[r->type];
    if (d->t != HM_SLOT_TEXT || d->s.len != 10 || t->t != HM_SLOT_TEXT)
        return false;
    const hm_strset *towns = &x->c->towns;
    *row = (hm_summary_row){
        .activity_id = a->s.buf, .activity_len = a->s.len,
        .child = c->s.buf, .child_len = c->s.len,
        .volunteer = v->s.buf, .volunteer_len = v->s.len,
        .date = d->s.buf, .type = t->s.buf,
    };
    if (x->child_town >= 0)
        row->town = hm_strset_key(towns, (size_t)x->child_town, &row->town_len);
    else
        row->town = "";
    if (x->k->id == HM_KIND_ACTIVITIES) {   /* the service hours (summary.h) */
        const hm_slot *m = &x->val[HM_COL_ACTIVITIES_MINUTES];
        row->has_minutes = m->t == HM_SLOT_INT;
        row->minutes = m->i;
    }
    return true;
}

/* Its child's spans to be computed again, for a row with values vals. */
static hm_error child_spans(hm_ingest_ctx *x, const hm_slot *vals, char *err, size_t errsz)
{
    const hm_slot *c = &vals[x->k->rules->child];
    return c->t == HM_SLOT_TEXT
           ? hm_summary_child(&x->sum, x->db, c->s.buf, c->s.len, err, errsz) : HM_OK;
}

hm_error hm_ingest_note_new(hm_ingest_ctx *x, char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    unsigned f = r ? r->flags : 0;
    hm_error rc = HM_OK;
    hm_summary_row row;
    if ((f & HM_RULE_ACTIVITY) && activity_row(x, &row))
        rc = hm_summary_activity(&x->sum, x->db, &row, err, errsz);
    if (rc == HM_OK && (f & HM_RULE_PAIRING))
        rc = note_pairing(x, x->val, NULL, err, errsz);
    if (rc == HM_OK && (f & HM_RULE_CHILD_SPANS))
        rc = child_spans(x, x->val, err, errsz);
    return rc;
}

hm_error hm_ingest_note_changed(hm_ingest_ctx *x, char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    unsigned f = r ? r->flags : 0;
    hm_error rc = HM_OK;
    if (f & HM_RULE_ACTIVITY) {
        /* The months of the new and the old date are counted again. */
        const hm_slot *d = &x->val[r->date], *od = &x->old[r->date];
        if (d->t == HM_SLOT_TEXT)
            hm_summary_dirty(&x->sum, d->s.buf, d->s.len);
        if (od->t == HM_SLOT_TEXT)
            hm_summary_dirty(&x->sum, od->s.buf, od->s.len);
    }
    if (f & HM_RULE_CHILD_SPANS) {
        rc = child_spans(x, x->val, err, errsz);
        if (rc == HM_OK)
            rc = child_spans(x, x->old, err, errsz);
    }
    if (rc == HM_OK && (f & HM_RULE_PAIRING))
        rc = note_pairing(x, x->val, x->old, err, errsz);
    if (rc == HM_OK && (f & HM_RULE_CHILD_TOWN) &&
        !hm_slot_equal(&x->val[r->town], &x->old[r->town])) {
        /* The child's activities count in its town's figures. */
        const hm_slot *c = &x->val[r->child];
        rc = hm_summary_child_town(&x->sum, x->db, c->s.buf, c->s.len, err, errsz);
    }
    return rc;
}

/*
 * A child's alias that another child of the same town already has: loaded,
 * with a warning naming the other child, since the public reports then tell
 * them apart by a number (小琪①, 小琪②) that staff may prefer to avoid by
 * choosing another alias.
 */
static hm_error alias_shared(hm_ingest_ctx *x, long line, char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    const hm_slot *a = &x->val[r->alias], *t = &x->val[r->town], *c = &x->val[r->id];
    hm_error rc;
    if (a->t != HM_SLOT_TEXT || t->t != HM_SLOT_TEXT || c->t != HM_SLOT_TEXT || !a->s.len)
        return HM_OK;
    if (!x->st_alias &&
        (rc = hm_db_prepare(x->db, &x->st_alias,
                            "SELECT child_id FROM children WHERE town_code = ?1"
                            " AND trim(alias) = ?2 AND child_id <> ?3 ORDER BY child_id LIMIT 1",
                            err, errsz)) != HM_OK)
        return rc;
    sqlite3_stmt *st = x->st_alias;
    sqlite3_bind_text(st, 1, t->s.buf, (int)t->s.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->s.buf, (int)a->s.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->s.buf, (int)c->s.len, SQLITE_STATIC);
    int s = sqlite3_step(st);
    char reason[512] = "";
    if (s == SQLITE_ROW)
        snprintf(reason, sizeof reason, "alias '%.100s' is also that of child '%.60s' of the "
                 "same town: public reports number them", a->s.buf,
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return hm_db_fail(x->db, err, errsz);
    if (!*reason)
        return HM_OK;
    x->res->rows_warned++;
    return hm_ingest_warn(x, line, reason, err, errsz);
}

hm_error hm_ingest_note_stored(hm_ingest_ctx *x, long line, bool loaded, bool updated,
                               char *err, size_t errsz)
{
    const hm_kind_rules *r = x->k->rules;
    if (r && (r->flags & HM_RULE_ALIAS) && (loaded || updated))
        return alias_shared(x, line, err, errsz);
    if (!r || !(r->flags & HM_RULE_ACTIVITY))
        return HM_OK;
    const hm_slot *v = &x->val[r->volunteer], *c = &x->val[r->child], *d = &x->val[r->date];
    int32_t day;
    bool paired;
    hm_error rc;
    if (!hm_date_parse_iso(d->s.buf, &day))
        day = INT32_MIN;   /* paired on no day */
    if ((rc = hm_ingest_was_paired(x, v, c, day, &paired, err, errsz)) != HM_OK)
        return rc;
    hm_summary_row row;
    if ((loaded || updated) && activity_row(x, &row) &&
        /* Monthly report: the rows outside a pairing (summary.h). */
        (rc = hm_summary_outside_row(&x->sum, x->db, &row, !paired, loaded, err,
                                     errsz)) != HM_OK)
        return rc;
    if (paired)
        return HM_OK;
    char reason[512];
    snprintf(reason, sizeof reason, "activity outside a pairing: volunteer '%s' and "
             "child '%s' were not paired on %s", v->s.buf, c->s.buf, d->s.buf);
    x->res->rows_warned++;
    return hm_ingest_warn(x, line, reason, err, errsz);
}
