/*
 * encoding.h - tell a file's encoding by DESIGN.md's rules, streaming.
 *
 * Feed the whole file in chunks of any size (a multi-byte sequence may be
 * split across chunks); then finish.  Rules, in order:
 *   - UTF-8 BOM (EF BB BF): UTF-8 (the rest must still be valid UTF-8);
 *   - GB18030 BOM (84 31 95 33): GB18030 (the rest must be valid GB18030);
 *   - UTF-16/UTF-32 BOM (FF FE, FE FF, and FF FE 00 00, 00 00 FE FF):
 *     rejected, with the hint to save as "CSV UTF-8";
 *   - otherwise UTF-8 when all bytes are valid UTF-8, else GB18030 when all
 *     are valid GB18030 (1 byte 00-7F or 80; 2 bytes 81-FE + 40-7E/80-FE;
 *     4 bytes 81-FE 30-39 81-FE 30-39), else rejected.
 * An empty file is HM_ENC_UTF8 with bom_len 0 (the caller rejects it as
 * "no header").
 */
#ifndef HIMAMA_ENCODING_H
#define HIMAMA_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "himama.h"

typedef enum hm_encoding {
    HM_ENC_UTF8,
    HM_ENC_GB18030
} hm_encoding;

typedef struct hm_encdetect {
    unsigned char head[4];   /* first bytes, for the BOM */
    size_t nhead;
    uint64_t offset;         /* bytes fed so far */
    int utf8_ok, gb_ok;      /* still valid as UTF-8 / GB18030 */
    unsigned char pend[4];   /* an incomplete sequence at a chunk's end */
    size_t npend_utf8, npend_gb;
    unsigned char pend_gb[4];
    uint64_t utf8_bad_at;    /* offset of the first invalid UTF-8 byte */
    uint64_t gb_bad_at;      /* offset of the first invalid GB18030 byte */
} hm_encdetect;

/* Start detection in caller-owned d (nothing to free afterwards). */
void hm_encdetect_init(hm_encdetect *d);
/* Feed the next n bytes of the file; chunks may have any size. */
void hm_encdetect_feed(hm_encdetect *d, const void *buf, size_t n);
/*
 * Decide.  On HM_OK, *enc is the encoding and *bom_len the number of BOM
 * bytes to skip.  On HM_EENCODING, reason (of size reasonsz) says why, e.g.
 * "UTF-16 is not supported: save the file as \"CSV UTF-8\"" or
 * "neither UTF-8 nor GB18030 (first bad byte at offset 1234)".  Offsets
 * count from the start of the file, BOM included; when the file is neither,
 * the offset named is the later of the two encodings' first bad bytes.
 */
hm_error hm_encdetect_finish(hm_encdetect *d, hm_encoding *enc,
                             size_t *bom_len, char *reason, size_t reasonsz);

/* "UTF-8" or "GB18030". */
const char *hm_encoding_name(hm_encoding enc);

#endif
