//! `surestep verify-wheels` driven as a binary on the real MarkupSafe 3.0.3 release (10 wheels,
//! 2 platforms × 5 Pythons, plus its sdist) and on broken copies of it, each asserting the exact
//! problem reported and the exit code. The broken copies are written here with the `zip` crate.

mod support;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use surestep::inspect::{ArtifactKind, InspectOptions, inspect_bytes, inspect_file};
use surestep::model::record::{HashAlgorithm, encode_hash};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const PYTHONS: &str = "3.10,3.11,3.12,3.13,3.14";
const PLATFORMS: &str = "manylinux_x86_64,manylinux_aarch64";
const CP312_AARCH64: &str = "markupsafe-3.0.3-cp312-cp312-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl";
const CP313_X86: &str = "markupsafe-3.0.3-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl";
const SDIST: &str = "markupsafe-3.0.3.tar.gz";
const PURE: &str = "packaging-25.0-py3-none-any.whl";

/// The shared fixtures, or `None` when `../shared` is not there (a failure under `CI=true`,
/// a counted skip elsewhere: see tests/support/skip.rs).
fn fixtures() -> Option<PathBuf> {
    support::skip::shared_wheels()
}

/// A temp dir holding a copy of the MarkupSafe release (writable, unlike the fixtures).
fn release_copy() -> Option<TempDir> {
    let src = fixtures()?.join("markupsafe-3.0.3");
    let dir = TempDir::new().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
    }
    Some(dir)
}

fn surestep() -> Command {
    let mut cmd = support::cli::surestep();
    cmd.arg("verify-wheels");
    cmd
}

/// Runs with the full 2 × 5 matrix and --sdist, in JSON; returns the document and exit code.
fn verify_matrix(dir: &Path) -> (Value, i32) {
    verify_matrix_with(dir, &[])
}

fn verify_matrix_with(dir: &Path, extra: &[&str]) -> (Value, i32) {
    json_of(
        surestep()
            .arg(dir)
            .args(["--python", PYTHONS, "--platform", PLATFORMS, "--sdist", "--json"])
            .args(extra),
    )
}

fn json_of(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stdout}"));
    (doc, out.status.code().unwrap())
}

/// Every problem in the document as `code` or `code:member`, file problems and set problems.
fn problems(doc: &Value) -> Vec<String> {
    let as_text = |p: &Value| match p["member"].as_str() {
        Some(m) => format!("{}:{m}", p["code"].as_str().unwrap()),
        None => p["code"].as_str().unwrap().to_owned(),
    };
    let mut out: Vec<String> = doc["problems"].as_array().unwrap().iter().map(as_text).collect();
    for f in doc["files"].as_array().unwrap() {
        out.extend(f["problems"].as_array().unwrap().iter().map(as_text));
    }
    out
}

fn file_doc<'a>(doc: &'a Value, filename: &str) -> &'a Value {
    doc["files"].as_array().unwrap().iter().find(|f| f["filename"] == filename).unwrap()
}

// ---- writing wheels ---------------------------------------------------------------------

/// A wheel's members in archive order.
fn read_members(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (name, data)
        })
        .collect()
}

fn record_hash(data: &[u8]) -> String {
    encode_hash(HashAlgorithm::Sha256, &Sha256::digest(data))
}

/// RECORD listing every member (except itself) with its real hash and size.
fn fresh_record(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let record_name =
        members.iter().find(|(n, _)| n.ends_with(".dist-info/RECORD")).unwrap().0.clone();
    let mut text = String::new();
    for (name, data) in members.iter().filter(|(n, _)| *n != record_name && !n.ends_with('/')) {
        text.push_str(&format!("{name},{},{}\n", record_hash(data), data.len()));
    }
    text.push_str(&format!("{record_name},,\n"));
    text.into_bytes()
}

fn set_member(members: &mut Vec<(String, Vec<u8>)>, name: &str, data: Vec<u8>) {
    match members.iter_mut().find(|(n, _)| n == name) {
        Some(m) => m.1 = data,
        None => members.push((name.to_owned(), data)),
    }
}

fn member_named<'a>(members: &'a [(String, Vec<u8>)], suffix: &str) -> &'a str {
    &members.iter().find(|(n, _)| n.ends_with(suffix)).unwrap().0
}

