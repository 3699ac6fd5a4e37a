/*
 * inbox.c - moving files between the inbox, processing, archive and failed
 * folders (see inbox.h for the layout and the crash guarantees).
 */
#include "himama/inbox.h"
#include "himama/sha256.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *hm_inbox_sibling(const char *inbox, const char *name)
{
    char *p = hm_xstrdup(inbox);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    const char *base = hm_path_base(p);
    char *out;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || *base == '\0') {
        char *up = hm_path_join(p, "..");
        out = hm_path_join(up, name);
        free(up);
    } else if (base == p) {
        out = hm_xstrdup(name);
    } else {
        char *parent = hm_xstrndup(p, (size_t)(base - p));
        out = hm_path_join(parent, name);
        free(parent);
    }
    free(p);
    return out;
}

/* qsort comparator for strings. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

hm_error hm_inbox_list(const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR ? HM_ENOTFOUND : HM_EIO;
    struct dirent *e;
    size_t alloc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, "~$", 2) == 0)
            continue;
        char *p = hm_path_join(dir, e->d_name);
        struct stat st;
        bool folder = lstat(p, &st) != 0 || S_ISDIR(st.st_mode);
        free(p);
        if (folder)
            continue;
        if (*n == alloc) {
            alloc = alloc ? 2 * alloc : 16;
            *names = hm_xrealloc(*names, alloc * sizeof **names);
        }
        (*names)[(*n)++] = hm_xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return HM_OK;
}

void hm_inbox_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

char *hm_inbox_fit_name(const char *name, const char *suffix, size_t max)
{
    size_t len = strlen(name), slen = strlen(suffix);
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name && len - (size_t)(dot - name) <= 16 ? (size_t)(dot - name)
                                                                         : len;
    size_t ext = len - stem;
    hm_strbuf sb = HM_STRBUF_INIT;
    if (len + slen <= max) {
        hm_strbuf_add(&sb, name, stem);
    } else {
        /* A double extension (".rejects.csv") is kept whole when short. */
        const char *dot2 = NULL;
        for (const char *q = name + stem; q > name + 1 && !dot2 && name + stem - q < 16; q--)
            if (q[-1] == '.')
                dot2 = q - 1;
        if (dot2 && len - (size_t)(dot2 - name) <= 16) {
            stem = (size_t)(dot2 - name);
            ext = len - stem;
        }
        /* The start of the stem (cut between characters), "~" and the
         * first 8 hex digits of the whole name's SHA-256. */
        char hex[65];
        hm_sha256 h;
        hm_sha256_init(&h);
        hm_sha256_update(&h, name, len);
        hm_sha256_final_hex(&h, hex);
        size_t room = max > slen + ext + 9 ? max - slen - ext - 9 : 0;
        size_t keep = room < stem ? room : stem;
        while (keep > 0 && ((unsigned char)name[keep] & 0xc0) == 0x80)
            keep--;
        hm_strbuf_add(&sb, name, keep);
        hm_strbuf_addf(&sb, "~%.8s", hex);
    }
    hm_strbuf_adds(&sb, suffix);
    hm_strbuf_add(&sb, name + stem, ext);
    return hm_strbuf_detach(&sb);
}

/* The first path in dir for name (fitted to HM_INBOX_NAME_MAX) that does
 * not exist yet (caller frees). */
static char *free_name(const char *dir, const char *name)
{
    struct stat st;
    char *p = NULL;
    for (int i = 1; i < 100000; i++) {
        char suffix[16] = "";
        if (i > 1)
            snprintf(suffix, sizeof suffix, "-%d", i);
        char *base = hm_inbox_fit_name(name, suffix, HM_INBOX_NAME_MAX);
        free(p);
        p = hm_path_join(dir, base);
        free(base);
        if (lstat(p, &st) != 0)
            break;
    }
    return p;
}

/* fsync a folder, so that a rename in it survives a crash. */
static hm_error sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return HM_EIO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 || errno == EINVAL ? HM_OK : HM_EIO;
}

/* The folder that holds path (caller frees). */
static char *dir_of(const char *path)
{
    const char *base = hm_path_base(path);
    return base == path ? hm_xstrdup(".") : hm_xstrndup(path, (size_t)(base - path));
}

/* Copy src to a new file dst (which must not exist), synced; removed on error. */
static hm_error copy_file(const char *src, const char *dst)
{
    hm_error rc = HM_EIO;
    char buf[65536];
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = -1;
    if (in < 0)
        return HM_EIO;
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        goto out;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto out;
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                goto out;
            off += w;
        }
    }
    if (fsync(out) != 0)
        goto out;
    rc = HM_OK;
out:
    if (in >= 0)
        close(in);
    if (out >= 0) {
        int saved = errno;
        if (close(out) != 0)
            rc = HM_EIO;
        if (rc != HM_OK)
            unlink(dst);
        errno = saved;
    }
    return rc;
}

/* Copy src into dstdir under a fresh temporary name, then rename it to a
 * free name there; *dst gets the final path. */
static hm_error copy_into(const char *src, const char *dstdir, char **dst)
{
    char *final = free_name(dstdir, hm_path_base(src));
    char *tmp = hm_atomic_tmpname(final);
    hm_error rc = copy_file(src, tmp);
    if (rc == HM_OK && rename(tmp, final) != 0) {
        rc = HM_EIO;
        unlink(tmp);
    }
    free(tmp);
    if (rc == HM_OK)
        rc = sync_dir(dstdir);
    if (rc == HM_OK)
        *dst = final;
    else
        free(final);
    return rc;
}

