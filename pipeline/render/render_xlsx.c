/*
 * render_xlsx.c - the report model as an Excel workbook (libxlsxwriter).
 *
 * Layout.  The first sheet ("说明", "About" in English) holds the title
 * block, a list of the other sheets with their headings (each a link to
 * the sheet) and the TEXT sections.  Every other section that names a
 * sheet gets one: the heading in row 1, the intro under it, then the
 * header row (frozen, with an autofilter over header and data), the data,
 * and the note or the "empty" text below.  BAR and LINE sections also get
 * a native chart to the right of the table.
 *
 * Cells are typed: money (integer fen) becomes a number in yuan with
 * "#,##0.00", counts "#,##0", shares "0.0%", dates real dates; text is
 * always written with worksheet_write_string, so a value such as
 * "=HYPERLINK(...)" stays text and never becomes a formula.  A value the
 * public must not see (hm_value_hidden) is the string "<3".
 *
 * Rows come from hm_table_row: a long list's rows beyond what the PDF
 * draws are read back from its temporary file (report.h), twice (once
 * for the column widths, once to write them), never all in memory.
 *
 * Memory.  constant_memory is a workbook option in libxlsxwriter, not a
 * sheet option, and under it a row is flushed to a temporary file as soon
 * as a later row is started: writes to earlier rows fail (and would be
 * lost if unchecked), set_row and merges work only on the current row.
 * So this renderer writes EVERY sheet strictly row by row, top to bottom,
 * column widths and row heights computed beforehand from the model; it
 * never goes back.  With that discipline the same code is correct in both
 * modes, and the workbook is opened in constant_memory mode exactly when
 * the report holds a `detail` section (a long list), which keeps
 * libxlsxwriter's memory flat however long the list is.  Reports without
 * a detail section stay in the normal mode because there charts carry a
 * cache of their values (libxlsxwriter cannot fill that cache from a
 * constant-memory sheet), which file previewers that do not recalculate
 * need; Excel, WPS and LibreOffice redraw charts from the cells anyway.
 *
 * Errors.  Every worksheet_* call that returns an lxw_error is checked and
 * turned into a message naming the sheet and the cell.  workbook_close
 * reports file errors (and always frees the workbook).  On any failure
 * the file at path is removed.
 */
#include "himama/render.h"
#include "himama/util.h"
#include "himama/xlsx_write.h"

#include <xlsxwriter.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHEET_MAX_CHARS 31        /* Excel's limit, in characters */
#define CELL_MAX_CHARS 32767      /* Excel's limit for a cell's text */
#define COL_MIN 6.0               /* column width clamp, in character units */
#define COL_MAX 60.0
#define HEADER_MAX 24.0           /* a longer header label wraps instead */
#define PARA_WIDTH 90.0           /* width a paragraph is merged across */
#define LINE_POINTS 16.0          /* height of one line of text, in points */
#define ROW_MAX_POINTS 409.0      /* Excel's highest row */

/* The writing context: the workbook, its formats and where we are. */
typedef struct xw {
    lxw_workbook *wb;
    const hm_report *r;
    bool pub;                 /* public audience */
    bool en;                  /* English labels */
    char **names;             /* per section: its sheet name, or NULL */
    char *about;              /* the first sheet's name */
    const char *sheet;        /* the sheet being written, for messages */
    char *err;
    size_t errsz;
    lxw_format *f_title, *f_heading, *f_sub, *f_para, *f_header, *f_note,
               *f_empty, *f_label, *f_link, *f_money, *f_int, *f_pct,
               *f_real, *f_date, *f_lt3, *f_wrap;
} xw;

/* Estimated width of s in column units (the default font's narrow characters a little wider). */
static double text_width(const char *s)
{
    return hm_xlsxw_text_width(s, 1.1);
}

/* Estimated number of lines s takes in a wrapped cell width units wide. */
static int text_lines(const char *s, double width)
{
    int lines = 0;
    const char *p = s;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *one = hm_xstrndup(p, len);
        double w = text_width(one);
        free(one);
        /* wrapping breaks early at word ends: allow a little slack */
        int k = (int)ceil(w / (width * 0.92));
        lines += k < 1 ? 1 : k;
        if (!nl)
            break;
        p = nl + 1;
    }
    return lines;
}

/* Row height in points for lines of text, within Excel's limit. */
static double row_height(double lines)
{
    double h = LINE_POINTS * lines + 4.0;
    return h > ROW_MAX_POINTS ? ROW_MAX_POINTS : h;
}

