/*
 * strset.c - open-addressing string set (see strset.h).
 *
 * A slot is 32 bits: entry + 1 in its low log2(nslots) bits, and above
 * them as many bits of the key's hash as are left (22 in a table of 1024
 * slots, 10 in one of four million), so that most keys that differ are
 * told apart without reading their record.  The slot a key starts from
 * takes the hash's low bits, the tag its high ones.
 */
#include "himama/strset.h"
#include "himama/util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The FNV-1a state mixed so that its low bits (the slot) and high bits
 * (the tag) both depend on every byte. */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

static uint64_t hash(const char *key, size_t len)
{
    uint64_t h = HM_STRSET_HASH0;
    for (size_t i = 0; i < len; i++)
        h = hm_strset_hash_step(h, (unsigned char)key[i]);
    return mix(h);
}

/* The bits of entry + 1 in a slot of s. */
static uint32_t entry_mask(const hm_strset *s)
{
    return (uint32_t)(s->nslots - 1);
}

/* The tag of hash h in a table whose entries take shift bits. */
static uint32_t tag_of(uint64_t h, unsigned shift)
{
    return (uint32_t)((h >> 32) << shift);
}

/* The key length at p (LEB128); *p moves past it. */
static size_t len_read(const unsigned char **p)
{
    const unsigned char *q = *p;
    size_t v = *q & 0x7f;
    for (unsigned sh = 7; *q++ & 0x80; sh += 7)
        v |= (size_t)(*q & 0x7f) << sh;
    *p = q;
    return v;
}

/* Write len (LEB128) at p, when p is not NULL; its bytes. */
static size_t len_write(unsigned char *p, size_t len)
{
    size_t n = 0;
    do {
        unsigned char b = (unsigned char)(len & 0x7f);
        len >>= 7;
        if (p)
            p[n] = (unsigned char)(b | (len ? 0x80 : 0));
        n++;
    } while (len);
    return n;
}

void hm_strset_init(hm_strset *s)
{
    memset(s, 0, sizeof *s);
}

void hm_strset_init_val(hm_strset *s, unsigned vbytes)
{
    assert(vbytes == 0 || vbytes == 4 || vbytes == 8);
    hm_strset_init(s);
    s->vbytes = (unsigned char)vbytes;
}

void hm_strset_release(hm_strset *s)
{
    if (!s)
        return;
    size_t limit = s->limit;
    unsigned char vbytes = s->vbytes;
    free(s->slots);
    free(s->off);
    free(s->arena);
    memset(s, 0, sizeof *s);
    s->limit = limit;
    s->vbytes = vbytes;
}

/* The entry of key, whose mixed hash is h, or -1. */
static long find_mixed(const hm_strset *s, const char *key, size_t len, uint64_t h)
{
    if (!s->nslots)
        return -1;
    size_t mask = s->nslots - 1;
    uint32_t emask = entry_mask(s), tag = tag_of(h, s->shift);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = s->slots[i];
        if (!v)
            return -1;
        if ((v & ~emask) != tag)
            continue;
        uint32_t e = (v & emask) - 1;
        const unsigned char *p = (const unsigned char *)s->arena + s->off[e];
        if (len_read(&p) == len && memcmp(p + s->vbytes, key, len) == 0)
            return (long)e;
    }
}

long hm_strset_find(const hm_strset *s, const char *key, size_t len)
{
    return find_mixed(s, key, len, hash(key, len));
}

long hm_strset_find_hashed(const hm_strset *s, const char *key, size_t len, uint64_t h)
{
    return find_mixed(s, key, len, mix(h));
}

/* Put entry e, whose mixed hash is h, into the first empty slot from its own. */
static void place(hm_strset *s, size_t e, uint64_t h)
{
    size_t mask = s->nslots - 1;
    size_t i = h & mask;
    while (s->slots[i])
        i = (i + 1) & mask;
    s->slots[i] = tag_of(h, s->shift) | (uint32_t)(e + 1);
}

/* A table of nslots slots (a power of two) with every entry placed again. */
static void rehash(hm_strset *s, size_t nslots)
{
    free(s->slots);
    s->slots = hm_xcalloc(nslots, sizeof *s->slots);
    s->nslots = nslots;
    s->shift = 0;
    while (((size_t)1 << s->shift) < nslots)
        s->shift++;
    for (size_t e = 0; e < s->n; e++) {
        size_t len;
        const char *key = hm_strset_key(s, e, &len);
        place(s, e, hash(key, len));
    }
}

