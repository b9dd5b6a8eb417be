//! `surestep verify-wheels`: prove dist/ is complete and intact before anything is published.
//!
//! The story: turn the flags into a plan (expected version, matrix, PyPI limits — usage errors
//! stop here), list the files, inspect every file in parallel (one streaming pass each), apply
//! PyPI's per-file rules, then the checks on the set: one project, one version, the expected
//! one, every matrix cell covered exactly once, the sdist count. Only a clean run writes the
//! checksum manifest.

use crate::cli::VerifyWheelsArgs;
use crate::commands::against::{self, AgainstReport};
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::inspect::{ArtifactKind, FileReport, InspectOptions, inspect_file};
use crate::model::checksums::{ManifestEntry, format_manifest};
use crate::model::matrix::{self, Matrix, MatrixWheel, PlatformSpec, PythonSpec};
use crate::model::problem::{Problem, ProblemCode};
use crate::model::pypi_rules::{self, PypiLimits};
use crate::model::version::{TagRules, pep440};
use crate::model::wheel_name::{canonical_version, same_version, version_key};
use crate::output::Reporter;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A look-alike left out of the check, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedEntry {
    pub path: String,
    pub reason: String,
}

/// Where the expected version came from.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectedVersion {
    /// PEP 440 normal form.
    pub version: String,
    /// `--version 1.2.3` or `--from-tag v1.2.3`.
    pub source: String,
}

/// The matrix in the outcome: expected (from flags) or observed (from the wheels).
#[derive(Debug, Clone, Serialize)]
pub struct MatrixReport {
    /// Whether --python/--platform set the expectation.
    pub expected: bool,
    #[serde(flatten)]
    pub matrix: Matrix,
}

/// What `verify-wheels` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyWheelsOutcome {
    pub ok: bool,
    /// The project name (normalized), when the files agree on one.
    pub name: Option<String>,
    /// The version (as in the filenames), when the files agree on one.
    pub version: Option<String>,
    pub expected_version: Option<ExpectedVersion>,
    pub wheel_count: usize,
    pub sdist_count: usize,
    pub files: Vec<FileReport>,
    pub matrix: Option<MatrixReport>,
    /// Problems of the set rather than of one file.
    pub problems: Vec<Problem>,
    /// Paths searched (directories and files as given).
    #[serde(serialize_with = "lossy_paths")]
    pub searched: Vec<PathBuf>,
    /// Entries in searched directories that are not wheels or sdists.
    #[serde(serialize_with = "lossy_paths")]
    pub ignored: Vec<PathBuf>,
    /// Entries that look like distributions but are not checked (an upper-case `.WHL`, a nested
    /// directory of distributions), each with the reason: mentioned, never silently passed.
    pub skipped: Vec<SkippedEntry>,
    /// The manifest written by --write-checksums.
    #[serde(serialize_with = "lossy_option_path")]
    pub checksums_file: Option<PathBuf>,
    pub pypi_preflight: bool,
    /// How many problems fail the run, and how many are warnings only.
    pub error_count: usize,
    pub warning_count: usize,
    /// `--against`: the comparison with the previous release on the index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<AgainstReport>,
}

impl VerifyWheelsOutcome {
    pub fn status(&self) -> ExitStatus {
        let file_problems = self.files.iter().flat_map(|f| &f.problems);
        let all: Vec<&Problem> =
            file_problems.chain(&self.problems).filter(|p| p.is_error()).collect();
        if all.is_empty() {
            ExitStatus::Success
        } else if all.iter().all(|p| p.code.is_environment()) {
            ExitStatus::Environment
        } else {
            ExitStatus::Failed
        }
    }

    /// Problems that fail the run.
    pub fn problem_count(&self) -> usize {
        self.all_problems().filter(|p| p.is_error()).count()
    }

    /// Problems that are only reported.
    pub fn warning_count(&self) -> usize {
        self.all_problems().filter(|p| !p.is_error()).count()
    }

    fn all_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().chain(self.files.iter().flat_map(|f| &f.problems))
    }
}

fn lossy_paths<S: serde::Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.to_string_lossy()))
}

fn lossy_option_path<S: serde::Serializer>(
    path: &Option<PathBuf>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match path {
        Some(p) => s.serialize_some(&p.to_string_lossy()),
        None => s.serialize_none(),
    }
}

/// The checks the flags ask for, validated before any file is read.
struct Plan {
    expected_version: Option<ExpectedVersion>,
    pythons: Vec<PythonSpec>,
    platforms: Vec<PlatformSpec>,
    pypi: Option<PypiLimits>,
}

