/*
 * spill.c - rows in an unlinked temporary file (spill.h).
 *
 * A row is its values one after the other, each a tag byte and then:
 * nothing (NULL); a zigzag LEB128 number (integer); the double's eight
 * bytes (real); a LEB128 length and the bytes (text).  Rows are built in
 * a buffer and written with one fwrite each.  Reading decodes one row
 * into `full`, all text of the row in one buffer, and hands out the kept
 * columns in `out`.
 */
#include "himama/spill.h"
#include "himama/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TAG_NULL, TAG_INT, TAG_REAL, TAG_TEXT };

struct hm_spill {
    FILE *fp;
    size_t ncol_file;    /* values per row in the file */
    size_t ncol;         /* values per row handed out */
    size_t *map;         /* handed-out column c is file column map[c] */
    size_t nrow;         /* rows appended */
    size_t pos;          /* the row the next read yields */
    bool writing;        /* the stream's last operation was a write */
    bool broken;         /* a write failed: the file is incomplete */
    hm_strbuf wbuf;      /* the row being encoded */
    hm_value *full;      /* ncol_file: the row last read */
    hm_value *out;       /* ncol: its handed-out columns */
    size_t *off;         /* ncol_file: where each text starts in text */
    char *text;          /* the row's texts, each NUL-terminated */
    size_t text_alloc;
};

/* The directory temporary files go to. */
static const char *spill_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

hm_error hm_spill_open(size_t ncol, hm_spill **out, char *err, size_t errsz)
{
    const char *dir = spill_dir();
    char *path = hm_path_join(dir, "himama-rows-XXXXXX");
    hm_error rc = HM_OK;
    FILE *fp = NULL;
    int fd;

    *out = NULL;
    fd = mkstemp(path);
    if (fd < 0) {
        rc = hm_fail(HM_EIO, err, errsz, "cannot make a temporary file in '%s': %s", dir,
                     strerror(errno));
        goto out;
    }
    /* From here on the file has no name: closing fd deletes it. */
    if (unlink(path) != 0) {
        rc = hm_fail(HM_EIO, err, errsz, "cannot unlink the temporary file '%s': %s", path,
                     strerror(errno));
        close(fd);
        goto out;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    fp = fdopen(fd, "w+b");
    if (!fp) {
        rc = hm_fail(HM_EIO, err, errsz, "cannot open a temporary file in '%s': %s", dir,
                     strerror(errno));
        close(fd);
        goto out;
    }
    hm_spill *sp = hm_xcalloc(1, sizeof *sp);
    sp->fp = fp;
    sp->ncol_file = sp->ncol = ncol;
    sp->map = hm_xcalloc(ncol ? ncol : 1, sizeof *sp->map);
    for (size_t c = 0; c < ncol; c++)
        sp->map[c] = c;
    sp->writing = true;
    hm_strbuf_init(&sp->wbuf);
    sp->full = hm_xcalloc(ncol ? ncol : 1, sizeof *sp->full);
    sp->out = hm_xcalloc(ncol ? ncol : 1, sizeof *sp->out);
    sp->off = hm_xcalloc(ncol ? ncol : 1, sizeof *sp->off);
    *out = sp;
out:
    free(path);
    return rc;
}

/* Append u as LEB128 (seven bits a byte, low first, high bit: more follow). */
static void put_uvar(hm_strbuf *sb, uint64_t u)
{
    while (u >= 0x80) {
        hm_strbuf_addc(sb, (char)(unsigned char)((u & 0x7F) | 0x80));
        u >>= 7;
    }
    hm_strbuf_addc(sb, (char)(unsigned char)u);
}

hm_error hm_spill_append(hm_spill *sp, const hm_value *row, char *err, size_t errsz)
{
    if (sp->broken)
        return hm_fail(HM_EIO, err, errsz, "the temporary file is incomplete after an error");
    hm_strbuf_reset(&sp->wbuf);
    for (size_t c = 0; c < sp->ncol_file; c++) {
        const hm_value *v = &row[c];
        switch (v->type) {
        case HM_V_NULL:
            hm_strbuf_addc(&sp->wbuf, TAG_NULL);
            break;
        case HM_V_INT: {
            uint64_t u;
            memcpy(&u, &v->i, sizeof u);
            hm_strbuf_addc(&sp->wbuf, TAG_INT);
            put_uvar(&sp->wbuf, (u << 1) ^ (0 - (u >> 63)));   /* zigzag: small negatives stay short */
            break;
        }
        case HM_V_REAL:
            hm_strbuf_addc(&sp->wbuf, TAG_REAL);
            hm_strbuf_add(&sp->wbuf, &v->r, sizeof v->r);
            break;
        case HM_V_TEXT: {
            size_t n = strlen(v->s);
            hm_strbuf_addc(&sp->wbuf, TAG_TEXT);
            put_uvar(&sp->wbuf, n);
            hm_strbuf_add(&sp->wbuf, v->s, n);
            break;
        }
        }
    }
    if (!sp->writing) {
        /* after reading: back to the end (a switch needs a seek anyway) */
        if (fseek(sp->fp, 0, SEEK_END) != 0) {
            sp->broken = true;
            return hm_fail(HM_EIO, err, errsz, "cannot seek in the temporary file: %s",
                           strerror(errno));
        }
        sp->writing = true;
    }
    if (fwrite(sp->wbuf.buf, 1, sp->wbuf.len, sp->fp) != sp->wbuf.len) {
        sp->broken = true;
        return hm_fail(HM_EIO, err, errsz, "cannot write the temporary file in '%s': %s",
                       spill_dir(), strerror(errno));
    }
    sp->nrow++;
    return HM_OK;
}

hm_error hm_spill_flush(hm_spill *sp, char *err, size_t errsz)
{
    if (sp->broken)
        return hm_fail(HM_EIO, err, errsz, "the temporary file is incomplete after an error");
    if (sp->writing && (fflush(sp->fp) != 0 || ferror(sp->fp))) {
        sp->broken = true;
        return hm_fail(HM_EIO, err, errsz, "cannot write the temporary file in '%s': %s",
                       spill_dir(), strerror(errno));
    }
    return HM_OK;
}

size_t hm_spill_rows(const hm_spill *sp)
{
    return sp->nrow;
}

size_t hm_spill_ncol(const hm_spill *sp)
{
    return sp->ncol;
}

/* Why the last read failed: a read error or a file that ends too soon. */
static hm_error read_fail(hm_spill *sp, char *err, size_t errsz)
{
    if (ferror(sp->fp))
        return hm_fail(HM_EIO, err, errsz, "cannot read the temporary file: %s",
                       strerror(errno));
    return hm_fail(HM_EIO, err, errsz, "the temporary file ends in the middle of row %zu",
                   sp->pos + 1);
}

/* Read a LEB128 number into *u; false at the end of the file or when too long. */
static bool get_uvar(FILE *fp, uint64_t *u)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        int b = getc_unlocked(fp);
        if (b == EOF)
            return false;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *u = v;
            return true;
        }
    }
    return false;
}

