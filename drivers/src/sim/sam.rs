//! A simulated GA 467 SAM reader on a PTY: answers the real bytes, holds a
//! set of test cards, and can be told to misbehave.
//!
//! ```no_run
//! use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
//! let sim = SamSimulator::start(SimOptions::default()).unwrap();
//! println!("reader at {}", sim.control().path().unwrap().display());
//! sim.control().place(TestCard::Resident);
//! ```

mod cards;

pub use cards::TestCard;

use super::pty::{PtyPair, StableLink};
use crate::idcard::{CardRecord, encode_text};
use crate::sam::frame::{Command, FrameError, RawFrame, encode_response};
use crate::sam::{FrameDecoder, SamStatus};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Ways the simulated reader can misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFault {
    /// The response's checksum byte is wrong.
    BadChecksum,
    /// Read commands (30 01, 30 10) answer SW3 0x41.
    ReadFailure,
    /// No answer at all.
    Silence,
    /// The response is written in three pieces with pauses between them.
    SplitFrames,
    /// Garbage (including a partial preamble) before the response.
    GarbageBefore,
}

/// The SAM ID the simulator reports: `05.01-20200101-0000123456-0000789012`.
pub const SIM_SAM_ID: &str = "05.01-20200101-0000123456-0000789012";

fn sam_id_bytes() -> Vec<u8> {
    let mut data = Vec::new();
    data.extend(5u16.to_le_bytes());
    data.extend(1u16.to_le_bytes());
    data.extend(20_200_101u32.to_le_bytes());
    data.extend(123_456u32.to_le_bytes());
    data.extend(789_012u32.to_le_bytes());
    data
}

/// A recognisable stand-in for the 1024-byte WLT photo.
pub fn fake_photo() -> Vec<u8> {
    let mut photo = b"WLT-SIMULATED-PHOTO".to_vec();
    photo.resize(1024, 0x5A);
    photo
}

/// The data of a `30 01` response for `record`: lengths, text, photo.
pub fn read_response_data(record: &CardRecord) -> Vec<u8> {
    let text = encode_text(record).expect("test cards fit their fields");
    let photo = fake_photo();
    let mut data = Vec::with_capacity(4 + text.len() + photo.len());
    data.extend((text.len() as u16).to_be_bytes());
    data.extend((photo.len() as u16).to_be_bytes());
    data.extend(text);
    data.extend(photo);
    data
}

/// The 70-byte UCS-2 additional address block.
fn additional_address_data(address: &str) -> Vec<u8> {
    let mut data: Vec<u8> = address
        .encode_utf16()
        .take(35)
        .flat_map(u16::to_le_bytes)
        .collect();
    while data.len() < 70 {
        data.extend([0x20, 0x00]);
    }
    data
}

/// The card-independent part of the simulator's behaviour: the answer to
/// one request with a card (or none) on the reader. `None` payload →
/// host framing error answers.
pub fn answer(
    card: Option<&CardRecord>,
    request: Result<&RawFrame, &FrameError>,
) -> Option<Vec<u8>> {
    let frame = match request {
        Ok(frame) => frame,
        Err(FrameError::Checksum { .. }) => {
            return Some(encode_response(SamStatus::HostChecksumError, &[]));
        }
        Err(_) => return None,
    };
    let Some(command) = Command::from_payload(&frame.payload) else {
        return Some(encode_response(SamStatus::BadCommand, &[]));
    };
    let (status, data) = match (command, card) {
        (Command::ResetSam | Command::SamStatus | Command::SetMaxRfFrameSize(_), _) => {
            (SamStatus::Success, vec![])
        }
        (Command::ReadSamId, _) => (SamStatus::Success, sam_id_bytes()),
        (Command::FindCard, Some(_)) => (SamStatus::FindCardSuccess, vec![0; 4]),
        (Command::FindCard, None) => (SamStatus::NoCard, vec![]),
        (Command::SelectCard, Some(_)) => (SamStatus::Success, vec![0; 8]),
        (Command::SelectCard, None) => (SamStatus::SelectFailed, vec![]),
        (Command::ReadTextPhoto, Some(record)) => (SamStatus::Success, read_response_data(record)),
        (Command::ReadTextPhotoFingerprint, Some(record)) => {
            let mut data = read_response_data(record);
            // Three lengths: text, photo, fingerprint (none on this card).
            data.splice(4..4, [0, 0]);
            (SamStatus::Success, data)
        }
        (Command::ReadAdditionalAddress, Some(record)) => match &record.additional_address {
            Some(address) => (SamStatus::Success, additional_address_data(address)),
            None => (SamStatus::NoContent, vec![]),
        },
        (Command::ReadChipSerial, Some(_)) => (SamStatus::Success, vec![0x11; 8]),
        (_, None) => (SamStatus::ReadFailed, vec![]),
    };
    Some(encode_response(status, &data))
}

