//! What each screen says aloud (读屏, issue 14.2): the Chinese a person
//! needs to use the screen without seeing it, built from the session's own
//! data, never from the UI's strings. The UI says [`Utterance::text`] when
//! [`Utterance::key`] changes (and speech is on), so the key names what is
//! on screen: the page (and question), a digest of what would be said, and
//! the idle prompt on or off. The idle countdown's seconds are left out of
//! the key, so the prompt is said once when it appears, not every second.
//!
//! No personal data beyond what the applicant's own screen shows unmasked:
//! never a name or an identity number, and no typed value at all (the form
//! and review pages say their headings, problems and materials).

use super::application::{FieldPath, Provision};
use super::session::{CardState, Page, PrintStatus, SessionController};
use crate::guide::Notice;
use onevisit_drivers::speech::MAX_TEXT_CHARS;

/// 音量 − / + move the loudness by this many percent of the voice's full
/// (undistorted) level, between [`MIN_VOLUME`] and 100.
pub const VOLUME_STEP: u8 = 10;
pub const MIN_VOLUME: u8 = 10;
/// Where a visit starts unless kiosk.toml says otherwise: room to go up.
pub const DEFAULT_VOLUME: u8 = 80;

/// What the screen says, and which state of the screen it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    pub key: String,
    pub text: String,
}

/// The applicant's speech choices for this visit, forgotten by a wipe
/// (the kiosk's default loudness stays).
#[derive(Debug, Clone)]
pub(super) struct SpeechPrefs {
    /// 自动朗读 turned on or off by the applicant; None: on in 长者模式.
    chosen: Option<bool>,
    volume: Option<u8>,
    default_volume: u8,
}

impl Default for SpeechPrefs {
    fn default() -> Self {
        SpeechPrefs {
            chosen: None,
            volume: None,
            default_volume: DEFAULT_VOLUME,
        }
    }
}

impl SpeechPrefs {
    pub(super) fn forget(&mut self) {
        self.chosen = None;
        self.volume = None;
    }
}

impl SessionController {
    /// The loudness each visit starts at (kiosk.toml `speech_volume`).
    pub fn with_speech_volume(mut self, percent: u8) -> Self {
        self.speech.default_volume = percent.clamp(MIN_VOLUME, 100);
        self
    }

    /// 自动朗读: each new screen is read aloud. On in 长者模式 unless the
    /// applicant turned it off, off otherwise unless they turned it on.
    pub fn speech_on(&self) -> bool {
        self.speech.chosen.unwrap_or(self.elderly())
    }

    /// The 自动朗读 switch.
    pub fn toggle_speech(&mut self) {
        self.touch();
        self.speech.chosen = Some(!self.speech_on());
    }

    /// Loudness in percent of the voice's full level.
    pub fn speech_volume(&self) -> u8 {
        self.speech.volume.unwrap_or(self.speech.default_volume)
    }

    /// 音量 +.
    pub fn speech_louder(&mut self) {
        self.touch();
        self.speech.volume = Some(self.speech_volume().saturating_add(VOLUME_STEP).min(100));
    }

    /// 音量 −.
    pub fn speech_quieter(&mut self) {
        self.touch();
        let v = self.speech_volume().saturating_sub(VOLUME_STEP);
        self.speech.volume = Some(v.max(MIN_VOLUME));
    }

    /// What the screen on show says: an overlay (the idle prompt, the help
    /// message) instead of its page while it shows.
    pub fn utterance(&self) -> Utterance {
        let (page_key, page_text) = self.page_speech();
        if let Some(seconds) = self.idle_countdown() {
            let text = format!(
                "您还在吗？{seconds} 秒后将清除您的信息，回到首页。要继续办理，请点“我还在，继续办理”。"
            );
            return Utterance {
                key: format!("{page_key}|idle"),
                text,
            };
        }
        let text = match self.help_message() {
            Some(help) => format!("{help}点“知道了”关闭这条提示。"),
            None => page_text,
        };
        let text = fit(text);
        Utterance {
            key: format!("{page_key}#{:016x}", digest(&text)),
            text,
        }
    }

