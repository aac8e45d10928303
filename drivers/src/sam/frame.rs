//! SAM frames as bytes: `AA AA AA 96 69 | len (u16 BE) | payload | CHK`.
//!
//! The length counts the payload plus the checksum; the checksum is the XOR
//! of the two length bytes and the payload. Requests and responses share
//! this framing: a request's payload is `CMD PARA data`, a response's is
//! `SW1 SW2 SW3 data`.

use super::status::SamStatus;

/// Every frame starts with these five bytes.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];
/// Preamble plus the two length bytes.
pub const HEADER_LEN: usize = 7;
/// The largest length field accepted. The largest real response (text,
/// photo and fingerprints) has 0x090A; anything far beyond is garbage, and
/// refusing it keeps the decoder's memory bounded.
pub const MAX_LEN_FIELD: usize = 4096;
/// The smallest length field: a request with CMD, PARA and CHK.
pub const MIN_LEN_FIELD: usize = 3;

/// The commands a kiosk sends (GA 467 table in the device reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// `10 FF`
    ResetSam,
    /// `11 FF`
    SamStatus,
    /// `12 FF`
    ReadSamId,
    /// `20 01`
    FindCard,
    /// `20 02`
    SelectCard,
    /// `30 01`: 256 bytes of text and 1024 of photo.
    ReadTextPhoto,
    /// `30 03`: newer address, if the card holder moved.
    ReadAdditionalAddress,
    /// `30 10`: text, photo and fingerprint.
    ReadTextPhotoFingerprint,
    /// `30 05`: the card chip's serial number (optional).
    ReadChipSerial,
    /// `61 FF n`: maximum RF frame size.
    SetMaxRfFrameSize(u8),
}

impl Command {
    /// CMD and PARA bytes.
    pub fn code(self) -> (u8, u8) {
        match self {
            Command::ResetSam => (0x10, 0xFF),
            Command::SamStatus => (0x11, 0xFF),
            Command::ReadSamId => (0x12, 0xFF),
            Command::FindCard => (0x20, 0x01),
            Command::SelectCard => (0x20, 0x02),
            Command::ReadTextPhoto => (0x30, 0x01),
            Command::ReadAdditionalAddress => (0x30, 0x03),
            Command::ReadTextPhotoFingerprint => (0x30, 0x10),
            Command::ReadChipSerial => (0x30, 0x05),
            Command::SetMaxRfFrameSize(_) => (0x61, 0xFF),
        }
    }

    /// Bytes after CMD and PARA.
    pub fn data(self) -> Vec<u8> {
        match self {
            Command::SetMaxRfFrameSize(n) => vec![n],
            _ => Vec::new(),
        }
    }

    /// Recognises a request payload (`CMD PARA data`).
    pub fn from_payload(payload: &[u8]) -> Option<Self> {
        let (&cmd, rest) = payload.split_first()?;
        let (&para, data) = rest.split_first()?;
        let command = match (cmd, para, data) {
            (0x10, 0xFF, []) => Command::ResetSam,
            (0x11, 0xFF, []) => Command::SamStatus,
            (0x12, 0xFF, []) => Command::ReadSamId,
            (0x20, 0x01, []) => Command::FindCard,
            (0x20, 0x02, []) => Command::SelectCard,
            (0x30, 0x01, []) => Command::ReadTextPhoto,
            (0x30, 0x03, []) => Command::ReadAdditionalAddress,
            (0x30, 0x10, []) => Command::ReadTextPhotoFingerprint,
            (0x30, 0x05, []) => Command::ReadChipSerial,
            (0x61, 0xFF, [n]) => Command::SetMaxRfFrameSize(*n),
            _ => return None,
        };
        Some(command)
    }

    /// What the command does, in Chinese, for logs and the decode tool.
    pub fn describe(self) -> &'static str {
        match self {
            Command::ResetSam => "复位安全模块 (reset SAM)",
            Command::SamStatus => "安全模块状态检测 (SAM status)",
            Command::ReadSamId => "读安全模块号 (read SAM ID)",
            Command::FindCard => "寻找身份证 (find card)",
            Command::SelectCard => "选取身份证 (select card)",
            Command::ReadTextPhoto => "读文字和照片 (read text + photo)",
            Command::ReadAdditionalAddress => "读追加住址 (read additional address)",
            Command::ReadTextPhotoFingerprint => {
                "读文字、照片和指纹 (read text + photo + fingerprint)"
            }
            Command::ReadChipSerial => "读芯片序列号 (read chip serial)",
            Command::SetMaxRfFrameSize(_) => "设置射频帧长度 (set max RF frame size)",
        }
    }

    /// The full request frame.
    pub fn encode(self) -> Vec<u8> {
        let (cmd, para) = self.code();
        let mut payload = vec![cmd, para];
        payload.extend(self.data());
        encode_frame(&payload)
    }
}

