//! A release as a set of cells: every (python tag, abi tag, platform family and architecture)
//! its wheels cover, and `sdist`, with the platform tags behind each cell and the oldest system
//! they install on (glibc, musl, macOS, Android API level). Pure.

use super::matrix::{Family, classify_platform};
use super::wheel_name::{DistFilename, WheelName};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One cell of a release: a wheel's (python, abi, platform family + arch), or the sdist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CellKey {
    /// `cp312`, `py3`; empty for the sdist.
    pub python: String,
    /// `cp312`, `abi3`, `none`; empty for the sdist.
    pub abi: String,
    /// `manylinux x86_64`, `win amd64`, `any`, or `sdist`.
    pub platform: String,
}

impl CellKey {
    pub(crate) fn sdist() -> Self {
        CellKey { python: String::new(), abi: String::new(), platform: "sdist".into() }
    }
    pub fn is_sdist(&self) -> bool {
        self.python.is_empty() && self.platform == "sdist"
    }
    /// The row label of the matrix table: `cp312`, `cp313t`, `cp39-abi3`, `py3`, `sdist`.
    pub fn row(&self) -> String {
        if self.is_sdist() {
            "sdist".into()
        } else if self.abi == "abi3" {
            format!("{}-abi3", self.python)
        } else if self.abi.starts_with("cp") && self.abi.ends_with('t') {
            self.abi.clone()
        } else {
            self.python.clone()
        }
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_sdist() {
            f.write_str("sdist")
        } else {
            write!(f, "{}-{} {}", self.python, self.abi, self.platform)
        }
    }
}

/// The platform tags one file gives one cell (`manylinux2014_x86_64`, `manylinux_2_17_x86_64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellFile {
    pub(crate) filename: String,
    pub(crate) platform_tags: Vec<String>,
}

/// A release's cells and the files behind each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseCells {
    pub(crate) cells: BTreeMap<CellKey, Vec<CellFile>>,
}

impl ReleaseCells {
    /// Cells of these filenames (wheels and sdists; anything else is ignored).
    pub fn from_filenames<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut out = ReleaseCells::default();
        for name in names {
            out.add(name);
        }
        out
    }

    pub fn add(&mut self, filename: &str) {
        match DistFilename::parse(filename) {
            Ok(DistFilename::Wheel(w)) => self.add_wheel(filename, &w),
            Ok(DistFilename::Sdist(_)) => self.push(CellKey::sdist(), filename, Vec::new()),
            Err(_) => {}
        }
    }

    fn add_wheel(&mut self, filename: &str, wheel: &WheelName) {
        let mut by_cell: BTreeMap<CellKey, Vec<String>> = BTreeMap::new();
        for tag in wheel.tags() {
            let (family, arch) = classify_platform(&tag.platform);
            let platform = platform_label(&family, &arch);
            let key = CellKey { python: tag.python, abi: tag.abi, platform };
            by_cell.entry(key).or_default().push(tag.platform);
        }
        for (key, mut tags) in by_cell {
            tags.sort();
            tags.dedup();
            self.push(key, filename, tags);
        }
    }

    fn push(&mut self, key: CellKey, filename: &str, platform_tags: Vec<String>) {
        let files = self.cells.entry(key).or_default();
        if !files.iter().any(|f| f.filename == filename) {
            files.push(CellFile { filename: filename.to_owned(), platform_tags });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &CellKey> {
        self.cells.keys()
    }

    pub(crate) fn files(&self, key: &CellKey) -> Vec<String> {
        self.cells
            .get(key)
            .map(|f| f.iter().map(|f| f.filename.clone()).collect())
            .unwrap_or_default()
    }
}

pub(crate) fn platform_label(family: &Family, arch: &str) -> String {
    match family {
        Family::Any => "any".into(),
        other => format!("{} {arch}", other.name()),
    }
}

/// The oldest system a platform tag installs on, for families that version it: manylinux and
/// musllinux by libc (`manylinux2014` is glibc 2.17), macOS and iOS by OS version, Android by
/// API level. `None` for unversioned tags (`win_amd64`, `any`).
fn system_floor(tag: &str) -> Option<(u32, u32)> {
    let numbers = |rest: &str, count: usize| -> Option<(u32, u32)> {
        let mut parts = rest.split('_');
        let a = parts.next()?.parse().ok()?;
        let b = if count == 2 { parts.next()?.parse().ok()? } else { 0 };
        Some((a, b))
    };
    for (legacy, glibc) in
        [("manylinux1_", (2, 5)), ("manylinux2010_", (2, 12)), ("manylinux2014_", (2, 17))]
    {
        if tag.starts_with(legacy) {
            return Some(glibc);
        }
    }
    for prefix in ["manylinux_", "musllinux_", "macosx_", "ios_"] {
        if let Some(rest) = tag.strip_prefix(prefix) {
            return numbers(rest, 2);
        }
    }
    tag.strip_prefix("android_").and_then(|rest| numbers(rest, 1))
}

/// The oldest system any of these tags installs on.
pub(crate) fn lowest_floor(tags: &[String]) -> Option<((u32, u32), &str)> {
    tags.iter().filter_map(|t| system_floor(t).map(|f| (f, t.as_str()))).min()
}

/// `cp310` → (3, Some(10)); `py3` → (3, None); `pp310` → (3, Some(10)).
pub(crate) fn python_version(tag: &str) -> Option<(u32, Option<u32>)> {
    let digits = ["cp", "pp", "py", "ip", "jy"].iter().find_map(|p| tag.strip_prefix(p))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let major = digits[..1].parse().ok()?;
    let minor = if digits.len() > 1 { Some(digits[1..].parse().ok()?) } else { None };
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_tag_sets_are_one_cell_with_their_oldest_system() {
        let cells = ReleaseCells::from_filenames([
            "m-1.0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
            "m-1.0-py2.py3-none-any.whl",
            "m-1.0.tar.gz",
            "not-a-dist.txt",
        ]);
        let keys: Vec<String> = cells.keys().map(ToString::to_string).collect();
        assert_eq!(keys, ["sdist", "cp312-cp312 manylinux x86_64", "py2-none any", "py3-none any"]);
        let key = cells.keys().nth(1).unwrap();
        let tags = &cells.cells[key][0].platform_tags;
        assert_eq!(lowest_floor(tags).map(|(v, _)| v), Some((2, 17)));
        assert_eq!(system_floor("manylinux1_x86_64"), Some((2, 5)));
        assert_eq!(system_floor("musllinux_1_2_aarch64"), Some((1, 2)));
        assert_eq!(system_floor("macosx_11_0_arm64"), Some((11, 0)));
        assert_eq!(system_floor("android_21_arm64_v8a"), Some((21, 0)));
        assert_eq!(system_floor("win_amd64"), None);
        assert_eq!(python_version("cp313"), Some((3, Some(13))));
        assert_eq!(python_version("py3"), Some((3, None)));
        assert_eq!(python_version("cpython"), None);
    }
}
