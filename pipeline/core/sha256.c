/*
 * sha256.c - SHA-256 as specified in FIPS 180-4, fed in pieces of any size.
 *
 * Whole 64-byte blocks are compressed straight from the caller's buffer;
 * only a block split across calls is gathered in c->block first.
 *
 * On x86-64 the blocks go through the SHA extensions (SHA-NI) when the CPU
 * has them, checked once at run time; only that one function is compiled for
 * those instructions, so the program still runs on CPUs without them.
 * Everywhere else, and on such CPUs, the portable C compression is used.
 */
#include <stdbool.h>
#include <string.h>

#include "himama/sha256.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static _Alignas(16) const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Compress one 64-byte block into the state (portable C). */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = k + S1 + ch + K[i] + w[i];
        uint32_t S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        k = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

/* Compress n consecutive 64-byte blocks (portable C). */
static void sha256_blocks_c(uint32_t h[8], const unsigned char *p, size_t n)
{
    for (; n > 0; n--, p += 64)
        sha256_block(h, p);
}

#if defined(__x86_64__)
/* Four rounds with the message words w (W[k..k+3]): sha256rnds2 does two
 * rounds, taking its two words from the low half of its third operand. */
#define SHA_NI_4ROUNDS(w, k) do { \
        __m128i wk_ = _mm_add_epi32((w), _mm_load_si128((const __m128i *)&K[k])); \
        s1 = _mm_sha256rnds2_epu32(s1, s0, wk_); \
        wk_ = _mm_shuffle_epi32(wk_, 0x0e); \
        s0 = _mm_sha256rnds2_epu32(s0, s1, wk_); \
    } while (0)
/* The next four message words, W[t..t+3], replace a = W[t-16..t-13], from
 * b = W[t-12..t-9], c = W[t-8..t-5] and d = W[t-4..t-1]. */
#define SHA_NI_SCHEDULE(a, b, c, d) \
    ((a) = _mm_sha256msg2_epu32( \
        _mm_add_epi32(_mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d)))

/* Compress n consecutive 64-byte blocks with the SHA extensions. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
    /* Byte order: big-endian words in each 32-bit lane. */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    /* The instructions keep the state as ABEF and CDGH (A in the top lane). */
    __m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
    __m128i s0 = _mm_alignr_epi8(cdab, efgh, 8);      /* ABEF */
    __m128i s1 = _mm_blend_epi16(efgh, cdab, 0xf0);   /* CDGH */

    for (; n > 0; n--, p += 64) {
        __m128i save0 = s0, save1 = s1;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
        SHA_NI_4ROUNDS(w0, 0);
        SHA_NI_4ROUNDS(w1, 4);
        SHA_NI_4ROUNDS(w2, 8);
        SHA_NI_4ROUNDS(w3, 12);
        for (int k = 16; k < 64; k += 16) {
            SHA_NI_SCHEDULE(w0, w1, w2, w3);
            SHA_NI_4ROUNDS(w0, k);
            SHA_NI_SCHEDULE(w1, w2, w3, w0);
            SHA_NI_4ROUNDS(w1, k + 4);
            SHA_NI_SCHEDULE(w2, w3, w0, w1);
            SHA_NI_4ROUNDS(w2, k + 8);
            SHA_NI_SCHEDULE(w3, w0, w1, w2);
            SHA_NI_4ROUNDS(w3, k + 12);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }

    __m128i feba = _mm_shuffle_epi32(s0, 0x1b);
    __m128i dchg = _mm_shuffle_epi32(s1, 0xb1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* True when the CPU has the SHA extensions and the SSSE3 and SSE4.1 shuffles
 * the function above also uses. */
static bool cpu_has_sha_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    if (!(c & (1u << 9)) || !(c & (1u << 19)))     /* SSSE3, SSE4.1 */
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    return (b & (1u << 29)) != 0;                    /* SHA */
}
#endif

typedef void sha256_blocks_fn(uint32_t h[8], const unsigned char *p, size_t n);

static sha256_blocks_fn *blocks_fast;   /* the accelerated one, once known */
static bool probed;                     /* blocks_fast has been looked for */
static bool portable_forced;

static void probe(void)
{
    if (probed)
        return;
    probed = true;
#if defined(__x86_64__)
    if (cpu_has_sha_ni())
        blocks_fast = sha256_blocks_ni;
#endif
}

static sha256_blocks_fn *blocks_fn(void)
{
    probe();
    return blocks_fast && !portable_forced ? blocks_fast : sha256_blocks_c;
}

bool hm_sha256_force_portable(bool on)
{
    probe();
    portable_forced = on;
    return blocks_fast != NULL;
}

void hm_sha256_init(hm_sha256 *c)
{
    static const uint32_t H0[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };
    memcpy(c->h, H0, sizeof H0);
    c->nbytes = 0;
    c->nblock = 0;
}

void hm_sha256_update(hm_sha256 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    sha256_blocks_fn *blocks = blocks_fn();
    c->nbytes += n;
    if (c->nblock > 0) {
        size_t take = 64 - c->nblock;
        if (take > n)
            take = n;
        memcpy(c->block + c->nblock, p, take);
        c->nblock += take;
        p += take;
        n -= take;
        if (c->nblock < 64)
            return;
        blocks(c->h, c->block, 1);
        c->nblock = 0;
    }
    if (n >= 64) {
        blocks(c->h, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    if (n > 0) {
        memcpy(c->block, p, n);
        c->nblock = n;
    }
}

void hm_sha256_final_hex(hm_sha256 *c, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t bits = c->nbytes * 8;
    unsigned char pad[72];
    size_t padlen = (c->nblock < 56 ? 56 : 120) - c->nblock;
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    uint64_t keep = c->nbytes;
    hm_sha256_update(c, pad, padlen + 8);
    c->nbytes = keep;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) {
            unsigned v = (c->h[i] >> (24 - 8 * j)) & 0xff;
            out[8 * i + 2 * j] = hex[v >> 4];
            out[8 * i + 2 * j + 1] = hex[v & 15];
        }
    out[64] = '\0';
}
