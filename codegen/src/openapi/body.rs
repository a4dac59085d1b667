//! One model's create body as a JSON Schema: `rivya_rules::schema` builds it from the model's
//! descriptor (the one `descriptor::with` lends), the builder `rivya mcp` serves too, and this
//! module adds the page's prose the descriptor does not carry.
//!
//! The additions are documentation only, never a rule: the model's notes (`x-rivya-notes`, the
//! prose rules the SDK leaves to the server) and the description of each field of a list
//! parameter's items. The descriptor holds what the rules, the price and the catalog read; these
//! texts stay in the IR and the rustdoc.

use serde_json::{Value, json};

use rivya_rules::schema;

use crate::descriptor;
use crate::ir::{Kind, Model};

/// The model's create body, without `$schema` (the OpenAPI document embeds it as is).
pub fn body(m: &Model) -> Value {
    let mut s = descriptor::with(m, schema::body);
    document(m, &mut s);
    s
}

/// The standalone file: `$schema` first, then the body.
pub fn standalone(m: &Model) -> Value {
    let mut s = descriptor::with(m, schema::standalone);
    document(m, &mut s);
    s
}

/// Adds the prose the descriptor does not carry to the builder's schema `s` of `m`.
fn document(m: &Model, s: &mut Value) {
    for p in &m.params {
        let Kind::List { fields, .. } = &p.kind else {
            continue;
        };
        let Some(item_props) = list_item_fields(s, &p.key) else {
            continue;
        };
        for f in fields {
            if let Some(Value::Object(field)) = item_props.get_mut(&f.key) {
                field.insert("description".into(), f.description.clone().into());
            }
        }
    }
    if !m.notes.is_empty()
        && let Value::Object(top) = s
    {
        top.insert("x-rivya-notes".into(), json!(m.notes));
    }
}

/// The `properties` of the items of list parameter `key` in schema `s`.
fn list_item_fields<'s>(s: &'s mut Value, key: &str) -> Option<&'s mut Value> {
    [
        "properties",
        "params",
        "properties",
        key,
        "items",
        "properties",
    ]
    .into_iter()
    .try_fold(s, |v, k| v.get_mut(k))
}
