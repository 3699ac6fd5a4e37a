/*
 * strset.h - a set of byte strings with a small value each, in one arena:
 * open addressing, FNV-1a hashing, no deletion.  Used by ingest to
 * remember which references it has already found and which
 * volunteer-child pairs were paired when (for a run of files), and by the
 * summary tables to add rows up before merging them.
 */
#ifndef HIMAMA_STRSET_H
#define HIMAMA_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hm_strset {
    uint64_t *slots;     /* 0 empty, else 1 + entry index, and a hash tag above */
    size_t nslots;       /* power of two */
    size_t n;            /* entries */
    size_t *off;         /* entry -> offset of its key in arena */
    uint32_t *len;       /* entry -> key length */
    int64_t *val;        /* entry -> value */
    char *arena;
    size_t arena_len, arena_cap;
    size_t entries_cap;
} hm_strset;

void hm_strset_init(hm_strset *s);
void hm_strset_release(hm_strset *s);
/* The entry index of key, or -1. */
long hm_strset_find(const hm_strset *s, const char *key, size_t len);
/* Add key (if absent) with value val; returns its entry index. */
long hm_strset_add(hm_strset *s, const char *key, size_t len, int64_t val);

#endif
