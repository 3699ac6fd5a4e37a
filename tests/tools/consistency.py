#!/usr/bin/env python3
"""Check that the figures of himama's reports agree with one another.

    consistency.py [--db FILE] [--himama BIN] [--work DIR] PATH...

PATH is a report folder (OUT/KIND/PERIOD/AUDIENCE) or any folder above
some (a whole OUT tree).  Every report found is read: its manifests
(manifest.json, manifest-en.json), workbooks (tables.xlsx, tables-en.xlsx)
and briefings (briefing.pdf, briefing-en.pdf, as `pdftotext -layout` reads
them).  The templates the manifests name tell which section, column and row
each number of a sentence comes from.  The checks:

 1. one value per figure: a headline figure (children paired, volunteers
    active, the five ones, money, ...) has the same value in the manifest's
    "figures" (when there is one), the KPI tiles of the briefing, the KPI
    sheets, the sentences of the briefing and of the workbook, the total
    rows of the tables (workbook and briefing), in both languages and both
    audiences of a period;
 2. every table with a total row adds up to it, column by column, for the
    columns that can be added (an event with children of two towns counts
    in each town: the towns' events exceed the total by what the note
    says, and by nothing when there is no note); rates equal their ratios;
    flows balance on every row (the symposiums' matters: open at the start
    plus raised = resolved plus open at the end);
 3. the months add up: a half year, a year and a range of whole months
    against the monthly reports of their months (written here with the
    program when --db is given), a month's "year to date" against its
    months, its "last month" against the month before, each row of a
    trend against that month's report; children and volunteers counted
    over several months lie between the largest month and the sum; with
    --db, a comparison with a period the data does not cover (it starts
    with the first activity) must show "—";
 4. a count in a sentence equals the rows of the list it introduces;
 5. the nominations (an internal annual report): the shortlist's rows are
    the scorecard's, a candidate's pairs with a five-ones record are the
    scorecard's children paired, and each dossier block shows its
    candidate's score, hours and the kept/due of each pair as the
    workbook does.
 6. a per-town table rolled up by unit (template key "levels": the
    workbook's rows at outline levels) adds up at every level: a unit's
    row is the sum of its rows below, its rates lie among theirs, its
    ranks follow the rate (check_levels.py); the top level (the units
    shown in the briefing, and the row of money no town is given) adds up
    to the total; a list left to the packs (manifest "in_packs") shows no
    row and no figure.

Public reports show a count of children of 1 or 2 as "<3": such a value is
taken as "1 or 2" and compared as a range; "<3" on a figure that is not a
count of children is itself a failure.

Prints one line per failed check (report, figure, places, values) and a
summary; exits 1 when any check failed, 0 otherwise.
"""
import argparse
import datetime
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_levels import check_tree   # noqa: E402  (a table rolled up by unit)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPS = 1e-6

# ---- values ------------------------------------------------------------


class Val:
    """A figure as shown: an interval [lo, hi] (exact figures have lo ==
    hi; "<3" is [1, 2]; "90.3%" is [0.9025, 0.9035]), or null ("—")."""

    def __init__(self, lo, hi=None, text=None, small=False):
        self.lo = lo
        self.hi = lo if hi is None else hi
        self.text = text
        self.small = small

    @property
    def null(self):
        return self.lo is None

    def __str__(self):
        if self.null:
            return self.text or "—"
        if self.small:
            return "<3"
        if abs(self.hi - self.lo) < EPS:
            return fmt(self.lo)
        if self.text is not None:
            return self.text
        return "%s..%s" % (fmt(self.lo), fmt(self.hi))



# Sections whose rows differ between the audiences by design: the public
# report merges the organisations named after a child's school into one
# unnamed row (decisions.md, the pillars).  Their cells and row counts are
# compared within one audience; their totals still across both.
AUDIENCE_ROWS = {"organisations"}


def row_scope(r, sid):
    return "%s-%s" % (r.lang, r.audience) if sid in AUDIENCE_ROWS else r.lang


def rows_key(r, sid):
    return "rows:%s%s" % (sid, "@" + r.audience if sid in AUDIENCE_ROWS else "")

def fmt(x):
    if abs(x - round(x)) < 1e-9:
        return "%d" % round(x)
    return ("%.4f" % x).rstrip("0")


NULL = Val(None)
NUM_RE = r"<3|—|-?[0-9][0-9,]*(?:\.[0-9]+)?%?"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"   # a date a sentence quotes (not a figure)


def val_text(s):
    """A number as printed (PDF or sentence): '1,234', '12.5%', '<3', '—'."""
    s = s.strip()
    if s in ("—", "-", ""):
        return Val(None, text=s or "—")
    if s == "<3":
        return Val(1, 2, text=s, small=True)
    pct = s.endswith("%")
    body = s.rstrip("%").replace(",", "")
    try:
        x = float(body)
    except ValueError:
        return None
    dec = len(body.split(".")[1]) if "." in body else 0
    half = 0.5 * 10 ** -dec if (pct or dec not in (0, 2)) else 0.0
    if dec == 2 and not pct:
        half = 0.005   # money: shown to the fen
    if pct:
        return Val((x - half) / 100, (x + half) / 100, text=s)
    if dec == 0:
        return Val(x, x, text=s)
    return Val(x - half, x + half, text=s)


def val_cell(c):
    """A workbook cell."""
    if c is None:
        return NULL
    if isinstance(c, bool):
        return Val(float(c))
    if isinstance(c, (int, float)):
        return Val(float(c))
    if isinstance(c, str):
        return val_text(c)
    return None


def overlap(vals):
    """The common part of intervals, None when they have none (nulls must
    all be null)."""
    nulls = [v for v in vals if v.null]
    if nulls:
        return NULL if len(nulls) == len(vals) else None
    lo = max(v.lo for v in vals)
    hi = min(v.hi for v in vals)
    tol = EPS * max(1.0, abs(lo), abs(hi))
    if lo > hi + tol:
        return None
    return Val(lo, max(lo, hi))


def vsum(vals):
    if any(v.null for v in vals):
        return None
    return Val(sum(v.lo for v in vals), sum(v.hi for v in vals))


def vratio(a, b):
    if a.null or b.null or b.lo <= 0:
        return None
    return Val(a.lo / b.hi, a.hi / b.lo)


def agree(a, b):
    return overlap([a, b]) is not None


# ---- failures ----------------------------------------------------------

FAILS = []
CHECKS = {}    # kind of check -> how many were made
GROUPED = {}   # (report, figure, message) -> places, printed as one line


def counted(kind):
    CHECKS[kind] = CHECKS.get(kind, 0) + 1


