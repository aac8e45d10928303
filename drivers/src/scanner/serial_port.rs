//! A minimal serial-port [`Transport`] for the scanner and printer tools
//! and their PTY tests.
//!
//! Interim: the shared serial transport is written on another branch; at
//! merge this file is replaced by it (same trait, so callers do not change).

use crate::transport::{Transport, TransportError};
use serialport::TTYPort;
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::time::Duration;

/// A serial port (or PTY end) as a [`Transport`].
pub struct SerialTransport {
    port: TTYPort,
}

impl SerialTransport {
    /// Opens `path` at `baud` 8N1. PTYs accept any baud.
    pub fn open(path: &Path, baud: u32) -> Result<Self, TransportError> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .timeout(Duration::from_millis(100))
            .open_native()
            .map_err(|e| match e.kind {
                serialport::ErrorKind::NoDevice => {
                    TransportError::Disconnected(format!("{}: {e}", path.display()))
                }
                serialport::ErrorKind::Io(ErrorKind::NotFound) => {
                    TransportError::Disconnected(format!("{}: {e}", path.display()))
                }
                _ => TransportError::Io(format!("{}: {e}", path.display())),
            })?;
        Ok(Self { port })
    }

    /// Wraps an already open port, e.g. one end of `TTYPort::pair()`.
    pub fn from_port(port: TTYPort) -> Self {
        Self { port }
    }
}

fn map_io(e: std::io::Error) -> TransportError {
    match e.kind() {
        ErrorKind::BrokenPipe | ErrorKind::NotConnected | ErrorKind::UnexpectedEof => {
            TransportError::Disconnected(e.to_string())
        }
        // A PTY whose other end closed reads EIO.
        _ if e.raw_os_error() == Some(5) => TransportError::Disconnected(e.to_string()),
        _ => TransportError::Io(e.to_string()),
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.port.write_all(bytes).map_err(map_io)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        use serialport::SerialPort;
        // serialport rejects a zero timeout on some platforms; 1 ms is "now".
        self.port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(|e| TransportError::Io(e.to_string()))?;
        match self.port.read(buf) {
            Ok(0) => Err(TransportError::Disconnected("端口已关闭 (EOF)".into())),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => Ok(0),
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(map_io(e)),
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        match self.port.flush() {
            // PTYs do not support tcdrain on every kernel; nothing is buffered here anyway.
            Err(e) if e.raw_os_error() == Some(25) => Ok(()),
            other => other.map_err(map_io),
        }
    }
}