/// Writes members as a deflated wheel; `stream` uses data descriptors (no seeking).
fn write_wheel(path: &Path, members: &[(String, Vec<u8>)], stream: bool) {
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let bytes = if stream {
        let mut z = ZipWriter::new_stream(Vec::new());
        for (name, data) in members {
            z.start_file(name.as_str(), opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap().into_inner()
    } else {
        let mut z = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            z.start_file(name.as_str(), opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap().into_inner()
    };
    std::fs::write(path, bytes).unwrap();
}

/// Rewrites one wheel of the copy through `edit`, keeping RECORD true unless `edit` says so.
fn rewrite(dir: &Path, filename: &str, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>) -> bool) {
    let path = dir.join(filename);
    let mut members = read_members(&path);
    let keep_record = edit(&mut members);
    if !keep_record {
        let record = member_named(&members, ".dist-info/RECORD").to_owned();
        let fresh = fresh_record(&members);
        set_member(&mut members, &record, fresh);
    }
    write_wheel(&path, &members, false);
}

// ---- the untouched release ----------------------------------------------------------------

#[test]
fn the_real_release_passes_the_full_matrix() {
    let Some(dir) = fixtures() else { return };
    let release = dir.join("markupsafe-3.0.3");
    let (doc, code) = verify_matrix_with(&release, &["--from-tag", "refs/tags/v3.0.3"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["expected_version"]["version"], "3.0.3");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["wheel_count"], 10);
    assert_eq!(doc["sdist_count"], 1);
    assert_eq!(
        (doc["name"].as_str(), doc["version"].as_str()),
        (Some("markupsafe"), Some("3.0.3"))
    );
    assert!(problems(&doc).is_empty());
    let cells = doc["matrix"]["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 10);
    assert!(cells.iter().all(|c| c["files"].as_array().unwrap().len() == 1));
    assert_eq!(
        doc["matrix"]["pythons"],
        serde_json::json!(["cp310", "cp311", "cp312", "cp313", "cp314"])
    );
    // Every sha256 is the one PyPI published.
    let sums = std::fs::read_to_string(dir.join("../SHA256SUMS")).unwrap();
    for f in doc["files"].as_array().unwrap() {
        let line = format!(
            "{}  markupsafe-3.0.3/{}",
            f["sha256"].as_str().unwrap(),
            f["filename"].as_str().unwrap()
        );
        assert!(sums.lines().any(|l| l == line), "{line} not in SHA256SUMS");
        assert!(f["size"].as_u64().unwrap() > 20_000);
    }
}

#[test]
fn text_output_lists_files_the_matrix_and_a_count() {
    let Some(dir) = fixtures() else { return };
    let out = surestep()
        .arg(dir.join("markupsafe-3.0.3"))
        .args(["--python", PYTHONS, "--platform", PLATFORMS, "--sdist", "--version", "3.0.3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("✓ ") && l.contains("markupsafe-3.0.3")).count(),
        11
    );
    assert!(text.contains("manylinux x86_64  manylinux aarch64"), "{text}");
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("cp312") && l.matches('✓').count() == 2),
        "{text}"
    );
    assert!(text.contains("✓ 10 wheels and 1 sdist of markupsafe 3.0.3 verified"), "{text}");
}

#[test]
fn the_inspect_api_reports_name_version_tags_and_metadata() {
    // `publish` reuses inspect_file; this pins what it relies on.
    let Some(dir) = fixtures() else { return };
    let opts = InspectOptions::default();
    let r = inspect_file(&dir.join("pure").join(PURE), &opts);
    assert_eq!(r.kind, ArtifactKind::Wheel);
    assert_eq!((r.name.as_deref(), r.version.as_deref()), (Some("packaging"), Some("25.0")));
    assert_eq!(r.tags, ["py3-none-any"]);
    assert!(r.problems.is_empty() && r.members > 3 && r.inflated > r.size);
    assert_eq!(r.metadata.as_ref().unwrap().get("Name"), Some("packaging"));
    let s = inspect_file(&dir.join("markupsafe-3.0.3").join(SDIST), &opts);
    assert_eq!(s.kind, ArtifactKind::Sdist);
    assert_eq!(s.metadata.unwrap().get("Version"), Some("3.0.3"));
    let missing = inspect_file(Path::new("/nonexistent/x-1.0-py3-none-any.whl"), &opts);
    assert_eq!(missing.problems[0].code.as_str(), "not_found");
}

#[test]
fn a_pure_wheel_passes_with_platform_any() {
    let Some(dir) = fixtures() else { return };
    let (doc, code) = json_of(surestep().arg(dir.join("pure").join(PURE)).args([
        "--python",
        "3.9,3.14",
        "--platform",
        "any",
        "--json",
    ]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["files"][0]["tags"], serde_json::json!(["py3-none-any"]));
    assert_eq!(doc["matrix"]["cells"].as_array().unwrap().len(), 2);
    // `py3` asks for one wheel that installs on every 3.x: the pure wheel is it.
    let (doc, code) = json_of(surestep().arg(dir.join("pure").join(PURE)).args([
        "--python",
        "py3",
        "--platform",
        "any",
        "--json",
    ]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["matrix"]["cells"][0]["python"], "py3", "{doc:#}");
    // A set of cp3XX wheels covers no "every 3.x" cell, however many versions it has.
    let Some(release) = release_copy() else { return };
    let (doc, code) =
        json_of(surestep().arg(release.path()).args(["--python", "py3", "--json", "--no-pypi"]));
    assert_eq!(code, 1, "{doc:#}");
    assert!(problems(&doc).iter().all(|p| p == "missing_cell"), "{doc:#}");
}

#[test]
fn github_actions_outputs_summary_and_capped_annotations() {
    let Some(dir) = release_copy() else { return };
    // Twelve bad files: GitHub shows 10 error annotations per step; the rest go to the log.
    let original = std::fs::read(dir.path().join(CP313_X86)).unwrap();
    for i in 0..12 {
        let name = format!("markupsafe-3.0.3-cp313-cp313-manylinux_2_{i}_x86_64.whl");
        std::fs::write(dir.path().join(name), &original[..original.len() / 2]).unwrap();
    }
    let gh = TempDir::new().unwrap();
    let (output, summary) = (gh.path().join("output"), gh.path().join("summary"));
    let out = surestep()
        .arg(dir.path())
        .args(["--github", "always"])
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let file_errors = stdout.lines().filter(|l| l.starts_with("::error file=")).count();
    assert_eq!(file_errors, 10, "{stdout}");
    assert!(stdout.contains("truncated"));
    assert!(stderr.matches("no end of central directory record").count() >= 2, "{stderr}");
    let outputs = std::fs::read_to_string(&output).unwrap();
    for line in ["ok=false", "wheel_count=22", "sdist_count=1", "version=3.0.3", "name=markupsafe"]
    {
        assert!(outputs.lines().any(|l| l == line), "{line} missing from {outputs}");
    }
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### surestep verify-wheels: ❌"));
    assert!(md.contains("| manylinux x86_64 |"), "{md}");
    let sums = std::fs::read_to_string(fixtures().unwrap().join("../SHA256SUMS")).unwrap();
    let sdist_sha =
        sums.lines().find(|l| l.ends_with(SDIST)).unwrap().split_whitespace().next().unwrap();
    assert!(md.contains(&format!("| ✅ `{SDIST}` | 80.3 kB | `{sdist_sha}` |")), "{md}");
}

#[test]
fn checksums_manifest_is_accepted_by_sha256sum() {
    let Some(dir) = release_copy() else { return };
    let manifest = dir.path().join("SHA256SUMS");
    let out = surestep()
        .current_dir(dir.path())
        .args([".", "--sdist", "--write-checksums"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert_eq!(text.lines().count(), 11);
    // The reader `publish --manifest` uses takes back exactly what was written.
    let entries = surestep::model::checksums::parse_manifest(&text).unwrap();
    assert_eq!(entries.len(), 11);
    assert!(entries.iter().any(|e| e.path == Path::new(".").join(SDIST)));
    let check = std::process::Command::new("sha256sum")
        .current_dir(dir.path())
        .args(["-c", "--strict", "SHA256SUMS"])
        .output()
        .expect("sha256sum runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    assert_eq!(String::from_utf8_lossy(&check.stdout).matches(": OK").count(), 11);

    // A failed verification writes no manifest (and leaves an existing one alone).
    std::fs::remove_file(&manifest).unwrap();
    std::fs::remove_file(dir.path().join(CP312_AARCH64)).unwrap();
    let out = surestep()
        .current_dir(dir.path())
        .args([".", "--python", PYTHONS, "--platform", PLATFORMS, "--write-checksums"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!manifest.exists());
}

// ---- broken copies: exactly one problem each, exit 1 ----------------------------------------

#[test]
fn one_byte_flipped_inside_a_member() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(CP313_X86);
    let (offset, name) = {
        let mut archive = ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let f = archive.by_name("markupsafe/_speedups.cpython-313-x86_64-linux-gnu.so").unwrap();
        (f.data_start().unwrap() + f.compressed_size() / 2, f.name().unwrap().into_owned())
    };
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[offset as usize] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    let found = problems(&doc);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0] == format!("crc_mismatch:{name}") || found[0] == format!("corrupt_member:{name}"),
        "{found:?}"
    );
    assert_eq!(file_doc(&doc, CP313_X86)["problems"].as_array().unwrap().len(), 1);
}

#[test]
fn a_flipped_byte_in_a_stored_member_is_a_crc_mismatch() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(CP313_X86);
    let members = read_members(&path);
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, data) in &members {
        z.start_file(name.as_str(), stored).unwrap();
        z.write_all(data).unwrap();
    }
    let mut bytes = z.finish().unwrap().into_inner();
    let offset = {
        let mut archive = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let f = archive.by_name("markupsafe/__init__.py").unwrap();
        f.data_start().unwrap() as usize + 100
    };
    bytes[offset] ^= 0x20;
    std::fs::write(&path, bytes).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["crc_mismatch:markupsafe/__init__.py"]);
}

#[test]
fn a_truncated_wheel() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(CP313_X86);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["truncated"]);
    let f = file_doc(&doc, CP313_X86);
    assert!(f["problems"][0]["message"].as_str().unwrap().contains("truncated"));
    assert_eq!(
        f["sha256"].as_str().unwrap().len(),
        64,
        "the bytes that are there are still hashed"
    );
}