def fail(report, figure, msg, place=None):
    """Record a failed check; failures that differ only by the place they
    were seen in are printed as one line naming every place."""
    if place is None:
        FAILS.append("FAIL %s: %s: %s" % (report, figure, msg))
        return
    k = (report, figure, msg)
    if k not in GROUPED:
        GROUPED[k] = []
        FAILS.append(k)
    if place not in GROUPED[k]:
        GROUPED[k].append(place)


def fail_lines():
    out = []
    for f in FAILS:
        if isinstance(f, tuple):
            places = GROUPED[f]
            more = "" if len(places) <= 4 else " and %d more" % (len(places) - 4)
            f = "FAIL %s: %s: %s (%s%s)" % (f[0], f[1], f[2], "; ".join(places[:4]), more)
        out.append(f)
    return out


class Registry:
    """Every place a figure appears, by figure key."""

    def __init__(self, name):
        self.name = name
        self.obs = {}

    def add(self, key, val, place):
        if val is None:
            return
        self.obs.setdefault(key, []).append((val, place))

    def value(self, key):
        """The figure's value where its places agree, else None."""
        o = self.obs.get(key)
        return overlap([v for v, _ in o]) if o else None

    def check(self):
        for key in sorted(self.obs):
            o = self.obs[key]
            if len(o) < 2:
                continue
            counted("one value per figure")
            if overlap([v for v, _ in o]) is not None:
                continue
            groups = []   # by value shown, first seen first
            for v, p in o:
                for g in groups:
                    if agree(g[0], v) and all(agree(x, v) for x, _ in g[1]):
                        g[1].append((v, p))
                        break
                else:
                    groups.append([v, [(v, p)]])
            parts = []
            for _, members in groups:
                shown = sorted({str(v) for v, _ in members})
                places = [p for _, p in members]
                more = "" if len(places) <= 4 else " and %d more" % (len(places) - 4)
                parts.append("%s (%s%s)" % ("/".join(shown), "; ".join(places[:4]), more))
            fail(self.name, key, " vs ".join(parts))


# ---- templates ---------------------------------------------------------

PH_RE = re.compile(r"\{([a-z0-9_]+)(?:\.([A-Za-z0-9_]+))?(?::([0-9]+|last))?\}")


def words_rx(text):
    """A heading or a run's text as a regex: the words of the report's level
    ({scope.total}, ...) stand for any words."""
    parts = re.split(r"\{scope\.[A-Za-z_]+\}", text)
    return re.compile("^" + ".+?".join(re.escape(x) for x in parts) + "$")


def parse_template(path):
    top, sections, cur = {}, [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"\[section\s+([a-z0-9_]+)\]$", line)
            if m:
                cur = {"id": m.group(1)}
                sections.append(cur)
                continue
            k, _, v = line.partition("=")
            (cur if cur is not None else top)[k.strip()] = v.strip()
    for s in sections:
        cols = []
        for spec in s.get("columns", "").split(","):
            parts = [p.strip() for p in spec.split(":")]
            if not parts[0]:
                continue
            cols.append({"name": parts[0], "header": parts[1] if len(parts) > 1 else parts[0],
                         "fmt": parts[2] if len(parts) > 2 and parts[2] else "text",
                         "flags": set(parts[3:])})
        s["cols"] = cols
    return top, sections


def sentence_regex(text, ctx):
    """The regex of a template sentence with every {placeholder} a group,
    whitespace removed (as from the text searched); and the placeholders."""
    out, refs, i = [], [], 0
    text = text.replace("{{", "\x01").replace("}}", "\x02")
    for m in PH_RE.finditer(text):
        out.append(re.escape(re.sub(r"\s+", "", text[i:m.start()])))
        i = m.end()
        name, col, row = m.groups()
        if col is None or name == "scope":
            if name in ("from", "to", "period"):
                out.append(re.escape(ctx.get(name, "")))
            elif name in ("year", "month"):
                out.append(r"[0-9]+")
            else:
                out.append(r".*?")
            continue
        out.append("(" + DATE_RE + "|" + NUM_RE + ")")
        refs.append((name, col, row or "1"))
    out.append(re.escape(re.sub(r"\s+", "", text[i:])))
    rx = "".join(out).replace("\x01", r"\{").replace("\x02", r"\}")
    return re.compile(rx), refs


def query_metrics(query):
    """The metric codes of a KPI query, in row order, read from its SQL."""
    path = os.path.join(ROOT, "queries", query + ".sql")
    try:
        sql = open(path, encoding="utf-8").read()
    except OSError:
        return []
    return re.findall(r"'([a-z_]+)'(?:\s+AS\s+metric)?,\s*CASE :lang WHEN 'en'", sql)


# ---- what each query's numbers are -------------------------------------

EVENTS = {"calls": "calls", "reading": "reading", "holiday": "holiday",
          "birthday": "birthdays", "wishes": "wishes_fulfilled"}
KPI_METRIC = {"paired": "children_paired", "volunteers": "volunteers_active",
              "calls": "calls", "reading": "reading", "holiday": "holiday",
              "birthday": "birthdays", "wishes": "wishes_fulfilled"}
KPI = {   # query: (metric code -> figure, value column -> key prefix)
    "monthly_kpi": (KPI_METRIC, {"value": "", "previous": "prev:", "ytd": "ytd:"}),
    "halfyear_kpi": (KPI_METRIC, {"value": "", "previous": "ly:"}),
    "range_totals": (dict(KPI_METRIC, profiled="children_profiled",
                          volunteers="volunteers_on_record", active="volunteers_active"),
                     {"value": ""}),
    "range_money": ({"raised": "donations_yuan", "spent": "expenditures_yuan"}, {"value": ""}),
    "halfyear_retention": ({"retention": "retention_rate"}, {"value": ""}),
    "coverage_kpi": ({"registered": "children_registered", "surveyed": "children_surveyed",
                      "paired": "children_paired", "unpaired": "children_unpaired"}, {"value": ""}),
}
# columns of a KPI query's first row that are figures of their own
KPI_EXTRA = {
    "monthly_contact_rate": {"value": "contact_rate", "previous": "prev:contact_rate",
                             "ytd": "ytd:contact_rate", "paired": "children_paired",
                             "contacted": "children_contacted",
                             "not_contacted": "children_not_contacted"},
    "halfyear_retention": {"started": "retention_started", "active": "retention_active"},
    "halfyear_never_trained": {"volunteers": "volunteers_on_record"},
    "coverage_kpi": {"unsurveyed": "children_unsurveyed"},
}
RANGE_MONEY_ITEMS = {"raised": "donations_count", "spent": "expenditures_count"}
CHILDREN_TOTALS = {"children": "children_registered", "paired": "children_paired",
                   "contact_rate": "contact_rate"}
