#!/usr/bin/env python3
"""How the dossiers fill their pages (the layout rule, docs/decisions.md).

    dossier_pages.py DOSSIERS.pdf...

Prints one line per page: its number in the set, the candidates on it
(the "第 N 位" / "candidate N" of each block's head) and how far down the
page its lowest line of text reaches, as a share of the page's height
(the footer left out).  A page that is a header and a blank reaches about
0.6; a page filled, by one candidate or two, about 0.9.
"""
import re
import subprocess
import sys

FOOTER = 62   # points above the bottom edge: the footer's band


def pages(path):
    out = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True,
                         check=True).stdout
    for page in out.split("<page ")[1:]:
        h = float(re.search(r'height="([0-9.]+)"', page).group(1))
        words = [(float(y), w) for y, w in re.findall(r'yMax="([0-9.]+)">([^<]*)<', page)]
        body = [y for y, w in words if y < h - FOOTER]
        text = "".join(w for y, w in words)
        n = len(re.findall(r"第\d+位|candidate\d+", text))
        yield n, (max(body) / h if body else 0.0)


def main():
    k = 0
    for path in sys.argv[1:]:
        for n, low in pages(path):
            k += 1
            print("%d %d %.2f" % (k, n, low))


if __name__ == "__main__":
    main()
