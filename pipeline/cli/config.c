/*
 * config.c - the himama.conf reader and the data-directory search.
 */
#include "himama/config.h"
#include "himama/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HM_DATADIR
#define HM_DATADIR "/usr/local/share/himama"
#endif

static const char *const known_keys[] = {
    "database", "out", "inbox", "log", "font", "organisation", "language",
    "datadir", "quiet", "public_mode", "file_timeout", "each", NULL
};

void hm_config_init(hm_config *c)
{
    memset(c, 0, sizeof *c);
}

void hm_config_release(hm_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->keys[i]);
        free(c->values[i]);
    }
    free(c->keys);
    free(c->values);
    free(c->datadir);
    memset(c, 0, sizeof *c);
}

/* Trim ASCII white space from both ends of [s, s+n) in place; returns start. */
static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void set_value(hm_config *c, const char *key, const char *value)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->keys[i], key) == 0) {
            free(c->values[i]);
            c->values[i] = hm_xstrdup(value);
            return;
        }
    }
    c->keys = hm_xrealloc(c->keys, (c->n + 1) * sizeof *c->keys);
    c->values = hm_xrealloc(c->values, (c->n + 1) * sizeof *c->values);
    c->keys[c->n] = hm_xstrdup(key);
    c->values[c->n] = hm_xstrdup(value);
    c->n++;
}

hm_error hm_config_parse(hm_config *c, const char *name, const char *text,
                         char *err, size_t errsz)
{
    char *copy = hm_xstrdup(text);
    char *line = copy, *next;
    hm_error rc = HM_OK;
    for (int lineno = 1; line; lineno++, line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errsz, "%s:%d: expected 'key = value'", name, lineno);
            rc = HM_EUSAGE;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        bool known = false;
        for (const char *const *k = known_keys; *k; k++)
            known = known || strcmp(*k, key) == 0;
        if (!known) {
            snprintf(err, errsz, "%s:%d: unknown key '%s'", name, lineno, key);
            rc = HM_EUSAGE;
            break;
        }
        set_value(c, key, value);
    }
    free(copy);
    return rc;
}

hm_error hm_config_load(hm_config *c, const char *path, char *err, size_t errsz)
{
    bool must_exist = path != NULL;
    if (!path) {
        path = getenv("HIMAMA_CONFIG");
        must_exist = path && *path;
        if (!must_exist)
            path = "himama.conf";
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (!must_exist && errno == ENOENT)
            return HM_OK;
        snprintf(err, errsz, "cannot read config '%s': %s", path, strerror(errno));
        return HM_EUSAGE;
    }
    hm_strbuf sb = HM_STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        hm_strbuf_add(&sb, buf, n);
    bool bad = ferror(fp);
    fclose(fp);
    hm_error rc;
    if (bad) {
        snprintf(err, errsz, "cannot read config '%s'", path);
        rc = HM_EUSAGE;
    } else {
        hm_strbuf_grow(&sb, 0);
        rc = hm_config_parse(c, path, sb.buf, err, errsz);
    }
    hm_strbuf_release(&sb);
    return rc;
}

const char *hm_config_get(const hm_config *c, const char *key, const char *env,
                          const char *def)
{
    const char *e = env ? getenv(env) : NULL;
    if (e && *e)
        return e;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return def;
}

bool hm_config_bool(const hm_config *c, const char *key, const char *env)
{
    const char *v = hm_config_get(c, key, env, "no");
    return strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0;
}

hm_error hm_config_mode(const char *s, unsigned *mode)
{
    size_t n = strlen(s);
    unsigned v = 0;
    if (n < 3 || n > 4)
        return HM_EUSAGE;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '7')
            return HM_EUSAGE;
        v = v * 8 + (unsigned)(s[i] - '0');
    }
    if ((v & ~0666u) != 0 || (v & 0600u) != 0600u)
        return HM_EUSAGE;
    *mode = v;
    return HM_OK;
}

hm_error hm_config_duration(const char *s, long *secs)
{
    long v = 0;
    size_t i = 0;
    if (!isdigit((unsigned char)s[0]))
        return HM_EUSAGE;
    for (; isdigit((unsigned char)s[i]); i++) {
        if (v > 100000000L)
            return HM_EUSAGE;
        v = v * 10 + (s[i] - '0');
    }
    long unit = 1;
    if (s[i] == 's' || s[i] == 'm' || s[i] == 'h') {
        unit = s[i] == 'h' ? 3600 : s[i] == 'm' ? 60 : 1;
        i++;
    }
    if (s[i] != '\0' || v > 1000000000L / unit)
        return HM_EUSAGE;
    *secs = v * unit;
    return HM_OK;
}

/* True when dir/queries exists. */
static bool has_queries(const char *dir)
{
    char *q = hm_path_join(dir, "queries/schema.sql");
    bool ok = access(q, R_OK) == 0;
    free(q);
    return ok;
}

const char *hm_config_datadir(hm_config *c, const char *argv0)
{
    (void)argv0;
    const char *v = hm_config_get(c, "datadir", "HIMAMA_DATADIR", NULL);
    free(c->datadir);
    c->datadir = NULL;
    if (v) {
        c->datadir = hm_xstrdup(v);
        return c->datadir;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            if (has_queries(exe)) {
                c->datadir = hm_xstrdup(exe);
                return c->datadir;
            }
            /* An installed tree moved elsewhere: PREFIX/bin/himama beside
             * PREFIX/share/himama. */
            if (up == 1) {
                char *share = hm_path_join(exe, "share/himama");
                if (has_queries(share)) {
                    c->datadir = share;
                    return c->datadir;
                }
                free(share);
            }
        }
    }
    c->datadir = hm_xstrdup(HM_DATADIR);
    return c->datadir;
}
