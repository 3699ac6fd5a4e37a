# expand_includes.awk - a query file as himama reads it (hm_query_read in
# pipeline/report/params.c): each line "-- include NAME.sql" replaced by the
# file NAME.sql of the same folder, for the sqlite3 shell's .read.
#   awk -v dir=queries -f tests/bench/expand_includes.awk queries/X.sql
/^-- include [a-z0-9_]+\.sql[ \t\r]*$/ {
    f = dir "/" $3
    while ((getline line < f) > 0)
        print line
    close(f)
    next
}
{ print }
