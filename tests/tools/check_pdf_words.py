#!/usr/bin/env python3
"""check_pdf_words.py PDF...: no word printed over another.

Reads the position of every word with `pdftotext -bbox` (poppler-utils)
and reports each pair of words on a page whose boxes overlap by more than
a sliver: a chart label printed over another label, a value over a
heading.  Exits 0 when there is none, 1 when there is (one line per pair,
then a count), 2 when a file cannot be read.
"""
import html
import re
import subprocess
import sys

WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" '
                  r'xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>')

# Boxes are the font's (ascent to descent), taller than the glyphs: two
# lines of a table may touch.  An overlap counts when it is over half a
# point each way and covers over 15% of the smaller word.
SLIVER = 0.5
SHARE = 0.15


def overlaps(words):
    """Pairs of overlapping words, sweeping the boxes from left to right."""
    words = sorted(words)
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if b[0] >= a[2] - SLIVER:
                break
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            if dx <= SLIVER or dy <= SLIVER:
                continue
            small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if dx * dy > SHARE * small:
                found.append((a, b))
    return found


def check(path):
    run = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True)
    if run.returncode != 0:
        print(f"{path}: pdftotext -bbox failed: {run.stderr.decode(errors='replace').strip()}")
        return None
    text = run.stdout.decode("utf-8", errors="replace")
    bad = 0
    for page, body in enumerate(text.split("<page ")[1:], 1):
        words = [(float(x0), float(y0), float(x1), float(y1), html.unescape(w))
                 for x0, y0, x1, y1, w in WORD.findall(body)]
        for a, b in overlaps(words):
            bad += 1
            print(f"{path}: page {page}: \"{a[4]}\" at ({a[0]:.0f}, {a[1]:.0f}) "
                  f"overlaps \"{b[4]}\" at ({b[0]:.0f}, {b[1]:.0f})")
    return bad


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    total = 0
    for path in sys.argv[1:]:
        n = check(path)
        if n is None:
            return 2
        total += n
    print(f"{total} overlapping words")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
