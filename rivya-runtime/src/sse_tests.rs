use super::*;

/// `(event, data, id)` of every event the parser yields for `chunks` fed in order.
fn parse_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<(String, String, String)> {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for c in chunks {
        p.push(c);
        while let Some(e) = p.next_event() {
            out.push((e.event, e.data, e.id));
        }
    }
    out
}

fn parse(input: &[u8]) -> Vec<(String, String, String)> {
    parse_chunks([input])
}

fn ev(event: &str, data: &str, id: &str) -> (String, String, String) {
    (event.to_owned(), data.to_owned(), id.to_owned())
}

/// A stream that exercises every rule at once: BOM, all three line ends, comments, multi-line
/// data, ids (one with NUL), retry, unknown fields, an event without data, multi-byte text.
const MIXED: &[u8] = b"\xEF\xBB\xBF: hello\r\n\
event: session\r\ndata: {\"id\":\"chatcmpl_1\"}\r\nid: 0\r\n\r\n\
event: delta\rdata: caf\xC3\xA9 \xF0\x9F\x98\x80\rid: 1\r\r\
data:line one\ndata: line two\ndata\n\n\
: keep-alive\n\
retry: 2500\nfoo: bar\nid: bad\0id\nevent: nothing\n\n\
event: completion\r\ndata: done\r\n\r\n\
data: never dispatched";

fn mixed_expected() -> Vec<(String, String, String)> {
    vec![
        ev("session", "{\"id\":\"chatcmpl_1\"}", "0"),
        ev("delta", "café 😀", "1"),
        ev("message", "line one\nline two\n", "1"),
        ev("completion", "done", "1"),
    ]
}

#[test]
fn mixed_stream_whole() {
    assert_eq!(parse(MIXED), mixed_expected());
}

#[test]
fn same_events_whatever_the_split() {
    let want = mixed_expected();
    for cut in 0..=MIXED.len() {
        let (a, b) = MIXED.split_at(cut);
        assert_eq!(parse_chunks([a, b]), want, "split at byte {cut}");
    }
    for (i, j) in [(1, 2), (3, 40), (17, 18), (50, 90)] {
        let parts = [&MIXED[..i], &MIXED[i..j], &MIXED[j..]];
        assert_eq!(parse_chunks(parts), want, "split at {i} and {j}");
    }
    let bytes = MIXED.chunks(1);
    assert_eq!(parse_chunks(bytes), want, "one byte at a time");
}

#[test]
fn retry_keeps_the_last_valid_value() {
    let mut p = SseParser::new();
    p.push(b"retry: 1000\nretry: 12x\nretry:\nretry: -5\ndata: a\n\n");
    assert!(p.next_event().is_some());
    assert_eq!(p.retry(), Some(Duration::from_millis(1000)));
    p.push(b"retry:42\n\n");
    assert_eq!(p.next_event(), None, "no data, no event");
    assert_eq!(p.retry(), Some(Duration::from_millis(42)));
}

#[test]
fn crlf_split_between_cr_and_lf_is_one_line_end() {
    // "data: a\r" | "\n\r\n" must not read the LF as a second (blank) line.
    let got = parse_chunks([&b"data: a\r"[..], b"\ndata: b\r", b"\n\r\n"]);
    assert_eq!(got, [ev("message", "a\nb", "")]);
}

#[test]
fn cr_only_stream() {
    let got = parse(b"event: x\rdata: 1\r\rdata: 2\r\r");
    assert_eq!(got, [ev("x", "1", ""), ev("message", "2", "")]);
}

#[test]
fn empty_data_line_dispatches_empty_data() {
    assert_eq!(parse(b"data:\n\n"), [ev("message", "", "")]);
    assert_eq!(
        parse(b"data\n\ndata\ndata\n\n"),
        [ev("message", "", ""), ev("message", "\n", "")]
    );
}

#[test]
fn event_type_resets_after_an_empty_event() {
    // An event without data still resets the event type buffer.
    let got = parse(b"event: lost\n\ndata: x\n\n");
    assert_eq!(got, [ev("message", "x", "")]);
}

#[test]
fn only_one_space_after_the_colon_is_dropped() {
    let got = parse(b"data:  two spaces\ndata:none\n\n");
    assert_eq!(got, [ev("message", " two spaces\nnone", "")]);
}

#[test]
fn id_persists_and_can_be_cleared() {
    let got = parse(b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
    assert_eq!(
        got,
        [
            ev("message", "a", "7"),
            ev("message", "b", "7"),
            ev("message", "c", "")
        ]
    );
}

#[test]
fn bom_only_at_the_start_and_only_once() {
    // A second BOM is part of the first line's field name, so that line is an unknown field.
    let got = parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n");
    assert_eq!(got, [ev("message", "y", "")]);
    // A partial BOM is not a BOM.
    let got = parse_chunks([&b"\xEF\xBB"[..], b"data: z\n\n"]);
    assert_eq!(got, []);
    let got = parse_chunks([&b"\xEF"[..], b"\xBB", b"\xBFdata: z\n\n"]);
    assert_eq!(got, [ev("message", "z", "")]);
}

#[test]
fn invalid_utf8_is_replaced_not_fatal() {
    let got = parse(b"data: a\xFFb\n\n");
    assert_eq!(got, [ev("message", "a\u{FFFD}b", "")]);
}

#[test]
fn an_unterminated_last_event_is_not_dispatched() {
    assert_eq!(parse(b"data: a\n\ndata: b\n"), [ev("message", "a", "")]);
    assert_eq!(parse(b"data: a"), []);
}

#[test]
fn pending_bytes_are_counted_and_buffers_compact() {
    let mut p = SseParser::new();
    p.push(b"data: ");
    assert_eq!(p.pending_len(), 6);
    let line = vec![b'x'; 100 * 1024];
    for _ in 0..20 {
        p.push(b"data: ");
        p.push(&line);
        p.push(b"\n\n");
        while p.next_event().is_some() {}
    }
    assert!(p.buf.capacity() < 1024 * 1024, "consumed bytes are dropped");
}
