//! One command, one answer: the SAM reader over any [`Transport`].

use super::decoder::FrameDecoder;
use super::frame::{Command, FrameError, Response};
use super::samid::format_sam_id;
use super::status::SamStatus;
use crate::idcard::{
    CardError, CardRecord, TEXT_LEN, WltPhoto, decode_additional_address, decode_text,
};
use crate::transport::{Transport, TransportError};
use std::time::{Duration, Instant};

/// How long each command may take, from the write to the last byte of the
/// answer. Defaults follow the ranges seen in real code (reference §1
/// "Timing") with room for 115200 baud wire time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Reset, status, SAM ID.
    pub control: Duration,
    pub find: Duration,
    pub select: Duration,
    /// Text + photo (1295 bytes: ~113 ms of wire time at 115200).
    pub read: Duration,
    /// Text + photo + fingerprint (2321 bytes).
    pub read_fingerprint: Duration,
    pub additional_address: Duration,
    /// How long to keep listening after a corrupt frame for a good one
    /// before reporting the corruption.
    pub after_corrupt_frame: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            control: Duration::from_millis(1000),
            find: Duration::from_millis(500),
            select: Duration::from_millis(300),
            read: Duration::from_millis(2000),
            read_fingerprint: Duration::from_millis(3000),
            additional_address: Duration::from_millis(1500),
            after_corrupt_frame: Duration::from_millis(50),
        }
    }
}

impl Timeouts {
    /// Every timeout multiplied by `factor` (tests use small factors; slow
    /// baud rates large ones).
    pub fn scaled(self, factor: f64) -> Self {
        let s = |d: Duration| d.mul_f64(factor);
        Timeouts {
            control: s(self.control),
            find: s(self.find),
            select: s(self.select),
            read: s(self.read),
            read_fingerprint: s(self.read_fingerprint),
            additional_address: s(self.additional_address),
            after_corrupt_frame: self.after_corrupt_frame,
        }
    }
}

/// What went wrong talking to the reader.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("读卡器没有应答“{}”（{waited:?}内） (no answer)", command.describe())]
    Timeout { command: Command, waited: Duration },
    #[error("读卡器应答“{}”时数据损坏: {error}", command.describe())]
    Frame { command: Command, error: FrameError },
    #[error("{}: {status}", command.describe())]
    Status { command: Command, status: SamStatus },
    #[error("读卡器应答“{}”格式不对: {reason} (malformed response)", command.describe())]
    Malformed { command: Command, reason: String },
    #[error(transparent)]
    Card(#[from] CardError),
}

impl ReaderError {
    /// The device itself is gone (not merely slow or confused).
    pub fn is_disconnected(&self) -> bool {
        matches!(
            self,
            ReaderError::Transport(TransportError::Disconnected(_))
        )
    }

    /// Worth trying again at once: the card may have moved, a byte may
    /// have been hit by noise.
    pub fn is_transient(&self) -> bool {
        match self {
            ReaderError::Timeout { .. }
            | ReaderError::Frame { .. }
            | ReaderError::Malformed { .. } => true,
            ReaderError::Status { status, .. } => matches!(
                status,
                SamStatus::ReadFailed
                    | SamStatus::SelectFailed
                    | SamStatus::NoCard
                    | SamStatus::CardRejectedSam
                    | SamStatus::HostChecksumError
                    | SamStatus::HostLengthError
                    | SamStatus::RandomFailed
            ),
            _ => false,
        }
    }
}

/// What one successful read of a card yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRead {
    pub record: CardRecord,
    pub photo: WltPhoto,
}

/// The reader: sends commands, waits for their answers.
pub struct SamReader<T: Transport> {
    transport: T,
    decoder: FrameDecoder,
    timeouts: Timeouts,
    scratch: Vec<u8>,
}

