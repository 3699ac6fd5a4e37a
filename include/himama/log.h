/*
 * log.h - the run log: one line per event, appended to a file, each line
 * opening with a local timestamp and the process id.
 *
 * Lines name rows by file and line, never by a person's name: callers pass
 * identifiers, counts and reasons only.  Each line is written with one
 * write(2) on a descriptor opened O_APPEND, so lines of two processes never
 * interleave.  A write that fails is remembered (hm_log_failed) instead of
 * being reported at once: the log is the one place a cron job can report to.
 */
#ifndef HIMAMA_LOG_H
#define HIMAMA_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "himama.h"

typedef struct hm_log {
    int fd;          /* the open log file, or -1 */
    bool failed;     /* a line could not be written */
} hm_log;

/*
 * Open path for appending (created owner-only when missing; its folder is
 * created too).  A link is never followed (errno ELOOP) and anything but a
 * regular file is refused (EINVAL).  Returns HM_OK, or HM_EIO with errno
 * set.
 */
hm_error hm_log_open(hm_log *log, const char *path);

/* Append one line: "YYYY-MM-DDTHH:MM:SS+ZZZZ [PID] message\n".  log may be
 * NULL or closed (then nothing happens).  Trailing newlines and spaces are
 * dropped, and every control character (a newline too) and DEL inside the
 * message is written as \xNN, so one call is always one line and no
 * terminal escape reaches the file raw. */
void hm_log_printf(hm_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hm_log_vprintf(hm_log *log, const char *fmt, va_list ap);

/* True when a line could not be written since the log was opened. */
bool hm_log_failed(const hm_log *log);

/* Close the log (fsync first); false when closing failed or a line was lost. */
bool hm_log_close(hm_log *log);

#endif