#[test]
fn a_record_line_removed() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let text = String::from_utf8(fresh_record(members)).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| !l.starts_with("markupsafe/_native.py,"))
            .map(|l| format!("{l}\n"))
            .collect();
        set_member(members, &record, kept.into_bytes());
        true
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["unlisted_file:markupsafe/_native.py"]);
}

#[test]
fn an_extra_unlisted_file() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let fresh = fresh_record(members);
        set_member(members, &record, fresh);
        members.push(("markupsafe/backdoor.py".into(), b"import os\n".to_vec()));
        true
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["unlisted_file:markupsafe/backdoor.py"]);
}

#[test]
fn a_member_changed_after_record_was_written() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        set_member(members, "markupsafe/_native.py", b"print('changed')\n".to_vec());
        true
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    let found = problems(&doc);
    assert_eq!(
        found,
        [
            "record_hash_mismatch:markupsafe/_native.py",
            "record_size_mismatch:markupsafe/_native.py"
        ]
    );
}

#[test]
fn a_listed_file_missing_from_the_archive() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let fresh = fresh_record(members);
        set_member(members, &record, fresh);
        members.retain(|(n, _)| n != "markupsafe/py.typed");
        true
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["missing_file:markupsafe/py.typed"]);
}

#[test]
fn a_wrong_version_in_metadata() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let name = member_named(members, ".dist-info/METADATA").to_owned();
        let text =
            String::from_utf8(members.iter().find(|(n, _)| *n == name).unwrap().1.clone()).unwrap();
        assert!(text.contains("\nVersion: 3.0.3\n"));
        set_member(
            members,
            &name,
            text.replace("\nVersion: 3.0.3\n", "\nVersion: 3.0.4\n").into_bytes(),
        );
        false
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["version_mismatch:markupsafe-3.0.3.dist-info/METADATA"]);
    let p = &file_doc(&doc, CP313_X86)["problems"][0]["message"];
    assert_eq!(p, "Version is 3.0.4; the filename says 3.0.3");
}

