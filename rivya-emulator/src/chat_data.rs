//! Chat sessions and turns as the state keeps (and persists) them.

use serde::{Deserialize, Serialize};

/// One message of a session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageRec {
    pub id: String,
    pub role: String,
    pub content: String,
    pub created_ms: u64,
}

/// A session: its model and the messages of its completed turns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRec {
    pub id: String,
    pub model: String,
    pub created_ms: u64,
    pub updated_ms: u64,
    pub turns: u64,
    pub messages: Vec<MessageRec>,
}

/// One turn, settled when it was created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TurnRec {
    pub id: String,
    pub session_id: String,
    pub model: String,
    pub created_ms: u64,
    pub message_id: String,
    pub content: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub reserved: u64,
    pub final_credits: u64,
    /// Ended in an error event: refunded whole, not part of its session.
    pub failed: bool,
}

/// Everything chat, persisted with the rest of the state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChatData {
    pub sessions: Vec<SessionRec>,
    pub turns: Vec<TurnRec>,
    /// Turns answered by replaying an earlier turn (same key, same body).
    pub replayed: usize,
    pub next_id: u64,
}

impl ChatData {
    pub fn turn(&self, id: &str) -> Option<&TurnRec> {
        self.turns.iter().find(|t| t.id == id)
    }

    pub fn session(&self, id: &str) -> Option<&SessionRec> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Turns created (failed ones included), turns replayed, credits kept.
    pub fn counts(&self) -> (usize, usize, u64) {
        let spent = self.turns.iter().map(|t| t.final_credits).sum();
        (self.turns.len(), self.replayed, spent)
    }
}
