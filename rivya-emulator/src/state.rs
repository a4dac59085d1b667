//! The emulator's world: a wallet, tasks on a clock, uploaded files, idempotency records and
//! the fault plan. Handlers lock it briefly and never await while holding it.
//!
//! What must outlive a process (tasks, files, wallet, idempotency records, counters, the
//! random generator's position) lives in [`Data`], which serializes to the state directory's
//! `state.json` (see `store.rs`); the rest (config, queued faults) belongs to the process.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use rivya_models::wire::json_number;
use rivya_models::{Capability, ModelInfo, catalog};
use rivya_models::{ErrorCode, TaskStatus};
use rivya_rules::stamp::now_ms;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api_err::ApiErr;
use crate::chat_data::ChatData;
use crate::time::iso8601;
use crate::webhook_data::Hooks;
use crate::{Config, Fault};

/// Counters and the wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Every request received.
    pub requests: usize,
    /// Tasks created (idempotent replays not counted).
    pub tasks_created: usize,
    /// Tasks that ended `failed` (and were refunded).
    pub tasks_failed: usize,
    /// Creates answered with an earlier task because their `Idempotency-Key` was seen before.
    pub creates_replayed: usize,
    /// Files stored.
    pub files: usize,
    /// The wallet's balance.
    pub credits: f64,
    /// Credits kept for succeeded tasks.
    pub charged: f64,
    /// Credits returned for failed tasks.
    pub refunded: f64,
    /// Chat turns created (replays not counted; turns that ended in an error event counted).
    pub chat_turns_created: usize,
    /// Chat turns answered by replaying an earlier turn with the same key and body.
    pub chat_turns_replayed: usize,
    /// Credits kept for chat turns (their `final`).
    pub chat_credits_spent: u64,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One task; its timeline is fixed when it is created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskRec {
    pub id: String,
    pub model: String,
    pub created_ms: u64,
    pub processing_ms: u64,
    pub done_ms: u64,
    pub reserved: f64,
    pub doomed: bool,
    pub settled: bool,
}

impl TaskRec {
    fn status_at(&self, now: u64) -> TaskStatus {
        if now < self.processing_ms {
            TaskStatus::Queued
        } else if now < self.done_ms {
            TaskStatus::Processing
        } else if self.doomed {
            TaskStatus::Failed
        } else {
            TaskStatus::Succeeded
        }
    }

    /// When the task last changed: its creation, the start of processing, or its end.
    fn updated_ms(&self, now: u64) -> u64 {
        if now < self.processing_ms {
            self.created_ms
        } else if now < self.done_ms {
            self.processing_ms
        } else {
            self.done_ms
        }
    }
}

/// An idempotency record: the body first seen with a key, and what it created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Replay {
    pub body: Value,
    pub id: String,
}

/// Everything that persists across processes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Data {
    /// A random tag in every id, so ids stay unique across resets and emulators.
    pub namespace: String,
    pub wallet: f64,
    pub charged: f64,
    pub refunded: f64,
    pub requests: usize,
    /// Creates answered by replaying an earlier task (a state file from before has none).
    #[serde(default)]
    pub replayed: usize,
    pub doom: usize,
    pub rng_seed: u64,
    pub next_task: u64,
    pub next_file: u64,
    pub tasks: Vec<TaskRec>,
    /// File records by id (without their URL, which depends on where the emulator serves).
    pub files: BTreeMap<String, Value>,
    /// Idempotency records by `scope key`.
    pub idempotent: BTreeMap<String, Replay>,
    /// Webhook endpoints and their deliveries.
    #[serde(default)]
    pub hooks: Hooks,
    /// Chat sessions and turns (their keys are in `idempotent`, scope `chat`).
    #[serde(default)]
    pub chat: ChatData,
}

impl Data {
    pub fn new(config: &Config) -> Self {
        let mut rng = fastrand::Rng::new();
        let namespace: String = (0..6)
            .map(|_| {
                let n = rng.u8(..36);
                char::from_digit(u32::from(n), 36).unwrap_or('0')
            })
            .collect();
        Self {
            namespace,
            wallet: config.credits,
            charged: 0.0,
            refunded: 0.0,
            requests: 0,
            replayed: 0,
            doom: 0,
            rng_seed: config.seed,
            next_task: 1,
            next_file: 1,
            tasks: Vec::new(),
            files: BTreeMap::new(),
            idempotent: BTreeMap::new(),
            hooks: Hooks::default(),
            chat: ChatData::default(),
        }
    }
}

pub struct State {
    pub config: Config,
    pub base_url: String,
    pub data: Data,
    rng: fastrand::Rng,
    pub faults: VecDeque<Fault>,
    /// Webhook faults queued by tests, used before the random rates.
    pub webhook_faults: VecDeque<crate::WebhookFault>,
    /// Chat stream faults queued by tests, used before the random rates.
    pub chat_faults: VecDeque<crate::ChatFault>,
}

