//! The hall's view: every message under `onevisit/<hall>/#` folded into
//! one card per kiosk, with what needs staff attention in words. The hall
//! page serves these cards; this module only keeps them.

use super::payload::{CommandResult, KioskEvent, KioskState, Presence};
use super::topic::{Topic, TopicKind};
use crate::staff::{DeviceCondition, PaperLevel};
use serde::Serialize;
use std::collections::BTreeMap;

/// Events kept per kiosk.
pub const EVENTS_KEPT: usize = 5;

/// One kiosk as the hall sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskCard {
    pub kiosk: String,
    /// None until a presence message arrived.
    pub online: Option<bool>,
    pub state: Option<KioskState>,
    /// When the hall last heard from it (its own clock).
    pub last_seen_ms: i64,
    /// Newest last.
    pub events: Vec<KioskEvent>,
    pub last_result: Option<CommandResult>,
    /// What needs attention, most urgent first (Chinese, for the card).
    pub alerts: Vec<String>,
    /// 0 fine, 1 look soon, 2 act now.
    pub severity: u8,
}

impl KioskCard {
    fn new(kiosk: &str) -> KioskCard {
        KioskCard {
            kiosk: kiosk.into(),
            online: None,
            state: None,
            last_seen_ms: 0,
            events: Vec::new(),
            last_result: None,
            alerts: Vec::new(),
            severity: 0,
        }
    }

    fn recompute(&mut self) {
        let mut urgent = Vec::new();
        let mut soon = Vec::new();
        if self.online == Some(false) {
            urgent.push("离线".to_string());
        }
        if let Some(s) = &self.state {
            if s.help.open > 0 {
                urgent.push(format!("呼叫工作人员（{}）", s.help.open));
            }
            match s.paper.level {
                PaperLevel::Out => urgent.push("缺纸".into()),
                PaperLevel::NearEnd => urgent.push("打印纸即将用完".into()),
                PaperLevel::Low => soon.push("纸量偏少".into()),
                PaperLevel::Ok => {}
            }
            for (device, condition) in &s.devices {
                let name = device.label_zh();
                match condition {
                    DeviceCondition::Online
                    | DeviceCondition::PaperNearEnd
                    | DeviceCondition::PaperOut => {}
                    DeviceCondition::Missing => soon.push(format!("{name}未连接")),
                    DeviceCondition::CoverOpen | DeviceCondition::Fault => {
                        urgent.push(format!("{name}{}", condition.label()))
                    }
                }
            }
            if s.out_of_service {
                soon.push("暂停服务".into());
            }
            if s.outbox.rejected > 0 {
                soon.push(format!("{} 件被平台退回", s.outbox.rejected));
            }
            if s.outbox.oldest_age_s.is_some_and(|a| a > 30 * 60) {
                soon.push(format!("{} 件待上传超过30分钟", s.outbox.depth));
            }
        }
        self.severity = if !urgent.is_empty() {
            2
        } else if !soon.is_empty() {
            1
        } else {
            0
        };
        urgent.extend(soon);
        self.alerts = urgent;
    }
}

/// Every kiosk of one hall.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HallView {
    pub hall: String,
    pub kiosks: BTreeMap<String, KioskCard>,
}

impl HallView {
    pub fn new(hall: &str) -> HallView {
        HallView {
            hall: hall.into(),
            kiosks: BTreeMap::new(),
        }
    }