TOTALS = {   # query: total-row column -> figure
    "monthly_five_ones": dict(EVENTS, paired="children_paired", contacted="children_contacted",
                              contact_rate="contact_rate"),
    "halfyear_towns": dict(EVENTS, paired="children_paired", contact_rate="contact_rate",
                           spent="expenditures_yuan"),
    "range_towns": dict(EVENTS, profiled="children_profiled", paired="children_paired",
                        spent="expenditures_yuan"),
    "halfyear_pools": {"active_pairings": "pairings_active_end", "new_volunteers": "volunteers_new"},
    "halfyear_pairing_forms": {"pairings": "pairings_active_end"},
    "halfyear_volunteers": {"volunteers": "volunteers_on_record", "new_volunteers": "volunteers_new",
                            "active": "volunteers_active"},
    "monthly_donations": {"donations": "donations_count", "amount": "donations_yuan"},
    "monthly_expenditures": {"expenses": "expenditures_count", "amount": "expenditures_yuan"},
    "coverage_towns": {"registered": "children_registered", "surveyed": "children_surveyed",
                       "paired": "children_paired", "unpaired": "children_unpaired",
                       "unsurveyed": "children_unsurveyed"},
    "hours_towns": {"active": "volunteers_active", "participations": "participations",
                    "hours": "volunteer_hours", "no_minutes": "participations_no_minutes"},
    "five_ones_pairs": {"pairs": "pairs_in_period", "kept0": "pairs_kept_none"},
    "children_category": CHILDREN_TOTALS,
    "children_gender": CHILDREN_TOTALS,
    "children_age": CHILDREN_TOTALS,
    "organisations": {"volunteers": "volunteers_on_record", "hours": "volunteer_hours"},
    "projects": {"expenses": "expenditures_count", "amount": "expenditures_yuan"},
    "feedback_counts": {"carried": "feedback_carried", "raised": "feedback_raised",
                        "resolved": "feedback_resolved", "open": "feedback_open",
                        "open_old": "feedback_open_old"},
}
# query: (columns whose rows add up to the total, event columns that add up
# less the events counted in two towns)
ADDITIVE = {
    "monthly_five_ones": (["paired", "contacted", "wishes"], ["calls", "reading", "holiday", "birthday"]),
    "halfyear_towns": (["paired", "wishes", "spent"], ["calls", "reading", "holiday", "birthday"]),
    "range_towns": (["profiled", "paired", "wishes", "spent"], ["calls", "reading", "holiday", "birthday"]),
    "halfyear_pools": (["paired_pool", "reserve_pool", "new_volunteers", "active_pairings"], []),
    "halfyear_volunteers": (["volunteers", "mothers", "fathers", "new_volunteers", "active"], []),
    "halfyear_pairing_forms": (["pairings", "volunteers", "children"], []),
    "halfyear_closures": (["pairings"], []),
    "halfyear_training": (["events", "attendances"], []),
    "monthly_donations": (["donations", "amount"], []),
    "monthly_expenditures": (["expenses", "amount"], []),
    "coverage_towns": (["registered", "surveyed", "paired", "unpaired", "unsurveyed"], []),
    "hours_towns": (["active", "participations", "hours", "no_minutes"], []),
    "five_ones_pairs": (["pairs", "all_kept", "kept4", "kept3", "kept2", "kept1", "kept0"], []),
    "children_category": (["children", "paired"], []),
    "children_gender": (["children", "paired"], []),
    "children_age": (["children", "paired"], []),
    "organisations": (["volunteers", "pairings", "hours", "given", "restricted"], []),
    "projects": (["expenses", "amount"], []),
    "feedback_counts": (["carried", "raised", "resolved", "open", "open_old"], []),
}
# query: (columns a row adds, columns it subtracts): each row balances to 0
BALANCES = {
    "feedback_counts": (["carried", "raised"], ["resolved", "open"]),
}
RATIOS = {   # query: (rate column, numerator, denominator) or a list of them, row by row
    "monthly_five_ones": ("contact_rate", "contacted", "paired"),
    "halfyear_trend": ("contact_rate", "contacted", "paired"),
    "halfyear_needs": ("coverage", "served", "children"),
    "halfyear_retention": ("value", "active", "started"),
    "halfyear_never_trained": ("share", "never_trained", "volunteers"),
    "monthly_contact_rate": ("value", "contacted", "paired"),
    "coverage_towns": [("survey_rate", "surveyed", "registered"), ("pair_rate", "paired", "registered")],
    "hours_towns": ("hours_per_volunteer", "hours", "active"),
}
TREND = dict(EVENTS, paired="children_paired", contacted="children_contacted",
             contact_rate="contact_rate")
LIST_FIGURE = {"monthly_uncontacted": "children_not_contacted", "monthly_rejects": "rows_rejected",
               "coverage_unpaired": "children_unpaired", "coverage_unsurveyed": "children_unsurveyed",
               "five_ones_none": "pairs_kept_none", "feedback_raised": "feedback_raised",
               "feedback_open": "feedback_open_old"}
MANIFEST_FIGURES = {"children_paired": "children_paired", "children_contacted": "children_contacted",
                    "contact_rate": "contact_rate", "volunteers_active": "volunteers_active",
                    "calls": "calls", "reading": "reading", "holiday": "holiday",
                    "birthdays": "birthdays", "wishes_fulfilled": "wishes_fulfilled",
                    "donations_fen": "donations_yuan", "expenditures_fen": "expenditures_yuan",
                    "rows_rejected": "rows_rejected"}
ADDITIVE_FIGURES = ["calls", "reading", "holiday", "birthdays", "wishes_fulfilled",
                    "donations_yuan", "donations_count", "expenditures_yuan", "expenditures_count",
                    "volunteer_hours", "participations", "participations_no_minutes"]
BOUNDED_FIGURES = ["children_paired", "volunteers_active"]   # max(months) <= x <= sum(months)
CHILD_QUERY_COLS = {"paired", "contacted", "not_contacted", "profiled", "children", "served"}


def is_child_figure(key):
    base = key.split(":")[-1]
    return base.startswith("children")


# ---- a report ----------------------------------------------------------


