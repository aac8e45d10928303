//! 读屏: the kiosk reads its screens aloud through a
//! [`onevisit_drivers::speech::Speaker`]. What each screen says is the
//! core's (`SessionController::utterance`); this only decides when:
//! after each refresh, while 自动朗读 is on, a screen whose key changed is
//! said (cutting off the last one); every touch stops speech first (taps go
//! through [`Kiosk::update`]; the idle tick and device events do not, so a
//! card read or the printer finishing is heard, not silenced). 朗读本页
//! reads the screen once whatever the setting; 重听 says it again; 小声 /
//! 大声 change the loudness and say it again at the new level. Without a
//! speaker, or once it reports no sound card, the bar is hidden. A long
//! screen (a notice is minutes of speech) goes to the speaker a few
//! sentences at a time, so its samples never sit in memory whole.

use super::SpeechState;
use super::glue::Kiosk;
use crate::controller::{Page, SessionController};
use onevisit_core::visit::Utterance;
use onevisit_core::visit::speech::MIN_VOLUME;
use onevisit_drivers::speech::{ELDERLY_RATE_WPM, Speaker};
use slint::ComponentHandle;
use slint::{Timer, TimerMode};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

/// The most handed to the speaker at once, in characters: under a minute
/// of speech (about 2.5 MB of samples, which the speaker holds whole while
/// it plays them); a 1 000-character notice is five minutes and 14 MB.
const PIECE_CHARS: usize = 200;
/// How often the next piece is looked for while one plays.
const FEED_EVERY: Duration = Duration::from_millis(100);

/// The kiosk's speaker and what it last said.
#[derive(Default)]
pub(super) struct SpeechHook {
    speaker: RefCell<Option<Arc<Speaker>>>,
    /// Words per minute in the standard mode (the speaker's own when it
    /// was set); 长者模式 speaks at most at [`ELDERLY_RATE_WPM`].
    rate: Cell<u32>,
    /// The key of the screen at the last refresh.
    shown: RefCell<Option<String>>,
    /// 自动朗读 was on at the last refresh.
    was_on: Cell<bool>,
    /// What was said last, for as long as its screen shows (it goes with
    /// the screen, so nothing of a visit is left to 重听 after it).
    said: RefCell<Option<Utterance>>,
    /// The pieces of the screen not handed to the speaker yet.
    queue: RefCell<VecDeque<String>>,
    /// Hands the next piece over once the speaker is done with one.
    feeder: Timer,
    kiosk: RefCell<Weak<Kiosk>>,
}

impl Kiosk {
    /// Gives the kiosk a voice: the speech bar shows while the speaker is
    /// available, and screens are read as the applicant's setting says.
    pub fn set_speaker(&self, speaker: Arc<Speaker>) {
        self.speech.rate.set(speaker.rate());
        *self.speech.speaker.borrow_mut() = Some(speaker);
        self.refresh();
    }

    pub fn speaker(&self) -> Option<Arc<Speaker>> {
        self.speech.speaker.borrow().clone()
    }

    /// The text last handed to the speaker, while its screen shows.
    pub fn last_spoken(&self) -> Option<String> {
        self.speech.said.borrow().as_ref().map(|u| u.text.clone())
    }

    /// Something is being said, or is still to be said.
    pub fn is_speaking(&self) -> bool {
        !self.speech.queue.borrow().is_empty() || self.speaker().is_some_and(|s| s.is_speaking())
    }

    /// A touch: silence at once.
    pub(super) fn stop_speech(&self) {
        self.speech.queue.borrow_mut().clear();
        self.speech.feeder.stop();
        if let Some(s) = self.speech.speaker.borrow().as_ref() {
            s.stop();
        }
    }

    /// Says `utterance` from its start, cutting off what is being said.
    fn say(&self, utterance: Utterance) {
        let mut queue = pieces(&utterance.text);
        *self.speech.said.borrow_mut() = Some(utterance);
        match (self.speaker(), queue.pop_front()) {
            // `say` cuts off whatever is being said.
            (Some(s), Some(first)) => s.say(first),
            _ => queue.clear(),
        }
        *self.speech.queue.borrow_mut() = queue;
        if self.speech.queue.borrow().is_empty() {
            self.speech.feeder.stop();
        } else {
            let kiosk = self.speech.kiosk.borrow().clone();
            self.speech
                .feeder
                .start(TimerMode::Repeated, FEED_EVERY, move || {
                    if let Some(k) = kiosk.upgrade() {
                        k.feed();
                    }
                });
        }
    }

    /// The next piece, once the speaker has finished the last one.
    fn feed(&self) {
        let Some(speaker) = self.speaker() else {
            self.speech.queue.borrow_mut().clear();
            return;
        };
        if speaker.is_speaking() {
            return;
        }
        match self.speech.queue.borrow_mut().pop_front() {
            Some(piece) => speaker.say(piece),
            None => self.speech.feeder.stop(),
        }
    }

