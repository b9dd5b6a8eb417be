//! Real-server test support for surestep's integration tests.
//!
//! Every server runs on its own free 127.0.0.1 port, is started through
//! `scripts/peers/supervise.py` (own process group; killed when this test process's pipe to it
//! closes, for any reason), is polled for readiness with a bounded timeout (panic with the log
//! tail on failure), and is killed on Drop. Nothing is ever skipped: a missing peer panics
//! with the install command (`bash scripts/services.sh install`).
//!
//! Peers live in `$SURESTEP_PEERS` or `$HOME/.cache/surestep-peers`.
#![allow(dead_code)]

pub mod cli;
pub mod http;
pub mod process;
pub mod proxy;
pub mod pypi;
pub mod registry;
pub mod s3;
pub mod skip;

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[allow(unused_imports)]
pub use process::{ServerProcess, pid_alive, process_group_members};
#[allow(unused_imports)]
pub use proxy::{FaultProxy, Faults, ProxiedRequest};
#[allow(unused_imports)]
pub use pypi::{
    Devpi, DevpiIndex, PyPiServer, make_wheel, make_wheel_salted, twine_upload, twine_upload_output,
};
#[allow(unused_imports)]
pub use registry::{PushOptions, Registry, RegistryAuth};
#[allow(unused_imports)]
pub use s3::{Moto, S3Response, S3sFs, s3_curl};

/// The command that installs every peer.
pub const INSTALL_HINT: &str = "bash scripts/services.sh install";

/// `$SURESTEP_PEERS`, else `$HOME/.cache/surestep-peers`.
pub fn peers_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("SURESTEP_PEERS").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").expect("HOME is not set (or set SURESTEP_PEERS)");
    PathBuf::from(home).join(".cache/surestep-peers")
}

/// The repository root (`CARGO_MANIFEST_DIR`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/peers/` in the repository.
pub fn scripts_dir() -> PathBuf {
    repo_root().join("scripts/peers")
}

/// The python3 that runs the stdlib-only helper scripts (`$SURESTEP_PYTHON` or `python3`).
pub fn python() -> String {
    std::env::var("SURESTEP_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Panic with the install command unless `path` exists.
pub fn require_installed(path: &Path, what: &str) {
    if !path.exists() {
        panic!(
            "{what} is not installed: {} does not exist.\nInstall the test peers with: {INSTALL_HINT}\n\
             (peers dir: {}; set SURESTEP_PEERS to use another)",
            path.display(),
            peers_dir().display()
        );
    }
}

/// Panic with the install command unless `program` is on PATH.
pub fn require_on_path(program: &str, what: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    if !found {
        panic!(
            "{what} is not installed: `{program}` is not on PATH.\nInstall the test peers with: {INSTALL_HINT}"
        );
    }
}

/// A free 127.0.0.1 port (bind port 0, read it, release it). Never hands out the same port
/// twice in one test process.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let set = given.get_or_insert_with(HashSet::new);
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind 127.0.0.1:0")
            .port();
        if set.insert(port) {
            return port;
        }
    }
    panic!("no free port found");
}

/// True when something accepts TCP connections on 127.0.0.1:port.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        std::time::Duration::from_millis(500),
    )
    .is_ok()
}

/// A fresh temporary directory (removed on Drop).
pub fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("surestep-{prefix}-"))
        .tempdir()
        .expect("create temp dir")
}

/// A readiness probe: true when `GET http://127.0.0.1:{port}{path}` answers with `status`
/// (any status when `None`).
pub fn http_ready(path: &str, status: Option<u16>) -> impl FnMut(u16) -> bool + '_ {
    move |port| match http::get(&format!("http://127.0.0.1:{port}{path}")) {
        Ok(r) => status.is_none_or(|s| s == r.status),
        Err(_) => false,
    }
}

/// Lowercase hex sha256 of some bytes, as indexes, registries and `sha256sum` print it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex sha256 of a file.
pub fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    sha256_hex(&bytes)
}

/// File name → sha256 of every file directly in `dir` (an index's storage, a dist folder).
pub fn sha256_dir(dir: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), sha256_file(&e.path())))
        .collect()
}

/// Runs git in `dir` with a fixed identity and no system or user config (HOME is `dir`);
/// panics with git's stderr on failure. Returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
