//! Reads handwritten characters off the UI thread. The recognizer (Zinnia
//! with a 27 MB memory-mapped model) is opened on the worker's own thread
//! the first time a stroke is finished, so a visit that never writes never
//! maps it, and a slow disk never stalls a touch. Each request carries a
//! generation number; only the newest waiting request is read (a finger
//! writing fast outruns nothing), and the caller drops answers for ink that
//! has changed since.

use onevisit_drivers::handwriting::{Ink, Recognizer};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

/// Candidates asked of the recognizer per character.
pub const WRITTEN_CANDIDATES: usize = 10;

/// The recognizer's reading of one ink, or why there is none (in Chinese,
/// for the keyboard to show).
pub type Reading = Result<Vec<String>, String>;

/// Hears each reading with the generation of the ink it read. Runs on the
/// worker thread: the kiosk's posts it to the UI thread.
pub type Deliver = Box<dyn Fn(u64, Reading) + Send>;

/// How the worker opens its recognizer (the installed model in the kiosk).
pub type Open = Box<dyn FnMut() -> Result<Recognizer, String> + Send>;

struct Request {
    generation: u64,
    ink: Ink,
}

/// The handle of the `handwriting` thread; dropping it ends the thread.
pub struct HandwritingWorker {
    requests: Sender<Request>,
    loaded: Arc<AtomicBool>,
}

impl HandwritingWorker {
    /// Starts the thread; nothing is opened until the first [`read`].
    ///
    /// [`read`]: HandwritingWorker::read
    pub fn spawn(open: Open, deliver: Deliver) -> std::io::Result<HandwritingWorker> {
        let (requests, inbox) = mpsc::channel();
        let loaded = Arc::new(AtomicBool::new(false));
        let flag = loaded.clone();
        std::thread::Builder::new()
            .name("handwriting".into())
            .spawn(move || serve(&inbox, open, &deliver, &flag))?;
        Ok(HandwritingWorker { requests, loaded })
    }

    /// The installed model (`ONEVISIT_HANDWRITING_MODEL` or Tegaki's).
    pub fn spawn_default(deliver: Deliver) -> std::io::Result<HandwritingWorker> {
        HandwritingWorker::spawn(
            Box::new(|| Recognizer::open_default().map_err(|e| e.to_string())),
            deliver,
        )
    }

    /// Asks for a reading of `ink`; the answer comes through `deliver`.
    /// Returns false when the thread has ended.
    pub fn read(&self, generation: u64, ink: Ink) -> bool {
        self.requests.send(Request { generation, ink }).is_ok()
    }

    /// Whether the recognizer has been opened (for the memory bench and
    /// the test that nothing is mapped before the pad is used).
    pub fn loaded(&self) -> bool {
        self.loaded.load(Ordering::Acquire)
    }
}

fn serve(inbox: &Receiver<Request>, mut open: Open, deliver: &Deliver, loaded: &AtomicBool) {
    let mut recognizer: Option<Recognizer> = None;
    while let Ok(mut request) = inbox.recv() {
        // Older waiting ink is outdated by newer strokes: read the newest.
        while let Ok(newer) = inbox.try_recv() {
            request = newer;
        }
        if recognizer.is_none() {
            match open() {
                Ok(r) => {
                    recognizer = Some(r);
                    loaded.store(true, Ordering::Release);
                }
                // Told for this ink; the next stroke tries again (a model
                // installed meanwhile is picked up without a restart).
                Err(why) => {
                    deliver(request.generation, Err(why));
                    continue;
                }
            }
        }
        let Some(r) = recognizer.as_ref() else {
            continue;
        };
        deliver(request.generation, read_with(r, &request.ink));
    }
}

/// One reading with an open recognizer: the candidates' text, best first.
pub fn read_with(recognizer: &Recognizer, ink: &Ink) -> Reading {
    recognizer
        .classify(ink, WRITTEN_CANDIDATES)
        .map(|found| found.into_iter().map(|c| c.text).collect())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use onevisit_drivers::handwriting::samples;
    use std::time::Duration;

    fn worker() -> (HandwritingWorker, Receiver<(u64, Reading)>) {
        let (tx, rx) = mpsc::channel();
        let deliver: Deliver = Box::new(move |g, r| {
            let _ = tx.send((g, r));
        });
        (HandwritingWorker::spawn_default(deliver).unwrap(), rx)
    }

    #[test]
    fn reads_on_its_own_thread_and_opens_the_model_on_first_use() {
        let (worker, answers) = worker();
        std::thread::sleep(Duration::from_millis(50));
        assert!(!worker.loaded(), "nothing mapped before the pad is used");
        assert!(worker.read(7, samples::ink("十").unwrap()));
        let (generation, reading) = answers.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(generation, 7);
        let words = reading.unwrap();
        assert!(words.len() >= 8, "at least eight candidates: {words:?}");
        assert!(words.iter().take(5).any(|w| w == "十"), "{words:?}");
        assert!(worker.loaded());
    }

    #[test]
    fn a_missing_model_is_told_for_each_ink_and_nothing_panics() {
        let (tx, answers) = mpsc::channel();
        let worker = HandwritingWorker::spawn(
            Box::new(|| {
                Recognizer::open(std::path::Path::new("/nonexistent/model"))
                    .map_err(|e| e.to_string())
            }),
            Box::new(move |g, r| {
                let _ = tx.send((g, r));
            }),
        )
        .unwrap();
        for generation in [1, 2] {
            worker.read(generation, samples::ink("一").unwrap());
            let (g, reading) = answers.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(g, generation);
            let why = reading.unwrap_err();
            assert!(why.contains("手写识别模型"), "{why}");
        }
        assert!(!worker.loaded());
    }

    #[test]
    fn bad_ink_gets_a_reason_not_a_crash() {
        let (worker, answers) = worker();
        let ink = Ink {
            width: 300,
            height: 300,
            strokes: vec![vec![]],
        };
        worker.read(1, ink);
        let (_, reading) = answers.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(reading.unwrap_err().contains("第 1 笔"));
    }
}
