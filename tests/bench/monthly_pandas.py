#!/usr/bin/env python3
"""tests/bench/monthly_pandas.py - the monthly report as an analyst would
write it with pandas, XlsxWriter and ReportLab, for the benchmark only
(tests/bench/monthly_job.sh; docs/performance.md says what it does and
does not do).  Not part of himama.

    monthly_pandas.py DATA_DIR YYYY-MM OUT_DIR [--check HIMAMA_OUT_DIR]
                      [--today YYYY-MM-DD] [--font FILE]

Reads every CSV file of DATA_DIR (the files himama ingests), applies the
essential rules at the door (encoding, English or Chinese headers, types,
dates, money in fen, labels, the later row of a key wins, references, the
order of events), then writes the sections of templates/monthly.zh.tmpl
for both audiences: OUT_DIR/{internal,public}/{tables.xlsx,briefing.pdf,
figures.json}, each section's rows counted from the CSV rows by the
definitions of its query in queries/.  --check compares the figures and
each section's row count with HIMAMA_OUT_DIR/AUDIENCE/manifest.json.
"""
import time

T0 = time.time()   # before the imports: they are part of the script's cost

import argparse
import datetime as dt
import json
import os
import re
import sys

import numpy as np
import pandas as pd

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OPEN = "9999-12"

# ------------------------------------------------------------------ contract

# kind: [(column, Chinese label, type, required)], key; types: id, text,
# date, bdate, money, money0, minutes, enum:NAME
CONTRACT = {
    "towns": ([("town_code", "区镇编码", "id", 1), ("town_name", "区镇名称", "text", 0)],
              ["town_code"]),
    "children": ([("child_id", "儿童编号", "id", 1), ("name", "姓名", "text", 1),
                  ("alias", "化名", "text", 0), ("gender", "性别", "enum:gender", 0),
                  ("birth_date", "出生日期", "bdate", 1), ("town_code", "区镇编码", "id", 1),
                  ("category", "类别", "enum:category", 0), ("guardian", "监护人", "text", 0),
                  ("guardian_phone", "监护人电话", "text", 0), ("school", "学校", "text", 0),
                  ("class_teacher", "班主任", "text", 0), ("needs", "需求", "text", 0),
                  ("registered_on", "建档日期", "date", 0), ("exited_on", "退出日期", "date", 0)],
                 ["child_id"]),
    "volunteers": ([("volunteer_id", "志愿者编号", "id", 1), ("name", "姓名", "text", 1),
                    ("role", "角色", "enum:role", 0), ("phone", "电话", "text", 0),
                    ("town_code", "区镇编码", "id", 1), ("sector", "界别", "enum:sector", 0),
                    ("organization", "单位或团队", "text", 0), ("specialties", "特长", "text", 0),
                    ("joined_on", "加入日期", "date", 0), ("pool", "库", "enum:pool", 0)],
                   ["volunteer_id"]),
    "pairings": ([("pairing_id", "结对编号", "id", 1), ("volunteer_id", "志愿者编号", "id", 1),
                  ("child_id", "儿童编号", "id", 1), ("started_on", "结对日期", "date", 1),
                  ("ended_on", "解除日期", "date", 0), ("end_reason", "解除原因", "text", 0)],
                 ["pairing_id"]),
    "activities": ([("activity_id", "活动编号", "id", 1), ("date", "日期", "date", 1),
                    ("type", "类型", "enum:type", 1), ("volunteer_id", "志愿者编号", "id", 1),
                    ("child_id", "儿童编号", "id", 1), ("minutes", "时长", "minutes", 0),
                    ("title", "标题", "text", 0), ("notes", "备注", "text", 0)],
                   ["activity_id", "volunteer_id", "child_id"]),
    "wishes": ([("wish_id", "心愿编号", "id", 1), ("child_id", "儿童编号", "id", 1),
                ("registered_on", "登记日期", "date", 1), ("description", "心愿内容", "text", 0),
                ("est_cost", "预计金额", "money0", 0), ("claimed_by", "认领人", "id", 0),
                ("claimed_org", "认领单位", "text", 0), ("claimed_on", "认领日期", "date", 0),
                ("fulfilled_on", "实现日期", "date", 0), ("cancelled_on", "取消日期", "date", 0)],
               ["wish_id"]),
    "donations": ([("donation_id", "捐赠编号", "id", 1), ("date", "日期", "date", 1),
                   ("donor", "捐赠方", "text", 0), ("donor_type", "捐赠方类型", "enum:donor_type", 1),
                   ("amount", "金额", "money", 1), ("restricted_to", "定向", "text", 0),
                   ("receipt_no", "收据号", "id", 0)],
                  ["donation_id"]),
    "expenditures": ([("expense_id", "支出编号", "id", 1), ("date", "日期", "date", 1),
                      ("project", "项目", "text", 0), ("town_code", "区镇编码", "id", 0),
                      ("category", "类别", "enum:expense", 1), ("amount", "金额", "money", 1),
                      ("fund", "资金来源", "text", 0), ("approved_by", "审批人", "text", 0)],
                     ["expense_id"]),
    "trainings": ([("event_id", "培训编号", "id", 1), ("date", "日期", "date", 1),
                   ("kind", "培训类型", "enum:training", 1), ("title", "主题", "text", 0),
                   ("speaker", "主讲", "text", 0)],
                  ["event_id"]),
    "attendance": ([("event_id", "培训编号", "id", 1), ("volunteer_id", "志愿者编号", "id", 1)],
                   ["event_id", "volunteer_id"]),
    "stories": ([("story_id", "事迹编号", "id", 1), ("volunteer_id", "志愿者编号", "id", 1),
                 ("child_id", "儿童编号", "id", 0), ("date", "日期", "date", 1),
                 ("title", "标题", "text", 0), ("text", "正文", "text", 1)],
                ["story_id"]),
}
ORDER = ["towns", "children", "volunteers", "pairings", "trainings", "activities", "wishes",
         "donations", "expenditures", "attendance", "stories"]
PREFIX = [("towns", "区镇"), ("children", "儿童"), ("volunteers", "志愿者"), ("volunteers", "爱心妈妈"),
          ("pairings", "结对"), ("activities", "活动"), ("wishes", "微心愿"), ("wishes", "心愿"),
          ("donations", "捐赠"), ("expenditures", "支出"), ("trainings", "培训"),
          ("attendance", "签到"), ("stories", "事迹")]
ENUMS = {
    "gender": {"F": "女", "M": "男"},
    "category": {"left_behind": "留守", "distressed": "困境", "both": "留守困境"},
    "role": {"mother": "爱心妈妈", "father": "爱心爸爸"},
    "sector": {"federation": "妇联执委", "cadre": "机关党员干部", "teacher": "在职老师",
               "social_worker": "社会工作者", "counsellor": "心理咨询师",
               "entrepreneur": "女企业家", "other": "其他"},
    "pool": {"paired": "结对库", "reserve": "储备库"},
    "type": {"call": "亲情连线", "reading": "陪你阅读", "holiday": "假日亲子活动",
             "birthday": "陪过生日", "icebreak": "互认互知", "visit_teacher": "访班主任",
             "visit_guardian": "访监护人", "warmth": "送温暖", "knowledge": "送知识",
             "study_trip": "亲子研学", "counselling": "心理疏导", "other": "其他"},
    "donor_type": {"enterprise": "企业", "individual": "个人", "giving_day": "99公益日",
                   "grant": "公益创投", "other": "其他"},
    "expense": {"wish": "微心愿", "activity": "活动", "training": "培训", "material": "物资",
                "other": "其他"},
    "training": {"micro_class": "赋能微课堂", "symposium": "座谈会", "other": "其他"},
}
# code or label (case-insensitive) -> code
ENUM_MAP = {n: {**{c.lower(): c for c in v}, **{l.lower(): c for c, l in v.items()}}
            for n, v in ENUMS.items()}
