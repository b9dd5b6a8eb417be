//! Release tags and versions: `<prefix>MAJOR.MINOR.PATCH[-pre][+build]` parsed with `semver`,
//! and the PEP 440 normal form Python packaging expects (`v1.2.3-rc.1` → `1.2.3rc1`).

use semver::Version;
use std::cmp::Ordering;

/// A tag that names a release under the chosen prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTag {
    pub name: String,
    pub version: Version,
}

impl ReleaseTag {
    pub fn is_prerelease(&self) -> bool {
        !self.version.pre.is_empty()
    }
}

impl ReleaseTag {
    /// Where the tag's version sits in PEP 440's order: the one order for `is_latest`,
    /// highest-wins and `--require-newest` (`-post.1` is above the release, as `.post1` is).
    pub fn pep440_key(&self) -> Option<Pep440> {
        pep440(&self.version).and_then(|v| Pep440::parse(&v))
    }

    /// PEP 440 order, then semver's for tags PEP 440 cannot place, then the name.
    pub fn version_cmp(&self, other: &Self) -> Ordering {
        match (self.pep440_key(), other.pep440_key()) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.version.cmp(&other.version),
        }
    }
}

impl Ord for ReleaseTag {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version_cmp(other)
            .then_with(|| self.version.cmp(&other.version))
            .then_with(|| self.name.cmp(&other.name))
    }
}

impl PartialOrd for ReleaseTag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a tag is not a release tag under the current rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagRejection {
    #[error("does not start with the prefix {0:?}")]
    Prefix(String),
    #[error("{0:?} is not a MAJOR.MINOR.PATCH version ({1})")]
    NotSemver(String, String),
    #[error("{0} is a pre-release (pass --allow-prerelease to accept it)")]
    Prerelease(String),
    #[error("pre-release {0:?} has no PEP 440 equivalent (use a, b, rc, dev or post)")]
    NoPep440(String),
    #[error(
        "carries build metadata (+{0}): PyPI refuses the local version it maps to; tag the release without it"
    )]
    BuildMetadata(String),
}

/// The rules a tag must follow to count as a release.
#[derive(Debug, Clone)]
pub struct TagRules {
    pub prefix: String,
    pub allow_prerelease: bool,
}

impl TagRules {
    /// Parses `tag` as a release tag: strip the prefix, parse strict semver, check pre-release
    /// policy. A pre-release must also have a PEP 440 form, so the Python side can follow it.
    pub fn parse(&self, tag: &str) -> Result<ReleaseTag, TagRejection> {
        let rest = tag
            .strip_prefix(&self.prefix)
            .ok_or_else(|| TagRejection::Prefix(self.prefix.clone()))?;
        let version = Version::parse(rest)
            .map_err(|e| TagRejection::NotSemver(rest.to_owned(), e.to_string()))?;
        if !version.build.is_empty() {
            // `1.2.3+build` would be PEP 440 `1.2.3+build`, a local version PyPI refuses, and
            // semver would rank it beside `1.2.3`: not a release tag.
            return Err(TagRejection::BuildMetadata(version.build.to_string()));
        }
        if !version.pre.is_empty() {
            if !self.allow_prerelease {
                return Err(TagRejection::Prerelease(rest.to_owned()));
            }
            if pep440(&version).is_none() {
                return Err(TagRejection::NoPep440(version.pre.to_string()));
            }
        }
        Ok(ReleaseTag { name: tag.to_owned(), version })
    }
}

/// The PEP 440 normal form of a semver version, or `None` when its pre-release label has no
/// PEP 440 meaning.
///
/// `1.2.3-rc.1` → `1.2.3rc1`, `1.2.3-alpha.2` → `1.2.3a2`, `1.2.3-beta` → `1.2.3b0`,
/// `1.2.3-dev.4` → `1.2.3.dev4`, `1.2.3-post.1` → `1.2.3.post1`, `1.2.3-rc.1.dev.2` →
/// `1.2.3rc1.dev2`, `1.2.3+build.5` → `1.2.3+build.5`.
pub fn pep440(version: &Version) -> Option<String> {
    let mut out = format!("{}.{}.{}", version.major, version.minor, version.patch);
    if !version.pre.is_empty() {
        out.push_str(&pep440_suffix(version.pre.as_str())?);
    }
    if !version.build.is_empty() {
        let local: String = version
            .build
            .as_str()
            .chars()
            .map(|c| if c == '-' || c == '_' { '.' } else { c.to_ascii_lowercase() })
            .collect();
        out.push('+');
        out.push_str(&local);
    }
    Some(out)
}

