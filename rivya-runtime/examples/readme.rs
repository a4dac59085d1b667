use std::error::Error;

use rivya_models::gpt_5_3_codex_chat;
use rivya_models::kling_3_0::{self, AspectRatio, ClipDuration};
use rivya_runtime::{Client, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // RIVYA_API_KEY, and RIVYA_BASE_URL to point at the emulator.
    let client = Client::from_env()?;

    // A typed request: every violation is reported at once, before anything is sent.
    let req = kling_3_0::Request::new("A cinematic product reveal")
        .duration(ClipDuration::Secs5)
        .aspect_ratio(AspectRatio::R9x16);
    req.validate()?;

    // Validate → create → wait. On error, the task id (or the create's idempotency key) is in
    // the error: a paid task is never lost.
    let options = WaitOptions::new().on_status(|t| eprintln!("{} {}", t.id, t.status));
    let task = match client.run_with(&req, options).await {
        Ok(task) => task,
        Err(e) => {
            if let Some(id) = e.task_id() {
                eprintln!("task {id} is paid; resume with client.wait(\"{id}\")");
            }
            return Err(e.into());
        }
    };
    for file in client.download_result(&task, "results").await? {
        println!(
            "{} ({} bytes, sha256 {})",
            file.path.display(),
            file.size,
            file.sha256
        );
    }

    // One chat turn; send `answer.session_id` with the next turn to continue.
    let turn = gpt_5_3_codex_chat::Request::new("One line of copy for this product video");
    let answer = client.chat(&turn).await?;
    println!("{} (session {})", answer.content(), answer.session_id);
    Ok(())
}
