/*
 * kinds.c - DESIGN.md's input contract as tables.  Changing the contract
 * means changing these tables and queries/schema.sql together.
 */
#include "himama/kinds.h"
#include "himama/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ENUM(ident, nm, vals) const hm_enum ident = { nm, vals, N(vals) }

static const hm_enum_value gender_v[] = { { "F", "女" }, { "M", "男" } };
static const hm_enum_value child_category_v[] = {
    { "left_behind", "留守" }, { "distressed", "困境" }, { "both", "留守困境" } };
static const hm_enum_value role_v[] = { { "mother", "爱心妈妈" }, { "father", "爱心爸爸" } };
static const hm_enum_value sector_v[] = {
    { "federation", "妇联执委" }, { "cadre", "机关党员干部" }, { "teacher", "在职老师" },
    { "social_worker", "社会工作者" }, { "counsellor", "心理咨询师" },
    { "entrepreneur", "女企业家" }, { "other", "其他" } };
static const hm_enum_value pool_v[] = { { "paired", "结对库" }, { "reserve", "储备库" } };
static const hm_enum_value activity_type_v[] = {
    { "call", "亲情连线" }, { "reading", "陪你阅读" }, { "holiday", "假日亲子活动" },
    { "birthday", "陪过生日" }, { "icebreak", "互认互知" }, { "visit_teacher", "访班主任" },
    { "visit_guardian", "访监护人" }, { "warmth", "送温暖" }, { "knowledge", "送知识" },
    { "study_trip", "亲子研学" }, { "counselling", "心理疏导" }, { "other", "其他" } };
static const hm_enum_value donor_type_v[] = {
    { "enterprise", "企业" }, { "individual", "个人" }, { "giving_day", "99公益日" },
    { "grant", "公益创投" }, { "other", "其他" } };
static const hm_enum_value expense_category_v[] = {
    { "wish", "微心愿" }, { "activity", "活动" }, { "training", "培训" },
    { "material", "物资" }, { "other", "其他" } };
static const hm_enum_value training_kind_v[] = {
    { "micro_class", "赋能微课堂" }, { "symposium", "座谈会" }, { "other", "其他" } };
static const hm_enum_value needs_v[] = {
    { "affection", "亲情关爱、心理疏导" }, { "contact", "电话连线、走访探视" },
    { "reading", "亲子阅读、亲子研学" }, { "festival", "陪过节日或生日" },
    { "wish", "实现\"微心愿\"" }, { "other", "其他帮扶措施" } };
static const hm_enum_value feedback_category_v[] = {
    { "transport", "交通不便" }, { "study", "学习辅导" }, { "counselling", "心理疏导" },
    { "funding", "经费" }, { "venue", "活动场地" }, { "training", "志愿者培训" },
    { "family", "家庭帮扶" }, { "other", "其他" } };
static const hm_enum_value feedback_status_v[] = {
    { "open", "待办" }, { "in_progress", "办理中" }, { "resolved", "已办结" } };

ENUM(hm_enum_gender, "gender", gender_v);
ENUM(hm_enum_child_category, "category", child_category_v);
ENUM(hm_enum_role, "role", role_v);
ENUM(hm_enum_sector, "sector", sector_v);
ENUM(hm_enum_pool, "pool", pool_v);
ENUM(hm_enum_activity_type, "type", activity_type_v);
ENUM(hm_enum_donor_type, "donor_type", donor_type_v);
ENUM(hm_enum_expense_category, "category", expense_category_v);
ENUM(hm_enum_training_kind, "kind", training_kind_v);
ENUM(hm_enum_needs, "needs", needs_v);
ENUM(hm_enum_feedback_category, "category", feedback_category_v);
ENUM(hm_enum_feedback_status, "status", feedback_status_v);

/* Column shorthands: required, key, optional, reference. */
#define COL(n, l, t) { n, l, t, NULL, HM_REF_NONE, false, false }
#define REQ(n, l, t) { n, l, t, NULL, HM_REF_NONE, true, false }
#define KEY(n, l, t) { n, l, t, NULL, HM_REF_NONE, true, true }
#define KEYREF(n, l, r) { n, l, HM_F_ID, NULL, r, true, true }
#define REQREF(n, l, r) { n, l, HM_F_ID, NULL, r, true, false }
#define REF(n, l, r) { n, l, HM_F_ID, NULL, r, false, false }
#define EN(n, l, e, req) { n, l, HM_F_ENUM, &e, HM_REF_NONE, req, false }

