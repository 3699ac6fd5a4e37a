#!/usr/bin/env python3
"""check_levels.py - a per-town table rolled up by unit adds up at every level.

Usage: check_levels.py WORKBOOK SHEET [SHEET ...]

In each sheet the table's rows carry an outline level (0: the rows the
briefing shows, the units of the first level that splits the towns, and the
total; n: n levels further down).  A unit's row must equal the sum of the
rows one level below it, up to the next row of its own level, in every
whole-number column; the top rows (the total excepted) must add up to the
total row in the columns given by --total (the columns where every event
counts once: the children, wishes, volunteers).  Exit status 1 on any
difference, each printed.
"""
import sys
import openpyxl


def rows_of(ws):
    """(outline level, values) for each row of the table (after the header)."""
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] and r[1] and all(
        isinstance(v, str) for v in r[:2]) and i > 0 and rows[i - 1][0] is None)
    out = []
    for i in range(head + 1, len(rows)):
        r = rows[i]
        if r[0] is None:
            break
        out.append((ws.row_dimensions[i + 1].outline_level or 0, r))
    return rows[head], out


def main(argv):
    total_cols = []
    args = argv[1:]
    if args and args[0] == '--total':
        total_cols = args[1].split(',')
        args = args[2:]
    wb = openpyxl.load_workbook(args[0])
    bad = checks = 0
    for name in args[1:]:
        header, rows = rows_of(wb[name])
        ints = [c for c in range(1, len(header))
                if all(isinstance(r[c], int) for _, r in rows if r[c] is not None)
                and any(isinstance(r[c], int) for _, r in rows)]
        for i, (lvl, r) in enumerate(rows):
            kids = []
            for lv2, r2 in rows[i + 1:]:
                if lv2 <= lvl:
                    break
                if lv2 == lvl + 1:
                    kids.append(r2)
            if not kids:
                continue
            for c in ints:
                checks += 1
                want = sum(k[c] or 0 for k in kids)
                if r[c] != want:
                    bad += 1
                    print(f'{name}: {r[0]} {header[c]}: {r[c]} but its rows below add up to {want}')
        top = [r for lvl, r in rows if lvl == 0]
        for c in [header.index(t) for t in total_cols if t in header]:
            checks += 1
            want = sum(r[c] or 0 for r in top[:-1])
            if top[-1][c] != want:
                bad += 1
                print(f'{name}: total {header[c]}: {top[-1][c]} but the units add up to {want}')
    print(f'{checks} checks, {bad} failed')
    return 1 if bad or not checks else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
