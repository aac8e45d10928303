//! The device manager with a scripted device: health reporting, backoff,
//! reopening a failing device, and noticing one that goes away.

use onevisit_drivers::manager::{
    Backoff, DeviceId, DeviceManager, Fault, Health, HealthChange, Supervised,
};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Script {
    present: AtomicBool,
    /// run_once answers Failing while this is non-zero (and decrements).
    failing_runs: AtomicU32,
    gone_once: AtomicBool,
    opens: Mutex<Vec<Instant>>,
}

struct Scripted(Arc<Script>);

impl Supervised for Scripted {
    type Device = ();

    fn id(&self) -> DeviceId {
        DeviceId::Printer
    }

    fn open(&mut self) -> Result<(), Fault> {
        self.0.opens.lock().unwrap().push(Instant::now());
        if self.0.present.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(Fault::Gone("no such device".into()))
        }
    }

    fn probe(&mut self, _: &mut ()) -> Result<Health, Fault> {
        Ok(Health::Ok)
    }

    fn run_once(&mut self, _: &mut ()) -> Result<Health, Fault> {
        std::thread::sleep(Duration::from_millis(5));
        if self.0.gone_once.swap(false, Ordering::SeqCst) {
            self.0.present.store(false, Ordering::SeqCst);
            return Err(Fault::Gone("unplugged".into()));
        }
        if self.0.failing_runs.load(Ordering::SeqCst) > 0 {
            self.0.failing_runs.fetch_sub(1, Ordering::SeqCst);
            return Err(Fault::Failing("paper jam".into()));
        }
        Ok(Health::Ok)
    }
}

fn expect(changes: &Receiver<HealthChange>, want: Health) {
    let change = changes
        .recv_timeout(Duration::from_secs(3))
        .expect("a health change");
    assert_eq!(change.device, DeviceId::Printer);
    assert_eq!(change.health, want);
}

#[test]
fn health_follows_the_device_with_backoff_and_reopen() {
    let script = Arc::new(Script::default());
    let (mut manager, changes) = DeviceManager::new();
    let backoff = Backoff {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(80),
        reopen_after_failures: 2,
    };
    manager.supervise(Scripted(Arc::clone(&script)), backoff);

    expect(&changes, Health::Missing("no such device".into()));
    std::thread::sleep(Duration::from_millis(300));
    {
        // Waits between attempts double up to the cap: 20, 40, 80, 80...
        let opens = script.opens.lock().unwrap();
        assert!(
            opens.len() >= 4 && opens.len() <= 8,
            "{} attempts",
            opens.len()
        );
        let gaps: Vec<_> = opens.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps[0] >= Duration::from_millis(20));
        assert!(gaps[2] >= Duration::from_millis(80));
        assert!(gaps.iter().all(|g| *g < Duration::from_millis(200)));
    }
    // Unchanged health is not re-announced.
    assert!(changes.try_recv().is_err());

    script.present.store(true, Ordering::SeqCst);
    expect(&changes, Health::Ok);
    assert_eq!(manager.health_of(DeviceId::Printer), Some(Health::Ok));

    let opens_before = script.opens.lock().unwrap().len();
    script.failing_runs.store(2, Ordering::SeqCst);
    expect(&changes, Health::Degraded("paper jam".into()));
    expect(&changes, Health::Ok);
    assert_eq!(
        script.opens.lock().unwrap().len(),
        opens_before + 1,
        "closed and reopened after 2 failures"
    );

    script.gone_once.store(true, Ordering::SeqCst);
    expect(&changes, Health::Missing("unplugged".into()));
    expect(&changes, Health::Missing("no such device".into()));
    script.present.store(true, Ordering::SeqCst);
    expect(&changes, Health::Ok);

    let started = Instant::now();
    manager.shutdown();
    assert!(started.elapsed() < Duration::from_millis(500));
}
