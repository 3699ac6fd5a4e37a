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


def span(v):
    """A workbook value as (lowest, highest): a public count of 1 or 2 is "<3";
    None for a text."""
    if v is None:
        return (0, 0)
    if isinstance(v, (int, float)):
        return (v, v)
    return (1, 2) if v == "<3" else None


def check_tree(rows, depth, sums, rates=(), rank=None):
    """The checks of a table rolled up by unit, for consistency.py.

    rows are dicts (column -> workbook value), depth their outline levels.
    A unit's row (one followed by deeper rows) must hold the sum of the rows
    one level below it in each column of sums; a rate of rates on it lies
    between its rows' lowest and highest (it is their weighted mean); with
    rank = (column, key), the rows of one level under one unit are ranked
    1, 2, ... in the order of key, highest first.  Returns (checks made,
    failures as text)."""
    checks, bad = 0, []
    groups = [[i for i, d in enumerate(depth) if d == 0]]
    for i, d in enumerate(depth):
        kids = []
        for j in range(i + 1, len(rows)):
            if depth[j] <= d:
                break
            if depth[j] == d + 1:
                kids.append(j)
        if not kids:
            continue
        groups.append(kids)
        label = next((v for v in rows[i].values() if isinstance(v, str)), "row %d" % (i + 1))
        for c in sums:
            vals = [span(rows[k].get(c)) for k in kids]
            v = span(rows[i].get(c))
            if c not in rows[i] or v is None or None in vals:
                continue
            checks += 1
            lo, hi = sum(x[0] for x in vals), sum(x[1] for x in vals)
            if v[1] < lo - 1e-6 * max(1.0, lo) or v[0] > hi + 1e-6 * max(1.0, hi):
                bad.append("%s %s: %s, but its rows below add up to %s" % (
                    label, c, rows[i].get(c), lo if lo == hi else "%s..%s" % (lo, hi)))
        for c in rates:
            vals = [rows[k].get(c) for k in kids if isinstance(rows[k].get(c), (int, float))]
            v = rows[i].get(c)
            if not vals or not isinstance(v, (int, float)):
                continue
            checks += 1
            if v < min(vals) - 1e-9 or v > max(vals) + 1e-9:
                bad.append("%s %s: %s, outside its rows' %s..%s" % (label, c, v, min(vals), max(vals)))
    if rank:
        col, key = rank
        for g in groups:
            g = [k for k in g if isinstance(rows[k].get(col), int)]
            g.sort(key=lambda k: rows[k][col])
            if not g:
                continue
            checks += 1
            keys = [rows[k].get(key) for k in g]
            if rows[g[0]][col] != 1 or any(
                    isinstance(a, (int, float)) and isinstance(b, (int, float)) and a < b - 1e-9
                    for a, b in zip(keys, keys[1:])):
                bad.append("%s: the ranks %s do not follow %s %s" % (
                    col, [rows[k][col] for k in g], key, keys))
    return checks, bad


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
