//! Pseudo-terminal pairs: the simulators hold the master side, the driver
//! under test opens the slave by its path, exactly like a real port.

use serialport::{SerialPort, TTYPort};
use std::io;
use std::path::{Path, PathBuf};

/// A PTY pair whose slave can be opened by path.
pub struct PtyPair {
    /// The simulator's end.
    pub master: TTYPort,
    /// A slave handle kept open so that the master never sees a hang-up
    /// while the driver closes and reopens the port; never read from, so
    /// every byte goes to the driver.
    _keepalive: TTYPort,
    path: PathBuf,
}

impl PtyPair {
    /// Opens a new pair (Linux: `/dev/ptmx`, raw mode).
    pub fn open() -> io::Result<Self> {
        let (master, slave) = TTYPort::pair().map_err(io::Error::from)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("PTY slave has no name"))?;
        Ok(PtyPair {
            master,
            _keepalive: slave,
            path,
        })
    }

    /// The slave's path, e.g. `/dev/pts/3`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The slave as a `SerialPort` opened by path through `serialport`,
    /// the way a driver opens a real device.
    pub fn open_slave(&self, baud: u32) -> io::Result<TTYPort> {
        serialport::new(self.path.to_string_lossy(), baud)
            .open_native()
            .map_err(io::Error::from)
    }

    /// Sets the master's read timeout.
    pub fn set_master_timeout(&mut self, timeout: std::time::Duration) -> io::Result<()> {
        self.master.set_timeout(timeout).map_err(io::Error::from)
    }
}

/// A symlink that plays the role of a udev rule's stable name (e.g.
/// `/dev/onevisit-idreader`): it follows the device across replugs while
/// the PTY number changes. Removed when dropped.
pub struct StableLink {
    link: PathBuf,
}

impl StableLink {
    /// Points `link` at `target`, replacing an old link.
    pub fn create(link: &Path, target: &Path) -> io::Result<Self> {
        match std::fs::remove_file(link) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::os::unix::fs::symlink(target, link)?;
        Ok(StableLink {
            link: link.to_path_buf(),
        })
    }

    /// The link's path.
    pub fn path(&self) -> &Path {
        &self.link
    }
}

impl Drop for StableLink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::time::Duration;

    #[test]
    fn slave_opens_by_path_and_bytes_cross() {
        let mut pty = PtyPair::open().unwrap();
        assert!(pty.path().starts_with("/dev/pts"));
        let mut slave = pty.open_slave(115_200).unwrap();
        slave.write_all(b"ping").unwrap();
        pty.set_master_timeout(Duration::from_millis(500)).unwrap();
        let mut buf = [0u8; 4];
        pty.master.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
    }
}
