//! What the release before this one shipped, and whether this one ships it all again.
//!
//! Pure: an index listing and the local files in, a [`Comparison`] out. The previous release is
//! the highest version below ours on the index (final versions only, unless ours is a
//! pre-release), counting only files that are not yanked (PEP 592). Each release becomes a set
//! of cells: (python tag, abi tag, platform family and architecture), plus `sdist`. Every cell
//! of the previous release must be covered again; a manylinux/musllinux/macOS wheel that now
//! needs a newer system is a *change* (a warning), a missing cell is a *drop* unless
//! `--allow-drop` or the new `Requires-Python` excuses it, and new cells are *additions*.

use super::matrix::classify_platform;
use super::release_cells::{CellFile, lowest_floor, platform_label, python_version};
pub use super::release_cells::{CellKey, ReleaseCells};
use super::upload_plan::IndexFile;
use super::wheel_name::DistFilename;
use pep440_rs::{Version, VersionSpecifiers};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// What `--allow-drop` may name: a Python (`cp38`, `3.8`, `pp39`, `py2`, `cp313t`), a platform
/// (`win32`, `musllinux_armv7l`, `macosx_x86_64`) or `sdist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowDrop {
    /// Every cell of this python tag; `abi` set for free-threaded (`cp313t`).
    Python {
        tag: String,
        abi: Option<String>,
    },
    /// Every cell of this platform family and architecture (`win x86`).
    Platform(String),
    Sdist,
}

impl AllowDrop {
    pub fn parse(text: &str) -> Result<AllowDrop, String> {
        let t = text.trim().to_ascii_lowercase();
        if t == "sdist" {
            return Ok(AllowDrop::Sdist);
        }
        if t.len() >= 3 && t.starts_with("py") && t[2..].bytes().all(|b| b.is_ascii_digit()) {
            return Ok(AllowDrop::Python { tag: t, abi: None });
        }
        if let Ok(spec) = super::matrix::PythonSpec::parse(&t) {
            let prefix = match spec.implementation {
                super::matrix::Implementation::CPython => "cp",
                super::matrix::Implementation::PyPy => "pp",
            };
            let tag = format!("{prefix}{}{}", spec.major, spec.minor);
            let abi = spec.free_threaded.then(|| format!("{tag}t"));
            return Ok(AllowDrop::Python { tag, abi });
        }
        let platform = super::matrix::PlatformSpec::parse(&t).map_err(|_| {
            format!(
                "{text:?} is neither a Python (cp38, 3.8, pp39, py2), a platform (win32, musllinux_armv7l) nor `sdist`"
            )
        })?;
        let (family, arch) = match platform {
            super::matrix::PlatformSpec::Family { family, arch } => (family, arch),
            super::matrix::PlatformSpec::Exact(tag) => classify_platform(&tag),
        };
        Ok(AllowDrop::Platform(platform_label(&family, &arch)))
    }

    fn excuses(&self, key: &CellKey) -> bool {
        match self {
            AllowDrop::Sdist => key.is_sdist(),
            AllowDrop::Platform(label) => !key.is_sdist() && key.platform == *label,
            AllowDrop::Python { tag, abi: None } => key.python == *tag,
            AllowDrop::Python { tag, abi: Some(abi) } => key.python == *tag && key.abi == *abi,
        }
    }
}

/// Whether `Requires-Python` excludes every release of the Python a tag names.
fn requires_python_excludes(specifiers: &VersionSpecifiers, python: &str) -> bool {
    let Some((major, minor)) = python_version(python) else { return false };
    let points: Vec<String> = match minor {
        Some(minor) => vec![format!("{major}.{minor}"), format!("{major}.{minor}.99")],
        // A bare major (py2) is excluded when its first and last minors are.
        None if major == 2 => vec!["2.0".into(), "2.7.99".into()],
        None => return false,
    };
    points.iter().filter_map(|p| Version::from_str(p).ok()).all(|v| !specifiers.contains(&v))
}

