/*
 * chart.c - which series of a chart share a panel, and the span of its
 * value axis (chart.h).  Pure arithmetic, so the tests can ask it.
 */
#include "himama/chart.h"
#include "himama/util.h"

#include <math.h>
#include <stdlib.h>

size_t hm_chart_panels(const double *peak, size_t n, double ratio, size_t *panel)
{
    size_t *order = hm_xcalloc(n + 1, sizeof *order), npanel = 0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (peak[k] > 0)
            order[m++] = k;
    /* insertion sort by peak, largest first; equal peaks keep their order */
    for (size_t i = 1; i < m; i++) {
        size_t k = order[i], j = i;
        for (; j > 0 && peak[order[j - 1]] < peak[k]; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
    double top = 0;
    for (size_t i = 0; i < m; i++) {
        size_t k = order[i];
        if (npanel == 0 || top > ratio * peak[k]) {
            npanel++;
            top = peak[k];
        }
        panel[k] = npanel - 1;
    }
    if (npanel == 0)
        npanel = 1;
    for (size_t k = 0; k < n; k++)
        if (!(peak[k] > 0))
            panel[k] = npanel - 1;
    free(order);
    return npanel;
}

double hm_chart_step(double range, int ticks, bool integral)
{
    double raw = range / ticks;
    if (raw <= 0)
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    if (integral && step < 1)
        step = 1;
    if (integral && step != floor(step))
        step = floor(step);     /* 2.5 times ten to the 0: counts step by 2 */
    return step;
}

bool hm_chart_axis(double lo, double hi, bool integral, bool rate, double *vmin, double *vmax,
                   double *step)
{
    if (!rate) {
        lo = lo < 0 ? lo : 0;
        hi = hi > 0 ? hi : 0;
    }
    if (hi - lo <= 0)
        hi = lo + (rate ? 0.1 : 1);
    *step = hm_chart_step(hi - lo, 5, integral);
    double margin = rate ? *step / 4 : 0;
    *vmin = floor((lo - margin) / *step) * *step;
    *vmax = ceil((hi + margin) / *step) * *step;
    if (rate && lo >= 0 && *vmin < 0)
        *vmin = 0;
    if (rate && hi <= 1 && *vmax > 1)
        *vmax = 1;
    if (*vmax - *vmin < *step)
        *vmax = *vmin + *step;
    return *vmin > 1e-12 && lo > 0;
}