    /// The page's key (page, and question) and text.
    fn page_speech(&self) -> (String, String) {
        let mut key = format!("{:?}", self.page());
        let mut s = Said::default();
        match self.page() {
            Page::Welcome => {
                if self.wiped_for_idle() {
                    s.add("上一位办事人长时间未操作，信息已全部清除。");
                }
                s.add("欢迎使用一件事一次办自助服务。开店、开诊所、开药店，一件事，一次办好。");
                s.add("请点“开始办理”，或者直接把身份证放在下方的读卡区。");
                s.add("查询办理进度，请点“办件查询”。");
                s.opt(self.reader_problem());
            }
            Page::CardRead => {
                s.add("读取身份证。");
                match self.card() {
                    CardState::Waiting | CardState::Skipped => {
                        s.add("请把身份证平放在下方的读卡区。没有带证件，可以点“不用证件，继续”。");
                    }
                    CardState::Read(_) => {
                        s.add("已读取您的证件。个人信息授权：本机将使用证件上的信息，为您自动填写申请表并提交给办理部门，信息只用于本次办理，结束后立即从本机清除。");
                        s.add("同意请点“同意并继续”；不同意，可以点“不用证件，继续”。");
                    }
                    CardState::Rejected(why) => {
                        s.add("这张证件不能使用。");
                        s.add(why);
                        s.add("您可以换一张有效证件放上，或者点“不用证件，继续”。");
                    }
                }
                s.opt(self.reader_problem());
            }
            Page::BundleChoice => {
                if self.consented_card().is_some() {
                    s.add("身份证已读取，请取走身份证，妥善保管。");
                }
                let bundles = &self.catalog().bundles;
                s.add(&format!("请选择您要办的事，共 {} 件：", bundles.len()));
                s.list("第{}件，", bundles.iter().map(|b| b.def.name.as_str()));
            }
            Page::Questionnaire => {
                if let Some((q, _, total)) = self.question() {
                    key = format!("{key}:{}", q.id);
                    s.opt(self.bundle_name().as_deref());
                    s.add(&format!("第 {} 个问题，共 {total} 个：", q.step));
                    s.add(&q.text);
                    s.opt(q.hint.as_deref());
                    s.add("请选择：");
                    s.list("第{}项，", q.options.iter().map(|o| o.label.as_str()));
                }
            }
            Page::Referral => {
                s.opt(self.bundle_name().as_deref());
                if let Some(r) = self.referral() {
                    s.add(r.title());
                    s.add(&r.reason);
                    s.add(&format!("{}{}", r.where_label(), r.go_to));
                }
            }
            Page::Notice => {
                if let Some(n) = self.notice() {
                    notice(&mut s, &n);
                }
                s.add(match self.print_status() {
                    PrintStatus::Idle => "",
                    PrintStatus::Printing => "正在打印告知单，请稍候。",
                    PrintStatus::Printed => "告知单已打印，请从出纸口取走。",
                    PrintStatus::Failed(why) => why,
                });
                s.add("要在本机申请，请点“我要申请”；也可以点“打印告知单”带走。");
            }
            Page::Form => self.form(&mut s),
            Page::Materials => self.materials(&mut s),
            Page::Review => self.review(&mut s),
            Page::Done => self.done_page(&mut s),
            Page::Query => {
                let q = self.staff().query();
                s.add("办件查询。请扫描回执上的二维码，或者输入受理编号和身份证号码后四位，再点“查询”。");
                if q.waiting {
                    s.add("正在查询，请稍候。");
                }
                s.opt(q.message.as_deref());
            }
            Page::QueryResult => {
                s.add("办件查询结果。");
                if let Some(crate::progress::ProgressAnswer::Found(v)) =
                    &self.staff().query().answer
                {
                    s.add(&v.headline);
                    let lines: Vec<String> = v
                        .items
                        .iter()
                        .map(|i| format!("{}：{}", i.name, i.status))
                        .collect();
                    s.list("第{}项，", lines.iter().map(String::as_str));
                    s.opt(v.note.as_deref());
                }
                s.add("看完请点“返回首页”。");
            }
            Page::StaffPin => s.add("维护登录，请工作人员输入维护密码。"),
            Page::Staff => s.add("维护模式。"),
            Page::OutOfService => {
                s.add("本机暂停服务。");
                s.opt(self.staff().block());
                s.add("给您带来不便，敬请谅解。");
            }
        }
        (key, s.0)
    }

    fn bundle_name(&self) -> Option<String> {
        let b = self.catalog().bundle(self.bundle()?)?;
        Some(format!("{}。", b.def.name))
    }

