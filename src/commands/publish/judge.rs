//! How `publish` judges what the index says "no" to, by the index itself and with patience.
//!
//! An index lists uploads late (PyPI behind its CDN, mirrors) and another run may be uploading
//! the same file right now. So a rejected upload (400/403/409/422 saying the file exists) is
//! judged by polling the project page, with backoff, until it lists our file with our sha256
//! (success: another run uploaded it) or `--verify-timeout` ends; only then is a different file
//! a conflict and no file a rejection. Any other rejection is judged by one read; an upload
//! that got no answer at all is polled the same way before it is called a failure. A conflict
//! found while planning whose index copy is a strict prefix of our file (an upload still being
//! written, or an interrupted one) is re-read the same way before it holds every other file.

use super::{
    Action, FailureKind, LocalDist, PublishedFile, UploadContext, failed, files, planned_file,
};
use crate::model::upload_plan::{Planned, Presence, ProjectListing, presence};
use crate::remote::index::{IndexClient, IndexError};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The longest pause between two reads while waiting.
const MAX_POLL: Duration = Duration::from_secs(4);

/// Whether a rejection says the file is already there, in the words indexes use: 409 from
/// pypiserver, devpi and CodeArtifact; PyPI's "File already exists" (400), GCP's "already
/// exists", GitLab's "has already been taken", Nexus's "updating assets" / "cannot be updated",
/// Artifactory's "overwrite" (403).
pub(super) fn says_exists(status: StatusCode, message: &str) -> bool {
    if status == StatusCode::CONFLICT {
        return true;
    }
    let lower = message.to_ascii_lowercase();
    matches!(status.as_u16(), 400 | 403 | 422)
        && [
            "already exist",
            "already been taken",
            "updating asset",
            "cannot be updated",
            "overwrite",
            "file-name-reuse",
        ]
        .iter()
        .any(|words| lower.contains(words))
}

/// Reads the project page until it lists our file with our digest or `budget` ends (at least
/// one read); returns the last answer.
async fn poll_presence(
    index: &IndexClient,
    local: &LocalDist,
    budget: Duration,
) -> Result<Presence, IndexError> {
    let deadline = Instant::now() + budget;
    let mut delay = Duration::from_millis(250);
    loop {
        let listing = index.project(&local.project).await?;
        let seen = presence(&listing, &local.filename, &local.digests);
        if seen == Presence::Same || Instant::now() + delay > deadline {
            return Ok(seen);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_POLL);
    }
}

/// A non-2xx answer means nothing by itself: the index says whether our file is there.
pub(super) async fn judge_rejection(
    ctx: &UploadContext<'_>,
    local: &LocalDist,
    mut file: PublishedFile,
    status: StatusCode,
    message: &str,
) -> PublishedFile {
    let started = Instant::now();
    let said = if message.is_empty() { status.to_string() } else { format!("{status}: {message}") };
    let budget = if says_exists(status, message) { ctx.patience } else { Duration::ZERO };
    match poll_presence(ctx.index, local, budget).await {
        Ok(Presence::Same) => {
            file.action = Action::Skipped;
            file.detail = format!(
                "the index answered {said}; it lists our exact file (uploaded by another run)"
            );
            file
        }
        Ok(Presence::Different { algorithm, remote, local: ours }) => {
            file.action = Action::Conflict;
            file.detail = format!(
                "the index answered {said}; it has a different file under this name: {algorithm} {remote} on the index, {ours} here"
            );
            file.remote_sha256 = (algorithm == "sha256").then_some(remote);
            file
        }
        Err(e) => {
            let text = format!("the index answered {said}; re-reading the index failed: {e}");
            failed(file, FailureKind::Environment, None, text, started)
        }
        Ok(Presence::Absent | Presence::Unverifiable) => {
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                ctx.stop.store(true, std::sync::atomic::Ordering::Relaxed);
                let text = format!("the index refused our credentials ({said})");
                return failed(file, FailureKind::Auth, None, text, started);
            }
            let kind = if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                FailureKind::Environment
            } else {
                FailureKind::Rejected
            };
            let waited = if budget.is_zero() {
                String::new()
            } else {
                format!(
                    "; it did not list our file within {} s (--verify-timeout)",
                    budget.as_secs()
                )
            };
            failed(file, kind, None, format!("the index answered {said}{waited}"), started)
        }
    }
}

