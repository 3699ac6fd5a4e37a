/*
 * render.h - the renderers: the report model (report.h) drawn as the PDF
 * briefing (render_pdf.c, over the PDF layer pdf.h) and written as the
 * workbook (render_xlsx.c).  The annual report's two more renderers have
 * headers of their own: nominations_xlsx.h and dossier.h.  Renderers read
 * the model only, never the database; they write to the path they are
 * given, and the caller renames the file into place.
 *
 * Ownership: the model and the options stay the caller's; nothing here
 * keeps them after a call returns, except hm_book_open (see there).
 */
#ifndef HIMAMA_RENDER_H
#define HIMAMA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "himama.h"
#include "himama/report.h"

/* Options both renderers take. */
typedef struct hm_render_opts {
    const char *font_path;   /* CJK TrueType font (.ttf or .ttc) */
    int font_index;          /* face within a .ttc */
    int64_t created;         /* document creation time (seconds since epoch) */
} hm_render_opts;

/* What a PDF render produced, for the caller's warnings and the manifest. */
typedef struct hm_pdf_stats {
    size_t pages;           /* pages written */
    size_t placeholders;    /* characters drawn as a placeholder (font lacks them) */
} hm_pdf_stats;

/*
 * Write r as the PDF briefing at path.  r is checked first
 * (hm_report_check_public); nothing is written on failure.  HM_OK, or
 * the error with err set (HM_EPRIVACY, HM_EIO, HM_EPDF).
 */
hm_error hm_render_pdf(const hm_report *r, const hm_render_opts *o, const char *path,
                       char *err, size_t errsz);

/*
 * hm_render_pdf that also fills *stats (may be NULL) on success, so the
 * command can warn when characters could not be shown.
 */
hm_error hm_render_pdf_stats(const hm_report *r, const hm_render_opts *o, const char *path,
                             hm_pdf_stats *stats, char *err, size_t errsz);

/*
 * Write r as the workbook at path (hm_book_open to hm_book_close in a
 * row).  Checked as hm_render_pdf; on failure no file is left at path.
 */
hm_error hm_render_xlsx(const hm_report *r, const hm_render_opts *o, const char *path,
                        char *err, size_t errsz);

/*
 * The workbook written while the model fills (hm_render_xlsx is these in
 * a row).  hm_book_open needs of r only what is known before any query
 * runs: audience, language and each section's id, kind, sheet and detail
 * flag; it keeps r, which must outlive the workbook.  hm_book_section
 * writes section i's sheet (checked as hm_section_check_public) once that
 * section is complete, texts filled, sections in order; hm_book_finish
 * writes the first sheet and the document properties once every section
 * and the title are complete; hm_book_close compresses the workbook into
 * path and frees h.  After a failure of any of them but the last, call
 * hm_book_discard, which frees h and removes path.  One thread at a time.
 */
typedef struct hm_book hm_book;
hm_error hm_book_open(const hm_report *r, const char *path, hm_book **out, char *err,
                      size_t errsz);
hm_error hm_book_section(hm_book *h, size_t i, char *err, size_t errsz);
hm_error hm_book_finish(hm_book *h, const hm_render_opts *o, char *err, size_t errsz);
hm_error hm_book_close(hm_book *h, char *err, size_t errsz);
void hm_book_discard(hm_book *h);

#endif
