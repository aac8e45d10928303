//! DLE EOT n real-time status replies (n = 1..4) and what they mean.

use std::fmt;

/// The request bytes for DLE EOT `n`.
pub fn status_request(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// A reply that cannot be a DLE EOT status byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("状态请求编号应为1-4，实际{0} (DLE EOT n out of range)")]
    BadRequest(u8),
    #[error("打印机状态字节 0x{byte:02X}（DLE EOT {n}）不符合 0xx1xx10 格式 (not a status byte)")]
    BadReply { n: u8, byte: u8 },
    #[error("状态回复应为1-4字节，实际{0}字节 (status replies for n=1..4)")]
    ReplyCount(usize),
}

/// Every fixed bit of a status byte: bits 0, 1, 4, 7 must read 0, 1, 1, 0 → 0xx1xx10.
fn is_status_byte(byte: u8) -> bool {
    byte & 0b1001_0011 == 0b0001_0010
}

/// What the four DLE EOT replies say. Fields of a reply not asked for
/// keep their healthy default; `answered` lists which were.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PrinterStatus {
    /// n=1 bit 3 clear.
    pub online: bool,
    /// n=1 bit 5: waiting to come back online.
    pub waiting_online_recovery: bool,
    /// n=1 bit 6 / n=2 bit 3: the feed button is held.
    pub feed_button: bool,
    /// n=2 bit 2.
    pub cover_open: bool,
    /// n=2 bit 5: printing stopped at the paper end.
    pub paper_stop: bool,
    /// n=2 bit 6: an error occurred (details in n=3).
    pub error: bool,
    /// n=3 bit 2: recoverable mechanical error.
    pub recoverable_error: bool,
    /// n=3 bit 3.
    pub cutter_error: bool,
    /// n=3 bit 5.
    pub unrecoverable_error: bool,
    /// n=3 bit 6 (e.g. head overheated).
    pub auto_recoverable_error: bool,
    /// n=4 bits 2-3.
    pub paper_near_end: bool,
    /// n=4 bits 5-6, or n=2 bit 5.
    pub paper_out: bool,
    /// Which of n = 1..4 were answered.
    pub answered: [bool; 4],
}

/// One thing wrong with the printer, for screens and staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Offline,
    CoverOpen,
    PaperOut,
    PaperNearEnd,
    CutterError,
    UnrecoverableError,
    RecoverableError,
    AutoRecoverableError,
    OtherError,
}

impl Problem {
    /// True when nothing can be printed until someone acts.
    pub fn blocks_printing(self) -> bool {
        !matches!(self, Problem::PaperNearEnd | Problem::AutoRecoverableError)
    }

    /// What staff should do, in Chinese (English in parentheses).
    pub fn message(self) -> &'static str {
        match self {
            Problem::Offline => "打印机离线，请检查电源和连接 (offline)",
            Problem::CoverOpen => "打印机纸仓盖未关好，请合上纸仓盖 (cover open)",
            Problem::PaperOut => "打印机缺纸，请更换纸卷 (paper out)",
            Problem::PaperNearEnd => "打印纸即将用完，请准备更换纸卷 (paper near end)",
            Problem::CutterError => "切刀故障，请打开纸仓检查是否卡纸 (autocutter error)",
            Problem::UnrecoverableError => {
                "打印机发生不可恢复的故障，请断电重启或报修 (unrecoverable error)"
            }
            Problem::RecoverableError => "打印机机械故障，请检查后重新开机 (recoverable error)",
            Problem::AutoRecoverableError => {
                "打印头过热等临时故障，稍后自动恢复 (auto-recoverable error)"
            }
            Problem::OtherError => "打印机报告故障 (error)",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Overall state in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Can print, nothing to do.
    Ready,
    /// Can print, but staff should act soon (paper near end).
    Warning,
    /// Cannot print.
    Blocked,
}

impl PrinterStatus {
    /// A status with every answer healthy and none recorded.
    pub fn healthy() -> Self {
        Self {
            online: true,
            ..Self::default()
        }
    }

    /// Applies the reply `byte` to DLE EOT `n`.
    pub fn apply(&mut self, n: u8, byte: u8) -> Result<(), StatusError> {
        if !(1..=4).contains(&n) {
            return Err(StatusError::BadRequest(n));
        }
        if !is_status_byte(byte) {
            return Err(StatusError::BadReply { n, byte });
        }
        let bit = |b: u8| byte & (1 << b) != 0;
        match n {
            1 => {
                self.online = !bit(3);
                self.waiting_online_recovery = bit(5);
                self.feed_button |= bit(6);
            }
            2 => {
                self.cover_open = bit(2);
                self.feed_button |= bit(3);
                self.paper_stop = bit(5);
                self.paper_out |= bit(5);
                self.error = bit(6);
            }
            3 => {
                self.recoverable_error = bit(2);
                self.cutter_error = bit(3);
                self.unrecoverable_error = bit(5);
                self.auto_recoverable_error = bit(6);
            }
            _ => {
                // Either bit of each pair is enough: models differ in which they set.
                self.paper_near_end = byte & 0x0C != 0;
                self.paper_out |= byte & 0x60 != 0;
            }
        }
        self.answered[usize::from(n - 1)] = true;
        Ok(())
    }

