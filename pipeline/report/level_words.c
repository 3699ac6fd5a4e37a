/*
 * level_words.c - the words of a report's level (level_words.h).
 */
#include "himama/level_words.h"

#include <string.h>

enum { NLEVELS = 5 };

/* Per level, in hm_level order: total, area, unit, no town; Chinese then English. */
static const char *const own_words[NLEVELS][2][4] = {
    [HM_LEVEL_DISTRICT] = { { "全区合计", "全区", "区", "区级（未分区镇）" },
                            { "District total", "the district", "district",
                              "District level (no town)" } },
    [HM_LEVEL_TOWN] = { { "全镇合计", "全镇", "镇", "镇级（未分区镇）" },
                        { "Town total", "the town", "town", "Town level (no town)" } },
    [HM_LEVEL_CITY] = { { "全市合计", "全市", "市", "市级（未分区镇）" },
                        { "City total", "the city", "city", "City level (no town)" } },
    [HM_LEVEL_PROVINCE] = { { "全省合计", "全省", "省", "省级（未分区镇）" },
                            { "Province total", "the province", "province",
                              "Province level (no town)" } },
    [HM_LEVEL_NATION] = { { "全国合计", "全国", "全国", "全国（未分区镇）" },
                          { "National total", "the country", "nation",
                            "National level (no town)" } },
};

/* Per level of the rows: zh, en, en capitalised; one of them, zh and en ("by town"). */
static const char *const row_words[NLEVELS][5] = {
    [HM_LEVEL_DISTRICT] = { "区县", "districts", "Districts", "区县", "district" },
    [HM_LEVEL_TOWN] = { "区镇", "towns", "Towns", "镇", "town" },
    [HM_LEVEL_CITY] = { "市", "cities", "Cities", "市", "city" },
    [HM_LEVEL_PROVINCE] = { "省", "provinces", "Provinces", "省", "province" },
    [HM_LEVEL_NATION] = { "全国", "the country", "The country", "全国", "country" },
};

static const char *const level_names[NLEVELS] = {
    [HM_LEVEL_DISTRICT] = "district", [HM_LEVEL_TOWN] = "town", [HM_LEVEL_CITY] = "city",
    [HM_LEVEL_PROVINCE] = "province", [HM_LEVEL_NATION] = "nation",
};

const char *hm_level_word(hm_level own, hm_level rows, const char *lang,
                          hm_level_word_kind which)
{
    int en = lang && strcmp(lang, "en") == 0;
    if ((unsigned)own >= NLEVELS)
        own = HM_LEVEL_DISTRICT;
    if ((unsigned)rows >= NLEVELS)
        rows = HM_LEVEL_TOWN;
    switch (which) {
    case HM_WORD_TOTAL: return own_words[own][en][0];
    case HM_WORD_AREA: return own_words[own][en][1];
    case HM_WORD_UNIT: return own_words[own][en][2];
    case HM_WORD_NO_TOWN: return own_words[own][en][3];
    case HM_WORD_ROWS: return row_words[rows][en];
    case HM_WORD_ROWS_CAP: return row_words[rows][en ? 2 : 0];
    case HM_WORD_ROW: return row_words[rows][en ? 4 : 3];
    }
    return "";
}

bool hm_level_parse(const char *name, hm_level *out)
{
    for (int l = 0; l < NLEVELS; l++)
        if (name && strcmp(name, level_names[l]) == 0) {
            *out = (hm_level)l;
            return true;
        }
    return false;
}

bool hm_level_above_district(hm_level l)
{
    return l == HM_LEVEL_CITY || l == HM_LEVEL_PROVINCE || l == HM_LEVEL_NATION;
}
