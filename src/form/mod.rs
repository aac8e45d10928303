//! The merged form (一表申请).

pub mod kind;
pub mod validate;
