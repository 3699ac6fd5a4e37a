/*
 * manifest.c - the manifest.json of a report.
 *
 * The JSON is written by hand with hm_strbuf_add_json for every string, in
 * a fixed key order, so the same report gives the same bytes.
 */
#include "himama/manifest.h"
#include "himama/sha256.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

hm_error hm_manifest_file_sha256(const char *path, char out[65], int64_t *bytes)
{
    unsigned char buf[65536];
    hm_sha256 c;
    size_t n;
    int64_t total = 0;
    out[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return HM_EIO;
    hm_sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        hm_sha256_update(&c, buf, n);
        total += (int64_t)n;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        hm_sha256_release(&c);
        return HM_EIO;
    }
    hm_sha256_final_hex(&c, out);
    if (bytes)
        *bytes = total;
    return HM_OK;
}

/* Append "key": and the JSON string of s (null when s is NULL). */
static void add_str(hm_strbuf *sb, const char *indent, const char *key, const char *s, bool comma)
{
    hm_strbuf_addf(sb, "%s\"%s\": ", indent, key);
    if (s)
        hm_strbuf_add_json(sb, s);
    else
        hm_strbuf_adds(sb, "null");
    hm_strbuf_adds(sb, comma ? ",\n" : "\n");
}

/*
 * The report's headline figures as a JSON object, in template order: a
 * number as it is (a percentage as its fraction, money in fen), "<3" for
 * one the public small-count rule hides, null for one without a value.
 * A figure whose section is not in this report (the data problems of a
 * public one) is left out: the report does not show it.
 */
static void add_figures(hm_strbuf *sb, const hm_report *r)
{
    size_t n = 0;
    hm_strbuf_adds(sb, "  \"figures\": {");
    for (size_t i = 0; i < r->nfig; i++) {
        const hm_figure *f = &r->fig[i];
        if (!f->present)
            continue;
        hm_strbuf_adds(sb, n++ ? ",\n    " : "\n    ");
        hm_strbuf_add_json(sb, f->key);
        hm_strbuf_adds(sb, ": ");
        if (f->value.type == HM_V_NULL)
            hm_strbuf_adds(sb, "null");
        else if (f->hidden)
            hm_strbuf_add_json(sb, "<3");
        else if (f->value.type == HM_V_INT)
            hm_strbuf_addf(sb, "%" PRId64, f->value.i);
        else if (f->value.type == HM_V_REAL && isfinite(f->value.r))
            hm_strbuf_addf(sb, "%.10g", f->value.r);
        else if (f->value.type == HM_V_TEXT)
            hm_strbuf_add_json(sb, f->value.s);
        else
            hm_strbuf_adds(sb, "null");
    }
    hm_strbuf_adds(sb, n ? "\n  },\n" : "},\n");
}

/* The ingest_log rows of files loaded so far, as a JSON array; for the
 * public audience without the file's name (staff name files after
 * children): its digest, kind and row counts identify it. */
