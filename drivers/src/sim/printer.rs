//! A simulated ESC/POS receipt printer.
//!
//! [`PrinterModel`] is the printer itself: it parses the ESC/POS it is
//! sent ([`parser`]), keeps a readable transcript and draws the receipt
//! ([`render`]), answers DLE EOT status requests, and can be put into fault
//! states. It is a [`Transport`] too, for fast in-process tests.
//! [`PrinterSim`] runs a model on a PTY, so the real serial code is under
//! test; its [`PrinterControl`] handle changes faults at run time.

pub mod parser;
pub mod render;

use crate::escpos::PaperWidth;
use crate::transport::{Transport, TransportError};
use parser::{EscPosParser, Event};
use render::Renderer;
use serialport::{SerialPort, TTYPort};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Faults the simulated printer can be put in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    pub paper_near_end: bool,
    pub paper_out: bool,
    pub cover_open: bool,
    pub offline: bool,
    pub cutter_error: bool,
    pub unrecoverable_error: bool,
}

/// The simulated printer's state and behaviour.
#[derive(Debug)]
pub struct PrinterModel {
    paper: PaperWidth,
    pub faults: Faults,
    parser: EscPosParser,
    renderer: Renderer,
    transcript: Vec<String>,
    /// Print bytes accepted so far (status requests not counted).
    printed_bytes: usize,
    /// Paper runs out once `printed_bytes` would pass this.
    paper_out_at: Option<usize>,
    /// Bytes that arrived while the printer could not print.
    dropped_bytes: usize,
    replies: VecDeque<u8>,
    status_requests: usize,
}

impl PrinterModel {
    pub fn new(paper: PaperWidth) -> Self {
        Self {
            paper,
            faults: Faults::default(),
            parser: EscPosParser::new(),
            renderer: Renderer::new(paper.dots()),
            transcript: Vec::new(),
            printed_bytes: 0,
            paper_out_at: None,
            dropped_bytes: 0,
            replies: VecDeque::new(),
            status_requests: 0,
        }
    }

    pub fn paper(&self) -> PaperWidth {
        self.paper
    }

    /// Paper runs out after `bytes` more bytes of print data.
    pub fn paper_out_after(&mut self, bytes: usize) {
        self.paper_out_at = Some(self.printed_bytes + bytes);
    }

    /// The DLE EOT `n` reply for the current state.
    pub fn status_byte(&self, n: u8) -> u8 {
        let f = &self.faults;
        let error = f.cutter_error || f.unrecoverable_error;
        let bit = |cond: bool, mask: u8| if cond { mask } else { 0 };
        0x12 | match n {
            1 => bit(self.blocked(), 0x08),
            2 => bit(f.cover_open, 0x04) | bit(f.paper_out, 0x20) | bit(error, 0x40),
            3 => bit(f.cutter_error, 0x08) | bit(f.unrecoverable_error, 0x20),
            4 => bit(f.paper_near_end || f.paper_out, 0x0C) | bit(f.paper_out, 0x60),
            _ => 0,
        }
    }

    fn blocked(&self) -> bool {
        let f = &self.faults;
        f.paper_out || f.cover_open || f.offline || f.cutter_error || f.unrecoverable_error
    }

    /// Takes bytes from the host. Status replies queue up for [`Transport::read`]
    /// (or [`PrinterModel::take_replies`]).
    pub fn receive(&mut self, bytes: &[u8]) {
        for parsed in self.parser.push(bytes) {
            self.handle(parsed.event, parsed.len);
        }
    }

    /// Queued status reply bytes.
    pub fn take_replies(&mut self) -> Vec<u8> {
        self.replies.drain(..).collect()
    }

    fn handle(&mut self, event: Event, len: usize) {
        if let Event::StatusRequest(n) = event {
            self.status_requests += 1;
            // Real printers do not answer an invalid n.
            if (1..=4).contains(&n) {
                self.replies.push_back(self.status_byte(n));
            }
            return;
        }
        if self.blocked() {
            self.dropped_bytes += len;
            return;
        }
        if let Some(limit) = self.paper_out_at
            && self.printed_bytes + len > limit
        {
            self.faults.paper_out = true;
            self.paper_out_at = None;
            self.transcript.push("[PAPER OUT]".into());
            self.dropped_bytes += len;
            return;
        }
        self.printed_bytes += len;
        self.renderer.apply(&event);
        self.transcript.push(event.to_string());
    }