    /// The speech bar from the controller, then the new screen said if
    /// 自动朗读 is on and it changed (or speech was just turned on).
    pub(super) fn refresh_speech(&self, c: &SessionController) {
        let speaker = self.speaker();
        let applicant_page = !matches!(c.page(), Page::StaffPin | Page::Staff);
        let available = applicant_page && speaker.as_ref().is_some_and(|s| s.is_available());
        let utterance = c.utterance();
        let on = available && c.speech_on();
        {
            let mut said = self.speech.said.borrow_mut();
            if said.as_ref().is_some_and(|u| u.key != utterance.key) {
                *said = None;
            }
        }
        let changed = self.speech.shown.borrow().as_deref() != Some(utterance.key.as_str());
        *self.speech.shown.borrow_mut() = Some(utterance.key.clone());
        let was_on = self.speech.was_on.replace(on);

        let state = self.window().global::<SpeechState>();
        let volume = c.speech_volume();
        state.set_available(available);
        state.set_auto(c.speech_on());
        state.set_auto_label(
            if c.speech_on() {
                "自动朗读：开"
            } else {
                "自动朗读：关"
            }
            .into(),
        );
        state.set_volume_label(format!("音量 {volume}").into());
        state.set_can_louder(volume < 100);
        state.set_can_quieter(volume > MIN_VOLUME);

        if let Some(s) = &speaker {
            s.set_volume(volume);
            let rate = self.speech.rate.get();
            s.set_rate(if c.elderly() {
                rate.min(ELDERLY_RATE_WPM)
            } else {
                rate
            });
        }
        if on && (changed || !was_on) {
            self.say(utterance);
        } else if was_on && !on {
            // Turned off, or the visit was wiped.
            self.stop_speech();
        }
        state.set_controls(available && (on || self.speech.said.borrow().is_some()));
    }

    /// 朗读本页, 重听, 小声, 大声 and 自动朗读.
    pub(super) fn install_speech_callbacks(self: &Rc<Self>) {
        *self.speech.kiosk.borrow_mut() = Rc::downgrade(self);
        let state = self.window().global::<SpeechState>();
        let on = |f: fn(&Kiosk)| {
            let weak: Weak<Kiosk> = Rc::downgrade(self);
            move || {
                if let Some(k) = weak.upgrade() {
                    f(&k);
                }
            }
        };
        state.on_read_now(on(|k| {
            k.update(SessionController::touch);
            k.say_again(false);
        }));
        state.on_repeat(on(|k| {
            k.update(SessionController::touch);
            k.say_again(true);
        }));
        state.on_louder(on(|k| {
            k.update(SessionController::speech_louder);
            k.say_again(true);
        }));
        state.on_quieter(on(|k| {
            k.update(SessionController::speech_quieter);
            k.say_again(true);
        }));
        state.on_toggle_auto(on(|k| k.update(SessionController::toggle_speech)));
    }

    /// The screen said now: what was said last (`repeat`, while its screen
    /// shows), else the screen's words as they are now.
    fn say_again(&self, repeat: bool) {
        let last = repeat.then(|| self.speech.said.borrow().clone()).flatten();
        let utterance = last.unwrap_or_else(|| self.controller().utterance());
        self.say(utterance);
        self.refresh();
    }
}

/// `text` in pieces of whole sentences (or list entries) of at most
/// [`PIECE_CHARS`], a longer sentence alone.
fn pieces(text: &str) -> VecDeque<String> {
    let mut out = VecDeque::new();
    let mut piece = String::new();
    let mut sentence = String::new();
    for c in text.chars() {
        sentence.push(c);
        if matches!(c, '。' | '？' | '！' | '；') {
            if !piece.is_empty() && piece.chars().count() + sentence.chars().count() > PIECE_CHARS {
                out.push_back(std::mem::take(&mut piece));
            }
            piece.push_str(&std::mem::take(&mut sentence));
        }
    }
    piece.push_str(&sentence);
    if !piece.trim().is_empty() {
        out.push_back(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_goes_in_pieces_of_whole_sentences() {
        assert_eq!(pieces("请点“开始办理”。"), ["请点“开始办理”。"]);
        let sentence = "第1项，公司登记（设立），由区市场监管局办理；";
        let text = sentence.repeat(40) + "看完请点“下一步”。";
        let parts = pieces(&text);
        assert!(parts.len() > 3, "{parts:?}");
        assert_eq!(parts.iter().map(String::as_str).collect::<String>(), text);
        for p in &parts {
            assert!(p.chars().count() <= PIECE_CHARS, "{p}");
            assert!(p.ends_with(['；', '。']), "{p}");
        }
        assert!(pieces("").is_empty());
    }
}