def month_add(ym, n):
    y, m = int(ym[:4]), int(ym[5:7])
    k = y * 12 + (m - 1) + n
    return "%04d-%02d" % (k // 12, k % 12 + 1)


def months_between(f, t):
    out, m = [], f[:7]
    while m <= t[:7]:
        out.append(m)
        m = month_add(m, 1)
    return out


def last_day(ym):
    return (datetime.date(int(ym[:4]), int(ym[5:7]), 1) + datetime.timedelta(days=32)).replace(day=1) \
        - datetime.timedelta(days=1)


def whole_months(f, t):
    return f[8:] == "01" and t == last_day(t[:7]).isoformat()


class Report:
    def __init__(self, manifest_path):
        self.dir = os.path.dirname(manifest_path)
        self.m = json.load(open(manifest_path, encoding="utf-8"))
        self.kind, self.period = self.m["report"], self.m["period"]
        self.audience, self.lang = self.m["audience"], self.m["language"]
        self.suffix = "" if manifest_path.endswith("manifest.json") else "-" + self.lang
        self.name = "%s/%s/%s" % (self.kind, self.period, self.audience)
        self.mf = os.path.basename(manifest_path)
        self.pdf_name = "briefing%s.pdf" % self.suffix
        self.xlsx_name = "tables%s.xlsx" % self.suffix
        tpath = self.m.get("template", "")
        for base in (os.environ.get("HIMAMA_DATADIR"), ROOT):
            if base and os.path.exists(os.path.join(base, tpath)):
                tpath = os.path.join(base, tpath)
                break
        self.top, self.sections = parse_template(tpath)
        self.sections = [s for s in self.sections
                         if s.get("audience") in (None, self.audience)]
        self.rows = {s["id"]: s["rows"] for s in self.m.get("sections", [])}
        self.in_packs = {s["id"] for s in self.m.get("sections", []) if s.get("in_packs")}
        self.ctx = {"from": self.m["from"], "to": self.m["to"], "period": self.period}
        self.sheets = self.read_workbook()
        self.pdf_lines = self.read_pdf()

    def visible(self, s):
        return [c for c in s["cols"] if "hidden" not in c["flags"]
                and not (self.audience == "public" and "internal" in c["flags"])]

    def read_workbook(self):
        path = os.path.join(self.dir, self.xlsx_name)
        out = {}
        if not os.path.exists(path):
            return out
        wb = openpyxl.load_workbook(path, read_only=True)
        full = None   # the whole workbook, for the outline levels of a table by unit
        names = set(wb.sheetnames)
        for s in self.sections:
            if s.get("sheet") not in names:
                continue
            if s.get("levels"):
                full = full or openpyxl.load_workbook(path)
                ws = full[s["sheet"]]
            else:
                ws = wb[s["sheet"]]
            rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            heads = [c["header"] for c in self.visible(s)]
            hi = None
            for i, r in enumerate(rows):   # the first column's header may name the levels
                if len(r) >= len(heads) and all(
                        x == h or (isinstance(x, str) and x.endswith(" / " + h)) or (x is None and h == "")
                        for x, h in zip([("" if x is None else str(x)) for x in r], heads)):
                    hi = i
                    break
            texts = [x for r in rows for x in r if isinstance(x, str)]
            data = []
            if hi is not None:
                for r in rows[hi + 1:]:
                    if all(x is None for x in r):
                        break
                    data.append({c["name"]: r[k] for k, c in enumerate(self.visible(s)) if k < len(r)})
                texts1 = [x for x in data[0].values() if x is not None] if len(data) == 1 else []
                if texts1 and (texts1 == [s.get("empty")] or (
                        s["id"] in self.in_packs and len(texts1) == 1 and
                        words_rx(self.top.get("elsewhere", "")).match(str(texts1[0])))):
                    data = []   # the "empty" text where the rows would be
            depth = [ws.row_dimensions[hi + 2 + k].outline_level or 0 for k in range(len(data))] \
                if s.get("levels") and hi is not None else [0] * len(data)
            out[s["id"]] = {"data": data, "texts": texts, "header": hi is not None, "depth": depth}
        wb.close()
        return out

    def read_pdf(self):
        path = os.path.join(self.dir, self.pdf_name)
        if not os.path.exists(path):
            return []
        txt = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                             text=True).stdout
        lines = []
        for n, page in enumerate(txt.split("\f")):
            pl = page.split("\n")
            if n > 0:   # the running header
                for k, l in enumerate(pl):
                    if l.strip():
                        pl = pl[k + 1:]
                        break
            for l in pl:
                if re.search(r"第\s*\d+\s*页\s*/\s*共\s*\d+\s*页|Page \d+ of \d+\s*$", l):
                    continue
                lines.append(l)
        return lines

    def pdf_slices(self):
        """The briefing's lines by section, from its heading to the next."""
        starts, at = [], 0
        for s in self.sections:
            h = words_rx(((s.get("heading.public") if self.audience == "public" else None)
                          or s.get("heading", "")).strip())
            for i in range(at, len(self.pdf_lines)):
                if h.match(self.pdf_lines[i].strip()):
                    starts.append((i, s["id"]))
                    at = i + 1
                    break
        out = {}
        for k, (i, sid) in enumerate(starts):
            j = starts[k + 1][0] if k + 1 < len(starts) else len(self.pdf_lines)
            out[sid] = self.pdf_lines[i + 1:j]
        return out


# ---- checks within one report ------------------------------------------


