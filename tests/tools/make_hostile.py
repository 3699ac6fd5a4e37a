#!/usr/bin/env python3
"""Hostile inputs for the door (tests/e2e/hostile_door.sh).

make_hostile.py OUTDIR [--zip-tool]     every attack, into OUTDIR
make_hostile.py --book20 FILE ROWS      a 20-sheet workbook (the kill test)
make_hostile.py --seeds DIR             small workbooks: the fuzzing seeds

Workbooks are written with Python's zipfile, or, with --zip-tool, as their
parts in a scratch folder zipped by the `zip` tool, which writes its
archives differently (directory entries, extra fields, data descriptors):
the reader's budget must hold whatever wrote the archive.

The attacks (each named for what it costs an unbounded reader):
  sst8m.xlsx        one ~8 MiB shared string used by 100 rows, beside
                    valid rows (a 10 KB file)
  sst1m.xlsx        the same with 1 MiB that does not compress
  sheets2.xlsx      two sheets naming one part
  xfd.xlsx          a valid towns sheet, and a sheet of 20,000 rows each
                    with a cell at column XFD
  sst100m.xlsx      100 million empty shared strings (under 1 MB)
  styles600k.xlsx   600,000 number formats and 600,000 cell styles
  sheets2000.xlsx   2,000 sheets naming one part
  towns-commas.csv  a header of 1 MB of commas, then valid rows
  towns-nul.csv     a NUL then =HYPERLINK(...) in a rejected row
  towns-<80 Chinese characters>.csv   a name of 250 bytes, one bad row
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
RNS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'


def content_types():
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>')


def root_rels():
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
            '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>' % (PKG, RNS))


def workbook(sheets):
    """sheets: [(name, rid)]"""
    s = ''.join('<sheet name="%s" sheetId="%d" r:id="%s"/>' % (n, i + 1, r)
                for i, (n, r) in enumerate(sheets))
    return ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s" xmlns:r="%s">'
            '<sheets>%s</sheets></workbook>' % (NS, RNS, s))


def wb_rels(rels):
    """rels: [(rid, type, target)]"""
    r = ''.join('<Relationship Id="%s" Type="%s/%s" Target="%s"/>' % (i, RNS, t, g)
                for i, t, g in rels)
    return '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">%s</Relationships>' % (PKG, r)


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def cell(ref, v):
    if isinstance(v, int):
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, v)
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v))


def rows_xml(rows):
    """rows: [(rownum, [(colref, value)])], value str (inline) or int (shared)."""
    for n, cells in rows:
        yield '<row r="%d">%s</row>' % (n, ''.join(cell('%s%d' % (c, n), v) for c, v in cells))


def sheet(rows):
    yield '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><sheetData>' % NS
    yield from rows_xml(rows)
    yield '</sheetData></worksheet>'


def write_book(path, parts, zip_tool):
    """parts: [(name, str or iterable of str)], written in order."""
    if os.path.exists(path):
        os.remove(path)
    if not zip_tool:
        with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name, data in parts:
                with z.open(name, 'w', force_zip64=True) as f:
                    chunks = [data] if isinstance(data, str) else data
                    buf = []
                    size = 0
                    for c in chunks:
                        buf.append(c)
                        size += len(c)
                        if size > 1 << 20:
                            f.write(''.join(buf).encode())
                            buf, size = [], 0
                    f.write(''.join(buf).encode())
        return
    d = tempfile.mkdtemp()
    try:
        for name, data in parts:
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'w', encoding='utf-8') as f:
                for c in ([data] if isinstance(data, str) else data):
                    f.write(c)
        names = [n for n, _ in parts]
        subprocess.run(['zip', '-q', '-X', '-9', os.path.abspath(path)] + names, cwd=d,
                       check=True)
    finally:
        shutil.rmtree(d)


def book(path, sheets, zip_tool, sst=None, styles=None, rels_extra=()):
    """sheets: [(name, part, content)] (content None: the part is another's)."""
    rels = []
    parts = [('[Content_Types].xml', content_types()), ('_rels/.rels', root_rels())]
    wb = []
    for i, (name, part, content) in enumerate(sheets):
        rid = 'rId%d' % (i + 1)
        wb.append((name, rid))
        rels.append((rid, 'worksheet', part[3:]))
    n = len(sheets)
    if sst is not None:
        rels.append(('rId%d' % (n + 1), 'sharedStrings', 'sharedStrings.xml'))
    if styles is not None:
        rels.append(('rId%d' % (n + 2), 'styles', 'styles.xml'))
    parts.append(('xl/workbook.xml', workbook(wb)))
    parts.append(('xl/_rels/workbook.xml.rels', wb_rels(rels)))
    if sst is not None:
        parts.append(('xl/sharedStrings.xml', sst))
    if styles is not None:
        parts.append(('xl/styles.xml', styles))
    seen = set()
    for name, part, content in sheets:
        if content is not None and part not in seen:
            seen.add(part)
            parts.append((part, content))
    write_book(path, parts, zip_tool)


def sst_xml(strings):
    yield '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">' % NS
    for s in strings:
        yield '<si><t>%s</t></si>' % esc(s)
    yield '</sst>'


def valid_towns(prefix, n, start=2):
    return [(start + i, [('A', '%s%03d' % (prefix, i + 1)), ('B', 'town %d' % (i + 1))])
            for i in range(n)]


HEADER = [(1, [('A', 'town_code'), ('B', 'town_name')])]


def attack_sst8m(out, zt):
    big = 'x' * (8 * 1024 * 1024 - 64)
    rows = HEADER + valid_towns('S', 5) + [
        (10 + i, [('A', 'B%03d' % i), ('B', 0)]) for i in range(100)]
    book(os.path.join(out, 'sst8m.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))],
         zt, sst=sst_xml([big]))


def attack_sst1m(out, zt):
    """A 1 MiB shared string that does not compress (within the inflate
    budget), used by 100 rows: each row is rejected, and must not carry
    the string into the rejects table or file 100 times."""
    import random
    rnd = random.Random(18)
    big = ''.join(rnd.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(1 << 20))
    rows = HEADER + valid_towns('R', 5) + [
        (10 + i, [('A', 'B%03d' % i), ('B', 0)]) for i in range(100)]
    book(os.path.join(out, 'sst1m.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))],
         zt, sst=sst_xml([big]))


def attack_shared_part(out, zt):
    rows = HEADER + valid_towns('P', 3)
    book(os.path.join(out, 'sheets2.xlsx'),
         [('towns', 'xl/worksheets/sheet1.xml', sheet(rows)),
          ('towns again', 'xl/worksheets/sheet1.xml', None)], zt)


def attack_xfd(out, zt):
    good = HEADER + valid_towns('G', 3)
    bad = HEADER + [(2 + i, [('A', 'X%05d' % i), ('B', 'n'), ('XFD', 'x')])
                    for i in range(20000)]
    book(os.path.join(out, 'xfd.xlsx'),
         [('towns', 'xl/worksheets/sheet1.xml', sheet(good)),
          ('towns wide', 'xl/worksheets/sheet2.xml', sheet(bad))], zt)


def attack_sst100m(out, zt):
    def strings():
        yield '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">' % NS
        chunk = '<si/>' * 1000000
        for _ in range(100):
            yield chunk
        yield '</sst>'
    rows = HEADER + valid_towns('E', 2)
    book(os.path.join(out, 'sst100m.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))],
         zt, sst=strings())


def attack_styles(out, zt, n=600000):
    def styles():
        yield '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="%s">' % NS
        yield '<numFmts count="%d">' % n
        for i in range(n):
            yield '<numFmt numFmtId="164" formatCode="0.0"/>'
        yield '</numFmts><cellXfs count="%d">' % n
        for i in range(n):
            yield '<xf numFmtId="164"/>'
        yield '</cellXfs></styleSheet>'
    rows = HEADER + valid_towns('Y', 2)
    book(os.path.join(out, 'styles600k.xlsx'),
         [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))], zt, styles=styles())


def attack_sheets(out, zt, n=2000):
    rows = HEADER + valid_towns('M', 200)
    sheets = [('towns %d' % i, 'xl/worksheets/sheet1.xml', sheet(rows) if i == 0 else None)
              for i in range(n)]
    book(os.path.join(out, 'sheets2000.xlsx'), sheets, zt)


def csv_attacks(out):
    with open(os.path.join(out, 'towns-commas.csv'), 'w', encoding='utf-8', newline='') as f:
        f.write('town_code,town_name' + ',' * (1 << 20) + '\r\n')
        for i in range(3):
            f.write('C%03d,town %d\r\n' % (i + 1, i + 1))
    with open(os.path.join(out, 'towns-nul.csv'), 'wb') as f:
        f.write(b'town_code,town_name\r\nN001,good\r\n')
        f.write(b'N002,"\x00=HYPERLINK(""http://x.example/"",""click"")"\r\n')
    name = 'towns-' + '\u6d77' * 80 + '.csv'
    with open(os.path.join(out, name), 'w', encoding='utf-8', newline='') as f:
        f.write('town_code,town_name\r\nL001,long name\r\nL002,%s\r\n' % ('x' * 70))


def book20(path, nrows):
    sheets = []
    for s in range(20):
        rows = HEADER + [(2 + i, [('A', 'K%02d%05d' % (s, i)), ('B', 'town %d' % i)])
                         for i in range(nrows)]
        sheets.append(('towns %02d' % (s + 1), 'xl/worksheets/sheet%d.xml' % (s + 1),
                       sheet(rows)))
    book(path, sheets, False)


def seeds(out):
    """Small workbooks for the fuzzing harness's seed corpus."""
    os.makedirs(out, exist_ok=True)
    rows = HEADER + valid_towns('F', 3) + [(9, [('A', 0), ('C', '=1+2')])]
    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="%s"><numFmts count="1">'
              '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2">'
              '<xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>' % NS)
    dated = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>d</t></is></c></row>'
             '<row r="2"><c r="A2" t="str"><v>x_x000D_y</v></c><c r="B2" s="1"><v>45000.5</v></c>'
             '<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c><c r="E2" t="d"><v>2026-01-02T03:04:05</v></c></row>'
             '<row><c t="inlineStr"><is><r><t>a</t></r><rPh><t>p</t></rPh><r><t>b</t></r></is></c></row>'
             '</sheetData></worksheet>' % NS)
    book(os.path.join(out, 'plain.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))],
         False, sst=sst_xml(['shared, "quoted"', 'child_id']), styles=styles)
    book(os.path.join(out, 'two.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows)),
                                         ('dates', 'xl/worksheets/sheet2.xml', dated)],
         False, sst=sst_xml(['s0', 's1']), styles=styles)
    book(os.path.join(out, 'shared.xlsx'), [('a', 'xl/worksheets/sheet1.xml', dated),
                                            ('b', 'xl/worksheets/sheet1.xml', None)], False)
    book(os.path.join(out, 'zip-tool.xlsx'), [('towns', 'xl/worksheets/sheet1.xml', sheet(rows))],
         True, sst=sst_xml(['x']))


def main():
    if sys.argv[1] == '--seeds':
        seeds(sys.argv[2])
        return
    if sys.argv[1] == '--book20':
        book20(sys.argv[2], int(sys.argv[3]))
        return
    out = sys.argv[1]
    zt = '--zip-tool' in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    attack_sst8m(out, zt)
    attack_sst1m(out, zt)
    attack_shared_part(out, zt)
    attack_xfd(out, zt)
    attack_sst100m(out, zt)
    attack_styles(out, zt)
    attack_sheets(out, zt)
    csv_attacks(out)


if __name__ == '__main__':
    main()
