//! The expected build matrix: Python versions × platforms, and which wheels cover which cell.
//!
//! A Python is `3.12`, `cp312`, `3.13t`/`cp313t` (free-threaded) or `pp310`. A platform is a
//! family and an architecture (`manylinux_x86_64`, `musllinux_aarch64`, `macosx_arm64`,
//! `win_amd64`, `any`) that matches every compatible tag in a compressed set, or an exact tag
//! (`manylinux_2_28_x86_64`). A wheel covers a cell when one of its expanded tags fits both:
//! `cp312-cp312` fits 3.12, `cp39-abi3` fits 3.9 and later, `py3-none` fits every 3.x.

use crate::model::wheel_name::Tag;
use serde::Serialize;
use std::fmt;

/// Python implementation in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Implementation {
    CPython,
    PyPy,
}

/// One expected Python.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonSpec {
    pub implementation: Implementation,
    pub major: u32,
    pub minor: u32,
    pub free_threaded: bool,
    /// `py3`: every 3.x, on any implementation; only a pure `py3` wheel covers it (`minor` is
    /// 0 and unused).
    pub every_minor: bool,
}

impl PythonSpec {
    /// Parses `3.12`, `cp312`, `3.13t`, `cp313t`, `pp310`, and `py3` (every 3.x).
    pub fn parse(text: &str) -> Result<PythonSpec, String> {
        let t = text.trim().to_ascii_lowercase();
        let bad =
            || format!("{text:?} is not a Python version (use 3.12, cp312, 3.13t, pp310 or py3)");
        if let Some(major) = t.strip_prefix("py")
            && major.len() == 1
            && let Ok(major @ 1..) = major.parse::<u32>()
        {
            return Ok(PythonSpec {
                implementation: Implementation::CPython,
                major,
                minor: 0,
                free_threaded: false,
                every_minor: true,
            });
        }
        let (implementation, rest) = if let Some(r) = t.strip_prefix("cp") {
            (Implementation::CPython, r)
        } else if let Some(r) = t.strip_prefix("pp") {
            (Implementation::PyPy, r)
        } else {
            (Implementation::CPython, t.as_str())
        };
        let (rest, free_threaded) = match rest.strip_suffix('t') {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (major, minor) = match rest.split_once('.') {
            Some((a, b)) => (a, b),
            None if rest.len() >= 2 && rest.bytes().all(|b| b.is_ascii_digit()) && t != rest => {
                rest.split_at(1)
            }
            None => return Err(bad()),
        };
        let major: u32 = major.parse().map_err(|_| bad())?;
        let minor: u32 = minor.parse().map_err(|_| bad())?;
        if major == 0 || (free_threaded && implementation == Implementation::PyPy) {
            return Err(bad());
        }
        Ok(PythonSpec { implementation, major, minor, free_threaded, every_minor: false })
    }

    /// Whether the python and abi parts of a wheel tag install on this Python.
    pub fn accepts(&self, python: &str, abi: &str) -> bool {
        if self.every_minor {
            // Every 3.x: only a wheel tagged for the whole major version installs on all.
            return python.strip_prefix("py").and_then(split_version) == Some((self.major, None));
        }
        if let Some(v) = python.strip_prefix("py") {
            // Pure-Python tags: py3 is every 3.x, py312 is 3.12 only.
            return match split_version(v) {
                Some((major, None)) => major == self.major,
                Some((major, Some(minor))) => major == self.major && minor == self.minor,
                None => false,
            };
        }
        let (implementation, v) = if let Some(v) = python.strip_prefix("cp") {
            (Implementation::CPython, v)
        } else if let Some(v) = python.strip_prefix("pp") {
            (Implementation::PyPy, v)
        } else {
            return false;
        };
        if implementation != self.implementation {
            return false;
        }
        let Some((major, Some(minor))) = split_version(v) else { return false };
        if major != self.major {
            return false;
        }
        if abi == "abi3" {
            // The stable ABI: built for 3.N, loads on 3.N and later (not free-threaded builds).
            return implementation == Implementation::CPython
                && !self.free_threaded
                && self.minor >= minor;
        }
        let abi_free_threaded = abi.starts_with("cp") && abi.ends_with('t');
        minor == self.minor && (abi == "none" || abi_free_threaded == self.free_threaded)
    }
}

impl fmt::Display for PythonSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.every_minor {
            return write!(f, "py{}", self.major);
        }
        let prefix = match self.implementation {
            Implementation::CPython => "cp",
            Implementation::PyPy => "pp",
        };
        write!(
            f,
            "{prefix}{}{}{}",
            self.major,
            self.minor,
            if self.free_threaded { "t" } else { "" }
        )
    }
}

