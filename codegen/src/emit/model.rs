//! One model's module: marker type, `INFO`, param descriptors, `Params`, enums, `Request` —
//! each emitted by its own file beside this one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{docs, info, params, request, types};
use crate::ir::Model;

/// The whole module of one model.
pub fn module(m: &Model) -> TokenStream {
    if let Some(chat) = &m.chat {
        return super::chat::module(m, chat);
    }
    let module_docs = docs::inner(&docs::module(m));
    let example_docs = docs::examples(m);
    let marker = format_ident!("{}", m.marker);
    let info = info::info(m);
    let descriptors = info::descriptors(m);
    let params = params::params_struct(m);
    let request = request::request_impl(m);
    let enums = m.params.iter().filter_map(types::select_enum);
    let items = m.params.iter().filter_map(types::list_item);
    let defaults = params::defaults_mod(m);
    let marker_doc = docs::outer(&format!(
        "{} as a type, for code that is generic over models (see [`crate::GenerationModel`]).",
        m.display_name
    ));
    quote! {
        #module_docs
        #example_docs

        #marker_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;

        impl crate::GenerationModel for #marker {
            const INFO: &'static crate::ModelInfo = &INFO;
            type Params = Params;
            type Request = Request;
        }

        #info
        #descriptors
        #params
        #request
        #(#enums)*
        #(#items)*
        #defaults
    }
}