/* Clamp a width to the column range. */
static double clamp_width(double w)
{
    return w < COL_MIN ? COL_MIN : w > COL_MAX ? COL_MAX : w;
}

/* Whether ASCII-case-insensitively equal (Excel's rule for sheet names). */
static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

/*
 * A valid sheet name made from want with the suffix appended: the
 * characters Excel forbids become '_', control characters are dropped,
 * a leading or trailing apostrophe is dropped, and the result is cut to
 * 31 characters so that the suffix still fits.  Caller frees.
 */
static char *sheet_name_make(const char *want, const char *suffix)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    size_t budget = SHEET_MAX_CHARS - hm_utf8_count(suffix, strlen(suffix));
    size_t n = strlen(want), used = 0;
    const char *s = want;
    hm_strbuf_init(&sb);
    while (n > 0 && used < budget) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s, n, &cp);
        if (k == 0) {
            s++;
            n--;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) {
            /* dropped */
        } else if (cp < 0x80 && strchr("[]:*?/\\", (int)cp)) {
            hm_strbuf_addc(&sb, '_');
            used++;
        } else {
            hm_strbuf_add(&sb, s, k);
            used++;
        }
        s += k;
        n -= k;
    }
    while (sb.len > 0 && sb.buf[sb.len - 1] == '\'') {
        sb.buf[--sb.len] = '\0';
    }
    size_t lead = 0;
    while (lead < sb.len && sb.buf[lead] == '\'')
        lead++;
    char *out = hm_xstrdup(sb.buf + lead);
    hm_strbuf_release(&sb);
    if (*suffix) {
        char *joined = hm_xmalloc(strlen(out) + strlen(suffix) + 1);
        memcpy(joined, out, strlen(out));
        memcpy(joined + strlen(out), suffix, strlen(suffix) + 1);
        free(out);
        out = joined;
    }
    return out;
}

/* Whether name is already used by the first sheet or sections before upto. */
static bool name_taken(const xw *x, size_t upto, const char *name)
{
    if (name_eq(name, x->about) || name_eq(name, "History"))  /* reserved by Excel */
        return true;
    for (size_t i = 0; i < upto; i++)
        if (x->names[i] && name_eq(name, x->names[i]))
            return true;
    return false;
}

/* Give every section that has a sheet a valid, unique sheet name. */
static void assign_sheet_names(xw *x)
{
    x->about = hm_xstrdup(x->en ? "About" : "说明");
    x->names = hm_xcalloc(x->r->nsec ? x->r->nsec : 1, sizeof *x->names);
    for (size_t i = 0; i < x->r->nsec; i++) {
        const hm_section *s = &x->r->sec[i];
        if (!s->sheet || s->kind == HM_SEC_TEXT)
            continue;
        char *base = sheet_name_make(s->sheet, "");
        if (!*base) {
            free(base);
            base = sheet_name_make(s->id && *s->id ? s->id : "Sheet", "");
            if (!*base) {
                free(base);
                base = hm_xstrdup("Sheet");
            }
        }
        char *name = hm_xstrdup(base);
        for (int k = 2; name_taken(x, i, name); k++) {
            char suffix[24];
            snprintf(suffix, sizeof suffix, " (%d)", k);
            free(name);
            name = sheet_name_make(base, suffix);
        }
        free(base);
        x->names[i] = name;
    }
}

/* Record a libxlsxwriter failure at (row, col) of the current sheet. */
static hm_error fail_at(xw *x, lxw_error e, lxw_row_t row, lxw_col_t col)
{
    return hm_xlsxw_fail_cell(e, x->sheet, row, col, x->err, x->errsz);
}

/* Record a failure of a whole-sheet operation (what) on the current sheet. */
static hm_error fail_sheet(xw *x, lxw_error e, const char *what)
{
    return hm_xlsxw_fail(e, x->err, x->errsz, "sheet '%s': %s", x->sheet ? x->sheet : "?", what);
}

/*
 * s as it fits in a cell: unchanged, or, when longer than Excel's limit
 * of 32,767 characters, cut at a character boundary with a closing
 * ellipsis into *owned (which the caller frees).  The full text stays in
 * the database and the PDF.
 */
