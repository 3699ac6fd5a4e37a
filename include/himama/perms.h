/*
 * perms.h - permissions of public reports.
 *
 * himama runs with umask 077, so everything it creates (database, log,
 * rejects, internal reports and their folders) is its owner's only.  Public
 * reports are meant to be handed on: the config's public_mode (default
 * 0640) gives their files those bits, their folder the matching read and
 * search bits, and the folders above it up to the output folder the search
 * bit only (no listing), so the public files can be reached by path while
 * internal folders stay closed.
 */
#ifndef HIMAMA_PERMS_H
#define HIMAMA_PERMS_H

#include <stddef.h>

#include "himama.h"

/*
 * Apply mode to the n files, the matching folder mode to dir, and the
 * search bits to every folder from dir's parent up to root (dir lies
 * under root).  HM_OK, or HM_EIO with errno set.  mode 0 does nothing.
 */
hm_error hm_perms_publish(const char *root, const char *dir, char *const *files, size_t n,
                          unsigned mode);

#endif
