//! Typed, validated request models for the Rivya Public API v1.
//!
//! Every model of the catalog has a module (`rivya_models::kling_3_0`, …) generated from its
//! spec in `specs/`: a marker type `Model` implementing [`GenerationModel`] (chat models:
//! [`ChatModel`]), a `Params` struct, one enum per select parameter (each a [`SelectOption`]),
//! and a `Request` with a fluent builder whose `validate()` reports every violation. The names
//! never clash in a `use` list: `use rivya_models::{GenerationModel, kling_3_0::{Model,
//! Request}}`.
//!
//! ```
//! use rivya_models::kling_3_0::{self, AspectRatio, ClipDuration};
//!
//! let req = kling_3_0::Request::new("A cinematic product reveal")
//!     .duration(ClipDuration::Secs10)
//!     .aspect_ratio(AspectRatio::R9x16);
//! assert!(req.validate().is_ok());
//! let body = serde_json::to_value(&req).unwrap();
//! assert_eq!(body["params"]["duration"], "10");
//! ```
//!
//! For requests built at run time (a CLI, a proxy), [`catalog::validate_value`] applies the same
//! rules to an untyped JSON body. This crate does no I/O; the client lives in `rivya-runtime`.

#![warn(missing_docs)]

mod catalog_model;
mod chat;
mod option;
mod request;

pub mod catalog;
pub mod files;
pub use rivya_rules::{price, rules, wire};

// Generated code is formatted by prettyplease when it is written; rustfmt leaves it alone so
// `cargo fmt --check` and `cargo xtask gen --check` never fight over it.
#[rustfmt::skip]
mod generated;

/// Generator fixtures (`codegen/tests/fixtures`), compiled only to test that odd specs
/// produce code that builds and behaves.
#[cfg(test)]
#[rustfmt::skip]
mod fixtures;
#[cfg(test)]
mod fixture_tests;

pub use catalog_model::CatalogModel;
pub use chat::{Attachment, ChatModel, ChatRequest, ChatTurn, ReasoningEffort};
pub use files::UploadRejection;
pub use generated::*;
pub use option::SelectOption;
pub use request::{GenerationModel, GenerationRequest, ModelParams, RequestBody, UnknownOption};
pub use rivya_rules::{
    Billing, Capability, ChatInfo, ErrorCode, FilesApi, Input, KindLimit, MediaKind, ModelInfo,
    ParamInfo, ParamKind, Quote, ReferenceMediaItem, TaskStatus, UploadPolicy, ValidationError,
    Violation, ViolationKind, Violations,
};
