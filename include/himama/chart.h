/*
 * chart.h - the decisions behind a briefing's charts that need no page:
 * which series share a panel, and the span of a value axis.  render_pdf.c
 * draws what these decide.
 */
#ifndef HIMAMA_CHART_H
#define HIMAMA_CHART_H

#include <stdbool.h>
#include <stddef.h>

/* Series whose peaks differ by more than this many times get panels of their own. */
#define HM_CHART_PANEL_RATIO 10.0

/*
 * Group n series into panels by their peaks (peak[k]: the largest absolute
 * value of series k, 0 when it has none) so that within a panel no peak is
 * more than ratio times another: panel[k] gets series k's panel, 0 for the
 * largest peaks, then downwards.  A series of peak 0 lies flat in any
 * scale and joins the last panel.  Returns the number of panels (1 when
 * n is 0 or every series fits one).
 */
size_t hm_chart_panels(const double *peak, size_t n, double ratio, size_t *panel);

/*
 * A "nice" tick step (1, 2, 2.5 or 5 times a power of ten) for about
 * ticks steps over range; a whole number of at least 1 when integral.
 */
double hm_chart_step(double range, int ticks, bool integral);

/*
 * The value axis for data from lo to hi, in about five nice steps, into
 * *vmin, *vmax and *step.  Counts (rate false) start at 0 (or below it for
 * negative data).  Rates (every series a share) span the data's range with
 * a margin, kept within 0..1 when the data are.  Returns true when the
 * axis does not start at 0 although every value is positive - a baseline
 * the chart must mark as cut.
 */
bool hm_chart_axis(double lo, double hi, bool integral, bool rate, double *vmin, double *vmax,
                   double *step);

#endif
