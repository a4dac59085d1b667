//! The page header: id, inputs, Files API note, credits, capability word, billing, prompt
//! limit and display name — found by their untranslated anchors, in any language.

use super::{ImportError, page};

/// What the header states.
#[derive(Debug, Clone)]
pub struct Header {
    pub id: String,
    pub inputs: Vec<String>,
    pub billing: String,
    pub base_credits: u32,
    /// The (translated) capability word, as written.
    pub capability_word: String,
    pub prompt_max: Option<u32>,
}

/// Reads the header, which ends where the request contract (at line `contract_line`) begins.
pub fn read(lines: &[&str], contract_line: usize) -> Result<Header, ImportError> {
    let nonempty: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].is_empty()).collect();
    let at = |k: usize| lines[nonempty[k]];
    let inputs_at = (0..nonempty.len())
        .find(|&k| page::parse_inputs(at(k)).is_some())
        .ok_or_else(|| {
            ImportError("no inputs line (`text`, `text, file`): is this a model page?".into())
        })?;
    let inputs = page::parse_inputs(at(inputs_at))
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let id = (0..inputs_at)
        .rev()
        .map(at)
        .find(|l| crate::naming::is_model_id(l))
        .ok_or_else(|| ImportError("no model id before the inputs line".into()))?
        .to_owned();
    let billing_at = (inputs_at..nonempty.len())
        .find(|&k| matches!(at(k), "FIXED" | "METERED" | "TOKEN_BASED"))
        .ok_or_else(|| ImportError("no billing line (FIXED, METERED, TOKEN_BASED)".into()))?;
    let credits_at = (inputs_at..billing_at)
        .rev()
        .find(|&k| at(k).chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| ImportError("no base credits before the billing line".into()))?;
    let base_credits = at(credits_at)
        .parse()
        .map_err(|_| ImportError("base credits are not a whole number".into()))?;
    // Between credits and billing: the capability word, after its label when there is one.
    let between: Vec<&str> = (credits_at + 1..billing_at).map(at).collect();
    let capability_word = match between.len() {
        1 => between[0],
        n if n >= 2 => between[1],
        _ => "",
    };
    let prompt_max = (billing_at + 1..nonempty.len())
        .take_while(|&k| nonempty[k] < contract_line)
        .take(3)
        .find_map(|k| page::leading_number(at(k)).filter(|(n, _)| *n > 0.0))
        .map(|(n, _)| n as u32);
    Ok(Header {
        id,
        inputs,
        billing: at(billing_at).to_ascii_lowercase(),
        base_credits,
        capability_word: capability_word.to_owned(),
        prompt_max,
    })
}

/// The display name: the longest run of words shared by the title and the line that
/// introduces the model ("Use Kling 3.0 through Rivya Public API v1 …", in any language).
pub fn display_name(lines: &[&str], id: &str) -> Option<String> {
    let intro = lines
        .iter()
        .position(|l| l.contains("Rivya Public API v1"))?;
    let title = lines[..intro].iter().rev().find(|l| !l.is_empty())?;
    let desc = lines[intro];
    let words: Vec<&str> = title.split_whitespace().collect();
    let mut best: Option<String> = None;
    for i in 0..words.len() {
        for j in (i + 1..=words.len()).rev() {
            let run = words[i..j].join(" ");
            let generic = matches!(run.as_str(), "API" | "Rivya" | "v1");
            if !generic && desc.contains(&run) && run != id {
                if best.as_ref().is_none_or(|b| run.len() > b.len()) {
                    best = Some(run);
                }
                break;
            }
        }
    }
    best
}
