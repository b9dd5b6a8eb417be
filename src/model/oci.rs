//! OCI / Docker image documents: digests, media types, manifests, indexes, image configs,
//! platforms, and where an image says which source revision it was built from.
//!
//! The revision is `org.opencontainers.image.revision`, read from the manifest's annotations
//! first and the config blob's `config.Labels` second (the order Renovate uses). Index entries
//! with platform `unknown/unknown` are BuildKit attestations, not images, and are skipped.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fmt;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The Accept header for manifest requests: all four types, so the registry never converts.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// The annotation and label key for the source revision.
pub const REVISION_KEY: &str = "org.opencontainers.image.revision";

/// A content digest `algorithm:hex`; only sha256 is computed, sha512 is accepted when compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("{0:?} is not a digest: expected sha256: followed by 64 lowercase hex digits")]
    Invalid(String),
}

impl Digest {
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        let bad = || DigestError::Invalid(s.to_owned());
        let (alg, hex) = s.split_once(':').ok_or_else(bad)?;
        let len = match alg {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(bad()),
        };
        if hex.len() != len
            || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad());
        }
        Ok(Self(s.to_owned()))
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        Self::from_hasher(Sha256::new_with_prefix(bytes))
    }

    pub fn from_hasher(hasher: Sha256) -> Self {
        let out = hasher.finalize();
        let mut s = String::with_capacity(71);
        s.push_str("sha256:");
        for b in out.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn algorithm(&self) -> &str {
        self.0.split(':').next().unwrap_or("")
    }

    /// `sha256:0123456789ab`, for progress lines.
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(19)]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// `os/architecture[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Default)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a platform: write os/architecture[/variant], e.g. linux/amd64 or linux/arm/v7"
)]
pub struct PlatformError(String);

impl Platform {
    pub fn parse(s: &str) -> Result<Self, PlatformError> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let ok = |p: &&str| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        };
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(ok) {
            return Err(PlatformError(s.to_owned()));
        }
        Ok(Self {
            os: parts[0].to_ascii_lowercase(),
            architecture: parts[1].to_ascii_lowercase(),
            variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
        }
        .normalized())
    }

    /// Architecture aliases folded (`x86_64` → `amd64`, `aarch64` → `arm64`) and default
    /// variants dropped (`arm64/v8`, `amd64/v1`), the way containerd compares platforms.
    pub fn normalized(&self) -> Self {
        let architecture = match self.architecture.as_str() {
            "x86_64" | "x86-64" => "amd64",
            "aarch64" => "arm64",
            "i386" | "i686" => "386",
            other => other,
        }
        .to_owned();
        let variant = self.variant.clone().filter(|v| {
            !v.is_empty()
                && !matches!((architecture.as_str(), v.as_str()), ("arm64", "v8") | ("amd64", "v1"))
        });
        Self { os: self.os.to_ascii_lowercase(), architecture, variant }
    }

    /// Whether an image with platform `offered` satisfies this requested platform. A request
    /// without a variant accepts any variant.
    pub fn accepts(&self, offered: &Platform) -> bool {
        let (want, have) = (self.normalized(), offered.normalized());
        want.os == have.os
            && want.architecture == have.architecture
            && (want.variant.is_none() || want.variant == have.variant)
    }

    /// BuildKit attestation entries carry `unknown/unknown`.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A content descriptor (`config`, `layers[]`, `manifests[]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// BuildKit attestation manifests (and anything else without a real platform).
    pub fn is_attestation(&self) -> bool {
        self.platform.as_ref().is_some_and(Platform::is_unknown)
            || self.annotations.get("vnd.docker.reference.type").map(String::as_str)
                == Some("attestation-manifest")
    }
}

/// An image manifest (OCI or Docker v2).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An image index or Docker manifest list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    #[serde(default)]
    pub media_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Index {
    /// The entries that are images (attestations skipped).
    pub fn images(&self) -> impl Iterator<Item = &Descriptor> {
        self.manifests.iter().filter(|d| !d.is_attestation())
    }
}

/// A manifest endpoint's answer: one image or an index of images.
#[derive(Debug, Clone)]
pub enum ManifestDoc {
    Image(Manifest),
    Index(Index),
}

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the manifest is not valid JSON for {kind}: {source}")]
    Json {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "unsupported manifest type {0:?} (Docker schema 1 and artifacts without an image config are not images)"
    )]
    Unsupported(String),
}

