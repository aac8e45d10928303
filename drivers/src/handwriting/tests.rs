use super::*;
use proptest::prelude::*;

fn recognizer() -> Recognizer {
    Recognizer::open_default().expect("the install script installs the Zinnia model")
}

#[test]
fn each_simple_character_is_in_the_top_five() {
    let recognizer = recognizer();
    let mut misses = Vec::new();
    for character in samples::characters() {
        let ink = samples::ink(character).unwrap();
        let candidates = recognizer.classify(&ink, CANDIDATES).unwrap();
        assert!(candidates.len() >= 8, "{character}: {candidates:?}");
        let top5: Vec<&str> = candidates.iter().take(5).map(|c| c.text.as_str()).collect();
        if !top5.contains(&character) {
            misses.push(format!("{character} → {top5:?}"));
        }
    }
    assert!(misses.is_empty(), "not in the top 5: {misses:?}");
}

#[test]
fn candidates_come_best_first() {
    let candidates = recognizer()
        .classify(&samples::ink("十").unwrap(), CANDIDATES)
        .unwrap();
    assert!(
        candidates.windows(2).all(|w| w[0].score >= w[1].score),
        "{candidates:?}"
    );
}

#[test]
fn bad_ink_gets_a_reason_not_a_guess() {
    let recognizer = recognizer();
    let ten = samples::ink("十").unwrap();
    let empty = Ink {
        strokes: vec![],
        ..ten.clone()
    };
    assert!(matches!(
        recognizer.classify(&empty, 10),
        Err(HandwritingError::NoStrokes)
    ));
    let flat = Ink {
        height: 0,
        ..ten.clone()
    };
    assert!(matches!(
        recognizer.classify(&flat, 10),
        Err(HandwritingError::BadPad { .. })
    ));
    let mut holed = ten.clone();
    holed.strokes[1][2] = [f64::NAN, 10.0];
    assert!(matches!(
        recognizer.classify(&holed, 10),
        Err(HandwritingError::BadStroke { stroke: 2 })
    ));
    let scribble = Ink {
        strokes: vec![vec![[1.0, 1.0]]; MAX_STROKES + 1],
        ..ten
    };
    assert!(matches!(
        recognizer.classify(&scribble, 10),
        Err(HandwritingError::TooMuchInk { .. })
    ));
}

#[test]
fn a_missing_model_says_what_to_install() {
    let error = Recognizer::open(Path::new("/nonexistent/handwriting.model"))
        .err()
        .unwrap();
    assert!(
        error
            .to_string()
            .contains("tegaki-zinnia-simplified-chinese"),
        "{error}"
    );
    let not_a_model =
        std::env::temp_dir().join(format!("onevisit-not-a-model-{}", std::process::id()));
    std::fs::write(&not_a_model, b"not a zinnia model").unwrap();
    let error = Recognizer::open(&not_a_model).err();
    std::fs::remove_file(&not_a_model).unwrap();
    assert!(
        matches!(error, Some(HandwritingError::Model { .. })),
        "{error:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever a finger (or a forged JSON file) draws, off the pad or not,
    /// the recognizer answers or refuses; it never crashes.
    #[test]
    fn any_ink_is_answered_or_refused(
        width in 0u32..2000, height in 0u32..2000,
        strokes in prop::collection::vec(
            prop::collection::vec([-5000.0f64..5000.0, -5000.0f64..5000.0], 0..40), 0..8),
    ) {
        let ink = Ink { width, height, strokes };
        let _ = recognizer().classify(&ink, CANDIDATES);
    }
}
