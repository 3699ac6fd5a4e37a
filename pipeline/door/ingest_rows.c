/*
 * ingest_rows.c - the checks of one record by the rules at the door: the
 * header mapped onto the kind's columns, every field parsed by its
 * column's type (a row is parsed into one slot per contract column),
 * references looked up, the kind's order rules; then the row is stored.
 * A record that fails a check is rejected with the column and the reason.
 */
#include "himama/ingest_int.h"
#include "himama/fields.h"

#include <stdlib.h>

/* Limits of DESIGN.md "Lengths", in code points. */
#define LEN_ID 32
#define LEN_NAME 64
#define LEN_TEXT 16384
#define LEN_LONGTEXT 262144

/* Store text t (n bytes) in v. */
static void slot_text(hm_slot *v, const char *t, size_t n)
{
    v->t = HM_SLOT_TEXT;
    hm_strbuf_reset(&v->s);
    hm_strbuf_add(&v->s, t, n);
}

bool hm_ingest_parse_field(const hm_column *c, const char *s, size_t len, int32_t today,
                           hm_strbuf *tmp, hm_slot *v, char *reason, size_t rsz)
{
    hm_clean_mode mode = (c->type == HM_F_NAME || c->type == HM_F_TEXT ||
                          c->type == HM_F_LONGTEXT) ? HM_CLEAN_TEXT : HM_CLEAN_CODE;
    if (!hm_field_clean(s, len, mode, tmp, reason, rsz))
        return false;
    v->t = HM_SLOT_NULL;
    if (tmp->len == 0) {
        if (c->required) {
            snprintf(reason, rsz, "required field is empty");
            return false;
        }
        return true;
    }
    const char *t = tmp->buf;
    size_t limit = 0;
    switch (c->type) {
    case HM_F_ID: limit = LEN_ID; break;
    case HM_F_NAME: limit = LEN_NAME; break;
    case HM_F_TEXT: case HM_F_PHONE: limit = LEN_TEXT; break;
    case HM_F_LONGTEXT: limit = LEN_LONGTEXT; break;
    default: break;
    }
    if (limit) {
        size_t n = hm_utf8_count(t, tmp->len);
        if (n > limit) {
            snprintf(reason, rsz, "too long: %zu characters, at most %zu allowed", n, limit);
            return false;
        }
        slot_text(v, t, tmp->len);
        return true;
    }
    switch (c->type) {
    case HM_F_DATE:
    case HM_F_BIRTHDATE:
    case HM_F_ADULT_BIRTHDATE: {
        int32_t min = c->type == HM_F_DATE ? hm_days_from_civil(2000, 1, 1)
                    : c->type == HM_F_BIRTHDATE ? hm_days_from_civil(1990, 1, 1)
                    : hm_days_from_civil(HM_ADULT_BIRTH_YEAR, 1, 1);
        int32_t days;
        char iso[11];
        if (!hm_field_date(t, min, today, &days, reason, rsz))
            return false;
        hm_date_format(days, iso);
        if (c->type == HM_F_ADULT_BIRTHDATE && hm_date_age(days, today) < HM_ADULT_MIN_AGE) {
            char now[11];
            hm_date_format(today, now);
            snprintf(reason, rsz, "born %s: under %d today (%s); a volunteer is %d or older",
                     iso, HM_ADULT_MIN_AGE, now, HM_ADULT_MIN_AGE);
            return false;
        }
        slot_text(v, iso, 10);
        return true;
    }
    case HM_F_MONEY:
    case HM_F_MONEY_POS:
        v->t = HM_SLOT_INT;
        return hm_field_money(t, c->type == HM_F_MONEY_POS, &v->i, reason, rsz);
    case HM_F_MINUTES: {
        int m;
        if (!hm_field_minutes(t, &m, reason, rsz))
            return false;
        v->t = HM_SLOT_INT;
        v->i = m;
        return true;
    }
    case HM_F_ENUM: {
        const char *code;
        if (!hm_field_enum(c->enumeration, t, &code, reason, rsz))
            return false;
        slot_text(v, code, strlen(code));
        return true;
    }
    case HM_F_NEEDS:
        v->t = HM_SLOT_TEXT;
        return hm_field_needs(t, &v->s, reason, rsz);
    default:
        break;
    }
    snprintf(reason, rsz, "internal error: unhandled column type");
    return false;
}

