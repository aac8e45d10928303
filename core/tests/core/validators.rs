//! The form validators, through their public entry point `validate`:
//! a table of refused inputs (each with its error code and a piece of its
//! Chinese message), a table of accepted inputs with their normalised
//! values, and property tests.

use onevisit_core::form::kind::{ChoiceOption, FieldKind, MoneyUnit};
use onevisit_core::form::validate::{
    ERROR_CODES, FieldError, FieldValue, mask_person_name, validate,
};
use onevisit_core::ids;

use chrono::NaiveDate;
use proptest::prelude::*;

fn text(max: usize) -> FieldKind {
    FieldKind::Text {
        max_chars: Some(max),
    }
}

fn text_default() -> FieldKind {
    FieldKind::Text { max_chars: None }
}

fn yuan() -> FieldKind {
    FieldKind::Money {
        unit: MoneyUnit::Yuan,
    }
}

fn wan() -> FieldKind {
    FieldKind::Money {
        unit: MoneyUnit::TenThousandYuan,
    }
}

fn int(min: Option<i64>, max: Option<i64>) -> FieldKind {
    FieldKind::Integer { min, max }
}

fn options() -> Vec<ChoiceOption> {
    [
        ("individual", "个体工商户"),
        ("company", "公司"),
        ("coop", "农民专业合作社"),
    ]
    .into_iter()
    .map(|(id, label)| ChoiceOption {
        id: id.into(),
        label: label.into(),
    })
    .collect()
}

fn choice() -> FieldKind {
    FieldKind::Choice { options: options() }
}

fn multi() -> FieldKind {
    FieldKind::MultiChoice { options: options() }
}

/// Every kind, for the "never panics" and "empty" checks.
fn all_kinds() -> Vec<FieldKind> {
    vec![
        text_default(),
        text(10),
        FieldKind::PersonName,
        FieldKind::EntityName,
        FieldKind::Address,
        FieldKind::ResidentId,
        FieldKind::IdentityNumber,
        FieldKind::SocialCreditCode,
        FieldKind::PartyNumber,
        FieldKind::Mobile,
        FieldKind::Phone,
        FieldKind::Email,
        FieldKind::PostalCode,
        FieldKind::Date,
        FieldKind::DateRange,
        FieldKind::Area,
        yuan(),
        wan(),
        int(None, None),
        int(Some(1), Some(100)),
        choice(),
        multi(),
        FieldKind::YesNo,
    ]
}

fn is_han(c: char) -> bool {
    onevisit_core::form::validate::is_han(c)
}

/// A message in Chinese (it may quote what the applicant typed).
fn assert_chinese(message: &str, context: &str) {
    assert!(
        message.chars().filter(|c| is_han(*c)).count() >= 4,
        "{context}: message is not Chinese: {message}"
    );
}

/// A message fit for an applicant: Chinese, no programmer's debris.
fn assert_chinese_message(message: &str, context: &str) {
    assert_chinese(message, context);
    for debris in ["Some(", "None", "{", "}", "Err", "\\u"] {
        assert!(
            !message.contains(debris),
            "{context}: message contains {debris:?}: {message}"
        );
    }
}

