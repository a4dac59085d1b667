//! The parameter table (both renderings) and the structured params of the contract.

use serde_json::Value;

use super::contract::Contract;
use super::page::{self, Found, Range, Table};
use super::{Kind, Param};

/// The parameter table: the first `Key` table other than the contract, preferring one after it.
pub fn find_table(tables: &[Found], contract_at: usize) -> Option<&Found> {
    let is_params = |(i, t): &(usize, &Found)| {
        *i != contract_at
            && !t
                .header
                .trim_start_matches('|')
                .trim_start()
                .starts_with("kind")
    };
    let after = tables
        .iter()
        .enumerate()
        .skip(contract_at + 1)
        .find(is_params);
    after
        .or_else(|| tables.iter().enumerate().find(is_params))
        .map(|(_, t)| t)
}

/// Every row of the parameter table, read with the page's yes/no words (or without them when
/// the rendering dropped them: then nothing is read as required here).
pub fn rows(t: &Found, words: Option<(&str, &str)>) -> Vec<Result<Param, String>> {
    match &t.table {
        Table::Cells(rows) => rows
            .iter()
            .map(|r| {
                if r.len() < 7 {
                    return Err(format!(
                        "`{}` has {} of 7 cells (cut off?)",
                        r.first().cloned().unwrap_or_default(),
                        r.len()
                    ));
                }
                let req = words.is_some_and(|(yes, _)| r[2] == yes);
                build(&r[0], &r[1], req, &r[3], &r[4], &r[5], &r[6])
            })
            .collect(),
        Table::Glued(rows) => rows.iter().map(|r| glued(r, words)).collect(),
    }
}

/// Where a flattened row splits into key, type word and (when the page has them) the required
/// word: the first type word that the required word follows, or without words the first one
/// after a well-formed key.
fn split_glued<'a>(
    row: &'a str,
    words: Option<(&str, &str)>,
) -> Option<(&'a str, &'static str, bool, &'a str)> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
    for (i, _) in row.char_indices().skip(1) {
        let Some(ty) = page::TYPE_WORDS.iter().find(|t| row[i..].starts_with(*t)) else {
            continue;
        };
        let key = &row[..i];
        let after = &row[i + ty.len()..];
        match words {
            Some((yes, no)) => {
                let mut ws = [yes, no];
                ws.sort_by_key(|w| std::cmp::Reverse(w.len()));
                if let Some(w) = ws.iter().find(|w| after.starts_with(**w)) {
                    return Some((key, ty, *w == yes, &after[w.len()..]));
                }
            }
            None if key.chars().all(key_char) => return Some((key, ty, false, after)),
            None => return None,
        }
    }
    None
}

/// Splits a flattened parameter row: key, type word, required word, then default, range,
/// options and description run together and are taken apart by their shapes.
fn glued(row: &str, words: Option<(&str, &str)>) -> Result<Param, String> {
    let (key, ty, required, rest) = split_glued(row, words)
        .ok_or_else(|| format!("cannot split `{row}` into key, type and required"))?;
    let (kind, description) = match ty {
        "select" => glued_select(key, rest)?,
        "number" => return Ok(glued_number(key, required, rest)),
        "text" | "string" => {
            let (default, description) = match rest.strip_prefix("---") {
                Some(d) => (None, d.to_owned()),
                None => match rest.split_once("--") {
                    Some((d, desc)) => (Some(d.to_owned()), desc.to_owned()),
                    None => return Err(format!("`{key}`: cannot find the end of the default")),
                },
            };
            (Kind::Text { default }, description)
        }
        other => {
            return Err(format!(
                "`{key}` has type `{other}`, which parameter tables do not use"
            ));
        }
    };
    Ok(Param {
        key: key.to_owned(),
        required,
        description,
        kind,
    })
}

/// `16:9-16:9, 9:16Aspect ratio` (default, options, description) or `--…` (no default).
fn glued_select(key: &str, rest: &str) -> Result<(Kind, String), String> {
    let (default, body) = if let Some(b) = rest.strip_prefix("--") {
        (None, b.to_owned())
    } else {
        rest.match_indices('-')
            .find_map(|(j, _)| {
                let (default, body) = (&rest[..j], &rest[j + 1..]);
                let (options, _) = page::split_options(body)?;
                options
                    .iter()
                    .any(|o| o == default)
                    .then(|| (Some(default.to_owned()), body.to_owned()))
            })
            .ok_or_else(|| format!("`{key}`: the default is not among the options"))?
    };
    let (options, description) =
        page::split_options(&body).ok_or_else(|| format!("`{key}`: no options"))?;
    Ok((Kind::Select { options, default }, description))
}

/// `1min 0.7 / max 1.2 / step 0.05-Speed`: default, range, description.
fn glued_number(key: &str, required: bool, rest: &str) -> Param {
    let (default, rest) = match page::leading_number(rest) {
        Some((n, r))
            if r.starts_with("min")
                || r.starts_with("max")
                || r.starts_with("step")
                || r.starts_with('-') =>
        {
            (Some(n), r)
        }
        _ => (None, rest.strip_prefix('-').unwrap_or(rest)),
    };
    let (range, rest) = match page::leading_range(rest) {
        Some((r, rest)) => (r, rest),
        None => (Range::default(), rest.strip_prefix('-').unwrap_or(rest)),
    };
    let description = rest.strip_prefix('-').unwrap_or(rest).to_owned();
    number(key, required, default, range, description)
}