class Checker:
    def __init__(self, coverage_from=None):
        self.regs = {}      # (kind, period) -> Registry
        self.months = Registry("months")   # "YYYY-MM:figure", across reports
        self.reports = []
        self.cover = coverage_from          # first month with data, or None
        self.small_seen = set()

    def reg(self, r):
        k = (r.kind, r.period)
        if k not in self.regs:
            self.regs[k] = Registry("%s/%s" % k)
        return self.regs[k]

    def covered(self, months):
        return self.cover is None or all(m >= self.cover for m in months)

    def small_rule(self, r, key, v, place, child_col=False):
        if v is not None and v.small and not child_col and not is_child_figure(key):
            fail(r.name, key, "public small-count '<3' on a figure that is not a count "
                 "of children", place)

    def add(self, r, key, v, place, child_col=False):
        if v is None:
            return
        self.small_rule(r, key, v, place, child_col)
        if key.startswith("prev:") or key.startswith("ly:"):
            # a comparison: the months it covers, checked across reports
            pre, fig = key.split(":", 1)
            self.comparison(r, pre, fig, v, place)
        if r.kind == "monthly" and ":" not in key:
            self.months.add(r.period + ":" + key, v, "%s %s" % (r.name, place))
        self.reg(r).add(key, v, "%s %s" % (r.audience, place))

    def comparison(self, r, pre, fig, v, place):
        if r.kind == "monthly":
            ms = [month_add(r.period, -1)] if pre == "prev" else []
        elif pre == "ly":
            ms = [month_add(m, -12) for m in months_between(r.m["from"], r.m["to"])]
        else:
            ms = []
        if not ms:
            return
        if self.cover is not None and not self.covered(ms):
            counted("comparison covered by the data")
            if not v.null and r.m["from"][:7] >= self.cover:
                fail(r.name, pre + ":" + fig, "compares with %s..%s, before the data starts "
                     "(%s), yet shows %s instead of '—'" % (ms[0], ms[-1], self.cover, v), place)
            return
        if pre == "prev":
            self.months.add(ms[0] + ":" + fig, v, "%s %s (last month)" % (r.name, place))
        else:
            self.later.append((r, fig, ms, v, place))

    # -- one report
    def run(self, r):
        self.reports.append(r)
        slices = r.pdf_slices()
        self.manifest_figures(r)
        for s in r.sections:
            sid, q = s["id"], s.get("query", "")
            wb = r.sheets.get(sid)
            pdf = slices.get(sid)
            nrows = r.rows.get(sid)
            if wb is not None:
                self.workbook_section(r, s, wb)
            if pdf is not None and s.get("kind") == "kpi" and wb is not None:
                self.pdf_tiles(r, s, wb, pdf)
            if pdf is not None and wb is not None and wb["data"]:
                self.pdf_total_row(r, s, wb, pdf)
            if wb is not None and s.get("levels"):
                self.levels(r, s, wb)
            if sid in r.in_packs:
                counted("list left to the packs")
                if nrows or (wb and wb["data"]):
                    fail(r.name, sid, "left to the packs (manifest in_packs), yet shows %s rows "
                         "(manifest), %s (workbook)" % (nrows, len(wb["data"]) if wb else None))
                continue
            if nrows is not None:
                self.add(r, rows_key(r, sid), Val(float(nrows)), "%s sections[%s].rows" % (r.mf, sid))
                if q in LIST_FIGURE:
                    self.add(r, LIST_FIGURE[q], Val(float(nrows)), "%s rows of list %s" % (r.mf, sid))
            self.sentences(r, s, wb, pdf, nrows)
            if pdf is not None and s.get("pdf_rows") and nrows:
                self.pdf_list_note(r, s, pdf, nrows)
        self.arithmetic(r)

    def manifest_figures(self, r):
        figs = r.m.get("figures")
        if not isinstance(figs, dict):
            return
        for k, v in figs.items():
            key = MANIFEST_FIGURES.get(k, k)
            if isinstance(v, str):
                val = val_text(v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                val = Val(float(v) / 100 if k.endswith("_fen") else float(v))
            elif v is None:
                val = NULL
            else:
                continue
            self.add(r, key, val, "%s figures.%s" % (r.mf, k))

    def cell_keys(self, r, s, col, rowno, nrows, row=None):
        """Figure keys for a cell: its own and the headline figure it is."""
        q, sid = s.get("query", ""), s["id"]
        # rows may sort by their translated label: a cell is one language's;
        # and one audience's where the public report merges rows
        keys = ["cell-%s:%s.%s:%d" % (row_scope(r, sid), sid, col, rowno)]
        if q in KPI:
            metrics = query_metrics(q)
            mm, cols = KPI[q]
            if rowno <= len(metrics) and metrics[rowno - 1] in mm and col in cols:
                keys.append(cols[col] + mm[metrics[rowno - 1]])
            if q == "range_money" and col == "items" and rowno <= len(metrics):
                keys.append(RANGE_MONEY_ITEMS.get(metrics[rowno - 1], "?"))
        if q in KPI_EXTRA and rowno == 1 and col in KPI_EXTRA[q]:
            keys.append(KPI_EXTRA[q][col])
        if q in TOTALS and nrows and rowno == nrows and col in TOTALS[q]:
            keys.append(TOTALS[q][col])
        if q == "halfyear_trend" and (col in TREND or col.endswith("_ly")):
            base = col[:-3] if col.endswith("_ly") else col
            if base in TREND:
                m = month_add(r.m["from"][:7], rowno - 1)
                if col.endswith("_ly"):
                    keys.append("ly-month:%s:%s" % (month_add(m, -12), TREND[base]))
                else:
                    keys.append("month:%s:%s" % (m, TREND[base]))
        return keys

    def add_cell(self, r, s, col, rowno, v, place, child_col):
        nrows = r.rows.get(s["id"])
        keys = self.cell_keys(r, s, col, rowno, nrows)
        if len(keys) == 1:   # a cell of no headline figure: its column says
            self.small_rule(r, keys[0], v, place, child_col)
        for key in keys:
            if key.startswith("month:"):
                self.small_rule(r, key, v, place, child_col)
                self.months.add(key[6:], v, "%s %s" % (r.name, place))
            elif key.startswith("ly-month:"):
                m, fig = key[9:].split(":", 1)
                if self.cover is not None and m < self.cover:
                    if not v.null:
                        fail(r.name, "ly:" + fig, "compares with %s, before the data starts (%s), "
                             "yet shows %s instead of '—'" % (m, self.cover, v), place)
                else:
                    self.months.add(key[9:], v, "%s %s (same month last year)" % (r.name, place))
            elif key.startswith("cell-"):
                self.reg(r).add(key, v, "%s %s" % (r.audience, place))
            else:
                self.add(r, key, v, place, child_col)

    def workbook_section(self, r, s, wb):
        sid = s["id"]
        cols = {c["name"]: c for c in s["cols"]}
        data = wb["data"]
        if s.get("kind") in ("list",) or s.get("detail") == "yes":
            self.add(r, rows_key(r, sid), Val(float(len(data))), "%s sheet %s rows" % (r.xlsx_name, s.get("sheet")))
            return
        for i, row in enumerate(data, 1):
            label = next((str(x) for x in row.values() if isinstance(x, str)), "row %d" % i)
            for col, cell in row.items():
                c = cols[col]
                if c["fmt"] == "text" or c["fmt"] == "date":
                    continue
                v = val_cell(cell)
                place = "%s %s[%s].%s" % (r.xlsx_name, s.get("sheet"), label, c["header"])
                self.add_cell(r, s, col, i, v, place, "children" in c["flags"] and s.get("kind") != "kpi")
        self.table_sums(r, s, data)

    def levels(self, r, s, wb):
        cols = [c.strip() for c in s.get("sums", "").split(",") if c.strip()]
        rates = [c.split(":")[0].strip() for c in s.get("ratios", "").split(",") if c.strip()]
        rank = s.get("rank")
        rank = (rank.split(":")[0].strip(), rank.split(":")[1].split(",")[0].strip()) if rank else None
        n, bad = check_tree(wb["data"], wb["depth"], cols, rates, rank)
        for _ in range(n):
            counted("level adds up")
        for b in bad:
            fail(r.name, "%s.levels" % s["id"], "%s (%s sheet %s)" % (b, r.xlsx_name, s.get("sheet")))

    def table_sums(self, r, s, data):
        q = s.get("query", "")
        if q not in ADDITIVE or len(data) < 2:
            return
        plain, events = ADDITIVE[q]
        data = [d for d, lv in zip(data, r.sheets[s["id"]]["depth"]) if lv == 0]   # the top level
        total, parts = data[-1], data[:-1]
        tname = next((str(x) for x in total.values() if isinstance(x, str)), "?")
        twice = self.counted_twice.get((r.name, r.lang, s["id"]), Val(0.0))
        excess = []
        for col in plain + events:
            if col not in total:
                continue
            tv = val_cell(total[col])
            pv = [val_cell(p.get(col)) for p in parts]
            if tv is None or any(v is None for v in pv):
                continue
            sm = vsum([v if not v.null else Val(0.0) for v in pv])
            counted("table adds up to its total")
            hdr = next(c["header"] for c in s["cols"] if c["name"] == col)
            if col in plain:
                if not agree(sm, tv):
                    fail(r.name, "%s.%s" % (s["id"], col), "%s rows sum to %s, the total row "
                         "(%s) says %s (%s sheet %s, column %s)" % (len(parts), sm, tname, tv,
                                                                   r.xlsx_name, s.get("sheet"), hdr))
            else:
                if sm.hi < tv.lo - EPS:
                    fail(r.name, "%s.%s" % (s["id"], col), "%s rows sum to %s, less than the "
                         "total row (%s) %s (%s sheet %s, column %s)" % (len(parts), sm, tname, tv,
                                                                        r.xlsx_name, s.get("sheet"), hdr))
                excess.append(Val(sm.lo - tv.hi, sm.hi - tv.lo))
        if events and excess:
            ex = Val(sum(v.lo for v in excess), sum(v.hi for v in excess))
            if not agree(ex, twice):
                fail(r.name, "%s.events_counted_twice" % s["id"],
                     "the towns' events exceed the total row by %s, the note says %s (%s sheet %s)"
                     % (ex, twice, r.xlsx_name, s.get("sheet")))

    def pdf_tiles(self, r, s, wb, lines):
        labels = [str(row.get("label")) for row in wb["data"] if row.get("label")]
        vcols = [c for c in r.visible(s) if c["name"] not in ("label", "metric")]
        if not labels or not vcols:
            return
        first, others = vcols[0], vcols[1:]
        i = 0
        while i < len(lines):
            found = []
            for k, lab in enumerate(labels):
                for m in re.finditer(re.escape(lab), lines[i]):
                    found.append((m.start(), m.end(), k))
            found = [f for f in found if not any(g[0] <= f[0] and f[1] <= g[1] and g != f for g in found)]
            found.sort()
            if not found:
                i += 1
                continue
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines):
                break
            toks = re.split(r"\s{2,}", lines[j].strip())
            if len(toks) != len(found):
                fail(r.name, s["id"], "%s: the KPI tiles %s show %d values: %r" %
                     (r.pdf_name, [labels[k] for _, _, k in found], len(toks), lines[j].strip()))
            else:
                for (_, _, k), t in zip(found, toks):
                    self.add_cell(r, s, first["name"], k + 1, val_text(t),
                                  "%s tile %s" % (r.pdf_name, labels[k]), False)
            j += 1
            while j < len(lines) and lines[j].strip():
                for c in others:
                    vals = re.findall(re.escape(c["header"]) + r"\s*(" + NUM_RE + ")", lines[j])
                    if vals and len(vals) == len(found):
                        for (_, _, k), t in zip(found, vals):
                            self.add_cell(r, s, c["name"], k + 1, val_text(t),
                                          "%s tile %s %s" % (r.pdf_name, labels[k], c["header"]), False)
                j += 1
            i = j

    def pdf_total_row(self, r, s, wb, lines):
        total = wb["data"][-1]
        vis = r.visible(s)
        names = [c["name"] for c in vis]
        lab_i = next((k for k, n in enumerate(names) if isinstance(total.get(n), str)), None)
        if lab_i is None:
            return
        label = total[names[lab_i]]
        if not re.fullmatch(r"全[镇区市省国]合计|合计|总计|(Town|District|City|Province|National) "
                            r"total|Total|Sum", label):
            return
        want = [(n, total.get(n)) for n in names[lab_i + 1:] if total.get(n) is not None]
        for line in lines:
            toks = re.split(r"\s{2,}", line.strip())
            if toks and toks[0] == label:
                got = toks[1:]
                if len(got) != len(want):
                    fail(r.name, "%s.total" % s["id"], "%s: the total row shows %d figures where "
                         "the workbook has %d: %r" % (r.pdf_name, len(got), len(want), line.strip()))
                    return
                nrows = r.rows.get(s["id"]) or len(wb["data"])
                for (n, _), t in zip(want, got):
                    c = next(c for c in vis if c["name"] == n)
                    self.add_cell(r, s, n, nrows, val_text(t), "%s %s %s" % (r.pdf_name, label, c["header"]),
                                  "children" in c["flags"])
                return

    def sentences(self, r, s, wb, pdf, nrows):
        pdf_ns = re.sub(r"\s+", "", "\n".join(pdf)) if pdf is not None else None
        wb_ns = [re.sub(r"\s+", "", t) for t in wb["texts"]] if wb else []
        for field in ("intro", "note"):
            # a public report shows a section's public wording where it has one
            text = s.get(field + ".public") if r.audience == "public" else None
            text = text or s.get(field)
            if not text or not PH_RE.search(text):
                continue
            rx, refs = sentence_regex(text, r.ctx)
            if not refs:
                continue
            conditional = field == "note" and s.get("note_if")
            shown = (nrows or 0) > 0 or s.get("kind") in ("kpi", "text")
            found_any = False
            for where, texts in (("pdf", [pdf_ns] if pdf_ns is not None else []), ("xlsx", wb_ns)):
                m = None
                for t in texts:
                    m = rx.search(t)
                    if m:
                        break
                if not m:
                    if texts and shown and not conditional and (where == "pdf" or s.get("sheet")):
                        if where == "xlsx" and not wb:
                            continue
                        fail(r.name, "%s.%s" % (s["id"], field), "sentence not found in %s, its "
                             "figures cannot be checked: %s" %
                             (r.pdf_name if where == "pdf" else r.xlsx_name, text[:60]))
                    continue
                found_any = True
                fname = r.pdf_name if where == "pdf" else r.xlsx_name
                for (sec, col, row), t in zip(refs, m.groups()):
                    v = val_text(t)
                    place = "%s sentence {%s.%s:%s}" % (fname, sec, col, row)
                    if col == "rows":
                        self.add(r, rows_key(r, sec), v, place)
                        q = next((x.get("query") for x in r.sections if x["id"] == sec), "")
                        if q in LIST_FIGURE:
                            self.add(r, LIST_FIGURE[q], v, place)
                        continue
                    sx = next((x for x in r.sections if x["id"] == sec), None)
                    if sx is None:
                        continue
                    n = r.rows.get(sec) or 1
                    rowno = n if row == "last" else int(row)
                    c = next((c for c in sx["cols"] if c["name"] == col), None)
                    child = c is not None and "children" in c["flags"] and sx.get("kind") != "kpi"
                    if col == "events_counted_twice":
                        self.counted_twice[(r.name, r.lang, sec)] = v
                    self.add_cell(r, sx, col, rowno, v, place, child)
            if not found_any and conditional:
                pass

    def pdf_list_note(self, r, s, pdf, nrows):
        txt = re.sub(r"\s+", "", "\n".join(pdf))
        m = re.search(r"仅列出前([0-9,]+)行，共([0-9,]+)行", txt) or \
            re.search(r"first([0-9,]+)rows?of([0-9,]+)", txt)
        if m:
            self.add(r, rows_key(r, s["id"]), val_text(m.group(2)), "%s list note (of %s rows)" % (r.pdf_name, m.group(2)))

    def arithmetic(self, r):
        g = self.reg(r)
        # paired - contacted = not contacted (the list of those not contacted)
        p, c, n = g.value("children_paired"), g.value("children_contacted"), g.value("children_not_contacted")
        if r.kind == "monthly" and p and c and n and not (p.null or c.null or n.null):
            d = Val(p.lo - c.hi, p.hi - c.lo)
            if not agree(d, n):
                fail(r.name, "children_not_contacted", "paired %s - contacted %s = %s, not %s" % (p, c, d, n))
        # flows that balance, row by row: carried + raised = resolved + open
        for s in r.sections:
            q = s.get("query", "")
            if q not in BALANCES:
                continue
            plus, minus = BALANCES[q]
            sc = row_scope(r, s["id"])
            for i in range(1, (r.rows.get(s["id"]) or 0) + 1):
                vals = [g.value("cell-%s:%s.%s:%d" % (sc, s["id"], c, i)) for c in plus + minus]
                if any(v is None or v.null for v in vals):
                    continue
                counted("row balances")
                a, b = vsum(vals[:len(plus)]), vsum(vals[len(plus):])
                if not agree(a, b):
                    fail(r.name, "%s.%s" % (s["id"], "+".join(plus)), "row %d: %s = %s, but %s = %s"
                         % (i, " + ".join(plus), a, " + ".join(minus), b))
        # rates against their parts, row by row (workbook rows and hidden columns)
        for s in r.sections:
            q = s.get("query", "")
            if q not in RATIOS:
                continue
            n = r.rows.get(s["id"]) or 0
            ratios = RATIOS[q] if isinstance(RATIOS[q], list) else [RATIOS[q]]
            for (rate, num, den), i in ((x, i) for x in ratios for i in range(1, n + 1)):
                sc = row_scope(r, s["id"])
                rv = g.value("cell-%s:%s.%s:%d" % (sc, s["id"], rate, i))
                nv = g.value("cell-%s:%s.%s:%d" % (sc, s["id"], num, i))
                dv = g.value("cell-%s:%s.%s:%d" % (sc, s["id"], den, i))
                if not (rv and nv and dv) or rv.null or nv.null or dv.null:
                    continue
                x = vratio(nv, dv)
                counted("rate equals its ratio")
                if x is not None and not agree(x, rv):
                    fail(r.name, "%s.%s" % (s["id"], rate), "row %d: %s / %s = %s, the report says %s"
                         % (i, nv, dv, x, rv))

    # -- across reports
    def cross(self):
        for r, fig, ms, v, place in self.later:
            self.sum_check(r, "ly:" + fig, fig, ms, v, place)
        done = set()
        for r in self.reports:
            k = (r.kind, r.period, r.audience)
            if k in done:
                continue
            done.add(k)
            g = self.reg(r)
            if r.kind == "monthly":
                jan = r.period[:5] + "01"
                ms = months_between(jan, r.period)
                for fig in ADDITIVE_FIGURES + BOUNDED_FIGURES:
                    v = g.value("ytd:" + fig)
                    if v is not None:
                        self.sum_check(r, "ytd:" + fig, fig, ms, v, "year to date")
                v = g.value("ytd:contact_rate")
                if v is not None:
                    self.rate_check(r, "ytd:contact_rate", ms, v)
                continue
            if r.kind == "range" and not whole_months(r.m["from"], r.m["to"]):
                continue
            ms = months_between(r.m["from"], r.m["to"])
            for fig in ADDITIVE_FIGURES + BOUNDED_FIGURES:
                v = g.value(fig)
                if v is not None:
                    self.sum_check(r, fig, fig, ms, v, r.kind)
            v = g.value("contact_rate")
            if v is not None and r.kind != "range":
                self.rate_check(r, "contact_rate", ms, v)

    def month_vals(self, fig, ms):
        vals = [self.months.value("%s:%s" % (m, fig)) for m in ms]
        if any(v is None or v.null for v in vals):
            return None
        return vals

    def sum_check(self, r, key, fig, ms, v, place):
        if v.null:
            return
        vals = self.month_vals(fig, ms)
        if vals is None:
            return
        sm = vsum(vals)
        counted("months add up")
        span = "%s..%s" % (ms[0], ms[-1])
        if fig in BOUNDED_FIGURES:
            mx = max(x.lo for x in vals)
            if v.hi < mx - EPS or v.lo > sm.hi + EPS:
                fail(r.name, key, "%s is outside [largest month %g, sum of months %g] over %s (%s)"
                     % (v, mx, sm.hi, span, place))
        elif not agree(sm, v):
            fail(r.name, key, "%s, but the monthly reports of %s add up to %s (%s)" % (v, span, sm, place))

    def rate_check(self, r, key, ms, v):
        c = self.month_vals("children_contacted", ms)
        p = self.month_vals("children_paired", ms)
        if c is None or p is None:
            return
        x = vratio(vsum(c), vsum(p))
        counted("months add up")
        if x is not None and not agree(x, v):
            fail(r.name, key, "%s, but the months %s..%s give contacted %s / paired %s = %s"
                 % (v, ms[0], ms[-1], vsum(c), vsum(p), x))


