//! One parameter: its name, its kind and the limits of that kind.

use std::collections::BTreeMap;

use super::{Ctx, NameCase, name_or};
use crate::ir::{self, Kind};
use crate::naming;
use crate::spec::{FieldSpec, ParamSpec};

pub(super) fn resolve_param(
    cx: &mut Ctx<'_>,
    path: &str,
    p: &ParamSpec,
    noun: &str,
) -> Option<ir::Param> {
    let c = p.common();
    if c.key.is_empty() {
        cx.err(format!("{path}.key"), "must not be empty");
        return None;
    }
    if c.key == crate::REFERENCES_KEY {
        cx.err(
            format!("{path}.key"),
            "`referenceMediaItems` is generated from the upload policy; do not list it as a param",
        );
        return None;
    }
    if c.description.trim().is_empty() {
        cx.err(format!("{path}.description"), "must not be empty");
    }
    let field = name_or(
        cx,
        &format!("{path}.rust_name"),
        c.rust_name,
        || naming::snake(c.key, "param_"),
        NameCase::Snake,
    );
    let type_name = naming::type_name(&field, noun).unwrap_or_default();
    let kind = match p {
        ParamSpec::Select {
            options,
            default,
            variant_prefix,
            variant_names,
            ..
        } => resolve_select(
            cx,
            path,
            c.key,
            options,
            default.as_ref(),
            variant_prefix.as_deref(),
            variant_names,
        ),
        ParamSpec::Number {
            integer,
            min,
            max,
            step,
            default,
            ..
        } => resolve_number(cx, path, *integer, *min, *max, *step, *default),
        ParamSpec::Text { default, .. } => Kind::Text {
            default: default.clone(),
        },
        ParamSpec::Url { .. } => Kind::Url,
        ParamSpec::List {
            min_items, item, ..
        } => Kind::List {
            min_items: *min_items,
            fields: resolve_fields(cx, path, &item.fields),
        },
    };
    let type_name = match p {
        ParamSpec::List { item, .. } => item_type(cx, path, item.rust_name.as_deref(), &type_name),
        _ => type_name,
    };
    Some(ir::Param {
        key: c.key.to_owned(),
        description: c.description.trim().to_owned(),
        required: c.required,
        field,
        type_name,
        kind,
    })
}

/// The type of a list param's items: its explicit `item.rust_name`, or `<Param>Item`.
fn item_type(cx: &mut Ctx<'_>, path: &str, explicit: Option<&str>, param_type: &str) -> String {
    match explicit {
        Some(n) => {
            if !naming::is_camel(n) {
                cx.err(
                    format!("{path}.item.rust_name"),
                    format!("`{n}` is not an UpperCamelCase Rust identifier"),
                );
            }
            n.to_owned()
        }
        None => format!("{param_type}Item"),
    }
}

/// The string fields of a list param's items.
fn resolve_fields(cx: &mut Ctx<'_>, path: &str, specs: &[FieldSpec]) -> Vec<ir::Field> {
    let mut fields: Vec<ir::Field> = Vec::new();
    if specs.is_empty() {
        cx.err(format!("{path}.specs"), "list at least one field");
    }
    for (i, f) in specs.iter().enumerate() {
        let fpath = format!("{path}.specs[{i}]");
        let name = name_or(
            cx,
            &format!("{fpath}.key"),
            None,
            || naming::snake(&f.key, "field_"),
            NameCase::Snake,
        );
        if let Some(prev) = fields.iter().find(|g| g.field == name) {
            cx.err(
                fpath.clone(),
                format!(
                    "`{}` and `{}` both name the Rust field `{name}`",
                    prev.key, f.key
                ),
            );
        }
        if f.description.trim().is_empty() {
            cx.err(format!("{fpath}.description"), "must not be empty");
        }
        fields.push(ir::Field {
            key: f.key.clone(),
            field: name,
            description: f.description.trim().to_owned(),
        });
    }
    fields
}