/// How one cell fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// In the previous release and covered now.
    Kept,
    /// Covered, but by a wheel that needs a newer system (or another kind of wheel).
    Changed,
    /// In the previous release, not covered now, and not excused: a problem.
    Dropped,
    /// Not covered now, excused by `--allow-drop` or `Requires-Python`.
    Excused,
    /// New in this release.
    Added,
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellVerdict {
    /// `cp312-cp312 manylinux x86_64`, `sdist`.
    pub cell: String,
    pub python: String,
    pub abi: String,
    pub platform: String,
    pub status: CellStatus,
    /// The previous release's files for this cell.
    pub previous: Vec<String>,
    /// The files that cover it now (local, or already on the index).
    pub current: Vec<String>,
    /// Why it changed or was excused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CellVerdict {
    /// The matrix row this cell is in: `cp312`, `cp313t`, `cp39-abi3`, `py3`, `sdist`.
    pub fn row(&self) -> String {
        CellKey {
            python: self.python.clone(),
            abi: self.abi.clone(),
            platform: self.platform.clone(),
        }
        .row()
    }
}

/// The outcome of comparing this release with the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub previous_version: Option<String>,
    pub cells: Vec<CellVerdict>,
    /// Files of this version the index already lists (a re-run): they cover cells too.
    pub already_on_index: Vec<String>,
    /// Files the index marks yanked, which were not counted.
    pub yanked_ignored: Vec<String>,
}

impl Comparison {
    pub fn with(&self, status: CellStatus) -> impl Iterator<Item = &CellVerdict> {
        self.cells.iter().filter(move |c| c.status == status)
    }
}

/// The inputs of a comparison that are not the index.
#[derive(Debug, Clone, Default)]
pub struct Local<'a> {
    /// The version in dist/ (as in the filenames).
    pub version: &'a str,
    /// Filenames in dist/.
    pub filenames: Vec<&'a str>,
    /// `Requires-Python` from the new METADATA, if any.
    pub requires_python: Option<&'a str>,
    pub allow_drop: &'a [AllowDrop],
}

/// Why no comparison can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("the version in dist/ ({0}) is not a PEP 440 version")]
    BadVersion(String),
}

/// The version of an index file, parsed from its filename.
fn file_version(filename: &str) -> Option<Version> {
    let version = match DistFilename::parse(filename).ok()? {
        DistFilename::Wheel(w) => w.version,
        DistFilename::Sdist(s) => s.version,
    };
    Version::from_str(&version).ok()
}

/// Picks the previous release among `files` and compares its cells with `local`'s.
pub fn compare(files: &[IndexFile], local: &Local<'_>) -> Result<Comparison, CompareError> {
    let ours = Version::from_str(local.version)
        .map_err(|_| CompareError::BadVersion(local.version.to_owned()))?;
    let pre = ours.any_prerelease();
    let mut yanked_ignored = Vec::new();
    let mut releases: BTreeMap<Version, Vec<&IndexFile>> = BTreeMap::new();
    for file in files {
        let Some(version) = file_version(&file.filename) else { continue };
        if file.yanked.is_some() {
            yanked_ignored.push(file.filename.clone());
            continue;
        }
        releases.entry(version).or_default().push(file);
    }
    let already_on_index: Vec<String> = releases
        .get(&ours)
        .map(|fs| fs.iter().map(|f| f.filename.clone()).collect())
        .unwrap_or_default();
    let previous = releases
        .iter()
        .rev()
        .find(|(v, _)| **v < ours && (pre || !v.any_prerelease()) && !v.is_local());
    let mut current = ReleaseCells::from_filenames(local.filenames.iter().copied());
    for name in &already_on_index {
        current.add(name);
    }
    let Some((previous_version, previous_files)) = previous else {
        let cells = current
            .keys()
            .map(|k| verdict(k, CellStatus::Added, &ReleaseCells::default(), &current, None))
            .collect();
        return Ok(Comparison { previous_version: None, cells, already_on_index, yanked_ignored });
    };
    let before = ReleaseCells::from_filenames(previous_files.iter().map(|f| f.filename.as_str()));
    let specifiers = local
        .requires_python
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| VersionSpecifiers::from_str(s).ok());
    let mut cells = Vec::new();
    let mut covered_now: BTreeSet<&CellKey> = BTreeSet::new();
    for key in before.keys() {
        let (status, note, covering) = judge(key, &before, &current, local, specifiers.as_ref());
        covered_now.extend(covering.iter());
        let mut v = verdict(key, status, &before, &current, note);
        if !covering.is_empty() {
            v.current = covering.iter().flat_map(|k| current.files(k)).collect();
            v.current.dedup();
        }
        cells.push(v);
    }
    for key in current.keys().filter(|k| !before.cells.contains_key(*k)) {
        if !covered_now.contains(key) {
            cells.push(verdict(key, CellStatus::Added, &before, &current, None));
        }
    }
    Ok(Comparison {
        previous_version: Some(previous_version.to_string()),
        cells,
        already_on_index,
        yanked_ignored,
    })
}

