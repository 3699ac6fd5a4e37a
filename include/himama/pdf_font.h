/*
 * pdf_font.h - the TrueType face behind the PDFs (pdf.c): read once per
 * process and shared by every document, its code point lookups, and the
 * subset font program each PDF embeds.
 *
 * libharu parses the font again for every document (reading it a few
 * bytes per call through the C library), looks each code point
 * up with a linear search of the cmap segments (several times per
 * character drawn), and at saving writes as "subset" the whole hmtx, loca
 * and post tables (half a megabyte of glyph names in a CJK font) beside
 * the glyphs used, four bytes per call, before deflating it all.  Here the
 * face is mapped into memory once (the mapping and what is parsed from it
 * live until the process ends) and libharu reads it from there, the lookups become two tables built once
 * from libharu's own answers (so widths and glyph numbers are exactly
 * libharu's), and hm_font_face_subset writes the program pdf.c hands to
 * libharu instead: glyph numbers unchanged (the CIDToGIDMap stays right),
 * glyf holding only the glyphs flagged, the metrics of the others zeroed,
 * post without glyph names (version 3).
 *
 * Every function here may be called from several threads at once.
 */
#ifndef HIMAMA_PDF_FONT_H
#define HIMAMA_PDF_FONT_H

#include <stdbool.h>
#include <stdint.h>

#include "himama.h"
#include "himama/util.h"

#include <hpdf.h>

typedef struct hm_font_face hm_font_face;

/* Per code point of the Basic Multilingual Plane, as libharu answers. */
typedef struct hm_font_metrics {
    uint16_t gid[0x10000];      /* glyph number; 0: the font lacks it */
    int16_t width[0x10000];     /* advance width at size 1000 */
} hm_font_metrics;

/*
 * The face index of the TrueType file path (a .ttc collection or a .ttf,
 * where index is ignored), mapped and parsed on the first call and shared
 * afterwards.  NULL with a message in err when the file cannot be read or
 * its tables are malformed.
 */
const hm_font_face *hm_font_face_get(const char *path, int index, char *err, size_t errsz);

/* Number of glyphs of the face (maxp). */
uint32_t hm_font_face_glyphs(const hm_font_face *f);

/*
 * The face's lookups, built on the first call from def (a libharu font
 * definition loaded from the same face, its cmap as loaded) and shared
 * afterwards.
 */
const hm_font_metrics *hm_font_face_metrics(const hm_font_face *f, HPDF_FontDef def);

/*
 * Give def (libharu's, of the face of m) a cmap of one segment whose glyph
 * array is m's, so that libharu's lookup (a linear search of the segments,
 * 65,536 times when the font is first used in a document, then several
 * times per character drawn) answers the same at once.  false, def
 * unchanged, when memory runs out.
 */
bool hm_font_flatten_cmap(HPDF_FontDef def, const hm_font_metrics *m);

/* A reading position in a face's file (hm_font_face_stream). */
typedef struct hm_font_cursor {
    const hm_font_face *face;
    size_t pos;
} hm_font_cursor;

/*
 * A libharu stream reading the face's file from memory, for
 * HPDF_TTFontDef_Load (libharu then reads the font through it while the
 * document lives: cur must outlive the document).  NULL when libharu runs
 * out of memory.
 */
HPDF_Stream hm_font_face_stream(const hm_font_face *f, HPDF_MMgr mmgr, hm_font_cursor *cur);

/*
 * Flag in flgs (n entries, one per glyph) every component of every flagged
 * composite glyph, nested ones too; glyph numbers are read unsigned.
 */
void hm_font_face_flag_components(const hm_font_face *f, unsigned char *flgs, uint32_t n);

/*
 * Append to out the subset font program: the tables libharu embeds
 * (OS/2 cmap cvt fpgm glyf head hhea hmtx loca maxp name post prep), glyf
 * holding only the glyphs flagged in flgs (n entries), loca pointing to
 * them, the hmtx entries of the others zeroed, post as version 3, each
 * table's checksum and the head's checkSumAdjustment recomputed.
 */
void hm_font_face_subset(const hm_font_face *f, const unsigned char *flgs, uint32_t n,
                         hm_strbuf *out);

#endif
