//! `surestep lock …`: Terraform S3 lock files. What a lock looks like to people (`LockReport`),
//! connecting to the store, and the dispatch to `status`, `unlock`, `probe`, `acquire`,
//! `release` and `run`.

pub mod acquire;
pub mod probe;
pub mod release;
pub mod run;
pub mod status;
pub mod store_check;
pub mod unlock;

use crate::cli::LockArgs;
use crate::cli::lock::{LockCommand, S3Flags};
use crate::exit::{CliError, ExitStatus};
use crate::model::tflock::{
    LockInfo, LockLocation, S3Url, age, format_rfc3339_seconds, parse_duration,
};
use crate::output::Reporter;
use crate::remote::s3_lock::{LockObject, LockStore, S3LockError, S3Settings};
use serde::Serialize;
use std::time::{Duration, SystemTime};

pub fn run(args: &LockArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let name = args.command.name();
    match &args.command {
        LockCommand::Status(a) => {
            let outcome = crate::runtime()?.block_on(status::status(a, reporter))?;
            Ok(reporter.finish(name, &outcome))
        }
        LockCommand::Unlock(a) => {
            let outcome = crate::runtime()?.block_on(unlock::unlock(a, reporter))?;
            Ok(reporter.finish(name, &outcome))
        }
        LockCommand::Probe(a) => {
            let outcome = crate::runtime()?.block_on(probe::probe(a, reporter))?;
            Ok(reporter.finish(name, &outcome))
        }
        LockCommand::Acquire(a) => {
            let outcome = crate::runtime()?.block_on(acquire::acquire(a, reporter))?;
            Ok(reporter.finish(name, &outcome))
        }
        LockCommand::Release(a) => {
            let outcome = crate::runtime()?.block_on(release::release(a, reporter))?;
            Ok(reporter.finish(name, &outcome))
        }
        LockCommand::Run(a) => {
            let rt = crate::runtime()?;
            let outcome = rt.block_on(run::run(a, reporter))?;
            let status = reporter.finish(name, &outcome);
            drop(rt);
            // The command's own exit status (any code, 128+N for a signal) is this process's.
            if i32::from(status.code()) != outcome.status_code {
                use std::io::Write;
                let _ = std::io::stdout().flush();
                std::process::exit(outcome.status_code);
            }
            Ok(status)
        }
    }
}

/// One lock as shown to people and scripts.
#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    pub bucket: String,
    pub lock_key: String,
    pub state_key: String,
    pub workspace: String,
    /// `None` when the body is not Terraform lock JSON (see `raw_body`).
    pub lock_id: Option<String>,
    pub operation: Option<String>,
    pub who: Option<String>,
    pub version: Option<String>,
    pub info: Option<String>,
    /// The lease's expiry, when `Info` carries a surestep lease (see `lock acquire --lease`).
    pub lease_expires: Option<String>,
    /// The lease ran out (the lock may be taken over with `--take-over-expired`).
    pub lease_expired: Option<bool>,
    /// `Created` as written in the lock.
    pub created: Option<String>,
    /// Age from `Created`, or from the object's Last-Modified when `Created` is unreadable.
    pub age_seconds: Option<u64>,
    pub stale: bool,
    /// How far `Created` lies ahead of this machine's clock (beyond a minute's tolerance):
    /// the holder's clock or ours is wrong, and the age is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<u64>,
    pub path: Option<String>,
    pub etag: String,
    pub last_modified: Option<String>,
    /// The body as text when it could not be parsed.
    pub raw_body: Option<String>,
    pub body_error: Option<String>,
}

/// A `Created` this far ahead of our clock is still taken as "just now" (clocks drift a bit).
const CLOCK_SKEW_TOLERANCE: Duration = Duration::from_secs(60);

/// How much of an unparseable body is kept for display.
const RAW_BODY_LIMIT: usize = 2048;

