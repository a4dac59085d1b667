use std::error::Error;

use rivya_models::kling_3_0;
use rivya_runtime::{Client, Upload, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?; // RIVYA_API_KEY, RIVYA_BASE_URL
    let up = client
        .upload(Upload::path("ref.png").model::<kling_3_0::Model>())
        .await?;
    let req = kling_3_0::Request::new("A cinematic product reveal").reference(up.to_reference());
    let options = WaitOptions::new().on_status(|t| println!("{}", t.status));
    let task = client.run_with(&req, options).await?;
    println!("{:?}", task.result);
    Ok(())
}