static const hm_column towns_c[] = {
    [HM_COL_TOWNS_TOWN_CODE] = KEY("town_code", "区镇编码", HM_F_ID),
    [HM_COL_TOWNS_TOWN_NAME] = COL("town_name", "区镇名称", HM_F_NAME),
    /* The units above the town, codes or names (queries/schema.sql). */
    [HM_COL_TOWNS_DISTRICT] = COL("district", "区县", HM_F_NAME),
    [HM_COL_TOWNS_CITY] = COL("city", "市", HM_F_NAME),
    [HM_COL_TOWNS_PROVINCE] = COL("province", "省", HM_F_NAME),
};
static const hm_column children_c[] = {
    [HM_COL_CHILDREN_CHILD_ID] = KEY("child_id", "儿童编号", HM_F_ID),
    [HM_COL_CHILDREN_NAME] = REQ("name", "姓名", HM_F_NAME),
    [HM_COL_CHILDREN_ALIAS] = COL("alias", "化名", HM_F_NAME),
    [HM_COL_CHILDREN_GENDER] = EN("gender", "性别", hm_enum_gender, false),
    [HM_COL_CHILDREN_BIRTH_DATE] = REQ("birth_date", "出生日期", HM_F_BIRTHDATE),
    [HM_COL_CHILDREN_TOWN_CODE] = REQREF("town_code", "区镇编码", HM_REF_TOWN),
    [HM_COL_CHILDREN_CATEGORY] = EN("category", "类别", hm_enum_child_category, false),
    [HM_COL_CHILDREN_GUARDIAN] = COL("guardian", "监护人", HM_F_NAME),
    [HM_COL_CHILDREN_GUARDIAN_PHONE] = COL("guardian_phone", "监护人电话", HM_F_PHONE),
    [HM_COL_CHILDREN_SCHOOL] = COL("school", "学校", HM_F_TEXT),
    [HM_COL_CHILDREN_CLASS_TEACHER] = COL("class_teacher", "班主任", HM_F_NAME),
    [HM_COL_CHILDREN_NEEDS] = COL("needs", "需求", HM_F_NEEDS),
    [HM_COL_CHILDREN_REGISTERED_ON] = COL("registered_on", "建档日期", HM_F_DATE),
    [HM_COL_CHILDREN_EXITED_ON] = COL("exited_on", "退出日期", HM_F_DATE),
};
static const hm_column volunteers_c[] = {
    [HM_COL_VOLUNTEERS_VOLUNTEER_ID] = KEY("volunteer_id", "志愿者编号", HM_F_ID),
    [HM_COL_VOLUNTEERS_NAME] = REQ("name", "姓名", HM_F_NAME),
    [HM_COL_VOLUNTEERS_ROLE] = EN("role", "角色", hm_enum_role, false),
    [HM_COL_VOLUNTEERS_PHONE] = COL("phone", "电话", HM_F_PHONE),
    [HM_COL_VOLUNTEERS_TOWN_CODE] = REQREF("town_code", "区镇编码", HM_REF_TOWN),
    [HM_COL_VOLUNTEERS_SECTOR] = EN("sector", "界别", hm_enum_sector, false),
    [HM_COL_VOLUNTEERS_ORGANIZATION] = COL("organization", "单位或团队", HM_F_NAME),
    [HM_COL_VOLUNTEERS_SPECIALTIES] = COL("specialties", "特长", HM_F_TEXT),
    [HM_COL_VOLUNTEERS_JOINED_ON] = COL("joined_on", "加入日期", HM_F_DATE),
    [HM_COL_VOLUNTEERS_POOL] = EN("pool", "库", hm_enum_pool, false),
    /* Optional, for the nomination dossiers' age (docs/decisions.md). */
    [HM_COL_VOLUNTEERS_BIRTH_DATE] = COL("birth_date", "出生日期", HM_F_ADULT_BIRTHDATE),
};
static const hm_column pairings_c[] = {
    [HM_COL_PAIRINGS_PAIRING_ID] = KEY("pairing_id", "结对编号", HM_F_ID),
    [HM_COL_PAIRINGS_VOLUNTEER_ID] = REQREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    [HM_COL_PAIRINGS_CHILD_ID] = REQREF("child_id", "儿童编号", HM_REF_CHILD),
    [HM_COL_PAIRINGS_STARTED_ON] = REQ("started_on", "结对日期", HM_F_DATE),
    [HM_COL_PAIRINGS_ENDED_ON] = COL("ended_on", "解除日期", HM_F_DATE),
    [HM_COL_PAIRINGS_END_REASON] = COL("end_reason", "解除原因", HM_F_TEXT),
};
static const hm_column activities_c[] = {
    [HM_COL_ACTIVITIES_ACTIVITY_ID] = KEY("activity_id", "活动编号", HM_F_ID),
    [HM_COL_ACTIVITIES_DATE] = REQ("date", "日期", HM_F_DATE),
    [HM_COL_ACTIVITIES_TYPE] = EN("type", "类型", hm_enum_activity_type, true),
    [HM_COL_ACTIVITIES_VOLUNTEER_ID] = KEYREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    [HM_COL_ACTIVITIES_CHILD_ID] = KEYREF("child_id", "儿童编号", HM_REF_CHILD),
    [HM_COL_ACTIVITIES_MINUTES] = COL("minutes", "时长", HM_F_MINUTES),
    [HM_COL_ACTIVITIES_TITLE] = COL("title", "标题", HM_F_TEXT),
    [HM_COL_ACTIVITIES_NOTES] = COL("notes", "备注", HM_F_TEXT),
};
static const hm_column wishes_c[] = {
    [HM_COL_WISHES_WISH_ID] = KEY("wish_id", "心愿编号", HM_F_ID),
    [HM_COL_WISHES_CHILD_ID] = REQREF("child_id", "儿童编号", HM_REF_CHILD),
    [HM_COL_WISHES_REGISTERED_ON] = REQ("registered_on", "登记日期", HM_F_DATE),
    [HM_COL_WISHES_DESCRIPTION] = COL("description", "心愿内容", HM_F_TEXT),
    [HM_COL_WISHES_EST_COST] = COL("est_cost", "预计金额", HM_F_MONEY),
    [HM_COL_WISHES_CLAIMED_BY] = REF("claimed_by", "认领人", HM_REF_VOLUNTEER),
    [HM_COL_WISHES_CLAIMED_ORG] = COL("claimed_org", "认领单位", HM_F_NAME),
    [HM_COL_WISHES_CLAIMED_ON] = COL("claimed_on", "认领日期", HM_F_DATE),
    [HM_COL_WISHES_FULFILLED_ON] = COL("fulfilled_on", "实现日期", HM_F_DATE),
    [HM_COL_WISHES_CANCELLED_ON] = COL("cancelled_on", "取消日期", HM_F_DATE),
};
static const hm_column donations_c[] = {
    [HM_COL_DONATIONS_DONATION_ID] = KEY("donation_id", "捐赠编号", HM_F_ID),
    [HM_COL_DONATIONS_DATE] = REQ("date", "日期", HM_F_DATE),
    [HM_COL_DONATIONS_DONOR] = COL("donor", "捐赠方", HM_F_NAME),
    [HM_COL_DONATIONS_DONOR_TYPE] = EN("donor_type", "捐赠方类型", hm_enum_donor_type, true),
    [HM_COL_DONATIONS_AMOUNT] = REQ("amount", "金额", HM_F_MONEY_POS),
    [HM_COL_DONATIONS_RESTRICTED_TO] = COL("restricted_to", "定向", HM_F_TEXT),
    [HM_COL_DONATIONS_RECEIPT_NO] = COL("receipt_no", "收据号", HM_F_ID),
};
static const hm_column expenditures_c[] = {
    [HM_COL_EXPENDITURES_EXPENSE_ID] = KEY("expense_id", "支出编号", HM_F_ID),
    [HM_COL_EXPENDITURES_DATE] = REQ("date", "日期", HM_F_DATE),
    [HM_COL_EXPENDITURES_PROJECT] = COL("project", "项目", HM_F_TEXT),
    [HM_COL_EXPENDITURES_TOWN_CODE] = REF("town_code", "区镇编码", HM_REF_TOWN),
    [HM_COL_EXPENDITURES_CATEGORY] = EN("category", "类别", hm_enum_expense_category, true),
    [HM_COL_EXPENDITURES_AMOUNT] = REQ("amount", "金额", HM_F_MONEY_POS),
    [HM_COL_EXPENDITURES_FUND] = { "fund", "资金来源", HM_F_TEXT, NULL, HM_REF_FUND,
                                   false, false },
    [HM_COL_EXPENDITURES_APPROVED_BY] = COL("approved_by", "审批人", HM_F_NAME),
};
static const hm_column trainings_c[] = {
    [HM_COL_TRAININGS_EVENT_ID] = KEY("event_id", "培训编号", HM_F_ID),
    [HM_COL_TRAININGS_DATE] = REQ("date", "日期", HM_F_DATE),
    [HM_COL_TRAININGS_KIND] = EN("kind", "培训类型", hm_enum_training_kind, true),
    [HM_COL_TRAININGS_TITLE] = COL("title", "主题", HM_F_TEXT),
    [HM_COL_TRAININGS_SPEAKER] = COL("speaker", "主讲", HM_F_NAME),
};
static const hm_column attendance_c[] = {
    [HM_COL_ATTENDANCE_EVENT_ID] = KEYREF("event_id", "培训编号", HM_REF_EVENT),
    [HM_COL_ATTENDANCE_VOLUNTEER_ID] = KEYREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
};
static const hm_column stories_c[] = {
    [HM_COL_STORIES_STORY_ID] = KEY("story_id", "事迹编号", HM_F_ID),
    [HM_COL_STORIES_VOLUNTEER_ID] = REQREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    [HM_COL_STORIES_CHILD_ID] = REF("child_id", "儿童编号", HM_REF_CHILD),
    [HM_COL_STORIES_DATE] = REQ("date", "日期", HM_F_DATE),
    [HM_COL_STORIES_TITLE] = COL("title", "标题", HM_F_TEXT),
    [HM_COL_STORIES_TEXT] = REQ("text", "正文", HM_F_LONGTEXT),
};
static const hm_column feedback_c[] = {
    [HM_COL_FEEDBACK_FEEDBACK_ID] = KEY("feedback_id", "意见编号", HM_F_ID),
    [HM_COL_FEEDBACK_RAISED_ON] = REQ("raised_on", "提出日期", HM_F_DATE),
    [HM_COL_FEEDBACK_TOWN_CODE] = REQREF("town_code", "区镇编码", HM_REF_TOWN),
    [HM_COL_FEEDBACK_VOLUNTEER_ID] = REF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    [HM_COL_FEEDBACK_CATEGORY] = EN("category", "类别", hm_enum_feedback_category, true),
    [HM_COL_FEEDBACK_TEXT] = REQ("text", "意见建议", HM_F_TEXT),
    [HM_COL_FEEDBACK_STATUS] = EN("status", "办理状态", hm_enum_feedback_status, true),
    [HM_COL_FEEDBACK_RESOLVED_ON] = COL("resolved_on", "办结日期", HM_F_DATE),
    [HM_COL_FEEDBACK_RESPONSE] = COL("response", "办理情况", HM_F_TEXT),
};