/// (kind, input, expected code, piece of the expected message)
fn refused() -> Vec<(FieldKind, String, &'static str, &'static str)> {
    let long_chinese_name = "张".repeat(41);
    let long_entity = format!("北京{}有限公司", "某".repeat(56));
    let long_address = format!("河南省{}", "某".repeat(98));
    let long_email = format!("{}@163.com", "a".repeat(250));
    let long_local = format!("{}@163.com", "a".repeat(65));
    let t: Vec<(FieldKind, &str, &str, &str)> = vec![
        // Empty, for a few kinds (all kinds are checked separately).
        (text_default(), "", "empty", "此项必填"),
        (FieldKind::Mobile, "   ", "empty", "此项必填"),
        (FieldKind::Date, "\u{3000}", "empty", "此项必填"),
        (FieldKind::PersonName, "\u{FEFF} ", "empty", "此项必填"),
        // Text
        (
            text(5),
            "一二三四五六",
            "text.too_long",
            "不能超过5个字，现在有6个字",
        ),
        (text(3), "ABCD", "text.too_long", "不能超过3个字"),
        (text_default(), "hello\u{7}", "control_char", "第6个字符"),
        (
            text_default(),
            "第一行\n第二行",
            "control_char",
            "第4个字符",
        ),
        (text_default(), "abc\u{202E}def", "control_char", "控制字符"),
        (text_default(), "a\tb", "control_char", "制表符"),
        // PersonName
        (
            FieldKind::PersonName,
            "张",
            "person_name.length",
            "2到40个字，现在是1个字",
        ),
        (
            FieldKind::PersonName,
            "J",
            "person_name.length",
            "现在是1个字",
        ),
        (
            FieldKind::PersonName,
            "张三3",
            "person_name.digit",
            "不能有数字",
        ),
        (
            FieldKind::PersonName,
            "John Smith3",
            "person_name.digit",
            "不能有数字",
        ),
        (
            FieldKind::PersonName,
            "张三 John",
            "person_name.mixed_script",
            "不能同时有汉字和外文字母",
        ),
        (
            FieldKind::PersonName,
            "李Lei",
            "person_name.mixed_script",
            "外国人只写外文姓名",
        ),
        (
            FieldKind::PersonName,
            "·张三",
            "person_name.dot",
            "不能在开头或结尾",
        ),
        (
            FieldKind::PersonName,
            "张三·",
            "person_name.dot",
            "不能在开头或结尾",
        ),
        (
            FieldKind::PersonName,
            "阿依古丽··买买提",
            "person_name.dot",
            "不能连写两个",
        ),
        (
            FieldKind::PersonName,
            "阿依古丽・・买买提",
            "person_name.dot",
            "间隔号",
        ),
        (FieldKind::PersonName, "··", "person_name.dot", "间隔号"),
        (
            FieldKind::PersonName,
            "张三!",
            "person_name.bad_char",
            "不能有“!”",
        ),
        (
            FieldKind::PersonName,
            "张三（曾用名）",
            "person_name.bad_char",
            "不能有“（”",
        ),
        (
            FieldKind::PersonName,
            "John@Smith",
            "person_name.bad_char",
            "不能有“@”",
        ),
        (
            FieldKind::PersonName,
            "John·Smith",
            "person_name.bad_char",
            "不能有“·”",
        ),
        (
            FieldKind::PersonName,
            "Иван Петров",
            "person_name.bad_char",
            "不能有“И”",
        ),
        (
            FieldKind::PersonName,
            "-John",
            "person_name.punctuation",
            "以字母开头",
        ),
        (
            FieldKind::PersonName,
            "John--Smith",
            "person_name.punctuation",
            "不能连用",
        ),
        (
            FieldKind::PersonName,
            "John Smith-",
            "person_name.punctuation",
            "以字母结尾",
        ),
        (
            FieldKind::PersonName,
            "O''Brien",
            "person_name.punctuation",
            "不能连用",
        ),
        (
            FieldKind::PersonName,
            "张\u{7}三",
            "control_char",
            "第2个字符",
        ),
        // EntityName
        (
            FieldKind::EntityName,
            "公司",
            "entity_name.length",
            "4到60个字，现在是2个字",
        ),
        (
            FieldKind::EntityName,
            "ABC Company",
            "entity_name.no_chinese",
            "应包含汉字",
        ),
        (
            FieldKind::EntityName,
            "12345",
            "entity_name.no_chinese",
            "中文名称",
        ),
        (
            FieldKind::EntityName,
            "北京某某科技有限公司!",
            "entity_name.bad_char",
            "不能有“!”",
        ),
        (
            FieldKind::EntityName,
            "北京某某科技有限公司，分公司",
            "entity_name.bad_char",
            "不能有“，”",
        ),
        (
            FieldKind::EntityName,
            "北京@科技有限公司",
            "entity_name.bad_char",
            "不能有“@”",
        ),
        (
            FieldKind::EntityName,
            "北京某某科技有限公司（北京",
            "entity_name.brackets",
            "成对出现",
        ),
        (
            FieldKind::EntityName,
            "北京某某科技有限公司)(",
            "entity_name.brackets",
            "成对出现",
        ),
        (
            FieldKind::EntityName,
            "北京某某（）科技有限公司",
            "entity_name.brackets",
            "括号里要有内容",
        ),
        // Address
        (
            FieldKind::Address,
            "人民路",
            "address.too_short",
            "现在3个字，至少6个字",
        ),
        (
            FieldKind::Address,
            "人民路12",
            "address.too_short",
            "门牌号",
        ),
        (
            FieldKind::Address,
            "Room 101 Main St",
            "address.no_chinese",
            "应包含汉字",
        ),
        (
            FieldKind::Address,
            "12345678",
            "address.no_chinese",
            "用中文填写",
        ),
        (
            FieldKind::Address,
            "人民路12号\n3单元",
            "control_char",
            "第7个字符",
        ),
        // ResidentId
        (
            FieldKind::ResidentId,
            "11010519491231002",
            "resident_id.length",
            "长度应为18位，实际为17位",
        ),
        (
            FieldKind::ResidentId,
            "1101051949123100211",
            "resident_id.length",
            "实际为19位",
        ),
        (
            FieldKind::ResidentId,
            "身份证11010519491231002X",
            "resident_id.length",
            "实际为21位",
        ),
        (
            FieldKind::ResidentId,
            "11010519491231002A",
            "resident_id.bad_char",
            "第18位“A”",
        ),
        (
            FieldKind::ResidentId,
            "1101051949123A002X",
            "resident_id.bad_char",
            "第14位“A”",
        ),
        (
            FieldKind::ResidentId,
            "110105194902300028",
            "resident_id.birth_date",
            "出生日期19490230",
        ),
        (
            FieldKind::ResidentId,
            "110105194913010028",
            "resident_id.birth_date",
            "不是有效日期",
        ),
        (
            FieldKind::ResidentId,
            "110105194912310021",
            "resident_id.check_digit",
            "校验位应为“X”",
        ),
        (
            FieldKind::ResidentId,
            "１１０１０５１９４９１２３１００２１",
            "resident_id.check_digit",
            "请核对号码",
        ),
        (
            FieldKind::ResidentId,
            "110105491231002",
            "resident_id.legacy",
            "15位",
        ),
        // IdentityNumber: any card the reader takes
        (
            FieldKind::IdentityNumber,
            "USA11007906150",
            "identity_number.foreign_format",
            "3个英文字母加12位数字",
        ),
        (
            FieldKind::IdentityNumber,
            "US1110079061501",
            "identity_number.foreign_format",
            "外国人永久居留身份证",
        ),
        (
            FieldKind::IdentityNumber,
            "110105194912310021",
            "resident_id.check_digit",
            "校验位应为“X”",
        ),
        // SocialCreditCode
        (
            FieldKind::SocialCreditCode,
            "91350200776049653B",
            "uscc.check_digit",
            "校验位应为“A”",
        ),
        (
            FieldKind::SocialCreditCode,
            "9135020077604965",
            "uscc.length",
            "应为18位，实际为16位",
        ),
        (
            FieldKind::SocialCreditCode,
            "91350200776O49653A",
            "uscc.bad_char",
            "第12位“O”",
        ),
        (
            FieldKind::SocialCreditCode,
            "91350200776I49653A",
            "uscc.bad_char",
            "没有字母I、O、S、V、Z",
        ),
        (
            FieldKind::SocialCreditCode,
            "913502007760496#3A",
            "uscc.bad_char",
            "第16位“#”",
        ),
        (
            FieldKind::SocialCreditCode,
            "913502007760496534A",
            "uscc.length",
            "实际为19位",
        ),
        // PartyNumber: told as an ID number unless it looks like a code
        (
            FieldKind::PartyNumber,
            "110105194912310021",
            "resident_id.check_digit",
            "校验位应为“X”",
        ),
        (
            FieldKind::PartyNumber,
            "91350200776049653B",
            "uscc.check_digit",
            "校验位应为“A”",
        ),
        (
            FieldKind::PartyNumber,
            "USA11007906150",
            "identity_number.foreign_format",
            "3个英文字母加12位数字",
        ),
        // Mobile
        (
            FieldKind::Mobile,
            "1380013800",
            "mobile.length",
            "应为11位数字，以1开头，现在是10位",
        ),
        (
            FieldKind::Mobile,
            "138001380001",
            "mobile.length",
            "现在是12位",
        ),
        (
            FieldKind::Mobile,
            "１３８００１３８０",
            "mobile.length",
            "现在是9位",
        ),
        (
            FieldKind::Mobile,
            "12800138000",
            "mobile.format",
            "第二位是3到9",
        ),
        (FieldKind::Mobile, "23800138000", "mobile.format", "以1开头"),
        (
            FieldKind::Mobile,
            "+86 12800138000",
            "mobile.format",
            "手机号码应为11位数字",
        ),
        (
            FieldKind::Mobile,
            "1380013800a",
            "mobile.bad_char",
            "不能有“a”",
        ),
        (
            FieldKind::Mobile,
            "(138)00138000",
            "mobile.bad_char",
            "不能有“(”",
        ),
        (
            FieldKind::Mobile,
            "+852 91234567",
            "mobile.country",
            "中国大陆",
        ),
        // Phone
        (
            FieldKind::Phone,
            "1234567",
            "phone.area_code_missing",
            "请加上区号",
        ),
        (
            FieldKind::Phone,
            "62345678",
            "phone.area_code_missing",
            "0393-1234567",
        ),
        (
            FieldKind::Phone,
            "623-4567",
            "phone.area_code_missing",
            "区号",
        ),
        (
            FieldKind::Phone,
            "0393-123456",
            "phone.local",
            "7位或8位数字，不以0开头，现在是6位",
        ),
        (
            FieldKind::Phone,
            "0393-123456789",
            "phone.local",
            "现在是9位",
        ),
        (FieldKind::Phone, "0393-0234567", "phone.local", "不以0开头"),
        (
            FieldKind::Phone,
            "039-1234567",
            "phone.area_code",
            "区号“039”不对",
        ),
        (
            FieldKind::Phone,
            "0111-1234567",
            "phone.area_code",
            "区号“0111”",
        ),
        (
            FieldKind::Phone,
            "0393-1234567转",
            "phone.extension",
            "分机号应为1到6位数字",
        ),
        (
            FieldKind::Phone,
            "0393-1234567转1234567",
            "phone.extension",
            "分机号",
        ),
        (
            FieldKind::Phone,
            "0393-1234567转12a",
            "phone.extension",
            "转123",
        ),
        (
            FieldKind::Phone,
            "0393-1234567#123",
            "phone.bad_char",
            "不能有“#”",
        ),
        (
            FieldKind::Phone,
            "电话0393-1234567",
            "phone.bad_char",
            "不能有“电”",
        ),
        (
            FieldKind::Phone,
            "+1 2025550123",
            "phone.country",
            "中国大陆的电话号码",
        ),
        (
            FieldKind::Phone,
            "0393-1234567-123-4",
            "phone.format",
            "固定电话请写区号加号码",
        ),
        (
            FieldKind::Phone,
            "13800138000转12",
            "phone.format",
            "手机请写11位数字",
        ),
        (
            FieldKind::Phone,
            "0393-1234567-123转45",
            "phone.format",
            "电话号码格式不对",
        ),
        (
            FieldKind::Phone,
            "1380013800",
            "mobile.length",
            "现在是10位",
        ),
        // Email
        (
            FieldKind::Email,
            "zhangsan163.com",
            "email.no_at",
            "应有“@”",
        ),
        (
            FieldKind::Email,
            "zhang@san@163.com",
            "email.format",
            "只有一个“@”",
        ),
        (
            FieldKind::Email,
            "zhang san@163.com",
            "email.format",
            "不能有空格",
        ),
        (FieldKind::Email, ".zhang@163.com", "email.local", "“@”前面"),
        (
            FieldKind::Email,
            "zhang..san@163.com",
            "email.local",
            "连写",
        ),
        (
            FieldKind::Email,
            "张三@163.com",
            "email.local",
            "只能有字母、数字",
        ),
        (FieldKind::Email, "@163.com", "email.local", "“@”前面"),
        (FieldKind::Email, &long_local, "email.local", "“@”前面"),
        (FieldKind::Email, "zhangsan@163", "email.domain", "“@”后面"),
        (FieldKind::Email, "zhangsan@163.c", "email.domain", "qq.com"),
        (
            FieldKind::Email,
            "zhangsan@-163.com",
            "email.domain",
            "“@”后面",
        ),
        (
            FieldKind::Email,
            "zhangsan@163..com",
            "email.domain",
            "“@”后面",
        ),
        (FieldKind::Email, "zhangsan@", "email.domain", "“@”后面"),
        (
            FieldKind::Email,
            &long_email,
            "email.too_long",
            "不能超过254个字符",
        ),
        // PostalCode
        (
            FieldKind::PostalCode,
            "45300",
            "postal_code.length",
            "6位数字，现在是5位",
        ),
        (
            FieldKind::PostalCode,
            "4530001",
            "postal_code.length",
            "现在是7位",
        ),
        (
            FieldKind::PostalCode,
            "45300a",
            "postal_code.bad_char",
            "不能有“a”",
        ),
        (
            FieldKind::PostalCode,
            "453 000",
            "postal_code.bad_char",
            "不能有空格",
        ),
        // Date
        (FieldKind::Date, "2024-13-01", "date.invalid", "没有13月"),
        (FieldKind::Date, "2024-00-10", "date.invalid", "没有0月"),
        (
            FieldKind::Date,
            "2024-02-30",
            "date.invalid",
            "2024年2月没有30日",
        ),
        (
            FieldKind::Date,
            "2023-02-29",
            "date.invalid",
            "2023年2月没有29日",
        ),
        (FieldKind::Date, "20240532", "date.invalid", "5月没有32日"),
        (FieldKind::Date, "2024-05-00", "date.invalid", "5月没有0日"),
        (
            FieldKind::Date,
            "1899-12-31",
            "date.out_of_range",
            "1900年到2199年之间，现在是1899年",
        ),
        (
            FieldKind::Date,
            "2200-01-01",
            "date.out_of_range",
            "现在是2200年",
        ),
        (
            FieldKind::Date,
            "24-05-01",
            "date.format",
            "日期应写成 2024-05-01 的格式",
        ),
        (FieldKind::Date, "2024/05-01", "date.format", "2024-05-01"),
        (FieldKind::Date, "五月一日", "date.format", "2024年5月1日"),
        (FieldKind::Date, "2024年5月", "date.format", "日期应写成"),
        (FieldKind::Date, "2024-5", "date.format", "日期应写成"),
        (FieldKind::Date, "May 1, 2024", "date.format", "日期应写成"),
        (FieldKind::Date, "2024-005-01", "date.format", "日期应写成"),
        // DateRange
        (
            FieldKind::DateRange,
            "2024-05-01",
            "date_range.format",
            "2024-05-01至2025-04-30",
        ),
        (
            FieldKind::DateRange,
            "2024年5月1日",
            "date_range.format",
            "没有结束日期的写",
        ),
        (
            FieldKind::DateRange,
            "2024-05-01-2023-05-01",
            "date_range.order",
            "结束日期不能早于开始日期",
        ),
        (
            FieldKind::DateRange,
            "2024-05-01至",
            "date_range.format",
            "长期",
        ),
        (
            FieldKind::DateRange,
            "2025-05-01至2024-05-01",
            "date_range.order",
            "结束日期不能早于开始日期",
        ),
        (
            FieldKind::DateRange,
            "2024/05/01/2023/05/01",
            "date_range.order",
            "开始2024-05-01，结束2023-05-01",
        ),
        (
            FieldKind::DateRange,
            "2024-05-01至2024-13-01",
            "date_range.end_invalid",
            "结束日期不对",
        ),
        (
            FieldKind::DateRange,
            "2024-02-30至长期",
            "date_range.start_invalid",
            "开始日期不对：2024年2月没有30日",
        ),
        (
            FieldKind::DateRange,
            "2024-05-01至明年",
            "date_range.end_format",
            "没有结束日期请写“长期”",
        ),
        (
            FieldKind::DateRange,
            "长期至2024-05-01",
            "date_range.start_format",
            "开始日期应写成",
        ),
        (
            FieldKind::DateRange,
            "xx/yy",
            "date_range.start_format",
            "开始日期应写成",
        ),
        (
            FieldKind::DateRange,
            "1899-01-01至长期",
            "date_range.start_out_of_range",
            "开始日期的年份",
        ),
        (
            FieldKind::DateRange,
            "2024-05-01至2200-01-01",
            "date_range.end_out_of_range",
            "结束日期的年份",
        ),
        // Area
        (
            FieldKind::Area,
            "0",
            "area.not_positive",
            "面积应大于0，最多两位小数",
        ),
        (FieldKind::Area, "-5", "area.not_positive", "应大于0"),
        (FieldKind::Area, "0.00㎡", "area.not_positive", "应大于0"),
        (
            FieldKind::Area,
            "12.345",
            "area.decimals",
            "最多保留两位小数",
        ),
        (
            FieldKind::Area,
            "10000000",
            "area.too_large",
            "应小于10000000平方米",
        ),
        (FieldKind::Area, "abc", "area.format", "只填写数字"),
        (FieldKind::Area, "12.5亩", "area.format", "单位为平方米"),
        (FieldKind::Area, "1,2345", "area.format", "例如：85.5"),
        // Money
        (
            yuan(),
            "5万元",
            "money.unit",
            "单位是“元”，请换算后填写：5万元应填50000元",
        ),
        (yuan(), "1.5万", "money.unit", "1.5万元应填15000元"),
        (wan(), "5元", "money.unit", "5元应填0.0005万元"),
        (wan(), "50000元", "money.unit", "单位是“万元”"),
        (yuan(), "-1", "money.negative", "不能是负数"),
        (wan(), "-0.5万元", "money.negative", "不能是负数"),
        (yuan(), "1.234", "money.decimals", "最多两位小数"),
        (wan(), "1.2345678", "money.decimals", "最多六位小数"),
        (yuan(), "一百元", "money.format", "单位为元"),
        (wan(), "$100", "money.format", "单位为万元"),
        (yuan(), "1000000000000", "money.too_large", "金额太大"),
        // Integer
        (
            int(Some(1), Some(100)),
            "0",
            "integer.too_small",
            "1到100之间的整数",
        ),
        (
            int(Some(1), Some(100)),
            "101",
            "integer.too_large",
            "1到100之间的整数",
        ),
        (int(Some(0), None), "-1", "integer.too_small", "不能小于0"),
        (int(None, Some(10)), "11", "integer.too_large", "不能大于10"),
        (
            int(None, None),
            "99999999999999999999",
            "integer.too_large",
            "不能大于",
        ),
        (int(None, None), "12.5", "integer.decimal", "不能有小数"),
        (int(None, None), "十二", "integer.format", "请填写整数"),
        (int(None, None), "12人", "integer.format", "只写阿拉伯数字"),
        // Choice
        (
            choice(),
            "partnership",
            "choice.unknown",
            "请选择：个体工商户、公司 或 农民专业合作社",
        ),
        (choice(), "公 司", "choice.unknown", "请选择："),
        (
            FieldKind::Choice { options: vec![] },
            "x",
            "choice.no_options",
            "没有可选的选项",
        ),
        // MultiChoice
        (
            multi(),
            "公司,合伙企业",
            "multi_choice.unknown",
            "没有“合伙企业”这一项",
        ),
        (
            multi(),
            "公司、公司",
            "multi_choice.duplicate",
            "“公司”选了不止一次",
        ),
        (multi(), "company，公司", "multi_choice.duplicate", "“公司”"),
        (multi(), ",,、", "multi_choice.none", "请至少选择一项"),
        // YesNo
        (
            FieldKind::YesNo,
            "maybe",
            "yes_no.format",
            "请回答“是”或“否”",
        ),
        (FieldKind::YesNo, "对", "yes_no.format", "“是”或“否”"),
        (FieldKind::YesNo, "1", "yes_no.format", "“是”或“否”"),
    ];
    let mut cases: Vec<(FieldKind, String, &'static str, &'static str)> = t
        .into_iter()
        .map(|(k, i, c, m)| (k, i.to_string(), c, m))
        .collect();
    cases.extend([
        (
            FieldKind::PersonName,
            long_chinese_name,
            "person_name.length",
            "现在是41个字",
        ),
        (
            FieldKind::EntityName,
            long_entity,
            "entity_name.length",
            "现在是62个字",
        ),
        (
            FieldKind::Address,
            long_address,
            "address.too_long",
            "不能超过100个字，现在有101个字",
        ),
        (
            text_default(),
            "字".repeat(201),
            "text.too_long",
            "不能超过200个字，现在有201个字",
        ),
    ]);
    cases
}

