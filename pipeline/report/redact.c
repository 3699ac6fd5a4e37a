/*
 * redact.c - free text cleaned for the public audience (redact.h).
 *
 * The dictionary.  Every known string is kept normalised: the spaces,
 * zero-width characters and middle dots that staff put inside names
 * ("李　明" aligned with three-character names, "买买提·艾力") removed and
 * ASCII letters folded to lower case.  Text is matched the same way: up
 * to two such characters may stand between two characters of a key.
 * Each key has a replacement and a priority; when two different
 * replacements claim one key with the same priority (two children of one
 * name with different aliases, a child and a guardian of one name) the
 * key becomes 某某, which points at no one.  Some known strings are kept
 * as written: they stop a shorter key inside them from matching.  From
 * the lowest priority up: the names shown in public (volunteers, who are
 * named as authors, and towns), kept; a child's given name; a child's
 * alias, kept (staff who write the alias wrote the right thing, even
 * when it is also another child's given name); full names, adults'
 * names and schools.  So a volunteer named 郭凤英 stays whole although
 * a guardian is named 郭凤, but a volunteer who shares a guardian's or
 * teacher's exact name is masked like them.
 *
 * The edge cases, decided for privacy first (a garbled word in a public
 * story costs less than a named child; the public output is read by
 * staff before it is published):
 *
 *   - A name that is also a common word (周游, 高兴) is replaced wherever
 *     it occurs: nothing tells the word from the name.
 *   - A one-character string is never a key (a full name has two or more
 *     characters; one character would hit every other sentence), and
 *     neither is a string of digits and punctuation alone.
 *   - A child is also known by the given name of a name of three or more
 *     characters (小花 of 张小花), which staff use for a child they know;
 *     a two-character name's given name is one character and is not used.
 *   - A guardian or class teacher field may hold several names or a
 *     kinship word (张大山、李红; 奶奶; 王桂英（祖母）): it is split at
 *     、,，/;；() and each part of two or more characters that is not a
 *     kinship word, title or placeholder (奶奶, 老师, 不详, 无) is a key.
 *   - The mask keeps the whole surname, compound ones too (欧阳某, as
 *     court documents write it): 欧某 would name a different family.  A
 *     surname is compound only in a name of three or more characters
 *     (欧阳 alone is 欧 and the given name 阳).  A name not written in
 *     Chinese characters (Latin letters, a minority name with a middle
 *     dot) has no surname we can tell, and becomes 某某.
 *   - A school is also known by its name before a parenthesis (东城小学
 *     of 东城小学（南校区）).
 *   - Latin-letter keys match whole words only (Li is not replaced inside
 *     Lily); Chinese has no word boundaries, so a Chinese key matches
 *     anywhere a longer known string does not cover it.
 *   - Numbers: digits, ASCII or full-width, form groups; groups separated
 *     by one to three spaces, dashes or a closing parenthesis may form
 *     one number, every group of at least three digits; a group is never
 *     split, so a phone number inside a longer run of digits is not a
 *     phone number.  Masked: a mobile number (11 digits, 1[3-9]), a
 *     landline with its area code (10 to 12 digits, 0[1-9]), 15 to 19
 *     digits or 17 digits and X (identity card and bank card numbers are
 *     as personal as a phone), any unbroken run of 15 or more digits, and
 *     a number of seven or more digits that is a known phone number of
 *     the store (so a local number written without its area code is
 *     masked too).  Amounts, dates and counts are none of these.
 */
#include "himama/redact.h"
#include "himama/strset.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_KEY = 1024,     /* longest key kept, in bytes: bounds a match's walk */
    MAX_GAP = 2,        /* ignorable characters allowed between two key characters */
    MAX_GROUPS = 5,     /* digit groups that may form one number */
    MAX_DIGITS = 19,    /* longest number masked as grouped digits */
    PRIO_PUBLIC = 0,    /* kept: a volunteer's or a town's name */
    PRIO_GIVEN = 1,     /* a child's given name */
    PRIO_ALIAS = 2,     /* kept: a child's alias */
    PRIO_FULL = 3       /* a full name, a school */
};

static const char CONFLICT[] = "某某";
static const char SCHOOL[] = "某学校";
static const char PHONE[] = "***";

/* A key's value in the names set: the arena offset of its replacement (0
 * when kept), its priority and whether it is left as written.  A national
 * store holds millions of keys: the set keeps each in about 20 bytes past
 * its own (strset.h). */
#define VAL(rep, prio, keep) ((int64_t)(rep) | (int64_t)(prio) << 32 | (int64_t)(keep) << 40)
#define VAL_REP(v) ((uint32_t)(v))
#define VAL_PRIO(v) ((int)((v) >> 32 & 0xff))
#define VAL_KEEP(v) ((bool)((v) >> 40 & 1))

