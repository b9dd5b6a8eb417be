//! `surestep lock run`: hold the lock around a command.
//!
//! The story: check the store (If-None-Match to take, If-Match on DELETE to release, If-Match on
//! PUT to renew a lease), acquire as `lock acquire` does, run the command in its own process
//! group with `SURESTEP_LOCK_ID`, forward SIGINT/SIGTERM/SIGHUP to it, renew the lease every
//! third of its length with `If-Match: <ETag>`, and release when the command exits. A renewal
//! that finds the lock taken (412, then a read showing another ID) or gone, or a lease that runs
//! out without a renewal, stops the command (SIGTERM, SIGKILL after `--kill-after`): exit 1.
//! Otherwise the exit status is the command's.

use super::acquire::{AcquireOutcome, AcquirePlan, acquire_steps};
use super::release::{ReleaseOutcome, ReleaseResult, release_steps};
use super::store_check::require;
use super::unlock::ConditionalDelete;
use super::{LockReport, connect, parse_duration_flag};
use crate::cli::lock::LockRunArgs;
use crate::exit::{CliError, ExitStatus};
use crate::model::lock_hold::{lease_expiry, renewed};
use crate::model::tflock::LockInfo;
use crate::output::Reporter;
use crate::remote::s3_lock::{Condition, Conditional, LockStore, Verdict};
use serde::Serialize;
use std::time::{Duration, Instant, SystemTime};
use tokio::signal::unix::{SignalKind, signal};

/// What `lock run` did.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub target: String,
    pub acquire: AcquireOutcome,
    /// The program run (its arguments are not recorded: they may carry secrets).
    pub program: String,
    pub started: bool,
    /// The command's exit code, when it exited (`exit_code` is this process's).
    pub command_exit_code: Option<i32>,
    /// The signal that ended the command, when one did.
    pub command_signal: Option<i32>,
    pub forwarded_signals: Vec<String>,
    pub renewals: u32,
    pub lease_lost: bool,
    pub lost_reason: Option<String>,
    /// Who holds the lock now, when it was taken from us.
    pub lost_to: Option<LockReport>,
    pub release: Option<ReleaseOutcome>,
    /// This process's exit status: the command's, 1 when the lock was not acquired or was lost,
    /// 3 when the command succeeded but the lock could not be released.
    #[serde(rename = "exit_code")]
    pub status_code: i32,
    pub message: String,
    pub warnings: Vec<String>,
}

impl RunOutcome {
    pub fn status(&self) -> ExitStatus {
        match self.status_code {
            0 => ExitStatus::Success,
            3 if !self.started => ExitStatus::Environment,
            _ => ExitStatus::Failed,
        }
    }
}

/// How holding the lock around the command ended.
struct Held {
    status: std::process::ExitStatus,
    forwarded: Vec<String>,
    renewals: u32,
    lost: Option<(String, Option<LockReport>)>,
    warnings: Vec<String>,
}

