//! Literals in generated code: numbers as people write them, optional values, examples.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// An integer literal with `_` between groups of three digits (`10_000_000`), as clippy and
/// people prefer long numbers written.
pub(super) fn grouped(v: u64) -> Literal {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out.parse().unwrap_or_else(|_| Literal::u64_unsuffixed(v))
}

pub(super) fn f64_lit(v: f64) -> Literal {
    Literal::f64_unsuffixed(v)
}

pub(super) fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(v) => {
            let l = f64_lit(v);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

pub(super) fn opt_str(v: Option<&str>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// An example body as a one-line raw string: `Some(r#"{"model":"…"}"#)`.
pub(super) fn opt_json(v: Option<&str>) -> TokenStream {
    let Some(text) = v else {
        return quote!(None);
    };
    let compact = minify_json(text);
    let raw: Option<TokenStream> = if compact.contains("\"#") {
        None
    } else {
        format!("r#\"{compact}\"#").parse().ok()
    };
    match raw {
        Some(lit) => quote!(Some(#lit)),
        None => quote!(Some(#compact)),
    }
}

/// Drops the whitespace between JSON tokens, keeping strings (and key order) as written.
pub(super) fn minify_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}
