//! `rivya chat`: one turn with a chat model, streamed as it arrives; `rivya chat sessions`.
//!
//! Everything local is checked before anything is sent: the model is a chat model, the turn
//! passes the model's rules, every `--attach` file is an image the model takes. From the moment
//! the turn may reach the server, every way out names its idempotency key (and the session
//! when known) with the command that gets the same turn back without paying twice.

use futures_util::StreamExt;
use rivya_models::{ModelInfo, catalog};
use rivya_runtime::{ChatCompletion, ChatEvent, Client, Error, Upload};
use serde_json::{Value, json};
use std::io::{Read, Write};

use crate::args::TurnArgs;
use crate::failure::Failure;
use crate::journal::{Entry, Journal, Kind};
use crate::recovery::Recovery;
use crate::render::Render;

/// Exit status of a turn refused locally (nothing sent).
const REFUSED: u8 = 2;

fn refused(message: impl Into<String>) -> Failure {
    Failure {
        code: "invalid_request".to_owned(),
        exit: REFUSED,
        ..Failure::usage(message)
    }
}

/// `rivya chat sessions [ID]`.
pub async fn sessions(client: &Client, id: Option<&str>, render: Render) -> Result<(), Failure> {
    match id {
        Some(id) => {
            let s = client.chat_session(id).await?;
            let value = serde_json::to_value(&s).unwrap_or_default();
            let mut text = format!("{} ({}, {} turns)", s.id, s.model, s.turns);
            for m in &s.messages {
                text += &format!("\n{}: {}", m.role, printable(&m.content));
            }
            render.result(&value, &text);
        }
        None => {
            let list = client.chat_sessions().await?;
            let text: Vec<String> = list
                .data
                .iter()
                .map(|s| format!("{}  {}  {} turns", s.id, s.model, s.turns))
                .collect();
            let value = serde_json::to_value(&list).unwrap_or_default();
            render.result(&value, &text.join("\n"));
        }
    }
    Ok(())
}

/// One turn: check, upload attachments, send (streamed unless `--no-stream`), print.
pub async fn run(
    client: &Client,
    args: TurnArgs,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    let (info, mut body) = checked_body(&args)?;
    let mut attachments = Vec::new();
    for path in &args.attach {
        let a = client.upload_attachment(Upload::path(path), info).await?;
        attachments.push(json!({"file_id": a.file_id}));
    }
    if !attachments.is_empty() {
        body["attachments"] = Value::from(attachments);
    }
    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(Client::new_idempotency_key);
    // The durable trace comes first: a process killed mid-turn leaves the key and the exact
    // body for `rivya history` / `rivya resume`.
    let journal = Journal::open()?;
    let mut entry = Entry::new(Kind::ChatSession, &key, info.id, &body);
    journal.record(&entry).map_err(|e| {
        Failure::io(format!(
            "cannot write the journal in {}: {e}; nothing was sent",
            journal.dir().display()
        ))
    })?;
    // From here on the turn may reach the server: every exit names the key.
    recovery.creating(&key);
    let resume = resume_command(&args, &key);
    let done = if args.no_stream {
        client.chat_value_with_key(&body, key.clone()).await
    } else {
        stream(client, &body, &key, render).await
    };
    let done = done.map_err(|e| failure(e, &key, &resume))?;
    entry.created(&done.session_id);
    entry.done();
    journal.update(&entry, render);
    finish(&done, info, render, !args.no_stream);
    Ok(())
}

/// `rivya resume KEY` of a journalled chat turn: the same body with the same key (the server
/// returns that turn, charged once), printed like a finished turn.
pub async fn resume(
    client: &Client,
    journal: &Journal,
    mut entry: Entry,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    let info = catalog::find(&entry.model)
        .filter(|m| m.is_chat())
        .ok_or_else(|| Failure::invalid(format!("`{}` is not a chat model", entry.model)))?;
    let key = entry.idempotency_key.clone();
    recovery.creating(&key);
    let done = client
        .chat_value_with_key(&entry.body, key.clone())
        .await
        .map_err(|e| failure(e, &key, &format!("rivya resume {key}")))?;
    entry.created(&done.session_id);
    entry.done();
    journal.update(&entry, render);
    finish(&done, info, render, false);
    Ok(())
}

