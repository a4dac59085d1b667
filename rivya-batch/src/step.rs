//! Where a step leaves an item, and the ledger writes around steps: the key and body
//! reserved before anything is sent, and the end of the item's progress for now (failed for
//! good, left for the next run with the same key, or settled). Shared by generation and chat
//! items.

use rivya_runtime::Error;
use serde_json::Value;

use crate::ctx::Ctx;
use crate::error::BatchError;
use crate::event::Event;
use crate::keys;
use crate::ledger::{Ledger, Outcome, Reserve, Row, State};

/// Where a step left the item.
pub(crate) enum Step<T> {
    Done(T),
    /// Refused for good (recorded as failed).
    Failed(Refused),
    /// Not settled now; the next run resumes it with the same key.
    Later(String),
    /// The whole batch must stop (auth, no credits).
    Fatal(Error),
}

/// Why a step refused an item for good, and the API's code for it when there is one (what
/// `rivya batch retry --codes` selects by).
pub(crate) struct Refused {
    pub code: Option<String>,
    pub message: String,
}

impl From<String> for Refused {
    fn from(message: String) -> Self {
        Self {
            code: None,
            message,
        }
    }
}

/// The claim this worker task holds on the item.
pub(crate) fn owner(row: &Row) -> &str {
    row.lease_owner.as_deref().unwrap_or_default()
}

/// Writes a fresh item's key, body and reservation before anything is sent: the key to send
/// with, or `None` when the item is not to be created now (taken by another worker, or over
/// the budget).
pub(crate) async fn reserve<L: Ledger>(
    ctx: &Ctx<L>,
    row: &Row,
    body: &Value,
) -> Result<Option<String>, BatchError> {
    let idem = keys::attempt_key(&ctx.batch.id, &row.key, row.attempt);
    match ctx
        .ledger
        .reserve(&row.key, owner(row), &idem, &body.to_string())
        .await?
    {
        Reserve::Go => Ok(Some(idem)),
        Reserve::Lost => Ok(None),
        Reserve::OverBudget => {
            ctx.emit(Event::Item {
                key: row.key.clone(),
                state: State::OverBudget.as_str().to_owned(),
                credits: 0.0,
                error: Some("its reservation would pass the budget".into()),
            });
            Ok(None)
        }
    }
}

/// Records a step that ended the item's progress for now.
pub(crate) async fn stop<L: Ledger, T>(
    ctx: &Ctx<L>,
    row: &Row,
    step: Step<T>,
) -> Result<(), BatchError> {
    match step {
        Step::Done(_) => Ok(()),
        Step::Failed(why) => {
            let outcome = Outcome {
                state: State::Failed,
                status: None,
                credits: 0.0,
                files: Vec::new(),
                error: Some(why.message),
                code: why.code,
            };
            record(ctx, row, outcome).await
        }
        Step::Later(msg) => later(ctx, row, msg).await,
        Step::Fatal(e) => {
            later(ctx, row, e.to_string()).await?;
            Err(BatchError::Api(e))
        }
    }
}

pub(crate) async fn later<L: Ledger>(
    ctx: &Ctx<L>,
    row: &Row,
    msg: String,
) -> Result<(), BatchError> {
    ctx.ledger.give_up(&row.key, owner(row), &msg).await?;
    ctx.emit(Event::Item {
        key: row.key.clone(),
        state: "unsettled".into(),
        credits: 0.0,
        error: Some(msg),
    });
    Ok(())
}

pub(crate) async fn record<L: Ledger>(
    ctx: &Ctx<L>,
    row: &Row,
    o: Outcome,
) -> Result<(), BatchError> {
    if ctx.ledger.finish(&row.key, owner(row), &o).await? {
        ctx.emit(Event::Item {
            key: row.key.clone(),
            state: o.state.as_str().to_owned(),
            credits: o.credits,
            error: o.error,
        });
    }
    Ok(())
}
