//! Tests of the error types: redaction, the encode variant, status and retryability.

use super::*;

#[test]
fn bodies_kept_for_diagnosis_lose_their_secrets() {
    let body = r#"{"id":"whend_1","signing_secret":"whsec_c2VjcmV0+/=","k":"rvya_sk_abc"}"#;
    let e = Error::Decode {
        status: 200,
        body: redact_secrets(body),
        message: "x".into(),
        idempotency_key: None,
    };
    for shown in [e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(!shown.contains("rvya_sk_abc"), "{shown}");
        assert!(shown.contains("whsec_<redacted>"), "{shown}");
    }
}

/// `?` into `anyhow::Error` or `Box<dyn Error + Send + Sync>` needs these.
const _: () = {
    const fn thread_safe_error<E: std::error::Error + Send + Sync + 'static>() {}
    thread_safe_error::<Error>();
    thread_safe_error::<ApiError>();
};

#[test]
fn encode_failures_have_their_own_variant() {
    // JSON object keys must be strings: a map keyed by pairs cannot be encoded.
    let body: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
    let e = to_json("the request", &body).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Encode {
                what: "the request",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("cannot encode the request as JSON: "),
        "{e}"
    );
    let src = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<serde_json::Error>());
    assert!(src.is_some());
    assert!(!e.is_retryable());
    assert_eq!(e.status(), None);
}

#[test]
fn waits_and_downloads_answer_for_their_cause() {
    let api = |status, code: &str| {
        Error::Api(ApiError {
            status,
            code: ErrorCode::from(code),
            message: "m".into(),
            request_id: None,
            idempotency_key: None,
            retry_after: None,
        })
    };
    let wait = Error::Wait {
        task_id: "task_1".into(),
        source: Box::new(api(404, "not_found")),
    };
    assert_eq!((wait.status(), wait.is_retryable()), (Some(404), false));
    let download = Error::Download {
        task_id: None,
        url: "https://cdn.test/a".into(),
        source: Box::new(Error::Http {
            status: 503,
            body: String::new(),
        }),
    };
    assert_eq!(
        (download.status(), download.is_retryable()),
        (Some(503), true)
    );
    // A chat error event inside a 200 stream has no HTTP status of its own.
    let failed = Error::ChatFailed {
        error: Box::new(ApiError {
            status: 200,
            code: ErrorCode::RateLimited,
            message: "m".into(),
            request_id: None,
            idempotency_key: Some("k".into()),
            retry_after: None,
        }),
        progress: Box::default(),
    };
    assert_eq!((failed.status(), failed.is_retryable()), (None, true));
}
