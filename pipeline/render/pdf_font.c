/*
 * pdf_font.c - the TrueType face read once per process, its lookups and
 * the subset font program (pdf_font.h).
 *
 * Design notes.
 *
 * - The file is mapped read-only (a font is a package's file, not an
 *   input); only the pages of the tables read and of the glyphs used are
 *   ever touched.  Every table found is checked to lie inside the file and
 *   every glyph's loca range inside glyf (a glyph whose range is not is
 *   treated as empty), so a malformed font cannot make a read go astray.
 * - Faces are kept in a list under one mutex, keyed by path, face index
 *   and the file's identity (device, inode, size, modification time), and
 *   never freed: a process draws its PDFs from one or two faces.
 * - The subset keeps glyph numbers (the CIDToGIDMap libharu wrote maps
 *   code points to the original numbers), so loca and hmtx keep their
 *   length; the unused entries are zeros and cost nothing compressed.
 *   The last long metric of hmtx is always kept: its advance applies to
 *   every glyph after it.  Tables are padded to four bytes.
 */
#include "himama/pdf_font.h"

#include <hpdf_fontdef.h>
#include <hpdf_mmgr.h>
#include <hpdf_streams.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tables libharu embeds, in its (the file's sorted) order. */
static const char *const TAGS[] = {
    "OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name",
    "post", "prep"
};
enum { NTAGS = sizeof TAGS / sizeof TAGS[0], T_GLYF = 4, T_HEAD = 5, T_HHEA = 6, T_HMTX = 7,
       T_LOCA = 8, T_MAXP = 9, T_POST = 11 };

struct hm_font_face {
    char *path;
    int index;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    const unsigned char *map;      /* the whole file */
    size_t map_len;
    const unsigned char *tbl[NTAGS];
    uint32_t len[NTAGS];           /* 0 with tbl NULL: absent */
    uint32_t num_glyphs;
    uint32_t num_hmetrics;
    bool long_loca;
    uint32_t *loca;                /* num_glyphs + 1 offsets into glyf */
    hm_font_metrics *metrics;      /* built on first use */
    hm_font_face *next;
};

static pthread_mutex_t faces_lock = PTHREAD_MUTEX_INITIALIZER;
static hm_font_face *faces;

static uint16_t be16(const unsigned char *b)
{
    return (uint16_t)((b[0] << 8) | b[1]);
}

static uint32_t be32(const unsigned char *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void put16(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 8);
    b[1] = (unsigned char)v;
}

static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/*
 * Find the face's tables in the mapped file of size n and read maxp, head,
 * hhea and loca.  Returns false when the face is malformed.
 */
static bool face_parse(hm_font_face *f, size_t n)
{
    const unsigned char *m = f->map;
    size_t dir = 0;
    if (n < 12)
        return false;
    if (memcmp(m, "ttcf", 4) == 0) {
        if (f->index < 0 || (uint32_t)f->index >= be32(m + 8) || 16 + 4 * (size_t)f->index > n)
            return false;
        dir = be32(m + 12 + 4 * (size_t)f->index);
    }
    if (dir + 12 > n)
        return false;
    size_t ntables = be16(m + dir + 4);
    if (dir + 12 + 16 * ntables > n)
        return false;
    for (size_t t = 0; t < ntables; t++) {
        const unsigned char *rec = m + dir + 12 + 16 * t;
        uint32_t off = be32(rec + 8), len = be32(rec + 12);
        if ((size_t)off > n || (size_t)len > n - off)
            return false;
        for (int k = 0; k < NTAGS; k++)
            if (memcmp(rec, TAGS[k], 4) == 0) {
                f->tbl[k] = m + off;
                f->len[k] = len;
            }
    }
    if (f->len[T_HEAD] < 54 || f->len[T_MAXP] < 6 || f->len[T_HHEA] < 36 || !f->tbl[T_GLYF] ||
        !f->tbl[T_LOCA])
        return false;
    f->long_loca = be16(f->tbl[T_HEAD] + 50) != 0;
    f->num_glyphs = be16(f->tbl[T_MAXP] + 4);
    f->num_hmetrics = be16(f->tbl[T_HHEA] + 34);
    size_t entry = f->long_loca ? 4 : 2;
    if (f->len[T_LOCA] < ((size_t)f->num_glyphs + 1) * entry)
        return false;
    f->loca = hm_xmalloc(((size_t)f->num_glyphs + 1) * sizeof *f->loca);
    for (size_t g = 0; g <= f->num_glyphs; g++)
        f->loca[g] = f->long_loca ? be32(f->tbl[T_LOCA] + 4 * g)
                                  : 2u * be16(f->tbl[T_LOCA] + 2 * g);
    return true;
}

