//! A test that cannot run says so: when a fixture (`../shared/fixtures`) or a peer it needs is
//! missing, the test FAILS under `CI=true` (CI must run everything), and elsewhere prints one
//! clear `SKIPPED` line past libtest's output capture and records it in
//! `target/tmp/skipped-tests.log`, which `scripts/test.sh` counts at the end of the run.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file the skips of a run are appended to (one line each).
pub fn log_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.log")
}

/// Whether the suite runs in CI (`CI=true`, as GitHub Actions and `.ci/run` set it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The name libtest gave the current test's thread (the test's path), or `?`.
fn test_name() -> String {
    std::thread::current().name().unwrap_or("?").to_owned()
}

/// Says that the current test cannot run because of `why`: panics under CI, else prints one
/// SKIPPED line (straight to stderr, which libtest does not capture) and records it.
pub fn skip(why: &str) {
    skip_into(in_ci(), why, &log_path());
}

/// [`skip`] with the CI decision and the log file given (for the helper's own test).
pub fn skip_into(ci: bool, why: &str, log: &Path) {
    let binary = std::env::args()
        .next()
        .and_then(|a| Path::new(&a).file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| s.rsplit_once('-').map_or(s.clone(), |(name, _hash)| name.to_owned()))
        .unwrap_or_default();
    let line = format!("SKIPPED {binary}::{}: {why}", test_name());
    if ci {
        panic!("{line}\nCI=true: a missing fixture or peer fails the test instead of skipping it");
    }
    // Once per test (a property test may ask for its fixture in every case).
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if said.contains(&line) {
        return;
    }
    said.push(line.clone());
    let _ = writeln!(std::io::stderr(), "{line}");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
        let _ = writeln!(f, "{line}");
    }
}

/// `path` when it exists; otherwise [`skip`] (a failure under CI) and `None`.
pub fn fixture(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_owned());
    }
    skip(&format!(
        "{} is absent (the shared fixtures are not checked out beside the repo)",
        path.display()
    ));
    None
}

/// `../shared/fixtures/wheels` beside the repository, when it is there.
pub fn shared_wheels() -> Option<PathBuf> {
    fixture(&super::repo_root().join("../shared/fixtures/wheels"))
}
