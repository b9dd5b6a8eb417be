//! `surestep publish`: every file on the index with our sha256, uploaded now or already there.
//!
//! The story: decide where to (upload URL, simple index) and with which credentials; read every
//! file once (digests, metadata, checks); compare with `--manifest`; ask the index once per
//! project what it has; plan skip / conflict / upload; stop on a conflict or with `--dry-run`;
//! upload in parallel, judging every non-2xx answer by reading the index again; finally poll
//! the index until it lists every uploaded file with our sha256.

use crate::cli::PublishArgs;
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::model::pypi_rules::{self, PypiLimits};
use crate::model::upload_plan::{self, PlanInput, Planned, Presence, ProjectListing, presence};
use crate::output::{ProgressGroup, Reporter};
use crate::remote::http::{HttpClient, HttpError, RetryPolicy, redact_url};
use crate::remote::index::{BasicAuth, IndexClient, IndexError, UploadAnswer, UploadFile};
use crate::remote::trusted_publishing::{Minter, TrustedToken};
use crate::secret::Secret;
use futures_util::future::join_all;
use reqwest::Url;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod files;
mod judge;
mod previous;
pub(crate) mod target;

use target::{CredentialSource, Target, credentials, derived_simple, same_origin, target};

pub use files::LocalDist;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Sent now and accepted.
    Uploaded,
    /// Already on the index with our sha256 (before we started, or raced in by another run).
    Skipped,
    /// Same name on the index with different bytes: never uploaded.
    Conflict,
    /// Could not be published.
    Failed,
    /// `--dry-run`: would be uploaded.
    WouldUpload,
    /// Not attempted because another file stopped the publish.
    Held,
}

/// Why a file failed: decides between exit 1 and exit 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The index refused the file itself (exit 1).
    Rejected,
    /// The index refused our credentials (exit 3).
    Auth,
    /// Network or server failure that retries did not cure (exit 3).
    Environment,
}

/// One file in the report.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedFile {
    pub filename: String,
    pub path: String,
    pub project: String,
    pub version: String,
    pub size: u64,
    pub sha256: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
    /// The index's digest when it differs from ours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_sha256: Option<String>,
    /// HTTP status of the last upload answer, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    pub detail: String,
    pub seconds: f64,
}

/// What `publish` did.
#[derive(Debug, Clone, Serialize)]
pub struct PublishOutcome {
    pub repository_url: String,
    pub check_url: String,
    pub dry_run: bool,
    /// `basic`, `token`, `trusted_publishing` or `none`.
    pub credentials: &'static str,
    pub uploaded: usize,
    pub skipped: usize,
    pub conflicts: usize,
    pub failed: usize,
    /// Whether the index was polled afterwards and listed every uploaded file with our sha256.
    pub verified_upload: bool,
    /// Simple-API page requests (every attempt).
    pub index_requests: u32,
    /// Upload POSTs (every attempt).
    pub upload_requests: u32,
    pub seconds: f64,
    pub files: Vec<PublishedFile>,
    pub warnings: Vec<String>,
    /// `--against-previous`: one comparison per project and version.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<crate::commands::against::AgainstReport>,
    /// Why the plan was refused before any upload (a dropped platform, PyPI's 14-day rule).
    pub refusals: Vec<String>,
}

impl PublishOutcome {
    pub fn status(&self) -> ExitStatus {
        let failures = self.files.iter().filter_map(|f| f.failure);
        let mut status = ExitStatus::Success;
        for kind in failures {
            match kind {
                FailureKind::Auth | FailureKind::Environment => return ExitStatus::Environment,
                FailureKind::Rejected => status = ExitStatus::Failed,
            }
        }
        if !self.refusals.is_empty()
            || self.files.iter().any(|f| matches!(f.action, Action::Conflict | Action::Held))
        {
            status = ExitStatus::Failed;
        }
        status
    }

    pub fn uploaded_files(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| f.action == Action::Uploaded)
            .map(|f| f.filename.as_str())
            .collect()
    }
}

pub fn run(args: &PublishArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let runtime = crate::runtime()?;
    let outcome = runtime.block_on(publish(args, reporter))?;
    Ok(reporter.finish("publish", &outcome))
}

/// Credentials at upload time (a trusted token renews itself).
enum UploadAuth {
    Fixed(Option<BasicAuth>),
    Trusted(Box<TrustedToken>),
}

impl UploadAuth {
    async fn get(&self) -> Result<Option<BasicAuth>, CliError> {
        match self {
            UploadAuth::Fixed(auth) => Ok(auth.clone()),
            UploadAuth::Trusted(token) => token.current().await.map(Some).map_err(|e| {
                CliError::environment(e).context("renewing the trusted-publishing token")
            }),
        }
    }
}

