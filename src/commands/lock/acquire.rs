//! `surestep lock acquire`: take a Terraform-compatible lock, waiting for it if asked.
//!
//! The story: check that the store honours `If-None-Match` (and `If-Match` on DELETE when a
//! take-over may be needed) on a scratch object; then loop: write the body with PutObject
//! `If-None-Match: *`; whatever the answer (2xx, 412, a lost answer), read the lock back and
//! decide by its ID: ours is acquired (so an SDK retry of a write that had succeeded, opentofu
//! #4405, is recovered rather than orphaned); someone else's is waited for (backoff with
//! jitter), or replaced when its lease expired (`--take-over-expired`) or, for a lock without
//! a lease, when it is older than `--take-over-older-than`: a delete with `If-Match` on the
//! ETag read, then the same conditional write, so of two waiters exactly one wins.
//!
//! [`acquire_steps`] is shared with `lock run`.

use super::store_check::{StoreCheck, require};
use super::{LockReport, connect, parse_duration_flag, parse_url, s3_error};
use crate::cli::lock::{HoldFlags, LockAcquireArgs, LockTarget};
use crate::exit::CliError;
use crate::model::lock_hold::{
    Holder, LockRequest, TakeOver, backoff, lease_expiry, may_take_over,
};
use crate::model::tflock::{LockInfo, LockLocation, S3Url, format_age};
use crate::output::Reporter;
use crate::remote::s3_lock::{
    Condition, Conditional, LockObject, LockStore, ProbeCheck, S3LockError,
};
use serde::Serialize;
use std::time::{Duration, Instant, SystemTime};

/// What `lock acquire` (and the first half of `lock run`) did.
#[derive(Debug, Clone, Serialize)]
pub struct AcquireOutcome {
    pub target: String,
    pub acquired: bool,
    /// Our lock's ID (the one written, whether or not it was acquired).
    pub lock_id: String,
    /// Our lock's ETag, read back after the write.
    pub etag: Option<String>,
    pub who: String,
    pub operation: String,
    pub created: Option<String>,
    pub lease_seconds: Option<u64>,
    pub lease_expires: Option<String>,
    pub waited_seconds: f64,
    /// Conditional writes sent.
    pub attempts: u32,
    /// A write's answer was lost (or it was retried) and the lock read back carried our ID.
    pub recovered_own_write: bool,
    /// The expired or old lock that was replaced.
    pub took_over: Option<LockReport>,
    /// The lock that was in the way when the wait ended.
    pub holder: Option<LockReport>,
    pub store_checks: Vec<ProbeCheck>,
    pub message: String,
    pub warnings: Vec<String>,
    /// The body we hold (for renewals), not shown.
    #[serde(skip)]
    pub body: Option<LockInfo>,
}

/// Everything an acquire needs, decided from the flags.
#[derive(Debug, Clone)]
pub struct AcquirePlan {
    pub bucket: String,
    pub location: LockLocation,
    pub workspace_prefix: String,
    pub request: LockRequest,
    pub holder: Holder,
    pub wait: Duration,
    pub take_over_expired: bool,
    pub take_over_older_than: Option<Duration>,
    pub allow_unsafe_store: bool,
}

