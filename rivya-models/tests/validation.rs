//! Every validation rule, typed and untyped, with paths and messages a person can act on.

use rivya_models::{
    MediaKind, ReferenceMediaItem, ViolationKind, catalog, elevenlabs_dialogue_v3,
    elevenlabs_turbo_2_5, grok_imagine_video, kling_2_6, kling_3_0, seedream_3_0, wan_2_6,
};
use serde_json::json;

fn png(url: &str) -> ReferenceMediaItem {
    ReferenceMediaItem::image(url).mime_type("image/png")
}

fn paths(e: &rivya_models::ValidationError) -> Vec<&str> {
    e.violations.iter().map(|v| v.path.as_str()).collect()
}

#[test]
fn seed_model_rejects_every_violation_at_once() {
    let req = kling_3_0::Request::new("x".repeat(2001))
        .reference(png("https://cdn.example.com/a.png"))
        .reference(ReferenceMediaItem::new(
            "https://cdn.example.com/b.mp4",
            MediaKind::Video,
        ))
        .reference(png("not a url").mime_type("image/gif"));
    let err = req.validate().unwrap_err();
    assert_eq!(
        paths(&err),
        [
            "prompt",
            "params.referenceMediaItems",
            "params.referenceMediaItems[1].kind",
            "params.referenceMediaItems[1].durationToken",
            "params.referenceMediaItems[2].url",
            "params.referenceMediaItems[2].mimeType",
        ]
    );
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn kling_2_6_takes_one_image_only() {
    let req = kling_2_6::Request::new("ok")
        .duration(kling_2_6::ClipDuration::Secs10)
        .reference(png("https://cdn.example.com/a.png"))
        .reference(png("https://cdn.example.com/b.png"));
    let err = req.validate().unwrap_err();
    assert_eq!(
        err.violations[0].kind,
        ViolationKind::TooManyFiles { max: 1 }
    );
}

#[test]
fn prompts_are_counted_in_utf16_units() {
    // 1000 emoji = 2000 UTF-16 units: exactly kling-3-0's limit.
    let emoji = "🎬".repeat(1000);
    assert!(kling_3_0::Request::new(emoji.as_str()).validate().is_ok());
    let err = kling_3_0::Request::new(format!("{emoji}a"))
        .validate()
        .unwrap_err();
    assert_eq!(
        err.violations[0].kind,
        ViolationKind::TooLong {
            max: 2000,
            actual: 2001
        }
    );
    // CJK characters are one unit each.
    let cjk = "影".repeat(1000);
    assert!(kling_2_6::Request::new(cjk.as_str()).validate().is_ok());
    assert!(
        kling_2_6::Request::new(format!("{cjk}影"))
            .validate()
            .is_err()
    );
    // The untyped path counts the same way.
    let body = json!({"model": "kling-2-6", "prompt": format!("{cjk}影")});
    assert!(catalog::validate_value(&body).unwrap_err().has("prompt"));
}

#[test]
fn required_prompts_must_not_be_blank() {
    for p in ["", "   ", "\n\t"] {
        let err = kling_3_0::Request::new(p).validate().unwrap_err();
        assert_eq!(err.violations[0].kind, ViolationKind::Blank);
    }
    let missing = json!({"model": "kling-3-0", "params": {}});
    let err = catalog::validate_value(&missing).unwrap_err();
    assert_eq!(err.violations[0].kind, ViolationKind::Required);
    // An optional prompt may be left out.
    let lines = vec![elevenlabs_dialogue_v3::DialogueLine::new("Adam", "Hi")];
    assert!(
        elevenlabs_dialogue_v3::Request::new(lines)
            .validate()
            .is_ok()
    );
}

#[test]
fn numbers_are_checked_for_range_and_step() {
    let err = seedream_3_0::Request::new("p")
        .guidance_scale(10.5)
        .seed(-3)
        .validate()
        .unwrap_err();
    assert_eq!(paths(&err), ["params.guidance_scale", "params.seed"]);
    assert!(
        seedream_3_0::Request::new("p")
            .guidance_scale(2.7)
            .validate()
            .is_ok()
    );
    let err = seedream_3_0::Request::new("p")
        .guidance_scale(2.55)
        .validate()
        .unwrap_err();
    assert_eq!(err.violations[0].kind, ViolationKind::OffStep { step: 0.1 });
    // Decimal steps that are inexact in binary still land on the step.
    assert!(
        elevenlabs_turbo_2_5::Request::new("p")
            .speed(1.15)
            .validate()
            .is_ok()
    );
    let err = elevenlabs_turbo_2_5::Request::new("p")
        .stability(0.52)
        .validate()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("0.52 is not a multiple of the step 0.05")
    );
    let err = grok_imagine_video::Request::new("p")
        .duration(31)
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("expected 6 to 30"), "{err}");
}