/// Runs the whole publish and returns its outcome; errors are usage, check or environment
/// failures that stop everything before any upload.
pub async fn publish(args: &PublishArgs, reporter: &Reporter) -> Result<PublishOutcome, CliError> {
    let started = Instant::now();
    let target = target(args)?;
    let credentials = credentials(args, reporter)?;
    let mut warnings = Vec::new();
    let (paths, skipped) = files::collect(&args.paths)?;
    warnings.extend(skipped);

    let policy = RetryPolicy { retries: args.retries, ..RetryPolicy::default() };
    let http = HttpClient::new(policy).or_environment("starting the HTTP client")?;
    let read_auth = match &credentials {
        CredentialSource::Basic(auth, _) if same_origin(&target.upload, &target.simple) => {
            Some(auth.clone())
        }
        _ => None,
    };
    let index = IndexClient::new(http.clone(), target.simple.clone(), read_auth);
    // Without a comparison, a 404 the root cannot confirm is read as before ("not there yet"):
    // the upload's verification read catches a wrong --check-url after the fact.
    let index = if args.against_previous { index } else { index.lenient_absence() };

    // Plan: read every file once, check it, compare with the manifest and the index.
    let verify = files::Verify {
        integrity: !args.no_verify,
        pypi: (!args.no_verify && derived_simple(&target.upload).is_some())
            .then_some(PypiLimits { max_file_size: pypi_rules::DEFAULT_MAX_FILE_SIZE }),
    };
    // Every local check comes first: a bad file or a changed digest stops the publish before
    // a single request reaches the index.
    let locals = files::read_all(&paths, args.concurrency as usize, verify, reporter).await?;
    warnings.extend(locals.iter().flat_map(|l| l.warnings.iter().cloned()));
    if let Some(manifest) = &args.manifest {
        files::check_manifest(manifest, &locals)?;
    }
    let mut listings = read_listings(&index, files::projects_from_names(&paths)).await?;
    let unread: Vec<String> =
        locals.iter().map(|l| l.project.clone()).filter(|p| !listings.contains_key(p)).collect();
    listings.extend(read_listings(&index, unread).await?);
    let inputs: Vec<PlanInput> = locals
        .iter()
        .map(|l| PlanInput { filename: &l.filename, project: &l.project, digests: &l.digests })
        .collect();
    let mut planned = upload_plan::plan(&inputs, &listings);

    let mut report: Vec<PublishedFile> =
        locals.iter().zip(&planned).map(|(l, p)| planned_file(l, p, args.dry_run)).collect();
    let patience = args.verify_timeout;
    judge::settle_partial_copies(&index, &locals, &mut planned, &listings, &mut report, patience)
        .await;
    // The same read answers --against-previous and PyPI's 14-day rule, before any upload.
    let gate = previous::judge(
        args,
        &crate::commands::against::AgainstIndex {
            simple: target.simple.clone(),
            is_pypi: derived_simple(&target.upload).is_some(),
        },
        &locals,
        &planned,
        &listings,
        index.reads(),
        std::time::SystemTime::now(),
    )?;
    warnings.extend(gate.warnings);
    let conflicted =
        planned.iter().any(|p| matches!(p, Planned::Conflict { .. } | Planned::Unverifiable));
    let blocked = conflicted || !gate.refusals.is_empty();
    if blocked {
        let why = if conflicted {
            "not uploaded: another file of this publish conflicts with the index".to_owned()
        } else {
            format!("not uploaded: {}", gate.refusals.join("; "))
        };
        for (f, _) in report.iter_mut().zip(&planned).filter(|(_, p)| **p == Planned::Upload) {
            f.action = Action::Held;
            f.detail = why.clone();
        }
    }
    let (against, refusals) = (gate.reports, gate.refusals);
    let to_upload: Vec<usize> = planned
        .iter()
        .enumerate()
        .filter(|(_, p)| **p == Planned::Upload)
        .map(|(i, _)| i)
        .collect();
    let credential_kind = match &credentials {
        CredentialSource::Basic(_, kind) => *kind,
        CredentialSource::Trusted(_) => "trusted_publishing",
        CredentialSource::None => "none",
    };
    let finish =
        |report: Vec<PublishedFile>, warnings: Vec<String>, verified: bool| PublishOutcome {
            against: against.clone(),
            refusals: refusals.clone(),
            ..outcome(args, &target, credential_kind, &index, report, warnings, verified, started)
        };
    if blocked || args.dry_run || to_upload.is_empty() {
        return Ok(finish(report, warnings, false));
    }

    // Upload.
    let auth = match credentials {
        CredentialSource::Basic(auth, _) => UploadAuth::Fixed(Some(auth)),
        CredentialSource::None => {
            warnings.push("no credentials given: uploading anonymously".into());
            UploadAuth::Fixed(None)
        }
        CredentialSource::Trusted(id_token) => {
            let reporter = reporter.clone();
            let mask: Arc<dyn Fn(&Secret) + Send + Sync> = Arc::new(move |s| reporter.mask(s));
            let minter = Minter::new(http.clone(), target.oidc_base.clone(), id_token, mask);
            let token = TrustedToken::start(minter).await.map_err(|e| {
                CliError::environment(e)
                    .context("trusted publishing: getting an upload token")
                    .with_hint("the index must have a trusted publisher for this repository and workflow; the job needs `permissions: id-token: write`")
            })?;
            UploadAuth::Trusted(Box::new(token))
        }
    };
    let ctx = UploadContext {
        index: &index,
        upload_url: &target.upload,
        auth: &auth,
        semaphore: tokio::sync::Semaphore::new(args.concurrency as usize),
        stop: AtomicBool::new(false),
        bars: reporter.progress_group(),
        patience,
    };
    let results = join_all(to_upload.iter().map(|&i| upload_one(&ctx, &locals[i]))).await;
    for (&i, result) in to_upload.iter().zip(results) {
        report[i] = result;
    }

    // Verify: the index lists every uploaded file with our sha256.
    let mut verified = false;
    if args.verify_upload {
        verified = verify_uploads(&index, &locals, &mut report, args.verify_timeout).await;
    }
    Ok(finish(report, warnings, verified))
}

