//! Documents the kiosk drafts from the merged form for signature (一套材料,
//! issue 15.4): a department accepts them in a standard form, so the
//! applicant signs instead of bringing them. Each material of the catalog
//! with a `template` (docs/catalog.md) is one of these; the notice lists
//! it as “本机生成，签字即可” and does not count it among the materials to
//! bring.
//!
//! Printed with the receipt, through the same documents and print queue.
//! Like every printout, names and ID numbers are masked (the stored copy
//! is reprinted later): the department receives the full values with the
//! case, the paper is where the applicant signs. Wording the project could
//! not check against the published model is marked （待核实）.

use crate::catalog::Template;
use crate::form::{FormValues, InputValue, MergedForm};
use crate::print::layout::{Block, Document};
use crate::print::qr_payload::receipt_payload;
use chrono::NaiveDate;
use onevisit_drivers::ids::mask_name;
use std::collections::BTreeMap;

/// One shareholder (股东) as the articles list them.
#[derive(Clone, PartialEq, Eq)]
pub struct Shareholder {
    pub name: String,
    /// 认缴出资额, in 万元, as typed.
    pub subscribed: String,
    /// 出资方式 in words (货币, 实物 …).
    pub method: String,
    /// 出资日期 (YYYY-MM-DD).
    pub due_date: String,
}

/// One 董事、监事、经理.
#[derive(Clone, PartialEq, Eq)]
pub struct Officer {
    pub name: String,
    /// 董事, 监事 or 经理.
    pub post: String,
}

/// What the drafted documents are made of: the merged form's values.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningData {
    pub receipt_no: String,
    pub bundle_name: String,
    /// 名称 (F01).
    pub entity_name: String,
    /// 住所 (F07).
    pub address: String,
    /// 经营场所 (F08), else 住所.
    pub premises: String,
    /// 经营范围 (F11).
    pub scope: String,
    /// 注册资本 in 万元.
    pub capital: String,
    /// 经营期限 (F23), as typed ("2026-12-01/长期").
    pub term: String,
    /// 法定代表人 (F04).
    pub legal_rep: String,
    pub shareholders: Vec<Shareholder>,
    pub officers: Vec<Officer>,
    /// 经营项目 of the food licence, in words.
    pub food_items: Vec<String>,
    /// 经营面积 (F09), square metres.
    pub area: String,
    /// 食品安全管理人员 (F16) names.
    pub food_managers: Vec<String>,
    /// 合伙人 of a partnership.
    pub partners: Vec<Partner>,
    /// 合伙企业类型 in words.
    pub partnership_type: String,
    /// 隶属企业名称 of a branch.
    pub parent_name: String,
    /// 从业人员 (F15): name and post.
    pub staff: Vec<Officer>,
    /// 专职管理人员 (F16): name and role.
    pub managers: Vec<Officer>,
    pub signed_on: NaiveDate,
}

/// One 合伙人.
#[derive(Clone, PartialEq, Eq)]
pub struct Partner {
    pub name: String,
    pub subscribed: String,
    pub method: String,
    /// 无限责任（普通合伙人） or 有限责任（有限合伙人）.
    pub liability: String,
    pub due_date: String,
}

impl std::fmt::Debug for SigningData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningData")
            .field("receipt_no", &self.receipt_no)
            .field("shareholders", &self.shareholders.len())
            .field("officers", &self.officers.len())
            .finish_non_exhaustive()
    }
}

/// A choice field's label for the value stored (`cash` → 货币), or the
/// value itself.
fn choice_label(form: &MergedForm, field: &str, sub: Option<&str>, value: &str) -> String {
    use crate::catalog::kind::FieldKind;
    use crate::form::merged::ShapeView;
    let shape = form.field(field).and_then(|f| match (sub, &f.shape) {
        (None, shape) => Some(shape.clone()),
        (Some(s), ShapeView::Records { fields, .. }) => {
            fields.iter().find(|r| r.id == s).map(|r| r.shape.clone())
        }
        (Some(_), ShapeView::Kind(_)) => None,
    });
    match shape {
        Some(ShapeView::Kind(FieldKind::Choice { options }))
        | Some(ShapeView::Kind(FieldKind::MultiChoice { options })) => options
            .iter()
            .find(|o| o.id == value)
            .map_or(value.to_string(), |o| o.label.clone()),
        _ => value.to_string(),
    }
}