pub async fn run(args: &LockRunArgs, reporter: &Reporter) -> Result<RunOutcome, CliError> {
    let program = args.command.first().cloned().unwrap_or_default();
    let short = std::path::Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.clone());
    let (_url, plan) =
        AcquirePlan::from_flags(&args.target, &args.hold, &format!("lock run: {short}"))?;
    let kill_after = parse_duration_flag("--kill-after", &args.kill_after)?;
    let store = connect(&args.s3, reporter).await?;
    let mut extra = vec![Condition::DeleteIfMatch];
    if plan.request.lease.is_some() {
        extra.push(Condition::PutIfMatch);
    }
    let checks = require(
        &store,
        &plan.bucket,
        &plan.location.lock_key,
        &plan.conditions(&extra),
        plan.allow_unsafe_store,
        "--allow-unsafe-store",
        reporter,
    )
    .await?;
    let conditional = match checks.verdict(Condition::DeleteIfMatch) {
        Some(Verdict::Honoured) => ConditionalDelete::Honoured,
        _ => ConditionalDelete::Ignored,
    };
    let acquired = acquire_steps(&store, &plan, checks, reporter).await?;
    let mut outcome = RunOutcome {
        target: acquired.target.clone(),
        program: short,
        started: false,
        command_exit_code: None,
        command_signal: None,
        forwarded_signals: Vec::new(),
        renewals: 0,
        lease_lost: false,
        lost_reason: None,
        lost_to: None,
        release: None,
        status_code: 1,
        message: acquired.message.clone(),
        warnings: Vec::new(),
        acquire: acquired,
    };
    if !outcome.acquire.acquired {
        outcome.message = format!("{}; the command was not run", outcome.acquire.message);
        return Ok(outcome);
    }

    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(&args.command[1..]).env("SURESTEP_LOCK_ID", &plan.request.id).process_group(0);
    if reporter.json_mode() {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            cmd.stdout(std::process::Stdio::from(fd));
        }
    }
    let release = async |outcome: &mut RunOutcome| {
        let r = release_steps(
            &store,
            &plan.bucket,
            &plan.location,
            &plan.workspace_prefix,
            &plan.request.id,
            conditional,
        )
        .await;
        match r {
            Ok(r) => {
                outcome.warnings.extend(r.warnings.iter().cloned());
                outcome.release = Some(r);
                true
            }
            Err(e) => {
                outcome.warnings.push(format!(
                    "{}: the lock could not be released: {}",
                    outcome.target,
                    e.headline()
                ));
                false
            }
        }
    };
    // From here on SIGINT/SIGTERM/SIGHUP are the command's to handle: forwarded, not fatal.
    let signals = match Signals::new() {
        Ok(s) => s,
        Err(e) => {
            release(&mut outcome).await;
            return Err(e);
        }
    };
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            release(&mut outcome).await;
            let missing = e.kind() == std::io::ErrorKind::NotFound;
            let err = CliError::environment(
                anyhow::Error::new(e)
                    .context(format!("cannot run {program:?} (the lock was released again)")),
            );
            return Err(if missing {
                err.with_hint(
                    "check the command after `--`: it must be a program on PATH or a path",
                )
            } else {
                err
            });
        }
    };
    outcome.started = true;
    let body = outcome
        .acquire
        .body
        .clone()
        .unwrap_or_else(|| plan.holder.lock_body(&plan.request, SystemTime::now()));
    let etag = outcome.acquire.etag.clone().unwrap_or_default();
    let held = hold(&store, &plan, child, signals, etag, body, kill_after).await?;
    outcome.forwarded_signals = held.forwarded;
    outcome.renewals = held.renewals;
    outcome.warnings.extend(held.warnings);
    {
        use std::os::unix::process::ExitStatusExt;
        outcome.command_exit_code = held.status.code();
        outcome.command_signal = held.status.signal();
    }
    let child_code =
        outcome.command_exit_code.or(outcome.command_signal.map(|s| 128 + s)).unwrap_or(1);
    if let Some((reason, holder)) = held.lost {
        outcome.lease_lost = true;
        outcome.message = format!(
            "{}: the lock was lost while the command ran ({reason}); the command was stopped",
            outcome.target
        );
        outcome.lost_reason = Some(reason);
        outcome.lost_to = holder;
        outcome.status_code = 1;
        return Ok(outcome);
    }
    let released = release(&mut outcome).await;
    let released_ok = released
        && outcome.release.as_ref().is_some_and(|r| {
            matches!(r.result, ReleaseResult::Released | ReleaseResult::NotLocked)
        });
    outcome.status_code = child_code;
    outcome.message = format!(
        "{}: {} exited with {}{}",
        outcome.target,
        outcome.program,
        match (outcome.command_exit_code, outcome.command_signal) {
            (Some(c), _) => format!("status {c}"),
            (None, Some(s)) => format!("signal {s}"),
            _ => "an unknown status".into(),
        },
        if released_ok { "; lock released" } else { "; the lock was NOT released" }
    );
    if !released_ok && child_code == 0 {
        // The command succeeded but its lock is left behind: that blocks the next holder.
        outcome.status_code = 3;
    }
    Ok(outcome)
}

/// The signals forwarded to the command.
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self, CliError> {
        let make = |kind| {
            signal(kind).map_err(|e| {
                CliError::environment(anyhow::Error::new(e).context("installing signal handlers"))
            })
        };
        Ok(Self {
            int: make(SignalKind::interrupt())?,
            term: make(SignalKind::terminate())?,
            hup: make(SignalKind::hangup())?,
        })
    }
}

/// Sends `sig` to the command's process group (it leads its own group).
fn send(pid: Option<u32>, sig: i32) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a process group id we created; no memory is touched.
        unsafe {
            if libc::kill(-pid, sig) != 0 {
                libc::kill(pid, sig);
            }
        }
    }
}

/// Stops the command: SIGTERM to its group, SIGKILL after `grace`.
async fn terminate(
    child: &mut tokio::process::Child,
    grace: Duration,
) -> Result<std::process::ExitStatus, CliError> {
    let pid = child.id();
    send(pid, libc::SIGTERM);
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => Ok(status?),
        Err(_) => {
            send(pid, libc::SIGKILL);
            Ok(child.wait().await?)
        }
    }
}

enum Renewal {
    /// The lock read back is ours: its ETag and body.
    Ours(String, LockInfo),
    /// Taken by someone else, or removed.
    Lost(String, Option<Box<LockReport>>),
    /// No clear answer; try again.
    Failed(String),
}

