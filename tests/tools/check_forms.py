#!/usr/bin/env python3
"""Check himama's intake workbook with openpyxl, and fill one in.

    check_forms.py check FILE.xlsx EXPECT.json   exit 0 when all is well, else
                                                 print every problem, exit 1
    check_forms.py fill FILE.xlsx OUT.xlsx       fill a few rows the way a
                                                 person would, save as OUT

EXPECT.json is written by tests/test_forms.c from the contract tables: the
kind sheets in order with their columns (English name, Chinese label, type,
required, enumeration labels, reference), the town codes, the roster's
children and volunteers, and the names of the roster and lists sheets.
"""
import datetime
import json
import re
import sys

import openpyxl
from openpyxl.utils import get_column_letter, column_index_from_string

EXCEL_EPOCH = datetime.date(1899, 12, 30)
LAST_ROW = 10000


def serial(y, m, d):
    return (datetime.date(y, m, d) - EXCEL_EPOCH).days


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def resolve(wb, formula):
    """The values of a list: literal ("a,b,c") or a range ('Sheet'!$A$2:$A$4)."""
    if formula and formula.startswith('"') and formula.endswith('"'):
        return formula[1:-1].split(",")
    m = re.fullmatch(r"=?'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula or "")
    if not m:
        return None
    sheet, c0, r0, c1, r1 = m.groups()
    if sheet not in wb.sheetnames or c0 != c1:
        return None
    ws = wb[sheet]
    col = column_index_from_string(c0)
    return [ws.cell(row=r, column=col).value for r in range(int(r0), int(r1) + 1)]


def check(path, expect_path):
    problems = []

    def expect(cond, msg):
        if not cond:
            problems.append(msg)
        return cond

    with open(expect_path, encoding="utf-8") as f:
        exp = json.load(f)
    wb = openpyxl.load_workbook(path)
    names = [s["name"] for s in exp["sheets"]] + [exp["roster"], exp["lists"]]
    expect(wb.sheetnames == names, f"sheets {wb.sheetnames} != {names}")
    if exp["lists"] in wb.sheetnames:
        expect(wb[exp["lists"]].sheet_state == "hidden", "lists sheet is not hidden")
    if exp["roster"] in wb.sheetnames:
        ros = wb[exp["roster"]]
        expect(ros.sheet_state == "visible", "roster is hidden")
        expect("个人信息" in str(ros["A1"].value or ""), "roster lacks its personal-data warning")
        kids = [c.value for c in ros["A"][2:] if c.value is not None]
        vols = [c.value for c in ros["E"][2:] if c.value is not None]
        expect(kids == exp["children"], f"roster children {kids} != {exp['children']}")
        expect(vols == exp["volunteers"], f"roster volunteers {vols} != {exp['volunteers']}")

    for sh in exp["sheets"]:
        if sh["name"] not in wb.sheetnames:
            continue
        ws = wb[sh["name"]]
        where = sh["name"]
        expect(ws.freeze_panes == "A3", f"{where}: freeze panes {ws.freeze_panes}")
        expect(ws.max_row == 2, f"{where}: {ws.max_row} rows, want header and guidance only")
        dvs = {}
        for dv in ws.data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                dvs[rng] = dv
        for i, col in enumerate(sh["columns"], start=1):
            L = get_column_letter(i)
            at = f"{where}!{L}"
            head = ws.cell(row=1, column=i)
            expect(head.value == col["label"], f"{at}1: header {head.value!r} != {col['label']!r}")
            expect(head.comment is not None and head.comment.text.strip() == col["name"],
                   f"{at}1: comment {head.comment.text if head.comment else None!r} "
                   f"!= {col['name']!r}")
            expect(head.font.b, f"{at}1: header not bold")
            guide = ws.cell(row=2, column=i).value or ""
            if i == 1:
                expect(guide.startswith("说明："), f"{at}2: guidance lacks the mark: {guide!r}")
                guide = guide[len("说明："):]
            expect(guide != "", f"{at}2: no guidance")
            expect(guide.startswith("必填") == col["required"],
                   f"{at}2: guidance {guide!r} and required={col['required']} disagree")
            dim = ws.column_dimensions[L]
            expect(dim.width and dim.width >= 8, f"{at}: column not sized ({dim.width})")
            fmt = dim.number_format
            t = col["type"]
            want_fmt = {"id": "@", "name": "@", "phone": "@", "date": "yyyy-mm-dd",
                        "birthdate": "yyyy-mm-dd", "adult_birthdate": "yyyy-mm-dd",
                        "money": "#,##0.00",
                        "money_pos": "#,##0.00", "minutes": "0"}.get(t, "General")
            expect(fmt == want_fmt, f"{at}: column format {fmt!r} != {want_fmt!r}")
            dv = dvs.get(f"{L}3:{L}{LAST_ROW}")
            ref = col["ref"]
            if ref == "town":
                if exp["towns"]:
                    if expect(dv is not None and dv.type == "list", f"{at}: no town dropdown"):
                        got = resolve(wb, dv.formula1)
                        expect(got == exp["towns"], f"{at}: town list {got} != {exp['towns']}")
                        expect(dv.errorStyle in (None, "stop"), f"{at}: town list not strict")
                else:
                    expect(dv is None, f"{at}: town validation without towns")
                    expect("手工" in guide, f"{at}: no note that town codes are typed")
            elif ref in ("child", "volunteer"):
                want = exp["children"] if ref == "child" else exp["volunteers"]
                if want:
                    if expect(dv is not None and dv.type == "list", f"{at}: no ID dropdown"):
                        got = resolve(wb, dv.formula1)
                        expect(got == want, f"{at}: ID list {got} != {want}")
                        expect(dv.errorStyle == "warning", f"{at}: ID list should only warn")
                else:
                    expect(dv is not None and dv.type == "textLength", f"{at}: no ID length check")
            elif t in ("enum", "needs"):
                if expect(dv is not None and dv.type == "list", f"{at}: no dropdown"):
                    got = resolve(wb, dv.formula1)
                    expect(got == col["enum"], f"{at}: list {got} != {col['enum']}")
                    style = "information" if t == "needs" else None
                    expect(dv.errorStyle == style or (style is None and dv.errorStyle == "stop"),
                           f"{at}: error style {dv.errorStyle}")
            elif t in ("date", "birthdate", "adult_birthdate"):
                lo = serial({"birthdate": 1990, "adult_birthdate": 1920}.get(t, 2000), 1, 1)
                if expect(dv is not None and dv.type == "date", f"{at}: no date validation"):
                    expect(num(dv.formula1) == lo and num(dv.formula2) == serial(2099, 12, 31),
                           f"{at}: date range {dv.formula1}..{dv.formula2}")
            elif t in ("money", "money_pos"):
                op = "greaterThan" if t == "money_pos" else "greaterThanOrEqual"
                if expect(dv is not None and dv.type == "decimal", f"{at}: no money validation"):
                    expect(dv.operator == op and num(dv.formula1) == 0,
                           f"{at}: money rule {dv.operator} {dv.formula1}")
            elif t == "minutes":
                if expect(dv is not None and dv.type == "whole", f"{at}: no minutes validation"):
                    expect(num(dv.formula1) == 0 and num(dv.formula2) == 1440,
                           f"{at}: minutes {dv.formula1}..{dv.formula2}")
            elif t == "id":
                expect(dv is not None and dv.type == "textLength" and num(dv.formula1) == 32,
                       f"{at}: no ID length check")
    for p in problems:
        print(p)
    return 1 if problems else 0


def fill(path, out):
    """Fill the children and donations sheets below the guidance row."""
    wb = openpyxl.load_workbook(path)
    ws = wb["儿童"]
    ws.append(["C010", "小明", None, "男", datetime.date(2015, 6, 1), "T01", "留守", None,
               "13812345678", None, None, "亲情关爱；微心愿", datetime.date(2026, 1, 5)])
    ws.append(["007", "小红", "红红", "女", datetime.date(2016, 2, 29), "T02"])
    ws = wb["捐赠"]
    ws.append(["D1", datetime.date(2026, 10, 1), "某企业", "企业", 1000.5, None, "R-001"])
    wb.save(out)
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "fill":
        return fill(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
