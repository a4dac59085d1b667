//! What classifying a chat event needs from its data, read in one pass without building a JSON
//! tree: most events are small deltas, and a long answer's completion is decoded once, into
//! its type, rather than first into a `Value`.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, Deserialize, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The top-level facts of an event's data object.
#[derive(Debug, Default)]
pub(crate) struct Probe<'a> {
    /// `id`, when a string (the turn id).
    pub id: Option<Cow<'a, str>>,
    /// `session_id`, when a string.
    pub session_id: Option<Cow<'a, str>>,
    /// `object`, when a string.
    pub object: Option<Cow<'a, str>>,
    /// `delta`, whatever it holds.
    pub delta: Option<Shape<'a>>,
    /// Whether `message` is present.
    pub has_message: bool,
    /// Whether `usage` is present.
    pub has_usage: bool,
    /// Whether `error` is an object.
    pub error_object: bool,
}

impl<'a> Probe<'a> {
    /// The facts of `data`, or `None` when it is not one JSON object.
    pub fn read(data: &'a str) -> Option<Self> {
        if !data.trim_start().starts_with('{') {
            return None;
        }
        let mut de = serde_json::Deserializer::from_str(data);
        let probe = Probe::deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(probe)
    }
}

/// A JSON value reduced to what classification asks of it.
#[derive(Debug)]
pub(crate) enum Shape<'a> {
    /// A string (borrowed when it had no escapes).
    Str(Cow<'a, str>),
    /// An object (its content skipped).
    Object,
    /// Anything else.
    Other,
}

impl<'a> Shape<'a> {
    fn into_str(self) -> Option<Cow<'a, str>> {
        match self {
            Shape::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Probe<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ProbeVisitor)
    }
}

struct ProbeVisitor;

impl<'de> Visitor<'de> for ProbeVisitor {
    type Value = Probe<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Probe<'de>, A::Error> {
        let mut p = Probe::default();
        while let Some(key) = map.next_key::<Shape<'de>>()? {
            let Shape::Str(key) = key else { continue };
            let value: Shape<'de> = map.next_value()?;
            match key.as_ref() {
                "id" => p.id = value.into_str(),
                "session_id" => p.session_id = value.into_str(),
                "object" => p.object = value.into_str(),
                "delta" => p.delta = Some(value),
                "message" => p.has_message = true,
                "usage" => p.has_usage = true,
                "error" => p.error_object = matches!(value, Shape::Object),
                _ => {}
            }
        }
        Ok(p)
    }
}

impl<'de> Deserialize<'de> for Shape<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Shape<'de>, E> {
        Ok(Shape::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Shape<'de>, E> {
        Ok(Shape::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Shape<'de>, E> {
        Ok(Shape::Str(Cow::Owned(s)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shape::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_top_level_facts_only() {
        let data = r#"{"id":"chatcmpl_1","session_id":"chs\u005f1","delta":"hi","n":[1,{"a":2}],
            "message":{"id":"msg_1"},"usage":null,"error":{"code":"x"},"object":7}"#;
        let p = Probe::read(data).unwrap();
        assert_eq!(p.id.as_deref(), Some("chatcmpl_1"));
        assert!(
            matches!(p.id, Some(Cow::Borrowed(_))),
            "no copy without escapes"
        );
        assert_eq!(p.session_id.as_deref(), Some("chs_1"));
        assert!(matches!(p.delta, Some(Shape::Str(ref s)) if s == "hi"));
        assert!(p.has_message && p.has_usage && p.error_object);
        assert_eq!(p.object, None, "a non-string object is no object name");
    }

    #[test]
    fn only_one_object_is_probed() {
        assert!(Probe::read("[1]").is_none());
        assert!(Probe::read("not json").is_none());
        assert!(Probe::read(r#"{"a":1} {"b":2}"#).is_none());
        assert!(Probe::read(r#"{"a":"#).is_none());
        let p = Probe::read(r#"{"delta":{"content":"x"},"error":"text"}"#).unwrap();
        assert!(matches!(p.delta, Some(Shape::Object)));
        assert!(!p.error_object);
    }
}