/* The slots for n entries: at most three in four used. */
static size_t slots_for(size_t n)
{
    size_t nslots = 1024;
    while (n > nslots / 4 * 3)
        nslots *= 2;
    return nslots;
}

static size_t arena_limit(const hm_strset *s)
{
    return s->limit ? s->limit : UINT32_MAX;
}

void hm_strset_reserve(hm_strset *s, size_t n, size_t key_bytes)
{
    size_t want = slots_for(s->n + n);
    if (want > s->nslots)
        rehash(s, want);
    if (s->n + n > s->entries_cap) {
        s->entries_cap = s->n + n;
        s->off = hm_xrealloc(s->off, s->entries_cap * sizeof *s->off);
    }
    size_t bytes = s->arena_len + key_bytes + n * (2 + (size_t)s->vbytes);
    if (bytes > arena_limit(s))
        bytes = arena_limit(s);
    if (bytes > s->arena_cap) {
        s->arena_cap = bytes;
        s->arena = hm_xrealloc(s->arena, s->arena_cap);
    }
}

long hm_strset_add(hm_strset *s, const char *key, size_t len, int64_t val)
{
    assert(s->vbytes == 8 || (s->vbytes == 4 ? val >= 0 && val <= UINT32_MAX : val == 0));
    uint64_t h = hash(key, len);
    long found = find_mixed(s, key, len, h);
    if (found >= 0)
        return found;
    size_t limit = arena_limit(s), hdr = len_write(NULL, len) + s->vbytes;
    if (len > limit || hdr + len + 1 > limit - s->arena_len)
        return -1;   /* past 32-bit offsets (or the tests' limit) */
    if ((s->n + 1) > s->nslots / 4 * 3)
        rehash(s, slots_for(s->n + 1));
    if (s->n == s->entries_cap) {
        s->entries_cap = s->entries_cap ? s->entries_cap * 2 : 1024;
        s->off = hm_xrealloc(s->off, s->entries_cap * sizeof *s->off);
    }
    size_t need = s->arena_len + hdr + len + 1;
    if (need > s->arena_cap) {
        size_t cap = s->arena_cap ? s->arena_cap : 16384;
        while (cap < need)
            cap *= 2;
        s->arena_cap = cap < limit ? cap : limit;
        s->arena = hm_xrealloc(s->arena, s->arena_cap);
    }
    unsigned char *p = (unsigned char *)s->arena + s->arena_len;
    p += len_write(p, len);
    if (s->vbytes == 4) {
        uint32_t v = (uint32_t)val;
        memcpy(p, &v, 4);
    } else if (s->vbytes == 8) {
        memcpy(p, &val, 8);
    }
    p += s->vbytes;
    if (len)
        memcpy(p, key, len);
    p[len] = '\0';
    size_t e = s->n++;
    s->off[e] = (uint32_t)s->arena_len;
    s->arena_len = need;
    place(s, e, h);
    return (long)e;
}

const char *hm_strset_key(const hm_strset *s, size_t e, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s->arena + s->off[e];
    size_t n = len_read(&p);
    if (len)
        *len = n;
    return (const char *)p + s->vbytes;
}

/* Where entry e's value is. */
static unsigned char *val_at(const hm_strset *s, size_t e)
{
    const unsigned char *p = (const unsigned char *)s->arena + s->off[e];
    len_read(&p);
    return (unsigned char *)p;
}

int64_t hm_strset_val(const hm_strset *s, size_t e)
{
    if (s->vbytes == 4) {
        uint32_t v;
        memcpy(&v, val_at(s, e), 4);
        return v;
    }
    if (s->vbytes == 8) {
        int64_t v;
        memcpy(&v, val_at(s, e), 8);
        return v;
    }
    return 0;
}

void hm_strset_set_val(hm_strset *s, size_t e, int64_t val)
{
    assert(s->vbytes == 8 || (s->vbytes == 4 ? val >= 0 && val <= UINT32_MAX : val == 0));
    if (s->vbytes == 4) {
        uint32_t v = (uint32_t)val;
        memcpy(val_at(s, e), &v, 4);
    } else if (s->vbytes == 8) {
        memcpy(val_at(s, e), &val, 8);
    }
}