fn verdict(
    key: &CellKey,
    status: CellStatus,
    before: &ReleaseCells,
    current: &ReleaseCells,
    note: Option<String>,
) -> CellVerdict {
    CellVerdict {
        cell: key.to_string(),
        python: key.python.clone(),
        abi: key.abi.clone(),
        platform: key.platform.clone(),
        status,
        previous: before.files(key),
        current: current.files(key),
        note,
    }
}

/// Whether a previous cell is covered now: its status, a note, and the current cells covering it.
fn judge<'c>(
    key: &CellKey,
    before: &ReleaseCells,
    current: &'c ReleaseCells,
    local: &Local<'_>,
    requires_python: Option<&VersionSpecifiers>,
) -> (CellStatus, Option<String>, Vec<&'c CellKey>) {
    if let Some((now_key, _)) = current.cells.get_key_value(key) {
        let was = before.cells.get(key).map(Vec::as_slice).unwrap_or_default();
        let is = current.cells.get(key).map(Vec::as_slice).unwrap_or_default();
        let floor = |files: &[CellFile]| {
            files
                .iter()
                .filter_map(|f| lowest_floor(&f.platform_tags))
                .min()
                .map(|(v, t)| (v, t.to_owned()))
        };
        return match (floor(was), floor(is)) {
            (Some((old, old_tag)), Some((new, new_tag))) if new > old => (
                CellStatus::Changed,
                Some(format!("now {new_tag} (was {old_tag}): it needs a newer system than before")),
                vec![now_key],
            ),
            _ => (CellStatus::Kept, None, vec![now_key]),
        };
    }
    if let Some((covering, note)) = covered_otherwise(key, current) {
        return (CellStatus::Changed, Some(note), covering);
    }
    if let Some(rule) = local.allow_drop.iter().find(|a| a.excuses(key)) {
        let named = match rule {
            AllowDrop::Sdist => "sdist".to_owned(),
            AllowDrop::Platform(p) => p.clone(),
            AllowDrop::Python { abi: Some(abi), .. } => abi.clone(),
            AllowDrop::Python { tag, .. } => tag.clone(),
        };
        return (
            CellStatus::Excused,
            Some(format!("dropped on purpose (--allow-drop {named})")),
            Vec::new(),
        );
    }
    if let (Some(spec), false) = (requires_python, key.is_sdist())
        && requires_python_excludes(spec, &key.python)
    {
        let rp = local.requires_python.unwrap_or_default().trim();
        return (
            CellStatus::Excused,
            Some(format!("Requires-Python {rp} excludes {}", key.python)),
            Vec::new(),
        );
    }
    (CellStatus::Dropped, None, Vec::new())
}

