//! An item's quote (its price before paying, by the rules of `rivya_models::price`) and its
//! JSON form, shared by `results.jsonl`, `rivya batch --dry-run` and `rivya quote`.

use rivya_models::{Quote, catalog};
use serde_json::{Value, json};

/// The quote of an item's request. A chat turn's references become attachments when they
/// are uploaded, and each one adds to what the turn reserves, so they count before that too.
/// `None` for a model this build does not know.
pub fn item_quote(model: &str, request: &Value, refs: usize) -> Option<Quote> {
    let info = catalog::find(model)?;
    let mut body = request.as_object().cloned().unwrap_or_default();
    if info.is_chat() && !body.contains_key("attachments") && refs > 0 {
        let pending = vec![json!({"file_id": "pending-upload"}); refs];
        body.insert("attachments".into(), Value::Array(pending));
    }
    Some(rivya_models::price::quote(info, &body))
}

/// `{"credits": n}` for an exact price, `{"min": a, "max": b}` for a range (`max` null when
/// nothing bounds it).
pub fn quote_json(q: &Quote) -> Value {
    match *q {
        Quote::Exact { credits } => json!({"credits": credits}),
        Quote::Range { min, max, .. } => json!({"min": min, "max": max}),
        // A kind of quote added later: what is known for sure.
        _ => json!({"min": q.reserved(), "max": q.max()}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_range_and_chat_attachments() {
        let fixed = item_quote("z-image", &json!({"model": "z-image", "prompt": "p"}), 0);
        assert_eq!(quote_json(&fixed.unwrap()), json!({"credits": 1}));
        let chat = catalog::all().iter().find(|m| m.is_chat()).unwrap();
        let req = json!({"model": chat.id, "message": "hello"});
        let none = item_quote(chat.id, &req, 0).unwrap();
        let four = item_quote(chat.id, &req, 4).unwrap();
        assert!(four.reserved() > none.reserved(), "{none:?} {four:?}");
        assert_eq!(quote_json(&four)["min"], 1);
        assert!(item_quote("no-such-model", &req, 0).is_none());
    }
}
