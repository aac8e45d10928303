//! The ink of the keyboard's handwriting pad (手写): the strokes of the
//! character being written, in the pad's own pixels (origin top-left), as
//! the finger draws them. Plain Rust like the rest of the keyboard engine:
//! the pad's markup forwards pen-down / move / up, this keeps the points,
//! draws them back as an SVG path and hands them to the recognizer as an
//! [`Ink`].

use onevisit_drivers::handwriting::Ink;
use std::fmt::Write;

/// A move shorter than this (logical px) adds no point: a finger reports
/// many tiny moves, and the recognizer reads shapes, not jitter.
const MIN_STEP: f64 = 2.0;
/// Points kept per character. A character written on the pad is a few
/// hundred; a palm resting on it must not grow the ink without bound (the
/// recognizer would refuse it anyway).
pub const MAX_POINTS: usize = 4_000;
/// Strokes kept per character (the most complex common characters have
/// about 30).
pub const MAX_STROKES: usize = 64;

/// The strokes on the pad. A stroke starts at pen-down and ends at pen-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InkPad {
    width: u32,
    height: u32,
    strokes: Vec<Vec<[f64; 2]>>,
    drawing: bool,
    points: usize,
}

impl InkPad {
    /// Starts a stroke at (`x`, `y`) on a pad `width`×`height` px. A pad
    /// whose size changed (长者模式, rotation) starts over: the old strokes
    /// would be read at the wrong scale. Returns false when the ink is full.
    pub fn pen_down(&mut self, x: f64, y: f64, width: u32, height: u32) -> bool {
        if (width, height) != (self.width, self.height) {
            self.clear();
            self.width = width;
            self.height = height;
        }
        if self.strokes.len() >= MAX_STROKES || self.points >= MAX_POINTS {
            self.drawing = false;
            return false;
        }
        self.strokes.push(Vec::new());
        self.drawing = true;
        self.push(x, y);
        true
    }

    /// The finger moved while down. Returns whether a point was added.
    pub fn pen_move(&mut self, x: f64, y: f64) -> bool {
        if !self.drawing || self.points >= MAX_POINTS {
            return false;
        }
        let [x, y] = self.clamp(x, y);
        if let Some(&[lx, ly]) = self.strokes.last().and_then(|s| s.last())
            && (x - lx).hypot(y - ly) < MIN_STEP
        {
            return false;
        }
        self.push(x, y)
    }

    /// The finger lifted. Returns whether a stroke was finished (so the
    /// character should be read again).
    pub fn pen_up(&mut self) -> bool {
        std::mem::replace(&mut self.drawing, false)
            && self.strokes.last().is_some_and(|s| !s.is_empty())
    }

    /// 撤销一笔: takes the last stroke back. Returns whether there was one.
    pub fn undo(&mut self) -> bool {
        self.drawing = false;
        match self.strokes.pop() {
            Some(stroke) => {
                self.points -= stroke.len();
                true
            }
            None => false,
        }
    }

