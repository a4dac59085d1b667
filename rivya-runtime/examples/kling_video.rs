//! Generates a video with Kling 3.0, end to end, printing progress.
//!
//! ```sh
//! RIVYA_API_KEY=rvya_sk_... cargo run -p rivya-runtime --example kling_video -- \
//!     "A cinematic product reveal" [--ref reference.png]
//! ```
//! Set `RIVYA_BASE_URL` to run against another server (a local emulator, a proxy).

use std::process::ExitCode;
use std::time::Instant;

use rivya_models::kling_3_0::{self, AspectRatio, ClipDuration};
use rivya_runtime::{Client, Error, Upload, WaitOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut prompt = None;
    let mut reference = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ref" => reference = args.next(),
            _ => prompt = Some(arg),
        }
    }
    let prompt = prompt
        .unwrap_or_else(|| "A cinematic product reveal with smooth camera movement".to_owned());
    match generate(&prompt, reference.as_deref()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(id) = e.task_id() {
                eprintln!("the task is {id}; resume with Client::wait(\"{id}\")");
            }
            if let Some(key) = e.idempotency_key() {
                eprintln!("retry the create safely with idempotency key {key}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn generate(prompt: &str, reference: Option<&str>) -> Result<(), Error> {
    let client = Client::from_env()?;
    let mut req = kling_3_0::Request::new(prompt)
        .duration(ClipDuration::Secs5)
        .aspect_ratio(AspectRatio::R16x9);
    if let Some(path) = reference {
        let uploaded = client
            .upload(Upload::path(path).model::<kling_3_0::Model>())
            .await?;
        println!(
            "uploaded {} ({} bytes) → {}",
            uploaded.name, uploaded.size, uploaded.file.url
        );
        req = req.reference(uploaded.to_reference());
    }
    let started = Instant::now();
    let progress = WaitOptions::default().on_status(|task| {
        println!(
            "[{:>6.1}s] {} {}",
            started.elapsed().as_secs_f64(),
            task.id,
            task.status
        );
    });
    let task = client.run_with(&req, progress).await?;
    let (primary, urls) = match &task.result {
        Some(result) => (result.primary_url.as_deref(), result.urls.as_slice()),
        None => (None, &[][..]),
    };
    println!("done: {}", primary.unwrap_or("(no URL returned)"));
    for url in urls.iter().skip(1) {
        println!("also: {url}");
    }
    if let Some(credits) = task.final_credits {
        println!("charged {credits} credits");
    }
    Ok(())
}
