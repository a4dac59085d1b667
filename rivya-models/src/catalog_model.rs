//! One type for a catalog model's headline facts, whichever side they come from: this build's
//! compiled specs (`CatalogModel::from(info)`) or the live API's `GET /api/v1/models` (the
//! client's `models()` deserializes into it).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Billing, Capability, ModelInfo, catalog};

/// A catalog entry: id, name, what it produces, what it costs and how it is charged.
///
/// The API promises new categories and billing types without notice, so a value this build
/// does not know is never an error: its typed field is `None` and the value as sent stays in
/// [`extra`](Self::extra) under its wire key (`category`, `billing_type`, `base_credits`), and
/// is serialized back from there. (Serializing writes whole credits as integers and leaves
/// out absent or empty fields.) An entry built from a spec always has every typed field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CatalogModel {
    /// The API model id, sent as `model`.
    pub id: String,
    /// The human-readable name (empty when the API sends none).
    pub display_name: String,
    /// What the model produces (wire: `category`).
    pub capability: Option<Capability>,
    /// The credits one task reserves at the documented defaults (for chat: per 1,000 tokens).
    pub base_credits: Option<u32>,
    /// How tasks are charged (wire: `billing_type`).
    pub billing: Option<Billing>,
    /// `available`, `coming_soon`, `studio_only` or newer, as the API sends it; `None` for an
    /// entry built from a spec (the spec does not say).
    pub api_status: Option<String>,
    /// Every other field, kept as sent (`params`, `supported_modes`, `notices` …).
    pub extra: Map<String, Value>,
}

impl CatalogModel {
    /// This build's full spec for the model (params, limits, upload policy), when it has one.
    pub fn spec(&self) -> Option<&'static ModelInfo> {
        catalog::find(&self.id)
    }
}

impl From<&ModelInfo> for CatalogModel {
    fn from(info: &ModelInfo) -> Self {
        Self {
            id: info.id.to_owned(),
            display_name: info.display_name.to_owned(),
            capability: Some(info.capability),
            base_credits: Some(info.base_credits),
            billing: Some(info.billing),
            api_status: None,
            extra: Map::new(),
        }
    }
}

/// The entry as the wire carries it.
#[derive(Serialize, Deserialize)]
struct Wire {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_credits: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    billing_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_status: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for CatalogModel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let mut extra = w.extra;
        let capability = w.category.as_deref().and_then(Capability::from_wire);
        let capability = keep(
            &mut extra,
            "category",
            w.category.map(Value::from),
            capability,
        );
        let billing = w.billing_type.as_deref().and_then(Billing::from_wire);
        let billing = keep(
            &mut extra,
            "billing_type",
            w.billing_type.map(Value::from),
            billing,
        );
        let credits = w.base_credits.as_ref().and_then(whole_credits);
        let base_credits = keep(&mut extra, "base_credits", w.base_credits, credits);
        Ok(Self {
            id: w.id,
            display_name: w.display_name.unwrap_or_default(),
            capability,
            base_credits,
            billing,
            api_status: w.api_status,
            extra,
        })
    }
}

/// `read`, or, when the wire value could not be read, `None` with the value kept in `extra`
/// under its wire key.
fn keep<T>(
    extra: &mut Map<String, Value>,
    key: &str,
    raw: Option<Value>,
    read: Option<T>,
) -> Option<T> {
    if let (None, Some(raw)) = (&read, raw) {
        extra.insert(key.to_owned(), raw);
    }
    read
}

/// Credits as a whole number, the only kind a spec states.
fn whole_credits(v: &Value) -> Option<u32> {
    v.as_u64()
        .or_else(|| crate::wire::whole(v.as_f64()?).and_then(|n| u64::try_from(n).ok()))
        .and_then(|n| u32::try_from(n).ok())
}

impl Serialize for CatalogModel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut extra = self.extra.clone();
        let mut take = |key: &str| extra.remove(key);
        let category = take("category").and_then(|v| v.as_str().map(str::to_owned));
        let billing_type = take("billing_type").and_then(|v| v.as_str().map(str::to_owned));
        let base_credits = take("base_credits");
        Wire {
            id: self.id.clone(),
            display_name: Some(self.display_name.clone()).filter(|n| !n.is_empty()),
            category: self.capability.map(|c| c.as_str().to_owned()).or(category),
            base_credits: self.base_credits.map(Value::from).or(base_credits),
            billing_type: self.billing.map(|b| b.as_str().to_owned()).or(billing_type),
            api_status: self.api_status.clone(),
            extra,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_api_and_the_specs_give_the_same_facts() {
        let spec = catalog::find("kling-3-0").unwrap();
        let compiled = CatalogModel::from(spec);
        let live: CatalogModel = serde_json::from_value(json!({
            "id": "kling-3-0", "display_name": spec.display_name, "category": "video",
            "base_credits": spec.base_credits, "billing_type": spec.billing.as_str(),
        }))
        .unwrap();
        assert_eq!(live, compiled);
        assert_eq!(live.spec(), Some(spec));
    }

    #[test]
    fn unknown_values_are_kept_as_sent_and_round_trip() {
        let sent = json!({
            "id": "future-model", "category": "hologram", "base_credits": 2.5,
            "billing_type": "PER_SECOND", "api_status": "coming_soon", "params": [{"odd": true}],
        });
        let m: CatalogModel = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(
            (m.capability, m.billing, m.base_credits),
            (None, None, None)
        );
        assert_eq!(m.display_name, "");
        assert_eq!(m.extra["category"], "hologram");
        assert_eq!(m.spec(), None);
        assert_eq!(serde_json::to_value(&m).unwrap(), sent);
    }

    #[test]
    fn whole_credits_sent_as_decimals_are_read() {
        let m: CatalogModel =
            serde_json::from_value(json!({"id": "x", "base_credits": 90.0})).unwrap();
        assert_eq!(m.base_credits, Some(90));
        assert!(serde_json::from_value::<CatalogModel>(json!({"category": "video"})).is_err());
    }
}
