/*
 * run_take.c - the first step of `run monthly`: the files a run reads,
 * each opened once and kept open, never through a link.
 *
 * The files left in processing by an earlier run come first: each is
 * opened with hm_open_input (no link followed, no FIFO or device waited
 * on, a regular file only), and one that a run already started reading
 * and died on (its try mark, inbox.h) gets one more try; after two it goes
 * to failed/ with a reason.  Then every file of the inbox is opened the
 * same way, moved into processing, and kept only when the moved path still
 * names the file opened (nothing swapped in between).  What cannot be
 * opened goes to failed/ with a reason, the link or FIFO itself, never
 * what it points to.  The run then reads each file through its descriptor
 * (hm_ingest_fd), in dependency order.
 */
#include "himama.h"
#include "himama/cli.h"
#include "himama/inbox.h"
#include "himama/ingest.h"
#include "himama/kinds.h"
#include "himama/log.h"
#include "himama/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

void cli_run_fail(hm_log *log, const char *path, const char *faildir, const char *reason,
                  const char *lang)
{
    char *dst = NULL;
    hm_strbuf text = HM_STRBUF_INIT;
    if (hm_inbox_move(path, faildir, &dst) != HM_OK) {
        hm_log_printf(log, "%s: cannot move to '%s': %s", path, faildir, strerror(errno));
        cli_error("cannot move '%s' to '%s': %s", path, faildir, strerror(errno));
        return;
    }
    if (strcmp(lang, "zh") == 0)
        hm_strbuf_addf(&text, "%s：整个文件未导入。\n原因：%s\n请修改后重新放入收件箱。\n",
                       hm_path_base(dst), reason);
    else
        hm_strbuf_addf(&text, "%s: the whole file was rejected.\nReason: %s\n"
                       "Fix it and put it in the inbox again.\n", hm_path_base(dst), reason);
    if (hm_inbox_write_reason(dst, text.buf) != HM_OK)
        hm_log_printf(log, "%s: cannot write its reason file: %s", dst, strerror(errno));
    hm_log_printf(log, "%s: rejected whole, moved to %s: %s", hm_path_base(path), dst, reason);
    hm_strbuf_release(&text);
    free(dst);
}

/* True when name ends in ext (any case). */
static bool ends_with(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* The load order of the file open on fd named path: workbooks first, then
 * by the kind its name, else its header, tells; unknown last. */
static int load_order(const char *path, int fd)
{
    if (ends_with(path, ".xlsx"))
        return -1;
    const hm_kind *k = hm_kind_by_filename(hm_path_base(path));
    if (!k)   /* the header, read through the descriptor (never the path again) */
        k = hm_ingest_sniff_kind_fd(fd, path);
    return k ? k->load_order : HM_NKINDS;
}

/* Why a file is not read by its name. */
#define NOT_CSV "not a .csv or .xlsx file: save it from Excel or WPS as \"CSV UTF-8\" " \
                "or as an Excel workbook"

/* What gather works with. */
typedef struct gather {
    hm_log *log;
    const hm_cli *cli;
    const char *procdir, *faildir;
    cli_run_totals *t;
    cli_run_file *files;
    size_t n, cap, max;
    int code;
} gather;

/* Keep the file open on fd at path (in processing) for reading. */
static void keep(gather *g, char *path, int fd, int tries)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->files = hm_xrealloc(g->files, g->cap * sizeof *g->files);
    }
    g->files[g->n++] = (cli_run_file){ .path = path, .fd = fd, .tries = tries,
                                       .order = load_order(path, fd) };
    g->t->files++;
}

/* Reject the file at path whole (moved to failed/ with reason). */
static void reject(gather *g, const char *path, const char *reason)
{
    g->t->files++;
    g->t->failed++;
    cli_run_fail(g->log, path, g->faildir, reason, g->cli->lang);
    if (g->code < HM_EXIT_FAIL)
        g->code = HM_EXIT_FAIL;
}

/* The files a killed run left in processing. */
static void take_leftovers(gather *g)
{
    char **names = NULL;
    size_t n = 0;
    char why[256], reason[512];
    hm_inbox_sweep_tries(g->procdir);
    if (hm_inbox_list(g->procdir, &names, &n) != HM_OK) {
        hm_log_printf(g->log, "cannot read '%s': %s", g->procdir, strerror(errno));
        cli_error("cannot read '%s': %s", g->procdir, strerror(errno));
        g->code = HM_EXIT_FAIL;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char *path = hm_path_join(g->procdir, names[i]);
        int tries = hm_inbox_tries(g->procdir, names[i]), fd = -1;
        if (tries >= CLI_RUN_MAX_TRIES) {
            snprintf(reason, sizeof reason, "himama stopped %d times while reading this file "
                     "(the run was killed or crashed on it), so it is set aside: check it, "
                     "or send it to whoever looks after himama", tries);
            reject(g, path, reason);
            hm_inbox_clear_tries(g->procdir, names[i]);
        } else if (!ends_with(names[i], ".csv") && !ends_with(names[i], ".xlsx")) {
            reject(g, path, NOT_CSV);
            hm_inbox_clear_tries(g->procdir, names[i]);
        } else if (g->n >= g->max) {
            hm_log_printf(g->log, "%s: left in processing for the next run (too many files "
                          "at once)", names[i]);
        } else if (hm_open_input(path, &fd, why, sizeof why) != HM_OK) {
            snprintf(reason, sizeof reason, "%s: put the file itself in the inbox, not a "
                     "link or a special file", why);
            reject(g, path, reason);
            hm_inbox_clear_tries(g->procdir, names[i]);
        } else {
            if (tries > 0)
                hm_log_printf(g->log, "%s: a run stopped while reading it; one more try",
                              names[i]);
            else
                hm_log_printf(g->log, "%s: left in processing by a run that stopped",
                              names[i]);
            keep(g, path, fd, tries);
            path = NULL;
        }
        free(path);
    }
    hm_inbox_list_free(names, n);
}

