//! Client-side costs, measured against a lean loopback server (`tests/support/raw.rs`):
//! - CPU time and heap allocations per status poll;
//! - heap held while one client waits on 1,000 tasks at once;
//! - peak heap while uploading a file of the largest size a shipped model accepts;
//! - polls per task under the documented per-capability schedule against the old one.
//!
//! Run with `cargo bench -p rivya-runtime`. The client runs on a current-thread runtime on the
//! main thread; only that thread's allocations are counted, so the server's do not blur them.

#[path = "../tests/support/raw.rs"]
mod raw;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use raw::{RawServer, Reply, task_json};
use rivya_runtime::{Client, PollPolicy, Upload};

struct Counting;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            LIVE.fetch_sub(
                layout.size().min(LIVE.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The process's peak resident set in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    COUNTED.with(|c| c.set(true));
    rt.block_on(poll_cost());
    rt.block_on(many_waits());
    rt.block_on(big_upload());
    poll_counts();
}

/// The schedule before issue 9: first poll after 1 s, then ×1.5 to a 10 s cap, ±20 %.
fn old_schedule() -> PollPolicy {
    PollPolicy {
        first_poll: Duration::from_secs(1),
        initial_interval: Duration::from_millis(1500),
        multiplier: 1.5,
        max_interval: Duration::from_secs(10),
        jitter: 0.2,
        deadline: Duration::from_secs(30 * 60),
    }
}

/// Polls a wait makes for a task that takes `secs`: the same `first`/`interval` the wait loop
/// uses, averaged over 1,000 jitter seeds.
fn polls_for(p: &PollPolicy, secs: f64) -> f64 {
    let runs = 1000u64;
    let mut total = 0u64;
    for seed in 0..runs {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut t = p.first(&mut rng).as_secs_f64();
        let mut polls = 1;
        let mut n = 0;
        while t < secs {
            t += p.interval(n, &mut rng).as_secs_f64();
            polls += 1;
            n += 1;
        }
        total += polls;
    }
    total as f64 / runs as f64
}

fn poll_counts() {
    use rivya_models::Capability;
    println!("polls per task (mean of 1,000 jitter seeds), old schedule → documented schedule:");
    for (cap, durations) in [
        (Capability::Image, [5.0, 15.0, 30.0, 60.0]),
        (Capability::Video, [30.0, 90.0, 180.0, 600.0]),
        (Capability::Audio, [20.0, 60.0, 120.0, 300.0]),
    ] {
        let new = PollPolicy::for_capability(cap);
        let cells: Vec<String> = durations
            .iter()
            .map(|d| {
                format!(
                    "{d:.0} s: {:.1} → {:.1}",
                    polls_for(&old_schedule(), *d),
                    polls_for(&new, *d)
                )
            })
            .collect();
        println!("  {:<5} {}", cap.as_str(), cells.join(" | "));
    }
}

async fn poll_cost() {
    let server = RawServer::start_keep_alive(|_| {
        Reply::Json(200, task_json("task_b", "processing"), vec![])
    });
    let client = Client::builder()
        .api_key("rvya_sk_bench")
        .base_url(server.url())
        .build()
        .unwrap();
    for _ in 0..200 {
        client.task("task_b").await.unwrap();
    }
    let n = 3000u64;
    let (cpu0, allocs0) = (thread_cpu_ns(), ALLOCS.load(Ordering::Relaxed));
    for _ in 0..n {
        std::hint::black_box(client.task("task_b").await.unwrap());
    }
    let cpu = (thread_cpu_ns() - cpu0) / n;
    let allocs = (ALLOCS.load(Ordering::Relaxed) - allocs0) as u64 / n;
    println!(
        "status poll (keep-alive): {:.1} µs client CPU, {allocs} allocations per request",
        cpu as f64 / 1000.0
    );
}

async fn many_waits() {
    // Each task reports `processing` for its first four polls, then `succeeded`.
    let polls: Mutex<HashMap<String, u32>> = Mutex::new(HashMap::new());
    let server = RawServer::start_keep_alive(move |req| {
        let id = req.path.rsplit('/').next().unwrap_or_default().to_owned();
        let mut p = polls.lock().unwrap();
        let n = p.entry(id.clone()).or_insert(0);
        *n += 1;
        let status = if *n > 4 { "succeeded" } else { "processing" };
        Reply::Json(200, task_json(&id, status), vec![])
    });
    let client = Client::builder()
        .api_key("rvya_sk_bench")
        .base_url(server.url())
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(50),
            initial_interval: Duration::from_millis(50),
            max_interval: Duration::from_millis(200),
            ..PollPolicy::default()
        })
        .build()
        .unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    reset_peak();
    let ids: Vec<String> = (0..1000).map(|i| format!("task_{i}")).collect();
    let (cpu0, rss0) = (thread_cpu_ns(), peak_rss_kib());
    let waits = ids.iter().map(|id| client.wait(id));
    let results = futures_util::future::join_all(waits).await;
    assert!(results.iter().all(Result::is_ok));
    let cpu = thread_cpu_ns() - cpu0;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!(
        "1,000 concurrent waits (5 polls each): {:.0} ms client CPU ({:.1} µs per poll); peak client heap {:.1} MiB ({:.1} KiB per task, connections included); process peak RSS grew {:.1} MiB",
        cpu as f64 / 1e6,
        cpu as f64 / 5000.0 / 1000.0,
        peak as f64 / 1_048_576.0,
        peak as f64 / 1000.0 / 1024.0,
        (peak_rss_kib().saturating_sub(rss0)) as f64 / 1024.0
    );
}

async fn big_upload() {
    // The largest file a shipped model accepts: nano-banana-pro, 30 MB images.
    let size = 30_000_000usize;
    let path = std::env::temp_dir().join(format!("rivya-bench-{}.png", std::process::id()));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"\x89PNG\r\n\x1a\n").unwrap();
        let block = vec![7u8; 1 << 20];
        let mut left = size - 8;
        while left > 0 {
            let n = left.min(block.len());
            f.write_all(&block[..n]).unwrap();
            left -= n;
        }
    }
    let received = std::sync::Arc::new(AtomicUsize::new(0));
    let r = received.clone();
    let server = RawServer::start(false, move |req| {
        r.store(req.body_len, Ordering::SeqCst);
        Reply::Json(
            200,
            r#"{"url":"https://cdn.test/big.png"}"#.to_owned(),
            vec![],
        )
    });
    let client = Client::builder()
        .api_key("rvya_sk_bench")
        .base_url(server.url())
        .build()
        .unwrap();
    let rss0 = peak_rss_kib();
    let before = LIVE.load(Ordering::Relaxed);
    reset_peak();
    let up = client
        .upload(Upload::path(&path).model::<rivya_models::nano_banana_pro::NanoBananaPro>())
        .await
        .unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    std::fs::remove_file(&path).unwrap();
    assert!(received.load(Ordering::SeqCst) > size);
    println!(
        "30 MB upload: peak client heap {:.2} MiB ({:.2} % of the file); process peak RSS grew {:.1} MiB; {} bytes sent",
        peak as f64 / 1_048_576.0,
        peak as f64 * 100.0 / size as f64,
        (peak_rss_kib().saturating_sub(rss0)) as f64 / 1024.0,
        up.size
    );
}
