//! Identifiers in generated code, as tokens: the naming rules of [`crate::naming`] turned into
//! `Ident`s. A leaf, so every emit file can use it without importing another's items.

use proc_macro2::{Ident, Span};
use quote::format_ident;

use crate::ir::Param;
use crate::naming;

/// An identifier as [`naming::spelled`] writes it (`r#type` for a keyword).
pub(super) fn ident(name: &str) -> Ident {
    match naming::spelled(name).strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The descriptor constant of a param (`param::ASPECT_RATIO`).
pub(super) fn const_ident(p: &Param) -> Ident {
    format_ident!("{}", naming::const_name(&p.field))
}

/// The Rust name of a rivya-rules enum value (`RequiredForReferenceModes`): its derived
/// `Debug` text, which for a unit variant is exactly the variant's name. The enums are
/// `#[non_exhaustive]`, so a `match` here would need a catch-all arm with nothing to emit.
pub(super) fn variant(value: impl std::fmt::Debug) -> Ident {
    format_ident!("{value:?}")
}