/* Map and parse path; NULL with a message in err. */
static hm_font_face *face_open(const char *path, int index, const struct stat *st, int fd,
                               char *err, size_t errsz)
{
    if (st->st_size <= 0) {
        hm_fail(HM_EPDF, err, errsz, "cannot read the glyph tables of the font '%s'", path);
        return NULL;
    }
    void *map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        hm_fail(HM_EIO, err, errsz, "cannot read the font '%s': %s", path, strerror(errno));
        return NULL;
    }
    hm_font_face *f = hm_xcalloc(1, sizeof *f);
    f->map = map;
    f->map_len = (size_t)st->st_size;
    f->index = index;
    if (!face_parse(f, (size_t)st->st_size)) {
        hm_fail(HM_EPDF, err, errsz, "cannot read the glyph tables of the font '%s'", path);
        munmap(map, (size_t)st->st_size);
        free(f->loca);
        free(f);
        return NULL;
    }
    f->path = hm_xstrdup(path);
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->size = st->st_size;
    f->mtime = st->st_mtim;
    return f;
}

const hm_font_face *hm_font_face_get(const char *path, int index, char *err, size_t errsz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        hm_fail(HM_EIO, err, errsz, "cannot read the font '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    pthread_mutex_lock(&faces_lock);
    hm_font_face *f = faces;
    while (f && !(f->index == index && f->dev == st.st_dev && f->ino == st.st_ino &&
                  f->size == st.st_size && f->mtime.tv_sec == st.st_mtim.tv_sec &&
                  f->mtime.tv_nsec == st.st_mtim.tv_nsec && strcmp(f->path, path) == 0))
        f = f->next;
    if (!f && (f = face_open(path, index, &st, fd, err, errsz)) != NULL) {
        f->next = faces;
        faces = f;
    }
    pthread_mutex_unlock(&faces_lock);
    close(fd);
    return f;
}

uint32_t hm_font_face_glyphs(const hm_font_face *f)
{
    return f->num_glyphs;
}

/*
 * libharu's answer for code point u (HPDF_TTFontDef_GetGlyphid): the first
 * cmap segment ending at or after u is found by binary search where
 * libharu searches linearly (the same segment, the ends being in order:
 * sorted says so; otherwise linearly too).  Where libharu would read past
 * its arrays (no such segment, an index past the glyph array) the answer
 * is 0.
 */
static uint16_t cmap_lookup(const HPDF_TTFontDefAttr a, uint16_t u, bool sorted)
{
    if (a->cmap.format == 0)
        return a->cmap.glyph_id_array ? a->cmap.glyph_id_array[u & 0xFF] : 0;
    unsigned n = a->cmap.seg_count_x2 / 2u, i = 0;
    if (n == 0)
        return 0;
    if (sorted) {
        unsigned lo = 0, hi = n;
        while (lo < hi) {
            unsigned mid = lo + (hi - lo) / 2;
            if (u <= a->cmap.end_count[mid])
                hi = mid;
            else
                lo = mid + 1;
        }
        i = lo;
    } else {
        while (i < n && u > a->cmap.end_count[i])
            i++;
    }
    if (i == n || a->cmap.start_count[i] > u)
        return 0;
    if (a->cmap.id_range_offset[i] == 0)
        return (uint16_t)(u + a->cmap.id_delta[i]);
    unsigned idx = a->cmap.id_range_offset[i] / 2u + (u - a->cmap.start_count[i]) - (n - i);
    if (idx >= a->cmap.glyph_id_array_count)
        return 0;
    return (uint16_t)(a->cmap.glyph_id_array[idx] + a->cmap.id_delta[i]);
}

const hm_font_metrics *hm_font_face_metrics(const hm_font_face *f, HPDF_FontDef def)
{
    hm_font_face *mf = (hm_font_face *)f;    /* the one member built later, under the lock */
    pthread_mutex_lock(&faces_lock);
    if (!mf->metrics) {
        HPDF_TTFontDefAttr a = (HPDF_TTFontDefAttr)def->attr;
        hm_font_metrics *m = hm_xmalloc(sizeof *m);
        bool sorted = true;
        for (unsigned i = 1; i < a->cmap.seg_count_x2 / 2u; i++)
            sorted = sorted && a->cmap.end_count[i - 1] <= a->cmap.end_count[i];
        for (uint32_t cp = 0; cp <= 0xFFFF; cp++) {
            m->gid[cp] = cmap_lookup(a, (uint16_t)cp, sorted);
            /* what HPDF_TTFontDef_GetCharWidth answers, without flagging the glyph */
            m->width[cp] = HPDF_TTFontDef_GetGidWidth(def, m->gid[cp]);
        }
        mf->metrics = m;
    }
    const hm_font_metrics *m = mf->metrics;
    pthread_mutex_unlock(&faces_lock);
    return m;
}

bool hm_font_flatten_cmap(HPDF_FontDef def, const hm_font_metrics *m)
{
    HPDF_TTFontDefAttr a = (HPDF_TTFontDefAttr)def->attr;
    HPDF_UINT16 *end = HPDF_GetMem(def->mmgr, sizeof *end);
    HPDF_UINT16 *start = HPDF_GetMem(def->mmgr, sizeof *start);
    HPDF_INT16 *delta = HPDF_GetMem(def->mmgr, sizeof *delta);
    HPDF_UINT16 *range = HPDF_GetMem(def->mmgr, sizeof *range);
    HPDF_UINT16 *gids = HPDF_GetMem(def->mmgr, sizeof m->gid);
    bool ok = end && start && delta && range && gids;
    if (ok) {
        *end = 0xFFFF;
        *start = 0;
        *delta = 0;
        *range = 2;         /* the glyph array's index is the code point */
        memcpy(gids, m->gid, sizeof m->gid);
        HPDF_UINT16 *old[] = { a->cmap.end_count, a->cmap.start_count,
                               (HPDF_UINT16 *)a->cmap.id_delta, a->cmap.id_range_offset,
                               a->cmap.glyph_id_array };
        for (size_t k = 0; k < sizeof old / sizeof old[0]; k++)
            if (old[k])
                HPDF_FreeMem(def->mmgr, old[k]);
        a->cmap.format = 4;
        a->cmap.seg_count_x2 = 2;
        a->cmap.end_count = end;
        a->cmap.start_count = start;
        a->cmap.id_delta = delta;
        a->cmap.id_range_offset = range;
        a->cmap.glyph_id_array = gids;
        a->cmap.glyph_id_array_count = 0x10000;
        return true;
    }
    void *got[] = { end, start, delta, range, gids };
    for (size_t k = 0; k < sizeof got / sizeof got[0]; k++)
        if (got[k])
            HPDF_FreeMem(def->mmgr, got[k]);
    return false;
}

/* libharu's stream reading: like its file reader, over the mapped file. */
static HPDF_STATUS stream_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    hm_font_cursor *c = s->attr;
    size_t left = c->pos < c->face->map_len ? c->face->map_len - c->pos : 0;
    size_t n = *siz < left ? *siz : left;
    memcpy(ptr, c->face->map + c->pos, n);
    c->pos += n;
    if (n == *siz)
        return HPDF_OK;
    memset(ptr + n, 0, *siz - n);
    *siz = (HPDF_UINT)n;
    return HPDF_STREAM_EOF;
}