fn resolve_select(
    cx: &mut Ctx<'_>,
    path: &str,
    key: &str,
    options: &[crate::spec::WireString],
    default: Option<&crate::spec::WireString>,
    prefix: Option<&str>,
    names: &BTreeMap<String, String>,
) -> Kind {
    if options.is_empty() {
        cx.err(format!("{path}.options"), "list at least one option");
    }
    let boolean = options.len() == 2
        && options.iter().any(|o| o.0 == "true")
        && options.iter().any(|o| o.0 == "false");
    check_naming(cx, path, options, prefix.unwrap_or("V"), names);
    let mut resolved: Vec<ir::Opt> = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let opath = format!("{path}.options[{i}]");
        if o.0.is_empty() {
            cx.err(opath.clone(), "options must not be empty strings");
        }
        if let Some(j) = options[..i].iter().position(|p| p == o) {
            cx.err(
                opath.clone(),
                format!("`{}` is listed twice (also at options[{j}])", o.0),
            );
            continue;
        }
        let variant = match names.get(&o.0) {
            Some(n) => n.clone(),
            None => match naming::variant(&o.0, naming::option_prefix(key, &o.0, prefix)) {
                Some(n) if n != "Self" => n,
                _ => {
                    if !boolean {
                        cx.err(opath.clone(), format!("no variant name can be derived from `{}`; add it to `variant_names`", o.0));
                    }
                    continue;
                }
            },
        };
        if !boolean && let Some(prev) = resolved.iter().find(|r| r.variant == variant) {
            cx.err(
                    opath.clone(),
                    format!(
                        "`{}` and `{}` both name the variant `{variant}`; give one a name in `variant_names`",
                        prev.value, o.0
                    ),
                );
        }
        resolved.push(ir::Opt {
            value: o.0.clone(),
            variant,
        });
    }
    let default = default.and_then(|d| {
        let found = resolved.iter().position(|r| r.value == d.0);
        if found.is_none() {
            let list: Vec<&str> = options.iter().map(|o| o.0.as_str()).collect();
            cx.err(
                format!("{path}.default"),
                format!(
                    "default `{}` is not one of the options ({})",
                    d.0,
                    list.join(", ")
                ),
            );
        }
        found
    });
    Kind::Select {
        options: resolved,
        default,
        boolean,
    }
}

/// The explicit names a select gives: a usable variant prefix, and `variant_names` that name
/// real options with UpperCamelCase identifiers.
fn check_naming(
    cx: &mut Ctx<'_>,
    path: &str,
    options: &[crate::spec::WireString],
    prefix: &str,
    names: &BTreeMap<String, String>,
) {
    if !naming::is_camel(prefix) {
        cx.err(
            format!("{path}.variant_prefix"),
            format!("`{prefix}` must start an UpperCamelCase name (`S`, `V` …)"),
        );
    }
    for (value, name) in names {
        if !options.iter().any(|o| &o.0 == value) {
            cx.err(
                format!("{path}.variant_names.{value}"),
                format!("`{value}` is not one of the options"),
            );
        }
        if !naming::is_camel(name) || name == "Self" {
            cx.err(
                format!("{path}.variant_names.{value}"),
                format!("`{name}` is not an UpperCamelCase Rust identifier"),
            );
        }
    }
}

fn resolve_number(
    cx: &mut Ctx<'_>,
    path: &str,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<f64>,
    default: Option<f64>,
) -> Kind {
    let named = [
        ("min", min),
        ("max", max),
        ("step", step),
        ("default", default),
    ];
    for (name, value) in named {
        if let Some(v) = value {
            if !v.is_finite() {
                cx.err(format!("{path}.{name}"), "must be a finite number");
            } else if integer && v.fract() != 0.0 {
                cx.err(
                    format!("{path}.{name}"),
                    format!("{v} is not a whole number, but the param is an integer"),
                );
            }
        }
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        cx.err(
            format!("{path}.min"),
            format!("min {lo} is greater than max {hi}"),
        );
    }
    if let Some(s) = step
        && s <= 0.0
    {
        cx.err(
            format!("{path}.step"),
            format!("step must be positive, found {s}"),
        );
    }
    if let Some(d) = default {
        if min.is_some_and(|lo| d < lo) || max.is_some_and(|hi| d > hi) {
            cx.err(
                format!("{path}.default"),
                format!("default {d} is outside the range {}", range(min, max)),
            );
        } else if let Some(s) = step.filter(|s| *s > 0.0)
            && !rivya_rules::rules::on_step(d, min.unwrap_or(0.0), s)
        {
            cx.err(
                format!("{path}.default"),
                format!(
                    "default {d} is not on the step {s} from {}",
                    min.unwrap_or(0.0)
                ),
            );
        }
    }
    Kind::Number {
        integer,
        min,
        max,
        step,
        default,
    }
}

fn range(min: Option<f64>, max: Option<f64>) -> String {
    let show = |v: Option<f64>| v.map_or("…".to_owned(), |v| v.to_string());
    format!("{}..={}", show(min), show(max))
}