#[test]
fn a_dot_dot_entry() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        members.insert(0, ("../evil.pth".into(), b"import os; os.system('x')\n".to_vec()));
        false
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["unsafe_path:../evil.pth"]);
}

#[test]
fn data_descriptors() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(CP313_X86);
    let members = read_members(&path);
    write_wheel(&path, &members, true);
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["data_descriptor"]);
    let message = file_doc(&doc, CP313_X86)["problems"][0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("general-purpose flag bit 3"), "{message}");
}

#[test]
fn a_zip_bomb_is_refused_without_inflating() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        members.push(("markupsafe/zeros.bin".into(), vec![0u8; 80 * 1024 * 1024]));
        false
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["zip_bomb"]);
    assert_eq!(file_doc(&doc, CP313_X86)["inflated"], 0);
}

#[test]
fn an_archive_comment_and_trailing_bytes() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(CP313_X86);
    let members = read_members(&path);
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    z.set_comment("built by hand").unwrap();
    for (name, data) in &members {
        z.start_file(name.as_str(), SimpleFileOptions::default()).unwrap();
        z.write_all(data).unwrap();
    }
    let mut bytes = z.finish().unwrap().into_inner();
    bytes.extend_from_slice(b"JUNK");
    std::fs::write(&path, bytes).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["archive_comment", "trailing_data"]);
}

#[test]
fn a_missing_matrix_cell() {
    let Some(dir) = release_copy() else { return };
    std::fs::remove_file(dir.path().join(CP312_AARCH64)).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["missing_cell"]);
    assert_eq!(doc["problems"][0]["message"], "missing: cp312 × manylinux aarch64");
    let out = surestep()
        .arg(dir.path())
        .args(["--python", PYTHONS, "--platform", PLATFORMS])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("cp312") && l.contains("✗ missing")),
        "{text}"
    );
}

#[test]
fn a_duplicate_matrix_cell() {
    let Some(dir) = release_copy() else { return };
    let rebuilt = CP313_X86.replace("3.0.3-cp313", "3.0.3-1-cp313");
    std::fs::copy(dir.path().join(CP313_X86), dir.path().join(&rebuilt)).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["duplicate_cell"]);
    let message = doc["problems"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("cp313 × manylinux x86_64 has 2 wheels"), "{message}");
}

#[test]
fn a_version_other_than_the_tag() {
    let Some(dir) = fixtures() else { return };
    let (doc, code) = json_of(surestep().arg(dir.join("markupsafe-3.0.3")).args([
        "--from-tag",
        "v3.0.4-rc.1",
        "--json",
    ]));
    assert_eq!(code, 1);
    let found = problems(&doc);
    assert_eq!(found.len(), 11);
    assert!(found.iter().all(|p| p == "expected_version"));
    assert_eq!(
        doc["files"][0]["problems"][0]["message"],
        "version is 3.0.3; expected 3.0.4rc1 (--from-tag v3.0.4-rc.1)"
    );
}

