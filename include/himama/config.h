/*
 * config.h - himama.conf: a plain "key = value" file, '#' comments.
 *
 * Precedence, highest first: command line (handled by the caller), then
 * the environment, then the file, then the defaults.  Unknown keys are
 * errors naming the file and line.  Strings returned are owned by the
 * config (or the environment) and live until hm_config_release.
 */
#ifndef HIMAMA_CONFIG_H
#define HIMAMA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"

typedef struct hm_config {
    char **keys;
    char **values;
    size_t n;
    char *datadir;    /* resolved data directory (owned) */
} hm_config;

void hm_config_init(hm_config *c);
void hm_config_release(hm_config *c);

/*
 * Load path; when path is NULL load "himama.conf" from the current
 * directory if it exists (HIMAMA_CONFIG names another).  On error, err
 * says "FILE:LINE: reason".
 */
hm_error hm_config_load(hm_config *c, const char *path, char *err, size_t errsz);
/* Parse config text (name is used in messages). */
hm_error hm_config_parse(hm_config *c, const char *name, const char *text,
                         char *err, size_t errsz);

/* The value of key: environment variable env (if set and not empty), then the file, then def. */
const char *hm_config_get(const hm_config *c, const char *key, const char *env,
                          const char *def);
bool hm_config_bool(const hm_config *c, const char *key, const char *env);

/*
 * Parse permission bits for public reports ("0640", "644"): octal, read
 * and write bits only, the owner's read and write included.  HM_EUSAGE
 * when s is anything else.
 */
hm_error hm_config_mode(const char *s, unsigned *mode);

/*
 * Parse a length of time ("600", "90s", "10m", "2h": seconds unless it
 * ends in s, m or h; a whole number, 0 meaning no limit) into *secs.
 * HM_EUSAGE when s is anything else or over 1e9 seconds.
 */
hm_error hm_config_duration(const char *s, long *secs);

/*
 * Where queries/ and templates/ live: $HIMAMA_DATADIR, the config's
 * "datadir", the directory holding the executable (or its parent, for a
 * build tree) when it has a queries/ folder, then PREFIX/share/himama when
 * the executable is PREFIX/bin/himama (an installed tree, even if moved),
 * else the data folder compiled in (HM_DATADIR).
 */
const char *hm_config_datadir(hm_config *c, const char *argv0);

#endif
