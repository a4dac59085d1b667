//! Chat sessions and turns, kept in the same persisted state as tasks (so a restarted
//! emulator on the same `--state-dir` remembers turns and their idempotency keys), and the
//! work of one turn: judge it, reserve, reply, settle.

use rivya_models::{ErrorCode, ModelInfo, catalog, price};
use rivya_rules::stamp::now_ms;
use serde_json::{Value, json};

use crate::ChatFault;
use crate::api_err::ApiErr;
use crate::chat_data::{MessageRec, SessionRec, TurnRec};
use crate::chat_rule;
use crate::state::State;
use crate::time::iso8601;

/// The idempotency scope of chat turns: one for both endpoints.
const SCOPE: &str = "chat";

/// What a turn request came to.
pub struct Outcome {
    /// The turn's id.
    pub id: String,
    /// The stream fault planned for a new streamed turn (never for a replay).
    pub fault: Option<ChatFault>,
}

fn bad(status: u16, code: ErrorCode, message: String) -> ApiErr {
    ApiErr::new(status, code, message)
}

/// The chat model a body names, or `chat_model_not_supported`; a missing or non-string model
/// is left to the generated rules (`validation_failed`).
fn chat_model(body: &Value) -> Result<Option<&'static ModelInfo>, ApiErr> {
    let Some(id) = body.get("model").and_then(Value::as_str) else {
        return Ok(None);
    };
    match catalog::find(id) {
        Some(info) if info.is_chat() => Ok(Some(info)),
        Some(_) => Err(bad(
            400,
            ErrorCode::ChatModelNotSupported,
            format!("`{id}` is not a chat model; create its tasks with POST /api/v1/generations"),
        )),
        None => Err(bad(
            400,
            ErrorCode::ChatModelNotSupported,
            format!("`{id}` is not a chat model of the catalog"),
        )),
    }
}

/// Judges a body by the generated rules: its chat model, or every violation.
fn judge(body: &Value) -> Result<&'static ModelInfo, ApiErr> {
    chat_model(body)?;
    catalog::validate_value(body).map_err(|e| {
        let list: Vec<String> = e.violations.iter().map(ToString::to_string).collect();
        bad(400, ErrorCode::ValidationFailed, list.join("; "))
    })
}

impl State {
    fn chat_id(&mut self, prefix: &str) -> String {
        self.data.chat.next_id += 1;
        format!(
            "{prefix}_emu_{}_{:06}",
            self.data.namespace, self.data.chat.next_id
        )
    }