static const char *cell_text(const char *s, char **owned)
{
    size_t n = strlen(s);
    *owned = NULL;
    if (n <= CELL_MAX_CHARS || hm_utf8_count(s, n) <= CELL_MAX_CHARS)
        return s;
    size_t off = 0, chars = 0;
    while (off < n && chars < CELL_MAX_CHARS - 1) {
        uint32_t cp;
        size_t k = hm_utf8_decode(s + off, n - off, &cp);
        off += k ? k : 1;
        chars++;
    }
    char *cut = hm_xmalloc(off + 4);
    memcpy(cut, s, off);
    memcpy(cut + off, "\xe2\x80\xa6", 4);   /* U+2026 and the NUL */
    *owned = cut;
    return cut;
}

/* Write s as a string, never a formula (cut to fit, see cell_text). */
static hm_error put_string(xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                           const char *s, lxw_format *f)
{
    char *owned;
    lxw_error e = worksheet_write_string(ws, row, col, cell_text(s, &owned), f);
    free(owned);
    return e == LXW_NO_ERROR ? HM_OK : fail_at(x, e, row, col);
}

/* Write a number with format f. */
static hm_error put_number(xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                           double v, lxw_format *f)
{
    lxw_error e = worksheet_write_number(ws, row, col, v, f);
    return e == LXW_NO_ERROR ? HM_OK : fail_at(x, e, row, col);
}

/* Write one table cell: typed by the column's format. */
static hm_error put_value(xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                          const hm_value *v, const hm_colspec *spec, bool wrap)
{
    if (v->type == HM_V_NULL)
        return HM_OK;
    if (hm_value_hidden(v, spec, x->pub))
        return put_string(x, ws, row, col, "<3", x->f_lt3);
    if (v->type == HM_V_TEXT) {
        if (spec->format == HM_FMT_DATE) {
            int32_t days;
            if (hm_date_parse_iso(v->s, &days)) {
                lxw_datetime dt = { 0, 0, 0, 0, 0, 0.0 };
                hm_civil_from_days(days, &dt.year, &dt.month, &dt.day);
                lxw_error e = worksheet_write_datetime(ws, row, col, &dt, x->f_date);
                return e == LXW_NO_ERROR ? HM_OK : fail_at(x, e, row, col);
            }
        }
        /* a line break shows only in a wrapped cell */
        bool w = wrap || strchr(v->s, '\n') != NULL;
        return put_string(x, ws, row, col, v->s, w ? x->f_wrap : NULL);
    }
    double d = v->type == HM_V_INT ? (double)v->i : v->r;
    switch (spec->format) {
    case HM_FMT_MONEY:
        /* fen to yuan: an integer over 100 gives the nearest double */
        return put_number(x, ws, row, col, d / 100.0, x->f_money);
    case HM_FMT_INT:
        return put_number(x, ws, row, col, d, x->f_int);
    case HM_FMT_PERCENT:
        return put_number(x, ws, row, col, d, x->f_pct);
    case HM_FMT_REAL:
        return put_number(x, ws, row, col, d, x->f_real);
    case HM_FMT_TEXT:
    case HM_FMT_DATE:
        break;
    }
    return put_number(x, ws, row, col, d, NULL);
}

/* Record a failure to read a spilled row (msg says why) for the current sheet. */
static hm_error fail_read(xw *x, const char *msg)
{
    snprintf(x->err, x->errsz, "sheet '%s': %s", x->sheet ? x->sheet : "?", msg);
    return HM_EIO;
}

/*
 * Width units of each column of t into w: the widest shown value or the
 * header.  One pass over the rows, which a spilled table reads from its
 * file; a column stops counting once it is as wide as a column may be.
 */
static hm_error column_widths(xw *x, const hm_table *t, double *w)
{
    char buf[64], msg[512];
    size_t nrows = hm_table_rows(t), open = 0;
    bool *full = hm_xcalloc(t->ncol ? t->ncol : 1, sizeof *full);
    hm_error rc = HM_OK;

    for (size_t c = 0; c < t->ncol; c++) {
        w[c] = text_width(t->cols[c].label ? t->cols[c].label : t->cols[c].name);
        if (w[c] > HEADER_MAX)
            w[c] = HEADER_MAX;
        open++;
    }
    for (size_t r = 0; r < nrows && open > 0; r++) {
        const hm_value *row;
        if (hm_table_row(t, r, &row, msg, sizeof msg) != HM_OK) {
            rc = fail_read(x, msg);
            goto out;
        }
        for (size_t c = 0; c < t->ncol; c++) {
            const hm_value *v = &row[c];
            double vw;
            if (full[c] || v->type == HM_V_NULL)
                continue;
            if (v->type == HM_V_TEXT && t->cols[c].format != HM_FMT_DATE) {
                vw = text_width(v->s);
            } else {
                hm_value_format(v, &t->cols[c], x->pub, buf, sizeof buf);
                vw = text_width(buf);
            }
            if (vw > w[c])
                w[c] = vw;
            if (w[c] >= COL_MAX) {
                full[c] = true;
                open--;
            }
        }
    }
    for (size_t c = 0; c < t->ncol; c++)
        w[c] = clamp_width(w[c] + 2.0);
out:
    free(full);
    return rc;
}

