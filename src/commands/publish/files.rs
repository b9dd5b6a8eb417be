//! The local side of `publish`: which files, read once each (digests, metadata, checks), and
//! the `--manifest` comparison.

use super::shown;
use crate::exit::{CliError, ResultExt};
use crate::inspect::{InspectOptions, hex, inspect_file};
use crate::model::checksums::parse_manifest;
use crate::model::pypi_rules::{self, PypiLimits};
use crate::model::upload_form::{self, FileType};
use crate::model::upload_plan::Digests;
use crate::model::wheel_name::normalize_name;
use crate::output::Reporter;
use futures_util::StreamExt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One distribution as read from disk.
#[derive(Debug, Clone)]
pub struct LocalDist {
    pub path: PathBuf,
    pub filename: String,
    pub size: u64,
    pub digests: Digests,
    /// Normalized project name.
    pub project: String,
    pub version: String,
    pub filetype: FileType,
    /// Form fields: `filetype`, `pyversion` and the core metadata.
    pub fields: Vec<(String, String)>,
    /// What the checks found that stops the publish (empty when fine or `--no-verify`).
    pub problems: Vec<String>,
    /// What the checks found that is stricter than PyPI and pip: reported, never blocking.
    pub warnings: Vec<String>,
}

/// Whether a file name is a distribution we upload.
pub fn is_distribution(name: &str) -> bool {
    name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
}

/// Expands directories into the distributions they hold; files are taken as given. An entry
/// named like a distribution that is not a readable file (a dangling symlink, a loop) stops the
/// run before any upload; look-alikes that are skipped come back as remarks.
pub fn collect(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>), CliError> {
    use crate::inspect::dist_dir::{self, EntryProblem};
    let mut out: Vec<PathBuf> = Vec::new();
    let mut remarks = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            CliError::usage(anyhow::anyhow!("{}: {e}", shown(path))).with_hint(
                "pass the built distributions or the directory holding them (default: dist/)",
            )
        })?;
        if meta.is_dir() {
            let scan = dist_dir::scan(path)
                .or_environment(format!("reading directory {}", shown(path)))?;
            for candidate in scan.candidates {
                match dist_dir::entry_problem(&candidate) {
                    None => out.push(candidate),
                    Some(EntryProblem::NotAFile(m)) => {
                        return Err(CliError::failed(anyhow::anyhow!("{} {m}", shown(&candidate)))
                            .with_hint(
                                "remove it or point it at the built file; nothing was uploaded",
                            ));
                    }
                    Some(EntryProblem::Unreadable(m)) => {
                        return Err(CliError::environment(anyhow::anyhow!(
                            "{} {m}",
                            shown(&candidate)
                        )));
                    }
                }
            }
            remarks.extend(
                scan.skipped.into_iter().map(|(p, reason)| format!("{}: {reason}", shown(&p))),
            );
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !is_distribution(name) {
                return Err(CliError::usage(anyhow::anyhow!(
                    "{} is not a distribution (.whl, .tar.gz or .zip)",
                    shown(path)
                )));
            }
            out.push(path.clone());
        }
    }
    let mut seen = std::collections::BTreeMap::new();
    let mut unique = Vec::new();
    for path in out {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.get(&name) {
            Some(other) if *other == canonical => continue,
            Some(_) => {
                return Err(CliError::usage(anyhow::anyhow!(
                    "two different files are named {name}: an index holds one file per name"
                )));
            }
            None => {
                seen.insert(name, canonical);
                unique.push(path);
            }
        }
    }
    if unique.is_empty() {
        let list = paths.iter().map(|p| shown(p)).collect::<Vec<_>>().join(", ");
        return Err(CliError::usage(anyhow::anyhow!("no distributions found in {list}"))
            .with_hint("build them first (e.g. `python -m build`), or pass the files"));
    }
    Ok((unique, remarks))
}

/// Normalized project names from the file names alone (names that do not parse are left to
/// the full read, which reports them).
pub fn projects_from_names(paths: &[PathBuf]) -> Vec<String> {
    use crate::model::wheel_name::DistFilename;
    paths
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
        .filter_map(|name| match DistFilename::parse(name).ok()? {
            DistFilename::Wheel(w) => Some(w.normalized_name()),
            DistFilename::Sdist(s) => Some(s.normalized_name()),
        })
        .collect()
}

