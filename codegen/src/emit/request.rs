//! `Request`: the model's own request type (a newtype over `crate::RequestBody<Params>`, so
//! its documentation page holds this model's methods only), its constructor and setters.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::ident::ident;
use super::params::{default_expr, value_type};
use crate::ir::{Kind, Model, Param};

pub(super) fn request_impl(m: &Model) -> TokenStream {
    let args: Vec<&Param> = m.params.iter().filter(|p| p.is_constructor_arg()).collect();
    let new_fn = new_fn(m, &args);
    let setters = m.params.iter().map(setter);
    let common = common_methods(m);
    let reference = m.upload.as_ref().map(|_| {
        quote! {
            /// Adds one reference item (see [`Params::reference_media_items`]).
            pub fn reference(mut self, item: crate::ReferenceMediaItem) -> Self {
                self.params.reference_media_items.push(item);
                self
            }

            /// Replaces every reference item (see [`Params::reference_media_items`]).
            pub fn references(
                mut self,
                items: impl IntoIterator<Item = crate::ReferenceMediaItem>,
            ) -> Self {
                self.params.reference_media_items = items.into_iter().collect();
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
    let wrapper = wrapper_impls();
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct Request(crate::RequestBody<Params>);

        #wrapper

        impl Request {
            #new_fn

            #(#setters)*
            #reference
            #common
        }

        #default_request
    }
}

/// The newtype's plumbing: its fields read through `crate::RequestBody`, conversions both
/// ways, and the trait generic code and the client use.
fn wrapper_impls() -> TokenStream {
    quote! {
        impl std::ops::Deref for Request {
            type Target = crate::RequestBody<Params>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl std::ops::DerefMut for Request {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }

        impl From<crate::RequestBody<Params>> for Request {
            fn from(body: crate::RequestBody<Params>) -> Self {
                Self(body)
            }
        }

        impl From<Request> for crate::RequestBody<Params> {
            fn from(request: Request) -> Self {
                request.0
            }
        }

        impl crate::GenerationRequest for Request {
            fn info(&self) -> &'static crate::ModelInfo {
                &INFO
            }

            fn validate(&self) -> Result<(), crate::ValidationError> {
                crate::GenerationRequest::validate(&self.0)
            }
        }
    }
}

/// `Request::new`: the prompt (when required) and the params that have no default.
fn new_fn(m: &Model, args: &[&Param]) -> TokenStream {
    let arg_decls = args.iter().map(|p| {
        let name = ident(&p.field);
        let ty = setter_type(p);
        quote!(#name: #ty)
    });
    let arg_converts = args.iter().map(|p| {
        let name = ident(&p.field);
        if matches!(p.kind, Kind::Text { .. } | Kind::Url) {
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
    quote! {
        #new_doc
        pub fn new(#prompt_arg #(#arg_decls),*) -> Self {
            #(#arg_converts)*
            Self(crate::RequestBody::from_parts(#prompt_value, #params_value))
        }
    }
}

/// The argument type a setter (or `new`) takes: the value type, with text as
/// `impl Into<String>`.
pub(super) fn setter_type(p: &Param) -> TokenStream {
    match p.kind {
        Kind::Text { .. } | Kind::Url => quote!(impl Into<String>),
        _ => value_type(p),
    }
}

pub(super) fn setter(p: &Param) -> TokenStream {
    let name = ident(&p.field);
    let ty = setter_type(p);
    let mut value = match p.kind {
        Kind::Text { .. } | Kind::Url => quote!(value.into()),
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

/// The methods every request has, written on each model's `Request` so its documentation page
/// is complete (generic code reaches the same through `crate::GenerationRequest`).
fn common_methods(m: &Model) -> TokenStream {
    let prompt_doc = docs::outer(if m.prompt_required {
        "Replaces the prompt."
    } else {
        "Sets the prompt (optional for this model)."
    });
    let checked = if m.upload.is_some() {
        "prompt, each parameter, reference media"
    } else {
        "prompt and each parameter"
    };
    let validate_doc = docs::outer(&format!(
        "Checks every documented rule ({checked}) and returns\nall violations, each with its path, before anything is sent."
    ));
    quote! {
        #prompt_doc
        pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
            self.prompt = Some(prompt.into());
            self
        }

        /// Sets an id for tracing the request in your own systems (not an idempotency key).
        pub fn client_request_id(mut self, id: impl Into<String>) -> Self {
            self.client_request_id = Some(id.into());
            self
        }

        #validate_doc
        pub fn validate(&self) -> Result<(), crate::ValidationError> {
            crate::GenerationRequest::validate(self)
        }
    }
}
