//! Names across a module: params, fields and types must be unique and clear of the names the
//! generated API and the prelude already use.

use std::collections::BTreeMap;

use super::Ctx;
use crate::ir::{self, Kind};

/// Field names taken by the generated `Params` and the methods of `Request`.
const RESERVED_FIELDS: &[&str] = &[
    "new",
    "prompt",
    "client_request_id",
    "validate",
    "info",
    "model_id",
    "from_parts",
    "reference",
    "reference_media_items",
];

/// Type names every generated module defines or refers to: its own items, and the prelude
/// names the generated code writes unqualified (an enum named `Vec` or `Default` would shadow
/// them and the module would not compile).
const RESERVED_TYPES: &[&str] = &[
    "Params",
    "Request",
    "Model",
    "ModelParams",
    "ReferenceMediaItem",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Into",
    "From",
];

/// Whether a field name is taken by the generated API.
pub(crate) fn is_reserved_field(name: &str) -> bool {
    RESERVED_FIELDS.contains(&name)
}

/// Whether a type name is taken by the generated module.
pub(crate) fn is_reserved_type(name: &str) -> bool {
    RESERVED_TYPES.contains(&name)
}

/// Field and type names must be unique within the module and clear of reserved names.
pub(super) fn check_param_names(
    cx: &mut Ctx<'_>,
    params: &[(String, ir::Param)],
    marker: &str,
    upload: bool,
) {
    let mut keys: BTreeMap<&str, &str> = BTreeMap::new();
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    let mut types: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, p) in params {
        if let Some(prev) = keys.insert(&p.key, path) {
            cx.err(
                format!("{path}.key"),
                format!("`{}` is already a param (at {prev})", p.key),
            );
            continue;
        }
        let bare = p.field.as_str();
        let reserved =
            RESERVED_FIELDS.contains(&bare) && (bare != "reference_media_items" || upload);
        if reserved {
            cx.err(
                format!("{path}.key"),
                format!("the Rust name `{bare}` is taken by the generated API; set `rust_name`"),
            );
        } else if let Some(prev) = fields.insert(bare, &p.key) {
            cx.err(
                format!("{path}.key"),
                format!(
                    "`{prev}` and `{}` both name the Rust field `{bare}`; set `rust_name` on one",
                    p.key
                ),
            );
        }
        let needs_type = matches!(
            p.kind,
            Kind::Select { boolean: false, .. } | Kind::List { .. }
        );
        if needs_type {
            let t = p.type_name.as_str();
            if RESERVED_TYPES.contains(&t) || t == marker {
                cx.err(
                    format!("{path}.key"),
                    format!(
                        "the type name `{t}` is taken by the generated module; set `rust_name`"
                    ),
                );
            } else if let Some(prev) = types.insert(t, &p.key) {
                cx.err(
                    format!("{path}.key"),
                    format!(
                        "`{prev}` and `{}` both name the type `{t}`; set `rust_name` on one",
                        p.key
                    ),
                );
            }
        }
    }
}
