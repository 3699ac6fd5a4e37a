/*
 * kinds.c - DESIGN.md's input contract as tables.  Changing the contract
 * means changing these tables and queries/schema.sql together.
 */
#include "himama/kinds.h"

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

/* Column shorthands: required, key, optional, reference. */
#define COL(n, l, t) { n, l, t, NULL, HM_REF_NONE, false, false }
#define REQ(n, l, t) { n, l, t, NULL, HM_REF_NONE, true, false }
#define KEY(n, l, t) { n, l, t, NULL, HM_REF_NONE, true, true }
#define KEYREF(n, l, r) { n, l, HM_F_ID, NULL, r, true, true }
#define REQREF(n, l, r) { n, l, HM_F_ID, NULL, r, true, false }
#define REF(n, l, r) { n, l, HM_F_ID, NULL, r, false, false }
#define EN(n, l, e, req) { n, l, HM_F_ENUM, &e, HM_REF_NONE, req, false }

static const hm_column towns_c[] = {
    KEY("town_code", "区镇编码", HM_F_ID),
    COL("town_name", "区镇名称", HM_F_NAME),
};
static const hm_column children_c[] = {
    KEY("child_id", "儿童编号", HM_F_ID),
    REQ("name", "姓名", HM_F_NAME),
    COL("alias", "化名", HM_F_NAME),
    EN("gender", "性别", hm_enum_gender, false),
    REQ("birth_date", "出生日期", HM_F_BIRTHDATE),
    REQREF("town_code", "区镇编码", HM_REF_TOWN),
    EN("category", "类别", hm_enum_child_category, false),
    COL("guardian", "监护人", HM_F_NAME),
    COL("guardian_phone", "监护人电话", HM_F_PHONE),
    COL("school", "学校", HM_F_TEXT),
    COL("class_teacher", "班主任", HM_F_NAME),
    COL("needs", "需求", HM_F_NEEDS),
    COL("registered_on", "建档日期", HM_F_DATE),
    COL("exited_on", "退出日期", HM_F_DATE),
};
static const hm_column volunteers_c[] = {
    KEY("volunteer_id", "志愿者编号", HM_F_ID),
    REQ("name", "姓名", HM_F_NAME),
    EN("role", "角色", hm_enum_role, false),
    COL("phone", "电话", HM_F_PHONE),
    REQREF("town_code", "区镇编码", HM_REF_TOWN),
    EN("sector", "界别", hm_enum_sector, false),
    COL("organization", "单位或团队", HM_F_NAME),
    COL("specialties", "特长", HM_F_TEXT),
    COL("joined_on", "加入日期", HM_F_DATE),
    EN("pool", "库", hm_enum_pool, false),
};
static const hm_column pairings_c[] = {
    KEY("pairing_id", "结对编号", HM_F_ID),
    REQREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    REQREF("child_id", "儿童编号", HM_REF_CHILD),
    REQ("started_on", "结对日期", HM_F_DATE),
    COL("ended_on", "解除日期", HM_F_DATE),
    COL("end_reason", "解除原因", HM_F_TEXT),
};
static const hm_column activities_c[] = {
    KEY("activity_id", "活动编号", HM_F_ID),
    REQ("date", "日期", HM_F_DATE),
    EN("type", "类型", hm_enum_activity_type, true),
    KEYREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    KEYREF("child_id", "儿童编号", HM_REF_CHILD),
    COL("minutes", "时长", HM_F_MINUTES),
    COL("title", "标题", HM_F_TEXT),
    COL("notes", "备注", HM_F_TEXT),
};
static const hm_column wishes_c[] = {
    KEY("wish_id", "心愿编号", HM_F_ID),
    REQREF("child_id", "儿童编号", HM_REF_CHILD),
    REQ("registered_on", "登记日期", HM_F_DATE),
    COL("description", "心愿内容", HM_F_TEXT),
    COL("est_cost", "预计金额", HM_F_MONEY),
    REF("claimed_by", "认领人", HM_REF_VOLUNTEER),
    COL("claimed_org", "认领单位", HM_F_NAME),
    COL("claimed_on", "认领日期", HM_F_DATE),
    COL("fulfilled_on", "实现日期", HM_F_DATE),
    COL("cancelled_on", "取消日期", HM_F_DATE),
};
static const hm_column donations_c[] = {
    KEY("donation_id", "捐赠编号", HM_F_ID),
    REQ("date", "日期", HM_F_DATE),
    COL("donor", "捐赠方", HM_F_NAME),
    EN("donor_type", "捐赠方类型", hm_enum_donor_type, true),
    REQ("amount", "金额", HM_F_MONEY_POS),
    COL("restricted_to", "定向", HM_F_TEXT),
    COL("receipt_no", "收据号", HM_F_ID),
};
static const hm_column expenditures_c[] = {
    KEY("expense_id", "支出编号", HM_F_ID),
    REQ("date", "日期", HM_F_DATE),
    COL("project", "项目", HM_F_TEXT),
    REF("town_code", "区镇编码", HM_REF_TOWN),
    EN("category", "类别", hm_enum_expense_category, true),
    REQ("amount", "金额", HM_F_MONEY_POS),
    { "fund", "资金来源", HM_F_TEXT, NULL, HM_REF_FUND, false, false },
    COL("approved_by", "审批人", HM_F_NAME),
};
static const hm_column trainings_c[] = {
    KEY("event_id", "培训编号", HM_F_ID),
    REQ("date", "日期", HM_F_DATE),
    EN("kind", "培训类型", hm_enum_training_kind, true),
    COL("title", "主题", HM_F_TEXT),
    COL("speaker", "主讲", HM_F_NAME),
};
static const hm_column attendance_c[] = {
    KEYREF("event_id", "培训编号", HM_REF_EVENT),
    KEYREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
};
static const hm_column stories_c[] = {
    KEY("story_id", "事迹编号", HM_F_ID),
    REQREF("volunteer_id", "志愿者编号", HM_REF_VOLUNTEER),
    REF("child_id", "儿童编号", HM_REF_CHILD),
    REQ("date", "日期", HM_F_DATE),
    COL("title", "标题", HM_F_TEXT),
    REQ("text", "正文", HM_F_LONGTEXT),
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

#define KIND(id, nm, lb, order) \
    { HM_KIND_##id, #nm, lb, nm##_p, nm##_c, N(nm##_c), order }

const hm_kind hm_kinds[HM_NKINDS] = {
    KIND(TOWNS, towns, "区镇", 0),
    KIND(CHILDREN, children, "儿童", 1),
    KIND(VOLUNTEERS, volunteers, "志愿者", 2),
    KIND(PAIRINGS, pairings, "结对", 3),
    KIND(ACTIVITIES, activities, "活动", 6),
    KIND(WISHES, wishes, "微心愿", 7),
    KIND(DONATIONS, donations, "捐赠", 4),
    KIND(EXPENDITURES, expenditures, "支出", 8),
    KIND(TRAININGS, trainings, "培训", 5),
    KIND(ATTENDANCE, attendance, "签到", 9),
    KIND(STORIES, stories, "事迹", 10),
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
