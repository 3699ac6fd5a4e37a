/*
 * conf.h - the reader of the rules files staff edit by hand
 * (templates/nomination.conf, templates/targets.conf): UTF-8 text, an
 * optional BOM, one "key = value" a line, '#' starting a comment line,
 * blank lines ignored.  What the keys mean is the caller's: the reader
 * hands each pair over, and a message the caller gives back is prefixed
 * "NAME:LINE: ".
 *
 * Nothing here prints or exits.
 */
#ifndef HIMAMA_CONF_H
#define HIMAMA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

/*
 * One pair of a rules file: key and value, trimmed, valid during the call.
 * Return NULL to go on, or a message saying what is wrong with the line
 * (kept alive by the callee until the reader returns, e.g. in its own
 * buffer); the reader then stops with HM_ETEMPLATE.
 */
typedef const char *(*hm_conf_pair_fn)(void *arg, const char *key, const char *value);

/*
 * Read text (name is used in messages) and call pair(arg, key, value) for
 * each "key = value" line in order.  A line that is not blank, not a
 * comment and holds no '=' is an error, as is a message pair returns:
 * HM_ETEMPLATE with err set to "NAME:LINE: message".
 */
hm_error hm_conf_read(const char *name, const char *text, hm_conf_pair_fn pair, void *arg,
                      char *err, size_t errsz);

/*
 * Read the file at path (HM_EIO with err set when it cannot be read;
 * what names the file in that message, e.g. "the nomination rules") and
 * hm_conf_read it.
 */
hm_error hm_conf_load(const char *path, const char *what, hm_conf_pair_fn pair, void *arg,
                      char *err, size_t errsz);

/* Parse s as a whole number 0..max (digits only); false when it is not one. */
bool hm_conf_count(const char *s, int64_t max, int64_t *out);

#endif
