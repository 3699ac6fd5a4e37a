/*
 * fields.h - cleaning and validating one field by DESIGN.md's "Rules at
 * the door".  Pure functions: no database, no I/O.
 *
 * Every validator takes the field already cleaned (see hm_field_clean) and,
 * on failure, writes a precise English reason (lowercase, no full stop)
 * into err (of size errsz) and returns false.  Reasons quote the value, e.g.
 * "not a calendar date: '2026-02-30'".
 */
#ifndef HIMAMA_FIELDS_H
#define HIMAMA_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama/kinds.h"
#include "himama/util.h"

typedef enum hm_clean_mode {
    HM_CLEAN_TEXT,  /* free text: trim, drop bidi controls */
    HM_CLEAN_CODE   /* IDs, codes, dates, numbers: also drop zero-width
                       characters and turn full-width ASCII into ASCII */
} hm_clean_mode;

/*
 * Clean the field s (len bytes, valid UTF-8, may hold NULs) into out
 * (reset first):
 *   - reject (return false, reason in err) a field holding a control
 *     character: C0 other than tab, CR and LF (so NUL too), DEL, C1
 *     (U+0080..U+009F);
 *   - trim leading and trailing white space: ASCII space, tab, CR, LF,
 *     U+3000, U+00A0 (and in CODE mode the zero-width characters too);
 *   - remove bidirectional controls everywhere: U+200E, U+200F,
 *     U+202A..U+202E, U+2066..U+2069;
 *   - CODE mode: remove U+200B..U+200D and U+FEFF (and U+200E/F), and map
 *     full-width U+FF01..U+FF5E to ASCII 0x21..0x7E and U+3000 to space.
 */
bool hm_field_clean(const char *s, size_t len, hm_clean_mode mode,
                    hm_strbuf *out, char *err, size_t errsz);

/*
 * A date: YYYY-M-D, YYYY/M/D, YYYY.M.D or YYYY年M月D日 (or 号), months and
 * days with or without a leading zero, optionally followed by white space
 * and a time H:MM or H:MM:SS (0:00..23:59:59; dropped).  It must be on the
 * calendar and within [min_days, max_days] (days since 1970-01-01).  A plain
 * number (an Excel serial such as 45123) is rejected with the hint to
 * format the column as a date.  'T', AM/PM, 上午/下午 or a zone reject it.
 * On success *days is set.  max_days is meant to be the day of the run: a
 * later date is reported as "date in the future: '...' (today is ...)".
 */
bool hm_field_date(const char *s, int32_t min_days, int32_t max_days,
                   int32_t *days, char *err, size_t errsz);

/*
 * Money in yuan to integer fen: digits with an optional ¥ or ￥ before and
 * 元 after (spaces allowed between symbol and digits), commas only as
 * thousands separators in groups of three (a full-width comma counts as a
 * comma), at most two decimals, no sign; at most 1,000,000,000,000 yuan.
 * When positive is true, zero is rejected too.
 */
bool hm_field_money(const char *s, bool positive, int64_t *fen,
                    char *err, size_t errsz);

/* Minutes: an integer 0..1440 (digits only). */
bool hm_field_minutes(const char *s, int *minutes, char *err, size_t errsz);

/*
 * An enumeration value: the code or the label, case-insensitive (ASCII).
 * On success *code points to the static English code.
 */
bool hm_field_enum(const hm_enum *e, const char *s, const char **code,
                   char *err, size_t errsz);

/*
 * Needs: parts separated by ';', '；', ',', '，' or '|'; each part (trimmed)
 * a code, a label, or a half of a two-part label (亲情关爱, 心理疏导,
 * 电话连线, 走访探视, 亲子阅读, 亲子研学, 陪过节日, 陪过生日, 微心愿).  Empty
 * parts are ignored, repeats collapse.  out (reset first) gets the codes in
 * the order of hm_enum_needs joined by ';' (empty, and true, when every
 * part is empty).  实现"微心愿" may also be written with “” or no quotes.
 */
bool hm_field_needs(const char *s, hm_strbuf *out, char *err, size_t errsz);

/* Format fen as yuan "1234.50" into out (32 bytes). */
void hm_fen_format(int64_t fen, char out[32]);

#endif