/*
 * Write a paragraph at row: merged across columns 0..last (their widths in
 * widths, ncolw of them; beyond that the default width) so that it spans
 * about PARA_WIDTH units, wrapped, with a row height for its lines.
 */
static hm_error put_paragraph(xw *x, lxw_worksheet *ws, lxw_row_t row, const char *text,
                              lxw_format *f, const double *widths, size_t ncolw)
{
    double span = 0;
    lxw_col_t last = 0;
    for (lxw_col_t c = 0; c < 64; c++) {
        span += c < ncolw ? widths[c] : 8.43;
        last = c;
        if (span >= PARA_WIDTH)
            break;
    }
    int lines = text_lines(text, span);
    lxw_error e = worksheet_set_row(ws, row, row_height(lines), NULL);
    if (e != LXW_NO_ERROR)
        return fail_at(x, e, row, 0);
    if (last == 0)
        return put_string(x, ws, row, 0, text, f);
    /* worksheet_merge_range writes text with worksheet_write_string */
    char *owned;
    e = worksheet_merge_range(ws, row, 0, row, last, cell_text(text, &owned), f);
    free(owned);
    return e == LXW_NO_ERROR ? HM_OK : fail_at(x, e, row, 0);
}

/* Create the formats every sheet uses. */
static hm_error make_formats(xw *x)
{
    lxw_format **all[] = {
        &x->f_title, &x->f_heading, &x->f_sub, &x->f_para, &x->f_header, &x->f_note,
        &x->f_empty, &x->f_label, &x->f_link, &x->f_money, &x->f_int, &x->f_pct,
        &x->f_real, &x->f_date, &x->f_lt3, &x->f_wrap
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        *all[i] = workbook_add_format(x->wb);
        if (!*all[i]) {
            snprintf(x->err, x->errsz, "cannot create a cell format: out of memory");
            return HM_EXLSX;
        }
    }
    format_set_bold(x->f_title);
    format_set_font_size(x->f_title, 16);
    format_set_bold(x->f_heading);
    format_set_font_size(x->f_heading, 14);
    format_set_italic(x->f_sub);
    format_set_text_wrap(x->f_para);
    format_set_align(x->f_para, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(x->f_header);
    format_set_text_wrap(x->f_header);
    format_set_align(x->f_header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(x->f_header, 0xDDEBF7);
    format_set_border(x->f_header, LXW_BORDER_THIN);
    format_set_italic(x->f_note);
    format_set_text_wrap(x->f_note);
    format_set_align(x->f_note, LXW_ALIGN_VERTICAL_TOP);
    format_set_font_color(x->f_note, 0x595959);
    format_set_italic(x->f_empty);
    format_set_font_color(x->f_empty, 0x7F7F7F);
    format_set_bold(x->f_label);
    format_set_align(x->f_label, LXW_ALIGN_VERTICAL_TOP);
    format_set_underline(x->f_link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->f_link, LXW_COLOR_BLUE);
    format_set_num_format(x->f_money, "#,##0.00");
    format_set_num_format(x->f_int, "#,##0");
    format_set_num_format(x->f_pct, "0.0%");
    format_set_num_format(x->f_real, "0.0");
    format_set_num_format(x->f_date, "yyyy-mm-dd");
    format_set_align(x->f_lt3, LXW_ALIGN_RIGHT);
    format_set_text_wrap(x->f_wrap);
    format_set_align(x->f_wrap, LXW_ALIGN_VERTICAL_TOP);
    return HM_OK;
}

/* A shown label for the audience code. */
static const char *audience_label(const xw *x)
{
    if (x->pub)
        return x->en ? "public (de-identified)" : "公开（已去标识）";
    return x->en ? "internal (staff only)" : "内部（仅限工作人员）";
}

/* Write a bold label in column A and a wrapped value in column B. */
static hm_error put_pair(xw *x, lxw_worksheet *ws, lxw_row_t row, const char *label,
                         const char *value)
{
    hm_error rc = put_string(x, ws, row, 0, label, x->f_label);
    if (rc == HM_OK)
        rc = put_string(x, ws, row, 1, value ? value : "", x->f_para);
    return rc;
}

/* An internal link target for sheet name (apostrophes doubled); caller frees. */
static char *sheet_link(const char *name)
{
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_strbuf_adds(&sb, "internal:'");
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            hm_strbuf_addc(&sb, '\'');
        hm_strbuf_addc(&sb, *p);
    }
    hm_strbuf_adds(&sb, "'!A1");
    return hm_strbuf_detach(&sb);
}

/* The first sheet: title block, the list of sheets, the TEXT sections. */
static hm_error write_about(xw *x, lxw_worksheet *ws)
{
    const hm_report *r = x->r;
    static const double widths[2] = { 18.0, 72.0 };
    hm_error rc = HM_OK;
    lxw_error e;
    lxw_row_t row = 0;
    char *link = NULL;

    x->sheet = x->about;
    for (lxw_col_t c = 0; c < 2; c++) {
        e = worksheet_set_column(ws, c, c, widths[c], NULL);
        if (e != LXW_NO_ERROR)
            return fail_sheet(x, e, "column width");
    }
    e = worksheet_set_row(ws, row, 24.0, NULL);
    if (e != LXW_NO_ERROR)
        return fail_at(x, e, row, 0);
    if ((rc = put_string(x, ws, row++, 0, r->title ? r->title : "", x->f_title)) != HM_OK)
        return rc;
    if (r->subtitle && *r->subtitle &&
        (rc = put_string(x, ws, row++, 0, r->subtitle, x->f_sub)) != HM_OK)
        return rc;
    /* a period not yet ended says so under the title, as the briefing's banner does */
    if (!r->complete && r->unfinished && *r->unfinished &&
        (rc = put_string(x, ws, row++, 0, r->unfinished, x->f_heading)) != HM_OK)
        return rc;
    row++;

    char range[64] = "";
    if (r->from && r->to)
        snprintf(range, sizeof range, "%s %s %s", r->from, x->en ? "to" : "至", r->to);
    struct { const char *zh, *en, *value; } meta[] = {
        { "期间", "Period", r->period },
        { "起止日期", "Dates", range },
        { "受众", "Audience", audience_label(x) },
        { "机构", "Organisation", r->org },
        { "生成时间", "Generated", r->generated_at },
        { "程序版本", "Program", "himama " HIMAMA_VERSION },
    };
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
        if (!meta[i].value || !*meta[i].value)
            continue;
        if ((rc = put_pair(x, ws, row++, x->en ? meta[i].en : meta[i].zh,
                           meta[i].value)) != HM_OK)
            return rc;
    }
    row++;

    if ((rc = put_string(x, ws, row, 0, x->en ? "Sheet" : "工作表", x->f_header)) != HM_OK ||
        (rc = put_string(x, ws, row, 1, x->en ? "Contents" : "内容", x->f_header)) != HM_OK)
        return rc;
    row++;
    for (size_t i = 0; i < r->nsec; i++) {
        if (!x->names[i])
            continue;
        link = sheet_link(x->names[i]);
        e = worksheet_write_url_opt(ws, row, 0, link, x->f_link, x->names[i], NULL);
        free(link);
        link = NULL;
        if (e != LXW_NO_ERROR)
            return fail_at(x, e, row, 0);
        const char *heading = r->sec[i].heading ? r->sec[i].heading : "";
        if ((rc = put_string(x, ws, row, 1, heading, x->f_para)) != HM_OK)
            return rc;
        row++;
    }

    for (size_t i = 0; i < r->nsec; i++) {
        const hm_section *s = &r->sec[i];
        if (s->kind != HM_SEC_TEXT)
            continue;
        row++;
        if (s->heading && *s->heading &&
            (rc = put_string(x, ws, row++, 0, s->heading, x->f_heading)) != HM_OK)
            return rc;
        if (s->intro && *s->intro &&
            (rc = put_paragraph(x, ws, row++, s->intro, x->f_para, widths, 2)) != HM_OK)
            return rc;
        if (s->note && *s->note &&
            (rc = put_paragraph(x, ws, row++, s->note, x->f_note, widths, 2)) != HM_OK)
            return rc;
    }
    return HM_OK;
}

