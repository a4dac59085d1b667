//! `rivya-emulator`: serve the emulated API on a port.

use std::time::Duration;

use clap::Parser;
use rivya_emulator::{Config, Emulator, FaultRates};

/// An offline emulator of the Rivya Public API v1.
#[derive(Parser, Debug)]
#[command(name = "rivya-emulator", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Seed of every random decision.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// An accepted API key (repeat for more).
    #[arg(long = "key", default_value = "rvya_sk_emulator")]
    keys: Vec<String>,
    /// The wallet's starting balance.
    #[arg(long, default_value_t = 10_000.0)]
    credits: f64,
    /// Milliseconds a task stays queued (0, with --processing-ms 0: tasks finish at create).
    #[arg(long, default_value_t = 500)]
    queued_ms: u64,
    /// Milliseconds a task then stays processing.
    #[arg(long, default_value_t = 2000)]
    processing_ms: u64,
    /// Share of mutating requests answered 429 (Retry-After: 1).
    #[arg(long, default_value_t = 0.0)]
    rate_limited: f64,
    /// Share answered 503 public_api_disabled.
    #[arg(long, default_value_t = 0.0)]
    unavailable: f64,
    /// Share answered 500.
    #[arg(long, default_value_t = 0.0)]
    server_error: f64,
    /// Share answered slowly.
    #[arg(long, default_value_t = 0.0)]
    slow: f64,
    /// How slow, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    slow_ms: u64,
    /// Share of creates whose connection closes after the task was created.
    #[arg(long, default_value_t = 0.0)]
    drop_after_create: f64,
    /// Share of tasks that fail (and are refunded).
    #[arg(long, default_value_t = 0.0)]
    task_failure: f64,
    /// Keep the state in this directory (shared with other emulators and `rivya --mock`).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let a = Args::parse();
    let config = Config {
        api_keys: a.keys,
        credits: a.credits,
        seed: a.seed,
        queued_for: Duration::from_millis(a.queued_ms),
        processing_for: Duration::from_millis(a.processing_ms),
        faults: FaultRates {
            rate_limited: a.rate_limited,
            unavailable: a.unavailable,
            server_error: a.server_error,
            slow: a.slow,
            slow_for: Duration::from_millis(a.slow_ms),
            drop_after_create: a.drop_after_create,
            task_failure: a.task_failure,
        },
        state_dir: a.state_dir,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port)).await?;
    let emulator = Emulator::serve(listener, config)?;
    println!(
        "rivya-emulator: serving {} — RIVYA_BASE_URL={} RIVYA_API_KEY={}",
        emulator.base_url(),
        emulator.base_url(),
        emulator.api_key()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