static HPDF_STATUS stream_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    hm_font_cursor *c = s->attr;
    long long to = mode == HPDF_SEEK_SET ? 0 : mode == HPDF_SEEK_CUR ? (long long)c->pos
                                                                      : (long long)c->face->map_len;
    to += pos;
    if (to < 0)
        return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, 0);
    c->pos = (size_t)to;
    return HPDF_OK;
}

static HPDF_INT32 stream_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((hm_font_cursor *)s->attr)->pos;
}

static HPDF_UINT32 stream_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((hm_font_cursor *)s->attr)->face->map_len;
}

HPDF_Stream hm_font_face_stream(const hm_font_face *f, HPDF_MMgr mmgr, hm_font_cursor *cur)
{
    cur->face = f;
    cur->pos = 0;
    return HPDF_CallbackReader_New(mmgr, stream_read, stream_seek, stream_tell, stream_size, cur);
}

/* Glyph gid's bytes in glyf and their length (0: empty, or out of bounds). */
static const unsigned char *glyph(const hm_font_face *f, uint32_t gid, uint32_t *len)
{
    uint32_t off = f->loca[gid], end = f->loca[gid + 1];
    *len = 0;
    if (end <= off || end > f->len[T_GLYF])
        return NULL;
    *len = end - off;
    return f->tbl[T_GLYF] + off;
}

