/*
 * synth.c - a deterministic synthetic data set in the input contract's
 * format.
 *
 * Design notes.
 *
 * Randomness comes from xoshiro256** seeded through splitmix64; each phase
 * (children, pairings, activities, ...) has its own stream derived from the
 * seed, so adding a draw in one phase does not shift the others.  Names,
 * phone numbers and organizations are not stored: they are a pure function
 * of (seed, entity index), so every file that mentions a person spells the
 * same name.
 *
 * Memory: one small struct per town, child, volunteer and pairing (about
 * 20 bytes each; 100 MB at nation scale), plus a few per town-and-month
 * totals.  Rows are generated and written one at a time; activities are
 * generated month by month, child by child, straight into the month's file.
 *
 * Realism, in brief: children are profiled mostly at the start of the
 * window, some later; those turning 18 exit on their birthday, a few move
 * away.  Each child gets one to four volunteers from its town's pairing
 * pool (many-to-one); the pool is a ring in which some volunteers appear
 * twice or three times (one-to-many).  A few pairings end early with a
 * reason and are replaced.  Every active pairing calls most months; some
 * child-months are missed entirely, which gives a contact rate of about
 * 85-95% per town.  Money: restricted funds are only spent from what they
 * held at the start of the month, so no fund is ever overspent.  Most
 * children registered in the last weeks have no needs survey yet (and a
 * few others), and wait for a pairing until 3 to 40 days after
 * registration.  Entrepreneurs volunteer in the teams and enterprises that
 * also donate and claim wishes, under the same name; some teachers teach
 * the Spring Bud classes.  Most activity rows give minutes, some none.
 * Each town raises a few matters at the half-yearly symposiums of late June
 * and December (and now and then one between them); most are resolved in
 * one to four months, the rest are being handled or still wait.  Most
 * volunteers give a birth date (25 to 68 years old at the window's end,
 * drawn from a stream of their own so the other columns keep their values;
 * at least 18 on joining); about one in ten does not.
 *
 * Bad rows (--errors) are templates, one CSV line in the kind's column
 * order, with placeholders for a fresh key, existing references and dates
 * near the end of the window.  Their keys are fresh, so no good row ever
 * refers to them.  Error j of a file follows its good row 3 + 7j (or the
 * end of the file), and its physical line is counted as written.
 */
#include "himama/synth.h"
#include "himama/kinds.h"
#include "himama/util.h"

#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NODATE INT32_MAX

/* ---------------------------------------------------------------- random */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Seed r for one phase (stream) of the data set. */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]; lo when hi < lo. */
static inline int32_t rng_range(rng *r, int32_t lo, int32_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo) + 1u);
}

static inline double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static inline bool rng_chance(rng *r, double p)
{
    return rng_unit(r) < p;
}

/* A hash of (seed, tag, index): names and phones as pure functions. */
static uint64_t hash3(uint64_t seed, uint64_t tag, uint64_t idx)
{
    uint64_t x = seed ^ (tag * 0x9E3779B97F4A7C15ull) ^ (idx * 0xC2B2AE3D27D4EB4Full);
    splitmix64(&x);
    return splitmix64(&x);
}

/* ------------------------------------------------------------ word lists */

static const char *const surnames[] = {
    "施", "黄", "陆", "沈", "顾", "倪", "茅", "季", "范", "龚", "张", "王", "李", "陈",
    "刘", "杨", "周", "吴", "徐", "朱", "孙", "马", "胡", "郭", "何", "高", "林", "郑",
    "江", "宋", "唐", "许", "曹", "袁", "蔡", "丁", "姚", "秦", "钱", "严", "汤", "邱",
    "陶", "沙", "瞿", "成", "樊", "管", "葛", "邢" };
static const char *const female_given[] = {
    "丽", "萍", "芳", "娟", "敏", "静", "燕", "红", "霞", "玲", "梅", "琴", "英", "华",
    "兰", "慧", "雪", "婷", "洁", "颖", "丹", "秀", "艳", "凤", "云", "莉", "娜", "倩",
    "春", "月", "美", "琳", "晓", "红", "佩", "蓉" };
static const char *const male_given[] = {
    "伟", "强", "军", "磊", "勇", "杰", "涛", "斌", "明", "超", "刚", "平", "辉", "鹏",
    "建", "国", "峰", "林", "海", "东", "忠", "卫" };
static const char *const child_given[] = {
    "子", "轩", "浩", "宇", "梓", "涵", "欣", "怡", "诗", "雨", "佳", "琪", "思", "睿",
    "铭", "博", "语", "嘉", "晨", "一", "可", "馨", "悦", "泽", "阳", "俊", "皓", "萱",
    "瑶", "鈺", "乐", "宁", "安", "彤", "朵", "辰" };
static const char *const alias_chars[] = {
    "鈺", "雨", "乐", "星", "禾", "宁", "安", "朵", "贝", "果", "米", "豆", "月", "阳",
    "宇", "琪", "杰", "雪", "晨", "悦" };

static const char *const haimen_towns[] = {
    "海门街道", "三厂街道", "常乐镇", "悦来镇", "四甲镇", "余东镇", "正余镇", "包场镇",
    "临江镇" };
static const char *const town_stems[] = {
    "东", "西", "南", "北", "新", "兴", "安", "平", "和", "丰", "乐", "福", "永", "长",
    "金", "石", "桥", "河", "湖", "港", "山", "林", "清", "泉", "龙", "凤", "阳", "华",
    "宝", "盛", "通", "海", "江", "沙", "青", "白", "云", "红", "花", "桃", "杨", "柳",
    "竹", "松", "梅", "庄", "集", "店", "塘", "湾", "坝", "口", "营", "堡", "台", "园",
    "埠", "洲", "汇", "源" };
static const char *const town_suffixes[] = { "镇", "街道", "乡" };

static const char *const agencies[] = {
    "区教育局", "区民政局", "区人社局", "区卫健委", "区司法局", "区税务局", "区财政局",
    "区住建局", "区文旅局", "区总工会", "团区委", "区法院" };
static const char *const enterprise_kinds[] = {
    "纺织有限公司", "建设集团", "电子科技有限公司", "食品有限公司", "农业发展有限公司",
    "家纺城商会", "船舶重工有限公司", "农商银行支行", "物流有限公司", "医药有限公司" };
static const char *const specialties[] = {
    "绘画", "书法", "心理辅导", "英语辅导", "手工", "烘焙", "舞蹈", "数学辅导",
    "阅读指导", "摄影", "声乐", "编程", "急救", "园艺" };
static const char *const books[] = {
    "《小王子》", "《夏洛的网》", "《草房子》", "《窗边的小豆豆》", "《西游记》",
    "《安徒生童话》", "《城南旧事》", "《青铜葵花》", "《昆虫记》", "《海底两万里》",
    "《骆驼祥子》", "《鲁滨逊漂流记》", "《爱的教育》", "《稻草人》", "《中华上下五千年》",
    "《没头脑和不高兴》", "《时代广场的蟋蟀》", "《绿野仙踪》", "《孙悟空在我们村里》",
    "《十万个为什么》" };
static const char *const call_notes[] = {
    "", "", "", "", "聊了学习情况", "询问近期身体状况", "孩子说期中考试进步了",
    "叮嘱注意防溺水", "孩子想要一本课外书", "和奶奶聊了孩子的近况",
    "孩子最近学习有进步, 数学考了90分", "提醒按时完成作业", "孩子情绪不错" };
static const char *const wish_items[] = {
    "一套绘画工具", "一个新书包", "一双运动鞋", "一本《新华字典》", "一辆自行车",
    "一个篮球", "一件羽绒服", "一台学习机", "去动物园玩一次", "一套课外书",
    "一个台灯", "一副羽毛球拍", "一套乐高积木", "一个电子手表", "一把尤克里里",
    "参观一次科技馆" };
static const int32_t wish_costs[] = {  /* yuan, matching wish_items */
    120, 150, 260, 40, 600, 120, 380, 800, 200, 180, 90, 150, 300, 260, 350, 100 };
static const char *const micro_topics[] = {
    "如何与留守儿童有效沟通", "儿童心理健康识别与疏导", "亲子阅读的方法与技巧",
    "家庭教育促进法解读", "儿童安全防护知识", "青春期儿童的心理特点",
    "如何帮助孩子建立学习习惯", "急救知识与技能培训", "未成年人保护法律常识",
    "情绪管理与压力疏导", "陪伴式成长：倾听的艺术", "困境儿童救助政策解读" };
static const char *const speaker_titles[] = {
    "心理咨询师", "区妇联", "律师", "教师", "社工督导", "医生" };

static const char *const end_reasons[] = {
    "", "儿童年满18岁", "儿童随家庭搬迁", "家庭情况好转退出", "志愿者工作调动",
    "志愿者身体原因", "双方协商解除" };
enum { ER_NONE, ER_AGE18, ER_MOVED, ER_BETTER, ER_TRANSFER, ER_HEALTH, ER_MUTUAL };

static const char *const funds[] = {
    "微心愿专项", "春蕾班专项", "假日活动专项", "赋能微课堂专项" };
enum { FUND_WISH, FUND_SPRINGBUD, FUND_HOLIDAY, FUND_TRAINING, NFUNDS };

/* Activity types, indexes into hm_enum_activity_type. */
enum { AT_CALL, AT_READING, AT_HOLIDAY, AT_BIRTHDAY, AT_ICEBREAK, AT_VISIT_TEACHER,
       AT_VISIT_GUARDIAN, AT_WARMTH, AT_KNOWLEDGE, AT_STUDY_TRIP, AT_COUNSELLING,
       AT_OTHER };

/* Volunteer sectors, indexes into hm_enum_sector. */
enum { SEC_FEDERATION, SEC_CADRE, SEC_TEACHER, SEC_SOCIAL, SEC_COUNSELLOR,
       SEC_ENTREPRENEUR, SEC_OTHER };

/* ------------------------------------------------------------ the model */

typedef struct scale_params {
    uint32_t ntowns;
    uint32_t children;
    uint32_t volunteers;
    int months;
    double story_p;         /* chance a pairing has a story */
    double attend_p;        /* chance a volunteer attends a micro-class */
} scale_params;

static const scale_params scales[] = {
    { 9, 200, 560, 24, 0.08, 0.20 },
    { 90, 2000, 5600, 24, 0.06, 0.20 },
    { 5000, 1000000, 2500000, 12, 0.02, 0.12 },
};

#define GROUP_TOWNS 9   /* towns per district: trainings and donations */

typedef struct town {
    uint32_t c0, nc;        /* children [c0, c0 + nc) */
    uint32_t v0, nv;        /* volunteers [v0, v0 + nv) */
    uint32_t npaired;       /* the first npaired volunteers are in the paired pool */
    float miss;             /* chance a paired child goes uncontacted in a month */
    char code[16];
} town;

typedef struct child {
    int32_t birth, reg, exit;
    uint32_t town;
    uint32_t p0;            /* pairings [p0, p0 + np) */
    uint8_t np;
    uint8_t flags;          /* CF_* */
    uint8_t exit_reason;
} child;

enum { CF_MALE = 1, CF_ALIAS = 2, CF_CAT_SHIFT = 2 /* 2 bits: category */ };

typedef struct volunteer {
    int32_t joined;
    uint32_t town;
    uint8_t sector;
    uint8_t father;
    uint8_t reserve;
} volunteer;

typedef struct pairing {
    uint32_t vol, child;
    int32_t start, end;     /* end NODATE: still open */
    uint8_t reason;
} pairing;

typedef enum date_style { DS_ISO, DS_SLASH, DS_CN } date_style;

typedef struct bad_row {
    const char *column;     /* English column name, "" for the row as a whole */
    const char *rule;
    const char *tpl;        /* the CSV line, placeholders '@x' */
} bad_row;

#define MAX_BAD 24

/* One CSV file being written. */
typedef struct sw {
    hm_atomic at;
    char name[96];
    const hm_kind *kind;
    bool gb, bom, crlf, english, open;
    date_style ds;
    iconv_t cd;
    char *vbuf;
    char *conv;
    size_t convcap;
    long lines;             /* line ends written so far */
    uint64_t rows, bad, bytes;
    hm_strbuf rec;
    int nf;
    bool failed;
    const bad_row *badq[MAX_BAD];
    int nbad, badnext;
    const char *badprefix;
    /* the last good pairing, for the overlapping-pairing template */
    char last_v[16], last_c[16], last_s[12];
    /* --per-district: one file per district (DIR/CODE/name), the record
     * written to parts[cur] */
    struct sw *parts;
    uint32_t nparts, cur;
} sw;

typedef struct synth {
    const hm_synth_opts *o;
    scale_params p;
    uint64_t seed;
    int32_t until, start;   /* the window [start, until] */
    int y0, m0;             /* first month */
    int nmonths;
    uint32_t ntowns, ngroups;
    town *towns;
    child *children;
    uint32_t nchildren;
    volunteer *vols;
    uint32_t nvols;
    pairing *pairs;
    uint32_t npairs, capairs;
    int64_t *wish_fen;      /* ntowns * nmonths: fulfilled wishes' cost */
    uint16_t *events;       /* ntowns * nmonths: holiday events held */
    int64_t fund_bal[NFUNDS];
    int64_t *dist_bal;      /* --per-district: NFUNDS per district, else NULL */
    int32_t iso0;           /* first day in the ISO date cache */
    char (*iso)[11];
    int32_t niso;
    uint64_t next_activity, next_receipt, next_bad;
    char first_event[24];
    hm_strbuf rejects;
    hm_synth_result *res;
    char *err;
    size_t errsz;
    hm_error rc;
} synth;

/* ------------------------------------------------------------- helpers */