struct hm_redact {
    hm_strbuf arena;            /* replacements and aliases, each NUL-terminated */
    bool overflow;              /* an arena outgrew 32-bit offsets: the load fails */
    uint32_t conflict_off, school_off;   /* CONFLICT and SCHOOL, once each */
    hm_strset masks;            /* each adult's mask (张某), once: -> its arena offset */
    hm_strset names;            /* normalised key -> VAL(replacement, priority, kept) */
    uint64_t lens[MAX_KEY / 64 + 1];   /* bit n: some key has n bytes */
    size_t maxlen;
    uint64_t first[65536 / 64]; /* bit c: some key starts with code point c */
    bool first_astral;          /* some key starts above U+FFFF */
    hm_strset digits;           /* known phone numbers, digits only */
    hm_strset child;            /* child_id -> arena offset of its public alias */
    /* hm_redact_lazy: filled on first use, from the calling connection */
    bool lazy;                  /* made by hm_redact_lazy (lock is initialised) */
    bool pending;               /* lazy and not loaded yet (under lock) */
    bool aliases_only;          /* what a lazy dictionary loads */
    pthread_mutex_t lock;
};

/* ---- characters ---- */

/* Characters skipped inside a name: spaces, zero-width ones, middle dots. */
static bool ignorable(uint32_t c)
{
    return c == ' ' || c == 0xa0 || c == 0xad || c == 0xb7 || (c >= 0x2000 && c <= 0x200d) ||
           c == 0x2022 || c == 0x2027 || c == 0x202f || c == 0x205f || c == 0x2060 ||
           c == 0x3000 || c == 0x30fb || c == 0xfeff;
}

/* The value of an ASCII or full-width digit, or -1. */
static int digit_value(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 0xff10 && c <= 0xff19)
        return (int)(c - 0xff10);
    return -1;
}

/* Characters that may stand between two digit groups of one number. */
static bool digit_sep(uint32_t c)
{
    return c == ' ' || c == '-' || c == ')' || c == 0xa0 || (c >= 0x2010 && c <= 0x2015) ||
           c == 0x2212 || c == 0x3000 || c == 0xff09 || c == 0xff0d;
}

/* A Chinese character (CJK unified ideographs and their extensions). */
static bool is_han(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff);
}

/* A letter or ideograph (not a digit, space or punctuation mark). */
static bool word_char(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (ignorable(c) || digit_value(c) >= 0)
        return false;
    return !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f) &&
           !(c >= 0xff00 && c <= 0xff20) && !(c >= 0xfe30 && c <= 0xfe4f);
}

static bool ascii_alnum(unsigned char b)
{
    return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}

static unsigned char fold(unsigned char b)
{
    return b >= 'A' && b <= 'Z' ? (unsigned char)(b | 0x20) : b;
}

static bool bit_get(const uint64_t *set, size_t i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *set, size_t i)
{
    set[i / 64] |= (uint64_t)1 << (i % 64);
}

/* ---- the key table ---- */

/* Copy s (n bytes) into the arena with a NUL; its offset (0 and
 * r->overflow set when it would not fit in 32 bits). */
static uint32_t arena_add(hm_redact *r, const char *s, size_t n)
{
    size_t off = r->arena.len;
    if (off + n + 1 > UINT32_MAX) {
        r->overflow = true;
        return 0;
    }
    hm_strbuf_add(&r->arena, s, n);
    hm_strbuf_addc(&r->arena, '\0');
    return (uint32_t)off;
}

/* A replacement's offset for a known string left as written. */
#define KEEP UINT32_MAX

/*
 * Add normalised key (n bytes) with the replacement at arena offset rep
 * (KEEP: a known string left as written) and priority prio, resolving a
 * clash with a key already there (see the top of the file).  The result
 * does not depend on the order of the calls: the highest priority wins,
 * a priority is either kept or replaced (never both), and two different
 * replacements of one priority make CONFLICT.
 */
static void table_put(hm_redact *r, const char *key, size_t n, uint32_t rep, int prio)
{
    bool keep = rep == KEEP;
    long e = hm_strset_find(&r->names, key, n);
    if (e >= 0) {
        int64_t v = hm_strset_val(&r->names, (size_t)e);
        if (prio > VAL_PRIO(v)) {
            hm_strset_set_val(&r->names, (size_t)e, VAL(keep ? 0 : rep, prio, keep));
        } else if (prio == VAL_PRIO(v) && !VAL_KEEP(v) && VAL_REP(v) != rep &&
                   VAL_REP(v) != r->conflict_off &&
                   strcmp(r->arena.buf + VAL_REP(v), r->arena.buf + rep) != 0) {
            hm_strset_set_val(&r->names, (size_t)e, VAL(r->conflict_off, prio, false));
        }
        return;
    }
    if (hm_strset_add(&r->names, key, n, VAL(keep ? 0 : rep, prio, keep)) < 0) {
        r->overflow = true;
        return;
    }
    bit_set(r->lens, n);
    if (n > r->maxlen)
        r->maxlen = n;
    uint32_t c;
    if (hm_utf8_decode(key, n, &c)) {
        if (c >= 0x10000)
            r->first_astral = true;
        else if (c < 0x80) {
            bit_set(r->first, c);
            bit_set(r->first, c >= 'a' && c <= 'z' ? c - 0x20 : c);
        } else
            bit_set(r->first, c);
    }
}

