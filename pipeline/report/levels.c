/*
 * levels.c - a per-town table rolled up by unit (levels.h).
 *
 * The towns' rows are sorted by their units' paths from the level shown
 * down (a town's query order kept within its unit), then written out
 * depth first: a unit's row (the sums of its towns' rows, its ratios
 * recomputed from them), its units below, its towns; the query's rows
 * with no town last; then, with a rank, the rows are ranked and ordered
 * among their siblings.
 */
#include "himama/levels.h"
#include "himama/db.h"
#include "himama/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NLEVEL = 3 };   /* province, city, district; then the towns */

/* What a new row is: a town's, a unit's, or a row of the query's with no town. */
enum { ROW_TOWN, ROW_UNIT, ROW_OTHER };

static const char *const level_zh[] = { "省", "市", "区县" };
static const char *const level_en[] = { "Province", "City", "District" };

/* A town's units: its paths at each level (NULL: none given), from town_units. */
typedef struct town_map {
    char *code;
    char *path[NLEVEL];
} town_map;

/* What one roll-up works on. */
typedef struct rollup {
    hm_table *t;
    size_t code, label;           /* the town code's and the label's columns */
    size_t nsum, *sum;            /* the summed columns */
    size_t nratio, (*ratio)[3];   /* rate, numerator, denominator */
    size_t rank, nkey, (*key)[2]; /* the ranked column (SIZE_MAX: none) and its keys: a
                                     column, or a numerator and denominator */
    const char *const *path_of;   /* per table row: NLEVEL paths (NULL: none) */
    int lv[NLEVEL + 1];           /* the levels shown, from the top; -1 ends */
    size_t *order;                /* the town rows, sorted */
    hm_value *out;                /* the new rows */
    unsigned char *depth;
    unsigned char *kind;          /* per new row: ROW_TOWN, ROW_UNIT or ROW_OTHER */
    size_t nout;
    bool en;
} rollup;

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const town_map *)a)->code, ((const town_map *)b)->code);
}

/* Every town's units from the view town_units, sorted by code. */
static hm_error map_read(sqlite3 *db, town_map **out, size_t *n, char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 64;
    *n = 0;
    *out = hm_xcalloc(cap, sizeof **out);
    hm_error rc = hm_db_prepare(db, &st, "SELECT town_code, province_path, city_path, "
                                "district_path FROM town_units", err, errsz);
    if (rc != HM_OK)
        return rc;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap)
            *out = hm_xrealloc(*out, (cap *= 2) * sizeof **out);
        town_map *m = &(*out)[(*n)++];
        m->code = hm_xstrdup((const char *)sqlite3_column_text(st, 0));
        for (int l = 0; l < NLEVEL; l++) {
            const char *p = (const char *)sqlite3_column_text(st, l + 1);
            m->path[l] = p ? hm_xstrdup(p) : NULL;
        }
    }
    if (s != SQLITE_DONE)
        rc = hm_db_fail(db, err, errsz);
    sqlite3_finalize(st);
    qsort(*out, *n, sizeof **out, cmp_code);
    return rc;
}

static void map_free(town_map *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].code);
        for (int l = 0; l < NLEVEL; l++)
            free(m[i].path[l]);
    }
    free(m);
}

/* The index of column name in t, or SIZE_MAX. */
static size_t column(const hm_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return SIZE_MAX;
}

/* "rank" is not COLUMN:KEY, KEY, ... of the section's columns. */
static hm_error rank_bad(const hm_tmpl_section *ts, char *err, size_t errsz)
{
    return hm_fail(HM_ETEMPLATE, err, errsz, "section '%s': rank wants COLUMN:KEY, KEY, "
                   "... (a key a column or NUMERATOR/DENOMINATOR of its columns), not '%s'",
                   ts->id, ts->rank);
}