static int32_t ymd(int y, int m, int d)
{
    return hm_days_from_civil(y, m, d);
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* The same month and day in year y (29 February becomes 1 March). */
static int32_t anniversary(int32_t birth, int years)
{
    int y, m, d;
    hm_civil_from_days(birth, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && days_in_month(y, 2) == 28) {
        m = 3;
        d = 1;
    }
    return ymd(y, m, d);
}

/* Month k of the window: its year, month, first and last day (<= until). */
static void month_of(const synth *s, int k, int *y, int *m, int32_t *first, int32_t *last)
{
    int mm = s->m0 - 1 + k;
    *y = s->y0 + mm / 12;
    *m = mm % 12 + 1;
    *first = ymd(*y, *m, 1);
    *last = ymd(*y, *m, days_in_month(*y, *m));
    if (*last > s->until)
        *last = s->until;
}

/* The window month index of day d, or -1 outside. */
static int month_index(const synth *s, int32_t d)
{
    int y, m, dd;
    if (d < s->start || d > s->until)
        return -1;
    hm_civil_from_days(d, &y, &m, &dd);
    return (y - s->y0) * 12 + (m - s->m0);
}

/* Decimal digits of v, zero-padded to width, after prefix, into out. */
static void fmt_id(char *out, size_t outsz, const char *prefix, uint64_t v, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < 20);
    while (n < width && n < 20)
        digits[n++] = '0';
    size_t pl = strlen(prefix), i = 0;
    if (pl + (size_t)n + 1 > outsz) {
        out[0] = '\0';
        return;
    }
    memcpy(out, prefix, pl);
    i = pl;
    while (n > 0)
        out[i++] = digits[--n];
    out[i] = '\0';
}

static void child_id(char out[16], uint32_t i)
{
    fmt_id(out, 16, "C", (uint64_t)i + 1, 7);
}

static void vol_id(char out[16], uint32_t i)
{
    fmt_id(out, 16, "V", (uint64_t)i + 1, 7);
}

/* A person's name from (seed, tag, idx): surname and one or two characters. */
static void person_name(char *out, size_t outsz, uint64_t seed, uint64_t tag, uint64_t idx,
                        int kind /* 0 woman, 1 man, 2 child */, const char *surname)
{
    uint64_t h = hash3(seed, tag, idx);
    const char *sn = surname ? surname : surnames[h % N(surnames)];
    h /= N(surnames);
    const char *const *g = kind == 0 ? female_given : kind == 1 ? male_given : child_given;
    size_t ng = kind == 0 ? N(female_given) : kind == 1 ? N(male_given) : N(child_given);
    const char *a = g[h % ng];
    h /= ng;
    const char *b = g[h % ng];
    h /= ng;
    if (h % 10 < 3 || a == b)
        snprintf(out, outsz, "%s%s", sn, a);
    else
        snprintf(out, outsz, "%s%s%s", sn, a, b);
}

static const char *child_surname(const synth *s, uint32_t c)
{
    return surnames[hash3(s->seed, 11, c) % N(surnames)];
}

static void child_name(const synth *s, uint32_t c, char *out, size_t outsz)
{
    person_name(out, outsz, s->seed, 12, c, 2, child_surname(s, c));
}

/* The child's alias ("小鈺"), or "" when it has none. */
static void child_alias(const synth *s, uint32_t c, char *out, size_t outsz)
{
    if (!(s->children[c].flags & CF_ALIAS)) {
        out[0] = '\0';
        return;
    }
    snprintf(out, outsz, "小%s", alias_chars[hash3(s->seed, 13, c) % N(alias_chars)]);
}

static void vol_name(const synth *s, uint32_t v, char *out, size_t outsz)
{
    person_name(out, outsz, s->seed, 21, v, s->vols[v].father ? 1 : 0, NULL);
}

/* A mobile number: 1, one of 3/5/7/8/9, nine digits. */
static void phone(char out[16], uint64_t seed, uint64_t tag, uint64_t idx)
{
    static const char second[] = "35789";
    uint64_t h = hash3(seed, tag, idx);
    out[0] = '1';
    out[1] = second[h % 5];
    h /= 5;
    for (int i = 2; i < 11; i++) {
        out[i] = (char)('0' + h % 10);
        h /= 10;
    }
    out[11] = '\0';
}

/* The town's name. */
static void town_name(const synth *s, uint32_t t, char *out, size_t outsz)
{
    if (t < N(haimen_towns)) {
        snprintf(out, outsz, "%s", haimen_towns[t]);
        return;
    }
    uint32_t i = t - (uint32_t)N(haimen_towns);
    uint32_t ns = (uint32_t)N(town_stems);
    uint32_t a = i % ns, b = (a + 1 + (i / ns) % (ns - 1)) % ns;
    uint32_t suf = (i / (ns * (ns - 1))) % (uint32_t)N(town_suffixes);
    (void)s;
    snprintf(out, outsz, "%s%s%s", town_stems[a], town_stems[b], town_suffixes[suf]);
}

/*
 * The hierarchy above the towns: district d is the towns' group (towns
 * [9d, 9d + 9)), in city d / DISTRICTS_PER_CITY, in province city /
 * CITIES_PER_PROVINCE at nation scale.  The district scale is Haimen, the
 * city scale Nantong's ten districts; the nation repeats district names
 * from city to city (every city has a 鼓楼区), as the country does.
 */
#define DISTRICTS_PER_CITY 8
#define CITIES_PER_PROVINCE 5
static const char *const nantong_districts[][2] = {
    { "HM", "海门区" }, { "CC", "崇川区" }, { "TZ", "通州区" }, { "RD", "如东县" },
    { "QD", "启东市" }, { "RG", "如皋市" }, { "HA", "海安市" }, { "TZW", "通州湾示范区" },
    { "SXT", "苏锡通园区" }, { "KFQ", "经济技术开发区" } };
static const char *const nation_districts[DISTRICTS_PER_CITY] = {
    "海门区", "鼓楼区", "城东区", "城西区", "新城区", "高新区", "开发区", "临港区" };
static const char *const provinces[] = {
    "江苏省", "浙江省", "安徽省", "山东省", "河南省", "湖北省", "湖南省", "江西省",
    "福建省", "广东省", "四川省", "河北省", "山西省", "陕西省", "贵州省", "云南省" };

/* District d's code: the name of its directory under --per-district. */
static void district_code(const synth *s, uint32_t d, char *out, size_t outsz)
{
    if (s->o->scale != HM_SYNTH_NATION && d < N(nantong_districts))
        snprintf(out, outsz, "%s", nantong_districts[d][0]);
    else
        snprintf(out, outsz, "D%04u", (d + 1) % 100000u);
}

/* The district, city and province names of town t. */
static void town_units(const synth *s, uint32_t t, char *dist, char *city, char *prov,
                       size_t sz)
{
    uint32_t d = t / GROUP_TOWNS;
    if (s->o->scale != HM_SYNTH_NATION) {
        snprintf(dist, sz, "%s", d < N(nantong_districts) ? nantong_districts[d][1] : "");
        snprintf(city, sz, "南通市");
        snprintf(prov, sz, "江苏省");
        return;
    }
    uint32_t c = d / DISTRICTS_PER_CITY, p = c / CITIES_PER_PROVINCE;
    uint32_t ns = (uint32_t)N(town_stems);
    snprintf(dist, sz, "%s", nation_districts[d % DISTRICTS_PER_CITY]);
    if (c == 0)
        snprintf(city, sz, "南通市");
    else
        snprintf(city, sz, "%s%s市", town_stems[(c * 7) % ns], town_stems[(c * 7 / ns + c) % ns]);
    if (p < N(provinces))
        snprintf(prov, sz, "%s", provinces[p]);
    else
        snprintf(prov, sz, "第%u省", p + 1);
}

/* The town's name without 镇/街道/乡, for schools and services. */
static void town_stem(const synth *s, uint32_t t, char *out, size_t outsz)
{
    town_name(s, t, out, outsz);
    size_t n = strlen(out);
    for (size_t i = 0; i < N(town_suffixes); i++) {
        size_t k = strlen(town_suffixes[i]);
        if (n > k && strcmp(out + n - k, town_suffixes[i]) == 0) {
            out[n - k] = '\0';
            return;
        }
    }
}

/*
 * Enterprise j (0..) of district group g.  The first two are the teams
 * every district knows (the same name in every group): an enterprise's
 * caring mothers team and the women entrepreneurs' association; both give
 * money and their members volunteer, so one name links the two.
 */
static void enterprise(const synth *s, uint32_t g, uint32_t j, char *out, size_t outsz)
{
    char stem[64];
    if (j == 0 || j == 1) {
        snprintf(out, outsz, "%s", j == 0 ? "中天爱心妈妈团" : "女企业家协会");
        return;
    }
    uint32_t t = g * GROUP_TOWNS + j % GROUP_TOWNS;
    if (t >= s->ntowns)
        t = g * GROUP_TOWNS;
    town_stem(s, t, stem, sizeof stem);
    snprintf(out, outsz, "%s%s", stem,
             enterprise_kinds[(j + g) % N(enterprise_kinds)]);
}

/* The school a child attends, by age at the end of the window. */
static void school(const synth *s, uint32_t c, char *out, size_t outsz)
{
    char stem[64];
    town_stem(s, s->children[c].town, stem, sizeof stem);
    int32_t age = (s->until - s->children[c].birth) / 365;
    uint64_t h = hash3(s->seed, 14, c);
    if (age < 6)
        snprintf(out, outsz, "%s幼儿园", stem);
    else if (age < 12)
        snprintf(out, outsz, "%s%s", stem, h % 3 ? "小学" : "实验小学");
    else if (age < 15)
        snprintf(out, outsz, "%s%s", stem, h % 2 ? "初级中学" : "中学");
    else
        snprintf(out, outsz, "%s", h % 2 ? "海门中学" : "海门职业技术学校");
}

/* The volunteer's organization or team, possibly "". */
static void organization(const synth *s, uint32_t v, char *out, size_t outsz)
{
    const volunteer *vo = &s->vols[v];
    uint64_t h = hash3(s->seed, 22, v);
    char stem[64], tn[64];
    town_stem(s, vo->town, stem, sizeof stem);
    switch (vo->sector) {
    case SEC_FEDERATION:
        town_name(s, vo->town, tn, sizeof tn);
        snprintf(out, outsz, "%s妇联", tn);
        break;
    case SEC_CADRE:
        snprintf(out, outsz, "%s", agencies[h % N(agencies)]);
        break;
    case SEC_TEACHER:   /* some teach the Spring Bud classes */
        if (h % 4 == 0)
            snprintf(out, outsz, "%s", "春蕾班");
        else
            snprintf(out, outsz, "%s%s", stem, h % 2 ? "小学" : "初级中学");
        break;
    case SEC_SOCIAL:
        snprintf(out, outsz, "%s社会工作服务中心", stem);
        break;
    case SEC_COUNSELLOR:
        snprintf(out, outsz, "%s", h % 2 ? "心晴心理咨询工作室" : "阳光心理咨询中心");
        break;
    case SEC_ENTREPRENEUR:   /* the enterprise that donates, by the same name */
        enterprise(s, vo->town / GROUP_TOWNS, (uint32_t)(h % 5), out, outsz);
        break;
    default:
        snprintf(out, outsz, "%s", h % 2 ? "" : "社区志愿者服务队");
        break;
    }
}

/* Money in one of the accepted forms. */
static void fmt_money(char *out, size_t outsz, int64_t fen, int style)
{
    char digits[32], grouped[48];
    int64_t yuan = fen / 100, cents = fen % 100;
    snprintf(digits, sizeof digits, "%lld", (long long)yuan);
    size_t n = strlen(digits), j = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[j++] = ',';
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    char dec[8] = "";
    if (cents)
        snprintf(dec, sizeof dec, ".%02d", (int)cents);
    switch (style % 6) {
    case 0:
        snprintf(out, outsz, "%s%s", digits, dec);
        break;
    case 1:
        snprintf(out, outsz, "%s.%02d", grouped, (int)cents);
        break;
    case 2:
        snprintf(out, outsz, "¥%s%s", digits, dec);
        break;
    case 3:
        snprintf(out, outsz, "%s%s元", digits, dec);
        break;
    case 4:
        snprintf(out, outsz, "¥ %s.%02d 元", grouped, (int)cents);
        break;
    default:
        snprintf(out, outsz, "￥%s%s", grouped, dec);
        break;
    }
}

/* ------------------------------------------------------------- writing */

static void set_error(synth *s, hm_error rc, const char *fmt, const char *arg)
{
    if (s->rc != HM_OK)
        return;
    s->rc = rc;
    snprintf(s->err, s->errsz, fmt, arg);
}

/* Write bytes to w's file, converting to GB18030 when the file is. */
static void put_bytes(sw *w, const char *buf, size_t len)
{
    if (w->failed)
        return;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n')
            w->lines++;
    if (!w->gb) {
        if (fwrite(buf, 1, len, w->at.fp) != len)
            w->failed = true;
        w->bytes += len;
        return;
    }
    size_t need = 2 * len + 16;
    if (w->convcap < need) {
        w->conv = hm_xrealloc(w->conv, need);
        w->convcap = need;
    }
    char *in = (char *)buf, *out = w->conv;
    size_t inleft = len, outleft = w->convcap;
    if (iconv(w->cd, &in, &inleft, &out, &outleft) == (size_t)-1 || inleft != 0) {
        w->failed = true;
        return;
    }
    size_t n = w->convcap - outleft;
    if (fwrite(w->conv, 1, n, w->at.fp) != n)
        w->failed = true;
    w->bytes += n;
}

static inline void f_sep(sw *w)
{
    if (w->nf++)
        hm_strbuf_addc(&w->rec, ',');
}

/* A field known to need no quoting (IDs, dates, numbers). */
static inline void f_raw(sw *w, const char *v)
{
    f_sep(w);
    hm_strbuf_adds(&w->rec, v);
}

static inline void f_empty(sw *w)
{
    f_sep(w);
}

/* A text field, quoted per RFC 4180 when it holds a comma, quote or line end. */
static void f_str(sw *w, const char *v)
{
    f_sep(w);
    if (!strpbrk(v, ",\"\r\n")) {
        hm_strbuf_adds(&w->rec, v);
        return;
    }
    hm_strbuf_addc(&w->rec, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            hm_strbuf_addc(&w->rec, '"');
        hm_strbuf_addc(&w->rec, *p);
    }
    hm_strbuf_addc(&w->rec, '"');
}

static void f_uint(sw *w, uint64_t v)
{
    char b[24];
    fmt_id(b, sizeof b, "", v, 1);
    f_raw(w, b);
}