impl State {
    pub fn new(config: Config, base_url: String) -> Self {
        let data = Data::new(&config);
        Self {
            rng: fastrand::Rng::with_seed(data.rng_seed),
            data,
            config,
            base_url,
            faults: VecDeque::new(),
            webhook_faults: VecDeque::new(),
            chat_faults: VecDeque::new(),
        }
    }

    /// A random draw from the seeded generator (persisted with the state).
    pub fn draw(&mut self) -> f64 {
        self.rng.f64()
    }

    /// Replaces the persistent part with what another process saved.
    pub fn load(&mut self, data: Data) {
        self.rng = fastrand::Rng::with_seed(data.rng_seed);
        self.data = data;
    }

    /// The persistent part, with the random generator's position, ready to save.
    pub fn snapshot(&mut self) -> &Data {
        self.data.rng_seed = self.rng.get_seed();
        &self.data
    }

    /// Counts a request and checks its API key.
    pub fn authorize(&mut self, header: Option<&str>) -> Result<(), ApiErr> {
        self.data.requests += 1;
        let Some(value) = header else {
            return Err(ApiErr::new(
                401,
                ErrorCode::ApiKeyMissing,
                "send Authorization: Bearer <key>",
            ));
        };
        let key = value.strip_prefix("Bearer ").unwrap_or("");
        if self.config.api_keys.iter().any(|k| k == key) {
            Ok(())
        } else {
            Err(ApiErr::new(
                401,
                ErrorCode::ApiKeyInvalid,
                "this API key is not valid",
            ))
        }
    }

    /// Counts an unauthenticated request.
    pub fn count(&mut self) {
        self.data.requests += 1;
    }

    /// The fault for this request: a queued one first, else a random draw.
    pub fn next_fault(&mut self) -> Option<Fault> {
        if let Some(f) = self.faults.pop_front() {
            return Some(f);
        }
        let r = &self.config.faults;
        let draws = [
            (
                r.rate_limited,
                Fault::RateLimited {
                    retry_after_secs: 1,
                },
            ),
            (r.unavailable, Fault::Unavailable),
            (r.server_error, Fault::ServerError),
            (r.slow, Fault::Slow(r.slow_for)),
            (r.drop_after_create, Fault::DropAfterCreate),
        ];
        draws
            .into_iter()
            .find(|(p, _)| *p > 0.0 && self.rng.f64() < *p)
            .map(|(_, f)| f)
    }

    /// An idempotent replay, a conflict, or nothing recorded for `key`.
    pub fn replay(
        &mut self,
        scope: &str,
        key: &str,
        body: &Value,
    ) -> Result<Option<String>, ApiErr> {
        match self.data.idempotent.get(&format!("{scope} {key}")) {
            Some(r) if r.body == *body => {
                let id = r.id.clone();
                if scope == "generations" {
                    self.data.replayed += 1;
                }
                Ok(Some(id))
            }
            Some(_) => Err(ApiErr::new(
                409,
                ErrorCode::IdempotencyConflict,
                "this Idempotency-Key was used with a different body",
            )),
            None => Ok(None),
        }
    }

    pub fn remember(&mut self, scope: &str, key: &str, body: Value, id: String) {
        self.data
            .idempotent
            .insert(format!("{scope} {key}"), Replay { body, id });
    }

    /// Validates with the generated rules, reserves credits and creates a task.
    pub fn create_task(&mut self, body: &Value) -> Result<String, ApiErr> {
        if let Some(info) = body
            .get("model")
            .and_then(Value::as_str)
            .and_then(catalog::find)
            && info.is_chat()
        {
            return Err(ApiErr::new(
                400,
                ErrorCode::ValidationFailed,
                format!(
                    "`{}` is a chat model: send its turns to POST /api/v1/chat/completions",
                    info.id
                ),
            ));
        }
        let info = catalog::validate_value(body).map_err(|e| {
            let list: Vec<String> = e.violations.iter().map(ToString::to_string).collect();
            ApiErr::new(400, ErrorCode::ValidationFailed, list.join("; "))
        })?;
        let cost = f64::from(info.base_credits) * self.config.reserve_factor;
        if self.data.wallet < cost {
            return Err(ApiErr::new(
                402,
                ErrorCode::InsufficientCredits,
                format!(
                    "this task needs {cost} credits; the balance is {}",
                    self.data.wallet
                ),
            ));
        }
        self.data.wallet -= cost;
        let doomed = if self.data.doom > 0 {
            self.data.doom -= 1;
            true
        } else {
            let p = self.config.faults.task_failure;
            p > 0.0 && self.rng.f64() < p
        };
        let id = format!(
            "task_emu_{}_{:06}",
            self.data.namespace, self.data.next_task
        );
        self.data.next_task += 1;
        let created_ms = now_ms();
        let processing_ms = created_ms.saturating_add(ms(self.config.queued_for));
        self.data.tasks.push(TaskRec {
            id: id.clone(),
            model: info.id.to_owned(),
            created_ms,
            processing_ms,
            done_ms: processing_ms.saturating_add(ms(self.config.processing_for)),
            reserved: cost,
            doomed,
            settled: false,
        });
        Ok(id)
    }

