/*
 * xlsx_int.h - what the two halves of the workbook reader share: the book
 * (xlsx_book.c: the zip, its relationships, the workbook part, the shared
 * strings and the styles) and the sheet reader (xlsx_read.c).  Private to
 * the door.
 */
#ifndef HIMAMA_XLSX_INT_H
#define HIMAMA_XLSX_INT_H

#include <expat.h>
#include <minizip/unzip.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama/util.h"
#include "himama/xlsx_read.h"

#define HM_XLSX_CHUNK 65536           /* bytes decompressed at a time */

/*
 * The budget of one workbook (a hostile file must not cost more than a
 * real one could): every part the reader inflates counts towards
 * HM_XLSX_INFLATE_RATIO times the file's size (at least
 * HM_XLSX_INFLATE_FLOOR, at most HM_XLSX_INFLATE_MAX), counted as bytes
 * actually inflated, whatever the archive declares; sheets, cell styles,
 * number formats and the shared strings (by what they cost in memory:
 * their text plus HM_XLSX_SST_ENTRY bytes each) are capped too.
 */
#define HM_XLSX_INFLATE_RATIO 16ull
#define HM_XLSX_INFLATE_FLOOR (4ull << 20)
#define HM_XLSX_INFLATE_MAX (2ull << 30)
#define HM_XLSX_MAX_SHEETS 1024
#define HM_XLSX_MAX_XFS 65536
#define HM_XLSX_MAX_NUMFMTS 65536
#define HM_XLSX_SST_MAX_COST (64ull << 20)
#define HM_XLSX_SST_ENTRY (sizeof(size_t) + 1)


/* What a cell style's number format makes of a number. */
enum { XF_NUMBER = 0, XF_DATE = 1, XF_TIME = 2 };

typedef struct sheet_info {
    char *name;
    char *rid;        /* relationship id in the workbook */
    char *part;       /* zip entry name, or NULL when the relationship is missing */
    bool hidden;
} sheet_info;

typedef struct rel {
    char *id;
    char *type;
    char *target;
} rel;

struct hm_xlsx_book {
    char *path;       /* the name shown in messages */
    int fd;           /* the workbook, read with pread (borrowed unless own_fd) */
    bool own_fd;
    unsigned long long size;       /* the file's size */
    unsigned long long inflated;   /* bytes inflated so far, every part counted */
    unsigned long long inflate_max;
    sheet_info *sheets;
    size_t nsheets;
    bool date1904;
    /* shared strings: string i is stored once, at sst.buf + sst_off[i],
     * sst_off[i + 1] - sst_off[i] - 1 bytes (each ends with a NUL) */
    hm_strbuf sst;
    size_t *sst_off;
    size_t nsst, asst;
    /* cellXfs: XF_* per style index */
    unsigned char *xf;
    size_t nxf;
};

/* What every handler of a part shares: the parser and a fatal error. */
typedef struct xml_ctx {
    XML_Parser p;
    char err[256];     /* set by a handler that stops the parser */
    bool budget;       /* err is a cap reached (said plainly), not damage */
} xml_ctx;

/* Open the book's archive again, through its descriptor; NULL on failure. */
unzFile hm_xlsx_unz_open(hm_xlsx_book *b);
/*
 * Count n more inflated bytes against the book's budget; false (and msg,
 * msgsz bytes, says why in words staff can act on) when it is spent.
 */
bool hm_xlsx_inflate_count(hm_xlsx_book *b, size_t n, char *msg, size_t msgsz);

/* The local part of an XML name ("r:id" -> "id"). */
const char *hm_xlsx_local_name(const char *name);
/* The value of the attribute whose local name is lname, or NULL. */
const char *hm_xlsx_attr(const XML_Char **atts, const char *lname);
/* Append in (n bytes) to out, with the OOXML escapes "_xHHHH_" decoded. */
void hm_xlsx_xstring_append(hm_strbuf *out, const char *in, size_t n);
/* A new parser whose handlers get ctx (which starts with an xml_ctx x);
 * document type declarations are refused.  NULL when out of memory. */
XML_Parser hm_xlsx_parser_new(xml_ctx *x, void *ctx);

#endif
