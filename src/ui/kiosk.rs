//! `onevisit` with no subcommand: the kiosk in a developer window, with the
//! ID reader simulated in process (the same bytes as the real reader, over
//! a PTY, under the same supervision) and a small panel to place a card.

use super::{AppWindow, Kiosk, SessionController, fonts};
use crate::catalog::Catalog;
use onevisit_drivers::manager::{Backoff, DeviceManager};
use onevisit_drivers::sam::ReaderEvent;
use onevisit_drivers::sam::supervised::SupervisedReader;
use onevisit_drivers::sim::sam::{SamSimulator, SimOptions, TestCard};
use onevisit_drivers::transport::SerialTransport;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

thread_local! {
    // The UI thread's kiosk, for events posted with invoke_from_event_loop
    // (the closure must be Send; the kiosk is not).
    static KIOSK: RefCell<Option<Rc<Kiosk>>> = const { RefCell::new(None) };
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

pub fn run() -> ExitCode {
    if !has_display() {
        eprintln!(
            "没有显示器 (no display: neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             The kiosk window needs a desktop session. Without one, render every\n\
             screen to PNG files instead:  onevisit screenshots --out DIR"
        );
        return ExitCode::from(2);
    }
    if let Err(message) = fonts::ensure_cjk_font() {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    let catalog = match Catalog::load_default() {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let window = match AppWindow::new() {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "无法打开窗口 (cannot open the window): {e}\nTry: onevisit screenshots --out DIR"
            );
            return ExitCode::from(2);
        }
    };
    let kiosk = Kiosk::new(window, SessionController::new(catalog));
    KIOSK.with(|k| *k.borrow_mut() = Some(Rc::clone(&kiosk)));

    // The simulated reader and its supervision live as long as the window.
    let (_sim, _manager) = match start_reader(&kiosk) {
        Ok(parts) => parts,
        Err(e) => {
            eprintln!("cannot start the simulated ID reader: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("onevisit kiosk: use the panel at the bottom right to place a test ID card.");
    let result = kiosk.window().run();
    KIOSK.with(|k| k.borrow_mut().take());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn start_reader(kiosk: &Kiosk) -> std::io::Result<(SamSimulator, DeviceManager)> {
    let sim = SamSimulator::start(SimOptions::default())?;
    let path = sim.path();
    let (tx, rx) = std::sync::mpsc::channel::<ReaderEvent>();
    let reader = SupervisedReader::new(
        "idreader",
        move || SerialTransport::open(&path, 115_200),
        tx,
    )
    .with_poll_interval(Duration::from_millis(300));
    let (mut manager, _health) = DeviceManager::new();
    manager.supervise(
        reader,
        Backoff {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
            reopen_after_failures: 3,
        },
    );
    // Reader events wait on this thread, never on the UI thread.
    std::thread::Builder::new()
        .name("reader-events".into())
        .spawn(move || {
            for event in rx {
                let posted = slint::invoke_from_event_loop(move || {
                    KIOSK.with(|k| {
                        if let Some(k) = k.borrow().as_ref() {
                            k.reader_event(event);
                        }
                    })
                });
                if posted.is_err() {
                    break; // the event loop has ended
                }
            }
        })?;
    let control = sim.control().clone();
    kiosk.set_dev_card_handler(move |what| match what {
        "resident" => control.place(TestCard::Resident),
        "expired" => control.place(TestCard::Expired),
        _ => control.remove(),
    });
    Ok((sim, manager))
}
