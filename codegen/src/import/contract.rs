//! The request-contract table (`model`, `prompt`, `params`, `client_request_id`): found by its
//! set of rows, in any order, and read for the page's own yes/no words.

use super::page::{self, Found, Table};

/// The rows every request contract has.
const CONTRACT_KEYS: &[&str] = &["model", "prompt", "params", "client_request_id"];

/// One row of the contract.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: String,
    pub kind: String,
    pub required: String,
    pub description: String,
}

/// The contract as read.
#[derive(Debug, Clone)]
pub struct Contract {
    pub rows: Vec<Row>,
    /// The page's words for required / not required, learned from `model` (always required)
    /// and `client_request_id` (never); `None` when the rendering dropped them.
    pub words: Option<(String, String)>,
}

impl Contract {
    /// Whether the contract marks `key` required; `None` without yes/no words or without the row.
    pub fn required(&self, key: &str) -> Option<bool> {
        let (yes, _) = self.words.as_ref()?;
        let row = self.rows.iter().find(|r| r.key == key)?;
        Some(&row.required == yes)
    }
}

/// The first cell (or glued key) of every row of a table.
pub fn row_keys(t: &Found) -> Vec<&str> {
    match &t.table {
        Table::Cells(rows) => rows
            .iter()
            .filter_map(|r| r.first().map(String::as_str))
            .collect(),
        Table::Glued(rows) => rows.iter().filter_map(|r| page::glued_key(r)).collect(),
    }
}

/// The index of the contract table: the one holding the most contract rows (at least three of
/// the four), whatever their order. A parameter table with a `model` row has only that one.
pub fn find(tables: &[Found]) -> Option<usize> {
    let score = |t: &Found| {
        let keys = row_keys(t);
        CONTRACT_KEYS.iter().filter(|k| keys.contains(k)).count()
    };
    let best = (0..tables.len()).max_by_key(|&i| (score(&tables[i]), std::cmp::Reverse(i)))?;
    (score(&tables[best]) >= 3).then_some(best)
}

/// Reads the contract table of model `id`.
pub fn read(t: &Found, id: &str) -> Contract {
    let rows: Vec<Row> = match &t.table {
        Table::Cells(rows) => rows
            .iter()
            .filter(|r| r.len() >= 5)
            .map(|r| Row {
                key: r[0].clone(),
                kind: r[1].clone(),
                required: r[2].clone(),
                description: r[4].clone(),
            })
            .collect(),
        Table::Glued(rows) => rows.iter().filter_map(|r| glued_row(r, id)).collect(),
    };
    let word = |key: &str| {
        rows.iter()
            .find(|r: &&Row| r.key == key)
            .map(|r| r.required.clone())
    };
    let words = match (word("model"), word("client_request_id")) {
        (Some(yes), Some(no)) if !yes.is_empty() && !no.is_empty() && yes != no => Some((yes, no)),
        _ => None,
    };
    Contract { rows, words }
}

/// `modelstringYesdemo-videoThe model id.`: key, type, required word (possibly dropped), then
/// the default (the id for `model`, `-` otherwise) and the description.
fn glued_row(r: &str, id: &str) -> Option<Row> {
    let key = page::glued_key(r)?;
    let rest = &r[key.len()..];
    let kind = ["string", "object", "array"]
        .into_iter()
        .find(|t| rest.starts_with(t))?;
    let rest = &rest[kind.len()..];
    let stop = if key == "model" {
        rest.find(id)?
    } else {
        rest.find('-')?
    };
    let after = &rest[stop..];
    let description = after
        .strip_prefix(if key == "model" { id } else { "-" })
        .unwrap_or(after);
    Some(Row {
        key: key.to_owned(),
        kind: kind.to_owned(),
        required: rest[..stop].to_owned(),
        description: description.to_owned(),
    })
}
