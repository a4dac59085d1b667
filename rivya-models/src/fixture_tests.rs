//! Behaviour of the generator fixtures: odd names still produce the exact wire values.

use serde_json::{Value, json};

use crate::fixtures::{every_kind, keywords as kw, obstacle_course as oc};

fn params<T: serde::Serialize>(req: &T) -> Value {
    serde_json::to_value(req).unwrap()["params"].clone()
}

#[test]
fn obstacle_names_keep_their_wire_values() {
    let req = oc::Request::new("hi")
        .aspect_ratio(oc::AspectRatio::R2_35x1)
        .aspect_ratio_snake(oc::AspectRatioSnake::R4x3)
        .key(oc::Key::CSharp)
        .version(oc::Version::Neg1)
        .fit(oc::Fit::AutoLower)
        .model_version(oc::ModelVersion::V4)
        .r#type("raw")
        .param_4k_upscale(false);
    assert_eq!(
        params(&req),
        json!({
            "aspectRatio": "2.35:1", "aspect_ratio": "4:3", "key": "C#", "version": "-1",
            "fit": "auto", "model": "V4", "type": "raw", "4k_upscale": "false",
            "enableTranslation": "true"
        })
    );
    assert_eq!(oc::Key::CSharpM.as_str(), "C#m");
    assert_eq!(oc::Version::V6_1.as_str(), "6.1");
    assert_eq!(oc::Fit::Auto.as_str(), "Auto");
    let back: oc::Request = serde_json::from_value(serde_json::to_value(&req).unwrap()).unwrap();
    assert_eq!(back, req);
}

#[test]
fn every_kind_of_param_serializes_as_the_wire_expects() {
    let req = every_kind::Request::new(every_kind::Voice::Bass, -1)
        .strength(0.25)
        .r#loop(true)
        .lines(vec![every_kind::LinesItem::new("a", "b")]);
    assert_eq!(
        params(&req),
        json!({
            "voice": "bass", "steps": -1, "strength": 0.25, "scale": 1, "loop": "true",
            "caption": "none", "lines": [{"speaker": "a", "textBody": "b"}]
        })
    );
    assert_eq!(serde_json::to_value(&req).unwrap().get("prompt"), None);
    assert!(req.validate().is_ok());
    let err = every_kind::Request::new(every_kind::Voice::Alto, 0)
        .strength(0.33)
        .scale(0.75)
        .validate()
        .unwrap_err();
    let paths: Vec<&str> = err.violations.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["params.strength", "params.scale"]);
}

#[test]
fn keyword_keys_keep_their_wire_names_and_defaults() {
    let req = kw::Request::new("hi", 1, 2, 3)
        .r#loop(7)
        .r#in(kw::In::Low)
        .r#match(0.0)
        .r#as(false)
        .r#false(vec![kw::FalseItem::new("t", "r")]);
    let body = params(&req);
    // Defaults of every kind reach the wire under the keyword's own key.
    assert_eq!(body["as"], "false");
    assert_eq!(body["const"], 3);
    assert_eq!(body["dyn"], 0.5);
    assert_eq!(body["enum"], "plain");
    assert_eq!(body["loop"], 7);
    assert_eq!(body["in"], "low");
    assert_eq!(body["match"], 0);
    assert_eq!(body["fn"], 1);
    assert_eq!(body["false"], json!([{"type": "t", "ref": "r"}]));
    assert_eq!(body.get("async"), None, "no default, so not sent");
    assert!(req.validate().is_ok());

    // Absent optional keys deserialize through `defaults::r#…` to the same values `new`
    // starts with; required keys (`fn`, and `for` although it has a default) must be there.
    let mut required = params(&kw::Request::new("hi", 1, 2, 3))
        .as_object()
        .cloned()
        .unwrap();
    let optional: Vec<&str> = kw::INFO
        .params
        .iter()
        .filter(|p| !p.required)
        .map(|p| p.key)
        .collect();
    required.retain(|key, _| !optional.contains(&key.as_str()));
    assert!(required.contains_key("for") && !required.contains_key("await"));
    let body = |params: serde_json::Map<String, Value>| json!({"model": "keywords", "prompt": "hi", "params": params});
    let parsed: kw::Request = serde_json::from_value(body(required.clone())).unwrap();
    assert_eq!(parsed, kw::Request::new("hi", 1, 2, 3));
    assert_eq!(params(&parsed)["await"], "high");
    required.remove("for");
    let err = serde_json::from_value::<kw::Request>(body(required)).unwrap_err();
    assert!(err.to_string().contains("missing field `for`"), "{err}");
}