impl SigningData {
    /// The documents' data from the merged form as entered (prefills
    /// included) on `signed_on`.
    pub fn from_form(
        form: &MergedForm,
        values: &FormValues,
        receipt_no: &str,
        bundle_name: &str,
        signed_on: NaiveDate,
    ) -> SigningData {
        let text = |id: &str| {
            form.current(values, id)
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let records = |id: &str| -> Vec<BTreeMap<String, String>> {
            match values.get(id) {
                Some(InputValue::Records(r)) => r.clone(),
                _ => Vec::new(),
            }
        };
        let get = |r: &BTreeMap<String, String>, k: &str| r.get(k).cloned().unwrap_or_default();
        let shareholders = records("company_registration.shareholders")
            .iter()
            .map(|r| Shareholder {
                name: get(r, "name"),
                subscribed: get(r, "subscribed"),
                method: choice_label(
                    form,
                    "company_registration.shareholders",
                    Some("method"),
                    &get(r, "method"),
                ),
                due_date: get(r, "due_date"),
            })
            .collect();
        let officers = records("company_registration.officers")
            .iter()
            .map(|r| Officer {
                name: get(r, "name"),
                post: choice_label(
                    form,
                    "company_registration.officers",
                    Some("post"),
                    &get(r, "post"),
                ),
            })
            .collect();
        let food_items = text("food_business_licence.business_items")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|v| choice_label(form, "food_business_licence.business_items", None, v))
            .collect();
        let partner_label = |r: &BTreeMap<String, String>, k: &str| {
            choice_label(
                form,
                "partnership_registration.partners",
                Some(k),
                &get(r, k),
            )
        };
        let partners = records("partnership_registration.partners")
            .iter()
            .map(|r| Partner {
                name: get(r, "name"),
                subscribed: get(r, "subscribed"),
                method: partner_label(r, "method"),
                liability: partner_label(r, "liability"),
                due_date: get(r, "due_date"),
            })
            .collect();
        let people = |id: &str, role: &str| -> Vec<Officer> {
            records(id)
                .iter()
                .filter(|r| !get(r, "name").is_empty())
                .map(|r| Officer {
                    name: get(r, "name"),
                    post: get(r, role),
                })
                .collect()
        };
        let premises = match text("F08") {
            p if p.is_empty() => text("F07"),
            p => p,
        };
        SigningData {
            receipt_no: receipt_no.to_string(),
            bundle_name: bundle_name.to_string(),
            entity_name: text("F01"),
            address: text("F07"),
            premises,
            scope: text("F11"),
            capital: text("company_registration.registered_capital"),
            term: text("F23"),
            legal_rep: text("F04"),
            shareholders,
            officers,
            food_items,
            area: text("F09"),
            food_managers: records("F16")
                .iter()
                .map(|r| get(r, "name"))
                .filter(|n| !n.is_empty())
                .collect(),
            partners,
            partnership_type: choice_label(
                form,
                "partnership_registration.partnership_type",
                None,
                &text("partnership_registration.partnership_type"),
            ),
            parent_name: text("branch_registration.parent_name"),
            staff: people("F15", "post"),
            managers: people("F16", "role"),
            signed_on,
        }
    }

    fn one_shareholder(&self) -> bool {
        self.shareholders.len() <= 1
    }
}

/// The line left blank for handwriting when the form had nothing.
fn or_blank(s: &str) -> String {
    if s.trim().is_empty() {
        "______________".into()
    } else {
        s.to_string()
    }
}

