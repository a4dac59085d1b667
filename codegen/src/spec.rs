//! The spec format: one YAML file per model page. Unknown keys are errors everywhere.
//!
//! `specs/schema.json` is generated from these types (see [`crate::schema_json`]), so editors
//! that read the `# yaml-language-server: $schema=schema.json` modeline complete and check specs.
//! The closed vocabularies (`capability`, `inputs`, `files_api`, `billing`, an upload's `kind`)
//! are rivya-rules' own enums, so the generator reads specs into the types the generated code
//! holds.

use std::collections::BTreeMap;

use rivya_rules::{Billing, Capability, FilesApi, Input, MediaKind};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// One model page, transcribed.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Rivya model spec")]
pub struct Spec {
    /// The API model id, sent as `model` (`kling-3-0`).
    pub id: String,
    /// The model's display name (`Kling 3.0`).
    pub display_name: String,
    /// Overrides the generated module name (default: the id in snake_case).
    #[serde(default)]
    pub rust_module: Option<String>,
    /// Overrides the generated marker type name (default: `Model`, as in `kling_3_0::Model`).
    #[serde(default)]
    pub rust_type: Option<String>,
    /// What the model produces.
    pub capability: Capability,
    /// The inputs the model accepts.
    pub inputs: Vec<Input>,
    /// Whether reference modes go through the Files API.
    pub files_api: FilesApi,
    /// How tasks are charged.
    pub billing: Billing,
    /// Credits reserved per task at the documented defaults.
    pub base_credits: u32,
    /// The top-level `prompt` field (for a chat model: the turn's `message`).
    pub prompt: PromptSpec,
    /// Whether the `params` object itself is required.
    #[serde(default)]
    pub params_required: bool,
    /// The rows of the page's model parameter table, in page order, plus structured params
    /// documented outside it (such as a dialogue list).
    #[serde(default)]
    #[schemars(with = "Vec<ParamSpec>")]
    pub params: Vec<Lenient<ParamSpec>>,
    /// The upload policy; absent for text-only models.
    #[serde(default)]
    pub upload: Option<UploadSpec>,
    /// A chat model's take on the shared chat fields (required for `capability: chat`, refused
    /// otherwise). The fields themselves are defined once, in `rivya_rules::chat`.
    #[serde(default)]
    pub chat: Option<ChatSpec>,
    /// Rules the page states only as prose (mode switches that gate other params …), in our
    /// own words. Kept as documentation; never turned into checks the page does not state.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Where the facts come from.
    pub source: Source,
    /// The page's documented example requests, as JSON text.
    #[serde(default)]
    pub examples: Examples,
}

/// The prompt's rules.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptSpec {
    /// Whether the prompt must be present (and non-blank).
    pub required: bool,
    /// The documented limit in characters; omit when the page documents none.
    #[serde(default)]
    pub max_chars: Option<u32>,
}

/// One parameter inside `params`, keyed by `type`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ParamSpec {
    /// One of a list of strings, sent as a JSON string.
    Select {
        /// The wire key, verbatim.
        key: String,
        /// What the parameter does, in our words.
        description: String,
        /// Whether the key must be present.
        #[serde(default)]
        required: bool,
        /// Overrides the Rust field name (snake_case); the type name follows it.
        #[serde(default)]
        rust_name: Option<String>,
        /// The options, verbatim and in page order. Quote numeric-like values (`"5"`).
        #[schemars(with = "Vec<String>")]
        options: Vec<WireString>,
        /// The default option, if the page states one.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        default: Option<WireString>,
        /// Prefix for variant names that would start with a digit (default: chosen from what
        /// the param means, see `naming::option_prefix` — `Res720P`, `Secs10`, `V6_1`, `N0_5`;
        /// set it when the key does not say, as `Secs` for a `n_frames` given in seconds).
        #[serde(default)]
        variant_prefix: Option<String>,
        /// Explicit variant names for options whose derived names collide or read badly.
        #[serde(default)]
        variant_names: BTreeMap<String, String>,
    },
    /// A JSON number.
    Number {
        /// The wire key, verbatim.
        key: String,
        /// What the parameter does, in our words.
        description: String,
        /// Whether the key must be present.
        #[serde(default)]
        required: bool,
        /// Overrides the Rust field name (snake_case); the type name follows it.
        #[serde(default)]
        rust_name: Option<String>,
        /// Whole numbers only (`i64` in Rust); otherwise `f64`.
        #[serde(default)]
        integer: bool,
        /// Inclusive minimum.
        #[serde(default)]
        min: Option<f64>,
        /// Inclusive maximum.
        #[serde(default)]
        max: Option<f64>,
        /// Step from the minimum (or from zero).
        #[serde(default)]
        step: Option<f64>,
        /// The documented default.
        #[serde(default)]
        default: Option<f64>,
    },
    /// A free string.
    Text {
        /// The wire key, verbatim.
        key: String,
        /// What the parameter does, in our words.
        description: String,
        /// Whether the key must be present.
        #[serde(default)]
        required: bool,
        /// Overrides the Rust field name (snake_case); the type name follows it.
        #[serde(default)]
        rust_name: Option<String>,
        /// The documented default.
        #[serde(default)]
        default: Option<String>,
    },
    /// A public `http(s)` URL, sent as a JSON string (the input of URL-input tools).
    Url {
        /// The wire key, verbatim.
        key: String,
        /// What the parameter does, in our words.
        description: String,
        /// Whether the key must be present.
        #[serde(default)]
        required: bool,
        /// Overrides the Rust field name (snake_case); the type name follows it.
        #[serde(default)]
        rust_name: Option<String>,
    },
    /// A list of objects with string fields (such as dialogue lines).
    List {
        /// The wire key, verbatim.
        key: String,
        /// What the parameter does, in our words.
        description: String,
        /// Whether the key must be present.
        #[serde(default)]
        required: bool,
        /// Overrides the Rust field name (snake_case); the type name follows it.
        #[serde(default)]
        rust_name: Option<String>,
        /// The fewest items accepted.
        #[serde(default)]
        min_items: u32,
        /// The item type.
        item: ItemSpec,
    },
}

