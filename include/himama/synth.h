/*
 * synth.h - a deterministic synthetic data set in the input contract's
 * format (DESIGN.md "Input files"), for tests, demos and benchmarks.
 *
 * hm_synth_run writes one CSV file per kind (activities one per month) into
 * a directory: towns, children, volunteers, pairings, activities, wishes,
 * donations, expenditures, trainings, attendance, stories and the matters
 * raised at the symposiums (feedback) of an invented programme modelled on
 * the Haimen district one.  Some files are written as
 * Excel on Chinese Windows writes them (GB18030, Chinese headers, CRLF,
 * Chinese file names), the others as UTF-8 (some with a BOM) with English
 * headers.  The same options give byte-identical files.
 *
 * A clean data set breaks no rule at the door: every date is on the
 * calendar, within [2000-01-01, until], references exist, pairings of one
 * volunteer and child never share a day, wish dates are ordered and no
 * restricted fund is overspent.  With errors set, a known list of bad rows
 * is added at fixed positions and listed in DIR/expected-rejects.tsv
 * (file, line, column, rule; the header is line 1).
 *
 * The towns file names each town's district, city and province (Haimen,
 * Nantong, Jiangsu at district scale; Nantong's ten districts at city
 * scale; provinces, cities and districts at nation scale, district names
 * repeating from city to city).  With per_district the same rows are
 * written into one directory per district instead (IDs as without it; the
 * restricted funds kept per district, so none is overspent in any).
 *
 * Files an earlier run left in the directory under names synth writes
 * (activities of other months, expected-rejects.tsv without errors) are
 * removed, so the directory holds one data set.
 *
 * The generator streams: it keeps small fixed-size structs per town, child,
 * volunteer and pairing, never the rows it writes.
 */
#ifndef HIMAMA_SYNTH_H
#define HIMAMA_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "himama.h"

typedef enum hm_synth_scale {
    HM_SYNTH_DISTRICT,  /* 9 towns, ~200 children, ~560 volunteers, two years */
    HM_SYNTH_CITY,      /* 90 towns, ~2,000 children, ~5,600 volunteers, two years */
    HM_SYNTH_NATION     /* 5,000 towns, ~1,000,000 children, ~2,500,000 volunteers, one year */
} hm_synth_scale;

typedef struct hm_synth_opts {
    hm_synth_scale scale;
    uint64_t seed;      /* any value; the same seed gives the same files */
    int32_t until;      /* last day of the data (days since 1970-01-01);
                           must be 2002-01-01 or later */
    bool errors;        /* add known bad rows and expected-rejects.tsv */
    const char *dir;    /* output directory; must exist */
    bool per_district;  /* one data set per district, in dir/CODE/ (the
                           district's code: HM, CC, ...), its rows' references
                           inside it; district and city scale, no errors */
} hm_synth_opts;

/* One file written. */
typedef struct hm_synth_file {
    char name[96];          /* file name inside dir (UTF-8) */
    const char *kind;       /* the kind's English name, or "expected-rejects" */
    const char *encoding;   /* "UTF-8", "UTF-8+BOM" or "GB18030" (static) */
    uint64_t rows;          /* good data rows */
    uint64_t bad_rows;      /* deliberately bad rows (errors only) */
    uint64_t bytes;         /* size of the file */
} hm_synth_file;

/* What hm_synth_run wrote; the caller releases it. */
typedef struct hm_synth_result {
    hm_synth_file *files;   /* in the order written */
    size_t nfiles;
    uint64_t rows;          /* good rows over all files */
    uint64_t bad_rows;      /* bad rows over all files */
} hm_synth_result;

/* Parse "district", "city" or "nation" into *out; false for anything else. */
bool hm_synth_scale_parse(const char *s, hm_synth_scale *out);

/* "district", "city" or "nation". */
const char *hm_synth_scale_name(hm_synth_scale scale);

/* The default last day: the last day of the month before the month of today
 * (today in days since 1970-01-01, e.g. from hm_today()). */
int32_t hm_synth_default_until(int32_t today);

/*
 * Write the data set described by opts into opts->dir.  Every file is
 * written atomically (it appears whole at its final name or not at all).
 * OUT: *res (initialised by this function, also on failure) lists the files
 * written.  Returns HM_OK, HM_EUSAGE for bad options, or HM_EIO when a file
 * cannot be written; err (of size errsz) then says which, e.g.
 * "cannot write 'DIR/children.csv'".
 */
hm_error hm_synth_run(const hm_synth_opts *opts, hm_synth_result *res,
                      char *err, size_t errsz);

/* Free what res holds (NULL is fine); res may be reused afterwards. */
void hm_synth_result_release(hm_synth_result *res);

#endif