/// `3` → (3, None); `312` → (3, Some(12)).
fn split_version(v: &str) -> Option<(u32, Option<u32>)> {
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (major, minor) = v.split_at(1);
    Some((major.parse().ok()?, if minor.is_empty() { None } else { Some(minor.parse().ok()?) }))
}

/// A platform family; the part of a platform tag before versions and architecture.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Manylinux,
    Musllinux,
    Macosx,
    Windows,
    Linux,
    Ios,
    Android,
    Any,
    Other(String),
}

impl Family {
    /// The family as platform tags spell it: `manylinux`, `win`, `any`…
    pub(crate) fn name(&self) -> &str {
        match self {
            Family::Manylinux => "manylinux",
            Family::Musllinux => "musllinux",
            Family::Macosx => "macosx",
            Family::Windows => "win",
            Family::Linux => "linux",
            Family::Ios => "ios",
            Family::Android => "android",
            Family::Any => "any",
            Family::Other(s) => s,
        }
    }
}

/// The family and architecture a platform tag names: `manylinux2014_x86_64` and
/// `manylinux_2_28_x86_64` are both (manylinux, x86_64); `win32` is (win, x86).
pub fn classify_platform(tag: &str) -> (Family, String) {
    let after_numbers = |rest: &str, count: usize| -> Option<String> {
        let mut parts = rest.splitn(count + 1, '_');
        for _ in 0..count {
            if !parts.next()?.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
        }
        parts.next().map(str::to_owned)
    };
    let found = if tag == "any" {
        Some((Family::Any, String::new()))
    } else if tag == "win32" {
        Some((Family::Windows, "x86".to_owned()))
    } else if let Some(arch) = tag.strip_prefix("win_") {
        Some((Family::Windows, arch.to_owned()))
    } else if let Some(rest) = tag.strip_prefix("manylinux_") {
        after_numbers(rest, 2).map(|a| (Family::Manylinux, a))
    } else if let Some(rest) =
        ["manylinux1_", "manylinux2010_", "manylinux2014_"].iter().find_map(|p| tag.strip_prefix(p))
    {
        Some((Family::Manylinux, rest.to_owned()))
    } else if let Some(rest) = tag.strip_prefix("musllinux_") {
        after_numbers(rest, 2).map(|a| (Family::Musllinux, a))
    } else if let Some(rest) = tag.strip_prefix("macosx_") {
        after_numbers(rest, 2).map(|a| (Family::Macosx, a))
    } else if let Some(rest) = tag.strip_prefix("ios_") {
        after_numbers(rest, 2).map(|a| (Family::Ios, a))
    } else if let Some(rest) = tag.strip_prefix("android_") {
        after_numbers(rest, 1).map(|a| (Family::Android, a))
    } else {
        tag.strip_prefix("linux_").map(|arch| (Family::Linux, arch.to_owned()))
    };
    found.unwrap_or_else(|| match tag.split_once('_') {
        Some((family, arch)) => (Family::Other(family.to_owned()), arch.to_owned()),
        None => (Family::Other(tag.to_owned()), String::new()),
    })
}

/// One expected platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlatformSpec {
    /// Any compatible tag of this family and architecture.
    Family { family: Family, arch: String },
    /// Exactly this platform tag.
    Exact(String),
}