/* The value-axis number format that suits a series column's format. */
static const char *axis_format(hm_format f)
{
    switch (f) {
    case HM_FMT_MONEY:
        return "#,##0";
    case HM_FMT_PERCENT:
        return "0%";
    case HM_FMT_REAL:
        return "0.0";
    case HM_FMT_INT:
    case HM_FMT_TEXT:
    case HM_FMT_DATE:
        break;
    }
    return "#,##0";
}

/* A native chart of a BAR or LINE section, right of its table. */
static hm_error add_chart(xw *x, lxw_worksheet *ws, const hm_section *s, const char *name,
                          lxw_row_t header_row)
{
    const hm_table *t = &s->table;
    if (hm_table_rows(t) == 0 || s->nseries == 0)
        return HM_OK;
    if (s->category_col >= t->ncol) {
        snprintf(x->err, x->errsz, "sheet '%s': chart category column %zu out of range",
                 name, s->category_col);
        return HM_EXLSX;
    }
    lxw_chart *chart = workbook_add_chart(x->wb, s->kind == HM_SEC_BAR ? LXW_CHART_COLUMN
                                                                        : LXW_CHART_LINE);
    if (!chart) {
        snprintf(x->err, x->errsz, "sheet '%s': cannot create the chart", name);
        return HM_EXLSX;
    }
    lxw_row_t first = header_row + 1, last = header_row + (lxw_row_t)hm_table_rows(t);
    for (size_t k = 0; k < s->nseries; k++) {
        size_t c = s->series_cols[k];
        if (c >= t->ncol) {
            snprintf(x->err, x->errsz, "sheet '%s': chart series column %zu out of range",
                     name, c);
            return HM_EXLSX;
        }
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series) {
            snprintf(x->err, x->errsz, "sheet '%s': cannot add a chart series", name);
            return HM_EXLSX;
        }
        chart_series_set_categories(series, name, first, (lxw_col_t)s->category_col,
                                    last, (lxw_col_t)s->category_col);
        chart_series_set_values(series, name, first, (lxw_col_t)c, last, (lxw_col_t)c);
        chart_series_set_name_range(series, name, header_row, (lxw_col_t)c);
    }
    if (s->heading && *s->heading) {
        /* a title starting with '=' would be read as a cell reference */
        if (s->heading[0] == '=') {
            char *t2 = hm_xmalloc(strlen(s->heading) + 2);
            t2[0] = ' ';
            memcpy(t2 + 1, s->heading, strlen(s->heading) + 1);
            chart_title_set_name(chart, t2);
            free(t2);
        } else {
            chart_title_set_name(chart, s->heading);
        }
    }
    chart_axis_set_num_format(chart->y_axis, axis_format(t->cols[s->series_cols[0]].format));
    if (s->nseries == 1)
        chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    else
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_error e = worksheet_insert_chart(ws, header_row, (lxw_col_t)(t->ncol + 1), chart);
    if (e != LXW_NO_ERROR)
        return fail_at(x, e, header_row, (lxw_col_t)(t->ncol + 1));
    return HM_OK;
}

