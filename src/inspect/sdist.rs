//! One sdist (`.tar.gz`), one streaming pass: the file's sha256 as it is read, gunzip (with the
//! gzip CRC checked at the end), every tar entry walked; a single top-level `{name}-{version}/`
//! directory, safe paths and a PKG-INFO consistent with the filename.

use super::source::{HashingReader, Source};
use super::{FileReport, InspectOptions, core_metadata_problems, unsafe_path};
use crate::model::metadata::parse_metadata;
use crate::model::problem::{Problem, ProblemCode};
use std::collections::{BTreeSet, HashSet};
use std::io::{self, Read};

const PKG_INFO_LIMIT: u64 = 32 * 1024 * 1024;

/// Counts inflated bytes and fails once they pass the bomb limit.
struct Limited<R> {
    inner: R,
    count: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(BombError(self.limit)));
        }
        Ok(n)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("inflates to more than {0} bytes")]
struct BombError(u64);

#[derive(Default)]
struct Walk {
    members: u64,
    tops: BTreeSet<String>,
    paths: HashSet<String>,
    /// `{top}/PKG-INFO` of every top-level directory (the first one of each).
    pkg_infos: Vec<(String, Vec<u8>)>,
    problems: Vec<Problem>,
}

pub(super) fn inspect(source: &dyn Source, opts: &InspectOptions, report: &mut FileReport) {
    let reader = match source.open() {
        Ok(r) => r,
        Err(e) => return report.problem(ProblemCode::Unreadable, format!("cannot read: {e}")),
    };
    let expected_top = report
        .sdist
        .as_ref()
        .map(|s| format!("{}-{}", s.distribution, s.version))
        .unwrap_or_default();
    let mut hashing = HashingReader::new(reader);
    let limit = opts.bomb_min_size.max(source.size().saturating_mul(opts.bomb_ratio));
    let mut walk = Walk::default();
    let mut gz = Limited { inner: flate2::read::GzDecoder::new(&mut hashing), count: 0, limit };
    let result = walk_tar(&mut gz, &mut walk).and_then(|()| {
        // Read the gzip stream to its end so its CRC-32 and length are checked too.
        io::copy(&mut gz, &mut io::sink()).map(|_| ())
    });
    report.inflated = gz.count;
    drop(gz);
    if let Err(e) = result {
        let (code, message) = if e.get_ref().is_some_and(|inner| inner.is::<BombError>()) {
            (ProblemCode::ZipBomb, format!("{e}; stopped reading (decompression-ratio guard)"))
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            (ProblemCode::Truncated, "the archive ends early: the file is truncated".to_owned())
        } else {
            (ProblemCode::CorruptMember, format!("cannot read the tar.gz: {e}"))
        };
        walk.problems.push(Problem::new(code, message));
    }
    match hashing.finish() {
        Ok((digest, _)) => report.sha256 = digest,
        Err(e) => {
            walk.problems.push(Problem::new(ProblemCode::Unreadable, format!("cannot read: {e}")))
        }
    }
    report.members = walk.members;

    let complete = !walk.problems.iter().any(|p| {
        matches!(p.code, ProblemCode::Truncated | ProblemCode::CorruptMember | ProblemCode::ZipBomb)
    });
    if complete {
        let tops: Vec<&str> = walk.tops.iter().map(String::as_str).collect();
        // PyPI takes any sdist holding a PKG-INFO and pip builds from the single top-level
        // directory whatever its name: another spelling (`MarkupSafe-2.0.1/` in
        // `markupsafe-2.0.1.tar.gz`) is reported, not failed, and its PKG-INFO is read.
        let top = match tops.as_slice() {
            [top] => (*top).to_owned(),
            _ => expected_top.clone(),
        };
        match tops.as_slice() {
            [top] if *top == expected_top => {}
            [top] => walk.problems.push(
                Problem::new(
                    ProblemCode::SdistLayout,
                    format!("the top-level directory is {top}/; the filename says {expected_top}/"),
                )
                .as_warning(),
            ),
            [] => {
                walk.problems.push(Problem::new(ProblemCode::SdistLayout, "the archive is empty"))
            }
            many => walk.problems.push(Problem::new(
                ProblemCode::SdistLayout,
                format!(
                    "has {} top-level entries ({}); expected the single directory {expected_top}/",
                    many.len(),
                    many.join(", ")
                ),
            )),
        }
        match walk.pkg_infos.iter().find(|(t, _)| *t == top).map(|(_, b)| b) {
            None => walk.problems.push(Problem::new(
                ProblemCode::PkgInfoMissing,
                format!("{top}/PKG-INFO is missing"),
            )),
            Some(bytes) => {
                pkg_info_problems(bytes, report, &top, &mut walk.problems);
                if let Some(meta) = &report.metadata {
                    let missing = super::missing_license_files(meta, |f| {
                        walk.paths.contains(&format!("{top}/{f}"))
                    });
                    walk.problems.extend(missing.into_iter().map(|f| {
                        Problem::in_member(
                            ProblemCode::LicenseFileMissing,
                            format!("{top}/PKG-INFO"),
                            format!("License-File {f} is not in the sdist at {top}/{f}"),
                        )
                    }));
                }
            }
        }
    }
    report.problems.extend(walk.problems);
}