impl PlatformSpec {
    /// Parses `manylinux_x86_64`, `macosx_arm64`, `win_amd64`, `any`, or an exact tag such as
    /// `manylinux_2_28_x86_64`.
    pub fn parse(text: &str) -> Result<PlatformSpec, String> {
        let t = text.trim().to_ascii_lowercase();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "{text:?} is not a platform (use manylinux_x86_64, macosx_arm64, win_amd64, any...)"
            ));
        }
        let family_only = [
            ("manylinux_", Family::Manylinux),
            ("musllinux_", Family::Musllinux),
            ("macosx_", Family::Macosx),
            ("ios_", Family::Ios),
            ("android_", Family::Android),
        ];
        for (prefix, family) in family_only {
            if let Some(arch) = t.strip_prefix(prefix)
                && !arch.starts_with(|c: char| c.is_ascii_digit())
            {
                return Ok(PlatformSpec::Family { family, arch: arch.to_owned() });
            }
        }
        let (family, arch) = classify_platform(&t);
        Ok(match family {
            Family::Any | Family::Windows | Family::Linux => PlatformSpec::Family { family, arch },
            _ => PlatformSpec::Exact(t),
        })
    }

    /// Whether a wheel's platform tag installs on this platform.
    pub fn accepts(&self, platform_tag: &str) -> bool {
        match self {
            PlatformSpec::Exact(tag) => tag == platform_tag,
            PlatformSpec::Family { family, arch } => {
                let (f, a) = classify_platform(platform_tag);
                f == *family && arch_fits(family, arch, &a)
            }
        }
    }
}

fn arch_fits(family: &Family, wanted: &str, tag_arch: &str) -> bool {
    if wanted == tag_arch {
        return true;
    }
    match family {
        Family::Macosx => match tag_arch {
            "universal2" => matches!(wanted, "arm64" | "x86_64"),
            "intel" => matches!(wanted, "x86_64" | "i386"),
            _ => false,
        },
        Family::Windows => matches!((wanted, tag_arch), ("x86_64", "amd64") | ("amd64", "x86_64")),
        _ => false,
    }
}

impl fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformSpec::Exact(tag) => f.write_str(tag),
            PlatformSpec::Family { family: Family::Any, .. } => f.write_str("any"),
            PlatformSpec::Family { family, arch } => write!(f, "{} {arch}", family.name()),
        }
    }
}

/// A wheel as the matrix sees it.
#[derive(Debug, Clone)]
pub struct MatrixWheel {
    pub filename: String,
    pub tags: Vec<Tag>,
}

/// One cell and the wheels that cover it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cell {
    pub python: String,
    pub platform: String,
    pub files: Vec<String>,
}

/// The filled matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Matrix {
    /// Row labels (`cp312`).
    pub pythons: Vec<String>,
    /// Column labels (`manylinux x86_64`).
    pub platforms: Vec<String>,
    /// Every cell, row by row.
    pub cells: Vec<Cell>,
    /// Wheels that fit no cell.
    pub outside: Vec<String>,
}

impl Matrix {
    pub fn missing(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.files.is_empty())
    }
    pub fn duplicates(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.files.len() > 1)
    }
    pub fn cell(&self, python: &str, platform: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.python == python && c.platform == platform)
    }
}

/// Fills `pythons × platforms` with the wheels that cover each cell.
pub fn fill(pythons: &[PythonSpec], platforms: &[PlatformSpec], wheels: &[MatrixWheel]) -> Matrix {
    let mut cells = Vec::new();
    let mut used = vec![false; wheels.len()];
    for py in pythons {
        for plat in platforms {
            let mut files = Vec::new();
            for (i, w) in wheels.iter().enumerate() {
                if w.tags.iter().any(|t| py.accepts(&t.python, &t.abi) && plat.accepts(&t.platform))
                {
                    files.push(w.filename.clone());
                    used[i] = true;
                }
            }
            cells.push(Cell { python: py.to_string(), platform: plat.to_string(), files });
        }
    }
    Matrix {
        pythons: pythons.iter().map(ToString::to_string).collect(),
        platforms: platforms.iter().map(ToString::to_string).collect(),
        cells,
        outside: wheels
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(w, _)| w.filename.clone())
            .collect(),
    }
}

/// The row a wheel tag belongs to in an observed matrix: `cp312`, `cp313t`, `cp39-abi3`, `py3`.
fn observed_row(tag: &Tag) -> String {
    if tag.abi == "abi3" {
        format!("{}-abi3", tag.python)
    } else if tag.abi.starts_with("cp") && tag.abi.ends_with('t') {
        tag.abi.clone()
    } else {
        tag.python.clone()
    }
}