    /// Takes one message. Returns the kiosk whose card changed, if any.
    /// Messages of other halls, commands, empty (cleared) retained
    /// payloads, malformed payloads and payloads naming another kiosk
    /// than their topic are ignored.
    pub fn apply(&mut self, topic: &str, payload: &[u8], now_ms: i64) -> Option<String> {
        let t = Topic::parse(topic)?;
        if t.hall != self.hall || payload.is_empty() {
            return None;
        }
        let kiosk = t.kiosk.clone();
        let named = |k: &str| (k == kiosk).then_some(());
        let card = match t.kind {
            TopicKind::Cmd => return None,
            TopicKind::State => {
                let s = KioskState::parse(payload).ok()?;
                named(s.kiosk.as_str())?;
                let card = self.card(&kiosk);
                card.state = Some(s);
                card
            }
            TopicKind::Online => {
                let p = Presence::parse(payload).ok()?;
                named(p.kiosk.as_str())?;
                let card = self.card(&kiosk);
                card.online = Some(p.online);
                card
            }
            TopicKind::Event => {
                let e = KioskEvent::parse(payload).ok()?;
                named(e.kiosk.as_str())?;
                let card = self.card(&kiosk);
                card.events.push(e);
                if card.events.len() > EVENTS_KEPT {
                    card.events.remove(0);
                }
                card
            }
            TopicKind::CmdResult => {
                let r = CommandResult::parse(payload).ok()?;
                named(r.kiosk.as_str())?;
                let card = self.card(&kiosk);
                card.last_result = Some(r);
                card
            }
        };
        card.last_seen_ms = now_ms;
        card.recompute();
        Some(kiosk)
    }

    fn card(&mut self, kiosk: &str) -> &mut KioskCard {
        self.kiosks
            .entry(kiosk.to_string())
            .or_insert_with(|| KioskCard::new(kiosk))
    }

    /// Counts for the page's header: kiosks, online, needing action now.
    pub fn summary(&self) -> (usize, usize, usize) {
        let cards = self.kiosks.values();
        (
            self.kiosks.len(),
            cards.clone().filter(|c| c.online == Some(true)).count(),
            cards.filter(|c| c.severity == 2).count(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::payload::*;
    use crate::fleet::topic::topic;
    use onevisit_drivers::manager::DeviceId;

    fn state(kiosk: &str, level: PaperLevel, help: u32) -> Vec<u8> {
        serde_json::to_vec(&KioskState {
            schema: 1,
            kiosk: Token::new(kiosk).unwrap(),
            at_ms: 5,
            software: Token::new("0.1.0").unwrap(),
            catalog: Some(Token::new("2026.11-1").unwrap()),
            paper: PaperState {
                level,
                percent: 3,
                visits_left: Some(2),
            },
            devices: BTreeMap::from([(DeviceId::Scanner, DeviceCondition::Fault)]),
            out_of_service: false,
            outbox: OutboxState {
                depth: 0,
                oldest_age_s: None,
                rejected: 0,
            },
            help: HelpState {
                open: help,
                since_ms: None,
            },
        })
        .unwrap()
    }

    #[test]
    fn cards_follow_the_messages() {
        let mut h = HallView::new("hualong");
        let t = |k, kind| topic("hualong", k, kind);
        assert_eq!(
            h.apply(
                &t("K0101", TopicKind::State),
                &state("K0101", PaperLevel::Out, 1),
                10
            ),
            Some("K0101".into())
        );
        let c = &h.kiosks["K0101"];
        assert_eq!(c.severity, 2);
        assert_eq!(
            c.alerts,
            vec!["呼叫工作人员（1）", "缺纸", "扫码器故障"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            "{:?}",
            c.alerts
        );
        let offline = Presence::new(&Token::new("K0101").unwrap(), false).to_json();
        h.apply(&t("K0101", TopicKind::Online), &offline, 11);
        assert_eq!(h.kiosks["K0101"].alerts[0], "离线");
        assert_eq!(h.summary(), (1, 0, 1));
        // Ignored: another hall, a state naming another kiosk, garbage, clears, commands.
        assert_eq!(
            h.apply(
                "onevisit/other/K0101/state",
                &state("K0101", PaperLevel::Ok, 0),
                12
            ),
            None
        );
        assert_eq!(
            h.apply(
                &t("K0102", TopicKind::State),
                &state("K0101", PaperLevel::Ok, 0),
                12
            ),
            None
        );
        assert_eq!(h.apply(&t("K0101", TopicKind::State), b"{", 12), None);
        assert_eq!(h.apply(&t("K0101", TopicKind::State), b"", 12), None);
        assert_eq!(h.apply(&t("K0101", TopicKind::Cmd), b"{}", 12), None);
        assert_eq!(h.kiosks.len(), 1);
        assert_eq!(h.kiosks["K0101"].last_seen_ms, 11);
    }
}
