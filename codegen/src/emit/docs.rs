//! Rustdoc text for generated items, written from the spec.

use proc_macro2::TokenStream;
use quote::quote;
use rivya_rules::Billing;

use super::lit::group_digits;
use crate::ir::{ExampleKind, Kind, Model, Param};

/// `#[doc]` attributes, one per line, so prettyplease prints them as `///` comments.
pub fn outer(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// `#![doc]` attributes, printed as `//!` comments.
pub fn inner(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    quote!(#(#lines)*)
}

/// A number as the pages write it: `1`, `0.05`, `2147483647`.
pub fn number(v: f64) -> String {
    rivya_rules::wire::format_number(v)
}

/// The module's `//!` docs: what the model is, its limits, where the facts come from.
pub fn module(m: &Model) -> String {
    let mut s = format!(
        "{} (`{}`): {} generation.\n\n",
        m.display_name,
        m.id,
        m.capability.as_str()
    );
    let credits = group_digits(u64::from(m.base_credits), ',');
    let (charged, how) = match m.billing {
        Billing::Fixed => ("per task", ""),
        Billing::Metered => ("reserved per task", "; the final charge is metered"),
        Billing::TokenBased => ("reserved per task", "; the final charge follows token use"),
        // A scheme added to rivya-rules later: its page states at least the reservation.
        _ => ("reserved per task", ""),
    };
    s += &format!(
        "- Credits: {credits} {charged}{how} (`{}` billing).\n",
        m.billing.as_str()
    );
    let needed = if m.prompt_required {
        "required"
    } else {
        "optional"
    };
    s += &match m.prompt_max_chars {
        Some(n) => format!(
            "- Prompt: {needed}, at most {} characters, counted in UTF-16 code units.\n",
            group_digits(u64::from(n), ',')
        ),
        None => format!("- Prompt: {needed}; the page documents no limit.\n"),
    };
    match &m.upload {
        Some(u) => {
            let kinds: Vec<String> = u
                .kinds
                .iter()
                .map(|k| {
                    format!(
                        "{} up to {} MB ({})",
                        k.kind.as_str(),
                        k.max_size_mb,
                        k.mime_types.join(", ")
                    )
                })
                .collect();
            s += &format!(
                "- Reference media: up to {} file{} through the Files API; {}.\n",
                u.max_files,
                if u.max_files == 1 { "" } else { "s" },
                kinds.join("; ")
            );
            s += &format!("- Reference rule: {}\n", u.reference_rule);
        }
        None => s += "- Reference media: none (text only).\n",
    }
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

/// The module docs' example sections: each example's file is included, not copied, so the
/// docs and `INFO` show the same text, stored once.
pub fn examples(m: &Model) -> TokenStream {
    let sections = m.examples().into_iter().map(|e| {
        let what = match e.kind {
            ExampleKind::Minimal => "minimal request",
            ExampleKind::Reference => "request with reference files",
        };
        let intro = inner(&format!(
            "\nThe page's {what} ([`INFO`]`.{}`):\n\n```json",
            e.kind.info_field()
        ));
        let file = &e.file;
        let end = inner("```");
        quote! {
            #intro
            #![doc = include_str!(#file)]
            #end
        }
    });
    quote!(#(#sections)*)
}

/// A link to a parameter's setter, where its facts are written once, from an item in the
/// module (`from` is `""`) or in its `param` submodule (`"super::"`). Keyword-named setters
/// (`r#type`) get the name without a link.
pub fn setter_link(p: &Param, from: &str) -> String {
    if crate::naming::is_keyword(&p.field) {
        format!("`Request::r#{}`", p.field)
    } else if from.is_empty() {
        format!("[`Request::{}`]", p.field)
    } else {
        format!("[`Request::{}`]({from}Request::{})", p.field, p.field)
    }
}

/// Docs of a parameter's field: its description and wire key; the other facts are on the
/// setter.
pub fn param(p: &Param) -> String {
    format!(
        "{}\n\nWire key `{}`; see {} for its values.",
        sentence(&p.description),
        p.key,
        setter_link(p, "")
    )
}

/// One line of wire facts about a parameter.
pub fn facts(p: &Param) -> String {
    let mut parts = vec![format!("Wire key `{}`", p.key)];
    if p.required {
        parts.push("required".to_owned());
    }
    match &p.kind {
        Kind::Select {
            options,
            default,
            boolean,
        } => {
            // An enum's page lists its options (with their wire values) once; link to it.
            parts.push(if *boolean {
                "`false` or `true`, sent as strings".to_owned()
            } else {
                format!("one of [`{}`]", p.type_name)
            });
            match default {
                Some(d) => parts.push(format!("default `{}`", options[*d].value)),
                None => parts.push("no default".to_owned()),
            }
        }
        Kind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => {
            parts.push(if *integer { "integer" } else { "number" }.to_owned());
            if let Some(v) = min {
                parts.push(format!("min {}", number(*v)));
            }
            if let Some(v) = max {
                parts.push(format!("max {}", number(*v)));
            }
            if let Some(v) = step {
                parts.push(format!("step {}", number(*v)));
            }
            match default {
                Some(d) => parts.push(format!("default {}", number(*d))),
                None => parts.push("no default".to_owned()),
            }
        }
        Kind::Text { default } => match default {
            Some(d) => parts.push(format!("default `{d}`")),
            None => parts.push("free text".to_owned()),
        },
        Kind::Url => parts.push("an absolute `http(s)` URL, checked locally".to_owned()),
        Kind::List { min_items, fields } => {
            let list: Vec<String> = fields.iter().map(|f| format!("`{}`", f.key)).collect();
            parts.push(format!("a list of objects with {}", list.join(" and ")));
            if *min_items > 0 {
                parts.push(format!(
                    "at least {min_items} item{}",
                    if *min_items == 1 { "" } else { "s" }
                ));
            }
        }
    }
    format!("{}.", parts.join("; "))
}

/// Ends a description with a full stop if it has no closing punctuation.
pub fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}
