#!/usr/bin/env python3
"""Recount the programme's pillars (issue 19) from the database's kind
tables, in Python, and compare with the workbooks of the reports.

    check_pillars.py DB REPORT_DIR...

DB is the himama database the reports were written from; each REPORT_DIR
holds a report's manifest.json and tables.xlsx (internal, Chinese), and an
annual one its nominations.xlsx.  Only the kind tables are read (children,
pairings, activities, wishes, donations, expenditures, volunteers, towns),
never the summary tables the queries use, and every figure is worked out
here from the definitions in docs/decisions.md, day by day and month by
month, the plain way:

  coverage (三个全覆盖)   registered, surveyed, paired, waiting, by town; the
                          lists of children waiting for a pairing (days
                          waiting) and without a needs survey;
  service hours           by the volunteer's town, and each volunteer's
                          whole hours in the scorecard;
  nominations             the shortlist's hours, organisation, gender,
                          years in the programme and age at the year's end
                          (未记录 without a birth date), and each
                          candidate's pairs with their five ones;
  five ones per pair      the distribution by town, the pairs that kept none;
  children                by category, gender and age band, with the
                          contact rate;
  enterprise+             per organisation;
  micro-projects          per project and fund.

Prints one line per difference and a summary; exits 1 on any difference.
"""
import calendar
import collections
import datetime
import json
import os
import sqlite3
import sys

import openpyxl

D = datetime.date
VISITS = ("visit_teacher", "visit_guardian")
fails = []
checked = collections.Counter()


def day(s):
    return D.fromisoformat(s) if s else None


def months_of(f, t):
    """The (first day, last day) of each month from f's to t's."""
    out, y, m = [], f.year, f.month
    while (y, m) <= (t.year, t.month):
        first = D(y, m, 1)
        nxt = D(y + (m == 12), m % 12 + 1, 1)
        out.append((first, nxt - datetime.timedelta(days=1)))
        y, m = nxt.year, nxt.month
    return out


class Data:
    def __init__(self, path):
        db = sqlite3.connect(path)
        db.row_factory = sqlite3.Row
        self.towns = {r["town_code"]: r["town_name"] or r["town_code"]
                      for r in db.execute("SELECT * FROM towns")}
        self.children = {r["child_id"]: dict(r) for r in db.execute("SELECT * FROM children")}
        self.vols = {r["volunteer_id"]: dict(r) for r in db.execute("SELECT * FROM volunteers")}
        self.pairings = [dict(r) for r in db.execute("SELECT * FROM pairings")]
        self.acts = [dict(r) for r in db.execute(
            "SELECT activity_id, date, type, volunteer_id, child_id, minutes FROM activities")]
        self.wishes = [dict(r) for r in db.execute("SELECT * FROM wishes")]
        self.donations = [dict(r) for r in db.execute("SELECT * FROM donations")]
        self.expenses = [dict(r) for r in db.execute("SELECT * FROM expenditures")]
        self.vm = set((r[0], r[1]) for r in db.execute(
            "SELECT DISTINCT volunteer_id, substr(date, 1, 7) FROM activities"))
        for p in self.pairings:
            p["s"], p["e"] = day(p["started_on"]), day(p["ended_on"])
        for c in self.children.values():
            c["exit"], c["reg"] = day(c["exited_on"]), day(c["registered_on"])
        for a in self.acts:
            a["d"] = day(a["date"])
        self.by_child = collections.defaultdict(list)
        for p in self.pairings:
            self.by_child[p["child_id"]].append(p)

    # -- children
    def paired_in(self, cid, first, last):
        """A pairing of the child active on a day of [first, last], the
        child not exited before first (DESIGN.md: paired in a month)."""
        c = self.children[cid]
        if c["exit"] and c["exit"] < first:
            return False
        return any(p["s"] <= last and (p["e"] is None or p["e"] >= first)
                   for p in self.by_child[cid])

    def paired_months(self, cid, f, t):
        return [m for m in months_of(f, t) if self.paired_in(cid, *m)]

    def registered(self, f, t):
        """Children registered in the period (coverage): paired in one of
        its months, or on record at its end."""
        out = {}
        for cid, c in self.children.items():
            pm = self.paired_months(cid, f, t)
            on_record = (c["reg"] is None or c["reg"] <= t) and (c["exit"] is None or c["exit"] >= t)
            if pm or on_record:
                out[cid] = pm
        return out

    def volunteers_on_record(self, f, t):
        out = set()
        for vid, v in self.vols.items():
            j = day(v["joined_on"])
            active = any((vid, m[0].isoformat()[:7]) in self.vm for m in months_of(f, t))
            if j is None or j <= t or active:
                out.add(vid)
        return out

    def participations(self, f, t):
        """(month, activity, volunteer) -> the largest minutes of its rows (None: none given)."""
        part = {}
        for a in self.acts:
            if f <= a["d"] <= t:
                k = (a["date"][:7], a["activity_id"], a["volunteer_id"])
                m = a["minutes"]
                if k not in part or (m is not None and (part[k] is None or m > part[k])):
                    part[k] = m
        return part


