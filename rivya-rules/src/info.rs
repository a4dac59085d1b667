//! Static metadata of a model, as transcribed from its documentation page.
//!
//! Generated modules describe each model with one [`ModelInfo`]; the typed validators and the
//! untyped [`crate::body`] validator both read these descriptors, so the two can never disagree.
//!
//! The enums deserialize from the spelling of the spec files the descriptors are generated from
//! (snake_case: `image`, `required_for_reference_modes`), because the generator reads specs into
//! these very types.

use serde::Deserialize;

use crate::MediaKind;

/// What a model produces. New kinds may appear, so match with a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(description = "What a model produces."))]
#[non_exhaustive]
pub enum Capability {
    /// Still images.
    Image,
    /// Video clips.
    Video,
    /// Speech, music or other audio.
    Audio,
    /// Chat turns (`POST /api/v1/chat/completions`), charged by tokens.
    Chat,
}

impl Capability {
    /// The lowercase name used by the API's catalog (`category`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Chat => "chat",
        }
    }

    /// The capability a catalog `category` names; `None` for one this build does not know.
    pub fn from_wire(name: &str) -> Option<Self> {
        // The match fails to compile when a variant is added, pointing here to list it.
        let listed = |c: Self| match c {
            Self::Image | Self::Video | Self::Audio | Self::Chat => c,
        };
        [Self::Image, Self::Video, Self::Audio, Self::Chat]
            .map(listed)
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// How a model's task is charged.
///
/// Deserializes from the spec files' spelling (`token_based`) only; the catalog's wire name
/// (`TOKEN_BASED`) is [`Billing::as_str`], read back with [`Billing::from_wire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(description = "How a model's task is charged.")
)]
#[non_exhaustive]
pub enum Billing {
    /// A fixed number of credits per task (`FIXED`).
    Fixed,
    /// Charged by the amount of output, starting from the base credits (`METERED`).
    Metered,
    /// Charged by tokens (`TOKEN_BASED`).
    TokenBased,
}

impl Billing {
    /// The wire name used by the API's catalog (`billing_type`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "FIXED",
            Self::Metered => "METERED",
            Self::TokenBased => "TOKEN_BASED",
        }
    }

    /// The billing a catalog `billing_type` names; `None` for one this build does not know.
    pub fn from_wire(name: &str) -> Option<Self> {
        // The match fails to compile when a variant is added, pointing here to list it.
        let listed = |b: Self| match b {
            Self::Fixed | Self::Metered | Self::TokenBased => b,
        };
        [Self::Fixed, Self::Metered, Self::TokenBased]
            .map(listed)
            .into_iter()
            .find(|b| b.as_str() == name)
    }
}

/// An input a model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum Input {
    /// A text prompt.
    Text,
    /// Reference files, uploaded through the Files API (for a chat model: image attachments).
    File,
    /// A public URL given in `params` (a tool that works on an existing video, say).
    Url,
}

/// Whether the Files API is needed for this model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum FilesApi {
    /// Text-only requests never need an upload.
    NotRequired,
    /// Modes that take reference media need files uploaded through `/api/v1/files` first.
    RequiredForReferenceModes,
}

/// Everything the documentation page states about one model, as generated modules hold it
/// (`static` data).
pub type ModelInfo = ModelInfoOf<'static>;