fn plan(args: &VerifyWheelsArgs) -> Result<Plan, CliError> {
    let expected_version = match (&args.expect_version, &args.from_tag) {
        (Some(v), _) => {
            let version = canonical_version(v).ok_or_else(|| {
                CliError::usage(anyhow::anyhow!("--version {v:?} is not a PEP 440 version"))
            })?;
            Some(ExpectedVersion { version, source: format!("--version {v}") })
        }
        (None, Some(tag)) => {
            let rules = TagRules { prefix: args.prefix.clone(), allow_prerelease: true };
            // `${{ github.ref }}` works as well as `${{ github.ref_name }}`.
            let parsed =
                rules.parse(tag.strip_prefix("refs/tags/").unwrap_or(tag)).map_err(|e| {
                    CliError::usage(anyhow::anyhow!("--from-tag {tag:?} is not a release tag: {e}"))
                })?;
            let version = pep440(&parsed.version).ok_or_else(|| {
                CliError::usage(anyhow::anyhow!("--from-tag {tag:?} has no PEP 440 equivalent"))
            })?;
            let version = canonical_version(&version).unwrap_or(version);
            Some(ExpectedVersion { version, source: format!("--from-tag {tag}") })
        }
        (None, None) => None,
    };
    let pythons = args
        .python
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            PythonSpec::parse(p).map_err(|e| CliError::usage(anyhow::anyhow!("--python: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let platforms = args
        .platform
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            PlatformSpec::parse(p).map_err(|e| CliError::usage(anyhow::anyhow!("--platform: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Plan {
        expected_version,
        pythons: dedup(pythons),
        platforms: dedup(platforms),
        pypi: args.pypi_enabled().then_some(PypiLimits { max_file_size: args.max_size }),
    })
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

pub fn run(args: &VerifyWheelsArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let outcome = verify(args, reporter)?;
    Ok(reporter.finish("verify-wheels", &outcome))
}

/// Runs every check and returns the outcome; errors are usage or environment failures.
pub fn verify(
    args: &VerifyWheelsArgs,
    reporter: &Reporter,
) -> Result<VerifyWheelsOutcome, CliError> {
    let plan = plan(args)?;
    let against_plan = against::plan_verify(args, reporter)?;
    let mut set_problems = Vec::new();
    let (files, ignored, skipped) = collect(&args.paths, &mut set_problems);
    if let Some(target) = &args.write_checksums {
        refuse_checksums_onto_inputs(target, &args.paths, &files)?;
    }

    let opts = InspectOptions::default();
    let progress = reporter.progress(files.len() as u64, "verifying");
    let mut reports: Vec<FileReport> = files
        .par_iter()
        // One file per job, so an idle thread can always steal the next file.
        .with_max_len(1)
        .map(|path| {
            let report = inspect_file(path, &opts);
            progress.inc(1);
            report
        })
        .collect();
    progress.finish();

    if let Some(limits) = plan.pypi {
        for r in &mut reports {
            if let Some(w) = &r.wheel {
                r.problems.extend(pypi_rules::check_wheel(w, r.size, limits));
            } else if let Some(s) = &r.sdist {
                r.problems.extend(pypi_rules::check_sdist(s, r.size, limits));
            }
        }
    }
    if let Some(expected) = &plan.expected_version {
        for r in &mut reports {
            let Some(version) = r.version.clone() else { continue };
            if !same_version(&version, &expected.version) {
                r.problems.push(Problem::new(
                    ProblemCode::ExpectedVersion,
                    format!(
                        "version is {version}; expected {} ({})",
                        expected.version, expected.source
                    ),
                ));
            }
        }
    }

    let wheel_count = reports.iter().filter(|r| r.kind == ArtifactKind::Wheel).count();
    let sdist_count = reports.iter().filter(|r| r.kind == ArtifactKind::Sdist).count();
    if reports.is_empty() && set_problems.is_empty() {
        set_problems.push(Problem::new(ProblemCode::NoArtifacts, "no wheels or sdists to verify"));
    }
    let name = agreed(
        &reports,
        |r| r.name.clone().map(|n| (n.clone(), n)),
        ProblemCode::MixedNames,
        "project names",
        &mut set_problems,
    );
    let version = agreed(
        &reports,
        |r| {
            r.version.as_deref().map(|v| {
                let shown = canonical_version(v).unwrap_or_else(|| v.to_owned());
                (version_key(v).unwrap_or_else(|| v.to_owned()), shown)
            })
        },
        ProblemCode::MixedVersions,
        "versions",
        &mut set_problems,
    );
    let version = version.and_then(|v| {
        reports
            .iter()
            .filter_map(|r| r.version.clone())
            .find(|rv| version_key(rv).as_deref() == Some(&v))
    });
    if args.sdist && sdist_count != 1 {
        set_problems.push(Problem::new(
            ProblemCode::SdistCount,
            format!("--sdist expects exactly one sdist; found {sdist_count}"),
        ));
    }
    if plan.pypi.is_some() {
        set_problems.extend(pypi_rules::check_sdist_count(sdist_count));
    }

    let matrix = build_matrix(&plan, &reports, &mut set_problems);

    // Mixed names or versions, or no files, are already problems of the set: nothing to compare.
    let mut against = None;
    if let (Some(against_plan), Some(name), Some(version)) = (&against_plan, &name, &version) {
        match against::check_verified(against_plan, name, version, &reports)? {
            Ok(report) => {
                set_problems.extend(report.problems());
                against = Some(report);
            }
            Err(problem) => set_problems.push(problem),
        }
    }

    let mut outcome = VerifyWheelsOutcome {
        ok: false,
        name,
        version,
        expected_version: plan.expected_version,
        wheel_count,
        sdist_count,
        files: reports,
        matrix,
        problems: set_problems,
        searched: args.paths.clone(),
        ignored,
        skipped,
        checksums_file: None,
        pypi_preflight: plan.pypi.is_some(),
        error_count: 0,
        warning_count: 0,
        against,
    };
    outcome.ok = outcome.status() == ExitStatus::Success;
    outcome.error_count = outcome.problem_count();
    outcome.warning_count = outcome.warning_count();
    if outcome.ok
        && let Some(path) = &args.write_checksums
    {
        write_checksums(path, &outcome.files)?;
        outcome.checksums_file = Some(path.clone());
    }
    Ok(outcome)
}

/// Lists the files to inspect: directories contribute every entry named like a wheel or sdist
/// (sorted, not recursive; a dangling symlink or a loop among them is inspected and so
/// reported, never skipped), files are taken as given.
fn collect(
    paths: &[PathBuf],
    problems: &mut Vec<Problem>,
) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<SkippedEntry>) {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if !path.is_dir() {
            // A missing file is reported by inspection (not_found) with its name.
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        match crate::inspect::dist_dir::scan(path) {
            Ok(scan) => {
                found = scan.candidates;
                ignored.extend(scan.ignored);
                skipped.extend(scan.skipped.into_iter().map(|(p, reason)| SkippedEntry {
                    path: p.to_string_lossy().into_owned(),
                    reason,
                }));
            }
            Err(e) => problems.push(Problem::new(
                ProblemCode::Unreadable,
                format!("cannot list {}: {e}", path.display()),
            )),
        }
        if found.is_empty() {
            problems.push(Problem::new(
                ProblemCode::NoArtifacts,
                format!("{} contains no wheels (.whl) or sdists (.tar.gz)", path.display()),
            ));
        }
        found.sort();
        files.extend(found);
    }
    if paths.len() == 1 && !paths[0].exists() && paths[0] == Path::new("dist") {
        // The default directory is absent: say so plainly rather than "no such file".
        problems.push(Problem::new(
            ProblemCode::NoArtifacts,
            "dist/ does not exist: no wheels or sdists to verify (pass the directory or files to check)",
        ));
        files.clear();
    }
    ignored.sort();
    (files, ignored, skipped)
}

/// `--write-checksums` must never overwrite what it verifies: refuses a target that is one of
/// the input files, or a distribution-named file inside a verified directory.
fn refuse_checksums_onto_inputs(
    target: &Path,
    paths: &[PathBuf],
    files: &[PathBuf],
) -> Result<(), CliError> {
    // Where the target would land, resolved through symlinks as far as it exists.
    let resolved = std::fs::canonicalize(target).ok().or_else(|| {
        let parent =
            target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(target.file_name()?))
    });
    let Some(resolved) = resolved else { return Ok(()) };
    let refuse = |why: String| {
        Err(CliError::usage(anyhow::anyhow!(
            "--write-checksums {} {why}: it would overwrite what is being verified",
            target.display()
        ))
        .with_hint("write the manifest elsewhere, e.g. dist/SHA256SUMS"))
    };
    for file in paths.iter().chain(files) {
        if std::fs::canonicalize(file).is_ok_and(|f| f == resolved) {
            return refuse(format!("is the input {}", file.display()));
        }
    }
    let name =
        resolved.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if crate::model::wheel_name::DistFilename::is_candidate(&name) {
        for dir in paths.iter().filter(|p| p.is_dir()) {
            if std::fs::canonicalize(dir).is_ok_and(|d| Some(d.as_path()) == resolved.parent()) {
                return refuse(format!(
                    "is named like a distribution inside the verified directory {}",
                    dir.display()
                ));
            }
        }
    }
    Ok(())
}

/// The one value every file agrees on (its key), or a problem listing the disagreement.
/// `key` gives the value compared and the spelling shown for it.
fn agreed(
    reports: &[FileReport],
    key: impl Fn(&FileReport) -> Option<(String, String)>,
    code: ProblemCode,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let mut groups: BTreeMap<String, (String, Vec<&str>)> = BTreeMap::new();
    for r in reports {
        if let Some((k, shown)) = key(r) {
            groups.entry(k).or_insert_with(|| (shown, Vec::new())).1.push(&r.filename);
        }
    }
    match groups.len() {
        0 => None,
        1 => groups.into_keys().next(),
        _ => {
            let parts: Vec<String> = groups
                .values()
                .map(|(k, files)| match files.as_slice() {
                    [one] => format!("{k} ({one})"),
                    many => format!("{k} ({} files)", many.len()),
                })
                .collect();
            problems.push(Problem::new(
                code,
                format!("the files disagree on {what}: {}", parts.join(", ")),
            ));
            None
        }
    }
}

fn build_matrix(
    plan: &Plan,
    reports: &[FileReport],
    problems: &mut Vec<Problem>,
) -> Option<MatrixReport> {
    let wheels: Vec<MatrixWheel> = reports
        .iter()
        .filter_map(|r| {
            r.wheel.as_ref().map(|w| MatrixWheel { filename: r.filename.clone(), tags: w.tags() })
        })
        .collect();
    let expected = !plan.pythons.is_empty() || !plan.platforms.is_empty();
    if wheels.is_empty() && !expected {
        return None;
    }
    if !expected {
        // Without an expectation, two wheels for exactly the same tag are still a conflict.
        // (Per project: different projects sharing `py3-none-any` is no conflict.)
        let mut by_tag: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
        let mut builds: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for (w, r) in wheels.iter().zip(reports.iter().filter(|r| r.wheel.is_some())) {
            builds.insert(
                &w.filename,
                r.wheel.as_ref().and_then(|n| n.build.as_ref()).map(ToString::to_string),
            );
            for t in &w.tags {
                let project = r.name.clone().unwrap_or_default();
                by_tag.entry((project, t.to_string())).or_default().push(&w.filename);
            }
        }
        let mut reported: Vec<Vec<&str>> = Vec::new();
        for ((_, tag), files) in by_tag {
            if files.len() > 1 && !reported.contains(&files) {
                let problem = Problem::new(
                    ProblemCode::DuplicateCell,
                    format!("{} wheels share the tag {tag}: {}", files.len(), files.join(", ")),
                );
                // Build tags exist to supersede a wheel for the same tag (pip takes the
                // highest, PyPI takes them all): only untidy when no expectation was given.
                let mut tags: Vec<&Option<String>> =
                    files.iter().filter_map(|f| builds.get(f)).collect();
                tags.sort();
                tags.dedup();
                let by_build = tags.len() == files.len();
                problems.push(if by_build { problem.as_warning() } else { problem });
                reported.push(files);
            }
        }
        return Some(MatrixReport { expected, matrix: matrix::observe(&wheels) });
    }
    let pythons = if plan.pythons.is_empty() {
        matrix::observed_pythons(&wheels)
    } else {
        plan.pythons.clone()
    };
    let platforms = if plan.platforms.is_empty() {
        matrix::observed_platforms(&wheels)
    } else {
        plan.platforms.clone()
    };
    let filled = matrix::fill(&pythons, &platforms, &wheels);
    if pythons.is_empty() || platforms.is_empty() {
        problems.push(Problem::new(
            ProblemCode::MissingCell,
            format!(
                "no wheels to fill the expected matrix ({})",
                if pythons.is_empty() { "no Python found" } else { "no platform found" }
            ),
        ));
    }
    for cell in filled.missing() {
        problems.push(Problem::new(
            ProblemCode::MissingCell,
            format!("missing: {} × {}", cell.python, cell.platform),
        ));
    }
    for cell in filled.duplicates() {
        problems.push(Problem::new(
            ProblemCode::DuplicateCell,
            format!(
                "{} × {} has {} wheels: {}",
                cell.python,
                cell.platform,
                cell.files.len(),
                cell.files.join(", ")
            ),
        ));
    }
    Some(MatrixReport { expected, matrix: filled })
}

/// Writes `<sha256>  <path>` lines the way `sha256sum` does (escaping `\` and newlines),
/// through a temporary file renamed into place, so a failed write leaves nothing half written.
fn write_checksums(path: &Path, files: &[FileReport]) -> Result<(), CliError> {
    let entries: Vec<ManifestEntry> = files
        .iter()
        .map(|f| ManifestEntry { sha256: f.sha256.clone(), path: f.path.clone() })
        .collect();
    let text = format_manifest(&entries);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.surestep-{}", std::process::id()));
    let context = format!("writing --write-checksums {}", path.display());
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write()
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .or_environment(context)
}
