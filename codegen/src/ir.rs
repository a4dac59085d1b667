//! The checked, resolved form of a spec: every name decided, every reference valid. Emission
//! reads only this, so it never has to handle a bad spec.

use rivya_rules::{Billing, Capability, FilesApi, Input, MediaKind};

/// One model, ready to emit.
#[derive(Debug, Clone)]
pub struct Model {
    /// The spec's file name (`kling-3-0.yaml`).
    pub spec_file: String,
    /// SHA-256 of the spec's bytes, hex.
    pub spec_hash: String,
    /// The API id.
    pub id: String,
    /// The display name.
    pub display_name: String,
    /// The module name (`kling_3_0`).
    pub module: String,
    /// The marker type name (`Model`).
    pub marker: String,
    /// What it produces.
    pub capability: Capability,
    /// Accepted inputs.
    pub inputs: Vec<Input>,
    /// Files API requirement.
    pub files_api: FilesApi,
    /// Billing.
    pub billing: Billing,
    /// Base credits.
    pub base_credits: u32,
    /// Whether the prompt is required.
    pub prompt_required: bool,
    /// The prompt limit.
    pub prompt_max_chars: Option<u32>,
    /// Whether `params` is required.
    pub params_required: bool,
    /// The parameters, in spec order.
    pub params: Vec<Param>,
    /// The upload policy (for a chat model: its image attachments').
    pub upload: Option<Upload>,
    /// A chat model's take on the shared chat fields; `None` for generation models.
    pub chat: Option<Chat>,
    /// Prose rules, as documentation.
    pub notes: Vec<String>,
    /// Source URL.
    pub source_url: String,
    /// Review date.
    pub reviewed: String,
    /// Whether the page was cut off.
    pub partial: bool,
    /// The documented minimal request, pretty-printed JSON.
    pub minimal_example: Option<String>,
    /// The documented reference request, pretty-printed JSON.
    pub reference_example: Option<String>,
}

impl Model {
    /// The page's example requests that exist, as (what they show, file name under the
    /// generated folder, JSON text). Each is written once, as its own file, and the module
    /// includes it (`include_str!`) both in `INFO` and in its docs.
    pub fn examples(&self) -> Vec<Example<'_>> {
        [
            (ExampleKind::Minimal, &self.minimal_example),
            (ExampleKind::Reference, &self.reference_example),
        ]
        .into_iter()
        .filter_map(|(kind, text)| {
            let text = text.as_deref()?;
            Some(Example {
                kind,
                file: format!("examples/{}.{}.json", self.id, kind.name()),
                text,
            })
        })
        .collect()
    }
}

/// Which of the page's two example requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleKind {
    /// The smallest request the page shows.
    Minimal,
    /// The request with reference files.
    Reference,
}

impl ExampleKind {
    /// Its field in the generated `INFO` (`minimal_example`, `reference_example`).
    pub fn info_field(self) -> &'static str {
        match self {
            Self::Minimal => "minimal_example",
            Self::Reference => "reference_example",
        }
    }

    /// The spec's key for it (`minimal`, `reference`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Minimal => "minimal",
            Self::Reference => "reference",
        }
    }
}

/// One example request of a model.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    /// Which one.
    pub kind: ExampleKind,
    /// Its file, relative to the generated folder (`examples/kling-3-0.minimal.json`).
    pub file: String,
    /// The JSON text, as the spec holds it.
    pub text: &'a str,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire key.
    pub key: String,
    /// Description.
    pub description: String,
    /// Required on the wire.
    pub required: bool,
    /// Rust field (and setter) name, possibly a keyword (emitted raw).
    pub field: String,
    /// Type name for enums and list items (`AspectRatio`, `DialogueItem`).
    pub type_name: String,
    /// Type and limits.
    pub kind: Kind,
}

impl Param {
    /// Whether the Rust field always holds a value (no `Option`): a default or a requirement.
    pub fn always_present(&self) -> bool {
        self.required || self.has_default()
    }

    /// Whether the spec states a default.
    pub fn has_default(&self) -> bool {
        match &self.kind {
            Kind::Select { default, .. } => default.is_some(),
            Kind::Number { default, .. } => default.is_some(),
            Kind::Text { default } => default.is_some(),
            Kind::Url | Kind::List { .. } => false,
        }
    }

    /// Whether `Request::new` must take this parameter (required, nothing to default to).
    pub fn is_constructor_arg(&self) -> bool {
        self.required && !self.has_default()
    }
}

/// A parameter's type.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A select; `boolean` when the options are exactly `false` and `true`.
    Select {
        /// Options with their variant names.
        options: Vec<Opt>,
        /// Index of the default option.
        default: Option<usize>,
        /// Emitted as `bool`.
        boolean: bool,
    },
    /// A number.
    Number {
        /// `i64` rather than `f64`.
        integer: bool,
        /// Minimum.
        min: Option<f64>,
        /// Maximum.
        max: Option<f64>,
        /// Step.
        step: Option<f64>,
        /// Default.
        default: Option<f64>,
    },
    /// Free text.
    Text {
        /// Default.
        default: Option<String>,
    },
    /// A public `http(s)` URL.
    Url,
    /// A list of string-field objects.
    List {
        /// Fewest items.
        min_items: u32,
        /// Item fields.
        fields: Vec<Field>,
    },
}

/// A select option.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Wire value.
    pub value: String,
    /// Variant name.
    pub variant: String,
}

/// A string field of a list item.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire key.
    pub key: String,
    /// Rust field name.
    pub field: String,
    /// Description.
    pub description: String,
}

/// What a chat model takes of the shared chat fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chat {
    /// Image attachments per turn; 0 for a text-only model.
    pub max_attachments: u32,
    /// Whether `enable_web_search` is taken.
    pub web_search: bool,
    /// Whether `reasoning_effort` is taken.
    pub reasoning_effort: bool,
}

/// The upload policy.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Most files.
    pub max_files: u32,
    /// Accepted kinds.
    pub kinds: Vec<KindLimit>,
    /// The reference rule, in our words.
    pub reference_rule: String,
}

/// Limits for one kind.
#[derive(Debug, Clone)]
pub struct KindLimit {
    /// Kind.
    pub kind: MediaKind,
    /// Megabytes as stated.
    pub max_size_mb: u32,
    /// MIME types.
    pub mime_types: Vec<String>,
}
