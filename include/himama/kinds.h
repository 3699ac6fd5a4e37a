/*
 * kinds.h - the input contract of DESIGN.md as data: the twelve kinds of
 * file (the twelfth, feedback, is himama's own: docs/decisions.md), their columns (English name, Chinese label, type, rules), keys,
 * and the enumerations with their codes and labels.
 *
 * Everything here is static and read-only.
 */
#ifndef HIMAMA_KINDS_H
#define HIMAMA_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    HM_F_ADULT_BIRTHDATE, /* an adult's birth date, HM_ADULT_BIRTH_YEAR-01-01 .. today,
                             HM_ADULT_MIN_AGE or older today */
    HM_F_MONEY,     /* yuan to integer fen, >= 0 */
    HM_F_MONEY_POS, /* yuan to integer fen, > 0 */
    HM_F_MINUTES,   /* integer 0..1440 */
    HM_F_ENUM,      /* one of an enumeration's codes or labels */
    HM_F_NEEDS      /* a list of need codes or labels */
} hm_ftype;

/* A volunteer's birth date (HM_F_ADULT_BIRTHDATE): from this year on, and
 * the volunteer at least HM_ADULT_MIN_AGE years old today and on joining
 * (the volunteers' HM_ORDER_AGE_AT rule). */
#define HM_ADULT_BIRTH_YEAR 1920
#define HM_ADULT_MIN_AGE 16

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
    HM_KIND_FEEDBACK,
    HM_NKINDS
} hm_kind_id;

#define HM_MAX_COLUMNS 16

/*
 * Each kind's columns by index: HM_COL_<KIND>_<COLUMN> is the index in
 * hm_kinds[HM_KIND_<KIND>].columns of the column named <column>, and
 * HM_NCOL_<KIND> their number.  kinds.c builds its tables with these
 * (a count that differs does not compile) and a test checks every name.
 */
