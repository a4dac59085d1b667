//! The types a model's parameters need: one enum per select, one struct per list item.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::ident::ident;
use crate::ir::{Kind, Param};

pub(super) fn select_enum(p: &Param) -> Option<TokenStream> {
    let Kind::Select {
        options,
        default,
        boolean: false,
    } = &p.kind
    else {
        return None;
    };
    let name = format_ident!("{}", p.type_name);
    let variants = options.iter().enumerate().map(|(i, o)| {
        let v = format_ident!("{}", o.variant);
        let wire = &o.value;
        let mut doc = format!("`{wire}`");
        if *default == Some(i) {
            doc += " (default)";
        }
        let doc = docs::outer(&doc);
        let default_attr = (*default == Some(i)).then(|| quote!(#[default]));
        // The wire value is the name unless the name had to differ from it.
        let rename = (o.variant != *wire).then(|| quote!(#[serde(rename = #wire)]));
        quote! {
            #doc
            #default_attr
            #rename
            #v,
        }
    });
    let derive_default = default.map(|_| quote!(Default,));
    let traits = enum_traits(p, options);
    let doc = docs::outer(&format!(
        "{}\n\nThe options of `{}`, sent as JSON strings.",
        docs::sentence(&p.description),
        p.key
    ));
    Some(quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #derive_default serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        #traits
    })
}

/// The inherent consts and `as_str`, `Display` and `FromStr` of a select's enum: wire value ⇄
/// variant.
fn enum_traits(p: &Param, options: &[crate::ir::Opt]) -> TokenStream {
    let name = format_ident!("{}", p.type_name);
    let key = &p.key;
    let as_str_arms = options.iter().map(|o| {
        let v = format_ident!("{}", o.variant);
        let wire = &o.value;
        quote!(Self::#v => #wire,)
    });
    let from_str_arms = options.iter().map(|o| {
        let v = format_ident!("{}", o.variant);
        let wire = &o.value;
        quote!(#wire => Ok(Self::#v),)
    });
    let all = options.iter().map(|o| format_ident!("{}", o.variant));
    let wires = options.iter().map(|o| &o.value);
    quote! {
        impl #name {
            /// Every option, in page order.
            pub const ALL: &'static [Self] = &[#(Self::#all),*];

            /// The wire value of every option, in page order.
            pub const OPTIONS: &'static [&'static str] = &[#(#wires),*];

            /// The wire value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#as_str_arms)*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::SelectOption for #name {
            const KEY: &'static str = #key;
            const ALL: &'static [Self] = Self::ALL;
            const OPTIONS: &'static [&'static str] = Self::OPTIONS;

            fn wire(self) -> &'static str {
                self.as_str()
            }
        }

        impl TryFrom<&str> for #name {
            type Error = crate::UnknownOption;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl std::str::FromStr for #name {
            type Err = crate::UnknownOption;

            /// Parses a wire value exactly (case-sensitive).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    #(#from_str_arms)*
                    _ => Err(crate::UnknownOption::new(#key, s, Self::OPTIONS)),
                }
            }
        }
    }
}

pub(super) fn list_item(p: &Param) -> Option<TokenStream> {
    let Kind::List { fields, .. } = &p.kind else {
        return None;
    };
    let name = format_ident!("{}", p.type_name);
    let decls = fields.iter().map(|f| {
        let n = ident(&f.field);
        let doc = docs::outer(&format!(
            "{}\n\nWire key `{}`.",
            docs::sentence(&f.description),
            f.key
        ));
        let rename = (f.field != f.key).then(|| {
            let k = &f.key;
            quote!(#[serde(rename = #k)])
        });
        quote! {
            #doc
            #rename
            pub #n: String,
        }
    });
    let args = fields.iter().map(|f| {
        let n = ident(&f.field);
        quote!(#n: impl Into<String>)
    });
    let inits = fields.iter().map(|f| {
        let n = ident(&f.field);
        quote!(#n: #n.into(),)
    });
    let doc = docs::outer(&format!("One item of `{}`.", p.key));
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #name {
            #(#decls)*
        }

        impl #name {
            /// An item from its fields.
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
        }
    })
}