#[test]
fn pypi_preflight_refuses_a_plain_linux_tag_and_the_flag_turns_it_off() {
    let Some(dir) = release_copy() else { return };
    let linux = "markupsafe-3.0.3-cp313-cp313-linux_x86_64.whl";
    std::fs::rename(dir.path().join(CP313_X86), dir.path().join(linux)).unwrap();
    rewrite(dir.path(), linux, |members| {
        let name = member_named(members, ".dist-info/WHEEL").to_owned();
        set_member(
            members,
            &name,
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp313-cp313-linux_x86_64\n".to_vec(),
        );
        false
    });
    let (doc, code) = json_of(surestep().arg(dir.path()).arg("--json"));
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["pypi_platform_tag"]);
    let (doc, code) = json_of(surestep().arg(dir.path()).args(["--no-pypi", "--json"]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["pypi_preflight"], false);
}

#[test]
fn broken_sdists() {
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(SDIST);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["truncated"]);

    // A tarball whose top-level directory is not {name}-{version}, without PKG-INFO.
    let mut tar =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "src/x.py", &b"x=1"[..]).unwrap();
    std::fs::write(&path, tar.into_inner().unwrap().finish().unwrap()).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["sdist_layout", "pkg_info_missing"]);
}

#[test]
fn no_wheels_is_a_failure_that_says_so() {
    let empty = TempDir::new().unwrap();
    let (doc, code) = json_of(surestep().arg(empty.path()).arg("--json"));
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["no_artifacts"]);
    let out = surestep().current_dir(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("dist/ does not exist"));
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["--python", "3.x"][..],
        &["--platform", "many linux"],
        &["--from-tag", "release-1"],
        &["--version", "not.a.version!"],
        &["--max-size", "lots"],
        &["--version", "1.0", "--from-tag", "v1.0.0"],
    ] {
        let out = surestep().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---- hostile input: never a panic -------------------------------------------------------------

fn pure_wheel() -> Option<Vec<u8>> {
    Some(std::fs::read(fixtures()?.join("pure").join(PURE)).unwrap())
}

proptest! {
    // 300 cases by default (each inspects a whole wheel); PROPTEST_CASES raises it for long runs.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_wheels_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let Some(mut bytes) = pure_wheel() else { return Ok(()) };
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let report = inspect_bytes(PURE, &bytes, &InspectOptions::default());
        prop_assert_eq!(report.size, bytes.len() as u64);
    }

    #[test]
    fn mutated_sdists_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let Some(dir) = fixtures() else { return Ok(()) };
        let mut bytes = std::fs::read(dir.join("markupsafe-3.0.3").join(SDIST)).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let report = inspect_bytes(SDIST, &bytes, &InspectOptions::default());
        prop_assert_eq!(report.size, bytes.len() as u64);
    }

    #[test]
    fn mutated_directory_records_never_panic(at in 0usize..4096, value in any::<u8>()) {
        // Aim at the tail, where the central directory and end record live.
        let Some(mut bytes) = pure_wheel() else { return Ok(()) };
        let len = bytes.len();
        let i = len - 1 - at.min(len - 1);
        bytes[i] = value;
        let _ = inspect_bytes(PURE, &bytes, &InspectOptions::default());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), sdist in any::<bool>()) {
        let name = if sdist { "x-1.0.tar.gz" } else { "x-1.0-py3-none-any.whl" };
        let report = inspect_bytes(name, &bytes, &InspectOptions::default());
        prop_assert!(!report.problems.is_empty());
    }
}

#[test]
fn an_expected_matrix_with_no_wheels_at_all() {
    let Some(dir) = fixtures() else { return };
    let sdist = dir.join("markupsafe-3.0.3").join(SDIST);
    let (doc, code) = json_of(surestep().arg(&sdist).args(["--python", "3.12", "--json"]));
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["missing_cell"]);
    assert_eq!(
        doc["problems"][0]["message"],
        "no wheels to fill the expected matrix (no platform found)"
    );
}

// ---- the parsers behind it: never a panic, and the round trips hold ---------------------------

