//! PyPI preflight: the rejects Warehouse applies at upload time (`forklift/legacy.py`), checked
//! before anything is uploaded so a release is never half published.
//!
//! Platform tags on the allowlist, normalized filename components, no local versions, the
//! per-file size limit, one sdist per release.

use crate::model::problem::{Problem, ProblemCode};
use crate::model::wheel_name::{
    SdistName, WheelName, canonical_version, filename_component, has_local_segment,
};

/// PyPI's default per-file limit (projects can be granted more).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

const MANYLINUX_ARCHES: &[&str] =
    &["x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x", "riscv64"];
const MACOSX_ARCHES: &[&str] = &[
    "ppc",
    "ppc64",
    "i386",
    "x86_64",
    "arm64",
    "intel",
    "fat",
    "fat3",
    "fat64",
    "universal",
    "universal2",
];
const IOS_ARCHES: &[&str] = &["arm64", "x86_64"];
const ANDROID_ARCHES: &[&str] = &["armeabi_v7a", "arm64_v8a", "x86", "x86_64"];
const FIXED: &[&str] = &[
    "any",
    "win32",
    "win_amd64",
    "win_arm64",
    "win_ia64",
    "manylinux1_x86_64",
    "manylinux1_i686",
    "manylinux2010_x86_64",
    "manylinux2010_i686",
    "manylinux2014_x86_64",
    "manylinux2014_i686",
    "manylinux2014_aarch64",
    "manylinux2014_armv7l",
    "manylinux2014_ppc64",
    "manylinux2014_ppc64le",
    "manylinux2014_s390x",
    "linux_armv6l",
    "linux_armv7l",
];

/// `N_M_rest` → `rest` when N and M are numbers.
fn after_two_numbers(s: &str) -> Option<&str> {
    let mut parts = s.splitn(3, '_');
    let (a, b, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let numeric = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
    (numeric(a) && numeric(b)).then_some(rest)
}

/// Whether PyPI accepts a wheel platform tag.
pub fn platform_tag_allowed(tag: &str) -> bool {
    if FIXED.contains(&tag) {
        return true;
    }
    if let Some(rest) = tag.strip_prefix("manylinux_").or_else(|| tag.strip_prefix("musllinux_")) {
        return after_two_numbers(rest).is_some_and(|arch| MANYLINUX_ARCHES.contains(&arch));
    }
    if let Some(rest) = tag.strip_prefix("macosx_") {
        let major_ok =
            rest.split('_').next().and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m >= 10);
        return major_ok
            && after_two_numbers(rest).is_some_and(|arch| MACOSX_ARCHES.contains(&arch));
    }
    if let Some(rest) = tag.strip_prefix("ios_") {
        return after_two_numbers(rest).is_some_and(|r| {
            r.rsplit_once('_').is_some_and(|(arch, sdk)| {
                IOS_ARCHES.contains(&arch) && matches!(sdk, "iphoneos" | "iphonesimulator")
            })
        });
    }
    if let Some(rest) = tag.strip_prefix("android_") {
        return rest.split_once('_').is_some_and(|(api, arch)| {
            !api.is_empty()
                && api.chars().all(|c| c.is_ascii_digit())
                && ANDROID_ARCHES.contains(&arch)
        });
    }
    if let Some(rest) = tag.strip_prefix("pyemscripten_") {
        return after_two_numbers(rest) == Some("wasm32");
    }
    false
}

/// Limits that can differ per project.
#[derive(Debug, Clone, Copy)]
pub struct PypiLimits {
    pub max_file_size: u64,
}

impl Default for PypiLimits {
    fn default() -> Self {
        Self { max_file_size: DEFAULT_MAX_FILE_SIZE }
    }
}

fn common(version: &str, size: u64, limits: PypiLimits, problems: &mut Vec<Problem>) {
    if has_local_segment(version) {
        problems.push(Problem::new(
            ProblemCode::PypiLocalVersion,
            format!("version {version} has a local segment (+…), which PyPI refuses"),
        ));
    }
    if size > limits.max_file_size {
        problems.push(Problem::new(
            ProblemCode::PypiFileSize,
            format!(
                "is {size} bytes, over PyPI's {} byte limit per file (ask PyPI for a larger limit, then pass --max-size)",
                limits.max_file_size
            ),
        ));
    }
}