#[allow(clippy::too_many_arguments)]
fn outcome(
    args: &PublishArgs,
    target: &Target,
    credentials: &'static str,
    index: &IndexClient,
    files: Vec<PublishedFile>,
    warnings: Vec<String>,
    verified_upload: bool,
    started: Instant,
) -> PublishOutcome {
    let count = |a: Action| files.iter().filter(|f| f.action == a).count();
    PublishOutcome {
        repository_url: redact_url(target.upload.as_str()),
        check_url: redact_url(target.simple.as_str()),
        dry_run: args.dry_run,
        credentials,
        uploaded: count(Action::Uploaded),
        skipped: count(Action::Skipped),
        conflicts: count(Action::Conflict),
        failed: count(Action::Failed),
        verified_upload,
        index_requests: index.reads(),
        upload_requests: index.uploads(),
        seconds: started.elapsed().as_secs_f64(),
        files,
        warnings,
        against: Vec::new(),
        refusals: Vec::new(),
    }
}

fn planned_file(local: &LocalDist, planned: &Planned, dry_run: bool) -> PublishedFile {
    let (action, detail, remote) = match planned {
        Planned::Skip => {
            (Action::Skipped, "already on the index with this sha256".to_owned(), None)
        }
        Planned::Upload if dry_run => (Action::WouldUpload, "not on the index".to_owned(), None),
        Planned::Upload => (Action::Held, "not attempted".to_owned(), None),
        Planned::Conflict { algorithm, local: ours, remote } => (
            Action::Conflict,
            format!(
                "the index has a different file under this name: {algorithm} {remote} on the index, {ours} here"
            ),
            (algorithm == "sha256").then(|| remote.clone()),
        ),
        Planned::Unverifiable => (
            Action::Conflict,
            "the index lists this file without a sha256, blake2b_256 or md5 to compare".to_owned(),
            None,
        ),
    };
    PublishedFile {
        filename: local.filename.clone(),
        path: local.path.display().to_string(),
        project: local.project.clone(),
        version: local.version.clone(),
        size: local.size,
        sha256: local.digests.sha256.clone(),
        action,
        failure: None,
        remote_sha256: remote,
        http_status: None,
        detail,
        seconds: 0.0,
    }
}

/// One simple-API read per project, all projects at once.
async fn read_listings(
    index: &IndexClient,
    mut projects: Vec<String>,
) -> Result<BTreeMap<String, ProjectListing>, CliError> {
    projects.sort_unstable();
    projects.dedup();
    let results = join_all(projects.iter().map(|p| index.project(p))).await;
    let mut listings = BTreeMap::new();
    for (project, result) in projects.into_iter().zip(results) {
        let listing = result.map_err(|e| index_error(e, &project))?;
        listings.insert(project, listing);
    }
    Ok(listings)
}