fn masked(name: &str) -> String {
    or_blank(&mask_name(name))
}

/// The document `template` drafts from `d`.
pub fn signing_document(template: Template, d: &SigningData) -> Document {
    match template {
        Template::ArticlesOfAssociation => articles(d),
        Template::OfficerAppointment => appointment(d),
        Template::FoodSafetyRules => food_safety_rules(d),
        Template::FoodLayout => food_layout(d),
        Template::PartnershipAgreement => partnership_agreement(d),
        Template::PartnerMandate => partner_mandate(d),
        Template::BranchHeadAppointment => branch_head(d),
        Template::HygieneRules => hygiene_rules(d),
        Template::HotelSecurityRules => hotel_security(d),
    }
}

/// The footer every drafted document ends with: who signs, the date, the
/// QR that reopens the case.
fn sign_off(doc: &mut Document, d: &SigningData, who: &str) {
    doc.feed(1);
    doc.para(format!("{who}：______________"));
    doc.para(format!("日期：{}", d.signed_on.format("%Y 年 %m 月 %d 日")));
    doc.para("本文件由自助终端根据“一表申请”所填内容生成，签字后与其他材料一并交窗口。");
    doc.qr(receipt_payload(&d.receipt_no), "交材料时出示，扫码打开本件");
    doc.push(Block::Cut);
}

/// 公司章程 after 《公司法》第四十六条's contents, in the chapters of the
/// market regulator's model articles; 一人有限责任公司 when one shareholder.
fn articles(d: &SigningData) -> Document {
    let one = d.one_shareholder();
    let mut doc = Document::default();
    doc.title(format!("{}章程", or_blank(&d.entity_name)));
    doc.centered(if one {
        "（一人有限责任公司）"
    } else {
        "（有限责任公司）"
    });
    doc.para("依据《中华人民共和国公司法》第四十六条应载明事项，按市场监管部门公司章程参考格式的章节整理（条款措辞待核实，以登记机关范本为准）。");
    doc.separator();
    doc.heading("第一章 总则");
    doc.item(
        "第一条",
        format!("公司名称：{}。", or_blank(&d.entity_name)),
    );
    doc.item("第二条", format!("公司住所：{}。", or_blank(&d.address)));
    doc.item("第三条", "公司为有限责任公司，股东以其认缴的出资额为限对公司承担责任，公司以其全部财产对公司的债务承担责任。");
    doc.item(
        "第四条",
        format!("营业期限：{}。", or_blank(&d.term.replace('/', " 至 "))),
    );
    doc.heading("第二章 经营范围");
    doc.item(
        "第五条",
        format!(
            "公司经营范围：{}（以登记机关登记的为准）。",
            or_blank(&d.scope)
        ),
    );
    doc.heading("第三章 注册资本");
    doc.item(
        "第六条",
        format!("公司注册资本为人民币 {} 万元。", or_blank(&d.capital)),
    );
    doc.heading("第四章 股东的姓名或者名称、出资额、出资方式和出资日期");
    if d.shareholders.is_empty() {
        doc.item(
            "第七条",
            "股东：______________，认缴出资 ______ 万元，出资方式 ______，出资日期 ______。",
        );
    }
    for (n, s) in d.shareholders.iter().enumerate() {
        let marker = if n == 0 { "第七条" } else { "" };
        doc.item(
            marker,
            format!(
                "股东{}：{}，认缴出资 {} 万元，以{}出资，于 {} 前缴足。",
                n + 1,
                masked(&s.name),
                or_blank(&s.subscribed),
                or_blank(&s.method),
                or_blank(&s.due_date)
            ),
        );
    }
    doc.item("第八条", "股东认缴的出资额应当自公司成立之日起五年内缴足。");
    doc.heading("第五章 公司的机构及其产生办法、职权、议事规则");
    if one {
        doc.item("第九条", "公司不设股东会。股东作出公司法规定由股东会决议的事项的决定时，应当采用书面形式，由股东签名或者盖章后置备于公司。");
    } else {
        doc.item("第九条", "公司股东会由全体股东组成，是公司的权力机构，依照公司法行使职权。股东会会议由股东按照出资比例行使表决权；修改章程、增减注册资本、合并、分立、解散或者变更公司形式，须经代表三分之二以上表决权的股东通过。");
    }
    let posts: Vec<String> = d
        .officers
        .iter()
        .map(|o| format!("{}（{}）", o.post, masked(&o.name)))
        .collect();
    doc.item(
        "第十条",
        format!(
            "公司设{}，由股东{}产生，任期依照公司法。",
            if posts.is_empty() {
                "董事一名、监事一名、经理一名".to_string()
            } else {
                posts.join("、")
            },
            if one {
                "决定"
            } else {
                "会选举或者聘任"
            }
        ),
    );
    doc.heading("第六章 法定代表人");
    doc.item("第十一条", format!("公司的法定代表人由代表公司执行公司事务的董事或者经理担任，现为 {}；变更的，依照本章程规定的产生办法另行产生，并办理变更登记。", masked(&d.legal_rep)));
    doc.heading("第七章 财务会计、解散和清算");
    doc.item("第十二条", "公司依照法律、行政法规和国务院财政部门的规定建立财务、会计制度。公司解散的，依照公司法的规定进行清算。");
    doc.heading("第八章 附则");
    doc.item(
        "第十三条",
        "本章程自全体股东签名或者盖章之日起生效；与法律、行政法规不一致的，以法律、行政法规为准。",
    );
    sign_off(
        &mut doc,
        d,
        if one {
            "股东签名（盖章）"
        } else {
            "全体股东签名（盖章）"
        },
    );
    doc
}

