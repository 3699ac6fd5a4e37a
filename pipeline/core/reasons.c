/*
 * reasons.c - the catalogue of the door's reasons (see reasons.h): one
 * table, English and Chinese side by side.
 *
 * An English text is a printf format; read back, each of its conversions
 * stands for any text (shortest first, so the literal text after it
 * decides where it ends).  A Chinese text names the arguments by position
 * ("%2$s"), since Chinese often puts them in another order.  An argument
 * that is itself a reason (the cause after "header: ") is marked in rec
 * (bit i: argument i + 1) and translated in turn.
 *
 * The entries before HM_R_NKNOWN follow hm_reason_code's order; the rest
 * are the reasons made elsewhere in the door (the field checks, the
 * readers, the kinds' rules), whose formats are copied here verbatim: a
 * format changed there and not here leaves that reason in English in the
 * Chinese column, never wrong.  More specific entries come first.
 */
#include "himama/reasons.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct reason_entry {
    const char *code;
    const char *en;
    const char *zh;
    unsigned rec;
} reason_entry;

#define Q(n) "\xe2\x80\x9c%" #n "$s\xe2\x80\x9d"   /* “%n$s” */

static const reason_entry catalogue[] = {
    /* made with hm_reason_make (hm_reason_code's order) */
    { "unknown_column", "unknown column '%.200s' ignored", "未知列" Q(1) "已忽略", 0 },
    { "unknown_columns", "%zu unknown columns ignored, the first: %s",
      "已忽略 %1$s 个未知列，前几个是：%2$s", 0 },
    { "unknown_columns_empty", "%zu unknown columns ignored, all empty at the header's end",
      "已忽略 %1$s 个未知列，都是表头末尾的空列", 0 },
    { "header_repeats", "the header line repeats here (two exports pasted together?); skipped",
      "表头在此处重复出现（两份导出粘贴在了一起？），已跳过", 0 },
    { "header_too_wide", "the header has %zu columns, at most %d are read: remove the columns "
      "that are not the contract's", "表头有 %1$s 列，最多读取 %2$s 列：请删去约定之外的列", 0 },
    { "too_many_rejects", "too many rejected rows (%s): nothing of it was loaded; fix the first "
      "%d, listed in the rejects file, and send it again",
      "被拒收的行太多（%1$s）：全部未导入；请改正拒收文件中列出的前 %2$s 行后重新提交", 1 },
    { "rejects_stopped", "stopped at line %ld: more than %d rows rejected",
      "在第 %1$s 行停止：超过 %2$s 行被拒收", 0 },
    { "rejects_half", "%lld of its %lld rows rejected, more than half",
      "%2$s 行中有 %1$s 行被拒收，超过一半", 0 },

    /* the unit as a whole (ingest.c) */
    { "header_line", "header line %ld: %s", "表头第 %1$s 行：%2$s", 2 },
    { "header", "header: %s", "表头：%1$s", 1 },
    { "kind_unknown", "cannot tell the kind of file from its name or header: start the file "
      "name with its kind (e.g. children-2026.csv or 儿童.csv) or use the contract's column "
      "names", "无法从文件名或表头判断文件类别：请让文件名以类别开头（如 children-2026.csv "
      "或 儿童.csv），或使用约定的列名", 0 },
    { "header_twice", "the header names column '%s' twice", "表头中列" Q(1) "出现了两次", 0 },
    { "header_lacks", "the header lacks the required column '%s' (%s) of a %s file",
      "表头缺少 %3$s 文件的必填列" Q(1) "（%2$s）", 0 },
    { "no_header", "no header (the file is empty)", "没有表头（文件为空）", 0 },
    { "identical_file", "identical to a file loaded before (ingest %lld); use --force to read "
      "it again", "与之前导入过的文件相同（导入编号 %1$s）；如需重新读取，请使用 --force", 0 },
    { "identical_sheet", "identical to a sheet loaded before (ingest %lld); use --force to "
      "read it again", "与之前导入过的工作表相同（导入编号 %1$s）；如需重新读取，请使用 --force",
      0 },
    { "no_sheets", "the workbook has no visible sheets", "工作簿中没有可见的工作表", 0 },
    { "cannot_open", "cannot open: %s", "无法打开：%1$s", 0 },
    { "cannot_read", "cannot read: %s", "无法读取：%1$s", 0 },
    { "cannot_read_file", "cannot read the file: %s", "无法读取文件：%1$s", 0 },
    { "link", "a symbolic link, not a file: not read", "这是符号链接而不是文件：未读取", 0 },
    { "not_regular", "not a regular file: not read", "不是普通文件：未读取", 0 },
    { "folder", "a folder, not a file", "这是文件夹而不是文件", 0 },
    { "cannot_convert", "cannot convert from %s", "无法从 %1$s 转换", 0 },
    { "rejects_write", "cannot write the rejects file '%s': %s",
      "无法写入拒收文件" Q(1) "：%2$s", 0 },

    /* workbooks (xlsx_book.c, xlsx_read.c) */
    { "book_refused", "'%s' is refused: %s", "工作簿" Q(1) "被拒收：%2$s", 2 },
    { "book_unreadable", "'%s' is not a readable xlsx workbook: %s",
      Q(1) "不是可读取的 xlsx 工作簿：%2$s", 2 },
    { "book_no_part", "'%s' is not an xlsx workbook: it has no workbook part ('%s')",
      Q(1) "不是 xlsx 工作簿：缺少工作簿部件（" Q(2) "）", 0 },
    { "book_empty", "'%s' is not an xlsx workbook: the file is empty",
      Q(1) "不是 xlsx 工作簿：文件为空", 0 },
    { "book_xls", "'%s' is not an xlsx workbook: it is an old .xls file or a "
      "password-protected workbook (save it as .xlsx without a password)",
      Q(1) "不是 xlsx 工作簿：它是旧的 .xls 文件或设有密码的工作簿（请另存为不设密码的 .xlsx）", 0 },
    { "book_damaged", "'%s' is not a readable xlsx workbook: the zip archive is damaged or "
      "truncated", Q(1) "不是可读取的 xlsx 工作簿：压缩包已损坏或不完整", 0 },
    { "book_not_zip", "'%s' is not an xlsx workbook: not a zip archive (a CSV or other file "
      "renamed .xlsx?)", Q(1) "不是 xlsx 工作簿：不是压缩包（是否把 CSV 或其他文件改名成了 .xlsx？）",
      0 },
    { "book_cannot_read", "cannot read '%s': %s", "无法读取" Q(1) "：%2$s", 2 },
    { "inflate", "its parts inflate to more than %llu MB, %llu times the file's size (a zip "
      "bomb?); save it again from a spreadsheet or split it",
      "其内容解压后超过 %1$s MB，是文件大小的 %2$s 倍（压缩炸弹？）；请用电子表格软件重新保存或拆分", 0 },
    { "rels", "it has more relationships between its parts than a workbook of 1024 sheets "
      "would: save it again from a spreadsheet",
      "其部件之间的关联多于 1024 个工作表所需：请用电子表格软件重新保存", 0 },
    { "sheets", "it has more than 1024 sheets: split it into several workbooks",
      "工作表超过 1024 个：请拆分为几个工作簿", 0 },
    { "sst", "its shared strings would take more than 64 MB of memory (too many or too long "
      "texts): split the workbook", "其共享字符串将占用超过 64 MB 内存（文字太多或太长）：请拆分工作簿", 0 },
    { "numfmts", "it has more than 65536 number formats (Excel allows a few hundred): save it "
      "again from a spreadsheet", "数字格式超过 65536 种（Excel 只允许几百种）：请用电子表格软件重新保存", 0 },
    { "xfs", "it has more than 65536 cell styles (Excel allows 64,000): save it again from a "
      "spreadsheet", "单元格样式超过 65536 种（Excel 最多允许 64000 种）：请用电子表格软件重新保存", 0 },
    { "same_part", "sheets '%.100s' and '%.100s' name the same part '%.100s' (a damaged or "
      "forged workbook): save it again from a spreadsheet",
      "工作表" Q(1) "和" Q(2) "指向同一部件" Q(3) "（工作簿已损坏或被伪造）：请用电子表格软件重新保存", 0 },
    { "no_part", "'%s': sheet '%s' has no part in the workbook",
      Q(1) "：工作表" Q(2) "在工作簿中没有对应部件", 0 },
    { "missing_part", "'%s': sheet '%s' is missing its part '%s'",
      Q(1) "：工作表" Q(2) "缺少其部件" Q(3), 0 },
    { "sheet_damaged", "'%s': sheet '%s' cannot be opened (damaged or encrypted)",
      Q(1) "：工作表" Q(2) "无法打开（已损坏或已加密）", 0 },
    { "sheet", "sheet '%s': %s", "工作表" Q(1) "：%2$s", 2 },
    { "part_damaged", "part '%s' has damaged compressed data", "部件" Q(1) "的压缩数据已损坏", 0 },
    { "part_open", "part '%s' cannot be opened (damaged or encrypted)",
      "部件" Q(1) "无法打开（已损坏或已加密）", 0 },
    { "part_checksum", "part '%s' is damaged (checksum mismatch)", "部件" Q(1) "已损坏（校验和不符）", 0 },
    { "part_xml", "part '%s': xml error at line %lu: %s", "部件" Q(1) "：第 %2$s 行 XML 错误：%3$s",
      4 },
    { "xml", "xml error at line %lu: %s", "第 %1$s 行 XML 错误：%2$s", 2 },
    { "doctype", "document type declarations are not allowed", "不允许文档类型声明（DOCTYPE）", 0 },
    { "sst_long", "a shared string is too long", "某个共享字符串过长", 0 },
    { "sheet_no_name", "a sheet without a name or relationship id", "某个工作表没有名称或关联编号", 0 },
    { "damaged_data", "damaged compressed data", "压缩数据已损坏", 0 },
    { "checksum", "damaged data (checksum mismatch)", "数据已损坏（校验和不符）", 0 },
    { "row_long", "row longer than %s bytes", "该行超过 %1$s 字节", 0 },
    { "cell_long", "cell longer than %s bytes", "单元格超过 %1$s 字节", 0 },
    { "row_number", "bad row number '%s'", "行号" Q(1) "无效", 0 },
    { "cell_ref", "bad cell reference '%s'", "单元格引用" Q(1) "无效", 0 },
    { "cell_order", "cell '%s' out of order", "单元格" Q(1) "顺序错乱", 0 },
    { "columns", "more than %s columns", "超过 %1$s 列", 0 },
    { "sst_index", "shared string index '%s' out of range", "共享字符串编号" Q(1) "超出范围", 0 },

    /* CSV files (csv.c, encoding.c) */
    { "quote", "unterminated quote opened at line %ld", "第 %1$s 行的引号没有闭合", 0 },
    { "after_quote", "text after closing quote", "闭合引号之后还有文字", 0 },
    { "record_long", "record longer than 8 MiB", "记录超过 8 MiB", 0 },
    { "at_offset", "%s at byte offset %llu", "%1$s（字节偏移 %2$s 处）", 1 },
    { "read_error", "read error", "读取错误", 0 },
    { "gb_bad", "invalid GB18030 byte sequence", "无效的 GB18030 字节序列", 0 },
    { "gb_end", "incomplete GB18030 sequence at end of file", "文件末尾的 GB18030 序列不完整", 0 },
    { "gb_conv", "GB18030 conversion error", "GB18030 转换错误", 0 },
    { "reread", "unterminated quote, and the input cannot be re-read",
      "引号没有闭合，且无法重新读取输入", 0 },
    { "utf8_bom", "not valid UTF-8 after a UTF-8 byte order mark (first bad byte at offset "
      "%llu)", "有 UTF-8 字节序标记，但内容不是有效的 UTF-8（第一个错误字节在偏移 %1$s 处）", 0 },
    { "gb_bom", "not valid GB18030 after a GB18030 byte order mark (first bad byte at offset "
      "%llu)", "有 GB18030 字节序标记，但内容不是有效的 GB18030（第一个错误字节在偏移 %1$s 处）", 0 },
    { "utf32", "UTF-32 is not supported: save the file as \"CSV UTF-8\"",
      "不支持 UTF-32：请将文件另存为“CSV UTF-8”", 0 },
    { "utf16", "UTF-16 is not supported: save the file as \"CSV UTF-8\"",
      "不支持 UTF-16：请将文件另存为“CSV UTF-8”", 0 },
    { "encoding", "neither UTF-8 nor GB18030 (first bad byte at offset %llu)",
      "既不是 UTF-8 也不是 GB18030（第一个错误字节在偏移 %1$s 处）", 0 },

    /* rows (ingest_rows.c, ingest_rules.c, kinds.c) */
    { "required", "required field is empty", "必填项为空", 0 },
    { "too_long", "too long: %zu characters, at most %zu allowed",
      "过长：%1$s 个字符，最多允许 %2$s 个", 0 },
    { "fields", "the row has %zu field%s, the header has %zu",
      "该行有 %1$s 个字段，表头有 %3$s 个", 0 },
    { "unknown_town", "unknown town '%s'", "未知的乡镇" Q(1), 0 },
    { "unknown_child", "unknown child '%s'", "未知的儿童" Q(1), 0 },
    { "unknown_volunteer", "unknown volunteer '%s'", "未知的志愿者" Q(1), 0 },
    { "unknown_event", "unknown training event '%s'", "未知的培训活动" Q(1), 0 },
    { "unknown_fund", "unknown fund (no donation is restricted to it) '%s'",
      "未知的专项资金" Q(1) "（没有限定用于它的捐赠）", 0 },
    { "overlaps", "overlaps pairing '%s' (%s to %s) of the same volunteer and child",
      "与同一志愿者和儿童的结对" Q(1) "（%2$s 至 %3$s）重叠", 0 },
    { "alias_shared", "alias '%s' is also that of child '%s' of the same town: public "
      "reports number them", "化名" Q(1) "与同一区镇的儿童" Q(2) "相同：对外版报告中以编号区分", 0 },
    { "outside", "activity outside a pairing: volunteer '%s' and child '%s' were not paired "
      "on %s", "结对之外的活动：志愿者" Q(1) "与儿童" Q(2) "在 %3$s 未结对", 0 },
    { "exits_before", "exits (%s) before being registered (%s)", "退出日期（%1$s）早于登记日期（%2$s）", 0 },
    { "ends_before", "ends (%s) before it starts (%s)", "结束日期（%1$s）早于开始日期（%2$s）", 0 },
    { "claimed_before", "claimed (%s) before it was registered (%s)",
      "认领日期（%1$s）早于登记日期（%2$s）", 0 },
    { "fulfilled_before_reg", "fulfilled (%s) before it was registered (%s)",
      "实现日期（%1$s）早于登记日期（%2$s）", 0 },
    { "fulfilled_before_claim", "fulfilled (%s) before it was claimed (%s)",
      "实现日期（%1$s）早于认领日期（%2$s）", 0 },
    { "both", "both fulfilled (%s) and cancelled (%s)", "既已实现（%1$s）又已取消（%2$s）", 0 },
    { "cancelled_before", "cancelled (%s) before it was registered (%s)",
      "取消日期（%1$s）早于登记日期（%2$s）", 0 },
    { "needed_when", "required when the status is %s", "办理状态为 %1$s 时必填", 0 },
    { "only_when", "must be empty while the status is %s (it holds %s): only a resolved matter "
      "has a date of resolution", "办理状态为 %1$s 时应留空（现为 %2$s）：只有已办结的事项才填写"
      "办结日期", 0 },
    { "resolved_before", "resolved (%s) before it was raised (%s)",
      "办结日期（%1$s）早于提出日期（%2$s）", 0 },
    { "young_joining", "born %s: under 16 on joining (%s); a volunteer is 16 or older",
      "出生日期 %1$s：加入时（%2$s）未满 16 周岁；志愿者须年满 16 周岁", 0 },
    { "young_today", "born %s: under %d today (%s); a volunteer is %d or older",
      "出生日期 %1$s：至今（%3$s）未满 %2$s 周岁；志愿者须年满 %4$s 周岁", 0 },

    /* fields (fields.c) */
    { "utf8", "invalid utf-8 at byte %zu", "第 %1$s 字节处不是有效的 UTF-8", 0 },
    { "control", "control character U+%04X at character %zu: '%s'",
      "第 %2$s 个字符处有控制字符 U+%1$s：" Q(3), 0 },
    { "time_t", "time joined with 'T' not accepted: '%s' (put a space between date and time)",
      "不接受用“T”连接的时间：" Q(1) "（请在日期和时间之间加空格）", 0 },
    { "time_12_zh", "12-hour time (上午/下午) not accepted: '%s' (write a 24-hour time such as "
      "14:30)", "不接受 12 小时制时间（上午/下午）：" Q(1) "（请写 24 小时制，如 14:30）", 0 },
    { "time_12", "12-hour time (am/pm) not accepted: '%s' (write a 24-hour time such as 14:30)",
      "不接受 12 小时制时间（am/pm）：" Q(1) "（请写 24 小时制，如 14:30）", 0 },
    { "time_space", "no space between date and time: '%s'", "日期和时间之间没有空格：" Q(1), 0 },
    { "time_fraction", "fractions of a second not accepted: '%s'", "不接受小数秒：" Q(1), 0 },
    { "time_zone", "time zone not accepted: '%s'", "不接受时区：" Q(1), 0 },
    { "time_bad", "not a valid time: '%s' (expected H:MM or H:MM:SS from 0:00 to 23:59:59)",
      "不是有效的时间：" Q(1) "（应为 0:00 至 23:59:59 之间的 H:MM 或 H:MM:SS）", 0 },
    { "date_iso", "not a date: '%s' (expected YYYY-MM-DD)", "不是日期：" Q(1) "（应为 YYYY-MM-DD）", 0 },
    { "date_sep", "not a date: '%s' (write it with separators: %04d-%02d-%02d)",
      "不是日期：" Q(1) "（请加分隔符：%2$s-%3$s-%4$s）", 0 },
    { "date_serial", "not a date: '%s' (looks like an Excel date serial number: format the "
      "column as a date)", "不是日期：" Q(1) "（像是 Excel 的日期序号：请把该列设为日期格式）", 0 },
    { "date_year", "not a date: '%s' (the year comes first: YYYY-MM-DD)",
      "不是日期：" Q(1) "（年份应在前：YYYY-MM-DD）", 0 },
    { "date_mixed", "mixed date separators: '%s'", "日期分隔符不一致：" Q(1), 0 },
    { "date_calendar", "not a calendar date: '%s'", "不是日历上存在的日期：" Q(1), 0 },
    { "date_before", "date before %s: '%s'", "日期早于 %1$s：" Q(2), 0 },
    { "date_future", "date in the future: '%s' (today is %s)", "日期在未来：" Q(1) "（今天是 %2$s）", 0 },
    { "money_digits_before", "no digits before the decimal point: '%s'", "小数点前没有数字：" Q(1), 0 },
    { "money_thousands", "misplaced thousands separator: '%s'", "千位分隔符位置不对：" Q(1), 0 },
    { "money_digits_after", "no digits after the decimal point: '%s'", "小数点后没有数字：" Q(1), 0 },
    { "money_decimals", "more than two decimals: '%s'", "小数超过两位：" Q(1), 0 },
    { "money_sci", "scientific notation not accepted: '%s' (format the column as a number)",
      "不接受科学计数法：" Q(1) "（请把该列设为数字格式）", 0 },
    { "money_over", "amount over 1,000,000,000,000 yuan: '%s'", "金额超过 1,000,000,000,000 元：" Q(1), 0 },
    { "money_zero", "amount must be above zero: '%s'", "金额必须大于零：" Q(1), 0 },
    { "money", "not an amount: '%s'", "不是金额：" Q(1), 0 },
    { "minutes_hint", "not a whole number of minutes: '%s' (write minutes, e.g. 90)",
      "不是整数分钟：" Q(1) "（请写分钟数，如 90）", 0 },
    { "minutes", "not a whole number of minutes: '%s'", "不是整数分钟：" Q(1), 0 },
    { "minutes_range", "minutes out of range 0 to 1440: '%s'", "分钟数超出 0 至 1440 的范围：" Q(1), 0 },
    { "need_sep", "unknown need '%s' (separate several needs with ';')",
      "未知的需求" Q(1) "（多项需求请用“;”分隔）", 0 },
    { "need", "unknown need '%s' (expected affection, contact, reading, festival, wish, other "
      "or their labels)", "未知的需求" Q(1) "（应为 affection、contact、reading、festival、wish、"
      "other 或其中文名称）", 0 },
    { "enum", "unknown %s: '%s' (expected one of %s)", "未知的 %1$s：" Q(2) "（应为以下之一：%3$s）", 0 },
};