impl ManifestDoc {
    /// Parses a manifest body by its Content-Type, or by its `mediaType`/shape when the
    /// registry's Content-Type is generic.
    pub fn parse(content_type: Option<&str>, bytes: &[u8]) -> Result<Self, DocError> {
        let ct = content_type.map(|c| c.split(';').next().unwrap_or(c).trim().to_owned());
        let kind = match ct.as_deref() {
            Some(OCI_INDEX | DOCKER_LIST) => Kind::Index,
            Some(OCI_MANIFEST | DOCKER_MANIFEST) => Kind::Image,
            Some(other) if other.contains("prettyjws") || other.ends_with("manifest.v1+json") => {
                return Err(DocError::Unsupported(other.to_owned()));
            }
            _ => sniff(bytes)?,
        };
        match kind {
            Kind::Index => serde_json::from_slice(bytes)
                .map(ManifestDoc::Index)
                .map_err(|source| DocError::Json { kind: "an image index", source }),
            Kind::Image => serde_json::from_slice(bytes)
                .map(ManifestDoc::Image)
                .map_err(|source| DocError::Json { kind: "an image manifest", source }),
        }
    }
}

enum Kind {
    Index,
    Image,
}

fn sniff(bytes: &[u8]) -> Result<Kind, DocError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Shape {
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
        config: Option<serde_json::Value>,
        schema_version: Option<u32>,
    }
    let shape: Shape = serde_json::from_slice(bytes)
        .map_err(|source| DocError::Json { kind: "a manifest", source })?;
    match shape.media_type.as_deref() {
        Some(OCI_INDEX | DOCKER_LIST) => return Ok(Kind::Index),
        Some(OCI_MANIFEST | DOCKER_MANIFEST) => return Ok(Kind::Image),
        _ => {}
    }
    if shape.manifests.is_some() {
        Ok(Kind::Index)
    } else if shape.config.is_some() {
        Ok(Kind::Image)
    } else {
        Err(DocError::Unsupported(
            shape
                .media_type
                .unwrap_or_else(|| format!("schemaVersion {}", shape.schema_version.unwrap_or(0))),
        ))
    }
}

/// The parts of an image config blob surestep reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContainerConfig {
    #[serde(rename = "Labels", default)]
    pub labels: Option<BTreeMap<String, String>>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.config.as_ref()?.labels.as_ref()?.get(key).map(String::as_str)
    }

    pub fn platform(&self) -> Option<Platform> {
        (!self.os.is_empty() && !self.architecture.is_empty()).then(|| Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
        })
    }
}

/// Where an image's revision was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionSource {
    ManifestAnnotation,
    ConfigLabel,
    IndexAnnotation,
}

/// The revision of one image: its manifest annotation, else its config label, else what the
/// index (entry or top level) says about it.
pub fn image_revision(
    manifest: &Manifest,
    config: Option<&ImageConfig>,
    index_hint: Option<&str>,
) -> Option<(String, RevisionSource)> {
    let nonempty = |s: &str| !s.trim().is_empty();
    if let Some(r) = manifest.annotations.get(REVISION_KEY).filter(|r| nonempty(r)) {
        return Some((r.trim().to_owned(), RevisionSource::ManifestAnnotation));
    }
    if let Some(r) = config.and_then(|c| c.label(REVISION_KEY)).filter(|r| nonempty(r)) {
        return Some((r.trim().to_owned(), RevisionSource::ConfigLabel));
    }
    index_hint
        .filter(|r| nonempty(r))
        .map(|r| (r.trim().to_owned(), RevisionSource::IndexAnnotation))
}

