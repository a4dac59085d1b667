//! Limits that hold against what the server does: the budget against the server's own
//! reservation, and pauses bounded by `max_pause` with the time to come back.

mod support;

use std::time::{Duration, SystemTime};

use rivya_batch::{BatchError, Event, Ledger, Limits, Options, Pricing, SqliteLedger, manifest};
use rivya_emulator::{Config, Emulator, Fault};
use support::{TempDir, client, fast};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reservation_above_the_quote_stops_creating_within_the_budget() {
    let tmp = TempDir::new("overquote");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(20)),
        Pricing::default(),
    )
    .unwrap();
    // The server reserves twice what the model's page quotes.
    let emu = Emulator::start(Config {
        reserve_factor: 2.0,
        ..fast()
    })
    .await
    .unwrap();
    let path = tmp.path().join("l.sqlite");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let observer: rivya_batch::Observer = std::sync::Arc::new(move |e: &Event| {
        if let Event::OverQuote {
            reserved, quoted, ..
        } = e
        {
            s.lock().unwrap().push((*reserved, *quoted));
        }
    });
    let opts = Options {
        concurrency: 1,
        limits: Limits {
            budget: Some(10.0),
            rate: None,
        },
        out_dir: None,
        ..Options::default()
    };
    let ledger = SqliteLedger::open(&path).unwrap();
    let err = rivya_batch::run(&m, ledger, client(&emu), opts, Some(observer))
        .await
        .unwrap_err();
    let BatchError::OverQuote {
        reserved, quoted, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((*reserved, *quoted), (2.0, 1.0));
    assert!(err.to_string().contains("against a quote of 1"), "{err}");
    assert_eq!(*seen.lock().unwrap(), [(2.0, 1.0)]);
    let counts = SqliteLedger::open(&path).unwrap().counts().await.unwrap();
    assert!(counts.credits_committed <= 10.0, "{counts:?}");
    assert_eq!(
        counts.succeeded, 1,
        "the item in flight was settled: {counts:?}"
    );
    assert_eq!(
        emu.stats().tasks_created,
        1,
        "no create after the over-quote answer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_long_retry_after_ends_the_run_with_the_time_to_come_back() {
    let tmp = TempDir::new("pause");
    let m = manifest::load(
        &support::manifest(tmp.path(), &support::z_items(3)),
        Pricing::default(),
    )
    .unwrap();
    for retry_after_secs in [3600, u64::MAX] {
        // A value too large for any clock is a long pause, never none at all.
        let path = tmp.path().join(format!("l-{retry_after_secs}.sqlite"));
        let emu = Emulator::start(fast()).await.unwrap();
        emu.inject([Fault::RateLimited { retry_after_secs }]);
        let opts = || Options {
            concurrency: 1,
            out_dir: None,
            ..Options::default()
        };
        let ledger = SqliteLedger::open(&path).unwrap();
        let err = rivya_batch::run(&m, ledger, client(&emu), opts(), None)
            .await
            .unwrap_err();
        let BatchError::Paused { asked, until } = err else {
            panic!("{err}")
        };
        assert!(asked >= Duration::from_secs(3600), "{asked:?}");
        let before = emu.stats().requests;
        assert!(until > SystemTime::now() + Duration::from_secs(3000));
        // A re-run does not wait in silence either: the ledger remembers the pause.
        let ledger = SqliteLedger::open(&path).unwrap();
        let again = rivya_batch::run(&m, ledger, client(&emu), opts(), None)
            .await
            .unwrap_err();
        assert!(again.to_string().contains("come back after"), "{again}");
        assert_eq!(emu.stats().requests, before, "the re-run sent nothing");
        assert_eq!(emu.stats().tasks_created, 0);
    }
}
