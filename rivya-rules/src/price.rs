//! Prices before paying: what a request will cost, from the model's spec and the rules the
//! workspace charges by.
//!
//! - `FIXED`: the page's base credits, exactly (the emulator reserves and keeps that).
//! - `METERED`: the base credits are reserved; the final charge follows the output, by a rule
//!   the pages do not give, so the quote is a range with no upper bound.
//! - `TOKEN_BASED` (chat): credits are reserved before the model call and settled from token
//!   usage. The docs give no rule; this workspace's (the emulator charges by it) is:
//!   `tokens(text) = ceil(utf16_len(text) / 4)`, `input = tokens(message) + 256 per attachment`,
//!   `reserved = base · ceil((input + 4096) / 1000)`,
//!   `final = min(reserved, max(1, ceil(base · total_tokens / 1000)))`. A turn's quote is
//!   `1 ..= reserved`.

use serde_json::{Map, Value};

use crate::{Billing, ModelInfo};

/// Tokens one chat attachment adds to a turn's input.
pub const ATTACHMENT_TOKENS: u64 = 256;
/// Tokens reserved on top of a turn's input for the answer.
pub const RESERVED_OUTPUT_TOKENS: u64 = 4096;

/// `ceil(utf16_len(text) / 4)`.
pub fn tokens(text: &str) -> u64 {
    (text.encode_utf16().count() as u64).div_ceil(4)
}

/// A chat turn's input tokens: its message and its attachments.
pub fn input_tokens(message: &str, attachments: u64) -> u64 {
    tokens(message).saturating_add(attachments.saturating_mul(ATTACHMENT_TOKENS))
}

/// The credits a chat turn reserves: `base · ceil((input + 4096) / 1000)`.
pub fn chat_reserved(base_credits: u64, input_tokens: u64) -> u64 {
    base_credits.saturating_mul(
        input_tokens
            .saturating_add(RESERVED_OUTPUT_TOKENS)
            .div_ceil(1000),
    )
}

/// The credits a chat turn keeps: `min(reserved, max(1, ceil(base · total / 1000)))`.
pub fn chat_final(base_credits: u64, reserved: u64, total_tokens: u64) -> u64 {
    let used = base_credits.saturating_mul(total_tokens).div_ceil(1000);
    reserved.min(used.max(1))
}

/// What a request will cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Quote {
    /// Exactly this many credits (`FIXED` billing).
    Exact {
        /// The credits reserved and kept.
        credits: u64,
    },
    /// Between `min` and `max` credits; `max` is `None` when nothing bounds the final charge.
    Range {
        /// The least the request can cost.
        min: u64,
        /// The most it can cost, when bounded.
        max: Option<u64>,
        /// What is reserved when the request is accepted.
        reserved: u64,
    },
}

impl Quote {
    /// The most the request can cost, when bounded (what a budget must allow for).
    pub fn max(&self) -> Option<u64> {
        match *self {
            Self::Exact { credits } => Some(credits),
            Self::Range { max, .. } => max,
        }
    }

    /// What is reserved when the request is accepted.
    pub fn reserved(&self) -> u64 {
        match *self {
            Self::Exact { credits } => credits,
            Self::Range { reserved, .. } => reserved,
        }
    }
}

/// The price of a valid request body of `info`'s model (validate it first: a body the rules
/// refuse is never sent, so it costs nothing).
pub fn quote(info: &ModelInfo, body: &Map<String, Value>) -> Quote {
    let base = u64::from(info.base_credits);
    match info.billing {
        Billing::Fixed => Quote::Exact { credits: base },
        Billing::TokenBased => {
            let message = body.get("message").and_then(Value::as_str).unwrap_or("");
            let attachments = body
                .get("attachments")
                .and_then(Value::as_array)
                .map_or(0, |a| a.len() as u64);
            let reserved = chat_reserved(base, input_tokens(message, attachments));
            Quote::Range {
                min: 1.min(reserved),
                max: Some(reserved),
                reserved,
            }
        }
        // METERED, and any billing added later: the base is reserved, the rest is unknown.
        _ => Quote::Range {
            min: base,
            max: None,
            reserved: base,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chat_rule_on_small_numbers() {
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("abcde"), 2);
        assert_eq!(tokens("😀😀"), 1, "UTF-16 units, not chars");
        assert_eq!(chat_reserved(3, 904), 15);
        assert_eq!(chat_reserved(3, 905), 18);
        assert_eq!(chat_final(3, 15, 12), 1);
        assert_eq!(chat_final(3, 15, 1001), 4);
        assert_eq!(chat_final(3, 15, 100_000), 15);
        assert_eq!(input_tokens("abcd", 2), 513);
    }
}
