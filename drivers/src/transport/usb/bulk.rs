//! Generic USB endpoints: a bulk IN/OUT byte pipe (USB printers, class 7)
//! and an interrupt-IN report reader (HID scanners; the reports are parsed
//! by the scanner driver).

use super::UsbPipe;
use crate::transport::{Transport, TransportError};
use std::time::Duration;

const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Transport`] over one bulk OUT and one bulk IN endpoint.
pub struct BulkTransport<P: UsbPipe> {
    pipe: P,
    endpoint_in: u8,
    endpoint_out: u8,
}

impl<P: UsbPipe> BulkTransport<P> {
    /// Wraps an opened device whose interface is claimed.
    pub fn new(pipe: P, endpoint_in: u8, endpoint_out: u8) -> Self {
        BulkTransport {
            pipe,
            endpoint_in,
            endpoint_out,
        }
    }
}

impl<P: UsbPipe> Transport for BulkTransport<P> {
    fn write_all(&mut self, mut bytes: &[u8]) -> Result<(), TransportError> {
        while !bytes.is_empty() {
            let n = self.pipe.write(self.endpoint_out, bytes, WRITE_TIMEOUT)?;
            if n == 0 {
                // A printer that stops taking data is stuck (paper out,
                // cover open): the status query will say which.
                return Err(TransportError::Io(
                    "USB设备不再接收数据 (bulk OUT timed out)".into(),
                ));
            }
            bytes = &bytes[n..];
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        self.pipe.read(self.endpoint_in, buf, timeout)
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

/// Reads whole input reports from an interrupt IN endpoint.
///
/// It is also a read-only [`Transport`], so the scanner's report decoding
/// ([`crate::scanner::HidScanner`]) is the same code over USB, hidraw or a
/// test pipe. An interrupt transfer must be read whole (a shorter buffer
/// is a libusb overflow error), so a packet larger than the caller's
/// buffer is kept and handed out over the next reads.
pub struct InterruptReader<P: UsbPipe> {
    pipe: P,
    endpoint: u8,
    report_size: usize,
    /// Bytes of the last packet not yet handed out by `read`.
    pending: std::collections::VecDeque<u8>,
}

impl<P: UsbPipe> InterruptReader<P> {
    /// `report_size` is the endpoint's max packet size (64 for HID POS,
    /// 8 for a boot keyboard).
    pub fn new(pipe: P, endpoint: u8, report_size: usize) -> Self {
        InterruptReader {
            pipe,
            endpoint,
            report_size: report_size.max(1),
            pending: std::collections::VecDeque::new(),
        }
    }

    /// The next raw report, `None` when none came within `timeout`. (What
    /// a partial [`Transport::read`] left over comes first.)
    pub fn read_report(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        if !self.pending.is_empty() {
            return Ok(Some(self.pending.drain(..).collect()));
        }
        let mut report = vec![0; self.report_size];
        let n = self.pipe.read(self.endpoint, &mut report, timeout)?;
        if n == 0 {
            return Ok(None);
        }
        report.truncate(n);
        Ok(Some(report))
    }
}

impl<P: UsbPipe> Transport for InterruptReader<P> {
    /// A scanner's interrupt endpoint only sends.
    fn write_all(&mut self, _bytes: &[u8]) -> Result<(), TransportError> {
        Err(TransportError::Io(
            "HID中断端点只能读取 (interrupt IN endpoint: read only)".into(),
        ))
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if self.pending.is_empty() {
            match self.read_report(timeout)? {
                Some(report) => self.pending.extend(report),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..n)) {
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
    use crate::transport::usb::fake::FakePipe;

    #[test]
    fn bulk_writes_are_chunked_and_reads_come_from_the_in_endpoint() {
        let mut pipe = FakePipe::default();
        pipe.queue(0x82, &[0x12]);
        let mut printer = BulkTransport::new(pipe, 0x82, 0x01);
        printer.write_all(&[0xAB; 150]).unwrap();
        let sizes: Vec<usize> = printer
            .pipe
            .written
            .iter()
            .map(|(ep, d)| {
                assert_eq!(*ep, 0x01);
                d.len()
            })
            .collect();
        assert_eq!(sizes, vec![64, 64, 22]);
        let mut buf = [0u8; 4];
        assert_eq!(printer.read(&mut buf, Duration::ZERO).unwrap(), 1);
        assert_eq!(buf[0], 0x12);
        assert_eq!(printer.read(&mut buf, Duration::ZERO).unwrap(), 0);
    }

    #[test]
    fn reports_come_out_whole() {
        let mut pipe = FakePipe::default();
        pipe.queue(0x83, &[2; 64]);
        let mut scanner = InterruptReader::new(pipe, 0x83, 64);
        assert_eq!(
            scanner.read_report(Duration::ZERO).unwrap(),
            Some(vec![2; 64])
        );
        assert_eq!(scanner.read_report(Duration::ZERO).unwrap(), None);
    }

    #[test]
    fn as_a_transport_packets_are_read_whole_and_handed_out_in_pieces() {
        let mut pipe = FakePipe::default();
        let packet: Vec<u8> = (0..64).collect();
        pipe.queue(0x83, &packet);
        pipe.queue(0x83, &[0xAA; 8]);
        let mut reader = InterruptReader::new(pipe, 0x83, 64);
        let mut buf = [0u8; 40];
        assert_eq!(reader.read(&mut buf, Duration::ZERO).unwrap(), 40);
        assert_eq!(&buf[..], &packet[..40]);
        // The rest of the first packet before the next packet.
        assert_eq!(reader.read(&mut buf, Duration::ZERO).unwrap(), 24);
        assert_eq!(&buf[..24], &packet[40..]);
        assert_eq!(reader.read(&mut buf, Duration::ZERO).unwrap(), 8);
        assert_eq!(&buf[..8], &[0xAA; 8]);
        assert_eq!(reader.read(&mut buf, Duration::ZERO).unwrap(), 0);
        assert!(reader.write_all(b"x").is_err());
        // The pipe reports an unplug as Disconnected, which stays one.
        reader.pipe.gone = true;
        assert!(matches!(
            reader.read(&mut buf, Duration::ZERO),
            Err(TransportError::Disconnected(_))
        ));
    }
}
