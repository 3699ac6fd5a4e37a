/*
 * util.h - memory, growing strings, UTF-8, dates, paths and atomic files.
 *
 * Ownership: an hm_strbuf owns its buffer; hm_strbuf_release frees it,
 * hm_strbuf_detach hands it to the caller ("you now own the storage").
 */
#ifndef HIMAMA_UTIL_H
#define HIMAMA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "himama.h"

/* Write a formatted message into err (of size errsz) and return rc. */
hm_error hm_fail(hm_error rc, char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Allocation that aborts with a message when memory runs out. */
void *hm_xmalloc(size_t n);
/*
 * For a report (hm_report_write): keep freed memory for reuse instead of
 * returning it to the system.  A report allocates and frees large blocks
 * many times (the query sorters, the page caches, the workbooks' buffers);
 * by default every block of 128 kB or more is a fresh mapping whose pages
 * fault in again on each use, a fifth of a report's CPU on this kind of
 * machine.  Process-wide, so it is called once per report, before work.
 */
void hm_malloc_keep(void);
void *hm_xcalloc(size_t n, size_t size);
void *hm_xrealloc(void *p, size_t n);
char *hm_xstrdup(const char *s);
char *hm_xstrndup(const char *s, size_t n);

/* A growing NUL-terminated byte string. */
typedef struct hm_strbuf {
    char *buf;      /* always NUL-terminated once initialised */
    size_t len;     /* bytes used, not counting the NUL */
    size_t alloc;   /* bytes allocated */
} hm_strbuf;

#define HM_STRBUF_INIT { NULL, 0, 0 }

void hm_strbuf_init(hm_strbuf *sb);
void hm_strbuf_release(hm_strbuf *sb);
char *hm_strbuf_detach(hm_strbuf *sb);
void hm_strbuf_reset(hm_strbuf *sb);
void hm_strbuf_grow(hm_strbuf *sb, size_t extra);
void hm_strbuf_add(hm_strbuf *sb, const void *data, size_t n);
void hm_strbuf_adds(hm_strbuf *sb, const char *s);
void hm_strbuf_addc(hm_strbuf *sb, char c);
void hm_strbuf_addf(hm_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hm_strbuf_vaddf(hm_strbuf *sb, const char *fmt, va_list ap);
/* Append s as a JSON string literal (with quotes). */
void hm_strbuf_add_json(hm_strbuf *sb, const char *s);

/*
 * Decode one UTF-8 code point from s (at most n bytes).  Returns the number
 * of bytes used and stores the code point in *cp; returns 0 for an invalid
 * or truncated sequence (overlongs, surrogates and > U+10FFFF are invalid).
 */
size_t hm_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp as UTF-8 into out (4 bytes room); returns the bytes written. */
size_t hm_utf8_encode(uint32_t cp, char *out);
/* Number of code points in a valid UTF-8 string of n bytes. */
size_t hm_utf8_count(const char *s, size_t n);

/*
 * The blank rule of the door, in one place.  A blank is an ASCII space or
 * tab, U+00A0 (no-break space) or U+3000 (ideographic space); a space is a
 * blank or a line break (CR, LF).  Fields are trimmed of spaces; a CSV line
 * or sheet row holding only commas and blanks is skipped.
 *
 * hm_utf8_blank: the bytes of the blank at s (n bytes there), or 0.
 * hm_utf8_space: the same for a space.
 * hm_utf8_space_before: the bytes of the space ending at s + n, or 0.
 * hm_utf8_trim: s without its leading spaces (the return value) and, in
 * *n (in: the bytes of s), without its trailing ones either.
 */
#define HM_UTF8_BLANK_MAX 3     /* the longest blank or space, in bytes */
size_t hm_utf8_blank(const char *s, size_t n);
size_t hm_utf8_space(const char *s, size_t n);
size_t hm_utf8_space_before(const char *s, size_t n);
const char *hm_utf8_trim(const char *s, size_t *n);

/*
 * Dates are kept as days since 1970-01-01 (negative before) or as
 * "YYYY-MM-DD" text.  hm_date_from_ymd returns false for a date that is not
 * on the calendar.
 */
bool hm_date_valid(int y, int m, int d);
int32_t hm_days_from_civil(int y, int m, int d);
void hm_civil_from_days(int32_t days, int *y, int *m, int *d);
/* Format days as "YYYY-MM-DD" into out (11 bytes). */
void hm_date_format(int32_t days, char out[11]);
/* Parse strict "YYYY-MM-DD"; false when malformed or not on the calendar. */
bool hm_date_parse_iso(const char *s, int32_t *days);
/* A person born on day birth is this many whole years old on day at: the
 * birthdays that have come by at (born on 29 February: 1 March in a common
 * year), as queries/annual_scorecard.sql counts an age. */
int hm_date_age(int32_t birth, int32_t at);
/* Today: the UTC day of SOURCE_DATE_EPOCH when set, else the local day. */
int32_t hm_today(void);
/* Now as seconds since the epoch: SOURCE_DATE_EPOCH when set, else clock. */
int64_t hm_now(void);
/* A monotonic clock in seconds, for timings. */
double hm_clock(void);
/* With HIMAMA_TIMING set, print "himama: timing: WHAT  SECONDS s  ROWS rows
 * (ended at T s)" to standard error: the seconds since t0 (from hm_clock),
 * and since hm_timing_origin was called (the start of the command). */
void hm_timing(const char *what, double t0, size_t rows);
void hm_timing_origin(void);
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void hm_time_format(int64_t t, char out[21]);

/* Create dir and its parents (mode 0700 for new ones); HM_OK or HM_EIO. */
hm_error hm_mkdirs(const char *dir);

/*
 * Open an input file once, never through a link, never blocking on a FIFO
 * or device: open(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), then
 * fstat the descriptor and accept only a regular file (O_NONBLOCK is then
 * cleared).  Everything after (hash, move, parse) goes through *fd, so a
 * file swapped for a link after this call is never read.  On failure *fd
 * is -1, reason (of size reasonsz) says why in words staff can act on
 * ("a symbolic link, not a file", "not a regular file") and the return is
 * HM_EIO.  The caller closes *fd.
 */
hm_error hm_open_input(const char *path, int *fd, char *reason, size_t reasonsz);

/*
 * Atomic output: hm_atomic_open creates a temporary file beside path;
 * hm_atomic_commit flushes, fsyncs, closes and renames it to path (then
 * fsyncs the directory); hm_atomic_abort closes and removes it.  After
 * commit or abort the struct holds nothing.
 */
typedef struct hm_atomic {
    FILE *fp;
    char *path;     /* final name */
    char *tmp;      /* temporary name */
} hm_atomic;

hm_error hm_atomic_open(hm_atomic *a, const char *path);
hm_error hm_atomic_commit(hm_atomic *a);
void hm_atomic_abort(hm_atomic *a);
/* A fresh temporary path beside path (caller frees); for libraries that
 * write a file by name (libharu, libxlsxwriter). */
char *hm_atomic_tmpname(const char *path);
/* fsync the file at tmp, rename it to path, fsync the directory. */
hm_error hm_atomic_rename(const char *tmp, const char *path);

/* Join two path parts with one '/' (caller frees). */
char *hm_path_join(const char *a, const char *b);
/* The last component of path (points into path). */
const char *hm_path_base(const char *path);

/*
 * Read a whole file into a NUL-terminated buffer (caller frees); NULL on
 * error with errno set.  *len may be NULL.
 */
char *hm_read_file(const char *path, size_t *len);

#endif