fn walk_tar<R: Read>(reader: R, walk: &mut Walk) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        walk.members += 1;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let trimmed = path.strip_prefix("./").unwrap_or(&path).to_owned();
        if let Some(why) = unsafe_path(&trimmed) {
            walk.problems.push(Problem::in_member(ProblemCode::UnsafePath, path.clone(), why));
        }
        if kind.is_file() {
            walk.paths.insert(trimmed.clone());
        }
        if let Some(top) = trimmed.split('/').next().filter(|t| !t.is_empty()) {
            walk.tops.insert(top.to_owned());
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            if link_escapes(&trimmed, &target) {
                walk.problems.push(Problem::in_member(
                    ProblemCode::UnsafePath,
                    path.clone(),
                    format!("links to {target:?}, outside the archive"),
                ));
            }
        }
        if kind.is_file()
            && let Some((top, "PKG-INFO")) = trimmed.split_once('/')
            && !walk.pkg_infos.iter().any(|(t, _)| t == top)
        {
            let mut bytes = Vec::new();
            (&mut entry).take(PKG_INFO_LIMIT).read_to_end(&mut bytes)?;
            walk.pkg_infos.push((top.to_owned(), bytes));
        }
    }
    Ok(())
}

/// Whether a link target leaves the archive (absolute, or `..` past the root).
fn link_escapes(path: &str, target: &str) -> bool {
    if target.starts_with(['/', '\\']) || target.as_bytes().get(1) == Some(&b':') {
        return true;
    }
    let mut depth: i64 = path.split('/').filter(|c| !c.is_empty() && *c != ".").count() as i64 - 1;
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

fn pkg_info_problems(
    bytes: &[u8],
    report: &mut FileReport,
    top: &str,
    problems: &mut Vec<Problem>,
) {
    let member = format!("{top}/PKG-INFO");
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(Problem::in_member(ProblemCode::MetadataInvalid, member, "is not UTF-8"));
        return;
    };
    let meta = parse_metadata(text);
    let Some(sdist) = report.sdist.clone() else { return };
    core_metadata_problems(
        &meta,
        &member,
        &sdist.normalized_name(),
        &sdist.distribution,
        &sdist.version,
        problems,
    );
    report.metadata = Some(meta);
}

#[cfg(test)]
mod tests {
    use super::link_escapes;

    #[test]
    fn links_that_leave_the_archive() {
        assert!(!link_escapes("p-1/a/b", "../c"));
        assert!(link_escapes("p-1/a", "../../etc/passwd"));
        assert!(link_escapes("p-1/a", "/etc/passwd"));
        assert!(!link_escapes("p-1/a", "b/c"));
    }
}
