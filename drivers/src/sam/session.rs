//! Card arrival and removal: polling the reader and turning what it says
//! into events for the UI.
//!
//! [`ReaderSession::poll`] does one find-card round and, when a new card
//! is there, reads it. Call it about once a second from a worker thread
//! (the [`super::supervised`] adapter does exactly that under the device
//! manager) and send the events over a channel.

pub use super::reader::CardRead;
use super::reader::{ReaderError, SamReader};
use crate::idcard::{CardError, CivilDate, check_card, mask_name};
use crate::transport::Transport;

/// What the reader tells the rest of the kiosk.
#[derive(Debug)]
pub enum ReaderEvent {
    /// The reader was opened and its SAM answered.
    Ready { sam_id: String },
    /// A valid card was read.
    CardPlaced(Box<CardRead>),
    /// A card was read but cannot be used (expired, not yet valid, wrong
    /// check character, unreadable text); readable ones carry the record.
    CardRejected(Box<CardError>),
    /// The card was taken off the reader.
    CardRemoved,
    /// The reader went away (unplugged, port closed).
    ReaderLost(String),
    /// The reader is back after [`ReaderEvent::ReaderLost`].
    ReaderBack,
    /// A card is there but could not be read; the message is for the
    /// applicant ("请将证件平放...").
    Error(ReaderError),
}

/// Misses of find-card in a row before a card counts as removed: one miss
/// can be RF noise or a hand passing over the antenna.
pub const REMOVAL_MISSES: u8 = 2;
/// Reads of one card placement before giving up until it is removed.
pub const MAX_READ_ATTEMPTS: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardState {
    Absent,
    /// Read (accepted or rejected): nothing more to do until removal.
    Done {
        misses: u8,
    },
    /// Found but not yet read successfully.
    Unread {
        attempts: u8,
        misses: u8,
    },
}

/// Polls one reader for cards.
pub struct ReaderSession<T: Transport> {
    reader: SamReader<T>,
    state: CardState,
    today: Box<dyn Fn() -> CivilDate + Send>,
}

impl<T: Transport> ReaderSession<T> {
    /// A session over a started reader; `today` decides expiry (use
    /// [`CivilDate::today_in_china`] in production, a fixed date in tests).
    pub fn new(reader: SamReader<T>, today: impl Fn() -> CivilDate + Send + 'static) -> Self {
        ReaderSession {
            reader,
            state: CardState::Absent,
            today: Box::new(today),
        }
    }

    /// The reader, e.g. for a status probe.
    pub fn reader_mut(&mut self) -> &mut SamReader<T> {
        &mut self.reader
    }

    /// Whether a card is currently on the reader (as last seen).
    pub fn card_present(&self) -> bool {
        self.state != CardState::Absent
    }

    /// One round: find the card and read it if it is new.
    ///
    /// `Err` means the reader itself failed (gone, silent, confused) while
    /// looking for a card; a card that is there but fails to read is an
    /// `Ok(Some(ReaderEvent::Error))`, because the reader is fine.
    pub fn poll(&mut self) -> Result<Option<ReaderEvent>, ReaderError> {
        let found = self.reader.find_card()?;
        match (found, self.state) {
            (false, CardState::Absent) => Ok(None),
            (false, CardState::Done { misses } | CardState::Unread { misses, .. }) => {
                if misses + 1 >= REMOVAL_MISSES {
                    self.state = CardState::Absent;
                    log::info!("身份证已取走 (card removed)");
                    return Ok(Some(ReaderEvent::CardRemoved));
                }
                self.state = match self.state {
                    CardState::Unread { attempts, .. } => CardState::Unread {
                        attempts,
                        misses: misses + 1,
                    },
                    _ => CardState::Done { misses: misses + 1 },
                };
                Ok(None)
            }
            (true, CardState::Done { .. }) => {
                self.state = CardState::Done { misses: 0 };
                Ok(None)
            }
            (true, CardState::Unread { attempts, .. }) if attempts >= MAX_READ_ATTEMPTS => {
                self.state = CardState::Unread {
                    attempts,
                    misses: 0,
                };
                Ok(None)
            }
            (true, CardState::Absent) => self.read_new_card(0),
            (true, CardState::Unread { attempts, .. }) => self.read_new_card(attempts),
        }
    }

    fn read_new_card(&mut self, attempts_before: u8) -> Result<Option<ReaderEvent>, ReaderError> {
        // One immediate retry inside a poll: most failures are a card slid
        // into place during the read, and a second later it is still.
        let mut result = self.reader.read_card();
        if let Err(error) = &result {
            if error.is_disconnected() {
                return Err(result.unwrap_err());
            }
            if error.is_transient() {
                log::debug!("读证重试 (retrying read): {error}");
                if !self.reader.find_card()? {
                    // Lifted during the read: as if it never came.
                    self.state = CardState::Absent;
                    return Ok(None);
                }
                result = self.reader.read_card();
            }
        }
        match result {
            Ok(read) => {
                self.state = CardState::Done { misses: 0 };
                match check_card(&read.record, (self.today)()) {
                    Ok(()) => {
                        log::info!("读证成功 (card read): {}", read.record.masked_summary());
                        Ok(Some(ReaderEvent::CardPlaced(Box::new(read))))
                    }
                    Err(problem) => {
                        log::info!(
                            "证件不可用 (card rejected): {} {}",
                            read.record.masked_summary(),
                            problem_summary(&problem)
                        );
                        Ok(Some(ReaderEvent::CardRejected(Box::new(problem))))
                    }
                }
            }
            Err(ReaderError::Card(problem)) => {
                self.state = CardState::Done { misses: 0 };
                log::warn!("证件信息无法识别 (card text unreadable): {problem}");
                Ok(Some(ReaderEvent::CardRejected(Box::new(problem))))
            }
            Err(error) if error.is_disconnected() => Err(error),
            Err(error) => {
                self.state = CardState::Unread {
                    attempts: attempts_before + 1,
                    misses: 0,
                };
                log::warn!("读证失败 (read failed): {error}");
                Ok(Some(ReaderEvent::Error(error)))
            }
        }
    }
}

/// The problem without personal data (the error's Display may include the
/// masked check-digit message but never a name or number).
fn problem_summary(problem: &CardError) -> String {
    match problem {
        CardError::Expired { valid_to, .. } => format!("已过期 {valid_to}"),
        CardError::NotYetValid { valid_from, .. } => format!("未生效 {valid_from}"),
        CardError::BadIdNumber { record, .. } => {
            format!("号码校验失败 {}", mask_name(&record.name))
        }
        CardError::Text(error) => error.to_string(),
    }
}