    fn find(&self, id: &str) -> Option<&TaskRec> {
        self.data.tasks.iter().find(|t| t.id == id)
    }

    /// Charges or refunds every task that has become terminal; returns the ids it settled.
    pub fn settle(&mut self) -> Vec<String> {
        let now = now_ms();
        let mut done = Vec::new();
        for t in &mut self.data.tasks {
            let status = t.status_at(now);
            if t.settled || !status.is_terminal() {
                continue;
            }
            t.settled = true;
            if status == TaskStatus::Failed {
                self.data.wallet += t.reserved;
                self.data.refunded += t.reserved;
            } else {
                self.data.charged += t.reserved;
            }
            done.push(t.id.clone());
        }
        // Every place that notices a task ending also queues its webhook deliveries.
        for id in &done {
            if let Some(task) = self.task_json(id) {
                self.queue_deliveries(&task);
            }
        }
        done
    }

    /// The task object, as create, status and webhooks carry it.
    pub fn task_json(&self, id: &str) -> Option<Value> {
        let t = self.find(id)?;
        let now = now_ms();
        let status = t.status_at(now);
        let info: Option<&ModelInfo> = catalog::find(&t.model);
        let ext = match info.map(|i| i.capability) {
            Some(Capability::Video) => "mp4",
            Some(Capability::Audio) => "mp3",
            _ => "png",
        };
        let url = format!("{}/results/{}.{ext}", self.base_url, t.id);
        let (result, error, final_credits) = match status {
            TaskStatus::Succeeded => (
                json!({"primary_url": url, "urls": [url]}),
                Value::Null,
                t.reserved,
            ),
            TaskStatus::Failed => (
                Value::Null,
                json!({"code": "generation_failed", "message": "the emulator failed this task on purpose"}),
                0.0,
            ),
            _ => (Value::Null, Value::Null, 0.0),
        };
        Some(json!({
            "id": t.id,
            "status": status.as_str(),
            "model": t.model,
            // Whole credits as the API writes them (`90`, not `90.0`).
            "reserved_credits": json_number(t.reserved),
            "final_credits": json_number(final_credits),
            "created_at": iso8601(t.created_ms),
            "updated_at": iso8601(t.updated_ms(now)),
            "result": result,
            "error": error,
        }))
    }

    /// Stores an uploaded file's record; video and audio get a duration token.
    pub fn store_file(&mut self, json: Value, duration_token: bool) -> String {
        let id = format!(
            "file_emu_{}_{:06}",
            self.data.namespace, self.data.next_file
        );
        self.data.next_file += 1;
        let mut json = json;
        json["id"] = Value::from(id.clone());
        if duration_token {
            json["duration_token"] = Value::from(format!("dt_{id}"));
        }
        self.data.files.insert(id.clone(), json);
        id
    }

    /// A file's record, with its URL on this emulator.
    pub fn file_json(&self, id: &str) -> Option<Value> {
        let mut json = self.data.files.get(id)?.clone();
        json["url"] = Value::from(format!("{}/files-content/{id}", self.base_url));
        Some(json)
    }

    pub fn wallet(&self) -> f64 {
        self.data.wallet
    }

    pub fn stats(&self) -> Stats {
        let (chat_turns_created, chat_turns_replayed, chat_credits_spent) = self.data.chat.counts();
        Stats {
            chat_turns_created,
            chat_turns_replayed,
            chat_credits_spent,
            requests: self.data.requests,
            tasks_created: self.data.tasks.len(),
            tasks_failed: {
                let now = now_ms();
                let failed = |t: &&TaskRec| t.status_at(now) == TaskStatus::Failed;
                self.data.tasks.iter().filter(failed).count()
            },
            creates_replayed: self.data.replayed,
            files: self.data.files.len(),
            credits: self.data.wallet,
            charged: self.data.charged,
            refunded: self.data.refunded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_at_moves_only_when_the_task_changes() {
        let t = TaskRec {
            id: "t".into(),
            model: "kling-3-0".into(),
            created_ms: 1_000,
            processing_ms: 1_500,
            done_ms: 3_500,
            reserved: 90.0,
            doomed: false,
            settled: false,
        };
        let cases = [
            (1_000, TaskStatus::Queued, 1_000),
            (1_499, TaskStatus::Queued, 1_000),
            (1_500, TaskStatus::Processing, 1_500),
            (3_000, TaskStatus::Processing, 1_500),
            (3_500, TaskStatus::Succeeded, 3_500),
            (99_999, TaskStatus::Succeeded, 3_500),
        ];
        for (now, status, updated) in cases {
            assert_eq!(t.status_at(now), status, "at {now}");
            assert_eq!(t.updated_ms(now), updated, "at {now}");
        }
    }
}
