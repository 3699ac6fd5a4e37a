/*
 * conf.c - the reader of the rules files staff edit by hand (conf.h).
 */
#include "himama/conf.h"
#include "himama/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* s without leading and trailing blanks, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

bool hm_conf_count(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

hm_error hm_conf_read(const char *name, const char *text, hm_conf_pair_fn pair, void *arg,
                      char *err, size_t errsz)
{
    char *copy = hm_xstrdup(text), *next = NULL;
    hm_error rc = HM_OK;
    int line = 0;
    char *s = copy;
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;   /* a BOM from Notepad */
    for (char *ln = s; ln && rc == HM_OK; ln = next) {
        char *nl = strchr(ln, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        line++;
        char *t = trim(ln);
        if (!*t || *t == '#')
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: expected 'key = value'", name, line);
            break;
        }
        *eq = '\0';
        const char *why = pair(arg, trim(t), trim(eq + 1));
        if (why)
            rc = hm_fail(HM_ETEMPLATE, err, errsz, "%s:%d: %s", name, line, why);
    }
    free(copy);
    return rc;
}

hm_error hm_conf_load(const char *path, const char *what, hm_conf_pair_fn pair, void *arg,
                      char *err, size_t errsz)
{
    char *text = hm_read_file(path, NULL);
    if (!text)
        return hm_fail(HM_EIO, err, errsz, "cannot read %s '%s': %s", what, path,
                       strerror(errno));
    hm_error rc = hm_conf_read(path, text, pair, arg, err, errsz);
    free(text);
    return rc;
}