/// Rewrites our lock with a fresh lease, `If-Match` on the ETag we hold; the lock read back
/// decides (an answer can be lost after the write landed).
async fn renew(
    store: &LockStore,
    plan: &AcquirePlan,
    etag: &str,
    body: &LockInfo,
    lease: Duration,
) -> Renewal {
    let (bucket, key) = (plan.bucket.as_str(), plan.location.lock_key.as_str());
    let next = renewed(body, lease, SystemTime::now());
    let answer = store.put_if_match_once(bucket, key, etag, next.to_json().into_bytes()).await;
    match &answer {
        Ok(Conditional::NotImplemented) => {
            return Renewal::Lost(
                "the store does not implement PutObject If-Match (501), so the lease cannot be renewed".into(),
                None,
            );
        }
        Err(e) if !e.outcome_unknown() => return Renewal::Failed(e.to_string()),
        _ => {}
    }
    match store.read_lock(bucket, key).await {
        Ok(None) => Renewal::Lost("the lock was removed by someone else".into(), None),
        Ok(Some(object)) => match LockInfo::parse(&object.body) {
            Ok(info) if info.id == plan.request.id => Renewal::Ours(object.etag, info),
            _ => {
                let report = LockReport::new(
                    bucket,
                    &object,
                    &plan.workspace_prefix,
                    None,
                    SystemTime::now(),
                );
                let who = report.who.clone().unwrap_or_else(|| "an unknown holder".into());
                let id = report.lock_id.clone().unwrap_or_else(|| "unreadable".into());
                Renewal::Lost(
                    format!("the renewal got 412: the lock is now held by {who} (ID {id})"),
                    Some(Box::new(report)),
                )
            }
        },
        Err(e) => Renewal::Failed(e.to_string()),
    }
}

/// Waits for the command while forwarding signals and renewing the lease.
async fn hold(
    store: &LockStore,
    plan: &AcquirePlan,
    mut child: tokio::process::Child,
    mut signals: Signals,
    mut etag: String,
    mut body: LockInfo,
    kill_after: Duration,
) -> Result<Held, CliError> {
    let pid = child.id();
    let lease = plan.request.lease;
    let until_of = |b: &LockInfo| {
        lease_expiry(b)
            .map(|t| Instant::now() + t.duration_since(SystemTime::now()).unwrap_or_default())
    };
    let mut lease_until = until_of(&body);
    let mut next_renewal = lease.map(|l| Instant::now() + l / 3);
    let mut held = Held {
        status: std::process::ExitStatus::default(),
        forwarded: Vec::new(),
        renewals: 0,
        lost: None,
        warnings: Vec::new(),
    };
    loop {
        let renew_at = next_renewal.unwrap_or_else(|| Instant::now() + Duration::from_secs(86400));
        tokio::select! {
            status = child.wait() => {
                held.status = status?;
                return Ok(held);
            }
            _ = signals.int.recv() => {
                send(pid, libc::SIGINT);
                held.forwarded.push("SIGINT".into());
            }
            _ = signals.term.recv() => {
                send(pid, libc::SIGTERM);
                held.forwarded.push("SIGTERM".into());
            }
            _ = signals.hup.recv() => {
                send(pid, libc::SIGHUP);
                held.forwarded.push("SIGHUP".into());
            }
            _ = tokio::time::sleep_until(renew_at.into()), if next_renewal.is_some() => {
                let lease = lease.unwrap_or_default();
                // The command is stopped this long before the lease runs out when no renewal
                // got through, so it never runs on an expired lease a waiter may take over.
                let margin = (lease / 10).clamp(Duration::from_millis(300), Duration::from_secs(30));
                let safe_until = lease_until.map(|u| u.checked_sub(margin).unwrap_or(u));
                // Bounded: a renewal that hangs must not let the command outlive the lease.
                let budget = safe_until
                    .map(|u| u.saturating_duration_since(Instant::now()))
                    .unwrap_or(lease)
                    .min(lease / 3)
                    .max(Duration::from_millis(50));
                let renewal = tokio::time::timeout(budget, renew(store, plan, &etag, &body, lease))
                    .await
                    .unwrap_or_else(|_| {
                        Renewal::Failed(format!("no answer within {} ms", budget.as_millis()))
                    });
                match renewal {
                    Renewal::Ours(new_etag, new_body) => {
                        etag = new_etag;
                        lease_until = until_of(&new_body);
                        body = new_body;
                        held.renewals += 1;
                        next_renewal = Some(Instant::now() + lease / 3);
                    }
                    Renewal::Lost(reason, holder) => {
                        held.lost = Some((reason, holder.map(|h| *h)));
                        held.status = terminate(&mut child, kill_after).await?;
                        return Ok(held);
                    }
                    Renewal::Failed(e) => {
                        let retry = (lease / 10).max(Duration::from_millis(200));
                        if safe_until.is_none_or(|u| Instant::now() + retry >= u) {
                            held.lost = Some((format!("the lease ran out without a renewal (last error: {e})"), None));
                            held.status = terminate(&mut child, kill_after).await?;
                            return Ok(held);
                        }
                        held.warnings.push(format!("a lease renewal failed ({e}); retrying"));
                        next_renewal = Some(Instant::now() + retry);
                    }
                }
            }
        }
    }
}