proptest! {
    #[test]
    fn canonical_versions_are_fixed_points(text in "[vV]?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-_.]?(a|b|c|rc|alpha|beta|pre|preview|post|dev|r)[-_.]?[0-9]{0,2}){0,3}(\\+[a-z0-9]{1,4}([-_.][a-z0-9]{1,4}){0,2})?|.{0,20}") {
        if let Some(c) = surestep::model::wheel_name::canonical_version(&text) {
            prop_assert_eq!(surestep::model::wheel_name::canonical_version(&c), Some(c.clone()));
        }
    }

    #[test]
    fn wheel_filenames_parse_back_to_themselves(name in ".{0,60}\\.whl|[a-z_]{1,8}-[0-9.]{1,6}(-[0-9][a-z]?)?-(py3|cp3[0-9]{1,2})(\\.py2)?-(none|abi3|cp312)-(any|manylinux_2_17_x86_64(\\.manylinux2014_x86_64)?)\\.whl") {
        use surestep::model::wheel_name::WheelName;
        if let Ok(w) = WheelName::parse(&name) {
            let build = w.build.as_ref().map(|b| format!("-{b}")).unwrap_or_default();
            prop_assert_eq!(format!("{}-{}{build}-{}.whl", w.distribution, w.version, w.tag_string()), name);
            prop_assert!(!w.tags().is_empty());
        }
    }

    #[test]
    fn metadata_headers_round_trip(fields in prop::collection::vec(("[A-Za-z][A-Za-z-]{0,12}", "[ -~]{0,30}"), 0..10), junk in ".{0,200}") {
        use surestep::model::metadata::parse_metadata;
        let text: String = fields.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let m = parse_metadata(&text);
        prop_assert_eq!(m.fields().len(), fields.len());
        for (k, v) in &fields {
            prop_assert!(m.get_all(k).contains(&v.trim()));
        }
        let _ = parse_metadata(&junk);
    }

    #[test]
    fn record_text_never_panics_and_hashes_round_trip(text in ".{0,300}", digest in prop::collection::vec(any::<u8>(), 32)) {
        use surestep::model::record::{RecordHash, encode_hash, parse_hash, parse_record};
        let _ = parse_record(&text);
        let encoded = encode_hash(HashAlgorithm::Sha256, &digest);
        prop_assert_eq!(parse_hash(&encoded), RecordHash::Digest { algorithm: HashAlgorithm::Sha256, digest });
    }

    #[test]
    fn matrix_specs_never_panic_and_pythons_round_trip(text in ".{0,16}", minor in 0u32..40, ft in any::<bool>()) {
        use surestep::model::matrix::{PlatformSpec, PythonSpec};
        let _ = PythonSpec::parse(&text);
        let _ = PlatformSpec::parse(&text);
        let spec = PythonSpec::parse(&format!("3.{minor}{}", if ft { "t" } else { "" })).unwrap();
        prop_assert_eq!(PythonSpec::parse(&spec.to_string()).unwrap(), spec);
    }
}

#[test]
fn a_license_file_named_in_metadata_but_absent() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        members.retain(|(n, _)| !n.ends_with("/licenses/LICENSE.txt"));
        false
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 1);
    assert_eq!(problems(&doc), ["license_file_missing:markupsafe-3.0.3.dist-info/METADATA"]);
}

// ---- never a false alarm: real wheels of many generators and eras ----------------------------

/// Files that PyPI took in their day but whose names are not normalized: today's PyPI refuses a
/// new upload of such a name, so only the `pypi_filename` preflight rule may meet them.
const OLD_NAMES: &[&str] = &[
    "MarkupSafe-2.0.1-cp39-cp39-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
    "zope.interface-5.4.0-cp39-cp39-manylinux2010_x86_64.whl",
    "Sample.Setuptools_Old-0.1.0-py2.py3-none-any.whl",
];

/// The wheels of `../shared/fixtures/wheels/corpus` (real PyPI wheels) and of
/// `tests/fixtures/wheels/generated` (one per build backend, see its README).
fn corpus() -> Option<Vec<PathBuf>> {
    let shared = fixtures()?.join("corpus");
    let generated = support::repo_root().join("tests/fixtures/wheels/generated");
    let mut files = Vec::new();
    for dir in [shared, generated] {
        let before = files.len();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "whl") {
                files.push(path);
            }
        }
        assert!(files.len() - before >= 12, "{} holds too few wheels", dir.display());
    }
    files.sort();
    Some(files)
}