/* ---- building the keys ---- */

/* A name or school as given, normalised; its code points and their kinds. */
typedef struct norm {
    char buf[MAX_KEY + 1];
    size_t len;         /* bytes */
    size_t ncp;         /* code points */
    size_t first_len;   /* bytes of the first code point */
    bool all_han;
    bool has_word;
} norm;

/* Normalise s (n bytes) into *k; false when it is invalid UTF-8 or too long. */
static bool normalise(const char *s, size_t n, norm *k)
{
    memset(k, 0, sizeof *k);
    k->all_han = true;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t m = hm_utf8_decode(s + i, n - i, &c);
        if (!m || k->len + m > MAX_KEY)
            return false;
        if (!ignorable(c)) {
            for (size_t j = 0; j < m; j++)
                k->buf[k->len + j] = (char)fold((unsigned char)s[i + j]);
            if (k->ncp == 0)
                k->first_len = m;
            k->len += m;
            k->ncp++;
            k->all_han = k->all_han && is_han(c);
            k->has_word = k->has_word || word_char(c);
        }
        i += m;
    }
    k->buf[k->len] = '\0';
    return true;
}

/* Whether k is one of words (a NULL-terminated list). */
static bool in_list(const norm *k, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (strcmp(k->buf, words[i]) == 0)
            return true;
    return false;
}

/* Values that stand for "none" or "unknown": never keys. */
static const char *const PLACEHOLDERS[] = {
    "无", "不详", "未知", "暂无", "没有", "待定", "其他", "未填", "空", "未入学", "辍学",
    "在家", "n/a", "na", "none", "null", "unknown", NULL
};

/* Kinship words and titles written where an adult's name belongs. */
static const char *const KINSHIP[] = {
    "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "爸爸", "妈妈", "父亲", "母亲", "祖父",
    "祖母", "外祖父", "外祖母", "叔叔", "婶婶", "阿姨", "伯伯", "伯父", "伯母", "舅舅",
    "舅妈", "姑姑", "姑父", "姑妈", "姨妈", "姨父", "哥哥", "姐姐", "兄长", "亲属",
    "监护人", "老师", "班主任", "本人", "自己", "父母", "祖父母", "外祖父母", NULL
};

/* Compound surnames (复姓) in use in mainland China. */
static const char *const COMPOUND[] = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "司空", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫",
    "西门", "呼延", "百里", "东郭", "澹台", "公冶", "太史", "申屠", "闻人", "赫连",
    "濮阳", "万俟", "单于", "拓跋", "完颜", "闾丘", "亓官", "巫马", "公西", "左丘",
    "宗政", "羊舌", "微生", "梁丘", "乐正", "漆雕", "谷梁", "第五", NULL
};

/* Bytes of the surname of a Chinese name k: its first character, or two for a compound one. */
static size_t surname_len(const norm *k)
{
    if (k->ncp >= 3) {
        uint32_t c;
        size_t m = hm_utf8_decode(k->buf + k->first_len, k->len - k->first_len, &c);
        size_t two = k->first_len + m;
        for (size_t i = 0; COMPOUND[i]; i++)
            if (strlen(COMPOUND[i]) == two && memcmp(k->buf, COMPOUND[i], two) == 0)
                return two;
    }
    return k->first_len;
}

/* Whether k may be a key at all. */
static bool usable(const norm *k)
{
    return k->ncp >= 2 && k->has_word && !in_list(k, PLACEHOLDERS);
}

/* A known string that stays as written (a volunteer, a town, an alias), with priority prio. */
static void add_kept(hm_redact *r, const char *s, int prio)
{
    norm k;
    if (s && normalise(s, strlen(s), &k) && usable(&k))
        table_put(r, k.buf, k.len, KEEP, prio);
}

/* A child's name: the full name and a given name of two or more
 * characters, replaced by the public alias at arena offset alias. */
static void add_child(hm_redact *r, const char *name, uint32_t alias)
{
    norm k;
    if (!name || !normalise(name, strlen(name), &k) || !usable(&k))
        return;
    table_put(r, k.buf, k.len, alias, PRIO_FULL);
    if (!k.all_han || k.ncp < 3)
        return;
    size_t s = surname_len(&k);
    if (hm_utf8_count(k.buf + s, k.len - s) >= 2)
        table_put(r, k.buf + s, k.len - s, alias, PRIO_GIVEN);
}