/// 股东决定 (one shareholder) or 股东会决议 naming the 法定代表人, 董事,
/// 监事 and 经理: the 任职文件 of the registration.
fn appointment(d: &SigningData) -> Document {
    let one = d.one_shareholder();
    let mut doc = Document::default();
    doc.title(if one {
        "股东决定"
    } else {
        "股东会决议"
    });
    doc.centered("（法定代表人、董事、监事、经理任职文件）");
    doc.separator();
    doc.field("公司名称", or_blank(&d.entity_name));
    doc.para(format!(
        "根据《中华人民共和国公司法》和公司章程，{}：",
        if one {
            "公司股东作出如下决定"
        } else {
            "公司股东会经全体股东同意，作出如下决议"
        }
    ));
    if d.officers.is_empty() {
        doc.item(
            "一、",
            "董事：______________；监事：______________；经理：______________。",
        );
    }
    for (n, o) in d.officers.iter().enumerate() {
        let verb = if o.post == "经理" {
            "聘任"
        } else {
            "委派"
        };
        doc.item(
            format!("{}、", chinese_number(n + 1)),
            format!("{verb} {} 为公司{}。", masked(&o.name), o.post),
        );
    }
    doc.item(
        format!("{}、", chinese_number(d.officers.len().max(1) + 1)),
        format!("由 {} 担任公司法定代表人。", masked(&d.legal_rep)),
    );
    doc.para("被委派、聘任的人员不属于《市场主体登记管理条例》第十二条规定的不得担任法定代表人、董事、监事、高级管理人员的情形。");
    sign_off(
        &mut doc,
        d,
        if one {
            "股东签名（盖章）"
        } else {
            "全体股东签名（盖章）"
        },
    );
    doc
}

fn chinese_number(n: usize) -> &'static str {
    [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ]
    .get(n)
    .copied()
    .unwrap_or("十")
}

