/*
 * encoding.c - tell UTF-8 from GB18030 (DESIGN.md "Rules at the door").
 *
 * Two validators run side by side over the whole file, each remembering the
 * offset of the first byte where its encoding broke.  A sequence cut by the
 * end of a chunk is kept in a small pending buffer (pend for UTF-8, pend_gb
 * for GB18030) and completed from the next chunk; a sequence still pending
 * at the end of the file is invalid.  The BOM is read from the first four
 * bytes and only decided at finish, so chunks of any size work.
 */
#include <stdio.h>
#include <string.h>

#include "himama/encoding.h"

/* Length of the UTF-8 sequence led by c, or 0 for a byte that cannot lead. */
/* Skip plain ASCII from p[i], eight bytes at a time; returns the index of
 * the first byte that may not be ASCII (or n). */
static size_t skip_ascii(const unsigned char *p, size_t i, size_t n)
{
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull)
            break;
        i += 8;
    }
    return i;
}

static size_t utf8_seqlen(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

/* Whether the len bytes at s (led by a valid lead byte) are one valid UTF-8
 * sequence: no overlongs, no surrogates, nothing above U+10FFFF. */
static int utf8_seq_ok(const unsigned char *s, size_t len)
{
    unsigned char lo = 0x80, hi = 0xbf;
    switch (s[0]) {
    case 0xe0: lo = 0xa0; break;
    case 0xed: hi = 0x9f; break;
    case 0xf0: lo = 0x90; break;
    case 0xf4: hi = 0x8f; break;
    default: break;
    }
    if (len < 2)
        return 1;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return 1;
}

/* Validate n bytes of UTF-8 starting at file offset base. */
static void utf8_feed(hm_encdetect *d, const unsigned char *p, size_t n,
                      uint64_t base)
{
    size_t i = 0;
    if (d->npend_utf8 > 0) {
        size_t had = d->npend_utf8;
        size_t need = utf8_seqlen(d->pend[0]);
        while (d->npend_utf8 < need && i < n)
            d->pend[d->npend_utf8++] = p[i++];
        if (d->npend_utf8 < need)
            return;
        d->npend_utf8 = 0;
        if (!utf8_seq_ok(d->pend, need)) {
            d->utf8_ok = 0;
            d->utf8_bad_at = base - had;
            return;
        }
    }
    while (i < n) {
        i = skip_ascii(p, i, n);
        if (i >= n)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = utf8_seqlen(c);
        if (len == 0) {
            d->utf8_ok = 0;
            d->utf8_bad_at = base + i;
            return;
        }
        if (i + len > n) {
            /* Cut by the chunk's end: check what there is, keep it. */
            if (!utf8_seq_ok(p + i, n - i)) {
                d->utf8_ok = 0;
                d->utf8_bad_at = base + i;
                return;
            }
            memcpy(d->pend, p + i, n - i);
            d->npend_utf8 = n - i;
            return;
        }
        if (!utf8_seq_ok(p + i, len)) {
            d->utf8_ok = 0;
            d->utf8_bad_at = base + i;
            return;
        }
        i += len;
    }
}

/*
 * Length of the GB18030 sequence whose first k bytes (k >= 1) are s, or 0
 * when those bytes cannot start one; may return more than k when more bytes
 * are needed to know.
 */
static size_t gb_seqlen(const unsigned char *s, size_t k)
{
    if (s[0] <= 0x80)
        return 1;
    if (s[0] == 0xff)
        return 0;
    if (k < 2)
        return 2;
    if ((s[1] >= 0x40 && s[1] <= 0x7e) || (s[1] >= 0x80 && s[1] <= 0xfe))
        return 2;
    if (s[1] < 0x30 || s[1] > 0x39)
        return 0;
    if (k >= 3 && (s[2] < 0x81 || s[2] > 0xfe))
        return 0;
    if (k >= 4 && (s[3] < 0x30 || s[3] > 0x39))
        return 0;
    return 4;
}

/* Validate n bytes of GB18030 starting at file offset base. */
static void gb_feed(hm_encdetect *d, const unsigned char *p, size_t n,
                    uint64_t base)
{
    size_t i = 0;
    if (d->npend_gb > 0) {
        size_t had = d->npend_gb;
        while (i < n) {
            d->pend_gb[d->npend_gb++] = p[i++];
            size_t len = gb_seqlen(d->pend_gb, d->npend_gb);
            if (len == 0) {
                d->gb_ok = 0;
                d->gb_bad_at = base - had;
                return;
            }
            if (len == d->npend_gb) {
                d->npend_gb = 0;
                break;
            }
        }
        if (d->npend_gb > 0)
            return;
    }
    while (i < n) {
        i = skip_ascii(p, i, n);
        if (i >= n)
            break;
        size_t avail = n - i < 4 ? n - i : 4;
        size_t len = gb_seqlen(p + i, avail);
        if (len == 0) {
            d->gb_ok = 0;
            d->gb_bad_at = base + i;
            return;
        }
        if (len > avail) {
            memcpy(d->pend_gb, p + i, avail);
            d->npend_gb = avail;
            return;
        }
        i += len;
    }
}

void hm_encdetect_init(hm_encdetect *d)
{
    memset(d, 0, sizeof *d);
    d->utf8_ok = 1;
    d->gb_ok = 1;
}

void hm_encdetect_feed(hm_encdetect *d, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    for (size_t i = 0; d->nhead < sizeof d->head && i < n; i++)
        d->head[d->nhead++] = p[i];
    if (d->utf8_ok)
        utf8_feed(d, p, n, d->offset);
    if (d->gb_ok)
        gb_feed(d, p, n, d->offset);
    d->offset += n;
}

/* Whether the file starts with the n bytes of bom. */
static int has_bom(const hm_encdetect *d, const char *bom, size_t n)
{
    return d->nhead >= n && memcmp(d->head, bom, n) == 0;
}

hm_error hm_encdetect_finish(hm_encdetect *d, hm_encoding *enc,
                             size_t *bom_len, char *reason, size_t reasonsz)
{
    /* A sequence still open at the end of the file is cut short. */
    if (d->utf8_ok && d->npend_utf8 > 0) {
        d->utf8_ok = 0;
        d->utf8_bad_at = d->offset - d->npend_utf8;
    }
    if (d->gb_ok && d->npend_gb > 0) {
        d->gb_ok = 0;
        d->gb_bad_at = d->offset - d->npend_gb;
    }
    if (reasonsz > 0)
        reason[0] = '\0';
    *enc = HM_ENC_UTF8;
    *bom_len = 0;

    if (has_bom(d, "\xef\xbb\xbf", 3)) {
        if (!d->utf8_ok) {
            snprintf(reason, reasonsz, "not valid UTF-8 after a UTF-8 byte "
                     "order mark (first bad byte at offset %llu)",
                     (unsigned long long)d->utf8_bad_at);
            return HM_EENCODING;
        }
        *bom_len = 3;
        return HM_OK;
    }
    if (has_bom(d, "\x84\x31\x95\x33", 4)) {
        if (!d->gb_ok) {
            snprintf(reason, reasonsz, "not valid GB18030 after a GB18030 "
                     "byte order mark (first bad byte at offset %llu)",
                     (unsigned long long)d->gb_bad_at);
            return HM_EENCODING;
        }
        *enc = HM_ENC_GB18030;
        *bom_len = 4;
        return HM_OK;
    }
    if (has_bom(d, "\xff\xfe\x00\x00", 4) || has_bom(d, "\x00\x00\xfe\xff", 4)) {
        snprintf(reason, reasonsz,
                 "UTF-32 is not supported: save the file as \"CSV UTF-8\"");
        return HM_EENCODING;
    }
    if (has_bom(d, "\xff\xfe", 2) || has_bom(d, "\xfe\xff", 2)) {
        snprintf(reason, reasonsz,
                 "UTF-16 is not supported: save the file as \"CSV UTF-8\"");
        return HM_EENCODING;
    }
    if (d->utf8_ok)
        return HM_OK;
    if (d->gb_ok) {
        *enc = HM_ENC_GB18030;
        return HM_OK;
    }
    /* Neither: name the later break, the point up to which the file made
     * sense in at least one of the two. */
    snprintf(reason, reasonsz,
             "neither UTF-8 nor GB18030 (first bad byte at offset %llu)",
             (unsigned long long)(d->utf8_bad_at > d->gb_bad_at
                                  ? d->utf8_bad_at : d->gb_bad_at));
    return HM_EENCODING;
}

const char *hm_encoding_name(hm_encoding enc)
{
    return enc == HM_ENC_GB18030 ? "GB18030" : "UTF-8";
}