/// What the simulator starts with.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// A stable symlink to maintain across replugs (like a udev rule).
    pub link: Option<PathBuf>,
    /// The card on the reader at start.
    pub card: Option<TestCard>,
}

struct Inner {
    pty: Option<PtyPair>,
    link: Option<StableLink>,
    link_path: Option<PathBuf>,
    card: Option<CardRecord>,
    /// Active faults and how many more responses each affects.
    faults: Vec<(SimFault, u32)>,
    requests: u64,
    decoder: FrameDecoder,
}

impl Inner {
    fn plug(&mut self) -> std::io::Result<()> {
        let mut pty = PtyPair::open()?;
        pty.set_master_timeout(Duration::from_millis(10))?;
        if let Some(link) = &self.link_path {
            self.link = Some(StableLink::create(link, pty.path())?);
        }
        self.pty = Some(pty);
        self.decoder.clear();
        Ok(())
    }

    /// Takes one use of `fault` if it is active.
    fn take_fault(&mut self, fault: SimFault) -> bool {
        let Some(entry) = self.faults.iter_mut().find(|(f, n)| *f == fault && *n > 0) else {
            return false;
        };
        entry.1 -= 1;
        true
    }
}

/// Controls a running simulator; cheap to clone and send to other threads.
#[derive(Clone)]
pub struct SimControl {
    inner: Arc<Mutex<Inner>>,
}

impl SimControl {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The path a driver should open: the stable link if one was asked
    /// for, else the current PTY. `None` while unplugged without a link.
    pub fn path(&self) -> Option<PathBuf> {
        let inner = self.lock();
        inner
            .link_path
            .clone()
            .or_else(|| inner.pty.as_ref().map(|p| p.path().to_path_buf()))
    }

    /// Puts a test card on the reader.
    pub fn place(&self, card: TestCard) {
        self.place_record(card.record());
    }

    /// Puts any card on the reader (its record must fit the text block).
    pub fn place_record(&self, record: CardRecord) {
        self.lock().card = Some(record);
    }

    /// Takes the card off.
    pub fn remove(&self) {
        self.lock().card = None;
    }

    /// Makes the next `times` eligible responses misbehave (`u32::MAX`
    /// for "until cleared").
    pub fn inject(&self, fault: SimFault, times: u32) {
        let mut inner = self.lock();
        inner.faults.retain(|(f, _)| *f != fault);
        inner.faults.push((fault, times));
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Requests answered (or deliberately ignored) so far.
    pub fn requests(&self) -> u64 {
        self.lock().requests
    }

    /// Pulls the cable: closes the PTY (the driver's next read or write
    /// fails) and removes the stable link.
    pub fn unplug(&self) {
        let mut inner = self.lock();
        inner.pty = None;
        inner.link = None;
    }

    /// Plugs back in: a new PTY (new /dev/pts number) and the link moved
    /// to it.
    pub fn replug(&self) -> std::io::Result<()> {
        let mut inner = self.lock();
        if inner.pty.is_some() {
            return Ok(());
        }
        inner.plug()
    }

    /// Whether the simulated reader is plugged in.
    pub fn is_plugged(&self) -> bool {
        self.lock().pty.is_some()
    }
}

/// A running simulator; stops (and unplugs) when dropped.
pub struct SamSimulator {
    control: SimControl,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SamSimulator {
    /// Opens a PTY and starts answering on a background thread.
    pub fn start(options: SimOptions) -> std::io::Result<Self> {
        let mut inner = Inner {
            pty: None,
            link: None,
            link_path: options.link,
            card: options.card.map(TestCard::record),
            faults: Vec::new(),
            requests: 0,
            decoder: FrameDecoder::new(),
        };
        inner.plug()?;
        let control = SimControl {
            inner: Arc::new(Mutex::new(inner)),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let control = control.clone();
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("sim-sam".into())
                .spawn(move || serve(&control, &stop))?
        };
        Ok(SamSimulator {
            control,
            stop,
            thread: Some(thread),
        })
    }

    /// The control handle.
    pub fn control(&self) -> &SimControl {
        &self.control
    }

    /// The path to open (see [`SimControl::path`]).
    pub fn path(&self) -> PathBuf {
        self.control.path().unwrap_or_default()
    }
}

impl Drop for SamSimulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.control.unplug();
    }
}