fn index_error(e: IndexError, project: &str) -> CliError {
    let auth = e.is_auth();
    let err = CliError::environment(e)
        .context(format!("asking the index which files of {project} it already has"));
    if auth {
        err.with_hint("the simple index needs read credentials: pass --check-url on the upload host so the upload credentials are sent, or make the index readable")
    } else {
        err.with_hint(
            "check --check-url: it must be the simple index (…/simple/) of the index you upload to",
        )
    }
}

struct UploadContext<'a> {
    index: &'a IndexClient,
    upload_url: &'a Url,
    auth: &'a UploadAuth,
    semaphore: tokio::sync::Semaphore,
    /// Set after an auth failure: the other files are not attempted.
    stop: AtomicBool,
    bars: ProgressGroup,
    /// How long a rejected upload waits for the index to list our file (--verify-timeout).
    patience: Duration,
}

impl UploadContext<'_> {
    async fn presence(&self, local: &LocalDist) -> Result<Presence, IndexError> {
        let listing = self.index.project(&local.project).await?;
        Ok(presence(&listing, &local.filename, &local.digests))
    }
}

/// Uploads one file and decides what the answer means, by the index.
async fn upload_one(ctx: &UploadContext<'_>, local: &LocalDist) -> PublishedFile {
    let mut file = planned_file(local, &Planned::Upload, false);
    let Ok(_permit) = ctx.semaphore.acquire().await else {
        file.detail = "not attempted: the upload queue closed".into();
        return file;
    };
    if ctx.stop.load(Ordering::Relaxed) {
        file.detail = "not attempted: the index refused our credentials for another file".into();
        return file;
    }
    let started = Instant::now();
    let auth = match ctx.auth.get().await {
        Ok(auth) => auth,
        Err(e) => {
            ctx.stop.store(true, Ordering::Relaxed);
            return failed(file, FailureKind::Auth, None, error_text(&e), started);
        }
    };
    let bar = Arc::new(ctx.bars.bytes(local.size, &local.filename));
    let progress = {
        let bar = bar.clone();
        Arc::new(move |pos: u64| bar.set_position(pos))
    };
    let upload = UploadFile {
        path: local.path.clone(),
        filename: local.filename.clone(),
        size: local.size,
        digests: local.digests.clone(),
        fields: local.fields.clone(),
    };
    let present = || async { matches!(ctx.presence(local).await, Ok(Presence::Same)) };
    let answer = ctx.index.upload(ctx.upload_url, auth.as_ref(), &upload, progress, present).await;
    let result = match answer {
        Ok(UploadAnswer::Accepted { status }) => {
            file.action = Action::Uploaded;
            file.http_status = Some(status.as_u16());
            file.detail = format!("accepted ({status})");
            file
        }
        Ok(UploadAnswer::PresentBeforeRetry) => {
            file.action = Action::Skipped;
            file.detail = "an attempt failed, but the index then listed our exact file".into();
            file
        }
        Ok(UploadAnswer::Rejected { status, message }) => {
            file.http_status = Some(status.as_u16());
            judge::judge_rejection(ctx, local, file, status, &message).await
        }
        Err(e) => judge::judge_lost_answer(ctx, local, file, &e, started).await,
    };
    bar.milestone(&format!("{:?}", result.action).to_lowercase());
    PublishedFile { seconds: started.elapsed().as_secs_f64(), ..result }
}

fn failed(
    mut file: PublishedFile,
    kind: FailureKind,
    remote: Option<String>,
    detail: String,
    started: Instant,
) -> PublishedFile {
    file.action = Action::Failed;
    file.failure = Some(kind);
    file.remote_sha256 = remote;
    file.detail = detail;
    file.seconds = started.elapsed().as_secs_f64();
    file
}

fn error_text(e: &CliError) -> String {
    let mut text = e.headline();
    for cause in e.causes() {
        text.push_str(": ");
        text.push_str(&cause);
    }
    text
}