/// Everything the documentation page states about one model, borrowing its text and lists for
/// `'a`.
///
/// Applications use the `'static` aliases ([`ModelInfo`], [`ParamInfo`], [`ParamKind`],
/// [`UploadPolicy`], [`KindLimit`]); the lifetime lets the generator build a descriptor from
/// a spec it has just read and judge the spec's examples with the very rules, before any code
/// exists. The descriptor structs are read, never built, by applications: generated modules
/// build them as `static`s with struct literals, which `#[non_exhaustive]` would forbid outside
/// this crate. A new field therefore arrives with a new rivya-rules version and the modules
/// regenerated for it, together; the enums they hold are `#[non_exhaustive]`, so new values
/// are not breaking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfoOf<'a> {
    /// The API model id, sent as `model`.
    pub id: &'a str,
    /// The human-readable name.
    pub display_name: &'a str,
    /// What the model produces.
    pub capability: Capability,
    /// The inputs it accepts.
    pub inputs: &'a [Input],
    /// Whether reference modes go through the Files API.
    pub files_api: FilesApi,
    /// How tasks are charged.
    pub billing: Billing,
    /// The credits reserved for one task at the documented defaults.
    pub base_credits: u32,
    /// Whether `prompt` must be present and non-blank.
    pub prompt_required: bool,
    /// The documented prompt limit in characters; `None` when the page documents none.
    pub prompt_max_chars: Option<u32>,
    /// Whether the `params` object itself is required.
    pub params_required: bool,
    /// The keys allowed inside `params` (besides `referenceMediaItems`).
    pub params: &'a [ParamInfoOf<'a>],
    /// The upload policy; `None` for models that take no reference media. For a chat model it
    /// is the policy of its image attachments.
    pub upload: Option<UploadPolicyOf<'a>>,
    /// What a chat model takes of the shared chat fields; `None` for generation models.
    pub chat: Option<ChatInfo>,
    /// The documentation page the spec was transcribed from.
    pub source_url: &'a str,
    /// The page's documented minimal request body (JSON), when it shows one.
    pub minimal_example: Option<&'a str>,
    /// The page's documented reference-file request body (JSON), when it shows one.
    pub reference_example: Option<&'a str>,
}

impl<'a> ModelInfoOf<'a> {
    /// Whether this is a chat model (its requests are chat turns, not generation tasks).
    pub const fn is_chat(&self) -> bool {
        self.chat.is_some()
    }

    /// Looks up a parameter by its wire key.
    pub fn param(&self, key: &str) -> Option<&'a ParamInfoOf<'a>> {
        self.params.iter().find(|p| p.key == key)
    }
}

/// One key inside `params`, as generated modules hold it.
pub type ParamInfo = ParamInfoOf<'static>;

/// One key inside `params`, borrowing its text for `'a`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfoOf<'a> {
    /// The wire key, verbatim (`aspect_ratio`, `aspectRatio`, `model` …).
    pub key: &'a str,
    /// What the page says the parameter does.
    pub description: &'a str,
    /// Whether the key must be present.
    pub required: bool,
    /// The value's type and limits.
    pub kind: ParamKindOf<'a>,
}

impl ParamInfoOf<'_> {
    /// The path of this parameter in a request body, as used in violations.
    pub fn path(&self) -> String {
        format!("params.{}", self.key)
    }
}

/// The type of a parameter and its limits, as generated modules hold them.
pub type ParamKind = ParamKindOf<'static>;

/// The type of a parameter and its limits, borrowing its lists for `'a`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ParamKindOf<'a> {
    /// One of a fixed list of strings, always sent as a JSON string.
    Select {
        /// The allowed wire values, in page order.
        options: &'a [&'a str],
        /// The documented default, if any.
        default: Option<&'a str>,
    },
    /// A JSON number.
    Number {
        /// Whether only whole numbers are allowed.
        integer: bool,
        /// Inclusive minimum.
        min: Option<f64>,
        /// Inclusive maximum.
        max: Option<f64>,
        /// Values must be `min + k·step` (or `k·step` without a minimum).
        step: Option<f64>,
        /// The documented default, if any.
        default: Option<f64>,
    },
    /// A free string.
    Text {
        /// The documented default, if any.
        default: Option<&'a str>,
    },
    /// A public `http(s)` URL, sent as a JSON string (the input of URL-input tools).
    Url,
    /// A list of objects whose fields are all strings (for example dialogue lines).
    List {
        /// The fewest items accepted.
        min_items: u32,
        /// The fields every item must carry.
        fields: &'a [&'a str],
    },
}

impl ParamKindOf<'_> {
    /// A short name of the JSON type, for messages.
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Select { .. } | Self::Text { .. } => "string",
            Self::Url => "URL string",
            Self::Number { integer: true, .. } => "integer",
            Self::Number { integer: false, .. } => "number",
            Self::List { .. } => "array of objects",
        }
    }
}

