//! The emulator's deterministic chat replies and their deltas. The settlement rule it charges
//! by is `rivya_models::price` (one definition, shared with `quote`).
//!
//! The API documents that a turn's credits are reserved before the model call and settled from
//! token usage, but not how; the rule chosen for this workspace (the chat wire contract, see
//! `rivya_runtime::chat`, "Wire assumptions") is written out in the crate docs and in
//! `rivya-emulator --help`, and implemented here. `reserved - final` goes back to the wallet
//! when the turn completes; a turn that ends in an error event is refunded whole.

/// Characters (not bytes) per streamed delta.
pub const DELTA_CHARS: usize = 16;

/// The deterministic reply of turn `turn` (1-based) of a session, padded to `pad_to` bytes.
pub fn reply(
    model: &str,
    turn: u64,
    message: &str,
    web_search: bool,
    pad_to: Option<usize>,
) -> String {
    let mut text = format!("[{model}] turn {turn}: you said: {message}");
    if web_search {
        text.push_str(" (web search on)");
    }
    if let Some(n) = pad_to {
        // ASCII filler, so bytes and characters agree and the length is exact.
        const FILLER: &[u8] = b" lorem ipsum dolor sit amet";
        let mut i = 0;
        while text.len() < n {
            text.push(char::from(FILLER[i % FILLER.len()]));
            i += 1;
        }
    }
    text
}

/// The reply cut into deltas of [`DELTA_CHARS`] characters (at character boundaries).
pub fn deltas(text: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(text.len() / DELTA_CHARS + 1);
    let mut start = 0;
    for (n, (i, _)) in text.char_indices().enumerate() {
        if n > 0 && n % DELTA_CHARS == 0 {
            out.push(&text[start..i]);
            start = i;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_deterministic_and_padded_exactly() {
        let r = reply("m", 2, "hi", true, None);
        assert_eq!(r, "[m] turn 2: you said: hi (web search on)");
        assert_eq!(reply("m", 1, "hi", false, Some(1000)).len(), 1000);
        assert_eq!(
            reply("m", 1, "hi", false, Some(3)),
            "[m] turn 1: you said: hi"
        );
    }

    #[test]
    fn deltas_split_at_char_boundaries_and_join_back() {
        let text = "é".repeat(20) + "abc";
        let parts = deltas(&text);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].chars().count(), 16);
        assert_eq!(parts.concat(), text);
        assert!(deltas("").is_empty());
    }
}