/* One section's sheet, written top to bottom (see the notes at the top). */
static hm_error write_section(xw *x, const hm_section *s, const char *name)
{
    const hm_table *t = &s->table;
    size_t nrows = hm_table_rows(t);
    hm_error rc = HM_OK;
    lxw_error e;
    lxw_row_t row = 0;
    double *widths = NULL;
    bool *wrap = NULL;
    char msg[512];

    x->sheet = name;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws) {
        snprintf(x->err, x->errsz, "cannot add the sheet '%s'", name);
        return HM_EXLSX;
    }
    if (t->ncol > LXW_COL_MAX - 2 || nrows > LXW_ROW_MAX - 16) {
        snprintf(x->err, x->errsz, "sheet '%s': %zu rows by %zu columns do not fit a sheet",
                 name, nrows, t->ncol);
        return HM_EXLSX;
    }
    widths = hm_xcalloc(t->ncol ? t->ncol : 1, sizeof *widths);
    wrap = hm_xcalloc(t->ncol ? t->ncol : 1, sizeof *wrap);
    double header_lines = 1;
    if ((rc = column_widths(x, t, widths)) != HM_OK)
        goto out;
    for (size_t c = 0; c < t->ncol; c++) {
        wrap[c] = widths[c] >= COL_MAX && t->cols[c].format == HM_FMT_TEXT;
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
        if (e != LXW_NO_ERROR) {
            rc = fail_sheet(x, e, "column width");
            goto out;
        }
        const char *label = t->cols[c].label ? t->cols[c].label : t->cols[c].name;
        double lines = text_lines(label, widths[c] - 1.0);
        if (lines > header_lines)
            header_lines = lines;
    }

    e = worksheet_set_row(ws, row, 22.0, NULL);
    if (e != LXW_NO_ERROR) {
        rc = fail_at(x, e, row, 0);
        goto out;
    }
    if ((rc = put_string(x, ws, row++, 0, s->heading ? s->heading : name, x->f_heading)) != HM_OK)
        goto out;
    if (s->intro && *s->intro &&
        (rc = put_paragraph(x, ws, row++, s->intro, x->f_para, widths, t->ncol)) != HM_OK)
        goto out;
    row++;

    lxw_row_t header_row = row;
    if (t->ncol > 0) {
        e = worksheet_set_row(ws, row, row_height(header_lines), NULL);
        if (e != LXW_NO_ERROR) {
            rc = fail_at(x, e, row, 0);
            goto out;
        }
        for (size_t c = 0; c < t->ncol; c++) {
            const char *label = t->cols[c].label ? t->cols[c].label : t->cols[c].name;
            if ((rc = put_string(x, ws, row, (lxw_col_t)c, label, x->f_header)) != HM_OK)
                goto out;
        }
        row++;
        worksheet_freeze_panes(ws, row, 0);
        e = worksheet_repeat_rows(ws, header_row, header_row);
        if (e != LXW_NO_ERROR) {
            rc = fail_sheet(x, e, "print titles");
            goto out;
        }
    }
    worksheet_fit_to_pages(ws, 1, 0);

    for (size_t r = 0; r < nrows; r++, row++) {
        const hm_value *v;
        if (hm_table_row(t, r, &v, msg, sizeof msg) != HM_OK) {
            rc = fail_read(x, msg);
            goto out;
        }
        for (size_t c = 0; c < t->ncol; c++)
            if ((rc = put_value(x, ws, row, (lxw_col_t)c, &v[c], &t->cols[c], wrap[c])) != HM_OK)
                goto out;
        /* a table rolled up by unit: the rows below a unit's are an outline level deeper */
        if (s->row_depth && s->row_depth[r] > 0) {
            lxw_row_col_options opt = { .level = s->row_depth[r] > 7 ? 7 : s->row_depth[r] };
            e = worksheet_set_row_opt(ws, row, LXW_DEF_ROW_HEIGHT, NULL, &opt);
            if (e != LXW_NO_ERROR) {
                rc = fail_at(x, e, row, 0);
                goto out;
            }
        }
    }

    if (nrows > 0 && t->ncol > 0) {
        e = worksheet_autofilter(ws, header_row, 0, row - 1, (lxw_col_t)(t->ncol - 1));
        if (e != LXW_NO_ERROR) {
            rc = fail_sheet(x, e, "autofilter");
            goto out;
        }
    } else {
        const char *empty = s->empty && *s->empty ? s->empty
                                                  : (x->en ? "No data." : "无数据。");
        if ((rc = put_string(x, ws, row++, 0, empty, x->f_empty)) != HM_OK)
            goto out;
    }
    if (s->note && *s->note) {
        row++;
        if ((rc = put_paragraph(x, ws, row++, s->note, x->f_note, widths, t->ncol)) != HM_OK)
            goto out;
    }
    if (s->kind == HM_SEC_BAR || s->kind == HM_SEC_LINE)
        rc = add_chart(x, ws, s, name, header_row);
