//! `surestep promote SRC DST…`: copy one image, exactly, by digest, to other registries.
//!
//! The story: the gate on the triggering run (before any request); the plan (references,
//! conditions, credentials, all checked before the network); the source resolved to one digest
//! (a HEAD, or wait-for-image's wait when there are conditions); every destination tag HEADed
//! (already there: nothing to do; at another digest: refuse with `--no-overwrite` before
//! copying anything); the source's manifests read once; then per destination, blobs (HEAD,
//! mount, or a verified stream), platform manifests by digest, the top manifest by digest, the
//! tag last, and a final HEAD proving the tag resolves to the source digest.

mod copy;

use crate::cli::{PromoteArgs, WaitForImageArgs};
use crate::commands::wait_for_image::{self, human_duration, lookup_credentials};
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::github_env::RunContext;
use crate::model::image_ref::ImageRef;
use crate::model::oci::Digest;
use crate::output::Reporter;
use crate::remote::http::{HttpClient, RetryPolicy};
use crate::remote::registry::{Credentials, Head, RegistryClient, RegistryError};
use futures_util::future::try_join_all;
use serde::Serialize;
use std::time::{Duration, Instant};

pub use copy::{Graph, read_graph};

/// Everything promote needs, decided before the first request.
#[derive(Debug, Clone)]
pub struct PromotePlan {
    pub wait: wait_for_image::WaitPlan,
    /// Whether SRC must be inspected (conditions or --wait) rather than just resolved.
    pub inspect: bool,
    pub destinations: Vec<ImageRef>,
    pub dest_credentials: Option<Credentials>,
    pub no_overwrite: bool,
    pub concurrency: usize,
    pub insecure: bool,
}

/// What happened at one destination.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationOutcome {
    /// `host/name:tag` as given (normalised).
    pub reference: String,
    /// `host/name@sha256:…`: the pinned reference to deploy.
    pub image: String,
    /// `created`, `updated` (the tag pointed elsewhere) or `unchanged` (already there).
    pub action: &'static str,
    /// The digest the tag pointed at before, when it was another one.
    pub previous_digest: Option<Digest>,
    pub blobs_sent: u32,
    pub blobs_mounted: u32,
    pub blobs_skipped: u32,
    pub bytes_sent: u64,
    pub bytes_skipped: u64,
    pub manifests_sent: u32,
    pub requests: u32,
}

/// What `promote` ended with.
#[derive(Debug, Clone, Serialize)]
pub struct PromoteOutcome {
    /// The source reference as given (normalised).
    pub source: String,
    /// `host/name@sha256:…` of the source.
    pub source_image: String,
    pub digest: Digest,
    /// `index` or `image`; absent when nothing had to be read.
    pub kind: Option<&'static str>,
    pub manifests: usize,
    pub blobs: usize,
    pub destinations: Vec<DestinationOutcome>,
    pub requests: u32,
    pub seconds: f64,
    pub notes: Vec<String>,
    pub trigger_conclusion: Option<String>,
}

pub fn run(args: &PromoteArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let context = RunContext::from_env().or_environment("reading the GitHub Actions context")?;
    context.gate(args.require_success).map_err(CliError::failed)?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut plan = plan(args, &context, &env)?;
    let outcome = crate::runtime()?.block_on(async {
        if plan.wait.credentials.is_none() {
            plan.wait.credentials =
                lookup_credentials(&plan.wait.image, args.src_aws_ecr, &env).await?;
        }
        let mut dest_creds = Vec::new();
        for dst in &plan.destinations {
            let c = match &plan.dest_credentials {
                Some(c) => Some(c.clone()),
                None => lookup_credentials(dst, args.aws_ecr, &env).await?,
            };
            dest_creds.push(c);
        }
        for c in plan.wait.credentials.iter().chain(dest_creds.iter().flatten()) {
            reporter.mask(&c.password);
        }
        promote(&plan, dest_creds, reporter).await
    })?;
    let outcome = PromoteOutcome { trigger_conclusion: context.trigger_conclusion(), ..outcome };
    Ok(reporter.finish("promote", &outcome))
}

