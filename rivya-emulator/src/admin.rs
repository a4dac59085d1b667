//! Routes for tests and tools, under `/_emulator/` — clearly not part of the real API. They
//! need no key, inject no faults and are not counted as requests, so a test can read the
//! emulator's books from outside (another process, another language) without changing them.

use axum::Router;
use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rivya_models::wire::json_number;
use serde_json::json;

use crate::shared::{Shared, lock};

/// The `/_emulator/…` routes, merged into the API router.
pub fn router() -> Router<Shared> {
    Router::new().route("/_emulator/stats", get(stats))
}

/// `GET /_emulator/stats`: how many tasks were really created (replays not counted) and how
/// many of them failed, how many
/// creates were answered by replaying an earlier task, and the wallet, every due task settled;
/// and for chat, the turns created, the turns replayed and the credits they kept.
async fn stats(Extract(state): Extract<Shared>) -> Response {
    let mut s = match lock(&state) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    s.settle();
    let st = s.stats();
    drop(s);
    axum::Json(json!({
        "tasks_created": st.tasks_created,
        "tasks_failed": st.tasks_failed,
        "creates_replayed": st.creates_replayed,
        // Whole credits as the API writes them (`90`, not `90.0`).
        "credits_spent": json_number(st.charged),
        "credits_refunded": json_number(st.refunded),
        "credits_balance": json_number(st.credits),
        "files": st.files,
        "requests": st.requests,
        "chat_turns_created": st.chat_turns_created,
        "chat_turns_replayed": st.chat_turns_replayed,
        "chat_credits_spent": st.chat_credits_spent,
    }))
    .into_response()
}
