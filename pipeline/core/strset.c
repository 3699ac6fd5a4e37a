/*
 * strset.c - open-addressing string set (see strset.h).
 */
#include "himama/strset.h"
#include "himama/util.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    /* Mix the high bits down: the table index takes the low ones. */
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

/* A slot holds the entry index + 1 and, above, the key's hash tag (most
 * keys that differ are told apart without reading them). */
#define SLOT(e, h) (((uint64_t)(e) + 1) | ((h) & 0xffffffff00000000ULL))
#define SLOT_ENTRY(v) ((uint32_t)(v) - 1)
#define SLOT_TAG(v) ((v) & 0xffffffff00000000ULL)

void hm_strset_init(hm_strset *s)
{
    memset(s, 0, sizeof *s);
}

void hm_strset_release(hm_strset *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s->off);
    free(s->len);
    free(s->val);
    free(s->arena);
    memset(s, 0, sizeof *s);
}

/* The entry of key, whose hash is h, or -1. */
static long find_hashed(const hm_strset *s, const char *key, size_t len, uint64_t h)
{
    if (!s->nslots)
        return -1;
    size_t mask = s->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = s->slots[i];
        if (!v)
            return -1;
        uint32_t e = SLOT_ENTRY(v);
        if (SLOT_TAG(v) == SLOT_TAG(h) && s->len[e] == len &&
            memcmp(s->arena + s->off[e], key, len) == 0)
            return (long)e;
    }
}

long hm_strset_find(const hm_strset *s, const char *key, size_t len)
{
    return find_hashed(s, key, len, hash(key, len));
}

/* Double the table and re-place every entry. */
static void grow(hm_strset *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 1024;
    uint64_t *slots = hm_xcalloc(n, sizeof *slots);
    for (size_t e = 0; e < s->n; e++) {
        uint64_t h = hash(s->arena + s->off[e], s->len[e]);
        size_t i = h & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = SLOT(e, h);
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
}

long hm_strset_add(hm_strset *s, const char *key, size_t len, int64_t val)
{
    uint64_t h = hash(key, len);
    long found = find_hashed(s, key, len, h);
    if (found >= 0)
        return found;
    if ((s->n + 1) * 2 > s->nslots)
        grow(s);
    if (s->n == s->entries_cap) {
        s->entries_cap = s->entries_cap ? s->entries_cap * 2 : 1024;
        s->off = hm_xrealloc(s->off, s->entries_cap * sizeof *s->off);
        s->len = hm_xrealloc(s->len, s->entries_cap * sizeof *s->len);
        s->val = hm_xrealloc(s->val, s->entries_cap * sizeof *s->val);
    }
    if (s->arena_len + len + 1 > s->arena_cap) {
        while (s->arena_len + len + 1 > s->arena_cap)
            s->arena_cap = s->arena_cap ? s->arena_cap * 2 : 65536;
        s->arena = hm_xrealloc(s->arena, s->arena_cap);
    }
    memcpy(s->arena + s->arena_len, key, len);
    s->arena[s->arena_len + len] = '\0';
    size_t e = s->n++;
    s->off[e] = s->arena_len;
    s->len[e] = (uint32_t)len;
    s->val[e] = val;
    s->arena_len += len + 1;
    size_t mask = s->nslots - 1;
    size_t i = h & mask;
    while (s->slots[i])
        i = (i + 1) & mask;
    s->slots[i] = SLOT(e, h);
    return (long)e;
}