/// A PEP 440 version, ordered as PEP 440 orders them: epoch, release (trailing zeros do not
/// count: `1.2.3.0 == 1.2.3`), then `.devN` < `aN` < `bN` < `rcN` < the release < `.postN`,
/// with `.devN` below its own pre- or post-release, then the local segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number).
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<String>,
}

impl Pep440 {
    /// Parses any PEP 440 spelling (`v1.2.3`, `1.2.3-RC.1`, `1.2.3.0`, `1!2.0.post1.dev2`).
    pub fn parse(text: &str) -> Option<Pep440> {
        let canonical = crate::model::wheel_name::canonical_version(text)?;
        let (rest, local) = match canonical.split_once('+') {
            Some((p, l)) => (p.to_owned(), l.split('.').map(str::to_owned).collect()),
            None => (canonical.clone(), Vec::new()),
        };
        let (epoch, mut rest) = match rest.split_once('!') {
            Some((e, r)) => (e.parse().ok()?, r.to_owned()),
            None => (0, rest),
        };
        let take_number = |s: &str| -> (u64, usize) {
            let len = s.chars().take_while(char::is_ascii_digit).count();
            (s[..len].parse().unwrap_or(0), len)
        };
        let mut dev = None;
        if let Some(at) = rest.find(".dev") {
            dev = Some(take_number(&rest[at + 4..]).0);
            rest.truncate(at);
        }
        let mut post = None;
        if let Some(at) = rest.find(".post") {
            post = Some(take_number(&rest[at + 5..]).0);
            rest.truncate(at);
        }
        let mut pre = None;
        if let Some(at) = rest.find(|c: char| c.is_ascii_alphabetic()) {
            let label = &rest[at..];
            let (kind, digits) = if let Some(d) = label.strip_prefix("rc") {
                (2, d)
            } else if let Some(d) = label.strip_prefix('a') {
                (0, d)
            } else if let Some(d) = label.strip_prefix('b') {
                (1, d)
            } else {
                return None;
            };
            pre = Some((kind, take_number(digits).0));
            rest.truncate(at);
        }
        let mut release: Vec<u64> =
            rest.split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>()?;
        while release.len() > 1 && release.last() == Some(&0) {
            release.pop();
        }
        Some(Pep440 { epoch, release, pre, post, dev, local })
    }

    /// The sort key of PEP 440 (as `packaging` builds it): a dev release with nothing else
    /// sorts before every pre-release of its version; no pre-release sorts after them all.
    fn key(&self) -> SortKey<'_> {
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => (-1, 0, 0),
            (None, _, _) => (1, 0, 0),
            (Some((kind, n)), _, _) => (0, kind, n),
        };
        let post = self.post.map_or((-1, 0), |n| (0, n));
        let dev = self.dev.map_or((1, 0), |n| (0, n));
        (self.epoch, &self.release, pre, post, dev)
    }
}

