//! `describe_model`'s schema is the published one: for every compiled model, the one builder
//! (`rivya_rules::schema`) gives `openapi/models/<id>.json` — less only the prose the generator
//! adds around it — and `describe_model` returns exactly what the builder gives.

use std::path::{Path, PathBuf};

use rivya_mcp::{Options, Server};
use rivya_models::{ModelInfo, ParamKind};
use rivya_runtime::ClientBuilder;
use serde_json::{Map, Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The published file of `info`'s model, without what the generator adds from the IR (the
/// model's notes and the descriptions of a list parameter's item fields), having checked that
/// those additions are the prose they should be.
fn published(info: &ModelInfo) -> Value {
    let path = root()
        .join("openapi/models")
        .join(format!("{}.json", info.id));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut file: Value = serde_json::from_str(&text).unwrap();
    if let Some(notes) = file.as_object_mut().unwrap().remove("x-rivya-notes") {
        let notes = notes.as_array().expect("notes are a list");
        assert!(
            !notes.is_empty() && notes.iter().all(Value::is_string),
            "{}",
            info.id
        );
    }
    for p in info.params {
        let ParamKind::List { fields, .. } = p.kind else {
            continue;
        };
        let items = &mut file["properties"]["params"]["properties"][p.key]["items"]["properties"];
        for f in fields {
            let field = items[*f].as_object_mut().expect("a field of the item");
            let description = field.remove("description");
            assert!(description.is_some_and(|d| d.is_string()), "{}: {f}", p.key);
        }
    }
    file
}

#[test]
fn the_builder_gives_every_published_schema() {
    let dir = root().join("openapi/models");
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        files,
        rivya_models::catalog::all().len(),
        "one file per model"
    );
    for info in rivya_models::catalog::all() {
        let built = rivya_rules::schema::standalone(info);
        assert!(
            built == published(info),
            "{}: the builder and openapi/ differ",
            info.id
        );
    }
}

fn server(dir: &Path) -> Server {
    // describe_model never sends anything: the address is never dialled.
    let client = ClientBuilder::default()
        .base_url("http://127.0.0.1:9")
        .api_key("rvya_sk_unused")
        .build()
        .unwrap();
    Server::new(client, Options::new(dir.join("ledger.sqlite"))).unwrap()
}

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "rivya-mcp-schema-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn describe(s: &Server, model: &str) -> Value {
    let args = Map::from_iter([("model".to_owned(), json!(model))]);
    s.call("describe_model", &args).await.unwrap().unwrap()
}

#[tokio::test]
async fn describe_model_returns_the_builders_schema() {
    let dir = temp_dir();
    let s = server(&dir);
    for info in rivya_models::catalog::all() {
        let out = describe(&s, info.id).await;
        assert!(
            out["schema"] == rivya_rules::schema::standalone(info),
            "{}: describe_model's schema is not the builder's",
            info.id
        );
        for (p, described) in info.params.iter().zip(out["params"].as_array().unwrap()) {
            let mut expected = rivya_rules::schema::param(p);
            expected["key"] = json!(p.key);
            expected["required"] = json!(p.required);
            assert_eq!(described, &expected, "{}: {}", info.id, p.key);
        }
    }
    let out = describe(&s, "kling-3-0").await;
    let duration = &out["schema"]["properties"]["params"]["properties"]["duration"];
    assert_eq!(duration["default"], "5");
    assert!(duration["enum"].as_array().unwrap().contains(&json!("10")));
    assert_eq!(out["schema"]["properties"]["prompt"]["maxLength"], 2000);
    assert_eq!(out["schema"]["required"], json!(["model", "prompt"]));
    std::fs::remove_dir_all(&dir).unwrap();
}
