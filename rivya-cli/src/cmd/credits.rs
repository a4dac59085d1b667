//! `rivya credits`.

use rivya_runtime::Client;
use serde_json::json;

use crate::failure::Failure;
use crate::render::Render;

pub async fn run(client: &Client, render: Render) -> Result<(), Failure> {
    let c = client.credits().await?;
    render.result(
        &json!({"current_credits": c.current_credits}),
        &format!("{} credits", c.current_credits),
    );
    Ok(())
}