/// Reads every file once (digests and checks), `concurrency` at a time.
pub async fn read_all(
    paths: &[PathBuf],
    concurrency: usize,
    verify: Verify,
    reporter: &Reporter,
) -> Result<Vec<LocalDist>, CliError> {
    let bar = reporter.progress(paths.len() as u64, "reading distributions");
    let results: Vec<Result<LocalDist, CliError>> =
        futures_util::stream::iter(paths.iter().cloned())
            .map(|path| async move {
                let shown_path = shown(&path);
                tokio::task::spawn_blocking(move || read_one(&path, verify)).await.map_err(|e| {
                    CliError::environment(anyhow::anyhow!("reading {shown_path}: {e}"))
                })?
            })
            .buffered(concurrency.max(1))
            .inspect(|_| bar.inc(1))
            .collect()
            .await;
    bar.finish();
    let mut locals = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    if verify.pypi.is_some() {
        // PyPI takes one sdist per release and rejects the rest mid-upload.
        let mut sdists: std::collections::BTreeMap<(String, String), Vec<usize>> =
            Default::default();
        for (i, l) in locals.iter().enumerate().filter(|(_, l)| l.filetype == FileType::Sdist) {
            sdists.entry((l.project.clone(), l.version.clone())).or_default().push(i);
        }
        for indices in sdists.values() {
            if let Some(p) = pypi_rules::check_sdist_count(indices.len()) {
                for &i in indices {
                    locals[i].problems.push(format!("{} [{}]", p.message, p.code.as_str()));
                }
            }
        }
    }
    let problems: Vec<String> = locals
        .iter()
        .flat_map(|l| l.problems.iter().map(move |p| format!("{}: {p}", l.filename)))
        .collect();
    if !problems.is_empty() {
        return Err(CliError::failed(anyhow::anyhow!(
            "{} found before uploading; nothing was sent:\n  {}",
            crate::output::style::plural(problems.len() as u64, "problem"),
            problems.join("\n  ")
        ))
        .with_hint("fix the build; run `surestep verify-wheels` for details, or --no-verify to skip the checks"));
    }
    Ok(locals)
}

/// Which checks run before anything is sent.
#[derive(Debug, Clone, Copy)]
pub struct Verify {
    /// verify-wheels' integrity checks (zip, CRCs, RECORD, metadata).
    pub integrity: bool,
    /// PyPI's upload rules, when the target is PyPI or TestPyPI.
    pub pypi: Option<PypiLimits>,
}

/// Digests in one streaming pass, then metadata and checks.
fn read_one(path: &Path, verify: Verify) -> Result<LocalDist, CliError> {
    let (digests, size) = digest_file(path).or_environment(format!("reading {}", shown(path)))?;
    let filename = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let described = describe(path, &digests, verify)?;
    let mut fields = vec![
        ("filetype".to_owned(), described.filetype.as_str().to_owned()),
        (
            "pyversion".to_owned(),
            upload_form::pyversion(described.filetype, described.python_tag.as_deref()),
        ),
    ];
    fields.extend(described.metadata);
    Ok(LocalDist {
        path: path.to_path_buf(),
        filename,
        size,
        digests,
        project: normalize_name(&described.name),
        version: described.version,
        filetype: described.filetype,
        fields,
        problems: described.problems,
        warnings: described.warnings,
    })
}

/// sha256, blake2b-256 and md5 of a file, reading it once in 1 MiB pieces.
pub fn digest_file(path: &Path) -> std::io::Result<(Digests, u64)> {
    use blake2::digest::consts::U32;
    use blake2::{Blake2b, Digest};
    use sha2::Sha256;
    let mut file = std::fs::File::open(path)?;
    let mut sha = Sha256::new();
    let mut blake = Blake2b::<U32>::new();
    let mut md5 = md5::Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        sha.update(chunk);
        blake.update(chunk);
        md5.update(chunk);
        size += n as u64;
    }
    Ok((
        Digests {
            sha256: hex(&sha.finalize()),
            blake2_256: hex(&blake.finalize()),
            md5: hex(&md5.finalize()),
        },
        size,
    ))
}

/// sha256 of the first `len` bytes of a file.
pub fn prefix_sha256(path: &Path, len: u64) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?.take(len);
    crate::inspect::HashingReader::new(file).finish().map(|(sha256, _)| sha256)
}

/// What a distribution says about itself.
struct Described {
    name: String,
    version: String,
    filetype: FileType,
    python_tag: Option<String>,
    metadata: Vec<(String, String)>,
    problems: Vec<String>,
    warnings: Vec<String>,
}

