/*
 * params.c - the one table of the parameters a query file may use (see
 * params.h), and the binder every stage that runs queries calls.
 */
#include "himama/params.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The common parameters, in the order the messages list them. */
enum {
    P_FROM, P_TO, P_PREV_FROM, P_PREV_TO, P_YTD_FROM, P_NEXT_FROM, P_NEXT_TO, P_TODAY,
    P_AUDIENCE, P_LANG, P_KIND, P_PERIOD, P_ORG, P_CHILD, P_TOWN, P_SCOPE_TOTAL, P_SCOPE_NO_TOWN, P_FIVE_ONES_WHO, NPARAMS
};

static const char *const param_names[NPARAMS] = {
    ":from", ":to", ":prev_from", ":prev_to", ":ytd_from", ":next_from", ":next_to", ":today",
    ":audience", ":lang", ":kind", ":period", ":org", ":child", ":town",
    ":scope_total", ":scope_no_town", ":five_ones_who",
};

/* The value of common parameter i for q (NULL binds NULL). */
static const char *param_value(const hm_query_params *q, int i)
{
    const hm_period *p = &q->period;
    switch (i) {
    case P_FROM: return p->from;
    case P_TO: return p->to;
    case P_PREV_FROM: return p->prev.from;
    case P_PREV_TO: return p->prev.to;
    case P_YTD_FROM: return p->ytd.from;
    case P_NEXT_FROM: return p->next_month.from;
    case P_NEXT_TO: return p->next_month.to;
    case P_TODAY: return q->today;
    case P_AUDIENCE: return q->audience;
    case P_LANG: return q->lang;
    case P_KIND: return hm_period_kind_name(p->kind);
    case P_PERIOD: return p->label;
    case P_ORG: return q->org ? q->org : "";
    case P_CHILD: return q->child;
    case P_TOWN: return q->town;
    case P_SCOPE_TOTAL: return hm_level_word(q->level, q->rows_level, q->lang, HM_WORD_TOTAL);
    case P_SCOPE_NO_TOWN:
        return hm_level_word(q->level, q->rows_level, q->lang, HM_WORD_NO_TOWN);
    case P_FIVE_ONES_WHO: return NULL;   /* every volunteer; the dossiers bind their own */
    }
    return NULL;
}

void hm_query_params_init(hm_query_params *q, const hm_period *p, const char *audience,
                          const char *lang, const char *org, int32_t today)
{
    memset(q, 0, sizeof *q);
    q->period = *p;
    q->audience = audience;
    q->lang = lang;
    q->org = org;
    q->level = HM_LEVEL_DISTRICT;
    q->rows_level = HM_LEVEL_TOWN;
    hm_date_format(today, q->today);
}

/* "unknown parameter" with the names a query may use. */
static hm_error unknown(const char *name, const hm_param_extra *extra, size_t nextra,
                        const char *qpath, char *err, size_t errsz)
{
    hm_strbuf known = HM_STRBUF_INIT;
    hm_strbuf_init(&known);
    for (int i = 0; i < NPARAMS; i++)
        hm_strbuf_addf(&known, "%s%s", i ? " " : "", param_names[i]);
    for (size_t i = 0; i < nextra; i++)
        hm_strbuf_addf(&known, " %s", extra[i].name);
    hm_fail(HM_EQUERY, err, errsz, "%s: unknown parameter '%s' (known: %s)", qpath,
            name ? name : "?", known.buf);
    hm_strbuf_release(&known);
    return HM_EQUERY;
}

/* Bind parameter idx of st, called name, from extra or q; false when unknown. */
static bool bind_one(sqlite3_stmt *st, int idx, const char *name, const hm_query_params *q,
                     const hm_param_extra *extra, size_t nextra, int *src)
{
    for (size_t i = 0; i < nextra; i++) {
        if (strcmp(name, extra[i].name) != 0)
            continue;
        *src = extra[i].text ? sqlite3_bind_text(st, idx, extra[i].text, -1, SQLITE_TRANSIENT)
                             : sqlite3_bind_int64(st, idx, extra[i].num);
        return true;
    }
    for (int i = 0; i < NPARAMS; i++) {
        if (strcmp(name, param_names[i]) != 0)
            continue;
        const char *v = param_value(q, i);
        *src = v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT)
                 : sqlite3_bind_null(st, idx);
        return true;
    }
    return false;
}