    /// Everything printed so far as tokens joined by spaces, e.g.
    /// `[INIT] [CN ON] [ALIGN CENTER] 受理回执 [LF] [CUT]`.
    pub fn transcript(&mut self) -> String {
        if let Some(p) = self.parser.flush_text() {
            self.handle(p.event, p.len);
        }
        self.transcript.join(" ")
    }

    /// The receipt as drawn so far (paper width × printed length).
    pub fn image(&mut self) -> image::GrayImage {
        if let Some(p) = self.parser.flush_text() {
            self.handle(p.event, p.len);
        }
        self.renderer.image()
    }

    /// Writes [`PrinterModel::image`] as a PNG.
    pub fn save_png(&mut self, path: &Path) -> image::ImageResult<()> {
        self.image().save_with_format(path, image::ImageFormat::Png)
    }

    pub fn printed_bytes(&self) -> usize {
        self.printed_bytes
    }

    pub fn dropped_bytes(&self) -> usize {
        self.dropped_bytes
    }

    pub fn status_requests(&self) -> usize {
        self.status_requests
    }

    /// Tears the printed receipt off: transcript and paper start afresh.
    pub fn clear_output(&mut self) {
        self.transcript.clear();
        self.renderer = Renderer::new(self.paper.dots());
    }
}

impl Transport for PrinterModel {
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.receive(bytes);
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], _timeout: Duration) -> Result<usize, TransportError> {
        let n = buf.len().min(self.replies.len());
        for (slot, byte) in buf.iter_mut().zip(self.replies.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

/// Shared access to a running simulator's model.
#[derive(Debug, Clone)]
pub struct PrinterControl(Arc<Mutex<PrinterModel>>);

impl PrinterControl {
    /// Runs `f` on the model (set faults, read the transcript, ...).
    pub fn with<R>(&self, f: impl FnOnce(&mut PrinterModel) -> R) -> R {
        f(&mut lock(&self.0))
    }

    pub fn set_paper_near_end(&self, on: bool) {
        self.with(|m| m.faults.paper_near_end = on)
    }

    pub fn set_paper_out(&self, on: bool) {
        self.with(|m| m.faults.paper_out = on)
    }

    pub fn set_cover_open(&self, on: bool) {
        self.with(|m| m.faults.cover_open = on)
    }

    pub fn set_offline(&self, on: bool) {
        self.with(|m| m.faults.offline = on)
    }

    pub fn set_cutter_error(&self, on: bool) {
        self.with(|m| m.faults.cutter_error = on)
    }

    pub fn set_unrecoverable_error(&self, on: bool) {
        self.with(|m| m.faults.unrecoverable_error = on)
    }

    /// Paper runs out after `bytes` more bytes of print data.
    pub fn paper_out_after(&self, bytes: usize) {
        self.with(|m| m.paper_out_after(bytes))
    }

    pub fn transcript(&self) -> String {
        self.with(|m| m.transcript())
    }

    pub fn save_png(&self, path: &Path) -> image::ImageResult<()> {
        self.with(|m| m.save_png(path))
    }
}

fn lock(m: &Mutex<PrinterModel>) -> MutexGuard<'_, PrinterModel> {
    // A panic elsewhere must not take the simulator down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A [`PrinterModel`] on a PTY, served by a thread until dropped.
pub struct PrinterSim {
    path: PathBuf,
    control: PrinterControl,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slave: TTYPort,
}

impl PrinterSim {
    pub fn start(paper: PaperWidth) -> std::io::Result<Self> {
        let (mut master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| std::io::Error::other("PTY has no name"))?;
        SerialPort::set_timeout(&mut master, Duration::from_millis(20))
            .map_err(std::io::Error::other)?;
        let control = PrinterControl(Arc::new(Mutex::new(PrinterModel::new(paper))));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (control, stop) = (control.clone(), stop.clone());
            std::thread::Builder::new()
                .name("printer-sim".into())
                .spawn(move || serve(master, control, stop))?
        };
        Ok(Self {
            path,
            control,
            stop,
            thread: Some(thread),
            _slave: slave,
        })
    }

    /// The device path to open, like /dev/pts/7.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn control(&self) -> PrinterControl {
        self.control.clone()
    }
}

impl Drop for PrinterSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut master: TTYPort, control: PrinterControl, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let n = match master.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(e) => {
                log::warn!("printer simulator stops: {e}");
                return;
            }
        };
        let replies = control.with(|m| {
            m.receive(&buf[..n]);
            m.take_replies()
        });
        if !replies.is_empty()
            && let Err(e) = master.write_all(&replies)
        {
            log::warn!("printer simulator cannot reply: {e}");
        }
    }
}