    /// 重写: an empty pad (its size is kept).
    pub fn clear(&mut self) {
        self.strokes.clear();
        self.points = 0;
        self.drawing = false;
    }

    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty()
    }

    pub fn stroke_count(&self) -> usize {
        self.strokes.len()
    }

    /// What the recognizer reads.
    pub fn ink(&self) -> Ink {
        Ink {
            width: self.width,
            height: self.height,
            strokes: self.strokes.clone(),
        }
    }

    /// The strokes as SVG path commands in pad pixels ("M x y L x y …"),
    /// for the pad's `Path`. A single touch becomes a short dash, so a dot
    /// (the stroke of 主's top) shows where it was written.
    pub fn path_commands(&self) -> String {
        let mut out = String::new();
        for stroke in &self.strokes {
            let Some(&[x, y]) = stroke.first() else {
                continue;
            };
            let _ = write!(out, "M {x:.1} {y:.1} ");
            if stroke.len() == 1 {
                let _ = write!(out, "L {:.1} {y:.1} ", x + 1.0);
            }
            for &[x, y] in &stroke[1..] {
                let _ = write!(out, "L {x:.1} {y:.1} ");
            }
        }
        out.truncate(out.trim_end().len());
        out
    }

    fn push(&mut self, x: f64, y: f64) -> bool {
        let point = self.clamp(x, y);
        match self.strokes.last_mut() {
            Some(stroke) => {
                stroke.push(point);
                self.points += 1;
                true
            }
            None => false,
        }
    }

    /// A finger sliding off the pad keeps drawing along its edge (the
    /// touch area reports positions outside it while pressed); NaN, which
    /// no touch screen sends, lands at the origin instead of reaching C.
    fn clamp(&self, x: f64, y: f64) -> [f64; 2] {
        let fit = |v: f64, max: u32| {
            if v.is_nan() {
                0.0
            } else {
                v.clamp(0.0, f64::from(max))
            }
        };
        [fit(x, self.width), fit(y, self.height)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke(pad: &mut InkPad, points: &[(f64, f64)]) -> bool {
        let (x, y) = points[0];
        pad.pen_down(x, y, 300, 300);
        for &(x, y) in &points[1..] {
            pad.pen_move(x, y);
        }
        pad.pen_up()
    }

    #[test]
    fn strokes_become_ink_and_a_path() {
        let mut pad = InkPad::default();
        assert!(stroke(
            &mut pad,
            &[(10.0, 150.0), (150.0, 150.0), (290.0, 151.0)]
        ));
        assert!(stroke(&mut pad, &[(150.0, 10.0)]));
        let ink = pad.ink();
        assert_eq!((ink.width, ink.height), (300, 300));
        assert_eq!(ink.strokes.len(), 2);
        assert_eq!(ink.strokes[0].len(), 3);
        assert!(ink.check().is_ok());
        assert_eq!(
            pad.path_commands(),
            "M 10.0 150.0 L 150.0 150.0 L 290.0 151.0 M 150.0 10.0 L 151.0 10.0"
        );
    }

    #[test]
    fn jitter_is_dropped_and_off_pad_points_clamp() {
        let mut pad = InkPad::default();
        pad.pen_down(100.0, 100.0, 300, 300);
        assert!(!pad.pen_move(100.5, 100.5), "under the step");
        assert!(pad.pen_move(400.0, -20.0));
        assert!(pad.pen_move(f64::NAN, 5.0));
        pad.pen_up();
        assert_eq!(pad.ink().strokes[0][1], [300.0, 0.0]);
        assert_eq!(pad.ink().strokes[0][2], [0.0, 5.0]);
    }

    #[test]
    fn undo_and_clear() {
        let mut pad = InkPad::default();
        stroke(&mut pad, &[(10.0, 10.0), (200.0, 10.0)]);
        stroke(&mut pad, &[(10.0, 50.0), (200.0, 50.0)]);
        assert!(pad.undo());
        assert_eq!(pad.stroke_count(), 1);
        pad.clear();
        assert!(pad.is_empty());
        assert!(!pad.undo());
        assert_eq!(pad.path_commands(), "");
    }

    #[test]
    fn a_moved_finger_without_pen_down_draws_nothing() {
        let mut pad = InkPad::default();
        assert!(!pad.pen_move(10.0, 10.0));
        assert!(!pad.pen_up());
        assert!(pad.is_empty());
    }

    #[test]
    fn a_resized_pad_starts_over() {
        let mut pad = InkPad::default();
        stroke(&mut pad, &[(10.0, 10.0), (200.0, 10.0)]);
        pad.pen_down(5.0, 5.0, 400, 400);
        pad.pen_up();
        assert_eq!(pad.stroke_count(), 1);
        assert_eq!(pad.ink().width, 400);
    }

    #[test]
    fn runaway_ink_stops_growing() {
        let mut pad = InkPad::default();
        pad.pen_down(0.0, 0.0, 300, 300);
        for i in 0..(MAX_POINTS * 2) {
            let x = (i % 2) as f64 * 100.0;
            pad.pen_move(x, x);
        }
        pad.pen_up();
        assert_eq!(pad.ink().strokes[0].len(), MAX_POINTS);
        for _ in 0..MAX_STROKES * 2 {
            pad.pen_down(1.0, 1.0, 300, 300);
            pad.pen_up();
        }
        assert_eq!(pad.stroke_count(), 1, "a full ink takes no new stroke");
        assert!(pad.ink().check().is_ok(), "what is kept is readable");
        pad.clear();
        for _ in 0..MAX_STROKES * 2 {
            pad.pen_down(1.0, 1.0, 300, 300);
            pad.pen_up();
        }
        assert_eq!(pad.stroke_count(), MAX_STROKES);
    }
}