# ---- driving -----------------------------------------------------------


def find_manifests(paths):
    out = []
    for p in paths:
        for root, dirs, files in os.walk(p):
            dirs.sort()
            if "rejects" in root.split(os.sep):
                continue
            for f in sorted(files):
                if re.fullmatch(r"manifest(-[a-z]+)?\.json", f):
                    out.append(os.path.join(root, f))
    return out


def write_monthlies(args, manifests, work):
    """Write, with the program, the monthly reports the half years, years,
    ranges and months found need, in both audiences (Chinese)."""
    need = set()
    for mp in manifests:
        m = json.load(open(mp, encoding="utf-8"))
        f, t = m["from"], m["to"]
        ms = months_between(f, t)
        if m["report"] == "monthly":
            ms = months_between(f[:5] + "01-01", t) + [month_add(f[:7], -1)]
        elif m["report"] in ("halfyear", "annual"):
            ms += [month_add(x, -12) for x in ms]
        for x in ms:
            need.add((x, m["audience"]))
    have = {(json.load(open(mp, encoding="utf-8"))["period"], json.load(open(mp, encoding="utf-8"))["audience"])
            for mp in manifests if "/monthly/" in mp}
    out = os.path.join(work, "out")
    for month, aud in sorted(need - have):
        r = subprocess.run([args.himama, "--db", args.db, "--out", out, "report", "monthly", month,
                            "--audience", aud, "--lang", "zh"], capture_output=True, text=True)
        if r.returncode != 0:
            fail("monthly/%s/%s" % (month, aud), "report", "the program failed (exit %d): %s"
                 % (r.returncode, r.stderr.strip()[:200]))
    return find_manifests([out]) if os.path.isdir(out) else []