    fn form(&self, s: &mut Said) {
        let Some(a) = self.application() else {
            return;
        };
        let Some(section) = a.form().sections.get(a.section_index()) else {
            return;
        };
        s.add(&format!(
            "填写申请表，第 {} 页，共 {} 页：{}。",
            a.section_index() + 1,
            a.section_count(),
            section.title
        ));
        if let Some(path) = self.editing() {
            s.add(&format!(
                "正在填写：{}。",
                a.label(path).unwrap_or_default()
            ));
        }
        s.opt(self.message());
        let errors = a.all_errors();
        let shown: Vec<String> = errors
            .iter()
            .filter(|e| section.fields.iter().any(|f| f.id == e.field))
            .filter(|e| {
                let path = FieldPath {
                    field: e.field.clone(),
                    record: e.record,
                    sub: e.subfield.clone(),
                };
                a.shown_error(&path, &errors).is_some()
            })
            .map(ToString::to_string)
            .collect();
        s.list("第{}处，", shown.iter().map(String::as_str));
        if shown.is_empty() && self.message().is_none() && self.editing().is_none() {
            s.add("请逐项点击填写，标星号的必须填写。填好后点“下一页”。");
        }
    }

    fn materials(&self, s: &mut Said) {
        let Some(a) = self.application() else {
            return;
        };
        let materials = a.materials();
        s.add(&format!("材料怎么交，共 {} 份：", materials.len()));
        let lines: Vec<String> = materials
            .iter()
            .map(|m| {
                let mut how = m.how(false);
                if m.provision == Provision::Bring && m.may_come_later {
                    how.push_str("，可容缺");
                }
                format!("{}，{}", m.name, how)
            })
            .collect();
        s.list("第{}份，", lines.iter().map(String::as_str));
        if materials.iter().any(|m| m.may_come_later) {
            s.add(&format!(
                "标“可容缺”的材料暂时没有，可以点“暂缺，承诺补交”，在 {} 前补交。",
                date(&a.later_deadline())
            ));
        }
        s.add("看完请点“下一步：核对提交”。");
    }

    fn review(&self, s: &mut Said) {
        let Some(a) = self.application() else {
            return;
        };
        let titles: Vec<&str> = a.form().sections.iter().map(|t| t.title.as_str()).collect();
        s.add(&format!(
            "核对并提交。请核对申请表的 {} 页：{}；和 {} 份材料。要修改，请点那一页的“修改”。",
            titles.len(),
            titles.join("、"),
            a.materials().len()
        ));
        s.add(if a.declared() {
            "您已勾选本人承诺，请点“确认提交”。"
        } else {
            "请勾选“本人承诺：所填信息和所交材料真实、准确、完整”，再点“确认提交”。"
        });
        if self.offline() {
            s.add("网络暂时中断，申请会先保存在本机，网络恢复后自动提交。");
        }
        s.opt(self.message());
    }

    fn done_page(&self, s: &mut Said) {
        let Some(d) = self.done() else {
            return;
        };
        s.add(&format!("申请已提交：{}。", d.bundle_name));
        s.add(&format!("受理编号：{}。", spell(&d.receipt)));
        s.add(match self.print_status() {
            PrintStatus::Idle => "",
            PrintStatus::Printing => "正在打印回执，请稍候。",
            PrintStatus::Printed => "回执已打印，请从出纸口取走。",
            PrintStatus::Failed(why) => why,
        });
        if matches!(self.print_status(), PrintStatus::Failed(_)) {
            s.add("请记下受理编号。");
            if self.can_reprint() {
                s.add("打印机已恢复，请点“补打回执”。");
            }
        }
        s.add(&format!("请带齐材料到{}核验。", d.window));
        if let Some(deadline) = &d.deadline {
            s.add(&format!(
                "容缺材料请在 {deadline} 前补交：{}。",
                d.later.join("、")
            ));
        }
        s.add("请对本次服务评价，也可以点“完成”结束。");
        s.opt(self.message());
    }
}

/// The notice: its bundle and lead, the items, then its sections in their
/// one order (`Notice::sections`). Said whole while it fits the engine's
/// limit with room for the page's last sentences; else each item's
/// conditions are only counted, so every section is still heard.
fn notice(s: &mut Said, n: &Notice) {
    let sections = n.sections();
    let say = |brief: bool| {
        let mut t = Said::default();
        t.add(&format!(
            "一次告知单：{}。牵头部门：{}。",
            n.bundle.name, n.lead_department.name
        ));
        t.add(&n.items_line());
        for section in &sections {
            t.add(&format!("{}：", section.title));
            t.add(&section.spoken(brief));
        }
        t.0
    };
    let full = say(false);
    s.0.push_str(&if full.chars().count() <= NOTICE_CHARS {
        full
    } else {
        say(true)
    });
}

/// What the notice itself may take of [`MAX_TEXT_CHARS`]: the rest is for
/// the print status and how to go on.
const NOTICE_CHARS: usize = MAX_TEXT_CHARS - 150;

/// Sentences, each closed by its own punctuation.
#[derive(Default)]
struct Said(String);

