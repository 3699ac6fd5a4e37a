/*
 * util.c - memory, growing strings, UTF-8, calendar dates, paths and
 * atomic files shared by every stage.
 */
#include "himama/util.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *hm_strerror(hm_error err)
{
    switch (err) {
    case HM_OK: return "success";
    case HM_EUSAGE: return "usage or configuration error";
    case HM_EIO: return "input/output error";
    case HM_ENOMEM: return "out of memory";
    case HM_EDB: return "database error";
    case HM_EENCODING: return "unsupported encoding";
    case HM_EREJECTED: return "file rejected";
    case HM_ELOCKED: return "database locked by another himama process";
    case HM_ETEMPLATE: return "template error";
    case HM_EQUERY: return "query error";
    case HM_EPDF: return "PDF error";
    case HM_EXLSX: return "Excel error";
    case HM_EPRIVACY: return "personal data in a public output";
    case HM_ENOTFOUND: return "not found";
    case HM_ESCHEMA: return "database schema is newer than this program";
    }
    return "unknown error";
}

hm_error hm_fail(hm_error rc, char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return rc;
}

/* Report the failed allocation and abort: nothing better can be done. */
static void oom(size_t n)
{
    fprintf(stderr, "himama: out of memory allocating %zu bytes\n", n);
    abort();
}

void hm_malloc_keep(void)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void *hm_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *hm_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *hm_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *hm_xstrdup(const char *s)
{
    return hm_xstrndup(s, strlen(s));
}

