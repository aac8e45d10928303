//! Serial ports (RS-232 adapters, USB CDC-ACM, PTYs) through `serialport`.

use super::{Transport, TransportError};
use serialport::{SerialPort, TTYPort};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

/// The SAM module's factory setting.
pub const DEFAULT_BAUD: u32 = 115_200;
/// How long a write may wait for room in the output buffer. The port's
/// single timeout is also the read timeout, so it is set before each write:
/// a zero left by a polling read must not fail the next command.
const WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// An open serial port, 8N1, no flow control.
pub struct SerialTransport {
    port: TTYPort,
    name: String,
}

impl SerialTransport {
    /// Opens `path` (symlinks such as `/dev/serial/by-id/...` are fine) at
    /// `baud`. The port is opened exclusively so that a second kiosk
    /// process cannot interleave commands.
    pub fn open(path: &Path, baud: u32) -> Result<Self, TransportError> {
        let name = path.to_string_lossy().into_owned();
        let mut port = serialport::new(name.as_str(), baud)
            .timeout(Duration::from_millis(100))
            .open_native()
            .map_err(|e| open_error(&name, e))?;
        // Many USB-serial readers power their RF side from DTR. PTYs and
        // some adapters answer ENOTTY/EINVAL: harmless, so it is ignored.
        if let Err(e) = port.write_data_terminal_ready(true) {
            log::debug!("{name}: DTR not set ({e}), ignored");
        }
        Ok(SerialTransport { port, name })
    }

    /// Wraps an already open port, e.g. one end of a PTY pair.
    pub fn from_port(port: TTYPort, name: impl Into<String>) -> Self {
        SerialTransport {
            port,
            name: name.into(),
        }
    }

    /// The path the port was opened by.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Serial ports the OS reports. Without libudev this is often sparse and
/// never includes PTYs: configure devices by path.
pub fn available_ports() -> Result<Vec<String>, TransportError> {
    serialport::available_ports()
        .map(|ports| ports.into_iter().map(|p| p.port_name).collect())
        .map_err(|e| TransportError::Io(e.to_string()))
}

fn open_error(name: &str, error: serialport::Error) -> TransportError {
    let text = format!("无法打开串口{name}: {error}");
    match error.kind() {
        // serialport's NoDevice is EBUSY: the port is there but in use.
        serialport::ErrorKind::NoDevice => {
            TransportError::Io(format!("{text} (串口被占用 port busy)"))
        }
        serialport::ErrorKind::Io(io::ErrorKind::NotFound) => TransportError::Disconnected(text),
        _ => TransportError::Io(text),
    }
}

/// Sorts an I/O error into "the device went away" and the rest.
pub fn classify_io_error(name: &str, error: &io::Error) -> TransportError {
    let gone_errno = matches!(
        error.raw_os_error(),
        Some(libc::EIO | libc::ENXIO | libc::ENODEV | libc::EPIPE | libc::EBADF)
    );
    // serialport reports POLLHUP/POLLNVAL as BrokenPipe without an errno.
    let gone_kind = matches!(
        error.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::NotConnected | io::ErrorKind::UnexpectedEof
    );
    // serialport turns other errnos into `Other` with only nix's text
    // left, so the text is all there is to recognise them by.
    let gone_text = matches!(
        error.to_string().as_str(),
        "I/O error" | "No such device or address" | "No such device" | "Broken pipe"
    );
    if gone_errno || gone_kind || gone_text {
        TransportError::Disconnected(format!("{name}: {error}"))
    } else {
        TransportError::Io(format!("{name}: {error}"))
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.port
            .set_timeout(WRITE_TIMEOUT)
            .map_err(|e| TransportError::Io(format!("{}: {e}", self.name)))?;
        self.port.write_all(bytes).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut => {
                TransportError::Io(format!("{}: 写入超时 (write timed out)", self.name))
            }
            _ => classify_io_error(&self.name, &e),
        })
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.port
            .set_timeout(timeout)
            .map_err(|e| TransportError::Io(format!("{}: {e}", self.name)))?;
        match self.port.read(buf) {
            // poll() said readable and read() found nothing: end of file,
            // which a tty only reports when its other side has gone.
            Ok(0) => Err(TransportError::Disconnected(format!(
                "{}: 对端已关闭 (end of file)",
                self.name
            ))),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(classify_io_error(&self.name, &e)),
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        match self.port.flush() {
            Ok(()) => Ok(()),
            // tcdrain on a PTY master/odd adapters: not worth failing for.
            Err(e)
                if e.raw_os_error() == Some(libc::ENOTTY)
                    || e.raw_os_error() == Some(libc::EINVAL) =>
            {
                Ok(())
            }
            Err(e) => Err(classify_io_error(&self.name, &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_errors_are_told_apart() {
        for errno in [libc::EIO, libc::ENXIO, libc::ENODEV, libc::EPIPE] {
            let e = io::Error::from_raw_os_error(errno);
            assert!(
                matches!(classify_io_error("p", &e), TransportError::Disconnected(_)),
                "{errno}"
            );
        }
        let hup = io::Error::new(io::ErrorKind::BrokenPipe, "EPIPE");
        assert!(matches!(
            classify_io_error("p", &hup),
            TransportError::Disconnected(_)
        ));
        let nix_text = io::Error::other("I/O error");
        assert!(matches!(
            classify_io_error("p", &nix_text),
            TransportError::Disconnected(_)
        ));
        let other = io::Error::from_raw_os_error(libc::EACCES);
        assert!(matches!(
            classify_io_error("p", &other),
            TransportError::Io(_)
        ));
    }

    #[test]
    fn missing_path_is_disconnected() {
        let result = SerialTransport::open(Path::new("/dev/onevisit-no-such-port"), DEFAULT_BAUD);
        assert!(matches!(result, Err(TransportError::Disconnected(_))));
    }
}
