#!/usr/bin/env python3
"""Check a himama workbook against the report model it was made from.

    check_xlsx.py check FILE.xlsx MODEL.json   exit 0 when all is well, else
                                               print every problem, exit 1
    check_xlsx.py dump FILE.xlsx               print every sheet, to read

MODEL.json is written by tests/test_render_xlsx.c: the report's fields,
the sheet names the workbook must have (in order), whether the sheets must
use inline strings (constant-memory mode), the expected creation time, and
every section with its columns and rows.  The rules checked are the
renderer's contract (DESIGN.md "Outputs"): one sheet per section, header
row frozen, autofilter over header and data, money as a number in yuan
with two decimals, dates as real dates, text as strings (never formulas),
"<3" for small child counts in public reports, native charts for BAR and
LINE sections.
"""
import datetime
import json
import sys
import zipfile

import openpyxl
from openpyxl.utils import get_column_letter

FORMATS = {"money": "#,##0.00", "int": "#,##0", "percent": "0.0%", "real": "0.0",
           "date": "yyyy-mm-dd"}
MAX_CELL = 32767


class Checker:
    def __init__(self):
        self.problems = []

    def expect(self, cond, msg):
        if not cond:
            self.problems.append(msg)
        return cond


def shows_lt3(v, col, public):
    if not public or not col["child_count"] or col["format"] == "percent":
        return False
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    i = int(round(v)) if isinstance(v, float) else v
    return 0 < i < 3


def check_value(ck, where, cell, v, col, public):
    fmt = col["format"]
    if v is None:
        ck.expect(cell.value is None, f"{where}: expected empty, got {cell.value!r}")
        return
    if shows_lt3(v, col, public):
        ck.expect(cell.data_type == "s" and cell.value == "<3",
                  f"{where}: expected the string '<3', got {cell.value!r} ({cell.data_type})")
        return
    if isinstance(v, str):
        if fmt == "date":
            want = datetime.date.fromisoformat(v)
            ck.expect(isinstance(cell.value, datetime.datetime) and cell.is_date
                      and cell.value.date() == want,
                      f"{where}: expected the date {v}, got {cell.value!r}")
            ck.expect(cell.number_format == FORMATS["date"],
                      f"{where}: date format {cell.number_format!r}")
            return
        want = v if len(v) <= MAX_CELL else v[:MAX_CELL - 1] + "\u2026"
        ck.expect(cell.data_type == "s", f"{where}: expected a string, type {cell.data_type}")
        ck.expect(cell.value == want,
                  f"{where}: expected {want[:60]!r}, got {str(cell.value)[:60]!r}")
        return
    want = v / 100 if fmt == "money" else v
    ck.expect(cell.data_type == "n" and isinstance(cell.value, (int, float))
              and abs(cell.value - want) <= 1e-9 * max(1.0, abs(want)),
              f"{where}: expected the number {want!r}, got {cell.value!r} ({cell.data_type})")
    if fmt in FORMATS and fmt != "date":
        ck.expect(cell.number_format == FORMATS[fmt],
                  f"{where}: number format {cell.number_format!r}, want {FORMATS[fmt]!r}")


def chart_title(ch):
    try:
        return "".join(r.t for p in ch.title.tx.rich.p for r in (p.r or []))
    except AttributeError:
        return None


def check_section(ck, ws, sec, public, zf, sheet_path, inline):
    name = ws.title
    t = sec["cols"], sec["rows"]
    cols, rows = t
    ck.expect(ws["A1"].value == sec["heading"],
              f"{name}!A1: heading {ws['A1'].value!r}, want {sec['heading']!r}")
    ck.expect(ws["A1"].font.b and (ws["A1"].font.sz or 11) > 11, f"{name}!A1: heading not bold/large")
    hr = 3 if not sec.get("intro") else 4
    if sec.get("intro"):
        want = sec["intro"] if len(sec["intro"]) <= MAX_CELL else sec["intro"][:MAX_CELL - 1] + "\u2026"
        ck.expect(ws["A2"].value == want, f"{name}!A2: intro {str(ws['A2'].value)[:60]!r}")
    ck.expect(ws.freeze_panes == f"A{hr + 1}",
              f"{name}: frozen at {ws.freeze_panes!r}, want 'A{hr + 1}'")
    last = get_column_letter(len(cols))
    want_filter = f"A{hr}:{last}{hr + len(rows)}" if rows else None
    ck.expect(ws.auto_filter.ref == want_filter,
              f"{name}: autofilter {ws.auto_filter.ref!r}, want {want_filter!r}")
    for c, col in enumerate(cols):
        cell = ws.cell(row=hr, column=c + 1)
        where = f"{name}!{cell.coordinate}"
        ck.expect(cell.value == col["label"], f"{where}: header {cell.value!r}, want {col['label']!r}")
        ck.expect(cell.font.b and cell.fill.fgColor.rgb not in (None, "00000000")
                  and cell.alignment.wrap_text, f"{where}: header not bold/shaded/wrapped")
        w = ws.column_dimensions[get_column_letter(c + 1)].width
        # libxlsxwriter stores the width with its pixel padding (60 -> 60.71)
        ck.expect(w is not None and 6 <= w <= 61, f"{name}: column {c + 1} width {w}")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            cell = ws.cell(row=hr + 1 + r, column=c + 1)
            check_value(ck, f"{name}!{cell.coordinate}", cell, v, cols[c], public)
    after = hr + len(rows) + 1
    if not rows:
        want = sec.get("empty") or None
        got = ws.cell(row=after, column=1).value
        ck.expect(want is None or got == want, f"{name}: empty text {got!r}, want {want!r}")
        after += 1
    if sec.get("note"):
        got = ws.cell(row=after + 1, column=1).value
        ck.expect(got == sec["note"], f"{name}: note {got!r}, want {sec['note']!r}")
    ck.expect(ws.max_row <= after + 1, f"{name}: {ws.max_row} rows, more than expected")
    for r, dim in ws.row_dimensions.items():
        ck.expect(dim.height is None or 0 < dim.height <= 409, f"{name}: row {r} height {dim.height}")
    # charts
    charts = ws._charts
    want_chart = sec["kind"] in ("bar", "line") and rows and sec["series"]
    ck.expect(len(charts) == (1 if want_chart else 0),
              f"{name}: {len(charts)} charts, want {1 if want_chart else 0}")
    if want_chart and charts:
        ch = charts[0]
        if sec["kind"] == "bar":
            ck.expect(ch.tagname == "barChart" and ch.type == "col" and ch.grouping == "clustered",
                      f"{name}: chart is {ch.tagname}/{getattr(ch, 'type', '')}/"
                      f"{getattr(ch, 'grouping', '')}, want a clustered column chart")
        else:
            ck.expect(ch.tagname == "lineChart", f"{name}: chart is {ch.tagname}, want lineChart")
        ck.expect(len(ch.series) == len(sec["series"]),
                  f"{name}: {len(ch.series)} chart series, want {len(sec['series'])}")
        ck.expect(chart_title(ch) == sec["heading"], f"{name}: chart title {chart_title(ch)!r}")
        ck.expect(ch.anchor._from.col >= len(cols),
                  f"{name}: chart at column {ch.anchor._from.col}, overlaps the table")
    # every text cell is a string, never a formula
    for row in ws.iter_rows():
        for cell in row:
            ck.expect(cell.data_type != "f", f"{name}!{cell.coordinate}: a formula")
    xml = zf.read(sheet_path).decode("utf-8")
    if inline is not None:
        ck.expect(('t="inlineStr"' in xml) == inline,
                  f"{name}: inline strings {'absent' if inline else 'present'}")
    ck.expect("<f>" not in xml and "<f " not in xml, f"{name}: the sheet XML holds a formula")