char *hm_xstrndup(const char *s, size_t n)
{
    char *p = hm_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void hm_strbuf_init(hm_strbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->alloc = 0;
    hm_strbuf_grow(sb, 0);
}

void hm_strbuf_release(hm_strbuf *sb)
{
    if (!sb)
        return;
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->alloc = 0;
}

char *hm_strbuf_detach(hm_strbuf *sb)
{
    char *p;
    hm_strbuf_grow(sb, 0);
    p = sb->buf;
    sb->buf = NULL;
    sb->len = sb->alloc = 0;
    return p;
}

void hm_strbuf_reset(hm_strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void hm_strbuf_grow(hm_strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc)
        return;
    size_t n = sb->alloc ? sb->alloc : 64;
    while (n < need)
        n *= 2;
    sb->buf = hm_xrealloc(sb->buf, n);
    if (sb->alloc == 0)
        sb->buf[0] = '\0';
    sb->alloc = n;
}

void hm_strbuf_add(hm_strbuf *sb, const void *data, size_t n)
{
    hm_strbuf_grow(sb, n);
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void hm_strbuf_adds(hm_strbuf *sb, const char *s)
{
    hm_strbuf_add(sb, s, strlen(s));
}

void hm_strbuf_addc(hm_strbuf *sb, char c)
{
    hm_strbuf_grow(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}

void hm_strbuf_vaddf(hm_strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    hm_strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void hm_strbuf_addf(hm_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hm_strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void hm_strbuf_add_json(hm_strbuf *sb, const char *s)
{
    hm_strbuf_addc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': hm_strbuf_adds(sb, "\\\""); break;
        case '\\': hm_strbuf_adds(sb, "\\\\"); break;
        case '\n': hm_strbuf_adds(sb, "\\n"); break;
        case '\r': hm_strbuf_adds(sb, "\\r"); break;
        case '\t': hm_strbuf_adds(sb, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                hm_strbuf_addf(sb, "\\u%04x", *p);
            else
                hm_strbuf_addc(sb, (char)*p);
        }
    }
    hm_strbuf_addc(sb, '"');
}

size_t hm_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((u[0] & 0xe0) == 0xc0) {
        len = 2; c = u[0] & 0x1f; min = 0x80;
    } else if ((u[0] & 0xf0) == 0xe0) {
        len = 3; c = u[0] & 0x0f; min = 0x800;
    } else if ((u[0] & 0xf8) == 0xf0) {
        len = 4; c = u[0] & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

size_t hm_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t hm_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            count++;
    return count;
}

size_t hm_utf8_blank(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 1 && (u[0] == ' ' || u[0] == '\t'))
        return 1;
    if (n >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
        return 2;
    if (n >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    return 0;
}

size_t hm_utf8_space(const char *s, size_t n)
{
    if (n >= 1 && (s[0] == '\r' || s[0] == '\n'))
        return 1;
    return hm_utf8_blank(s, n);
}

size_t hm_utf8_space_before(const char *s, size_t n)
{
    /* Every space ends in a byte no other character of it holds, so the
     * one ending at s + n starts 1, 2 or 3 bytes back. */
    for (size_t k = 1; k <= HM_UTF8_BLANK_MAX && k <= n; k++)
        if (hm_utf8_space(s + n - k, k) == k)
            return k;
    return 0;
}

const char *hm_utf8_trim(const char *s, size_t *n)
{
    size_t k;
    while ((k = hm_utf8_space(s, *n)) > 0) {
        s += k;
        *n -= k;
    }
    while ((k = hm_utf8_space_before(s, *n)) > 0)
        *n -= k;
    return s;
}

bool hm_date_valid(int y, int m, int d)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

/* Howard Hinnant's days_from_civil. */
int32_t hm_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void hm_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

void hm_date_format(int32_t days, char out[11])
{
    int y, m, d;
    hm_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    /* By hand: ingest formats a date per row, and snprintf cost 2% of it. */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10 % 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int hm_date_age(int32_t birth, int32_t at)
{
    int by, bm, bd, ay, am, ad;
    hm_civil_from_days(birth, &by, &bm, &bd);
    hm_civil_from_days(at, &ay, &am, &ad);
    return ay - by - (am * 100 + ad < bm * 100 + bd);
}

bool hm_date_parse_iso(const char *s, int32_t *days)
{
    int y = 0, m = 0, d = 0;
    for (int i = 0; i < 10; i++) {
        char c = s[i];
        if (i == 4 || i == 7) {
            if (c != '-')
                return false;
        } else if (c < '0' || c > '9') {
            return false;
        }
    }
    if (s[10] != '\0')
        return false;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!hm_date_valid(y, m, d))
        return false;
    *days = hm_days_from_civil(y, m, d);
    return true;
}

int64_t hm_now(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    if (e && *e) {
        char *end;
        errno = 0;
        long long v = strtoll(e, &end, 10);
        if (!errno && *end == '\0' && v >= 0)
            return v;
    }
    return (int64_t)time(NULL);
}

int32_t hm_today(void)
{
    /* Tests fix the day with SOURCE_DATE_EPOCH (read as UTC).  Otherwise
     * the day is the local one: in China a run at 00:30 on the 1st is
     * still the last day of the month before in UTC, and a row dated that
     * morning would look like one from the future. */
    const char *e = getenv("SOURCE_DATE_EPOCH");
    if (e && *e)
        return (int32_t)(hm_now() / 86400);
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return (int32_t)(now / 86400);
    return hm_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

double hm_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double timing_origin;

void hm_timing_origin(void)
{
    timing_origin = hm_clock();
}

void hm_timing(const char *what, double t0, size_t rows)
{
    if (getenv("HIMAMA_TIMING")) {
        double now = hm_clock();
        fprintf(stderr, "himama: timing: %-28s %9.3f s %8zu rows (ended at %.3f s)\n", what,
                now - t0, rows, now - timing_origin);
    }
}

void hm_time_format(int64_t t, char out[21])
{
    int y, m, d;
    if (t < 0)
        t = 0;
    int32_t days = (int32_t)(t / 86400);
    unsigned rem = (unsigned)(t % 86400);
    hm_civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        y = 9999;
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, rem / 3600 % 100u, rem / 60 % 60u,
             rem % 60u);
}

hm_error hm_mkdirs(const char *dir)
{
    char *p = hm_xstrdup(dir);
    hm_error err = HM_OK;
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                err = HM_EIO;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return err;
}

char *hm_path_join(const char *a, const char *b)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_adds(&sb, a);
    if (sb.len && sb.buf[sb.len - 1] != '/')
        hm_strbuf_addc(&sb, '/');
    hm_strbuf_adds(&sb, b);
    return hm_strbuf_detach(&sb);
}

const char *hm_path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

char *hm_atomic_tmpname(const char *path)
{
    static atomic_uint counter;   /* the annual report names files from two threads */
    hm_strbuf sb = HM_STRBUF_INIT;
    const char *base = hm_path_base(path);
    hm_strbuf_add(&sb, path, (size_t)(base - path));
    hm_strbuf_addf(&sb, ".%s.tmp-%ld-%u", base, (long)getpid(), atomic_fetch_add(&counter, 1));
    return hm_strbuf_detach(&sb);
}

/* fsync the directory that holds path, so a rename survives a crash. */
static hm_error fsync_dir_of(const char *path)
{
    const char *base = hm_path_base(path);
    char *dir = base == path ? hm_xstrdup(".")
                             : hm_xstrndup(path, (size_t)(base - path));
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return HM_EIO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? HM_OK : HM_EIO;
}

hm_error hm_atomic_rename(const char *tmp, const char *path)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0)
        return HM_EIO;
    int rc = fsync(fd);
    close(fd);
    if (rc != 0 || rename(tmp, path) != 0)
        return HM_EIO;
    return fsync_dir_of(path);
}

hm_error hm_atomic_open(hm_atomic *a, const char *path)
{
    a->path = hm_xstrdup(path);
    a->tmp = hm_atomic_tmpname(path);
    a->fp = fopen(a->tmp, "wbx");
    if (!a->fp) {
        free(a->path);
        free(a->tmp);
        a->path = a->tmp = NULL;
        return HM_EIO;
    }
    return HM_OK;
}

hm_error hm_atomic_commit(hm_atomic *a)
{
    hm_error err = HM_OK;
    if (fflush(a->fp) != 0 || ferror(a->fp) || fsync(fileno(a->fp)) != 0)
        err = HM_EIO;
    if (fclose(a->fp) != 0)
        err = HM_EIO;
    a->fp = NULL;
    if (err == HM_OK && rename(a->tmp, a->path) != 0)
        err = HM_EIO;
    if (err == HM_OK)
        err = fsync_dir_of(a->path);
    else
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return err;
}

void hm_atomic_abort(hm_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    a->fp = NULL;
    a->path = a->tmp = NULL;
}

char *hm_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    hm_strbuf sb = HM_STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        hm_strbuf_add(&sb, buf, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        hm_strbuf_release(&sb);
        errno = EIO;
        return NULL;
    }
    hm_strbuf_grow(&sb, 0);
    if (len)
        *len = sb.len;
    return hm_strbuf_detach(&sb);
}

hm_error hm_open_input(const char *path, int *fd, char *reason, size_t reasonsz)
{
    struct stat st;
    *fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (*fd < 0) {
        int e = errno;
        if (e == ELOOP)
            snprintf(reason, reasonsz, "a symbolic link, not a file: not read");
        else
            snprintf(reason, reasonsz, "cannot open: %s", strerror(e));
        return HM_EIO;
    }
    const char *why = NULL;
    if (fstat(*fd, &st) != 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = S_ISDIR(st.st_mode) ? "a folder, not a file" : "not a regular file: not read";
    else {
        int fl = fcntl(*fd, F_GETFL);
        if (fl < 0 || fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
            why = strerror(errno);
    }
    if (why) {
        snprintf(reason, reasonsz, "%s", why);
        close(*fd);
        *fd = -1;
        return HM_EIO;
    }
    return HM_OK;
}