hm_error hm_params_bind(sqlite3_stmt *st, const hm_query_params *q, const hm_param_extra *extra,
                        size_t nextra, const char *qpath, char *err, size_t errsz)
{
    int n = sqlite3_bind_parameter_count(st);
    for (int idx = 1; idx <= n; idx++) {
        const char *name = sqlite3_bind_parameter_name(st, idx);
        int src = SQLITE_OK;
        if (!name || !bind_one(st, idx, name, q, extra, nextra, &src))
            return unknown(name, extra, nextra, qpath, err, errsz);
        if (src != SQLITE_OK)
            return hm_fail(HM_EQUERY, err, errsz, "%s: cannot bind '%s': %s", qpath, name,
                           sqlite3_errmsg(sqlite3_db_handle(st)));
    }
    return HM_OK;
}

/* The NAME.sql of an include line (trimmed), or NULL when line is not one. */
static const char *include_name(const char *line, size_t n, size_t *len)
{
    static const char tag[] = "-- include ";
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
        n--;
    if (n <= sizeof tag - 1 || memcmp(line, tag, sizeof tag - 1) != 0)
        return NULL;
    *len = n - (sizeof tag - 1);
    return line + sizeof tag - 1;
}

/* True when name (len bytes) is [a-z0-9_]+ followed by ".sql". */
static bool include_ok(const char *name, size_t len)
{
    if (len <= 4 || memcmp(name + len - 4, ".sql", 4) != 0)
        return false;
    for (size_t i = 0; i < len - 4; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_'))
            return false;
    return true;
}

/* Append to sb the text of the file line names (in path's folder); it may
 * not include in turn. */
static hm_error include_file(const char *path, int lineno, const char *name, size_t len,
                             hm_strbuf *sb, char *err, size_t errsz)
{
    if (!include_ok(name, len))
        return hm_fail(HM_EQUERY, err, errsz, "%s:%d: an include names a file NAME.sql of "
                       "a-z, 0-9 and '_', not '%.*s'", path, lineno, (int)len, name);
    const char *slash = strrchr(path, '/');
    hm_strbuf p = HM_STRBUF_INIT;
    hm_strbuf_init(&p);
    if (slash)
        hm_strbuf_add(&p, path, (size_t)(slash - path + 1));
    hm_strbuf_add(&p, name, len);
    char *text = hm_read_file(p.buf, NULL);
    hm_error rc = HM_OK;
    size_t dummy;
    if (!text)
        rc = hm_fail(HM_EQUERY, err, errsz, "%s:%d: cannot read '%s': %s", path, lineno, p.buf,
                     strerror(errno));
    for (const char *l = text; rc == HM_OK && l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (include_name(l, n, &dummy))
            rc = hm_fail(HM_EQUERY, err, errsz, "%s: an included file may not include "
                         "another", p.buf);
        l = e ? e + 1 : l + n;
    }
    if (rc == HM_OK)
        hm_strbuf_adds(sb, text);
    free(text);
    hm_strbuf_release(&p);
    return rc;
}

hm_error hm_query_read(const char *path, char **sql, char *err, size_t errsz)
{
    char *text = hm_read_file(path, NULL);
    hm_error rc = HM_OK;
    int lineno = 0;
    *sql = NULL;
    if (!text)
        return hm_fail(HM_EQUERY, err, errsz, "cannot read query '%s': %s", path,
                       strerror(errno));
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    for (const char *l = text; rc == HM_OK && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l), len;
        const char *name = include_name(l, n, &len);
        lineno++;
        if (name)
            rc = include_file(path, lineno, name, len, &sb, err, errsz);
        else
            hm_strbuf_add(&sb, l, n);
        if (e)
            hm_strbuf_addc(&sb, '\n');
        l = e ? e + 1 : l + n;
    }
    free(text);
    if (rc != HM_OK) {
        hm_strbuf_release(&sb);
        return rc;
    }
    hm_strbuf_grow(&sb, 0);
    *sql = hm_strbuf_detach(&sb);
    return HM_OK;
}