/// What reference media a model accepts, as generated modules hold it.
pub type UploadPolicy = UploadPolicyOf<'static>;

/// What reference media a model accepts in `params.referenceMediaItems`, borrowing its lists
/// for `'a`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UploadPolicyOf<'a> {
    /// The most reference items one request may carry.
    pub max_files: u32,
    /// The accepted kinds, each with its size and MIME limits.
    pub kinds: &'a [KindLimitOf<'a>],
    /// The page's reference rule, in our words (for documentation; not enforced beyond counts).
    pub reference_rule: &'a str,
}

impl<'a> UploadPolicyOf<'a> {
    /// The limits for one kind, or `None` when the kind is not accepted.
    pub fn kind(&self, kind: MediaKind) -> Option<&'a KindLimitOf<'a>> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// Size and type limits for one kind of reference file, as generated modules hold them.
pub type KindLimit = KindLimitOf<'static>;

/// Size and type limits for one kind of reference file, borrowing its MIME list for `'a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindLimitOf<'a> {
    /// The kind these limits apply to.
    pub kind: MediaKind,
    /// The largest accepted file, in bytes. Pages state megabytes; we read 1 MB as 1,000,000
    /// bytes, the smaller reading, so a file we accept is never rejected for its size.
    pub max_bytes: u64,
    /// The accepted MIME types, as detected from the file's signature.
    pub mime_types: &'a [&'a str],
}

/// The Files API's documented default limits (API.md), used when no model is named and by the
/// importer for a kind whose page section is cut off.
pub const DEFAULT_LIMITS: [KindLimit; 3] = [
    KindLimit {
        kind: MediaKind::Image,
        max_bytes: 10_000_000,
        mime_types: &["image/jpeg", "image/png", "image/webp"],
    },
    KindLimit {
        kind: MediaKind::Video,
        max_bytes: 50_000_000,
        mime_types: &["video/mp4", "video/quicktime", "video/webm"],
    },
    KindLimit {
        kind: MediaKind::Audio,
        max_bytes: 10_000_000,
        mime_types: &[
            "audio/mpeg",
            "audio/mp4",
            "audio/wav",
            "audio/x-wav",
            "audio/aac",
            "audio/ogg",
        ],
    },
];

/// What a chat model takes of the shared chat fields ([`crate::chat`] judges them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatInfo {
    /// How many image attachments one turn may carry; `0` for a text-only model.
    pub max_attachments: u32,
    /// Whether `enable_web_search` may be sent.
    pub web_search: bool,
    /// Whether `reasoning_effort` may be sent.
    pub reasoning_effort: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: for<'de> Deserialize<'de>>(spelling: &str) -> Result<T, serde_json::Error> {
        serde_json::from_value(serde_json::Value::from(spelling))
    }

    #[test]
    fn enums_read_the_spec_spelling() {
        assert_eq!(read::<Capability>("chat").unwrap(), Capability::Chat);
        assert_eq!(read::<Input>("url").unwrap(), Input::Url);
        assert_eq!(
            read::<FilesApi>("required_for_reference_modes").unwrap(),
            FilesApi::RequiredForReferenceModes
        );
        assert_eq!(read::<Billing>("token_based").unwrap(), Billing::TokenBased);
        assert_eq!(read::<MediaKind>("audio").unwrap(), MediaKind::Audio);
        // The catalog's wire name is what `as_str` gives and `from_wire` reads; it is not a
        // spec spelling.
        assert_eq!(Billing::TokenBased.as_str(), "TOKEN_BASED");
        assert_eq!(Billing::from_wire("TOKEN_BASED"), Some(Billing::TokenBased));
        assert_eq!(Billing::from_wire("token_based"), None);
        assert_eq!(Capability::from_wire("chat"), Some(Capability::Chat));
        assert_eq!(Capability::from_wire("hologram"), None);
        let err = read::<Billing>("TOKEN_BASED").unwrap_err().to_string();
        assert!(
            err.contains("expected one of `fixed`, `metered`, `token_based`"),
            "{err}"
        );
    }
}