/// The rules a food business keeps, as the licence's 目录清单: the four
/// the material names (自查, 健康管理, 进货查验记录, 事故处置) and the
/// usual others of the licence review rules (待核实).
pub const FOOD_SAFETY_RULES: [&str; 11] = [
    "食品安全自查制度",
    "从业人员健康管理制度",
    "进货查验记录制度",
    "食品安全事故处置方案",
    "从业人员食品安全培训制度",
    "食品安全管理人员制度",
    "场所及设施设备清洗消毒和维修保养制度",
    "食品贮存管理制度",
    "食品添加剂使用管理制度",
    "餐厨废弃物处置管理制度",
    "投诉举报处理制度",
];

/// 食品安全规章制度目录清单.
fn food_safety_rules(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("食品安全规章制度目录清单");
    doc.separator();
    doc.field("经营者名称", or_blank(&d.entity_name));
    doc.field("经营场所", or_blank(&d.premises));
    doc.para("本单位已建立并执行下列食品安全规章制度（前四项为食品经营许可所列，其余按许可审查要求整理，待核实）：");
    for (n, rule) in FOOD_SAFETY_RULES.iter().enumerate() {
        doc.item(format!("{}.", n + 1), *rule);
    }
    if !d.food_managers.is_empty() {
        let names: Vec<String> = d.food_managers.iter().map(|n| masked(n)).collect();
        doc.field("食品安全管理人员", names.join("、"));
    }
    doc.para("制度文本留存于经营场所备查。");
    sign_off(&mut doc, d, "法定代表人（负责人）签名");
    doc
}

/// The usual flow of one food business item (热食类 …), in the order the
/// food moves; the kitchen's own layout follows it.
fn flow_of(item: &str) -> &'static str {
    match item {
        "热食类食品制售" => "原料验收 → 贮存 → 粗加工 → 切配 → 烹饪 → 备餐 → 供餐",
        "冷食类食品制售" => "原料验收 → 贮存 → 加工 → 在专间内冷却、分装 → 供餐",
        "生食类食品制售" => "原料验收 → 冷藏 → 在专间内清洗、消毒、加工 → 供餐",
        "自制饮品制售" => "原料验收 → 贮存 → 调配制作 → 供应",
        "散装食品销售" => "进货查验 → 贮存 → 分区陈列（标明名称、日期、保质期）→ 销售",
        _ => "原料验收 → 贮存 → 加工 → 供应",
    }
}

/// 主要设备设施、经营布局、操作流程 description of the food licence.
fn food_layout(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("主要设备设施、经营布局和操作流程");
    doc.separator();
    doc.field("经营者名称", or_blank(&d.entity_name));
    doc.field("经营场所", or_blank(&d.premises));
    doc.field("经营面积", format!("{} 平方米", or_blank(&d.area)));
    doc.heading("经营项目及操作流程");
    if d.food_items.is_empty() {
        doc.item("·", "______________：______________");
    }
    for item in &d.food_items {
        doc.item("·", format!("{item}：{}", flow_of(item)));
    }
    doc.heading("主要设备设施");
    for e in [
        "食品原料、半成品、成品分区分架存放，离地离墙",
        "冷藏、冷冻设备",
        "清洗、消毒、保洁设施，专用洗手设施",
        "通风排烟、防尘、防蝇、防鼠、防虫设施",
        "带盖的废弃物存放容器",
        "更衣设施",
    ] {
        doc.item("·", e);
    }
    doc.heading("经营布局");
    doc.para("按原料进入、加工、成品出口单向流动布局，生熟分开、清污分开，避免交叉污染（食品安全法第三十三条）。专间、专用操作区的位置以现场核查为准。");
    doc.para("本说明的设备清单和流程按食品经营许可审查要求整理（待核实）；平面布局图是否另需提交，以窗口告知为准。");
    sign_off(&mut doc, d, "法定代表人（负责人）签名");
    doc
}

