//! The topic tree:
//!
//! ```text
//! onevisit/<hall>/<kiosk>/state        retained, QoS 1: KioskState
//! onevisit/<hall>/<kiosk>/online       retained, QoS 1: Presence (the last will says offline)
//! onevisit/<hall>/<kiosk>/event        QoS 1: KioskEvent
//! onevisit/<hall>/<kiosk>/cmd          QoS 1, not retained: SignedCommand (hall → kiosk)
//! onevisit/<hall>/<kiosk>/cmd-result   QoS 1: CommandResult (kiosk → hall)
//! ```
//!
//! A hall follows `onevisit/<hall>/#`. Hall and kiosk names are
//! [`valid_segment`]s, so no name can hold a wildcard or a slash.

/// The first level of every topic.
pub const ROOT: &str = "onevisit";

/// Which of a kiosk's topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicKind {
    State,
    Online,
    Event,
    Cmd,
    CmdResult,
}

impl TopicKind {
    pub const ALL: [TopicKind; 5] = [
        TopicKind::State,
        TopicKind::Online,
        TopicKind::Event,
        TopicKind::Cmd,
        TopicKind::CmdResult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TopicKind::State => "state",
            TopicKind::Online => "online",
            TopicKind::Event => "event",
            TopicKind::Cmd => "cmd",
            TopicKind::CmdResult => "cmd-result",
        }
    }

    fn parse(s: &str) -> Option<TopicKind> {
        TopicKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One kiosk topic, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    pub hall: String,
    pub kiosk: String,
    pub kind: TopicKind,
}

impl Topic {
    /// Parses `onevisit/<hall>/<kiosk>/<kind>`; anything else is None.
    pub fn parse(topic: &str) -> Option<Topic> {
        let mut parts = topic.split('/');
        let (root, hall, kiosk, kind) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if root != ROOT || parts.next().is_some() || !valid_segment(hall) || !valid_segment(kiosk) {
            return None;
        }
        Some(Topic {
            hall: hall.into(),
            kiosk: kiosk.into(),
            kind: TopicKind::parse(kind)?,
        })
    }
}

/// `onevisit/<hall>/<kiosk>/<kind>`.
pub fn topic(hall: &str, kiosk: &str, kind: TopicKind) -> String {
    format!("{ROOT}/{hall}/{kiosk}/{}", kind.as_str())
}

/// What a hall subscribes to: `onevisit/<hall>/#`.
pub fn hall_filter(hall: &str) -> String {
    format!("{ROOT}/{hall}/#")
}

/// A hall or kiosk name usable as one topic level: 1–32 of
/// `A-Z a-z 0-9 _ -`.
pub fn valid_segment(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip() {
        for kind in TopicKind::ALL {
            let t = topic("hualong", "K0101", kind);
            assert_eq!(
                Topic::parse(&t),
                Some(Topic {
                    hall: "hualong".into(),
                    kiosk: "K0101".into(),
                    kind
                })
            );
        }
        assert_eq!(hall_filter("hualong"), "onevisit/hualong/#");
    }

    #[test]
    fn foreign_topics_are_not_ours() {
        for t in [
            "onevisit/hualong/K0101",
            "onevisit/hualong/K0101/state/x",
            "other/hualong/K0101/state",
            "onevisit/hua long/K0101/state",
            "onevisit/hualong/+/state",
            "onevisit/hualong/K0101/status",
            "onevisit//K0101/state",
        ] {
            assert_eq!(Topic::parse(t), None, "{t}");
        }
        assert!(!valid_segment("a#"));
        assert!(!valid_segment(&"a".repeat(33)));
    }
}
