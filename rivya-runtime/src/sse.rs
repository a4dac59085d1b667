//! An incremental Server-Sent Events parser following the WHATWG "event stream interpretation"
//! rules: UTF-8 with replacement, one leading BOM dropped, CRLF / CR / LF line ends, `:`
//! comments, `event`, `data` (lines joined by `\n`), `id` (ignored when it holds NUL), `retry`
//! (ASCII digits only), other fields ignored. An event is dispatched on a blank line; one
//! without data is dropped; an event still open when the stream ends is never dispatched.
//!
//! Bytes are fed in chunks of any size ([`SseParser::push`]) and events are pulled out
//! ([`SseParser::next_event`]); splitting the input anywhere yields the same events. Lines are
//! cut at the byte level (CR and LF never occur inside a UTF-8 sequence), then each line is
//! decoded on its own, which gives the same text as decoding the whole stream.

use std::time::Duration;

/// A buffer larger than this is freed once empty rather than kept for reuse.
const RELEASE_ABOVE: usize = 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseEvent {
    /// The event type; `message` when the stream named none.
    pub event: String,
    /// The data lines joined by `\n`.
    pub data: String,
    /// The last event id seen on the stream so far (`""` when none was set).
    pub id: String,
}

/// The parser state: unconsumed bytes and the event being built.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes received and not yet consumed as lines.
    buf: Vec<u8>,
    /// Where the unconsumed part of `buf` starts.
    start: usize,
    /// How far past `start` a line end was already looked for: a long line arriving in many
    /// chunks is scanned once, not once per chunk.
    scanned: usize,
    /// Whether the stream's start was examined for a BOM.
    bom_done: bool,
    /// The previous chunk ended in CR: an LF starting the next one belongs to it.
    after_cr: bool,
    event: String,
    /// Each data line followed by `\n`, so `data:` alone still makes it non-empty.
    data: String,
    last_id: String,
    retry: Option<Duration>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes received from the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > RELEASE_ABOVE {
                // A huge event passed: do not hold its buffer for the rest of the stream.
                self.buf = Vec::new();
            }
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            // Drop consumed bytes once they outweigh the pending ones (amortised O(n)).
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete event, if the bytes pushed so far finish one.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if !self.bom_done && !self.skip_bom() {
                return None;
            }
            let line_end = self.take_line()?;
            let event = self.process_line(line_end);
            if self.start == self.buf.len() && self.buf.capacity() > RELEASE_ABOVE {
                // A huge line was consumed (and copied): free its buffer now, not at the next
                // push, so it is not held while the caller decodes the event.
                self.buf = Vec::new();
                self.start = 0;
            }
            if event.is_some() {
                return event;
            }
        }
    }

    /// Bytes pushed but not yet part of a complete line (a guard against unbounded lines).
    pub fn pending_len(&self) -> usize {
        self.buf.len() - self.start + self.data.len()
    }

    /// The reconnection time of the last valid `retry` field.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The last event id set by the stream (`""` when none).
    pub fn last_event_id(&self) -> &str {
        &self.last_id
    }

    /// Drops a leading UTF-8 BOM; `false` while too few bytes arrived to tell.
    fn skip_bom(&mut self) -> bool {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let head = &self.buf[self.start..];
        let n = head.len().min(BOM.len());
        if head[..n] != BOM[..n] {
            self.bom_done = true;
        } else if n == BOM.len() {
            self.start += BOM.len();
            self.bom_done = true;
        }
        self.bom_done
    }

    /// Consumes one complete line from the buffer and returns the range of its text (without
    /// its line end); `None` until a line end arrives.
    fn take_line(&mut self) -> Option<(usize, usize)> {
        if self.after_cr && self.start < self.buf.len() {
            if self.buf[self.start] == b'\n' {
                self.start += 1;
            }
            self.after_cr = false;
        }
        let rest = &self.buf[self.start..];
        let Some(i) = rest[self.scanned.min(rest.len())..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map(|i| i + self.scanned.min(rest.len()))
        else {
            self.scanned = rest.len();
            return None;
        };
        self.scanned = 0;
        let (from, to) = (self.start, self.start + i);
        let mut next = to + 1;
        if rest[i] == b'\r' {
            match rest.get(i + 1) {
                Some(b'\n') => next += 1,
                Some(_) => {}
                // CR is the last byte so far: an LF may follow in the next chunk.
                None => self.after_cr = true,
            }
        }
        self.start = next;
        Some((from, to))
    }

    /// Interprets one line; an event when the line was blank and data was buffered.
    fn process_line(&mut self, (from, to): (usize, usize)) -> Option<SseEvent> {
        if from == to {
            return self.dispatch();
        }
        let line = String::from_utf8_lossy(&self.buf[from..to]);
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Absurdly long digit strings saturate rather than fail.
                let ms = value.parse().unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(ms));
            }
            _ => {}
        }
        None
    }

    /// A blank line: the buffered event, if it has data; the buffers are reset either way.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the `\n` after the last data line
        Some(SseEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data,
            id: self.last_id.clone(),
        })
    }
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
