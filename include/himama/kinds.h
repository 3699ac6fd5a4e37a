/*
 * kinds.h - the input contract of DESIGN.md as data: the eleven kinds of
 * file, their columns (English name, Chinese label, type, rules), keys,
 * and the enumerations with their codes and labels.
 *
 * Everything here is static and read-only.
 */
#ifndef HIMAMA_KINDS_H
#define HIMAMA_KINDS_H

#include <stdbool.h>
#include <stddef.h>

/* An enumeration value: the stored English code and its Chinese label. */
typedef struct hm_enum_value {
    const char *code;
    const char *label;
} hm_enum_value;

typedef struct hm_enum {
    const char *name;               /* e.g. "gender" */
    const hm_enum_value *values;
    size_t nvalues;
} hm_enum;

/* How a column is cleaned, checked and stored. */
typedef enum hm_ftype {
    HM_F_ID,        /* ID or town code: code cleaning, <= 32 chars, case-sensitive */
    HM_F_NAME,      /* person or organization name: <= 64 chars */
    HM_F_TEXT,      /* free text: <= 16 KiB (16384 chars) */
    HM_F_LONGTEXT,  /* a story's text: <= 256 KiB (262144 chars) */
    HM_F_PHONE,     /* phone number: code cleaning (full-width digits), <= 16 KiB */
    HM_F_DATE,      /* a date, 2000-01-01 .. today */
    HM_F_BIRTHDATE, /* a birth date, 1990-01-01 .. today */
    HM_F_MONEY,     /* yuan to integer fen, >= 0 */
    HM_F_MONEY_POS, /* yuan to integer fen, > 0 */
    HM_F_MINUTES,   /* integer 0..1440 */
    HM_F_ENUM,      /* one of an enumeration's codes or labels */
    HM_F_NEEDS      /* a list of need codes or labels */
} hm_ftype;

/* What a column's value must exist in. */
typedef enum hm_ref {
    HM_REF_NONE = 0,
    HM_REF_TOWN,        /* towns.town_code */
    HM_REF_CHILD,       /* children.child_id */
    HM_REF_VOLUNTEER,   /* volunteers.volunteer_id */
    HM_REF_EVENT,       /* trainings.event_id */
    HM_REF_FUND         /* some donations.restricted_to */
} hm_ref;

typedef struct hm_column {
    const char *name;       /* English name; also the database column (money: + "_fen") */
    const char *label;      /* Chinese label */
    hm_ftype type;
    const hm_enum *enumeration;  /* HM_F_ENUM only */
    hm_ref ref;
    bool required;          /* header must name it and a row must fill it */
    bool key;               /* part of the kind's key */
} hm_column;

typedef enum hm_kind_id {
    HM_KIND_TOWNS,
    HM_KIND_CHILDREN,
    HM_KIND_VOLUNTEERS,
    HM_KIND_PAIRINGS,
    HM_KIND_ACTIVITIES,
    HM_KIND_WISHES,
    HM_KIND_DONATIONS,
    HM_KIND_EXPENDITURES,
    HM_KIND_TRAININGS,
    HM_KIND_ATTENDANCE,
    HM_KIND_STORIES,
    HM_NKINDS
} hm_kind_id;

#define HM_MAX_COLUMNS 16

typedef struct hm_kind {
    hm_kind_id id;
    const char *name;            /* English name = table name, e.g. "children" */
    const char *label;           /* Chinese name, e.g. "儿童" */
    const char *const *prefixes; /* file name prefixes (English and Chinese), NULL-terminated */
    const hm_column *columns;
    size_t ncolumns;
    int load_order;              /* directories load in this order */
} hm_kind;

extern const hm_kind hm_kinds[HM_NKINDS];

extern const hm_enum hm_enum_gender;
extern const hm_enum hm_enum_child_category;
extern const hm_enum hm_enum_role;
extern const hm_enum hm_enum_sector;
extern const hm_enum hm_enum_pool;
extern const hm_enum hm_enum_activity_type;
extern const hm_enum hm_enum_donor_type;
extern const hm_enum hm_enum_expense_category;
extern const hm_enum hm_enum_training_kind;
extern const hm_enum hm_enum_needs;

/* The kind named name ("children"), or NULL. */
const hm_kind *hm_kind_by_name(const char *name);
/* The kind whose file-name prefix starts base (case-insensitive for ASCII), or NULL. */
const hm_kind *hm_kind_by_filename(const char *base);
/* Index of the column named name or labelled label (case-insensitive), or -1. */
int hm_kind_column(const hm_kind *k, const char *name_or_label);
/* The index of column name (exact English name), or -1. */
int hm_kind_column_index(const hm_kind *k, const char *name);
/* The label of code in e, or NULL. */
const char *hm_enum_label(const hm_enum *e, const char *code);

#endif
