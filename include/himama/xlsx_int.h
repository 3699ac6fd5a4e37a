/*
 * xlsx_int.h - what the two halves of the workbook reader share: the book
 * (xlsx_book.c: the zip, its relationships, the workbook part, the shared
 * strings and the styles) and the sheet reader (xlsx_read.c).  Private to
 * the door.
 */
#ifndef HIMAMA_XLSX_INT_H
#define HIMAMA_XLSX_INT_H

#include <expat.h>
#include <stdbool.h>
#include <stddef.h>

#include "himama/util.h"
#include "himama/xlsx_read.h"

#define HM_XLSX_CHUNK 65536           /* bytes decompressed at a time */


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
    char *path;
    sheet_info *sheets;
    size_t nsheets;
    bool date1904;
    /* shared strings: text of string i at sst.buf + sst_off[i], sst_len[i] bytes */
    hm_strbuf sst;
    size_t *sst_off;
    size_t *sst_len;
    size_t nsst, asst;
    /* cellXfs: XF_* per style index */
    unsigned char *xf;
    size_t nxf;
};

/* What every handler of a part shares: the parser and a fatal error. */
typedef struct xml_ctx {
    XML_Parser p;
    char err[256];     /* set by a handler that stops the parser */
} xml_ctx;

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
