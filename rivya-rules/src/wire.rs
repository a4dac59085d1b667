//! Serde helpers for the wire format, used by generated code.
//!
//! Rivya sends every select value as a JSON string, booleans included (`"sound": "false"`), and
//! numbers as JSON numbers. A whole decimal goes out as an integer (`1`, not `1.0`), as the
//! documentation pages write it.

use serde::{Deserialize, Deserializer, Serializer};

/// Renders a number the way the wire carries it: `1` for whole values, `0.05` otherwise.
pub fn format_number(value: f64) -> String {
    if let Some(i) = whole(value) {
        i.to_string()
    } else {
        value.to_string()
    }
}

/// A number as the wire carries it in JSON: whole values as integers (`1`, not `1.0`).
pub fn json_number(value: f64) -> serde_json::Value {
    match whole(value) {
        Some(i) => serde_json::Value::from(i),
        None => serde_json::Value::from(value),
    }
}

/// The value as an integer when it is whole and exactly representable (below 2^53).
pub fn whole(value: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (value.fract() == 0.0 && value.abs() < EXACT).then_some(value as i64)
}

/// `bool` ⇄ `"true"` / `"false"`, for selects whose options are exactly `false, true`.
pub mod bool_string {
    use super::*;

    /// Serializes `true` as `"true"`.
    pub fn serialize<S: Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *value { "true" } else { "false" })
    }

    /// Accepts only the strings `"true"` and `"false"`, as the API does.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }

    pub(crate) fn parse(s: &str) -> Result<bool, String> {
        match s {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!(
                "expected the string \"true\" or \"false\", found {other:?}"
            )),
        }
    }
}

/// `Option<bool>` ⇄ `"true"` / `"false"`, for boolean selects without a default.
pub mod opt_bool_string {
    use super::*;

    /// Serializes `Some(true)` as `"true"` (callers skip `None`).
    pub fn serialize<S: Serializer>(value: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(b) => bool_string::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    /// Accepts `null`, `"true"` and `"false"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(s) => bool_string::parse(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// `f64` sent as a JSON number, whole values as integers.
pub mod decimal {
    use super::*;

    /// Serializes `1.0` as `1` and `0.5` as `0.5`.
    pub fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
        match whole(*value) {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_f64(*value),
        }
    }

    /// Accepts any JSON number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}

/// `Option<f64>` sent as a JSON number, whole values as integers.
pub mod opt_decimal {
    use super::*;

    /// Serializes like [`super::decimal`] (callers skip `None`).
    pub fn serialize<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => decimal::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Accepts `null` or any JSON number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_render_like_the_pages() {
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(-1.0), "-1");
        assert_eq!(format_number(0.05), "0.05");
        assert_eq!(format_number(2147483647.0), "2147483647");
        assert_eq!(format_number(f64::NAN), "NaN");
    }
}
