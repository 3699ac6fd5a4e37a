#!/usr/bin/env bash
# End-to-end: ingest a hand-made directory of every kind (one file in
# GB18030 with Chinese headers and CRLF), check every count, reject and
# warning against the fixture, then re-ingest, force and overlap.
. "$(dirname "$0")/../e2e_lib.sh"
FIX=$ROOT/tests/fixtures/ingest

mkdir in
cp "$FIX"/*.csv in/
# Volunteers as Excel on Chinese Windows writes them: GB18030, CRLF, Chinese name.
sed 's/$/\r/' "$FIX/volunteers.utf8" | iconv -f UTF-8 -t GB18030 > "in/志愿者名单.csv"

hm ingest in 2> ingest.err; rc=$?
expect_eq "exit status with rejected rows" 2 "$rc"
cat ingest.err

# kind|encoding|read|loaded|updated|unchanged|rejected|warned, in load order
expect_eq "ingest_log" "towns|UTF-8|3|3|0|0|0|0
children|UTF-8|9|4|0|0|5|0
volunteers|GB18030|5|4|0|0|1|0
pairings|UTF-8|7|4|0|0|3|0
donations|UTF-8|5|3|0|0|2|0
trainings|UTF-8|2|2|0|0|0|0
activities|UTF-8|11|6|0|0|5|1
wishes|UTF-8|4|2|0|0|2|0
expenditures|UTF-8|3|2|0|0|1|0
attendance|UTF-8|4|3|0|0|1|0
stories|UTF-8|1|1|0|0|0|0" "$(q "SELECT kind, encoding, rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected, rows_warned FROM ingest_log ORDER BY id")"

expect_eq "counts add up" 0 "$(q "SELECT count(*) FROM ingest_log WHERE rows_read <> rows_loaded + rows_updated + rows_unchanged + rows_rejected")"
expect_eq "rejects rows match ingest_log" "$(q "SELECT sum(rows_rejected) FROM ingest_log")" "$(q "SELECT count(*) FROM rejects")"

rej() { q "SELECT r.line || '|' || r.\"column\" || '|' || r.reason FROM rejects r JOIN ingest_log l ON l.id = r.ingest_id WHERE l.kind = '$1' ORDER BY r.line"; }
children_rej=$(rej children)
expect_match "31 February" "^5\|birth_date\|.*calendar" "$children_rej"
expect_match "unknown town" "6\|town_code\|unknown town 'HM99'" "$children_rej"
expect_match "exit before registration" "7\|exited_on\|exits \(2023-01-01\) before being registered" "$children_rej"
expect_match "wrong enumeration" "8\|gender\|" "$children_rej"
expect_match "Excel serial" "9\|birth_date\|.*(Excel|serial)" "$children_rej"

vol_rej=$(rej volunteers)
expect_match "GB18030 reject names the Chinese header" "^6\|界别\|" "$vol_rej"

pair_rej=$(rej pairings)
expect_match "end before start" "^6\|ended_on\|ends \(2024-03-01\) before it starts" "$pair_rej"
expect_match "overlapping pairing" "7\|\|overlaps pairing 'P001'" "$pair_rej"
expect_match "unknown child" "8\|child_id\|unknown child 'C404'" "$pair_rej"

act_rej=$(rej activities)
expect_match "31 September" "9\|date\|" "$act_rej"
expect_match "future date" "10\|date\|.*future" "$act_rej"
expect_match "minutes over 1440" "11\|minutes\|" "$act_rej"
expect_match "unknown type" "13\|type\|" "$act_rej"
expect_match "text after closing quote" "15\|title\|" "$act_rej"
expect_eq "activity lines rejected" "9 10 11 13 15" "$(q "SELECT group_concat(line, ' ') FROM (SELECT r.line FROM rejects r JOIN ingest_log l ON l.id = r.ingest_id WHERE l.kind = 'activities' ORDER BY r.line)")"
expect_match "activity outside a pairing warned" "V004.*C009" "$(q "SELECT line || ' ' || reason FROM warnings WHERE reason LIKE 'activity outside%'")"
expect_eq "repeated header warned at its line" "14" "$(q "SELECT line FROM warnings WHERE reason LIKE '%header line repeats%'")"

expect_match "wish fulfilled before registration" "4\|fulfilled_on\|fulfilled \(2026-04-30\) before it was registered" "$(rej wishes)"
expect_match "negative money" "5\|est_cost\|" "$(rej wishes)"
expect_match "zero donation" "5\|amount\|" "$(rej donations)"
expect_match "1e5" "6\|amount\|" "$(rej donations)"
expect_match "unknown fund" "4\|fund\|unknown fund" "$(rej expenditures)"
expect_match "unknown training event" "5\|event_id\|unknown training event 'T003'" "$(rej attendance)"

# Stored values: trimmed, codes, fen, dates, needs in table order.
expect_eq "trimmed town" "HM03|常乐镇" "$(q "SELECT town_code, town_name FROM towns WHERE town_code = 'HM03'")"
expect_eq "child C002" "M|2012-07-09|distressed|contact;reading" "$(q "SELECT gender, birth_date, category, needs FROM children WHERE child_id = 'C002'")"
expect_eq "child C001 needs" "affection;wish" "$(q "SELECT needs FROM children WHERE child_id = 'C001'")"
expect_eq "child C003" "2013-02-28|festival;other|2026-06-30" "$(q "SELECT birth_date, needs, exited_on FROM children WHERE child_id = 'C003'")"
expect_eq "volunteer from GB18030" "江丽萍|mother|teacher|paired" "$(q "SELECT name, role, sector, pool FROM volunteers WHERE volunteer_id = 'V001'")"
expect_eq "money in fen" "D001|5000000 D002|100050 D003|1234567" "$(q "SELECT group_concat(donation_id || '|' || amount_fen, ' ') FROM (SELECT * FROM donations ORDER BY donation_id)")"
expect_eq "wish cost in fen" "12050" "$(q "SELECT est_cost_fen FROM wishes WHERE wish_id = 'W001'")"
expect_eq "time dropped, label to code" "2026-09-04|call" "$(q "SELECT date, type FROM activities WHERE activity_id = 'A002'")"
expect_eq "quoted comma and newline" "中秋游园, 猜灯谜|多行
备注" "$(q "SELECT title, notes FROM activities WHERE activity_id = 'A003' AND child_id = 'C001'")"
expect_eq "story with quotes and newline" '那天晚上, 小雨说:"今年生日好开心呀!"
我们约好明年再一起过。' "$(q "SELECT text FROM stories")"

# The rejects file: UTF-8 with BOM, the original fields, then line, column, reason.
cid=$(q "SELECT id FROM ingest_log WHERE kind = 'children'")
rf="out/rejects/$cid-children.csv.rejects.csv"
[ -f "$rf" ] || { echo "FAIL: no rejects file $rf"; ls -R out; fails=$((fails + 1)); }
expect_eq "rejects file BOM" "efbbbf" "$(head -c 3 "$rf" | od -An -tx1 | tr -d ' \n')"
expect_eq "rejects file rows (header and 5)" 6 "$(grep -c $'\r$' "$rf")"
expect_match "rejects file header" "child_id,name,alias.*,exited_on,line,column,reason,原因" "$(head -1 "$rf")"
expect_match "rejects file row" "^C004,赵二,.*,5,birth_date," "$(sed -n 2p "$rf")"

snapshot() {
    for t in towns children volunteers pairings activities wishes donations expenditures trainings attendance stories; do
        q "SELECT * FROM $t ORDER BY 1, 2, 3" | md5sum
    done
}
before=$(snapshot)

# The same files again: skipped, nothing changes.
hm ingest in 2> again.err; rc=$?
expect_eq "re-ingest exit" 0 "$rc"
expect_eq "re-ingest all skipped" 11 "$(q "SELECT count(*) FROM ingest_log WHERE status = 'skipped' AND rows_read = 0")"
expect_eq "re-ingest changes nothing" "$before" "$(snapshot)"

# --force: read again, every good row unchanged, the same rows rejected.
hm ingest --force in 2> force.err; rc=$?
expect_eq "forced re-ingest exit" 2 "$rc"
expect_eq "forced: unchanged = loaded before" "34|0|0|20" "$(q "SELECT sum(rows_unchanged), sum(rows_loaded), sum(rows_updated), sum(rows_rejected) FROM ingest_log WHERE id > 22")"
expect_eq "forced re-ingest changes nothing" "$before" "$(snapshot)"

# An overlapping re-export: one row changed, one new, one the same.
printf 'activity_id,date,type,volunteer_id,child_id,minutes\nA001,2026-09-03,call,V001,C001,20\nA002,2026-09-04,call,V001,C002,25\nA010,2026-09-30,call,V002,C001,10\n' > activities-2026-09-b.csv
hm ingest activities-2026-09-b.csv 2> overlap.err; rc=$?
expect_eq "overlap exit" 0 "$rc"
expect_eq "overlap counts" "3|1|1|1|0" "$(q "SELECT rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected FROM ingest_log ORDER BY id DESC LIMIT 1")"
expect_eq "audit of the change" 'activities|["A002","V001","C002"]|{"minutes":15}|{"minutes":25}' "$(q "SELECT table_name, key, old, new FROM audit")"
expect_eq "absent columns kept" "中秋游园, 猜灯谜" "$(q "SELECT title FROM activities WHERE activity_id = 'A003' AND child_id = 'C001'")"
expect_eq "activities total" 7 "$(q "SELECT count(*) FROM activities")"

# Files rejected whole: exit 3, one ingest_log row each, nothing loaded.
printf '\xff\xfeh\x00i\x00' > towns-utf16.csv
: > towns-empty.csv
printf 'foo,bar\n1,2\n' > misc.csv
printf 'child_id,name,town_code\nC100,某,HM01\n' > children-nobirth.csv
printf 'town_code,town_name,town_code\nHM09,x,HM09\n' > towns-dup.csv
printf 'town_code,town_name\n' > towns-headeronly.csv
for f in towns-utf16.csv towns-empty.csv misc.csv children-nobirth.csv towns-dup.csv; do
    hm ingest "$f" 2> whole.err; rc=$?
    expect_eq "$f rejected whole: exit" 3 "$rc"
    expect_eq "$f rejected whole: logged once" "rejected|0" "$(q "SELECT status, rows_read FROM ingest_log WHERE file = '$f'")"
done
expect_match "UTF-16 hint" "CSV UTF-8" "$(q "SELECT reason FROM ingest_log WHERE file = 'towns-utf16.csv'")"
expect_match "empty: no header" "no header" "$(q "SELECT reason FROM ingest_log WHERE file = 'towns-empty.csv'")"
expect_match "missing required column" "birth_date" "$(q "SELECT reason FROM ingest_log WHERE file = 'children-nobirth.csv'")"
expect_match "duplicate column" "twice" "$(q "SELECT reason FROM ingest_log WHERE file = 'towns-dup.csv'")"
hm ingest towns-headeronly.csv 2> /dev/null; rc=$?
expect_eq "header only is fine" "0|loaded|0" "$rc|$(q "SELECT status, rows_read FROM ingest_log WHERE file = 'towns-headeronly.csv'")"
expect_eq "nothing loaded from rejected files" 0 "$(q "SELECT count(*) FROM children WHERE child_id = 'C100'")"

# Two children of one town with one alias: loaded, with a warning on the
# second naming the first (public reports number them: 小雨①, 小雨②).
printf 'child_id,name,alias,gender,birth_date,town_code,category\nC201,刘小雨,小雨,女,2014-03-05,HM01,留守\n' > children-alias.csv
hm ingest children-alias.csv 2> alias.err; rc=$?
expect_eq "a shared alias loads" "0|1" "$rc|$(q "SELECT count(*) FROM children WHERE child_id = 'C201'")"
expect_eq "a shared alias is warned, naming the other child" \
    "2|alias '小雨' is also that of child 'C001' of the same town: public reports number them" \
    "$(q "SELECT w.line || '|' || w.reason FROM warnings w JOIN ingest_log l ON l.id = w.ingest_id WHERE l.file LIKE '%children-alias.csv'")"
finish