impl AcquirePlan {
    /// From the flags; `command` names the holder's command in the lock's Info.
    pub fn from_flags(
        target: &LockTarget,
        hold: &HoldFlags,
        command: &str,
    ) -> Result<(S3Url, Self), CliError> {
        let url = parse_url(&target.url)?;
        if url.is_prefix() {
            return Err(CliError::usage(anyhow::anyhow!("{url} names a prefix, not a state key"))
                .with_hint(
                    "name the state key the lock guards, e.g. s3://BUCKET/deploys/prod.tfstate",
                ));
        }
        let wait = match hold.wait.trim() {
            "0" | "0s" => Duration::ZERO,
            text => parse_duration_flag("--wait", text)?,
        };
        let lease = hold.lease.as_deref().map(|s| parse_duration_flag("--lease", s)).transpose()?;
        if lease.is_some_and(|l| l < Duration::from_secs(1)) {
            return Err(CliError::usage(anyhow::anyhow!("--lease must be at least 1s")));
        }
        let take_over_older_than = hold
            .take_over_older_than
            .as_deref()
            .map(|s| parse_duration_flag("--take-over-older-than", s))
            .transpose()?;
        let ws_prefix = target.workspace_key_prefix.clone();
        let location = LockLocation::for_key(&url.key, target.workspace.as_deref(), &ws_prefix);
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| CliError::environment(anyhow::anyhow!("{e}")))?;
        let request = LockRequest {
            id: crate::model::lock_hold::lock_id(id),
            operation: hold.operation.clone(),
            path: location.terraform_path(&url.bucket),
            lease,
        };
        // Without USER/LOGNAME (containers), the numeric user id stands in.
        let env = |k: &str| {
            std::env::var(k).ok().filter(|v| !v.is_empty()).or_else(|| {
                // SAFETY: getuid(2) cannot fail and touches no memory.
                (k == "USERNAME").then(|| format!("uid{}", unsafe { libc::getuid() }))
            })
        };
        let holder = Holder::from_env(env, &host_name(), command);
        let plan = AcquirePlan {
            bucket: url.bucket.clone(),
            location,
            workspace_prefix: ws_prefix,
            request,
            holder,
            wait,
            take_over_expired: hold.take_over_expired,
            take_over_older_than,
            allow_unsafe_store: hold.allow_unsafe_store,
        };
        Ok((url, plan))
    }

    /// The conditions this acquire relies on (and `extra` for what the caller does after).
    pub fn conditions(&self, extra: &[Condition]) -> Vec<Condition> {
        let mut c = vec![Condition::PutIfNoneMatch];
        if self.take_over_expired || self.take_over_older_than.is_some() {
            c.push(Condition::DeleteIfMatch);
        }
        for e in extra {
            if !c.contains(e) {
                c.push(*e);
            }
        }
        c
    }

    fn target(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.location.lock_key)
    }
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

pub async fn acquire(
    args: &LockAcquireArgs,
    reporter: &Reporter,
) -> Result<AcquireOutcome, CliError> {
    let (_url, plan) = AcquirePlan::from_flags(&args.target, &args.hold, "lock acquire")?;
    let store = connect(&args.s3, reporter).await?;
    let checks = require(
        &store,
        &plan.bucket,
        &plan.location.lock_key,
        &plan.conditions(&[]),
        plan.allow_unsafe_store,
        "--allow-unsafe-store",
        reporter,
    )
    .await?;
    acquire_steps(&store, &plan, checks, reporter).await
}

/// The ID in a lock body, when it is readable.
fn body_id(object: &LockObject) -> Option<String> {
    LockInfo::parse(&object.body).ok().map(|i| i.id)
}

fn holder_text(report: &LockReport) -> String {
    let who = report.who.as_deref().filter(|w| !w.is_empty()).unwrap_or("an unknown holder");
    let id = report.lock_id.as_deref().unwrap_or("unreadable body");
    let age = report.age_seconds.map(|a| format_age(Duration::from_secs(a)));
    match (report.operation.as_deref().filter(|o| !o.is_empty()), age) {
        (Some(op), Some(age)) => format!("{who} (ID {id}, {op}, held {age})"),
        (None, Some(age)) => format!("{who} (ID {id}, held {age})"),
        (Some(op), None) => format!("{who} (ID {id}, {op})"),
        (None, None) => format!("{who} (ID {id})"),
    }
}

/// Removes our own lock after a failed acquire whose write may have landed.
async fn remove_own(store: &LockStore, plan: &AcquirePlan) {
    let key = &plan.location.lock_key;
    if let Ok(Some(object)) = store.read_lock(&plan.bucket, key).await
        && body_id(&object).as_deref() == Some(plan.request.id.as_str())
    {
        let _ = store.delete_if_match(&plan.bucket, key, &object.etag).await;
    }
}