static const char *iso_date(const synth *s, int32_t d, char tmp[11])
{
    if (d >= s->iso0 && d - s->iso0 < s->niso)
        return s->iso[d - s->iso0];
    hm_date_format(d, tmp);
    return tmp;
}

/* A date in the file's style; NODATE as an empty field. */
static void f_date(const synth *s, sw *w, int32_t d)
{
    char b[32];
    int y, m, dd;
    if (d == NODATE) {
        f_empty(w);
        return;
    }
    switch (w->ds) {
    case DS_ISO:
        f_raw(w, iso_date(s, d, b));
        return;
    case DS_SLASH:
        hm_civil_from_days(d, &y, &m, &dd);
        snprintf(b, sizeof b, "%d/%d/%d", y, m, dd);
        break;
    default:
        hm_civil_from_days(d, &y, &m, &dd);
        snprintf(b, sizeof b, "%d年%d月%d日", y, m, dd);
        break;
    }
    f_raw(w, b);
}

/* An enumeration value: the code in English files, the label in Chinese ones. */
static void f_enum(sw *w, const hm_enum *e, size_t i)
{
    f_str(w, w->english ? e->values[i].code : e->values[i].label);
}

static void rec_begin(sw *w)
{
    hm_strbuf_reset(&w->rec);
    w->nf = 0;
}

/* Expand template tpl into out. */
static void expand_bad(synth *s, sw *w, const char *tpl, hm_strbuf *out)
{
    char b[64];
    for (const char *p = tpl; *p; p++) {
        if (*p != '@' || !p[1]) {
            hm_strbuf_addc(out, *p);
            continue;
        }
        switch (*++p) {
        case 'N':
            fmt_id(b, sizeof b, w->badprefix, ++s->next_bad, 4);
            hm_strbuf_adds(out, b);
            break;
        case 'C':
            child_id(b, 0);
            hm_strbuf_adds(out, b);
            break;
        case 'V':
            vol_id(b, 0);
            hm_strbuf_adds(out, b);
            break;
        case 'T':
            hm_strbuf_adds(out, s->towns[0].code);
            break;
        case 'E':
            hm_strbuf_adds(out, s->first_event);
            break;
        case 'D':
            hm_strbuf_adds(out, iso_date(s, s->until - 40, b));
            break;
        case 'd':
            hm_strbuf_adds(out, iso_date(s, s->until - 50, b));
            break;
        case 'L':
            hm_strbuf_adds(out, iso_date(s, s->until - 30, b));
            break;
        case 'v':
            hm_strbuf_adds(out, w->last_v);
            break;
        case 'c':
            hm_strbuf_adds(out, w->last_c);
            break;
        case 's':
            hm_strbuf_adds(out, w->last_s);
            break;
        case 'X':
            for (int i = 0; i < 70; i++)
                hm_strbuf_adds(out, "长");
            break;
        case 'Z':
            for (int i = 0; i < 40; i++)
                hm_strbuf_addc(out, 'Z');
            break;
        default:
            hm_strbuf_addc(out, '@');
            hm_strbuf_addc(out, *p);
            break;
        }
    }
}

/* Write the next queued bad row of w and list it in expected-rejects. */
static void write_bad(synth *s, sw *w)
{
    const bad_row *b = w->badq[w->badnext++];
    hm_strbuf line = HM_STRBUF_INIT;
    expand_bad(s, w, b->tpl, &line);
    hm_strbuf_adds(&line, w->crlf ? "\r\n" : "\n");
    long at = w->lines + 1;
    put_bytes(w, line.buf, line.len);
    hm_strbuf_release(&line);
    w->bad++;
    hm_strbuf_addf(&s->rejects, "%s\t%ld\t%s\t%s\n", w->name, at, b->column, b->rule);
}

/* End the current record: write it, then any bad row due after it. */
static void rec_end(synth *s, sw *w)
{
    hm_strbuf_adds(&w->rec, w->crlf ? "\r\n" : "\n");
    if (w->nparts) {
        sw *o = &w->parts[w->cur];
        put_bytes(o, w->rec.buf, w->rec.len);
        o->rows++;
        w->failed |= o->failed;
    } else {
        put_bytes(w, w->rec.buf, w->rec.len);
    }
    w->rows++;
    while (w->badnext < w->nbad && w->rows >= 3 + 7 * (uint64_t)w->badnext)
        write_bad(s, w);
}

/* w emptied and set for a file name of kind, in the given encoding and form. */
static void sw_init(sw *w, const char *name, const char *kind, bool gb, bool bom, bool crlf,
                    bool english, date_style ds)
{
    memset(w, 0, sizeof *w);
    hm_strbuf_init(&w->rec);
    snprintf(w->name, sizeof w->name, "%s", name);
    w->kind = hm_kind_by_name(kind);
    w->gb = gb;
    w->bom = bom;
    w->crlf = crlf;
    w->english = english;
    w->ds = ds;
    w->cd = (iconv_t)-1;
}

/* Open name in the output directory for kind (English name) and write its header. */
static bool sw_open_file(synth *s, sw *w, const char *name, const char *kind, bool gb, bool bom,
                         bool crlf, bool english, date_style ds)
{
    sw_init(w, name, kind, gb, bom, crlf, english, ds);
    if (s->rc != HM_OK)
        return false;
    char *path = hm_path_join(s->o->dir, name);
    if (hm_atomic_open(&w->at, path) != HM_OK) {
        set_error(s, HM_EIO, "cannot create '%s'", path);
        free(path);
        return false;
    }
    free(path);
    w->open = true;
    size_t vsz = s->o->per_district ? 1u << 16 : 1u << 20;
    w->vbuf = hm_xmalloc(vsz);
    setvbuf(w->at.fp, w->vbuf, _IOFBF, vsz);
    if (gb) {
        w->cd = iconv_open("GB18030", "UTF-8");
        if (w->cd == (iconv_t)-1) {
            w->failed = true;
            return false;
        }
    }
    if (bom)
        put_bytes(w, "\xEF\xBB\xBF", 3);
    rec_begin(w);
    for (size_t i = 0; i < w->kind->ncolumns; i++)
        f_raw(w, english ? w->kind->columns[i].name : w->kind->columns[i].label);
    hm_strbuf_adds(&w->rec, crlf ? "\r\n" : "\n");
    put_bytes(w, w->rec.buf, w->rec.len);
    w->lines = 1;
    return true;
}

/*
 * Open w: one file, or with --per-district one per district (DIR/CODE/name),
 * the rows sent to the district sw_route names.  w keeps the record and the
 * counts of all.
 */
static bool sw_open(synth *s, sw *w, const char *name, const char *kind, bool gb, bool bom,
                    bool crlf, bool english, date_style ds)
{
    if (!s->o->per_district)
        return sw_open_file(s, w, name, kind, gb, bom, crlf, english, ds);
    sw_init(w, name, kind, gb, bom, crlf, english, ds);
    w->parts = hm_xcalloc(s->ngroups, sizeof *w->parts);
    w->nparts = s->ngroups;
    w->open = s->rc == HM_OK;
    for (uint32_t d = 0; d < s->ngroups && w->open; d++) {
        char code[16], sub[128];
        district_code(s, d, code, sizeof code);
        snprintf(sub, sizeof sub, "%s/%s", code, name);
        w->open = sw_open_file(s, &w->parts[d], sub, kind, gb, bom, crlf, english, ds);
    }
    return w->open;
}

/* With --per-district, send w's next record to district d's file. */
static inline void sw_route(sw *w, uint32_t d)
{
    if (w->nparts)
        w->cur = d < w->nparts ? d : w->nparts - 1;
}

/* Queue the bad rows for w (only with --errors). */
static void sw_queue_bad(synth *s, sw *w, const char *prefix, const bad_row *rows, size_t n,
                         size_t every, size_t first)
{
    w->badprefix = prefix;
    if (!s->o->errors)
        return;
    for (size_t i = first; i < n && w->nbad < MAX_BAD; i += every)
        w->badq[w->nbad++] = &rows[i];
}

/* Finish w: flush the remaining bad rows, commit, record it in the result. */
static void sw_close(synth *s, sw *w)
{
    if (w->nparts) {
        for (uint32_t d = 0; d < w->nparts; d++)
            sw_close(s, &w->parts[d]);
        free(w->parts);
        hm_strbuf_release(&w->rec);
        w->open = false;
        return;
    }
    if (!w->open) {
        hm_strbuf_release(&w->rec);
        return;
    }
    while (w->badnext < w->nbad)
        write_bad(s, w);
    if (w->failed || s->rc != HM_OK) {
        hm_atomic_abort(&w->at);
        set_error(s, HM_EIO, "cannot write '%s'", w->name);
    } else {
        char *path = hm_xstrdup(w->at.path);
        if (hm_atomic_commit(&w->at) != HM_OK)
            set_error(s, HM_EIO, "cannot write '%s'", path);
        free(path);
    }
    if (s->rc == HM_OK) {
        hm_synth_result *r = s->res;
        r->files = hm_xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
        hm_synth_file *f = &r->files[r->nfiles++];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", w->name);
        f->kind = w->kind ? w->kind->name : "expected-rejects";
        f->encoding = w->gb ? "GB18030" : w->bom ? "UTF-8+BOM" : "UTF-8";
        f->rows = w->rows;
        f->bad_rows = w->bad;
        f->bytes = w->bytes;
        r->rows += w->rows;
        r->bad_rows += w->bad;
    }
    if (w->cd != (iconv_t)-1)
        iconv_close(w->cd);
    free(w->vbuf);
    free(w->conv);
    hm_strbuf_release(&w->rec);
    w->open = false;
}

/* ------------------------------------------------------------ bad rows */

static const bad_row bad_towns[] = {
    { "town_code", "id longer than 32 characters", "TW@Z,超长编码镇,,," },
    { "town_name", "control character", "@N,测试\x01" "镇,,," },
    { "", "too few fields", "@N" },
};

static const bad_row bad_children[] = {
    { "birth_date", "not a calendar date (31 February)",
      "@N,王小明,小明,M,2015-02-31,@T,left_behind,王建国,13800000000,,,,@D," },
    { "registered_on", "not a calendar date (month 15)",
      "@N,李小红,,F,2014-03-08,@T,distressed,李强,,,,,2024-15-03," },
    { "town_code", "unknown town", "@N,张小华,小华,F,2013-05-06,ZZ404,both,,,,,,@D," },
    { "gender", "unknown enumeration", "@N,陈小军,,X,2012-07-01,@T,left_behind,,,,,,@D," },
    { "exited_on", "exit before registration",
      "@N,周小雨,小雨,F,2011-09-09,@T,left_behind,,,,,,@D,@d" },
    { "birth_date", "excel serial date", "@N,吴小宇,,M,41640,@T,distressed,,,,,,@D," },
    { "registered_on", "future date", "@N,郑小安,,M,2012-01-12,@T,both,,,,,,2099-06-15," },
    { "name", "name longer than 64 characters", "@N,@X,,F,2012-04-04,@T,left_behind,,,,,,@D," },
    { "name", "required field empty", "@N,,,F,2012-04-05,@T,left_behind,,,,,,@D," },
    { "needs", "unknown need", "@N,徐小乐,,M,2013-03-03,@T,both,,,,,swimming,@D," },
};

static const bad_row bad_volunteers[] = {
    { "sector", "unknown enumeration", "@N,沈丽华,爱心妈妈,13900000000,@T,宇航员,,,@D,结对库," },
    { "town_code", "unknown town", "@N,顾美琴,爱心妈妈,,ZZ404,妇联执委,,,@D,结对库," },
    { "joined_on", "not a calendar date (30 February)",
      "@N,倪秀英,爱心妈妈,,@T,在职老师,,,2023/2/30,储备库," },
    { "name", "control character", "@N,陈\x07" "芳,爱心妈妈,,@T,其他,,,@D,结对库," },
    { "", "too few fields", "@N,季红梅,爱心妈妈" },
    { "pool", "unknown enumeration", "@N,茅玲,爱心妈妈,,@T,其他,,,@D,候补库," },
};

static const bad_row bad_pairings[] = {
    { "ended_on", "end before start", "@N,@V,@C,@D,@d,双方协商解除" },
    { "", "overlapping pairing", "@N,@v,@c,@s,," },
    { "child_id", "unknown child", "@N,@V,CZZ0404,@D,," },
    { "volunteer_id", "unknown volunteer", "@N,VZZ0404,@C,@D,," },
    { "started_on", "future date", "@N,@V,@C,2099-06-15,," },
    { "started_on", "not a calendar date (30 February)", "@N,@V,@C,2024-2-30,," },
};

static const bad_row bad_activities[] = {
    { "child_id", "unknown child", "@N,@D,call,@V,CZZ0404,10,," },
    { "volunteer_id", "unknown volunteer", "@N,@D,call,VZZ0404,@C,10,," },
    { "type", "unknown enumeration", "@N,@D,phone_call,@V,@C,10,," },
    { "minutes", "minutes out of range", "@N,@D,reading,@V,@C,2000,《草房子》," },
    { "minutes", "malformed number", "@N,@D,call,@V,@C,半小时,," },
    { "date", "not a calendar date (month 13)", "@N,2025-13-05,call,@V,@C,15,," },
    { "date", "not a calendar date (31 February)", "@N,2023-02-31,call,@V,@C,15,," },
    { "date", "future date", "@N,2099-06-15,call,@V,@C,15,," },
    { "date", "excel serial date", "@N,45123,call,@V,@C,15,," },
    { "", "too few fields", "@N,@D,call" },
    { "", "too many fields", "@N,@D,call,@V,@C,15,,,额外" },
    { "notes", "control character", "@N,@D,call,@V,@C,15,,打电话\x02" },
    { "date", "time with T", "@N,2025-03-05T10:00,call,@V,@C,15,," },
    { "type", "required field empty", "@N,@D,,@V,@C,15,," },
};