/// Whether an image's revision satisfies the wanted one: equal, or the wanted one (at least 7
/// hex digits) is a prefix of it, or it is a prefix (≥ 7) of the wanted full SHA. Case-insensitive.
pub fn revision_matches(wanted: &str, found: &str) -> bool {
    let (w, f) = (wanted.to_ascii_lowercase(), found.trim().to_ascii_lowercase());
    if w == f {
        return true;
    }
    let hex = |s: &str| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit());
    hex(&w) && hex(&f) && (f.starts_with(&w) || w.starts_with(&f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        let d = Digest::sha256_of(b"");
        assert_eq!(
            d.as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(Digest::parse(d.as_str()).unwrap(), d);
        assert_eq!(d.short(), "sha256:e3b0c44298fc");
        assert!(
            Digest::parse(
                "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
            )
            .is_err()
        );
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
        assert!(Digest::parse(&format!("sha512:{}", "a".repeat(128))).is_ok());
    }

    #[test]
    fn platforms_match_with_variants() {
        let p = |s| Platform::parse(s).unwrap();
        assert!(p("linux/amd64").accepts(&p("linux/amd64")));
        assert!(!p("linux/amd64").accepts(&p("linux/arm64")));
        assert!(p("linux/arm64").accepts(&p("linux/arm64/v8")));
        assert!(p("linux/arm64/v8").accepts(&p("linux/arm64")));
        assert!(p("linux/arm").accepts(&p("linux/arm/v7")));
        assert!(p("linux/arm/v7").accepts(&p("linux/arm/v7")));
        assert!(!p("linux/arm/v7").accepts(&p("linux/arm/v6")));
        assert!(!p("linux/arm/v7").accepts(&p("linux/arm")));
        assert!(p("linux/x86_64").accepts(&p("linux/amd64")));
        assert!(p("Linux/AMD64").accepts(&p("linux/amd64")));
        assert_eq!(p("linux/arm64/v8").to_string(), "linux/arm64");
        for bad in ["linux", "linux/", "a/b/c/d", "linux amd64", ""] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }

    const INDEX: &str = r#"{
      "schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "manifests": [
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aa","size":1,
         "platform":{"architecture":"amd64","os":"linux"}},
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bb","size":1,
         "platform":{"architecture":"arm","os":"linux","variant":"v7"}},
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:cc","size":1,
         "platform":{"architecture":"unknown","os":"unknown"},
         "annotations":{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"sha256:aa"}}
      ],
      "annotations": {"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567"}
    }"#;

    #[test]
    fn index_skips_attestations() {
        let ManifestDoc::Index(index) =
            ManifestDoc::parse(Some(OCI_INDEX), INDEX.as_bytes()).unwrap()
        else {
            panic!("not an index")
        };
        let platforms: Vec<String> =
            index.images().filter_map(|d| d.platform.as_ref()).map(|p| p.to_string()).collect();
        assert_eq!(platforms, vec!["linux/amd64", "linux/arm/v7"]);
        // Without a content type the shape decides.
        assert!(matches!(
            ManifestDoc::parse(None, INDEX.as_bytes()).unwrap(),
            ManifestDoc::Index(_)
        ));
        assert!(matches!(
            ManifestDoc::parse(Some("application/json"), INDEX.as_bytes()).unwrap(),
            ManifestDoc::Index(_)
        ));
    }

    #[test]
    fn revision_from_annotation_then_label() {
        let m: Manifest = serde_json::from_str(
            r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:cf","size":2}}"#,
        )
        .unwrap();
        let cfg = ImageConfig::parse(
            br#"{"architecture":"arm64","os":"linux","config":{"Labels":{"org.opencontainers.image.revision":"abc1234"}}}"#,
        )
        .unwrap();
        assert_eq!(cfg.platform().unwrap().to_string(), "linux/arm64");
        assert_eq!(
            image_revision(&m, Some(&cfg), Some("fff0000")),
            Some(("abc1234".into(), RevisionSource::ConfigLabel))
        );
        assert_eq!(
            image_revision(&m, None, Some("fff0000")),
            Some(("fff0000".into(), RevisionSource::IndexAnnotation))
        );
        let mut annotated = m.clone();
        annotated.annotations.insert(REVISION_KEY.into(), "def5678".into());
        assert_eq!(
            image_revision(&annotated, Some(&cfg), None),
            Some(("def5678".into(), RevisionSource::ManifestAnnotation))
        );
        let no_labels =
            ImageConfig::parse(br#"{"architecture":"amd64","os":"linux","config":{}}"#).unwrap();
        assert_eq!(image_revision(&m, Some(&no_labels), None), None);
        let null_labels = ImageConfig::parse(br#"{"config":{"Labels":null}}"#).unwrap();
        assert_eq!(null_labels.label(REVISION_KEY), None);
    }

    #[test]
    fn revisions_match_by_prefix() {
        let full = "0123456789abcdef0123456789abcdef01234567";
        assert!(revision_matches(full, full));
        assert!(revision_matches("0123456", full));
        assert!(revision_matches(&full.to_uppercase(), full));
        assert!(revision_matches(full, "0123456789ab"), "a short label matches the full SHA");
        assert!(!revision_matches("012345", full), "fewer than 7 digits never match by prefix");
        assert!(!revision_matches("1123456", full));
        assert!(!revision_matches(full, ""));
    }

    #[test]
    fn rejects_schema1_and_junk() {
        assert!(matches!(
            ManifestDoc::parse(
                Some("application/vnd.docker.distribution.manifest.v1+prettyjws"),
                b"{}"
            ),
            Err(DocError::Unsupported(_))
        ));
        assert!(matches!(
            ManifestDoc::parse(None, b"{\"schemaVersion\":1}"),
            Err(DocError::Unsupported(_))
        ));
        assert!(matches!(
            ManifestDoc::parse(Some(OCI_MANIFEST), b"not json"),
            Err(DocError::Json { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), text in ".{0,40}") {
            let _ = ManifestDoc::parse(None, &bytes);
            let _ = ManifestDoc::parse(Some(OCI_INDEX), &bytes);
            let _ = ImageConfig::parse(&bytes);
            let _ = Platform::parse(&text);
            let _ = Digest::parse(&text);
            let _ = revision_matches(&text, &text.to_uppercase());
        }
    }
}
