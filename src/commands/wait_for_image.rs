//! `surestep wait-for-image`: wait until the registry serves the build we expect, then pin it.
//!
//! The story: parse the reference and the conditions (digest, revision, platforms) into a
//! plan; then poll until the deadline. Each poll is one manifest HEAD. Only when the digest
//! changes are the manifest (by digest, verified), the platform manifests and config blobs
//! fetched, and what they say is cached by digest, so a stale image costs one request per poll.
//! The conditions are checked against what was seen; the first image that satisfies them all
//! is reported with its pinned `host/name@sha256:…` reference. A timeout (exit 1) says what
//! was last seen; auth failures and registry errors other than "not yet there" are exit 3.

use crate::cli::WaitForImageArgs;
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::github_env::RunContext;
pub use crate::model::image_conditions::{
    ConditionCheck, Conditions, ImageSeen, RevisionOrigin, Seen, describe, describe_seen, evaluate,
    short_sha,
};
use crate::model::image_ref::ImageRef;
use crate::model::oci::{
    Descriptor, Digest, ImageConfig, ManifestDoc, Platform, REVISION_KEY, image_revision,
};
use crate::output::Reporter;
use crate::remote::credentials;
use crate::remote::http::{HttpClient, RetryPolicy};
use crate::remote::registry::{
    Credentials, Fetched, Head, MAX_CONFIG_BYTES, RegistryClient, RegistryError,
};
use futures_util::future::try_join_all;
use rand::Rng;
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Everything the wait needs, decided before the first request.
#[derive(Debug, Clone)]
pub struct WaitPlan {
    pub image: ImageRef,
    pub conditions: Conditions,
    pub timeout: Duration,
    pub interval: Duration,
    pub credentials: Option<Credentials>,
    pub insecure: bool,
    pub notes: Vec<String>,
}

/// What `wait-for-image` ended with.
#[derive(Debug, Clone, Serialize)]
pub struct WaitForImageOutcome {
    pub ready: bool,
    /// The reference waited for, normalised (`host/name:tag`).
    pub reference: String,
    /// `host/name@sha256:…`, when ready.
    pub image: Option<String>,
    pub digest: Option<Digest>,
    pub revision: Option<String>,
    pub platforms: Vec<Platform>,
    pub waited_seconds: f64,
    pub timeout_seconds: f64,
    pub polls: u32,
    pub requests: u32,
    /// The conditions as last checked.
    pub conditions: Vec<ConditionCheck>,
    /// What the reference last resolved to (set on timeout too).
    pub last_seen: Option<Seen>,
    /// The last transient error, when the last poll failed.
    pub last_error: Option<String>,
    /// The wanted revision and where it came from.
    pub wanted_revision: Option<String>,
    pub wanted_revision_origin: Option<RevisionOrigin>,
    pub notes: Vec<String>,
    /// The triggering run's conclusion, in a workflow_run event.
    pub trigger_conclusion: Option<String>,
}

impl WaitForImageOutcome {
    pub fn status(&self) -> ExitStatus {
        if self.ready { ExitStatus::Success } else { ExitStatus::Failed }
    }
}

pub fn run(args: &WaitForImageArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let context = RunContext::from_env().or_environment("reading the GitHub Actions context")?;
    context.gate(args.require_success).map_err(CliError::failed)?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut plan = plan(args, &context, &env)?;
    let outcome = crate::runtime()?.block_on(async {
        if plan.credentials.is_none() {
            plan.credentials = lookup_credentials(&plan.image, args.aws_ecr, &env).await?;
        }
        if let Some(c) = &plan.credentials {
            reporter.mask(&c.password);
        }
        wait(&plan, reporter).await
    })?;
    let outcome =
        WaitForImageOutcome { trigger_conclusion: context.trigger_conclusion(), ..outcome };
    Ok(reporter.finish("wait-for-image", &outcome))
}