    /// From the replies to n = 1, 2, ... in order (1 to 4 bytes).
    pub fn from_replies(replies: &[u8]) -> Result<Self, StatusError> {
        if replies.is_empty() || replies.len() > 4 {
            return Err(StatusError::ReplyCount(replies.len()));
        }
        let mut status = Self::healthy();
        for (n, byte) in (1u8..).zip(replies) {
            status.apply(n, *byte)?;
        }
        Ok(status)
    }

    /// Every problem, most serious first.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |cond: bool, p| {
            if cond {
                out.push(p)
            }
        };
        add(self.unrecoverable_error, Problem::UnrecoverableError);
        add(self.cover_open, Problem::CoverOpen);
        add(self.paper_out, Problem::PaperOut);
        add(self.cutter_error, Problem::CutterError);
        add(self.recoverable_error, Problem::RecoverableError);
        let explained = self.unrecoverable_error
            || self.cutter_error
            || self.recoverable_error
            || self.auto_recoverable_error;
        add(self.error && !explained, Problem::OtherError);
        // Offline is usually a consequence of the above; name it alone only.
        add(
            !self.online && !self.cover_open && !self.paper_out && !self.error,
            Problem::Offline,
        );
        add(self.auto_recoverable_error, Problem::AutoRecoverableError);
        add(
            self.paper_near_end && !self.paper_out,
            Problem::PaperNearEnd,
        );
        out
    }

    pub fn health(&self) -> Health {
        let problems = self.problems();
        if problems.iter().any(|p| p.blocks_printing()) || !self.online {
            Health::Blocked
        } else if problems.is_empty() {
            Health::Ready
        } else {
            Health::Warning
        }
    }

    /// One line for screens and logs, in Chinese.
    pub fn summary(&self) -> String {
        let problems = self.problems();
        if problems.is_empty() {
            if self.online {
                return "打印机正常 (ready)".into();
            }
            return Problem::Offline.message().into();
        }
        problems
            .iter()
            .map(|p| p.message())
            .collect::<Vec<_>>()
            .join("；")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_and_each_fault() {
        let ok = PrinterStatus::from_replies(&[0x12, 0x12, 0x12, 0x12]).unwrap();
        assert_eq!(ok.health(), Health::Ready);
        assert_eq!(ok.answered, [true; 4]);
        assert_eq!(ok.summary(), "打印机正常 (ready)");

        let near = PrinterStatus::from_replies(&[0x12, 0x12, 0x12, 0x1E]).unwrap();
        assert_eq!(near.problems(), [Problem::PaperNearEnd]);
        assert_eq!(near.health(), Health::Warning);

        let out = PrinterStatus::from_replies(&[0x1A, 0x32, 0x12, 0x72]).unwrap();
        assert!(out.paper_out && !out.online && out.paper_stop);
        assert_eq!(out.problems(), [Problem::PaperOut]);
        assert_eq!(out.health(), Health::Blocked);
        assert!(out.summary().contains("缺纸"));

        let cover = PrinterStatus::from_replies(&[0x1A, 0x16]).unwrap();
        assert_eq!(cover.problems(), [Problem::CoverOpen]);
        assert_eq!(cover.answered, [true, true, false, false]);

        let cutter = PrinterStatus::from_replies(&[0x1A, 0x52, 0x1A]).unwrap();
        assert_eq!(cutter.problems(), [Problem::CutterError]);
        let dead = PrinterStatus::from_replies(&[0x1A, 0x52, 0x32]).unwrap();
        assert_eq!(dead.problems()[0], Problem::UnrecoverableError);

        let offline = PrinterStatus::from_replies(&[0x1A]).unwrap();
        assert_eq!(offline.problems(), [Problem::Offline]);
        assert_eq!(offline.health(), Health::Blocked);
    }

    #[test]
    fn refuses_what_is_not_a_status_byte() {
        assert_eq!(
            PrinterStatus::from_replies(&[0x12, 0x00]),
            Err(StatusError::BadReply { n: 2, byte: 0 })
        );
        assert!(PrinterStatus::from_replies(&[0x92]).is_err());
        assert!(PrinterStatus::from_replies(&[]).is_err());
        assert!(PrinterStatus::from_replies(&[0x12; 5]).is_err());
        assert!(PrinterStatus::healthy().apply(5, 0x12).is_err());
        // Exactly the 16 bytes of the 0xx1xx10 pattern pass.
        let accepted = (0..=255u8).filter(|b| is_status_byte(*b)).count();
        assert_eq!(accepted, 16);
    }
}