#undef Q

#define NCAT (sizeof catalogue / sizeof catalogue[0])
#define MAX_ARGS 6
#define MAX_DEPTH 3
#define MAX_TEXT 4096

size_t hm_reason_count(void)
{
    return NCAT;
}

char *hm_reason_make(char *out, size_t outsz, hm_reason_code code, ...)
{
    va_list ap;
    va_start(ap, code);
    if ((size_t)code < HM_R_NKNOWN)
        vsnprintf(out, outsz, catalogue[code].en, ap);
    else if (outsz)
        out[0] = '\0';
    va_end(ap);
    return out;
}

/* The end of the conversion specification starting at f (a '%'). */
static const char *spec_end(const char *f)
{
    f++;
    while (*f && strchr("0123456789$-+ #.*hlLqjzt'", *f))
        f++;
    return *f ? f + 1 : f;
}

typedef struct capture {
    const char *s;
    size_t n;
} capture;

/* Does text t fit format f?  Each conversion captures any text, shortest
 * first; cap[0..*ncap) get the arguments. */
static bool fits(const char *f, const char *t, capture *cap, int k, int *ncap)
{
    while (*f) {
        if (*f == '%' && f[1] == '%') {
            if (*t != '%')
                return false;
            f += 2;
            t++;
            continue;
        }
        if (*f == '%') {
            const char *g = spec_end(f);
            if (k >= MAX_ARGS)
                return false;
            for (const char *e = t;; e++) {
                /* Only where the literal text after the argument can start. */
                if ((!*g || *g == '%' || *e == *g)) {
                    cap[k].s = t;
                    cap[k].n = (size_t)(e - t);
                    if (fits(g, e, cap, k + 1, ncap))
                        return true;
                }
                if (!*e)
                    return false;
            }
        }
        if (*f != *t)
            return false;
        f++;
        t++;
    }
    if (*t)
        return false;
    *ncap = k;
    return true;
}