/* Composite glyph flags (OpenType glyf table). */
enum {
    ARG_1_AND_2_ARE_WORDS = 0x0001,
    WE_HAVE_A_SCALE = 0x0008,
    MORE_COMPONENTS = 0x0020,
    WE_HAVE_AN_X_AND_Y_SCALE = 0x0040,
    WE_HAVE_A_TWO_BY_TWO = 0x0080
};

/*
 * Flag in flgs (n glyphs) every component of the composite glyph g (len
 * bytes).  Returns how many glyphs were newly flagged.
 */
static size_t flag_glyph_components(const unsigned char *g, size_t len, unsigned char *flgs,
                                    uint32_t n)
{
    size_t pos = 10, added = 0;
    uint16_t flags;
    do {
        if (pos + 4 > len)
            break;
        flags = be16(g + pos);
        uint16_t gid = be16(g + pos + 2);
        pos += 4;
        pos += (flags & ARG_1_AND_2_ARE_WORDS) ? 4 : 2;
        if (flags & WE_HAVE_A_SCALE)
            pos += 2;
        else if (flags & WE_HAVE_AN_X_AND_Y_SCALE)
            pos += 4;
        else if (flags & WE_HAVE_A_TWO_BY_TWO)
            pos += 8;
        if (gid < n && !flgs[gid]) {
            flgs[gid] = 1;
            added++;
        }
    } while (flags & MORE_COMPONENTS);
    return added;
}

void hm_font_face_flag_components(const hm_font_face *f, unsigned char *flgs, uint32_t n)
{
    if (n > f->num_glyphs)
        n = f->num_glyphs;
    unsigned char *done = hm_xcalloc(n ? n : 1, 1);
    /* components may be composite, and may come before their parent */
    for (bool again = true; again;) {
        again = false;
        for (uint32_t gid = 0; gid < n; gid++) {
            if (!flgs[gid] || done[gid])
                continue;
            done[gid] = 1;
            uint32_t len;
            const unsigned char *g = glyph(f, gid, &len);
            if (g && len >= 10 && (int16_t)be16(g) < 0 &&
                flag_glyph_components(g, len, flgs, n) > 0)
                again = true;
        }
    }
    free(done);
}

/* Whether glyph gid is flagged (flgs has n entries). */
static bool used(const unsigned char *flgs, uint32_t n, uint32_t gid)
{
    return gid < n && flgs[gid];
}

/* Append the flagged glyphs to out and fill loca (num_glyphs + 1 offsets into them). */
static void add_glyf(const hm_font_face *f, const unsigned char *flgs, uint32_t n,
                     hm_strbuf *out, uint32_t *loca)
{
    size_t start = out->len;
    for (uint32_t gid = 0; gid < f->num_glyphs; gid++) {
        loca[gid] = (uint32_t)(out->len - start);
        uint32_t len;
        const unsigned char *g = glyph(f, gid, &len);
        if (g && used(flgs, n, gid))
            hm_strbuf_add(out, g, len);
    }
    loca[f->num_glyphs] = (uint32_t)(out->len - start);
}

/* Append loca in the face's format. */
static void add_loca(const hm_font_face *f, const uint32_t *loca, hm_strbuf *out)
{
    size_t entry = f->long_loca ? 4 : 2;
    hm_strbuf_grow(out, ((size_t)f->num_glyphs + 1) * entry);
    unsigned char *b = (unsigned char *)out->buf + out->len;
    for (size_t g = 0; g <= f->num_glyphs; g++) {
        if (f->long_loca)
            put32(b + 4 * g, loca[g]);
        else
            put16(b + 2 * g, loca[g] / 2);
    }
    out->len += ((size_t)f->num_glyphs + 1) * entry;
    out->buf[out->len] = '\0';
}