#[test]
fn refused_inputs_get_their_code_and_a_specific_chinese_message() {
    let cases = refused();
    assert!(cases.len() >= 120, "only {} refused inputs", cases.len());
    let mut failures = Vec::new();
    for (kind, input, code, piece) in &cases {
        match validate(kind, input) {
            Ok(value) => failures.push(format!("{kind:?} {input:?}: accepted as {value:?}")),
            Err(e) => {
                let message = e.to_string();
                if e.code() != *code || !message.contains(piece) {
                    failures.push(format!(
                        "{kind:?} {input:?}: got {} “{message}”, expected {code} containing “{piece}”",
                        e.code()
                    ));
                }
                assert_chinese_message(&message, input);
                assert!(
                    ERROR_CODES.contains(&e.code()),
                    "unlisted code {}",
                    e.code()
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_code_is_exercised_by_the_table() {
    let cases = refused();
    // uscc.invalid cannot happen: SocialCreditCode::parse has no birth date.
    for code in ERROR_CODES.iter().filter(|c| **c != "uscc.invalid") {
        assert!(
            cases.iter().any(|(_, _, c, _)| c == code),
            "no refused input for {code}"
        );
    }
}

#[test]
fn empty_input_is_empty_for_every_kind() {
    for kind in all_kinds() {
        for input in ["", " ", "\u{3000}\u{3000}", "\t\n", "\u{200B}"] {
            let e = validate(&kind, input).unwrap_err();
            assert_eq!(e, FieldError::Empty, "{kind:?} {input:?}");
            assert_eq!(e.code(), "empty");
            assert_eq!(e.to_string(), "此项必填，请填写");
        }
    }
}

fn t(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

fn dec(s: &str) -> FieldValue {
    FieldValue::Decimal(s.into())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn range(from: NaiveDate, to: Option<NaiveDate>) -> FieldValue {
    FieldValue::DateRange { from, to }
}

fn accepted() -> Vec<(FieldKind, &'static str, FieldValue)> {
    let may1 = date(2024, 5, 1);
    let apr30 = date(2025, 4, 30);
    vec![
        // Text
        (
            text_default(),
            "经营范围：餐饮服务。",
            t("经营范围：餐饮服务。"),
        ),
        (text_default(), "ＡＢＣ１２３", t("ABC123")),
        // IdentityNumber: all four card types' numbers
        (
            FieldKind::IdentityNumber,
            "usa110079061501",
            t("USA110079061501"),
        ),
        (
            FieldKind::IdentityNumber,
            "11010519491231002x",
            t("11010519491231002X"),
        ),
        (text_default(), "\u{3000}前后空格\u{3000}", t("前后空格")),
        (text(3), "一二三", t("一二三")),
        // PersonName
        (FieldKind::PersonName, "张三", t("张三")),
        (FieldKind::PersonName, " 张 三 ", t("张三")),
        (
            FieldKind::PersonName,
            "阿依古丽・买买提",
            t("阿依古丽·买买提"),
        ),
        (
            FieldKind::PersonName,
            "阿依古丽•买买提",
            t("阿依古丽·买买提"),
        ),
        (
            FieldKind::PersonName,
            "阿依古丽.买买提",
            t("阿依古丽·买买提"),
        ),
        (
            FieldKind::PersonName,
            "阿依古丽·买买提",
            t("阿依古丽·买买提"),
        ),
        (FieldKind::PersonName, "\u{20000}明", t("\u{20000}明")),
        (FieldKind::PersonName, "\u{3400}三", t("\u{3400}三")),
        (FieldKind::PersonName, "John Smith", t("John Smith")),
        (FieldKind::PersonName, "O’Brien", t("O'Brien")),
        (
            FieldKind::PersonName,
            "Mary-Jane  Watson",
            t("Mary-Jane Watson"),
        ),
        (
            FieldKind::PersonName,
            "John F. Kennedy",
            t("John F. Kennedy"),
        ),
        (FieldKind::PersonName, "José Müller", t("José Müller")),
        (
            FieldKind::PersonName,
            "ＪＯＨＮ　ＳＭＩＴＨ",
            t("JOHN SMITH"),
        ),
        (FieldKind::PersonName, "Li", t("Li")),
        // EntityName
        (
            FieldKind::EntityName,
            "北京某某科技有限公司(分公司)",
            t("北京某某科技有限公司（分公司）"),
        ),
        (
            FieldKind::EntityName,
            "华为技术有限公司",
            t("华为技术有限公司"),
        ),
        (
            FieldKind::EntityName,
            "北京 ABC  Tech 有限公司",
            t("北京ABC Tech有限公司"),
        ),
        (
            FieldKind::EntityName,
            "中铁十二局集团－第一工程有限公司",
            t("中铁十二局集团-第一工程有限公司"),
        ),
        (
            FieldKind::EntityName,
            "阿依・古丽餐饮店",
            t("阿依·古丽餐饮店"),
        ),
        (
            FieldKind::EntityName,
            "３６０科技有限公司",
            t("360科技有限公司"),
        ),
        // Address
        (
            FieldKind::Address,
            "河南省濮阳市华龙区人民路１２号",
            t("河南省濮阳市华龙区人民路12号"),
        ),
        (
            FieldKind::Address,
            "人民路  12号 3单元",
            t("人民路 12号 3单元"),
        ),
        // Identifiers
        (
            FieldKind::ResidentId,
            "11010519491231002X",
            t("11010519491231002X"),
        ),
        (
            FieldKind::ResidentId,
            "11010519491231002x",
            t("11010519491231002X"),
        ),
        (
            FieldKind::ResidentId,
            "110105 19491231 002X",
            t("11010519491231002X"),
        ),
        (
            FieldKind::ResidentId,
            "１１０１０５１９４９１２３１００２Ｘ",
            t("11010519491231002X"),
        ),
        (
            FieldKind::SocialCreditCode,
            "91350200776049653A",
            t("91350200776049653A"),
        ),
        (
            FieldKind::SocialCreditCode,
            "91350200776049653a",
            t("91350200776049653A"),
        ),
        (
            FieldKind::SocialCreditCode,
            "９１３５０２００７７６０４９６５３Ａ",
            t("91350200776049653A"),
        ),
        (
            FieldKind::SocialCreditCode,
            "9135 0200 7760 4965 3A",
            t("91350200776049653A"),
        ),
        // PartyNumber: a person's or an organisation's number
        (
            FieldKind::PartyNumber,
            "11010519491231002x",
            t("11010519491231002X"),
        ),
        (
            FieldKind::PartyNumber,
            "91350200776049653a",
            t("91350200776049653A"),
        ),
        (
            FieldKind::PartyNumber,
            "usa110079061501",
            t("USA110079061501"),
        ),
        // Mobile
        (FieldKind::Mobile, "13800138000", t("13800138000")),
        (FieldKind::Mobile, "+86 138 0013 8000", t("13800138000")),
        (FieldKind::Mobile, "+8613800138000", t("13800138000")),
        (FieldKind::Mobile, "8613800138000", t("13800138000")),
        (FieldKind::Mobile, "0086-138-0013-8000", t("13800138000")),
        (
            FieldKind::Mobile,
            "１３８００１３８０００",
            t("13800138000"),
        ),
        (
            FieldKind::Mobile,
            "＋８６　１９９１２３４５６７８",
            t("19912345678"),
        ),
        // Phone
        (FieldKind::Phone, "13800138000", t("13800138000")),
        (FieldKind::Phone, "+86 138-0013-8000", t("13800138000")),
        (FieldKind::Phone, "0393-1234567", t("0393-1234567")),
        (FieldKind::Phone, "0393 1234567", t("0393-1234567")),
        (FieldKind::Phone, "(0393)1234567", t("0393-1234567")),
        (FieldKind::Phone, "（0393）1234567", t("0393-1234567")),
        (FieldKind::Phone, "03931234567", t("0393-1234567")),
        (FieldKind::Phone, "010-62345678", t("010-62345678")),
        (FieldKind::Phone, "01062345678", t("010-62345678")),
        (FieldKind::Phone, "021 6234 5678", t("021-62345678")),
        (
            FieldKind::Phone,
            "0393-1234567转123",
            t("0393-1234567转123"),
        ),
        (FieldKind::Phone, "0393-1234567-123", t("0393-1234567转123")),
        (
            FieldKind::Phone,
            "0393-1234567 分机 123",
            t("0393-1234567转123"),
        ),
        (
            FieldKind::Phone,
            "0393-1234567 ext. 8",
            t("0393-1234567转8"),
        ),
        (FieldKind::Phone, "+86 393 1234567", t("0393-1234567")),
        (FieldKind::Phone, "+86-10-62345678", t("010-62345678")),
        (
            FieldKind::Phone,
            "０３９３－１２３４５６７",
            t("0393-1234567"),
        ),
        // Email
        (FieldKind::Email, "zhangsan@163.com", t("zhangsan@163.com")),
        (FieldKind::Email, "ZhangSan@QQ.COM", t("ZhangSan@qq.com")),
        (
            FieldKind::Email,
            "zhangsan＠163．com",
            t("zhangsan@163.com"),
        ),
        (
            FieldKind::Email,
            "zhang.san+kiosk@mail.example.com.cn",
            t("zhang.san+kiosk@mail.example.com.cn"),
        ),
        (FieldKind::Email, "zhangsan@163。com", t("zhangsan@163.com")),
        // PostalCode
        (FieldKind::PostalCode, "453000", t("453000")),
        (FieldKind::PostalCode, "４５３０００", t("453000")),
        // Date
        (FieldKind::Date, "2024-05-01", FieldValue::Date(may1)),
        (FieldKind::Date, "20240501", FieldValue::Date(may1)),
        (FieldKind::Date, "2024/5/1", FieldValue::Date(may1)),
        (FieldKind::Date, "2024.05.01", FieldValue::Date(may1)),
        (FieldKind::Date, "2024年5月1日", FieldValue::Date(may1)),
        (
            FieldKind::Date,
            "２０２４年５月１日",
            FieldValue::Date(may1),
        ),
        (FieldKind::Date, "2024 年 5 月 1 日", FieldValue::Date(may1)),
        (FieldKind::Date, "2024年05月01号", FieldValue::Date(may1)),
        (
            FieldKind::Date,
            "2000-02-29",
            FieldValue::Date(date(2000, 2, 29)),
        ),
        (
            FieldKind::Date,
            "1900-01-01",
            FieldValue::Date(date(1900, 1, 1)),
        ),
        (
            FieldKind::Date,
            "2199-12-31",
            FieldValue::Date(date(2199, 12, 31)),
        ),
        // DateRange
        (
            FieldKind::DateRange,
            "2024-05-01/2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01至2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01~2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01～2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01——2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01 - 2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01 2025-04-30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024/05/01/2025/04/30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024.05.01-2025.04.30",
            range(may1, Some(apr30)),
        ),
        (
            FieldKind::DateRange,
            "2024-05-01-2025-04-30",
            range(may1, Some(apr30)),
        ),
        (FieldKind::DateRange, "20240501-长期", range(may1, None)),
        (
            FieldKind::DateRange,
            "2024年5月1日至2025年4月30日",
            range(may1, Some(apr30)),
        ),
        (FieldKind::DateRange, "2024-05-01至长期", range(may1, None)),
        (
            FieldKind::DateRange,
            "2024-05-01 至 长期有效",
            range(may1, None),
        ),
        (FieldKind::DateRange, "2024/05/01/长期", range(may1, None)),
        (
            FieldKind::DateRange,
            "2024-05-01至2024-05-01",
            range(may1, Some(may1)),
        ),
        // Area
        (FieldKind::Area, "120.50", dec("120.5")),
        (FieldKind::Area, "１２０平方米", dec("120")),
        (FieldKind::Area, "85.25㎡", dec("85.25")),
        (FieldKind::Area, "1,200.5 平米", dec("1200.5")),
        (FieldKind::Area, "0.01", dec("0.01")),
        (FieldKind::Area, "9999999.99", dec("9999999.99")),
        (FieldKind::Area, "007.10m2", dec("7.1")),
        // Money
        (yuan(), "1500.50", dec("1500.5")),
        (yuan(), "￥1,500元", dec("1500")),
        (yuan(), "0", dec("0")),
        (yuan(), "0.01元", dec("0.01")),
        (wan(), "12.345678万元", dec("12.345678")),
        (wan(), "50万", dec("50")),
        (wan(), "３０", dec("30")),
        // Integer
        (int(None, None), "12", FieldValue::Integer(12)),
        (int(None, None), "１２", FieldValue::Integer(12)),
        (int(None, None), "12.0", FieldValue::Integer(12)),
        (int(None, None), "1,000", FieldValue::Integer(1000)),
        (int(None, None), "-5", FieldValue::Integer(-5)),
        (int(Some(1), Some(100)), "100", FieldValue::Integer(100)),
        (int(Some(1), Some(100)), "1", FieldValue::Integer(1)),
        // Choice
        (choice(), "company", FieldValue::Choice("company".into())),
        (choice(), "COMPANY", FieldValue::Choice("company".into())),
        (choice(), "公司", FieldValue::Choice("company".into())),
        (
            choice(),
            " 个体工商户 ",
            FieldValue::Choice("individual".into()),
        ),
        // MultiChoice
        (
            multi(),
            "公司、个体工商户",
            FieldValue::Choices(vec!["individual".into(), "company".into()]),
        ),
        (
            multi(),
            "coop，company",
            FieldValue::Choices(vec!["company".into(), "coop".into()]),
        ),
        (
            multi(),
            "农民专业合作社",
            FieldValue::Choices(vec!["coop".into()]),
        ),
        (
            multi(),
            "individual, company;coop",
            FieldValue::Choices(vec!["individual".into(), "company".into(), "coop".into()]),
        ),
        // YesNo
        (FieldKind::YesNo, "是", FieldValue::Bool(true)),
        (FieldKind::YesNo, "否", FieldValue::Bool(false)),
        (FieldKind::YesNo, "YES", FieldValue::Bool(true)),
        (FieldKind::YesNo, "n", FieldValue::Bool(false)),
        (FieldKind::YesNo, "True", FieldValue::Bool(true)),
        (FieldKind::YesNo, "false", FieldValue::Bool(false)),
    ]
}

#[test]
fn accepted_inputs_are_normalised() {
    let mut failures = Vec::new();
    for (kind, input, expected) in accepted() {
        match validate(&kind, input) {
            Ok(value) if value == expected => {
                // The canonical text validates to the same value.
                let again = validate(&kind, &value.to_string());
                if again.as_ref() != Ok(&value) {
                    failures.push(format!("{kind:?} {value}: re-validates as {again:?}"));
                }
            }
            other => failures.push(format!(
                "{kind:?} {input:?}: {other:?}, expected {expected:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn values_serialise_as_plain_json() {
    let json = |kind: &FieldKind, input: &str| {
        serde_json::to_string(&validate(kind, input).unwrap()).unwrap()
    };
    assert_eq!(json(&FieldKind::Date, "2024年5月1日"), r#""2024-05-01""#);
    assert_eq!(
        json(&FieldKind::DateRange, "2024-05-01至长期"),
        r#"{"from":"2024-05-01","to":null}"#
    );
    assert_eq!(
        json(&FieldKind::DateRange, "2024-05-01至2025-04-30"),
        r#"{"from":"2024-05-01","to":"2025-04-30"}"#
    );
    assert_eq!(json(&yuan(), "1500.50元"), r#""1500.5""#);
    assert_eq!(json(&int(None, None), "12"), "12");
    assert_eq!(
        json(&multi(), "公司、个体工商户"),
        r#"["individual","company"]"#
    );
    assert_eq!(json(&FieldKind::YesNo, "是"), "true");
    assert_eq!(
        json(&FieldKind::Mobile, "+86 138 0013 8000"),
        r#""13800138000""#
    );
    let error =
        serde_json::to_value(validate(&FieldKind::Mobile, "12800138000").unwrap_err()).unwrap();
    assert_eq!(error["code"], "mobile.format");
    assert_eq!(
        error["message"],
        "手机号码应为11位数字，以1开头，第二位是3到9"
    );
}

#[test]
fn huge_inputs_are_refused_quickly() {
    // A pasted wall of text must not stall the kiosk (no quadratic work).
    let walls = [
        "-/".repeat(100_000),
        "1 ".repeat(100_000),
        "张·".repeat(100_000),
        "a,".repeat(100_000),
        "０".repeat(200_000),
    ];
    let started = std::time::Instant::now();
    for kind in all_kinds() {
        for wall in &walls {
            let _ = validate(&kind, wall);
        }
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn kind_method_matches_the_function() {
    assert_eq!(
        FieldKind::Mobile.validate("13800138000"),
        validate(&FieldKind::Mobile, "13800138000")
    );
}

#[test]
fn person_names_are_masked() {
    assert_eq!(mask_person_name("张三"), "张*");
    assert_eq!(mask_person_name("张小三"), "张*三");
    assert_eq!(mask_person_name("欧阳小明"), "欧**明");
    assert_eq!(mask_person_name("阿依古丽·买买提"), "阿***·**提");
    assert_eq!(mask_person_name("张"), "*");
    assert_eq!(mask_person_name("\u{20000}小明"), "\u{20000}*明");
    assert_eq!(mask_person_name("John Smith"), "J*** S****");
    assert_eq!(mask_person_name("Mary-Jane O'Brien"), "M***-**** O'*****");
    assert_eq!(mask_person_name(""), "");
}

const FULL_WIDTH_OFFSET: u32 = 0xFEE0;

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + FULL_WIDTH_OFFSET).unwrap()
            } else {
                c
            }
        })
        .collect()
}

fn resident_id_strategy() -> impl Strategy<Value = String> {
    (
        "[1-6][0-9]{5}",
        1900i32..=2100,
        1u32..=12,
        1u32..=31,
        "[0-9]{3}",
    )
        .prop_filter_map("real birth date", |(area, y, m, d, seq)| {
            NaiveDate::from_ymd_opt(y, m, d)?;
            let first17 = format!("{area}{y:04}{m:02}{d:02}{seq}");
            let check = ids::resident_id_check_char(&first17)?;
            Some(format!("{first17}{check}"))
        })
}

fn uscc_strategy() -> impl Strategy<Value = String> {
    "[0-9A-HJ-NPQRTUWXY]{17}".prop_map(|body| {
        let check = ids::uscc_check_char(&body).unwrap();
        format!("{body}{check}")
    })
}

/// Inputs that reach deep into the parsers, mixed with arbitrary text.
fn tricky_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        "[0-9０-９a-zA-ZＡＺ年月日号至到/\\-－.．:+＋()（）转分机ext·・, 、，;长期有效元万㎡平方米@＠ 　]{0,30}",
        "[+0-9 ()-]{0,20}(转[0-9]{0,8})?",
        "[0-9]{4}[-/.年][0-9]{1,3}[-/.月][0-9]{1,3}日?([至~/ ][0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2})?",
    ]
}

proptest! {
    // 256 cases by default; PROPTEST_CASES=20000 for a longer hunt.

    #[test]
    fn generated_resident_ids_pass(id in resident_id_strategy()) {
        prop_assert_eq!(validate(&FieldKind::ResidentId, &id), Ok(t(&id)));
        prop_assert_eq!(validate(&FieldKind::ResidentId, &id.to_lowercase()), Ok(t(&id)));
        prop_assert_eq!(validate(&FieldKind::ResidentId, &full_width(&id)), Ok(t(&id)));
    }

    #[test]
    fn resident_ids_with_one_character_changed_fail(id in resident_id_strategy(), pos in 0usize..18, shift in 1usize..11) {
        // Another symbol of the 11 (digits and X), never the same one.
        let symbols: Vec<char> = "0123456789X".chars().collect();
        let mut chars: Vec<char> = id.chars().collect();
        let original = symbols.iter().position(|c| *c == chars[pos]).unwrap();
        chars[pos] = symbols[(original + shift) % symbols.len()];
        let altered: String = chars.into_iter().collect();
        let e = validate(&FieldKind::ResidentId, &altered).unwrap_err();
        prop_assert!(e.code().starts_with("resident_id."), "{}", e.code());
        assert_chinese_message(&e.to_string(), &altered);
    }

    #[test]
    fn generated_credit_codes_pass(code in uscc_strategy()) {
        prop_assert_eq!(validate(&FieldKind::SocialCreditCode, &code), Ok(t(&code)));
        prop_assert_eq!(validate(&FieldKind::SocialCreditCode, &code.to_lowercase()), Ok(t(&code)));
        prop_assert_eq!(validate(&FieldKind::SocialCreditCode, &full_width(&code)), Ok(t(&code)));
    }

    #[test]
    fn credit_codes_with_one_character_changed_fail(code in uscc_strategy(), pos in 0usize..18, shift in 1usize..36) {
        // Another of the 31 code symbols or the five letters codes never
        // use, never the same one.
        let symbols: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ".chars().collect();
        let mut chars: Vec<char> = code.chars().collect();
        let original = symbols.iter().position(|c| *c == chars[pos]).unwrap();
        chars[pos] = symbols[(original + shift) % symbols.len()];
        let altered: String = chars.into_iter().collect();
        let e = validate(&FieldKind::SocialCreditCode, &altered).unwrap_err();
        prop_assert!(e.code().starts_with("uscc."), "{}", e.code());
        assert_chinese_message(&e.to_string(), &altered);
    }

    #[test]
    fn every_date_style_gives_the_same_date(y in 1900i32..=2199, m in 1u32..=12, d in 1u32..=31) {
        let Some(expected) = NaiveDate::from_ymd_opt(y, m, d) else {
            // Not a real day: every style must refuse it the same way.
            for text in [format!("{y:04}-{m:02}-{d:02}"), format!("{y}年{m}月{d}日")] {
                prop_assert_eq!(validate(&FieldKind::Date, &text).unwrap_err().code(), "date.invalid");
            }
            return Ok(());
        };
        let styles = [
            format!("{y:04}-{m:02}-{d:02}"),
            format!("{y:04}-{m}-{d}"),
            format!("{y:04}{m:02}{d:02}"),
            format!("{y:04}/{m:02}/{d:02}"),
            format!("{y:04}/{m}/{d}"),
            format!("{y:04}.{m:02}.{d:02}"),
            format!("{y}年{m}月{d}日"),
            format!("{y}年{m:02}月{d:02}日"),
            full_width(&format!("{y:04}-{m:02}-{d:02}")),
            full_width(&format!("{y}年{m}月{d}日")),
        ];
        for text in &styles {
            prop_assert_eq!(validate(&FieldKind::Date, text), Ok(FieldValue::Date(expected)), "{}", text);
            let open = format!("{text}至长期");
            prop_assert_eq!(
                validate(&FieldKind::DateRange, &open),
                Ok(FieldValue::DateRange { from: expected, to: None }),
                "{}", open
            );
        }
        prop_assert_eq!(validate(&FieldKind::Date, &styles[0]).unwrap().to_string(), styles[0].clone());
    }

    #[test]
    fn mobiles_in_any_layout_normalise(number in "1[3-9][0-9]{9}", layout in 0usize..5) {
        let (a, b, c) = (&number[..3], &number[3..7], &number[7..]);
        let text = match layout {
            0 => number.clone(),
            1 => format!("{a} {b} {c}"),
            2 => format!("+86 {a}-{b}-{c}"),
            3 => format!("86{number}"),
            _ => full_width(&number),
        };
        prop_assert_eq!(validate(&FieldKind::Mobile, &text), Ok(t(&number)));
        prop_assert_eq!(validate(&FieldKind::Phone, &text), Ok(t(&number)));
    }

    #[test]
    fn no_kind_ever_panics_and_results_are_stable(input in tricky_input()) {
        for kind in all_kinds() {
            match validate(&kind, &input) {
                Ok(value) => {
                    // Normalising is idempotent: the canonical text gives the same value.
                    let again = validate(&kind, &value.to_string());
                    prop_assert_eq!(again.as_ref(), Ok(&value), "{:?} {:?}", kind, input);
                    prop_assert!(serde_json::to_string(&value).is_ok());
                }
                Err(e) => {
                    prop_assert!(ERROR_CODES.contains(&e.code()), "{}", e.code());
                    assert_chinese(&e.to_string(), &input);
                }
            }
        }
        let _ = mask_person_name(&input);
    }
}