# ---- the nominations -----------------------------------------------------


def sheet_dicts(wb, name):
    if name not in wb.sheetnames:
        return None
    rows = [r for r in wb[name].iter_rows(values_only=True)]
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(x is not None for x in r)]


def nominations(r):
    """The nominations workbook and the dossiers of an internal annual report
    agree with one another (check 5)."""
    path = os.path.join(r.dir, "nominations%s.xlsx" % r.suffix)
    if r.kind != "annual" or r.audience != "internal" or not os.path.exists(path):
        return
    en = r.lang == "en"
    wb = openpyxl.load_workbook(path, read_only=True)
    card = sheet_dicts(wb, "Scorecard" if en else "评分表")
    short = sheet_dicts(wb, "Shortlist" if en else "推荐名单")
    pairs = sheet_dicts(wb, "Candidates' pairs" if en else "候选人结对五个一")
    wb.close()
    if card is None or short is None or pairs is None:
        fail(r.name, "nominations", "a sheet is missing from " + os.path.basename(path))
        return
    idk, kid = ("Volunteer ID", "Children paired") if en else ("志愿者编号", "结对儿童（名）")
    by_id = {x[idk]: x for x in card}
    for c in short:
        counted("nominations")
        row = by_id.get(c[idk])
        diff = [k for k in c if row is None or row.get(k) != c[k]]
        if diff:
            fail(r.name, "shortlist", "%s differs from the scorecard in %s" % (c[idk], diff))
        with_record = [p for p in pairs if p[idk] == c[idk] and p[list(p)[8]] is not None]
        if row is not None and len(with_record) != row[kid]:
            fail(r.name, "candidates' pairs", "%s: %d pairs with a record, scorecard %s children"
                 % (c[idk], len(with_record), row[kid]))
    base = os.path.join(r.dir, "dossiers" + r.suffix)
    pdfs = sorted(glob.glob(base + ".pdf") + glob.glob(base + "-[0-9]*.pdf"))
    text = "".join(subprocess.run(["pdftotext", f, "-"], capture_output=True, text=True).stdout
                   for f in pdfs)
    blocks = re.split(r"(?:编号|ID) (V[0-9A-Za-z_-]+)", text)
    shown = {blocks[i]: blocks[i + 1] for i in range(1, len(blocks) - 1, 2)}
    hours_re = r"(\d+)\s*h\b" if en else r"(\d+)\s*小时"
    hk, sk = ("Service hours", "Score") if en else ("服务时长（小时）", "得分")
    for c in short:
        counted("dossiers")
        b = shown.get(c[idk])
        if b is None:
            fail(r.name, "dossiers", "no block for %s" % c[idk])
            continue
        score = re.search(r"(?:score|得分) (\d+)", text.split(c[idk])[0][-200:])
        h = re.search(hours_re, b)
        # each pair's months with a call of months paired, and kept of due:
        # the "a/b" of the block up to its stories
        table = b.split("Stories of the year" if en else "本年度事迹")[0]
        kept = re.findall(r"\b(\d+)/(\d+)\b", table)
        want = []
        for p in pairs:
            v = list(p.values())
            if p[idk] == c[idk] and v[8] is not None:
                want += [(str(v[9]), str(v[8])), (str(v[15]), str(v[16]))]
        if not h or int(h.group(1)) != c[hk] or not score or int(score.group(1)) != c[sk]:
            fail(r.name, "dossiers", "%s: hours %s score %s, shortlist %s and %s"
                 % (c[idk], h and h.group(1), score and score.group(1), c[hk], c[sk]))
        if sorted(kept) != sorted(want):
            fail(r.name, "dossiers", "%s: calls and five ones kept %s, workbook %s"
                 % (c[idk], kept, want))