/// One markdown row's cells.
fn build(
    key: &str,
    ty: &str,
    required: bool,
    default: &str,
    range: &str,
    options: &str,
    description: &str,
) -> Result<Param, String> {
    let default = (default != "-" && !default.is_empty()).then(|| default.to_owned());
    let param = |kind| Param {
        key: key.to_owned(),
        required,
        description: description.to_owned(),
        kind,
    };
    match ty {
        "select" => {
            let options: Vec<String> = options
                .split(',')
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            if options.is_empty() {
                return Err(format!("`{key}`: a select without options"));
            }
            Ok(param(Kind::Select { options, default }))
        }
        "number" => {
            let range = if range == "-" {
                Range::default()
            } else {
                page::leading_range(range)
                    .map(|(r, _)| r)
                    .ok_or_else(|| format!("`{key}`: unreadable range `{range}`"))?
            };
            let default = match default {
                Some(d) => Some(
                    page::leading_number(&d)
                        .map(|(n, _)| n)
                        .ok_or_else(|| format!("`{key}`: default `{d}` is not a number"))?,
                ),
                None => None,
            };
            Ok(number(
                key,
                required,
                default,
                range,
                description.to_owned(),
            ))
        }
        "text" | "string" => Ok(param(Kind::Text { default })),
        other => Err(format!(
            "`{key}` has type `{other}`, which parameter tables do not use"
        )),
    }
}

/// Pages write "number" for both; whole bounds with step 1, or a count-like key, read as
/// integers (see [`integer_warning`] for when that reading needs a maintainer's eye).
fn number(
    key: &str,
    required: bool,
    default: Option<f64>,
    range: Range,
    description: String,
) -> Param {
    let values = [range.min, range.max, range.step, default];
    let whole = values.iter().flatten().all(|v| v.fract() == 0.0);
    let countlike = [
        "seed", "duration", "count", "steps", "images", "frames", "num",
    ]
    .iter()
    .any(|w| key.to_ascii_lowercase().contains(w));
    let wide = matches!((range.min, range.max), (Some(lo), Some(hi)) if hi - lo > 1.0);
    let integer = whole && (range.step == Some(1.0) || countlike || wide);
    Param {
        key: key.to_owned(),
        required,
        description,
        kind: Kind::Number {
            integer,
            range,
            default,
        },
    }
}

/// An integer read from a page that states no step: the page never says "whole numbers", so
/// the reading is a guess a maintainer confirms.
pub fn integer_warning(p: &Param) -> Option<String> {
    match &p.kind {
        Kind::Number {
            integer: true,
            range,
            ..
        } if range.step.is_none() => Some(format!(
            "`{}` is read as an integer (no step and no decimal on the page): confirm, or drop `integer: true`",
            p.key
        )),
        _ => None,
    }
}

/// The contract's structured params (`params.dialogue`, array of objects), with the item
/// fields taken from the minimal example.
pub fn structured(
    contract: &Contract,
    minimal: Option<&Value>,
    warnings: &mut Vec<String>,
) -> Vec<Param> {
    let mut out = Vec::new();
    for row in contract
        .rows
        .iter()
        .filter(|r| r.key.starts_with("params."))
    {
        let key = row.key.trim_start_matches("params.").to_owned();
        if row.kind != "array" {
            warnings.push(format!(
                "structured param `{key}` of type `{}` is not supported; add it by hand",
                row.kind
            ));
            continue;
        }
        let fields: Vec<String> = minimal
            .and_then(|v| v["params"][key.as_str()][0].as_object().cloned())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if fields.is_empty() {
            warnings.push(format!(
                "the fields of list `{key}` are not shown in an example; list them by hand"
            ));
        }
        out.push(Param {
            required: contract.required(&row.key).unwrap_or(false),
            key,
            description: row.description.clone(),
            kind: Kind::List { fields },
        });
    }
    out
}

/// Keys whose Rust names the generated API already uses (`model` → the `Model` trait) get an
/// explicit `rust_name`.
pub fn reserved_names(params: &[Param], warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in params {
        let Some(field) = crate::naming::snake(&p.key, "param_") else {
            continue;
        };
        if crate::naming::is_reserved_field(&field)
            || crate::naming::is_reserved_type(&crate::naming::pascal(&field).unwrap_or_default())
        {
            let name = format!("{field}_param");
            warnings.push(format!(
                "`{}` is named `{name}` in Rust (its own name is taken by the generated API)",
                p.key
            ));
            out.push((p.key.clone(), name));
        }
    }
    out
}

/// The page's description when it is a short English label; otherwise one derived from the
/// key (the page's prose is not copied) and a warning.
pub fn describe(key: &str, page: &str, english: bool, warnings: &mut Vec<String>) -> String {
    let page = page.trim();
    let words = page.split_whitespace().count();
    let label = english
        && (1..=6).contains(&words)
        && !page.trim_end_matches('.').contains(['.', ',', ';']);
    if label {
        return page.to_owned();
    }
    if !page.is_empty() {
        warnings.push(format!(
            "describe `{key}` in your own words (the page's text is not copied)"
        ));
    }
    humanize(key)
}

/// `aspectRatio` → `Aspect ratio`, `n_frames` → `N frames`.
pub fn humanize(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut s = words.join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_ascii_uppercase() + &s[1..];
    }
    s
}
