//! The JSON Schemas under `openapi/models` against the rules, by an independent validator
//! (the `jsonschema` crate): every schema is valid 2020-12, accepts its model's page examples,
//! and reaches the same verdict as `catalog::validate_value` on thousands of generated bodies —
//! valid ones and ones broken in every way a spec can be broken. Where they differ, the rule
//! that refused must be one the schema names under an `x-rivya-` key; anything else fails.
//! Where both refuse, every violation the rules report must be one the schema reports at the
//! same place (the value, or the object a missing or unknown key belongs to).

mod bodies;
mod mutate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use fastrand::Rng;
use rivya_models::{ModelInfo, Violation, ViolationKind, catalog};
use serde_json::Value;

/// Valid bodies drawn per model; each is also broken every applicable way.
const VALID_PER_MODEL: usize = 12;

fn openapi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

fn schema_of(info: &ModelInfo) -> Value {
    let path = openapi_dir().join(format!("models/{}.json", info.id));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask gen`", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The schema node that describes `path` (`params.duration`, `prompt`), if any.
fn node<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(schema, |s, key| s.get("properties")?.get(key))
}

/// The `x-rivya-` rule that explains why the rules refuse what the schema accepts.
fn explained_by(schema: &Value, v: &Violation) -> Option<&'static str> {
    let at = node(schema, &v.path)?;
    let key = match v.kind {
        ViolationKind::TooLong { .. } => "x-rivya-max-utf16-units",
        ViolationKind::OffStep { .. } => "x-rivya-step",
        ViolationKind::WrongType {
            expected: "integer",
        } => "x-rivya-integer",
        _ => return None,
    };
    at.get(key).is_some().then_some(key)
}

/// A violation's path (`params.items[2].url`) as a JSON pointer (`/params/items/2/url`);
/// `body` is the whole body.
fn pointer(path: &str) -> String {
    if path == "body" {
        return String::new();
    }
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Whether the schema refused the value at `path`, or the object holding it (where a missing
/// or unknown key is reported).
fn is_located(path: &str, located: &[String]) -> bool {
    let at = pointer(path);
    let parent = at.rsplit_once('/').map_or("", |(p, _)| p);
    located.iter().any(|l| *l == at || l == parent)
}

#[derive(Default)]
struct Tally {
    bodies: usize,
    both_accept: usize,
    both_refuse: usize,
    /// Refused by the rules only, per `x-rivya-` rule.
    explained: BTreeMap<&'static str, usize>,
    /// Bodies per breakage.
    per_breakage: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn judge(
        &mut self,
        validator: &jsonschema::Validator,
        schema: &Value,
        label: &str,
        body: &Value,
    ) {
        self.bodies += 1;
        let by_schema = validator.is_valid(body);
        let by_rules = catalog::validate_value(body);
        match (by_schema, &by_rules) {
            (true, Ok(_)) => self.both_accept += 1,
            (false, Err(e)) => {
                self.both_refuse += 1;
                let located: Vec<String> = validator
                    .iter_errors(body)
                    .map(|e| e.instance_path().to_string())
                    .collect();
                for v in &e.violations {
                    if explained_by(schema, v).is_none() && !is_located(&v.path, &located) {
                        self.failures.push(format!(
                            "[{label}] the rules refuse {} ({v}) where the schema finds nothing \
                             (it refuses at {located:?}):\n{body}",
                            v.path
                        ));
                    }
                }
            }
            (true, Err(e)) => {
                let keys: Option<Vec<&'static str>> = e
                    .violations
                    .iter()
                    .map(|v| explained_by(schema, v))
                    .collect();
                match keys {
                    Some(keys) => {
                        for k in keys {
                            *self.explained.entry(k).or_default() += 1;
                        }
                    }
                    None => self.failures.push(format!(
                        "[{label}] the schema accepts what the rules refuse ({e}):\n{body}"
                    )),
                }
            }
            (false, Ok(_)) => {
                let errors: Vec<String> = validator
                    .iter_errors(body)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                self.failures.push(format!(
                    "[{label}] the schema refuses what the rules accept ({}):\n{body}",
                    errors.join("; ")
                ));
            }
        }
    }
}

#[test]
fn schemas_and_rules_agree_on_generated_bodies() {
    let mut tally = Tally::default();
    for (i, info) in catalog::all().iter().enumerate() {
        let schema = schema_of(info);
        let validator = jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("{}: the schema does not compile: {e}", info.id));
        let mut rng = Rng::with_seed(16_000 + i as u64);
        for _ in 0..VALID_PER_MODEL {
            let valid = bodies::valid(&mut rng, info);
            tally.judge(&validator, &schema, "valid", &valid);
            *tally.per_breakage.entry("(valid)").or_default() += 1;
            for (label, broken) in mutate::all(&mut rng, info, &valid) {
                *tally.per_breakage.entry(label).or_default() += 1;
                tally.judge(&validator, &schema, label, &broken);
            }
        }
    }
    println!(
        "schema vs rules: {} bodies; both accept {}, both refuse {}, refused only by an x-rivya rule {:?}",
        tally.bodies, tally.both_accept, tally.both_refuse, tally.explained
    );
    println!("bodies per breakage: {:?}", tally.per_breakage);
    let shown: Vec<&String> = tally.failures.iter().take(8).collect();
    assert!(
        tally.failures.is_empty(),
        "{} disagreements outside the x-rivya rules; the first:\n{}",
        tally.failures.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(tally.bodies > 3000, "only {} bodies", tally.bodies);
    assert!(tally.both_accept >= catalog::all().len() * VALID_PER_MODEL);
    for rule in ["x-rivya-max-utf16-units", "x-rivya-integer"] {
        assert!(
            tally.explained.contains_key(rule),
            "no body exercised {rule}"
        );
    }
}

#[test]
fn every_schema_is_valid_2020_12_and_accepts_its_page_examples() {
    for info in catalog::all() {
        let schema = schema_of(info);
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{}: not a valid 2020-12 schema: {e}", info.id);
        }
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{}",
            info.id
        );
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        for example in [info.minimal_example, info.reference_example]
            .into_iter()
            .flatten()
        {
            let body: Value = serde_json::from_str(example).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{}: its page example is refused: {errors:?}",
                info.id
            );
        }
    }
}

/// The OpenAPI document embeds the same schemas, and its `oneOf` picks the model's own.
#[test]
fn the_openapi_document_chooses_the_schema_by_model() {
    let text = std::fs::read_to_string(openapi_dir().join("openapi.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let components = &doc["components"]["schemas"];
    for info in catalog::all() {
        let mut own = schema_of(info);
        own.as_object_mut().unwrap().remove("$schema");
        assert_eq!(components[info.id], own, "{}", info.id);
        let union = if info.is_chat() {
            "ChatTurn"
        } else {
            "GenerationCreate"
        };
        assert_eq!(
            components[union]["discriminator"]["mapping"][info.id],
            format!("#/components/schemas/{}", info.id)
        );
    }
    // The create bodies as one schema: valid bodies of any model pass, an unknown model fails.
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/components/schemas/GenerationCreate",
        "components": doc["components"],
    });
    let validator = jsonschema::draft202012::new(&root).unwrap();
    let mut rng = Rng::with_seed(7);
    for info in catalog::all().iter().filter(|m| !m.is_chat()) {
        let body = bodies::valid(&mut rng, info);
        assert!(validator.is_valid(&body), "{}: {body}", info.id);
        let mut other = body.clone();
        other["model"] = "no-such-model".into();
        assert!(!validator.is_valid(&other));
    }
}
