//! The one interface every device protocol talks through.
//!
//! Protocol code is generic over [`Transport`], so the SAM reader, the
//! scanners and the printer run unchanged over a serial port, a USB
//! endpoint pair or an in-memory/PTY pair in tests.

use std::time::Duration;

pub mod address;
pub mod memory;
pub mod serial;
pub mod usb;

pub use address::{AddressError, DeviceAddress};
pub use memory::MemoryTransport;
pub use serial::SerialTransport;

/// What can go wrong below the protocol.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// The device went away (cable pulled, PTY closed, USB unplugged).
    #[error("设备已断开: {0}")]
    Disconnected(String),
    /// Any other I/O failure, with the OS's words.
    #[error("设备读写失败: {0}")]
    Io(String),
}

/// A byte pipe to one device.
pub trait Transport: Send {
    /// Writes every byte or fails.
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError>;
    /// Reads what is available into `buf`, waiting at most `timeout` for the
    /// first byte. `Ok(0)` means the timeout passed with nothing to read.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError>;
    /// Pushes any buffered output to the device.
    fn flush(&mut self) -> Result<(), TransportError>;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).write_all(bytes)
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        (**self).read(buf, timeout)
    }
    fn flush(&mut self) -> Result<(), TransportError> {
        (**self).flush()
    }
}
