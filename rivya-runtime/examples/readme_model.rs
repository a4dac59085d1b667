use std::error::Error;

use rivya_models::ReferenceMediaItem;
use rivya_models::kling_3_0::{self, AspectRatio, ClipDuration};

fn main() -> Result<(), Box<dyn Error>> {
    let req = kling_3_0::Request::new("A cinematic product reveal")
        .duration(ClipDuration::Secs10)
        .aspect_ratio(AspectRatio::R9x16)
        .reference(ReferenceMediaItem::image("https://example.com/ref.png").mime_type("image/png"));
    req.validate()?; // every violation, each with its path
    let body = serde_json::to_string(&req)?; // exactly the wire JSON
    println!("{body}");
    Ok(())
}
