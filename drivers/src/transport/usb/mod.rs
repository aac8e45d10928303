//! USB devices through libusb (`rusb`, vendored).
//!
//! The protocol logic sits on the [`UsbPipe`] trait and on plain
//! descriptor structs of our own (rusb's are tied to a live libusb
//! handle), so it is tested with a fake pipe and hand-written descriptors;
//! only [`libusb`] touches real hardware.

pub mod bulk;
pub mod descriptors;
pub mod libusb;
pub mod sam;

pub use bulk::{BulkTransport, InterruptReader};
pub use descriptors::{
    DeviceKind, TransferKind, UsbDeviceInfo, UsbEndpointInfo, UsbInterfaceInfo, classify,
    is_boot_keyboard,
};
pub use sam::SamUsbTransport;

use super::TransportError;
use std::time::Duration;

/// Endpoint-level access to one opened USB device.
pub trait UsbPipe: Send {
    /// Writes to an OUT endpoint; returns how many bytes were accepted.
    fn write(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError>;
    /// Reads one transfer from an IN endpoint; `Ok(0)` on timeout.
    fn read(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, TransportError>;
}

impl<P: UsbPipe + ?Sized> UsbPipe for Box<P> {
    fn write(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        (**self).write(endpoint, data, timeout)
    }
    fn read(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        (**self).read(endpoint, buf, timeout)
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! A scripted pipe for tests.
    use super::*;
    use std::collections::{HashMap, VecDeque};

    #[derive(Default)]
    pub struct FakePipe {
        pub written: Vec<(u8, Vec<u8>)>,
        pub to_read: HashMap<u8, VecDeque<Vec<u8>>>,
        /// Packets that become readable once the host has written: a
        /// device answers only after it was asked.
        pub after_write: Vec<(u8, Vec<u8>)>,
        pub gone: bool,
    }

    impl FakePipe {
        pub fn queue(&mut self, endpoint: u8, packet: &[u8]) {
            self.to_read
                .entry(endpoint)
                .or_default()
                .push_back(packet.to_vec());
        }

        pub fn queue_answer(&mut self, endpoint: u8, packet: &[u8]) {
            self.after_write.push((endpoint, packet.to_vec()));
        }
    }

    impl UsbPipe for FakePipe {
        fn write(
            &mut self,
            endpoint: u8,
            data: &[u8],
            _timeout: Duration,
        ) -> Result<usize, TransportError> {
            if self.gone {
                return Err(TransportError::Disconnected("unplugged".into()));
            }
            // Accept at most 64 bytes per call, like a full-speed packet.
            let n = data.len().min(64);
            self.written.push((endpoint, data[..n].to_vec()));
            for (ep, packet) in std::mem::take(&mut self.after_write) {
                self.queue(ep, &packet);
            }
            Ok(n)
        }

        fn read(
            &mut self,
            endpoint: u8,
            buf: &mut [u8],
            _timeout: Duration,
        ) -> Result<usize, TransportError> {
            if self.gone {
                return Err(TransportError::Disconnected("unplugged".into()));
            }
            let Some(packet) = self
                .to_read
                .get_mut(&endpoint)
                .and_then(VecDeque::pop_front)
            else {
                return Ok(0);
            };
            let n = packet.len().min(buf.len());
            buf[..n].copy_from_slice(&packet[..n]);
            Ok(n)
        }
    }
}
