//! The copy itself: the source's manifest graph, and for each destination the blobs, the
//! platform manifests, the top manifest by digest, the tag last and the final HEAD.

use super::registry_error;
use crate::exit::CliError;
use crate::model::image_ref::ImageRef;
use crate::model::oci::{Descriptor, Digest, ManifestDoc};
use crate::output::{Progress, Reporter};
use crate::remote::registry::{Head, RegistryClient, RegistryError, Upload, VerifiedBody};
use futures_util::StreamExt;
use futures_util::future::try_join_all;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// One manifest, with the exact bytes to PUT.
#[derive(Debug, Clone)]
pub struct Node {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// One blob (config or layer).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Blob {
    pub digest: Digest,
    pub size: u64,
}

/// Everything an image is made of: the top manifest, the manifests below it (platform
/// images, attestations, and indexes inside the index) and every blob they name, each once.
#[derive(Debug, Clone)]
pub struct Graph {
    pub kind: &'static str,
    pub top: Node,
    /// Every manifest below the top one, deepest first: each is PUT only after everything it
    /// names is present.
    pub manifests: Vec<Node>,
    /// How many of `manifests` sit at each depth, deepest first (the PUT waves).
    pub waves: Vec<usize>,
    pub blobs: Vec<Blob>,
    /// Layers that may not be copied (foreign / non-distributable): clients fetch them from
    /// the URLs in the manifest, registries do not store them.
    pub foreign: Vec<Blob>,
}

/// A destination and where its tag stood before.
pub struct Target {
    pub image: ImageRef,
    pub client: RegistryClient,
    pub previous: Option<Digest>,
}

/// What was done at one destination.
#[derive(Debug, Clone, Default)]
pub struct Copied {
    pub blobs_sent: u32,
    pub blobs_mounted: u32,
    pub blobs_skipped: u32,
    pub bytes_sent: u64,
    pub bytes_skipped: u64,
    pub manifests_sent: u32,
}

/// How deep indexes may nest (an index of indexes of images is depth 2).
const MAX_DEPTH: usize = 4;

/// Reads the source's manifests by digest (each verified) and lists the blobs.
pub async fn read_graph(source: &RegistryClient, digest: &Digest) -> Result<Graph, RegistryError> {
    let top = fetch_node(source, digest, None).await?;
    let mut blobs = BTreeSet::new();
    let mut foreign = BTreeSet::new();
    let mut levels: Vec<Vec<Node>> = Vec::new();
    let mut seen: BTreeSet<Digest> = BTreeSet::from([top.digest.clone()]);
    let kind = match parse(&top)? {
        ManifestDoc::Image(m) => {
            add_blobs(&mut blobs, &mut foreign, std::iter::once(&m.config).chain(&m.layers))?;
            "image"
        }
        ManifestDoc::Index(index) => {
            let mut wanted = children(&index, &mut seen)?;
            while !wanted.is_empty() {
                if levels.len() == MAX_DEPTH {
                    return Err(RegistryError::Protocol(format!(
                        "{}: indexes nest deeper than {MAX_DEPTH} levels",
                        top.digest
                    )));
                }
                let jobs =
                    wanted.iter().map(|(d, media_type)| fetch_node(source, d, Some(media_type)));
                let mut next = Vec::new();
                let mut level = Vec::new();
                for node in try_join_all(jobs).await? {
                    match parse(&node)? {
                        ManifestDoc::Image(m) => add_blobs(
                            &mut blobs,
                            &mut foreign,
                            std::iter::once(&m.config).chain(&m.layers),
                        )?,
                        ManifestDoc::Index(inner) => next.extend(children(&inner, &mut seen)?),
                    }
                    level.push(node);
                }
                levels.push(level);
                wanted = next;
            }
            "index"
        }
    };
    // Largest first: the long transfers start at once and the small ones fill in around them.
    let mut blobs: Vec<Blob> = blobs.difference(&foreign).cloned().collect();
    blobs.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.digest.cmp(&b.digest)));
    let waves = levels.iter().rev().map(Vec::len).collect();
    let manifests = levels.into_iter().rev().flatten().collect();
    Ok(Graph { kind, top, manifests, waves, blobs, foreign: foreign.into_iter().collect() })
}

/// The entries of an index not met before, as (digest, listed media type).
fn children(
    index: &crate::model::oci::Index,
    seen: &mut BTreeSet<Digest>,
) -> Result<Vec<(Digest, String)>, RegistryError> {
    let mut out = Vec::new();
    for entry in &index.manifests {
        let d = parse_digest(&entry.digest)?;
        if seen.insert(d.clone()) {
            out.push((d, entry.media_type.clone()));
        }
    }
    Ok(out)
}