/// Sorts `cp39` before `cp310`: by prefix, then the version number, then the rest.
pub(crate) fn row_key(row: &str) -> (String, u32, u32, String) {
    let prefix: String = row.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits: String = row[prefix.len()..].chars().take_while(char::is_ascii_digit).collect();
    let rest = row[prefix.len() + digits.len()..].to_owned();
    let (major, minor) = split_version(&digits).map_or((0, 0), |(a, b)| (a, b.unwrap_or(0)));
    (prefix, major, minor, rest)
}

/// The matrix the wheels show, when no expectation was given: a row per Python tag (abi3 and
/// free-threaded builds on their own rows), a column per platform family and architecture.
pub fn observe(wheels: &[MatrixWheel]) -> Matrix {
    let mut rows: Vec<String> = wheels.iter().flat_map(|w| &w.tags).map(observed_row).collect();
    rows.sort_by_key(|r| row_key(r));
    rows.dedup();
    let columns = observed_platforms(wheels);
    let mut cells = Vec::new();
    for row in &rows {
        for col in &columns {
            let files = wheels
                .iter()
                .filter(|w| {
                    w.tags.iter().any(|t| observed_row(t) == *row && col.accepts(&t.platform))
                })
                .map(|w| w.filename.clone())
                .collect();
            cells.push(Cell { python: row.clone(), platform: col.to_string(), files });
        }
    }
    Matrix {
        pythons: rows,
        platforms: columns.iter().map(ToString::to_string).collect(),
        cells,
        outside: Vec::new(),
    }
}

