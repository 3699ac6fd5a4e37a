/*
 * redact.h - free text cleaned for the public audience: known names,
 * schools and phone numbers replaced, and each child's public alias.
 *
 * A dictionary is built once per report run from the store
 * (hm_redact_load); hm_redact_text then cleans any text staff typed (story
 * titles and texts, wish descriptions, notes, end reasons) before it
 * reaches a public output:
 *
 *   - a child's name (and, for a name of three or more characters, the
 *     given name without the surname) becomes the child's public alias
 *     as the public lists show it (hm_redact_alias);
 *   - a guardian's or class teacher's name becomes the surname and 某
 *     (张某; a compound surname is kept whole: 欧阳某);
 *   - a school name becomes 某学校;
 *   - a known phone number, any mainland mobile number (11 digits,
 *     1[3-9]...), any landline with its area code (0 and 9-11 more
 *     digits), and any identity or bank-card like number (15 to 19 digits,
 *     an 18-digit identity number ending in X) becomes ***, also when
 *     written with full-width digits or with spaces or dashes between its
 *     groups.
 *
 * Matching is leftmost-longest: at each position the longest known string
 * wins, so a name inside a longer known string (a two-character name
 * inside a three-character one, a name inside a school's name) is never
 * replaced on its own.  redact.c opens with the rules for the edge cases.
 *
 * Public aliases: a child without an alias is shown by child_id (as
 * DESIGN.md says); children of one town who share an alias get a suffix
 * ①②③... (from 21 on: （21）) in child_id order, over every child in the
 * store, whatever the period, so a child has the same display alias in
 * every report made from the same store.
 *
 * Ownership: an hm_redact owns everything it holds; hm_redact_free frees
 * it.  Nothing here prints or exits.
 */
#ifndef HIMAMA_REDACT_H
#define HIMAMA_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "himama.h"
#include "himama/util.h"

/*
 * The query that gives each child's public alias: columns child_id and
 * public_alias, one row per child of the store.  It can be used as a
 * subquery or a CTE in a report's query (JOIN (HM_REDACT_ALIAS_SQL) a
 * USING (child_id)); hm_redact_load reads the same query (of
 * main.children: HM_REDACT_ALIAS_FROM names the table), so both always
 * agree.
 */
#define HM_REDACT_ALIAS_FROM(CHILDREN)                                                \
    "SELECT child_id, CASE"                                                           \
    " WHEN alias IS NULL THEN child_id"                                               \
    " WHEN count(*) OVER (PARTITION BY town_code, alias) = 1 THEN alias"              \
    " WHEN row_number() OVER w <= 20 THEN alias || char(9311 + row_number() OVER w)"  \
    " ELSE alias || '（' || row_number() OVER w || '）' END AS public_alias"          \
    " FROM (SELECT child_id, town_code, nullif(trim(alias), '') AS alias"             \
    " FROM " CHILDREN ")"                                                             \
    " WINDOW w AS (PARTITION BY town_code, alias ORDER BY child_id)"
#define HM_REDACT_ALIAS_SQL HM_REDACT_ALIAS_FROM("children")

typedef struct hm_redact hm_redact;

/*
 * Build the dictionary from the store db (its children and volunteers)
 * into *out.  Returns HM_OK, or HM_EDB with err set (of size errsz) when
 * the store cannot be read; *out is then NULL.  OUT: *out, the caller's
 * to free with hm_redact_free.
 */
hm_error hm_redact_load(sqlite3 *db, hm_redact **out, char *err, size_t errsz);

/*
 * As hm_redact_load, but the dictionary holds only each child's public
 * alias: public_alias() answers as with the full one, while redact()
 * cleans numbers alone.  For an internal report, whose queries call
 * redact() only for the public audience but show the alias: it reads
 * one column of the children and builds no key table.
 */
hm_error hm_redact_load_aliases(sqlite3 *db, hm_redact **out, char *err, size_t errsz);

/*
 * An empty dictionary that loads itself, as hm_redact_load (or with
 * aliases_only as hm_redact_load_aliases) would, the first time one of
 * the SQL functions registered with it (hm_redact_register) needs it:
 * public_alias() of a child, or redact() of a text (redact() of an
 * aliases-only one needs nothing loaded).  It reads the store through the
 * connection that made the call, under a lock, so the connections it is
 * registered on must see one snapshot of one store (a report's connection
 * and its twin); a report that cleans no text and shows no child costs
 * nothing.  Never NULL; free it with hm_redact_free after the connections
 * are closed.  hm_redact_size counts what it holds so far.
 */
hm_redact *hm_redact_lazy(bool aliases_only);

/* Free r and all it holds; NULL is fine. */
void hm_redact_free(hm_redact *r);

/*
 * Append the cleaned form of the NUL-terminated text in to out.  Text
 * with nothing to clean is appended byte for byte.  Invalid UTF-8 bytes
 * become U+FFFD each, so out is always valid UTF-8.  Time is linear in
 * the length of in times the length of the longest known string; memory
 * beyond out is proportional to the longest known string alone.
 */
void hm_redact_text(const hm_redact *r, const char *in, hm_strbuf *out);

/*
 * As hm_redact_text, but where the text at a match is exactly keep (the
 * author's own name in their own story: a volunteer who shares a name with
 * a guardian or a teacher), it is left as written.  keep may be NULL.
 */
void hm_redact_text_keep(const hm_redact *r, const char *in, const char *keep,
                         hm_strbuf *out);

/*
 * The public alias of child_id (with its suffix when it collides, or the
 * child_id when the child has no alias), or NULL for an unknown child.
 * The string belongs to r.
 */
const char *hm_redact_alias(const hm_redact *r, const char *child_id);

/* Number of strings in r's dictionary: names, schools, and the known phone
 * numbers it keeps (those a lookup may ask for: of 7 to 19 digits and not
 * of a mobile number's or a landline's form, which are masked anyway). */
size_t hm_redact_size(const hm_redact *r);

/*
 * Register two SQL functions on db, both deterministic and for direct use
 * only (not in views, triggers or the schema):
 *   redact(text)            the text cleaned as hm_redact_text does;
 *                           NULL for NULL, other types unchanged;
 *   redact(text, keep)      as hm_redact_text_keep (keep: the author);
 *   public_alias(child_id)  hm_redact_alias, NULL for an unknown child.
 * r must stay alive as long as db may call them: free it only after
 * sqlite3_close(db) or after registering the functions again.  Returns
 * HM_OK or HM_EDB with err set.
 */
hm_error hm_redact_register(sqlite3 *db, const hm_redact *r, char *err, size_t errsz);

/*
 * Load a dictionary from db (the full one, or with aliases_only as
 * hm_redact_load_aliases) and register the functions with it on db alone;
 * the connection owns it and frees it when it closes or when the
 * functions are registered again.  For a connection that needs the
 * functions and has no second one to share a dictionary with (tests, a
 * one-off query).  Returns HM_OK or HM_EDB with err set.
 */
hm_error hm_redact_attach(sqlite3 *db, bool aliases_only, char *err, size_t errsz);

#endif