async fn fetch_node(
    source: &RegistryClient,
    digest: &Digest,
    listed_type: Option<&str>,
) -> Result<Node, RegistryError> {
    let fetched = source.get_manifest(digest.as_str(), Some(digest)).await?.ok_or_else(|| {
        RegistryError::Protocol(format!(
            "{} does not have the manifest {digest}",
            source.base_url()
        ))
    })?;
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Typed {
        media_type: Option<String>,
    }
    let own = serde_json::from_slice::<Typed>(&fetched.bytes).ok().and_then(|t| t.media_type);
    let media_type = own
        .or(fetched.media_type.clone())
        .or(listed_type.filter(|t| !t.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| crate::model::oci::OCI_MANIFEST.to_owned());
    Ok(Node { digest: fetched.digest, media_type, bytes: fetched.bytes })
}

fn parse(node: &Node) -> Result<ManifestDoc, RegistryError> {
    ManifestDoc::parse(Some(&node.media_type), &node.bytes)
        .map_err(|e| RegistryError::Protocol(format!("{}: {e}", node.digest)))
}

fn parse_digest(d: &str) -> Result<Digest, RegistryError> {
    let digest = Digest::parse(d)
        .map_err(|e| RegistryError::Protocol(format!("a manifest lists a bad digest: {e}")))?;
    if digest.algorithm() != "sha256" {
        return Err(RegistryError::Protocol(format!(
            "{digest}: only sha256 content can be verified while copying"
        )));
    }
    Ok(digest)
}

fn add_blobs<'a>(
    into: &mut BTreeSet<Blob>,
    foreign: &mut BTreeSet<Blob>,
    descriptors: impl Iterator<Item = &'a Descriptor>,
) -> Result<(), RegistryError> {
    for d in descriptors {
        let blob = Blob { digest: parse_digest(&d.digest)?, size: d.size };
        if is_non_distributable(&d.media_type) {
            foreign.insert(blob);
        } else {
            into.insert(blob);
        }
    }
    Ok(())
}

/// Docker's foreign layers and OCI's non-distributable ones (deprecated, still in Windows base
/// images): registries do not hold them, so crane and skopeo leave them out of a copy.
pub fn is_non_distributable(media_type: &str) -> bool {
    media_type == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
        || media_type.starts_with("application/vnd.oci.image.layer.nondistributable.")
}

/// Copies the graph to every target whose tag is not already at the digest.
pub async fn copy_all(
    source: &RegistryClient,
    graph: &Graph,
    targets: &[Target],
    concurrency: usize,
    reporter: &Reporter,
) -> Result<Vec<Copied>, CliError> {
    let permits = Arc::new(Semaphore::new(concurrency));
    let group = reporter.progress_group();
    let total: u64 = graph.blobs.iter().map(|b| b.size).sum::<u64>()
        + graph.manifests.iter().map(|m| m.bytes.len() as u64).sum::<u64>();
    let jobs = targets.iter().map(|t| {
        let permits = permits.clone();
        let group = group.clone();
        async move {
            if t.previous.as_ref() == Some(&graph.top.digest) {
                return Ok(Copied::default());
            }
            let bar = Arc::new(group.bytes(total, &format!("promote {}", t.image)));
            copy_one(source, graph, t, permits, concurrency, bar)
                .await
                .map_err(|e| registry_error(e, "copying to", &t.image))
        }
    });
    try_join_all(jobs).await
}

enum BlobResult {
    Skipped,
    Mounted,
    Sent,
}