impl<T: Transport> SamReader<T> {
    /// A reader over an open transport.
    pub fn new(transport: T, timeouts: Timeouts) -> Self {
        SamReader {
            transport,
            decoder: FrameDecoder::new(),
            timeouts,
            scratch: vec![0; 4096],
        }
    }

    /// The timeouts in force.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends `command` and waits up to `timeout` for its answer.
    pub fn transact(
        &mut self,
        command: Command,
        timeout: Duration,
    ) -> Result<Response, ReaderError> {
        self.discard_stale_input()?;
        self.transport.write_all(&command.encode())?;
        self.transport.flush()?;
        let deadline = Instant::now() + timeout;
        let mut corrupt: Option<(FrameError, Instant)> = None;
        loop {
            while let Some(frame) = self.decoder.next_frame() {
                match frame {
                    Ok(frame) if frame.looks_like_response() => {
                        return frame
                            .into_response()
                            .map_err(|error| ReaderError::Frame { command, error });
                    }
                    // Our own request echoed back (a loopback cable, a
                    // confused adapter) is not an answer.
                    Ok(_) => {}
                    Err(error) => {
                        corrupt = Some((error, Instant::now() + self.timeouts.after_corrupt_frame))
                    }
                }
            }
            let now = Instant::now();
            let limit = match &corrupt {
                Some((_, grace)) => deadline.min(*grace),
                None => deadline,
            };
            if now >= limit {
                return Err(match corrupt {
                    Some((error, _)) => ReaderError::Frame { command, error },
                    None => ReaderError::Timeout {
                        command,
                        waited: timeout,
                    },
                });
            }
            let n = self.transport.read(&mut self.scratch, limit - now)?;
            if n > 0 {
                self.decoder.push(&self.scratch[..n]);
                if let Some((error, _)) = corrupt.take() {
                    // Bytes are still coming: give them the grace again.
                    corrupt = Some((error, Instant::now() + self.timeouts.after_corrupt_frame));
                }
            }
        }
    }

    /// Drops anything that arrived before this command (a late answer to a
    /// command that timed out must not be taken for the next one's).
    fn discard_stale_input(&mut self) -> Result<(), ReaderError> {
        self.decoder.clear();
        for _ in 0..64 {
            if self.transport.read(&mut self.scratch, Duration::ZERO)? == 0 {
                break;
            }
        }
        Ok(())
    }

    fn expect(
        &mut self,
        command: Command,
        timeout: Duration,
        ok: SamStatus,
    ) -> Result<Response, ReaderError> {
        let response = self.transact(command, timeout)?;
        if response.status != ok {
            return Err(ReaderError::Status {
                command,
                status: response.status,
            });
        }
        Ok(response)
    }

    /// Reset, self-test and identify the SAM module: what to do after
    /// opening the port. Returns the formatted SAM ID.
    pub fn start(&mut self) -> Result<String, ReaderError> {
        let control = self.timeouts.control;
        self.expect(Command::ResetSam, control, SamStatus::Success)?;
        self.sam_status()?;
        let response = self.expect(Command::ReadSamId, control, SamStatus::Success)?;
        format_sam_id(&response.data).ok_or_else(|| ReaderError::Malformed {
            command: Command::ReadSamId,
            reason: format!("安全模块号应为16字节，实际为{}字节", response.data.len()),
        })
    }

    /// `11 FF`: Ok when the SAM passes its self-test.
    pub fn sam_status(&mut self) -> Result<(), ReaderError> {
        self.expect(
            Command::SamStatus,
            self.timeouts.control,
            SamStatus::Success,
        )
        .map(drop)
    }

    /// `20 01`: whether a card is on the reader.
    pub fn find_card(&mut self) -> Result<bool, ReaderError> {
        let response = self.transact(Command::FindCard, self.timeouts.find)?;
        match response.status {
            SamStatus::FindCardSuccess => Ok(true),
            SamStatus::NoCard => Ok(false),
            status => Err(ReaderError::Status {
                command: Command::FindCard,
                status,
            }),
        }
    }

