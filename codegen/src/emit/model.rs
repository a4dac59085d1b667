//! One model's module: marker type, `INFO`, param descriptors, `Params`, enums, `Request`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::docs;
use crate::ir::{Kind, Model, Param};
use crate::naming;
use crate::spec::{Billing, Capability, FilesApi, Input, MediaKind};

/// An identifier as [`naming::spelled`] writes it (`r#type` for a keyword).
fn ident(name: &str) -> Ident {
    match naming::spelled(name).strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The descriptor constant of a param (`param::ASPECT_RATIO`).
fn const_ident(p: &Param) -> Ident {
    format_ident!("{}", p.field.to_ascii_uppercase())
}

/// An integer literal with `_` between groups of three digits (`10_000_000`), as clippy and
/// people prefer long numbers written.
fn grouped(v: u64) -> Literal {
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

fn f64_lit(v: f64) -> Literal {
    Literal::f64_unsuffixed(v)
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(v) => {
            let l = f64_lit(v);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

fn opt_str(v: Option<&str>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// An example body as a one-line raw string: `Some(r#"{"model":"…"}"#)`.
fn opt_json(v: Option<&str>) -> TokenStream {
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
fn minify_json(text: &str) -> String {
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

/// The whole module of one model.
pub fn module(m: &Model) -> TokenStream {
    let module_docs = docs::inner(&docs::module(m));
    let marker = format_ident!("{}", m.marker);
    let info = info(m);
    let descriptors = descriptors(m);
    let params = params_struct(m);
    let request = request_impl(m);
    let enums = m.params.iter().filter_map(select_enum);
    let items = m.params.iter().filter_map(list_item);
    let defaults = defaults_mod(m);
    let marker_doc = docs::outer(&format!(
        "{} as a type, for code that is generic over models (see [`crate::Model`]).",
        m.display_name
    ));
    quote! {
        #module_docs

        #marker_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;

        impl crate::Model for #marker {
            const INFO: &'static crate::ModelInfo = &INFO;
            type Params = Params;
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

fn info(m: &Model) -> TokenStream {
    let id = &m.id;
    let display_name = &m.display_name;
    let capability = match m.capability {
        Capability::Image => quote!(Image),
        Capability::Video => quote!(Video),
        Capability::Audio => quote!(Audio),
    };
    let inputs = m.inputs.iter().map(|i| match i {
        Input::Text => quote!(crate::Input::Text),
        Input::File => quote!(crate::Input::File),
    });
    let files_api = match m.files_api {
        FilesApi::NotRequired => quote!(NotRequired),
        FilesApi::RequiredForReferenceModes => quote!(RequiredForReferenceModes),
    };
    let billing = match m.billing {
        Billing::Fixed => quote!(Fixed),
        Billing::Metered => quote!(Metered),
        Billing::TokenBased => quote!(TokenBased),
    };
    let base_credits = Literal::u32_unsuffixed(m.base_credits);
    let prompt_required = m.prompt_required;
    let prompt_max = match m.prompt_max_chars {
        Some(n) => {
            let n = Literal::u32_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let minimal_example = opt_json(m.minimal_example.as_deref());
    let reference_example = opt_json(m.reference_example.as_deref());
    let params_required = m.params_required;
    let consts = m.params.iter().map(const_ident);
    let upload = match &m.upload {
        None => quote!(None),
        Some(u) => {
            let max_files = Literal::u32_unsuffixed(u.max_files);
            let rule = &u.reference_rule;
            let kinds = u.kinds.iter().map(|k| {
                let kind = media_kind(k.kind);
                let bytes = grouped(u64::from(k.max_size_mb) * 1_000_000);
                let mimes = &k.mime_types;
                quote! {
                    crate::KindLimit {
                        kind: #kind,
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
    };
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
            inputs: &[#(#inputs),*],
            files_api: crate::FilesApi::#files_api,
            billing: crate::Billing::#billing,
            base_credits: #base_credits,
            prompt_required: #prompt_required,
            prompt_max_chars: #prompt_max,
            params_required: #params_required,
            params: &[#(param::#consts),*],
            upload: #upload,
            source_url: #url,
            minimal_example: #minimal_example,
            reference_example: #reference_example,
        };
    }
}

fn media_kind(k: MediaKind) -> TokenStream {
    match k {
        MediaKind::Image => quote!(crate::MediaKind::Image),
        MediaKind::Video => quote!(crate::MediaKind::Video),
        MediaKind::Audio => quote!(crate::MediaKind::Audio),
    }
}

/// `pub mod param`: one `ParamInfo` constant per parameter.
fn descriptors(m: &Model) -> TokenStream {
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
            Kind::List { min_items, fields } => {
                let keys = fields.iter().map(|f| &f.key);
                let min_items = Literal::u32_unsuffixed(*min_items);
                quote!(crate::ParamKind::List { min_items: #min_items, fields: &[#(#keys),*] })
            }
        };
        let doc = docs::outer(&docs::facts(p));
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

/// The Rust type of a parameter's value (`bool`, `AspectRatio`, `i64`, `f64`, `String`,
/// `Vec<DialogueLine>`).
fn value_type(p: &Param) -> TokenStream {
    match &p.kind {
        Kind::Select { boolean: true, .. } => quote!(bool),
        Kind::Number { integer: true, .. } => quote!(i64),
        Kind::Number { integer: false, .. } => quote!(f64),
        Kind::Text { .. } => quote!(String),
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
fn field_type(p: &Param) -> TokenStream {
    let inner = value_type(p);
    if p.always_present() || matches!(p.kind, Kind::List { .. }) {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

/// The value a field starts with in `Params::default()` (or `new`).
fn default_expr(p: &Param) -> TokenStream {
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
fn serde_attrs(p: &Param) -> TokenStream {
    let mut args: Vec<TokenStream> = Vec::new();
    let bare = p.field.as_str();
    if bare != p.key {
        let key = &p.key;
        args.push(quote!(rename = #key));
    }
    if !p.is_constructor_arg() {
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

fn params_struct(m: &Model) -> TokenStream {
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
    let references = m.upload.as_ref().map(|u| {
        let doc = docs::outer(&format!(
            "Reference media uploaded through the Files API: at most {} item{} (see [`INFO`]).\n\nWire key `referenceMediaItems`.",
            u.max_files,
            if u.max_files == 1 { "" } else { "s" }
        ));
        quote! {
            #doc
            #[serde(rename = "referenceMediaItems", default, skip_serializing_if = "Vec::is_empty")]
            pub reference_media_items: Vec<crate::ReferenceMediaItem>,
        }
    });
    let has_args = m.params.iter().any(Param::is_constructor_arg);
    let default_impl = (!has_args).then(|| {
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
    });
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
    let check_fn = if checks.is_empty() {
        quote! {
            fn check(&self, _: &mut crate::Violations) {}
        }
    } else {
        quote! {
            fn check(&self, v: &mut crate::Violations) {
                #(#checks)*
            }
        }
    };
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

fn request_impl(m: &Model) -> TokenStream {
    let args: Vec<&Param> = m.params.iter().filter(|p| p.is_constructor_arg()).collect();
    let arg_decls = args.iter().map(|p| {
        let name = ident(&p.field);
        let ty = setter_type(p);
        quote!(#name: #ty)
    });
    let arg_converts = args.iter().map(|p| {
        let name = ident(&p.field);
        if matches!(p.kind, Kind::Text { .. }) {
            quote!(let #name = #name.into();)
        } else {
            quote!()
        }
    });
    let (prompt_arg, prompt_value) = if m.prompt_required {
        (
            quote!(prompt: impl Into<String>,),
            quote!(Some(prompt.into())),
        )
    } else {
        (quote!(), quote!(None))
    };
    let params_value = if args.is_empty() {
        quote!(Params::default())
    } else {
        let inits = m.params.iter().map(|p| {
            let name = ident(&p.field);
            if p.is_constructor_arg() {
                quote!(#name,)
            } else {
                let value = default_expr(p);
                quote!(#name: #value,)
            }
        });
        let refs = m
            .upload
            .as_ref()
            .map(|_| quote!(reference_media_items: Vec::new(),));
        quote!(Params { #(#inits)* #refs })
    };
    let mut new_doc = String::from("Starts a request");
    if m.prompt_required {
        new_doc += " with the prompt";
    }
    if !args.is_empty() {
        let names: Vec<String> = args.iter().map(|p| format!("`{}`", p.key)).collect();
        let joiner = if m.prompt_required { " and" } else { " with" };
        new_doc += &format!("{joiner} the required {}", names.join(", "));
    }
    new_doc += "; every other parameter holds its documented default.";
    let new_doc = docs::outer(&new_doc);
    let setters = m.params.iter().map(setter);
    let reference = m.upload.as_ref().map(|_| {
        quote! {
            /// Adds one reference item (see [`Params::reference_media_items`]).
            pub fn reference(mut self, item: crate::ReferenceMediaItem) -> Self {
                self.params.reference_media_items.push(item);
                self
            }
        }
    });
    let default_request = (args.is_empty() && !m.prompt_required).then(|| {
        quote! {
            impl Default for Request {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let doc = docs::outer(&format!(
        "A generation request for {}: [`Request::new`], then one setter per parameter.",
        m.display_name
    ));
    quote! {
        #doc
        pub type Request = crate::Request<Params>;

        impl Request {
            #new_doc
            pub fn new(#prompt_arg #(#arg_decls),*) -> Self {
                #(#arg_converts)*
                Self::from_parts(#prompt_value, #params_value)
            }

            #(#setters)*
            #reference
        }

        #default_request
    }
}

/// The argument type a setter (or `new`) takes: the value type, with text as
/// `impl Into<String>`.
fn setter_type(p: &Param) -> TokenStream {
    match p.kind {
        Kind::Text { .. } => quote!(impl Into<String>),
        _ => value_type(p),
    }
}

fn setter(p: &Param) -> TokenStream {
    let name = ident(&p.field);
    let ty = setter_type(p);
    let mut value = match p.kind {
        Kind::Text { .. } => quote!(value.into()),
        _ => quote!(value),
    };
    if !p.always_present() && !matches!(p.kind, Kind::List { .. }) {
        value = quote!(Some(#value));
    }
    let doc = docs::outer(&format!(
        "Sets `{}`: {}\n\n{}",
        p.key,
        docs::sentence(&p.description),
        docs::facts(p)
    ));
    quote! {
        #doc
        pub fn #name(mut self, value: #ty) -> Self {
            self.params.#name = #value;
            self
        }
    }
}

fn select_enum(p: &Param) -> Option<TokenStream> {
    let Kind::Select {
        options,
        default,
        boolean: false,
    } = &p.kind
    else {
        return None;
    };
    let name = format_ident!("{}", p.type_name);
    let key = &p.key;
    let variants = options.iter().enumerate().map(|(i, o)| {
        let v = format_ident!("{}", o.variant);
        let wire = &o.value;
        let mut doc = format!("`{wire}`");
        if *default == Some(i) {
            doc += " (default)";
        }
        let doc = docs::outer(&doc);
        let default_attr = (*default == Some(i)).then(|| quote!(#[default]));
        quote! {
            #doc
            #default_attr
            #[serde(rename = #wire)]
            #v,
        }
    });
    let all = options.iter().map(|o| format_ident!("{}", o.variant));
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
    let derive_default = default.map(|_| quote!(Default,));
    let wires = options.iter().map(|o| &o.value);
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

        impl std::str::FromStr for #name {
            type Err = crate::UnknownOption;

            /// Parses a wire value exactly (case-sensitive).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    #(#from_str_arms)*
                    _ => Err(crate::UnknownOption {
                        param: #key,
                        value: s.to_owned(),
                        options: Self::OPTIONS,
                    }),
                }
            }
        }
    })
}

fn list_item(p: &Param) -> Option<TokenStream> {
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

/// `mod defaults`: the documented default of every non-enum parameter that has one.
fn defaults_mod(m: &Model) -> TokenStream {
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
