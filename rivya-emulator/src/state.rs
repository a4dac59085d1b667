//! The emulator's world: a wallet, tasks on a clock, uploaded files, idempotency records and
//! the fault plan. Handlers lock it briefly and never await while holding it.

use std::collections::{HashMap, VecDeque};
use std::time::{Instant, SystemTime};

use rivya_models::{Capability, ModelInfo, catalog};
use serde_json::{Value, json};

use crate::time::iso8601;
use crate::{Config, Fault};

/// An API error to send: status, code, message, and `Retry-After` when set.
#[derive(Debug, Clone)]
pub struct ApiErr {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiErr {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Counters and the wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Every request received.
    pub requests: usize,
    /// Tasks created (idempotent replays not counted).
    pub tasks_created: usize,
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
}

struct TaskRec {
    id: String,
    info: &'static ModelInfo,
    started: Instant,
    created_at: SystemTime,
    reserved: f64,
    doomed: bool,
    settled: bool,
}

pub struct FileRec {
    pub json: Value,
}

pub struct State {
    config: Config,
    base_url: String,
    wallet: f64,
    tasks: Vec<TaskRec>,
    by_id: HashMap<String, usize>,
    files: HashMap<String, FileRec>,
    idempotent: HashMap<(&'static str, String), (Value, String)>,
    rng: fastrand::Rng,
    pub faults: VecDeque<Fault>,
    pub doom: usize,
    requests: usize,
    replayed: usize,
    charged: f64,
    refunded: f64,
}

impl State {
    pub fn new(config: Config, base_url: String) -> Self {
        Self {
            wallet: config.credits,
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            base_url,
            tasks: Vec::new(),
            by_id: HashMap::new(),
            files: HashMap::new(),
            idempotent: HashMap::new(),
            faults: VecDeque::new(),
            doom: 0,
            requests: 0,
            replayed: 0,
            charged: 0.0,
            refunded: 0.0,
        }
    }

    /// Counts a request and checks its API key.
    pub fn authorize(&mut self, header: Option<&str>) -> Result<(), ApiErr> {
        self.requests += 1;
        let Some(value) = header else {
            return Err(ApiErr::new(
                401,
                "api_key_missing",
                "send Authorization: Bearer <key>",
            ));
        };
        let key = value.strip_prefix("Bearer ").unwrap_or("");
        if self.config.api_keys.iter().any(|k| k == key) {
            Ok(())
        } else {
            Err(ApiErr::new(
                401,
                "api_key_invalid",
                "this API key is not valid",
            ))
        }
    }

    /// Counts an unauthenticated request.
    pub fn count(&mut self) {
        self.requests += 1;
    }

    /// The fault for this mutating request: a queued one first, else a random draw.
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
        scope: &'static str,
        key: &str,
        body: &Value,
    ) -> Result<Option<String>, ApiErr> {
        match self.idempotent.get(&(scope, key.to_owned())) {
            Some((b, id)) if b == body => {
                let id = id.clone();
                if scope == "generations" {
                    self.replayed += 1;
                }
                Ok(Some(id))
            }
            Some(_) => Err(ApiErr::new(
                409,
                "idempotency_conflict",
                "this Idempotency-Key was used with a different body",
            )),
            None => Ok(None),
        }
    }

    pub fn remember(&mut self, scope: &'static str, key: String, body: Value, id: String) {
        self.idempotent.insert((scope, key), (body, id));
    }

    /// Validates with the generated rules, reserves credits and creates a task.
    pub fn create_task(&mut self, body: &Value) -> Result<String, ApiErr> {
        let info = catalog::validate_value(body).map_err(|e| {
            let list: Vec<String> = e.violations.iter().map(ToString::to_string).collect();
            ApiErr::new(400, "validation_failed", list.join("; "))
        })?;
        let cost = f64::from(info.base_credits);
        if self.wallet < cost {
            return Err(ApiErr::new(
                402,
                "insufficient_credits",
                format!(
                    "this task needs {cost} credits; the balance is {}",
                    self.wallet
                ),
            ));
        }
        self.wallet -= cost;
        let doomed = if self.doom > 0 {
            self.doom -= 1;
            true
        } else {
            let p = self.config.faults.task_failure;
            p > 0.0 && self.rng.f64() < p
        };
        let id = format!("task_emu_{:06}", self.tasks.len() + 1);
        self.by_id.insert(id.clone(), self.tasks.len());
        self.tasks.push(TaskRec {
            id: id.clone(),
            info,
            started: Instant::now(),
            created_at: SystemTime::now(),
            reserved: cost,
            doomed,
            settled: false,
        });
        Ok(id)
    }

    fn status(&self, t: &TaskRec) -> &'static str {
        let e = t.started.elapsed();
        if e < self.config.queued_for {
            "queued"
        } else if e < self.config.queued_for + self.config.processing_for {
            "processing"
        } else if t.doomed {
            "failed"
        } else {
            "succeeded"
        }
    }

    /// Charges or refunds every task that has become terminal.
    pub fn settle(&mut self) {
        for i in 0..self.tasks.len() {
            let status = self.status(&self.tasks[i]);
            let t = &mut self.tasks[i];
            if t.settled || !matches!(status, "succeeded" | "failed") {
                continue;
            }
            t.settled = true;
            if status == "failed" {
                self.wallet += t.reserved;
                self.refunded += t.reserved;
            } else {
                self.charged += t.reserved;
            }
        }
    }

    /// The task object, as create and status return it.
    pub fn task_json(&self, id: &str) -> Option<Value> {
        let t = &self.tasks[*self.by_id.get(id)?];
        let status = self.status(t);
        let ext = match t.info.capability {
            Capability::Image => "png",
            Capability::Video => "mp4",
            Capability::Audio => "mp3",
        };
        let url = format!("{}/results/{}.{ext}", self.base_url, t.id);
        let (result, error, final_credits) = match status {
            "succeeded" => (
                json!({"primary_url": url, "urls": [url]}),
                Value::Null,
                t.reserved,
            ),
            "failed" => (
                Value::Null,
                json!({"code": "generation_failed", "message": "the emulator failed this task on purpose"}),
                0.0,
            ),
            _ => (Value::Null, Value::Null, 0.0),
        };
        let created = iso8601(t.created_at);
        let updated = iso8601(SystemTime::now());
        Some(json!({
            "id": t.id,
            "status": status,
            "model": t.info.id,
            "reserved_credits": t.reserved,
            "final_credits": final_credits,
            "created_at": created,
            "updated_at": updated,
            "result": result,
            "error": error,
        }))
    }

    /// Stores an uploaded file's record; video and audio get a duration token.
    pub fn store_file(&mut self, json: Value, duration_token: bool) -> String {
        let id = format!("file_emu_{:06}", self.files.len() + 1);
        let mut json = json;
        json["id"] = Value::from(id.clone());
        json["url"] = Value::from(format!("{}/files-content/{id}", self.base_url));
        if duration_token {
            json["duration_token"] = Value::from(format!("dt_{id}"));
        }
        self.files.insert(id.clone(), FileRec { json });
        id
    }

    pub fn file_json(&self, id: &str) -> Option<Value> {
        self.files.get(id).map(|f| f.json.clone())
    }

    pub fn wallet(&self) -> f64 {
        self.wallet
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests,
            tasks_created: self.tasks.len(),
            creates_replayed: self.replayed,
            files: self.files.len(),
            credits: self.wallet,
            charged: self.charged,
            refunded: self.refunded,
        }
    }
}
