//! `rivya-emulator`: serve the emulated API on a port.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rivya_emulator::{Config, Emulator, FaultRates};

/// An offline emulator of the Rivya Public API v1.
#[derive(Parser, Debug)]
#[command(name = "rivya-emulator", version, after_help = CHAT_RULE)]
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
    /// Share of requests, on every API route, answered 429 (Retry-After: 1).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    rate_limited: f64,
    /// Share answered 503 public_api_disabled.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    unavailable: f64,
    /// Share answered 500.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    server_error: f64,
    /// Share answered slowly.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    slow: f64,
    /// How slow, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    slow_ms: u64,
    /// Share of creates whose connection closes after the task was created.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    drop_after_create: f64,
    /// Share of tasks that fail (and are refunded).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    task_failure: f64,
    /// Share of webhook messages sent twice (same webhook-id).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    webhook_duplicate: f64,
    /// Share of webhook messages held back so later ones arrive first.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    webhook_out_of_order: f64,
    /// Share of new streamed chat turns whose connection closes after some deltas (the turn
    /// is still created and charged; resend it with its Idempotency-Key to get it whole).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    chat_stream_cut: f64,
    /// Share of new streamed chat turns that end in an `error` event after some deltas (the
    /// turn is refunded).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    chat_stream_error: f64,
    /// Milliseconds to wait before each streamed chat delta.
    #[arg(long, default_value_t = 0)]
    chat_delta_delay_ms: u64,
    /// Pad every chat reply with ASCII to N bytes (for benchmarks).
    #[arg(long, value_name = "N")]
    chat_reply_bytes: Option<usize>,
    /// Keep the state in this directory (shared with other emulators and `rivya --mock`).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<std::path::PathBuf>,
}

/// How chat turns are settled (the docs give no rule; this is the workspace's, see
/// `rivya_runtime::chat`, "Wire assumptions").
const CHAT_RULE: &str = "\
Chat settlement (tokens count UTF-16 code units):
  tokens(text)  = ceil(utf16_len(text) / 4)
  input_tokens  = tokens(message) + 256 per attachment
  output_tokens = tokens(reply)
  reserved      = base_credits * ceil((input_tokens + 4096) / 1000)   (taken before the reply)
  final         = min(reserved, max(1, ceil(base_credits * total_tokens / 1000)))
The reply is `[<model>] turn <n>: you said: <message>` (+ ` (web search on)`), padded to
--chat-reply-bytes; streams send it in deltas of 16 characters (events session, delta, completion).";

/// A probability: a number from 0 to 1.
fn rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("{r} is not a rate between 0 and 1"))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // One line: the error itself, without clap's usage hints.
            let text = e.render().to_string();
            eprintln!(
                "rivya-emulator: {}",
                text.lines().next().unwrap_or_default()
            );
            return ExitCode::from(2);
        }
    };
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rivya-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(a: Args) -> Result<(), String> {
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
            webhook_duplicate: a.webhook_duplicate,
            webhook_out_of_order: a.webhook_out_of_order,
            chat_stream_cut: a.chat_stream_cut,
            chat_stream_error: a.chat_stream_error,
            chat_delta_delay: Duration::from_millis(a.chat_delta_delay_ms),
            ..FaultRates::default()
        },
        state_dir: a.state_dir,
        chat_reply_bytes: a.chat_reply_bytes,
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", a.port))?;
    let emulator = Emulator::serve(listener, config).map_err(|e| e.to_string())?;
    println!(
        "rivya-emulator: serving {} — RIVYA_BASE_URL={} RIVYA_API_KEY={}",
        emulator.base_url(),
        emulator.base_url(),
        emulator.api_key()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))
}