# ---- the workbook ---------------------------------------------------------


def sheet_rows(wb, name, first_header):
    """The data rows of sheet name: the rows under the header row (the row
    whose first cell is first_header) down to the first empty one."""
    if name not in wb.sheetnames:
        fails.append("sheet %s missing" % name)
        return None, []
    rows = list(wb[name].iter_rows(values_only=True))
    for i, r in enumerate(rows):
        if r and r[0] == first_header:
            hdr = [h for h in r if h is not None]
            out = []
            for x in rows[i + 1:]:
                if x is None or all(v is None for v in x):
                    break
                out.append([v.date().isoformat() if isinstance(v, datetime.datetime) else v
                            for v in x[:len(hdr)]])
            return hdr, out
    fails.append("sheet %s: no header row starting %s" % (name, first_header))
    return None, []


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return abs(float(a) - float(b)) < 1e-6
    return a == b


def compare(where, got, want):
    checked[where.split(":")[0]] += 1
    if len(got) != len(want):
        fails.append("%s: %d rows, recount %d\n  got  %s\n  want %s" % (where, len(got), len(want),
                                                                       got[:3], want[:3]))
        return
    for i, (g, w) in enumerate(zip(got, want)):
        if len(g) != len(w) or not all(same(x, y) for x, y in zip(g, w)):
            fails.append("%s: row %d is %s, recount %s" % (where, i + 1, g, w))
            return


def rate(n, d):
    return n / d if d else None


# ---- the sections -----------------------------------------------------------


def coverage(data, wb, f, t, name):
    reg = data.registered(f, t)
    per = collections.OrderedDict((tc, [0, 0, 0]) for tc in sorted(data.towns))
    for cid, pm in reg.items():
        c = data.children[cid]
        x = per[c["town_code"]]
        x[0] += 1
        x[1] += bool(c["needs"])
        x[2] += bool(pm)
    want = []
    for tc, (r, s, p) in per.items():
        want.append([data.towns[tc], r, s, rate(s, r), p, rate(p, r), r - p, r - s])
    R, S, P = (sum(x[i] for x in per.values()) for i in range(3))
    want.append(["全区合计", R, S, rate(S, R), P, rate(P, R), R - P, R - S])
    _, got = sheet_rows(wb, "三个全覆盖分镇", "区镇")
    compare(name + ": coverage by town", got, want)
    _, got = sheet_rows(wb, "三个全覆盖", "指标")
    compare(name + ": coverage tiles", got,
            [["建档儿童（名）", R, None], ["完成需求调查（名）", S, rate(S, R)],
             ["结对儿童（名）", P, rate(P, R)], ["待结对儿童（名）", R - P, rate(R - P, R)]])
    # the waiting list: oldest wait first
    wait = []
    for cid, pm in reg.items():
        if pm:
            continue
        c = data.children[cid]
        ended = [p["ended_on"] for p in data.by_child[cid] if p["ended_on"] and p["e"] <= t]
        last = max(ended) if ended else None
        since = max(x for x in (c["registered_on"], last) if x) if (c["registered_on"] or last) else None
        days = (t - day(since)).days if since else None
        wait.append((-(days if days is not None else -1), c["town_code"], cid,
                     [data.towns[c["town_code"]], cid, c["name"], c["registered_on"], last, days]))
    want = [w[3] for w in sorted(wait, key=lambda w: w[:3])]
    _, got = sheet_rows(wb, "待结对儿童", "区镇")
    compare(name + ": children waiting for a pairing", got, want)
    nos = []
    for cid, pm in reg.items():
        c = data.children[cid]
        if c["needs"]:
            continue
        d = (t - c["reg"]).days if c["reg"] else None
        nos.append(((c["registered_on"] is None, c["registered_on"] or ""), c["town_code"], cid,
                    [data.towns[c["town_code"]], cid, c["name"], c["registered_on"], d,
                     "是" if pm else "否"]))
    want = [w[3] for w in sorted(nos, key=lambda w: w[:3])]
    _, got = sheet_rows(wb, "待需求调查", "区镇")
    compare(name + ": children with no needs survey", got, want)


