//! Distribution filenames: the wheel grammar `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
//! with compressed tag sets (`py2.py3`, `manylinux2014_x86_64.manylinux_2_17_x86_64`), sdist names
//! `{name}-{version}.tar.gz`, project-name normalization (PEP 503) and the PEP 440 normal form
//! used to compare versions taken from filenames and metadata.

use serde::Serialize;
use std::fmt;

/// One expanded compatibility tag: `cp312-cp312-manylinux_2_17_x86_64`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Tag {
    pub python: String,
    pub abi: String,
    pub platform: String,
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.python, self.abi, self.platform)
    }
}

impl Tag {
    /// Parses `python-abi-platform` (one tag, not a compressed set).
    pub fn parse(text: &str) -> Option<Tag> {
        let mut parts = text.trim().split('-');
        let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || [python, abi, platform].iter().any(|p| !valid_tag_part(p)) {
            return None;
        }
        Some(Tag { python: python.into(), abi: abi.into(), platform: platform.into() })
    }
}

/// Expands a compressed tag set (`cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`,
/// `py2.py3-none-any`) into every tag it stands for, sorted; `None` when it is not
/// `python-abi-platform` with `.`-separated parts. Used for the filename and for each `Tag:` line
/// of `WHEEL` alike (older maturin, among others, wrote one compressed line).
pub fn expand_tag_set(text: &str) -> Option<Vec<Tag>> {
    let mut parts = text.trim().split('-');
    let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let set = |s: &str| -> Option<Vec<String>> {
        let items: Vec<String> = s.split('.').map(str::to_owned).collect();
        items.iter().all(|t| valid_tag_part(t)).then_some(items)
    };
    let (pythons, abis, platforms) = (set(python)?, set(abi)?, set(platform)?);
    let mut out = Vec::with_capacity(pythons.len() * abis.len() * platforms.len());
    for python in &pythons {
        for abi in &abis {
            for platform in &platforms {
                out.push(Tag {
                    python: python.clone(),
                    abi: abi.clone(),
                    platform: platform.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// A wheel build tag: a number, then an optional string; sorts as `(int, str)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BuildTag {
    pub number: u64,
    pub suffix: String,
}

impl fmt::Display for BuildTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.number, self.suffix)
    }
}

/// A parsed wheel filename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WheelName {
    /// The distribution part exactly as written in the filename.
    pub distribution: String,
    /// The version part exactly as written in the filename.
    pub version: String,
    pub build: Option<BuildTag>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

/// A parsed source-distribution filename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdistName {
    /// The name part exactly as written in the filename.
    pub distribution: String,
    /// The version part exactly as written in the filename.
    pub version: String,
    /// `.tar.gz` or `.zip`.
    pub extension: String,
}

/// What a filename in `dist/` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistFilename {
    Wheel(WheelName),
    Sdist(SdistName),
}

/// Why a filename is not a valid distribution filename.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilenameError {
    #[error("not a wheel or sdist filename (expected .whl, .tar.gz or .zip)")]
    UnknownExtension,
    #[error(
        "has {0} dash-separated parts; a wheel filename has 5 or 6 \
         ({{dist}}-{{version}}(-{{build}})?-{{python}}-{{abi}}-{{platform}}.whl)"
    )]
    PartCount(usize),
    #[error("the distribution part {0:?} may only contain letters, digits, `_` and `.`")]
    BadDistribution(String),
    #[error("the version part {0:?} is not a PEP 440 version")]
    BadVersion(String),
    #[error("the build tag {0:?} must start with a digit")]
    BadBuild(String),
    #[error("the {0} tag set {1:?} is not a `.`-separated list of tags")]
    BadTag(&'static str, String),
    #[error(
        "an sdist filename is {{name}}-{{version}}.tar.gz; {0:?} has no `-` before the version"
    )]
    SdistNoVersion(String),
}