out:
    free(widths);
    free(wrap);
    return rc;
}

/* Whether any section of r is a detail list that has a sheet. */
static bool has_detail(const hm_report *r)
{
    for (size_t i = 0; i < r->nsec; i++)
        if (r->sec[i].detail && r->sec[i].sheet && r->sec[i].kind != HM_SEC_TEXT)
            return true;
    return false;
}

/* A workbook being written section by section (render.h, hm_book_open). */
struct hm_book {
    xw x;
    char *path;
    size_t nnames;            /* x.names' length: r may be gone at hm_book_discard */
    lxw_worksheet *about;     /* added first, written by hm_book_finish */
    char err[1024];
};

/* Drop the workbook and its file after a failure; frees h. */
void hm_book_discard(hm_book *h)
{
    if (!h)
        return;
    if (h->x.wb)
        hm_xlsxw_discard(h->x.wb, h->path);
    for (size_t i = 0; h->x.names && i < h->nnames; i++)
        free(h->x.names[i]);
    free(h->x.names);
    free(h->x.about);
    free(h->path);
    free(h);
}

/* h's error into err, then discard h. */
static hm_error xlsx_fail(hm_book *h, hm_error rc, char *err, size_t errsz)
{
    snprintf(err, errsz, "%s", h->err);
    hm_book_discard(h);
    return rc;
}