enum hm_col_towns {
    HM_COL_TOWNS_TOWN_CODE,
    HM_COL_TOWNS_TOWN_NAME,
    HM_COL_TOWNS_DISTRICT,
    HM_COL_TOWNS_CITY,
    HM_COL_TOWNS_PROVINCE,
    HM_NCOL_TOWNS
};
enum hm_col_children {
    HM_COL_CHILDREN_CHILD_ID,
    HM_COL_CHILDREN_NAME,
    HM_COL_CHILDREN_ALIAS,
    HM_COL_CHILDREN_GENDER,
    HM_COL_CHILDREN_BIRTH_DATE,
    HM_COL_CHILDREN_TOWN_CODE,
    HM_COL_CHILDREN_CATEGORY,
    HM_COL_CHILDREN_GUARDIAN,
    HM_COL_CHILDREN_GUARDIAN_PHONE,
    HM_COL_CHILDREN_SCHOOL,
    HM_COL_CHILDREN_CLASS_TEACHER,
    HM_COL_CHILDREN_NEEDS,
    HM_COL_CHILDREN_REGISTERED_ON,
    HM_COL_CHILDREN_EXITED_ON,
    HM_NCOL_CHILDREN
};
enum hm_col_volunteers {
    HM_COL_VOLUNTEERS_VOLUNTEER_ID,
    HM_COL_VOLUNTEERS_NAME,
    HM_COL_VOLUNTEERS_ROLE,
    HM_COL_VOLUNTEERS_PHONE,
    HM_COL_VOLUNTEERS_TOWN_CODE,
    HM_COL_VOLUNTEERS_SECTOR,
    HM_COL_VOLUNTEERS_ORGANIZATION,
    HM_COL_VOLUNTEERS_SPECIALTIES,
    HM_COL_VOLUNTEERS_JOINED_ON,
    HM_COL_VOLUNTEERS_POOL,
    HM_COL_VOLUNTEERS_BIRTH_DATE,
    HM_NCOL_VOLUNTEERS
};
enum hm_col_pairings {
    HM_COL_PAIRINGS_PAIRING_ID,
    HM_COL_PAIRINGS_VOLUNTEER_ID,
    HM_COL_PAIRINGS_CHILD_ID,
    HM_COL_PAIRINGS_STARTED_ON,
    HM_COL_PAIRINGS_ENDED_ON,
    HM_COL_PAIRINGS_END_REASON,
    HM_NCOL_PAIRINGS
};
enum hm_col_activities {
    HM_COL_ACTIVITIES_ACTIVITY_ID,
    HM_COL_ACTIVITIES_DATE,
    HM_COL_ACTIVITIES_TYPE,
    HM_COL_ACTIVITIES_VOLUNTEER_ID,
    HM_COL_ACTIVITIES_CHILD_ID,
    HM_COL_ACTIVITIES_MINUTES,
    HM_COL_ACTIVITIES_TITLE,
    HM_COL_ACTIVITIES_NOTES,
    HM_NCOL_ACTIVITIES
};
enum hm_col_wishes {
    HM_COL_WISHES_WISH_ID,
    HM_COL_WISHES_CHILD_ID,
    HM_COL_WISHES_REGISTERED_ON,
    HM_COL_WISHES_DESCRIPTION,
    HM_COL_WISHES_EST_COST,
    HM_COL_WISHES_CLAIMED_BY,
    HM_COL_WISHES_CLAIMED_ORG,
    HM_COL_WISHES_CLAIMED_ON,
    HM_COL_WISHES_FULFILLED_ON,
    HM_COL_WISHES_CANCELLED_ON,
    HM_NCOL_WISHES
};
enum hm_col_donations {
    HM_COL_DONATIONS_DONATION_ID,
    HM_COL_DONATIONS_DATE,
    HM_COL_DONATIONS_DONOR,
    HM_COL_DONATIONS_DONOR_TYPE,
    HM_COL_DONATIONS_AMOUNT,
    HM_COL_DONATIONS_RESTRICTED_TO,
    HM_COL_DONATIONS_RECEIPT_NO,
    HM_NCOL_DONATIONS
};
enum hm_col_expenditures {
    HM_COL_EXPENDITURES_EXPENSE_ID,
    HM_COL_EXPENDITURES_DATE,
    HM_COL_EXPENDITURES_PROJECT,
    HM_COL_EXPENDITURES_TOWN_CODE,
    HM_COL_EXPENDITURES_CATEGORY,
    HM_COL_EXPENDITURES_AMOUNT,
    HM_COL_EXPENDITURES_FUND,
    HM_COL_EXPENDITURES_APPROVED_BY,
    HM_NCOL_EXPENDITURES
};
enum hm_col_trainings {
    HM_COL_TRAININGS_EVENT_ID,
    HM_COL_TRAININGS_DATE,
    HM_COL_TRAININGS_KIND,
    HM_COL_TRAININGS_TITLE,
    HM_COL_TRAININGS_SPEAKER,
    HM_NCOL_TRAININGS
};
enum hm_col_attendance {
    HM_COL_ATTENDANCE_EVENT_ID,
    HM_COL_ATTENDANCE_VOLUNTEER_ID,
    HM_NCOL_ATTENDANCE
};
enum hm_col_stories {
    HM_COL_STORIES_STORY_ID,
    HM_COL_STORIES_VOLUNTEER_ID,
    HM_COL_STORIES_CHILD_ID,
    HM_COL_STORIES_DATE,
    HM_COL_STORIES_TITLE,
    HM_COL_STORIES_TEXT,
    HM_NCOL_STORIES
};
enum hm_col_feedback {
    HM_COL_FEEDBACK_FEEDBACK_ID,
    HM_COL_FEEDBACK_RAISED_ON,
    HM_COL_FEEDBACK_TOWN_CODE,
    HM_COL_FEEDBACK_VOLUNTEER_ID,
    HM_COL_FEEDBACK_CATEGORY,
    HM_COL_FEEDBACK_TEXT,
    HM_COL_FEEDBACK_STATUS,
    HM_COL_FEEDBACK_RESOLVED_ON,
    HM_COL_FEEDBACK_RESPONSE,
    HM_NCOL_FEEDBACK
};

/*
 * A rule across the columns of one row.  On dates ('YYYY-MM-DD'; an empty
 * value breaks no rule): the row is rejected naming column a for
 * HM_ORDER_NOT_BEFORE (a is before b), column b for HM_ORDER_NOT_BOTH (a
 * and b both filled); reason is a format taking a's value, then b's.
 * On a date a and an enumeration b with one of its codes, code: the row is
 * rejected naming column a for HM_ORDER_NEEDED_WHEN (a empty while b is
 * code) and HM_ORDER_ONLY_WHEN (a filled while b is another code); reason
 * is then a format taking b's value as "code/label", then a's (empty for
 * HM_ORDER_NEEDED_WHEN).
 * On a birth date a and a date b: the row is rejected naming column a for
 * HM_ORDER_AGE_AT when the person is under years old on b (whole years,
 * as hm_date_age counts them); reason takes a's value, then b's.
 */
typedef enum hm_order_test {
    HM_ORDER_NOT_BEFORE,
    HM_ORDER_NOT_BOTH,
    HM_ORDER_NEEDED_WHEN,
    HM_ORDER_ONLY_WHEN,
    HM_ORDER_AGE_AT
} hm_order_test;

typedef struct hm_order_rule {
    hm_order_test test;
    int a, b;                   /* columns (HM_COL_*) */
    const char *reason;
    const char *code;           /* NEEDED_WHEN, ONLY_WHEN: a code of b's enumeration */
    int years;                  /* AGE_AT: the least age on b */
} hm_order_rule;

