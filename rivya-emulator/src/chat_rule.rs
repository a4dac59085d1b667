//! The emulator's chat settlement rule and its deterministic replies.
//!
//! The API documents that a turn's credits are reserved before the model call and settled from
//! token usage, but not how; the rule chosen for this workspace (the chat wire contract, see
//! `rivya_runtime::chat`, "Wire assumptions") is written out in the crate docs and in
//! `rivya-emulator --help`, and implemented here. `reserved - final` goes back to the wallet
//! when the turn completes; a turn that ends in an error event is refunded whole.

/// Tokens one attachment adds to a turn's input.
pub const ATTACHMENT_TOKENS: u64 = 256;
/// Tokens reserved on top of the input for the answer.
pub const RESERVED_OUTPUT_TOKENS: u64 = 4096;
/// Characters (not bytes) per streamed delta.
pub const DELTA_CHARS: usize = 16;

/// `ceil(utf16_len(text) / 4)`.
pub fn tokens(text: &str) -> u64 {
    (text.encode_utf16().count() as u64).div_ceil(4)
}

/// The credits reserved before the reply: `base * ceil((input + 4096) / 1000)`.
pub fn reserved(base_credits: u64, input_tokens: u64) -> u64 {
    base_credits
        .saturating_mul((input_tokens.saturating_add(RESERVED_OUTPUT_TOKENS)).div_ceil(1000))
}

/// The credits kept: `min(reserved, max(1, ceil(base * total / 1000)))`.
pub fn final_credits(base_credits: u64, reserved: u64, total_tokens: u64) -> u64 {
    let used = base_credits.saturating_mul(total_tokens).div_ceil(1000);
    reserved.min(used.max(1))
}

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
    fn the_rule_on_small_numbers() {
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("abcd"), 1);
        assert_eq!(tokens("abcde"), 2);
        assert_eq!(tokens("😀😀"), 1, "UTF-16 units, not chars");
        assert_eq!(reserved(3, 2), 15);
        assert_eq!(reserved(3, 904), 15);
        assert_eq!(reserved(3, 905), 18);
        assert_eq!(final_credits(3, 15, 12), 1);
        assert_eq!(final_credits(3, 15, 1001), 4);
        assert_eq!(final_credits(3, 15, 100_000), 15);
    }

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
