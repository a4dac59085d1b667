//! JSON Schema and OpenAPI output: checked in, deterministic, one schema per model.

mod common;

use common::specs_in;

#[test]
fn shipped_schemas_are_what_gen_writes_and_do_not_depend_on_input_order() {
    let specs = specs_in("specs");
    let files = codegen::generate_openapi(&specs).expect("specs are valid");
    let mut reversed = specs.clone();
    reversed.reverse();
    assert_eq!(files, codegen::generate_openapi(&reversed).unwrap());
    assert_eq!(
        files.len(),
        specs.len() + 1,
        "one schema per model plus openapi.json"
    );
    for f in &files {
        let path = common::root().join("openapi").join(&f.name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == f.contents,
            "{} is stale: run `cargo xtask gen`",
            path.display()
        );
        let json: serde_json::Value = serde_json::from_str(&f.contents).expect("valid JSON");
        if f.name.starts_with("models/") {
            assert_eq!(json["$schema"], codegen::JSON_SCHEMA_DIALECT, "{}", f.name);
            assert_eq!(json["additionalProperties"], false, "{}", f.name);
        }
    }
}

#[test]
fn a_spec_error_is_reported_not_written() {
    let mut specs = specs_in("specs");
    specs[0].text.push_str("\nunknown_key: 1\n");
    let err = codegen::generate_openapi(&specs).unwrap_err();
    assert!(err.to_string().contains(&specs[0].label), "{err}");
}
