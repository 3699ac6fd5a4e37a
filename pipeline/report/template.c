/*
 * template.c - parsing report templates.
 *
 * The format is line-oriented so that an error can always name one line:
 * '#' starts a comment line, blank lines are ignored, "key = value" sets a
 * key, "[section ID]" opens a section.  Keys before the first section
 * belong to the report (title, subtitle, footer).  Every check that can be
 * made without the database is made here, so that a typo in a template
 * fails before any query runs: unknown keys, kinds, formats and flags, bad
 * query names, sheet names Excel would refuse, chart columns and
 * placeholders that name nothing.
 */
#include "himama/template.h"
#include "himama/db.h"
#include "himama/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Placeholders every text may use, filled from the report's parameters
 * (in the order of hm_tmpl_run_value). */
static const char *const run_names[] = {
    "period", "year", "month", "from", "to", "org", "generated", "today",
    "scope.total", "scope.area", "scope.unit", "scope.no_town", "scope.rows", "scope.Rows",
    "scope.row", NULL
};

hm_error hm_tmpl_scan(const char *text, const hm_tmpl_scanner *sc, void *arg)
{
    hm_error rc;
    const char *s = text, *start = text;   /* start: literal text not yet handed on */
    for (; s && *s; s++) {
        if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
            if (sc->lit)
                sc->lit(arg, start, (size_t)(s + 1 - start));   /* up to one brace */
            start = ++s + 1;
            continue;
        }
        const char *e = *s == '{' ? strchr(s, '}') : NULL;
        bool brace = *s == '{' || *s == '}';
        if (!e && !(brace && sc->bad))
            continue;   /* literal, handed on with its run */
        if (sc->lit && s > start)
            sc->lit(arg, start, (size_t)(s - start));
        if (!e)
            return sc->bad(arg, *s == '}' ? "'}' without '{' (write '}}' for a brace)"
                                          : "'{' without '}' (write '{{' for a brace)");
        char *body = hm_xstrndup(s + 1, (size_t)(e - s - 1));
        rc = sc->ref(arg, body);
        free(body);
        if (rc != HM_OK)
            return rc;
        s = e;
        start = e + 1;
    }
    if (sc->lit && s && s > start)
        sc->lit(arg, start, (size_t)(s - start));
    return HM_OK;
}

void hm_tmpl_ref_parse(const char *body, hm_tmpl_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    for (size_t i = 0; run_names[i]; i++)
        if (strcmp(body, run_names[i]) == 0) {
            ref->kind = HM_REF_RUN;
            ref->run = (hm_tmpl_run_value)i;
            return;
        }
    ref->kind = HM_REF_UNKNOWN;
    if (!strchr(body, '.'))
        return;
    ref->buf_ = hm_xstrdup(body);
    char *dot = strchr(ref->buf_, '.'), *colon = strchr(dot + 1, ':');
    *dot = '\0';
    ref->id = ref->buf_;
    ref->col = dot + 1;
    if (colon) {
        *colon = '\0';
        ref->sel = colon + 1;
    }
    if (strcmp(ref->col, "rows") == 0 && !colon) {
        ref->kind = HM_REF_ROWS;
        ref->col = NULL;
        return;
    }
    ref->kind = HM_REF_CELL;
    ref->row_ok = true;
    if (!ref->sel)
        return;
    char *end;
    long v = strtol(ref->sel, &end, 10);
    ref->last = strcmp(ref->sel, "last") == 0;
    ref->row_ok = ref->last || (end != ref->sel && !*end && v >= 1);
    if (ref->last)
        ref->row = SIZE_MAX;
    else if (ref->sel[0])
        ref->row = (size_t)strtoul(ref->sel, NULL, 10) - 1;
}

void hm_tmpl_ref_release(hm_tmpl_ref *ref)
{
    free(ref->buf_);
    ref->buf_ = NULL;
}

bool hm_template_name_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return n >= 1 && n <= 64;
}

const hm_tmpl_section *hm_template_find(const hm_template *t, const char *id)
{
    for (size_t i = 0; i < t->nsec; i++)
        if (strcmp(t->sec[i].id, id) == 0)
            return &t->sec[i];
    return NULL;
}

const char *hm_tmpl_section_text(const hm_tmpl_section *s, hm_tmpl_text which,
                                 bool public_audience)
{
    if (public_audience && s->public_text[which])
        return s->public_text[which];
    switch (which) {
    case HM_TEXT_HEADING: return s->heading;
    case HM_TEXT_INTRO: return s->intro;
    case HM_TEXT_NOTE: return s->note;
    default: return s->empty;
    }
}