/// The registry's login from the keychain (config files, helpers, ECR, GAR, GITHUB_TOKEN)
/// when no flag gave one; see `remote::credentials` for the order.
pub async fn lookup_credentials(
    image: &ImageRef,
    aws_ecr: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, CliError> {
    let helper_timeout = env("SURESTEP_CREDENTIAL_HELPER_TIMEOUT")
        .and_then(|t| crate::cli::parse_duration(&t).ok())
        .unwrap_or(credentials::DEFAULT_HELPER_TIMEOUT);
    let keychain = credentials::Keychain { env, aws_ecr, helper_timeout };
    credentials::find(image, &keychain).await.map_err(|e| {
        let hint = e.hint();
        CliError::environment(e)
            .context(format!("looking up credentials for {}", image.registry))
            .with_hint(hint)
    })
}

/// Turns the flags and the environment into a plan; every problem here is a usage error.
pub fn plan(
    args: &WaitForImageArgs,
    context: &RunContext,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<WaitPlan, CliError> {
    let image = ImageRef::parse(&args.image).or_usage("reading IMAGE")?;
    let mut notes = Vec::new();
    if image.lowercased {
        notes.push(format!(
            "repository names are lowercase in registries: waiting for {}",
            image.repository
        ));
    }
    let digest = args
        .digest
        .as_deref()
        .map(|d| Digest::parse(d.trim()).or_usage("reading --digest"))
        .transpose()?;
    if let (Some(want), Some(pinned)) = (&digest, &image.digest)
        && want != pinned
    {
        return Err(CliError::usage(anyhow::anyhow!(
            "--digest {want} can never match: IMAGE is pinned to {pinned}"
        )));
    }
    let revision = match args.revision.as_deref().map(str::trim) {
        None => None,
        Some("auto") => {
            let origin = if context.workflow_run_head_sha.is_some() {
                RevisionOrigin::WorkflowRun
            } else {
                RevisionOrigin::GithubSha
            };
            let sha = context.commit().ok_or_else(|| {
                CliError::usage(anyhow::anyhow!(
                    "--revision auto needs the run's commit, but GITHUB_SHA is not set"
                ))
                .with_hint(
                    "outside GitHub Actions pass the commit: --revision $(git rev-parse HEAD)",
                )
            })?;
            Some((check_revision(sha)?, origin))
        }
        Some(sha) => Some((check_revision(sha)?, RevisionOrigin::Flag)),
    };
    let platforms = args
        .platform
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| Platform::parse(p).or_usage("reading --platform"))
        .collect::<Result<Vec<_>, _>>()?;

    let credentials = match (&args.username, &args.password) {
        (Some(user), Some(password)) if !password.is_empty() => {
            Some(Credentials::basic(user.clone(), password.clone(), "--username/--password"))
        }
        (None, Some(password)) if !password.is_empty() => {
            let user = env("GITHUB_ACTOR").ok_or_else(|| {
                CliError::usage(anyhow::anyhow!("--password needs --username"))
                    .with_hint("set --username or SURESTEP_REGISTRY_USERNAME")
            })?;
            Some(Credentials::basic(user, password.clone(), "--password and GITHUB_ACTOR"))
        }
        (Some(_), _) => {
            return Err(CliError::usage(anyhow::anyhow!("--username needs --password")).with_hint(
                "set SURESTEP_REGISTRY_PASSWORD (safer than --password on the command line)",
            ));
        }
        // The keychain (config files, helpers, cloud tokens, GITHUB_TOKEN) is asked later.
        (None, _) => None,
    };

    Ok(WaitPlan {
        image,
        conditions: Conditions { digest, revision, platforms },
        timeout: args.timeout,
        interval: args.interval,
        credentials,
        insecure: args.insecure,
        notes,
    })
}

fn check_revision(sha: &str) -> Result<String, CliError> {
    // A SHA-1 commit is 40 hex digits (7 or more abbreviate it), a SHA-256 one 64: anything
    // in between or longer names no commit and could never match.
    let ok = ((7..=40).contains(&sha.len()) || sha.len() == 64)
        && sha.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(CliError::usage(anyhow::anyhow!(
            "--revision {sha:?} is not a commit SHA: give the full SHA (40 hex digits, 64 in a SHA-256 repository) or at least 7 of them"
        )));
    }
    Ok(sha.to_ascii_lowercase())
}

