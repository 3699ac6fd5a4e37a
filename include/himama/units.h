/*
 * units.h - the units above the towns (provinces, cities, districts) and
 * the towns themselves, as the views town_units and units of
 * queries/schema.sql read them from the towns table (store/units.c).
 *
 * A unit is keyed by its path: the keys (codes or names, as the towns
 * file gives them) from the province down to the unit, joined by '/'.
 * A town whose levels are all empty belongs to the organisation's own
 * district, which is the whole database and has no unit.
 */
#ifndef HIMAMA_UNITS_H
#define HIMAMA_UNITS_H

#include <sqlite3.h>
#include <stddef.h>

#include "himama.h"

typedef struct hm_unit {
    char level[16];     /* "province", "city", "district" or "town" */
    char *path;         /* e.g. "江苏省/南通市/海门区"; a town's ends in its code */
    char *key;          /* the code or name the towns file gives; a town's code */
    char *name;         /* a town's name (its code when it has none); else key */
    long long towns;    /* the towns in it (1 for a town) */
} hm_unit;

/*
 * Find the one unit spec names in db: a path ("江苏省/南通市/海门区", or
 * its end: "南通市/海门区"), a unit's code or name, or a town's code or
 * name.  HM_OK with *u filled (release it with hm_unit_release);
 * HM_ENOTFOUND when nothing matches ("unknown unit 'X'"), HM_EUSAGE when
 * more than one unit does ("unit 'X' is ambiguous: A, B; give its path"),
 * err saying so; HM_EDB on a database error.  On error *u holds nothing.
 */
hm_error hm_unit_resolve(sqlite3 *db, const char *spec, hm_unit *u,
                         char *err, size_t errsz);

/* Free what u holds (u itself is the caller's); NULL is fine. */
void hm_unit_release(hm_unit *u);

/*
 * Fill the temporary table temp.unit_towns (town_code TEXT PRIMARY KEY,
 * created when missing, emptied first) with the town codes of u, so a
 * report's queries can join it.  *n (may be NULL) gets how many.
 */
hm_error hm_unit_fill_towns(sqlite3 *db, const hm_unit *u, long long *n,
                            char *err, size_t errsz);

#endif
