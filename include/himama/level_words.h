/*
 * level_words.h - the levels a report can be of (a town, a district, a
 * city, a province, the nation) and the words that name them in its
 * texts: the total row's label, "the whole area", the rows of a per-town
 * table (report/level_words.c).  The one table of this wording; the
 * templates quote it as {scope.total}, {scope.area}, {scope.unit},
 * {scope.no_town}, {scope.rows}, {scope.Rows} and {scope.row}, the
 * queries as :scope_total and :scope_no_town (params.h).
 */
#ifndef HIMAMA_LEVEL_WORDS_H
#define HIMAMA_LEVEL_WORDS_H

#include <stdbool.h>

/* A report's level; the default (0) is the organisation's own district. */
typedef enum hm_level {
    HM_LEVEL_DISTRICT = 0,
    HM_LEVEL_TOWN,
    HM_LEVEL_CITY,
    HM_LEVEL_PROVINCE,
    HM_LEVEL_NATION
} hm_level;

/* The words of hm_level_word. */
typedef enum hm_level_word_kind {
    HM_WORD_TOTAL,     /* of the report's level: 全区合计 / District total */
    HM_WORD_AREA,      /* of the report's level: 全区 / the district */
    HM_WORD_UNIT,      /* of the report's level: 区 / district */
    HM_WORD_NO_TOWN,   /* of the report's level: 区级（未分区镇） / District level (no town) */
    HM_WORD_ROWS,      /* of the rows' level: 区镇 / towns; 区县 / districts */
    HM_WORD_ROWS_CAP,  /* of the rows' level: 区镇 / Towns; 区县 / Districts */
    HM_WORD_ROW        /* of the rows' level: 镇 / town; 区县 / district ("by town") */
} hm_level_word_kind;

/*
 * The word `which` for a report of level own whose per-town tables show
 * rows of level rows, in lang ("en"; anything else: Chinese).  Static
 * text, never NULL.
 */
const char *hm_level_word(hm_level own, hm_level rows, const char *lang,
                          hm_level_word_kind which);

/* The level called name ("town", "district", "city", "province", "nation"); false when none is. */
bool hm_level_parse(const char *name, hm_level *out);

/* Whether a report of level l is above the district (a city's, a province's, the nation's). */
bool hm_level_above_district(hm_level l);

#endif
