//! `rivya`: run Rivya models from the terminal.
//!
//! ```sh
//! rivya run kling-3-0 --prompt "A cinematic reveal" duration=10 --ref @ref.png --out results/
//! rivya run kling-3-0 --prompt "Try it offline" --mock --out results/   # no account needed
//! ```

mod download;
mod params;
mod progress;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use rivya_emulator::{Config as EmulatorConfig, Emulator};
use rivya_models::catalog;
use rivya_runtime::{Client, ClientBuilder, Error, Upload, WaitOptions};
use serde_json::{Value, json};

use progress::Progress;

/// Run Rivya models from the terminal.
#[derive(Parser, Debug)]
#[command(name = "rivya", version, about)]
struct Cli {
    /// Print JSON (the default when stdout is not a terminal).
    #[arg(long, global = true)]
    json: bool,
    /// Run against a built-in emulator instead of the real API (no key or credits needed).
    #[arg(long, global = true)]
    mock: bool,
    /// Override RIVYA_BASE_URL.
    #[arg(long, global = true)]
    base_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the models of the catalog.
    Models,
    /// Generate: validate, upload references, create, wait, download.
    Run {
        /// The model id (`kling-3-0`).
        model: String,
        /// The prompt.
        #[arg(long, short)]
        prompt: Option<String>,
        /// Model parameters as key=value (`duration=10`); lists as JSON.
        params: Vec<String>,
        /// A reference file to upload first (`@ref.png`); repeat for more.
        #[arg(long = "ref", value_name = "@FILE")]
        refs: Vec<String>,
        /// Where to save the results.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the task id and return without waiting.
        #[arg(long)]
        no_wait: bool,
    },
    /// Show a task's current state.
    Status {
        /// The task id.
        id: String,
    },
    /// Wait for a task (from any process) and show the result.
    Wait {
        /// The task id.
        id: String,
        /// Where to save the results.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Show the credit balance.
    Credits,
    /// Upload a reference file and print its reference item.
    Upload {
        /// The file.
        file: PathBuf,
        /// Check it against this model's upload policy.
        #[arg(long)]
        model: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_out = cli.json || !std::io::stdout().is_terminal();
    match run(cli, json_out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A client for the real API, or for an emulator started in this process.
async fn connect(cli: &Cli) -> Result<(Client, Option<Emulator>), String> {
    let mut builder = ClientBuilder::from_env();
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url.clone());
    }
    let emulator = if cli.mock {
        let emu = Emulator::start(EmulatorConfig {
            queued_for: Duration::from_millis(400),
            processing_for: Duration::from_millis(1600),
            ..EmulatorConfig::default()
        })
        .await
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
        builder = builder.base_url(emu.base_url()).api_key(emu.api_key());
        Some(emu)
    } else {
        None
    };
    let needs_key = !matches!(cli.command, Command::Models);
    if needs_key
        && emulator.is_none()
        && std::env::var("RIVYA_API_KEY").map_or(true, |k| k.trim().is_empty())
    {
        return Err(
            "no API key: set RIVYA_API_KEY, or add --mock to try it against a built-in emulator"
                .into(),
        );
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    Ok((client, emulator))
}

async fn run(cli: Cli, json_out: bool) -> Result<(), String> {
    let (client, _emulator) = connect(&cli).await?;
    match cli.command {
        Command::Models => {
            let list = client.models().await.map_err(explain)?;
            if json_out {
                print_json(&serde_json::to_value(&list.data).unwrap_or_default());
            } else {
                for m in &list.data {
                    let credits = m.base_credits.map_or(String::new(), |c| c.to_string());
                    let category = m.category.as_deref().unwrap_or("");
                    let name = m.display_name.as_deref().unwrap_or("");
                    println!("{:<24} {category:<6} {credits:>5} credits  {name}", m.id);
                }
            }
        }
        Command::Run {
            model,
            prompt,
            params,
            refs,
            out,
            no_wait,
        } => {
            let info = catalog::find(&model).ok_or_else(|| {
                let ids: Vec<&str> = catalog::all().iter().map(|m| m.id).collect();
                format!("unknown model `{model}`; known: {}", ids.join(", "))
            })?;
            let mut body = params::body(info, prompt.as_deref(), &params)
                .map_err(|e| format!("{e}\n(see `rivya models` and the model's page)"))?;
            let progress = Progress::new(!json_out);
            let mut items = Vec::new();
            for r in &refs {
                let path = r.strip_prefix('@').unwrap_or(r);
                progress.message(format!("uploading {path}"));
                let up = client
                    .upload(Upload::path(path).model_info(info))
                    .await
                    .map_err(explain)?;
                items.push(serde_json::to_value(up.to_reference()).unwrap_or_default());
            }
            if !items.is_empty() {
                body["params"]["referenceMediaItems"] = Value::from(items);
            }
            progress.message("creating the task".to_owned());
            let submitted = client.create_value(&body, None).await.map_err(explain)?;
            if no_wait {
                progress.finish(format!("created {}", submitted.task.id));
                return output(
                    json_out,
                    &json!({"task": submitted.task, "idempotency_key": submitted.idempotency_key}),
                    &submitted.task.id,
                );
            }
            let task = wait(&client, &submitted.task.id, &progress, true).await?;
            finish(task, out, &progress, json_out).await?;
        }
        Command::Status { id } => {
            let task = client.task(&id).await.map_err(explain)?;
            output(
                json_out,
                &serde_json::to_value(&task).unwrap_or_default(),
                &format!("{} {}", task.id, task.status),
            )?;
        }
        Command::Wait { id, out } => {
            let progress = Progress::new(!json_out);
            let task = wait(&client, &id, &progress, false).await?;
            finish(task, out, &progress, json_out).await?;
        }
        Command::Credits => {
            let c = client.credits().await.map_err(explain)?;
            output(
                json_out,
                &json!({"current_credits": c.current_credits}),
                &format!("{} credits", c.current_credits),
            )?;
        }
        Command::Upload { file, model } => {
            let mut upload = Upload::path(&file);
            if let Some(m) = &model {
                upload = upload
                    .model_info(catalog::find(m).ok_or_else(|| format!("unknown model `{m}`"))?);
            }
            let up = client.upload(upload).await.map_err(explain)?;
            let item = serde_json::to_value(up.to_reference()).unwrap_or_default();
            output(
                json_out,
                &item,
                &format!("uploaded {} → {}", up.name, up.file.url),
            )?;
        }
    }
    Ok(())
}

async fn wait(
    client: &Client,
    id: &str,
    progress: &Progress,
    fresh: bool,
) -> Result<rivya_runtime::Task, String> {
    let started = std::time::Instant::now();
    let mut options = WaitOptions::default().on_status(|t| {
        progress.message(format!("{} {} ({:.0?})", t.id, t.status, started.elapsed()));
    });
    options.delay_first_poll = fresh;
    client.wait_with(id, options).await.map_err(explain)
}

async fn finish(
    task: rivya_runtime::Task,
    out: Option<PathBuf>,
    progress: &Progress,
    json_out: bool,
) -> Result<(), String> {
    let urls = task
        .result
        .as_ref()
        .map(|r| r.urls.clone())
        .unwrap_or_default();
    let mut saved = Vec::new();
    if let Some(dir) = out {
        for (i, url) in urls.iter().enumerate() {
            progress.message(format!("downloading {url}"));
            let path = download::save(url, &dir, &task.id, i).await?;
            saved.push(path.display().to_string());
        }
    }
    progress.finish(format!("{} {}", task.id, task.status));
    let mut v = serde_json::to_value(&task).unwrap_or_default();
    v["saved"] = json!(saved);
    let mut text = format!("{} succeeded", task.id);
    for u in &urls {
        text += &format!("\n  {u}");
    }
    for s in &saved {
        text += &format!("\n  saved {s}");
    }
    output(json_out, &v, &text)
}

fn output(json_out: bool, v: &Value, text: &str) -> Result<(), String> {
    if json_out {
        print_json(v);
    } else {
        println!("{text}");
    }
    Ok(())
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// An error with what is needed to recover: the task id or the idempotency key.
fn explain(e: Error) -> String {
    let mut s = e.to_string();
    if let Some(id) = e.task_id() {
        s += &format!("\nthe task is {id}: resume with `rivya wait {id}`");
    }
    if let Some(key) = e.idempotency_key() {
        s += &format!("\nthe create can be retried safely with idempotency key {key}");
    }
    s
}