static const bad_row bad_wishes[] = {
    { "fulfilled_on", "fulfilled before registration", "@N,@C,@D,一个书包,100,,,,@d," },
    { "claimed_on", "claimed before registration", "@N,@C,@D,一双球鞋,200,@V,,@d,," },
    { "fulfilled_on", "fulfilled before claimed", "@N,@C,@d,一个台灯,80,@V,,@L,@D," },
    { "cancelled_on", "both fulfilled and cancelled", "@N,@C,@d,一套画笔,60,@V,,@D,@D,@L" },
    { "claimed_by", "unknown volunteer", "@N,@C,@d,一本字典,40,VZZ0404,,@D,," },
    { "est_cost", "negative amount", "@N,@C,@d,一个篮球,-100,,,,," },
    { "est_cost", "malformed amount", "@N,@C,@d,一件外套,\"1,0000\",,,,," },
    { "child_id", "unknown child", "@N,CZZ0404,@d,一辆自行车,500,,,,," },
};

static const bad_row bad_donations[] = {
    { "amount", "negative amount", "@N,@D,施建国,个人,-500,," },
    { "amount", "amount must be above zero", "@N,@D,黄丽,个人,0,," },
    { "amount", "three decimals", "@N,@D,陆芳,个人,100.555,," },
    { "donor_type", "unknown enumeration", "@N,@D,某单位,政府,1000,," },
    { "date", "future date", "@N,2099-06-15,沈红,个人,200,," },
    { "amount", "malformed amount", "@N,@D,顾敏,个人,1e5,," },
    { "date", "not a calendar date (30 February)", "@N,2024-02-30,倪静,个人,300,," },
    { "receipt_no", "id longer than 32 characters", "@N,@D,季燕,个人,300,,SJ@Z" },
};

static const bad_row bad_expenditures[] = {
    { "fund", "unknown fund", "@N,@D,春节慰问,@T,物资,500,不存在的专项,顾秀英" },
    { "town_code", "unknown town", "@N,@D,春节慰问,ZZ404,物资,500,,顾秀英" },
    { "amount", "negative amount", "@N,@D,假日活动,@T,活动,-50,,顾秀英" },
    { "category", "unknown enumeration", "@N,@D,差旅,@T,差旅,300,,顾秀英" },
    { "date", "not a calendar date (31 June)", "@N,2024/6/31,培训,@T,培训,300,,顾秀英" },
    { "amount", "required field empty", "@N,@D,物资采购,@T,物资,,,顾秀英" },
};

static const bad_row bad_trainings[] = {
    { "kind", "unknown enumeration", "@N,@D,webinar,线上课程,张丽" },
    { "date", "not a calendar date (month 15)", "@N,2024-15-10,micro_class,亲子沟通,张丽" },
    { "event_id", "id longer than 32 characters", "TX@Z,@D,micro_class,亲子沟通,张丽" },
    { "date", "excel serial date", "@N,45200,symposium,座谈会,张丽" },
};

static const bad_row bad_attendance[] = {
    { "event_id", "unknown event", "TZZ0404,@V" },
    { "volunteer_id", "unknown volunteer", "@E,VZZ0404" },
    { "", "too few fields", "@E" },
};

static const bad_row bad_stories[] = {
    { "volunteer_id", "unknown volunteer", "@N,VZZ0404,@C,@D,一次家访,那天我们一起包了饺子。" },
    { "text", "required field empty", "@N,@V,@C,@D,一次家访," },
    { "date", "not a calendar date (30 February)",
      "@N,@V,@C,2024年2月30日,一次家访,那天我们一起包了饺子。" },
    { "text", "control character", "@N,@V,@C,@D,一次家访,那天\x01" "我们一起包了饺子。" },
    { "child_id", "unknown child", "@N,@V,CZZ0404,@D,一次家访,那天我们一起包了饺子。" },
};

static const bad_row bad_feedback[] = {
    { "status", "unknown enumeration", "@N,@D,@T,,经费,活动经费不足,已完成,," },
    { "resolved_on", "resolved before raised", "@N,@D,@T,,经费,活动经费不足,已办结,@d,已解决" },
    { "resolved_on", "resolved without a date", "@N,@D,@T,,经费,活动经费不足,已办结,,已解决" },
    { "resolved_on", "a date of resolution while open", "@N,@d,@T,,经费,活动经费不足,待办,@D," },
    { "town_code", "unknown town", "@N,@D,ZZ404,,经费,活动经费不足,待办,," },
    { "volunteer_id", "unknown volunteer", "@N,@D,@T,VZZ0404,经费,活动经费不足,待办,," },
    { "category", "unknown enumeration", "@N,@D,@T,,吃饭,活动经费不足,待办,," },
};

/* ----------------------------------------------------------- the model */

/* Towns: counts of children and volunteers, codes. */
static void build_towns(synth *s)
{
    rng r;
    rng_seed(&r, s->seed, 1);
    uint32_t nt = s->p.ntowns;
    double *wc = hm_xcalloc(nt, sizeof *wc), *wv = hm_xcalloc(nt, sizeof *wv);
    double sc = 0, sv = 0;
    for (uint32_t t = 0; t < nt; t++) {
        wc[t] = 0.6 + 0.8 * rng_unit(&r);
        wv[t] = 0.7 * wc[t] + 0.3 * (0.6 + 0.8 * rng_unit(&r));
        sc += wc[t];
        sv += wv[t];
    }
    s->towns = hm_xcalloc(nt, sizeof *s->towns);
    uint32_t c = 0, v = 0;
    for (uint32_t t = 0; t < nt; t++) {
        town *tw = &s->towns[t];
        tw->nc = (uint32_t)(s->p.children * wc[t] / sc + 0.5);
        tw->nv = (uint32_t)(s->p.volunteers * wv[t] / sv + 0.5);
        if (tw->nc < 1)
            tw->nc = 1;
        if (tw->nv < 2)
            tw->nv = 2;
        tw->c0 = c;
        tw->v0 = v;
        c += tw->nc;
        v += tw->nv;
        tw->npaired = (uint32_t)(tw->nv * (0.78 + 0.12 * rng_unit(&r)));
        if (tw->npaired < 1)
            tw->npaired = 1;
        tw->miss = (float)(0.04 + 0.12 * rng_unit(&r));
        if (s->o->scale == HM_SYNTH_DISTRICT)
            snprintf(tw->code, sizeof tw->code, "HM%02u", (t + 1) % 100000u);
        else if (s->o->scale == HM_SYNTH_CITY)
            snprintf(tw->code, sizeof tw->code, "NT%03u", (t + 1) % 100000u);
        else
            snprintf(tw->code, sizeof tw->code, "T%05u", (t + 1) % 100000u);
    }
    s->ntowns = nt;
    s->ngroups = (nt + GROUP_TOWNS - 1) / GROUP_TOWNS;
    s->nchildren = c;
    s->nvols = v;
    free(wc);
    free(wv);
}

/* Children: registration, birth, exit. */
static void build_children(synth *s)
{
    rng r;
    rng_seed(&r, s->seed, 2);
    s->children = hm_xcalloc(s->nchildren, sizeof *s->children);
    int32_t blo0 = ymd(2008, 1, 1), bhi0 = ymd(2020, 12, 31);
    for (uint32_t t = 0; t < s->ntowns; t++) {
        const town *tw = &s->towns[t];
        for (uint32_t i = tw->c0; i < tw->c0 + tw->nc; i++) {
            child *c = &s->children[i];
            c->town = t;
            if (rng_chance(&r, 0.65))
                c->reg = rng_range(&r, s->start - 30, s->start + 45);
            else
                c->reg = rng_range(&r, s->start + 46, s->until - 5);
            if (c->reg > s->until)
                c->reg = s->until;
            int32_t blo = c->reg - 17 * 365, bhi = c->reg - 3 * 365;
            if (blo < blo0)
                blo = blo0;
            if (bhi > bhi0)
                bhi = bhi0;
            if (blo > bhi)
                blo = bhi - 10 * 365;
            if (blo < ymd(1990, 1, 1))
                blo = ymd(1990, 1, 1);
            c->birth = rng_range(&r, blo, bhi);
            uint8_t cat = (uint8_t)(rng_chance(&r, 0.55) ? 0 : rng_chance(&r, 0.66) ? 1 : 2);
            c->flags = (uint8_t)((rng_chance(&r, 0.5) ? CF_MALE : 0) |
                                 (rng_chance(&r, 0.75) ? CF_ALIAS : 0) |
                                 (cat << CF_CAT_SHIFT));
            c->exit = NODATE;
            int32_t adult = anniversary(c->birth, 18);
            if (adult <= s->until && adult > c->reg) {
                c->exit = adult;
                c->exit_reason = ER_AGE18;
            } else if (c->reg + 120 <= s->until && rng_chance(&r, 0.06)) {
                c->exit = rng_range(&r, c->reg + 120, s->until);
                c->exit_reason = rng_chance(&r, 0.6) ? ER_MOVED : ER_BETTER;
            }
        }
    }
}

/* Volunteers: sector, role, pool, joining date. */
static void build_volunteers(synth *s)
{
    static const uint8_t sector_pct[] = { 25, 25, 20, 8, 5, 7, 10 };
    rng r;
    rng_seed(&r, s->seed, 3);
    s->vols = hm_xcalloc(s->nvols, sizeof *s->vols);
    int32_t floor2000 = ymd(2000, 1, 1);
    for (uint32_t t = 0; t < s->ntowns; t++) {
        const town *tw = &s->towns[t];
        for (uint32_t i = 0; i < tw->nv; i++) {
            volunteer *v = &s->vols[tw->v0 + i];
            v->town = t;
            uint32_t x = rng_below(&r, 100), acc = 0;
            v->sector = SEC_OTHER;
            for (uint8_t k = 0; k < N(sector_pct); k++) {
                acc += sector_pct[k];
                if (x < acc) {
                    v->sector = k;
                    break;
                }
            }
            v->father = v->sector != SEC_ENTREPRENEUR && v->sector != SEC_FEDERATION &&
                        rng_chance(&r, 0.2);
            v->reserve = i >= tw->npaired;
            if (!v->reserve && rng_chance(&r, 0.6))
                v->joined = rng_range(&r, s->start - 365, s->start - 1);
            else
                v->joined = rng_range(&r, s->start - 200, s->until - 10);
            if (v->joined > s->until)
                v->joined = s->until;
            if (v->joined < floor2000)
                v->joined = floor2000;
        }
    }
}

static void add_pairing(synth *s, uint32_t v, uint32_t c, int32_t start, int32_t end,
                        uint8_t reason)
{
    if (s->npairs == s->capairs) {
        s->capairs = s->capairs ? s->capairs * 2 : 1024;
        s->pairs = hm_xrealloc(s->pairs, (size_t)s->capairs * sizeof *s->pairs);
    }
    pairing *p = &s->pairs[s->npairs++];
    p->vol = v;
    p->child = c;
    p->start = start;
    p->end = end;
    p->reason = reason;
}

/* Next volunteer from the town's ring not in taken[0..ntaken); UINT32_MAX if none. */
static uint32_t ring_take(const uint32_t *ring, uint32_t nring, uint32_t *pos,
                          const uint32_t *taken, int ntaken)
{
    for (uint32_t tries = 0; tries < nring; tries++) {
        uint32_t v = ring[(*pos)++ % nring];
        bool dup = false;
        for (int k = 0; k < ntaken; k++)
            dup |= taken[k] == v;
        if (!dup)
            return v;
    }
    return UINT32_MAX;
}

/*
 * Pairings, child by child (so a child's pairings are contiguous): one to
 * four volunteers from the ring; a few end early and are replaced.
 */
static void build_pairings(synth *s)
{
    static const uint8_t k_pct[] = { 25, 30, 30, 15 };  /* 1, 2, 3, 4 volunteers */
    rng r;
    rng_seed(&r, s->seed, 4);
    s->capairs = s->nchildren * 3u + 1024;
    s->pairs = hm_xmalloc((size_t)s->capairs * sizeof *s->pairs);
    uint32_t *ring = NULL;
    size_t ringcap = 0;
    for (uint32_t t = 0; t < s->ntowns; t++) {
        const town *tw = &s->towns[t];
        uint32_t np = tw->npaired, nring = 0;
        if (ringcap < (size_t)np * 2 + 8) {
            ringcap = (size_t)np * 2 + 8;
            ring = hm_xrealloc(ring, ringcap * sizeof *ring);
        }
        for (uint32_t i = 0; i < np; i++)
            ring[nring++] = tw->v0 + i;
        for (uint32_t i = np; i > 1; i--) {  /* shuffle */
            uint32_t j = rng_below(&r, i), x = ring[i - 1];
            ring[i - 1] = ring[j];
            ring[j] = x;
        }
        for (uint32_t i = 0; i < np; i++) {  /* one-to-many: extra turns */
            if (rng_chance(&r, 0.15) && nring < ringcap)
                ring[nring++] = tw->v0 + i;
            if (rng_chance(&r, 0.04) && nring < ringcap)
                ring[nring++] = tw->v0 + i;
        }
        uint32_t pos = 0;
        for (uint32_t ci = tw->c0; ci < tw->c0 + tw->nc; ci++) {
            child *c = &s->children[ci];
            c->p0 = s->npairs;
            uint32_t x = rng_below(&r, 100), acc = 0;
            int k = 1;
            for (int j = 0; j < 4; j++) {
                acc += k_pct[j];
                if (x < acc) {
                    k = j + 1;
                    break;
                }
            }
            uint32_t taken[8];
            int ntaken = 0;
            for (int j = 0; j < k && ntaken < 7; j++) {
                uint32_t v = ring_take(ring, nring, &pos, taken, ntaken);
                if (v == UINT32_MAX)
                    break;
                taken[ntaken++] = v;
                int32_t start = c->reg + rng_range(&r, 3, 40);
                if (start > s->until || start >= c->exit)
                    continue;
                int32_t end = c->exit;
                uint8_t reason = c->exit == NODATE ? ER_NONE : c->exit_reason;
                bool early = start + 60 < (c->exit == NODATE ? s->until : c->exit) &&
                             rng_chance(&r, 0.07);
                if (early) {
                    int32_t lim = c->exit == NODATE ? s->until - 1 : c->exit - 1;
                    end = rng_range(&r, start + 60, lim);
                    uint32_t y = rng_below(&r, 4);
                    reason = (uint8_t)(y == 0 ? ER_TRANSFER : y == 1 ? ER_HEALTH
                                       : y == 2 ? ER_MUTUAL : ER_TRANSFER);
                }
                add_pairing(s, v, ci, start, end, reason);
                if (!early)
                    continue;
                /* after an early end: the same pair resumes, or a new volunteer */
                int32_t s2 = end + rng_range(&r, 14, 60);
                if (s2 > s->until || s2 >= c->exit)
                    continue;
                if (reason == ER_HEALTH && rng_chance(&r, 0.4)) {
                    add_pairing(s, v, ci, s2, c->exit,
                                c->exit == NODATE ? ER_NONE : c->exit_reason);
                } else if (rng_chance(&r, 0.7)) {
                    uint32_t v2 = ring_take(ring, nring, &pos, taken, ntaken);
                    if (v2 == UINT32_MAX)
                        continue;
                    taken[ntaken++] = v2;
                    add_pairing(s, v2, ci, s2, c->exit,
                                c->exit == NODATE ? ER_NONE : c->exit_reason);
                }
            }
            c->np = (uint8_t)(s->npairs - c->p0);
        }
    }
    free(ring);
    /* Most volunteers joined before their first pairing; records are
     * sometimes late, so a few keep a later joined_on (accepted). */
    for (uint32_t i = 0; i < s->npairs; i++) {
        volunteer *v = &s->vols[s->pairs[i].vol];
        if (s->pairs[i].start < v->joined && rng_chance(&r, 0.9)) {
            v->joined = s->pairs[i].start - rng_range(&r, 0, 20);
            if (v->joined < ymd(2000, 1, 1))
                v->joined = ymd(2000, 1, 1);
        }
    }
}

