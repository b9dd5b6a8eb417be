//! Reading local distribution files (blocking I/O, parallel across files and large members).
//!
//! [`inspect_file`] reads one wheel or sdist once, streaming: the whole-file sha256, every zip
//! member inflated once with its CRC-32 and RECORD hash checked in the same pass (large members
//! in parallel), the metadata parsed, and every problem collected rather than stopping at the
//! first. [`inspect_bytes`] does the same on a buffer (tests and fuzzing).

pub mod dist_dir;
mod sdist;
mod source;
mod wheel;
pub mod zip_dir;

use crate::model::metadata::Metadata;
use crate::model::problem::{Problem, ProblemCode};
use crate::model::wheel_name::{DistFilename, SdistName, WheelName};
use serde::Serialize;
pub(crate) use source::HashingReader;
pub use source::Source;
use std::path::{Path, PathBuf};

/// Knobs for one inspection.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// Decompression-ratio guard: an archive declaring more than `bomb_ratio` × its size...
    pub bomb_ratio: u64,
    /// ...and at least this many inflated bytes is refused unread (PyPI: 50× on ≥ 64 MiB).
    pub bomb_min_size: u64,
    /// Members with at least this many compressed bytes are inflated on their own thread.
    pub parallel_member_size: u64,
}

impl Default for InspectOptions {
    fn default() -> Self {
        Self {
            bomb_ratio: 50,
            bomb_min_size: 64 * 1024 * 1024,
            parallel_member_size: 4 * 1024 * 1024,
        }
    }
}

/// Wheel or sdist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    Wheel,
    Sdist,
    /// The filename is neither (or does not parse).
    Unknown,
}

/// Everything learned about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given (relative paths stay relative).
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    pub filename: String,
    pub kind: ArtifactKind,
    /// The project name, PEP 503-normalized, from the filename.
    pub name: Option<String>,
    /// The version as written in the filename.
    pub version: Option<String>,
    /// Expanded wheel tags (`cp312-cp312-manylinux_2_17_x86_64`); empty for sdists.
    pub tags: Vec<String>,
    pub size: u64,
    /// Hex sha256 of the whole file (empty when it could not be read to the end).
    pub sha256: String,
    /// Members in the archive.
    pub members: u64,
    /// Total inflated bytes checked.
    pub inflated: u64,
    pub problems: Vec<Problem>,
    /// The parsed METADATA (wheel) or PKG-INFO (sdist).
    #[serde(skip)]
    pub metadata: Option<Metadata>,
    #[serde(skip)]
    pub wheel: Option<WheelName>,
    #[serde(skip)]
    pub sdist: Option<SdistName>,
}

impl FileReport {
    fn new(path: &Path, size: u64) -> Self {
        let filename =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Self {
            path: path.to_owned(),
            filename,
            kind: ArtifactKind::Unknown,
            name: None,
            version: None,
            tags: Vec::new(),
            size,
            sha256: String::new(),
            members: 0,
            inflated: 0,
            problems: Vec::new(),
            metadata: None,
            wheel: None,
            sdist: None,
        }
    }

    /// No problem that fails the run (warnings allowed).
    pub fn ok(&self) -> bool {
        self.problems.iter().all(|p| !p.is_error())
    }

    /// Problems that are only reported.
    pub fn warning_count(&self) -> usize {
        self.problems.iter().filter(|p| !p.is_error()).count()
    }

    fn problem(&mut self, code: ProblemCode, message: impl Into<String>) {
        self.problems.push(Problem::new(code, message));
    }
}

/// Inspects one file on disk. Never fails: every failure is a problem in the report.
pub fn inspect_file(path: &Path, opts: &InspectOptions) -> FileReport {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            let source = source::FileSource { path: path.to_owned(), len: meta.len() };
            inspect_source(path, &source, opts)
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) =>
        {
            let mut report = FileReport::new(path, 0);
            report.problem(ProblemCode::NotFound, "no such file");
            report
        }
        // A dangling symlink, a loop, a directory named like a wheel, a refusal to read.
        other => {
            let mut report = FileReport::new(path, 0);
            match dist_dir::entry_problem(path) {
                Some(dist_dir::EntryProblem::NotAFile(m)) => {
                    report.problem(ProblemCode::NotAFile, m)
                }
                Some(dist_dir::EntryProblem::Unreadable(m)) => {
                    report.problem(ProblemCode::Unreadable, m)
                }
                None => report.problem(
                    ProblemCode::Unreadable,
                    match other {
                        Err(e) => format!("cannot read: {e}"),
                        Ok(_) => "is not a regular file".into(),
                    },
                ),
            }
            report
        }
    }
}

/// Inspects a file held in memory, named `filename`.
pub fn inspect_bytes(filename: &str, bytes: &[u8], opts: &InspectOptions) -> FileReport {
    inspect_source(Path::new(filename), &source::BytesSource(bytes), opts)
}