def sheet_paths(zf):
    """Map sheet name to its XML part, from workbook.xml and its rels."""
    import re
    wb = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    target.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]*)" sheetId="\d+" r:id="([^"]+)"', wb):
        name = (name.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                .replace("&apos;", "'").replace("&amp;", "&"))
        out[name] = "xl/" + target[rid]
    return out


def check(path, model_path):
    ck = Checker()
    with open(model_path, encoding="utf-8") as f:
        m = json.load(f)
    wb = openpyxl.load_workbook(path)
    zf = zipfile.ZipFile(path)
    ck.expect(wb.sheetnames == m["sheets"], f"sheets {wb.sheetnames}, want {m['sheets']}")
    for n in wb.sheetnames:
        ck.expect(len(n) <= 31 and not any(ch in n for ch in "[]:*?/\\"), f"bad sheet name {n!r}")
    p = wb.properties
    ck.expect(p.title == m["title"], f"title property {p.title!r}")
    ck.expect(p.creator == m["author"], f"author property {p.creator!r}")
    want_created = datetime.datetime.fromtimestamp(m["created"], datetime.timezone.utc).replace(tzinfo=None)
    ck.expect(p.created == want_created, f"created {p.created}, want {want_created}")
    app = zf.read("docProps/app.xml").decode("utf-8")
    if m.get("company"):
        ck.expect(f"<Company>{m['company']}</Company>" in app, "company property missing")
    about = wb[wb.sheetnames[0]]
    ck.expect(about["A1"].value == m["title"], f"first sheet A1 {about['A1'].value!r}")
    texts = [c.value for row in about.iter_rows() for c in row if isinstance(c.value, str)]
    for want in (m["period"], m["generated_at"]):
        ck.expect(any(want in t for t in texts), f"first sheet lacks {want!r}")
    paths = sheet_paths(zf)
    names = iter(m["sheets"][1:])
    for sec in m["sections"]:
        if sec["kind"] == "text":
            if sec.get("intro"):
                ck.expect(sec["intro"] in texts, f"first sheet lacks the text {sec['intro'][:30]!r}")
            continue
        if not sec.get("sheet"):
            continue
        name = next(names, None)
        if not ck.expect(name in wb.sheetnames, f"no sheet for section {sec['id']}"):
            continue
        ck.expect(name in texts and (sec["heading"] in texts),
                  f"first sheet does not list {name!r} with its heading")
        link = "'" + name.replace("'", "''") + "'!A1"
        ck.expect(any(c.value == name and c.hyperlink is not None and c.hyperlink.location == link
                      for row in about.iter_rows() for c in row),
                  f"first sheet has no link {link!r}")
        check_section(ck, wb[name], sec, m["audience"] == "public", zf, paths[name], m.get("inline"))
    for prob in ck.problems[:50]:
        print(prob)
    if len(ck.problems) > 50:
        print(f"... and {len(ck.problems) - 50} more")
    return 1 if ck.problems else 0


def dump(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print(f"=== {ws.title}  dims={ws.dimensions} freeze={ws.freeze_panes} "
              f"filter={ws.auto_filter.ref} charts={len(ws._charts)}")
        widths = {k: v.width for k, v in ws.column_dimensions.items() if v.width}
        print(f"    widths={widths}")
        for i, row in enumerate(ws.iter_rows()):
            if i >= 14:
                print(f"    ... {ws.max_row - 14} more rows")
                break
            cells = [f"{c.coordinate}={c.value!r}[{c.data_type},{c.number_format}]"
                     for c in row if c.value is not None]
            if cells:
                print("    " + "  ".join(cells)[:400])
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        sys.exit(dump(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