/* ------------------------------------------------------- entity files */

static void write_towns(synth *s)
{
    sw w;
    char name[64];
    sw_open(s, &w, "towns.csv", "towns", false, false, false, true, DS_ISO);
    sw_queue_bad(s, &w, "TWX", bad_towns, N(bad_towns), 1, 0);
    for (uint32_t t = 0; t < s->ntowns && w.open; t++) {
        sw_route(&w, t / GROUP_TOWNS);
        rec_begin(&w);
        f_raw(&w, s->towns[t].code);
        town_name(s, t, name, sizeof name);
        f_str(&w, name);
        char dist[64], city[64], prov[64];
        town_units(s, t, dist, city, prov, sizeof dist);
        f_str(&w, dist);
        f_str(&w, city);
        f_str(&w, prov);
        rec_end(s, &w);
    }
    sw_close(s, &w);
}

/*
 * The child's needs: codes or labels, with one of the accepted separators;
 * empty when blank (no needs survey yet), the draws made all the same.
 */
static void needs_field(sw *w, rng *r, bool blank)
{
    static const char *const seps[] = { ";", "；", "|", "," };
    char buf[256] = "";
    size_t n = 0;
    unsigned mask = 0;
    int k = 1 + (int)rng_below(r, 4);
    for (int i = 0; i < k; i++)
        mask |= 1u << rng_below(r, (uint32_t)hm_enum_needs.nvalues);
    bool labels = rng_chance(r, 0.3);
    const char *sep = labels ? seps[rng_below(r, 4)] : ";";
    for (size_t i = 0; i < hm_enum_needs.nvalues; i++) {
        if (!(mask & (1u << i)))
            continue;
        const char *v = labels ? hm_enum_needs.values[i].label : hm_enum_needs.values[i].code;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? sep : "", v);
        if (n >= sizeof buf)
            break;
    }
    f_str(w, blank ? "" : buf);
}

/* Whether child i has no needs survey yet: most of those registered in the
 * window's last 45 days, and a few others. */
static bool unsurveyed(const synth *s, uint32_t i)
{
    uint64_t h = hash3(s->seed, 41, i) % 100;
    return s->children[i].reg > s->until - 45 ? h < 60 : h < 3;
}

static void write_children(synth *s)
{
    sw w;
    rng r;
    char id[16], b[128], ph[16];
    rng_seed(&r, s->seed, 10);
    sw_open(s, &w, "children.csv", "children", false, true, false, true, DS_ISO);
    sw_queue_bad(s, &w, "CX", bad_children, N(bad_children), 1, 0);
    for (uint32_t i = 0; i < s->nchildren && w.open; i++) {
        const child *c = &s->children[i];
        sw_route(&w, c->town / GROUP_TOWNS);
        rec_begin(&w);
        child_id(id, i);
        f_raw(&w, id);
        child_name(s, i, b, sizeof b);
        f_str(&w, b);
        child_alias(s, i, b, sizeof b);
        f_str(&w, b);
        f_enum(&w, &hm_enum_gender, (c->flags & CF_MALE) ? 1 : 0);
        f_date(s, &w, c->birth);
        f_raw(&w, s->towns[c->town].code);
        f_enum(&w, &hm_enum_child_category, (size_t)(c->flags >> CF_CAT_SHIFT) & 3);
        /* guardian: a grandparent (same surname) or the mother */
        bool grand = rng_chance(&r, 0.6);
        person_name(b, sizeof b, s->seed, 15, i, grand && rng_chance(&r, 0.5) ? 1 : 0,
                    grand ? child_surname(s, i) : NULL);
        f_str(&w, b);
        if (rng_chance(&r, 0.88)) {
            phone(ph, s->seed, 16, i);
            f_raw(&w, ph);
        } else {
            f_empty(&w);
        }
        school(s, i, b, sizeof b);
        f_str(&w, b);
        person_name(b, sizeof b, s->seed, 17, i, rng_chance(&r, 0.8) ? 0 : 1, NULL);
        f_str(&w, b);
        needs_field(&w, &r, unsurveyed(s, i));
        f_date(s, &w, c->reg);
        f_date(s, &w, c->exit);
        rec_end(s, &w);
    }
    sw_close(s, &w);
}

/*
 * The next volunteer's birth date from rb (a stream of its own), or NODATE
 * for about one in ten: 25 to 68 years old at the window's end, most near
 * the middle (the mean of two draws), and at least 18 on joining.
 */
static int32_t vol_birth(const synth *s, rng *rb, const volunteer *v)
{
    bool none = rng_chance(rb, 0.1);
    int32_t age = (rng_range(rb, 25, 68) + rng_range(rb, 25, 68) + 1) / 2;
    int32_t birth = s->until - age * 365 - age / 4 - rng_range(rb, 0, 364);
    if (none)
        return NODATE;
    if (v->joined != NODATE && hm_date_age(birth, v->joined) < 18)
        birth = v->joined - 18 * 365 - 5 - rng_range(rb, 0, 364);
    return birth;
}

static void write_volunteers(synth *s)
{
    sw w;
    rng r, rb;
    char id[16], b[160], ph[16];
    rng_seed(&r, s->seed, 11);
    rng_seed(&rb, s->seed, 15);
    sw_open(s, &w, "志愿者名单.csv", "volunteers", true, false, true, false, DS_SLASH);
    sw_queue_bad(s, &w, "VX", bad_volunteers, N(bad_volunteers), 1, 0);
    for (uint32_t i = 0; i < s->nvols && w.open; i++) {
        const volunteer *v = &s->vols[i];
        sw_route(&w, v->town / GROUP_TOWNS);
        rec_begin(&w);
        vol_id(id, i);
        f_raw(&w, id);
        vol_name(s, i, b, sizeof b);
        f_str(&w, b);
        f_enum(&w, &hm_enum_role, v->father);
        if (rng_chance(&r, 0.95)) {
            phone(ph, s->seed, 23, i);
            f_raw(&w, ph);
        } else {
            f_empty(&w);
        }
        f_raw(&w, s->towns[v->town].code);
        f_enum(&w, &hm_enum_sector, v->sector);
        organization(s, i, b, sizeof b);
        f_str(&w, b);
        int ns = (int)rng_below(&r, 3);
        size_t n = 0;
        b[0] = '\0';
        for (int k = 0; k < ns; k++) {
            const char *sp = specialties[rng_below(&r, (uint32_t)N(specialties))];
            if (k == 1 && strstr(b, sp))
                break;
            n += (size_t)snprintf(b + n, sizeof b - n, "%s%s", k ? "、" : "", sp);
        }
        f_str(&w, b);
        f_date(s, &w, v->joined);
        f_enum(&w, &hm_enum_pool, v->reserve);
        f_date(s, &w, vol_birth(s, &rb, v));
        rec_end(s, &w);
    }
    sw_close(s, &w);
}

static void write_pairings(synth *s)
{
    sw w;
    char id[16];
    sw_open(s, &w, "pairings.csv", "pairings", false, false, false, true, DS_ISO);
    sw_queue_bad(s, &w, "PX", bad_pairings, N(bad_pairings), 1, 0);
    for (uint32_t i = 0; i < s->npairs && w.open; i++) {
        const pairing *p = &s->pairs[i];
        sw_route(&w, s->children[p->child].town / GROUP_TOWNS);
        rec_begin(&w);
        fmt_id(id, sizeof id, "P", (uint64_t)i + 1, 7);
        f_raw(&w, id);
        vol_id(w.last_v, p->vol);
        f_raw(&w, w.last_v);
        child_id(w.last_c, p->child);
        f_raw(&w, w.last_c);
        f_date(s, &w, p->start);
        hm_date_format(p->start, w.last_s);
        f_date(s, &w, p->end);
        f_str(&w, end_reasons[p->reason]);
        rec_end(s, &w);
    }
    sw_close(s, &w);
}

/*
 * Wishes, child by child: registered, then most claimed (by a paired
 * volunteer or an enterprise), most of those fulfilled; a few cancelled.
 * The cost of each fulfilled wish is added to its town and month, for
 * the expenditures.
 */
static void write_wishes(synth *s)
{
    sw w;
    rng r;
    char id[16], b[160];
    uint64_t n = 0;
    rng_seed(&r, s->seed, 12);
    sw_open(s, &w, "微心愿.csv", "wishes", true, false, true, false, DS_SLASH);
    sw_queue_bad(s, &w, "WX", bad_wishes, N(bad_wishes), 1, 0);
    for (uint32_t i = 0; i < s->nchildren && w.open; i++) {
        const child *c = &s->children[i];
        int32_t lo = (c->reg > s->start ? c->reg : s->start) + 7;
        int32_t hi = c->exit == NODATE ? s->until : c->exit - 1;
        if (hi > s->until)
            hi = s->until;
        if (lo > hi)
            continue;
        double years = (hi - lo) / 365.0;
        int nw = (int)(years * 0.8 + rng_unit(&r));
        for (int k = 0; k < nw; k++) {
            int32_t reg = rng_range(&r, lo, hi), claimed = NODATE, fulfilled = NODATE;
            int32_t cancelled = NODATE;
            uint32_t item = rng_below(&r, (uint32_t)N(wish_items));
            int64_t fen = (int64_t)wish_costs[item] * (80 + rng_below(&r, 41));
            fen -= fen % 1000;
            if (rng_chance(&r, 0.1))
                fen += 50;
            int32_t cl = reg + rng_range(&r, 0, 20);
            int claimer = -1;  /* -1 nobody, 0 volunteer, 1 organization */
            if (cl <= s->until && rng_chance(&r, 0.85)) {
                claimed = cl;
                claimer = c->np && rng_chance(&r, 0.7) ? 0 : 1;
                int32_t fu = claimed + rng_range(&r, 2, 45);
                if (fu <= s->until && rng_chance(&r, 0.9))
                    fulfilled = fu;
            } else if (rng_chance(&r, 0.3)) {
                int32_t ca = reg + rng_range(&r, 30, 120);
                if (ca <= s->until)
                    cancelled = ca;
            }
            sw_route(&w, c->town / GROUP_TOWNS);
            rec_begin(&w);
            fmt_id(id, sizeof id, "W", ++n, 7);
            f_raw(&w, id);
            child_id(id, i);
            f_raw(&w, id);
            f_date(s, &w, reg);
            f_str(&w, wish_items[item]);
            fmt_money(b, sizeof b, fen, (int)rng_below(&r, 6));
            f_str(&w, b);
            if (claimer == 0) {
                vol_id(id, s->pairs[c->p0 + rng_below(&r, c->np)].vol);
                f_raw(&w, id);
                f_empty(&w);
            } else if (claimer == 1) {
                f_empty(&w);
                char e[96];
                enterprise(s, c->town / GROUP_TOWNS, rng_below(&r, 5), e, sizeof e);
                f_str(&w, e);
            } else {
                f_empty(&w);
                f_empty(&w);
            }
            f_date(s, &w, claimed);
            f_date(s, &w, fulfilled);
            f_date(s, &w, cancelled);
            rec_end(s, &w);
            int mi = fulfilled == NODATE ? -1 : month_index(s, fulfilled);
            if (mi >= 0)
                s->wish_fen[(size_t)c->town * (size_t)s->nmonths + (size_t)mi] += fen;
        }
    }
    sw_close(s, &w);
}

static const char *const story_titles[] = {
    "%s：跨越血缘的爱", "%s和%s的“双向奔赴”", "一通电话里的牵挂", "陪伴是最长情的告白",
    "%s的微心愿实现了", "%s：做孩子成长路上的引路人" };
static const char *const story_paras[] = {
    "{V}是一名“爱心妈妈”，平时一有空就会去看望{A}。",
    "第一次见面时，{A}躲在奶奶身后，不肯说话。{V}没有着急，每周打一次电话，慢慢地，{A}愿意和她聊学校里的事了。",
    "{A}的父母常年在外打工，家里只有年迈的爷爷奶奶。{V}说:\"孩子缺的不是东西，是有人陪。\"",
    "暑假里，{V}带着{A}去了图书馆，一起读完了《草房子》, 还约好下个月再读一本。",
    "{A}生日那天，{V}带着蛋糕来到家里，点上蜡烛，唱起生日歌，孩子笑得特别开心。",
    "在{V}的鼓励下，{A}的成绩从班级中下游进步到了前十名，班主任也说孩子开朗了很多。",
    "{A}的微心愿是一辆自行车，{V}认领后第二周就送到了家里。",
    "“别哭，以后这里就是你的家。”这是{V}对{A}说过的一句话，也是她一直在做的事。",
    "两年来，{V}坚持每月一次亲情连线，逢年过节都会带着礼物上门，风雨无阻。",
    "{V}说，结对不是一时的热情，而是一份长久的承诺, 她会一直陪着{A}长大。" };