#[test]
fn every_corpus_wheel_passes_verify_wheels_and_the_pypi_preflight() {
    let Some(files) = corpus() else { return };
    let started = std::time::Instant::now();
    // Integrity and metadata: every wheel passes (the set mixes projects, which is the only
    // thing to report).
    let (doc, code) = json_of(surestep().args(&files).args(["--no-pypi", "--json"]));
    for f in doc["files"].as_array().unwrap() {
        let errors: Vec<&Value> =
            f["problems"].as_array().unwrap().iter().filter(|p| p["severity"] == "error").collect();
        assert!(errors.is_empty(), "{} is refused: {errors:#?}", f["filename"]);
    }
    let set: Vec<&str> =
        doc["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(set, ["mixed_names", "mixed_versions"], "{doc:#}");
    assert_eq!(code, 1);
    // With the PyPI preflight, one file at a time as a release would be: only the old,
    // non-normalized names meet a rule, and only `pypi_filename`.
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (doc, code) = json_of(surestep().arg(file).arg("--json"));
        let errors: Vec<String> = problems(&doc)
            .into_iter()
            .zip(doc["files"][0]["problems"].as_array().unwrap())
            .filter(|(_, p)| p["severity"] == "error")
            .map(|(code, _)| code)
            .collect();
        if OLD_NAMES.contains(&name.as_str()) {
            assert_eq!((code, errors), (1, vec!["pypi_filename".to_owned()]), "{name}: {doc:#}");
        } else {
            assert_eq!((code, errors), (0, Vec::<String>::new()), "{name}: {doc:#}");
            assert_eq!(doc["ok"], true);
        }
    }
    eprintln!("{} corpus wheels verified in {:?}", files.len(), started.elapsed());
}

#[test]
fn a_compressed_tag_line_in_wheel_is_the_tags_it_stands_for() {
    // maturin before 1.10 wrote one `Tag:` line with the filename's compressed set.
    let wheel = support::repo_root().join(
        "tests/fixtures/wheels/generated/sample_maturin_old-0.1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    );
    let (doc, code) = json_of(surestep().arg(&wheel).arg("--json"));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(problems(&doc), Vec::<String>::new());
    // The same expansion on a copy whose filename lists the platforms the other way round.
    let dir = TempDir::new().unwrap();
    let swapped =
        "sample_maturin_old-0.1.0-cp38-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl";
    std::fs::copy(&wheel, dir.path().join(swapped)).unwrap();
    let (doc, code) = json_of(surestep().arg(dir.path().join(swapped)).arg("--json"));
    assert_eq!((code, problems(&doc)), (0, vec![]), "{doc:#}");
}

#[test]
fn wheel_tag_lines_that_disagree_with_the_filename_are_a_warning_not_a_failure() {
    // pip installs by the filename's tags and PyPI does not compare them: a WHEEL file that
    // names other tags (or none) is reported, and the wheel still passes.
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let wheel = member_named(members, ".dist-info/WHEEL").to_owned();
        set_member(
            members,
            &wheel,
            b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: false\nTag: cp313-cp313-manylinux2014_x86_64\nTag: cp313-cp313-linux_x86_64\n".to_vec(),
        );
        false
    });
    let (doc, code) = verify_matrix_with(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    let f = file_doc(&doc, CP313_X86);
    let p = &f["problems"][0];
    assert_eq!(
        (p["code"].as_str(), p["severity"].as_str()),
        (Some("tag_mismatch"), Some("warning"))
    );
    let message = p["message"].as_str().unwrap();
    assert!(message.contains("no Tag line for cp313-cp313-manylinux_2_17_x86_64"), "{message}");
    assert!(message.contains("cp313-cp313-linux_x86_64"), "{message}");
    assert_eq!((doc["warning_count"].as_u64(), doc["error_count"].as_u64()), (Some(1), Some(0)));
    // People see it as a warning, and the run still says verified.
    let out = surestep()
        .arg(dir.path())
        .args(["--python", PYTHONS, "--platform", PLATFORMS, "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("tag_mismatch (warning)"), "{text}");
    assert!(text.contains("1 warning (stricter than PyPI and pip; not failing)"), "{text}");
    // In GitHub Actions it is a ::warning, never an ::error.
    let out = surestep()
        .arg(dir.path())
        .args(["--github", "always"])
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("::warning file="), "{text}");
    assert!(!text.contains("::error"), "{text}");
}

#[test]
fn record_rows_without_a_hash_or_with_a_weak_one_or_twice_the_same_are_warnings() {
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let mut text = String::from_utf8(fresh_record(members)).unwrap();
        let first = text.lines().next().unwrap().to_owned();
        let (path, rest) = first.split_once(',').unwrap();
        let size = rest.rsplit_once(',').unwrap().1;
        // The first row loses its hash, and the same row is listed again.
        text = text.replacen(&first, &format!("{path},,{size}"), 1);
        text.push_str(&format!("{path},,{size}\n"));
        set_member(members, &record, text.into_bytes());
        true
    });
    let (doc, code) = verify_matrix_with(dir.path(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    let f = file_doc(&doc, CP313_X86);
    let codes: Vec<(&str, &str)> = f["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("record_invalid", "warning"), ("record_missing_hash", "warning")]);
    // Two different hashes for one path leave the content unproven: that fails.
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let mut text = String::from_utf8(fresh_record(members)).unwrap();
        let first = text.lines().next().unwrap().to_owned();
        let path = first.split_once(',').unwrap().0;
        text.push_str(&format!("{path},{},1\n", record_hash(b"other")));
        set_member(members, &record, text.into_bytes());
        true
    });
    let (doc, code) = verify_matrix_with(dir.path(), &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(problems(&doc), [format!("record_invalid:{}", "markupsafe-3.0.3.dist-info/RECORD")]);
}

#[test]
fn an_sdist_whose_top_directory_is_spelled_otherwise_is_a_warning() {
    // Older setuptools wrote `MarkupSafe-3.0.3/` into `markupsafe-3.0.3.tar.gz`; PyPI takes
    // any sdist with a PKG-INFO and pip builds from the single top-level directory.
    let Some(dir) = release_copy() else { return };
    let path = dir.path().join(SDIST);
    let mut original =
        tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()));
    let mut out =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for entry in original.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let renamed = name.replacen("markupsafe-3.0.3", "MarkupSafe-3.0.3", 1);
        let mut header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.append_data(&mut header, renamed, data.as_slice()).unwrap();
    }
    std::fs::write(&path, out.into_inner().unwrap().finish().unwrap()).unwrap();
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!(code, 0, "{doc:#}");
    let p = &file_doc(&doc, SDIST)["problems"];
    assert_eq!(p.as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(
        (p[0]["code"].as_str(), p[0]["severity"].as_str()),
        (Some("sdist_layout"), Some("warning"))
    );
}

