//! The Rivya request rules, written once, and the model descriptors they read.
//!
//! `rivya-models` re-exports everything here: its generated `validate()` methods and its untyped
//! `catalog::validate_value` call these functions with the same [`ModelInfo`] descriptors. The
//! generator (`rivya-codegen`) uses them too, to check every spec's own examples before it writes
//! any code — which is why this crate is a leaf that never depends on generated code.

#![warn(missing_docs)]

mod info;
mod media;
mod violation;

pub mod body;
pub mod chat;
mod codes;
pub mod price;
pub mod rules;
pub mod schema;
pub mod stamp;
pub mod wire;

pub use codes::{ErrorCode, TaskStatus};
pub use info::{
    Billing, Capability, ChatInfo, DEFAULT_LIMITS, FilesApi, Input, KindLimit, KindLimitOf,
    ModelInfo, ModelInfoOf, ParamInfo, ParamInfoOf, ParamKind, ParamKindOf, UploadPolicy,
    UploadPolicyOf,
};
pub use media::{MediaKind, ReferenceMediaItem};
pub use price::Quote;
pub use violation::{ValidationError, Violation, ViolationKind, Violations};
