#!/usr/bin/env python3
"""Recount the symposiums' matters (意见建议) of half-year reports from the
database's feedback table, in Python, and compare with the workbooks; check
that a public report holds none of the text staff typed.

    check_feedback.py DB TODAY REPORT_DIR...

DB is the himama database the reports were written from, TODAY the day
they were written (YYYY-MM-DD); each REPORT_DIR is a half-year report's
folder (OUT/halfyear/PERIOD/AUDIENCE) with its manifest.json, tables.xlsx
and briefing.pdf, Chinese.  Only the feedback and towns tables are read.
Worked out here, from the definitions in docs/decisions.md, matter by
matter:

  counts     per category: open when the period began, raised in it,
             resolved in it, open when it ended, and of those the ones
             raised before it; the total row and the manifest's figures;
  raised     (internal) the matters raised in the period, by date, with
             their state at its end;
  open       (internal) the older matters still open at its end, the oldest
             first, with the days since raised (to the period's end, or to
             today while it lasts);
  public     no list, and none of the matters' texts and answers anywhere
             in the workbook or the PDF.

Prints one line per difference and a summary; exits 1 on any difference.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys

import openpyxl

CATEGORIES = [("transport", "交通不便"), ("study", "学习辅导"), ("counselling", "心理疏导"),
              ("funding", "经费"), ("venue", "活动场地"), ("training", "志愿者培训"),
              ("family", "家庭帮扶"), ("other", "其他")]
STATUS = {"open": "待办", "in_progress": "办理中", "resolved": "已办结"}
fails = []
compared = 0


def compare(what, got, want):
    global compared
    compared += 1
    if got != want:
        fails.append("FAIL %s:\n  report:  %r\n  recount: %r" % (what, got, want))


def sheet(wb, name, first_header):
    """The rows under the header row of sheet name (whose first cell is
    first_header), down to the first empty row."""
    if name not in wb.sheetnames:
        return None
    rows = list(wb[name].iter_rows(values_only=True))
    for i, r in enumerate(rows):
        if r and r[0] == first_header:
            out = []
            for x in rows[i + 1:]:
                if x is None or all(v is None for v in x):
                    break
                if all(v is None for v in x[1:]) and isinstance(x[0], str):
                    break   # the section's "empty" sentence under the header
                out.append(list(x))
            return out
    return None


def iso(v):
    return v.date().isoformat() if isinstance(v, datetime.datetime) else v


def check(db, today, d):
    m = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
    f, t, aud = m["from"], m["to"], m["audience"]
    name = "%s/%s" % (m["period"], aud)
    towns = dict(db.execute("SELECT town_code, coalesce(town_name, town_code) FROM towns"))
    matters = db.execute("SELECT feedback_id, raised_on, town_code, category, text, status,"
                         " resolved_on, response FROM feedback").fetchall()
    wb = openpyxl.load_workbook(os.path.join(d, "tables.xlsx"), read_only=True)

    # the counts, matter by matter
    want, tot = [], [0] * 5
    for code, label in CATEGORIES:
        row = [0] * 5
        for fid, raised, town, cat, text, status, done, resp in matters:
            if cat != code or raised > t:
                continue
            open_at_start = raised < f and (done is None or done >= f)
            raised_in = f <= raised
            if not (open_at_start or raised_in):
                continue
            open_at_end = done is None or done > t
            row[0] += open_at_start
            row[1] += raised_in
            row[2] += done is not None and f <= done <= t
            row[3] += open_at_end
            row[4] += open_at_end and not raised_in
        want.append([label] + row)
        tot = [a + b for a, b in zip(tot, row)]
    want.append(["合计"] + tot)
    got = sheet(wb, "意见建议", "类别")
    compare(name + ": counts by category", got and [r[:6] for r in got], want)
    figs = m.get("figures", {})
    compare(name + ": manifest figures",
            [figs.get("feedback_raised"), figs.get("feedback_resolved"), figs.get("feedback_open")],
            [tot[1], tot[2], tot[3]])

    texts = {x for mt in matters for x in (mt[4], mt[7]) if x}
    if aud == "public":
        compare(name + ": no lists", [sheet(wb, "本期意见建议", "提出日期"),
                                      sheet(wb, "遗留意见建议", "提出日期")], [None, None])
        cells = {str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
                 for v in r if v is not None}
        pdf = subprocess.run(["pdftotext", os.path.join(d, "briefing.pdf"), "-"],
                             capture_output=True, text=True).stdout.replace("\n", "")
        # a text wraps in a table cell: its first eight characters are looked for
        compare(name + ": matters' texts in the workbook",
                sorted(x for x in texts if any(x[:8] in c for c in cells)), [])
        compare(name + ": matters' texts in the PDF", sorted(x for x in texts if x[:8] in pdf), [])
        return

    # the matters raised in the period, and the older ones still open
    asof = min(t, today)
    raised, old = [], []
    for fid, r, town, cat, text, status, done, resp in sorted(matters, key=lambda x: (x[1], x[2], x[0])):
        if r > t:
            continue
        state = "已办结" if done and done <= t else "期后办结" if done else STATUS[status]
        label = dict(CATEGORIES)[cat]
        if f <= r:
            raised.append([r, towns[town], label, text, state, done, resp])
        elif done is None or done > t:
            days = (datetime.date.fromisoformat(asof) - datetime.date.fromisoformat(r)).days
            old.append([r, towns[town], label, text, state, resp, days])
    got = sheet(wb, "本期意见建议", "提出日期") or []
    compare(name + ": matters raised", [[iso(v) for v in x[:7]] for x in got], raised)
    got = sheet(wb, "遗留意见建议", "提出日期") or []
    compare(name + ": older matters still open", [[iso(v) for v in x[:7]] for x in got], old)


def main():
    if len(sys.argv) < 4:
        print(__doc__.split("\n\n")[1])
        return 2
    db = sqlite3.connect(sys.argv[1])
    for d in sys.argv[3:]:
        check(db, sys.argv[2], d)
    for x in fails:
        print(x)
    print("%d compared, %d differ" % (compared, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
