//! Reading a tool call's arguments: each by name and JSON type, unknown names refused (an
//! agent's typo, `param` for `params`, must not be silently dropped from a paid call).

use serde_json::{Map, Value};

use crate::error::ToolError;

/// A tool call's arguments.
pub struct Args<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Args<'a> {
    /// Wraps the arguments and refuses any name outside `known`.
    pub fn new(map: &'a Map<String, Value>, tool: &str, known: &[&str]) -> Result<Self, ToolError> {
        let unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        if unknown.is_empty() {
            Ok(Self { map })
        } else {
            Err(ToolError::arguments(format!(
                "{tool}: unknown argument{} {}; this tool takes: {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                known.join(", ")
            )))
        }
    }

    /// The raw value of an argument (absent or `null` reads as `None`).
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn wrong(name: &str, expected: &str, found: &Value) -> ToolError {
        ToolError::arguments(format!(
            "argument `{name}`: expected {expected}, found {}",
            type_of_json(found)
        ))
    }

    /// A string argument.
    pub fn str(&self, name: &str) -> Result<Option<&'a str>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Self::wrong(name, "a string", other)),
        }
    }

    /// A required string argument.
    pub fn required_str(&self, name: &str) -> Result<&'a str, ToolError> {
        self.str(name)?
            .ok_or_else(|| ToolError::arguments(format!("argument `{name}` is required")))
    }

    /// An object argument.
    pub fn object(&self, name: &str) -> Result<Option<&'a Map<String, Value>>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(other) => Err(Self::wrong(name, "an object", other)),
        }
    }

    /// An array argument.
    pub fn array(&self, name: &str) -> Result<&'a [Value], ToolError> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(Self::wrong(name, "an array", other)),
        }
    }

    /// A whole, non-negative number argument.
    pub fn u64(&self, name: &str) -> Result<Option<u64>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => Ok(Some(v)),
                // A whole number sent as 5.0 is still whole.
                None => match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Ok(Some(f as u64)),
                    _ => Err(ToolError::arguments(format!(
                        "argument `{name}`: expected a whole number ≥ 0, found {n}"
                    ))),
                },
            },
            Some(other) => Err(Self::wrong(name, "a whole number", other)),
        }
    }
}

/// A JSON value's type, for messages.
pub fn type_of_json(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