/* Append hmtx with the entries of glyphs not flagged zeroed (but the last long one). */
static void add_hmtx(const hm_font_face *f, const unsigned char *flgs, uint32_t n,
                     hm_strbuf *out)
{
    size_t len = f->len[T_HMTX];
    hm_strbuf_grow(out, len);
    unsigned char *b = (unsigned char *)out->buf + out->len;
    const unsigned char *h = f->tbl[T_HMTX];
    memset(b, 0, len);
    for (uint32_t gid = 0; gid < f->num_glyphs; gid++) {
        size_t at = gid < f->num_hmetrics ? 4 * (size_t)gid
                                          : 4 * (size_t)f->num_hmetrics +
                                                2 * (size_t)(gid - f->num_hmetrics);
        size_t size = gid < f->num_hmetrics ? 4 : 2;
        bool keep = used(flgs, n, gid) || gid + 1 == f->num_hmetrics;
        if (keep && at + size <= len)
            memcpy(b + at, h + at, size);
    }
    out->len += len;
    out->buf[out->len] = '\0';
}

/* Sum of the big-endian 32-bit words of b (len bytes, zero-padded). */
static uint32_t checksum(const unsigned char *b, size_t len)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        sum += be32(b + i);
    if (i < len) {
        unsigned char last[4] = {0};
        memcpy(last, b + i, len - i);
        sum += be32(last);
    }
    return sum;
}

void hm_font_face_subset(const hm_font_face *f, const unsigned char *flgs, uint32_t n,
                         hm_strbuf *out)
{
    size_t base = out->len, dir = 12 + 16 * (size_t)NTAGS;
    size_t off[NTAGS], len[NTAGS];
    uint32_t *loca = hm_xmalloc(((size_t)f->num_glyphs + 1) * sizeof *loca);
    uint16_t sel = 0;
    while ((2u << sel) <= NTAGS)
        sel++;
    unsigned char head[12];
    put32(head, 0x00010000);
    put16(head + 4, NTAGS);
    put16(head + 6, 16u << sel);
    put16(head + 8, sel);
    put16(head + 10, 16u * NTAGS - (16u << sel));
    hm_strbuf_add(out, head, sizeof head);
    hm_strbuf_grow(out, dir - sizeof head);
    memset(out->buf + out->len, 0, dir - sizeof head);
    out->len += dir - sizeof head;
    for (int k = 0; k < NTAGS; k++) {
        off[k] = out->len;
        if (k == T_GLYF)
            add_glyf(f, flgs, n, out, loca);
        else if (k == T_LOCA)
            add_loca(f, loca, out);
        else if (k == T_HMTX && f->tbl[k])
            add_hmtx(f, flgs, n, out);
        else if (k == T_POST && f->len[k] >= 32) {
            size_t at = out->len;
            hm_strbuf_add(out, f->tbl[k], 32);
            put32((unsigned char *)out->buf + at, 0x00030000);   /* no glyph names */
        } else if (f->tbl[k])
            hm_strbuf_add(out, f->tbl[k], f->len[k]);
        len[k] = out->len - off[k];
        if (k == T_HEAD)
            put32((unsigned char *)out->buf + off[k] + 8, 0);  /* checkSumAdjustment */
        while ((out->len - base) % 4)
            hm_strbuf_addc(out, '\0');
    }
    unsigned char *b = (unsigned char *)out->buf + base;
    for (int k = 0; k < NTAGS; k++) {
        unsigned char *rec = b + 12 + 16 * (size_t)k;
        memcpy(rec, TAGS[k], 4);
        put32(rec + 4, checksum((unsigned char *)out->buf + off[k], len[k]));
        put32(rec + 8, (uint32_t)(off[k] - base));
        put32(rec + 12, (uint32_t)len[k]);
    }
    put32(b + (off[T_HEAD] - base) + 8, 0xB1B0AFBAu - checksum(b, out->len - base));
    free(loca);
}