impl LockReport {
    /// Describes a lock object read from `bucket`, measured against `now`.
    pub fn new(
        bucket: &str,
        object: &LockObject,
        workspace_prefix: &str,
        stale_after: Option<Duration>,
        now: SystemTime,
    ) -> Self {
        let location = LockLocation::from_lock_key(&object.key, workspace_prefix);
        let parsed = LockInfo::parse(&object.body);
        let created_time = parsed.as_ref().ok().and_then(LockInfo::created_time);
        // A `Created` in the future is clock skew, not an age of zero.
        let skew = created_time
            .and_then(|t| t.duration_since(now).ok())
            .filter(|ahead| *ahead > CLOCK_SKEW_TOLERANCE);
        let age = match skew {
            Some(_) => object.last_modified.map(|t| age(t, now)),
            None => created_time.or(object.last_modified).map(|t| age(t, now)),
        };
        let stale = matches!((age, stale_after), (Some(a), Some(s)) if a > s);
        let last_modified = object.last_modified.map(format_rfc3339_seconds);
        let base = LockReport {
            bucket: bucket.to_owned(),
            lock_key: location.lock_key.clone(),
            state_key: location.state_key.clone(),
            workspace: location.workspace.clone(),
            lock_id: None,
            operation: None,
            who: None,
            version: None,
            info: None,
            lease_expires: None,
            lease_expired: None,
            created: None,
            age_seconds: age.map(|a| a.as_secs()),
            stale,
            clock_skew_seconds: skew.map(|d| d.as_secs()),
            path: None,
            etag: object.etag.clone(),
            last_modified,
            raw_body: None,
            body_error: None,
        };
        match parsed {
            Ok(info) => LockReport {
                lease_expires: crate::model::lock_hold::lease_expiry(&info)
                    .map(crate::model::tflock::format_rfc3339),
                lease_expired: crate::model::lock_hold::lease_expiry(&info).map(|t| t < now),
                lock_id: Some(info.id),
                operation: Some(info.operation),
                who: Some(info.who),
                version: Some(info.version),
                info: Some(info.info),
                created: Some(info.created),
                path: Some(info.path),
                ..base
            },
            Err(e) => {
                let text = String::from_utf8_lossy(&object.body);
                let raw: String = text.chars().take(RAW_BODY_LIMIT).collect();
                LockReport { raw_body: Some(raw), body_error: Some(e.to_string()), ..base }
            }
        }
    }

    /// Remarks about this lock for stderr / annotations.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let url =
            crate::output::sanitize::console(&format!("s3://{}/{}", self.bucket, self.lock_key))
                .into_owned();
        if let Some(ahead) = self.clock_skew_seconds {
            out.push(format!(
                "{url}: the lock's Created ({}) is {} in the future: the clocks of its holder and this machine disagree (clock skew), so its age is not known{}",
                crate::output::sanitize::console(self.created.as_deref().unwrap_or("?")),
                crate::model::tflock::format_age(Duration::from_secs(ahead)),
                if self.age_seconds.is_some() { "; the age shown is from the object's Last-Modified" } else { "" }
            ));
        }
        if let Some(e) = &self.body_error {
            out.push(format!("{url}: {e}; showing the raw body"));
        }
        if let Some(path) = self.path.as_deref().filter(|p| !p.is_empty()) {
            let expected = format!("{}/{}", self.bucket, self.state_key);
            if path != expected {
                out.push(format!(
                    "{url}: the lock's Path is {path:?}, not {expected:?} (copied from another state?)"
                ));
            }
        }
        if self.stale {
            out.push(format!(
                "{url}: stale lock, held for {} by {}",
                self.age_seconds
                    .map(|a| crate::model::tflock::format_age(Duration::from_secs(a)))
                    .unwrap_or_default(),
                crate::output::sanitize::console(
                    self.who.as_deref().filter(|w| !w.is_empty()).unwrap_or("an unknown holder")
                )
            ));
        }
        out
    }
}

/// Connects to the store and masks every secret it holds before any request.
pub(crate) async fn connect(flags: &S3Flags, reporter: &Reporter) -> Result<LockStore, CliError> {
    if let Some(key) = &flags.sse_customer_key {
        reporter.mask(key);
    }
    if let Some(url) = flags.endpoint_url.as_deref().filter(|u| crate::secret::has_userinfo(u)) {
        return Err(CliError::usage(anyhow::anyhow!(
            "--endpoint-url {} carries credentials in the URL",
            crate::secret::redact_userinfo(url)
        ))
        .with_hint("pass them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile instead"));
    }
    let settings = S3Settings {
        endpoint_url: flags.endpoint_url.clone(),
        path_style: flags.path_style,
        region: flags.region.clone(),
        sse_customer_key: flags.sse_customer_key.clone(),
    };
    let (store, secrets) = LockStore::connect(&settings).await.map_err(|e| match e {
        S3LockError::BadSseKey(_) => {
            let hint = e.hint();
            let err = CliError::usage(anyhow::Error::new(e).context("--sse-customer-key"));
            match hint {
                Some(h) => err.with_hint(h),
                None => err,
            }
        }
        other => s3_error(other),
    })?;
    for secret in &secrets {
        reporter.mask(secret);
    }
    Ok(store)
}

/// An S3 failure as an environment error (exit 3) with its hint.
pub(crate) fn s3_error(e: S3LockError) -> CliError {
    let hint = e.hint();
    let err = CliError::environment(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}

pub(crate) fn parse_url(text: &str) -> Result<S3Url, CliError> {
    S3Url::parse(text).map_err(|e| CliError::usage(anyhow::anyhow!(e)))
}

pub(crate) fn parse_duration_flag(flag: &str, text: &str) -> Result<Duration, CliError> {
    parse_duration(text).map_err(|e| CliError::usage(anyhow::anyhow!("{flag}: {e}")))
}