/* The column of "rank = COL:KEY, KEY2, ..." and its keys. */
static hm_error rank_find(rollup *u, const hm_tmpl_section *ts, char *err, size_t errsz)
{
    u->rank = SIZE_MAX;
    if (!ts->rank)
        return HM_OK;
    const char *colon = strchr(ts->rank, ':');
    char name[64], num[64], den[64];
    if (!colon || (size_t)(colon - ts->rank) >= sizeof name)
        return rank_bad(ts, err, errsz);
    snprintf(name, sizeof name, "%.*s", (int)(colon - ts->rank), ts->rank);
    if ((u->rank = column(u->t, name)) == SIZE_MAX)
        return rank_bad(ts, err, errsz);
    u->key = hm_xcalloc(strlen(colon) + 1, sizeof *u->key);
    for (const char *k = colon + 1; *k;) {
        size_t n = strcspn(k, ",");
        char one[130];
        snprintf(one, sizeof one, "%.*s", (int)(n < 129 ? n : 129), k);
        int got = sscanf(one, " %63[^/ ] / %63[^ ]", num, den);
        if (got < 1 || (u->key[u->nkey][0] = column(u->t, num)) == SIZE_MAX)
            return rank_bad(ts, err, errsz);
        u->key[u->nkey][1] = got == 2 ? column(u->t, den) : SIZE_MAX;
        if (got == 2 && u->key[u->nkey][1] == SIZE_MAX)
            return rank_bad(ts, err, errsz);
        u->nkey++;
        k += n + (k[n] == ',');
    }
    return u->nkey ? HM_OK : rank_bad(ts, err, errsz);
}

/* Find the columns ts names; HM_ETEMPLATE when one is missing. */
static hm_error columns_find(rollup *u, const hm_tmpl_section *ts, char *err, size_t errsz)
{
    hm_table *t = u->t;
    u->code = column(t, ts->levels);
    u->label = SIZE_MAX;
    for (size_t c = 0; c < t->ncol && u->label == SIZE_MAX; c++)
        if (c != u->code && t->cols[c].format == HM_FMT_TEXT)
            u->label = c;
    if (u->code == SIZE_MAX || u->label == SIZE_MAX)
        return hm_fail(HM_ETEMPLATE, err, errsz, "section '%s': levels needs the column "
                       "'%s' and a text column to name the units", ts->id, ts->levels);
    u->sum = hm_xcalloc(ts->nsums + 1, sizeof *u->sum);
    for (size_t i = 0; i < ts->nsums; i++)
        if ((u->sum[u->nsum++] = column(t, ts->sums[i])) == SIZE_MAX)
            return hm_fail(HM_ETEMPLATE, err, errsz, "section '%s': sums names '%s', not "
                           "one of its columns", ts->id, ts->sums[i]);
    u->ratio = hm_xcalloc(ts->nratios + 1, sizeof *u->ratio);
    for (size_t i = 0; i < ts->nratios; i++) {
        char rate[64], num[64], den[64];
        if (sscanf(ts->ratios[i], "%63[^:]:%63[^/]/%63s", rate, num, den) != 3 ||
            (u->ratio[i][0] = column(t, rate)) == SIZE_MAX ||
            (u->ratio[i][1] = column(t, num)) == SIZE_MAX ||
            (u->ratio[i][2] = column(t, den)) == SIZE_MAX)
            return hm_fail(HM_ETEMPLATE, err, errsz, "section '%s': ratios wants "
                           "RATE:NUMERATOR/DENOMINATOR of its columns, not '%s'", ts->id,
                           ts->ratios[i]);
        u->nratio++;
    }
    return rank_find(u, ts, err, errsz);
}

/* Whether two paths (either may be NULL) are the same unit. */
static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* NULL last, then by path. */
static int cmp_path(const char *a, const char *b)
{
    if (!a || !b)
        return (a == NULL) - (b == NULL);
    return strcmp(a, b);
}

/* Row a before row b: by their units' paths at the levels shown, then in query order. */
static int cmp_rows(const rollup *u, size_t a, size_t b)
{
    for (int k = 0; u->lv[k] >= 0; k++) {
        int l = u->lv[k];
        int c = cmp_path(u->path_of[a * NLEVEL + l], u->path_of[b * NLEVEL + l]);
        if (c)
            return c;
    }
    return (a > b) - (a < b);
}

/* Sort v[0..n) by cmp_rows (a merge sort: two threads may roll up at once, and qsort
 * takes no argument). */