/// Coverage by another kind of wheel: a pure wheel (`py3-none-any`), an abi3 wheel of the same
/// or an older Python, or a macOS universal2 wheel for arm64/x86_64 (and both of those for a
/// universal2 cell).
fn covered_otherwise<'c>(
    key: &CellKey,
    current: &'c ReleaseCells,
) -> Option<(Vec<&'c CellKey>, String)> {
    if key.is_sdist() {
        return None;
    }
    let (major, minor) = python_version(&key.python)?;
    let cpython = key.python.starts_with("cp");
    let same_platform = |k: &CellKey| k.platform == key.platform;
    for k in current.keys() {
        let Some((k_major, k_minor)) = python_version(&k.python) else { continue };
        if k_major != major {
            continue;
        }
        // py3-none-any (or py312-none-any) installs wherever the old wheel did.
        if k.abi == "none"
            && k.platform == "any"
            && k.python.starts_with("py")
            && (k_minor.is_none() || k_minor == minor)
        {
            return Some((vec![k], format!("now covered by the pure wheel {}", first(current, k))));
        }
        // cpXY-abi3 installs on every CPython from X.Y.
        if cpython
            && k.abi == "abi3"
            && same_platform(k)
            && k.python.starts_with("cp")
            && k_minor <= minor
            && !key.abi.ends_with('t')
        {
            return Some((vec![k], format!("now covered by the abi3 wheel {}", first(current, k))));
        }
    }
    if key.platform.starts_with("macosx ") {
        let with_arch = |arch: &str| {
            let platform = format!("macosx {arch}");
            current
                .keys()
                .find(|k| k.python == key.python && k.abi == key.abi && k.platform == platform)
        };
        match key.platform.as_str() {
            "macosx arm64" | "macosx x86_64" => {
                if let Some(k) = with_arch("universal2") {
                    return Some((
                        vec![k],
                        format!("now covered by the universal2 wheel {}", first(current, k)),
                    ));
                }
            }
            "macosx universal2" => {
                if let (Some(a), Some(b)) = (with_arch("arm64"), with_arch("x86_64")) {
                    return Some((
                        vec![a, b],
                        "now covered by separate arm64 and x86_64 wheels".into(),
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

fn first(cells: &ReleaseCells, key: &CellKey) -> String {
    cells.files(key).into_iter().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(filename: &str) -> IndexFile {
        IndexFile {
            filename: filename.into(),
            url: format!("http://x/{filename}"),
            hashes: BTreeMap::new(),
            yanked: None,
            upload_time: None,
        }
    }

    fn yanked(filename: &str) -> IndexFile {
        IndexFile { yanked: Some("broken".into()), ..listed(filename) }
    }

    fn release(version: &str, pythons: &[&str], platforms: &[&str], sdist: bool) -> Vec<String> {
        let mut out = Vec::new();
        for py in pythons {
            for plat in platforms {
                out.push(format!("demo-{version}-{py}-{py}-{plat}.whl"));
            }
        }
        if sdist {
            out.push(format!("demo-{version}.tar.gz"));
        }
        out
    }

    const PYS: [&str; 4] = ["cp310", "cp311", "cp312", "cp313"];
    const PLATS: [&str; 3] = [
        "manylinux2014_x86_64.manylinux_2_17_x86_64",
        "manylinux2014_aarch64.manylinux_2_17_aarch64",
        "musllinux_1_2_x86_64",
    ];

    fn index() -> Vec<IndexFile> {
        let mut files: Vec<IndexFile> = Vec::new();
        for v in ["1.0.0", "1.1.0", "1.2.0rc1"] {
            files.extend(release(v, &PYS, &PLATS, true).iter().map(|f| listed(f)));
        }
        files
    }

    fn run(
        files: &[IndexFile],
        version: &str,
        local: &[String],
        rp: Option<&str>,
        allow: &[AllowDrop],
    ) -> Comparison {
        let local = Local {
            version,
            filenames: local.iter().map(String::as_str).collect(),
            requires_python: rp,
            allow_drop: allow,
        };
        compare(files, &local).unwrap()
    }

    fn statuses(c: &Comparison, status: CellStatus) -> Vec<String> {
        c.with(status).map(|v| v.cell.clone()).collect()
    }

    #[test]
    fn a_complete_release_keeps_every_cell_of_the_highest_final_below() {
        let c = run(&index(), "1.2.0", &release("1.2.0", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.1.0"));
        assert_eq!(c.cells.len(), 13);
        assert!(c.cells.iter().all(|v| v.status == CellStatus::Kept), "{c:?}");
        assert_eq!(
            c.cells.iter().find(|v| v.cell == "sdist").unwrap().previous,
            ["demo-1.1.0.tar.gz"]
        );
    }

    #[test]
    fn a_lost_wheel_is_dropped_and_named() {
        let mut local = release("1.2.0", &PYS, &PLATS, true);
        local.retain(|f| !f.contains("cp312-cp312-manylinux2014_aarch64"));
        let c = run(&index(), "1.2.0", &local, None, &[]);
        let dropped: Vec<&CellVerdict> = c.with(CellStatus::Dropped).collect();
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].cell, "cp312-cp312 manylinux aarch64");
        assert_eq!(
            dropped[0].previous,
            ["demo-1.1.0-cp312-cp312-manylinux2014_aarch64.manylinux_2_17_aarch64.whl"]
        );
    }

    #[test]
    fn a_newer_manylinux_is_a_change_naming_both_tags() {
        let plats = ["manylinux_2_28_x86_64", "manylinux_2_28_aarch64", "musllinux_1_2_x86_64"];
        let c = run(&index(), "1.2.0", &release("1.2.0", &PYS, &plats, true), None, &[]);
        let changed: Vec<&CellVerdict> = c.with(CellStatus::Changed).collect();
        assert_eq!(changed.len(), 8, "{c:?}");
        let note = changed[0].note.as_deref().unwrap();
        assert!(
            note.contains("manylinux_2_28_aarch64") && note.contains("manylinux2014_aarch64"),
            "{note}"
        );
        assert!(statuses(&c, CellStatus::Dropped).is_empty());
        assert!(statuses(&c, CellStatus::Added).is_empty());
    }

    #[test]
    fn requires_python_or_allow_drop_excuses_a_dropped_python() {
        let local = release("1.2.0", &PYS[1..], &PLATS, true);
        let c = run(&index(), "1.2.0", &local, Some(">=3.11"), &[]);
        assert_eq!(statuses(&c, CellStatus::Excused).len(), 3);
        assert!(
            c.with(CellStatus::Excused)
                .all(|v| v.note.as_deref() == Some("Requires-Python >=3.11 excludes cp310"))
        );
        let c = run(&index(), "1.2.0", &local, Some(">=3.10"), &[]);
        assert_eq!(statuses(&c, CellStatus::Dropped).len(), 3);
        let c = run(&index(), "1.2.0", &local, None, &[]);
        assert_eq!(statuses(&c, CellStatus::Dropped).len(), 3);
        let allow = [AllowDrop::parse("3.10").unwrap()];
        let c = run(&index(), "1.2.0", &local, None, &allow);
        assert!(
            c.with(CellStatus::Excused)
                .all(|v| v.note.as_deref() == Some("dropped on purpose (--allow-drop cp310)"))
        );
        assert_eq!(statuses(&c, CellStatus::Excused).len(), 3);
        for (rp, excluded) in [
            ("!=3.10.*", true),
            ("<3.10,>=3.11", true),
            (">=3.10.1", false),
            ("~=3.11", true),
            ("<3.10.5", false),
        ] {
            let spec = VersionSpecifiers::from_str(rp).unwrap();
            assert_eq!(requires_python_excludes(&spec, "cp310"), excluded, "{rp}");
        }
        assert!(requires_python_excludes(&VersionSpecifiers::from_str(">=3").unwrap(), "py2"));
        assert!(!requires_python_excludes(&VersionSpecifiers::from_str(">=3.8").unwrap(), "py3"));
    }

    #[test]
    fn additions_are_listed() {
        let local = release("1.2.0", &["cp310", "cp311", "cp312", "cp313", "cp314"], &PLATS, true);
        let c = run(&index(), "1.2.0", &local, None, &[]);
        assert_eq!(statuses(&c, CellStatus::Added).len(), 3);
        assert!(statuses(&c, CellStatus::Added).iter().all(|c| c.starts_with("cp314-cp314")));
    }

    #[test]
    fn pre_releases_compare_with_the_last_pre_release_or_final() {
        let c = run(&index(), "1.2.0rc2", &release("1.2.0rc2", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.2.0rc1"));
        let c = run(&index(), "1.2.0", &release("1.2.0", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.1.0"));
        let c =
            run(&index(), "1.1.0.post1", &release("1.1.0.post1", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.1.0"));
        let c = run(&index(), "1.0.0", &release("1.0.0", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version, None);
        assert!(c.cells.iter().all(|v| v.status == CellStatus::Added));
    }

    #[test]
    fn yanked_files_do_not_count() {
        let mut files = index();
        // 1.1.0 entirely yanked: the previous release is 1.0.0.
        for f in files.iter_mut().filter(|f| f.filename.contains("-1.1.0")) {
            *f = yanked(&f.filename);
        }
        let c = run(&files, "1.2.0", &release("1.2.0", &PYS, &PLATS, true), None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.0.0"));
        assert_eq!(c.yanked_ignored.len(), 13);
        // One yanked wheel of 1.1.0: its cell is not required.
        let mut files = index();
        let gone =
            files.iter().position(|f| f.filename.contains("1.1.0-cp313-cp313-musllinux")).unwrap();
        files[gone] = yanked(&files[gone].filename.clone());
        let mut local = release("1.2.0", &PYS, &PLATS, true);
        local.retain(|f| !f.contains("cp313-cp313-musllinux"));
        let c = run(&files, "1.2.0", &local, None, &[]);
        assert!(statuses(&c, CellStatus::Dropped).is_empty(), "{c:?}");
    }

    #[test]
    fn this_versions_files_on_the_index_count_as_covered() {
        let mut files = index();
        let half = release("1.2.0", &PYS, &PLATS, true);
        files.extend(half[..6].iter().map(|f| listed(f)));
        let c = run(&files, "1.2.0", &half[6..], None, &[]);
        assert_eq!(c.previous_version.as_deref(), Some("1.1.0"));
        assert_eq!(c.already_on_index.len(), 6);
        assert!(c.cells.iter().all(|v| v.status == CellStatus::Kept), "{c:?}");
    }

    #[test]
    fn other_kinds_of_wheel_cover_a_cell() {
        let files: Vec<IndexFile> = [
            "demo-1.0-cp311-cp311-macosx_11_0_arm64.whl",
            "demo-1.0-cp312-cp312-win_amd64.whl",
            "demo-1.0-cp310-cp310-linux_armv7l.whl",
        ]
        .iter()
        .map(|f| listed(f))
        .collect();
        let local: Vec<String> = [
            "demo-2.0-cp311-cp311-macosx_10_9_universal2.whl",
            "demo-2.0-cp39-abi3-win_amd64.whl",
            "demo-2.0-py3-none-any.whl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = run(&files, "2.0", &local, None, &[]);
        assert_eq!(statuses(&c, CellStatus::Changed).len(), 3, "{c:?}");
        assert!(statuses(&c, CellStatus::Dropped).is_empty());
    }

    #[test]
    fn allow_drop_parses_pythons_platforms_and_sdist() {
        assert_eq!(
            AllowDrop::parse("cp38").unwrap(),
            AllowDrop::Python { tag: "cp38".into(), abi: None }
        );
        assert_eq!(AllowDrop::parse("3.8").unwrap(), AllowDrop::parse("cp38").unwrap());
        assert_eq!(
            AllowDrop::parse("cp313t").unwrap(),
            AllowDrop::Python { tag: "cp313".into(), abi: Some("cp313t".into()) }
        );
        assert_eq!(
            AllowDrop::parse("py2").unwrap(),
            AllowDrop::Python { tag: "py2".into(), abi: None }
        );
        assert_eq!(AllowDrop::parse("win32").unwrap(), AllowDrop::Platform("win x86".into()));
        assert_eq!(
            AllowDrop::parse("musllinux_armv7l").unwrap(),
            AllowDrop::Platform("musllinux armv7l".into())
        );
        assert_eq!(AllowDrop::parse("SDIST").unwrap(), AllowDrop::Sdist);
        assert!(AllowDrop::parse("not a thing").is_err());
    }
}