async fn copy_one(
    source: &RegistryClient,
    graph: &Graph,
    target: &Target,
    permits: Arc<Semaphore>,
    concurrency: usize,
    bar: Arc<Progress>,
) -> Result<Copied, RegistryError> {
    let dst = &target.client;
    let mount = dst.same_registry(source).then(|| source.repository().to_owned());
    let results: Vec<Result<(u64, BlobResult), RegistryError>> =
        futures_util::stream::iter(graph.blobs.iter().map(|blob| {
            let permits = permits.clone();
            let bar = bar.clone();
            let mount = mount.clone();
            async move {
                let _permit = permits
                    .acquire()
                    .await
                    .map_err(|_| RegistryError::Protocol("the copy was shut down".into()))?;
                copy_blob(source, dst, blob, mount.as_deref(), bar).await.map(|r| (blob.size, r))
            }
        }))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut copied = Copied::default();
    for r in results {
        match r? {
            (size, BlobResult::Skipped) => {
                copied.blobs_skipped += 1;
                copied.bytes_skipped += size;
            }
            (size, BlobResult::Mounted) => {
                copied.blobs_mounted += 1;
                copied.bytes_skipped += size;
            }
            (size, BlobResult::Sent) => {
                copied.blobs_sent += 1;
                copied.bytes_sent += size;
            }
        }
    }
    // Manifests by digest, one depth at a time from the deepest (platform images and
    // attestations, all at once), then the top one; then the tag.
    let put = |node: &'_ Node| {
        let bar = bar.clone();
        let node = node.clone();
        async move {
            let present = matches!(
                dst.head_manifest(node.digest.as_str()).await?,
                Head::Found { digest: Some(ref d), .. } if *d == node.digest
            );
            bar.inc(node.bytes.len() as u64);
            if present {
                return Ok::<_, RegistryError>(None);
            }
            dst.put_manifest(node.digest.as_str(), &node.media_type, &node.bytes).await?;
            Ok(Some(node.bytes.len() as u64))
        }
    };
    let mut sent_manifests = Vec::new();
    let mut rest = graph.manifests.as_slice();
    for &n in &graph.waves {
        let (wave, after) = rest.split_at(n.min(rest.len()));
        sent_manifests.extend(try_join_all(wave.iter().map(put)).await?);
        rest = after;
    }
    sent_manifests.push(put(&graph.top).await?);
    for sent in sent_manifests.into_iter().flatten() {
        copied.manifests_sent += 1;
        copied.bytes_sent += sent;
    }
    let tag = target.image.reference();
    dst.put_manifest(&tag, &graph.top.media_type, &graph.top.bytes).await?;
    bar.milestone(&format!("tagged {} at {}", target.image, graph.top.digest));
    // The proof: the tag resolves to the source digest.
    let now = match dst.head_manifest(&tag).await? {
        Head::Found { digest: Some(d), .. } => Some(d),
        Head::Found { digest: None, .. } => dst.get_manifest(&tag, None).await?.map(|f| f.digest),
        Head::Missing => None,
    };
    if now.as_ref() != Some(&graph.top.digest) {
        return Err(RegistryError::Protocol(format!(
            "after the copy {} resolves to {}, not {}",
            target.image,
            now.map_or_else(|| "nothing".to_owned(), |d| d.to_string()),
            graph.top.digest
        )));
    }
    bar.milestone(&format!(
        "done: sent {} blobs ({} bytes) and {} manifests; skipped {} blobs, mounted {} ({} bytes)",
        copied.blobs_sent,
        copied.bytes_sent,
        copied.manifests_sent,
        copied.blobs_skipped,
        copied.blobs_mounted,
        copied.bytes_skipped
    ));
    if let Ok(bar) = Arc::try_unwrap(bar) {
        bar.finish();
    }
    Ok(copied)
}

/// One blob to one destination: skip if present, else mount, else stream (3 tries).
async fn copy_blob(
    source: &RegistryClient,
    dst: &RegistryClient,
    blob: &Blob,
    mount_from: Option<&str>,
    bar: Arc<Progress>,
) -> Result<BlobResult, RegistryError> {
    if dst.has_blob(&blob.digest).await? {
        bar.inc(blob.size);
        return Ok(BlobResult::Skipped);
    }
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let mount = if attempt == 1 { mount_from.map(|from| (&blob.digest, from)) } else { None };
        let location = match dst.start_upload(mount).await? {
            Upload::Mounted => {
                bar.inc(blob.size);
                bar.milestone(&format!("mounted {} ({} bytes)", blob.digest.short(), blob.size));
                return Ok(BlobResult::Mounted);
            }
            Upload::Session(location) => location,
        };
        let result = async {
            let resp = source.open_blob(&blob.digest).await?;
            let progress_bar = bar.clone();
            let (body, verdict) = VerifiedBody::wrap(
                resp,
                blob.digest.clone(),
                blob.size,
                source.base_url().to_owned(),
                Arc::new(move |n| progress_bar.inc(n)),
            );
            let sent = dst.finish_upload(&location, &blob.digest, blob.size, body).await;
            match (sent, verdict.failure()) {
                (_, Some(f)) if f.corrupt => Err(RegistryError::Protocol(f.message)),
                (Err(RegistryError::Transient(_)), Some(f)) => {
                    Err(RegistryError::Incomplete(f.message))
                }
                (r, _) => r,
            }
        }
        .await;
        match result {
            Ok(()) => {
                bar.milestone(&format!("sent {} ({} bytes)", blob.digest.short(), blob.size));
                return Ok(BlobResult::Sent);
            }
            Err(e) if e.is_transient() && attempt < 3 => {
                tracing::debug!("blob {} attempt {attempt} failed: {e}; retrying", blob.digest);
                tokio::time::sleep(dst.retry_delay(attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
