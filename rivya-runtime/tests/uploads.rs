//! Uploads against a real local server: the whole file streamed with one key, duration tokens
//! carried into references, and files refused before any byte is sent.

mod support;

use rivya_models::{MediaKind, kling_3_0, wan_2_6};
use rivya_runtime::{Error, Upload, UploadRejection};
use serde_json::json;
use support::{client, envelope, idem_keys};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The parts of a multipart body, as (name, file name, bytes).
fn multipart_parts(req: &Request) -> Vec<(String, Option<String>, Vec<u8>)> {
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = format!("--{}", ct.split("boundary=").nth(1).unwrap());
    let body = &req.body;
    let find = |from: usize, needle: &[u8]| {
        body[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut pos = find(0, boundary.as_bytes()).unwrap() + boundary.len();
    while body[pos..].starts_with(b"\r\n") {
        let head_end = find(pos, b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&body[pos + 2..head_end]).into_owned();
        let next = find(head_end, format!("\r\n{boundary}").as_bytes()).unwrap();
        let name = head
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let file = head
            .split("filename=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_owned());
        parts.push((name, file, body[head_end + 4..next].to_vec()));
        pos = next + 2 + boundary.len();
    }
    parts
}

fn png_bytes(len: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend((0..len - 8).map(|i| (i % 251) as u8));
    v
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("rivya-test-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

#[tokio::test]
async fn uploads_stream_the_whole_file_with_one_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files"))
        .respond_with(ResponseTemplate::new(503).set_body_json(envelope("public_api_disabled")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "file_1", "url": "https://cdn.test/f.png", "expires_at": "later"}),
        ))
        .mount(&server)
        .await;
    let bytes = png_bytes(300_000);
    let file = temp_file("ref.png", &bytes);
    let up = client(&server.uri())
        .upload(Upload::path(&file).model::<kling_3_0::Model>())
        .await
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        idem_keys(&reqs),
        [up.idempotency_key.clone(), up.idempotency_key.clone()]
    );
    for req in &reqs {
        let parts = multipart_parts(req);
        let get = |n: &str| parts.iter().find(|p| p.0 == n).unwrap();
        assert_eq!(get("kind").2, b"image");
        assert_eq!(get("model").2, b"kling-3-0");
        assert_eq!(get("file").1.as_deref(), Some(up.name.as_str()));
        assert!(
            get("file").2 == bytes,
            "the file arrived intact and in full"
        );
    }
    let item = up.to_reference();
    assert_eq!(
        (item.kind, item.mime_type.as_deref()),
        (MediaKind::Image, Some("image/png"))
    );
    assert_eq!(up.file.extra["expires_at"], "later");
    assert!(
        kling_3_0::Request::new("p")
            .reference(item)
            .validate()
            .is_ok()
    );
}

#[tokio::test]
async fn video_uploads_carry_their_duration_token_into_the_reference() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"url": "https://cdn.test/v.mp4", "duration_token": "dt_1", "duration_seconds": 5})))
        .mount(&server)
        .await;
    let mut mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0".to_vec();
    mp4.resize(4096, 0);
    let up = client(&server.uri())
        .upload(
            Upload::bytes(mp4, "clip.mp4")
                .kind(MediaKind::Video)
                .model::<wan_2_6::Model>(),
        )
        .await
        .unwrap();
    let item = up.to_reference();
    assert_eq!(item.duration_token.as_deref(), Some("dt_1"));
    assert_eq!(item.duration_seconds, Some(5.0));
    assert!(
        wan_2_6::Request::new("p")
            .reference(item)
            .validate()
            .is_ok()
    );
}

#[tokio::test]
async fn oversize_and_mistyped_files_are_refused_before_any_byte_is_sent() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    let big = temp_file("big.png", &png_bytes(12_000_000));
    let err = c
        .upload(Upload::path(&big).model::<kling_3_0::Model>())
        .await
        .unwrap_err();
    std::fs::remove_file(&big).unwrap();
    assert!(
        matches!(
            err,
            Error::UploadRejected {
                reason: UploadRejection::TooLarge {
                    size: 12_000_000,
                    max: 10_000_000
                },
                ..
            }
        ),
        "{err}"
    );
    let gif =
        Upload::bytes(b"GIF89a\x01\x00\x01\x00".to_vec(), "anim.png").model::<kling_3_0::Model>();
    let err = c.upload(gif).await.unwrap_err();
    assert!(
        err.to_string().contains("image/gif is not accepted"),
        "{err}"
    );
    let text = Upload::bytes(b"just text".to_vec(), "notes.png");
    assert!(matches!(
        c.upload(text).await.unwrap_err(),
        Error::UploadRejected {
            reason: UploadRejection::UnknownType,
            ..
        }
    ));
    let missing = c
        .upload(Upload::path("/nonexistent/ref.png"))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }));
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn the_same_file_uploads_under_the_same_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/files"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "file_1", "url": "https://cdn.test/f"})),
        )
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let bytes = png_bytes(70_000);
    let file = temp_file("same.png", &bytes);
    let key = |up: rivya_runtime::Uploaded| up.idempotency_key;
    let on_disk = key(c
        .upload(Upload::path(&file).model::<kling_3_0::Model>())
        .await
        .unwrap());
    let again = key(c
        .upload(Upload::path(&file).model::<kling_3_0::Model>())
        .await
        .unwrap());
    // Another process, the same file: the same key (a re-run replays the upload).
    assert_eq!(on_disk, again);
    assert!(
        on_disk.len() <= 255 && on_disk.starts_with("upload-"),
        "{on_disk}"
    );
    // What the body holds changes the key: the bytes, the model, the name.
    let mut other = bytes.clone();
    *other.last_mut().unwrap() ^= 1;
    let other_file = temp_file("same.png.2", &other);
    let name = file.file_name().unwrap().to_str().unwrap();
    let differ = [
        key(c
            .upload(Upload::bytes(other, name).model::<kling_3_0::Model>())
            .await
            .unwrap()),
        key(c.upload(Upload::path(&file)).await.unwrap()),
        key(c
            .upload(Upload::path(&other_file).model::<kling_3_0::Model>())
            .await
            .unwrap()),
    ];
    for k in &differ {
        assert_ne!(*k, on_disk);
    }
    // Bytes with the same name, content and model are the same upload as the file.
    let same = key(c
        .upload(Upload::bytes(bytes, name).model::<kling_3_0::Model>())
        .await
        .unwrap());
    assert_eq!(same, on_disk);
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(&other_file).unwrap();
}
