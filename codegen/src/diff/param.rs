//! Param-level comparisons: names, requirement, type, and each kind's options and limits.

use super::{Bound, Class, Out, default, limit, num};
use crate::ir::{Field, Kind, Opt, Param};

/// Compares two versions of a param. Every field of [`Param`] is named, so a new one does not
/// compile until it is compared.
pub(super) fn param(o: &mut Out<'_>, a: &Param, b: &Param) {
    use Class::*;
    let Param {
        key: _, // the key the two versions were matched by
        description: _,
        required: _,
        field: _,
        type_name: _,
        kind: _,
    } = a;
    let at = format!("params.{}", a.key);
    if a.field != b.field {
        o.add(
            Breaking,
            format!("{at}.rust_name"),
            format!("Rust field renamed `{}` → `{}`", a.field, b.field),
        );
    }
    if a.type_name != b.type_name
        && matches!(
            b.kind,
            Kind::Select { boolean: false, .. } | Kind::List { .. }
        )
    {
        o.add(
            Breaking,
            format!("{at}.rust_name"),
            format!("Rust type renamed `{}` → `{}`", a.type_name, b.type_name),
        );
    }
    match (a.required, b.required) {
        (false, true) => o.add(Breaking, format!("{at}.required"), "param became required"),
        (true, false) => o.add(Additive, format!("{at}.required"), "param became optional"),
        _ => {}
    }
    if a.description != b.description {
        o.add(Docs, format!("{at}.description"), "description changed");
    }
    if kind_name(&a.kind) != kind_name(&b.kind) {
        o.add(
            Breaking,
            format!("{at}.type"),
            format!(
                "type changed: {} → {}",
                kind_name(&a.kind),
                kind_name(&b.kind)
            ),
        );
        return;
    }
    kinds(o, &at, &a.kind, &b.kind);
}

/// The same kind on both sides (checked by the caller): its options, limits or fields.
fn kinds(o: &mut Out<'_>, at: &str, a: &Kind, b: &Kind) {
    match (a, b) {
        (
            Kind::Select {
                options: ao,
                default: ad,
                boolean: _,
            },
            Kind::Select {
                options: bo,
                default: bd,
                boolean: _,
            },
        ) => {
            options(o, at, ao, bo);
            let show = |opts: &[Opt], d: &Option<usize>| d.map(|i| opts[i].value.clone());
            default(o, at, show(ao, ad), show(bo, bd));
        }
        (
            Kind::Number {
                integer: _,
                min: amin,
                max: amax,
                step: astep,
                default: ad,
            },
            Kind::Number {
                integer: _,
                min: bmin,
                max: bmax,
                step: bstep,
                default: bd,
            },
        ) => {
            limit(o, &format!("{at}.min"), *amin, *bmin, Bound::Min);
            limit(o, &format!("{at}.max"), *amax, *bmax, Bound::Max);
            step(o, at, *astep, *bstep);
            default(o, at, ad.map(num), bd.map(num));
        }
        (Kind::Text { default: ad }, Kind::Text { default: bd }) => {
            default(o, at, ad.clone(), bd.clone())
        }
        (
            Kind::List {
                min_items: an,
                fields: af,
            },
            Kind::List {
                min_items: bn,
                fields: bf,
            },
        ) => {
            let (an, bn) = (Some(f64::from(*an)), Some(f64::from(*bn)));
            limit(o, &format!("{at}.min_items"), an, bn, Bound::Min);
            fields(o, at, af, bf);
        }
        // Kinds that differ were reported by the caller.
        _ => {}
    }
}

/// Options removed (breaking), renamed in Rust (breaking) or added (additive).
fn options(o: &mut Out<'_>, at: &str, ao: &[Opt], bo: &[Opt]) {
    use Class::*;
    for x in ao {
        match bo.iter().find(|y| y.value == x.value) {
            None => o.add(
                Breaking,
                format!("{at}.options"),
                format!("option `{}` removed", x.value),
            ),
            Some(y) if y.variant != x.variant => o.add(
                Breaking,
                format!("{at}.variant_names"),
                format!(
                    "variant of `{}` renamed `{}` → `{}`",
                    x.value, x.variant, y.variant
                ),
            ),
            Some(_) => {}
        }
    }
    for y in bo {
        if !ao.iter().any(|x| x.value == y.value) {
            o.add(
                Additive,
                format!("{at}.options"),
                format!("option `{}` added", y.value),
            );
        }
    }
}

/// A step added is breaking; removed, or replaced by one that divides the old, is additive.
fn step(o: &mut Out<'_>, at: &str, a: Option<f64>, b: Option<f64>) {
    use Class::*;
    match (a, b) {
        (None, Some(s)) => o.add(Breaking, format!("{at}.step"), format!("step {s} added")),
        (Some(s), None) => o.add(Additive, format!("{at}.step"), format!("step {s} removed")),
        (Some(x), Some(y)) if x != y => {
            // A new step that divides the old one keeps every old value valid.
            let class = if rivya_rules::rules::on_step(x, 0.0, y) {
                Additive
            } else {
                Breaking
            };
            o.add(class, format!("{at}.step"), format!("step {x} → {y}"));
        }
        _ => {}
    }
}

/// A list item's fields, compared as a set (object fields have no order on the wire).
fn fields(o: &mut Out<'_>, at: &str, af: &[Field], bf: &[Field]) {
    let keys = |f: &[Field]| {
        let mut k: Vec<String> = f.iter().map(|x| x.key.clone()).collect();
        k.sort();
        k
    };
    if keys(af) != keys(bf) {
        o.add(
            Class::Breaking,
            format!("{at}.item.fields"),
            format!(
                "item fields changed: [{}] → [{}]",
                keys(af).join(", "),
                keys(bf).join(", ")
            ),
        );
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Select { boolean: true, .. } => "boolean select",
        Kind::Select { .. } => "select",
        Kind::Number { integer: true, .. } => "integer",
        Kind::Number { .. } => "number",
        Kind::Text { .. } => "text",
        Kind::Url => "url",
        Kind::List { .. } => "list",
    }
}
