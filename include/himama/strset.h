/*
 * strset.h - a set of byte strings, each with a value if the set keeps
 * them, in one arena: open addressing, FNV-1a hashing, no deletion.  Used
 * by ingest to remember which references it has already found and which
 * volunteer-child pairs were paired when (for a run of files), by the
 * summary tables to add rows up before merging them, by the report's
 * scope to map millions of IDs to their unit, and by the redaction
 * dictionary.
 *
 * An entry costs its key, a NUL, a length byte (more past 127 bytes), its
 * value (0, 4 or 8 bytes, as the set was made), a 32-bit offset and 5 to
 * 11 bytes of slots (32 bits each, from three in eight to three in four
 * used): 11 to 17 bytes past the key and its value.  Offsets of 32 bits
 * bound the arena to 4 GB: an add past it fails (returns -1) and changes
 * nothing.  Entries are numbered from 0 in the order added.
 */
#ifndef HIMAMA_STRSET_H
#define HIMAMA_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hm_strset {
    uint32_t *slots;     /* 0 empty, else a hash tag above the bits of entry + 1 */
    size_t nslots;       /* power of two, or 0 */
    unsigned shift;      /* log2(nslots): the bits of entry + 1 in a slot */
    size_t n;            /* entries */
    uint32_t *off;       /* entry -> its record in arena */
    size_t entries_cap;
    char *arena;         /* records: key length (LEB128), value, key, NUL */
    size_t arena_len, arena_cap;
    size_t limit;        /* the arena's most bytes: 0 is 4 GB (the tests set less) */
    unsigned char vbytes;   /* a value's bytes: 0 (none), 4 or 8 */
} hm_strset;

/* An empty set without values (a zeroed hm_strset is one too). */
void hm_strset_init(hm_strset *s);
/* An empty set whose entries keep a value of vbytes bytes: 4 (0 to
 * UINT32_MAX) or 8 (any int64_t). */
void hm_strset_init_val(hm_strset *s, unsigned vbytes);
/* Free the memory; s stays an empty set of the same kind. */
void hm_strset_release(hm_strset *s);
/* Room for n more entries of key_bytes bytes of keys in all, so that
 * adding them does not grow the table. */
void hm_strset_reserve(hm_strset *s, size_t n, size_t key_bytes);
/* The entry index of key, or -1. */
long hm_strset_find(const hm_strset *s, const char *key, size_t len);
/* Add key (if absent) with value val (0 in a set without values); returns
 * its entry index, or -1 when the arena would pass its limit (nothing is
 * added then). */
long hm_strset_add(hm_strset *s, const char *key, size_t len, int64_t val);
/* Entry e's key (NUL-terminated) and, when len is not NULL, its length. */
const char *hm_strset_key(const hm_strset *s, size_t e, size_t *len);
/* Entry e's value (0 in a set without values). */
int64_t hm_strset_val(const hm_strset *s, size_t e);
void hm_strset_set_val(hm_strset *s, size_t e, int64_t val);

/*
 * The set's hash, fed a byte at a time: for a caller that looks up every
 * prefix of a text in one walk.  hm_strset_find_hashed(s, key, len, h)
 * is hm_strset_find(s, key, len) when h is HM_STRSET_HASH0 stepped over
 * key's bytes.
 */
#define HM_STRSET_HASH0 1469598103934665603ULL
static inline uint64_t hm_strset_hash_step(uint64_t h, unsigned char byte)
{
    return (h ^ byte) * 1099511628211ULL;
}
long hm_strset_find_hashed(const hm_strset *s, const char *key, size_t len, uint64_t h);

#endif