/* Replace {V} and {A} in tpl with vname and alias into out. */
static void story_fill(hm_strbuf *out, const char *tpl, const char *vname, const char *alias)
{
    for (const char *p = tpl; *p; p++) {
        if (p[0] == '{' && (p[1] == 'V' || p[1] == 'A') && p[2] == '}') {
            hm_strbuf_adds(out, p[1] == 'V' ? vname : alias);
            p += 2;
        } else {
            hm_strbuf_addc(out, *p);
        }
    }
}

static void write_stories(synth *s)
{
    sw w;
    rng r;
    char id[16], vname[64], alias[64], title[192];
    hm_strbuf text = HM_STRBUF_INIT;
    uint64_t n = 0;
    rng_seed(&r, s->seed, 13);
    sw_open(s, &w, "事迹材料.csv", "stories", true, false, true, false, DS_CN);
    sw_queue_bad(s, &w, "SX", bad_stories, N(bad_stories), 1, 0);
    for (uint32_t i = 0; i < s->npairs && w.open; i++) {
        const pairing *p = &s->pairs[i];
        if (!rng_chance(&r, s->p.story_p))
            continue;
        int32_t hi = p->end == NODATE ? s->until : p->end;
        if (hi > s->until)
            hi = s->until;
        if (p->start + 60 > hi)
            continue;
        int32_t d = rng_range(&r, p->start + 60, hi);
        vol_name(s, p->vol, vname, sizeof vname);
        child_alias(s, p->child, alias, sizeof alias);
        if (!alias[0])
            snprintf(alias, sizeof alias, "孩子");
        uint32_t ti = rng_below(&r, (uint32_t)N(story_titles));
        const char *tt = story_titles[ti];
        /* The titles hold at most two %s: the volunteer, then the child. */
        snprintf(title, sizeof title, "%s", tt);
        if (strstr(tt, "%s")) {
            hm_strbuf tb = HM_STRBUF_INIT;
            const char *p1 = strstr(tt, "%s");
            hm_strbuf_add(&tb, tt, (size_t)(p1 - tt));
            hm_strbuf_adds(&tb, vname);
            const char *p2 = strstr(p1 + 2, "%s");
            if (p2) {
                hm_strbuf_add(&tb, p1 + 2, (size_t)(p2 - p1 - 2));
                hm_strbuf_adds(&tb, alias);
                hm_strbuf_adds(&tb, p2 + 2);
            } else {
                hm_strbuf_adds(&tb, p1 + 2);
            }
            snprintf(title, sizeof title, "%s", tb.buf);
            hm_strbuf_release(&tb);
        }
        hm_strbuf_reset(&text);
        int np = 3 + (int)rng_below(&r, 3);
        uint32_t first = rng_below(&r, (uint32_t)N(story_paras));
        for (int k = 0; k < np; k++) {
            if (k)
                hm_strbuf_addc(&text, '\n');
            story_fill(&text, story_paras[(first + (uint32_t)k * 3) % N(story_paras)], vname,
                       alias);
        }
        sw_route(&w, s->vols[p->vol].town / GROUP_TOWNS);
        rec_begin(&w);
        fmt_id(id, sizeof id, "S", ++n, 6);
        f_raw(&w, id);
        vol_id(id, p->vol);
        f_raw(&w, id);
        if (rng_chance(&r, 0.9)) {
            child_id(id, p->child);
            f_raw(&w, id);
        } else {
            f_empty(&w);
        }
        f_date(s, &w, d);
        f_str(&w, title);
        f_str(&w, text.buf);
        rec_end(s, &w);
    }
    hm_strbuf_release(&text);
    sw_close(s, &w);
}

/* ------------------------------------------------------------ feedback */

/* What volunteers raise at the symposiums, by hm_enum_feedback_category
 * (transport, study, counselling, funding, venue, training, family, other):
 * three matters each, two answers when resolved. */
static const char *const feedback_texts[][3] = {
    { "偏远村组儿童家访路途远，希望协调交通补贴", "假日活动集中接送儿童困难，建议安排车辆",
      "部分志愿者不会开车，走访偏远村组不便" },
    { "结对儿童数学成绩下滑，希望安排在职教师辅导", "希望在村儿童之家开设周末作业辅导",
      "初三结对儿童面临中考，需要学习辅导志愿者" },
    { "个别儿童情绪低落、不愿交流，需要心理咨询师介入", "希望增加心理疏导方面的培训",
      "青春期儿童沟通困难，希望得到专业指导" },
    { "微心愿资金缺口较大，希望增加定向捐赠", "假日亲子活动经费不足",
      "送温暖慰问物资经费紧张" },
    { "村里没有合适的活动场地，希望协调村委会活动室", "雨天户外活动取消，需要室内活动场地",
      "希望利用学校阅览室开展陪你阅读" },
    { "新加入的志愿者不熟悉工作流程，希望安排岗前培训", "希望培训如何与监护人沟通",
      "希望增加儿童急救知识培训" },
    { "结对儿童家庭突发困难，希望帮助申请临时救助", "监护人年迈，孩子生活照料有困难",
      "结对儿童家中房屋漏雨，希望协调维修" },
    { "希望统一制作结对联系卡", "建议表彰优秀爱心妈妈时邀请孩子参加",
      "希望建立本镇志愿者交流群" } };
static const char *const feedback_answers[][2] = {
    { "区妇联协调交通补贴，已按季度发放", "已协调镇政府公务车辆在假日活动时接送" },
    { "已联系区教育局安排在职教师每周辅导一次", "已在村儿童之家开设周六作业辅导" },
    { "已安排心理咨询师一对一疏导，情况好转", "已纳入赋能微课堂计划并完成授课" },
    { "已通过99公益日募集专项资金解决", "已从区级经费中调剂解决" },
    { "村委会已开放活动室供结对活动使用", "已与学校协商，周末开放阅览室" },
    { "已安排新志愿者岗前培训", "已纳入下期赋能微课堂" },
    { "已协助申请临时救助，款项已到位", "已联系村委会落实结对帮扶" },
    { "已采纳并落实", "已在下半年工作中落实" } };
static const char *const feedback_progress[] = {
    "正在协调中", "已上报区妇联，等待答复", "已联系相关部门，正在办理" };
/* Category weights (per mille), in the order above. */
static const uint16_t feedback_weights[] = { 160, 170, 150, 150, 120, 110, 90, 50 };

/* One matter raised in town t on day d. */
static void feedback_row(synth *s, sw *w, rng *r, uint64_t n, uint32_t t, int32_t d)
{
    char id[16];
    const town *tw = &s->towns[t];
    uint32_t pick = rng_below(r, 1000), cat = 0;
    while (cat + 1 < N(feedback_weights) && pick >= feedback_weights[cat])
        pick -= feedback_weights[cat++];
    sw_route(w, t / GROUP_TOWNS);
    rec_begin(w);
    fmt_id(id, sizeof id, "F", n, 6);
    f_raw(w, id);
    f_date(s, w, d);
    f_raw(w, tw->code);
    uint32_t v = tw->nv ? tw->v0 + rng_below(r, tw->nv) : 0;
    if (tw->nv && rng_chance(r, 0.6) && s->vols[v].joined <= d) {
        vol_id(id, v);
        f_raw(w, id);
    } else {
        f_empty(w);
    }
    f_enum(w, &hm_enum_feedback_category, cat);
    f_str(w, feedback_texts[cat][rng_below(r, 3)]);
    /* Most are resolved in one to four months (money takes longer); what
     * is not resolved by the last day is being handled or still waiting. */
    bool eventually = rng_chance(r, 0.72);
    int32_t done = d + rng_range(r, 7, cat == 3 ? 150 : 100);
    if (eventually && done <= s->until) {
        f_enum(w, &hm_enum_feedback_status, 2);
        f_date(s, w, done);
        f_str(w, feedback_answers[cat][rng_below(r, 2)]);
    } else if (rng_chance(r, 0.55)) {
        f_enum(w, &hm_enum_feedback_status, 1);
        f_empty(w);
        f_str(w, feedback_progress[rng_below(r, (uint32_t)N(feedback_progress))]);
    } else {
        f_enum(w, &hm_enum_feedback_status, 0);
        f_empty(w);
        f_empty(w);
    }
    rec_end(s, w);
}

/*
 * The matters raised at the half-yearly symposiums (意见建议): each town
 * brings none to three to the one of late June and of late December, and
 * now and then one between them.
 */
static void write_feedback(synth *s)
{
    sw w;
    rng r;
    uint64_t n = 0;
    rng_seed(&r, s->seed, 14);
    sw_open(s, &w, "意见建议台账.csv", "feedback", true, false, true, false, DS_SLASH);
    sw_queue_bad(s, &w, "FX", bad_feedback, N(bad_feedback), 1, 0);
    for (int k = 0; k < s->nmonths && w.open; k++) {
        int y, m;
        int32_t first, last;
        month_of(s, k, &y, &m, &first, &last);
        bool symposium = (m == 6 || m == 12) && ymd(y, m, 20) <= last;
        for (uint32_t t = 0; t < s->ntowns; t++) {
            if (rng_chance(&r, 0.06))
                feedback_row(s, &w, &r, ++n, t, rng_range(&r, first, last));
            if (!symposium)
                continue;
            int32_t d = rng_range(&r, ymd(y, m, 20), last);
            for (uint32_t j = rng_below(&r, 4); j > 0; j--)
                feedback_row(s, &w, &r, ++n, t, d);
        }
    }
    sw_close(s, &w);
}

/* ------------------------------------------------------ monthly files */

/* Minutes by activity type: lowest and highest. */
static const int16_t minutes_range[][2] = {
    { 5, 40 }, { 30, 90 }, { 90, 240 }, { 60, 150 }, { 40, 120 }, { 20, 60 },
    { 20, 60 }, { 30, 90 }, { 40, 90 }, { 180, 480 }, { 30, 90 }, { 30, 120 } };

/* One activity row. */
static void act_row(synth *s, sw *w, rng *r, uint64_t aid, int32_t d, int type, uint32_t vol,
                    uint32_t ch, const char *title, const char *notes)
{
    char id[24];
    sw_route(w, s->children[ch].town / GROUP_TOWNS);
    rec_begin(w);
    fmt_id(id, sizeof id, "A", aid, 9);
    f_raw(w, id);
    f_date(s, w, d);
    f_raw(w, hm_enum_activity_type.values[type].code);
    vol_id(id, vol);
    f_raw(w, id);
    child_id(id, ch);
    f_raw(w, id);
    if (rng_chance(r, 0.05))
        f_empty(w);
    else
        f_uint(w, (uint64_t)rng_range(r, minutes_range[type][0], minutes_range[type][1]));
    f_str(w, title ? title : "");
    f_str(w, notes ? notes : "");
    rec_end(s, w);
}

static const char *holiday_title(int m)
{
    switch (m) {
    case 1: return "寒假亲子活动：包饺子迎新春";
    case 2: return "新春游园会";
    case 4: return "清明踏青亲子行";
    case 5: return "五一劳动实践活动";
    case 6: return "六一儿童节亲子游园会";
    case 7: return "暑期亲子夏令营";
    case 8: return "暑期手工坊";
    case 9: return "中秋做月饼";
    case 10: return "国庆红色研学";
    case 12: return "元旦迎新联欢会";
    default: return NULL;
    }
}

/* A Saturday or Sunday in [first, last] near a random day (any day if none). */
static int32_t weekend_day(rng *r, int32_t first, int32_t last)
{
    int32_t d0 = rng_range(r, first, last);
    for (int32_t d = d0; d <= last && d < d0 + 7; d++)
        if ((d + 4) % 7 == 6 || (d + 4) % 7 == 0)
            return d;
    for (int32_t d = d0; d >= first && d > d0 - 7; d--)
        if ((d + 4) % 7 == 6 || (d + 4) % 7 == 0)
            return d;
    return d0;
}

/* The volunteer of a pairing of child c active on day d, or UINT32_MAX. */
static uint32_t paired_vol_on(const synth *s, uint32_t c, int32_t d)
{
    const child *ch = &s->children[c];
    for (uint32_t j = ch->p0; j < ch->p0 + ch->np; j++)
        if (s->pairs[j].start <= d && d <= s->pairs[j].end)
            return s->pairs[j].vol;
    return UINT32_MAX;
}

static bool child_on(const child *c, int32_t d)
{
    return c->reg <= d && d <= c->exit;
}

/*
 * A holiday event of town t in month (first..last): one activity_id, a few
 * children (sometimes some from a neighbouring town), each with a paired
 * volunteer when it has one, plus one or two organizers.
 */