/// Polls each project with uploads until every uploaded file is listed with our sha256, or
/// the timeout passes. Returns whether all were confirmed.
async fn verify_uploads(
    index: &IndexClient,
    locals: &[LocalDist],
    report: &mut [PublishedFile],
    timeout: Duration,
) -> bool {
    // The flag is capped at a week (cli::wait_for_image::MAX_DURATION): no overflow here.
    let deadline = Instant::now() + timeout;
    let mut projects: Vec<&str> = report
        .iter()
        .filter(|f| f.action == Action::Uploaded)
        .map(|f| f.project.as_str())
        .collect();
    projects.sort_unstable();
    projects.dedup();
    let work: Vec<(String, Vec<usize>)> =
        projects.into_iter().map(|p| (p.to_owned(), report_indices(report, p))).collect();
    let checks = join_all(work.iter().map(|(project, uploaded)| async move {
        let mut delay = Duration::from_millis(250);
        loop {
            let listing = index.project(project).await;
            let verdicts: Vec<(usize, Result<Presence, String>)> = match &listing {
                Ok(listing) => uploaded
                    .iter()
                    .map(|&i| (i, Ok(presence(listing, &locals[i].filename, &locals[i].digests))))
                    .collect(),
                Err(e) => uploaded.iter().map(|&i| (i, Err(e.to_string()))).collect(),
            };
            let settled = verdicts
                .iter()
                .all(|(_, v)| matches!(v, Ok(Presence::Same) | Ok(Presence::Different { .. })));
            // A page over the size limit or not a simple page will not get better by waiting.
            let hopeless = matches!(
                &listing,
                Err(IndexError::Http(HttpError::TooLarge { .. })
                    | IndexError::Page { .. }
                    | IndexError::ContentType { .. })
            );
            if settled || hopeless || Instant::now() + delay > deadline {
                return verdicts;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(4));
        }
    }))
    .await;
    let mut all_ok = !work.is_empty();
    for (i, verdict) in checks.into_iter().flatten() {
        let file = &mut report[i];
        match verdict {
            Ok(Presence::Same) => file.detail.push_str("; verified on the index"),
            Ok(Presence::Different { algorithm, remote, .. }) => {
                all_ok = false;
                file.action = Action::Failed;
                file.failure = Some(FailureKind::Rejected);
                file.detail = format!(
                    "uploaded, but the index lists {algorithm} {remote}, not ours: it stored something else"
                );
                file.remote_sha256 = (algorithm == "sha256").then_some(remote);
            }
            other => {
                all_ok = false;
                file.action = Action::Failed;
                // Not reading the index is the environment failing (exit 3), not the file.
                file.failure = Some(if other.is_err() {
                    FailureKind::Environment
                } else {
                    FailureKind::Rejected
                });
                file.detail = match other {
                    Err(e) => format!("uploaded, but reading the index to verify it failed: {e}"),
                    _ => format!(
                        "uploaded, but the index did not list it with our sha256 within {} s (--verify-timeout)",
                        timeout.as_secs()
                    ),
                };
            }
        }
    }
    all_ok
}

fn report_indices(report: &[PublishedFile], project: &str) -> Vec<usize> {
    report
        .iter()
        .enumerate()
        .filter(|(_, f)| f.action == Action::Uploaded && f.project == project)
        .map(|(i, _)| i)
        .collect()
}

/// For messages: a path as the user typed it.
pub(crate) fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(action: Action, failure: Option<FailureKind>) -> PublishedFile {
        PublishedFile {
            filename: "x-1.0-py3-none-any.whl".into(),
            path: "dist/x-1.0-py3-none-any.whl".into(),
            project: "x".into(),
            version: "1.0".into(),
            size: 1,
            sha256: "aa".into(),
            action,
            failure,
            remote_sha256: None,
            http_status: None,
            detail: String::new(),
            seconds: 0.0,
        }
    }

    fn outcome(files: Vec<PublishedFile>) -> PublishOutcome {
        PublishOutcome {
            repository_url: String::new(),
            check_url: String::new(),
            dry_run: false,
            credentials: "none",
            uploaded: 0,
            skipped: 0,
            conflicts: 0,
            failed: 0,
            verified_upload: false,
            index_requests: 0,
            upload_requests: 0,
            seconds: 0.0,
            files,
            warnings: Vec::new(),
            against: Vec::new(),
            refusals: Vec::new(),
        }
    }

    #[test]
    fn exit_status_follows_the_worst_file() {
        let ok = outcome(vec![file(Action::Uploaded, None), file(Action::Skipped, None)]);
        assert_eq!(ok.status(), ExitStatus::Success);
        let conflict = outcome(vec![file(Action::Conflict, None), file(Action::Held, None)]);
        assert_eq!(conflict.status(), ExitStatus::Failed);
        let rejected = outcome(vec![file(Action::Failed, Some(FailureKind::Rejected))]);
        assert_eq!(rejected.status(), ExitStatus::Failed);
        let auth = outcome(vec![
            file(Action::Failed, Some(FailureKind::Rejected)),
            file(Action::Failed, Some(FailureKind::Auth)),
        ]);
        assert_eq!(auth.status(), ExitStatus::Environment);
    }
}
