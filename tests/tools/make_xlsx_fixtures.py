#!/usr/bin/env python3
"""Write the workbooks that tests/test_xlsx_read.c reads back.

    make_xlsx_fixtures.py DIR

writes into DIR:
  openpyxl_1900.xlsx  openpyxl, 1900 date system: shared strings, numbers,
                      dates and times, booleans, gaps, a merged cell, a
                      styled blank row, a sparse row, custom date formats
  openpyxl_1904.xlsx  openpyxl, 1904 date system
  inline.xlsx         written by hand with zipfile: inline strings (rich
                      runs, a phonetic guide), _xHHHH_ escapes, cells without
                      references, ISO date cells, errors, formula strings,
                      prefixed (namespaced) element names, an absolute
                      relationship target, no styles and no shared strings
  doctype.xlsx        like inline.xlsx with a DOCTYPE and an entity: refused
  noworkbook.xlsx     a zip archive without a workbook part
  badsst.xlsx         a shared string index out of range in one row
The expected values are in the C test.
"""
import datetime
import os
import sys
import zipfile

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904


def openpyxl_1900(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["活动编号", "日期", "类型", "志愿者编号", "儿童编号", "时长", "标题", "备注"])
    ws.append(["A001", datetime.date(2026, 10, 3), "亲情连线", "V001", "C001", 30,
               "第一次, 电话", None])
    ws.append(["007", datetime.datetime(2026, 10, 4, 10, 30), True, False, 1000.5,
               0.1 + 0.2, "合并", None])
    ws.merge_cells("G3:H3")
    # a styled row without values: blank, skipped
    for col in range(1, 9):
        ws.cell(row=4, column=col).fill = PatternFill("solid", fgColor="FFFF00")
    # a row with a gap (B..D empty) and a value in the last column
    ws.cell(row=5, column=1, value="A002")
    ws.cell(row=5, column=5, value=13812345678)
    ws.cell(row=5, column=8, value="最后一列")
    # sparse: rows 6..9 absent; custom formats
    c = ws.cell(row=10, column=1, value=datetime.date(2026, 1, 2))
    c.number_format = 'yyyy"年"m"月"d"日"'
    c = ws.cell(row=10, column=2, value=datetime.time(10, 30))
    c.number_format = "h:mm"
    c = ws.cell(row=10, column=3, value=0.5)
    c.number_format = "0%"
    c = ws.cell(row=10, column=4, value=45123)
    c.number_format = '[$¥-804]#,##0.00'
    ws.cell(row=10, column=5, value="=1+1")      # no cached value: empty
    ws.cell(row=10, column=6, value=-5)
    ws.cell(row=10, column=7, value=1e20)
    ws.cell(row=10, column=8, value="  ")
    # a row of white space only: blank
    ws.cell(row=11, column=2, value=" \u3000 ")
    # 1900-02-28, the phantom 1900-02-29 and 1900-03-01 as serials
    for col, serial in enumerate((59, 60, 61), start=1):
        c = ws.cell(row=12, column=col, value=serial)
        c.number_format = "yyyy-mm-dd"
    s2 = wb.create_sheet("第二页")
    s2.append(["x"])
    s3 = wb.create_sheet("隐藏")
    s3.sheet_state = "hidden"
    wb.save(path)


def openpyxl_1904(path):
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "捐赠"
    ws.append(["捐赠编号", "日期", "金额"])
    ws.append(["D1", datetime.date(2026, 10, 1), 1000])
    ws.append(["D2", datetime.datetime(2000, 1, 1, 23, 59, 59), 0.01])
    wb.save(path)


CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/s1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<x:sheets><x:sheet name="事迹" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s1.xml"/>'
           '</Relationships>')
SHEET = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
         '<x:row r="1">'
         '<x:c r="A1" t="inlineStr"><x:is><x:t>事迹编号</x:t></x:is></x:c>'
         '<x:c t="inlineStr"><x:is><x:t>正文</x:t></x:is></x:c>'
         '<x:c t="inlineStr"><x:is><x:t>日期</x:t></x:is></x:c>'
         '</x:row>'
         '<x:row r="2">'
         '<x:c r="A2" t="inlineStr"><x:is><x:r><x:t>S</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>1</x:t></x:r>'
         '<x:rPh sb="0" eb="1"><x:t>ignored</x:t></x:rPh></x:is></x:c>'
         '<x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">line one_x000D_\nline &amp; two_x005F_x0041_</x:t></x:is></x:c>'
         '<x:c r="C2" t="d"><x:v>2026-10-05T00:00:00</x:v></x:c>'
         '</x:row>'
         '<x:row>'
         '<x:c t="e"><x:v>#N/A</x:v></x:c>'
         '<x:c t="str"><x:f>A1&amp;"x"</x:f><x:v>calc, "q"</x:v></x:c>'
         '<x:c t="d"><x:v>2026-10-05T08:15:00</x:v></x:c>'
         '</x:row>'
         '<x:row r="5"><x:c r="D5" t="b"><x:v>1</x:v></x:c></x:row>'
         '</x:sheetData></x:worksheet>')


def handmade(path, sheet=SHEET, extra=None, workbook=True):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", ROOT_RELS)
        if workbook:
            z.writestr("xl/workbook.xml", WORKBOOK)
            z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
            z.writestr("xl/worksheets/s1.xml", sheet)
        for name, text in (extra or {}).items():
            z.writestr(name, text)


def doctype(path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c>'
            '</row></sheetData></worksheet>')
    handmade(path, sheet=bomb)


def badsst(path):
    sheet = ('<?xml version="1.0"?>\n<worksheet><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             '<row r="2"><c r="A2" t="s"><v>5</v></c></row>'
             '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="A3" t="s"><v>0</v></c></row>'
             '<row r="4"><c r="4A" t="s"><v>0</v></c></row>'
             '<row r="5"><c r="B5" t="s"><v>0</v></c></row>'
             '</sheetData></worksheet>')
    rels = WB_RELS.replace('</Relationships>',
                           '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/'
                           'officeDocument/2006/relationships/sharedStrings" '
                           'Target="sharedStrings.xml"/></Relationships>')
    sst = ('<?xml version="1.0"?>\n<sst count="1" uniqueCount="1"><si><t>only</t></si></sst>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/s1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", sst)


def main():
    d = sys.argv[1]
    openpyxl_1900(os.path.join(d, "openpyxl_1900.xlsx"))
    openpyxl_1904(os.path.join(d, "openpyxl_1904.xlsx"))
    handmade(os.path.join(d, "inline.xlsx"))
    doctype(os.path.join(d, "doctype.xlsx"))
    handmade(os.path.join(d, "noworkbook.xlsx"), workbook=False,
             extra={"readme.txt": "not a workbook"})
    badsst(os.path.join(d, "badsst.xlsx"))


if __name__ == "__main__":
    main()