hm_error hm_inbox_move(const char *src, const char *dstdir, char **dst)
{
    char *path = NULL, *srcdir = NULL;
    hm_error rc = hm_mkdirs(dstdir);
    if (rc != HM_OK)
        goto out;
    path = free_name(dstdir, hm_path_base(src));
    if (rename(src, path) == 0) {
        rc = sync_dir(dstdir);
    } else if (errno == EXDEV) {
        /* Another file system: copy, sync, rename into place, and only
         * then remove the source. */
        free(path);
        path = NULL;
        rc = copy_into(src, dstdir, &path);
        if (rc == HM_OK && unlink(src) != 0)
            rc = HM_EIO;
    } else {
        rc = HM_EIO;
    }
    srcdir = dir_of(src);
    if (rc == HM_OK)
        rc = sync_dir(srcdir);
out:
    free(srcdir);
    if (rc == HM_OK && dst)
        *dst = path;
    else
        free(path);
    return rc;
}

hm_error hm_inbox_copy(const char *src, const char *dstdir, char **dst)
{
    char *path = NULL;
    hm_error rc = hm_mkdirs(dstdir);
    if (rc == HM_OK)
        rc = copy_into(src, dstdir, &path);
    if (rc == HM_OK && dst)
        *dst = path;
    else
        free(path);
    return rc;
}

hm_error hm_inbox_write_reason(const char *path, const char *text)
{
    hm_atomic a;
    char *rp = hm_xmalloc(strlen(path) + sizeof ".reason.txt");
    snprintf(rp, strlen(path) + sizeof ".reason.txt", "%s.reason.txt", path);
    hm_error rc = hm_atomic_open(&a, rp);
    free(rp);
    if (rc != HM_OK)
        return rc;
    if (fputs(text, a.fp) == EOF) {
        hm_atomic_abort(&a);
        return HM_EIO;
    }
    return hm_atomic_commit(&a);
}

hm_error hm_inbox_take(const char *src, int fd, const char *dstdir, char **dst, bool *same)
{
    char *path = NULL;
    struct stat a, b;
    *same = false;
    hm_error rc = hm_inbox_move(src, dstdir, &path);
    if (rc != HM_OK)
        return rc;
    /* A rename moves whatever the name held then: the file opened, or
     * what was put in its place since (a link, another file). */
    *same = fstat(fd, &a) == 0 && lstat(path, &b) == 0 && S_ISREG(b.st_mode) &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    if (dst)
        *dst = path;
    else
        free(path);
    return HM_OK;
}

/* ------------------------------------------------------------ tries */

/* The marker's path of the file name in dir (caller frees): ".tries-" and
 * the first 16 hex digits of the name's SHA-256, whatever its length. */
static char *tries_path(const char *dir, const char *name)
{
    char hex[65], base[32];
    hm_sha256 h;
    hm_sha256_init(&h);
    hm_sha256_update(&h, name, strlen(name));
    hm_sha256_final_hex(&h, hex);
    snprintf(base, sizeof base, ".tries-%.16s", hex);
    return hm_path_join(dir, base);
}

int hm_inbox_tries(const char *dir, const char *name)
{
    char *p = tries_path(dir, name);
    char buf[32] = "";
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    free(p);
    if (fd < 0)
        return 0;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : 0;
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    long v = strtol(buf, NULL, 10);
    return v < 0 ? 0 : v > 1000 ? 1000 : (int)v;
}

hm_error hm_inbox_set_tries(const char *dir, const char *name, int tries)
{
    hm_atomic a;
    char *p = tries_path(dir, name);
    hm_error rc = hm_atomic_open(&a, p);
    free(p);
    if (rc != HM_OK)
        return rc;
    /* The count, then the name for a person looking. */
    if (fprintf(a.fp, "%d %s\n", tries, name) < 0) {
        hm_atomic_abort(&a);
        return HM_EIO;
    }
    return hm_atomic_commit(&a);
}

void hm_inbox_clear_tries(const char *dir, const char *name)
{
    char *p = tries_path(dir, name);
    if (unlink(p) == 0)
        sync_dir(dir);
    free(p);
}

void hm_inbox_sweep_tries(const char *dir)
{
    char **names = NULL;
    size_t n = 0;
    if (hm_inbox_list(dir, &names, &n) != HM_OK)
        return;
    char **keep = hm_xcalloc(n ? n : 1, sizeof *keep);
    for (size_t i = 0; i < n; i++) {
        char *p = tries_path(dir, names[i]);
        keep[i] = hm_xstrdup(hm_path_base(p));
        free(p);
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        /* A marker being written when a run was killed (we hold the lock). */
        bool tmp = strncmp(e->d_name, "..tries-", 8) == 0 && strstr(e->d_name, ".tmp-");
        if (strncmp(e->d_name, ".tries-", 7) != 0 && !tmp)
            continue;
        bool found = false;
        for (size_t i = 0; i < n && !found && !tmp; i++)
            found = strcmp(keep[i], e->d_name) == 0;
        if (!found) {
            char *p = hm_path_join(dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(keep[i]);
    free(keep);
    hm_inbox_list_free(names, n);
}
