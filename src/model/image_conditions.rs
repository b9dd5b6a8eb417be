//! What `wait-for-image` asks of an image and how it judges what the registry served: the
//! conditions (digest, revision, platforms), what one poll saw, and the pure check of one
//! against the other, with the few words that describe both in progress lines and timeouts.

use crate::model::oci::{Digest, Platform, REVISION_KEY, RevisionSource, revision_matches};
use serde::Serialize;

/// Where the wanted revision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionOrigin {
    Flag,
    WorkflowRun,
    GithubSha,
}

/// What the image must satisfy (all of it).
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    pub digest: Option<Digest>,
    pub revision: Option<(String, RevisionOrigin)>,
    pub platforms: Vec<Platform>,
}

/// One image (platform) of what the tag resolves to.
#[derive(Debug, Clone, Serialize)]
pub struct ImageSeen {
    pub platform: Option<Platform>,
    pub digest: Digest,
    pub revision: Option<String>,
    pub revision_source: Option<RevisionSource>,
}

/// What the reference resolved to at one poll.
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    pub digest: Digest,
    /// `index` or `image`.
    pub kind: &'static str,
    pub media_type: Option<String>,
    /// Every platform the index offers (attestations skipped), or the image's own.
    pub platforms: Vec<Platform>,
    /// The images the conditions were checked on (the required platforms, or all).
    pub images: Vec<ImageSeen>,
}

impl Seen {
    /// The revision every inspected image carries, when they agree.
    pub fn common_revision(&self) -> Option<&str> {
        let first = self.images.first()?.revision.as_deref()?;
        self.images
            .iter()
            .all(|i| i.revision.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(first)))
            .then_some(first)
    }

    pub fn platform_list(&self) -> String {
        self.platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }
}

/// One condition checked against what was seen.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConditionCheck {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// Checks the conditions against what was seen; pure.
pub fn evaluate(conditions: &Conditions, seen: &Seen) -> Vec<ConditionCheck> {
    let mut checks = Vec::new();
    if let Some(want) = &conditions.digest {
        checks.push(ConditionCheck {
            name: "digest",
            passed: &seen.digest == want,
            detail: if &seen.digest == want {
                format!("resolves to {want}")
            } else {
                format!("resolves to {}, not {want}", seen.digest)
            },
        });
    }
    if !conditions.platforms.is_empty() {
        let missing: Vec<String> = conditions
            .platforms
            .iter()
            .filter(|want| !seen.platforms.iter().any(|p| want.accepts(p)))
            .map(ToString::to_string)
            .collect();
        let offered =
            if seen.platforms.is_empty() { "no platform".to_owned() } else { seen.platform_list() };
        checks.push(ConditionCheck {
            name: "platform",
            passed: missing.is_empty(),
            detail: if missing.is_empty() {
                format!("offers {offered}")
            } else {
                format!("missing {} (offers {offered})", missing.join(","))
            },
        });
    }
    if let Some((want, _)) = &conditions.revision {
        let label = |i: &ImageSeen| {
            i.platform.as_ref().map_or_else(|| "the image".to_owned(), ToString::to_string)
        };
        let mut problems = Vec::new();
        for image in &seen.images {
            match &image.revision {
                None => problems.push(format!("{} carries no revision label", label(image))),
                Some(r) if !revision_matches(want, r) => {
                    problems.push(format!("{} is revision {r}", label(image)))
                }
                Some(_) => {}
            }
        }
        let none_labelled =
            !seen.images.is_empty() && seen.images.iter().all(|i| i.revision.is_none());
        let passed = problems.is_empty() && !seen.images.is_empty();
        let detail = if seen.images.is_empty() {
            "no image to read a revision from".to_owned()
        } else if none_labelled {
            format!("image carries no revision label ({REVISION_KEY}); want {want}")
        } else if passed {
            format!("carries revision {want}")
        } else if let Some(r) = seen.common_revision() {
            format!("image is revision {r}; want {want}")
        } else {
            format!("{}; want {want}", problems.join(", "))
        };
        checks.push(ConditionCheck { name: "revision", passed, detail });
    }
    checks
}

/// The conditions in a few words, for the first progress line and the timeout message.
pub fn describe(c: &Conditions) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &c.digest {
        parts.push(format!("digest {}", d.short()));
    }
    if let Some((r, _)) = &c.revision {
        parts.push(format!("revision {}", short_sha(r)));
    }
    if !c.platforms.is_empty() {
        parts.push(format!(
            "platforms {}",
            c.platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
        ));
    }
    if parts.is_empty() { "until it exists".to_owned() } else { parts.join(", ") }
}

/// One line about what was seen, for progress and the timeout message.
pub fn describe_seen(seen: &Seen, checks: &[ConditionCheck]) -> String {
    let revision = match (seen.common_revision(), seen.images.iter().all(|i| i.revision.is_none()))
    {
        (Some(r), _) => format!("revision {}", short_sha(r)),
        (None, true) => "no revision label".to_owned(),
        (None, false) => "mixed revisions".to_owned(),
    };
    let platforms =
        if seen.platforms.is_empty() { "no platform".to_owned() } else { seen.platform_list() };
    let failed: Vec<&str> =
        checks.iter().filter(|c| !c.passed).map(|c| c.detail.as_str()).collect();
    let verdict = if failed.is_empty() { "ready".to_owned() } else { failed.join("; ") };
    format!("{} ({revision}, {platforms}): {verdict}", seen.digest.short())
}

pub fn short_sha(s: &str) -> &str {
    if s.len() > 12 && s.bytes().all(|b| b.is_ascii_hexdigit()) { &s[..12] } else { s }
}