static hm_error add_inputs(sqlite3 *db, bool public_aud, hm_strbuf *sb, char *err,
                           size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_OK;
    bool first = true;
    int src;
    if (sqlite3_prepare_v2(db, "SELECT id, file, sha256, kind, rows_read, rows_loaded, "
                           "rows_updated, rows_unchanged, rows_rejected, finished_at "
                           "FROM ingest_log WHERE status = 'loaded' ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "manifest: cannot list input files: %s", sqlite3_errmsg(db));
        return HM_EDB;
    }
    hm_strbuf_adds(sb, "  \"inputs\": [");
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        hm_strbuf_adds(sb, first ? "\n" : ",\n");
        first = false;
        hm_strbuf_addf(sb, "    {\n      \"ingest_id\": %" PRId64 ",\n",
                       (int64_t)sqlite3_column_int64(st, 0));
        if (!public_aud)
            add_str(sb, "      ", "file", (const char *)sqlite3_column_text(st, 1), true);
        add_str(sb, "      ", "sha256", (const char *)sqlite3_column_text(st, 2), true);
        add_str(sb, "      ", "kind", (const char *)sqlite3_column_text(st, 3), true);
        hm_strbuf_addf(sb, "      \"rows\": %" PRId64 ",\n      \"rows_loaded\": %" PRId64
                       ",\n      \"rows_updated\": %" PRId64 ",\n      \"rows_unchanged\": %"
                       PRId64 ",\n      \"rows_rejected\": %" PRId64 ",\n",
                       (int64_t)sqlite3_column_int64(st, 4), (int64_t)sqlite3_column_int64(st, 5),
                       (int64_t)sqlite3_column_int64(st, 6), (int64_t)sqlite3_column_int64(st, 7),
                       (int64_t)sqlite3_column_int64(st, 8));
        add_str(sb, "      ", "loaded_at", (const char *)sqlite3_column_text(st, 9), false);
        hm_strbuf_adds(sb, "    }");
    }
    if (src != SQLITE_DONE) {
        snprintf(err, errsz, "manifest: cannot list input files: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
    }
    hm_strbuf_adds(sb, first ? "],\n" : "\n  ],\n");
    sqlite3_finalize(st);
    return rc;
}

/* The district databases rolled up into this one (table rollups), as a
 * JSON array: code, SHA-256, schema version, latest ingest, when rolled up
 * (and the file, but for the public audience).  Nothing when there are
 * none, so a district's manifest is as it was. */
static hm_error add_rollups(sqlite3 *db, bool public_aud, hm_strbuf *sb, char *err,
                            size_t errsz)
{
    sqlite3_stmt *st = NULL;
    bool first = true;
    int src;
    if (sqlite3_prepare_v2(db, "SELECT code, file, sha256, schema_version, last_ingest, "
                           "rolled_at FROM rollups ORDER BY code", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "manifest: cannot list rolled-up databases: %s",
                 sqlite3_errmsg(db));
        return HM_EDB;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        hm_strbuf_adds(sb, first ? "  \"rollups\": [\n" : ",\n");
        first = false;
        hm_strbuf_adds(sb, "    {\n");
        add_str(sb, "      ", "code", (const char *)sqlite3_column_text(st, 0), true);
        if (!public_aud)
            add_str(sb, "      ", "file", (const char *)sqlite3_column_text(st, 1), true);
        add_str(sb, "      ", "sha256", (const char *)sqlite3_column_text(st, 2), true);
        hm_strbuf_addf(sb, "      \"schema_version\": %d,\n", sqlite3_column_int(st, 3));
        add_str(sb, "      ", "last_ingest", (const char *)sqlite3_column_text(st, 4), true);
        add_str(sb, "      ", "rolled_up_at", (const char *)sqlite3_column_text(st, 5), false);
        hm_strbuf_adds(sb, "    }");
    }
    hm_error rc = HM_OK;
    if (src != SQLITE_DONE) {
        snprintf(err, errsz, "manifest: cannot list rolled-up databases: %s", sqlite3_errmsg(db));
        rc = HM_EDB;
    }
    if (!first)
        hm_strbuf_adds(sb, "\n  ],\n");
    sqlite3_finalize(st);
    return rc;
}

hm_error hm_manifest_build(sqlite3 *db, const hm_report *r, const char *template_name,
                           const hm_manifest_output *outs, size_t nout, hm_strbuf *sb,
                           char *err, size_t errsz)
{
    char now[21];
    hm_error rc;
    hm_time_format(hm_now(), now);
    hm_strbuf_adds(sb, "{\n");
    add_str(sb, "  ", "report", r->kind, true);
    add_str(sb, "  ", "period", r->period, true);
    add_str(sb, "  ", "from", r->from, true);
    add_str(sb, "  ", "to", r->to, true);
    hm_strbuf_addf(sb, "  \"period_complete\": %s,\n", r->complete ? "true" : "false");
    add_str(sb, "  ", "audience", r->audience, true);
    add_str(sb, "  ", "language", r->lang, true);
    add_str(sb, "  ", "generated_at", now, true);
    add_str(sb, "  ", "program", "himama", true);
    add_str(sb, "  ", "version", HIMAMA_VERSION, true);
    add_str(sb, "  ", "template", template_name, true);
    if (r->unit_path) {   /* a unit's report (scope.h) */
        hm_strbuf_adds(sb, "  \"unit\": {\n");
        add_str(sb, "    ", "level", r->unit_level, true);
        add_str(sb, "    ", "path", r->unit_path, false);
        hm_strbuf_adds(sb, "  },\n");
    }
    add_figures(sb, r);
    bool public_aud = r->audience && strcmp(r->audience, "public") == 0;
    if ((rc = add_inputs(db, public_aud, sb, err, errsz)) != HM_OK ||
        (rc = add_rollups(db, public_aud, sb, err, errsz)) != HM_OK)
        return rc;
    hm_strbuf_adds(sb, "  \"outputs\": [");
    for (size_t i = 0; i < nout; i++) {
        char hex[65];
        int64_t bytes = 0;
        if (hm_manifest_file_sha256(outs[i].path, hex, &bytes) != HM_OK) {
            snprintf(err, errsz, "manifest: cannot digest '%s'", outs[i].path);
            return HM_EIO;
        }
        hm_strbuf_adds(sb, i ? ",\n    {\n" : "\n    {\n");
        add_str(sb, "      ", "file", outs[i].name, true);
        add_str(sb, "      ", "sha256", hex, true);
        hm_strbuf_addf(sb, "      \"bytes\": %" PRId64 "\n    }", bytes);
    }
    hm_strbuf_adds(sb, nout ? "\n  ],\n" : "],\n");
    hm_strbuf_adds(sb, "  \"sections\": [");
    for (size_t i = 0; i < r->nsec; i++) {
        const hm_section *s = &r->sec[i];
        hm_strbuf_adds(sb, i ? ",\n    {\n" : "\n    {\n");
        add_str(sb, "      ", "id", s->id, true);
        add_str(sb, "      ", "heading", s->heading, true);
        add_str(sb, "      ", "sheet", s->sheet, true);
        add_str(sb, "      ", "query", s->query, true);
        hm_strbuf_addf(sb, "      \"rows\": %zu%s\n    }", hm_table_rows(&s->table),
                       s->in_packs ? ",\n      \"in_packs\": true" : "");
    }
    hm_strbuf_adds(sb, r->nsec ? "\n  ]\n}\n" : "]\n}\n");
    return HM_OK;
}