/* One adult's name: masked as its surname and 某. */
static void add_adult_part(hm_redact *r, const char *s, size_t n)
{
    norm k;
    if (!normalise(s, n, &k) || !usable(&k) || in_list(&k, KINSHIP))
        return;
    char mask[16];
    if (k.all_han)
        snprintf(mask, sizeof mask, "%.*s某", (int)surname_len(&k), k.buf);
    else
        snprintf(mask, sizeof mask, "%s", CONFLICT);
    size_t mlen = strlen(mask);
    long m = hm_strset_find(&r->masks, mask, mlen);
    if (m < 0 && (m = hm_strset_add(&r->masks, mask, mlen, arena_add(r, mask, mlen))) < 0) {
        r->overflow = true;
        return;
    }
    table_put(r, k.buf, k.len, (uint32_t)hm_strset_val(&r->masks, (size_t)m), PRIO_FULL);
}

/* Whether the code point c separates two names in an adult's field. */
static bool name_sep(uint32_t c)
{
    return c == ',' || c == '/' || c == ';' || c == '(' || c == ')' || c == '|' ||
           c == 0x3001 || c == 0xff0c || c == 0xff0f || c == 0xff1b || c == 0xff08 ||
           c == 0xff09;
}

/* A guardian or class teacher field: each name in it. */
static void add_adults(hm_redact *r, const char *field)
{
    if (!field)
        return;
    size_t n = strlen(field), start = 0;
    for (size_t i = 0; i <= n;) {
        uint32_t c = 0;
        size_t m = i < n ? hm_utf8_decode(field + i, n - i, &c) : 1;
        if (!m)
            return;
        if (i == n || name_sep(c)) {
            if (i > start)
                add_adult_part(r, field + start, i - start);
            start = i + m;
        }
        i += m;
    }
}

/* A school: its name, and its name before a parenthesis. */
static void add_school(hm_redact *r, const char *school)
{
    norm k;
    if (!school || !normalise(school, strlen(school), &k) || !usable(&k))
        return;
    table_put(r, k.buf, k.len, r->school_off, PRIO_FULL);
    const char *a = strchr(k.buf, '('), *b = strstr(k.buf, "（");
    const char *p = a && (!b || a < b) ? a : b;
    norm pre;
    if (p && normalise(k.buf, (size_t)(p - k.buf), &pre) && usable(&pre))
        table_put(r, pre.buf, pre.len, r->school_off, PRIO_FULL);
}

/* ---- numbers ---- */

/*
 * One group of digits in a text: where it is, its first MAX_DIGITS digits
 * as ASCII, and whether another group of the same number may follow.
 */
typedef struct group {
    size_t start, end;  /* bytes of the digits in the text */
    size_t xend;        /* end of an X right after them, else end */
    size_t next;        /* where the next group starts, when more */
    size_t nd;          /* digits */
    char d[MAX_DIGITS + 1];
    bool more;
} group;

/* Read the digit group of s (n bytes) that starts at i into *g. */
static void group_read(const char *s, size_t n, size_t i, group *g)
{
    uint32_t c;
    size_t m;
    memset(g, 0, sizeof *g);
    g->start = i;
    while (i < n && (m = hm_utf8_decode(s + i, n - i, &c)) && digit_value(c) >= 0) {
        if (g->nd < MAX_DIGITS)
            g->d[g->nd] = (char)('0' + digit_value(c));
        g->nd++;
        i += m;
    }
    g->end = g->xend = i;
    if (i < n && (m = hm_utf8_decode(s + i, n - i, &c)) &&
        (c == 'X' || c == 'x' || c == 0xff38 || c == 0xff58))
        g->xend = i + m;
    size_t q = i, nsep = 0;
    while (q < n && nsep < 3 && (m = hm_utf8_decode(s + q, n - q, &c)) && digit_sep(c)) {
        q += m;
        nsep++;
    }
    g->more = nsep && q < n && hm_utf8_decode(s + q, n - q, &c) && digit_value(c) >= 0;
    g->next = q;
}

/* What a number is: nothing private, a phone number, an identity or card number. */
enum { NUM_NONE, NUM_PHONE, NUM_ID, NUM_ID_X };

/* Whether the number d (nd digits) is a phone number by its form alone:
 * a mobile number or a landline with its area code. */