/// What one poll found.
enum PollResult {
    Missing,
    Seen(Seen),
}

/// Per-run caches: inspections by top-level digest, platform images by digest and hint.
#[derive(Default)]
struct Cache {
    seen: HashMap<Digest, Seen>,
    images: HashMap<(Digest, Option<String>), ImageSeen>,
    /// The registry sent no digest on HEAD once: GET straight away from then on.
    head_without_digest: bool,
}

pub async fn wait(plan: &WaitPlan, reporter: &Reporter) -> Result<WaitForImageOutcome, CliError> {
    let start = Instant::now();
    let deadline = start + plan.timeout;
    let policy = RetryPolicy {
        retries: 4,
        base_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(20),
        deadline: Some(deadline),
    };
    let http = HttpClient::new(policy).or_environment("starting the HTTP client")?;
    let client = RegistryClient::new(
        http,
        plan.image.api_host(),
        plan.image.host_name(),
        &plan.image.repository,
        plan.credentials.clone(),
        plan.insecure,
    );
    let reference = plan.image.reference();
    let spinner = reporter.spinner("wait-for-image");
    spinner.milestone(&format!("waiting for {} ({})", plan.image, describe(&plan.conditions)));

    let mut cache = Cache::default();
    let mut polls = 0u32;
    let mut last_seen: Option<Seen> = None;
    let mut checks = Vec::new();
    let mut last_error: Option<RegistryError>;
    let mut answered = false;
    let mut last_state = String::new();
    loop {
        polls += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let budget = remaining.max(Duration::from_secs(2));
        let result = match tokio::time::timeout(
            budget,
            poll(&client, &reference, &plan.conditions.platforms, &mut cache),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(RegistryError::Incomplete(format!(
                "{} did not answer within the deadline",
                client.base_url()
            ))),
        };
        let state = match result {
            Ok(PollResult::Missing) => {
                answered = true;
                last_error = None;
                format!("{} is not there yet", plan.image)
            }
            Ok(PollResult::Seen(seen)) => {
                answered = true;
                last_error = None;
                checks = evaluate(&plan.conditions, &seen);
                let ready = checks.iter().all(|c| c.passed);
                let state = describe_seen(&seen, &checks);
                if state != last_state {
                    spinner.milestone(&state);
                }
                if ready {
                    spinner.finish();
                    let waited = start.elapsed().as_secs_f64();
                    return Ok(WaitForImageOutcome {
                        ready: true,
                        reference: plan.image.to_string(),
                        image: Some(plan.image.pinned(&seen.digest)),
                        digest: Some(seen.digest.clone()),
                        revision: seen.common_revision().map(str::to_owned),
                        platforms: seen.platforms.clone(),
                        waited_seconds: round(waited),
                        timeout_seconds: plan.timeout.as_secs_f64(),
                        polls,
                        requests: client.requests(),
                        conditions: checks,
                        last_seen: Some(seen),
                        last_error: None,
                        wanted_revision: plan.conditions.revision.as_ref().map(|r| r.0.clone()),
                        wanted_revision_origin: plan.conditions.revision.as_ref().map(|r| r.1),
                        notes: plan.notes.clone(),
                        trigger_conclusion: None,
                    });
                }
                last_seen = Some(seen);
                last_state = state.clone();
                state
            }
            Err(e) if e.is_transient() => {
                let state = format!("registry trouble, will retry: {e}");
                last_error = Some(e);
                state
            }
            Err(e) => return Err(registry_error(e, &plan.image)),
        };
        if state != last_state {
            spinner.milestone(&state);
            last_state = state;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let pause = jitter(plan.interval).min(deadline - now);
        tokio::time::sleep(pause).await;
    }
    spinner.finish();

    if !answered && let Some(e) = last_error {
        return Err(CliError::environment(e).context(format!(
            "no answer from {} in {} (waiting for {})",
            client.base_url(),
            human_duration(plan.timeout),
            plan.image
        )));
    }
    Ok(WaitForImageOutcome {
        ready: false,
        reference: plan.image.to_string(),
        image: None,
        digest: None,
        revision: None,
        platforms: Vec::new(),
        waited_seconds: round(start.elapsed().as_secs_f64()),
        timeout_seconds: plan.timeout.as_secs_f64(),
        polls,
        requests: client.requests(),
        conditions: checks,
        last_seen,
        last_error: last_error.map(|e| e.to_string()),
        wanted_revision: plan.conditions.revision.as_ref().map(|r| r.0.clone()),
        wanted_revision_origin: plan.conditions.revision.as_ref().map(|r| r.1),
        notes: plan.notes.clone(),
        trigger_conclusion: None,
    })
}

/// One poll: a HEAD, and the full inspection only for a digest not seen before.
async fn poll(
    client: &RegistryClient,
    reference: &str,
    platforms: &[Platform],
    cache: &mut Cache,
) -> Result<PollResult, RegistryError> {
    let (digest, fetched) = if cache.head_without_digest {
        match client.get_manifest(reference, None).await? {
            None => return Ok(PollResult::Missing),
            Some(f) => (f.digest.clone(), Some(f)),
        }
    } else {
        match client.head_manifest(reference).await? {
            Head::Missing => return Ok(PollResult::Missing),
            Head::Found { digest: Some(d), .. } => (d, None),
            Head::Found { digest: None, .. } => {
                cache.head_without_digest = true;
                match client.get_manifest(reference, None).await? {
                    None => return Ok(PollResult::Missing),
                    Some(f) => (f.digest.clone(), Some(f)),
                }
            }
        }
    };
    if let Some(seen) = cache.seen.get(&digest) {
        return Ok(PollResult::Seen(seen.clone()));
    }
    let fetched = match fetched {
        Some(f) => f,
        // By digest, so a tag moving between HEAD and GET cannot mix two images.
        None => match client.get_manifest(digest.as_str(), Some(&digest)).await? {
            Some(f) => f,
            None => return Ok(PollResult::Missing),
        },
    };
    let seen = inspect(client, &fetched, platforms, cache).await?;
    cache.seen.insert(digest, seen.clone());
    Ok(PollResult::Seen(seen))
}

/// Reads what a manifest or index holds: platforms, and each required image's revision.
async fn inspect(
    client: &RegistryClient,
    fetched: &Fetched,
    wanted: &[Platform],
    cache: &mut Cache,
) -> Result<Seen, RegistryError> {
    let doc = ManifestDoc::parse(fetched.media_type.as_deref(), &fetched.bytes).map_err(|e| {
        RegistryError::Protocol(format!("{} ({}): {e}", fetched.digest, client.base_url()))
    })?;
    match doc {
        ManifestDoc::Image(manifest) => {
            let config = fetch_config(client, &manifest.config).await?;
            let revision = image_revision(&manifest, Some(&config), None);
            let platform = config.platform();
            Ok(Seen {
                digest: fetched.digest.clone(),
                kind: "image",
                media_type: fetched.media_type.clone(),
                platforms: platform.iter().cloned().collect(),
                images: vec![ImageSeen {
                    platform,
                    digest: fetched.digest.clone(),
                    revision: revision.as_ref().map(|r| r.0.clone()),
                    revision_source: revision.map(|r| r.1),
                }],
            })
        }
        ManifestDoc::Index(index) => {
            let flat = flatten_index(client, &index).await?;
            let entries: Vec<&Descriptor> = flat.iter().collect();
            let platforms: Vec<Platform> =
                entries.iter().filter_map(|d| d.platform.clone()).collect();
            let mut required: Vec<&Descriptor> = if wanted.is_empty() {
                entries.clone()
            } else {
                wanted
                    .iter()
                    .filter_map(|w| {
                        entries
                            .iter()
                            .copied()
                            .find(|d| d.platform.as_ref().is_some_and(|p| w.accepts(p)))
                    })
                    .collect()
            };
            required.dedup_by(|a, b| a.digest == b.digest);
            let index_revision = index.annotations.get(REVISION_KEY).cloned();
            let jobs = required.iter().map(|entry| {
                let hint = entry.annotations.get(REVISION_KEY).cloned().or(index_revision.clone());
                let cached = Digest::parse(&entry.digest)
                    .ok()
                    .and_then(|d| cache.images.get(&(d, hint.clone())).cloned());
                async move {
                    match cached {
                        Some(seen) => Ok((seen, hint)),
                        None => {
                            image_in_index(client, entry, hint.as_deref()).await.map(|s| (s, hint))
                        }
                    }
                }
            });
            let results = try_join_all(jobs).await?;
            let mut images = Vec::new();
            for (seen, hint) in results {
                cache.images.insert((seen.digest.clone(), hint), seen.clone());
                images.push(seen);
            }
            Ok(Seen {
                digest: fetched.digest.clone(),
                kind: "index",
                media_type: fetched.media_type.clone(),
                platforms,
                images,
            })
        }
    }
}

/// The image entries of an index, with those of indexes inside it (up to 4 levels) in place
/// of the inner indexes, as a client resolving a platform walks through them.
async fn flatten_index(
    client: &RegistryClient,
    index: &crate::model::oci::Index,
) -> Result<Vec<Descriptor>, RegistryError> {
    use crate::model::oci::{DOCKER_LIST, OCI_INDEX};
    let is_index = |d: &Descriptor| d.media_type == OCI_INDEX || d.media_type == DOCKER_LIST;
    let mut entries: Vec<Descriptor> = index.images().cloned().collect();
    for _ in 0..4 {
        if !entries.iter().any(is_index) {
            return Ok(entries);
        }
        let jobs = entries.into_iter().map(|entry| async move {
            if !is_index(&entry) {
                return Ok(vec![entry]);
            }
            match listed_manifest(client, &entry).await?.1 {
                ManifestDoc::Index(inner) => Ok(inner.images().cloned().collect()),
                ManifestDoc::Image(_) => Ok(vec![entry]),
            }
        });
        entries = try_join_all(jobs).await?.into_iter().flatten().collect();
    }
    if entries.iter().any(is_index) {
        return Err(RegistryError::Protocol("indexes nest deeper than 4 levels".into()));
    }
    Ok(entries)
}

/// A manifest an index lists, read by its digest (verified) and parsed.
async fn listed_manifest(
    client: &RegistryClient,
    entry: &Descriptor,
) -> Result<(Digest, ManifestDoc), RegistryError> {
    let digest = Digest::parse(&entry.digest)
        .map_err(|e| RegistryError::Protocol(format!("the index lists a bad digest: {e}")))?;
    let fetched = client.get_manifest(digest.as_str(), Some(&digest)).await?.ok_or_else(|| {
        RegistryError::Incomplete(format!(
            "the index lists {digest}, which the registry does not have (yet)"
        ))
    })?;
    let doc = ManifestDoc::parse(fetched.media_type.as_deref(), &fetched.bytes)
        .map_err(|e| RegistryError::Protocol(format!("{digest}: {e}")))?;
    Ok((digest, doc))
}

/// One platform image of an index: its manifest, and its config only when the manifest has
/// no revision annotation.
async fn image_in_index(
    client: &RegistryClient,
    entry: &Descriptor,
    hint: Option<&str>,
) -> Result<ImageSeen, RegistryError> {
    let (digest, doc) = listed_manifest(client, entry).await?;
    let ManifestDoc::Image(manifest) = doc else {
        return Err(RegistryError::Protocol(format!(
            "{digest} is listed as an image but is an index"
        )));
    };
    let config = if manifest.annotations.get(REVISION_KEY).is_some_and(|r| !r.trim().is_empty()) {
        None
    } else {
        Some(fetch_config(client, &manifest.config).await?)
    };
    let revision = image_revision(&manifest, config.as_ref(), hint);
    Ok(ImageSeen {
        platform: entry.platform.clone(),
        digest,
        revision: revision.as_ref().map(|r| r.0.clone()),
        revision_source: revision.map(|r| r.1),
    })
}

async fn fetch_config(
    client: &RegistryClient,
    descriptor: &Descriptor,
) -> Result<ImageConfig, RegistryError> {
    let digest = Digest::parse(&descriptor.digest).map_err(|e| {
        RegistryError::Protocol(format!("the manifest's config has a bad digest: {e}"))
    })?;
    let bytes = client.get_blob(&digest, MAX_CONFIG_BYTES).await?;
    ImageConfig::parse(&bytes).map_err(|e| {
        RegistryError::Protocol(format!("the image config {digest} is not valid JSON: {e}"))
    })
}

fn registry_error(e: RegistryError, image: &ImageRef) -> CliError {
    let hint = match &e {
        RegistryError::Auth { hint, .. } => Some(hint.clone()),
        RegistryError::Insecure(_) => {
            Some("pass --insecure only for a registry you trust on a private network".to_owned())
        }
        _ => None,
    };
    let err = CliError::environment(e).context(format!("waiting for {image}"));
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}

fn jitter(interval: Duration) -> Duration {
    interval.mul_f64(rand::rng().random_range(0.9..=1.1))
}

fn round(secs: f64) -> f64 {
    (secs * 10.0).round() / 10.0
}

/// `10m`, `90s`, `1.5s`.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 && secs.fract() == 0.0 && (secs as u64).is_multiple_of(60) {
        format!("{}m", secs as u64 / 60)
    } else if secs.fract() == 0.0 {
        format!("{}s", secs as u64)
    } else {
        format!("{secs:.1}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oci::RevisionSource;

    fn seen(platforms: &[&str], revisions: &[Option<&str>]) -> Seen {
        let ps: Vec<Platform> = platforms.iter().map(|p| Platform::parse(p).unwrap()).collect();
        Seen {
            digest: Digest::sha256_of(b"index"),
            kind: "index",
            media_type: None,
            platforms: ps.clone(),
            images: ps
                .iter()
                .zip(revisions)
                .map(|(p, r)| ImageSeen {
                    platform: Some(p.clone()),
                    digest: Digest::sha256_of(p.to_string().as_bytes()),
                    revision: r.map(str::to_owned),
                    revision_source: r.map(|_| RevisionSource::ConfigLabel),
                })
                .collect(),
        }
    }

    const A: &str = "aaaaaaa1111111111111111111111111111111aa";
    const B: &str = "bbbbbbb2222222222222222222222222222222bb";

    fn with_revision(r: &str) -> Conditions {
        Conditions { revision: Some((r.into(), RevisionOrigin::Flag)), ..Default::default() }
    }

    #[test]
    fn revision_needs_every_image() {
        let both = seen(&["linux/amd64", "linux/arm64"], &[Some(A), Some(A)]);
        assert!(evaluate(&with_revision(A), &both)[0].passed);
        assert!(evaluate(&with_revision(&A[..7]), &both)[0].passed);
        let mixed = seen(&["linux/amd64", "linux/arm64"], &[Some(A), Some(B)]);
        let c = &evaluate(&with_revision(A), &mixed)[0];
        assert!(!c.passed);
        assert_eq!(c.detail, format!("linux/arm64 is revision {B}; want {A}"));
        assert_eq!(mixed.common_revision(), None);
    }

    #[test]
    fn unlabelled_image_says_so() {
        let bare = seen(&["linux/amd64"], &[None]);
        let c = &evaluate(&with_revision(A), &bare)[0];
        assert!(!c.passed);
        assert!(c.detail.starts_with("image carries no revision label"), "{}", c.detail);
        assert!(describe_seen(&bare, &[]).contains("no revision label"));
    }

    #[test]
    fn platforms_and_digest() {
        let s = seen(&["linux/amd64", "linux/arm/v7"], &[Some(A), Some(A)]);
        let want = |ps: &[&str]| Conditions {
            platforms: ps.iter().map(|p| Platform::parse(p).unwrap()).collect(),
            ..Default::default()
        };
        assert!(evaluate(&want(&["linux/amd64", "linux/arm"]), &s)[0].passed);
        let c = &evaluate(&want(&["linux/amd64", "linux/arm64"]), &s)[0];
        assert!(!c.passed);
        assert_eq!(c.detail, "missing linux/arm64 (offers linux/amd64,linux/arm/v7)");
        let d = Conditions { digest: Some(s.digest.clone()), ..Default::default() };
        assert!(evaluate(&d, &s)[0].passed);
        let other = Conditions { digest: Some(Digest::sha256_of(b"x")), ..Default::default() };
        assert!(!evaluate(&other, &s)[0].passed);
        assert!(evaluate(&Conditions::default(), &s).is_empty(), "no condition: exists is enough");
    }

    fn args(image: &str) -> WaitForImageArgs {
        WaitForImageArgs {
            image: image.into(),
            digest: None,
            revision: None,
            platform: Vec::new(),
            timeout: Duration::from_secs(600),
            interval: Duration::from_secs(5),
            username: None,
            password: None,
            insecure: false,
            aws_ecr: false,
            require_success: false,
        }
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn ghcr_falls_back_to_github_token() {
        let env = env_of(&[("GITHUB_TOKEN", "ghs_abc"), ("GITHUB_ACTOR", "octocat")]);
        let plan = plan(&args("ghcr.io/Octo/App:latest"), &RunContext::default(), &env).unwrap();
        assert!(plan.credentials.is_none(), "no flag: the keychain decides");
        assert_eq!(plan.image.repository, "octo/app");
        assert_eq!(plan.notes.len(), 1, "the lowercasing is noted");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let creds = rt.block_on(lookup_credentials(&plan.image, false, &env)).unwrap().unwrap();
        assert_eq!(creds.username, "octocat");
        assert_eq!(creds.password.expose(), "ghs_abc");
        let other = plan_of("quay.io/o/n", &env);
        let none = rt.block_on(lookup_credentials(&other.image, false, &env)).unwrap();
        assert!(none.is_none(), "GITHUB_TOKEN goes to ghcr.io only");
    }

    fn plan_of(image: &str, env: &dyn Fn(&str) -> Option<String>) -> WaitPlan {
        plan(&args(image), &RunContext::default(), env).unwrap()
    }

    #[test]
    fn revision_auto_prefers_workflow_run_head() {
        let mut a = args("ghcr.io/o/n");
        a.revision = Some("auto".into());
        let ctx = RunContext {
            event_name: Some("workflow_run".into()),
            sha: Some(B.into()),
            git_ref: None,
            workflow_run_head_sha: Some(A.into()),
            trigger: None,
        };
        let none = |_: &str| None;
        let p = plan(&a, &ctx, &none).unwrap();
        assert_eq!(p.conditions.revision, Some((A.to_owned(), RevisionOrigin::WorkflowRun)));
        let push = RunContext { sha: Some(B.to_uppercase()), ..Default::default() };
        let p = plan(&a, &push, &none).unwrap();
        assert_eq!(p.conditions.revision, Some((B.to_owned(), RevisionOrigin::GithubSha)));
        let err = plan(&a, &RunContext::default(), &none).unwrap_err();
        assert_eq!(err.status, ExitStatus::Usage);
    }

    #[test]
    fn conflicting_digests_are_a_usage_error() {
        let d1 = Digest::sha256_of(b"1");
        let mut a = args(&format!("ghcr.io/o/n@{d1}"));
        a.digest = Some(Digest::sha256_of(b"2").to_string());
        let none = |_: &str| None;
        assert_eq!(plan(&a, &RunContext::default(), &none).unwrap_err().status, ExitStatus::Usage);
        a.digest = Some(d1.to_string());
        assert!(plan(&a, &RunContext::default(), &none).is_ok());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_secs(600)), "10m");
        assert_eq!(human_duration(Duration::from_secs(90)), "90s");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
    }
}
