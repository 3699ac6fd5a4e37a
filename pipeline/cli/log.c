/*
 * log.c - the run log (see log.h).
 *
 * Timestamps are the wall clock in local time with its UTC offset, not
 * SOURCE_DATE_EPOCH: a log says when things really happened.
 */
#include "himama/log.h"
#include "himama/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

hm_error hm_log_open(hm_log *log, const char *path)
{
    log->fd = -1;
    log->failed = false;
    const char *base = hm_path_base(path);
    if (base != path) {
        char *dir = hm_xstrndup(path, (size_t)(base - path));
        hm_error rc = hm_mkdirs(dir);
        free(dir);
        if (rc != HM_OK)
            return rc;
    }
    log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    return log->fd < 0 ? HM_EIO : HM_OK;
}

void hm_log_vprintf(hm_log *log, const char *fmt, va_list ap)
{
    if (!log || log->fd < 0)
        return;
    hm_strbuf sb = HM_STRBUF_INIT;
    time_t now = time(NULL);
    struct tm tm;
    char stamp[40] = "";
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S%z", &tm);
    hm_strbuf_addf(&sb, "%s [%ld] ", stamp, (long)getpid());
    size_t start = sb.len;
    hm_strbuf_vaddf(&sb, fmt, ap);
    for (size_t i = start; i < sb.len; i++)
        if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
            sb.buf[i] = ' ';
    while (sb.len > start && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    hm_strbuf_addc(&sb, '\n');
    size_t off = 0;
    while (off < sb.len) {
        ssize_t n = write(log->fd, sb.buf + off, sb.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log->failed = true;
            break;
        }
        off += (size_t)n;
    }
    hm_strbuf_release(&sb);
}

void hm_log_printf(hm_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hm_log_vprintf(log, fmt, ap);
    va_end(ap);
}

bool hm_log_failed(const hm_log *log)
{
    return log && log->failed;
}

bool hm_log_close(hm_log *log)
{
    if (!log || log->fd < 0)
        return true;
    bool ok = !log->failed;
    if (fsync(log->fd) != 0 && errno != EINVAL)
        ok = false;
    if (close(log->fd) != 0)
        ok = false;
    log->fd = -1;
    return ok;
}
