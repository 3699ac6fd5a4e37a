/*
 * inbox.c - moving files between the inbox, processing, archive and failed
 * folders (see inbox.h for the layout and the crash guarantees).
 */
#include "himama/inbox.h"
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
        bool regular = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
        free(p);
        if (!regular)
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

/* The first path in dir for name that does not exist yet (caller frees). */
static char *free_name(const char *dir, const char *name)
{
    char *p = hm_path_join(dir, name);
    struct stat st;
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    for (int i = 2; lstat(p, &st) == 0 && i < 100000; i++) {
        free(p);
        hm_strbuf sb = HM_STRBUF_INIT;
        hm_strbuf_adds(&sb, dir);
        if (sb.len && sb.buf[sb.len - 1] != '/')
            hm_strbuf_addc(&sb, '/');
        hm_strbuf_add(&sb, name, stem);
        hm_strbuf_addf(&sb, "-%d%s", i, name + stem);
        p = hm_strbuf_detach(&sb);
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
