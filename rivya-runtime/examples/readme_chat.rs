use std::error::Error;

use rivya_models::gpt_5_3_codex_chat::{self, Request};
use rivya_runtime::{ChatEvent, Client, Upload};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let first = client
        .chat(&Request::new("Name three sorting algorithms"))
        .await?; // one whole turn
    let img = client
        .upload_attachment(Upload::path("chart.png"), &gpt_5_3_codex_chat::INFO)
        .await?;
    let next = Request::new("Which is stable?")
        .session(&first.session_id)
        .attachments([img]);
    let mut stream = client.chat_stream(&next).await?; // also a futures `Stream`
    while let Some(event) = stream.next_event().await {
        if let ChatEvent::Delta { text } = event? {
            print!("{text}");
        }
    }
    Ok(())
}