int hm_ingest_map_header(const hm_kind *k, char **names, size_t n, int *colmap,
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

const hm_column *hm_ingest_missing_required(const hm_kind *k, const int *colmap)
{
    for (size_t i = 0; i < k->ncolumns; i++)
        if (k->columns[i].required && colmap[i] < 0)
            return &k->columns[i];
    return NULL;
}

const hm_kind *hm_ingest_kind_from_header(char **names, size_t n)
{
    const hm_kind *best = NULL;
    int best_n = 0, ties = 0;
    int colmap[HM_MAX_COLUMNS];
    for (size_t i = 0; i < HM_NKINDS; i++) {
        const char *dup;
        int m = hm_ingest_map_header(&hm_kinds[i], names, n, colmap, &dup);
        if (m <= 0 || hm_ingest_missing_required(&hm_kinds[i], colmap))
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

bool hm_ingest_read_header(hm_ingest_ctx *x, const hm_csv_record *rec, char *reason,
                           size_t rsz)
{
    /* Empty fields at the header's end are not columns (a spreadsheet's
     * export may end every line with commas): counted, not kept. */
    size_t n = rec->nfield;
    while (n > 0 && hm_ingest_field_blank(rec->field[n - 1], rec->flen[n - 1]))
        n--;
    x->header_trailing = rec->nfield - n;
    x->nheader = n;
    x->header = hm_xcalloc(n ? n : 1, sizeof *x->header);
    for (size_t i = 0; i < n; i++) {
        if (!hm_field_clean(rec->field[i], rec->flen[i], HM_CLEAN_CODE, &x->tmp, reason, rsz))
            return false;
        x->header[i] = hm_xstrndup(x->tmp.buf, x->tmp.len);
    }
    return true;
}

bool hm_ingest_is_header_repeat(hm_ingest_ctx *x, const hm_csv_record *rec)
{
    char reason[8];
    if (hm_ingest_row_width(x, rec) != x->nheader || rec->error)
        return false;
    for (size_t i = 0; i < x->nheader; i++) {
        if (!hm_field_clean(rec->field[i], rec->flen[i], HM_CLEAN_CODE, &x->tmp, reason,
                            sizeof reason))
            return false;
        if (strcmp(x->tmp.buf, x->header[i]) != 0)
            return false;
    }
    return true;
}

/* What a reference names, for a reason. */
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

/*
 * The checks of a well-formed record before its fields: a count of fields
 * unlike the header's, a control character anywhere (even in an ignored
 * column; the contract's columns are checked as they are parsed).  False
 * when rejected (*column and reason say why).
 */
static bool record_ok(hm_ingest_ctx *x, const hm_csv_record *rec, const char **column,
                      char *reason, size_t rsz)
{
    /* Empty fields beyond the header's end are no value: the row may end
     * with commas, as its header may. */
    size_t width = hm_ingest_row_width(x, rec);
    if (width != x->nheader) {
        *column = "";
        snprintf(reason, rsz, "the row has %zu field%s, the header has %zu",
                 width, width == 1 ? "" : "s", x->nheader);
        return false;
    }
    for (size_t f = 0; f < x->nheader; f++) {
        if (!x->mapped[f] && !hm_field_clean(rec->field[f], rec->flen[f], HM_CLEAN_TEXT,
                                             &x->tmp, reason, rsz)) {
            *column = x->header[f];
            return false;
        }
    }
    return true;
}

/* Parse the contract's columns of rec into x->val; false when rejected. */
static bool parse_row(hm_ingest_ctx *x, const hm_csv_record *rec, const char **column,
                      char *reason, size_t rsz)
{
    for (size_t i = 0; i < x->k->ncolumns; i++) {
        int f = x->colmap[i];
        x->val[i].t = HM_SLOT_NULL;
        if (f < 0)
            continue;
        if (!hm_ingest_parse_field(&x->k->columns[i], rec->field[f], rec->flen[f],
                                   x->o->today, &x->tmp, &x->val[i], reason, rsz)) {
            *column = x->header[f];
            return false;
        }
    }
    return true;
}

/* Look up the row's references (and its child's town); *ok false when one
 * is unknown (*column and reason say which). */
static hm_error check_refs(hm_ingest_ctx *x, const char **column, char *reason, size_t rsz,
                           bool *ok, char *err, size_t errsz)
{
    *ok = true;
    x->child_town = -1;
    for (size_t i = 0; i < x->k->ncolumns; i++) {
        const hm_column *c = &x->k->columns[i];
        bool found;
        int64_t val;
        hm_error rc;
        if (c->ref == HM_REF_NONE || x->val[i].t == HM_SLOT_NULL)
            continue;
        if ((rc = hm_ingest_ref_exists(x, c->ref, &x->val[i], &found, &val, err,
                                       errsz)) != HM_OK)
            return rc;
        if (found && c->ref == HM_REF_CHILD)
            x->child_town = (long)val;
        if (!found) {
            snprintf(reason, rsz, "unknown %s '%s'", ref_noun(c->ref), x->val[i].s.buf);
            *column = x->header[x->colmap[i]];
            *ok = false;
            return HM_OK;
        }
    }
    return HM_OK;
}

hm_error hm_ingest_process_record(hm_ingest_ctx *x, const hm_csv_record *rec, char *err,
                                  size_t errsz)
{
    char reason[512];
    const char *column = "";
    hm_error rc;
    bool ok;

    if (rec->error) {
        column = rec->error_field >= 0 && (size_t)rec->error_field < x->nheader
                     ? x->header[rec->error_field] : "";
        return hm_ingest_reject(x, rec, column, rec->error, err, errsz);
    }
    if (!record_ok(x, rec, &column, reason, sizeof reason) ||
        !parse_row(x, rec, &column, reason, sizeof reason))
        return hm_ingest_reject(x, rec, column, reason, err, errsz);
    if ((rc = check_refs(x, &column, reason, sizeof reason, &ok, err, errsz)) != HM_OK)
        return rc;
    if (ok && (rc = hm_ingest_check_order(x, &column, reason, sizeof reason, &ok, err,
                                          errsz)) != HM_OK)
        return rc;
    if (!ok)
        return hm_ingest_reject(x, rec, column, reason, err, errsz);
    long long loaded = x->res->rows_loaded, updated = x->res->rows_updated;
    if ((rc = hm_ingest_store_row(x, rec->line, err, errsz)) != HM_OK)
        return rc;
    return hm_ingest_note_stored(x, rec->line, x->res->rows_loaded != loaded,
                                 x->res->rows_updated != updated, err, errsz);
}