impl WheelName {
    /// Parses a wheel filename (the file name only, no directories).
    pub fn parse(filename: &str) -> Result<WheelName, FilenameError> {
        let stem = filename.strip_suffix(".whl").ok_or(FilenameError::UnknownExtension)?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (dist, version, build, py, abi, plat) = match parts.as_slice() {
            [d, v, p, a, pl] => (*d, *v, None, *p, *a, *pl),
            [d, v, b, p, a, pl] => (*d, *v, Some(*b), *p, *a, *pl),
            _ => return Err(FilenameError::PartCount(parts.len())),
        };
        if dist.is_empty()
            || !dist.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(FilenameError::BadDistribution(dist.into()));
        }
        if canonical_version(version).is_none() {
            return Err(FilenameError::BadVersion(version.into()));
        }
        let build = build.map(parse_build).transpose()?;
        let tags = |kind: &'static str, set: &str| -> Result<Vec<String>, FilenameError> {
            let tags: Vec<String> = set.split('.').map(str::to_owned).collect();
            if tags.iter().all(|t| valid_tag_part(t)) {
                Ok(tags)
            } else {
                Err(FilenameError::BadTag(kind, set.into()))
            }
        };
        Ok(WheelName {
            distribution: dist.into(),
            version: version.into(),
            build,
            python_tags: tags("python", py)?,
            abi_tags: tags("abi", abi)?,
            platform_tags: tags("platform", plat)?,
        })
    }

    /// Every tag the compressed sets stand for: python × abi × platform, sorted.
    pub fn tags(&self) -> Vec<Tag> {
        let mut out = Vec::new();
        for python in &self.python_tags {
            for abi in &self.abi_tags {
                for platform in &self.platform_tags {
                    out.push(Tag {
                        python: python.clone(),
                        abi: abi.clone(),
                        platform: platform.clone(),
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The compressed tag triple as written: `cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`.
    pub fn tag_string(&self) -> String {
        format!(
            "{}-{}-{}",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }

    /// The project name, PEP 503-normalized.
    pub fn normalized_name(&self) -> String {
        normalize_name(&self.distribution)
    }
}

impl SdistName {
    /// Parses `{name}-{version}.tar.gz` (or `.zip`); the version is after the last `-`.
    pub fn parse(filename: &str) -> Result<SdistName, FilenameError> {
        let (stem, extension) = if let Some(s) = filename.strip_suffix(".tar.gz") {
            (s, ".tar.gz")
        } else if let Some(s) = filename.strip_suffix(".zip") {
            (s, ".zip")
        } else {
            return Err(FilenameError::UnknownExtension);
        };
        let (name, version) =
            stem.rsplit_once('-').ok_or_else(|| FilenameError::SdistNoVersion(filename.into()))?;
        if name.is_empty() || !is_valid_project_name(name) {
            return Err(FilenameError::BadDistribution(name.into()));
        }
        if canonical_version(version).is_none() {
            return Err(FilenameError::BadVersion(version.into()));
        }
        Ok(SdistName {
            distribution: name.into(),
            version: version.into(),
            extension: extension.into(),
        })
    }

    pub fn normalized_name(&self) -> String {
        normalize_name(&self.distribution)
    }
}

impl DistFilename {
    /// Parses a wheel or sdist filename.
    pub fn parse(filename: &str) -> Result<DistFilename, FilenameError> {
        if filename.ends_with(".whl") {
            WheelName::parse(filename).map(DistFilename::Wheel)
        } else {
            SdistName::parse(filename).map(DistFilename::Sdist)
        }
    }

    /// Whether a filename looks like a distribution at all (by its extension).
    pub fn is_candidate(filename: &str) -> bool {
        filename.ends_with(".whl") || filename.ends_with(".tar.gz") || filename.ends_with(".zip")
    }
}

fn parse_build(build: &str) -> Result<BuildTag, FilenameError> {
    let digits = build.chars().take_while(char::is_ascii_digit).count();
    let number = build[..digits].parse().map_err(|_| FilenameError::BadBuild(build.into()))?;
    let suffix = &build[digits..];
    if !suffix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return Err(FilenameError::BadBuild(build.into()));
    }
    Ok(BuildTag { number, suffix: suffix.into() })
}

fn valid_tag_part(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// PEP 503 normalization: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The name as it must appear in a wheel or PEP 625 sdist filename: normalized, with `_`.
pub fn filename_component(name: &str) -> String {
    normalize_name(name).replace('-', "_")
}

/// A valid project name: ASCII letters and digits, with `.`, `_`, `-` inside (PEP 508).
pub fn is_valid_project_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The PEP 440 normal form of a version, or `None` when it is not a valid version.
///
/// `1.0` → `1.0`, `v1.2.3-RC.1` → `1.2.3rc1`, `2025.09.04` → `2025.9.4`, `1.0-1` → `1.0.post1`,
/// `1.0.dev` → `1.0.dev0`, `1!2.0+Local-Build` → `1!2.0+local.build`.
pub fn canonical_version(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let mut s: &str = lower.strip_prefix('v').unwrap_or(&lower);
    let mut out = String::new();
    // Epoch.
    if let Some((epoch, rest)) = s.split_once('!') {
        out.push_str(&int_norm(epoch)?);
        out.push('!');
        s = rest;
    }
    let (public, local) = match s.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (s, None),
    };
    // Release: N(.N)*
    let release_len = public
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || (c == '.' && public[i + 1..].starts_with(|d: char| d.is_ascii_digit())))
        })
        .map_or(public.len(), |(i, _)| i);
    let release = &public[..release_len];
    if release.is_empty() {
        return None;
    }
    let numbers: Option<Vec<String>> = release.split('.').map(int_norm).collect();
    out.push_str(&numbers?.join("."));
    let mut rest = &public[release_len..];
    // Pre-release.
    if let Some((label, number, after)) = labelled(
        rest,
        &[
            ("alpha", "a"),
            ("beta", "b"),
            ("preview", "rc"),
            ("pre", "rc"),
            ("rc", "rc"),
            ("a", "a"),
            ("b", "b"),
            ("c", "rc"),
        ],
    ) {
        out.push_str(label);
        out.push_str(&number);
        rest = after;
    }
    // Post-release: `-N` or `[-_.]?(post|rev|r)[-_.]?N?`.
    if let Some(after) = rest.strip_prefix('-')
        && after.starts_with(|c: char| c.is_ascii_digit())
    {
        let len = after.chars().take_while(char::is_ascii_digit).count();
        out.push_str(".post");
        out.push_str(&int_norm(&after[..len])?);
        rest = &after[len..];
    } else if let Some((_, number, after)) =
        labelled(rest, &[("post", "post"), ("rev", "post"), ("r", "post")])
    {
        out.push_str(".post");
        out.push_str(&number);
        rest = after;
    }
    // Development release.
    if let Some((_, number, after)) = labelled(rest, &[("dev", "dev")]) {
        out.push_str(".dev");
        out.push_str(&number);
        rest = after;
    }
    if !rest.is_empty() {
        return None;
    }
    if let Some(local) = local {
        let segments: Vec<&str> = local.split(['.', '-', '_']).collect();
        if segments
            .iter()
            .any(|seg| seg.is_empty() || !seg.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return None;
        }
        out.push('+');
        let normalized: Vec<String> = segments
            .iter()
            .map(|seg| {
                if seg.chars().all(|c| c.is_ascii_digit()) {
                    int_norm(seg).unwrap_or_default()
                } else {
                    (*seg).to_owned()
                }
            })
            .collect();
        out.push_str(&normalized.join("."));
    }
    Some(out)
}

/// The version as PEP 440 compares it: the normal form with the release's trailing zeros
/// dropped (`1.0.0` and `1.0` are one version to pip and PyPI), or `None` when invalid.
pub fn version_key(text: &str) -> Option<String> {
    let canonical = canonical_version(text)?;
    let (epoch, rest) = match canonical.split_once('!') {
        Some((e, r)) => (format!("{e}!"), r),
        None => (String::new(), canonical.as_str()),
    };
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    // `1.0.post1`: the release ends before the `.` of `.post`/`.dev`.
    let release = rest[..end].strip_suffix('.').unwrap_or(&rest[..end]);
    let suffix = &rest[release.len()..];
    let mut parts: Vec<&str> = release.split('.').collect();
    while parts.len() > 1 && parts.last() == Some(&"0") {
        parts.pop();
    }
    Some(format!("{epoch}{}{suffix}", parts.join(".")))
}

/// Whether two version spellings are the same version in PEP 440 (`1.0` and `1.0.0`).
pub fn same_version(a: &str, b: &str) -> bool {
    matches!((version_key(a), version_key(b)), (Some(x), Some(y)) if x == y)
}

/// Whether a version has a local segment (`+…`), which PyPI refuses.
pub fn has_local_segment(version: &str) -> bool {
    version.contains('+')
}

/// Matches `[-_.]?LABEL[-_.]?N?` at the start of `s` for the first fitting label; returns the
/// normal label, the normalized number (0 when absent) and the rest.
fn labelled<'a>(
    s: &'a str,
    labels: &[(&str, &'static str)],
) -> Option<(&'static str, String, &'a str)> {
    let body = s.strip_prefix(['-', '_', '.']).unwrap_or(s);
    for (spelling, normal) in labels {
        if let Some(after) = body.strip_prefix(spelling) {
            // A label must not run into more letters (`rc` is not `r` + `c`).
            if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let digits_at = after
                .strip_prefix(['-', '_', '.'])
                .filter(|a| a.starts_with(|c: char| c.is_ascii_digit()));
            let (number, rest) = match digits_at
                .or_else(|| Some(after).filter(|a| a.starts_with(|c: char| c.is_ascii_digit())))
            {
                Some(d) => {
                    let len = d.chars().take_while(char::is_ascii_digit).count();
                    (int_norm(&d[..len])?, &d[len..])
                }
                None => ("0".to_owned(), after),
            };
            return Some((normal, number, rest));
        }
    }
    None
}

/// `007` → `7`; `None` unless all ASCII digits.
fn int_norm(digits: &str) -> Option<String> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKUPSAFE: &str = "markupsafe-3.0.3-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl";

    #[test]
    fn parses_a_wheel_with_a_compressed_platform_set() {
        let w = WheelName::parse(MARKUPSAFE).unwrap();
        assert_eq!(w.distribution, "markupsafe");
        assert_eq!(w.version, "3.0.3");
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, ["cp312"]);
        assert_eq!(w.platform_tags.len(), 3);
        let tags: Vec<String> = w.tags().iter().map(ToString::to_string).collect();
        assert_eq!(
            tags,
            [
                "cp312-cp312-manylinux2014_x86_64",
                "cp312-cp312-manylinux_2_17_x86_64",
                "cp312-cp312-manylinux_2_28_x86_64"
            ]
        );
    }

    #[test]
    fn expands_python_and_abi_sets_and_reads_build_tags() {
        let w = WheelName::parse("Foo.Bar-1.0-12abc-py2.py3-none-any.whl").unwrap();
        assert_eq!(w.build, Some(BuildTag { number: 12, suffix: "abc".into() }));
        assert_eq!(w.tags().len(), 2);
        assert_eq!(w.normalized_name(), "foo-bar");
        assert_eq!(w.tag_string(), "py2.py3-none-any");
        assert!(
            BuildTag { number: 2, suffix: "z".into() }
                < BuildTag { number: 10, suffix: "a".into() }
        );
    }

    #[test]
    fn rejects_malformed_wheel_names() {
        assert_eq!(WheelName::parse("a-1.0-py3-none.whl"), Err(FilenameError::PartCount(4)));
        assert!(matches!(
            WheelName::parse("a-1.0-x1-py3-none-any.whl"),
            Err(FilenameError::BadBuild(_))
        ));
        assert!(matches!(
            WheelName::parse("a-1.0-py3..x-none-any.whl"),
            Err(FilenameError::BadTag("python", _))
        ));
        assert!(matches!(
            WheelName::parse("a-not_a_version-py3-none-any.whl"),
            Err(FilenameError::BadVersion(_))
        ));
        assert!(matches!(
            WheelName::parse("a b-1.0-py3-none-any.whl"),
            Err(FilenameError::BadDistribution(_))
        ));
        assert_eq!(WheelName::parse("a-1.0.tar.gz"), Err(FilenameError::UnknownExtension));
    }

    #[test]
    fn parses_sdists() {
        let s = SdistName::parse("markupsafe-3.0.3.tar.gz").unwrap();
        assert_eq!(
            (s.distribution.as_str(), s.version.as_str(), s.extension.as_str()),
            ("markupsafe", "3.0.3", ".tar.gz")
        );
        let legacy = SdistName::parse("My-Project-2.0rc1.zip").unwrap();
        assert_eq!(legacy.normalized_name(), "my-project");
        assert!(SdistName::parse("noversion.tar.gz").is_err());
        assert!(matches!(DistFilename::parse(MARKUPSAFE), Ok(DistFilename::Wheel(_))));
        assert!(matches!(DistFilename::parse("x-1.tar.gz"), Ok(DistFilename::Sdist(_))));
    }

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize_name("Foo__Bar.-baz"), "foo-bar-baz");
        assert_eq!(filename_component("Markup.Safe"), "markup_safe");
        assert!(is_valid_project_name("a.b-c_d"));
        assert!(!is_valid_project_name("-a"));
    }

    #[test]
    fn versions_compare_as_pep_440_does() {
        assert!(same_version("1.0", "1.0.0"));
        assert!(same_version("v1.2.0.0", "1.2"));
        assert!(same_version("1.0.0.post1", "1.0.post1"));
        assert!(same_version("1!2.0.0rc1", "1!2rc1"));
        assert!(same_version("1.0.0+local.0", "1.0+local.0"));
        assert!(!same_version("1.0.1", "1.0"));
        assert!(!same_version("1.0.post1", "1.0"));
        assert!(!same_version("10", "1"));
        assert_eq!(version_key("2.0.0.dev0").as_deref(), Some("2.dev0"));
        assert_eq!(version_key("0.0").as_deref(), Some("0"));
    }

    #[test]
    fn canonical_versions() {
        for (raw, want) in [
            ("1.0", "1.0"),
            ("v1.2.3-RC.1", "1.2.3rc1"),
            ("2025.09.04", "2025.9.4"),
            ("1.0-1", "1.0.post1"),
            ("1.0.post2", "1.0.post2"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0a1.dev2", "1.0a1.dev2"),
            ("1.0-alpha", "1.0a0"),
            ("1.0c1", "1.0rc1"),
            ("1.0preview2", "1.0rc2"),
            ("1!2.0+Local-Build.07", "1!2.0+local.build.7"),
            ("1.0rev3", "1.0.post3"),
        ] {
            assert_eq!(canonical_version(raw).as_deref(), Some(want), "{raw}");
        }
        for bad in ["", "x", "1.0-", "1..0", "1.0+", "1.0+a..b", "1.0-SNAPSHOT", "1.0rcx"] {
            assert_eq!(canonical_version(bad), None, "{bad}");
        }
    }
}
