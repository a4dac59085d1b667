//! `rivya credits`.

use rivya_runtime::Client;
use serde_json::json;

use crate::failure::Failure;
use crate::render::Render;

pub async fn run(client: &Client, render: Render) -> Result<(), Failure> {
    let c = client.credits().await?;
    // Whole balances print as the API writes them (`123`, not `123.0`).
    let n = rivya_models::wire::json_number(c.current_credits);
    render.result(&json!({ "current_credits": n }), &format!("{n} credits"));
    Ok(())
}
