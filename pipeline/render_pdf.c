/*
 * render_pdf.c - placeholder until the pdf renderer lands.
 */
#include "himama/report.h"

#include <stdio.h>

hm_error hm_render_pdf(const hm_report *r, const hm_render_opts *o, const char *path,
                       char *err, size_t errsz)
{
    (void)r;
    (void)o;
    (void)path;
    snprintf(err, errsz, "the pdf renderer is not available yet");
    return HM_EPDF;
}
