//! Downloads into a folder others may have touched: links planted at `.part` or `.part.meta`
//! are never written through, a `.part` others can write is never resumed, results are 0600,
//! and a file larger than the download limit is refused.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rivya_runtime::{Client, RetryPolicy};
use support::raw::{RawServer, Reply};

fn client(max: u64) -> Client {
    Client::builder()
        .api_key("rvya_sk_test")
        .base_url("http://127.0.0.1:9")
        .max_download_bytes(max)
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rivya-dls-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn png_server(len: usize) -> RawServer {
    let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
    body.resize(len, 3);
    RawServer::start(true, move |_| {
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: image/png\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        Reply::Raw(out)
    })
}

fn victim(dir: &Path) -> PathBuf {
    let v = dir.join("victim.txt");
    std::fs::write(&v, b"keep me").unwrap();
    v
}

#[tokio::test]
async fn a_link_planted_at_the_part_or_its_meta_is_not_written_through() {
    let server = png_server(2048);
    let url = format!("{}/r.png", server.url());
    for planted in ["shot.part", "shot.part.meta"] {
        let root = temp_dir(&planted.replace('.', "-"));
        let out = root.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let target = victim(&root);
        std::os::unix::fs::symlink(&target, out.join(planted)).unwrap();
        let e = client(1 << 20)
            .download(&url, &out, "shot")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{planted}: {e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me", "{planted}");
        assert!(!out.join("shot.png").exists(), "{planted}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}

#[tokio::test]
async fn a_part_others_can_write_is_not_resumed() {
    let server = png_server(2048);
    let url = format!("{}/r.png", server.url());
    let out = temp_dir("writable");
    let part = out.join("shot.part");
    std::fs::write(&part, b"planted bytes").unwrap();
    std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::write(out.join("shot.part.meta"), format!("{url}\n\n")).unwrap();
    let e = client(1 << 20)
        .download(&url, &out, "shot")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("others can write"), "{e}");
    assert!(!out.join("shot.png").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[tokio::test]
async fn results_are_private_and_the_size_limit_holds() {
    let server = png_server(4096);
    let url = format!("{}/r.png", server.url());
    let out = temp_dir("cap");
    let saved = client(1 << 20).download(&url, &out, "ok").await.unwrap();
    let mode = std::fs::metadata(&saved.path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "results may hold what a prompt made");

    let e = client(1000).download(&url, &out, "big").await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("download limit") && text.contains("RIVYA_MAX_DOWNLOAD_BYTES"),
        "{text}"
    );
    assert!(!out.join("big.part").exists() && !out.join("big.png").exists());
    std::fs::remove_dir_all(&out).unwrap();
}
