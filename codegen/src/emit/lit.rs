//! Literals in generated code: numbers as people write them, optional values.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// An integer literal with `_` between groups of three digits (`10_000_000`), as clippy and
/// people prefer long numbers written.
pub(super) fn grouped(v: u64) -> Literal {
    group_digits(v, '_')
        .parse()
        .unwrap_or_else(|_| Literal::u64_unsuffixed(v))
}

/// `v` with `sep` between groups of three digits: `10_000` in code, `10,000` in prose.
pub(super) fn group_digits(v: u64, sep: char) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
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