/// The model and the turn's body, judged by the model's rules; attachments count as
/// placeholders until uploaded, so their number is checked before any upload.
fn checked_body(args: &TurnArgs) -> Result<(&'static ModelInfo, Value), Failure> {
    let (Some(model), Some(message)) = (&args.model, &args.message) else {
        return Err(Failure::usage(
            "usage: rivya chat <MODEL> <MESSAGE|-> (or `rivya chat sessions [ID]`)",
        ));
    };
    let chat_ids = || {
        let ids: Vec<&str> = catalog::all()
            .iter()
            .filter(|m| m.is_chat())
            .map(|m| m.id)
            .collect();
        ids.join(", ")
    };
    let info = catalog::find(model)
        .filter(|m| m.is_chat())
        .ok_or_else(|| {
            refused(format!(
                "`{model}` is not a chat model; chat models: {}",
                chat_ids()
            ))
        })?;
    let message = if message == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::io(format!("cannot read the message from stdin: {e}")))?;
        // `echo … |` and files end in a newline that is not part of the message.
        if s.ends_with('\n') {
            s.pop();
            if s.ends_with('\r') {
                s.pop();
            }
        }
        s
    } else {
        message.clone()
    };
    let mut body = json!({"model": info.id, "message": message});
    if let Some(s) = &args.session {
        body["session_id"] = Value::from(s.as_str());
    }
    if args.web_search {
        body["enable_web_search"] = Value::Bool(true);
    }
    if let Some(e) = &args.reasoning_effort {
        body["reasoning_effort"] = Value::from(e.as_str());
    }
    if !args.attach.is_empty() {
        let pending: Vec<Value> = args
            .attach
            .iter()
            .map(|_| json!({"file_id": "pending-upload"}))
            .collect();
        body["attachments"] = Value::from(pending);
    }
    if let Err(e) = catalog::validate_value(&body) {
        return Err(refused(format!("{e}\nnothing was sent")));
    }
    if let Some(k) = &args.idempotency_key {
        crate::flag_checks::idempotency_key(k)?;
    }
    if let Some(obj) = body.as_object_mut() {
        obj.remove("attachments");
    }
    Ok((info, body))
}

/// Streams the answer to stdout as it arrives (text mode) and returns the completed turn.
async fn stream(
    client: &Client,
    body: &Value,
    key: &str,
    render: Render,
) -> Result<ChatCompletion, Error> {
    let mut s = client
        .chat_stream_value_with_key(body, key.to_owned())
        .await?;
    let mut out = std::io::stdout();
    while let Some(event) = s.next().await {
        match event? {
            ChatEvent::Delta { text } if !render.json => {
                // A closed stdout (`| head`) stops printing, not the turn.
                let _ = out.write_all(printable(&text).as_bytes());
                let _ = out.flush();
            }
            ChatEvent::Completed(done) => return Ok(*done),
            _ => {}
        }
    }
    // The stream's own end-of-stream handling reports a broken stream as an error event.
    s.into_completion().await
}

/// Prints the end of a turn: the JSON object, or the answer (unless it was streamed already)
/// and the session line.
fn finish(done: &ChatCompletion, info: &ModelInfo, render: Render, streamed: bool) {
    if render.json {
        let v = json!({
            "id": done.id,
            "session_id": done.session_id,
            "model": done.model,
            "content": done.message.content,
            "usage": done.usage,
            "credits": done.credits,
        });
        crate::render::line(&v.to_string());
        return;
    }
    if streamed {
        crate::render::line("");
    } else {
        crate::render::line(&printable(&done.message.content));
    }
    eprintln!(
        "session {} ({} credits; {} tokens) — continue with `rivya chat {} --session {} \"…\"`",
        done.session_id,
        rivya_models::wire::format_number(done.credits.final_),
        done.usage.total_tokens,
        info.id,
        done.session_id
    );
}

/// The command that sends this very turn again with its key: the same body, so the server
/// returns the same turn and charges nothing more.
fn resume_command(args: &TurnArgs, key: &str) -> String {
    let mut cmd = format!(
        "rivya chat {} {} --no-stream --idempotency-key {key}",
        args.model.as_deref().unwrap_or_default(),
        crate::failure::shell_word(args.message.as_deref().unwrap_or_default())
    );
    if let Some(s) = &args.session {
        cmd += &format!(" --session {}", crate::failure::shell_word(s));
    }
    if args.web_search {
        cmd += " --web-search";
    }
    if let Some(e) = &args.reasoning_effort {
        cmd += &format!(" --reasoning-effort {}", crate::failure::shell_word(e));
    }
    if !args.attach.is_empty() {
        cmd += " --attach …(the same files)";
    }
    cmd
}

/// A failure after the turn may have reached the server: its key, the session when known, the
/// text received so far, and the command that gets the same turn back.
fn failure(e: Error, key: &str, resume: &str) -> Failure {
    let session = e.session_id().map(str::to_owned);
    let mut f = Failure::from(e);
    f.idempotency_key.get_or_insert_with(|| key.to_owned());
    f.session_id = session;
    f.resume = Some(format!(
        "the turn may have reached the server{}: get it without paying twice with `{resume}`",
        f.session_id
            .as_deref()
            .map(|s| format!(" (session {s})"))
            .unwrap_or_default()
    ));
    f
}

/// Server text made safe for a terminal: control characters other than newline and tab are
/// shown escaped, so an answer cannot move the cursor or rewrite the screen.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
