//! `key=value` arguments → the untyped request body, checked with the generated rules.

use rivya_models::{ModelInfo, ParamKind, catalog};
use serde_json::{Value, json};

/// Builds `{model, prompt, params}` from the command line: documented defaults first, then
/// each `key=value`, typed by the model's descriptors. Errors name the key and what it takes.
pub fn body(info: &ModelInfo, prompt: Option<&str>, pairs: &[String]) -> Result<Value, String> {
    let mut params = catalog::default_params(info);
    let mut given: Vec<&str> = Vec::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(if prompt.is_none() {
                format!(
                    "`{pair}` is not key=value; to give the prompt, use --prompt {}",
                    shell_quote(pair)
                )
            } else {
                format!("`{pair}` is not key=value")
            });
        };
        if given.contains(&key) {
            return Err(format!("`{key}` is given twice; give each parameter once"));
        }
        given.push(key);
        let Some(p) = info.param(key) else {
            let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
            return Err(format!(
                "`{key}` is not a parameter of {}; it takes: {}",
                info.id,
                keys.join(", ")
            ));
        };
        let v = match p.kind {
            ParamKind::Select { options, .. } => {
                if !options.contains(&value) {
                    return Err(format!(
                        "`{key}={value}`: expected one of: {}",
                        options.join(", ")
                    ));
                }
                Value::from(value)
            }
            ParamKind::Number { integer, .. } => {
                let n: f64 = value
                    .parse()
                    .map_err(|_| format!("`{key}={value}`: expected a number"))?;
                if integer && n.fract() != 0.0 {
                    return Err(format!("`{key}={value}`: expected a whole number"));
                }
                catalog::number(n)
            }
            ParamKind::Text { .. } => Value::from(value),
            ParamKind::List { fields, .. } => serde_json::from_str(value).map_err(|e| {
                format!(
                    "`{key}`: expected a JSON list of objects with {}: {e}",
                    fields.join(", ")
                )
            })?,
        };
        params.insert(key.to_owned(), v);
    }
    let mut body = json!({"model": info.id, "params": params});
    if let Some(p) = prompt {
        body["prompt"] = Value::from(p);
    }
    // The same rules the SDK and the server apply, with every violation named.
    catalog::validate_value(&body).map_err(|e| e.to_string())?;
    Ok(body)
}

/// `text` quoted for a POSIX shell, so the hint can be pasted back.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kling() -> &'static ModelInfo {
        catalog::find("kling-3-0").unwrap()
    }

    #[test]
    fn defaults_then_overrides() {
        let b = body(
            kling(),
            Some("p"),
            &["duration=10".into(), "sound=true".into()],
        )
        .unwrap();
        assert_eq!(b["params"]["duration"], "10");
        assert_eq!(b["params"]["sound"], "true");
        assert_eq!(b["params"]["mode"], "pro");
    }

    #[test]
    fn errors_list_what_is_allowed() {
        let e = body(kling(), Some("p"), &["duration=99".into()]).unwrap_err();
        assert!(e.contains("expected one of: 3, 4, 5"), "{e}");
        let e = body(kling(), Some("p"), &["speed=2".into()]).unwrap_err();
        assert!(e.contains("it takes: mode, multi_shots, duration"), "{e}");
        let e = body(kling(), None, &[]).unwrap_err();
        assert!(e.contains("prompt: is required"), "{e}");
        let grok = catalog::find("grok-imagine-video").unwrap();
        assert!(
            body(grok, Some("p"), &["duration=6.5".into()])
                .unwrap_err()
                .contains("whole")
        );
        assert!(
            body(grok, Some("p"), &["duration=40".into()])
                .unwrap_err()
                .contains("out of range")
        );
    }

    #[test]
    fn a_bare_prompt_hints_at_the_flag_and_repeats_are_errors() {
        let e = body(kling(), None, &["a cat's nap".into()]).unwrap_err();
        assert!(e.contains("use --prompt 'a cat'\\''s nap'"), "{e}");
        let e = body(kling(), Some("p"), &["a cat".into()]).unwrap_err();
        assert!(!e.contains("--prompt"), "{e}");
        let e = body(
            kling(),
            Some("p"),
            &["duration=5".into(), "duration=10".into()],
        )
        .unwrap_err();
        assert!(e.contains("`duration` is given twice"), "{e}");
    }
}
