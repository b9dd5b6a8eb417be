//! `surestep lock status`: is this state locked, or which states under a prefix are?
//!
//! The story: parse the URL, connect, then either read the one `.tflock` key or list every
//! `.tflock` under the prefix (plus the same prefix inside every workspace) and read them all
//! concurrently; describe each lock, mark stale ones, and decide the exit status.

use super::{LockReport, connect, parse_duration_flag, parse_url, s3_error};
use crate::cli::lock::LockStatusArgs;
use crate::exit::{CliError, ExitStatus};
use crate::model::tflock::LockLocation;
use crate::output::Reporter;
use crate::remote::s3_lock::{LockListing, LockStore, S3LockError};
use serde::Serialize;
use std::time::SystemTime;

/// What `lock status` found.
#[derive(Debug, Clone, Serialize)]
pub struct StatusOutcome {
    pub target: String,
    pub recursive: bool,
    /// A lock is held (any lock, with --recursive).
    pub locked: bool,
    /// The lock (with --recursive: the oldest one).
    pub lock_id: Option<String>,
    pub who: Option<String>,
    pub created: Option<String>,
    pub age_seconds: Option<u64>,
    pub lock_count: usize,
    pub stale_count: usize,
    pub stale_after_seconds: Option<u64>,
    /// Objects the listing went through (--recursive only).
    pub objects_scanned: Option<u64>,
    pub fail_if_locked: bool,
    pub locks: Vec<LockReport>,
    pub warnings: Vec<String>,
}

impl StatusOutcome {
    pub fn status(&self) -> ExitStatus {
        if self.fail_if_locked && self.locked { ExitStatus::Failed } else { ExitStatus::Success }
    }

    /// The lock the top-level fields describe.
    fn headline(locks: &[LockReport]) -> Option<&LockReport> {
        locks.iter().max_by_key(|l| l.age_seconds.unwrap_or(0))
    }
}

pub async fn status(args: &LockStatusArgs, reporter: &Reporter) -> Result<StatusOutcome, CliError> {
    let url = parse_url(&args.target.url)?;
    let stale_after =
        args.stale_after.as_deref().map(|s| parse_duration_flag("--stale-after", s)).transpose()?;
    if url.is_prefix() && !args.recursive {
        return Err(CliError::usage(anyhow::anyhow!("{url} names a prefix, not a state key"))
            .with_hint("add --recursive to list every lock under it, or name the state key"));
    }
    let prefix_ws = args.target.workspace_key_prefix.as_str();
    let store = connect(&args.s3, reporter).await?;
    let now = SystemTime::now();

    let mut notes = Vec::new();
    let (objects, scanned) = if args.recursive {
        let spinner = reporter.spinner(&format!("listing .tflock keys under {url}"));
        let listing = list_with_workspaces(&store, &url.bucket, &url.key, prefix_ws)
            .await
            .map_err(s3_error)?;
        spinner.finish();
        let bar = reporter.progress(
            listing.lock_keys.len() as u64,
            &format!("reading {} lock(s)", listing.lock_keys.len()),
        );
        let read = store.read_locks(&url.bucket, &listing.lock_keys, &|| bar.inc(1)).await;
        bar.milestone(&format!("done ({} objects listed)", listing.objects_scanned));
        bar.finish();
        let mut objects = Vec::new();
        for r in read {
            // A lock released between the listing and the read is simply gone.
            if let Some(o) = r.map_err(s3_error)? {
                objects.push(o);
            }
        }
        (objects, Some(listing.objects_scanned))
    } else {
        let location = LockLocation::for_key(&url.key, args.target.workspace.as_deref(), prefix_ws);
        let read = store.read_lock(&url.bucket, &location.lock_key).await.map_err(s3_error)?;
        if read.is_none()
            && store.head_etag(&url.bucket, &location.state_key).await.map_err(s3_error)?.is_none()
        {
            // Unlocked is the true answer, but a key with neither a lock nor a state is more
            // often a typo (or the wrong --workspace) than a state never applied.
            notes.push(format!(
                "s3://{}/{} has no state object either: a state never applied, or a mistyped \
                 key or --workspace",
                url.bucket, location.state_key
            ));
        }
        (read.into_iter().collect(), None)
    };
    if scanned == Some(0) {
        notes.push(format!("nothing at all under {url}: is the prefix right?"));
    }

    let locks: Vec<LockReport> = objects
        .iter()
        .map(|o| LockReport::new(&url.bucket, o, prefix_ws, stale_after, now))
        .collect();
    let head = StatusOutcome::headline(&locks);
    Ok(StatusOutcome {
        target: if args.recursive {
            url.to_string()
        } else {
            let l = LockLocation::for_key(&url.key, args.target.workspace.as_deref(), prefix_ws);
            format!("s3://{}/{}", url.bucket, l.lock_key)
        },
        recursive: args.recursive,
        locked: !locks.is_empty(),
        lock_id: head.and_then(|l| l.lock_id.clone()),
        who: head.and_then(|l| l.who.clone()),
        created: head.and_then(|l| l.created.clone()),
        age_seconds: head.and_then(|l| l.age_seconds),
        lock_count: locks.len(),
        stale_count: locks.iter().filter(|l| l.stale).count(),
        stale_after_seconds: stale_after.map(|d| d.as_secs()),
        objects_scanned: scanned,
        fail_if_locked: args.fail_if_locked,
        warnings: notes.into_iter().chain(locks.iter().flat_map(LockReport::warnings)).collect(),
        locks,
    })
}

/// Lists `.tflock` keys under `prefix`, and under `prefix` inside every workspace
/// (`<ws_prefix>/<workspace>/<prefix>…`), sorted and without duplicates.
pub async fn list_with_workspaces(
    store: &LockStore,
    bucket: &str,
    prefix: &str,
    workspace_prefix: &str,
) -> Result<LockListing, S3LockError> {
    let ws_root = format!("{}/", workspace_prefix.trim_end_matches('/'));
    // An empty prefix or one already inside the workspace tree covers everything in one listing.
    if prefix.is_empty() || prefix.starts_with(&ws_root) {
        let mut listing = store.list_lock_keys(bucket, prefix).await?;
        listing.lock_keys.sort();
        return Ok(listing);
    }
    let (plain, workspaces) =
        tokio::join!(store.list_lock_keys(bucket, prefix), store.list_lock_keys(bucket, &ws_root));
    let (mut listing, workspaces) = (plain?, workspaces?);
    listing.objects_scanned += workspaces.objects_scanned;
    listing.pages += workspaces.pages;
    listing.lock_keys.extend(workspaces.lock_keys.into_iter().filter(|key| {
        key.strip_prefix(&ws_root)
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, state_key)| state_key.starts_with(prefix))
    }));
    listing.lock_keys.sort();
    listing.lock_keys.dedup();
    Ok(listing)
}
