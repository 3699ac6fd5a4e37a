/*
 * perms.c - permissions of public reports (see perms.h).
 */
#include "himama/perms.h"
#include "himama/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

hm_error hm_perms_publish(const char *root, const char *dir, char *const *files, size_t n,
                          unsigned mode)
{
    if (mode == 0)
        return HM_OK;
    unsigned search = (mode & 0044u) >> 2;   /* x wherever r is given */
    for (size_t i = 0; i < n; i++)
        if (files[i] && chmod(files[i], (mode_t)mode) != 0)
            return HM_EIO;
    if (chmod(dir, (mode_t)(mode | 0100u | search)) != 0)
        return HM_EIO;
    if (search == 0)
        return HM_OK;
    size_t rootlen = strlen(root);
    while (rootlen > 1 && root[rootlen - 1] == '/')
        rootlen--;
    char *p = hm_xstrdup(dir);
    hm_error rc = HM_OK;
    for (;;) {
        char *slash = strrchr(p, '/');
        if (!slash || (size_t)(slash - p) < rootlen)
            break;
        *slash = '\0';
        struct stat st;
        if (stat(p, &st) != 0 || chmod(p, (st.st_mode & 07777) | search) != 0) {
            rc = HM_EIO;
            break;
        }
    }
    free(p);
    return rc;
}
