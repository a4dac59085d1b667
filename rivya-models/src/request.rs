//! The request body shared by every model: `model`, `prompt`, `params`, `client_request_id`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ModelInfo, ValidationError, Violations, rules};

/// A generation model of the catalog, as a type. Each generated module has one marker type
/// (`kling_3_0::Model`) implementing this trait, so clients can be generic over models; chat
/// models implement [`crate::ChatModel`] instead.
pub trait GenerationModel: Copy + Default + fmt::Debug + Send + Sync + 'static {
    /// Everything the model's page documents.
    const INFO: &'static ModelInfo;

    /// The model's typed `params` object.
    type Params: ModelParams<Model = Self>;

    /// The model's request type (`kling_3_0::Request`), built in generic code from its parts:
    /// `M::Request::from(RequestBody::from_parts(prompt, params))`.
    type Request: GenerationRequest + From<RequestBody<Self::Params>>;

    /// The API model id (`kling-3-0`).
    fn id() -> &'static str {
        Self::INFO.id
    }

    /// The display name (`Kling 3.0`).
    fn display_name() -> &'static str {
        Self::INFO.display_name
    }

    /// What the model produces.
    fn capability() -> crate::Capability {
        Self::INFO.capability
    }

    /// How tasks are charged.
    fn billing() -> crate::Billing {
        Self::INFO.billing
    }

    /// Credits reserved per task at the documented defaults.
    fn base_credits() -> u32 {
        Self::INFO.base_credits
    }

    /// The documented prompt limit in characters, if any.
    fn prompt_max_chars() -> Option<u32> {
        Self::INFO.prompt_max_chars
    }

    /// The upload policy, for models that take reference media.
    fn upload_policy() -> Option<&'static crate::UploadPolicy> {
        Self::INFO.upload.as_ref()
    }
}

/// The typed `params` object of one model (generated).
pub trait ModelParams:
    Serialize + DeserializeOwned + Clone + fmt::Debug + PartialEq + Send + Sync + 'static
{
    /// The model these params belong to.
    type Model: GenerationModel;

    /// Records every rule these params break that their types do not already rule out.
    fn check(&self, violations: &mut crate::Violations);
}

/// The body of a generation request for the model of `P`: what each model's own `Request`
/// (`kling_3_0::Request`, with a constructor and one setter per parameter) holds and derefs
/// to, so its fields read the same on every model.
///
/// Serializes to exactly the body of `POST /api/v1/generations`; `model` comes from the type.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestBody<P> {
    /// The text prompt.
    pub prompt: Option<String>,
    /// The model-specific parameters.
    pub params: P,
    /// An optional id for tracing the request in your own systems (not an idempotency key).
    pub client_request_id: Option<String>,
}

impl<P: ModelParams> RequestBody<P> {
    /// A request from its parts (generic code's constructor; a model's own `Request::new` is
    /// the one to use by hand).
    pub fn from_parts(prompt: Option<String>, params: P) -> Self {
        Self {
            prompt,
            params,
            client_request_id: None,
        }
    }
}

/// What code generic over models can ask of any model's request (and what the client takes).
/// Each model's `Request` also has these as inherent methods, so its documentation page lists
/// everything in one place.
pub trait GenerationRequest: Serialize {
    /// The metadata of this request's model.
    fn info(&self) -> &'static ModelInfo;

    /// The API model id sent as `model`.
    fn model_id(&self) -> &'static str {
        self.info().id
    }

    /// Checks every documented rule and returns all violations, each with its path.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl<P: ModelParams> GenerationRequest for RequestBody<P> {
    fn info(&self) -> &'static ModelInfo {
        P::Model::INFO
    }

    fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Violations::default();
        rules::prompt(P::Model::INFO, self.prompt.as_deref(), &mut v);
        self.params.check(&mut v);
        v.finish(P::Model::INFO.id)
    }
}

impl<P: ModelParams> Serialize for RequestBody<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len =
            2 + usize::from(self.prompt.is_some()) + usize::from(self.client_request_id.is_some());
        let mut st = s.serialize_struct("Request", len)?;
        st.serialize_field("model", P::Model::INFO.id)?;
        if let Some(prompt) = &self.prompt {
            st.serialize_field("prompt", prompt)?;
        }
        st.serialize_field("params", &self.params)?;
        if let Some(id) = &self.client_request_id {
            st.serialize_field("client_request_id", id)?;
        }
        st.end()
    }
}

const FIELDS: &[&str] = &["model", "prompt", "params", "client_request_id"];

impl<'de, P: ModelParams> Deserialize<'de> for RequestBody<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("Request", FIELDS, RequestVisitor(PhantomData))
    }
}

struct RequestVisitor<P>(PhantomData<P>);

impl<'de, P: ModelParams> Visitor<'de> for RequestVisitor<P> {
    type Value = RequestBody<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a generation request for `{}`", P::Model::INFO.id)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RequestBody<P>, A::Error> {
        let mut model: Option<String> = None;
        let mut prompt: Option<Option<String>> = None;
        let mut params: Option<P> = None;
        let mut client_request_id: Option<Option<String>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "model" => set(&mut model, "model", map.next_value()?)?,
                "prompt" => set(&mut prompt, "prompt", map.next_value()?)?,
                "params" => set(&mut params, "params", map.next_value()?)?,
                "client_request_id" => set(
                    &mut client_request_id,
                    "client_request_id",
                    map.next_value()?,
                )?,
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        let model = model.ok_or_else(|| de::Error::missing_field("model"))?;
        if model != P::Model::INFO.id {
            return Err(de::Error::custom(format_args!(
                "this request type is for model `{}`, but the body names `{model}`",
                P::Model::INFO.id
            )));
        }
        // An absent `params` means "all defaults"; a model with required params still fails,
        // naming the missing key.
        let params = match params {
            Some(p) => p,
            None => P::deserialize(de::value::MapDeserializer::<_, A::Error>::new(
                std::iter::empty::<(&str, &str)>(),
            ))?,
        };
        Ok(RequestBody {
            prompt: prompt.flatten(),
            params,
            client_request_id: client_request_id.flatten(),
        })
    }
}

fn set<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// A string that is not one of a select's options; the error of every generated `FromStr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOption {
    /// The parameter's wire key.
    pub param: &'static str,
    /// The rejected value.
    pub value: String,
    /// The allowed values.
    pub options: &'static [&'static str],
}

impl UnknownOption {
    /// `value` refused for the select `param`, whose options are `options`.
    pub fn new(param: &'static str, value: &str, options: &'static [&'static str]) -> Self {
        Self {
            param,
            value: value.to_owned(),
            options,
        }
    }
}

impl fmt::Display for UnknownOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an option of `{}`; expected one of: {}",
            self.value,
            self.param,
            self.options.join(", ")
        )
    }
}

impl std::error::Error for UnknownOption {}
