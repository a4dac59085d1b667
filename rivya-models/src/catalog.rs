//! Every model's metadata, for dynamic use: list models, look one up, and validate an untyped
//! JSON request body with the same rules as the typed `validate()`.
//!
//! A spec's headline facts convert to [`CatalogModel`](crate::CatalogModel), the same type the
//! live API's catalog deserializes into: `catalog::all().iter().map(|m| CatalogModel::from(*m))`.

use serde_json::{Map, Value};

use rivya_rules::body::{self, type_of};

use crate::{ModelInfo, ParamKind, ValidationError, ViolationKind, Violations};

/// Every model of the catalog, sorted by id.
pub fn all() -> &'static [&'static ModelInfo] {
    crate::generated::MODELS
}

/// The model with this API id.
pub fn find(id: &str) -> Option<&'static ModelInfo> {
    all()
        .binary_search_by(|m| m.id.cmp(id))
        .ok()
        .map(|i| all()[i])
}

/// The documented defaults of a model's params as wire JSON (selects as strings, whole numbers
/// as integers); params without a default are left out. This is what a typed
/// `Request::new(..)` sends for them.
pub fn default_params(info: &ModelInfo) -> Map<String, Value> {
    info.params
        .iter()
        .filter_map(|p| {
            let v = match p.kind {
                ParamKind::Select { default, .. } => Value::from(default?),
                ParamKind::Number { default, .. } => number(default?),
                ParamKind::Text { default } => Value::from(default?),
                // Lists have no default; a kind added later has none we know of.
                _ => return None,
            };
            Some((p.key.to_owned(), v))
        })
        .collect()
}

/// A number as the wire carries it: whole values as integers.
pub fn number(n: f64) -> Value {
    crate::wire::json_number(n)
}

/// Validates an untyped request body (`model`, `prompt`, `params`, `client_request_id`) against
/// its model and returns that model, or every violation with its path.
pub fn validate_value(body: &Value) -> Result<&'static ModelInfo, ValidationError> {
    let mut v = Violations::default();
    let Some(obj) = body.as_object() else {
        v.push("body", ViolationKind::NotAnObject, type_of(body));
        return Err(v.finish("").unwrap_err());
    };
    let info = match obj.get("model") {
        None => None,
        Some(Value::String(id)) => find(id),
        Some(_) => None,
    };
    let Some(info) = info else {
        let (kind, value) = match obj.get("model") {
            None => (ViolationKind::Required, String::new()),
            Some(Value::String(id)) => (ViolationKind::UnknownModel, id.clone()),
            Some(other) => (
                ViolationKind::WrongType { expected: "string" },
                type_of(other),
            ),
        };
        let name = value.clone();
        v.push("model", kind, value);
        return Err(v.finish(&name).unwrap_err());
    };

    body::validate(info, obj, &mut v);
    v.finish(info.id).map(|()| info)
}

/// Validates an untyped body (generation or chat turn) and prices it: the model and what the
/// request will cost (see [`crate::price`] for the rules). A body the rules refuse is never
/// sent, so it has no price: its violations come back instead.
pub fn quote_value(body: &Value) -> Result<(&'static ModelInfo, crate::Quote), ValidationError> {
    let info = validate_value(body)?;
    let empty = Map::new();
    let obj = body.as_object().unwrap_or(&empty);
    Ok((info, crate::price::quote(info, obj)))
}
