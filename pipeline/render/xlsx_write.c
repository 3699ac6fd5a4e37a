/*
 * xlsx_write.c - what the three workbook writers share (xlsx_write.h).
 */
#include "himama/xlsx_write.h"
#include "himama/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

hm_error hm_xlsxw_open(const char *path, const hm_xlsxw_opts *o, lxw_workbook **out,
                       char *err, size_t errsz)
{
    const char *shown = o && o->shown ? o->shown : path;
    *out = NULL;
    FILE *probe = fopen(path, "wb");
    if (!probe)
        return hm_fail(HM_EIO, err, errsz, "cannot write '%s': %s", shown, strerror(errno));
    fclose(probe);
    lxw_workbook_options wopt = {
        .constant_memory = o && o->constant_memory ? LXW_TRUE : LXW_FALSE,
        .tmpdir = NULL,
        .use_zip64 = o && o->zip64 ? LXW_TRUE : LXW_FALSE,
    };
    *out = workbook_new_opt(path, &wopt);
    if (!*out) {
        remove(path);
        return hm_fail(HM_EXLSX, err, errsz, "cannot start the workbook '%s'", shown);
    }
    return HM_OK;
}

hm_error hm_xlsxw_properties(lxw_workbook *wb, const hm_xlsxw_props *p, char *err,
                             size_t errsz)
{
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    /* libxlsxwriter copies the strings; its fields are not const */
    props.title = (char *)p->title;
    props.subject = (char *)p->subject;
    props.author = p->author && *p->author ? (char *)p->author : (char *)"himama";
    props.company = (char *)p->company;
    props.comments = (char *)"himama " HIMAMA_VERSION;
    props.created = (time_t)p->created;
    lxw_error e = workbook_set_properties(wb, &props);
    return e == LXW_NO_ERROR ? HM_OK : hm_xlsxw_fail(e, err, errsz, "workbook properties");
}

hm_error hm_xlsxw_error(lxw_error e)
{
    return e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ? HM_EIO
                                                                                : HM_EXLSX;
}

hm_error hm_xlsxw_fail(lxw_error e, char *err, size_t errsz, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return hm_fail(hm_xlsxw_error(e), err, errsz, "%s: %s", what, lxw_strerror(e));
}

hm_error hm_xlsxw_fail_cell(lxw_error e, const char *sheet, lxw_row_t row, lxw_col_t col,
                            char *err, size_t errsz)
{
    char cell[LXW_MAX_CELL_NAME_LENGTH + 1];
    lxw_rowcol_to_cell(cell, row, col);
    return hm_xlsxw_fail(e, err, errsz, "sheet '%s' cell %s", sheet ? sheet : "?", cell);
}

/* libxlsxwriter writes a workbook's dates (docProps/core.xml) through gmtime(),
 * whose result is one buffer per process: two workbooks closed at once (the two
 * audiences of run monthly, two units' packs) would race on it, so closes take
 * turns. */
static pthread_mutex_t close_lock = PTHREAD_MUTEX_INITIALIZER;

hm_error hm_xlsxw_close(lxw_workbook *wb, const char *path, const char *shown, char *err,
                        size_t errsz)
{
    pthread_mutex_lock(&close_lock);
    lxw_error e = workbook_close(wb);   /* frees the workbook whatever happens */
    pthread_mutex_unlock(&close_lock);
    if (e == LXW_NO_ERROR)
        return HM_OK;
    remove(path);
    return hm_xlsxw_fail(e, err, errsz, "cannot write '%s'", shown ? shown : path);
}

void hm_xlsxw_discard(lxw_workbook *wb, const char *path)
{
    if (wb)
        lxw_workbook_free(wb);
    remove(path);
}

/* Whether cp is shown about two units wide (CJK, full-width forms). */
static bool cp_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
}

double hm_xlsxw_text_width(const char *s, double narrow)
{
    double w = 0, line = 0;
    size_t n = strlen(s);
    while (n > 0) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s, n, &cp);
        if (k == 0) {
            cp = '?';
            k = 1;
        }
        if (cp == '\n') {
            if (line > w)
                w = line;
            line = 0;
        } else {
            line += cp_wide(cp) ? 2.0 : narrow;
        }
        s += k;
        n -= k;
    }
    return line > w ? line : w;
}
