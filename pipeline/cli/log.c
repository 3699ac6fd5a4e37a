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
#include <sys/stat.h>
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
    /* Never through a link (ELOOP), never blocking on a FIFO, and only a
     * regular file: a log placed as a link to another file is refused. */
    log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                   0600);
    if (log->fd < 0)
        return HM_EIO;
    struct stat st;
    int fl, e = 0;
    if (fstat(log->fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else if ((fl = fcntl(log->fd, F_GETFL)) < 0 || fcntl(log->fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
        e = errno;
    if (e) {
        close(log->fd);
        log->fd = -1;
        errno = e;
        return HM_EIO;
    }
    return HM_OK;
}

/*
 * Append s[0..n) to sb with every control character (below 0x20) and DEL
 * written as \xNN, so that a line of the log is one line and shows no
 * terminal escape or bell (from a file name, say).
 */
static void add_escaped(hm_strbuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            hm_strbuf_addf(sb, "\\x%02x", c);
        else
            hm_strbuf_addc(sb, (char)c);
    }
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
    hm_strbuf msg = HM_STRBUF_INIT;
    hm_strbuf_vaddf(&msg, fmt, ap);
    size_t len = msg.len;
    while (len > 0 && (msg.buf[len - 1] == '\n' || msg.buf[len - 1] == ' '))
        len--;
    add_escaped(&sb, msg.buf ? msg.buf : "", len);
    hm_strbuf_release(&msg);
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
