//! Generator throughput: specs per second over a few hundred synthetic specs (the shipped specs
//! copied under new ids). Run with `cargo bench -p rivya-codegen`. `generate` spreads specs over
//! every core; to measure one core, run the built bench under `taskset -c 0`.

use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use codegen::{Layout, SpecSource};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut shipped: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("specs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, fs::read_to_string(&p).unwrap())
        })
        .collect();
    shipped.sort();
    let copies = 300usize.div_ceil(shipped.len());
    let mut specs = Vec::new();
    for n in 0..copies {
        for (id, text) in &shipped {
            let new_id = format!("{id}-copy{n}");
            let text = text.replace(
                &format!("\"model\": \"{id}\""),
                &format!("\"model\": \"{new_id}\""),
            );
            let text = text.replacen(&format!("id: {id}\n"), &format!("id: {new_id}\n"), 1);
            specs.push(SpecSource {
                label: format!("specs/{new_id}.yaml"),
                file_name: format!("{new_id}.yaml"),
                text,
            });
        }
    }
    // Warm up, and prove the synthetic set is valid.
    let files = codegen::generate(&specs, Layout::Catalog).unwrap_or_else(|d| panic!("{d}"));
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();

    let mut runs = Vec::new();
    let budget = Instant::now();
    while runs.len() < 5 || (budget.elapsed() < Duration::from_secs(5) && runs.len() < 20) {
        let t = Instant::now();
        black_box(codegen::generate(black_box(&specs), Layout::Catalog).ok());
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "generate: {} specs → {} files ({} KiB) in {:.1?} median of {} runs: {:.0} specs/s",
        specs.len(),
        files.len(),
        bytes / 1024,
        median,
        runs.len(),
        specs.len() as f64 / median.as_secs_f64()
    );
}