/// The acquire loop. `checks` is what the store check found (kept in the outcome).
pub async fn acquire_steps(
    store: &LockStore,
    plan: &AcquirePlan,
    checks: StoreCheck,
    reporter: &Reporter,
) -> Result<AcquireOutcome, CliError> {
    let mut write_in_doubt = false;
    let result = acquire_loop(store, plan, checks, reporter, &mut write_in_doubt).await;
    if result.is_err() && write_in_doubt {
        // Never leave our own lock behind on a failed acquire.
        remove_own(store, plan).await;
    }
    result
}

async fn acquire_loop(
    store: &LockStore,
    plan: &AcquirePlan,
    checks: StoreCheck,
    reporter: &Reporter,
    write_in_doubt: &mut bool,
) -> Result<AcquireOutcome, CliError> {
    let (bucket, key) = (plan.bucket.as_str(), plan.location.lock_key.as_str());
    let target = plan.target();
    let start = Instant::now();
    let deadline = start + plan.wait;
    let mut outcome = AcquireOutcome {
        target: target.clone(),
        acquired: false,
        lock_id: plan.request.id.clone(),
        etag: None,
        who: plan.holder.who.clone(),
        operation: plan.request.operation.clone(),
        created: None,
        lease_seconds: plan.request.lease.map(|l| l.as_secs()),
        lease_expires: None,
        waited_seconds: 0.0,
        attempts: 0,
        recovered_own_write: false,
        took_over: None,
        holder: None,
        store_checks: checks.checks,
        message: String::new(),
        warnings: checks.warnings,
        body: None,
    };
    let mut polls = 0u32;
    let mut spinner = None;
    let mut last_seen: Option<String> = None;
    let mut free_retries = 0u32;
    // The first try writes; while someone holds the lock each poll is one GET, and the write
    // is sent again only when the key is free (or was just freed by a take-over).
    let mut write_next = true;
    loop {
        let mut answer: Option<Result<Conditional, S3LockError>> = None;
        if write_next {
            outcome.attempts += 1;
            let body = plan.holder.lock_body(&plan.request, SystemTime::now());
            let sent = store.put_if_absent(bucket, key, body.to_json().into_bytes()).await;
            match &sent {
                Ok(Conditional::Done { .. }) => {}
                Ok(Conditional::PreconditionFailed | Conditional::Missing) => {}
                Err(S3LockError::Conflict { .. }) => {}
                Ok(Conditional::NotImplemented) => {
                    return Err(CliError::environment(anyhow::anyhow!(
                        "{target}: the store does not implement PutObject If-None-Match (501), so the lock cannot be taken exclusively"
                    ))
                    .with_hint(
                        "use a store that supports conditional writes (AWS S3 since 2024-08); `surestep lock probe` checks a store",
                    ));
                }
                Err(e) if e.outcome_unknown() => {
                    *write_in_doubt = true;
                    outcome.warnings.push(format!(
                        "the lock write got no clear answer ({e}); the lock was read back to decide"
                    ));
                }
                Err(_) => return Err(s3_error(sent.unwrap_err())),
            }
            answer = Some(sent);
        }
        // Whatever the answer, the lock at the key decides.
        let current = store.read_lock(bucket, key).await.map_err(s3_error)?;
        let Some(object) = current else {
            // Free (or released between our write and our read): write at once (bounded).
            write_next = true;
            free_retries += 1;
            if free_retries > 20 {
                tokio::time::sleep(backoff(polls.min(4), rand::random::<f64>())).await;
            }
            continue;
        };
        if body_id(&object).as_deref() == Some(plan.request.id.as_str()) {
            let info = LockInfo::parse(&object.body).ok();
            outcome.recovered_own_write = !matches!(answer, Some(Ok(Conditional::Done { .. })));
            if outcome.recovered_own_write {
                outcome.warnings.push(format!(
                    "{target}: the write was answered {}, but the lock read back carries our ID: acquired",
                    match &answer {
                        Some(Ok(c)) => format!("{c:?}"),
                        Some(Err(e)) => e.to_string(),
                        None => "(no answer, earlier)".into(),
                    }
                ));
            }
            outcome.acquired = true;
            outcome.etag = Some(object.etag.clone());
            outcome.created = info.as_ref().map(|i| i.created.clone());
            outcome.lease_expires =
                info.as_ref().and_then(lease_expiry).map(crate::model::tflock::format_rfc3339);
            outcome.body = info;
            outcome.waited_seconds = start.elapsed().as_secs_f64();
            outcome.message = format!(
                "{target}: acquired lock {} ({}){}",
                plan.request.id,
                plan.holder.who,
                match &outcome.lease_expires {
                    Some(t) => format!(", lease until {t}"),
                    None => String::new(),
                }
            );
            if let Some(s) = spinner.take() {
                let s: crate::output::Progress = s;
                s.milestone(&format!("acquired after {:.1}s", outcome.waited_seconds));
                s.finish();
            }
            return Ok(outcome);
        }
        free_retries = 0;
        write_next = false;
        let now = SystemTime::now();
        let report = LockReport::new(bucket, &object, &plan.workspace_prefix, None, now);
        let info = LockInfo::parse(&object.body).ok();
        let age = report.age_seconds.map(Duration::from_secs);
        if let Some(reason) = may_take_over(
            info.as_ref(),
            age,
            now,
            plan.take_over_expired,
            plan.take_over_older_than,
        ) {
            // Guarded: only the body we judged is deleted; a waiter that lost the race gets 412/404.
            match store.delete_if_match(bucket, key, &object.etag).await.map_err(s3_error)? {
                Conditional::Done { .. } => {
                    let why = match reason {
                        TakeOver::Expired(past) => {
                            format!("its lease expired {} ago", format_age(past))
                        }
                        TakeOver::Old(age) => format!(
                            "it has no lease and is {} old (--take-over-older-than)",
                            format_age(age)
                        ),
                    };
                    outcome.warnings.push(format!(
                        "{target}: took over the lock of {}: {why}",
                        holder_text(&report)
                    ));
                    outcome.took_over = Some(report);
                    write_next = true;
                }
                Conditional::NotImplemented => {
                    return Err(CliError::environment(anyhow::anyhow!(
                        "{target}: the store does not implement DeleteObject If-Match (501), so an expired lock cannot be replaced safely"
                    ))
                    .with_hint("remove the lock with `surestep lock unlock` (it explains the risk), or drop --take-over-expired / --take-over-older-than"));
                }
                // Someone else replaced or removed it first: look again.
                Conditional::PreconditionFailed | Conditional::Missing => {}
            }
            continue;
        }
        if Instant::now() >= deadline {
            outcome.waited_seconds = start.elapsed().as_secs_f64();
            outcome.message = if plan.wait.is_zero() {
                format!("{target}: locked by {}", holder_text(&report))
            } else {
                format!(
                    "{target}: still locked after {} by {}",
                    format_age(plan.wait),
                    holder_text(&report)
                )
            };
            if lease_expiry_of(&report).is_none() && report.lock_id.is_some() {
                outcome.warnings.push(
                    "the lock has no lease (Terraform's own, or taken without --lease): it is never taken over automatically; --take-over-older-than is the explicit opt-in".into(),
                );
            }
            outcome.holder = Some(report);
            return Ok(outcome);
        }
        let seen = report.etag.clone();
        if last_seen.as_deref() != Some(seen.as_str()) {
            let s =
                spinner.get_or_insert_with(|| reporter.spinner(&format!("waiting for {target}")));
            let lease = match lease_expiry_of(&report) {
                Some(t) => format!(", lease until {t}"),
                None => String::new(),
            };
            s.milestone(&format!("held by {}{lease}", holder_text(&report)));
            last_seen = Some(seen);
        }
        let pause = backoff(polls, rand::random::<f64>());
        polls += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(pause.min(left)).await;
    }
}

fn lease_expiry_of(report: &LockReport) -> Option<String> {
    report
        .info
        .as_deref()
        .and_then(crate::model::lock_hold::HolderInfo::parse)
        .and_then(|h| h.lease_expires)
}
