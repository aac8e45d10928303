//! The merged form (一表申请): field kinds, their validators, and the one
//! form built from a notice with one application per item generated from it.

pub mod input;
/// The field kinds a catalog may use: a catalog concept, re-exported here
/// where the form validates them.
pub use crate::catalog::kind;
pub mod merged;
pub mod reuse;
pub mod validate;

pub use merged::{
    ApplicationField, CheckedValue, FormError, FormField, FormSection, FormValues, InputValue,
    ItemApplication, MergedForm, Prefilled, applications, build_form, build_form_on, validate_form,
};
pub use reuse::{Offer, OfferSource, TypingCount};