static void holiday_event(synth *s, sw *w, rng *r, uint32_t t, int m, int32_t first,
                          int32_t last)
{
    const town *tw = &s->towns[t];
    int32_t d = weekend_day(r, first, last);
    uint32_t kids[12], vols[12];
    int nk = 0;
    int want = 3 + (int)rng_below(r, 6);
    for (int tries = 0; tries < want * 4 && nk < want; tries++) {
        uint32_t c = tw->c0 + rng_below(r, tw->nc);
        bool dup = false;
        for (int i = 0; i < nk; i++)
            dup |= kids[i] == c;
        if (!dup && child_on(&s->children[c], d))
            kids[nk++] = c;
    }
    if (nk == 0)
        return;
    uint32_t g = t / GROUP_TOWNS;
    uint32_t nb = t + 1 < s->ntowns && (t + 1) / GROUP_TOWNS == g ? t + 1
                  : t > 0 && (t - 1) / GROUP_TOWNS == g ? t - 1 : t;
    if (nb != t && rng_chance(r, 0.2)) {
        const town *tn = &s->towns[nb];
        int extra = 1 + (int)rng_below(r, 3);
        for (int tries = 0; tries < extra * 4 && extra > 0 && nk < 12; tries++) {
            uint32_t c = tn->c0 + rng_below(r, tn->nc);
            bool dup = false;
            for (int i = 0; i < nk; i++)
                dup |= kids[i] == c;
            if (!dup && child_on(&s->children[c], d)) {
                kids[nk++] = c;
                extra--;
            }
        }
    }
    uint32_t lead = tw->v0 + rng_below(r, tw->nv);
    uint64_t aid = ++s->next_activity;
    const char *title = holiday_title(m);
    for (int i = 0; i < nk; i++) {
        uint32_t v = paired_vol_on(s, kids[i], d);
        vols[i] = v == UINT32_MAX ? lead : v;
        act_row(s, w, r, aid, d, AT_HOLIDAY, vols[i], kids[i], title, NULL);
    }
    int norg = 1 + (int)rng_below(r, 2);
    for (int k = 0; k < norg; k++) {
        uint32_t v = tw->v0 + rng_below(r, tw->nv);
        int i = (int)rng_below(r, (uint32_t)nk);
        bool dup = false;
        for (int j = 0; j < nk; j++)
            dup |= vols[j] == v && kids[j] == kids[i];
        if (dup || k > 0)
            continue;  /* one organizer row is enough to show the shape */
        act_row(s, w, r, aid, d, AT_HOLIDAY, v, kids[i], title, "活动组织者");
    }
    s->events[(size_t)t * (size_t)s->nmonths +
              (size_t)month_index(s, d)]++;
}

/* A child's activities in one month (first..last). */
static void child_month(synth *s, sw *w, rng *r, uint32_t ci, int y, int m, int32_t first,
                        int32_t last)
{
    const child *c = &s->children[ci];
    if (!c->np || c->reg > last || c->exit < first)
        return;
    int32_t clo = c->reg > first ? c->reg : first;
    int32_t chi = c->exit < last ? c->exit : last;
    int32_t lo[16], hi[16];
    uint32_t vol[16], pst[16];
    int na = 0;
    for (uint32_t j = c->p0; j < c->p0 + c->np && na < 16; j++) {
        const pairing *p = &s->pairs[j];
        int32_t a = p->start > clo ? p->start : clo;
        int32_t b = p->end < chi ? p->end : chi;
        if (a > b)
            continue;
        lo[na] = a;
        hi[na] = b;
        vol[na] = p->vol;
        pst[na] = (uint32_t)(p->start >= first && p->start <= last);
        na++;
    }
    if (!na)
        return;
    for (int i = 0; i < na; i++) {
        if (rng_chance(r, 0.04))
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_VISIT_TEACHER,
                    vol[i], ci, NULL, NULL);
        if (rng_chance(r, 0.06))
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_VISIT_GUARDIAN,
                    vol[i], ci, NULL, NULL);
    }
    if (rng_chance(r, s->towns[c->town].miss))
        return;  /* nobody reached this child this month */
    bool called = false;
    for (int i = 0; i < na; i++) {
        if (pst[i] && rng_chance(r, 0.85)) {
            int32_t d = lo[i] + rng_range(r, 0, 10);
            act_row(s, w, r, ++s->next_activity, d < hi[i] ? d : hi[i], AT_ICEBREAK, vol[i], ci,
                    NULL, NULL);
        }
        if (rng_chance(r, 0.8)) {
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_CALL, vol[i], ci,
                    NULL, call_notes[rng_below(r, (uint32_t)N(call_notes))]);
            called = true;
        }
        if (rng_chance(r, 0.12))
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_READING, vol[i],
                    ci, books[rng_below(r, (uint32_t)N(books))], NULL);
        if (rng_chance(r, 0.03))
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_KNOWLEDGE,
                    vol[i], ci, rng_chance(r, 0.5) ? "安全知识进家门" : "送法进家庭", NULL);
        if (((c->flags >> CF_CAT_SHIFT) & 3) != 0 && rng_chance(r, 0.05))
            act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_COUNSELLING,
                    vol[i], ci, NULL, NULL);
    }
    if (!called) {
        int i = (int)rng_below(r, (uint32_t)na);
        act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_CALL, vol[i], ci,
                NULL, NULL);
    }
    /* the birthday, when it falls in this month and in a pairing */
    int by, bm, bd;
    hm_civil_from_days(c->birth, &by, &bm, &bd);
    if (bm == m) {
        if (bd > days_in_month(y, m))
            bd = days_in_month(y, m);
        int32_t day = ymd(y, m, bd);
        if (rng_chance(r, 0.7)) {
            uint64_t aid = 0;
            char title[64], alias[32];
            child_alias(s, ci, alias, sizeof alias);
            snprintf(title, sizeof title, "为%s过生日", alias[0] ? alias : "孩子");
            int nrow = 0;
            for (int i = 0; i < na && nrow < 2; i++) {
                if (day < lo[i] || day > hi[i] || (nrow && !rng_chance(r, 0.4)))
                    continue;
                if (!aid)
                    aid = ++s->next_activity;
                act_row(s, w, r, aid, day, AT_BIRTHDAY, vol[i], ci, title, NULL);
                nrow++;
            }
        }
    }
    int i = (int)rng_below(r, (uint32_t)na);
    if ((m == 1 || m == 2) && rng_chance(r, 0.25))
        act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_WARMTH, vol[i], ci,
                "春节送温暖", NULL);
    if (rng_chance(r, (m == 7 || m == 8) ? 0.06 : 0.01))
        act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_STUDY_TRIP, vol[i],
                ci, rng_chance(r, 0.5) ? "张謇纪念馆研学" : "科技馆研学", NULL);
    if (rng_chance(r, 0.01))
        act_row(s, w, r, ++s->next_activity, rng_range(r, lo[i], hi[i]), AT_OTHER, vol[i], ci,
                NULL, "陪同就医");
}

static void write_activities_month(synth *s, int k)
{
    sw w;
    rng r;
    int y, m;
    int32_t first, last;
    char name[64];
    month_of(s, k, &y, &m, &first, &last);
    rng_seed(&r, s->seed, 1000 + (uint64_t)k);
    snprintf(name, sizeof name, "activities-%04d-%02d.csv", y, m);
    sw_open(s, &w, name, "activities", false, k % 2 == 1, false, true, DS_ISO);
    sw_queue_bad(s, &w, "AX", bad_activities, N(bad_activities), (size_t)s->nmonths,
                 (size_t)k);
    if (!w.open) {
        sw_close(s, &w);
        return;
    }
    if (holiday_title(m))
        for (uint32_t t = 0; t < s->ntowns; t++)
            if (rng_chance(&r, 0.33))
                holiday_event(s, &w, &r, t, m, first, last);
    for (uint32_t ci = 0; ci < s->nchildren; ci++)
        child_month(s, &w, &r, ci, y, m, first, last);
    sw_close(s, &w);
}

/* The files written through the month loop besides the activities. */
typedef struct monthly {
    sw tr, at, dn, ex;
    rng r;
    uint64_t ntr, ndn, nex;
    int64_t pending[NFUNDS];
    int64_t *dist_pending;  /* as synth.dist_bal */
    uint32_t g;             /* the district group being written */
    uint32_t *group_events;     /* trainings held by group this month */
} monthly;

static void donation_row(synth *s, monthly *mo, int32_t d, const char *donor, int type,
                         int64_t fen, int fund, double receipt_p)
{
    char id[24], b[64];
    rng *r = &mo->r;
    sw *w = &mo->dn;
    int y, m, dd;
    sw_route(w, mo->g);
    rec_begin(w);
    fmt_id(id, sizeof id, "D", ++mo->ndn, 7);
    f_raw(w, id);
    f_date(s, w, d);
    f_str(w, donor);
    f_enum(w, &hm_enum_donor_type, (size_t)type);
    fmt_money(b, sizeof b, fen, (int)rng_below(r, 6));
    f_str(w, b);
    f_str(w, fund >= 0 ? funds[fund] : "");
    if (rng_chance(r, receipt_p)) {
        hm_civil_from_days(d, &y, &m, &dd);
        snprintf(b, sizeof b, "SJ%04d-", y);
        fmt_id(id, sizeof id, b, ++s->next_receipt, 6);
        f_raw(w, id);
    } else {
        f_empty(w);
    }
    rec_end(s, w);
    if (fund >= 0)
        mo->pending[fund] += fen;
    if (fund >= 0 && mo->dist_pending)
        mo->dist_pending[(size_t)mo->g * NFUNDS + (size_t)fund] += fen;
}

/* Donations of district group g in month k. */
static void donations_month(synth *s, monthly *mo, uint32_t g, int m, int32_t first,
                            int32_t last)
{
    rng *r = &mo->r;
    char donor[96];
    int ne = (int)rng_below(r, 4);
    for (int i = 0; i < ne; i++) {
        double u = rng_unit(r);
        int64_t yuan = 2000 + (int64_t)(u * u * u * 78000);
        yuan -= yuan % 100;
        int fund = -1;
        if (rng_chance(r, 0.35)) {
            uint32_t x = rng_below(r, 10);
            fund = x < 5 ? FUND_WISH : x < 8 ? FUND_SPRINGBUD : FUND_HOLIDAY;
        }
        enterprise(s, g, rng_below(r, 5), donor, sizeof donor);
        donation_row(s, mo, rng_range(r, first, last), donor, 0, yuan * 100, fund, 0.9);
    }
    int ni = (int)rng_below(r, 6);
    for (int i = 0; i < ni; i++) {
        static const int64_t odd[] = { 52000, 131400, 6666, 8888, 20000, 100000 };
        int64_t fen = rng_chance(r, 0.2) ? odd[rng_below(r, (uint32_t)N(odd))]
                                         : (int64_t)rng_range(r, 50, 3000) * 100;
        person_name(donor, sizeof donor, s->seed, 32, mo->ndn, rng_below(r, 2), NULL);
        donation_row(s, mo, rng_range(r, first, last), donor, 1, fen,
                     rng_chance(r, 0.1) ? FUND_WISH : -1, 0.6);
    }
    if (m == 9) {
        /* the 99 giving day: many small online gifts and the platform's match */
        int32_t gd0 = first + 6, gd1 = first + 8;
        if (gd0 <= last) {
            if (gd1 > last)
                gd1 = last;
            int nd = 20 + (int)rng_below(r, 41);
            for (int i = 0; i < nd; i++) {
                char nm[64];
                if (rng_chance(r, 0.3)) {
                    snprintf(donor, sizeof donor, "爱心人士");
                } else {
                    person_name(nm, sizeof nm, s->seed, 33, mo->ndn, 0, NULL);
                    /* the first character (3 bytes) and "**" */
                    snprintf(donor, sizeof donor, "网友%.3s**", nm);
                }
                int64_t fen = rng_chance(r, 0.3) ? 990 : (int64_t)rng_range(r, 10, 999) * 100;
                donation_row(s, mo, rng_range(r, gd0, gd1), donor, 2, fen,
                             rng_chance(r, 0.2) ? FUND_WISH : -1, 0.5);
            }
            donation_row(s, mo, gd1, "腾讯公益平台配捐", 2,
                         (int64_t)rng_range(r, 100, 600) * 10000, -1, 1.0);
        }
    }
    if ((m == 3 || m == 9) && rng_chance(r, 0.6))
        donation_row(s, mo, rng_range(r, first, last), "区公益创投项目资金", 3,
                     (int64_t)rng_range(r, 30, 80) * 100000,
                     rng_chance(r, 0.5) ? FUND_TRAINING : -1, 1.0);
    if (rng_chance(r, 0.05))
        donation_row(s, mo, rng_range(r, first, last), "社区爱心募捐箱", 4,
                     (int64_t)rng_range(r, 200, 2000) * 100, -1, 0.3);
}

/* One expenditure; spends from fund when its balance at the month's start covers it. */
static void expense_row(synth *s, monthly *mo, int32_t d, const char *project, int ti,
                        int cat, int64_t fen, int fund, const char *approver)
{
    char id[24], b[64];
    sw *w = &mo->ex;
    uint32_t g = ti >= 0 ? (uint32_t)ti / GROUP_TOWNS : mo->g;
    if (fund >= 0 && s->fund_bal[fund] < fen)
        fund = -1;
    if (fund >= 0)
        s->fund_bal[fund] -= fen;
    /* --per-district: spent from the district's own fund when it holds
     * enough, else from its general money, so that no district's data set
     * overspends a fund; the draws stay those of the whole data set. */
    int64_t *bal = s->dist_bal ? s->dist_bal + (size_t)g * NFUNDS : NULL;
    if (bal && fund >= 0 && bal[fund] < fen)
        fund = -1;
    if (bal && fund >= 0)
        bal[fund] -= fen;
    sw_route(w, g);
    rec_begin(w);
    fmt_id(id, sizeof id, "E", ++mo->nex, 7);
    f_raw(w, id);
    f_date(s, w, d);
    f_str(w, project);
    if (ti >= 0)
        f_raw(w, s->towns[ti].code);
    else
        f_empty(w);
    f_enum(w, &hm_enum_expense_category, (size_t)cat);
    fmt_money(b, sizeof b, fen, (int)rng_below(&mo->r, 6));
    f_str(w, b);
    f_str(w, fund >= 0 ? funds[fund] : "");
    f_str(w, approver);
    rec_end(s, w);
}

typedef struct training_ev {
    int kind;       /* index into hm_enum_training_kind */
    int32_t d;
    double p;       /* chance a volunteer attends */
} training_ev;