    /// `20 02`: selects the card found.
    pub fn select_card(&mut self) -> Result<(), ReaderError> {
        self.expect(
            Command::SelectCard,
            self.timeouts.select,
            SamStatus::Success,
        )
        .map(drop)
    }

    /// `30 01`: the raw text block and photo.
    pub fn read_text_photo(&mut self) -> Result<(Vec<u8>, WltPhoto), ReaderError> {
        let command = Command::ReadTextPhoto;
        let response = self.expect(command, self.timeouts.read, SamStatus::Success)?;
        let mut parts = split_lengths(&response.data, 2)
            .map_err(|reason| ReaderError::Malformed { command, reason })?;
        let photo = parts.pop().unwrap_or_default();
        let text = parts.pop().unwrap_or_default();
        Ok((text, WltPhoto(photo)))
    }

    /// `30 10`: text, photo and fingerprint data (empty when the card
    /// holds none).
    pub fn read_text_photo_fingerprint(
        &mut self,
    ) -> Result<(Vec<u8>, WltPhoto, Vec<u8>), ReaderError> {
        let command = Command::ReadTextPhotoFingerprint;
        let response = self.expect(command, self.timeouts.read_fingerprint, SamStatus::Success)?;
        let mut parts = split_lengths(&response.data, 3)
            .map_err(|reason| ReaderError::Malformed { command, reason })?;
        let fingerprint = parts.pop().unwrap_or_default();
        let photo = parts.pop().unwrap_or_default();
        let text = parts.pop().unwrap_or_default();
        Ok((text, WltPhoto(photo), fingerprint))
    }

    /// `30 03`: the newer address, `None` when the card has none (0x91).
    pub fn read_additional_address(&mut self) -> Result<Option<String>, ReaderError> {
        let command = Command::ReadAdditionalAddress;
        let response = self.transact(command, self.timeouts.additional_address)?;
        match response.status {
            SamStatus::Success => Ok(decode_additional_address(&response.data)),
            SamStatus::NoContent => Ok(None),
            status => Err(ReaderError::Status { command, status }),
        }
    }

    /// Select, read text and photo, read the additional address, decode.
    /// The card must have been found first.
    pub fn read_card(&mut self) -> Result<CardRead, ReaderError> {
        self.select_card()?;
        let (text, photo) = self.read_text_photo()?;
        let mut record = decode_text(&text).map_err(CardError::from)?;
        record.additional_address = self.read_additional_address()?;
        Ok(CardRead { record, photo })
    }
}