hm_error hm_book_open(const hm_report *r, const char *path, hm_book **out, char *err,
                      size_t errsz)
{
    *out = NULL;
    hm_book *h = hm_xcalloc(1, sizeof *h);
    xw *x = &h->x;
    hm_error rc;
    x->r = r;
    x->pub = r->audience && strcmp(r->audience, "public") == 0;
    x->en = r->lang && strcmp(r->lang, "en") == 0;
    x->err = h->err;
    x->errsz = sizeof h->err;
    h->path = hm_xstrdup(path);
    assign_sheet_names(x);
    h->nnames = r->nsec;

    hm_xlsxw_opts wo = { .constant_memory = has_detail(r) };
    if ((rc = hm_xlsxw_open(path, &wo, &x->wb, h->err, sizeof h->err)) != HM_OK)
        return xlsx_fail(h, rc, err, errsz);
    if ((rc = make_formats(x)) != HM_OK)
        return xlsx_fail(h, rc, err, errsz);
    /* The about sheet comes first; its text needs every section, so it is
     * written last (each sheet is its own stream, in both modes). */
    h->about = workbook_add_worksheet(x->wb, x->about);
    if (!h->about) {
        snprintf(h->err, sizeof h->err, "cannot add the sheet '%s'", x->about);
        return xlsx_fail(h, HM_EXLSX, err, errsz);
    }
    *out = h;
    return HM_OK;
}

hm_error hm_book_section(hm_book *h, size_t i, char *err, size_t errsz)
{
    const hm_report *r = h->x.r;
    hm_error rc;
    if ((rc = hm_section_check_public(r, i, err, errsz)) != HM_OK)
        return rc;
    if (h->x.names[i] && (rc = write_section(&h->x, &r->sec[i], h->x.names[i])) != HM_OK)
        snprintf(err, errsz, "%s", h->err);
    return rc;
}

hm_error hm_book_finish(hm_book *h, const hm_render_opts *o, char *err, size_t errsz)
{
    const hm_report *r = h->x.r;
    char subject[160];
    snprintf(subject, sizeof subject, "%s%s%s", r->period ? r->period : "",
             r->subtitle && *r->subtitle ? " " : "", r->subtitle ? r->subtitle : "");
    hm_xlsxw_props props = {
        .title = r->title,
        .subject = subject,
        .author = r->org,
        .company = r->org && *r->org ? r->org : NULL,
        .created = o ? o->created : 0,
    };
    hm_error rc = hm_xlsxw_properties(h->x.wb, &props, err, errsz);
    if (rc != HM_OK)
        return rc;
    rc = write_about(&h->x, h->about);
    if (rc != HM_OK)
        snprintf(err, errsz, "%s", h->err);
    return rc;
}

hm_error hm_book_close(hm_book *h, char *err, size_t errsz)
{
    hm_error rc = hm_xlsxw_close(h->x.wb, h->path, NULL, err, errsz);
    h->x.wb = NULL;
    hm_book_discard(h);
    return rc;
}

hm_error hm_render_xlsx(const hm_report *r, const hm_render_opts *o, const char *path,
                        char *err, size_t errsz)
{
    hm_book *h;
    hm_error rc;
    if (errsz > 0)
        err[0] = '\0';
    if ((rc = hm_report_check_public(r, err, errsz)) != HM_OK)
        return rc;
    if ((rc = hm_book_open(r, path, &h, err, errsz)) != HM_OK)
        return rc;
    for (size_t i = 0; i < r->nsec; i++)
        if ((rc = hm_book_section(h, i, err, errsz)) != HM_OK)
            goto fail;
    if ((rc = hm_book_finish(h, o, err, errsz)) != HM_OK)
        goto fail;
    return hm_book_close(h, err, errsz);
fail:
    hm_book_discard(h);
    return rc;
}