static const char *const towns_p[] = { "towns", "区镇", NULL };
static const char *const children_p[] = { "children", "儿童", NULL };
static const char *const volunteers_p[] = { "volunteers", "志愿者", "爱心妈妈", NULL };
static const char *const pairings_p[] = { "pairings", "结对", NULL };
static const char *const activities_p[] = { "activities", "活动", NULL };
static const char *const wishes_p[] = { "wishes", "心愿", "微心愿", NULL };
static const char *const donations_p[] = { "donations", "捐赠", NULL };
static const char *const expenditures_p[] = { "expenditures", "支出", NULL };
static const char *const trainings_p[] = { "trainings", "培训", NULL };
static const char *const attendance_p[] = { "attendance", "签到", NULL };
static const char *const stories_p[] = { "stories", "事迹", NULL };
static const char *const feedback_p[] = { "feedback", "意见建议", NULL };

/* The rules of a kind beyond its columns (kinds.h); NOT_BEFORE and
 * NOT_BOTH name a rule's kind and columns as in HM_COL_<KIND>_<COLUMN>. */
#define NOT_BEFORE(k, a, b, why) \
    { HM_ORDER_NOT_BEFORE, HM_COL_##k##_##a, HM_COL_##k##_##b, why, NULL, 0 }
#define NOT_BOTH(k, a, b, why) \
    { HM_ORDER_NOT_BOTH, HM_COL_##k##_##a, HM_COL_##k##_##b, why, NULL, 0 }
#define NONE (-1)

static const hm_order_rule children_o[] = {
    NOT_BEFORE(CHILDREN, EXITED_ON, REGISTERED_ON, "exits (%s) before being registered (%s)"),
};
static const hm_kind_rules children_r = {
    .flags = HM_RULE_CHILD_SPANS | HM_RULE_CHILD_TOWN | HM_RULE_ALIAS,
    .order = children_o, .norder = N(children_o),
    .id = HM_COL_CHILDREN_CHILD_ID, .child = HM_COL_CHILDREN_CHILD_ID, .volunteer = NONE,
    .town = HM_COL_CHILDREN_TOWN_CODE, .date = NONE, .type = NONE, .start = NONE, .end = NONE,
    .alias = HM_COL_CHILDREN_ALIAS,
};
static const hm_order_rule pairings_o[] = {
    NOT_BEFORE(PAIRINGS, ENDED_ON, STARTED_ON, "ends (%s) before it starts (%s)"),
};
static const hm_kind_rules pairings_r = {
    .flags = HM_RULE_PAIRING | HM_RULE_CHILD_SPANS,
    .order = pairings_o, .norder = N(pairings_o),
    .id = HM_COL_PAIRINGS_PAIRING_ID, .child = HM_COL_PAIRINGS_CHILD_ID,
    .volunteer = HM_COL_PAIRINGS_VOLUNTEER_ID, .town = NONE, .date = NONE, .type = NONE,
    .start = HM_COL_PAIRINGS_STARTED_ON, .end = HM_COL_PAIRINGS_ENDED_ON, .alias = NONE,
};
static const hm_kind_rules activities_r = {
    .flags = HM_RULE_ACTIVITY,
    .id = HM_COL_ACTIVITIES_ACTIVITY_ID, .child = HM_COL_ACTIVITIES_CHILD_ID,
    .volunteer = HM_COL_ACTIVITIES_VOLUNTEER_ID, .town = NONE,
    .date = HM_COL_ACTIVITIES_DATE, .type = HM_COL_ACTIVITIES_TYPE, .start = NONE, .end = NONE,
    .alias = NONE,
};
static const hm_order_rule wishes_o[] = {
    NOT_BEFORE(WISHES, CLAIMED_ON, REGISTERED_ON, "claimed (%s) before it was registered (%s)"),
    NOT_BEFORE(WISHES, FULFILLED_ON, REGISTERED_ON,
               "fulfilled (%s) before it was registered (%s)"),
    NOT_BEFORE(WISHES, FULFILLED_ON, CLAIMED_ON, "fulfilled (%s) before it was claimed (%s)"),
    NOT_BOTH(WISHES, FULFILLED_ON, CANCELLED_ON, "both fulfilled (%s) and cancelled (%s)"),
    NOT_BEFORE(WISHES, CANCELLED_ON, REGISTERED_ON,
               "cancelled (%s) before it was registered (%s)"),
};
static const hm_kind_rules wishes_r = {
    .order = wishes_o, .norder = N(wishes_o),
    .id = HM_COL_WISHES_WISH_ID, .child = HM_COL_WISHES_CHILD_ID, .volunteer = NONE,
    .town = NONE, .date = NONE, .type = NONE, .start = NONE, .end = NONE, .alias = NONE,
};

/* Volunteers: HM_ADULT_MIN_AGE or older on joining (and today: the type). */
static const hm_order_rule volunteers_o[] = {
    { HM_ORDER_AGE_AT, HM_COL_VOLUNTEERS_BIRTH_DATE, HM_COL_VOLUNTEERS_JOINED_ON,
      "born %s: under 16 on joining (%s); a volunteer is 16 or older", NULL, HM_ADULT_MIN_AGE },
};
_Static_assert(HM_ADULT_MIN_AGE == 16, "the volunteers' rule's reason says 16");
static const hm_kind_rules volunteers_r = {
    .order = volunteers_o, .norder = N(volunteers_o),
    .id = HM_COL_VOLUNTEERS_VOLUNTEER_ID, .child = NONE, .volunteer = NONE, .town = NONE,
    .date = NONE, .type = NONE, .start = NONE, .end = NONE, .alias = NONE,
};

/* Feedback: the date of resolution goes with the status resolved, and
 * only with it; it is not before the day the matter was raised. */
#define WHEN(test, k, a, b, code, why) \
    { HM_ORDER_##test, HM_COL_##k##_##a, HM_COL_##k##_##b, why, code, 0 }
static const hm_order_rule feedback_o[] = {
    WHEN(NEEDED_WHEN, FEEDBACK, RESOLVED_ON, STATUS, "resolved",
         "required when the status is %s"),
    WHEN(ONLY_WHEN, FEEDBACK, RESOLVED_ON, STATUS, "resolved",
         "must be empty while the status is %s (it holds %s): only a resolved matter has "
         "a date of resolution"),
    NOT_BEFORE(FEEDBACK, RESOLVED_ON, RAISED_ON, "resolved (%s) before it was raised (%s)"),
};
static const hm_kind_rules feedback_r = {
    .order = feedback_o, .norder = N(feedback_o),
    .id = HM_COL_FEEDBACK_FEEDBACK_ID, .child = NONE, .volunteer = NONE, .town = NONE,
    .date = NONE, .type = NONE, .start = NONE, .end = NONE, .alias = NONE,
};

/* A kind's table entry; its column table must have HM_NCOL_<ID> columns. */
#define KIND(id, nm, lb, order, rules) \
    { HM_KIND_##id, #nm, lb, nm##_p, nm##_c, N(nm##_c), order, rules }
#define COUNT(id, nm) \
    _Static_assert(N(nm##_c) == HM_NCOL_##id, #nm ": the column enum and the table differ")

COUNT(TOWNS, towns);
COUNT(CHILDREN, children);
COUNT(VOLUNTEERS, volunteers);
COUNT(PAIRINGS, pairings);
COUNT(ACTIVITIES, activities);
COUNT(WISHES, wishes);
COUNT(DONATIONS, donations);
COUNT(EXPENDITURES, expenditures);
COUNT(TRAININGS, trainings);
COUNT(ATTENDANCE, attendance);
COUNT(STORIES, stories);
COUNT(FEEDBACK, feedback);

const hm_kind hm_kinds[HM_NKINDS] = {
    KIND(TOWNS, towns, "区镇", 0, NULL),
    KIND(CHILDREN, children, "儿童", 1, &children_r),
    KIND(VOLUNTEERS, volunteers, "志愿者", 2, &volunteers_r),
    KIND(PAIRINGS, pairings, "结对", 3, &pairings_r),
    KIND(ACTIVITIES, activities, "活动", 6, &activities_r),
    KIND(WISHES, wishes, "微心愿", 7, &wishes_r),
    KIND(DONATIONS, donations, "捐赠", 4, NULL),
    KIND(EXPENDITURES, expenditures, "支出", 8, NULL),
    KIND(TRAININGS, trainings, "培训", 5, NULL),
    KIND(ATTENDANCE, attendance, "签到", 9, NULL),
    KIND(STORIES, stories, "事迹", 10, NULL),
    KIND(FEEDBACK, feedback, "意见建议", 11, &feedback_r),
};

const hm_kind *hm_kind_by_name(const char *name)
{
    for (size_t i = 0; i < HM_NKINDS; i++)
        if (strcmp(hm_kinds[i].name, name) == 0)
            return &hm_kinds[i];
    return NULL;
}

const hm_kind *hm_kind_by_filename(const char *base)
{
    /* Longest prefix wins, so "微心愿" is not mistaken for anything shorter. */
    const hm_kind *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < HM_NKINDS; i++) {
        for (const char *const *p = hm_kinds[i].prefixes; *p; p++) {
            size_t n = strlen(*p);
            if (n > best_len && strncasecmp(base, *p, n) == 0) {
                best = &hm_kinds[i];
                best_len = n;
            }
        }
    }
    return best;
}

int hm_kind_column(const hm_kind *k, const char *name_or_label)
{
    for (size_t i = 0; i < k->ncolumns; i++)
        if (strcasecmp(k->columns[i].name, name_or_label) == 0 ||
            strcmp(k->columns[i].label, name_or_label) == 0)
            return (int)i;
    return -1;
}

int hm_kind_column_index(const hm_kind *k, const char *name)
{
    for (size_t i = 0; i < k->ncolumns; i++)
        if (strcmp(k->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *hm_enum_label(const hm_enum *e, const char *code)
{
    for (size_t i = 0; i < e->nvalues; i++)
        if (strcmp(e->values[i].code, code) == 0)
            return e->values[i].label;
    return NULL;
}

const hm_kind *hm_ref_kind(hm_ref ref)
{
    switch (ref) {
    case HM_REF_TOWN: return &hm_kinds[HM_KIND_TOWNS];
    case HM_REF_CHILD: return &hm_kinds[HM_KIND_CHILDREN];
    case HM_REF_VOLUNTEER: return &hm_kinds[HM_KIND_VOLUNTEERS];
    case HM_REF_EVENT: return &hm_kinds[HM_KIND_TRAININGS];
    case HM_REF_FUND: return &hm_kinds[HM_KIND_DONATIONS];
    case HM_REF_NONE: break;
    }
    return NULL;
}

bool hm_kind_aux_sheet(const char *name)
{
    return name && (strcmp(name, HM_INTAKE_ROSTER_SHEET) == 0 ||
                    strcmp(name, HM_INTAKE_LISTS_SHEET) == 0);
}

bool hm_kind_guidance(const char *first, size_t len)
{
    static const char ascii_mark[] = "说明:";
    size_t k;
    while ((k = hm_utf8_blank(first, len)) > 0) {
        first += k;
        len -= k;
    }
    size_t m1 = strlen(HM_INTAKE_GUIDANCE_MARK), m2 = strlen(ascii_mark);
    return (len >= m1 && memcmp(first, HM_INTAKE_GUIDANCE_MARK, m1) == 0) ||
           (len >= m2 && memcmp(first, ascii_mark, m2) == 0);
}

/* True when type (len bytes) is one of the codes of list. */
static bool type_in(const char *const *list, const char *type, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && memcmp(*list, type, len) == 0)
            return true;
    return false;
}

bool hm_activity_contact(const char *type, size_t len)
{
    static const char *const without_child[] = { "visit_teacher", "visit_guardian", NULL };
    return !type_in(without_child, type, len);
}

bool hm_activity_five_ones(const char *type, size_t len)
{
    static const char *const five[] = { "call", "reading", "holiday", "birthday", NULL };
    return type_in(five, type, len);
}

int32_t hm_month_number(const char *date)
{
    if (!date)
        return -1;
    int y = 0, m = 0;
    if (sscanf(date, "%4d-%2d", &y, &m) != 2 || y < 0 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

bool hm_pairing_months(const char *started_on, const char *ended_on, const char *exited_on,
                       int32_t *first, int32_t *last)
{
    int32_t a = hm_month_number(started_on);
    int32_t b = ended_on ? hm_month_number(ended_on) : HM_MONTH_OPEN;
    int32_t x = exited_on ? hm_month_number(exited_on) : HM_MONTH_OPEN;
    if (x < b)
        b = x;
    *first = a;
    *last = b;
    return a >= 0 && b >= a;
}