/// Problems PyPI would raise for this wheel.
pub fn check_wheel(wheel: &WheelName, size: u64, limits: PypiLimits) -> Vec<Problem> {
    let mut problems = Vec::new();
    let refused: Vec<&str> = wheel
        .platform_tags
        .iter()
        .map(String::as_str)
        .filter(|t| !platform_tag_allowed(t))
        .collect();
    if !refused.is_empty() {
        problems.push(Problem::new(
            ProblemCode::PypiPlatformTag,
            format!(
                "platform tag {} is not on PyPI's allowlist (repair Linux wheels with auditwheel to get a manylinux/musllinux tag)",
                refused.join(", ")
            ),
        ));
    }
    let want_name = filename_component(&wheel.distribution);
    let want_version = canonical_version(&wheel.version).unwrap_or_else(|| wheel.version.clone());
    if wheel.distribution != want_name || wheel.version != want_version {
        problems.push(Problem::new(
            ProblemCode::PypiFilename,
            format!(
                "filename is not normalized: it should start {want_name}-{want_version}- (not {}-{}-)",
                wheel.distribution, wheel.version
            ),
        ));
    }
    common(&wheel.version, size, limits, &mut problems);
    problems
}

/// Problems PyPI would raise for this sdist (PEP 625 names).
pub fn check_sdist(sdist: &SdistName, size: u64, limits: PypiLimits) -> Vec<Problem> {
    let mut problems = Vec::new();
    let want_name = filename_component(&sdist.distribution);
    let want_version = canonical_version(&sdist.version).unwrap_or_else(|| sdist.version.clone());
    if sdist.distribution != want_name
        || sdist.version != want_version
        || sdist.extension != ".tar.gz"
    {
        problems.push(Problem::new(
            ProblemCode::PypiFilename,
            format!("filename is not normalized (PEP 625): it should be {want_name}-{want_version}.tar.gz"),
        ));
    }
    common(&sdist.version, size, limits, &mut problems);
    problems
}

/// PyPI takes one sdist per release.
pub fn check_sdist_count(count: usize) -> Option<Problem> {
    (count > 1).then(|| {
        Problem::new(
            ProblemCode::PypiSdistCount,
            format!("{count} sdists: PyPI accepts only one sdist per release and rejects the rest mid-upload"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_allowlist() {
        for ok in [
            "any",
            "win_amd64",
            "manylinux2014_x86_64",
            "manylinux_2_28_aarch64",
            "musllinux_1_2_x86_64",
            "macosx_11_0_arm64",
            "macosx_10_9_universal2",
            "linux_armv7l",
            "ios_13_0_arm64_iphoneos",
            "android_21_arm64_v8a",
            "pyemscripten_2024_0_wasm32",
        ] {
            assert!(platform_tag_allowed(ok), "{ok}");
        }
        for bad in [
            "linux_x86_64",
            "pyodide_2024_0_wasm32",
            "manylinux_2_28_sparc",
            "macosx_9_0_x86_64",
            "manylinux_x_y_x86_64",
            "win",
        ] {
            assert!(!platform_tag_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn wheel_rules() {
        let limits = PypiLimits::default();
        let good =
            WheelName::parse("markupsafe-3.0.3-cp312-cp312-manylinux_2_17_x86_64.whl").unwrap();
        assert!(check_wheel(&good, 1000, limits).is_empty());
        let codes = |w: &str, size| -> Vec<ProblemCode> {
            check_wheel(&WheelName::parse(w).unwrap(), size, limits)
                .iter()
                .map(|p| p.code)
                .collect()
        };
        assert_eq!(
            codes("MarkupSafe-3.0.3-cp312-cp312-manylinux_2_17_x86_64.whl", 1),
            [ProblemCode::PypiFilename]
        );
        assert_eq!(codes("m-3.0.03-py3-none-any.whl", 1), [ProblemCode::PypiFilename]);
        assert_eq!(
            codes("m-3.0.3-cp312-cp312-linux_x86_64.whl", 1),
            [ProblemCode::PypiPlatformTag]
        );
        assert_eq!(codes("m-3.0.3+local-py3-none-any.whl", 1), [ProblemCode::PypiLocalVersion]);
        assert_eq!(
            codes("m-3.0.3-py3-none-any.whl", DEFAULT_MAX_FILE_SIZE + 1),
            [ProblemCode::PypiFileSize]
        );
    }

    #[test]
    fn sdist_rules() {
        let limits = PypiLimits::default();
        assert!(
            check_sdist(&SdistName::parse("markupsafe-3.0.3.tar.gz").unwrap(), 1, limits)
                .is_empty()
        );
        assert_eq!(
            check_sdist(&SdistName::parse("MarkupSafe-3.0.3.tar.gz").unwrap(), 1, limits).len(),
            1
        );
        assert!(check_sdist_count(1).is_none());
        assert_eq!(check_sdist_count(2).unwrap().code, ProblemCode::PypiSdistCount);
    }
}
