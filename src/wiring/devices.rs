//! The kiosk's devices as the UI uses them: documents to ESC/POS bytes for
//! the supervised printer (kept for reprints first), the printer's answer
//! in the applicant's words, and scanner codes. Everything here runs off
//! the UI thread; results come back through a callback the caller posts
//! to the event loop.

use onevisit_core::fonts::cjk_font;
use onevisit_core::print::{DocumentKind, JobStore, SqliteJobStore, StoredJob, to_escpos};
use onevisit_core::staff::DeviceRecorder;
use onevisit_core::visit::PrintFailure;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::printer::supervised::{PrintOutcome, PrintRequest};
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};

/// A print handler for [`super::Kiosk::set_print_handler`]: each batch is
/// kept in the reprint store (`store`, SQLite; by receipt number), turned
/// into ESC/POS and sent to the supervised printer through `printer`;
/// `done` gets the batch's outcome on a worker thread.
pub fn print_handler(
    printer: Sender<PrintRequest>,
    store: Option<PathBuf>,
    paper: PaperWidth,
    recorder: DeviceRecorder,
    done: impl Fn(Result<(), PrintFailure>) + Send + Clone + 'static,
) -> impl Fn(Vec<StoredJob>) + 'static {
    move |jobs: Vec<StoredJob>| {
        let printer = printer.clone();
        let store = store.clone();
        let done = done.clone();
        let recorder = recorder.clone();
        // Rendering and waiting for the printer take seconds: not on the
        // UI thread.
        let spawned = std::thread::Builder::new()
            .name("print-batch".into())
            .spawn(move || done(print_batch(&printer, store, paper, &recorder, jobs)));
        if let Err(e) = spawned {
            log::error!("cannot start a print thread: {e}");
        }
    }
}

fn print_batch(
    printer: &Sender<PrintRequest>,
    store: Option<PathBuf>,
    paper: PaperWidth,
    recorder: &DeviceRecorder,
    jobs: Vec<StoredJob>,
) -> Result<(), PrintFailure> {
    if let Some(path) = store {
        match SqliteJobStore::open(&path) {
            Ok(mut s) => {
                // Test pages are not kept: nobody reprints them by number.
                for job in jobs.iter().filter(|j| j.kind != DocumentKind::TestPage) {
                    if let Err(e) = s.put(job.clone()) {
                        log::error!("reprint store: {e}");
                    }
                }
            }
            Err(e) => log::error!("reprint store {}: {e}", path.display()),
        }
    }
    let font = cjk_font().map_err(|e| {
        log::error!("print font: {e}");
        PrintFailure::FontMissing
    })?;
    for job in jobs {
        let bytes = to_escpos(&job.document, paper, font).map_err(|e| {
            log::error!("cannot render {:?} {}: {e}", job.kind, job.key);
            PrintFailure::Render
        })?;
        let (tx, rx) = channel::<PrintOutcome>();
        let sent = printer.send(PrintRequest {
            id: job.key.clone(),
            bytes,
            done: tx,
        });
        if sent.is_err() {
            return Err(PrintFailure::NoPrinter);
        }
        match rx.recv() {
            Ok(PrintOutcome {
                result: Ok(report), ..
            }) => recorder.printed(&job, paper, &report),
            Ok(PrintOutcome { result: Err(e), .. }) => {
                recorder.print_failed(&e);
                log::warn!("{:?} {} not printed: {e}", job.kind, job.key);
                // The rest of the batch waits for staff (reprint by number).
                return Err(PrintFailure::from_printer(&e));
            }
            Err(_) => return Err(PrintFailure::Printer),
        }
    }
    Ok(())
}
