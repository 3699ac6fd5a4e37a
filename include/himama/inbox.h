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
 * before its extension.  A name that would be longer than
 * HM_INBOX_NAME_MAX bytes (with "-N") is shortened: the start of its stem,
 * "~" and 8 hex digits of the whole name's SHA-256, then its extension
 * (hm_inbox_fit_name), so that FILE.reason.txt and the temporaries beside
 * it fit any file system's 255 bytes.
 *
 * A run marks a file of processing before reading it (a hidden
 * ".tries-HASH" file beside it holding how many runs started reading it,
 * written atomically), and removes the mark once the file has left
 * processing: a run killed while reading a file leaves the mark, and the
 * next run knows that file was tried.  Every move is a rename (or, across file systems,
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

#include <stdbool.h>
#include <stddef.h>

#include "himama.h"

/* The longest base name a move gives a file (bytes), leaving room for
 * ".reason.txt" and a temporary's ".NAME.tmp-PID-N" within 255. */
#define HM_INBOX_NAME_MAX 180

/* PARENT/name where PARENT is the folder that holds the inbox. */
char *hm_inbox_sibling(const char *inbox, const char *name);

/*
 * The entries waiting in dir: everything but folders (links, FIFOs and
 * devices too, for the caller to refuse by name) whose names do not start
 * with '.' or "~$" (office programs' lock files), sorted by name.  *names is a
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

/*
 * name with suffix ("-2", or "") put before its extension, shortened when
 * longer than max bytes: the start of the stem (cut between UTF-8
 * characters), "~" and the first 8 hex digits of name's SHA-256, the
 * suffix, the extension (up to 16 bytes).  Returns a malloc'd string.
 */
char *hm_inbox_fit_name(const char *name, const char *suffix, size_t max);

/*
 * Move src, the file open on fd, into dstdir as hm_inbox_move does, then
 * check that the new path names that same file (not a link or another
 * file put in src's place since fd was opened): *same says so.  *dst (may
 * be NULL) gets the new path either way.  HM_EIO when the move failed.
 */
hm_error hm_inbox_take(const char *src, int fd, const char *dstdir, char **dst, bool *same);

/* How many runs started reading the file name of processing folder dir
 * (its ".tries-HASH" mark; 0 when none). */
int hm_inbox_tries(const char *dir, const char *name);

/* Record, durably and atomically, that tries runs started reading name. */
hm_error hm_inbox_set_tries(const char *dir, const char *name, int tries);

/* Remove name's mark (the file has left dir). */
void hm_inbox_clear_tries(const char *dir, const char *name);

/* Remove the marks (and half-written marks) of files no longer in dir: a
 * run killed between moving a file out and removing its mark.  Call it
 * holding the lock, before new files come into dir. */
void hm_inbox_sweep_tries(const char *dir);

#endif
