//! The system proxy is honoured: `HTTP_PROXY`/`HTTPS_PROXY` route requests through the proxy,
//! `NO_PROXY` exempts hosts. One test in its own binary, because it sets the environment.

mod support;

use std::sync::{Arc, Mutex};

use rivya_runtime::{Client, RetryPolicy};
use support::raw::{RawServer, Reply};

#[tokio::test]
async fn proxies_from_the_environment_are_used_and_no_proxy_exempts() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let proxy = RawServer::start(false, move |req| {
        s.lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.path));
        if req.method == "CONNECT" {
            Reply::Drop
        } else {
            Reply::Json(200, r#"{"current_credits": 42}"#.to_owned(), vec![])
        }
    });
    // SAFETY: the only test of this binary, run before any other thread reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", proxy.url());
        std::env::set_var("HTTPS_PROXY", proxy.url());
        std::env::set_var("NO_PROXY", "exempt.test");
        for k in [
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            std::env::remove_var(k);
        }
    }
    let client = |base: &str| {
        Client::builder()
            .api_key("rvya_sk_test")
            .base_url(base)
            // Plain http to a name that is not loopback needs the explicit opt-in.
            .allow_insecure_http(true)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    // Plain HTTP: the proxy gets the absolute URI and answers for the host.
    let credits = client("http://rivya.test").credits().await.unwrap();
    assert_eq!(credits.current_credits, 42.0);
    // HTTPS: a tunnel is asked for (the proxy refuses it here, so the call fails).
    assert!(client("https://rivya.test").credits().await.is_err());
    // NO_PROXY: straight to the host (which does not exist), never via the proxy.
    assert!(client("http://exempt.test").credits().await.is_err());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "GET http://rivya.test/api/v1/credits",
            "CONNECT rivya.test:443"
        ]
    );
}