/// Turns the flags into a plan; every problem here is a usage error.
pub fn plan(
    args: &PromoteArgs,
    context: &RunContext,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PromotePlan, CliError> {
    let as_wait = WaitForImageArgs {
        image: args.source.clone(),
        digest: args.digest.clone(),
        revision: args.revision.clone(),
        platform: args.platform.clone(),
        timeout: args.wait.unwrap_or(Duration::ZERO),
        interval: args.interval,
        username: args.src_username.clone(),
        password: args.src_password.clone(),
        insecure: args.insecure,
        aws_ecr: args.src_aws_ecr,
        require_success: false,
    };
    let wait =
        wait_for_image::plan(&as_wait, context, env).map_err(|e| e.context("reading SRC"))?;
    let inspect = args.wait.is_some()
        || wait.conditions.revision.is_some()
        || !wait.conditions.platforms.is_empty();
    let mut destinations: Vec<ImageRef> = Vec::new();
    for d in &args.destinations {
        let dst = ImageRef::parse(d).or_usage(format!("reading DST {d:?}"))?;
        if dst.digest.is_some() {
            return Err(CliError::usage(anyhow::anyhow!(
                "DST {d:?} names a digest: a destination is HOST/NAME:TAG (the digest is the source's)"
            )));
        }
        if dst.registry == wait.image.registry
            && dst.repository == wait.image.repository
            && dst.tag == wait.image.tag
        {
            return Err(CliError::usage(anyhow::anyhow!("DST {dst} is SRC itself")));
        }
        if destinations.contains(&dst) {
            return Err(CliError::usage(anyhow::anyhow!("DST {dst} is given twice")));
        }
        destinations.push(dst);
    }
    let dest_credentials = match (&args.dest_username, &args.dest_password) {
        (Some(u), Some(p)) if !p.is_empty() => {
            Some(Credentials::basic(u.clone(), p.clone(), "--dest-username/--dest-password"))
        }
        (None, None) => None,
        (Some(_), _) => {
            return Err(CliError::usage(anyhow::anyhow!("--dest-username needs --dest-password"))
                .with_hint(
                    "set SURESTEP_DEST_PASSWORD (safer than --dest-password on the command line)",
                ));
        }
        (None, Some(_)) => {
            return Err(CliError::usage(anyhow::anyhow!("--dest-password needs --dest-username"))
                .with_hint("set --dest-username or SURESTEP_DEST_USERNAME"));
        }
    };
    Ok(PromotePlan {
        wait,
        inspect,
        destinations,
        dest_credentials,
        no_overwrite: args.no_overwrite,
        concurrency: usize::from(args.concurrency),
        insecure: args.insecure,
    })
}

fn http_client() -> Result<HttpClient, CliError> {
    let policy = RetryPolicy {
        retries: 4,
        base_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(20),
        deadline: None,
    };
    HttpClient::new(policy).or_environment("starting the HTTP client")
}

async fn promote(
    plan: &PromotePlan,
    dest_creds: Vec<Option<Credentials>>,
    reporter: &Reporter,
) -> Result<PromoteOutcome, CliError> {
    let start = Instant::now();
    let src_image = &plan.wait.image;
    let http = http_client()?;
    let source = RegistryClient::new(
        http.clone(),
        src_image.api_host(),
        src_image.host_name(),
        &src_image.repository,
        plan.wait.credentials.clone(),
        plan.insecure,
    );
    let mut notes = plan.wait.notes.clone();

    // 1. The source, as one digest, and 2. where each destination stands, before anything
    // is written: independent, so asked at the same time (a re-run costs one round trip).
    let clients: Vec<RegistryClient> = plan
        .destinations
        .iter()
        .zip(dest_creds)
        .map(|(dst, creds)| {
            RegistryClient::new(
                http.clone(),
                dst.api_host(),
                dst.host_name(),
                &dst.repository,
                creds,
                plan.insecure,
            )
            .for_push()
        })
        .collect();
    let heads = try_join_all(
        plan.destinations.iter().zip(&clients).map(|(dst, client)| dest_head(client, dst)),
    );
    let source_digest = async {
        if plan.inspect {
            let waited = wait_for_image::wait(&plan.wait, reporter).await?;
            match (&waited.digest, waited.ready) {
                (Some(d), true) => Ok((d.clone(), waited.requests)),
                _ => {
                    let failed: Vec<String> = waited
                        .conditions
                        .iter()
                        .filter(|c| !c.passed)
                        .map(|c| format!("{}: {}", c.name, c.detail))
                        .collect();
                    let why = if failed.is_empty() {
                        "it does not exist".to_owned()
                    } else {
                        failed.join("; ")
                    };
                    let after = match plan.wait.timeout {
                        Duration::ZERO => String::new(),
                        t => format!(" after waiting {}", human_duration(t)),
                    };
                    Err(CliError::failed(anyhow::anyhow!(
                        "not promoting {src_image}{after}: {why}"
                    ))
                    .with_hint("promote what the conditions describe, or wait longer with --wait"))
                }
            }
        } else {
            resolve(&source, src_image)
                .await
                .map(|d| (d, 0))
                .map_err(|e| registry_error(e, "reading", src_image))
        }
    };
    // After a wait the destinations are read afresh; otherwise both at once.
    let ((digest, extra_requests), previous) = if plan.inspect {
        let d = source_digest.await?;
        (d, heads.await?)
    } else {
        let (d, p) = tokio::join!(source_digest, heads);
        (d?, p?)
    };
    let mut targets = Vec::new();
    for ((dst, client), previous) in plan.destinations.iter().zip(clients).zip(previous) {
        targets.push(copy::Target { image: dst.clone(), client, previous });
    }
    if let Some(want) = &plan.wait.conditions.digest
        && *want != digest
    {
        return Err(CliError::failed(anyhow::anyhow!(
            "not promoting {src_image}: it is {digest}, not --digest {want}"
        )));
    }
    let source_image = src_image.pinned(&digest);

    let refused: Vec<String> = targets
        .iter()
        .filter_map(|t| match &t.previous {
            Some(p) if *p != digest && plan.no_overwrite => Some(format!("{} is {p}", t.image)),
            _ => None,
        })
        .collect();
    if !refused.is_empty() {
        return Err(CliError::failed(anyhow::anyhow!(
            "--no-overwrite: not promoting {source_image}, nothing was copied: {}",
            refused.join("; ")
        ))
        .with_hint("drop --no-overwrite to move the tag, or promote to a new tag"));
    }

    // 3. Read the source's manifests once, only if some destination needs a copy.
    let pending = targets.iter().any(|t| t.previous.as_ref() != Some(&digest));
    let graph = if pending {
        Some(
            read_graph(&source, &digest)
                .await
                .map_err(|e| registry_error(e, "reading", src_image))?,
        )
    } else {
        None
    };
    if let Some(g) = graph.as_ref().filter(|g| !g.foreign.is_empty()) {
        notes.push(format!(
            "{} non-distributable (foreign) layer(s) not copied, as registries do not hold them: \
             clients fetch them from the URLs the manifest gives ({})",
            g.foreign.len(),
            g.foreign.iter().map(|b| b.digest.short()).collect::<Vec<_>>().join(", ")
        ));
    }

    // 4. Copy, every destination at once, blobs bounded by --concurrency overall.
    let results = match &graph {
        Some(graph) => copy::copy_all(&source, graph, &targets, plan.concurrency, reporter).await?,
        None => targets.iter().map(|_| copy::Copied::default()).collect(),
    };

    let mut destinations = Vec::new();
    for (t, copied) in targets.iter().zip(results) {
        let action = match &t.previous {
            Some(p) if *p == digest => "unchanged",
            Some(_) => "updated",
            None => "created",
        };
        if action == "updated"
            && let Some(p) = &t.previous
        {
            notes.push(format!("{} pointed at {p}; it now points at {digest}", t.image));
        }
        destinations.push(DestinationOutcome {
            reference: t.image.to_string(),
            image: t.image.pinned(&digest),
            action,
            previous_digest: t.previous.clone().filter(|p| *p != digest),
            blobs_sent: copied.blobs_sent,
            blobs_mounted: copied.blobs_mounted,
            blobs_skipped: copied.blobs_skipped,
            bytes_sent: copied.bytes_sent,
            bytes_skipped: copied.bytes_skipped,
            manifests_sent: copied.manifests_sent,
            requests: t.client.requests(),
        });
    }
    let requests =
        source.requests() + extra_requests + destinations.iter().map(|d| d.requests).sum::<u32>();
    Ok(PromoteOutcome {
        source: src_image.to_string(),
        source_image,
        digest,
        kind: graph.as_ref().map(|g| g.kind),
        manifests: graph.as_ref().map_or(0, |g| g.manifests.len()),
        blobs: graph.as_ref().map_or(0, |g| g.blobs.len()),
        destinations,
        requests,
        seconds: (start.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        notes,
        trigger_conclusion: None,
    })
}

/// Where a destination tag stands: the digest it resolves to, if any.
async fn dest_head(client: &RegistryClient, dst: &ImageRef) -> Result<Option<Digest>, CliError> {
    let tag = dst.reference();
    let found = match client.head_manifest(&tag).await {
        Ok(Head::Missing) => None,
        Ok(Head::Found { digest: Some(d), .. }) => Some(d),
        Ok(Head::Found { digest: None, .. }) => client
            .get_manifest(&tag, None)
            .await
            .map_err(|e| registry_error(e, "reading", dst))?
            .map(|f| f.digest),
        Err(e) => return Err(registry_error(e, "reading", dst)),
    };
    Ok(found)
}

/// The source reference's digest: a HEAD, or a GET when the registry sends no digest.
async fn resolve(client: &RegistryClient, image: &ImageRef) -> Result<Digest, RegistryError> {
    let reference = image.reference();
    let missing = || RegistryError::Protocol(format!("{image} does not exist"));
    match client.head_manifest(&reference).await? {
        Head::Missing => Err(missing()),
        Head::Found { digest: Some(d), .. } => Ok(d),
        Head::Found { digest: None, .. } => client
            .get_manifest(&reference, image.digest.as_ref())
            .await?
            .map(|f| f.digest)
            .ok_or_else(missing),
    }
}

pub(crate) fn registry_error(e: RegistryError, doing: &str, image: &ImageRef) -> CliError {
    let hint = match &e {
        RegistryError::Auth { hint, .. } => Some(hint.clone()),
        RegistryError::Insecure(_) => {
            Some("pass --insecure only for a registry you trust on a private network".to_owned())
        }
        _ => None,
    };
    let err = CliError::environment(e).context(format!("{doing} {image}"));
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}