/// XOR of the length bytes and the payload: the GA 467 checksum.
pub fn checksum(len_and_payload: &[u8]) -> u8 {
    len_and_payload.iter().fold(0, |acc, b| acc ^ b)
}

/// Frames a payload: preamble, length, payload, checksum. Payloads longer
/// than [`MAX_LEN_FIELD`] - 1 are a programming error in the caller.
pub fn encode_frame(payload: &[u8]) -> Vec<u8> {
    debug_assert!(payload.len() < MAX_LEN_FIELD);
    let len = (payload.len() + 1) as u16;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len() + 1);
    frame.extend_from_slice(&PREAMBLE);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    let chk = checksum(&frame[PREAMBLE.len()..]);
    frame.push(chk);
    frame
}

/// A response frame: `SW1 SW2 SW3` and data.
pub fn encode_response(status: SamStatus, data: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(3 + data.len());
    payload.extend_from_slice(&[0x00, 0x00, status.code()]);
    payload.extend_from_slice(data);
    encode_frame(&payload)
}

/// Why bytes are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("帧头不是 AA AA AA 96 69 (missing preamble)")]
    NoPreamble,
    #[error("帧不完整: 需要{needed}字节，只有{got}字节 (truncated frame)")]
    Truncated { needed: usize, got: usize },
    #[error("帧长度字段{0}不合理 (bad length field)")]
    BadLength(usize),
    #[error("校验和错误: 应为{expected:02X}，实际为{found:02X} (checksum error)")]
    Checksum { expected: u8, found: u8 },
    #[error("帧后有{0}个多余字节 (trailing bytes)")]
    Trailing(usize),
    #[error("应答太短，没有状态字节 (response without status bytes)")]
    NoStatus,
}

/// A checked frame: what lies between the length and the checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// `CMD PARA data` for a request, `SW1 SW2 SW3 data` for a response.
    pub payload: Vec<u8>,
}

impl RawFrame {
    /// Checks one complete frame, nothing before or after it.
    pub fn parse(bytes: &[u8]) -> Result<Self, FrameError> {
        if bytes.len() < PREAMBLE.len() || bytes[..PREAMBLE.len()] != PREAMBLE {
            return Err(FrameError::NoPreamble);
        }
        if bytes.len() < HEADER_LEN {
            return Err(FrameError::Truncated {
                needed: HEADER_LEN,
                got: bytes.len(),
            });
        }
        let len = usize::from(u16::from_be_bytes([bytes[5], bytes[6]]));
        if !(MIN_LEN_FIELD..=MAX_LEN_FIELD).contains(&len) {
            return Err(FrameError::BadLength(len));
        }
        let total = HEADER_LEN + len;
        if bytes.len() < total {
            return Err(FrameError::Truncated {
                needed: total,
                got: bytes.len(),
            });
        }
        if bytes.len() > total {
            return Err(FrameError::Trailing(bytes.len() - total));
        }
        Self::from_checked_parts(&bytes[PREAMBLE.len()..total])
    }

    /// `len_to_chk` is the two length bytes through the checksum, with the
    /// length already known to match.
    pub(crate) fn from_checked_parts(len_to_chk: &[u8]) -> Result<Self, FrameError> {
        let (&found, covered) = len_to_chk.split_last().ok_or(FrameError::NoPreamble)?;
        let expected = checksum(covered);
        if expected != found {
            return Err(FrameError::Checksum { expected, found });
        }
        Ok(RawFrame {
            payload: covered[2..].to_vec(),
        })
    }

    /// Responses start with SW1 SW2 = 00 00; requests with a non-zero CMD.
    pub fn looks_like_response(&self) -> bool {
        self.payload.len() >= 3 && self.payload[0] == 0 && self.payload[1] == 0
    }

    /// Reads the payload as a response.
    pub fn into_response(self) -> Result<Response, FrameError> {
        if self.payload.len() < 3 {
            return Err(FrameError::NoStatus);
        }
        let mut payload = self.payload;
        let data = payload.split_off(3);
        Ok(Response {
            sw1: payload[0],
            sw2: payload[1],
            status: SamStatus::from_code(payload[2]),
            data,
        })
    }
}