impl Said {
    fn add(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.0.push_str(text);
        if !text.ends_with(['。', '？', '！', '：', '，', '；']) {
            self.0.push('。');
        }
    }

    fn opt(&mut self, text: Option<&str>) {
        self.add(text.unwrap_or_default());
    }

    /// "第1项，甲；第2项，乙。" (`numbered` holds one `{}`).
    fn list<'a>(&mut self, numbered: &str, items: impl Iterator<Item = &'a str>) {
        let lines: Vec<String> = items
            .enumerate()
            .map(|(i, t)| format!("{}{t}", numbered.replace("{}", &(i + 1).to_string())))
            .collect();
        if !lines.is_empty() {
            self.add(&lines.join("；"));
        }
    }
}

/// A code read one character at a time, digits as 零一二…, dashes as
/// pauses: "K0101-2026…" is not a number of trillions.
pub fn spell(code: &str) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => DIGITS[d as usize].to_string(),
            None if c == '-' => "，".into(),
            None => format!("{c} "),
        })
        .collect()
}

/// 2026年12月10日 (a date as said, not "2026 dash 12").
fn date(d: &chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The speech engine's limit, cut at the last full sentence within it.
fn fit(text: String) -> String {
    if text.chars().count() <= MAX_TEXT_CHARS {
        return text;
    }
    let head: String = text.chars().take(MAX_TEXT_CHARS).collect();
    match head.rfind('。') {
        Some(end) => head[..end + '。'.len_utf8()].to_string(),
        None => head,
    }
}

/// FNV-1a: a short, stable digest for the key.
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applicant::CardData;
    use crate::catalog::Catalog;
    use onevisit_drivers::sim::sam::TestCard;
    use std::time::Duration;

    fn controller() -> SessionController {
        SessionController::new(Catalog::load_default().unwrap())
    }

    fn card() -> CardData {
        CardData::from(&TestCard::Resident.record())
    }

    fn to_notice(c: &mut SessionController) {
        c.start();
        c.card_placed(card());
        c.consent();
        c.choose_bundle("B01");
        while let Some((_, selected, _)) = c.question() {
            c.answer(&selected);
        }
        assert_eq!(c.page(), Page::Notice);
    }

    fn said(c: &SessionController) -> String {
        c.utterance().text
    }

    #[test]
    fn welcome_and_card_pages_say_what_to_do() {
        let mut c = controller();
        assert!(said(&c).contains("开始办理"), "{}", said(&c));
        c.start();
        assert!(said(&c).contains("请把身份证平放在下方的读卡区"));
        let waiting = c.utterance().key;
        c.card_placed(card());
        let t = said(&c);
        assert!(
            t.contains("已读取您的证件") && t.contains("同意并继续"),
            "{t}"
        );
        assert_ne!(c.utterance().key, waiting);
        assert!(!t.contains("测试甲") && !t.contains("410902"), "{t}");
        c.consent();
        let t = said(&c);
        assert!(t.starts_with("身份证已读取，请取走身份证"), "{t}");
        assert!(t.contains("第1件，开办餐馆、饭店"), "{t}");
        c.back();
        c.card_rejected("证件已过有效期");
        let t = said(&c);
        assert!(t.contains("这张证件不能使用。证件已过有效期。"), "{t}");
    }

    #[test]
    fn a_question_says_its_text_then_each_option_and_a_new_one_a_new_key() {
        let mut c = controller();
        c.card_placed(card());
        c.consent();
        c.choose_bundle("B01");
        let (q, selected, total) = c.question().unwrap();
        let u = c.utterance();
        assert!(u.text.contains(&q.text), "{}", u.text);
        assert!(u.text.contains(&format!("共 {total} 个")));
        for (i, o) in q.options.iter().enumerate() {
            assert!(
                u.text.contains(&format!("第{}项，{}", i + 1, o.label)),
                "{}",
                u.text
            );
        }
        assert!(u.key.contains(&q.id), "{}", u.key);
        c.answer(&selected);
        let next = c.utterance();
        assert_ne!(next.key, u.key);
        assert_ne!(next.text, u.text);
        c.back();
        let again = c.utterance();
        assert!(again.key.contains(&q.id) && again.text.contains(&q.text));
    }

    #[test]
    fn the_notice_says_items_conditions_materials_once_time_and_where() {
        let mut c = controller();
        to_notice(&mut c);
        let n = c.notice().unwrap();
        let t = said(&c);
        assert!(
            t.starts_with(&format!("一次告知单：{}", n.bundle.name)),
            "{t}"
        );
        for i in &n.items {
            assert!(t.contains(&i.name), "{}", i.name);
            for cond in &i.conditions {
                assert!(t.contains(&cond.text), "{}", cond.text);
            }
        }
        for m in &n.materials {
            assert!(t.contains(&m.name), "{}", m.name);
        }
        assert!(t.contains(&n.schedule_sentences()[0]));
        assert!(t.contains(&n.directions[0]));
        assert!(t.chars().count() <= MAX_TEXT_CHARS, "{}", t.chars().count());
        let before = c.utterance().key;
        c.print_notice();
        assert!(said(&c).contains("正在打印告知单"));
        assert_ne!(c.utterance().key, before, "printing is news");
        c.print_finished(Ok(()));
        assert!(said(&c).contains("告知单已打印，请从出纸口取走"));
    }

    #[test]
    fn the_form_says_its_page_then_the_problems_once_they_show() {
        let mut c = controller();
        to_notice(&mut c);
        c.apply();
        let t = said(&c);
        assert!(t.starts_with("填写申请表，第 1 页，共"), "{t}");
        assert!(t.contains("下一页"), "{t}");
        let quiet = c.utterance().key;
        c.form_next();
        let n = c.application().unwrap().open_problems().unwrap();
        assert!(n > 0, "the first page needs typing");
        let t = said(&c);
        assert!(t.contains(&format!("本页还有 {n} 处")), "{t}");
        assert!(t.contains("第1处，"), "the errors are read: {t}");
        assert_ne!(c.utterance().key, quiet);
    }

    #[test]
    fn codes_are_spelled_and_dates_said() {
        assert_eq!(
            spell("K0101-20261129-00042-7"),
            "K 零一零一，二零二六一一二九，零零零四二，七"
        );
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(date(&d), "2026年12月1日");
    }

    #[test]
    fn the_idle_prompt_is_said_once_and_help_replaces_the_page() {
        let mut c = controller().with_idle(Duration::from_secs(60), Duration::from_secs(20));
        c.start();
        let page = c.utterance();
        c.tick(Duration::from_secs(60));
        let prompt = c.utterance();
        assert!(
            prompt.text.starts_with("您还在吗？20 秒后"),
            "{}",
            prompt.text
        );
        assert_ne!(prompt.key, page.key);
        c.tick(Duration::from_secs(1));
        let later = c.utterance();
        assert_eq!(
            later.key, prompt.key,
            "the countdown does not change the key"
        );
        assert!(
            later.text.contains("19 秒后"),
            "重听 says the time left now"
        );
        c.touch();
        assert_eq!(c.utterance(), page);
        c.call_staff();
        let help = c.utterance();
        assert!(help.text.contains("找工作人员") && help.text.ends_with("关闭这条提示。"));
        assert_ne!(help.key, page.key);
    }

    #[test]
    fn query_and_staff_pages_say_a_short_line() {
        let mut c = controller();
        c.query_open();
        assert!(said(&c).starts_with("办件查询。"));
        c.query_submit();
        assert!(
            said(&c).contains("请先输入回执上的受理编号"),
            "{}",
            said(&c)
        );
    }

    #[test]
    fn speech_is_on_in_elderly_mode_until_turned_off_and_a_wipe_forgets_it() {
        let mut c = controller();
        assert!(!c.speech_on());
        c.toggle_elderly();
        assert!(c.speech_on(), "长者模式 turns speech on");
        c.toggle_speech();
        assert!(!c.speech_on(), "the applicant's choice wins");
        c.toggle_elderly();
        c.toggle_elderly();
        assert!(!c.speech_on());
        c.wipe();
        assert!(!c.speech_on());
        c.toggle_speech();
        assert!(c.speech_on(), "standard mode, turned on");
        c.toggle_elderly();
        c.toggle_elderly();
        assert!(c.speech_on());
        assert_eq!(c.speech_volume(), DEFAULT_VOLUME);
        c.speech_louder();
        c.speech_louder();
        c.speech_louder();
        assert_eq!(c.speech_volume(), 100);
        for _ in 0..20 {
            c.speech_quieter();
        }
        assert_eq!(c.speech_volume(), MIN_VOLUME);
        c.wipe();
        assert!(!c.speech_on());
        assert_eq!(c.speech_volume(), DEFAULT_VOLUME);
        let c = controller().with_speech_volume(55);
        assert_eq!(c.speech_volume(), 55);
    }

    #[test]
    fn a_long_text_is_cut_at_a_sentence() {
        let long = "这是一句话。".repeat(MAX_TEXT_CHARS / 3);
        let cut = fit(long);
        assert!(cut.chars().count() <= MAX_TEXT_CHARS);
        assert!(cut.ends_with('。'));
    }
}