static bool phone_form(const char *d, size_t nd)
{
    return (nd == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') ||
           (nd >= 10 && nd <= 12 && d[0] == '0' && d[1] != '0');
}

/*
 * What the number d is (nd digits, d holding the first MAX_DIGITS; x: an
 * X follows it; single: it is one unbroken group).  NUM_ID_X: a 17-digit
 * identity number with its X.  The known phone numbers are asked only
 * about a number of 7 to MAX_DIGITS digits not of a phone's form
 * (add_phones keeps no other).
 */
static int number_kind(const hm_redact *r, const char *d, size_t nd, bool x, bool single)
{
    if (nd > MAX_DIGITS)
        return single ? NUM_ID : NUM_NONE;
    if (x && nd == 17)
        return NUM_ID_X;
    if (phone_form(d, nd))
        return NUM_PHONE;
    if (nd >= 7 && hm_strset_find(&r->digits, d, nd) >= 0)
        return NUM_PHONE;
    if (nd >= 15)
        return NUM_ID;
    return NUM_NONE;
}

/*
 * The private number that starts at w[0] (nw groups read): *groups is how
 * many groups it takes, the return value where it ends in the text; 0
 * when none starts there.  A phone number wins over a longer identity
 * number (138 1234 5678 2026 is a phone number and a year); otherwise the
 * longest wins.  Groups of a number of several are 3 to 8 digits each.
 */
static size_t number_at(const hm_redact *r, const group *w, size_t nw, size_t *groups)
{
    size_t phone = 0, phone_end = 0, id = 0, id_end = 0, total = 0;
    char d[MAX_DIGITS + 1];
    for (size_t b = 0; b < nw; b++) {
        if (b > 0 && (w[0].nd < 3 || w[0].nd > 8 || w[b].nd < 3 || w[b].nd > 8))
            break;
        if (b > 0 && total + w[b].nd > MAX_DIGITS)
            break;
        memcpy(d + total, w[b].d, w[b].nd < MAX_DIGITS ? w[b].nd : MAX_DIGITS);
        total += w[b].nd;
        int k = number_kind(r, d, total, w[b].xend > w[b].end, b == 0);
        if (k == NUM_PHONE) {
            phone = b + 1;
            phone_end = w[b].end;
        } else if (k != NUM_NONE) {
            id = b + 1;
            id_end = k == NUM_ID_X ? w[b].xend : w[b].end;
        }
        if (!w[b].more)
            break;
    }
    *groups = phone ? phone : id;
    return phone ? phone_end : id ? id_end : 0;
}

/* Bytes of an opening parenthesis, ASCII or full-width, right before s[i]; 0 if none. */
static size_t open_paren_before(const char *s, size_t i)
{
    if (i >= 1 && s[i - 1] == '(')
        return 1;
    if (i >= 3 && memcmp(s + i - 3, "（", 3) == 0)
        return 3;
    return 0;
}

/* Whether s[from..to) holds a closing parenthesis, ASCII or full-width. */
static bool has_close_paren(const char *s, size_t from, size_t to)
{
    for (size_t j = from; j < to; j++)
        if (s[j] == ')' || (j + 3 <= to && memcmp(s + j, "）", 3) == 0))
            return true;
    return false;
}

/*
 * Clean the run of digit groups of s (n bytes) that starts at i into out,
 * where s[pos..i) is not yet copied: each private number is masked (with
 * the opening parenthesis of an area code it closes).  The groups are
 * read through a window of MAX_GROUPS, so a run of any length takes
 * constant memory.  Returns where the run ends.
 */
static size_t run_clean(const hm_redact *r, const char *s, size_t n, size_t i, size_t pos,
                        hm_strbuf *out)
{
    group w[MAX_GROUPS];
    size_t nw = 0, stop = i;
    bool more = true;
    for (;;) {
        for (; nw < MAX_GROUPS && more; nw++) {
            group_read(s, n, i, &w[nw]);
            more = w[nw].more;
            i = w[nw].next;
            stop = w[nw].end;
        }
        if (!nw)
            break;
        size_t take, end = number_at(r, w, nw, &take);
        if (!end) {
            take = 1;
        } else {
            size_t from = w[0].start, p = open_paren_before(s, from);
            if (p && from - p >= pos && has_close_paren(s, from, end))
                from -= p;
            hm_strbuf_add(out, s + pos, from - pos);
            hm_strbuf_adds(out, PHONE);
            pos = end;
        }
        memmove(w, w + take, (nw - take) * sizeof *w);
        nw -= take;
    }
    if (pos > stop)
        stop = pos;
    hm_strbuf_add(out, s + pos, stop - pos);
    return stop;
}

/* Add the number d (nd digits) to the known phone numbers if number_kind
 * may ask for it: of 7 to MAX_DIGITS digits and not a phone by its form
 * (a store's phones are mostly mobile numbers, masked whether known or
 * not, so this keeps the set small). */
static void add_phone(hm_redact *r, const char *d, size_t nd)
{
    if (nd >= 7 && nd <= MAX_DIGITS && !phone_form(d, nd) &&
        hm_strset_add(&r->digits, d, nd, 0) < 0)
        r->overflow = true;
}

/* Add each number in a phone field (seven digits or more) to the known ones. */
static void add_phones(hm_redact *r, const char *field)
{
    if (!field)
        return;
    size_t n = strlen(field);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t m = hm_utf8_decode(field + i, n - i, &c);
        if (!m)
            return;
        if (digit_value(c) < 0) {
            i += m;
            continue;
        }
        /* The whole run of groups, and each long group alone. */
        char all[2 * MAX_DIGITS];
        size_t nall = 0;
        group g;
        do {
            group_read(field, n, i, &g);
            if (nall + g.nd <= sizeof all && g.nd <= MAX_DIGITS)
                memcpy(all + nall, g.d, g.nd);
            nall += g.nd;
            if (g.nd <= MAX_DIGITS)
                add_phone(r, g.d, g.nd);
            i = g.more ? g.next : g.end;
        } while (g.more);
        if (nall <= sizeof all)
            add_phone(r, all, nall);
    }
}