#[test]
fn a_zip_sdist_fails_only_the_pypi_preflight() {
    // pip installs zip sdists and other indexes take them; PyPI refuses new ones (PEP 625).
    let dir = TempDir::new().unwrap();
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("pkg-1.0/PKG-INFO", SimpleFileOptions::default()).unwrap();
    z.write_all(b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n").unwrap();
    let path = dir.path().join("pkg-1.0.zip");
    std::fs::write(&path, z.finish().unwrap().into_inner()).unwrap();
    let (doc, code) = json_of(surestep().arg(&path).args(["--no-pypi", "--json"]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["files"][0]["problems"][0]["severity"], "warning");
    let (doc, code) = json_of(surestep().arg(&path).arg("--json"));
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(problems(&doc), ["filename", "pypi_filename"]);
}

#[test]
fn a_record_row_for_a_directory_the_zip_does_not_hold_is_no_problem() {
    // Some writers list directories in RECORD; a zip need not hold directory entries and pip
    // ignores such rows: no content is missing.
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let record = member_named(members, ".dist-info/RECORD").to_owned();
        let mut text = String::from_utf8(fresh_record(members)).unwrap();
        text.push_str("markupsafe/,,\n");
        set_member(members, &record, text.into_bytes());
        members.retain(|(n, _)| !n.ends_with('/'));
        true
    });
    let (doc, code) = verify_matrix(dir.path());
    assert_eq!((code, problems(&doc)), (0, Vec::<String>::new()), "{doc:#}");
}

#[test]
fn a_rebuild_with_a_build_tag_is_a_warning_unless_a_matrix_was_asked_for() {
    // A build tag supersedes a wheel for the same tag (pip takes the highest; PyPI takes both):
    // untidy in dist/, not broken. With --python/--platform, one wheel per cell was asked for.
    let Some(dir) = release_copy() else { return };
    let rebuilt = CP313_X86.replace("3.0.3-cp313", "3.0.3-1-cp313");
    std::fs::copy(dir.path().join(CP313_X86), dir.path().join(&rebuilt)).unwrap();
    let (doc, code) = json_of(surestep().arg(dir.path()).arg("--json"));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["problems"][0]["code"], "duplicate_cell");
    assert_eq!(doc["problems"][0]["severity"], "warning");
    // Two wheels for one tag without build tags to tell them apart: that fails.
    let other = CP313_X86.replace("manylinux2014_x86_64.", "");
    std::fs::remove_file(dir.path().join(&rebuilt)).unwrap();
    std::fs::copy(dir.path().join(CP313_X86), dir.path().join(&other)).unwrap();
    let (doc, code) = json_of(surestep().arg(dir.path()).args(["--json", "--no-pypi"]));
    assert_eq!(code, 1, "{doc:#}");
    assert!(problems(&doc).contains(&"duplicate_cell".to_owned()), "{doc:#}");
}

#[test]
fn versions_are_compared_as_pep_440_compares_them() {
    // pip and PyPI compare Version objects: METADATA's `3.0.3.0` is the filename's `3.0.3`, and
    // so is `--version 3.0.3.0`.
    let Some(dir) = release_copy() else { return };
    rewrite(dir.path(), CP313_X86, |members| {
        let name = member_named(members, ".dist-info/METADATA").to_owned();
        let text =
            String::from_utf8(members.iter().find(|(n, _)| *n == name).unwrap().1.clone()).unwrap();
        assert!(text.contains("\nVersion: 3.0.3\n"), "{text}");
        set_member(
            members,
            &name,
            text.replace("\nVersion: 3.0.3\n", "\nVersion: 3.0.3.0\n").into_bytes(),
        );
        false
    });
    let (doc, code) = verify_matrix_with(dir.path(), &["--version", "3.0.3.0"]);
    assert_eq!((code, problems(&doc)), (0, Vec::<String>::new()), "{doc:#}");
    assert_eq!(doc["version"], "3.0.3");
    let (doc, code) = verify_matrix_with(dir.path(), &["--version", "3.0.3.1"]);
    assert_eq!(code, 1, "{doc:#}");
}