def data_start(db):
    r = subprocess.run(["sqlite3", "-batch", "-noheader", db, "SELECT min(date) FROM activities"],
                       capture_output=True, text=True)
    s = r.stdout.strip()
    return s[:7] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--db", help="the database the reports came from: write the monthly "
                    "reports the cross checks need, and learn when the data starts")
    ap.add_argument("--himama", default=os.path.join(ROOT, "himama"))
    ap.add_argument("--work", help="where to write those monthly reports (default: a temporary folder)")
    args = ap.parse_args()
    manifests = find_manifests(args.paths)
    if not manifests:
        print("no reports found under %s" % " ".join(args.paths))
        return 1
    tmp = None
    if args.db:
        work = args.work or tempfile.mkdtemp(prefix="consistency-")
        tmp = None if args.work else work
        manifests += write_monthlies(args, manifests, work)
    ck = Checker(data_start(args.db) if args.db else None)
    ck.later = []
    ck.counted_twice = {}
    # the sentences first (they carry the hidden events_counted_twice), so
    # read each report twice: once for its notes, once for everything
    reports = [Report(mp) for mp in manifests]
    kept = list(FAILS)
    for r in reports:
        pre = Checker(None)
        pre.later, pre.counted_twice = [], {}
        for s in r.sections:
            pre.sentences(r, s, r.sheets.get(s["id"]), None, r.rows.get(s["id"]))
        ck.counted_twice.update(pre.counted_twice)
    FAILS[:] = kept
    for r in reports:
        ck.run(r)
    for g in ck.regs.values():
        g.check()
    ck.months.check()
    ck.cross()
    for r in reports:
        nominations(r)
    if tmp:
        subprocess.run(["rm", "-rf", tmp])
    seen = set()
    for f in fail_lines():
        if f not in seen:
            seen.add(f)
            print(f)
    print("checks made: " + ", ".join("%s %d" % kv for kv in sorted(CHECKS.items())))
    print("%d reports read, %d checks failed" % (len(reports), len(seen)))
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main())
