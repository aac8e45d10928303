//! The SAM reader's USB variant: each frame is split over two endpoints
//! per direction (reference §1): host→reader header (preamble + length, 7
//! bytes) on 0x02 and the rest on 0x06; reader→host header on 0x81 and the
//! rest on 0x85. This transport hides the split so that the ordinary
//! [`crate::sam::SamReader`] runs over it unchanged.

use super::UsbPipe;
use crate::sam::frame::{HEADER_LEN, MAX_LEN_FIELD, PREAMBLE};
use crate::transport::{Transport, TransportError};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const EP_OUT_HEADER: u8 = 0x02;
pub const EP_OUT_BODY: u8 = 0x06;
pub const EP_IN_HEADER: u8 = 0x81;
pub const EP_IN_BODY: u8 = 0x85;

/// How long a frame body may take once its header has arrived.
const BODY_TIMEOUT: Duration = Duration::from_millis(1000);
const WRITE_TIMEOUT: Duration = Duration::from_millis(500);

/// A [`Transport`] over a SAM reader's split endpoints.
pub struct SamUsbTransport<P: UsbPipe> {
    pipe: P,
    outgoing: Vec<u8>,
    incoming: VecDeque<u8>,
    /// Body bytes of the current incoming frame still expected on 0x85.
    body_remaining: usize,
    scratch: Vec<u8>,
}

impl<P: UsbPipe> SamUsbTransport<P> {
    /// Wraps an opened device whose SAM interface is claimed.
    pub fn new(pipe: P) -> Self {
        SamUsbTransport {
            pipe,
            outgoing: Vec::new(),
            incoming: VecDeque::new(),
            body_remaining: 0,
            scratch: vec![0; 4096],
        }
    }

    fn send(&mut self, endpoint: u8, mut data: &[u8]) -> Result<(), TransportError> {
        while !data.is_empty() {
            let n = self.pipe.write(endpoint, data, WRITE_TIMEOUT)?;
            if n == 0 {
                return Err(TransportError::Io(format!(
                    "USB端点{endpoint:02X}写入超时 (write timed out)"
                )));
            }
            data = &data[n..];
        }
        Ok(())
    }

    /// Reads the body endpoint until the frame is complete or `deadline`.
    fn read_body(&mut self, deadline: Instant) -> Result<(), TransportError> {
        while self.body_remaining > 0 {
            let now = Instant::now();
            if now >= deadline {
                // The rest will be asked for on the next read.
                return Ok(());
            }
            let want = self.body_remaining.min(self.scratch.len());
            let n = self
                .pipe
                .read(EP_IN_BODY, &mut self.scratch[..want], deadline - now)?;
            if n == 0 {
                return Ok(());
            }
            self.incoming.extend(&self.scratch[..n]);
            self.body_remaining -= n.min(self.body_remaining);
        }
        Ok(())
    }
}

impl<P: UsbPipe> Transport for SamUsbTransport<P> {
    /// Frames may be written whole or in pieces; each is sent once
    /// complete. Bytes that do not start a frame are refused.
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.outgoing.extend_from_slice(bytes);
        loop {
            if self.outgoing.len() < HEADER_LEN {
                return Ok(());
            }
            if self.outgoing[..PREAMBLE.len()] != PREAMBLE {
                self.outgoing.clear();
                return Err(TransportError::Io(
                    "USB读卡器只接受完整的SAM帧 (not a SAM frame)".into(),
                ));
            }
            let len = usize::from(u16::from_be_bytes([self.outgoing[5], self.outgoing[6]]));
            let total = HEADER_LEN + len;
            if self.outgoing.len() < total {
                return Ok(());
            }
            let frame: Vec<u8> = self.outgoing.drain(..total).collect();
            self.send(EP_OUT_HEADER, &frame[..HEADER_LEN])?;
            self.send(EP_OUT_BODY, &frame[HEADER_LEN..])?;
        }
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if self.incoming.is_empty() {
            let deadline = Instant::now() + timeout;
            if self.body_remaining > 0 {
                self.read_body(deadline.max(Instant::now() + Duration::from_millis(1)))?;
            } else {
                let mut header = [0u8; 64];
                let n = self.pipe.read(EP_IN_HEADER, &mut header, timeout)?;
                if n == 0 {
                    return Ok(0);
                }
                self.incoming.extend(&header[..n]);
                if n >= HEADER_LEN && header[..PREAMBLE.len()] == PREAMBLE {
                    let len =
                        usize::from(u16::from_be_bytes([header[5], header[6]])).min(MAX_LEN_FIELD);
                    // A header packet may already carry some of the body.
                    self.body_remaining = len.saturating_sub(n - HEADER_LEN);
                    self.read_body(Instant::now() + BODY_TIMEOUT)?;
                }
            }
        }
        let n = buf.len().min(self.incoming.len());
        for (slot, byte) in buf.iter_mut().zip(self.incoming.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sam::frame::{Command, encode_response};
    use crate::sam::{SamReader, SamStatus, Timeouts};
    use crate::transport::usb::fake::FakePipe;

    #[test]
    fn requests_are_split_header_then_body() {
        let mut usb = SamUsbTransport::new(FakePipe::default());
        let frame = Command::SetMaxRfFrameSize(0x50).encode();
        usb.write_all(&frame[..3]).unwrap();
        assert!(
            usb.pipe.written.is_empty(),
            "nothing sent before the frame is whole"
        );
        usb.write_all(&frame[3..]).unwrap();
        assert_eq!(
            usb.pipe.written,
            vec![
                (EP_OUT_HEADER, frame[..7].to_vec()),
                (EP_OUT_BODY, frame[7..].to_vec())
            ]
        );
        assert!(usb.write_all(&[0u8; 8]).is_err());
    }

    #[test]
    fn a_reader_runs_over_the_split_endpoints() {
        let mut pipe = FakePipe::default();
        let response = encode_response(SamStatus::Success, &[0x42; 300]);
        pipe.queue_answer(EP_IN_HEADER, &response[..7]);
        // The body comes in 64-byte packets.
        for chunk in response[7..].chunks(64) {
            pipe.queue_answer(EP_IN_BODY, chunk);
        }
        let mut reader = SamReader::new(SamUsbTransport::new(pipe), Timeouts::default());
        let got = reader
            .transact(Command::ReadChipSerial, Duration::from_millis(100))
            .unwrap();
        assert_eq!(got.status, SamStatus::Success);
        assert_eq!(got.data, vec![0x42; 300]);
    }

    #[test]
    fn unplug_is_disconnected() {
        let pipe = FakePipe {
            gone: true,
            ..FakePipe::default()
        };
        let mut usb = SamUsbTransport::new(pipe);
        let mut buf = [0u8; 8];
        assert!(matches!(
            usb.read(&mut buf, Duration::ZERO),
            Err(TransportError::Disconnected(_))
        ));
    }
}
