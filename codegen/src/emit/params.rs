//! `Params`: the struct, its serde attributes, its defaults and its `check`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs;
use super::ident::{const_ident, ident};
use super::lit::f64_lit;
use crate::ir::{Kind, Model, Param};
use crate::naming;

/// The Rust type of a parameter's value (`bool`, `AspectRatio`, `i64`, `f64`, `String`,
/// `Vec<DialogueLine>`).
pub(super) fn value_type(p: &Param) -> TokenStream {
    match &p.kind {
        Kind::Select { boolean: true, .. } => quote!(bool),
        Kind::Number { integer: true, .. } => quote!(i64),
        Kind::Number { integer: false, .. } => quote!(f64),
        Kind::Text { .. } | Kind::Url => quote!(String),
        Kind::Select { .. } => {
            let t = format_ident!("{}", p.type_name);
            quote!(#t)
        }
        Kind::List { .. } => {
            let t = format_ident!("{}", p.type_name);
            quote!(Vec<#t>)
        }
    }
}

/// The Rust type of a parameter's field: its value, or `Option` of it when it may be unset.
pub(super) fn field_type(p: &Param) -> TokenStream {
    let inner = value_type(p);
    if p.always_present() || matches!(p.kind, Kind::List { .. }) {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

/// The value a field starts with in `Params::default()` (or `new`).
pub(super) fn default_expr(p: &Param) -> TokenStream {
    if p.is_constructor_arg() {
        let f = ident(&p.field);
        return quote!(#f);
    }
    if !p.always_present() {
        return match p.kind {
            Kind::List { .. } => quote!(Vec::new()),
            _ => quote!(None),
        };
    }
    match &p.kind {
        Kind::Select { boolean: false, .. } => {
            let t = format_ident!("{}", p.type_name);
            quote!(#t::default())
        }
        _ => {
            let f = ident(&p.field);
            quote!(defaults::#f())
        }
    }
}

/// The serde attributes of a field.
pub(super) fn serde_attrs(p: &Param) -> TokenStream {
    let mut args: Vec<TokenStream> = Vec::new();
    let bare = p.field.as_str();
    if bare != p.key {
        let key = &p.key;
        args.push(quote!(rename = #key));
    }
    // A required key must be in a body the typed side reads, as the untyped rules demand,
    // even when the page documents a default for it (that default is what `new` sends).
    if !p.required {
        if p.always_present() && !matches!(p.kind, Kind::Select { boolean: false, .. }) {
            let path = format!("defaults::{}", naming::spelled(&p.field));
            args.push(quote!(default = #path));
        } else {
            args.push(quote!(default));
        }
    }
    if !p.always_present() {
        let skip = match p.kind {
            Kind::List { .. } => "Vec::is_empty",
            _ => "Option::is_none",
        };
        args.push(quote!(skip_serializing_if = #skip));
    }
    let with = match (&p.kind, p.always_present()) {
        (Kind::Select { boolean: true, .. }, true) => Some("crate::wire::bool_string"),
        (Kind::Select { boolean: true, .. }, false) => Some("crate::wire::opt_bool_string"),
        (Kind::Number { integer: false, .. }, true) => Some("crate::wire::decimal"),
        (Kind::Number { integer: false, .. }, false) => Some("crate::wire::opt_decimal"),
        _ => None,
    };
    if let Some(w) = with {
        args.push(quote!(with = #w));
    }
    if args.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#args),*)])
    }
}

pub(super) fn params_struct(m: &Model) -> TokenStream {
    let fields = m.params.iter().map(|p| {
        let doc = docs::outer(&docs::param(p));
        let name = ident(&p.field);
        let ty = field_type(p);
        let attrs = serde_attrs(p);
        quote! {
            #doc
            #attrs
            pub #name: #ty,
        }
    });
    let key = crate::REFERENCES_KEY;
    let references = m.upload.as_ref().map(|u| {
        let doc = docs::outer(&format!(
            "Reference media uploaded through the Files API: at most {} item{} (see [`INFO`]).\n\nWire key `referenceMediaItems`.",
            u.max_files,
            if u.max_files == 1 { "" } else { "s" }
        ));
        quote! {
            #doc
            #[serde(rename = #key, default, skip_serializing_if = "Vec::is_empty")]
            pub reference_media_items: Vec<crate::ReferenceMediaItem>,
        }
    });
    let default_impl = default_impl(m);
    let check_fn = check_fn(m);
    let marker = format_ident!("{}", m.marker);
    let doc = docs::outer(&format!(
        "The `params` object of {}. Build it through [`Request`]'s setters.",
        m.display_name
    ));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[non_exhaustive]
        pub struct Params {
            #(#fields)*
            #references
        }

        #default_impl

        impl crate::ModelParams for Params {
            type Model = #marker;

            #check_fn
        }
    }
}

/// `mod defaults`: the documented default of every non-enum parameter that has one.
/// `impl Default for Params`, when no parameter must be given (every one has a default or may
/// be unset).
fn default_impl(m: &Model) -> Option<TokenStream> {
    let has_args = m.params.iter().any(Param::is_constructor_arg);
    (!has_args).then(|| {
        let inits = m.params.iter().map(|p| {
            let name = ident(&p.field);
            let value = default_expr(p);
            quote!(#name: #value,)
        });
        let refs = m
            .upload
            .as_ref()
            .map(|_| quote!(reference_media_items: Vec::new(),));
        quote! {
            impl Default for Params {
                /// Every parameter at its documented default; optional ones unset.
                fn default() -> Self {
                    Self { #(#inits)* #refs }
                }
            }
        }
    })
}

/// `ModelParams::check`: the rules the field types do not already enforce (number ranges and
/// steps, list lengths, reference media).
fn check_fn(m: &Model) -> TokenStream {
    let checks = m.params.iter().filter_map(|p| {
        let name = ident(&p.field);
        let c = const_ident(p);
        match &p.kind {
            Kind::Number { integer, .. } => {
                let rule = if *integer {
                    quote!(integer)
                } else {
                    quote!(number)
                };
                Some(if p.always_present() {
                    quote!(crate::rules::#rule(&param::#c, self.#name, v);)
                } else {
                    quote! {
                        if let Some(value) = self.#name {
                            crate::rules::#rule(&param::#c, value, v);
                        }
                    }
                })
            }
            Kind::Url if p.always_present() => {
                Some(quote!(crate::rules::url(&param::#c, &self.#name, v);))
            }
            Kind::Url => Some(quote! {
                if let Some(value) = &self.#name {
                    crate::rules::url(&param::#c, value, v);
                }
            }),
            // An optional list left empty is not sent, so only a present one is counted.
            Kind::List { .. } if p.required => {
                Some(quote!(crate::rules::list_len(&param::#c, self.#name.len(), v);))
            }
            Kind::List { .. } => Some(quote! {
                if !self.#name.is_empty() {
                    crate::rules::list_len(&param::#c, self.#name.len(), v);
                }
            }),
            _ => None,
        }
    });
    let ref_check = m
        .upload
        .as_ref()
        .map(|_| quote!(crate::rules::references(&INFO, &self.reference_media_items, v);));
    let checks: Vec<TokenStream> = checks.chain(ref_check).collect();
    if checks.is_empty() {
        quote! {
            fn check(&self, _: &mut crate::Violations) {}
        }
    } else {
        quote! {
            fn check(&self, v: &mut crate::Violations) {
                #(#checks)*
            }
        }
    }
}

pub(super) fn defaults_mod(m: &Model) -> TokenStream {
    let fns: Vec<TokenStream> = m
        .params
        .iter()
        .filter_map(|p| {
            let name = ident(&p.field);
            let (ty, value) = match &p.kind {
                Kind::Select {
                    options,
                    default: Some(d),
                    boolean: true,
                } => {
                    let b = options[*d].value == "true";
                    (quote!(bool), quote!(#b))
                }
                Kind::Number {
                    integer: true,
                    default: Some(d),
                    ..
                } => {
                    let v = Literal::i64_unsuffixed(*d as i64);
                    (quote!(i64), quote!(#v))
                }
                Kind::Number {
                    default: Some(d), ..
                } => {
                    let v = f64_lit(*d);
                    (quote!(f64), quote!(#v))
                }
                Kind::Text { default: Some(d) } => (quote!(String), quote!(#d.to_owned())),
                _ => return None,
            };
            Some(quote! {
                pub(super) fn #name() -> #ty {
                    #value
                }
            })
        })
        .collect();
    if fns.is_empty() {
        return quote!();
    }
    quote! {
        /// Documented defaults, for serde and `Params::default()`.
        mod defaults {
            #(#fns)*
        }
    }
}