/// No answer (transport errors, or 5xx/429 after every retry): the body may have arrived even
/// though the answer did not, and the index may list it late, so it is polled like a
/// rejection that says the file exists before the run calls it an environment failure.
pub(super) async fn judge_lost_answer(
    ctx: &UploadContext<'_>,
    local: &LocalDist,
    mut file: PublishedFile,
    error: &IndexError,
    started: Instant,
) -> PublishedFile {
    let text = crate::remote::http::error_chain(error);
    match poll_presence(ctx.index, local, ctx.patience).await {
        Ok(Presence::Same) => {
            file.action = Action::Skipped;
            file.detail = format!("the upload failed ({text}), but the index lists our exact file");
            file
        }
        _ => failed(file, FailureKind::Environment, None, text, started),
    }
}

/// Plan conflicts whose index copy is a strict prefix of our file: another run may still be
/// writing it, so the index is polled (up to `patience`) for our exact file, which turns the
/// conflict into a skip; a copy that stays truncated is an interrupted upload that a server kept
/// without checking the digests we sent (pypiserver does this): say so, and how to repair it.
/// Only conflicts pay for the download.
pub(super) async fn settle_partial_copies(
    index: &IndexClient,
    locals: &[LocalDist],
    planned: &mut [Planned],
    listings: &BTreeMap<String, ProjectListing>,
    report: &mut [PublishedFile],
    patience: Duration,
) {
    for i in 0..planned.len() {
        let Planned::Conflict { remote, .. } = &planned[i] else { continue };
        let remote = remote.clone();
        let local = &locals[i];
        let Some(listed) = listings.get(&local.project).and_then(|l| l.file(&local.filename))
        else {
            continue;
        };
        let Ok(Some((len, sha))) = index.file_sha256(&listed.url, local.size).await else {
            continue;
        };
        if len >= local.size || sha != remote {
            continue;
        }
        let path = local.path.clone();
        let prefix = tokio::task::spawn_blocking(move || files::prefix_sha256(&path, len)).await;
        if !matches!(prefix, Ok(Ok(ref p)) if *p == sha) {
            continue;
        }
        if let Ok(Presence::Same) = poll_presence(index, local, patience).await {
            planned[i] = Planned::Skip;
            report[i] = planned_file(local, &Planned::Skip, false);
            report[i].detail = format!(
                "the index first listed a partial copy ({len} of {} bytes), then our exact file: another run was uploading it",
                local.size
            );
            continue;
        }
        report[i].detail = format!(
            "the index holds a truncated copy of this file ({len} of {} bytes, sha256 {remote}; ours is {}): an earlier upload was interrupted and the server kept what it had received without checking the digest. Delete that file on the index (pypiserver: from its packages directory) and run again",
            local.size, local.digests.sha256
        );
    }
}

#[cfg(test)]
mod tests {
    use super::says_exists;
    use reqwest::StatusCode;

    #[test]
    fn rejections_that_say_the_file_exists() {
        let s = |code: u16| StatusCode::from_u16(code).unwrap();
        assert!(says_exists(s(409), ""));
        assert!(says_exists(s(400), "File already exists ('x.whl', with blake2_256 hash 'ab')."));
        assert!(says_exists(s(400), "Validation failed: File name has already been taken"));
        assert!(says_exists(s(400), "Repository does not allow updating assets: pypi-hosted"));
        assert!(says_exists(s(403), "Not enough permissions to overwrite artifact 'x'"));
        assert!(says_exists(s(400), "requested entity already exists"));
        assert!(!says_exists(s(400), "Invalid value for platform tag"));
        assert!(!says_exists(
            s(400),
            "Uploading new files to releases older than 14 days is not allowed."
        ));
        assert!(!says_exists(s(403), "Invalid or non-existent authentication information."));
        assert!(!says_exists(s(500), "already exists"));
    }
}
