//! Flags of `surestep verify-wheels`.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Every wheel is read once, streaming: its sha256, every member inflated with its CRC-32, size \
and RECORD hash checked, METADATA and WHEEL compared with the filename; files are checked in \
parallel. Every problem is listed, not just the first.

With --against INDEX the previous release on the index (the highest final version below this \
one; pre-releases too when this is one; yanked files ignored) must be covered cell by cell: \
python tag × abi × platform family and architecture, and the sdist. One request to the index.

Outputs: ok, wheel_count, sdist_count, name, version, previous_version.

Examples:
  surestep verify-wheels dist/ --from-tag \"$GITHUB_REF_NAME\" --sdist \\
    --python 3.10,3.11,3.12,3.13,3.14 --platform manylinux_x86_64,manylinux_aarch64
  surestep verify-wheels dist/*.whl --write-checksums dist/SHA256SUMS
  surestep verify-wheels dist/ --against pypi --allow-drop cp38")]
pub struct VerifyWheelsArgs {
    /// Directories (their wheels and sdists, not recursive) or files to verify
    #[arg(value_name = "DIR|FILE", default_value = "dist", value_parser = super::non_empty_path)]
    pub paths: Vec<PathBuf>,
    /// Every file's version must equal this (compared in PEP 440 normal form)
    #[arg(long = "version", value_name = "VERSION", conflicts_with = "from_tag", value_parser = super::non_empty)]
    pub expect_version: Option<String>,
    /// Every file's version must equal this release tag's (v1.2.3-rc.1 → 1.2.3rc1)
    #[arg(long, value_name = "TAG", value_parser = super::non_empty)]
    pub from_tag: Option<String>,
    /// Tag prefix before MAJOR.MINOR.PATCH for --from-tag
    #[arg(long, default_value = "v", value_name = "PREFIX", env = "SURESTEP_TAG_PREFIX")]
    pub prefix: String,
    /// Expected Pythons, comma-separated: 3.12, cp312, 3.13t, pp310 (abi3 wheels cover later
    /// versions), or py3 (one wheel for every 3.x: a pure or binary-only `py3-none-*` wheel)
    #[arg(long, value_delimiter = ',', value_name = "VERSIONS", value_parser = super::non_empty)]
    pub python: Vec<String>,
    /// Expected platforms, comma-separated: manylinux_x86_64, musllinux_aarch64, macosx_arm64,
    /// win_amd64, any, or an exact tag such as manylinux_2_28_x86_64
    #[arg(long, value_delimiter = ',', value_name = "PLATFORMS", value_parser = super::non_empty)]
    pub platform: Vec<String>,
    /// Require exactly one sdist
    #[arg(long)]
    pub sdist: bool,
    /// Check what PyPI would reject mid-upload (default: on)
    #[arg(long, overrides_with = "no_pypi")]
    pub pypi: bool,
    /// Skip the PyPI preflight (for other indexes)
    #[arg(long, overrides_with = "pypi")]
    pub no_pypi: bool,
    /// PyPI's per-file size limit (bytes, or with KiB/MiB/GiB/KB/MB/GB)
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = parse_size)]
    pub max_size: u64,
    /// After a clean run, write a sha256sum-compatible manifest of the verified files here
    #[arg(long, value_name = "FILE")]
    pub write_checksums: Option<PathBuf>,
    /// Compare with the previous release on this index (a simple index URL, `pypi` or
    /// `testpypi`): every platform it shipped must ship again
    #[arg(long, value_name = "INDEX", value_parser = super::non_empty)]
    pub against: Option<String>,
    /// Cells --against may find missing on purpose, comma-separated: a Python (cp38, 3.8, pp39,
    /// py2), a platform (win32, musllinux_armv7l) or sdist
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "against", value_parser = super::non_empty)]
    pub allow_drop: Vec<String>,
    /// User name for reading the --against index (as publish reads it; `__token__` for tokens)
    #[arg(long, value_name = "NAME", requires = "against", value_parser = super::non_empty)]
    pub username: Option<String>,
    /// Password or token for reading the --against index (prefer SURESTEP_PYPI_TOKEN)
    #[arg(long, value_name = "SECRET", requires = "against")]
    pub password: Option<crate::secret::Secret>,
}

impl VerifyWheelsArgs {
    pub fn pypi_enabled(&self) -> bool {
        !self.no_pypi
    }
}

/// `104857600`, `100MiB`, `100MB`, `1.5GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 =
        number.parse().map_err(|_| format!("{text:?} is not a size such as 100MiB"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("{text:?}: unknown unit (use B, KiB, MiB, GiB, KB, MB, GB)")),
    };
    let bytes = number * factor;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100MiB"), Ok(100 * 1024 * 1024));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("1.5 KB"), Ok(1500));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }
}
