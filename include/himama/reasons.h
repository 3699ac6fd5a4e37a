/*
 * reasons.h - the catalogue of the reasons the door gives: why a row or a
 * file was rejected, and its warnings.  Each has a stable code, its English
 * text (a printf format: what ingest stores, in ingest_log, rejects and
 * warnings) and its Chinese text (a printf format whose conversions name
 * the English one's arguments by position, "%2$s").  A reason is made in
 * English with hm_reason_make; hm_reason_zh turns any stored English reason
 * back into Chinese by finding the entry whose English text it fits, so
 * reports (the SQL function hm_reason_zh, store/db.c) and the rejects
 * file's 原因 column show it in Chinese.
 */
#ifndef HIMAMA_REASONS_H
#define HIMAMA_REASONS_H

#include <stdbool.h>
#include <stddef.h>

#include "himama/util.h"

typedef enum hm_reason_code {
    HM_R_UNKNOWN_COLUMN,
    HM_R_UNKNOWN_COLUMNS,
    HM_R_UNKNOWN_COLUMNS_EMPTY,
    HM_R_HEADER_REPEATS,
    HM_R_HEADER_TOO_WIDE,
    HM_R_TOO_MANY_REJECTS,
    HM_R_REJECTS_STOPPED,
    HM_R_REJECTS_HALF,
    HM_R_NKNOWN      /* the codes above are made with hm_reason_make */
} hm_reason_code;

/* Make reason code's English text into out (outsz bytes) from the
 * arguments its format takes.  Returns out. */
char *hm_reason_make(char *out, size_t outsz, hm_reason_code code, ...);

/*
 * The Chinese of the English reason en, appended to out: the catalogue's
 * first entry whose English text en fits, its arguments carried over
 * (those that are reasons themselves translated in turn).  A reason not in
 * the catalogue is appended as it is, and false returned.
 */
bool hm_reason_zh(const char *en, hm_strbuf *out);

/* Number of entries of the catalogue (for tests). */
size_t hm_reason_count(void);

#endif