/// A decoded response.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// 0x00 in practice.
    pub sw1: u8,
    /// 0x00 in practice.
    pub sw2: u8,
    /// The result.
    pub status: SamStatus,
    /// Everything after the status bytes.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Response {
    /// Data may be a card's personal text: show only its size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("sw1", &self.sw1)
            .field("sw2", &self.sw2)
            .field("status", &self.status)
            .field("data_len", &self.data.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    #[test]
    fn every_request_matches_the_reference_bytes() {
        let table = [
            (Command::ResetSam, "AA AA AA 96 69 00 03 10 FF EC"),
            (Command::SamStatus, "AA AA AA 96 69 00 03 11 FF ED"),
            (Command::ReadSamId, "AA AA AA 96 69 00 03 12 FF EE"),
            (Command::FindCard, "AA AA AA 96 69 00 03 20 01 22"),
            (Command::SelectCard, "AA AA AA 96 69 00 03 20 02 21"),
            (Command::ReadTextPhoto, "AA AA AA 96 69 00 03 30 01 32"),
            (
                Command::ReadAdditionalAddress,
                "AA AA AA 96 69 00 03 30 03 30",
            ),
            (
                Command::ReadTextPhotoFingerprint,
                "AA AA AA 96 69 00 03 30 10 23",
            ),
            (Command::ReadChipSerial, "AA AA AA 96 69 00 03 30 05 36"),
            (
                Command::SetMaxRfFrameSize(0x50),
                "AA AA AA 96 69 00 04 61 FF 50 CA",
            ),
        ];
        for (command, bytes) in table {
            let expected = hex(bytes);
            assert_eq!(command.encode(), expected, "{command:?}");
            let frame = RawFrame::parse(&expected).unwrap();
            assert_eq!(Command::from_payload(&frame.payload), Some(command));
            assert!(!frame.looks_like_response());
        }
    }

    #[test]
    fn reference_responses_decode() {
        let ok = hex("AA AA AA 96 69 00 04 00 00 90 94");
        assert_eq!(encode_response(SamStatus::Success, &[]), ok);
        let frame = RawFrame::parse(&ok).unwrap();
        assert!(frame.looks_like_response());
        let response = frame.into_response().unwrap();
        assert_eq!(response.status, SamStatus::Success);
        assert!(response.data.is_empty());

        let find = hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97");
        assert_eq!(encode_response(SamStatus::FindCardSuccess, &[0; 4]), find);
        for (status, text) in [
            (SamStatus::NoCard, "AA AA AA 96 69 00 04 00 00 80 84"),
            (SamStatus::SelectFailed, "AA AA AA 96 69 00 04 00 00 81 85"),
            (SamStatus::ReadFailed, "AA AA AA 96 69 00 04 00 00 41 45"),
        ] {
            assert_eq!(encode_response(status, &[]), hex(text));
            assert_eq!(
                RawFrame::parse(&hex(text))
                    .unwrap()
                    .into_response()
                    .unwrap()
                    .status,
                status
            );
        }
        // A text+photo response is 1295 bytes with length 0x0508.
        let read = encode_response(SamStatus::Success, &[0u8; 4 + 256 + 1024]);
        assert_eq!(read.len(), 1295);
        assert_eq!(&read[5..7], &[0x05, 0x08]);
    }

    #[test]
    fn malformed_frames_are_named() {
        let mut bad = hex("AA AA AA 96 69 00 04 00 00 90 95");
        assert_eq!(
            RawFrame::parse(&bad),
            Err(FrameError::Checksum {
                expected: 0x94,
                found: 0x95
            })
        );
        bad[10] = 0x94;
        bad.push(0);
        assert_eq!(RawFrame::parse(&bad), Err(FrameError::Trailing(1)));
        assert_eq!(
            RawFrame::parse(&hex("AA AA AA 96 69 00")),
            Err(FrameError::Truncated { needed: 7, got: 6 })
        );
        assert_eq!(
            RawFrame::parse(&hex("AA AA AA 96 69 FF FF")),
            Err(FrameError::BadLength(0xFFFF))
        );
        assert_eq!(
            RawFrame::parse(&hex("AA AA 96 69 00")),
            Err(FrameError::NoPreamble)
        );
        let short = RawFrame::parse(&encode_frame(&[0x00, 0x00])).unwrap();
        assert_eq!(short.into_response(), Err(FrameError::NoStatus));
    }
}
