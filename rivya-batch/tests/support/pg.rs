//! A real PostgreSQL server for tests: initdb + pg_ctl into a temporary folder, on a free
//! loopback port, stopped (immediate mode) and removed on drop — also when a test panics.
//!
//! The server binaries are found in `RIVYA_PG_BIN`, on `PATH`, or in Debian's
//! `/usr/lib/postgresql/<version>/bin`. initdb refuses to run as root, so under root the
//! server runs as the `postgres` user (via `runuser`). Without binaries the tests skip with
//! a message — except under `CI=true`, where a missing server fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgServer {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    pub port: u16,
}

fn find_bin() -> Option<PathBuf> {
    // An explicit folder is the only place looked at (and lets a test simulate none).
    if let Ok(dir) = std::env::var("RIVYA_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("pg_ctl").is_file().then_some(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            // A symlink on PATH (as some images set up) leads to the real bin folder.
            if dir.join("initdb").is_file()
                && let Ok(real) = std::fs::canonicalize(dir.join("pg_ctl"))
                && let Some(parent) = real.parent()
            {
                return Some(parent.to_owned());
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    l.local_addr().unwrap().port()
}

impl PgServer {
    /// Starts a server, or returns `None` (after saying why) when no binaries exist outside
    /// CI. `durable` keeps fsync on (for benchmarks); tests turn it off for speed.
    pub fn start(durable: bool) -> Option<Self> {
        let Some(bin) = find_bin() else {
            let msg = "no PostgreSQL server binaries (pg_ctl, initdb) found in RIVYA_PG_BIN, PATH or /usr/lib/postgresql/*/bin";
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("{msg}: CI must run the PostgreSQL tests (install the postgresql package)");
            }
            eprintln!("SKIPPED: {msg}; install PostgreSQL to run this test");
            return None;
        };
        let dir = std::env::temp_dir().join(format!(
            "rivya-pg-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let run_as = is_root().then(|| "postgres".to_owned());
        if let Some(user) = &run_as {
            run(Command::new("chown").arg(user).arg(&dir));
        }
        let server = Self {
            dir,
            bin,
            run_as,
            port: free_port(),
        };
        let data = server.dir.join("data");
        server.pg(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let fsync = if durable { "on" } else { "off" };
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=200",
            server.port,
            server.dir.display()
        );
        let log = server.dir.join("log");
        server.pg(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-w",
                "-o",
                &opts,
                "start",
            ],
        );
        Some(server)
    }

    /// Creates a database and returns its URL.
    pub async fn database(&self, name: &str) -> String {
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        drop(client);
        let _ = task.await;
        self.url(name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args).current_dir(&self.dir);
        run(&mut cmd);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let exe = self.bin.join("pg_ctl");
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let _ = cmd
            .args(["-D", path(&data), "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
