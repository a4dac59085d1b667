//! A chat model's module: its `INFO`, a marker type implementing `ChatModel`, and `Request`
//! naming the shared `ChatRequest` for it. The chat fields are the same for every chat model,
//! so they live once, hand-written, in `rivya_models::chat`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::lit::group_digits;
use crate::ir::{Chat, Model};

/// The whole module of one chat model.
pub fn module(m: &Model, chat: &Chat) -> TokenStream {
    let module_docs = docs::inner(&module_docs(m, chat));
    let example_docs = docs::examples(m);
    let marker = format_ident!("{}", m.marker);
    let info = super::info::info(m);
    let marker_doc = docs::outer(&format!(
        "{} as a type, for code that is generic over chat models (see [`crate::ChatModel`]).",
        m.display_name
    ));
    let request_doc = docs::outer(&format!(
        "A chat turn for {}: `Request::new(message)`, then `.session(id)` to continue a \
         conversation. The fields are shared by every chat model; see [`crate::ChatRequest`].",
        m.display_name
    ));
    quote! {
        #module_docs
        #example_docs

        #marker_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;

        impl crate::ChatModel for #marker {
            const INFO: &'static crate::ModelInfo = &INFO;
        }

        #request_doc
        pub type Request = crate::ChatRequest<#marker>;

        #info
    }
}

/// The module's `//!` docs: credits, the message limit, what the model takes of the shared
/// chat fields, and where the facts come from.
fn module_docs(m: &Model, chat: &Chat) -> String {
    let mut s = format!("{} (`{}`): a chat model.\n\n", m.display_name, m.id);
    s += &format!(
        "- Credits: {} reserved per turn; the final charge follows token use (`{}` billing).\n",
        group_digits(u64::from(m.base_credits), ','),
        m.billing.as_str()
    );
    s += &match m.prompt_max_chars {
        Some(n) => format!(
            "- Message: required, at most {} characters, counted in UTF-16 code units.\n",
            group_digits(u64::from(n), ',')
        ),
        None => "- Message: required; the page documents no limit.\n".to_owned(),
    };
    s += &match &m.upload {
        Some(u) => {
            let kinds: Vec<String> = u
                .kinds
                .iter()
                .map(|k| format!("up to {} MB ({})", k.max_size_mb, k.mime_types.join(", ")))
                .collect();
            format!(
                "- Attachments: up to {} image{} per turn, uploaded through the Files API and sent by `file_id`; {}.\n",
                chat.max_attachments,
                if chat.max_attachments == 1 { "" } else { "s" },
                kinds.join("; ")
            )
        }
        None => "- Attachments: none (text only).\n".to_owned(),
    };
    let taken = |on: bool| {
        if on {
            "taken"
        } else {
            "not taken (refused locally)"
        }
    };
    s += &format!(
        "- `enable_web_search`: {}; `reasoning_effort`: {}.\n",
        taken(chat.web_search),
        taken(chat.reasoning_effort)
    );
    for note in &m.notes {
        s += &format!("- Note: {note}\n");
    }
    s += &format!("\nSource: <{}>, reviewed {}.", m.source_url, m.reviewed);
    if m.partial {
        s += " The page was cut off; this module holds only what it showed.";
    }
    s += "\n";
    s
}