static bool zh_at(const char *en, size_t n, hm_strbuf *out, int depth);

/* Append the Chinese of entry e with arguments cap[0..ncap). */
static void render(const reason_entry *e, const capture *cap, int ncap, hm_strbuf *out,
                   int depth)
{
    int next = 0;
    for (const char *z = e->zh; *z;) {
        if (*z != '%') {
            const char *p = strchr(z, '%');
            size_t n = p ? (size_t)(p - z) : strlen(z);
            hm_strbuf_add(out, z, n);
            z += n;
            continue;
        }
        if (z[1] == '%') {
            hm_strbuf_addc(out, '%');
            z += 2;
            continue;
        }
        int i = next++;
        const char *d = z + 1;
        if (*d >= '1' && *d <= '9' && d[1] == '$')
            i = *d - '1';
        z = spec_end(z);
        if (i < 0 || i >= ncap)
            continue;
        if (e->rec & (1u << i))
            zh_at(cap[i].s, cap[i].n, out, depth + 1);
        else
            hm_strbuf_add(out, cap[i].s, cap[i].n);
    }
}

/* hm_reason_zh of the n bytes at en. */
static bool zh_at(const char *en, size_t n, hm_strbuf *out, int depth)
{
    char buf[MAX_TEXT];
    capture cap[MAX_ARGS];
    int ncap = 0;
    if (n >= sizeof buf || depth > MAX_DEPTH) {
        hm_strbuf_add(out, en, n);
        return false;
    }
    memcpy(buf, en, n);
    buf[n] = '\0';
    for (size_t i = 0; i < NCAT; i++)
        if (fits(catalogue[i].en, buf, cap, 0, &ncap)) {
            render(&catalogue[i], cap, ncap, out, depth);
            return true;
        }
    hm_strbuf_add(out, en, n);
    return false;
}

bool hm_reason_zh(const char *en, hm_strbuf *out)
{
    return zh_at(en, strlen(en), out, 0);
}