/* Free what one section holds. */
static void free_parts(char **v, size_t n);

static void section_release(hm_tmpl_section *s)
{
    free(s->id);
    free(s->heading);
    free(s->sheet);
    free(s->query);
    for (size_t c = 0; c < s->ncol; c++) {
        free(s->cols[c].name);
        free(s->cols[c].label);
        free(s->cols[c].child_by);
    }
    free(s->cols);
    free(s->intro);
    free(s->note);
    for (int i = 0; i < HM_TEXT_N; i++)
        free(s->public_text[i]);
    free(s->empty);
    free(s->note_if);
    free(s->levels);
    free(s->rank);
    free_parts(s->sums, s->nsums);
    free_parts(s->ratios, s->nratios);
    free(s->category);
    for (size_t i = 0; i < s->nseries; i++)
        free(s->series[i]);
    free(s->series);
}

void hm_template_free(hm_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsec; i++)
        section_release(&t->sec[i]);
    free(t->sec);
    free(t->path);
    free(t->title);
    free(t->subtitle);
    free(t->footer);
    free(t->unfinished);
    free(t->elsewhere);
    for (size_t i = 0; i < t->nfig; i++) {
        free(t->fig[i].key);
        free(t->fig[i].ref);
    }
    free(t->fig);
    free(t);
}

/* Parser state: where we are, for messages. */
typedef struct parser {
    const char *name;
    int line;
    char *err;
    size_t errsz;
} parser;

/*
 * Drop a UTF-8 sequence cut short at the end of s.  A message quotes the
 * template's own text, and snprintf truncates at a byte count, which can
 * fall inside a character; the reason must stay valid UTF-8.
 */
static void cut_partial_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