/*
 * What a row of a kind checks beyond its columns, and what a new or
 * changed row of it does to the summary tables (summary.h).  Ingest reads
 * these flags; a kind with none of them needs nothing of ingest but its
 * columns.
 */
enum {
    /* Counted in the monthly summaries by date, type, child (and the
     * child's town) and volunteer; loaded with a warning when its
     * volunteer and child were not paired on its date. */
    HM_RULE_ACTIVITY = 1 << 0,
    /* A pairing: may not overlap another pairing of the same volunteer
     * and child; a new or changed one has the activities of its volunteer
     * and child outside a pairing counted again. */
    HM_RULE_PAIRING = 1 << 1,
    /* A new or changed row recomputes the pairing spans of its child. */
    HM_RULE_CHILD_SPANS = 1 << 2,
    /* A changed town moves its child's activities to the new town. */
    HM_RULE_CHILD_TOWN = 1 << 3,
    /* A child's alias shared with another child of the same town loads
     * with a warning (public reports then number them: 小琪①, 小琪②). */
    HM_RULE_ALIAS = 1 << 4
};

typedef struct hm_kind_rules {
    unsigned flags;              /* HM_RULE_* */
    const hm_order_rule *order;  /* checked in this order; the first broken rejects */
    size_t norder;
    /* The columns the flags use (HM_COL_*), or -1: the row's own ID, its
     * child, volunteer, town, date, type, start, end and alias. */
    int id, child, volunteer, town, date, type, start, end, alias;
} hm_kind_rules;

typedef struct hm_kind {
    hm_kind_id id;
    const char *name;            /* English name = table name, e.g. "children" */
    const char *label;           /* Chinese name, e.g. "儿童" */
    const char *const *prefixes; /* file name prefixes (English and Chinese), NULL-terminated */
    const hm_column *columns;
    size_t ncolumns;
    int load_order;              /* directories load in this order */
    const hm_kind_rules *rules;  /* checks and summary effects, or NULL */
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
extern const hm_enum hm_enum_feedback_category;
extern const hm_enum hm_enum_feedback_status;

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
/* The kind whose table a reference points into, or NULL for HM_REF_NONE. */
const hm_kind *hm_ref_kind(hm_ref ref);

/*
 * The intake workbook (tools' forms.h writes it): its auxiliary sheets
 * hold no records, and the first row after a sheet's header may be a
 * guidance row, which is not data.
 */
#define HM_INTAKE_GUIDANCE_MARK "说明："
#define HM_INTAKE_ROSTER_SHEET "编号名单（内部资料）"
#define HM_INTAKE_LISTS_SHEET "下拉选项"

/* True when a sheet of this name (NULL: false) is an auxiliary sheet. */
bool hm_kind_aux_sheet(const char *name);

/*
 * True when first (len bytes), the first field of the first row after a
 * sheet's header, marks the guidance row: with its leading blanks
 * (hm_utf8_blank) skipped, it starts with HM_INTAKE_GUIDANCE_MARK or with
 * "说明:" (an ASCII colon).
 */
bool hm_kind_guidance(const char *first, size_t len);

/*
 * What an activity type counts as (DESIGN.md), the one definition that the
 * summary tables (store/summary.c, in C and through the SQL functions
 * hm_contact and hm_five_ones of store/db.c) use:
 *  - a contact with the child: every type but the visits to the class
 *    teacher and to the guardian (visit_teacher, visit_guardian), which
 *    are about the child without the child;
 *  - one of the "five ones" counted by town: call, reading, holiday,
 *    birthday (the wish, the fifth, is counted from the wishes table).
 * type is a code of hm_enum_activity_type, of len bytes (no NUL needed).
 * queries/check_summaries.sql spells both out again on purpose: it is the
 * independent recount that checks these.
 */
bool hm_activity_contact(const char *type, size_t len);
bool hm_activity_five_ones(const char *type, size_t len);

/*
 * The months a pairing pairs its child (DESIGN.md "Counting"), the one
 * statement of the rule for ingest's child_spans (store/summary.c) and the
 * queries' pairs (the SQL function hm_paired_months of store/db.c: the five
 * ones per pair, the scorecard): from the month of started_on to that of
 * ended_on (NULL: still active), and not after the month the child exited
 * in (exited_on NULL: not exited), i.e. a pairing active on a day of the
 * month, the child not exited before the month begins.  Months are
 * numbered year * 12 + month - 1 (hm_month_number: -1 for a text that is
 * not 'YYYY-MM...'); HM_MONTH_OPEN (9999-12) stands for "open".  Sets
 * *first and *last and returns true when it pairs in at least one month.
 */
#define HM_MONTH_OPEN (9999 * 12 + 11)
int32_t hm_month_number(const char *date);
bool hm_pairing_months(const char *started_on, const char *ended_on, const char *exited_on,
                       int32_t *first, int32_t *last);

#endif