impl ParamSpec {
    /// The fields every parameter type has.
    pub fn common(&self) -> Common<'_> {
        let (key, description, required, rust_name) = match self {
            Self::Select {
                key,
                description,
                required,
                rust_name,
                ..
            }
            | Self::Number {
                key,
                description,
                required,
                rust_name,
                ..
            }
            | Self::Text {
                key,
                description,
                required,
                rust_name,
                ..
            }
            | Self::Url {
                key,
                description,
                required,
                rust_name,
            }
            | Self::List {
                key,
                description,
                required,
                rust_name,
                ..
            } => (key, description, *required, rust_name),
        };
        Common {
            key,
            description,
            required,
            rust_name: rust_name.as_deref(),
        }
    }
}

/// The fields every parameter type has, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Common<'a> {
    /// The wire key.
    pub key: &'a str,
    /// The description.
    pub description: &'a str,
    /// Whether the key must be present.
    pub required: bool,
    /// The Rust field name override.
    pub rust_name: Option<&'a str>,
}

/// The object type of a list parameter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Overrides the item struct's name (default: the param's type name + `Item`).
    #[serde(default)]
    pub rust_name: Option<String>,
    /// The item's string fields, all required.
    pub fields: Vec<FieldSpec>,
}

/// One string field of a list item.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The wire key.
    pub key: String,
    /// What it holds.
    pub description: String,
}

/// What reference media the model accepts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadSpec {
    /// The most reference items one request may carry (1–16 on current pages).
    pub max_files: u32,
    /// The accepted kinds with their limits.
    pub kinds: Vec<KindSpec>,
    /// The page's reference rule, in our words.
    pub reference_rule: String,
}

/// What a chat model takes of the shared chat fields (`attachments`, `enable_web_search`,
/// `reasoning_effort`); everything not listed under `without` is taken.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatSpec {
    /// How many image attachments one turn may carry (required unless `attachments` is
    /// listed under `without`).
    #[serde(default)]
    pub max_attachments: Option<u32>,
    /// The shared chat fields this model lacks.
    #[serde(default)]
    pub without: Vec<ChatField>,
}

/// A shared chat field a model may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatField {
    /// `attachments`: a text-only model.
    Attachments,
    /// `enable_web_search`.
    EnableWebSearch,
    /// `reasoning_effort`.
    ReasoningEffort,
}

impl ChatField {
    /// The wire key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attachments => "attachments",
            Self::EnableWebSearch => "enable_web_search",
            Self::ReasoningEffort => "reasoning_effort",
        }
    }
}

/// Limits for one kind of reference file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    /// The kind.
    pub kind: MediaKind,
    /// The maximum size in megabytes, as the page states it.
    pub max_size_mb: u32,
    /// The accepted MIME types.
    pub mime_types: Vec<String>,
}

/// Provenance of the facts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The documentation page's URL.
    pub url: String,
    /// The language of the rendering that was transcribed (`en`, `id`, `zh` …).
    pub language: String,
    /// When the page was last reviewed against this spec (`YYYY-MM-DD`).
    pub reviewed: String,
    /// True when the page was cut off and the spec holds only what it showed.
    #[serde(default)]
    pub partial: bool,
}

/// The page's example request bodies, verbatim JSON.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// The documented minimal request.
    #[serde(default)]
    pub minimal: Option<String>,
    /// The documented reference-file request.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A wire value that must be written as a YAML string. Unquoted `5` or `true` would be read
/// as a number or a boolean and lose its exact spelling (`0.50`, `True`), so they are refused
/// with a hint instead of being converted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WireString(pub String);

impl<'de> Deserialize<'de> for WireString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WireStringVisitor)
    }
}

/// Rejects inside the deserializer, so serde_yaml attaches the value's path to the error.
struct WireStringVisitor;

impl serde::de::Visitor<'_> for WireStringVisitor {
    type Value = WireString;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WireString, E> {
        Ok(WireString(v.to_owned()))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<WireString, E> {
        Err(quote_hint(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WireString, E> {
        Err(quote_hint(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WireString, E> {
        Err(quote_hint(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<WireString, E> {
        Err(quote_hint(v))
    }
}

fn quote_hint<E: serde::de::Error>(v: impl std::fmt::Display) -> E {
    E::custom(format_args!(
        "select values are strings: write \"{v}\" in quotes so its spelling is kept"
    ))
}

/// A list element that failed to deserialize keeps its error instead of aborting the whole
/// spec, so every broken parameter is reported at once.
#[derive(Debug, Clone)]
pub enum Lenient<T> {
    /// It parsed.
    Ok(T),
    /// It did not; the message says why.
    Err(String),
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_yaml::Value::deserialize(d)?;
        // A good item converts straight from the value. A bad one is converted again through
        // text, which makes serde_yaml name the path inside the item (`options[0]: …`) for the
        // checker to locate in the original file.
        let parsed = T::deserialize(value.clone()).or_else(|_| {
            serde_yaml::to_string(&value)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_yaml::from_str(&text).map_err(|e| e.to_string()))
        });
        Ok(match parsed {
            Ok(t) => Lenient::Ok(t),
            Err(e) => Lenient::Err(e),
        })
    }
}
