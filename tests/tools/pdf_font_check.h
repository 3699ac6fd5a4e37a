/*
 * pdf_font_check.h - test helper: check the embedded CJK font of a PDF
 * written by libharu, independently of the code that wrote it.
 *
 * It reads the PDF, inflates the page content streams and collects every
 * CID shown with Tj, maps each through the font's CIDToGIDMap, inflates
 * the FontFile2 stream and parses its loca and glyf tables.  Every glyph
 * drawn must be present with the same outline data as in the original
 * font file, and so must every component of a composite glyph, nested
 * ones included (glyph numbers read unsigned).  A glyph that is empty in
 * the original (a space) may be empty.
 *
 * Header-only, static functions, for the cmocka tests; aborts on malloc
 * failure like the rest of the tests.
 */
#ifndef HIMAMA_TESTS_PDF_FONT_CHECK_H
#define HIMAMA_TESTS_PDF_FONT_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct pfc_result {
    size_t glyphs_used;      /* distinct glyphs drawn */
    size_t composites;       /* of which composite */
    size_t components;       /* distinct components followed */
    size_t high_components;  /* components numbered above 32767 */
    size_t problems;         /* missing or damaged glyphs */
    char first_problem[160];
} pfc_result;

/* Whole file into memory (caller frees); NULL when unreadable. */
static unsigned char *pfc_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *b = NULL;
    long n;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        b = malloc((size_t)n + 1);
        if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
            free(b);
            b = NULL;
        }
        *len = (size_t)n;
    }
    fclose(fp);
    return b;
}

/* memmem over bytes. */
static const unsigned char *pfc_find(const unsigned char *h, size_t hn, const char *needle,
                                     size_t from)
{
    size_t nn = strlen(needle);
    for (size_t i = from; i + nn <= hn; i++)
        if (memcmp(h + i, needle, nn) == 0)
            return h + i;
    return NULL;
}

