//! `INFO` (the model's descriptor) and `mod param` (one descriptor per parameter).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs;
use super::ident::{const_ident, variant};
use super::lit::{grouped, opt_f64, opt_str};
use crate::ir::{ExampleKind, Kind, Model};

pub(super) fn info(m: &Model) -> TokenStream {
    let id = &m.id;
    let display_name = &m.display_name;
    let capability = variant(m.capability);
    let inputs = m.inputs.iter().map(|&i| variant(i));
    let files_api = variant(m.files_api);
    let billing = variant(m.billing);
    let base_credits = grouped(u64::from(m.base_credits));
    let prompt_required = m.prompt_required;
    let prompt_max = match m.prompt_max_chars {
        Some(n) => {
            let n = grouped(u64::from(n));
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let [minimal_example, reference_example] =
        [ExampleKind::Minimal, ExampleKind::Reference].map(|kind| {
            match m.examples().into_iter().find(|e| e.kind == kind) {
                Some(e) => {
                    let file = &e.file;
                    quote!(Some(include_str!(#file)))
                }
                None => quote!(None),
            }
        });
    let params_required = m.params_required;
    let consts = m.params.iter().map(const_ident);
    let upload = upload_policy(m);
    let chat = chat_info(m);
    let url = &m.source_url;
    let doc = docs::outer(&format!(
        "Everything the page documents about {}, shared by typed and untyped validation.",
        m.display_name
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
            source_url: #url,
            minimal_example: #minimal_example,
            reference_example: #reference_example,
        };
    }
}

/// `Some(crate::ChatInfo { … })` for a chat model, else `None`.
fn chat_info(m: &Model) -> TokenStream {
    match &m.chat {
        None => quote!(None),
        Some(c) => {
            let max = Literal::u32_unsuffixed(c.max_attachments);
            let (web, reasoning) = (c.web_search, c.reasoning_effort);
            quote! {
                Some(crate::ChatInfo {
                    max_attachments: #max,
                    web_search: #web,
                    reasoning_effort: #reasoning,
                })
            }
        }
    }
}

/// `Some(crate::UploadPolicy { … })`, or `None` for a text-only model.
fn upload_policy(m: &Model) -> TokenStream {
    match &m.upload {
        None => quote!(None),
        Some(u) => {
            let max_files = Literal::u32_unsuffixed(u.max_files);
            let rule = &u.reference_rule;
            let kinds = u.kinds.iter().map(|k| {
                let kind = variant(k.kind);
                let bytes = grouped(u64::from(k.max_size_mb) * 1_000_000);
                let mimes = &k.mime_types;
                quote! {
                    crate::KindLimit {
                        kind: crate::MediaKind::#kind,
                        max_bytes: #bytes,
                        mime_types: &[#(#mimes),*],
                    }
                }
            });
            quote! {
                Some(crate::UploadPolicy {
                    max_files: #max_files,
                    kinds: &[#(#kinds),*],
                    reference_rule: #rule,
                })
            }
        }
    }
}

/// `pub mod param`: one `ParamInfo` constant per parameter.
pub(super) fn descriptors(m: &Model) -> TokenStream {
    let consts = m.params.iter().map(|p| {
        let name = const_ident(p);
        let key = &p.key;
        let description = &p.description;
        let required = p.required;
        let kind = match &p.kind {
            Kind::Select {
                options,
                default,
                boolean,
            } => {
                let default = opt_str(default.map(|d| options[d].value.as_str()));
                let options = if *boolean {
                    let values = options.iter().map(|o| &o.value);
                    quote!(&[#(#values),*])
                } else {
                    let t = format_ident!("{}", p.type_name);
                    quote!(super::#t::OPTIONS)
                };
                quote!(crate::ParamKind::Select { options: #options, default: #default })
            }
            Kind::Number {
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
            Kind::Text { default } => {
                let default = opt_str(default.as_deref());
                quote!(crate::ParamKind::Text { default: #default })
            }
            Kind::Url => quote!(crate::ParamKind::Url),
            Kind::List { min_items, fields } => {
                let keys = fields.iter().map(|f| &f.key);
                let min_items = Literal::u32_unsuffixed(*min_items);
                quote!(crate::ParamKind::List { min_items: #min_items, fields: &[#(#keys),*] })
            }
        };
        let doc = docs::outer(&format!(
            "`{}` as data, for untyped checks (see {}).",
            p.key,
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
