//! Cost of validating and serializing one request (typed and untyped).
//! Run with `cargo bench -p rivya-models`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rivya_models::{ReferenceMediaItem, catalog, kling_3_0};

/// Runs `f` for about a second after a warm-up and returns nanoseconds per call (median of
/// ten batches).
fn measure(mut f: impl FnMut()) -> f64 {
    for _ in 0..10_000 {
        f();
    }
    let mut batch = 1_000u32;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed() > Duration::from_millis(100) {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(batch)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let req = kling_3_0::Request::new("A cinematic product reveal with smooth camera movement")
        .duration(kling_3_0::ClipDuration::Secs10)
        .aspect_ratio(kling_3_0::AspectRatio::R9x16)
        .reference(
            ReferenceMediaItem::image("https://cdn.example.com/reference-image.png")
                .name("reference-image.png")
                .mime_type("image/png"),
        );
    let mut buf = Vec::with_capacity(512);
    let typed = measure(|| {
        black_box(&req).validate().unwrap();
        buf.clear();
        serde_json::to_writer(&mut buf, black_box(&req)).unwrap();
        black_box(&buf);
    });
    let validate_only = measure(|| {
        black_box(&req).validate().unwrap();
    });
    let body = serde_json::to_value(&req).unwrap();
    let untyped = measure(|| {
        black_box(catalog::validate_value(black_box(&body)).unwrap());
    });
    println!("typed validate + serialize (kling-3-0, 1 reference): {typed:.0} ns/request");
    println!("typed validate only:                                 {validate_only:.0} ns/request");
    println!("untyped validate_value of the same body:             {untyped:.0} ns/request");
}
