//! Simple characters written as a finger writes them, for tests, the bench
//! and the screenshots: standard stroke order, points every few pixels, a
//! slight wobble, on a 300 × 300 pad. Not recognizer output: the strokes are
//! drawn from the characters' shapes, so the recognizer has to earn its answer.

use super::Ink;

/// The pad side of the samples, in pixels (the kiosk's pad in 长者模式).
pub const PAD: u32 = 300;

/// A stroke as a polyline on a 0–100 grid.
type Polyline = &'static [(f64, f64)];

/// Each sample: the character and its strokes.
const SHAPES: &[(&str, &[Polyline])] = &[
    ("一", &[&[(15.0, 50.0), (85.0, 50.0)]]),
    (
        "二",
        &[&[(25.0, 35.0), (75.0, 35.0)], &[(12.0, 70.0), (88.0, 70.0)]],
    ),
    (
        "三",
        &[
            &[(25.0, 22.0), (75.0, 22.0)],
            &[(30.0, 50.0), (70.0, 50.0)],
            &[(12.0, 80.0), (88.0, 80.0)],
        ],
    ),
    (
        "十",
        &[&[(12.0, 45.0), (88.0, 45.0)], &[(50.0, 10.0), (50.0, 92.0)]],
    ),
    (
        "人",
        &[
            &[(50.0, 10.0), (45.0, 45.0), (15.0, 88.0)],
            &[(48.0, 45.0), (88.0, 88.0)],
        ],
    ),
    (
        "口",
        &[
            // Written smaller than the pad: a full-pad square is 囗.
            &[(30.0, 28.0), (32.0, 72.0)],
            &[(30.0, 28.0), (70.0, 28.0), (68.0, 72.0)],
            &[(32.0, 70.0), (68.0, 70.0)],
        ],
    ),
    (
        "大",
        &[
            &[(12.0, 38.0), (88.0, 38.0)],
            &[(50.0, 10.0), (48.0, 45.0), (15.0, 90.0)],
            &[(52.0, 48.0), (88.0, 90.0)],
        ],
    ),
    (
        "王",
        &[
            &[(22.0, 18.0), (78.0, 18.0)],
            &[(28.0, 50.0), (72.0, 50.0)],
            &[(50.0, 18.0), (50.0, 85.0)],
            &[(12.0, 85.0), (88.0, 85.0)],
        ],
    ),
    (
        "中",
        &[
            &[(22.0, 30.0), (22.0, 65.0)],
            &[(22.0, 30.0), (78.0, 30.0), (78.0, 65.0)],
            &[(22.0, 63.0), (78.0, 63.0)],
            &[(50.0, 8.0), (50.0, 95.0)],
        ],
    ),
    (
        "日",
        &[
            &[(28.0, 12.0), (28.0, 88.0)],
            &[(28.0, 12.0), (72.0, 12.0), (72.0, 88.0)],
            &[(28.0, 50.0), (72.0, 50.0)],
            &[(28.0, 86.0), (72.0, 86.0)],
        ],
    ),
];

/// The characters there are samples of, in the order above.
pub fn characters() -> impl Iterator<Item = &'static str> {
    SHAPES.iter().map(|(c, _)| *c)
}

/// `character` as written on the sample pad, or None if there is no sample.
pub fn ink(character: &str) -> Option<Ink> {
    let (_, strokes) = SHAPES.iter().find(|(c, _)| *c == character)?;
    let scale = f64::from(PAD) / 100.0;
    let strokes = strokes
        .iter()
        .enumerate()
        .map(|(s, polyline)| {
            let mut points = Vec::new();
            for pair in polyline.windows(2) {
                let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
                let length = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt() * scale;
                // A point every ~4 px, as a touch screen reports a moving finger.
                let steps = (length / 4.0).ceil().max(1.0) as usize;
                for i in 0..steps {
                    let t = i as f64 / steps as f64;
                    // A hand is not a ruler: a wobble of about a pixel and a half.
                    let wobble = 1.5 * ((i + 3 * s) as f64 * 0.7).sin();
                    points.push([
                        (x0 + (x1 - x0) * t) * scale + wobble,
                        (y0 + (y1 - y0) * t) * scale - wobble,
                    ]);
                }
            }
            let (x, y) = *polyline.last().expect("a stroke has points");
            points.push([x * scale, y * scale]);
            points
        })
        .collect();
    Some(Ink {
        width: PAD,
        height: PAD,
        strokes,
    })
}