fn inspect_source(path: &Path, source: &dyn Source, opts: &InspectOptions) -> FileReport {
    let mut report = FileReport::new(path, source.size());
    match DistFilename::parse(&report.filename) {
        Ok(DistFilename::Wheel(w)) => {
            report.kind = ArtifactKind::Wheel;
            report.name = Some(w.normalized_name());
            report.version = Some(w.version.clone());
            report.tags = w.tags().iter().map(ToString::to_string).collect();
            report.wheel = Some(w);
            wheel::inspect(source, opts, &mut report);
        }
        Ok(DistFilename::Sdist(s)) => {
            report.kind = ArtifactKind::Sdist;
            report.name = Some(s.normalized_name());
            report.version = Some(s.version.clone());
            let zip = s.extension == ".zip";
            report.sdist = Some(s);
            if zip {
                // pip installs zip sdists and other indexes take them; PyPI refuses new ones
                // (PEP 625), which its preflight says (`pypi_filename`).
                report.problems.push(
                    Problem::new(
                        ProblemCode::Filename,
                        "a zip sdist: its contents are not inspected (build a .tar.gz; PyPI refuses zip sdists, PEP 625)",
                    )
                    .as_warning(),
                );
                source::hash_only(source, &mut report);
            } else {
                sdist::inspect(source, opts, &mut report);
            }
        }
        Err(e) => {
            if report.filename.ends_with(".whl") {
                report.kind = ArtifactKind::Wheel;
            } else if report.filename.ends_with(".tar.gz") {
                report.kind = ArtifactKind::Sdist;
            }
            report.problem(ProblemCode::Filename, format!("filename {e}"));
            // Still prove what the bytes are, so the rest of the report is useful.
            match report.kind {
                ArtifactKind::Wheel => wheel::inspect(source, opts, &mut report),
                ArtifactKind::Sdist => sdist::inspect(source, opts, &mut report),
                ArtifactKind::Unknown => source::hash_only(source, &mut report),
            }
        }
    }
    report
}

/// `License-File` entries (metadata 2.4 and later) that `present` says are not in the archive;
/// PyPI refuses such uploads.
/// Metadata-Version, Name and Version of a METADATA / PKG-INFO against what the filename says.
pub(crate) fn core_metadata_problems(
    meta: &Metadata,
    member: &str,
    normalized_name: &str,
    filename_name: &str,
    filename_version: &str,
    problems: &mut Vec<Problem>,
) {
    use crate::model::wheel_name::{canonical_version, normalize_name, same_version};
    match meta.metadata_version() {
        Some((1 | 2, _)) => {}
        Some((major, minor)) => problems.push(Problem::in_member(
            ProblemCode::MetadataInvalid,
            member,
            format!("Metadata-Version {major}.{minor} is not supported (1.x or 2.x)"),
        )),
        None => problems.push(Problem::in_member(
            ProblemCode::MetadataInvalid,
            member,
            "Metadata-Version is missing or not MAJOR.MINOR",
        )),
    }
    match meta.get("Name") {
        None => {
            problems.push(Problem::in_member(ProblemCode::MetadataInvalid, member, "has no Name"))
        }
        Some(name) if normalize_name(name) != normalized_name => problems.push(Problem::in_member(
            ProblemCode::NameMismatch,
            member,
            format!("Name is {name:?}; the filename says {filename_name:?}"),
        )),
        Some(_) => {}
    }
    match meta.get("Version") {
        None => problems.push(Problem::in_member(
            ProblemCode::MetadataInvalid,
            member,
            "has no Version",
        )),
        // PEP 440 equality, as pip and PyPI compare them: `1.0` in the filename is `1.0.0`.
        Some(version)
            if canonical_version(version).is_none() || !same_version(version, filename_version) =>
        {
            problems.push(Problem::in_member(
                ProblemCode::VersionMismatch,
                member,
                format!("Version is {version}; the filename says {filename_version}"),
            ))
        }
        Some(_) => {}
    }
}

pub(crate) fn missing_license_files(
    meta: &Metadata,
    present: impl Fn(&str) -> bool,
) -> Vec<String> {
    if meta.metadata_version().is_none_or(|v| v < (2, 4)) {
        return Vec::new();
    }
    meta.get_all("License-File").into_iter().filter(|f| !present(f)).map(str::to_owned).collect()
}

/// Why an archive member's path is unsafe to extract, if it is.
pub(crate) fn unsafe_path(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if name.is_empty() {
        Some("has an empty name")
    } else if name.starts_with(['/', '\\']) {
        Some("is an absolute path")
    } else if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        Some("is an absolute Windows path")
    } else if name.split(['/', '\\']).any(|c| c == "..") {
        Some("has a `..` component")
    } else if name.contains('\\') {
        Some("contains a backslash (archive paths use `/`)")
    } else if name.chars().any(char::is_control) {
        Some("contains control characters")
    } else {
        None
    }
}

/// Serializes a path as a string even when it is not UTF-8 (lossily), so `--json` never fails.
pub fn lossy_path<S: serde::Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
