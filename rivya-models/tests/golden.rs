//! Golden tests against the pages' own examples, for every shipped model:
//! - the documented requests deserialize into the typed request and re-serialize unchanged;
//! - where the minimal request uses only defaults, `Request::new(prompt)` serializes to it;
//! - the untyped validator accepts every documented request.

use rivya_models::{
    GenerationModel, GenerationRequest, ModelInfo, ModelParams, RequestBody, catalog,
};
use serde_json::Value;

/// Whether the example's params are exactly the documented defaults (all of them).
fn uses_only_defaults(info: &ModelInfo, example: &Value) -> bool {
    let params = example["params"].as_object().cloned().unwrap_or_default();
    params == catalog::default_params(info)
}

fn examples(info: &ModelInfo) -> Vec<Value> {
    [info.minimal_example, info.reference_example]
        .into_iter()
        .flatten()
        .map(|text| serde_json::from_str(text).expect("examples are JSON"))
        .collect()
}

/// Round-trips every example through the typed request of `P`; returns how many were checked.
fn round_trip<P: ModelParams>() -> usize {
    let info = <P::Model as GenerationModel>::INFO;
    let all = examples(info);
    for example in &all {
        let typed: RequestBody<P> = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("{}: example does not deserialize: {e}", info.id));
        typed
            .validate()
            .unwrap_or_else(|e| panic!("{}: documented example is invalid: {e}", info.id));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(&back, example, "{}: re-serialized example differs", info.id);
        catalog::validate_value(example)
            .unwrap_or_else(|e| panic!("{}: untyped validation rejects the example: {e}", info.id));
    }
    all.len()
}

/// The default request with the example's prompt serializes to the minimal example.
fn default_matches<R: GenerationRequest>(new: impl Fn(&str) -> R) {
    let info = new("probe").info();
    let example: Value = serde_json::from_str(info.minimal_example.unwrap()).unwrap();
    assert!(
        uses_only_defaults(info, &example),
        "{}: example is not all defaults",
        info.id
    );
    let req = new(example["prompt"].as_str().unwrap());
    assert_eq!(serde_json::to_value(&req).unwrap(), example, "{}", info.id);
}

macro_rules! golden {
    (defaults: [$($d:ident),*], others: [$($o:ident),*]) => {
        const LISTED: &[&str] = &[$(stringify!($d),)* $(stringify!($o),)*];

        #[test]
        fn documented_requests_round_trip() {
            let mut checked = 0;
            $( checked += round_trip::<rivya_models::$d::Params>(); )*
            $( checked += round_trip::<rivya_models::$o::Params>(); )*
            assert!(checked >= 14, "only {checked} examples checked");
        }

        #[test]
        fn default_requests_match_the_minimal_examples() {
            $( default_matches(|p| rivya_models::$d::Request::new(p)); )*
        }

        #[test]
        fn models_split_by_whether_their_example_is_all_defaults() {
            $(
                let info = &rivya_models::$o::INFO;
                if let Some(text) = info.minimal_example {
                    let example: Value = serde_json::from_str(text).unwrap();
                    assert!(!uses_only_defaults(info, &example), "{} belongs in `defaults`", info.id);
                }
            )*
        }
    };
}

golden! {
    defaults: [
        kling_3_0, kling_2_6, suno_music, model_4o_image, wan_2_6, midjourney, nano_banana_pro,
        grok_imagine_video, flux_2_flex, flux_2_pro, gpt_image_1_5, grok_imagine, hailuo_pro,
        nano_banana, qwen_image, sora_2, z_image, gpt_image_2, hailuo_standard, nano_banana_2,
        elevenlabs_sound_effect_v2
    ],
    others: [
        elevenlabs_dialogue_v3, elevenlabs_turbo_2_5, seedream_3_0, runway, google_imagen4,
        veo3_1_fast, seedance_1_0_pro, wan_2_7_image, seedance_2_fast, flux_kontext_pro,
        google_imagen4_fast, kling_v2_5_turbo_pro, seedance_1_5_pro, seedance_2, seedream_4_0,
        seedream_5_lite, wan_2_5_video, wan_2_7_video, flux_kontext_max, google_imagen4_ultra,
        ideogram_v3, qwen2_image, seedance_1_0_lite, sora_2_pro, suno_sounds, veo3_1_lite,
        wan_2_7_image_pro, sora_watermark_remover, happyhorse_1_0, kling_v2_1_master,
        seedream_4_5, wan_2_2_a14b_turbo, elevenlabs_multilingual_v2
    ]
}

/// Every generation model (chat models have no `Params`; `tests/chat.rs` covers them).
#[test]
fn every_shipped_model_is_listed_here() {
    let mut listed: Vec<String> = LISTED
        .iter()
        .map(|m| m.replace("model_", "").replace('_', "-"))
        .collect();
    listed.sort();
    let mut ids: Vec<String> = catalog::all()
        .iter()
        .filter(|m| !m.is_chat())
        .map(|m| m.id.replace(['.', '_'], "-"))
        .collect();
    ids.sort();
    assert_eq!(listed, ids, "add new models to the golden! list");
}

/// The seed pages themselves, when present: the spec's example is the page's own.
#[test]
fn seed_examples_appear_on_the_seed_pages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    if !dir.exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    for (id, file) in [
        ("kling-3-0", "kling-3-0.id.txt"),
        ("kling-2-6", "kling-2-6.id.txt"),
    ] {
        let page = std::fs::read_to_string(dir.join(file)).unwrap();
        let compact: String = page.chars().filter(|c| !c.is_whitespace()).collect();
        let info = catalog::find(id).unwrap();
        for ex in [info.minimal_example, info.reference_example]
            .into_iter()
            .flatten()
        {
            let ex: String = ex.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(compact.contains(&ex), "{id}: example not found on the page");
        }
    }
}
