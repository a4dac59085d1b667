//! Maps YAML paths (`params[2].default`) to the line and column where they are written.
//!
//! serde_yaml reports positions only for the first structural error, and its `Value` carries no
//! positions at all; this index lets every semantic diagnostic point at its line too.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// Positions of every node of a YAML document, by path, read on the first lookup: a spec
/// without problems never needs them, so the happy path parses its YAML once, not twice.
#[derive(Debug)]
pub struct Index<'t> {
    text: &'t str,
    positions: OnceCell<BTreeMap<String, Pos>>,
}

impl<'t> Index<'t> {
    /// An index of `text`. A document the parser cannot read yields an empty index (serde_yaml
    /// will have reported the syntax error with its own position).
    pub fn new(text: &'t str) -> Self {
        Index {
            text,
            positions: OnceCell::new(),
        }
    }

    fn positions(&self) -> &BTreeMap<String, Pos> {
        self.positions.get_or_init(|| {
            let mut builder = Builder::default();
            for event in Parser::new_from_str(self.text) {
                let Ok((event, span)) = event else { break };
                let pos = Pos {
                    line: span.start.line(),
                    col: span.start.col() + 1,
                };
                builder.event(event, pos);
            }
            builder.positions
        })
    }

    /// The position of `path`, or of its nearest indexed ancestor, or the top of the file.
    pub fn find(&self, path: &str) -> Pos {
        let positions = self.positions();
        let mut p = path;
        loop {
            if let Some(pos) = positions.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return Pos { line: 1, col: 1 },
            }
        }
    }
}

enum Frame {
    /// Inside a mapping: the path of the mapping, and the pending key once read.
    Map { path: String, key: Option<String> },
    /// Inside a sequence: its path and the next item's index.
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    positions: BTreeMap<String, Pos>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, pos: Pos) {
        match event {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map {
                    path,
                    key: key @ None,
                }) = self.stack.last_mut()
                {
                    // A mapping key: remember it; the key's position stands for its value.
                    let child = join(path, &value);
                    self.positions.entry(child).or_insert(pos);
                    *key = Some(value.into_owned());
                } else {
                    self.value(pos);
                }
            }
            Event::Alias(_) => {
                self.value(pos);
            }
            Event::MappingStart(..) => {
                let path = self.value(pos);
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.value(pos);
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }

    /// Records a value node at `pos` and returns its path.
    fn value(&mut self, pos: Pos) -> String {
        let path = match self.stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key }) => {
                let k = key.take().unwrap_or_default();
                join(path, &k)
            }
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                p
            }
        };
        self.positions.entry(path.clone()).or_insert(pos);
        path
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_items_and_ancestors() {
        let text =
            "id: x\nparams:\n  - key: mode\n    options: [a, b]\n  - key: seed\n    min: 1\n";
        let idx = Index::new(text);
        assert_eq!(idx.find("id"), Pos { line: 1, col: 1 });
        assert_eq!(idx.find("params[0]"), Pos { line: 3, col: 5 });
        assert_eq!(idx.find("params[0].options[1]"), Pos { line: 4, col: 18 });
        assert_eq!(idx.find("params[1].min"), Pos { line: 6, col: 5 });
        assert_eq!(idx.find("params[1].nope"), Pos { line: 5, col: 5 });
        assert_eq!(idx.find("missing"), Pos { line: 1, col: 1 });
    }
}
