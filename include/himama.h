/*
 * himama.h - the public face of himama's stage libraries.
 *
 * Every stage (csv, encoding, fields, ingest, aggregate, render_pdf,
 * render_xlsx, template, synth) takes a context and returns an hm_error; none
 * of them prints or exits.  The one exception is running out of memory:
 * hm_xmalloc() and friends abort the process with a message, as git's
 * xmalloc does, because no caller could do anything better.
 */
#ifndef HIMAMA_H
#define HIMAMA_H

#include <stddef.h>
#include <stdint.h>

#define HIMAMA_VERSION "0.1.0"

/* One error enum for the whole program. */
typedef enum hm_error {
    HM_OK = 0,          /* success */
    HM_EUSAGE,          /* bad command line or configuration */
    HM_EIO,             /* a file could not be read or written */
    HM_ENOMEM,          /* out of memory (only where recoverable) */
    HM_EDB,             /* the database reported an error */
    HM_EENCODING,       /* a file is in no accepted encoding */
    HM_EREJECTED,       /* a file was rejected whole */
    HM_ELOCKED,         /* another himama process holds the database lock */
    HM_ETEMPLATE,       /* a template could not be parsed */
    HM_EQUERY,          /* a query file is missing or failed */
    HM_EPDF,            /* libharu reported an error */
    HM_EXLSX,           /* libxlsxwriter reported an error */
    HM_EPRIVACY,        /* a public output would have shown personal data */
    HM_ENOTFOUND,       /* a named thing does not exist */
    HM_ESCHEMA          /* the database is newer than this program */
} hm_error;

/* A static English description of err. */
const char *hm_strerror(hm_error err);

/* Exit codes of the command line (DESIGN.md). */
enum {
    HM_EXIT_OK = 0,       /* success */
    HM_EXIT_USAGE = 1,    /* usage or configuration error */
    HM_EXIT_ROWS = 2,     /* ingest finished but some rows were rejected */
    HM_EXIT_FAIL = 3,     /* a file rejected whole or a report not written */
    HM_EXIT_LOCKED = 4    /* another process holds the database lock */
};

#endif