/// Name, version, form metadata and problems of a distribution, from verify-wheels'
/// inspection (the same integrity checks `surestep verify-wheels` runs).
fn describe(path: &Path, digests: &Digests, verify: Verify) -> Result<Described, CliError> {
    let mut report = inspect_file(path, &InspectOptions::default());
    if let Some(limits) = verify.pypi {
        let size = report.size;
        if let Some(w) = &report.wheel {
            report.problems.extend(pypi_rules::check_wheel(w, size, limits));
        } else if let Some(s) = &report.sdist {
            report.problems.extend(pypi_rules::check_sdist(s, size, limits));
        }
    }
    let filename = &report.filename;
    let mut problems: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    if verify.integrity {
        for p in &report.problems {
            let text = match &p.member {
                Some(member) => format!("{member}: {} [{}]", p.message, p.code.as_str()),
                None => format!("{} [{}]", p.message, p.code.as_str()),
            };
            if p.is_error() {
                problems.push(text)
            } else {
                warnings.push(format!("{filename}: {text}"))
            }
        }
    }
    if !report.sha256.is_empty() && report.sha256 != digests.sha256 {
        problems
            .push("the file changed while it was being read; is a build still writing it?".into());
    }
    let (filetype, python_tag) = match (&report.wheel, &report.sdist) {
        (Some(w), _) => (FileType::BdistWheel, Some(w.python_tags.join("."))),
        (None, Some(_)) => (FileType::Sdist, None),
        (None, None) => {
            return Err(CliError::failed(anyhow::anyhow!(
                "{}: {filename} is not a valid wheel or sdist file name",
                shown(path)
            ))
            .with_hint("PyPI takes `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` and `{name}-{version}.tar.gz`"));
        }
    };
    let name_from_file = report.name.clone().unwrap_or_default();
    let version_from_file = report.version.clone().unwrap_or_default();
    let metadata = match &report.metadata {
        Some(meta) => {
            let headers = meta
                .fields()
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("Description"))
                .map(|(k, v)| (k.as_str(), v.as_str()));
            upload_form::metadata_fields(headers, meta.description().as_deref())
        }
        // Unreadable metadata (only reachable with --no-verify): name and version from the
        // file name, which every index needs (devpi answers 500 without them).
        None => vec![
            ("name".into(), name_from_file.clone()),
            ("version".into(), version_from_file.clone()),
        ],
    };
    let name = report
        .metadata
        .as_ref()
        .and_then(|m| m.get("Name"))
        .map(str::to_owned)
        .unwrap_or(name_from_file);
    let version = report
        .metadata
        .as_ref()
        .and_then(|m| m.get("Version"))
        .map(str::to_owned)
        .unwrap_or(version_from_file);
    Ok(Described { name, version, filetype, python_tag, metadata, problems, warnings })
}

/// Refuses any file whose sha256 differs from (or is missing in) the manifest.
pub fn check_manifest(manifest: &Path, locals: &[LocalDist]) -> Result<(), CliError> {
    let text = std::fs::read_to_string(manifest)
        .or_usage(format!("reading --manifest {}", shown(manifest)))?;
    // Keyed by base name: the manifest may have been written from another directory.
    let sums: std::collections::BTreeMap<String, String> = parse_manifest(&text)
        .map_err(|e| anyhow::anyhow!(e))
        .or_usage(format!("--manifest {}", shown(manifest)))?
        .into_iter()
        .filter_map(|e| Some((e.path.file_name()?.to_string_lossy().into_owned(), e.sha256)))
        .collect();
    let mut problems = Vec::new();
    for local in locals {
        match sums.get(&local.filename) {
            Some(expected) if *expected == local.digests.sha256 => {}
            Some(expected) => problems.push(format!(
                "{}: sha256 {} now, {expected} in the manifest: the file changed since it was verified",
                local.filename, local.digests.sha256
            )),
            None => problems.push(format!("{}: not listed in the manifest", local.filename)),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(CliError::failed(anyhow::anyhow!(
        "{} --manifest {}; nothing was sent:\n  {}",
        match problems.len() {
            1 => "1 file does not match".to_owned(),
            n => format!("{n} files do not match"),
        },
        shown(manifest),
        problems.join("\n  ")
    ))
    .with_hint(
        "publish exactly what verify-wheels checked: rebuild and re-verify, or fix the manifest",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_known_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, b"abc").unwrap();
        let (d, size) = digest_file(&path).unwrap();
        assert_eq!(size, 3);
        assert_eq!(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(d.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            d.blake2_256,
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }
}