/* ---- matching ---- */

/* A prefix of the text seen while walking from a position. */
typedef struct prefix {
    uint64_t hash;
    size_t len;     /* normalised bytes */
    size_t end;     /* where it ends in the text */
} prefix;

/* Whether key (len bytes), found at s[i..end) (n: the length of s), may
 * match there: a Latin-letter key only as a whole word. */
static bool word_edges(const char *key, size_t len, const char *s, size_t n, size_t i,
                       size_t end)
{
    if (ascii_alnum((unsigned char)key[0]) && i > 0 && ascii_alnum((unsigned char)s[i - 1]))
        return false;
    return !(ascii_alnum((unsigned char)key[len - 1]) && end < n &&
             ascii_alnum((unsigned char)s[end]));
}

/*
 * The names entry of the longest key that matches s (n bytes) at i, or -1;
 * *end is where the match ends.  pre has room for r->maxlen + 1 prefixes,
 * buf for r->maxlen bytes (the text normalised).  The walk reads at most
 * maxlen normalised bytes (and MAX_GAP ignorable characters between two
 * of them), hashing as it goes, so a position costs O(maxlen).
 */
static long key_at(const hm_redact *r, const char *s, size_t n, size_t i, prefix *pre,
                   char *buf, size_t *end)
{
    uint64_t h = HM_STRSET_HASH0;
    size_t len = 0, np = 0, gap = 0;
    for (size_t p = i; p < n;) {
        uint32_t c;
        size_t m = hm_utf8_decode(s + p, n - p, &c);
        if (!m)
            break;
        if (len && ignorable(c)) {
            if (++gap > MAX_GAP)
                break;
            p += m;
            continue;
        }
        if (len + m > r->maxlen)
            break;
        gap = 0;
        for (size_t j = 0; j < m; j++) {
            unsigned char b = fold((unsigned char)s[p + j]);
            buf[len + j] = (char)b;
            h = hm_strset_hash_step(h, b);
        }
        len += m;
        p += m;
        if (bit_get(r->lens, len))
            pre[np++] = (prefix){ h, len, p };
    }
    while (np--) {
        long e = hm_strset_find_hashed(&r->names, buf, pre[np].len, pre[np].hash);
        if (e >= 0 && word_edges(buf, pre[np].len, s, n, i, pre[np].end)) {
            *end = pre[np].end;
            return e;
        }
    }
    return -1;
}

/* Whether a key may start with code point c. */
static bool may_start(const hm_redact *r, uint32_t c)
{
    return c < 0x10000 ? bit_get(r->first, c) : r->first_astral;
}

void hm_redact_text(const hm_redact *r, const char *in, hm_strbuf *out)
{
    hm_redact_text_keep(r, in, NULL, out);
}

void hm_redact_text_keep(const hm_redact *r, const char *in, const char *keep, hm_strbuf *out)
{
    size_t n = strlen(in), from = 0, nkeep = keep ? strlen(keep) : 0;
    prefix *pre = hm_xmalloc((r->maxlen + 1) * (sizeof *pre + 1));
    char *buf = (char *)(pre + r->maxlen + 1);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t m = hm_utf8_decode(in + i, n - i, &c), end;
        long e;
        if (!m) {
            hm_strbuf_add(out, in + from, i - from);
            hm_strbuf_adds(out, "\xef\xbf\xbd");
            from = ++i;
        } else if (may_start(r, c) && (e = key_at(r, in, n, i, pre, buf, &end)) >= 0) {
            int64_t v = hm_strset_val(&r->names, (size_t)e);
            if (VAL_KEEP(v) || (nkeep && end - i == nkeep && memcmp(in + i, keep, nkeep) == 0)) {
                i = end;   /* copied with what follows */
                continue;
            }
            hm_strbuf_add(out, in + from, i - from);
            hm_strbuf_adds(out, r->arena.buf + VAL_REP(v));
            from = i = end;
        } else if (digit_value(c) >= 0) {
            from = i = run_clean(r, in, n, i, from, out);
        } else {
            i += m;
        }
    }
    hm_strbuf_add(out, in + from, n - from);
    free(pre);
}