def hours(data, wb, f, t, name):
    part = data.participations(f, t)
    per = collections.OrderedDict((tc, [set(), 0, 0, 0]) for tc in sorted(data.towns))
    for (m, aid, vid), mins in part.items():
        x = per[data.vols[vid]["town_code"]]
        x[0].add(vid)
        x[1] += 1
        x[2] += mins or 0
        x[3] += mins is None
    want = []
    for tc, (vs, n, mins, none) in per.items():
        want.append([data.towns[tc], len(vs), n, mins / 60, rate(mins / 60, len(vs)), none])
    A = sum(len(x[0]) for x in per.values())
    N, M, Z = (sum(x[i] for x in per.values()) for i in (1, 2, 3))
    want.append(["全区合计", A, N, M / 60, rate(M / 60, A), Z])
    _, got = sheet_rows(wb, "服务时长", "区镇")
    compare(name + ": service hours by town", got, want)
    return part


def scorecard_hours(data, path, f, t, name):
    part = data.participations(f, t)
    mins = collections.Counter()
    for (m, aid, vid), x in part.items():
        mins[vid] += x or 0
    nb = openpyxl.load_workbook(path, read_only=True)
    hdr, rows = sheet_rows(nb, "评分表", "区镇")
    if hdr is None:
        return
    iv, ih = hdr.index("志愿者编号"), hdr.index("服务时长（小时）")
    got = sorted([r[iv], r[ih]] for r in rows)
    want = sorted([r[iv], (mins[r[iv]] + 30) // 60] for r in rows)
    compare(name + ": scorecard hours", got, want)


def pair_records(data, f, t):
    """(volunteer, child) -> its five ones over the period."""
    ms = months_of(f, t)
    pairs = {}
    for p in data.pairings:
        c = data.children[p["child_id"]]
        for first, last in ms:
            if p["s"] <= last and (p["e"] is None or p["e"] >= first) and \
                    (c["exit"] is None or c["exit"] >= first):
                pairs.setdefault((p["volunteer_id"], p["child_id"]), set()).add(first.isoformat()[:7])
    called, types = collections.defaultdict(set), collections.defaultdict(set)
    for a in data.acts:
        if f <= a["d"] <= t:
            k = (a["volunteer_id"], a["child_id"])
            if a["type"] == "call":
                called[k].add(a["date"][:7])
            types[k].add(a["type"])
    wished = set((w["claimed_by"], w["child_id"]) for w in data.wishes
                 if w["claimed_by"] and w["fulfilled_on"] and f <= day(w["fulfilled_on"]) <= t)
    out = {}
    for (vid, cid), months in pairs.items():
        c = data.children[cid]
        due = False
        for y in sorted({f.year, t.year}):
            bd = "%d%s" % (y, c["birth_date"][4:])
            if not (f.isoformat() <= bd <= t.isoformat()):
                continue
            if c["exited_on"] and bd > c["exited_on"]:
                continue
            due |= any(p["volunteer_id"] == vid and p["started_on"] <= bd and
                       (p["ended_on"] is None or bd <= p["ended_on"]) for p in data.by_child[cid])
        k = (vid, cid)
        rec = dict(town=c["town_code"], months=len(months), called=len(months & called[k]),
                   call=months <= called[k], reading="reading" in types[k],
                   holiday="holiday" in types[k], due=due,
                   birthday=due and "birthday" in types[k], wish=k in wished)
        rec["kept"] = sum(rec[x] for x in ("call", "reading", "holiday", "birthday", "wish"))
        rec["all"] = rec["kept"] == 4 + due
        out[k] = rec
    return out


def profile(data, rows, iv, t, mins):
    """Who each volunteer of rows is: hours, organisation, gender (from the
    role), in the programme since (joined or first paired, the earlier),
    whole years to t, and the age at t (the birthdays passed by t)."""
    want = []
    for r in rows:
        vid = r[iv]
        v = data.vols[vid]
        starts = [p["started_on"] for p in data.pairings if p["volunteer_id"] == vid]
        since = min([x for x in [v["joined_on"]] + starts if x], default=None)
        years = None
        if since:
            s = day(since)
            years = max(0, t.year - s.year - ((t.month, t.day) < (s.month, s.day)))
        age = "未记录"
        if v["birth_date"]:
            b = day(v["birth_date"])
            age = sum(1 for y in range(b.year + 1, t.year + 1)
                      if (D(y, 3, 1) if (b.month, b.day) == (2, 29) and not calendar.isleap(y) else
                          D(y, b.month, b.day)) <= t)
        want.append([vid, (mins[vid] + 30) // 60, v["organization"],
                     {"mother": "女", "father": "男"}.get(v["role"]), since, years, age])
    return want


def nominations(data, path, f, t, name):
    """The shortlist's profile columns and the candidates' pairs sheet."""
    part = data.participations(f, t)
    mins = collections.Counter()
    for (m, aid, vid), x in part.items():
        mins[vid] += x or 0
    nb = openpyxl.load_workbook(path, read_only=True)
    for sheet in ("评分表", "推荐名单"):   # every volunteer; the candidates
        hdr, rows = sheet_rows(nb, sheet, "区镇")
        if hdr is None:
            return
        cols = [hdr.index(h) for h in ("志愿者编号", "服务时长（小时）", "单位或团队", "性别",
                                       "参与起始", "参与年限（年）", "年龄（岁）")]
        got = sorted([r[i] if r[i] != "" else None for i in cols] for r in rows)
        compare("%s: %s profile" % (name, sheet), got, sorted(profile(data, rows, cols[0], t, mins)))
    recs = pair_records(data, f, t)
    shortlisted = set(r[cols[0]] for r in rows)
    acts = collections.defaultdict(set)
    for a in data.acts:
        if f <= a["d"] <= t:
            acts[(a["volunteer_id"], a["child_id"])].add(a["activity_id"])
    since = {}
    for p in data.pairings:
        k = (p["volunteer_id"], p["child_id"])
        if k[0] in shortlisted and p["s"] <= t and (p["e"] is None or p["e"] >= f):
            since[k] = min(since.get(k, p["started_on"]), p["started_on"])
    want = []
    for k, st in since.items():
        r = recs.get(k)
        five = [None] * 9 if r is None else [
            r["months"], r["called"], int(r["reading"]), int(r["holiday"]), int(r["due"]),
            int(r["birthday"]), int(r["wish"]), r["kept"], 4 + r["due"]]
        want.append([k[0], data.vols[k[0]]["name"], st, len(acts[k])] + five)
    hdr, rows = sheet_rows(nb, "候选人结对五个一", "区镇")
    if hdr is None:
        return
    got = sorted(([r[2], r[3]] + r[6:] for r in rows), key=str)
    compare(name + ": candidates' pairs", got, sorted(want, key=str))


def five_ones(data, wb, f, t, name):
    recs = pair_records(data, f, t)
    per = collections.OrderedDict((tc, []) for tc in sorted(data.towns))
    for r in recs.values():
        per[r["town"]].append(r)

    def row(label, rs):
        mo, ca = sum(r["months"] for r in rs), sum(r["called"] for r in rs)
        return [label, len(rs), sum(r["all"] for r in rs),
                sum(r["kept"] == 4 and r["due"] for r in rs)] + \
            [sum(r["kept"] == k for r in rs) for k in (3, 2, 1, 0)] + [rate(ca, mo)]
    want = [row(data.towns[tc], rs) for tc, rs in per.items()]
    want.append(row("全区合计", list(recs.values())))
    _, got = sheet_rows(wb, "结对五个一", "区镇")
    compare(name + ": five ones per pair", got, want)
    none = [((r["town"], r["called"] / r["months"], vid, cid),
             [data.towns[r["town"]], vid, data.vols[vid]["name"], data.vols[vid]["phone"], cid,
              data.children[cid]["name"], r["months"], r["called"], "是" if r["due"] else "否"])
            for (vid, cid), r in recs.items() if r["kept"] == 0]
    _, got = sheet_rows(wb, "五个一均未做到", "区镇")
    compare(name + ": pairs that kept none", got, [w for _, w in sorted(none, key=lambda x: x[0])])


def children(data, wb, f, t, name):
    reg = data.registered(f, t)
    contacted = collections.defaultdict(set)
    for a in data.acts:
        if f <= a["d"] <= t and a["type"] not in VISITS:
            contacted[a["child_id"]].add(a["date"][:7])

    def age(c):
        b = c["birth_date"]
        return t.year - int(b[:4]) - ((t.month, t.day) < (int(b[5:7]), int(b[8:10])))
    dims = [
        ("儿童类别", "类别", lambda c: c["category"],
         [("left_behind", "留守儿童", 1), ("distressed", "困境儿童", 1), ("both", "留守困境儿童", 1),
          (None, "未填写", 0)]),
        ("儿童性别", "性别", lambda c: c["gender"], [("F", "女", 1), ("M", "男", 1), (None, "未填写", 0)]),
        ("儿童年龄段", "年龄段", lambda c: [b for b, lo, hi in
                                     (("0", 0, 5), ("6", 6, 11), ("12", 12, 14), ("15", 15, 17),
                                      ("18", 18, 999)) if lo <= age(c) <= hi][0],
         [("0", "0～5 岁", 1), ("6", "6～11 岁", 1), ("12", "12～14 岁", 1), ("15", "15～17 岁", 1),
          ("18", "18 岁及以上", 0)]),
    ]
    for sheet, first, key, groups in dims:
        want, tot = [], [0, 0, 0, 0]
        for code, label, fixed in groups:
            ks = [cid for cid in reg if key(data.children[cid]) == code]
            pm = sum(len(reg[k]) for k in ks)
            cm = sum(len(set(m[0].isoformat()[:7] for m in reg[k]) & contacted[k]) for k in ks)
            p = sum(bool(reg[k]) for k in ks)
            if fixed or ks:
                want.append([label, len(ks), p, rate(cm, pm)])
            for i, v in enumerate((len(ks), p, pm, cm)):
                tot[i] += v
        want.append(["合计", tot[0], tot[1], rate(tot[3], tot[2])])
        _, got = sheet_rows(wb, sheet, first)
        compare(name + ": children by " + first, got, want)


def organisations(data, wb, f, t, name):
    part = data.participations(f, t)
    on_record = data.volunteers_on_record(f, t)
    org = {vid: (v["organization"] or "") for vid, v in data.vols.items()}
    rows = collections.defaultdict(lambda: dict(v=0, p=set(), c=set(), a=set(), m=0, g=0, r=0))
    for vid in on_record:
        rows[org[vid]]["v"] += 1
    allp, allc, alla = set(), set(), set()
    for p in data.pairings:
        c = data.children[p["child_id"]]
        if p["s"] <= t and (p["e"] is None or p["e"] >= f) and (c["exit"] is None or c["exit"] >= f):
            rows[org[p["volunteer_id"]]]["p"].add((p["volunteer_id"], p["child_id"]))
            rows[org[p["volunteer_id"]]]["c"].add(p["child_id"])
            allp.add((p["volunteer_id"], p["child_id"]))
            allc.add(p["child_id"])
    for (m, aid, vid), mins in part.items():
        rows[org[vid]]["a"].add((m, aid))
        rows[org[vid]]["m"] += mins or 0
        alla.add((m, aid))
    for d in data.donations:
        if d["donor_type"] == "enterprise" and f <= day(d["date"]) <= t:
            x = rows[d["donor"] or ""]
            x["g"] += d["amount_fen"]
            x["r"] += d["amount_fen"] if d["restricted_to"] else 0
    names = set(o for o in org.values() if o) | set(d["donor"] for d in data.donations
                                                    if d["donor_type"] == "enterprise" and d["donor"])

    def line(label, x):
        return [label, x["v"], len(x["p"]), len(x["c"]), len(x["a"]), x["m"] / 60, x["g"] / 100, x["r"] / 100]
    want = [line(n, rows[n]) for n in names]
    want.sort(key=lambda r: (-r[6], -r[1], -r[5], r[0]))
    none = rows[""]
    if none["v"] or none["p"] or none["a"] or none["g"]:
        want.append(line("未填写单位", none))
    tot = [sum(x["v"] for x in rows.values()), len(allp), len(allc), len(alla),
           sum(x["m"] for x in rows.values()) / 60, sum(x["g"] for x in rows.values()) / 100,
           sum(x["r"] for x in rows.values()) / 100]
    want.append(["合计"] + tot)
    _, got = sheet_rows(wb, "企业加", "单位或团队")
    compare(name + ": enterprise+", got, want)


def projects(data, wb, f, t, name):
    g = collections.defaultdict(lambda: [0, 0])
    for e in data.expenses:
        if f <= day(e["date"]) <= t:
            x = g[(e["project"] or "", e["fund"])]
            x[0] += 1
            x[1] += e["amount_fen"]
    tot = collections.Counter()
    for (p, fund), x in g.items():
        tot[p] += x[1]
    want = sorted(([p or "未填写项目", fund or "非定向", x[0], x[1] / 100], (-tot[p], p or "未填写项目", fund or "非定向"))
                  for (p, fund), x in g.items())
    want = [w for w, _ in sorted(want, key=lambda w: w[1])]
    want.append(["合计", None, sum(x[0] for x in g.values()), sum(x[1] for x in g.values()) / 100])
    _, got = sheet_rows(wb, "项目支出", "项目")
    compare(name + ": micro-projects", got, want)


def main():
    data = Data(sys.argv[1])
    for d in sys.argv[2:]:
        m = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
        f, t, kind = day(m["from"]), day(m["to"]), m["report"]
        name = "%s %s" % (kind, m["period"])
        wb = openpyxl.load_workbook(os.path.join(d, "tables.xlsx"), read_only=True)
        hours(data, wb, f, t, name)
        if kind in ("monthly", "halfyear"):
            coverage(data, wb, f, t, name)
        if kind in ("halfyear", "annual"):
            five_ones(data, wb, f, t, name)
            children(data, wb, f, t, name)
            organisations(data, wb, f, t, name)
        if kind in ("halfyear", "annual", "range"):
            projects(data, wb, f, t, name)
        if kind == "annual":
            scorecard_hours(data, os.path.join(d, "nominations.xlsx"), f, t, name)
            nominations(data, os.path.join(d, "nominations.xlsx"), f, t, name)
    for x in fails:
        print("FAIL " + x)
    print("%d sections recounted, %d differ" % (sum(checked.values()), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