/// The Pythons the wheels name (`cpXY`, free-threaded `cpXYt`, `ppXY`), to complete an
/// expectation given only for platforms.
pub fn observed_pythons(wheels: &[MatrixWheel]) -> Vec<PythonSpec> {
    let mut out: Vec<PythonSpec> = wheels
        .iter()
        .flat_map(|w| &w.tags)
        .filter_map(|t| {
            let spec = PythonSpec::parse(&t.python).ok().filter(|s| !s.every_minor)?;
            let free_threaded = t.abi.starts_with("cp") && t.abi.ends_with('t');
            Some(PythonSpec { free_threaded, ..spec })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The platform families and architectures the wheels were built for, to complete an
/// expectation given only for Pythons.
pub fn observed_platforms(wheels: &[MatrixWheel]) -> Vec<PlatformSpec> {
    let mut out: Vec<PlatformSpec> = wheels
        .iter()
        .flat_map(|w| &w.tags)
        .map(|t| {
            let (family, arch) = classify_platform(&t.platform);
            PlatformSpec::Family { family, arch }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wheel_name::WheelName;

    fn wheel(name: &str) -> MatrixWheel {
        MatrixWheel { filename: name.into(), tags: WheelName::parse(name).unwrap().tags() }
    }

    #[test]
    fn parses_pythons() {
        let py3 = PythonSpec::parse("py3").unwrap();
        assert_eq!(py3.to_string(), "py3");
        assert!(py3.accepts("py3", "none"));
        for (python, abi) in
            [("cp312", "cp312"), ("cp38", "abi3"), ("py312", "none"), ("py2", "none")]
        {
            assert!(!py3.accepts(python, abi), "{python}-{abi} does not install on every 3.x");
        }
        assert!(PythonSpec::parse("py").is_err() && PythonSpec::parse("py0").is_err());
        let p = PythonSpec::parse("3.12").unwrap();
        assert_eq!(p, PythonSpec::parse("cp312").unwrap());
        assert_eq!(p.to_string(), "cp312");
        assert_eq!(PythonSpec::parse("3.13t").unwrap().to_string(), "cp313t");
        assert_eq!(PythonSpec::parse("cp313t").unwrap(), PythonSpec::parse("3.13t").unwrap());
        assert_eq!(PythonSpec::parse("pp310").unwrap().to_string(), "pp310");
        for bad in ["", "3", "312", "cpx", "3.x", "pp310t", "cp\u{e9}1", "cp3\u{e9}"] {
            assert!(PythonSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn python_tags_and_abi3() {
        let p312 = PythonSpec::parse("3.12").unwrap();
        assert!(p312.accepts("cp312", "cp312"));
        assert!(!p312.accepts("cp311", "cp311"));
        assert!(p312.accepts("cp39", "abi3"));
        assert!(!p312.accepts("cp313", "abi3"));
        assert!(p312.accepts("py3", "none"));
        assert!(!p312.accepts("cp312", "cp312t"));
        assert!(PythonSpec::parse("3.13t").unwrap().accepts("cp313", "cp313t"));
        assert!(!PythonSpec::parse("3.13t").unwrap().accepts("cp39", "abi3"));
        assert!(!p312.accepts("pp312", "pypy312_pp73"));
    }

    #[test]
    fn platform_families_match_compressed_sets() {
        let x86 = PlatformSpec::parse("manylinux_x86_64").unwrap();
        assert_eq!(x86.to_string(), "manylinux x86_64");
        assert!(x86.accepts("manylinux2014_x86_64"));
        assert!(x86.accepts("manylinux_2_28_x86_64"));
        assert!(!x86.accepts("manylinux_2_28_aarch64"));
        assert!(!x86.accepts("musllinux_1_2_x86_64"));
        assert!(!x86.accepts("linux_x86_64"));
        let mac = PlatformSpec::parse("macosx_arm64").unwrap();
        assert!(mac.accepts("macosx_11_0_arm64") && mac.accepts("macosx_10_9_universal2"));
        assert!(!mac.accepts("macosx_10_9_x86_64"));
        let win = PlatformSpec::parse("win_amd64").unwrap();
        assert!(win.accepts("win_amd64") && !win.accepts("win32"));
        assert!(PlatformSpec::parse("win32").unwrap().accepts("win32"));
        assert!(PlatformSpec::parse("any").unwrap().accepts("any"));
        let exact = PlatformSpec::parse("manylinux_2_28_x86_64").unwrap();
        assert_eq!(exact, PlatformSpec::Exact("manylinux_2_28_x86_64".into()));
        assert!(!exact.accepts("manylinux2014_x86_64"));
        assert!(PlatformSpec::parse("bad platform").is_err());
        assert_eq!(
            classify_platform("android_21_arm64_v8a"),
            (Family::Android, "arm64_v8a".into())
        );
    }

    #[test]
    fn fills_cells_and_finds_missing_and_duplicates() {
        let wheels = vec![
            wheel("m-1.0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"),
            wheel("m-1.0-cp312-cp312-manylinux_2_28_x86_64.whl"),
            wheel("m-1.0-cp39-abi3-manylinux_2_17_aarch64.whl"),
            wheel("m-1.0-cp312-cp312-win_amd64.whl"),
        ];
        let pythons = [PythonSpec::parse("3.12").unwrap(), PythonSpec::parse("3.13").unwrap()];
        let platforms = [
            PlatformSpec::parse("manylinux_x86_64").unwrap(),
            PlatformSpec::parse("manylinux_aarch64").unwrap(),
        ];
        let m = fill(&pythons, &platforms, &wheels);
        let missing: Vec<String> =
            m.missing().map(|c| format!("{} × {}", c.python, c.platform)).collect();
        assert_eq!(missing, ["cp313 × manylinux x86_64"]);
        let dup: Vec<&Cell> = m.duplicates().collect();
        assert_eq!(dup.len(), 1);
        assert_eq!(dup[0].files.len(), 2);
        assert_eq!(m.cell("cp313", "manylinux aarch64").unwrap().files.len(), 1);
        assert_eq!(m.outside, ["m-1.0-cp312-cp312-win_amd64.whl"]);
        assert_eq!(observed_pythons(&wheels).len(), 2);
        assert_eq!(observed_platforms(&wheels).len(), 3);
        let seen = observe(&wheels);
        assert_eq!(seen.pythons, ["cp39-abi3", "cp312"]);
        assert_eq!(seen.platforms, ["manylinux aarch64", "manylinux x86_64", "win amd64"]);
        assert_eq!(seen.cell("cp312", "manylinux x86_64").unwrap().files.len(), 2);
        let pure = observe(&[wheel("p-1.0-py3-none-any.whl")]);
        assert_eq!((pure.pythons.as_slice(), pure.cells.len()), (&["py3".to_owned()][..], 1));
    }
}