    /// Runs one chat turn: replays it when `key` was seen with this body, else judges it,
    /// reserves its credits, replies and settles. `stream` plans a stream fault for a new turn.
    pub fn chat_turn(
        &mut self,
        body: &Value,
        key: Option<&str>,
        stream: bool,
    ) -> Result<Outcome, ApiErr> {
        // A failed turn's key may be sent again: it runs anew, in the failed turn's session.
        let mut retry_in = None;
        if let Some(k) = key
            && let Some(id) = self.replay(SCOPE, k, body)?
            && let Some(t) = self.data.chat.turn(&id)
        {
            if !t.failed {
                self.data.chat.replayed += 1;
                return Ok(Outcome { id, fault: None });
            }
            retry_in = Some(t.session_id.clone());
        }
        let info = judge(body)?;
        let session_id = retry_in.or_else(|| {
            body.get("session_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if let Some(sid) = &session_id {
            self.check_session(sid, info)?;
        }
        let attachments = body
            .get("attachments")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (i, a) in attachments.iter().enumerate() {
            let id = a.get("file_id").and_then(Value::as_str).unwrap_or_default();
            self.check_attachment(i, id, info)?;
        }
        let id = self.create_turn(info, body, session_id, attachments.len() as u64)?;
        if let Some(k) = key {
            self.remember(SCOPE, k, body.clone(), id.clone());
        }
        let fault = self.planned_fault(&id, stream);
        if matches!(fault, Some(ChatFault::ErrorAfter(_))) {
            self.fail_turn(&id);
        }
        Ok(Outcome { id, fault })
    }

    fn check_session(&self, sid: &str, info: &ModelInfo) -> Result<(), ApiErr> {
        match self.data.chat.session(sid) {
            None => Err(bad(
                404,
                ErrorCode::NotFound,
                format!("no chat session {sid}"),
            )),
            Some(s) if s.model != info.id => Err(bad(
                409,
                ErrorCode::ChatSessionConflict,
                format!(
                    "chat session {sid} belongs to `{}`, not `{}`; start a new session",
                    s.model, info.id
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// An attachment must name an uploaded image of a type the model takes.
    fn check_attachment(&self, i: usize, id: &str, info: &ModelInfo) -> Result<(), ApiErr> {
        let refuse = |why: String| {
            bad(
                400,
                ErrorCode::ChatAttachmentNotSupported,
                format!("attachments[{i}].file_id `{id}`: {why}"),
            )
        };
        let Some(file) = self.data.files.get(id) else {
            return Err(refuse("no uploaded file has this id".into()));
        };
        let kind = file.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind != "image" {
            return Err(refuse(format!("it is {kind}, not an image")));
        }
        let mime = file
            .get("mime_type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let allowed = info
            .upload
            .iter()
            .flat_map(|u| u.kinds)
            .filter(|k| k.kind == rivya_models::MediaKind::Image)
            .flat_map(|k| k.mime_types.iter().copied())
            .collect::<Vec<&str>>();
        if !allowed.is_empty() && !allowed.contains(&mime) {
            return Err(refuse(format!(
                "`{}` takes {} images, not {mime}",
                info.id,
                allowed.join(", ")
            )));
        }
        Ok(())
    }

    /// Reserves, replies and settles a new turn (in a new session when none is given).
    fn create_turn(
        &mut self,
        info: &ModelInfo,
        body: &Value,
        session_id: Option<String>,
        attachments: u64,
    ) -> Result<String, ApiErr> {
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let web = body.get("enable_web_search").and_then(Value::as_bool) == Some(true);
        let base = u64::from(info.base_credits);
        let input_tokens = price::input_tokens(message, attachments);
        let reserved = price::chat_reserved(base, input_tokens);
        if self.data.wallet < reserved as f64 {
            return Err(bad(
                402,
                ErrorCode::InsufficientCredits,
                format!(
                    "this turn reserves {reserved} credits; the balance is {}",
                    self.data.wallet
                ),
            ));
        }
        let now = now_ms();
        let sid = match session_id {
            Some(s) => s,
            None => self.new_session(info, now),
        };
        let turn_no = self.data.chat.session(&sid).map_or(0, |s| s.turns) + 1;
        let content =
            chat_rule::reply(info.id, turn_no, message, web, self.config.chat_reply_bytes);
        let output_tokens = price::tokens(&content);
        let final_credits = price::chat_final(base, reserved, input_tokens + output_tokens);
        // Reserved before the reply, then settled: the difference goes back.
        self.data.wallet -= reserved as f64;
        self.data.wallet += (reserved - final_credits) as f64;
        let id = self.chat_id("chatcmpl");
        let message_id = self.add_messages(&sid, message, &content, now);
        self.data.chat.turns.push(TurnRec {
            id: id.clone(),
            session_id: sid,
            model: info.id.to_owned(),
            created_ms: now,
            message_id,
            content,
            input_tokens,
            output_tokens,
            reserved,
            final_credits,
            failed: false,
        });
        Ok(id)
    }

    fn new_session(&mut self, info: &ModelInfo, now: u64) -> String {
        let id = self.chat_id("chs");
        self.data.chat.sessions.push(SessionRec {
            id: id.clone(),
            model: info.id.to_owned(),
            created_ms: now,
            updated_ms: now,
            turns: 0,
            messages: Vec::new(),
        });
        id
    }

    /// Adds a turn's user and assistant messages to its session; returns the assistant's id.
    fn add_messages(&mut self, sid: &str, message: &str, reply: &str, now: u64) -> String {
        let user_id = self.chat_id("msg");
        let message_id = self.chat_id("msg");
        if let Some(s) = self.data.chat.sessions.iter_mut().find(|s| s.id == sid) {
            s.turns += 1;
            s.updated_ms = now;
            s.messages.push(MessageRec {
                id: user_id,
                role: "user".into(),
                content: message.to_owned(),
                created_ms: now,
            });
            s.messages.push(MessageRec {
                id: message_id.clone(),
                role: "assistant".into(),
                content: reply.to_owned(),
                created_ms: now,
            });
        }
        message_id
    }

    /// The fault of a new streamed turn: a queued one first, else the seeded rates, placed
    /// after a random number of deltas.
    fn planned_fault(&mut self, id: &str, stream: bool) -> Option<ChatFault> {
        if !stream {
            return None;
        }
        if let Some(f) = self.chat_faults.pop_front() {
            return Some(f);
        }
        let deltas = self
            .data
            .chat
            .turn(id)
            .map_or(0, |t| chat_rule::deltas(&t.content).len());
        let (cut, error) = (
            self.config.faults.chat_stream_cut,
            self.config.faults.chat_stream_error,
        );
        // The session event, then 0 to all the deltas.
        let place = |s: &mut Self| 1 + (s.draw() * (deltas + 1) as f64) as usize;
        if cut > 0.0 && self.draw() < cut {
            return Some(ChatFault::CutAfter(place(self).min(deltas + 1)));
        }
        if error > 0.0 && self.draw() < error {
            return Some(ChatFault::ErrorAfter(place(self).min(deltas + 1)));
        }
        None
    }

    /// A turn that ends in an error event: refunded whole and taken out of its session.
    fn fail_turn(&mut self, id: &str) {
        let Some(t) = self.data.chat.turns.iter_mut().find(|t| t.id == id) else {
            return;
        };
        t.failed = true;
        self.data.wallet += t.final_credits as f64;
        t.final_credits = 0;
        let (sid, mid) = (t.session_id.clone(), t.message_id.clone());
        if let Some(s) = self.data.chat.sessions.iter_mut().find(|s| s.id == sid)
            && let Some(pos) = s.messages.iter().position(|m| m.id == mid)
        {
            // The assistant message and the user message before it.
            s.messages.drain(pos.saturating_sub(1)..=pos);
            s.turns -= 1;
        }
    }

    /// The completion object of a turn.
    pub fn completion_json(&self, id: &str) -> Option<Value> {
        let t = self.data.chat.turn(id)?;
        Some(json!({
            "id": t.id,
            "object": "chat.completion",
            "session_id": t.session_id,
            "model": t.model,
            "created_at": iso8601(t.created_ms),
            "message": {"id": t.message_id, "role": "assistant", "content": t.content},
            "usage": {
                "input_tokens": t.input_tokens,
                "output_tokens": t.output_tokens,
                "total_tokens": t.input_tokens + t.output_tokens,
            },
            "credits": {"reserved": t.reserved, "final": t.final_credits},
        }))
    }

    /// A session object; with its messages when `full`.
    pub fn session_json(&self, id: &str, full: bool) -> Option<Value> {
        let s = self.data.chat.session(id)?;
        let mut json = json!({
            "id": s.id,
            "object": "chat.session",
            "model": s.model,
            "created_at": iso8601(s.created_ms),
            "updated_at": iso8601(s.updated_ms),
            "turns": s.turns,
        });
        if full {
            let messages: Vec<Value> = s
                .messages
                .iter()
                .map(|m| json!({"id": m.id, "role": m.role, "content": m.content, "created_at": iso8601(m.created_ms)}))
                .collect();
            json["messages"] = Value::from(messages);
        }
        Some(json)
    }

    /// Every session, newest first.
    pub fn sessions_json(&self) -> Value {
        let mut list: Vec<&SessionRec> = self.data.chat.sessions.iter().collect();
        list.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
        let data: Vec<Value> = list
            .iter()
            .filter_map(|s| self.session_json(&s.id, false))
            .collect();
        json!({"object": "list", "data": data})
    }
}