/* Take one file of the inbox (src, named name) into processing. */
static void take_one(gather *g, const char *src, const char *name)
{
    char why[256], reason[512];
    int fd = -1;
    char *dst = NULL;
    bool same = false;
    if (!ends_with(name, ".csv") && !ends_with(name, ".xlsx")) {
        reject(g, src, NOT_CSV);
        return;
    }
    if (hm_open_input(src, &fd, why, sizeof why) != HM_OK) {
        snprintf(reason, sizeof reason, "%s: put the file itself in the inbox, not a link "
                 "or a special file", why);
        reject(g, src, reason);
        return;
    }
    if (hm_inbox_take(src, fd, g->procdir, &dst, &same) != HM_OK) {
        hm_log_printf(g->log, "%s: cannot move it to '%s': %s", name, g->procdir,
                      strerror(errno));
        cli_error("cannot move '%s' to '%s': %s", src, g->procdir, strerror(errno));
        if (g->code < HM_EXIT_FAIL)
            g->code = HM_EXIT_FAIL;
        close(fd);
        return;
    }
    if (!same) {
        close(fd);
        reject(g, dst, "the file was replaced (by a link or another file) while it was "
               "being taken from the inbox: not read; put the file itself in the inbox again");
        free(dst);
        return;
    }
    hm_log_printf(g->log, "%s: taken from the inbox", name);
    keep(g, dst, fd, 0);
}

/* The inbox's entries into *names; false (g->code set) when it cannot be read. */
static bool list_inbox(gather *g, char ***names, size_t *n)
{
    hm_error rc = hm_inbox_list(g->cli->inbox, names, n);
    if (rc == HM_ENOTFOUND) {
        hm_log_printf(g->log, "inbox '%s' does not exist", g->cli->inbox);
        cli_error("inbox '%s' does not exist (set 'inbox' in himama.conf)", g->cli->inbox);
        g->code = HM_EXIT_USAGE;
        return false;
    }
    if (rc != HM_OK) {
        hm_log_printf(g->log, "cannot read the inbox '%s': %s", g->cli->inbox, strerror(errno));
        cli_error("cannot read the inbox '%s': %s", g->cli->inbox, strerror(errno));
        g->code = HM_EXIT_FAIL;
        return false;
    }
    return true;
}

/* Move the inbox's files (names) into processing. */
static void take_inbox(gather *g, char **names, size_t n)
{
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        if (g->n >= g->max) {
            left++;
            continue;
        }
        char *src = hm_path_join(g->cli->inbox, names[i]);
        take_one(g, src, names[i]);
        free(src);
    }
    if (left)
        hm_log_printf(g->log, "%zu files left in the inbox for the next run (too many at once)",
                      left);
}

/* By load order, then by name. */
static int cmp_files(const void *a, const void *b)
{
    const cli_run_file *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(hm_path_base(x->path), hm_path_base(y->path));
}

int cli_run_gather(hm_log *log, const hm_cli *cli, const char *procdir, const char *faildir,
                   cli_run_totals *t, cli_run_file **files, size_t *n)
{
    gather g = { .log = log, .cli = cli, .procdir = procdir, .faildir = faildir, .t = t };
    /* One descriptor per file is held until it is read: stay well inside
     * the limit (SQLite, the reports and the log need some too). */
    struct rlimit rl;
    g.max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur > 96 ? (size_t)rl.rlim_cur - 64 : 32;
    char **names = NULL;
    size_t nnames = 0;
    if (list_inbox(&g, &names, &nnames)) {
        take_leftovers(&g);
        take_inbox(&g, names, nnames);
        hm_inbox_list_free(names, nnames);
    }
    if (g.n)
        qsort(g.files, g.n, sizeof *g.files, cmp_files);
    *files = g.files;
    *n = g.n;
    return g.code;
}

void cli_run_files_free(cli_run_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (files[i].fd >= 0)
            close(files[i].fd);
        free(files[i].path);
    }
    free(files);
}
