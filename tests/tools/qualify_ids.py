#!/usr/bin/env python3
"""qualify_ids.py CODE SRC DST - copy a data set's CSV files from SRC to DST
(UTF-8, English or Chinese headers kept) with every ID and reference to one
written CODE:ID, as `himama rollup` qualifies a district's rows, so that one
ingest of every district's qualified files can be compared with a rollup."""
import csv
import io
import os
import sys

# The ID columns and the references to them, by English name and Chinese label.
ID_COLUMNS = {
    "town_code", "child_id", "volunteer_id", "pairing_id", "activity_id", "wish_id",
    "donation_id", "expense_id", "event_id", "story_id", "claimed_by", "feedback_id",
    "区镇编码", "儿童编号", "志愿者编号", "结对编号", "活动编号", "心愿编号", "捐赠编号",
    "支出编号", "培训编号", "事迹编号", "认领人", "意见编号",
}


def read_text(path):
    data = open(path, "rb").read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def main():
    code, src, dst = sys.argv[1:4]
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".csv"):
            continue
        rows = list(csv.reader(io.StringIO(read_text(os.path.join(src, name)), newline="")))
        header = [h.strip() for h in rows[0]]
        qual = [h in ID_COLUMNS for h in header]
        with open(os.path.join(dst, name), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(rows[0])
            for r in rows[1:]:
                w.writerow([f"{code}:{v.strip()}" if q and v.strip() else v
                            for q, v in zip(qual, r)])


if __name__ == "__main__":
    main()