/// 合伙协议: the contents 《合伙企业法》第十八条 lists (名称和主要经营场所,
/// 合伙目的和经营范围, 合伙人, 出资, 利润分配和亏损分担, 合伙事务的执行,
/// 入伙与退伙, 争议解决, 解散与清算, 违约责任), filled from the form.
fn partnership_agreement(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("合伙协议");
    doc.centered(format!("（{}）", or_blank(&d.partnership_type)));
    doc.para("依据《中华人民共和国合伙企业法》第十八条应载明事项整理（条款措辞待核实，以登记机关范本为准）。");
    doc.separator();
    doc.item(
        "一、",
        format!(
            "企业名称：{}；主要经营场所：{}。",
            or_blank(&d.entity_name),
            or_blank(&d.address)
        ),
    );
    doc.item(
        "二、",
        format!(
            "合伙目的和经营范围：依法经营，{}（以登记机关登记的为准）。",
            or_blank(&d.scope)
        ),
    );
    doc.item("三、", "合伙人及其出资：");
    if d.partners.is_empty() {
        doc.item(
            "",
            "______________，______，认缴 ______ 万元，以 ______ 出资，于 ______ 前缴付。",
        );
    }
    for p in &d.partners {
        doc.item(
            "",
            format!(
                "{}，{}，认缴 {} 万元，以{}出资，于 {} 前缴付。",
                masked(&p.name),
                or_blank(&p.liability),
                or_blank(&p.subscribed),
                or_blank(&p.method),
                or_blank(&p.due_date)
            ),
        );
    }
    doc.item(
        "四、",
        "利润分配和亏损分担：按实缴出资比例分配、分担；无法确定的，由合伙人平均分配、分担。",
    );
    doc.item(
        "五、",
        format!(
            "合伙事务的执行：全体合伙人委托 {} 为执行事务合伙人，对外代表合伙企业。",
            masked(&d.legal_rep)
        ),
    );
    doc.item(
        "六、",
        "入伙、退伙、争议解决、解散与清算、违约责任：依照合伙企业法的规定。",
    );
    doc.item(
        "七、",
        "本协议经全体合伙人签名、盖章后生效；未尽事宜依照合伙企业法执行。",
    );
    sign_off(&mut doc, d, "全体合伙人签名（盖章）");
    doc
}

/// 全体合伙人委托执行事务合伙人的委托书.
fn partner_mandate(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("委托执行事务合伙人委托书");
    doc.separator();
    doc.field("合伙企业名称", or_blank(&d.entity_name));
    doc.para(format!(
        "全体合伙人一致同意，委托 {} 为本企业执行事务合伙人，对外代表合伙企业，执行合伙事务，期限与合伙期限相同。",
        masked(&d.legal_rep)
    ));
    sign_off(&mut doc, d, "全体合伙人签名（盖章）");
    doc
}

/// 分支机构负责人任命书, issued by the 隶属企业.
fn branch_head(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("分支机构负责人任命书");
    doc.separator();
    doc.field("隶属企业", or_blank(&d.parent_name));
    doc.field("分支机构", or_blank(&d.entity_name));
    doc.para(format!(
        "经本企业决定，任命 {} 为分支机构负责人，负责分支机构的经营管理。",
        masked(&d.legal_rep)
    ));
    sign_off(&mut doc, d, "隶属企业法定代表人签名（加盖隶属企业公章）");
    doc
}

/// The rules a public place keeps (公共场所卫生管理条例 and its 实施细则:
/// 卫生管理制度, 卫生管理人员, 从业人员健康检查和培训, 用品用具清洗消毒,
/// 卫生检测), as the 制度目录 the applicant signs (待核实: the hall's
/// own model may have more headings).
pub const HYGIENE_RULES: [&str; 7] = [
    "卫生管理制度和卫生管理人员职责",
    "从业人员健康检查和卫生知识培训制度",
    "顾客用品用具清洗、消毒、保洁制度",
    "公共场所卫生检测制度",
    "集中空调通风系统清洗消毒制度（有集中空调的）",
    "病媒生物防制制度",
    "危害健康事故应急处置制度",
];