/* Inflate the stream of object num (caller frees); NULL when not found. */
static unsigned char *pfc_object_stream(const unsigned char *pdf, size_t n, unsigned num,
                                        size_t *outlen)
{
    char head[32];
    snprintf(head, sizeof head, "\n%u 0 obj", num);
    const unsigned char *o = pfc_find(pdf, n, head, 0);
    if (!o)
        return NULL;
    const unsigned char *s = pfc_find(pdf, n, "stream", (size_t)(o - pdf));
    const unsigned char *e = pfc_find(pdf, n, "endobj", (size_t)(o - pdf));
    if (!s || (e && e < s))
        return NULL;
    s += 6;
    if (*s == '\r')
        s++;
    if (*s == '\n')
        s++;
    size_t cap = 1 << 20, len = 0;
    unsigned char *out = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!out || inflateInit(&z) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (unsigned char *)s;
    z.avail_in = (uInt)(n - (size_t)(s - pdf));
    int rc;
    do {
        if (len == cap) {
            cap *= 2;
            out = realloc(out, cap);
            if (!out)
                abort();
        }
        z.next_out = out + len;
        z.avail_out = (uInt)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    *outlen = len;
    return out;
}

/* The object number after key (e.g. "/FontFile2 "), searching from *pos. */
static bool pfc_ref(const unsigned char *pdf, size_t n, const char *key, size_t *pos,
                    unsigned *num)
{
    const unsigned char *k = pfc_find(pdf, n, key, *pos);
    if (!k)
        return false;
    *pos = (size_t)(k - pdf) + strlen(key);
    *num = (unsigned)strtoul((const char *)pdf + *pos, NULL, 10);
    return true;
}

static uint16_t pfc_be16(const unsigned char *b) { return (uint16_t)((b[0] << 8) | b[1]); }
static uint32_t pfc_be32(const unsigned char *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

typedef struct pfc_face {
    const unsigned char *glyf;
    uint32_t glyf_len;
    uint32_t *loca;
    uint32_t num_glyphs;
} pfc_face;

/* Parse face index of a font in memory (.ttf or .ttc); false when malformed. */
static bool pfc_face_parse(const unsigned char *f, size_t n, int index, pfc_face *face)
{
    uint32_t dir = 0, head = 0, maxp = 0, loca = 0, loca_len = 0;
    memset(face, 0, sizeof *face);
    if (n < 12)
        return false;
    if (memcmp(f, "ttcf", 4) == 0) {
        if ((uint32_t)index >= pfc_be32(f + 8) || 16 + 4 * (size_t)index > n)
            return false;
        dir = pfc_be32(f + 12 + 4 * index);
    }
    if ((size_t)dir + 12 > n)
        return false;
    uint16_t nt = pfc_be16(f + dir + 4);
    for (uint16_t t = 0; t < nt; t++) {
        const unsigned char *r = f + dir + 12 + 16 * t;
        if ((size_t)(r + 16 - f) > n)
            return false;
        uint32_t off = pfc_be32(r + 8), len = pfc_be32(r + 12);
        if ((size_t)off + len > n)
            return false;
        if (!memcmp(r, "head", 4)) head = off;
        if (!memcmp(r, "maxp", 4)) maxp = off;
        if (!memcmp(r, "loca", 4)) { loca = off; loca_len = len; }
        if (!memcmp(r, "glyf", 4)) { face->glyf = f + off; face->glyf_len = len; }
    }
    if (!head || !maxp || !loca || !face->glyf)
        return false;
    bool longl = pfc_be16(f + head + 50) != 0;
    face->num_glyphs = pfc_be16(f + maxp + 4);
    if (loca_len < (face->num_glyphs + 1) * (longl ? 4u : 2u))
        return false;
    face->loca = malloc((face->num_glyphs + 1) * sizeof *face->loca);
    if (!face->loca)
        abort();
    for (uint32_t g = 0; g <= face->num_glyphs; g++)
        face->loca[g] = longl ? pfc_be32(f + loca + 4 * g) : 2u * pfc_be16(f + loca + 2 * g);
    return true;
}

/* Glyph gid's data and length (0 when empty or out of range). */
static const unsigned char *pfc_glyph(const pfc_face *fc, uint32_t gid, uint32_t *len)
{
    *len = 0;
    if (gid >= fc->num_glyphs || fc->loca[gid + 1] < fc->loca[gid] ||
        fc->loca[gid + 1] > fc->glyf_len)
        return NULL;
    *len = fc->loca[gid + 1] - fc->loca[gid];
    return fc->glyf + fc->loca[gid];
}

/* Note one problem. */
static void pfc_problem(pfc_result *r, const char *what, uint32_t gid)
{
    if (r->problems++ == 0)
        snprintf(r->first_problem, sizeof r->first_problem, "%s glyph %u", what, gid);
}

/*
 * Check glyph gid of the embedded face against the original; follow
 * components (seen marks glyphs already checked).
 */
static void pfc_check_glyph(const pfc_face *emb, const pfc_face *orig, uint32_t gid,
                            unsigned char *seen, bool component, pfc_result *r)
{
    uint32_t elen, olen;
    if (gid >= orig->num_glyphs || seen[gid])
        return;
    seen[gid] = 1;
    const unsigned char *e = pfc_glyph(emb, gid, &elen);
    const unsigned char *o = pfc_glyph(orig, gid, &olen);
    if (component) {
        r->components++;
        if (gid > 32767)
            r->high_components++;
    } else {
        r->glyphs_used++;
    }
    if (olen == 0)
        return;                        /* empty in the font itself */
    if (elen == 0) {
        pfc_problem(r, component ? "missing component" : "missing", gid);
        return;
    }
    if (elen != olen || memcmp(e, o, olen) != 0) {
        pfc_problem(r, "damaged", gid);
        return;
    }
    if (elen < 10 || (int16_t)pfc_be16(e) >= 0)
        return;
    if (!component)
        r->composites++;
    size_t pos = 10;
    uint16_t flags;
    do {
        if (pos + 4 > elen)
            break;
        flags = pfc_be16(e + pos);
        uint16_t cg = pfc_be16(e + pos + 2);      /* unsigned */
        pos += 4 + ((flags & 1) ? 4 : 2);
        pos += (flags & 8) ? 2 : (flags & 0x40) ? 4 : (flags & 0x80) ? 8 : 0;
        pfc_check_glyph(emb, orig, cg, seen, true, r);
    } while (flags & 0x20);
}

/*
 * Check the PDF at pdf_path against the original font (font_path, face
 * index).  Returns false when the PDF or font cannot be parsed (why in
 * r->first_problem); otherwise fills r (r->problems 0 means all is well).
 */
static bool pfc_check_pdf(const char *pdf_path, const char *font_path, int index,
                          pfc_result *r)
{
    size_t n = 0, fn = 0, emb_len = 0, map_len = 0;
    unsigned char *pdf = pfc_slurp(pdf_path, &n);
    unsigned char *font = pfc_slurp(font_path, &fn);
    unsigned char *emb = NULL, *map = NULL, *seen = NULL;
    unsigned char *cids = calloc(65536, 1);
    pfc_face ef, of;
    bool ok = false;
    unsigned num;
    size_t pos;

    memset(r, 0, sizeof *r);
    memset(&ef, 0, sizeof ef);
    memset(&of, 0, sizeof of);
    if (!pdf || !font || !cids) {
        snprintf(r->first_problem, sizeof r->first_problem, "cannot read the files");
        goto out;
    }
    pos = 0;
    if (!pfc_ref(pdf, n, "/FontFile2 ", &pos, &num) ||
        !(emb = pfc_object_stream(pdf, n, num, &emb_len))) {
        snprintf(r->first_problem, sizeof r->first_problem, "no FontFile2 stream");
        goto out;
    }
    pos = 0;
    if (!pfc_ref(pdf, n, "/CIDToGIDMap ", &pos, &num) ||
        !(map = pfc_object_stream(pdf, n, num, &map_len))) {
        snprintf(r->first_problem, sizeof r->first_problem, "no CIDToGIDMap stream");
        goto out;
    }
    if (!pfc_face_parse(emb, emb_len, 0, &ef) || !pfc_face_parse(font, fn, index, &of)) {
        snprintf(r->first_problem, sizeof r->first_problem, "cannot parse a font");
        goto out;
    }
    /* Every CID shown with Tj in every page's content stream. */
    pos = 0;
    while (pfc_ref(pdf, n, "/Contents ", &pos, &num)) {
        size_t cl = 0;
        unsigned char *c = pfc_object_stream(pdf, n, num, &cl);
        if (!c)
            continue;
        for (size_t i = 0; i < cl; i++) {
            if (c[i] != '<' || (i + 1 < cl && c[i + 1] == '<'))
                continue;
            size_t j = i + 1;
            while (j < cl && c[j] != '>')
                j++;
            size_t k = j + 1;
            while (k < cl && (c[k] == ' ' || c[k] == '\n'))
                k++;
            if (k + 2 > cl || memcmp(c + k, "Tj", 2) != 0)
                continue;
            for (size_t h = i + 1; h + 4 <= j; h += 4) {
                char hex[5] = { (char)c[h], (char)c[h + 1], (char)c[h + 2], (char)c[h + 3], 0 };
                cids[strtoul(hex, NULL, 16) & 0xFFFF] = 1;
            }
            i = j;
        }
        free(c);
    }
    seen = calloc(of.num_glyphs ? of.num_glyphs : 1, 1);
    if (!seen)
        abort();
    for (uint32_t cid = 0; cid < 65536; cid++) {
        if (!cids[cid])
            continue;
        uint32_t gid = 2 * cid + 1 < map_len ? pfc_be16(map + 2 * cid) : cid;
        pfc_check_glyph(&ef, &of, gid, seen, false, r);
    }
    ok = true;
out:
    free(pdf);
    free(font);
    free(emb);
    free(map);
    free(cids);
    free(seen);
    free(ef.loca);
    free(of.loca);
    return ok;
}

#endif
