//! Checks of what the user typed that several commands share: a model id, an idempotency
//! key, the numbers a batch is limited by. Each refusal names the flag and what it takes.

use rivya_batch::{Limits, Pricing};
use rivya_models::{ModelInfo, catalog};

use crate::args::{Pace, RunBatch};
use crate::failure::Failure;

/// A model of the compiled catalog, or an error listing them.
pub fn model(id: &str) -> Result<&'static ModelInfo, Failure> {
    catalog::find(id).ok_or_else(|| {
        let ids: Vec<&str> = catalog::all().iter().map(|m| m.id).collect();
        Failure::invalid(format!("unknown model `{id}`; known: {}", ids.join(", ")))
    })
}

/// A key the user typed, checked by the library's rule (so it survives as a header).
pub fn idempotency_key(k: &str) -> Result<(), Failure> {
    rivya_runtime::check_idempotency_key(k).map_err(|e| {
        Failure::usage(format!(
            "--idempotency-key: {e} (1 to {} printable ASCII characters)",
            rivya_runtime::MAX_IDEMPOTENCY_KEY_BYTES
        ))
    })
}

/// Refuses nonsense limits; the pricing and the engine's limits the flags ask for.
pub fn batch_flags(args: &RunBatch) -> Result<(Pricing, Limits), Failure> {
    if args.lease_secs == 0 {
        return Err(Failure::usage("--lease-secs must be at least 1"));
    }
    let limits = pace_flags(&args.pace)?;
    positive("--metered-allowance", args.metered_allowance, false)?;
    let pricing = Pricing {
        metered_allowance: args.metered_allowance,
    };
    Ok((pricing, limits))
}

/// Refuses a pace that cannot run; the engine's limits it asks for.
pub fn pace_flags(pace: &Pace) -> Result<Limits, Failure> {
    if pace.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    positive("--rate", pace.rate, false)?;
    positive("--budget", pace.budget, true)?;
    Ok(Limits {
        budget: pace.budget,
        rate: pace.rate,
    })
}

/// A flag that must be a positive number (or zero, where `zero_ok`).
pub fn positive(name: &str, v: Option<f64>, zero_ok: bool) -> Result<(), Failure> {
    match v {
        Some(x) if !x.is_finite() || x < 0.0 || (x == 0.0 && !zero_ok) => Err(Failure::usage(
            format!("{name} must be a positive number, not {x}"),
        )),
        _ => Ok(()),
    }
}
