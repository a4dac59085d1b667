//! The typed `validate()` and the untyped `catalog::validate_value` share one rule set; this
//! proves they reach the same verdict, path by path, on many generated requests.

use rivya_models::{
    MediaKind, ReferenceMediaItem, catalog, elevenlabs_turbo_2_5, seedream_3_0, wan_2_6,
};

/// A tiny deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() as usize) % xs.len()]
    }
}

fn sorted_paths(r: Result<(), rivya_models::ValidationError>) -> Vec<String> {
    let mut p: Vec<String> = r
        .err()
        .map(|e| {
            e.violations
                .into_iter()
                .map(|v| format!("{} {:?}", v.path, v.kind))
                .collect()
        })
        .unwrap_or_default();
    p.sort();
    p
}

fn untyped<T: serde::Serialize>(req: &T) -> Vec<String> {
    let body = serde_json::to_value(req).unwrap();
    sorted_paths(catalog::validate_value(&body).map(|_| ()))
}

#[test]
fn typed_and_untyped_agree() {
    let mut rng = Lcg(7);
    let prompts = ["", " ", "ok", "🎬🎬", "影"];
    let urls = ["https://x.test/a", "nope", "http://h/x"];
    let mimes = [
        None,
        Some("image/png"),
        Some("image/gif"),
        Some("video/mp4"),
    ];
    let kinds = [MediaKind::Image, MediaKind::Video, MediaKind::Audio];
    let (mut disagreements, mut rejected) = (0, 0);
    for _ in 0..400 {
        let long = "x".repeat(4990 + rng.next() as usize % 20);
        let prompt = if rng.next().is_multiple_of(5) {
            long.as_str()
        } else {
            rng.pick(&prompts)
        };

        let a = seedream_3_0::Request::new(prompt)
            .guidance_scale(rng.pick(&[0.5, 1.0, 2.5, 2.55, 10.0, 10.1]))
            .seed(rng.pick(&[-1, 0, 7, 2147483647, 2147483648]));
        rejected += usize::from(a.validate().is_err());
        disagreements += usize::from(sorted_paths(a.validate()) != untyped(&a));

        let b = elevenlabs_turbo_2_5::Request::new(prompt)
            .speed(rng.pick(&[0.65, 0.7, 0.95, 1.2, 1.25]))
            .style(rng.pick(&[0.0, 0.05, 0.33, 1.0]));
        rejected += usize::from(b.validate().is_err());
        disagreements += usize::from(sorted_paths(b.validate()) != untyped(&b));

        let mut c = wan_2_6::Request::new(prompt);
        for _ in 0..(rng.next() % 3) {
            let mut item = ReferenceMediaItem::new(rng.pick(&urls), rng.pick(&kinds));
            item.mime_type = rng.pick(&mimes).map(str::to_owned);
            if rng.next().is_multiple_of(2) {
                item.duration_token = Some("tok".to_owned());
            }
            c = c.reference(item);
        }
        rejected += usize::from(c.validate().is_err());
        disagreements += usize::from(sorted_paths(c.validate()) != untyped(&c));
    }
    assert_eq!(disagreements, 0);
    assert!(
        rejected > 300,
        "the sample must exercise the rules ({rejected} rejected)"
    );
}
