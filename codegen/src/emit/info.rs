//! `INFO` (the model's descriptor) and `mod param` (one descriptor per parameter), written from
//! the rivya-rules value the example check validated ([`crate::descriptor`]), so what the
//! generated code holds is what judged the spec's examples. The value's structs are read by
//! exhaustive destructuring: a field added to rivya-rules does not compile here until it is
//! written out.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use rivya_rules::{ChatInfo, KindLimitOf, ModelInfoOf, ParamInfoOf, ParamKindOf, UploadPolicyOf};

use super::docs;
use super::ident::{const_ident, variant};
use super::lit::{grouped, opt_f64, opt_str};
use crate::descriptor;
use crate::ir::{ExampleKind, Model, Param};

pub(super) fn info(m: &Model) -> TokenStream {
    descriptor::with(m, |d| model_info(m, d))
}

fn model_info(m: &Model, d: &ModelInfoOf<'_>) -> TokenStream {
    let ModelInfoOf {
        id,
        display_name,
        capability,
        inputs,
        files_api,
        billing,
        base_credits,
        prompt_required,
        prompt_max_chars,
        params_required,
        // Each is written as its own constant in `mod param`; `INFO` names them.
        params: _,
        upload,
        chat,
        source_url,
        minimal_example,
        reference_example,
    } = d;
    let capability = variant(capability);
    let inputs = inputs.iter().map(variant);
    let (files_api, billing) = (variant(files_api), variant(billing));
    let base_credits = grouped(u64::from(*base_credits));
    let prompt_max = match prompt_max_chars {
        Some(n) => {
            let n = grouped(u64::from(*n));
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let minimal_example = example(m, ExampleKind::Minimal, *minimal_example);
    let reference_example = example(m, ExampleKind::Reference, *reference_example);
    let consts = m.params.iter().map(const_ident);
    let upload = upload.as_ref().map_or_else(|| quote!(None), upload_policy);
    let chat = chat.as_ref().map_or_else(|| quote!(None), chat_info);
    let doc = docs::outer(&format!(
        "Everything the page documents about {display_name}, shared by typed and untyped validation."
    ));
    quote! {
        #doc
        pub static INFO: crate::ModelInfo = crate::ModelInfo {
            id: #id,
            display_name: #display_name,
            capability: crate::Capability::#capability,
            inputs: &[#(crate::Input::#inputs),*],
            files_api: crate::FilesApi::#files_api,
            billing: crate::Billing::#billing,
            base_credits: #base_credits,
            prompt_required: #prompt_required,
            prompt_max_chars: #prompt_max,
            params_required: #params_required,
            params: &[#(param::#consts),*],
            upload: #upload,
            chat: #chat,
            source_url: #source_url,
            minimal_example: #minimal_example,
            reference_example: #reference_example,
        };
    }
}

/// An example the descriptor holds, as the `include_str!` of the file it is written to.
fn example(m: &Model, kind: ExampleKind, text: Option<&str>) -> TokenStream {
    let file = text.and_then(|_| m.examples().into_iter().find(|e| e.kind == kind));
    match file {
        Some(e) => {
            let file = &e.file;
            quote!(Some(include_str!(#file)))
        }
        None => quote!(None),
    }
}

/// `Some(crate::ChatInfo { … })` for a chat model.
fn chat_info(chat: &ChatInfo) -> TokenStream {
    let ChatInfo {
        max_attachments,
        web_search,
        reasoning_effort,
    } = chat;
    let max = Literal::u32_unsuffixed(*max_attachments);
    quote! {
        Some(crate::ChatInfo {
            max_attachments: #max,
            web_search: #web_search,
            reasoning_effort: #reasoning_effort,
        })
    }
}

/// `Some(crate::UploadPolicy { … })` for a model that takes reference media.
fn upload_policy(upload: &UploadPolicyOf<'_>) -> TokenStream {
    let UploadPolicyOf {
        max_files,
        kinds,
        reference_rule,
    } = upload;
    let max_files = Literal::u32_unsuffixed(*max_files);
    let kinds = kinds.iter().map(|limit| {
        let KindLimitOf {
            kind,
            max_bytes,
            mime_types,
        } = limit;
        let (kind, bytes) = (variant(kind), grouped(*max_bytes));
        quote! {
            crate::KindLimit {
                kind: crate::MediaKind::#kind,
                max_bytes: #bytes,
                mime_types: &[#(#mime_types),*],
            }
        }
    });
    quote! {
        Some(crate::UploadPolicy {
            max_files: #max_files,
            kinds: &[#(#kinds),*],
            reference_rule: #reference_rule,
        })
    }
}

/// `pub mod param`: one `ParamInfo` constant per parameter.
pub(super) fn descriptors(m: &Model) -> TokenStream {
    descriptor::with(m, |d| param_consts(m, d))
}

fn param_consts(m: &Model, d: &ModelInfoOf<'_>) -> TokenStream {
    // The descriptor's params are the IR's, in the same order: the IR names each constant
    // and its select's enum, the descriptor gives everything else.
    let consts = m.params.iter().zip(d.params).map(|(p, info)| {
        let name = const_ident(p);
        let ParamInfoOf {
            key,
            description,
            required,
            kind,
        } = info;
        let kind = param_kind(p, kind);
        let doc = docs::outer(&format!(
            "`{}` as data, for untyped checks (see {}).",
            key,
            docs::setter_link(p, "super::")
        ));
        quote! {
            #doc
            pub const #name: crate::ParamInfo = crate::ParamInfo {
                key: #key,
                description: #description,
                required: #required,
                kind: #kind,
            };
        }
    });
    quote! {
        /// Descriptors of every parameter, as listed in [`INFO`].
        pub mod param {
            #(#consts)*
        }
    }
}

/// A parameter's `crate::ParamKind`. A select's options are its enum's `OPTIONS` (the same
/// values, in the same order), except for a `bool` field, which has no enum.
fn param_kind(p: &Param, kind: &ParamKindOf<'_>) -> TokenStream {
    match kind {
        ParamKindOf::Select { options, default } => {
            let default = opt_str(*default);
            let options = if matches!(p.kind, crate::ir::Kind::Select { boolean: true, .. }) {
                quote!(&[#(#options),*])
            } else {
                let t = format_ident!("{}", p.type_name);
                quote!(super::#t::OPTIONS)
            };
            quote!(crate::ParamKind::Select { options: #options, default: #default })
        }
        ParamKindOf::Number {
            integer,
            min,
            max,
            step,
            default,
        } => {
            let (min, max, step, default) = (
                opt_f64(*min),
                opt_f64(*max),
                opt_f64(*step),
                opt_f64(*default),
            );
            quote! {
                crate::ParamKind::Number {
                    integer: #integer,
                    min: #min,
                    max: #max,
                    step: #step,
                    default: #default,
                }
            }
        }
        ParamKindOf::Text { default } => {
            let default = opt_str(*default);
            quote!(crate::ParamKind::Text { default: #default })
        }
        ParamKindOf::Url => quote!(crate::ParamKind::Url),
        ParamKindOf::List { min_items, fields } => {
            let min_items = Literal::u32_unsuffixed(*min_items);
            quote!(crate::ParamKind::List { min_items: #min_items, fields: &[#(#fields),*] })
        }
        // `ParamKind` is `#[non_exhaustive]`; `descriptor` builds none of any other kind. Should
        // one appear, the generated file says so when compiled rather than the generator panic.
        other => {
            let message = format!("rivya-codegen cannot write {other:?} (see emit/info.rs)");
            quote!(compile_error!(#message))
        }
    }
}