/* ---- loading ---- */

/* Each child: the public alias, and the names, schools and phones it brings. */
static const char CHILDREN_SQL[] =
    "SELECT c.child_id, c.name, a.public_alias, c.guardian, c.class_teacher, c.school,"
    " c.guardian_phone, c.alias FROM main.children c"
    " JOIN (" HM_REDACT_ALIAS_FROM("main.children") ") a USING (child_id)";

/* Names shown in public (volunteers, towns), and the volunteers' phones. */
static const char PUBLIC_SQL[] =
    "SELECT name, phone FROM main.volunteers UNION ALL SELECT town_name, NULL FROM main.towns";

/* Column i of st as text, or NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Each child's public alias alone (hm_redact_load_aliases). */
static const char ALIASES_SQL[] =
    "SELECT child_id, public_alias FROM (" HM_REDACT_ALIAS_FROM("main.children") ")";

/* Read the children, volunteers and towns of db into r; with aliases_only,
 * only each child's public alias.  The tables are main's: a lazy
 * dictionary may load while a unit's temporary views of the same names
 * stand in front of them (scope.h), and its names are the whole store's,
 * as an eager one's. */
static hm_error load_rows(sqlite3 *db, hm_redact *r, bool aliases_only, char *err, size_t errsz)
{
    sqlite3_stmt *st = NULL;
    hm_error rc = HM_EDB;
    int s;
    if (sqlite3_prepare_v2(db, aliases_only ? ALIASES_SQL : CHILDREN_SQL, -1, &st, NULL) !=
        SQLITE_OK)
        goto out;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = col(st, 0), *alias = col(st, aliases_only ? 1 : 2);
        uint32_t alias_off = arena_add(r, alias, strlen(alias));
        if (hm_strset_add(&r->child, id, strlen(id), alias_off) < 0)
            r->overflow = true;
        if (aliases_only)
            continue;
        add_child(r, col(st, 1), alias_off);
        add_adults(r, col(st, 3));
        add_adults(r, col(st, 4));
        add_school(r, col(st, 5));
        add_phones(r, col(st, 6));
        add_kept(r, col(st, 7), PRIO_ALIAS);
        if (!col(st, 7) || strcmp(col(st, 7), alias) != 0)   /* the same key twice changes nothing */
            add_kept(r, alias, PRIO_ALIAS);
    }
    if (s != SQLITE_DONE)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    if (aliases_only) {
        rc = HM_OK;
        goto out;
    }
    if (sqlite3_prepare_v2(db, PUBLIC_SQL, -1, &st, NULL) != SQLITE_OK)
        goto out;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        add_kept(r, col(st, 0), PRIO_PUBLIC);
        add_phones(r, col(st, 1));
    }
    if (s == SQLITE_DONE)
        rc = HM_OK;