/* Decode the next row of the file into full and out. */
static hm_error read_row(hm_spill *sp, char *err, size_t errsz)
{
    size_t used = 0;
    for (size_t c = 0; c < sp->ncol_file; c++) {
        hm_value *v = &sp->full[c];
        uint64_t u;
        int tag = getc_unlocked(sp->fp);
        memset(v, 0, sizeof *v);
        switch (tag) {
        case TAG_NULL:
            v->type = HM_V_NULL;
            break;
        case TAG_INT:
            if (!get_uvar(sp->fp, &u))
                return read_fail(sp, err, errsz);
            u = (u >> 1) ^ (0 - (u & 1));
            v->type = HM_V_INT;
            memcpy(&v->i, &u, sizeof v->i);
            break;
        case TAG_REAL:
            if (fread(&v->r, sizeof v->r, 1, sp->fp) != 1)
                return read_fail(sp, err, errsz);
            v->type = HM_V_REAL;
            break;
        case TAG_TEXT:
            if (!get_uvar(sp->fp, &u) || u > SIZE_MAX / 2 - used)
                return read_fail(sp, err, errsz);
            if (used + u + 1 > sp->text_alloc) {
                sp->text_alloc = (used + u + 1) * 2;
                sp->text = hm_xrealloc(sp->text, sp->text_alloc);
            }
            if (u > 0 && fread(sp->text + used, 1, u, sp->fp) != u)
                return read_fail(sp, err, errsz);
            sp->text[used + u] = '\0';
            v->type = HM_V_TEXT;
            sp->off[c] = used;
            used += u + 1;
            break;
        default:
            if (tag == EOF)
                return read_fail(sp, err, errsz);
            return hm_fail(HM_EIO, err, errsz, "the temporary file is damaged at row %zu",
                           sp->pos + 1);
        }
    }
    /* the text buffer may have moved while the row was read */
    for (size_t c = 0; c < sp->ncol_file; c++)
        if (sp->full[c].type == HM_V_TEXT)
            sp->full[c].s = sp->text + sp->off[c];
    for (size_t c = 0; c < sp->ncol; c++)
        sp->out[c] = sp->full[sp->map[c]];
    return HM_OK;
}

hm_error hm_spill_row(hm_spill *sp, size_t i, const hm_value **row, char *err, size_t errsz)
{
    hm_error rc;
    *row = NULL;
    if (i >= sp->nrow)
        return hm_fail(HM_EIO, err, errsz, "row %zu asked of a temporary file of %zu rows",
                       i + 1, sp->nrow);
    if (sp->writing || i < sp->pos) {
        if ((rc = hm_spill_flush(sp, err, errsz)) != HM_OK)
            return rc;
        if (fseek(sp->fp, 0, SEEK_SET) != 0)
            return hm_fail(HM_EIO, err, errsz, "cannot seek in the temporary file: %s",
                           strerror(errno));
        sp->writing = false;
        sp->pos = 0;
    }
    for (; sp->pos <= i; sp->pos++) {
        if ((rc = read_row(sp, err, errsz)) != HM_OK) {
            sp->pos = SIZE_MAX;   /* somewhere inside a row: start again next time */
            return rc;
        }
    }
    *row = sp->out;
    return HM_OK;
}

void hm_spill_drop_columns(hm_spill *sp, const bool *drop)
{
    size_t k = 0;
    for (size_t c = 0; c < sp->ncol; c++)
        if (!drop[c])
            sp->map[k++] = sp->map[c];
    sp->ncol = k;
}

void hm_spill_free(hm_spill *sp)
{
    if (!sp)
        return;
    if (sp->fp)
        fclose(sp->fp);   /* the last reference: the file's blocks are freed */
    hm_strbuf_release(&sp->wbuf);
    free(sp->map);
    free(sp->full);
    free(sp->out);
    free(sp->off);
    free(sp->text);
    free(sp);
}
