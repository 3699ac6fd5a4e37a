#!/usr/bin/env python3
"""Write a directory of himama CSV files as one filled-in workbook.

    csv_to_workbook.py DIR OUT.xlsx

One sheet per kind, named with the kind's Chinese name as the intake form
names it; the rows of every file of that kind in file-name order.  Cells
are typed as a person filling the form would leave them: dates as real
dates, amounts and minutes as numbers, everything else as text.
"""
import csv
import datetime
import io
import os
import re
import sys

import openpyxl

# Kind by file-name prefix (longest first), and the sheet name for it.
PREFIXES = [("微心愿", "wishes"), ("爱心妈妈", "volunteers"), ("expenditures", "expenditures"),
            ("activities", "activities"), ("attendance", "attendance"), ("volunteers", "volunteers"),
            ("donations", "donations"), ("trainings", "trainings"), ("children", "children"),
            ("pairings", "pairings"), ("stories", "stories"), ("志愿者", "volunteers"),
            ("wishes", "wishes"), ("towns", "towns"), ("区镇", "towns"), ("儿童", "children"),
            ("结对", "pairings"), ("活动", "activities"), ("心愿", "wishes"), ("捐赠", "donations"),
            ("支出", "expenditures"), ("培训", "trainings"), ("签到", "attendance"), ("事迹", "stories"),
            ("feedback", "feedback"), ("意见建议", "feedback")]
SHEETS = {"towns": "区镇", "children": "儿童", "volunteers": "志愿者", "pairings": "结对",
          "activities": "活动", "wishes": "微心愿", "donations": "捐赠", "expenditures": "支出",
          "trainings": "培训", "attendance": "签到", "stories": "事迹",
          "feedback": "意见建议"}
ORDER = list(SHEETS)
DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$")
MONEY = re.compile(r"^[¥￥]?\s*([\d,，]+(?:\.\d{1,2})?)\s*元?$")
MONEY_COLS = {"amount", "金额", "est_cost", "预计金额"}
MINUTE_COLS = {"minutes", "时长"}


def kind_of(name):
    for prefix, kind in PREFIXES:
        if name.lower().startswith(prefix):
            return kind
    return None


def read_csv(path):
    data = open(path, "rb").read()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline="")))


def cell(header, value):
    v = value.strip()
    if v == "":
        return None
    m = DATE.match(v)
    if m:
        return datetime.datetime(int(m[1]), int(m[2]), int(m[3]))
    if header in MONEY_COLS:
        m = MONEY.match(v)
        if m:
            n = m[1].replace(",", "").replace("，", "")
            return int(n) if "." not in n else float(n)
    if header in MINUTE_COLS and v.isdigit():
        return int(v)
    return v


def main():
    src, out = sys.argv[1], sys.argv[2]
    files = {}
    for name in sorted(os.listdir(src)):
        if name.endswith(".csv"):
            files.setdefault(kind_of(name), []).append(os.path.join(src, name))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for kind in ORDER:
        if kind not in files:
            continue
        ws = wb.create_sheet(SHEETS[kind])
        header = None
        for path in files[kind]:
            rows = read_csv(path)
            if header is None:
                header = [h.strip() for h in rows[0]]
                ws.append(header)
            for row in rows[1:]:
                if not any(f.strip() for f in row):
                    continue
                values = [cell(h, f) for h, f in zip(header, row)]
                ws.append(values)
                for c in ws[ws.max_row]:
                    if isinstance(c.value, datetime.datetime):
                        c.number_format = "yyyy-mm-dd"
    wb.save(out)


main()