/* Record "NAME:LINE: message" and return HM_ETEMPLATE. */
static hm_error perr(parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static hm_error perr(parser *p, int line, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cut_partial_utf8(msg);
    if (p->errsz > 0) {
        snprintf(p->err, p->errsz, "%s:%d: %s", p->name, line, msg);
        cut_partial_utf8(p->err);
    }
    return HM_ETEMPLATE;
}

/* Bytes of the space (hm_utf8_space) at s, a NUL-terminated string, or 0. */
static size_t space_len(const char *s)
{
    return hm_utf8_space(s, strnlen(s, HM_UTF8_BLANK_MAX));
}

/* A copy of s[0..n) without leading and trailing spaces. */
static char *trim_dup(const char *s, size_t n)
{
    s = hm_utf8_trim(s, &n);
    return hm_xstrndup(s, n);
}

/* Split s at sep into trimmed parts; *n gets the count (caller frees). */
static char **split(const char *s, char sep, size_t *n)
{
    char **v = NULL;
    size_t k = 0;
    for (;;) {
        const char *e = strchr(s, sep);
        size_t len = e ? (size_t)(e - s) : strlen(s);
        v = hm_xrealloc(v, (k + 1) * sizeof *v);
        v[k++] = trim_dup(s, len);
        if (!e)
            break;
        s = e + 1;
    }
    *n = k;
    return v;
}

static void free_parts(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool parse_kind(const char *s, hm_section_kind *k)
{
    static const struct { const char *name; hm_section_kind kind; } kinds[] = {
        { "kpi", HM_SEC_KPI }, { "table", HM_SEC_TABLE }, { "bar", HM_SEC_BAR },
        { "line", HM_SEC_LINE }, { "list", HM_SEC_LIST }, { "text", HM_SEC_TEXT },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0) {
            *k = kinds[i].kind;
            return true;
        }
    return false;
}

static bool parse_format(const char *s, hm_format *f)
{
    static const struct { const char *name; hm_format fmt; } fmts[] = {
        { "text", HM_FMT_TEXT }, { "int", HM_FMT_INT }, { "money", HM_FMT_MONEY },
        { "date", HM_FMT_DATE }, { "percent", HM_FMT_PERCENT }, { "real", HM_FMT_REAL },
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        if (strcmp(s, fmts[i].name) == 0) {
            *f = fmts[i].fmt;
            return true;
        }
    return false;
}

/* Parse "name:label[:format[:flag...]], ..." into s->cols. */
static hm_error parse_columns(parser *p, hm_tmpl_section *s, const char *value)
{
    size_t n;
    char **items = split(value, ',', &n);
    hm_error rc = HM_OK;
    s->cols = hm_xcalloc(n, sizeof *s->cols);
    for (size_t i = 0; i < n && rc == HM_OK; i++) {
        size_t np;
        char **parts = split(items[i], ':', &np);
        hm_tmpl_col *c = &s->cols[s->ncol];
        if (np < 2 || !parts[0][0] || !parts[1][0]) {
            rc = perr(p, p->line, "column '%s' needs 'name:label'", items[i]);
        } else if (!hm_template_name_ok(parts[0])) {
            rc = perr(p, p->line, "column name '%s' may hold only a-z, 0-9 and '_'", parts[0]);
        } else {
            for (size_t j = 0; j < s->ncol; j++)
                if (strcmp(s->cols[j].name, parts[0]) == 0)
                    rc = perr(p, p->line, "column '%s' is declared twice", parts[0]);
        }
        if (rc == HM_OK) {
            c->name = hm_xstrdup(parts[0]);
            c->label = hm_xstrdup(parts[1]);
            c->format = HM_FMT_TEXT;
            s->ncol++;
            if (np >= 3 && parts[2][0] && !parse_format(parts[2], &c->format))
                rc = perr(p, p->line, "unknown format '%s' for column '%s' "
                          "(text, int, money, date, percent, real)", parts[2], parts[0]);
            for (size_t j = 3; j < np && rc == HM_OK; j++) {
                char *end;
                if (strcmp(parts[j], "children") == 0) {
                    c->child_count = true;
                } else if (strncmp(parts[j], "children=", 9) == 0 && !c->child_by &&
                           hm_template_name_ok(parts[j] + 9)) {
                    c->child_by = hm_xstrdup(parts[j] + 9);   /* checked in check_template */
                } else if (strcmp(parts[j], "internal") == 0) {
                    c->internal = true;
                } else if (strcmp(parts[j], "hidden") == 0) {
                    c->hidden = true;
                } else if (parts[j][0] == 'w' && (c->width = strtod(parts[j] + 1, &end)) > 0 &&
                           *end == '\0' && end != parts[j] + 1) {
                    /* width hint */
                } else {
                    rc = perr(p, p->line, "unknown flag '%s' for column '%s' "
                              "(children, children=COLUMN, internal, hidden, wN)", parts[j],
                              parts[0]);
                }
            }
        }
        free_parts(parts, np);
    }
    free_parts(items, n);
    return rc;
}

/* Excel's rules for a sheet name: 1..31 characters, none of []:*?/\ . */
static bool sheet_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || hm_utf8_count(s, n) > 31 || strpbrk(s, "[]:*?/\\"))
        return false;
    return s[0] != '\'' && s[n - 1] != '\'';
}

/* Set *dst to a copy of value, refusing a key given twice. */
static hm_error set_once(parser *p, char **dst, const char *key, const char *value)
{
    if (*dst)
        return perr(p, p->line, "'%s' is given twice", key);
    *dst = hm_xstrdup(value);
    return HM_OK;
}

/* Apply "key = value" to section s. */
static hm_error section_key(parser *p, hm_tmpl_section *s, const char *key, const char *value,
                            unsigned *seen)
{
    static const char *const keys[] = {
        "kind", "heading", "sheet", "query", "columns", "intro", "empty", "note",
        "note_if", "category", "series", "detail", "audience", "pdf_rows", "rows",
        "heading.public", "intro.public", "note.public", "empty.public", NULL
    };
    /* the index in keys of "heading.public", then the others in hm_tmpl_text order */
    enum { PUBLIC_KEYS = 15 };
    size_t k;
    /* the roll-up by unit of a per-town table (levels.h) */
    if (strcmp(key, "levels") == 0)
        return set_once(p, &s->levels, key, value);
    if (strcmp(key, "rank") == 0)
        return set_once(p, &s->rank, key, value);
    if (strcmp(key, "town_list") == 0) {   /* a list for the town cadres (aggregate.h) */
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return perr(p, p->line, "town_list must be 'yes' or 'no', not '%s'", value);
        s->town_list = strcmp(value, "yes") == 0;
        return HM_OK;
    }
    if (strcmp(key, "sums") == 0 || strcmp(key, "ratios") == 0) {
        bool sums = key[0] == 's';
        if (sums ? s->sums != NULL : s->ratios != NULL)
            return perr(p, p->line, "'%s' is given twice", key);
        if (sums)
            s->sums = split(value, ',', &s->nsums);
        else
            s->ratios = split(value, ',', &s->nratios);
        return HM_OK;
    }
    for (k = 0; keys[k]; k++)
        if (strcmp(key, keys[k]) == 0)
            break;
    if (!keys[k])
        return perr(p, p->line, "unknown key '%s'", key);
    if (*seen & (1u << k))
        return perr(p, p->line, "'%s' is given twice", key);
    *seen |= 1u << k;
    if (k >= PUBLIC_KEYS) {
        s->public_line[k - PUBLIC_KEYS] = p->line;
        return set_once(p, &s->public_text[k - PUBLIC_KEYS], key, value);
    } else if (strcmp(key, "kind") == 0) {
        if (!parse_kind(value, &s->kind))
            return perr(p, p->line, "unknown kind '%s' (kpi, table, bar, line, list, text)",
                        value);
    } else if (strcmp(key, "heading") == 0) {
        s->text_line[0] = p->line;
        return set_once(p, &s->heading, key, value);
    } else if (strcmp(key, "sheet") == 0) {
        if (!sheet_name_ok(value))
            return perr(p, p->line, "sheet name '%s' is not allowed (1 to 31 characters, "
                        "none of [ ] : * ? / \\)", value);
        return set_once(p, &s->sheet, key, value);
    } else if (strcmp(key, "query") == 0) {
        if (!hm_template_name_ok(value))
            return perr(p, p->line, "query name '%s' may hold only a-z, 0-9 and '_' "
                        "(a file in queries/, without '.sql')", value);
        return set_once(p, &s->query, key, value);
    } else if (strcmp(key, "columns") == 0) {
        return parse_columns(p, s, value);
    } else if (strcmp(key, "intro") == 0) {
        s->text_line[1] = p->line;
        return set_once(p, &s->intro, key, value);
    } else if (strcmp(key, "note") == 0) {
        s->text_line[2] = p->line;
        return set_once(p, &s->note, key, value);
    } else if (strcmp(key, "empty") == 0) {
        s->text_line[3] = p->line;
        return set_once(p, &s->empty, key, value);
    } else if (strcmp(key, "note_if") == 0) {
        s->text_line[4] = p->line;
        return set_once(p, &s->note_if, key, value);
    } else if (strcmp(key, "category") == 0) {
        return set_once(p, &s->category, key, value);
    } else if (strcmp(key, "series") == 0) {
        s->series = split(value, ',', &s->nseries);
    } else if (strcmp(key, "detail") == 0) {
        if (strcmp(value, "yes") == 0)
            s->detail = true;
        else if (strcmp(value, "no") != 0)
            return perr(p, p->line, "detail must be 'yes' or 'no', not '%s'", value);
    } else if (strcmp(key, "pdf_rows") == 0) {
        /* digits only: strtoul would accept "-1" and " 5" */
        size_t n = strlen(value);
        bool ok = n >= 1 && n <= 9;
        for (size_t i = 0; ok && i < n; i++)
            ok = value[i] >= '0' && value[i] <= '9';
        if (!ok)
            return perr(p, p->line, "pdf_rows must be a whole number from 0 to 999999999 "
                        "(0: every row), not '%s'", value);
        s->pdf_rows = (size_t)strtoul(value, NULL, 10);
    } else if (strcmp(key, "rows") == 0) {
        if (strcmp(value, "targets") != 0)
            return perr(p, p->line, "rows must be 'targets' (the work plan's targets, "
                        "templates/targets.conf), not '%s'", value);
        s->targets = true;
    } else if (strcmp(key, "audience") == 0) {
        if (strcmp(value, "internal") == 0)
            s->audience = HM_AUD_INTERNAL;
        else if (strcmp(value, "public") == 0)
            s->audience = HM_AUD_PUBLIC;
        else if (strcmp(value, "all") == 0)
            s->audience = HM_AUD_ALL;
        else
            return perr(p, p->line, "audience must be 'all', 'internal' or 'public', not '%s'",
                        value);
    }
    return HM_OK;
}

/* The declared column of s called name, or NULL. */
static const hm_tmpl_col *find_col(const hm_tmpl_section *s, const char *name)
{
    for (size_t i = 0; i < s->ncol; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return &s->cols[i];
    return NULL;
}

/*
 * Check one placeholder body ("period", "id.rows", "id.col", "id.col:N",
 * "id.col:last") against the template.
 */
static hm_error check_ref(parser *p, const hm_template *t, int line, const char *body)
{
    hm_tmpl_ref ref;
    hm_error rc = HM_OK;
    const hm_tmpl_section *s = NULL;
    const hm_tmpl_col *c = NULL;
    hm_tmpl_ref_parse(body, &ref);
    if (ref.kind == HM_REF_RUN)
        rc = HM_OK;
    else if (ref.kind == HM_REF_UNKNOWN)
        rc = perr(p, line, "unknown placeholder '{%s}'", body);
    else if (!(s = hm_template_find(t, ref.id)))
        rc = perr(p, line, "placeholder '{%s}' names no section '%s'", body, ref.id);
    else if (ref.kind == HM_REF_ROWS)
        rc = HM_OK;
    else if (!(c = find_col(s, ref.col)))
        rc = perr(p, line, "placeholder '{%s}': section '%s' declares no column '%s'",
                  body, ref.id, ref.col);
    else if (c->internal)
        rc = perr(p, line, "placeholder '{%s}': column '%s' is internal and cannot be "
                  "quoted in a sentence", body, ref.col);
    else if (!ref.row_ok)
        rc = perr(p, line, "placeholder '{%s}': the row must be a number from 1 or "
                  "'last'", body);
    hm_tmpl_ref_release(&ref);
    return rc;
}

/* check_text's state: the template and the text's line, for messages. */
typedef struct checker {
    parser *p;
    const hm_template *t;
    int line;
} checker;

static hm_error check_one(void *arg, const char *body)
{
    checker *c = arg;
    return check_ref(c->p, c->t, c->line, body);
}

static hm_error check_brace(void *arg, const char *why)
{
    checker *c = arg;
    return perr(c->p, c->line, "%s", why);
}

/* Check every {placeholder} in text; "{{" and "}}" stand for braces. */
static hm_error check_text(parser *p, const hm_template *t, int line, const char *text)
{
    static const hm_tmpl_scanner sc = { NULL, check_one, check_brace };
    checker c = { p, t, line };
    return hm_tmpl_scan(text, &sc, &c);
}

/*
 * The "children=COL" marks of s: COL is another declared column, and the
 * section keeps every row in memory (a per-row mark does not travel through
 * a detail list's temporary file).
 */
static hm_error check_child_by(parser *p, const hm_tmpl_section *s)
{
    for (size_t c = 0; c < s->ncol; c++) {
        const char *by = s->cols[c].child_by;
        const hm_tmpl_col *f = by ? find_col(s, by) : NULL;
        if (!by)
            continue;
        if (!f || f == &s->cols[c] || f->internal)
            return perr(p, s->line, "section '%s': column '%s' is marked 'children=%s', "
                        "but '%s' is not another declared column", s->id, s->cols[c].name,
                        by, by);
        if (s->detail)
            return perr(p, s->line, "section '%s': 'children=%s' cannot be used in a "
                        "detail section", s->id, by);
    }
    return HM_OK;
}

/* check_run_only's state: a checker and the key checked. */
typedef struct run_checker {
    checker c;
    const char *key;
} run_checker;

static hm_error run_only_one(void *arg, const char *body)
{
    run_checker *rc = arg;
    hm_tmpl_ref ref;
    hm_tmpl_ref_parse(body, &ref);
    bool ok = ref.kind == HM_REF_RUN;
    hm_tmpl_ref_release(&ref);
    return ok ? HM_OK : perr(rc->c.p, rc->c.line, "'%s' may quote only values of the run "
                             "({today}, {from}, {to}, {period}, {scope.area}, ...), not "
                             "'{%s}'", rc->key, body);
}

static hm_error run_only_brace(void *arg, const char *why)
{
    run_checker *rc = arg;
    return perr(rc->c.p, rc->c.line, "%s", why);
}

/* The banner of an unfinished period, shown before any query runs, and the text
 * shown for a list left to the packs (whose query does not run): they quote only
 * values of the run. */
static hm_error check_run_only(parser *p, const hm_template *t, int line, const char *key,
                               const char *text)
{
    static const hm_tmpl_scanner sc = { NULL, run_only_one, run_only_brace };
    run_checker c = { { p, t, line }, key };
    return hm_tmpl_scan(text, &sc, &c);
}

/* The "figure.KEY" lines: each names one value of a declared section. */
static hm_error check_figures(parser *p, const hm_template *t)
{
    for (size_t i = 0; i < t->nfig; i++) {
        const hm_tmpl_figure *f = &t->fig[i];
        hm_tmpl_ref ref;
        hm_tmpl_ref_parse(f->ref, &ref);
        bool ok = ref.kind == HM_REF_CELL || ref.kind == HM_REF_ROWS;
        hm_tmpl_ref_release(&ref);
        if (!ok)
            return perr(p, f->line, "figure '%s' must name one value of a section, "
                        "as {section.column}, {section.column:N} or {section.rows}", f->key);
        hm_error rc = check_ref(p, t, f->line, f->ref);
        if (rc != HM_OK)
            return rc;
    }
    return HM_OK;
}

/* Whether a report for the audience (public or not) shows section s. */
static bool shown_to(const hm_tmpl_section *s, bool public_audience)
{
    return s->audience == HM_AUD_ALL ||
           s->audience == (public_audience ? HM_AUD_PUBLIC : HM_AUD_INTERNAL);
}

/* check_audience's state: the report's audience, and the text's line and key. */
typedef struct aud_checker {
    parser *p;
    const hm_template *t;
    int line;
    bool public_audience;
    const char *key;
} aud_checker;

static hm_error check_aud_one(void *arg, const char *body)
{
    aud_checker *c = arg;
    hm_tmpl_ref ref;
    hm_error rc = HM_OK;
    hm_tmpl_ref_parse(body, &ref);
    const hm_tmpl_section *s = ref.id ? hm_template_find(c->t, ref.id) : NULL;
    if (s && !shown_to(s, c->public_audience))
        rc = perr(c->p, c->line, "'%s': the %s report shows this text, but its placeholder "
                  "'{%s}' quotes section '%s', which that report leaves out (audience = %s)%s",
                  c->key, c->public_audience ? "public" : "internal", body, ref.id,
                  c->public_audience ? "internal" : "public",
                  c->public_audience ? "; give the section a public wording without it "
                  "(heading.public, intro.public, note.public, empty.public)" : "");
    hm_tmpl_ref_release(&ref);
    return rc;
}

/* Check that text, shown by the report for the audience, quotes no
 * section that report leaves out (the placeholders are checked already). */
static hm_error check_audience(parser *p, const hm_template *t, int line, const char *key,
                               const char *text, bool public_audience)
{
    static const hm_tmpl_scanner sc = { NULL, check_aud_one, NULL };
    aud_checker c = { p, t, line, public_audience, key };
    return hm_tmpl_scan(text, &sc, &c);
}

/*
 * The public report says nothing of an internal section, and the
 * internal one nothing of a public one: every text and note_if that a
 * report shows quotes only sections that report shows too.  A ".public"
 * wording is checked as the others are, and refused in an internal
 * section (it would never be shown).
 */
static hm_error check_audiences(parser *p, const hm_template *t, const int *text_lines)
{
    static const char *const keys[HM_TEXT_N] = { "heading", "intro", "note", "empty" };
    static const char *const top[3] = { "title", "subtitle", "footer" };
    const char *const tops[3] = { t->title, t->subtitle, t->footer };
    hm_error rc;
    for (int pub = 0; pub < 2; pub++) {
        for (int i = 0; i < 3; i++)
            if ((rc = check_audience(p, t, text_lines[i], top[i], tops[i], pub)) != HM_OK)
                return rc;
        for (size_t i = 0; i < t->nsec; i++) {
            const hm_tmpl_section *s = &t->sec[i];
            for (int k = 0; k < HM_TEXT_N; k++) {
                char key[32];
                bool own = pub && s->public_text[k];
                if (own && s->audience == HM_AUD_INTERNAL)
                    return perr(p, s->public_line[k], "section '%s' is internal: '%s.public' "
                                "would never be shown", s->id, keys[k]);
                if (!shown_to(s, pub))
                    continue;
                snprintf(key, sizeof key, "%s%s", keys[k], own ? ".public" : "");
                if ((rc = check_audience(p, t, own ? s->public_line[k] : s->text_line[k], key,
                                         hm_tmpl_section_text(s, (hm_tmpl_text)k, pub),
                                         pub)) != HM_OK)
                    return rc;
            }
            if (shown_to(s, pub) && s->note_if &&
                (rc = check_aud_one(&(aud_checker){ p, t, s->text_line[4], pub, "note_if" },
                                    s->note_if)) != HM_OK)
                return rc;
        }
    }
    return HM_OK;
}

/*
 * A "figure.KEY = {ref}" line into t->fig: KEY of [a-z0-9_], given once,
 * and the value one placeholder with nothing around it.
 */
static hm_error add_figure(parser *p, hm_template *t, const char *key, const char *value)
{
    size_t n = strlen(value);
    if (!hm_template_name_ok(key))
        return perr(p, p->line, "figure name '%s' may hold only a-z, 0-9 and '_'", key);
    for (size_t i = 0; i < t->nfig; i++)
        if (strcmp(t->fig[i].key, key) == 0)
            return perr(p, p->line, "figure '%s' is given twice", key);
    if (n < 3 || value[0] != '{' || value[n - 1] != '}' || strpbrk(value + 1, "{}") !=
        value + n - 1)
        return perr(p, p->line, "figure '%s' must be one placeholder such as {kpi.value:1}, "
                    "not '%s'", key, value);
    t->fig = hm_xrealloc(t->fig, (t->nfig + 1) * sizeof *t->fig);
    t->fig[t->nfig++] = (hm_tmpl_figure){ hm_xstrdup(key), hm_xstrndup(value + 1, n - 2),
                                          p->line };
    return HM_OK;
}

/* Checks that need the whole template: required keys, charts, placeholders. */
static hm_error check_template(parser *p, const hm_template *t, const int *text_lines)
{
    hm_error rc;
    if ((rc = check_text(p, t, text_lines[0], t->title)) != HM_OK ||
        (rc = check_text(p, t, text_lines[1], t->subtitle)) != HM_OK ||
        (rc = check_text(p, t, text_lines[2], t->footer)) != HM_OK ||
        (rc = check_run_only(p, t, text_lines[3], "unfinished", t->unfinished)) != HM_OK ||
        (rc = check_run_only(p, t, text_lines[4], "elsewhere", t->elsewhere)) != HM_OK ||
        (rc = check_figures(p, t)) != HM_OK)
        return rc;
    if (!t->title)
        return perr(p, 1, "the template has no 'title'");
    if (t->nsec == 0)
        return perr(p, p->line, "the template has no [section]");
    for (size_t i = 0; i < t->nsec; i++) {
        const hm_tmpl_section *s = &t->sec[i];
        if (!s->heading)
            return perr(p, s->line, "section '%s' has no 'heading'", s->id);
        if (s->targets && (s->query || s->kind != HM_SEC_TABLE || !find_col(s, "label") ||
                           !find_col(s, "target") || !find_col(s, "actual")))
            return perr(p, s->line, "section '%s' (rows = targets) is a table with no 'query' "
                        "and the columns label, target and actual (share optional)", s->id);
        if (s->kind != HM_SEC_TEXT && !s->query && !s->targets)
            return perr(p, s->line, "section '%s' has no 'query'", s->id);
        if ((s->query || s->targets) && s->ncol == 0)
            return perr(p, s->line, "section '%s' has no 'columns'", s->id);
        if (s->kind == HM_SEC_BAR || s->kind == HM_SEC_LINE) {
            if (!s->category || s->nseries == 0)
                return perr(p, s->line, "chart section '%s' needs 'category' and 'series'",
                            s->id);
            const hm_tmpl_col *c = find_col(s, s->category);
            if (!c || c->hidden || c->internal)
                return perr(p, s->line, "section '%s': category '%s' is not a shown column",
                            s->id, s->category);
            for (size_t j = 0; j < s->nseries; j++) {
                c = find_col(s, s->series[j]);
                if (!c || c->hidden || c->internal)
                    return perr(p, s->line, "section '%s': series '%s' is not a shown column",
                                s->id, s->series[j]);
            }
        }
        if ((rc = check_child_by(p, s)) != HM_OK)
            return rc;
        if ((rc = check_text(p, t, s->text_line[0], s->heading)) != HM_OK ||
            (rc = check_text(p, t, s->text_line[1], s->intro)) != HM_OK ||
            (rc = check_text(p, t, s->text_line[2], s->note)) != HM_OK ||
            (rc = check_text(p, t, s->text_line[3], s->empty)) != HM_OK)
            return rc;
        if (s->note_if && (rc = check_ref(p, t, s->text_line[4], s->note_if)) != HM_OK)
            return rc;
        for (int k = 0; k < HM_TEXT_N; k++)
            if ((rc = check_text(p, t, s->public_line[k], s->public_text[k])) != HM_OK)
                return rc;
    }
    return check_audiences(p, t, text_lines);
}

hm_error hm_template_parse(const char *name, const char *text, hm_template **out,
                           char *err, size_t errsz)
{
    parser p = { name, 0, err, errsz };
    hm_template *t = hm_xcalloc(1, sizeof *t);
    hm_tmpl_section *cur = NULL;
    unsigned seen = 0;
    int text_lines[5] = { 1, 1, 1, 1, 1 };
    hm_error rc = HM_OK;
    const char *s = text;
    *out = NULL;
    t->path = hm_xstrdup(name);

    while (*s && rc == HM_OK) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        char *line = trim_dup(s, len);
        uint32_t cp;
        p.line++;
        s = eol ? eol + 1 : s + len;
        if (p.line == 1 && (unsigned char)line[0] == 0xef && (unsigned char)line[1] == 0xbb &&
            (unsigned char)line[2] == 0xbf)
            memmove(line, line + 3, strlen(line + 3) + 1);   /* a BOM from Notepad */
        for (size_t i = 0, n = strlen(line), k; i < n; i += k) {
            if ((k = hm_utf8_decode(line + i, n - i, &cp)) == 0) {
                rc = perr(&p, p.line, "not valid UTF-8 (save the template as UTF-8)");
                break;
            }
        }
        if (rc != HM_OK || line[0] == '\0' || line[0] == '#') {
            free(line);
            continue;
        }
        size_t n = strlen(line);
        if (line[0] == '[') {
            if (line[n - 1] != ']' || strncmp(line, "[section", 8) != 0 ||
                space_len(line + 8) == 0) {
                rc = perr(&p, p.line, "expected '[section ID]', found '%s'", line);
            } else {
                char *id = trim_dup(line + 8, n - 9);
                if (!hm_template_name_ok(id))
                    rc = perr(&p, p.line, "section id '%s' may hold only a-z, 0-9 and '_'", id);
                else if (hm_template_find(t, id))
                    rc = perr(&p, p.line, "section '%s' is defined twice", id);
                if (rc == HM_OK) {
                    t->sec = hm_xrealloc(t->sec, (t->nsec + 1) * sizeof *t->sec);
                    cur = &t->sec[t->nsec++];
                    memset(cur, 0, sizeof *cur);
                    cur->id = id;
                    cur->line = p.line;
                    cur->kind = HM_SEC_TABLE;
                    seen = 0;
                } else {
                    free(id);
                }
            }
            free(line);
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            rc = perr(&p, p.line, "expected 'key = value', found '%s'", line);
            free(line);
            continue;
        }
        char *key = trim_dup(line, (size_t)(eq - line));
        char *value = trim_dup(eq + 1, strlen(eq + 1));
        if (!key[0]) {
            rc = perr(&p, p.line, "a line starts with '=' and names no key");
        } else if (cur) {
            rc = section_key(&p, cur, key, value, &seen);
        } else if (strcmp(key, "title") == 0) {
            text_lines[0] = p.line;
            rc = set_once(&p, &t->title, key, value);
        } else if (strcmp(key, "subtitle") == 0) {
            text_lines[1] = p.line;
            rc = set_once(&p, &t->subtitle, key, value);
        } else if (strcmp(key, "footer") == 0) {
            text_lines[2] = p.line;
            rc = set_once(&p, &t->footer, key, value);
        } else if (strcmp(key, "unfinished") == 0) {
            text_lines[3] = p.line;
            rc = set_once(&p, &t->unfinished, key, value);
        } else if (strcmp(key, "elsewhere") == 0) {
            text_lines[4] = p.line;
            rc = set_once(&p, &t->elsewhere, key, value);
        } else if (strncmp(key, "figure.", 7) == 0) {
            rc = add_figure(&p, t, key + 7, value);
        } else {
            rc = perr(&p, p.line, "unknown key '%s' before the first [section] "
                      "(title, subtitle, footer, unfinished, elsewhere, figure.NAME)", key);
        }
        free(key);
        free(value);
        free(line);
    }
    if (rc == HM_OK)
        rc = check_template(&p, t, text_lines);
    if (rc != HM_OK) {
        hm_template_free(t);
        return rc;
    }
    *out = t;
    return HM_OK;
}

hm_error hm_template_load(const char *path, hm_template **out, char *err, size_t errsz)
{
    char *text = hm_read_file(path, NULL);
    *out = NULL;
    if (!text) {
        snprintf(err, errsz, "cannot read template '%s': %s", path, strerror(errno));
        return HM_EIO;
    }
    hm_error rc = hm_template_parse(path, text, out, err, errsz);
    free(text);
    return rc;
}