static void rows_sort(const rollup *u, size_t *v, size_t n, size_t *tmp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    rows_sort(u, v, h, tmp);
    rows_sort(u, v + h, n - h, tmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_rows(u, v[i], v[j]) <= 0 ? v[i++] : v[j++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Copy value v (its text duplicated). */
static hm_value copy(const hm_value *v)
{
    hm_value w = *v;
    if (w.type == HM_V_TEXT)
        w.s = hm_xstrdup(w.s);
    return w;
}

/* Append table row r (a copy), a row of kind k, at depth d. */
static void put_row(rollup *u, size_t r, unsigned char d, unsigned char k)
{
    size_t nc = u->t->ncol;
    for (size_t c = 0; c < nc; c++)
        u->out[u->nout * nc + c] = copy(&u->t->cells[r * nc + c]);
    u->kind[u->nout] = k;
    u->depth[u->nout++] = d;
}

/* The number in v (0 for NULL or text). */
static double num(const hm_value *v)
{
    return v->type == HM_V_INT ? (double)v->i : v->type == HM_V_REAL ? v->r : 0.0;
}

/* Append the row of the unit whose towns are order[lo..hi), named label, at depth d. */
static void put_unit(rollup *u, size_t lo, size_t hi, const char *label, unsigned char d)
{
    size_t nc = u->t->ncol;
    hm_value *row = &u->out[u->nout * nc];
    memset(row, 0, nc * sizeof *row);
    row[u->label] = (hm_value){ .type = HM_V_TEXT, .s = hm_xstrdup(label) };
    for (size_t k = 0; k < u->nsum; k++) {
        hm_value *s = &row[u->sum[k]];
        s->type = HM_V_INT;
        for (size_t i = lo; i < hi; i++) {
            const hm_value *v = &u->t->cells[u->order[i] * nc + u->sum[k]];
            if (v->type == HM_V_REAL && s->type == HM_V_INT) {
                s->type = HM_V_REAL;
                s->r = (double)s->i;
            }
            if (s->type == HM_V_INT && v->type == HM_V_INT)
                s->i += v->i;
            else if (s->type == HM_V_REAL)
                s->r += num(v);
        }
    }
    for (size_t k = 0; k < u->nratio; k++) {
        double n = num(&row[u->ratio[k][1]]), dn = num(&row[u->ratio[k][2]]);
        if (dn != 0)
            row[u->ratio[k][0]] = (hm_value){ .type = HM_V_REAL, .r = n / dn };
    }
    u->kind[u->nout] = ROW_UNIT;
    u->depth[u->nout++] = d;
}

/* The last key of a path ("江苏省/南通市" -> "南通市"), or the "not given" label. */
static const char *unit_label(const rollup *u, const char *path)
{
    if (!path)
        return u->en ? "(not given)" : "（未标明）";
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Write the towns order[lo..hi) from level k of lv down, depth d first. */
static void emit(rollup *u, int k, size_t lo, size_t hi, unsigned char d)
{
    int l = u->lv[k];
    if (l < 0) {
        for (size_t i = lo; i < hi; i++)
            put_row(u, u->order[i], d, ROW_TOWN);
        return;
    }
    for (size_t a = lo; a < hi;) {
        const char *p = u->path_of[u->order[a] * NLEVEL + l];
        size_t b = a + 1;
        while (b < hi && same(u->path_of[u->order[b] * NLEVEL + l], p))
            b++;
        put_unit(u, a, b, unit_label(u, p), d);
        emit(u, k + 1, a, b, (unsigned char)(d + 1));
        a = b;
    }
}

/*
 * The levels to show, from the first whose towns lie in more than one unit
 * down to the last that any town gives; false when there is none (every
 * town in one unit at every level).
 */
static bool levels_pick(rollup *u, const size_t *towns, size_t n)
{
    int k = 0, first = -1;
    for (int l = 0; l < NLEVEL; l++) {
        bool split = false, given = false;
        for (size_t i = 0; i < n; i++) {
            const char *p = u->path_of[towns[i] * NLEVEL + l];
            given |= p != NULL;
            split |= !same(p, u->path_of[towns[0] * NLEVEL + l]);
        }
        if (first < 0 && split)
            first = l;
        if (first >= 0 && given)
            u->lv[k++] = l;
    }
    u->lv[k] = -1;
    return first >= 0;
}

/* Key k of new row r (NaN: none, a NULL or a zero denominator). */
static double rank_key(const rollup *u, size_t r, size_t k)
{
    const hm_value *row = &u->out[r * u->t->ncol];
    const hm_value *n = &row[u->key[k][0]];
    if (n->type != HM_V_INT && n->type != HM_V_REAL)
        return NAN;
    if (u->key[k][1] == SIZE_MAX)
        return num(n);
    double dn = num(&row[u->key[k][1]]);
    return dn != 0 ? num(n) / dn : NAN;
}

/* Whether new row a ranks before new row b: by the keys in turn, highest first, none last. */
static bool ranks_before(const rollup *u, size_t a, size_t b)
{
    for (size_t k = 0; k < u->nkey; k++) {
        double x = rank_key(u, a, k), y = rank_key(u, b, k);
        if (isnan(x) || isnan(y)) {
            if (isnan(x) != isnan(y))
                return isnan(y);
            continue;
        }
        if (x != y)
            return x > y;
    }
    return false;
}

/*
 * Rank every town's and unit's row among its siblings (the rows of its
 * depth under the same unit row): 1 plus the siblings ranking before it,
 * as SQL's rank() does.  The query's rows with no town keep theirs.
 */
static void rank_all(rollup *u)
{
    size_t nc = u->t->ncol;
    for (size_t r = 0; r < u->nout; r++) {
        if (u->kind[r] == ROW_OTHER)
            continue;
        int64_t before = 0;
        unsigned char d = u->depth[r];
        for (size_t j = r; j-- > 0 && u->depth[j] >= d;)
            before += u->depth[j] == d && u->kind[j] != ROW_OTHER && ranks_before(u, j, r);
        for (size_t j = r + 1; j < u->nout && u->depth[j] >= d; j++)
            before += u->depth[j] == d && u->kind[j] != ROW_OTHER && ranks_before(u, j, r);
        hm_value *v = &u->out[r * nc + u->rank];
        if (v->type == HM_V_TEXT)
            free(v->s);
        *v = (hm_value){ .type = HM_V_INT, .i = before + 1 };
    }
}

/* The rank new row r holds (after rank_all). */
static int64_t rank_of(const rollup *u, size_t r)
{
    return u->out[r * u->t->ncol + u->rank].i;
}

/*
 * Order the blocks of idx[lo..hi) - each a row of depth d and the deeper
 * rows after it - by their first row's rank, ties and the query's rows with
 * no town kept where they are; then the blocks' rows below them the same.
 */
static void blocks_order(const rollup *u, size_t *idx, size_t lo, size_t hi, unsigned char d,
                         size_t *tmp)
{
    size_t nb = 0, *start = hm_xcalloc(hi - lo + 2, sizeof *start);
    for (size_t i = lo; i < hi; i++)
        if (u->depth[idx[i]] == d && u->kind[idx[i]] != ROW_OTHER)
            start[nb++] = i;
    size_t end = nb ? start[nb - 1] + 1 : lo;   /* the last block's end: the rows after
                                                   it (no town's) stay */
    while (end < hi && u->depth[idx[end]] > d)
        end++;
    start[nb] = end;
    for (size_t b = 1; b < nb; b++)   /* insertion sort of the blocks, stable */
        for (size_t c = b; c > 0 && rank_of(u, idx[start[c]]) <
                                     rank_of(u, idx[start[c - 1]]); c--) {
            size_t a0 = start[c - 1], a1 = start[c], a2 = start[c + 1];
            memcpy(tmp, idx + a1, (a2 - a1) * sizeof *idx);          /* block c */
            memcpy(tmp + (a2 - a1), idx + a0, (a1 - a0) * sizeof *idx);   /* block c-1 */
            memcpy(idx + a0, tmp, (a2 - a0) * sizeof *idx);
            start[c] = a0 + (a2 - a1);
        }
    for (size_t b = 0; b < nb; b++)
        blocks_order(u, idx, start[b] + 1, start[b + 1], (unsigned char)(d + 1), tmp);
    free(start);
}

/* Put the new rows in rank order within each unit (rank_all done). */
static void rank_order(rollup *u)
{
    size_t nc = u->t->ncol, n = u->nout;
    size_t *idx = hm_xcalloc(n + 1, sizeof *idx), *tmp = hm_xcalloc(n + 1, sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    blocks_order(u, idx, 0, n, 0, tmp);
    hm_value *out = hm_xcalloc(n * nc + 1, sizeof *out);
    unsigned char *depth = hm_xcalloc(n + 1, 1), *kind = hm_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(&out[i * nc], &u->out[idx[i] * nc], nc * sizeof *out);
        depth[i] = u->depth[idx[i]];
        kind[i] = u->kind[idx[i]];
    }
    free(u->out);
    free(u->depth);
    free(u->kind);
    u->out = out;
    u->depth = depth;
    u->kind = kind;
    free(idx);
    free(tmp);
}

/* The label column's header: the levels shown, then the template's own (the towns'). */
static void label_header(rollup *u)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    for (int k = 0; u->lv[k] >= 0; k++)
        hm_strbuf_addf(&sb, "%s / ", (u->en ? level_en : level_zh)[u->lv[k]]);
    hm_colspec *c = &u->t->cols[u->label];
    hm_strbuf_adds(&sb, c->label ? c->label : c->name);
    free(c->label);
    c->label = hm_strbuf_detach(&sb);
}

/* Roll u->t up by the levels chosen: the new rows replace the table's. */
static void roll(rollup *u, hm_section *sec, const size_t *towns, size_t ntown)
{
    hm_table *t = u->t;
    size_t nc = t->ncol, nunit = 0;
    u->order = hm_xcalloc(ntown + 1, sizeof *u->order);
    size_t *tmp = hm_xcalloc(ntown + 1, sizeof *tmp);
    memcpy(u->order, towns, ntown * sizeof *towns);
    rows_sort(u, u->order, ntown, tmp);
    free(tmp);
    for (int k = 0; u->lv[k] >= 0; k++)
        for (size_t i = 0; i < ntown; i++)
            nunit += i == 0 || !same(u->path_of[u->order[i] * NLEVEL + u->lv[k]],
                                     u->path_of[u->order[i - 1] * NLEVEL + u->lv[k]]);
    size_t nout = t->nrow + nunit;   /* an upper bound: a unit's path is unique in order */
    u->out = hm_xcalloc(nout * nc + 1, sizeof *u->out);
    u->depth = hm_xcalloc(nout + 1, 1);
    u->kind = hm_xcalloc(nout + 1, 1);
    emit(u, 0, 0, ntown, 0);
    /* the query's rows with no town (money no town is given, the total: the whole's,
     * as it counts it, labelled by the report's level), as they are */
    for (size_t r = 0; r < t->nrow; r++)
        if (t->cells[r * nc + u->code].type == HM_V_NULL)
            put_row(u, r, 0, ROW_OTHER);
    if (u->rank != SIZE_MAX) {
        rank_all(u);
        rank_order(u);
    }
    for (size_t i = 0; i < t->nrow * nc; i++)
        if (t->cells[i].type == HM_V_TEXT)
            free(t->cells[i].s);
    free(t->cells);
    t->cells = u->out;
    t->nrow = u->nout;
    u->out = NULL;
    sec->row_depth = u->depth;
    u->depth = NULL;
    free(u->kind);
    u->kind = NULL;
    label_header(u);
}

hm_error hm_levels_apply(sqlite3 *db, const hm_tmpl_section *ts, hm_section *sec,
                         const char *lang, char *err, size_t errsz)
{
    if (!ts->levels || sec->table.spill)
        return HM_OK;
    rollup u = { .t = &sec->table, .en = lang && strcmp(lang, "en") == 0 };
    town_map *map = NULL;
    size_t nmap = 0, ntown = 0;
    hm_table *t = &sec->table;
    const char **path_of = hm_xcalloc(t->nrow * NLEVEL + 1, sizeof *path_of);
    size_t *towns = hm_xcalloc(t->nrow + 1, sizeof *towns);
    hm_error rc = columns_find(&u, ts, err, errsz);
    if (rc == HM_OK)
        rc = map_read(db, &map, &nmap, err, errsz);
    for (size_t r = 0; rc == HM_OK && r < t->nrow; r++) {
        const hm_value *v = &t->cells[r * t->ncol + u.code];
        if (v->type == HM_V_NULL)
            continue;
        towns[ntown++] = r;
        char empty[1] = "";
        town_map key = { .code = v->type == HM_V_TEXT ? v->s : empty };
        const town_map *m = bsearch(&key, map, nmap, sizeof *map, cmp_code);
        for (int l = 0; m && l < NLEVEL; l++)
            path_of[r * NLEVEL + l] = m->path[l];
    }
    u.path_of = path_of;
    if (rc == HM_OK && ntown > 0 && levels_pick(&u, towns, ntown))
        roll(&u, sec, towns, ntown);
    free(u.order);
    free(u.key);
    free(u.sum);
    free(u.ratio);
    free(towns);
    free(path_of);
    map_free(map, nmap);
    return rc;
}