/// epoch, release, (pre rank, label, number), (post rank, number), (dev rank, number).
type SortKey<'a> = (u64, &'a [u64], (i8, u8, u64), (i8, u64), (i8, u64));

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key()).then_with(|| {
            // Local segments: none < any; numbers above strings; segment by segment.
            let seg = |s: &String| match s.parse::<u64>() {
                Ok(n) => (1u8, n, String::new()),
                Err(_) => (0u8, 0, s.clone()),
            };
            let a: Vec<_> = self.local.iter().map(seg).collect();
            let b: Vec<_> = other.local.iter().map(seg).collect();
            a.cmp(&b)
        })
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Maps a semver pre-release (`rc.1`, `beta2`, `alpha.1.dev.3`) to PEP 440 segments.
fn pep440_suffix(pre: &str) -> Option<String> {
    let lowered = pre.to_ascii_lowercase();
    let mut parts: Vec<String> = Vec::new();
    // Split "rc.1", "rc1", "rc-1" alike into (label, number) pairs.
    let mut tokens: Vec<String> = Vec::new();
    for piece in lowered.split(['.', '-']) {
        let split = piece.find(|c: char| c.is_ascii_digit()).unwrap_or(piece.len());
        let (label, number) = piece.split_at(split);
        if !label.is_empty() {
            tokens.push(label.to_owned());
        }
        if !number.is_empty() {
            if !number.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            tokens.push(number.to_owned());
        }
    }
    let mut i = 0;
    let mut seen_pre = false;
    let mut seen_post = false;
    let mut seen_dev = false;
    while i < tokens.len() {
        let label = tokens[i].as_str();
        let number = tokens
            .get(i + 1)
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .map(|t| t.trim_start_matches('0').to_owned())
            .map(|t| if t.is_empty() { "0".to_owned() } else { t });
        let consumed = if number.is_some() { 2 } else { 1 };
        let n = number.unwrap_or_else(|| "0".to_owned());
        let segment = match label {
            "a" | "alpha" if !seen_pre && !seen_post && !seen_dev => {
                seen_pre = true;
                format!("a{n}")
            }
            "b" | "beta" if !seen_pre && !seen_post && !seen_dev => {
                seen_pre = true;
                format!("b{n}")
            }
            "rc" | "c" | "pre" | "preview" if !seen_pre && !seen_post && !seen_dev => {
                seen_pre = true;
                format!("rc{n}")
            }
            "post" | "rev" | "r" if !seen_post && !seen_dev => {
                seen_post = true;
                format!(".post{n}")
            }
            "dev" if !seen_dev => {
                seen_dev = true;
                format!(".dev{n}")
            }
            _ => return None,
        };
        parts.push(segment);
        i += consumed;
    }
    if parts.is_empty() { None } else { Some(parts.concat()) }
}