fn serve(control: &SimControl, stop: &AtomicBool) {
    let mut buf = vec![0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        {
            let mut inner = control.lock();
            let inner = &mut *inner;
            if let Some(pty) = inner.pty.as_mut() {
                if let Ok(n) = pty.master.read(&mut buf) {
                    inner.decoder.push(&buf[..n]);
                }
                while let Some(request) = inner.decoder.next_frame() {
                    respond(inner, request);
                }
            }
        }
        // Let control calls take the lock between reads.
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn respond(inner: &mut Inner, request: Result<RawFrame, FrameError>) {
    inner.requests += 1;
    let is_read = request.as_ref().is_ok_and(|f| {
        matches!(
            Command::from_payload(&f.payload),
            Some(Command::ReadTextPhoto | Command::ReadTextPhotoFingerprint)
        )
    });
    if inner.take_fault(SimFault::Silence) {
        return;
    }
    let answer = if is_read && inner.take_fault(SimFault::ReadFailure) {
        Some(encode_response(SamStatus::ReadFailed, &[]))
    } else {
        answer(inner.card.as_ref(), request.as_ref())
    };
    let Some(mut bytes) = answer else { return };
    let corrupt = inner.take_fault(SimFault::BadChecksum);
    if let Some(last) = bytes.last_mut().filter(|_| corrupt) {
        *last ^= 0x5A;
    }
    if inner.take_fault(SimFault::GarbageBefore) {
        // Ends in a partial preamble, the hardest case for a resync.
        let mut garbage = vec![0x00, 0xFF, 0x96, 0x69, 0xAA, 0x13, 0xAA, 0xAA];
        garbage.append(&mut bytes);
        bytes = garbage;
    }
    let split = inner.take_fault(SimFault::SplitFrames);
    let Some(pty) = inner.pty.as_mut() else {
        return;
    };
    let result = if split {
        write_in_pieces(&mut pty.master, &bytes)
    } else {
        pty.master.write_all(&bytes)
    };
    if let Err(e) = result {
        log::debug!("simulated reader: write failed: {e}");
    }
}

fn write_in_pieces(port: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    let cuts = [
        0,
        3.min(bytes.len()),
        (bytes.len() / 2).max(3).min(bytes.len()),
        bytes.len(),
    ];
    for piece in cuts.windows(2) {
        port.write_all(&bytes[piece[0]..piece[1]])?;
        port.flush().ok();
        std::thread::sleep(Duration::from_millis(15));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::SerialPort;

    /// Sends a raw request and collects whatever comes back within
    /// `window`, with the arrival time of each piece.
    fn exchange(
        port: &mut serialport::TTYPort,
        request: &[u8],
        window: Duration,
    ) -> Vec<(Duration, Vec<u8>)> {
        port.write_all(request).unwrap();
        let started = std::time::Instant::now();
        let mut pieces = Vec::new();
        let mut buf = [0u8; 2048];
        while started.elapsed() < window {
            port.set_timeout(Duration::from_millis(5)).unwrap();
            if let Ok(n) = port.read(&mut buf) {
                pieces.push((started.elapsed(), buf[..n].to_vec()));
            }
        }
        pieces
    }

    fn joined(pieces: &[(Duration, Vec<u8>)]) -> Vec<u8> {
        pieces.iter().flat_map(|(_, p)| p.clone()).collect()
    }

    #[test]
    fn faults_change_the_bytes_on_the_wire() {
        let sim = SamSimulator::start(SimOptions {
            link: None,
            card: Some(TestCard::Resident),
        })
        .unwrap();
        let mut port = serialport::new(sim.path().to_string_lossy(), 115_200)
            .open_native()
            .unwrap();
        let find = Command::FindCard.encode();
        let found = encode_response(SamStatus::FindCardSuccess, &[0; 4]);
        let window = Duration::from_millis(150);

        assert_eq!(joined(&exchange(&mut port, &find, window)), found);

        sim.control().inject(SimFault::GarbageBefore, 1);
        let bytes = joined(&exchange(&mut port, &find, window));
        assert!(
            bytes.len() > found.len() && bytes.ends_with(&found),
            "{bytes:02X?}"
        );

        sim.control().inject(SimFault::BadChecksum, 1);
        let bytes = joined(&exchange(&mut port, &find, window));
        assert_eq!(bytes.len(), found.len());
        assert_ne!(bytes.last(), found.last());

        sim.control().inject(SimFault::Silence, 1);
        assert!(exchange(&mut port, &find, window).is_empty());

        sim.control().inject(SimFault::SplitFrames, 1);
        let pieces = exchange(&mut port, &find, window);
        assert_eq!(joined(&pieces), found);
        assert!(pieces.len() >= 2, "arrived in {} piece(s)", pieces.len());

        sim.control().inject(SimFault::ReadFailure, 1);
        let bytes = joined(&exchange(
            &mut port,
            &Command::ReadTextPhoto.encode(),
            window,
        ));
        assert_eq!(bytes, encode_response(SamStatus::ReadFailed, &[]));
        // A host frame with a bad checksum is answered with 0x10.
        let mut bad = Command::FindCard.encode();
        *bad.last_mut().unwrap() ^= 1;
        let bytes = joined(&exchange(&mut port, &bad, window));
        assert_eq!(bytes, encode_response(SamStatus::HostChecksumError, &[]));
        assert_eq!(sim.control().requests(), 7);
    }
}