/// 公共场所卫生管理制度.
fn hygiene_rules(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("公共场所卫生管理制度");
    doc.separator();
    doc.field("单位名称", or_blank(&d.entity_name));
    doc.field("经营场所", or_blank(&d.premises));
    doc.para("本单位建立并执行下列卫生管理制度（目录按《公共场所卫生管理条例》及其实施细则整理，待核实）：");
    for (n, rule) in HYGIENE_RULES.iter().enumerate() {
        doc.item(format!("{}.", n + 1), *rule);
    }
    if !d.managers.is_empty() {
        let names: Vec<String> = d
            .managers
            .iter()
            .map(|m| format!("{}（{}）", masked(&m.name), or_blank(&m.post)))
            .collect();
        doc.field("卫生管理人员", names.join("、"));
    }
    doc.para("制度文本留存于经营场所备查。");
    sign_off(&mut doc, d, "法定代表人（负责人）签名");
    doc
}

/// 治安保卫人员名单和安全管理制度 of a hotel (旅馆业治安管理办法).
fn hotel_security(d: &SigningData) -> Document {
    let mut doc = Document::default();
    doc.title("治安保卫人员名单和安全管理制度");
    doc.separator();
    doc.field("旅馆名称", or_blank(&d.entity_name));
    doc.field("经营场所", or_blank(&d.premises));
    doc.heading("治安保卫人员");
    let guards: Vec<&Officer> = d.managers.iter().chain(d.staff.iter()).collect();
    if guards.is_empty() {
        doc.item("·", "______________（职责：______）");
    }
    for g in guards {
        doc.item("·", format!("{}（{}）", masked(&g.name), or_blank(&g.post)));
    }
    doc.heading("安全管理制度");
    for (n, rule) in [
        "旅客住宿登记制度（如实登记身份证件，按规定报送住宿信息）",
        "旅客财物保管制度",
        "访客登记管理制度",
        "治安防范和值班巡查制度",
        "发现违法犯罪嫌疑人员和可疑情况及时报告制度",
    ]
    .iter()
    .enumerate()
    {
        doc.item(format!("{}.", n + 1), *rule);
    }
    doc.para("制度按《旅馆业治安管理办法》整理（待核实），以公安机关要求为准。");
    sign_off(&mut doc, d, "法定代表人（负责人）签名");
    doc
}

/// 告知承诺书 for the items of the notice a list opens to 告知承诺制: the
/// route's meaning as the catalog states it, the items, the signature.
/// Printed with the drafted documents; signed only by an applicant who
/// chooses that route at the window.
pub fn notification_commitment_document(
    d: &SigningData,
    items: &[(String, crate::catalog::CommitmentRoute)],
) -> Document {
    let mut doc = Document::default();
    doc.title("告知承诺书");
    doc.centered("（选择告知承诺方式办理的签署；按一般程序办理的不必签署）");
    doc.separator();
    doc.field("申请单位", or_blank(&d.entity_name));
    doc.field("经营场所", or_blank(&d.premises));
    for (n, (name, route)) in items.iter().enumerate() {
        doc.item(format!("{}.", n + 1), format!("{name}（{}）", route.time));
        doc.para(route.meaning.clone());
        let basis: Vec<String> = route
            .basis
            .iter()
            .map(|b| format!("{}{}", b.law, b.articles.as_deref().unwrap_or("")))
            .collect();
        let mark = if route.verified.is_verified() {
            ""
        } else {
            "（待核实）"
        };
        doc.para(format!("依据：{}{mark}", basis.join("；")));
    }
    doc.heading("本单位承诺");
    doc.para("已知悉上述许可条件和要求，现承诺本单位符合全部条件，所提交材料真实有效，并愿意接受核查；承诺不实的，愿意承担撤销许可等法律责任。");
    sign_off(&mut doc, d, "法定代表人（负责人）签名（盖章）");
    doc
}