FIVE = ["call", "reading", "holiday", "birthday"]
VISITS = ["visit_teacher", "visit_guardian"]

# full-width digits and letters to ASCII, zero-width characters removed
FOLD = {**{0xFF10 + i: 0x30 + i for i in range(10)},
        **{0xFF21 + i: 0x41 + i for i in range(26)}, **{0xFF41 + i: 0x61 + i for i in range(26)},
        **{c: None for c in (0x200B, 0x200C, 0x200D, 0xFEFF, 0x200E, 0x200F)}}
DATE_RE = (r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
           r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
MONEY_RE = r"^[¥￥]?\s*(\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.(\d{1,2}))?\s*元?$"


class Door:
    """Reads the files, applies the rules, keeps the rejects."""

    def __init__(self, today):
        self.today = today
        self.rejects = []    # DataFrames: file, line, col, reason
        self.warnings = []
        self.frames = {k: [] for k in CONTRACT}

    def reject(self, df, mask, col, reason):
        if mask.any():
            r = df.loc[mask, ["_file", "_line"]].rename(columns={"_file": "file", "_line": "line"})
            r["col"] = col
            r["reason"] = reason
            self.rejects.append(r)
        return df.loc[~mask]

    @staticmethod
    def kind_of(name, header):
        for kind, p in PREFIX:
            if name.lower().startswith(kind) or name.startswith(p):
                return kind
        for kind, (cols, key) in CONTRACT.items():
            if all(c in header or l in header for c, l, _, r in cols if r):
                return kind
        return None

    def read(self, path):
        name = os.path.basename(path)
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
        df.columns = [c.strip() for c in df.columns]
        kind = self.kind_of(name, set(df.columns))
        if kind is None:
            raise SystemExit(f"{name}: cannot tell the kind of file")
        cols, _ = CONTRACT[kind]
        ren = {l: c for c, l, _, _ in cols}
        df = df.rename(columns=ren)
        missing = [c for c, _, _, r in cols if r and c not in df.columns]
        if missing:
            raise SystemExit(f"{name}: no column {missing[0]}")
        df["_file"] = path
        df["_line"] = np.arange(2, len(df) + 2)
        df["_order"] = len(self.frames[kind])
        # a repeated header line (two exports pasted together)
        first = cols[0][0]
        rep = df[first].isin([first, cols[0][1]])
        if rep.any():
            w = df.loc[rep, ["_file", "_line"]].rename(columns={"_file": "file", "_line": "line"})
            w["reason"] = "repeated header line"
            self.warnings.append(w)
            df = df.loc[~rep]
        self.frames[kind].append(df)

    def clean(self, kind):
        cols, key = CONTRACT[kind]
        parts = self.frames[kind]
        if not parts:
            return pd.DataFrame(columns=[c for c, _, _, _ in cols])
        df = pd.concat(parts, ignore_index=True)
        for c, _, t, req in cols:
            if c not in df.columns:
                df[c] = None
                continue
            s = df[c].str.strip()
            if t != "text":
                s = s.str.translate(FOLD)
            s = s.where(s != "", None)
            df[c] = s
        # rows that hold nothing
        data = [c for c, _, _, _ in cols]
        df = df.loc[df[data].notna().any(axis=1)]
        for c, _, t, req in cols:
            s = df[c]
            if req:
                df = self.reject(df, s.isna(), c, "required field empty")
                s = df[c]
            if t in ("date", "bdate"):
                m = s.str.extract(DATE_RE)
                iso = m[0] + "-" + m[1].str.zfill(2) + "-" + m[2].str.zfill(2)
                real = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").notna()
                okt = m[3].isna() | ((m[3].astype(float) < 24) & (m[4].astype(float) < 60) &
                                     (m[5].fillna("0").astype(float) < 60))
                low = "1990-01-01" if t == "bdate" else "2000-01-01"
                bad = s.notna() & ~(real & okt & (iso >= low) & (iso <= self.today))
                df = df.assign(**{c: iso})
                df = self.reject(df, bad, c, "not a date, or out of range")
            elif t in ("money", "money0"):
                m = s.str.extract(MONEY_RE)
                yuan = m[0].str.replace(r"[,，]", "", regex=True)
                fen = pd.to_numeric(yuan, errors="coerce") * 100 + \
                    pd.to_numeric(m[1].fillna("0").str.ljust(2, "0"), errors="coerce")
                bad = s.notna() & (fen.isna() | (fen > 100_000_000_000_000) |
                                   ((fen <= 0) if t == "money" else False))
                df = df.assign(**{c + "_fen": fen.astype("Int64")})
                df = self.reject(df, bad, c, "not an amount")
            elif t == "minutes":
                n = pd.to_numeric(s.where(s.str.fullmatch(r"\d+", na=False)), errors="coerce")
                bad = s.notna() & (n.isna() | (n > 1440))
                df = df.assign(**{c: n})
                df = self.reject(df, bad, c, "minutes: an integer from 0 to 1440")
            elif t.startswith("enum:"):
                code = s.str.lower().map(ENUM_MAP[t[5:]])
                bad = s.notna() & code.isna()
                df = df.assign(**{c: code})
                df = self.reject(df, bad, c, "not a known code or label")
        # the later row of a key wins (files in the order read, rows in file order)
        df = df.sort_values(["_order", "_line"], kind="stable")
        return df.drop_duplicates(key, keep="last").reset_index(drop=True)

    def load(self, data_dir):
        files = sorted(f for f in os.listdir(data_dir) if f.lower().endswith(".csv"))
        for f in files:
            self.read(os.path.join(data_dir, f))
        t = {k: self.clean(k) for k in ORDER}
        ref = self.reject_refs
        t["children"] = ref(t["children"], "town_code", t["towns"].town_code)
        t["volunteers"] = ref(t["volunteers"], "town_code", t["towns"].town_code)
        t["pairings"] = ref(t["pairings"], "volunteer_id", t["volunteers"].volunteer_id)
        t["pairings"] = ref(t["pairings"], "child_id", t["children"].child_id)
        t["activities"] = ref(t["activities"], "volunteer_id", t["volunteers"].volunteer_id)
        t["activities"] = ref(t["activities"], "child_id", t["children"].child_id)
        t["wishes"] = ref(t["wishes"], "child_id", t["children"].child_id)
        t["wishes"] = ref(t["wishes"], "claimed_by", t["volunteers"].volunteer_id)
        t["expenditures"] = ref(t["expenditures"], "town_code", t["towns"].town_code)
        t["expenditures"] = ref(t["expenditures"], "fund", t["donations"].restricted_to.dropna())
        t["attendance"] = ref(t["attendance"], "event_id", t["trainings"].event_id)
        t["attendance"] = ref(t["attendance"], "volunteer_id", t["volunteers"].volunteer_id)
        t["stories"] = ref(t["stories"], "volunteer_id", t["volunteers"].volunteer_id)
        t["stories"] = ref(t["stories"], "child_id", t["children"].child_id)
        self.order_of_events(t)
        return t

    def reject_refs(self, df, col, known):
        return self.reject(df, df[col].notna() & ~df[col].isin(known), col, "unknown reference")

    def order_of_events(self, t):
        c = t["children"]
        t["children"] = self.reject(c, c.exited_on.notna() & c.registered_on.notna() &
                                    (c.exited_on < c.registered_on), "exited_on",
                                    "exits before being registered")
        p = t["pairings"]
        p = self.reject(p, p.ended_on.notna() & (p.ended_on < p.started_on), "ended_on",
                        "ends before it starts")
        # a second pairing of the same volunteer and child sharing a day
        # with an earlier one (an open pairing runs to today)
        q = p.reset_index()[["index", "volunteer_id", "child_id", "started_on", "ended_on",
                             "_order", "_line"]]
        q["end"] = q.ended_on.fillna(self.today)
        m = q.merge(q, on=["volunteer_id", "child_id"])
        m = m[((m._order_x > m._order_y) | ((m._order_x == m._order_y) & (m._line_x > m._line_y)))
              & (m.started_on_x <= m.end_y) & (m.started_on_y <= m.end_x)]
        t["pairings"] = self.reject(p, p.index.isin(m.index_x), "", "overlaps another pairing")
        w = t["wishes"]
        bad = ((w.claimed_on.notna() & (w.claimed_on < w.registered_on)) |
               (w.fulfilled_on.notna() & ((w.fulfilled_on < w.registered_on) |
                                          (w.claimed_on.notna() & (w.fulfilled_on < w.claimed_on)))) |
               (w.fulfilled_on.notna() & w.cancelled_on.notna()))
        t["wishes"] = self.reject(w, bad, "", "dates out of order")


# ------------------------------------------------------------------ periods

def add_months(d, n):
    y, m = d.year, d.month - 1 + n
    return dt.date(y + m // 12, m % 12 + 1, 1)


def period(month):
    y, m = map(int, month.split("-"))
    f = dt.date(y, m, 1)
    nf = add_months(f, 1)
    P = {"from": f, "to": nf - dt.timedelta(days=1), "prev_from": add_months(f, -1),
         "prev_to": f - dt.timedelta(days=1), "ytd_from": dt.date(y, 1, 1), "next_from": nf,
         "next_to": add_months(f, 2) - dt.timedelta(days=1)}
    P = {k: v.isoformat() for k, v in P.items()}
    P.update(month=month, prev_month=P["prev_from"][:7], ytd_month=P["ytd_from"][:7])
    return P


# ------------------------------------------------------------------ the figures

def last_by(df, key, col):
    """the latest col (an ISO date) per key: sorting is fast where a
    groupby max of strings is not (pandas falls back to Python for it)."""
    d = df[[key, col]].dropna().sort_values(col)
    return d.drop_duplicates(key, keep="last").set_index(key)[col]


class Model:
    """Every section's rows, as the queries in queries/ define them."""

    def __init__(self, t, P, door):
        self.t, self.P, self.door = t, P, door
        c = t["children"]
        towns = t["towns"].set_index("town_code").town_name
        self.town_names = towns.fillna(pd.Series(towns.index, index=towns.index))
        self.child_town = c.set_index("child_id").town_code
        a = t["activities"]
        a = a.assign(month=a.date.str[:7])
        self.acts = a
        self.month_acts = a[a.month == P["month"]]
        self.data_from = a.date.min()[:7] + "-01" if len(a) else None
        # each pairing's run of paired months, cut at the child's exit month
        p = t["pairings"].merge(c[["child_id", "exited_on"]], on="child_id")
        lo = p.started_on.str[:7]
        hi = np.minimum(p.ended_on.str[:7].fillna(OPEN), p.exited_on.str[:7].fillna(OPEN))
        self.runs = pd.DataFrame({"child_id": p.child_id, "lo": lo, "hi": hi})[lo <= hi]
        # contacts: activity rows naming the child, visits excepted
        k = a[~a.type.isin(VISITS)]
        self.contacts = k[["child_id", "month", "date"]]
        self.alias = self.public_aliases(c)

    def paired(self, m0, m1):
        r = self.runs
        return pd.Index(r.child_id[(r.lo <= m1) & (r.hi >= m0)].unique())

    def contacted(self, month):
        return pd.Index(self.contacts.child_id[self.contacts.month == month].unique())

    @staticmethod
    def public_aliases(c):
        al = c.alias.str.strip().replace("", None)
        d = pd.DataFrame({"child_id": c.child_id, "town": c.town_code, "alias": al})
        d = d.sort_values("child_id")
        g = d.groupby(["town", "alias"], dropna=False)
        n = g.child_id.transform("size")
        rn = g.cumcount() + 1
        circ = rn.map(lambda i: chr(9311 + i) if i <= 20 else "")
        out = np.where(d.alias.isna(), d.child_id,
                       np.where(n == 1, d.alias,
                                np.where(rn <= 20, d.alias + circ, d.alias + "（" + rn.astype(str) + "）")))
        return pd.Series(out, index=d.child_id)

    def town_rows(self, by, cols):
        """by: DataFrame indexed by town_code; every town, in code order."""
        tn = self.town_names.sort_index()
        out = pd.DataFrame({"town_code": tn.index, "town": tn.values})
        out = out.merge(by, left_on="town_code", right_index=True, how="left")
        out[cols] = out[cols].fillna(0).astype("int64")
        return out

    # ---- key figures
    def kpi(self):
        P = self.P
        a = self.acts
        ev = a[a.type.isin(FIVE)].groupby(["month", "type"]).activity_id.nunique()

        def window(m0, m1, f, t):
            w = self.t["wishes"]
            e = ev[(ev.index.get_level_values(0) >= m0) & (ev.index.get_level_values(0) <= m1)]
            e = e.groupby(level=1).sum()
            vol = a.volunteer_id[(a.month >= m0) & (a.month <= m1)].nunique()
            return [len(self.paired(m0, m1)), vol] + [int(e.get(x, 0)) for x in FIVE] + \
                [int(((w.fulfilled_on >= f) & (w.fulfilled_on <= t)).sum())]

        m = window(P["month"], P["month"], P["from"], P["to"])
        p = window(P["prev_month"], P["prev_month"], P["prev_from"], P["prev_to"])
        if not (self.data_from and P["prev_from"] >= self.data_from):
            p = [None] * 7
        y = window(P["ytd_month"], P["month"], P["ytd_from"], P["to"])
        labels = ["结对儿童（名）", "活跃志愿者（名）", "亲情连线（次）", "陪你阅读（次）",
                  "假日亲子活动（场）", "陪过生日（次）", "实现微心愿（个）"]
        return pd.DataFrame({"metric": ["paired", "volunteers"] + FIVE + ["wishes"],
                             "label": labels, "value": m, "previous": p, "ytd": y,
                             "counts_children": [1, 0, 0, 0, 0, 0, 0],
                             "data_from": self.data_from})

    def contact(self):
        P = self.P
        months = pd.period_range(P["ytd_month"], P["month"], freq="M").strftime("%Y-%m")
        rows = {}
        for mo in list(months) + [P["prev_month"]]:
            pa = self.paired(mo, mo)
            rows[mo] = (len(pa), len(pa.intersection(self.contacted(mo))))
        paired, cont = rows[P["month"]]
        pp, pc = rows[P["prev_month"]]
        prev = pc / pp if pp and self.data_from and P["prev_from"] >= self.data_from else None
        sp = sum(rows[m][0] for m in months)
        sc = sum(rows[m][1] for m in months)
        return pd.DataFrame([{"metric": "contact_rate", "label": "儿童联系率",
                              "value": cont / paired if paired else None, "previous": prev,
                              "ytd": sc / sp if sp else None, "paired": paired,
                              "contacted": cont, "not_contacted": paired - cont}])

    def kids(self):
        """children with surveyed, paired (in the month), registered at its end."""
        P = self.P
        c = self.t["children"]
        k = c[["child_id", "town_code", "name", "alias", "registered_on", "exited_on"]].copy()
        k["surveyed"] = c.needs.notna()
        k["paired"] = c.child_id.isin(self.paired(P["month"], P["month"]))
        at_end = ((k.registered_on.isna() | (k.registered_on <= P["to"])) &
                  (k.exited_on.isna() | (k.exited_on >= P["to"])))
        k["at_end"] = at_end
        k["registered"] = k.paired | at_end
        return k

    def coverage(self):
        k = self.kids()
        r = k[k.registered]
        n, s, p = len(r), int(r.surveyed.sum()), int(r.paired.sum())
        share = (lambda x: x / n if n else None)
        return pd.DataFrame({"metric": ["registered", "surveyed", "paired", "unpaired"],
                             "label": ["建档儿童（名）", "完成需求调查（名）", "结对儿童（名）",
                                       "待结对儿童（名）"],
                             "value": [n, s, p, n - p],
                             "share": [None, share(s), share(p), share(n - p)],
                             "unsurveyed": n - s})

    def coverage_towns(self):
        k = self.kids()
        r = k[k.registered]
        by = r.groupby("town_code").agg(registered=("child_id", "size"),
                                        surveyed=("surveyed", "sum"), paired=("paired", "sum"))
        out = self.town_rows(by, ["registered", "surveyed", "paired"])
        tot = out[["registered", "surveyed", "paired"]].sum()
        out = pd.concat([out, pd.DataFrame([{"town_code": None, "town": "全区合计", **tot}])],
                        ignore_index=True)
        reg = out.registered.replace(0, np.nan)
        out["survey_rate"] = out.surveyed / reg
        out["pair_rate"] = out.paired / reg
        out["unpaired"] = out.registered - out.paired
        out["unsurveyed"] = out.registered - out.surveyed
        return out

    def five_ones(self):
        P = self.P
        pa = self.paired(P["month"], P["month"])
        co = pa.intersection(self.contacted(P["month"]))
        ct = self.child_town
        ma = self.month_acts[self.month_acts.type.isin(FIVE)]
        ma = ma.assign(town_code=ma.child_id.map(ct))
        ev = ma.groupby(["town_code", "type"]).activity_id.nunique().unstack(fill_value=0)
        ev = ev.reindex(columns=FIVE, fill_value=0)
        w = self.t["wishes"]
        wd = w[(w.fulfilled_on >= P["from"]) & (w.fulfilled_on <= P["to"])]
        by = pd.DataFrame({"paired": ct[pa].value_counts(), "contacted": ct[co].value_counts(),
                           "wishes": wd.child_id.map(ct).value_counts()})
        by = by.join(ev, how="outer")
        cols = ["paired", "contacted"] + FIVE + ["wishes"]
        out = self.town_rows(by, cols)
        out = out.rename(columns={"call": "calls"})
        district = ma.groupby("type").activity_id.nunique().reindex(FIVE, fill_value=0)
        tot = {"town_code": None, "town": "全区合计", "paired": out.paired.sum(),
               "contacted": out.contacted.sum(), "calls": district["call"],
               "reading": district["reading"], "holiday": district["holiday"],
               "birthday": district["birthday"], "wishes": out.wishes.sum(),
               "events_counted_twice": int(out[["calls", "reading", "holiday", "birthday"]]
                                           .to_numpy().sum() - district.sum())}
        out = pd.concat([out, pd.DataFrame([tot])], ignore_index=True)
        out["contact_rate"] = out.contacted / out.paired.replace(0, np.nan)
        return out

    def activity_types(self):
        P = self.P
        a = self.acts
        cur = a[a.month == P["month"]].groupby("type").activity_id.nunique()
        prev = a[a.month == P["prev_month"]].groupby("type").activity_id.nunique()
        codes = list(ENUMS["type"])
        out = pd.DataFrame({"type": codes, "label": [ENUMS["type"][c] for c in codes]})
        out["this_month"] = cur.reindex(codes, fill_value=0).values
        if self.data_from and P["prev_from"] >= self.data_from:
            out["last_month"] = prev.reindex(codes, fill_value=0).values
        else:
            out["last_month"] = None
        return out

    def hours(self):
        ma = self.month_acts
        per = ma.groupby(["activity_id", "volunteer_id"]).minutes.max().reset_index()
        pv = per.groupby("volunteer_id").agg(parts=("minutes", "size"),
                                             minutes=("minutes", "sum"),
                                             given=("minutes", "count"))
        pv["no_minutes"] = pv.parts - pv.given
        v = self.t["volunteers"][["volunteer_id", "town_code"]].merge(
            pv, left_on="volunteer_id", right_index=True)
        by = v.groupby("town_code").agg(active=("volunteer_id", "size"),
                                        participations=("parts", "sum"),
                                        minutes=("minutes", "sum"),
                                        no_minutes=("no_minutes", "sum"))
        out = self.town_rows(by, ["active", "participations", "minutes", "no_minutes"])
        tot = out[["active", "participations", "minutes", "no_minutes"]].sum()
        out = pd.concat([out, pd.DataFrame([{"town_code": None, "town": "全区合计", **tot}])],
                        ignore_index=True)
        out["hours"] = out.minutes / 60.0
        out["hours_per_volunteer"] = out.hours / out.active.replace(0, np.nan)
        return out

    def volunteers_of(self, children, f, t):
        """children's volunteers paired in [f, t]: names and phones joined by '、'."""
        p = self.t["pairings"]
        p = p[p.child_id.isin(children) & (p.started_on <= t) &
              (p.ended_on.isna() | (p.ended_on >= f))]
        v = p.merge(self.t["volunteers"][["volunteer_id", "name", "phone"]], on="volunteer_id")
        v = v.sort_values(["child_id", "volunteer_id"])
        v["phone"] = v.phone.fillna("—")
        g = v.groupby("child_id")
        return g.name.agg("、".join), g.phone.agg("、".join)

    def child_list(self, ids):
        c = self.t["children"].set_index("child_id").loc[ids]
        return pd.DataFrame({"town_code": c.town_code.values,
                             "town": c.town_code.map(self.town_names).values,
                             "child_id": ids, "child": ids, "child_name": c.name.values,
                             "child_alias": self.alias.reindex(ids).values})

    def uncontacted(self):
        P = self.P
        pa = self.paired(P["month"], P["month"])
        u = pa.difference(self.contacted(P["month"]))
        out = self.child_list(u)
        names, phones = self.volunteers_of(u, P["from"], P["to"])
        out["volunteers"] = out.child_id.map(names)
        out["volunteer_phone"] = out.child_id.map(phones)
        k = self.contacts
        last = last_by(k[k.month < P["month"]], "child_id", "date")
        out["last_contact"] = out.child_id.map(last)
        return out.sort_values(["town_code", "child_id"])

    def birthdays(self):
        P = self.P
        c = self.t["children"]
        p = self.t["pairings"]
        paired = p.child_id[(p.started_on <= P["next_to"]) &
                            (p.ended_on.isna() | (p.ended_on >= P["next_from"]))]
        sel = c[(c.birth_date.str[5:7] == P["next_from"][5:7]) &
                (c.exited_on.isna() | (c.exited_on >= P["next_from"])) &
                c.child_id.isin(paired)]
        out = self.child_list(sel.child_id.values)
        out["birthday"] = sel.birth_date.str[5:].values
        out["age"] = int(P["next_from"][:4]) - sel.birth_date.str[:4].astype(int).values
        names, phones = self.volunteers_of(sel.child_id, P["next_from"], P["next_to"])
        out["volunteers"] = out.child_id.map(names)
        out["volunteer_phone"] = out.child_id.map(phones)
        return out.sort_values(["birthday", "town_code", "child_id"])

    def wishes_waiting(self):
        P = self.P
        to = pd.Timestamp(P["to"])
        w = self.t["wishes"]
        cut = (to - pd.Timedelta(days=30)).strftime("%Y-%m-%d")
        w = w[(w.registered_on < cut) & (w.fulfilled_on.isna() | (w.fulfilled_on > P["to"])) &
              (w.cancelled_on.isna() | (w.cancelled_on > P["to"]))]
        out = self.child_list(w.child_id.values)
        out["wish_id"] = w.wish_id.values
        out["wish"] = w.description.values
        out["registered_on"] = w.registered_on.values
        out["days_waiting"] = (to - pd.to_datetime(w.registered_on)).dt.days.values
        vn = self.t["volunteers"].set_index("volunteer_id").name
        out["claimed_by"] = w.claimed_by.map(vn).fillna(w.claimed_org).values
        out["est_cost"] = w.est_cost_fen.values
        return out.sort_values(["registered_on", "town_code", "wish_id"])

    def quiet_volunteers(self):
        P = self.P
        p = self.t["pairings"]
        on = p[(p.started_on <= P["to"]) & (p.ended_on.isna() | (p.ended_on >= P["to"]))]
        a = self.acts
        last = last_by(a[a.month <= P["month"]], "volunteer_id", "date")
        cut = (pd.Timestamp(P["to"]) - pd.Timedelta(days=59)).strftime("%Y-%m-%d")
        q = on.groupby("volunteer_id").child_id.nunique().rename("children").reset_index()
        q["last_activity"] = q.volunteer_id.map(last)
        q = q[q.last_activity.isna() | (q.last_activity < cut)]
        v = self.t["volunteers"].set_index("volunteer_id")
        q["town_code"] = q.volunteer_id.map(v.town_code)
        q["town"] = q.town_code.map(self.town_names)
        q["volunteer"] = q.volunteer_id.map(v.name)
        q["phone"] = q.volunteer_id.map(v.phone)
        q["days_quiet"] = (pd.Timestamp(P["to"]) - pd.to_datetime(q.last_activity)).dt.days
        return q.sort_values(["town_code", "last_activity", "volunteer_id"], na_position="first")

    def unpaired(self):
        P = self.P
        k = self.kids()
        k = k[k.at_end & ~k.paired]
        p = self.t["pairings"]
        le = last_by(p[p.ended_on <= P["to"]], "child_id", "ended_on")
        out = self.child_list(k.child_id.values)
        out["registered_on"] = k.registered_on.values
        out["last_ended"] = out.child_id.map(le)
        r, e = out.registered_on.fillna(out.last_ended), out.last_ended.fillna(out.registered_on)
        since = r.where(r >= e, e)
        out["days_waiting"] = (pd.Timestamp(P["to"]) - pd.to_datetime(since)).dt.days
        out["_neg"] = -out.days_waiting
        return out.sort_values(["_neg", "town_code", "child_id"], na_position="last")

    def unsurveyed(self):
        k = self.kids()
        k = k[~k.surveyed & k.registered]
        out = self.child_list(k.child_id.values)
        out["registered_on"] = k.registered_on.values
        out["days_registered"] = (pd.Timestamp(self.P["to"]) -
                                  pd.to_datetime(out.registered_on)).dt.days
        out["paired"] = np.where(k.paired.values, "是", "否")
        return out.sort_values(["registered_on", "town_code", "child_id"], na_position="last")

    def money_table(self, kind, by, labels, count_col, fund_col, redact):
        P = self.P
        d = self.t[kind]
        d = d[(d.date >= P["from"]) & (d.date <= P["to"])].copy()
        d[fund_col] = d[fund_col].map(redact)
        g = d.groupby([by, fund_col], dropna=False).agg(**{count_col: ("amount_fen", "size"),
                                                          "amount": ("amount_fen", "sum")})
        g = g.reset_index()
        order = {c: i for i, c in enumerate(labels)}
        g["ord"] = g[by].map(order)
        g["fund"] = g[fund_col].fillna("非定向")
        g[by] = g[by].map(labels)
        g = g.sort_values(["ord", "fund"])
        tot = {by: "合计", "fund": None, count_col: g[count_col].sum(), "amount": g.amount.sum()}
        return pd.concat([g, pd.DataFrame([tot])], ignore_index=True)

    def fund_balance(self, redact):
        to = self.P["to"]
        d = self.t["donations"]
        d = d[d.date <= to]
        e = self.t["expenditures"]
        e = e[e.date <= to]
        raised = d.groupby("restricted_to").amount_fen.sum()
        spent = e.groupby("fund").amount_fen.sum()
        out = pd.DataFrame({"raised": raised}).join(spent.rename("spent")).fillna(0)
        out = out.sort_index().reset_index(names="fund")
        out["fund"] = out.fund.map(redact)
        un = {"fund": "非定向资金", "raised": d.amount_fen[d.restricted_to.isna()].sum(),
              "spent": e.amount_fen[e.fund.isna()].sum()}
        out = pd.concat([out, pd.DataFrame([un])], ignore_index=True)
        out["balance"] = out.raised - out.spent
        return out

    def no_receipt(self):
        d = self.t["donations"]
        d = d[(d.date <= self.P["to"]) & d.receipt_no.isna()]
        out = d[["date", "donation_id", "donor", "amount_fen", "restricted_to"]]
        out = out.rename(columns={"amount_fen": "amount", "restricted_to": "fund"})
        out["fund"] = out.fund.fillna("非定向")
        return out.sort_values(["date", "donation_id"])

    def rejects(self):
        r = self.door.rejects
        return (pd.concat(r, ignore_index=True).sort_values(["file", "line"]) if r else
                pd.DataFrame(columns=["file", "line", "col", "reason"]))

    def warnings(self):
        w = self.door.warnings
        return (pd.concat(w, ignore_index=True).sort_values(["file", "line"]) if w else
                pd.DataFrame(columns=["file", "line", "reason"]))

    def outside_pairing(self):
        ma = self.month_acts.reset_index(drop=True)
        ma["row"] = ma.index
        p = self.t["pairings"][["volunteer_id", "child_id", "started_on", "ended_on"]]
        m = ma[["row", "volunteer_id", "child_id", "date"]].merge(p, on=["volunteer_id",
                                                                         "child_id"])
        inside = m.row[(m.started_on <= m.date) & (m.ended_on.isna() | (m.ended_on >= m.date))]
        o = ma[~ma.row.isin(inside)]
        v = self.t["volunteers"].set_index("volunteer_id").name
        c = self.t["children"].set_index("child_id").name
        out = pd.DataFrame({"date": o.date, "activity_id": o.activity_id,
                            "type": o.type.map(ENUMS["type"]),
                            "volunteer": o.volunteer_id.map(v), "child": o.child_id,
                            "child_name": o.child_id.map(c),
                            "child_alias": o.child_id.map(self.alias),
                            "source": o._file + ":" + o._line.astype(str),
                            "volunteer_id": o.volunteer_id, "child_id": o.child_id})
        return out.sort_values(["date", "activity_id", "volunteer_id", "child_id"])


class Redactor:
    """Public free text: known children's names to their alias, guardians'
    and class teachers' names to a surname and 某, schools to 某学校, phone
    numbers to ***.  Names also shown in public (volunteers, towns) stay."""

    def __init__(self, t, alias):
        c = t["children"]
        keep = set(t["volunteers"].name.dropna()) | set(t["towns"].town_name.dropna())
        rep = {}
        for col in ("guardian", "class_teacher"):
            for n in c[col].dropna().unique():
                if len(n) >= 2:
                    rep[n] = n[0] + "某"
        for n in c.school.dropna().unique():
            rep[n] = "某学校"
        for cid, n in zip(c.child_id, c.name):
            if isinstance(n, str) and len(n) >= 2:
                rep[n] = alias.get(cid, cid)
        self.rep = {k: v for k, v in rep.items() if k not in keep}
        self.keys = sorted(self.rep, key=len, reverse=True)
        self.phone = re.compile(r"1\d{10}|\d{3,4}-\d{7,8}")
        self.cache = {}

    def __call__(self, s):
        if not isinstance(s, str):
            return s
        if s not in self.cache:
            out = self.phone.sub("***", s)
            for k in self.keys:
                if k in out:
                    out = out.replace(k, self.rep[k])
            self.cache[s] = out
        return self.cache[s]


# ------------------------------------------------------------------ the template

def parse_template(path):
    top, sections, cur = {}, [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^\[section ([a-z0-9_]+)\]$", line)
        if m:
            sections.append(cur := {"id": m.group(1)})
            continue
        k, _, v = line.partition("=")
        (cur if cur is not None else top)[k.strip()] = v.strip()
    for s in sections:
        cols = []
        for spec in s["columns"].split(","):
            parts = spec.strip().split(":")
            c = {"name": parts[0], "header": parts[1],
                 "format": parts[2] if len(parts) > 2 else "text", "flags": parts[3:]}
            c["hidden"] = "hidden" in c["flags"]
            c["internal"] = "internal" in c["flags"]
            c["children"] = "children" in c["flags"]
            c["children_if"] = next((f[9:] for f in c["flags"] if f.startswith("children=")), None)
            cols.append(c)
        s["cols"] = cols
    return top, sections


def fmt_value(v, fmt):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if fmt == "int":
        return f"{int(v):,}"
    if fmt == "money":
        return f"{int(v) // 100:,}.{int(v) % 100:02d}"
    if fmt == "percent":
        return f"{float(v) * 100:.1f}%"
    if fmt == "real":
        return f"{float(v):.1f}"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


class Report:
    """One audience's sections: rows, the small-count rule, the texts."""

    def __init__(self, model, top, sections, audience, redact):
        self.m, self.top, self.aud = model, top, audience
        self.public = audience == "public"
        self.secs = [s for s in sections if s.get("audience", audience) == audience]
        builders = {"kpi": model.kpi, "contact": model.contact, "coverage": model.coverage,
                    "five_ones": model.five_ones, "coverage_towns": model.coverage_towns,
                    "activity_types": model.activity_types, "hours": model.hours,
                    "uncontacted": model.uncontacted, "birthdays": model.birthdays,
                    "wishes_waiting": model.wishes_waiting,
                    "quiet_volunteers": model.quiet_volunteers, "unpaired": model.unpaired,
                    "unsurveyed": model.unsurveyed,
                    "donations": lambda: model.money_table(
                        "donations", "donor_type", ENUMS["donor_type"], "donations",
                        "restricted_to", redact),
                    "expenditures": lambda: model.money_table(
                        "expenditures", "category", ENUMS["expense"], "expenses", "fund", redact),
                    "fund_balance": lambda: model.fund_balance(redact),
                    "no_receipt": model.no_receipt, "rejects": model.rejects,
                    "warnings": model.warnings, "outside_pairing": model.outside_pairing}
        self.rows = {}
        for s in self.secs:
            df = builders[s["id"]]().reset_index(drop=True)
            for c in s["cols"]:
                if c["name"] not in df.columns:
                    df[c["name"]] = None
            self.rows[s["id"]] = df
        self.byid = {s["id"]: s for s in self.secs}
        now = dt.datetime.now()
        P = model.P
        self.vars = {"year": P["month"][:4], "month": str(int(P["month"][5:])),
                     "period": P["month"], "from": P["from"], "to": P["to"], "org": "",
                     "generated": now.strftime("%Y-%m-%d %H:%M"), "today": now.strftime("%Y-%m-%d"),
                     # the words of a district's report with town rows, as himama's
                     # level words give them (the script models one district)
                     "scope.total": "全区合计", "scope.area": "全区", "scope.unit": "区",
                     "scope.no_town": "区级（未分区镇）", "scope.rows": "区镇", "scope.Rows": "区镇",
                     "scope.row": "镇"}

    def text(self, s, key):
        return s.get(key + ".public") if self.public and key + ".public" in s else s.get(key)

    def shown_cols(self, s):
        return [c for c in s["cols"] if not c["hidden"] and not (self.public and c["internal"])]

    def hidden(self, sid, i, col, v):
        """the public small-count rule for cell (i, col) of section sid."""
        if not self.public or col["format"] == "percent":
            return False
        if col["children_if"]:
            f = self.rows[sid][col["children_if"]].iloc[i]
            if not f:
                return False
        elif not col["children"]:
            return False
        try:
            return 0 < round(float(v)) < 3
        except (TypeError, ValueError):
            return False

    def cell(self, sid, i, col):
        v = self.rows[sid][col["name"]].iloc[i]
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        return "<3" if self.hidden(sid, i, col, v) else v

    def ref(self, expr):
        """{sec.col[:N|:last]}, {sec.rows}: (raw value, shown text)."""
        sid, _, rest = expr.partition(".")
        name, _, idx = rest.partition(":")
        df = self.rows[sid]
        if name == "rows":
            return len(df), f"{len(df):,}"
        col = next(c for c in self.byid[sid]["cols"] if c["name"] == name)
        i = len(df) - 1 if idx == "last" else int(idx or 1) - 1
        if i >= len(df):
            return None, ""
        v = self.cell(sid, i, col)
        if isinstance(v, str) and v == "<3":
            return "<3", "<3"
        return v, fmt_value(v, col["format"])

    def fill(self, text):
        if not text:
            return ""

        def sub(m):
            e = m.group(1)
            return self.vars[e] if e in self.vars else self.ref(e)[1]
        text = text.replace("{{", "\x01").replace("}}", "\x02")
        return re.sub(r"\{([^{}]+)\}", sub, text).replace("\x01", "{").replace("\x02", "}")

    def note(self, s):
        cond = s.get("note_if")
        if cond:
            v = self.ref(cond)[0]
            if v in (None, 0, "") or (isinstance(v, float) and v == 0):
                return ""
        return self.fill(self.text(s, "note"))

    def figures(self):
        out = {}
        for k, v in self.top.items():
            if not k.startswith("figure."):
                continue
            expr = v.strip()[1:-1]
            sid = expr.partition(".")[0]
            if sid not in self.rows:
                continue
            raw = self.ref(expr)[0]
            out[k[7:]] = raw.item() if isinstance(raw, np.generic) else raw
        return out


# ------------------------------------------------------------------ the workbook

def write_xlsx(rep, path):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    fmts = {k: wb.add_format({"num_format": v}) for k, v in (
        ("int", "#,##0"), ("money", "#,##0.00"), ("percent", "0.0%"), ("real", "0.0"),
        ("date", "yyyy-mm-dd"))}
    right = wb.add_format({"align": "right"})
    info = wb.add_worksheet("说明")
    info.write(0, 0, rep.fill(rep.top.get("title")), bold)
    info.write(1, 0, rep.fill(rep.top.get("subtitle")))
    info.write(2, 0, "对外版" if rep.public else "内部资料")
    for i, s in enumerate(rep.secs):
        if s.get("sheet"):
            info.write(4 + i, 0, s["sheet"])
            info.write(4 + i, 1, rep.fill(rep.text(s, "heading")))
    for s in rep.secs:
        if not s.get("sheet"):
            continue
        sid = s["id"]
        ws = wb.add_worksheet(s["sheet"])
        cols = rep.shown_cols(s)
        df = rep.rows[sid]
        ws.write(0, 0, rep.fill(rep.text(s, "heading")), bold)
        intro = rep.fill(rep.text(s, "intro"))
        if intro:
            ws.write(1, 0, intro)
        hr = 3 if intro else 2
        for j, c in enumerate(cols):
            ws.write(hr, j, c["header"], head)
            ws.set_column(j, j, 12 if c["format"] != "text" else 16)
        # columns prepared whole (vectorised), then written row by row
        data = []
        for c in cols:
            v = df[c["name"]]
            if c["format"] == "money":
                v = v.astype("float64") / 100.0
            elif c["format"] == "date":
                v = pd.to_datetime(v, errors="coerce")
            v = v.astype(object).where(v.notna(), None)
            if rep.public and (c["children"] or c["children_if"]) and c["format"] != "percent":
                mask = [rep.hidden(sid, i, c, x) for i, x in enumerate(df[c["name"]])]
                v = v.where(~np.array(mask, dtype=bool), "<3")
            data.append(v.tolist())
        for i, row in enumerate(zip(*data)):
            r = hr + 1 + i
            for j, (x, c) in enumerate(zip(row, cols)):
                if x is None:
                    continue
                if isinstance(x, str) and x == "<3":
                    ws.write_string(r, j, x, right)
                elif c["format"] == "date" and not isinstance(x, str):
                    ws.write_datetime(r, j, x.to_pydatetime(), fmts["date"])
                elif c["format"] == "text":
                    ws.write_string(r, j, str(x))
                else:
                    ws.write_number(r, j, float(x), fmts[c["format"]])
        last = hr + len(df)
        ws.freeze_panes(hr + 1, 0)
        ws.autofilter(hr, 0, max(last, hr), len(cols) - 1)
        note = rep.note(s)
        if note:
            ws.write(last + 2, 0, note)
        if s["kind"] == "bar":
            ch = wb.add_chart({"type": "column"})
            cat = [c["name"] for c in cols].index(s["category"])
            for name in [x.strip() for x in s["series"].split(",")]:
                j = [c["name"] for c in cols].index(name)
                ch.add_series({"name": [s["sheet"], hr, j],
                               "categories": [s["sheet"], hr + 1, cat, last, cat],
                               "values": [s["sheet"], hr + 1, j, last, j]})
            ch.set_title({"name": rep.fill(rep.text(s, "heading"))})
            ws.insert_chart(hr, len(cols) + 1, ch)
        if not len(df) and s.get("empty"):
            ws.write(hr + 1, 0, rep.fill(rep.text(s, "empty")))
    wb.close()


# ------------------------------------------------------------------ the PDF

def write_pdf(rep, path, font):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        file, _, idx = font.partition(":")
        pdfmetrics.registerFont(TTFont("CJK", file, subfontIndex=int(idx or 0)))
    red = colors.HexColor("#B5172F")
    st = {k: ParagraphStyle(k, fontName="CJK", wordWrap="CJK", **v) for k, v in {
        "title": {"fontSize": 18, "leading": 24, "textColor": red},
        "sub": {"fontSize": 10, "leading": 14, "textColor": red},
        "h": {"fontSize": 12, "leading": 18, "spaceBefore": 10, "spaceAfter": 4},
        "p": {"fontSize": 8.5, "leading": 12.5},
        "note": {"fontSize": 7, "leading": 10, "textColor": colors.grey},
        "cell": {"fontSize": 7, "leading": 9},
        "tl": {"fontSize": 7.5, "leading": 10, "textColor": colors.grey},
        "tv": {"fontSize": 20, "leading": 24},
    }.items()}
    footer = rep.fill(rep.top.get("footer"))
    mark = "对外公开" if rep.public else "内部资料"

    class Numbered(canvas.Canvas):   # "第 N 页 / 共 M 页" needs the page count
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.pages = []

        def showPage(self):
            self.pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            n = len(self.pages)
            for p in self.pages:
                self.__dict__.update(p)
                self.setFont("CJK", 7)
                self.setFillColor(colors.grey)
                self.drawString(18 * mm, 10 * mm, footer)
                self.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {self._pageNumber} 页 / 共 {n} 页")
                self.setFillColor(red)
                self.drawRightString(A4[0] - 18 * mm, A4[1] - 12 * mm, mark)
                super().showPage()
            super().save()

    story = [Paragraph(rep.fill(rep.top.get("title")), st["title"]),
             Paragraph(rep.fill(rep.top.get("subtitle")), st["sub"])]
    grid = TableStyle([("FONT", (0, 0), (-1, -1), "CJK", 7),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2DCDB")),
                       ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])
    width = A4[0] - 36 * mm
    for s in rep.secs:
        sid = s["id"]
        df = rep.rows[sid]
        cols = rep.shown_cols(s)
        head = Paragraph(rep.fill(rep.text(s, "heading")), st["h"])
        head._bookmarkName = sid
        story.append(head)
        intro = rep.fill(rep.text(s, "intro"))
        if intro:
            story.append(Paragraph(intro, st["p"]))
        if not len(df):
            story.append(Paragraph(rep.fill(rep.text(s, "empty")), st["p"]))
        elif s["kind"] == "kpi":
            tiles = []
            vcol = cols[1]
            for i in range(len(df)):
                lab = df[cols[0]["name"]].iloc[i]
                lines = [Paragraph(str(lab), st["tl"]),
                         Paragraph(fmt_value(rep.cell(sid, i, vcol), vcol["format"])
                                   if rep.cell(sid, i, vcol) != "<3" else "<3", st["tv"])]
                for c in cols[2:]:
                    v = rep.cell(sid, i, c)
                    if v is not None:
                        lines.append(Paragraph(f"{c['header']} " + (v if v == "<3" else
                                                                    fmt_value(v, c["format"])),
                                               st["tl"]))
                tiles.append(lines)
            rows = [tiles[i:i + 4] for i in range(0, len(tiles), 4)]
            rows[-1] += [""] * (4 - len(rows[-1]))
            t = Table(rows, colWidths=[width / 4] * 4)
            t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                                   ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.lightgrey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(t)
        elif s["kind"] == "bar":
            series = [x.strip() for x in s["series"].split(",")]
            d = Drawing(width, 60 * mm)
            ch = VerticalBarChart()
            ch.x, ch.y, ch.width, ch.height = 10 * mm, 10 * mm, width - 20 * mm, 45 * mm
            ch.data = [[float(x) if x is not None and not pd.isna(x) else 0 for x in df[n]]
                       for n in series]
            ch.categoryAxis.categoryNames = list(df[s["category"]])
            ch.categoryAxis.labels.fontName = "CJK"
            ch.categoryAxis.labels.fontSize = 6
            ch.valueAxis.labels.fontSize = 6
            ch.bars[0].fillColor = red
            ch.bars[1].fillColor = colors.HexColor("#E8A0A8")
            d.add(ch)
            story.append(d)
        else:
            limit = int(s.get("pdf_rows", 0) or 0)
            n = min(len(df), limit) if limit else len(df)
            body = [[Paragraph(c["header"], st["cell"]) for c in cols]]
            shown = []
            for c in cols:
                v = df[c["name"]].iloc[:n]
                txt = [fmt_value(x, c["format"]) for x in v]
                if rep.public and (c["children"] or c["children_if"]) and c["format"] != "percent":
                    txt = ["<3" if rep.hidden(sid, i, c, x) else y
                           for i, (x, y) in enumerate(zip(v, txt))]
                shown.append(txt)
            for row in zip(*shown):
                body.append([Paragraph(x, st["cell"]) if len(x) > 12 else x for x in row])
            wts = [next((int(f[1:]) for f in c["flags"] if re.fullmatch(r"w\d", f)), 1)
                   for c in cols]
            t = Table(body, colWidths=[width * w / sum(wts) for w in wts], repeatRows=1)
            t.setStyle(grid)
            story.append(t)
            if n < len(df):
                story.append(Paragraph(f"仅列出前 {n} 行，共 {len(df)} 行；完整名单见工作簿「{s.get('sheet')}」。",
                                       st["note"]))
        note = rep.note(s)
        if note:
            story.append(Paragraph(note, st["note"]))
        story.append(Spacer(1, 4 * mm))
    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=rep.fill(rep.top.get("title")))
    doc.build(story, canvasmaker=Numbered)


# ------------------------------------------------------------------ main

def check(figs, rows, manifest_path):
    """Compare the figures and each section's rows with himama's manifest;
    the number of differences."""
    m = json.load(open(manifest_path, encoding="utf-8"))
    bad = 0
    print(f"  {'figure':<22} {'pandas':>20} {'himama':>20}")
    for k, hv in m.get("figures", {}).items():
        pv = figs.get(k, "(none)")
        if isinstance(hv, str) or isinstance(pv, str) or pv is None or hv is None:
            same = pv == hv
        else:
            same = abs(float(pv) - float(hv)) <= 1e-6 * max(1.0, abs(float(hv)))
        bad += not same
        print(f"  {k:<22} {str(pv):>20} {str(hv):>20}{'' if same else '   DIFFERS'}")
    for s in m.get("sections", []):
        pr = rows.get(s["id"])
        if pr != s["rows"]:
            bad += 1
            print(f"  rows of {s['id']:<14} {str(pr):>20} {s['rows']:>20}   DIFFERS")
    print(f"  {len(m.get('sections', []))} sections' row counts compared: "
          f"{'all equal' if bad == 0 else 'see above'}")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("month")
    ap.add_argument("out")
    ap.add_argument("--check")
    ap.add_argument("--today", default=dt.date.today().isoformat())
    ap.add_argument("--font", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:0")
    ap.add_argument("--template", default=os.path.join(ROOT, "templates", "monthly.zh.tmpl"))
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--compare-only", action="store_true",
                    help="compare OUT's figures.json with --check's manifests; compute nothing")
    a = ap.parse_args()
    if a.compare_only:
        bad = 0
        for aud in ("internal", "public"):
            f = json.load(open(os.path.join(a.out, aud, "figures.json"), encoding="utf-8"))
            print(f"{aud}: pandas against himama's manifest.json")
            bad += check(f["figures"], f["sections"], os.path.join(a.check, aud, "manifest.json"))
        return 1 if bad else 0
    tm = [("imports", time.time() - T0)]
    t1 = time.time()
    door = Door(a.today)
    t = door.load(a.data)
    tm.append(("read and clean", time.time() - t1))
    P = period(a.month)
    top, sections = parse_template(a.template)
    model = Model(t, P, door)
    redact = Redactor(t, model.alias)
    bad = 0
    for aud in ("internal", "public"):
        t1 = time.time()
        rep = Report(model, top, sections, aud, redact if aud == "public" else (lambda s: s))
        tm.append((f"{aud}: figures", time.time() - t1))
        d = os.path.join(a.out, aud)
        os.makedirs(d, exist_ok=True)
        t1 = time.time()
        write_xlsx(rep, os.path.join(d, "tables.xlsx"))
        tm.append((f"{aud}: tables.xlsx", time.time() - t1))
        t1 = time.time()
        write_pdf(rep, os.path.join(d, "briefing.pdf"), a.font)
        tm.append((f"{aud}: briefing.pdf", time.time() - t1))
        figs = rep.figures()
        json.dump({"figures": figs, "sections": {k: len(v) for k, v in rep.rows.items()}},
                  open(os.path.join(d, "figures.json"), "w", encoding="utf-8"),
                  ensure_ascii=False, indent=1, default=str)
        if a.check:
            print(f"{aud}: pandas against himama's manifest.json")
            bad += check(figs, {k: len(v) for k, v in rep.rows.items()},
                         os.path.join(a.check, aud, "manifest.json"))
    if a.timing:
        for k, v in tm:
            print(f"  timing: {k:<26} {v:7.3f} s", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
