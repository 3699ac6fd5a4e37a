/*
 * ingest_store.c - a checked row into its kind's table.  The SQL for a kind
 * (insert, select by key, update) is built from its column list once per
 * unit and reused for every row.  Columns the file does not have keep the
 * stored values of an existing row (an export without a 'notes' column
 * does not erase the notes), while a present but empty field sets NULL.
 *
 * A row whose key is already stored is compared with the stored one (the
 * parsed values, so "1,000.00" equals "1000" and a label its code): equal
 * is 'unchanged', different is 'updated' with the changed columns written
 * to audit as JSON.
 */
#include "himama/ingest_int.h"
#include "himama/db.h"

/* The database column of contract column c. */
static void column_sql_name(const hm_column *c, hm_strbuf *sb)
{
    hm_strbuf_adds(sb, c->name);
    if (c->type == HM_F_MONEY || c->type == HM_F_MONEY_POS)
        hm_strbuf_adds(sb, "_fen");
}

hm_error hm_ingest_prepare_kind(hm_ingest_ctx *x, char *err, size_t errsz)
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

hm_error hm_ingest_store_prepare(hm_ingest_ctx *x, char *err, size_t errsz)
{
    return hm_db_prepare(x->db, &x->st_audit,
            "INSERT INTO audit (ingest_id, table_name, key, old, new, at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errsz);
}

void hm_ingest_finalize(hm_ingest_ctx *x)
{
    sqlite3_stmt **all[] = {
        &x->st_select, &x->st_insert, &x->st_update, &x->st_overlap, &x->st_paired,
        &x->st_reject, &x->st_warn, &x->st_audit, &x->st_alias,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
    for (int i = 0; i <= HM_REF_FUND; i++) {
        sqlite3_finalize(x->st_ref[i]);
        x->st_ref[i] = NULL;
    }
}

/* Read column idx of st into slot v. */
static void column_slot(sqlite3_stmt *st, int idx, hm_slot *v)
{
    switch (sqlite3_column_type(st, idx)) {
    case SQLITE_NULL:
        v->t = HM_SLOT_NULL;
        break;
    case SQLITE_INTEGER:
        v->t = HM_SLOT_INT;
        v->i = sqlite3_column_int64(st, idx);
        break;
    default:
        v->t = HM_SLOT_TEXT;
        hm_strbuf_reset(&v->s);
        hm_strbuf_add(&v->s, sqlite3_column_text(st, idx), (size_t)sqlite3_column_bytes(st, idx));
        break;
    }
}

/* Copy slot src into dst. */
static void slot_copy(hm_slot *dst, const hm_slot *src)
{
    dst->t = src->t;
    dst->i = src->i;
    hm_strbuf_reset(&dst->s);
    if (src->t == HM_SLOT_TEXT)
        hm_strbuf_add(&dst->s, src->s.buf, src->s.len);
}

/* Append slot v as a JSON value. */
static void slot_json(hm_strbuf *sb, const hm_slot *v)
{
    switch (v->t) {
    case HM_SLOT_NULL: hm_strbuf_adds(sb, "null"); break;
    case HM_SLOT_INT: hm_strbuf_addf(sb, "%lld", (long long)v->i); break;
    case HM_SLOT_TEXT: hm_strbuf_add_json(sb, v->s.buf); break;
    }
}

/* The key of the current row as text for audit: one ID, or a JSON array. */
static void key_text(hm_ingest_ctx *x, hm_strbuf *sb)
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

/* Write the changed columns of the current row (x->old to x->val) to audit. */
static hm_error write_audit(hm_ingest_ctx *x, char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    hm_strbuf oldj = HM_STRBUF_INIT, newj = HM_STRBUF_INIT, key = HM_STRBUF_INIT;
    hm_strbuf_addc(&oldj, '{');
    hm_strbuf_addc(&newj, '{');
    int n = 0;
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (hm_slot_equal(&x->val[i], &x->old[i]))
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
    hm_error rc = hm_db_step_done(x->db, x->st_audit, err, errsz);
    hm_strbuf_release(&oldj);
    hm_strbuf_release(&newj);
    hm_strbuf_release(&key);
    return rc;
}

/* Bind the row and its ingest id and line to the insert or update st. */
static void bind_row(hm_ingest_ctx *x, sqlite3_stmt *st, long line)
{
    size_t n = x->k->ncolumns;
    for (size_t i = 0; i < n; i++)
        hm_slot_bind(st, (int)i + 1, &x->val[i]);
    sqlite3_bind_int64(st, (int)n + 1, x->res->id);
    sqlite3_bind_int64(st, (int)n + 2, line);
}

/* Read the stored row with the current row's key into x->old. */
static hm_error read_stored(hm_ingest_ctx *x, char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    sqlite3_stmt *st = x->st_select;
    for (size_t i = 0; i < k->ncolumns; i++)
        if (k->columns[i].key)
            hm_slot_bind(st, (int)i + 1, &x->val[i]);
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
    return HM_OK;
}

/*
 * The insert comes first and does nothing when the key exists (most rows
 * of a new file are new, so this saves a lookup); only then is the stored
 * row read, compared, and updated with audit.
 */
hm_error hm_ingest_store_row(hm_ingest_ctx *x, long line, char *err, size_t errsz)
{
    const hm_kind *k = x->k;
    hm_error rc;
    bind_row(x, x->st_insert, line);
    if ((rc = hm_db_step_done(x->db, x->st_insert, err, errsz)) != HM_OK)
        return rc;
    if (sqlite3_changes(x->db) > 0) {
        x->res->rows_loaded++;
        return hm_ingest_note_new(x, err, errsz);
    }
    if ((rc = read_stored(x, err, errsz)) != HM_OK)
        return rc;
    /* Columns the file lacks keep their stored values. */
    bool changed = false;
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (x->colmap[i] < 0)
            slot_copy(&x->val[i], &x->old[i]);
        else if (!hm_slot_equal(&x->val[i], &x->old[i]))
            changed = true;
    }
    if (!changed) {
        x->res->rows_unchanged++;
        return HM_OK;
    }
    if ((rc = write_audit(x, err, errsz)) != HM_OK)
        return rc;
    bind_row(x, x->st_update, line);
    if ((rc = hm_db_step_done(x->db, x->st_update, err, errsz)) != HM_OK)
        return rc;
    x->res->rows_updated++;
    return hm_ingest_note_changed(x, err, errsz);
}
