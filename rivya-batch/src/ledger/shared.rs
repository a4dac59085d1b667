//! A ledger behind an `Arc` is a ledger: the engine can own one handle while the caller keeps
//! another (to write results.jsonl after the run, or after a fatal error).

use std::sync::Arc;
use std::time::Duration;

use super::{Attempt, BatchInfo, Counts, Ledger, Limits, Outcome, Reserve, Result, Row};
use crate::manifest::Item;

impl<L: Ledger> Ledger for Arc<L> {
    async fn open(&self, sha: &str, items: &[Item], limits: Limits) -> Result<BatchInfo> {
        self.as_ref().open(sha, items, limits).await
    }

    async fn claim(&self, owner: &str, lease: Duration) -> Result<Option<Row>> {
        self.as_ref().claim(owner, lease).await
    }

    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool> {
        self.as_ref().renew(key, owner, lease).await
    }

    async fn reserve(&self, key: &str, owner: &str, idem: &str, body: &str) -> Result<Reserve> {
        self.as_ref().reserve(key, owner, idem, body).await
    }

    async fn set_task(
        &self,
        key: &str,
        owner: &str,
        task_id: &str,
        status: &str,
        reserved: Option<f64>,
    ) -> Result<bool> {
        self.as_ref()
            .set_task(key, owner, task_id, status, reserved)
            .await
    }

    async fn finish(&self, key: &str, owner: &str, outcome: &Outcome) -> Result<bool> {
        self.as_ref().finish(key, owner, outcome).await
    }

    async fn give_up(&self, key: &str, owner: &str, error: &str) -> Result<()> {
        self.as_ref().give_up(key, owner, error).await
    }

    async fn take_token(&self) -> Result<Option<Duration>> {
        self.as_ref().take_token().await
    }

    async fn pause(&self, for_: Duration) -> Result<()> {
        self.as_ref().pause(for_).await
    }

    async fn upload(&self, sha256: &str) -> Result<Option<String>> {
        self.as_ref().upload(sha256).await
    }

    async fn put_upload(&self, sha256: &str, item: &str) -> Result<()> {
        self.as_ref().put_upload(sha256, item).await
    }

    async fn counts(&self) -> Result<Counts> {
        self.as_ref().counts().await
    }

    async fn outstanding(&self) -> Result<u64> {
        self.as_ref().outstanding().await
    }

    async fn rows(&self) -> Result<Vec<Row>> {
        self.as_ref().rows().await
    }

    async fn batch(&self) -> Result<Option<BatchInfo>> {
        self.as_ref().batch().await
    }

    async fn retry(&self, codes: &[String]) -> Result<u64> {
        self.as_ref().retry(codes).await
    }

    async fn attempts(&self) -> Result<Vec<Attempt>> {
        self.as_ref().attempts().await
    }
}
