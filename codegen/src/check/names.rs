//! Names across a module: params, fields and types must be unique and clear of the names the
//! generated API and the prelude already use.

use std::collections::BTreeMap;

use super::Ctx;
use crate::ir::{self, Kind};
use crate::naming;

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
            naming::is_reserved_field(bare) && (bare != "reference_media_items" || upload);
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
            if naming::is_reserved_type(t) || t == marker {
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