#[test]
fn video_references_need_a_duration_token() {
    let clip = ReferenceMediaItem::new("https://cdn.example.com/c.mp4", MediaKind::Video)
        .mime_type("video/mp4");
    let err = wan_2_6::Request::new("p")
        .reference(clip.clone())
        .validate()
        .unwrap_err();
    assert_eq!(paths(&err), ["params.referenceMediaItems[0].durationToken"]);
    let ok = wan_2_6::Request::new("p").reference(clip.duration(5.0, "tok_1"));
    assert!(ok.validate().is_ok());
}

#[test]
fn untyped_bodies_get_the_same_rules_plus_shape_checks() {
    let body = json!({
        "model": "kling-3-0",
        "prompt": "ok",
        "seed": 1,
        "params": {
            "duration": 5,
            "sound": false,
            "aspect_ratio": "4:3",
            "mode": "pro",
            "resolution": "1080p",
            "referenceMediaItems": [{"url": "https://x.test/a.png", "kind": "gif", "extra": 1}]
        }
    });
    let err = catalog::validate_value(&body).unwrap_err();
    assert_eq!(
        paths(&err),
        // In request order, as the body was written.
        [
            "seed",
            "params.duration",
            "params.sound",
            "params.aspect_ratio",
            "params.resolution",
            "params.referenceMediaItems[0].kind",
            "params.referenceMediaItems[0].extra",
        ]
    );
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn untyped_unknown_model_and_non_objects() {
    let err = catalog::validate_value(&json!({"model": "kling-9"})).unwrap_err();
    assert_eq!(err.violations[0].kind, ViolationKind::UnknownModel);
    let err = catalog::validate_value(&json!([1, 2])).unwrap_err();
    assert_eq!(err.violations[0].kind, ViolationKind::NotAnObject);
    let err = catalog::validate_value(&json!({"prompt": "p"})).unwrap_err();
    assert_eq!(paths(&err), ["model"]);
}

#[test]
fn untyped_required_params_and_lists() {
    let err = catalog::validate_value(&json!({"model": "elevenlabs-turbo-2-5", "prompt": "p"}))
        .unwrap_err();
    assert_eq!(paths(&err), ["params", "params.voice"]);
    let body =
        json!({"model": "elevenlabs-dialogue-v3", "params": {"dialogue": [{"voice": "Adam"}, 3]}});
    let err = catalog::validate_value(&body).unwrap_err();
    assert_eq!(
        paths(&err),
        ["params.dialogue[0].text", "params.dialogue[1]"]
    );
    let body = json!({"model": "elevenlabs-dialogue-v3", "params": {"dialogue": []}});
    let err = catalog::validate_value(&body).unwrap_err();
    assert_eq!(
        err.violations[0].kind,
        ViolationKind::TooFewItems { min: 1 }
    );
    let body = json!({"model": "grok-imagine-video", "prompt": "p", "params": {"duration": 7.5}});
    let err = catalog::validate_value(&body).unwrap_err();
    assert_eq!(
        err.violations[0].kind,
        ViolationKind::WrongType {
            expected: "integer"
        }
    );
}

#[test]
fn typed_deserialization_rejects_what_the_types_forbid() {
    let wrong_model = json!({"model": "kling-2-6", "prompt": "p", "params": {}});
    let e = serde_json::from_value::<kling_3_0::Request>(wrong_model).unwrap_err();
    assert!(e.to_string().contains("for model `kling-3-0`"), "{e}");
    let bad_option = json!({"model": "kling-3-0", "prompt": "p", "params": {"duration": "99"}});
    assert!(serde_json::from_value::<kling_3_0::Request>(bad_option).is_err());
    let unknown = json!({"model": "kling-3-0", "prompt": "p", "params": {"nope": 1}});
    assert!(serde_json::from_value::<kling_3_0::Request>(unknown).is_err());
    let no_params = json!({"model": "kling-3-0", "prompt": "p"});
    let req: kling_3_0::Request = serde_json::from_value(no_params).unwrap();
    assert_eq!(req.params.duration, kling_3_0::ClipDuration::Secs5);
}

#[test]
fn select_enums_parse_and_print_wire_values() {
    use std::str::FromStr;
    assert_eq!(
        kling_3_0::AspectRatio::from_str("9:16"),
        Ok(kling_3_0::AspectRatio::R9x16)
    );
    assert_eq!(kling_3_0::ClipDuration::Secs10.to_string(), "10");
    let err = kling_3_0::ClipDuration::from_str("16").unwrap_err();
    assert!(
        err.to_string().contains("expected one of: 3, 4, 5"),
        "{err}"
    );
    assert_eq!(
        kling_3_0::ClipDuration::ALL.len(),
        kling_3_0::ClipDuration::OPTIONS.len()
    );
}

#[test]
fn marker_types_describe_their_model() {
    use rivya_models::{Billing, Capability, GenerationModel};
    type K = kling_3_0::Model;
    assert_eq!((K::id(), K::display_name()), ("kling-3-0", "Kling 3.0"));
    assert_eq!(
        (K::capability(), K::billing(), K::base_credits()),
        (Capability::Video, Billing::Fixed, 90)
    );
    assert_eq!(K::prompt_max_chars(), Some(2000));
    assert_eq!(K::upload_policy().map(|u| u.max_files), Some(2));
    assert_eq!(elevenlabs_turbo_2_5::Model::billing(), Billing::Metered);
    assert!(seedream_3_0::Model::upload_policy().is_none());
}

/// Code generic over models builds and checks requests through `GenerationModel::Params`,
/// `GenerationModel::Request` and `GenerationRequest`, without naming a model's module.
#[test]
fn generic_code_reaches_a_model_through_its_marker() {
    use rivya_models::{GenerationModel, GenerationRequest, RequestBody};

    fn all_defaults<M: GenerationModel>(prompt: &str) -> M::Request
    where
        M::Params: Default,
    {
        M::Request::from(RequestBody::from_parts(
            Some(prompt.to_owned()),
            M::Params::default(),
        ))
    }

    let req = all_defaults::<kling_3_0::Model>("A product reveal");
    assert_eq!(req, kling_3_0::Request::new("A product reveal"));
    assert_eq!(req.model_id(), "kling-3-0");
    assert!(GenerationRequest::validate(&req).is_ok());
}

/// A required key with a documented default (`voice`) is still required in a body the typed
/// side reads, as the untyped rules say; `new` is what sends the default.
#[test]
fn typed_bodies_need_required_keys_too() {
    use rivya_models::elevenlabs_turbo_2_5::{Request, Voice};
    for body in [
        json!({"model": "elevenlabs-turbo-2-5", "prompt": "p", "params": {}}),
        json!({"model": "elevenlabs-turbo-2-5", "prompt": "p"}),
    ] {
        let typed = serde_json::from_value::<Request>(body.clone()).unwrap_err();
        assert!(
            typed.to_string().contains("missing field `voice`"),
            "{typed}"
        );
        let untyped = catalog::validate_value(&body).unwrap_err();
        assert!(untyped.has("params.voice"), "{untyped}");
    }
    let sent = serde_json::to_value(Request::new("p")).unwrap();
    assert_eq!(sent["params"]["voice"], "TX3LPaxmHKxFdv7VOQHJ");
    let read: Request = serde_json::from_value(sent).unwrap();
    assert_eq!(read.params.voice, Voice::Liam);
}

/// The names a user imports together never clash, and every select shares one trait.
#[test]
fn one_name_per_thing_in_a_use_list() {
    use rivya_models::kling_3_0::{AspectRatio, ClipDuration, Model, Request};
    use rivya_models::{GenerationModel, GenerationRequest, SelectOption};

    fn options_of<T: SelectOption>() -> (&'static str, Vec<String>) {
        (T::KEY, T::ALL.iter().map(|o| o.wire().to_owned()).collect())
    }
    assert_eq!(Model::id(), "kling-3-0");
    let (key, wires) = options_of::<AspectRatio>();
    assert_eq!(key, "aspect_ratio");
    assert_eq!(wires, AspectRatio::OPTIONS);
    assert_eq!(ClipDuration::try_from("10"), Ok(ClipDuration::Secs10));
    let err = ClipDuration::try_from("99").unwrap_err();
    assert_eq!(err.param, "duration");
    let req = Request::new("x").duration(ClipDuration::Secs10);
    assert_eq!(req.info().id, "kling-3-0");
    assert_eq!(
        req.params.duration,
        ClipDuration::Secs10,
        "fields read through"
    );
}

/// `reference` appends; `references` replaces the whole list.
#[test]
fn references_replace_the_list() {
    use rivya_models::ReferenceMediaItem;
    let req = kling_3_0::Request::new("x")
        .reference(ReferenceMediaItem::image("https://a.example/1.png"))
        .reference(ReferenceMediaItem::image("https://a.example/2.png"))
        .references([ReferenceMediaItem::image("https://a.example/3.png")]);
    assert_eq!(req.params.reference_media_items.len(), 1);
    assert_eq!(
        req.params.reference_media_items[0].url,
        "https://a.example/3.png"
    );
}