/// Normalizes a PEP 440 version string for comparison (lowercase, `-`/`_` separators, implicit
/// zeros and spellings folded the way PEP 440 describes for the common release forms).
pub fn normalize_pep440(text: &str) -> String {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_prefix('v').unwrap_or(&t);
    // Reuse the semver route when the text is a semver version (covers 1.2.3-rc.1 spellings).
    if let Ok(v) = Version::parse(t)
        && let Some(p) = pep440(&v)
    {
        return p;
    }
    let (public, local) = match t.split_once('+') {
        Some((p, l)) => (p, Some(l.replace(['-', '_'], "."))),
        None => (t, None),
    };
    let mut release_end = 0;
    for (i, c) in public.char_indices() {
        if c.is_ascii_digit() || c == '.' {
            release_end = i + 1;
        } else {
            break;
        }
    }
    let release = public[..release_end].trim_end_matches('.');
    let rest = &public[release_end..];
    let rest = rest.trim_start_matches(['.', '-', '_']);
    let mut out = release.to_owned();
    if !rest.is_empty() {
        match pep440_suffix(rest) {
            Some(suffix) => out.push_str(&suffix),
            None => {
                out.push_str(rest);
            }
        }
    }
    if let Some(local) = local {
        out.push('+');
        out.push_str(&local);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(prefix: &str, pre: bool) -> TagRules {
        TagRules { prefix: prefix.into(), allow_prerelease: pre }
    }

    fn p(v: &str) -> Option<String> {
        pep440(&Version::parse(v).unwrap())
    }

    #[test]
    fn pep440_forms() {
        assert_eq!(p("1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(p("1.2.3-rc.1").as_deref(), Some("1.2.3rc1"));
        assert_eq!(p("1.2.3-rc1").as_deref(), Some("1.2.3rc1"));
        assert_eq!(p("1.2.3-alpha.2").as_deref(), Some("1.2.3a2"));
        assert_eq!(p("1.2.3-a.2").as_deref(), Some("1.2.3a2"));
        assert_eq!(p("1.2.3-beta").as_deref(), Some("1.2.3b0"));
        assert_eq!(p("1.2.3-dev.4").as_deref(), Some("1.2.3.dev4"));
        assert_eq!(p("1.2.3-post.1").as_deref(), Some("1.2.3.post1"));
        assert_eq!(p("1.2.3-rc.1.dev.2").as_deref(), Some("1.2.3rc1.dev2"));
        assert_eq!(p("1.2.3-rc01").as_deref(), Some("1.2.3rc1"));
        assert_eq!(p("1.2.3+Build-5").as_deref(), Some("1.2.3+build.5"));
        assert_eq!(p("1.2.3-foo"), None);
        assert_eq!(p("1.2.3-rc.1.rc.2"), None);
    }

    #[test]
    fn parse_strips_prefix_and_checks_policy() {
        let t = rules("v", false).parse("v1.2.3").unwrap();
        assert_eq!(t.version, Version::new(1, 2, 3));
        assert_eq!(rules("v", false).parse("1.2.3"), Err(TagRejection::Prefix("v".into())));
        assert!(matches!(rules("v", false).parse("v1.2"), Err(TagRejection::NotSemver(..))));
        assert!(matches!(rules("v", false).parse("v1.2.3-rc.1"), Err(TagRejection::Prerelease(_))));
        assert!(rules("v", true).parse("v1.2.3-rc.1").is_ok());
        assert!(matches!(rules("v", true).parse("v1.2.3-nightly"), Err(TagRejection::NoPep440(_))));
        assert!(rules("mypkg-v", false).parse("mypkg-v0.4.0").is_ok());
        assert!(rules("", false).parse("2.0.0").is_ok());
        assert!(matches!(rules("v", false).parse("v01.2.3"), Err(TagRejection::NotSemver(..))));
    }

    #[test]
    fn ordering_puts_release_above_its_prereleases() {
        let r = rules("v", true);
        let mut tags = [
            r.parse("v1.2.3-rc.1").unwrap(),
            r.parse("v1.2.3").unwrap(),
            r.parse("v1.10.0").unwrap(),
        ];
        tags.sort();
        let names: Vec<_> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v1.2.3-rc.1", "v1.2.3", "v1.10.0"]);
    }

    #[test]
    fn post_releases_sort_above_their_release_as_pep_440_says() {
        let r = rules("v", true);
        let mut tags: Vec<ReleaseTag> = [
            "v1.2.3-post.1",
            "v1.2.3",
            "v1.2.3-rc.1",
            "v1.2.3-dev.1",
            "v1.2.3-rc.1.dev.2",
            "v1.2.4-alpha",
            "v1.2.3-post.1.dev.1",
        ]
        .iter()
        .map(|t| r.parse(t).unwrap())
        .collect();
        tags.sort();
        let names: Vec<_> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "v1.2.3-dev.1",
                "v1.2.3-rc.1.dev.2",
                "v1.2.3-rc.1",
                "v1.2.3",
                "v1.2.3-post.1.dev.1",
                "v1.2.3-post.1",
                "v1.2.4-alpha",
            ]
        );
    }

    #[test]
    fn build_metadata_is_not_a_release_tag() {
        assert_eq!(
            rules("v", true).parse("v1.2.3+build.5"),
            Err(TagRejection::BuildMetadata("build.5".into()))
        );
    }

    #[test]
    fn pep440_versions_compare_by_value() {
        let v = |t: &str| Pep440::parse(t).unwrap();
        assert_eq!(v("1.2.3.0"), v("v1.2.3"));
        assert_eq!(v("1.2.3-RC.1"), v("1.2.3rc1"));
        assert!(v("1.2.3") < v("1.2.3.post1"));
        assert!(v("1.2.3.dev0") < v("1.2.3a1"));
        assert!(v("1.2.3") < v("1.2.3+local"));
        assert!(v("1!0.1") > v("9.9"));
        assert!(Pep440::parse("1.2.3-nightly").is_none());
    }

    #[test]
    fn normalizes_python_spellings() {
        assert_eq!(normalize_pep440("1.2.3rc1"), "1.2.3rc1");
        assert_eq!(normalize_pep440("1.2.3-RC.1"), "1.2.3rc1");
        assert_eq!(normalize_pep440("1.2.3.rc1"), "1.2.3rc1");
        assert_eq!(normalize_pep440("1.2.3alpha1"), "1.2.3a1");
        assert_eq!(normalize_pep440("1.2.3.dev0"), "1.2.3.dev0");
        assert_eq!(normalize_pep440("v1.2.3"), "1.2.3");
        assert_eq!(normalize_pep440("1.2"), "1.2");
    }
}
