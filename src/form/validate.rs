//! Validators for every [`super::kind::FieldKind`]. (Being written.)
