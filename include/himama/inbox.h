/*
 * inbox.h - the run's file handling: the inbox where staff drop their CSV
 * exports, the processing folder a run works from, and the archive and
 * failed folders files end in.
 *
 * The layout (DESIGN.md leaves it open; docs/decisions.md and himama.1
 * describe it): the three folders are siblings of the inbox, so that moving
 * a file between them is a rename on one file system:
 *
 *     INBOX/FILE                        dropped by staff
 *     PARENT/processing/FILE            taken by a run, not yet archived
 *     PARENT/archive/YYYY-MM-DD/FILE    loaded (or identical to a file loaded
 *                                       before), with ID-FILE.rejects.csv
 *                                       beside it when rows were rejected
 *     PARENT/failed/YYYY-MM-DD/FILE     rejected whole, with FILE.reason.txt
 *
 * A move never replaces a file: a name already taken gets "-2", "-3" ...
 * before its extension.  Every move is a rename (or, across file systems,
 * a copy that is synced and renamed into place before the source is
 * removed), and the folders are synced, so a crash leaves each file either
 * where it was or where it went, never nowhere; at worst (a crash in the
 * middle of a cross-device move) in both, and the copy is then skipped as
 * identical to the file loaded.
 *
 * Functions return HM_OK or HM_EIO with errno set; they never print.
 * Returned strings are malloc'd and owned by the caller.
 */
#ifndef HIMAMA_INBOX_H
#define HIMAMA_INBOX_H

#include <stddef.h>

#include "himama.h"

/* PARENT/name where PARENT is the folder that holds the inbox. */
char *hm_inbox_sibling(const char *inbox, const char *name);

/*
 * The files waiting in dir: regular files whose names do not start with
 * '.' or "~$" (office programs' lock files), sorted by name.  *names is a
 * malloc'd array of malloc'd base names.  A missing dir is HM_ENOTFOUND.
 */
hm_error hm_inbox_list(const char *dir, char ***names, size_t *n);

/* Free a list from hm_inbox_list. */
void hm_inbox_list_free(char **names, size_t n);

/*
 * Move the file src into folder dstdir (created, owner-only, when
 * missing) under its own name or the first free "-N" variant of it.
 * *dst (may be NULL) gets the new path.
 */
hm_error hm_inbox_move(const char *src, const char *dstdir, char **dst);

/* Copy src into dstdir like hm_inbox_move, leaving src where it is. */
hm_error hm_inbox_copy(const char *src, const char *dstdir, char **dst);

/* Write text to "PATH.reason.txt" beside path (atomically). */
hm_error hm_inbox_write_reason(const char *path, const char *text);

#endif