/// Splits read data that starts with `count` u16 BE lengths into the parts
/// they announce. The text part must be the 256-byte block.
pub fn split_lengths(data: &[u8], count: usize) -> Result<Vec<Vec<u8>>, String> {
    let header = count * 2;
    if data.len() < header {
        return Err(format!("数据只有{}字节，不足以容纳长度字段", data.len()));
    }
    let lengths: Vec<usize> = data[..header]
        .chunks_exact(2)
        .map(|p| usize::from(u16::from_be_bytes([p[0], p[1]])))
        .collect();
    let needed = header + lengths.iter().sum::<usize>();
    if data.len() < needed {
        return Err(format!(
            "长度字段声明{needed}字节，实际只有{}字节",
            data.len()
        ));
    }
    if lengths[0] != TEXT_LEN {
        return Err(format!("文字信息应为256字节，长度字段为{}", lengths[0]));
    }
    let mut offset = header;
    Ok(lengths
        .into_iter()
        .map(|len| {
            let part = data[offset..offset + len].to_vec();
            offset += len;
            part
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_read_as_real_u16_values() {
        // 0x0100 text and 0x0400 photo: the widely copied `b[10] << 8 + b[11]`
        // bug would misread a length whose low byte is not zero.
        let mut data = vec![0x01, 0x00, 0x00, 0x05];
        data.extend([0x20; 256]);
        data.extend([1, 2, 3, 4, 5]);
        let parts = split_lengths(&data, 2).unwrap();
        assert_eq!(parts[0].len(), 256);
        assert_eq!(parts[1], vec![1, 2, 3, 4, 5]);
        assert!(split_lengths(&data[..100], 2).is_err());
        let mut short_text = vec![0x00, 0x10, 0, 0];
        short_text.extend([0x20; 16]);
        assert!(split_lengths(&short_text, 2).unwrap_err().contains("256"));
        assert!(split_lengths(&[1], 2).is_err());
    }
}

#[cfg(test)]
mod exchange_tests {
    use super::*;
    use crate::sam::frame::encode_response;
    use crate::transport::MemoryTransport;

    /// Answers each request the reader sends with the next canned bytes.
    fn device(mut end: MemoryTransport, answers: Vec<Vec<u8>>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let mut decoder = FrameDecoder::new();
            let mut buf = [0u8; 64];
            for answer in answers {
                loop {
                    let Ok(n) = end.read(&mut buf, Duration::from_secs(2)) else {
                        return;
                    };
                    decoder.push(&buf[..n]);
                    if decoder.next_frame().is_some() {
                        break;
                    }
                }
                if end.write_all(&answer).is_err() {
                    return;
                }
            }
        })
    }

    fn timeouts() -> Timeouts {
        Timeouts::default().scaled(0.2)
    }

    #[test]
    fn a_stale_answer_is_not_taken_for_the_next_one() {
        let (host, mut dev) = MemoryTransport::pair();
        // A late "card found" from an earlier, timed-out command.
        dev.write_all(&encode_response(SamStatus::FindCardSuccess, &[0; 4]))
            .unwrap();
        let worker = device(dev, vec![encode_response(SamStatus::NoCard, &[])]);
        let mut reader = SamReader::new(host, timeouts());
        assert!(!reader.find_card().unwrap());
        drop(reader);
        worker.join().unwrap();
    }

    #[test]
    fn a_good_frame_right_after_a_corrupt_one_is_used() {
        let (host, dev) = MemoryTransport::pair();
        let mut answer = encode_response(SamStatus::FindCardSuccess, &[0; 4]);
        let last = answer.len() - 1;
        answer[last] ^= 1;
        answer.extend(encode_response(SamStatus::FindCardSuccess, &[0; 4]));
        let worker = device(dev, vec![answer]);
        let mut reader = SamReader::new(host, timeouts());
        assert!(reader.find_card().unwrap());
        drop(reader);
        worker.join().unwrap();
    }

    #[test]
    fn unexpected_status_and_short_sam_id_are_errors() {
        let (host, dev) = MemoryTransport::pair();
        let worker = device(
            dev,
            vec![
                encode_response(SamStatus::SamSelfTestFailed, &[]),
                encode_response(SamStatus::Success, &[]),
                encode_response(SamStatus::Success, &[]),
                encode_response(SamStatus::Success, &[1, 2, 3]),
            ],
        );
        let mut reader = SamReader::new(host, timeouts());
        let error = reader.find_card().unwrap_err();
        assert!(matches!(
            error,
            ReaderError::Status {
                status: SamStatus::SamSelfTestFailed,
                ..
            }
        ));
        assert!(error.to_string().contains("安全模块自检失败"));
        let error = reader.start().unwrap_err();
        assert!(
            matches!(
                error,
                ReaderError::Malformed {
                    command: Command::ReadSamId,
                    ..
                }
            ),
            "{error:?}"
        );
        drop(reader);
        worker.join().unwrap();
    }

    #[test]
    fn peer_gone_is_a_disconnect() {
        let (host, dev) = MemoryTransport::pair();
        drop(dev);
        let mut reader = SamReader::new(host, timeouts());
        assert!(reader.find_card().unwrap_err().is_disconnected());
    }
}