out:
    if (rc == HM_OK && r->overflow) {
        rc = HM_EDB;
        snprintf(err, errsz, "cannot read the names to clean from the store: more than 4 GB "
                 "of names");
    } else if (rc != HM_OK) {
        snprintf(err, errsz, "cannot read the names to clean from the store: %s",
                 sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* An empty dictionary, its fixed replacements in the arena. */
static hm_redact *make_empty(void)
{
    hm_redact *r = hm_xcalloc(1, sizeof *r);
    hm_strbuf_init(&r->arena);
    hm_strset_init_val(&r->names, 8);
    hm_strset_init(&r->digits);
    hm_strset_init_val(&r->child, 4);
    hm_strset_init_val(&r->masks, 4);
    r->conflict_off = arena_add(r, CONFLICT, strlen(CONFLICT));
    r->school_off = arena_add(r, SCHOOL, strlen(SCHOOL));
    return r;
}

/* hm_redact_load and hm_redact_load_aliases. */
static hm_error load(sqlite3 *db, bool aliases_only, hm_redact **out, char *err, size_t errsz)
{
    hm_redact *r = make_empty();
    *out = NULL;
    hm_error rc = load_rows(db, r, aliases_only, err, errsz);
    if (rc != HM_OK) {
        hm_redact_free(r);
        return rc;
    }
    *out = r;
    return HM_OK;
}

hm_error hm_redact_load(sqlite3 *db, hm_redact **out, char *err, size_t errsz)
{
    return load(db, false, out, err, errsz);
}

hm_error hm_redact_load_aliases(sqlite3 *db, hm_redact **out, char *err, size_t errsz)
{
    return load(db, true, out, err, errsz);
}

hm_redact *hm_redact_lazy(bool aliases_only)
{
    hm_redact *r = make_empty();
    pthread_mutex_init(&r->lock, NULL);
    r->lazy = r->pending = true;
    r->aliases_only = aliases_only;
    return r;
}

void hm_redact_free(hm_redact *r)
{
    if (!r)
        return;
    hm_strbuf_release(&r->arena);
    hm_strset_release(&r->names);
    hm_strset_release(&r->digits);
    hm_strset_release(&r->child);
    hm_strset_release(&r->masks);
    if (r->lazy)
        pthread_mutex_destroy(&r->lock);
    free(r);
}

const char *hm_redact_alias(const hm_redact *r, const char *child_id)
{
    long e = hm_strset_find(&r->child, child_id, strlen(child_id));
    return e < 0 ? NULL : r->arena.buf + hm_strset_val(&r->child, (size_t)e);
}

size_t hm_redact_size(const hm_redact *r)
{
    return r->names.n + r->digits.n;
}

/* ---- SQL functions ---- */

/*
 * Make r ready for a call of one of its SQL functions on ctx's connection:
 * a lazy dictionary not loaded yet is loaded now, once, from that
 * connection (the report's connections share one snapshot); the other
 * connection's calls wait for it.  redact() of an aliases-only dictionary
 * needs nothing loaded (it cleans numbers alone, and no phone number is
 * known to it).  False, with the error set on ctx, when the store cannot
 * be read.
 */
static bool ready(sqlite3_context *ctx, hm_redact *r, bool for_redact)
{
    if (!r->lazy || (for_redact && r->aliases_only))
        return true;
    char err[512] = "";
    bool ok = true;
    pthread_mutex_lock(&r->lock);
    if (r->pending) {
        double t0 = hm_clock();
        ok = load_rows(sqlite3_context_db_handle(ctx), r, r->aliases_only, err, sizeof err) ==
             HM_OK;
        r->pending = !ok;
        if (ok)
            hm_timing("the names to clean (first use)", t0, hm_redact_size(r));
    }
    pthread_mutex_unlock(&r->lock);
    if (!ok)
        sqlite3_result_error(ctx, err, -1);
    return ok;
}

/* redact(text [, keep]): the text cleaned, keep (the author's own name)
 * left as written; NULL and other types as given. */
static void sql_redact(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    if (!ready(ctx, sqlite3_user_data(ctx), true))
        return;
    const char *keep = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
    hm_strbuf sb = HM_STRBUF_INIT;
    hm_strbuf_init(&sb);
    hm_redact_text_keep(sqlite3_user_data(ctx), (const char *)sqlite3_value_text(argv[0]), keep,
                        &sb);
    size_t len = sb.len;
    sqlite3_result_text64(ctx, hm_strbuf_detach(&sb), len, free, SQLITE_UTF8);
}

/* public_alias(child_id): the child's public alias, or NULL. */
static void sql_public_alias(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = (const char *)sqlite3_value_text(argv[0]);
    if (id && !ready(ctx, sqlite3_user_data(ctx), false))
        return;
    const char *a = id ? hm_redact_alias(sqlite3_user_data(ctx), id) : NULL;
    if (a)
        sqlite3_result_text(ctx, a, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

/* The destructor of an attached dictionary (hm_redact_attach). */
static void free_attached(void *p)
{
    hm_redact_free(p);
}

/* Register the functions with r's data; destroy (may be NULL) frees it
 * when public_alias, registered last, is replaced or db closes. */
static hm_error register_fns(sqlite3 *db, const hm_redact *r, void (*destroy)(void *),
                             char *err, size_t errsz)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    void *data = (void *)(uintptr_t)r;   /* SQLite's user data is not const */
    if (sqlite3_create_function(db, "redact", 1, flags, data, sql_redact, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(db, "redact", 2, flags, data, sql_redact, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function_v2(db, "public_alias", 1, flags, data, sql_public_alias, NULL,
                                   NULL, destroy) != SQLITE_OK)
        return hm_fail(HM_EDB, err, errsz, "cannot register the SQL functions redact and "
                       "public_alias: %s", sqlite3_errmsg(db));
    return HM_OK;
}

hm_error hm_redact_register(sqlite3 *db, const hm_redact *r, char *err, size_t errsz)
{
    return register_fns(db, r, NULL, err, errsz);
}

hm_error hm_redact_attach(sqlite3 *db, bool aliases_only, char *err, size_t errsz)
{
    hm_redact *r = NULL;
    hm_error rc = load(db, aliases_only, &r, err, errsz);
    if (rc != HM_OK)
        return rc;
    /* sqlite3_create_function_v2 calls the destructor itself when it fails. */
    return register_fns(db, r, free_attached, err, errsz);
}
