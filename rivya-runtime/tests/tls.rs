//! The TLS stack is usable: rustls finds its one crypto provider (ring) without being told, so
//! an https client builds and a failed https call is a transport error, never a panic.

mod support;

use std::net::TcpListener;

use rivya_runtime::Error;

#[tokio::test]
async fn an_https_client_builds_and_fails_like_any_transport() {
    // A port that was free a moment ago: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = support::client(&format!("https://127.0.0.1:{port}"));
    let err = client.credits().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    if let Error::Transport { source, .. } = &err {
        assert!(source.is_connect(), "{source}");
    }
}
