//! SW3, the result byte of every reader response.

use std::fmt;

/// The meaning of a response's SW3 byte. Unknown codes are kept so that a
/// technician can still look them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SamStatus {
    /// 0x90
    Success,
    /// 0x9F
    FindCardSuccess,
    /// 0x91
    NoContent,
    /// 0x10
    HostChecksumError,
    /// 0x11
    HostLengthError,
    /// 0x21
    BadCommand,
    /// 0x23
    Unauthorised,
    /// 0x24
    UnrecognisedError,
    /// 0x31
    CardRejectedSam,
    /// 0x32
    SamRejectedCard,
    /// 0x33
    VerificationError,
    /// 0x40
    UnknownCardType,
    /// 0x41
    ReadFailed,
    /// 0x47
    RandomFailed,
    /// 0x60
    SamSelfTestFailed,
    /// 0x66
    SamNotAuthorised,
    /// 0x80
    NoCard,
    /// 0x81
    SelectFailed,
    /// Any other code.
    Unknown(u8),
}

impl SamStatus {
    /// Reads an SW3 byte.
    pub fn from_code(code: u8) -> Self {
        use SamStatus::*;
        match code {
            0x90 => Success,
            0x9F => FindCardSuccess,
            0x91 => NoContent,
            0x10 => HostChecksumError,
            0x11 => HostLengthError,
            0x21 => BadCommand,
            0x23 => Unauthorised,
            0x24 => UnrecognisedError,
            0x31 => CardRejectedSam,
            0x32 => SamRejectedCard,
            0x33 => VerificationError,
            0x40 => UnknownCardType,
            0x41 => ReadFailed,
            0x47 => RandomFailed,
            0x60 => SamSelfTestFailed,
            0x66 => SamNotAuthorised,
            0x80 => NoCard,
            0x81 => SelectFailed,
            other => Unknown(other),
        }
    }

    /// The SW3 byte.
    pub fn code(self) -> u8 {
        use SamStatus::*;
        match self {
            Success => 0x90,
            FindCardSuccess => 0x9F,
            NoContent => 0x91,
            HostChecksumError => 0x10,
            HostLengthError => 0x11,
            BadCommand => 0x21,
            Unauthorised => 0x23,
            UnrecognisedError => 0x24,
            CardRejectedSam => 0x31,
            SamRejectedCard => 0x32,
            VerificationError => 0x33,
            UnknownCardType => 0x40,
            ReadFailed => 0x41,
            RandomFailed => 0x47,
            SamSelfTestFailed => 0x60,
            SamNotAuthorised => 0x66,
            NoCard => 0x80,
            SelectFailed => 0x81,
            Unknown(code) => code,
        }
    }

    /// True for the codes that mean the command did what was asked.
    pub fn is_success(self) -> bool {
        matches!(self, SamStatus::Success | SamStatus::FindCardSuccess)
    }

    /// A plain Chinese explanation, with the technician's English term.
    pub fn message(self) -> &'static str {
        use SamStatus::*;
        match self {
            Success => "操作成功 (success)",
            FindCardSuccess => "找到身份证 (card found)",
            NoContent => "该项无内容 (no content)",
            HostChecksumError => "读卡器收到的命令校验和错误 (host frame checksum error)",
            HostLengthError => "读卡器收到的命令长度错误 (host frame length error)",
            BadCommand => "命令或参数无效 (bad command or parameter)",
            Unauthorised => "越权操作 (unauthorised operation)",
            UnrecognisedError => "读卡器无法识别的错误 (unrecognised error)",
            CardRejectedSam => {
                "身份证认证安全模块失败，请重新放置证件 (card failed to authenticate SAM)"
            }
            SamRejectedCard => {
                "安全模块认证身份证失败，证件可能无效 (SAM failed to authenticate card)"
            }
            VerificationError => "信息验证错误 (information verification error)",
            UnknownCardType => "无法识别的证件类型 (unknown card type)",
            ReadFailed => "读证失败，请将证件平放在读卡区不要移动 (read failed)",
            RandomFailed => "取随机数失败 (get-random failed)",
            SamSelfTestFailed => "安全模块自检失败，请联系工作人员 (SAM self-test failed)",
            SamNotAuthorised => "安全模块未经授权，请联系工作人员 (SAM not authorised)",
            NoCard => "未找到身份证 (no card)",
            SelectFailed => "选卡失败，请重新放置证件 (select card failed)",
            Unknown(_) => "读卡器返回未知状态 (unknown status)",
        }
    }
}

impl fmt::Display for SamStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [SW3={:02X}]", self.message(), self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_known_codes_have_their_own_message() {
        let mut messages = std::collections::HashSet::new();
        for code in 0..=255u8 {
            let status = SamStatus::from_code(code);
            assert_eq!(status.code(), code);
            if !matches!(status, SamStatus::Unknown(_)) {
                assert!(
                    messages.insert(status.message()),
                    "duplicate message for {code:02X}"
                );
            }
        }
        assert_eq!(messages.len(), 18);
        assert!(SamStatus::from_code(0x9F).is_success());
        assert!(!SamStatus::from_code(0x80).is_success());
        assert_eq!(
            SamStatus::ReadFailed.to_string(),
            "读证失败，请将证件平放在读卡区不要移动 (read failed) [SW3=41]"
        );
    }
}
