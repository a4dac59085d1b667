//! The PostgreSQL ledger's connection settings, as libpq users expect them: the password from
//! the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, else `~/.pgpass`, used
//! only when others cannot read it), which tokio-postgres does not read by itself; and a
//! connect timeout unless the URL sets one, so an unreachable database fails instead of
//! hanging.

use std::path::PathBuf;
use std::time::Duration;

use tokio_postgres::config::{Config, Host};

/// How long a connection attempt may take unless the URL says (`connect_timeout=`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of `url`, with the password and timeout filled in as described above. The
/// error never repeats the URL (it may hold a password).
pub fn config(url: &str) -> Result<Config, String> {
    let mut config: Config = url
        .parse()
        .map_err(|e| format!("the ledger URL is not a PostgreSQL URL: {e}"))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_password().is_none() {
        if let Some(p) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(p.as_encoded_bytes());
        } else if let Some(p) = from_file(&config) {
            config.password(p);
        }
    }
    Ok(config)
}

/// The first matching line of the password file, if the file is private.
fn from_file(config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    // libpq ignores a password file that others can read; so does this.
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_owned();
    let db = config
        .get_dbname()
        .map_or_else(|| user.clone(), str::to_owned);
    lookup(&text, [&host, &port, &db, &user])
}

/// The password of the first line whose four fields match (`*` matches anything).
fn lookup(text: &str, want: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(fields)
        .filter(|f| f.len() == 5)
        .find(|f| {
            f[..4]
                .iter()
                .zip(want)
                .all(|(got, w)| got == "*" || got == w)
        })
        .map(|f| f[4].clone())
}

/// The `:`-separated fields of a line, with `\:` and `\\` unescaped.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), out.last_mut()) {
                    f.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_file_lines_match_like_libpq() {
        let text = "# comment\n\
                    other:5432:*:batch:wrong\n\
                    db.internal:5432:shots:batch:s3cr\\:et\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            lookup(text, ["db.internal", "5432", "shots", "batch"]).as_deref(),
            Some("s3cr:et")
        );
        assert_eq!(
            lookup(text, ["elsewhere", "5433", "x", "y"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(lookup("a:b:c:d\n", ["a", "b", "c", "d"]), None);
    }

    #[test]
    fn a_timeout_is_set_and_errors_hide_the_url() {
        let c = config("postgres://batch@db.internal/shots").unwrap();
        assert_eq!(c.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        let c = config("postgres://batch:pw@db.internal/shots?connect_timeout=3").unwrap();
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(c.get_password(), Some(&b"pw"[..]));
        let e = config("postgres://batch:hunter2@db/x?sslmode=bogus").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }
}
