/*
 * replay.c - a main for a fuzzing harness built without libFuzzer: feed
 * every file named on the command line, or found in a directory named
 * there, to LLVMFuzzerTestOneInput once.  `make test` uses it to replay
 * the seed corpora and the regression inputs under the normal and the
 * sanitizer builds.  An invariant broken aborts the process.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Feed the file at path; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "cannot open '%s'\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += k;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(fp) || !buf;
    fclose(fp);
    if (bad) {
        free(buf);
        fprintf(stderr, "cannot read '%s'\n", path);
        return -1;
    }
    /* A private copy of exactly n bytes, so ASan sees reads past the end. */
    unsigned char *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

/* Compare names, for a stable order. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed path, or every regular file in it when it is a directory. */
static int replay_path(const char *path, long *count)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;  /* an absent directory (no regression inputs yet) is fine */
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "cannot open directory '%s'\n", path);
        return -1;
    }
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (nnames + 1) * sizeof *names);
        if (!nn) {
            rc = -1;
            break;
        }
        names = nn;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[nnames] = malloc(len);
        if (!names[nnames]) {
            rc = -1;
            break;
        }
        snprintf(names[nnames++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, nnames, sizeof *names, cmp_names);
    for (size_t i = 0; i < nnames; i++) {
        if (rc == 0) {
            struct stat fst;
            if (stat(names[i], &fst) == 0 && S_ISREG(fst.st_mode)) {
                (*count)++;
                if (replay_file(names[i]) != 0)
                    rc = -1;
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    long count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) != 0)
            rc = 1;
    printf("%ld inputs replayed\n", count);
    return rc;
}