/* Trainings and their attendance for district group g in month (first..last). */
static void trainings_month(synth *s, monthly *mo, uint32_t g, int y, int m, int32_t first,
                            int32_t last)
{
    rng *r = &mo->r;
    uint32_t t0 = g * GROUP_TOWNS, t1 = t0 + GROUP_TOWNS;
    if (t1 > s->ntowns)
        t1 = s->ntowns;
    uint32_t v0 = s->towns[t0].v0, v1 = s->towns[t1 - 1].v0 + s->towns[t1 - 1].nv;
    training_ev ev[3];
    int ne = 0;
    if (rng_chance(r, m == 2 ? 0.3 : 0.85))
        ev[ne++] = (training_ev){ 0, rng_range(r, first, last), s->p.attend_p };
    if ((m == 6 || m == 12) && ymd(y, m, 20) <= last)
        ev[ne++] = (training_ev){ 1, rng_range(r, ymd(y, m, 20), last), 0.35 };
    if (m == 11 && rng_chance(r, 0.5))
        ev[ne++] = (training_ev){ 2, rng_range(r, first, last), 0.08 };
    for (int e = 0; e < ne; e++) {
        char id[24], title[160], who[96], nm[32];
        fmt_id(id, sizeof id, "T", ++mo->ntr, 6);
        if (!s->first_event[0])
            snprintf(s->first_event, sizeof s->first_event, "%s", id);
        if (ev[e].kind == 0)
            snprintf(title, sizeof title, "赋能微课堂：%s",
                     micro_topics[rng_below(r, (uint32_t)N(micro_topics))]);
        else if (ev[e].kind == 1)
            snprintf(title, sizeof title, "%d年%s半年“爱心妈妈”结对关爱工作座谈会", y,
                     m <= 6 ? "上" : "下");
        else
            snprintf(title, sizeof title, "%d年“最美爱心妈妈”评选推进会", y);
        person_name(nm, sizeof nm, s->seed, 34, mo->ntr, rng_below(r, 3) == 0, NULL);
        snprintf(who, sizeof who, "%s %s",
                 speaker_titles[rng_below(r, (uint32_t)N(speaker_titles))], nm);
        sw_route(&mo->tr, g);
        rec_begin(&mo->tr);
        f_raw(&mo->tr, id);
        f_date(s, &mo->tr, ev[e].d);
        f_enum(&mo->tr, &hm_enum_training_kind, (size_t)ev[e].kind);
        f_str(&mo->tr, title);
        f_str(&mo->tr, who);
        rec_end(s, &mo->tr);
        for (uint32_t v = v0; v < v1; v++) {
            if (s->vols[v].joined > ev[e].d || !rng_chance(r, ev[e].p))
                continue;
            char vid[16];
            sw_route(&mo->at, g);
            rec_begin(&mo->at);
            f_raw(&mo->at, id);
            vol_id(vid, v);
            f_raw(&mo->at, vid);
            rec_end(s, &mo->at);
        }
        char approver[32];
        person_name(approver, sizeof approver, s->seed, 31, g, 0, NULL);
        expense_row(s, mo, ev[e].d, ev[e].kind == 1 ? "座谈会场地及资料" : "赋能微课堂讲课费",
                    -1, 2, (int64_t)rng_range(r, 5, 30) * 10000, FUND_TRAINING, approver);
    }
}

/* Expenditures of town t in month k (wishes, events, Spring Festival gifts). */
static void expenses_month(synth *s, monthly *mo, uint32_t t, int k, int m, int32_t first,
                           int32_t last)
{
    rng *r = &mo->r;
    char approver[32];
    size_t ix = (size_t)t * (size_t)s->nmonths + (size_t)k;
    person_name(approver, sizeof approver, s->seed, 31, t / GROUP_TOWNS, 0, NULL);
    if (s->wish_fen[ix] > 0)
        expense_row(s, mo, last, "微心愿圆梦", (int)t, 0, s->wish_fen[ix], FUND_WISH, approver);
    for (unsigned e = 0; e < s->events[ix]; e++)
        expense_row(s, mo, rng_range(r, first, last), "假日亲子活动", (int)t, 1,
                    (int64_t)rng_range(r, 30, 200) * 1000, FUND_HOLIDAY, approver);
    if (m == 1 && rng_chance(r, 0.6))
        expense_row(s, mo, rng_range(r, first, last), "春节送温暖慰问品", (int)t, 3,
                    (int64_t)s->towns[t].nc * rng_range(r, 100, 300) * 100, -1, approver);
    if (rng_chance(r, 0.02))
        expense_row(s, mo, rng_range(r, first, last), "项目宣传物料", (int)t, 4,
                    (int64_t)rng_range(r, 200, 1500) * 100, -1, approver);
}

static void write_monthly(synth *s)
{
    monthly mo;
    memset(&mo, 0, sizeof mo);
    rng_seed(&mo.r, s->seed, 20);
    if (s->dist_bal)
        mo.dist_pending = hm_xcalloc((size_t)s->ngroups * NFUNDS, sizeof *mo.dist_pending);
    sw_open(s, &mo.tr, "trainings.csv", "trainings", false, false, false, true, DS_ISO);
    sw_queue_bad(s, &mo.tr, "TX", bad_trainings, N(bad_trainings), 1, 0);
    sw_open(s, &mo.at, "签到表.csv", "attendance", true, false, true, false, DS_SLASH);
    sw_queue_bad(s, &mo.at, "", bad_attendance, N(bad_attendance), 1, 0);
    sw_open(s, &mo.dn, "donations.csv", "donations", false, true, true, false, DS_ISO);
    sw_queue_bad(s, &mo.dn, "DX", bad_donations, N(bad_donations), 1, 0);
    sw_open(s, &mo.ex, "支出明细.csv", "expenditures", true, false, true, false, DS_SLASH);
    sw_queue_bad(s, &mo.ex, "EX", bad_expenditures, N(bad_expenditures), 1, 0);
    for (int k = 0; k < s->nmonths && s->rc == HM_OK; k++) {
        int y, m;
        int32_t first, last;
        month_of(s, k, &y, &m, &first, &last);
        write_activities_month(s, k);
        memset(mo.pending, 0, sizeof mo.pending);
        if (mo.dist_pending)
            memset(mo.dist_pending, 0, (size_t)s->ngroups * NFUNDS * sizeof *mo.dist_pending);
        for (uint32_t g = 0; g < s->ngroups; g++) {
            mo.g = g;
            donations_month(s, &mo, g, m, first, last);
        }
        for (uint32_t g = 0; g < s->ngroups; g++) {
            mo.g = g;
            trainings_month(s, &mo, g, y, m, first, last);
            if ((m == 2 || m == 9) && s->fund_bal[FUND_SPRINGBUD] >= 200000) {
                int64_t fen = s->fund_bal[FUND_SPRINGBUD] / 2;
                fen -= fen % 10000;
                char approver[32];
                person_name(approver, sizeof approver, s->seed, 31, g, 0, NULL);
                expense_row(s, &mo, rng_range(&mo.r, first, last), "春蕾班助学金",
                            (int)(g * GROUP_TOWNS), 4, fen, FUND_SPRINGBUD, approver);
            }
        }
        for (uint32_t t = 0; t < s->ntowns; t++)
            expenses_month(s, &mo, t, k, m, first, last);
        for (int f = 0; f < NFUNDS; f++)
            s->fund_bal[f] += mo.pending[f];
        for (size_t f = 0; s->dist_bal && f < (size_t)s->ngroups * NFUNDS; f++)
            s->dist_bal[f] += mo.dist_pending[f];
    }
    sw_close(s, &mo.tr);
    sw_close(s, &mo.at);
    sw_close(s, &mo.dn);
    sw_close(s, &mo.ex);
    free(mo.dist_pending);
}

/* ------------------------------------------------------------ the run */

bool hm_synth_scale_parse(const char *str, hm_synth_scale *out)
{
    static const char *const names[] = { "district", "city", "nation" };
    for (size_t i = 0; i < N(names); i++) {
        if (str && strcmp(str, names[i]) == 0) {
            *out = (hm_synth_scale)i;
            return true;
        }
    }
    return false;
}

const char *hm_synth_scale_name(hm_synth_scale scale)
{
    switch (scale) {
    case HM_SYNTH_DISTRICT: return "district";
    case HM_SYNTH_CITY: return "city";
    case HM_SYNTH_NATION: return "nation";
    }
    return "?";
}

int32_t hm_synth_default_until(int32_t today)
{
    int y, m, d;
    hm_civil_from_days(today, &y, &m, &d);
    return ymd(y, m, 1) - 1;
}

/* Write expected-rejects.tsv from what the writers listed. */
static void write_rejects(synth *s)
{
    hm_atomic a;
    char *path = hm_path_join(s->o->dir, "expected-rejects.tsv");
    if (hm_atomic_open(&a, path) != HM_OK) {
        set_error(s, HM_EIO, "cannot create '%s'", path);
        free(path);
        return;
    }
    size_t n = s->rejects.len;
    if (fwrite(s->rejects.buf, 1, n, a.fp) != n) {
        hm_atomic_abort(&a);
        set_error(s, HM_EIO, "cannot write '%s'", path);
        free(path);
        return;
    }
    if (hm_atomic_commit(&a) != HM_OK) {
        set_error(s, HM_EIO, "cannot write '%s'", path);
        free(path);
        return;
    }
    free(path);
    hm_synth_result *r = s->res;
    r->files = hm_xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    hm_synth_file *f = &r->files[r->nfiles++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "expected-rejects.tsv");
    f->kind = "expected-rejects";
    f->encoding = "UTF-8";
    f->bytes = n;
    for (size_t i = 0; i < n; i++)
        f->rows += s->rejects.buf[i] == '\n';
    f->rows--;  /* the header */
}

/* True when name is "activities-YYYY-MM.csv". */
static bool is_month_file(const char *name)
{
    static const char pat[] = "activities-DDDD-DD.csv";
    if (strlen(name) != sizeof pat - 1)
        return false;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'D' ? (name[i] < '0' || name[i] > '9') : name[i] != pat[i])
            return false;
    return true;
}

/*
 * Remove what an earlier run into the same directory left and this one did
 * not write (other months, an old expected-rejects.tsv), so the directory
 * holds one data set.  Only names synth itself writes are touched.
 */
static void remove_stale(synth *s, const char *sub)
{
    char *dir = sub[0] ? hm_path_join(s->o->dir, sub) : hm_xstrdup(s->o->dir);
    DIR *dp = opendir(dir);
    free(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        char name[300];
        snprintf(name, sizeof name, "%s%s%s", sub, sub[0] ? "/" : "", e->d_name);
        bool ours = is_month_file(e->d_name) ||
                    strcmp(e->d_name, "expected-rejects.tsv") == 0;
        for (size_t i = 0; ours && i < s->res->nfiles; i++)
            if (strcmp(s->res->files[i].name, name) == 0)
                ours = false;
        if (!ours)
            continue;
        char *path = hm_path_join(s->o->dir, name);
        if (unlink(path) != 0)
            set_error(s, HM_EIO, "cannot remove stale '%s'", path);
        free(path);
    }
    closedir(dp);
}

hm_error hm_synth_run(const hm_synth_opts *opts, hm_synth_result *res, char *err, size_t errsz)
{
    synth s;
    memset(res, 0, sizeof *res);
    memset(&s, 0, sizeof s);
    s.o = opts;
    s.res = res;
    s.err = err;
    s.errsz = errsz;
    if (errsz)
        err[0] = '\0';
    if ((unsigned)opts->scale > HM_SYNTH_NATION) {
        snprintf(err, errsz, "unknown scale");
        return HM_EUSAGE;
    }
    if (opts->per_district && (opts->errors || opts->scale == HM_SYNTH_NATION)) {
        snprintf(err, errsz, "one data set per district is written at district and city "
                 "scale, without errors");
        return HM_EUSAGE;
    }
    if (opts->until < ymd(2003, 1, 1) || opts->until > ymd(9000, 1, 1)) {
        snprintf(err, errsz, "the last day must be between 2003-01-01 and 9000-01-01");
        return HM_EUSAGE;
    }
    s.p = scales[opts->scale];
    s.seed = opts->seed;
    s.until = opts->until;
    s.nmonths = s.p.months;
    int uy, um, ud;
    hm_civil_from_days(s.until, &uy, &um, &ud);
    int mm = uy * 12 + (um - 1) - (s.nmonths - 1);
    s.y0 = mm / 12;
    s.m0 = mm % 12 + 1;
    s.start = ymd(s.y0, s.m0, 1);
    s.iso0 = ymd(2000, 1, 1);
    s.niso = s.until - s.iso0 + 1;
    s.iso = hm_xmalloc((size_t)s.niso * sizeof *s.iso);
    for (int32_t i = 0; i < s.niso; i++)
        hm_date_format(s.iso0 + i, s.iso[i]);
    hm_strbuf_init(&s.rejects);
    hm_strbuf_adds(&s.rejects, "file\tline\tcolumn\trule\n");

    build_towns(&s);
    build_children(&s);
    build_volunteers(&s);
    build_pairings(&s);
    s.wish_fen = hm_xcalloc((size_t)s.ntowns * (size_t)s.nmonths, sizeof *s.wish_fen);
    s.events = hm_xcalloc((size_t)s.ntowns * (size_t)s.nmonths, sizeof *s.events);
    if (opts->per_district)
        s.dist_bal = hm_xcalloc((size_t)s.ngroups * NFUNDS, sizeof *s.dist_bal);
    for (uint32_t d = 0; opts->per_district && d < s.ngroups && s.rc == HM_OK; d++) {
        char code[16];
        district_code(&s, d, code, sizeof code);
        char *sub = hm_path_join(opts->dir, code);
        if (mkdir(sub, 0777) != 0 && errno != EEXIST)
            set_error(&s, HM_EIO, "cannot create '%s'", sub);
        free(sub);
    }

    write_towns(&s);
    write_children(&s);
    write_volunteers(&s);
    write_pairings(&s);
    write_wishes(&s);
    write_stories(&s);
    write_monthly(&s);
    write_feedback(&s);
    if (s.rc == HM_OK && opts->errors)
        write_rejects(&s);
    if (s.rc == HM_OK)
        remove_stale(&s, "");
    for (uint32_t d = 0; opts->per_district && d < s.ngroups && s.rc == HM_OK; d++) {
        char code[16];
        district_code(&s, d, code, sizeof code);
        remove_stale(&s, code);
    }

    free(s.iso);
    free(s.towns);
    free(s.children);
    free(s.vols);
    free(s.pairs);
    free(s.wish_fen);
    free(s.events);
    free(s.dist_bal);
    hm_strbuf_release(&s.rejects);
    return s.rc;
}

void hm_synth_result_release(hm_synth_result *res)
{
    if (!res)
        return;
    free(res->files);
    res->files = NULL;
    res->nfiles = 0;
    res->rows = res->bad_rows = 0;
}
