//! `surestep check-tag` driven as a binary against real git repositories in temp dirs.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use support::cli::{github_output, read_github_outputs, surestep};
use tempfile::TempDir;

/// A throw-away git repository with deterministic identity and dates.
struct Repo {
    dir: TempDir,
}

impl Repo {
    fn new() -> Self {
        let repo = Self { dir: TempDir::new().unwrap() };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        support::git(self.path(), args)
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    fn surestep(&self) -> Command {
        let mut cmd = surestep();
        cmd.current_dir(self.path()).arg("check-tag");
        cmd
    }
}

fn json_of(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.arg("--json").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stdout}"));
    (doc, out.status.code().unwrap())
}

#[test]
fn lightweight_tag_is_found_and_written_to_github_output() {
    let repo = Repo::new();
    let sha = repo.commit("one");
    repo.git(&["tag", "v1.2.3"]);
    let gh = TempDir::new().unwrap();
    let out_file = gh.path().join("output");
    let summary = gh.path().join("summary");
    repo.surestep()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out_file)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .success();
    let outputs = read_github_outputs(&out_file);
    assert_eq!(github_output(&outputs, "has_tag"), "true");
    assert_eq!(github_output(&outputs, "tag_name"), "v1.2.3");
    assert_eq!(github_output(&outputs, "version"), "1.2.3");
    assert_eq!(github_output(&outputs, "major"), "1");
    assert_eq!(github_output(&outputs, "minor"), "2");
    assert_eq!(github_output(&outputs, "patch"), "3");
    assert_eq!(github_output(&outputs, "prerelease"), "");
    assert_eq!(github_output(&outputs, "python_version"), "1.2.3");
    assert_eq!(github_output(&outputs, "is_latest"), "true");
    assert_eq!(github_output(&outputs, "commit"), sha);
    let md = std::fs::read_to_string(summary).unwrap();
    assert!(md.contains("| `v1.2.3` | 1.2.3 |"), "{md}");
}

#[test]
fn annotated_tag_is_peeled_to_its_commit() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "-a", "v2.0.0", "-m", "release 2.0.0"]);
    let (doc, code) = json_of(&mut repo.surestep());
    assert_eq!(code, 0);
    assert_eq!(doc["has_tag"], true);
    assert_eq!(doc["tag_name"], "v2.0.0");
    assert_eq!(doc["command"], "check-tag");
    assert_eq!(doc["exit_code"], 0);
}

#[test]
fn several_tags_on_one_commit_the_highest_wins_and_all_are_reported() {
    let repo = Repo::new();
    repo.commit("one");
    for t in ["v1.9.0", "v1.10.0", "v1.2.0", "nightly", "v1.11"] {
        repo.git(&["tag", t]);
    }
    let (doc, _) = json_of(&mut repo.surestep());
    assert_eq!(doc["tag_name"], "v1.10.0");
    assert_eq!(doc["tags"], serde_json::json!(["v1.10.0", "v1.9.0", "v1.2.0"]));
    let ignored: Vec<&str> =
        doc["ignored"].as_array().unwrap().iter().map(|i| i["tag"].as_str().unwrap()).collect();
    assert_eq!(ignored.len(), 2);
    assert!(ignored.contains(&"nightly") && ignored.contains(&"v1.11"));
    assert!(doc["warnings"][0].as_str().unwrap().contains("3 release tags"));
}

#[test]
fn custom_prefix_for_monorepo_tags() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "mypkg-v0.4.1"]);
    repo.git(&["tag", "v9.9.9"]);
    let (doc, _) = json_of(repo.surestep().args(["--prefix", "mypkg-v"]));
    assert_eq!(doc["tag_name"], "mypkg-v0.4.1");
    assert_eq!(doc["version"], "0.4.1");
    let (doc, _) = json_of(repo.surestep().env("SURESTEP_TAG_PREFIX", "mypkg-v"));
    assert_eq!(doc["tag_name"], "mypkg-v0.4.1", "the prefix can come from the environment");
}

#[test]
fn prerelease_needs_the_flag_and_maps_to_pep440() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3-rc.1"]);
    let (doc, code) = json_of(&mut repo.surestep());
    assert_eq!((doc["has_tag"].clone(), code), (Value::Bool(false), 0));
    assert!(doc["ignored"][0]["reason"].as_str().unwrap().contains("--allow-prerelease"));
    let (doc, _) = json_of(repo.surestep().arg("--allow-prerelease"));
    assert_eq!(doc["tag_name"], "v1.2.3-rc.1");
    assert_eq!(doc["prerelease"], "rc.1");
    assert_eq!(doc["python_version"], "1.2.3rc1");
}

#[test]
fn no_tag_is_not_an_error_unless_required() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v0.1.0"]);
    repo.commit("two");
    let gh = TempDir::new().unwrap();
    let out_file = gh.path().join("output");
    repo.surestep()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out_file)
        .assert()
        .success();
    let outputs = read_github_outputs(&out_file);
    assert_eq!(github_output(&outputs, "has_tag"), "false");
    assert_eq!(github_output(&outputs, "tag_name"), "");
    assert_eq!(github_output(&outputs, "is_latest"), "false");

    let out = repo.surestep().env("GITHUB_ACTIONS", "true").arg("--require").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("::error::require: commit "), "{stdout}");
}

#[test]
fn workflow_run_uses_head_sha_not_the_default_branch_tip() {
    let repo = Repo::new();
    let tagged = repo.commit("release");
    repo.git(&["tag", "v3.1.0"]);
    let tip = repo.commit("later work on main");
    let event = repo.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({"action": "completed", "workflow_run": {"head_sha": tagged, "head_branch": "v3.1.0"}}).to_string(),
    )
    .unwrap();
    let (doc, _) = json_of(
        repo.surestep()
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_SHA", &tip)
            .env("GITHUB_REF", "refs/heads/main"),
    );
    assert_eq!(doc["commit"], tagged.as_str());
    assert_eq!(doc["commit_source"], "workflow_run");
    assert_eq!(doc["tag_name"], "v3.1.0");

    // An untagged push that triggered the workflow: has_tag=false.
    std::fs::write(&event, serde_json::json!({"workflow_run": {"head_sha": tip}}).to_string())
        .unwrap();
    let (doc, code) = json_of(
        repo.surestep().env("GITHUB_EVENT_NAME", "workflow_run").env("GITHUB_EVENT_PATH", &event),
    );
    assert_eq!((doc["has_tag"].clone(), code), (Value::Bool(false), 0));
}

#[test]
fn workflow_run_head_sha_missing_from_checkout_is_an_environment_error_with_hint() {
    let repo = Repo::new();
    repo.commit("one");
    let event = repo.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"workflow_run":{"head_sha":"1111111111111111111111111111111111111111"}}"#,
    )
    .unwrap();
    let out = repo
        .surestep()
        .env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &event)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("111111111111")
            && stderr.contains("hint:")
            && stderr.contains("fetch-depth: 0"),
        "{stderr}"
    );
}

#[test]
fn tag_push_counts_github_ref_when_the_checkout_lacks_the_tag_ref() {
    let repo = Repo::new();
    let sha = repo.commit("one");
    let (doc, _) = json_of(
        repo.surestep()
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_REF", "refs/tags/v5.0.0")
            .env("GITHUB_SHA", &sha),
    );
    assert_eq!(doc["tag_name"], "v5.0.0");
    // A GITHUB_REF tag for another commit is not counted.
    let other = repo.commit("two");
    let (doc, _) = json_of(
        repo.surestep()
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_REF", "refs/tags/v5.0.0")
            .env("GITHUB_SHA", &sha)
            .args(["--rev", &other]),
    );
    assert_eq!(doc["has_tag"], false);
}

#[test]
fn shallow_clone_without_tags_says_what_to_change_and_fetch_repairs_it() {
    let origin = Repo::new();
    origin.commit("one");
    origin.commit("two");
    origin.git(&["tag", "-a", "v1.0.0", "-m", "r"]);
    let work = TempDir::new().unwrap();
    let clone = work.path().join("clone");
    let url = format!("file://{}", origin.path().display());
    support::git(
        work.path(),
        &["clone", "-q", "--depth", "1", "--no-tags", &url, clone.to_str().unwrap()],
    );
    assert!(clone.join(".git/shallow").exists());

    let mut cmd = surestep();
    cmd.current_dir(&clone).arg("check-tag");
    let (doc, code) = json_of(&mut cmd);
    assert_eq!((doc["has_tag"].clone(), code), (Value::Bool(false), 0));
    let warning = doc["warnings"][0].as_str().unwrap();
    assert!(warning.contains("shallow") && warning.contains("fetch-depth: 0"), "{warning}");

    let mut cmd = surestep();
    cmd.current_dir(&clone).args(["check-tag", "--fetch"]);
    let (doc, _) = json_of(&mut cmd);
    assert_eq!(doc["tag_name"], "v1.0.0");
}

#[test]
fn version_file_must_match_the_tag() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3-rc.1"]);
    repo.write("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.2.3rc1\"\n");
    repo.write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.2.3-rc.1\"\n");
    repo.write("package.json", r#"{"name": "x", "version": "1.2.2"}"#);
    for file in ["pyproject.toml", "Cargo.toml"] {
        repo.surestep().args(["--allow-prerelease", "--version-file", file]).assert().success();
    }
    let out = repo
        .surestep()
        .args(["--allow-prerelease", "--version-file", "package.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .contains("package.json declares 1.2.2 but the tag v1.2.3-rc.1 is version 1.2.3-rc.1"),
        "{stdout}"
    );

    let out = repo.surestep().args(["--version-file", "setup.cfg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unsupported file is a usage error");
    let out = repo.surestep().args(["--version-file", "missing/Cargo.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing/Cargo.toml"));
}

#[test]
fn require_newest_and_is_latest_compare_with_every_release_tag() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v2.0.0"]);
    let old = repo.commit("two");
    repo.git(&["tag", "v1.5.0"]);
    let (doc, code) = json_of(repo.surestep().args(["--rev", &old, "--require-newest"]));
    assert_eq!(code, 1);
    assert_eq!(doc["is_latest"], false);
    let check = &doc["checks"][0];
    assert_eq!(check["name"], "require-newest");
    assert_eq!(check["result"], "failed");
    assert!(check["detail"].as_str().unwrap().contains("v2.0.0 is higher"));

    repo.commit("three");
    repo.git(&["tag", "v2.1.0"]);
    let (doc, code) = json_of(repo.surestep().arg("--require-newest"));
    assert_eq!((doc["is_latest"].clone(), code), (Value::Bool(true), 0));
}

#[test]
fn bad_revision_is_a_usage_error_and_not_a_repo_is_environment() {
    let repo = Repo::new();
    repo.commit("one");
    let out = repo.surestep().args(["--rev", "no-such-rev"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rev"));

    let empty = TempDir::new().unwrap();
    let out = surestep()
        .args(["check-tag", "--repo"])
        .arg(empty.path())
        .env("GIT_CEILING_DIRECTORIES", empty.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not inside a git repository") && stderr.contains("hint:"), "{stderr}");
}

#[test]
fn missing_git_is_an_environment_error() {
    let repo = Repo::new();
    repo.commit("one");
    let out = repo.surestep().env("PATH", "/nonexistent").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot run git"));
}

#[test]
fn json_errors_are_one_document_too() {
    let repo = Repo::new();
    repo.commit("one");
    let (doc, code) = json_of(repo.surestep().args(["--rev", "nope"]));
    assert_eq!(code, 2);
    assert_eq!(doc["exit_code"], 2);
    assert!(doc["error"]["message"].as_str().unwrap().contains("nope"));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    surestep().args(["check-tag", "--no-such-flag"]).assert().code(2);
    surestep().args(["check-tag", "--help"]).assert().code(0);
}

#[test]
fn no_color_and_plain_output_off_a_terminal() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.0.0"]);
    let out = repo.surestep().env("NO_COLOR", "1").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = repo.surestep().args(["--color", "always"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

// ---- version rules that give PyPI what it accepts ----------------------------------------------

#[test]
fn a_tag_with_build_metadata_is_ignored_with_a_reason_and_never_a_local_python_version() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3+build.5"]);
    let (doc, code) = json_of(&mut repo.surestep());
    assert_eq!((doc["has_tag"].clone(), code), (Value::Bool(false), 0), "{doc:#}");
    assert_eq!(doc["ignored"][0]["tag"], "v1.2.3+build.5");
    assert!(doc["ignored"][0]["reason"].as_str().unwrap().contains("build metadata"), "{doc:#}");
    // Beside the plain tag on the same commit, the plain tag is the release.
    repo.git(&["tag", "v1.2.3"]);
    let (doc, _) = json_of(&mut repo.surestep());
    assert_eq!(
        (doc["tag_name"].as_str(), doc["python_version"].as_str()),
        (Some("v1.2.3"), Some("1.2.3"))
    );
    assert_eq!(doc["tags"], serde_json::json!(["v1.2.3"]));
}

#[test]
fn post_releases_are_ordered_as_pep_440_orders_them_everywhere() {
    // v1.2.3-post.1 is 1.2.3.post1: above 1.2.3, for highest-wins, is_latest and
    // --require-newest alike.
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3"]);
    repo.git(&["tag", "v1.2.3-post.1"]);
    let (doc, code) = json_of(repo.surestep().args(["--allow-prerelease", "--require-newest"]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        (doc["tag_name"].as_str(), doc["python_version"].as_str()),
        (Some("v1.2.3-post.1"), Some("1.2.3.post1"))
    );
    assert_eq!(doc["is_latest"], true);
    // A later commit tagged v1.2.3 is below the post-release: not the latest, not the newest.
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3-post.1"]);
    repo.commit("two");
    repo.git(&["tag", "v1.2.3"]);
    let (doc, code) = json_of(repo.surestep().args(["--allow-prerelease", "--require-newest"]));
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["is_latest"], false);
    assert!(
        doc["checks"][0]["detail"].as_str().unwrap().contains("v1.2.3-post.1 is higher"),
        "{doc:#}"
    );
}

#[test]
fn version_files_compare_versions_not_strings() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.2.3"]);
    repo.write("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.2.3.0\"\n");
    let (doc, code) = json_of(repo.surestep().args(["--version-file", "pyproject.toml"]));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["checks"][0]["result"], "passed");
    repo.write("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.2.3.1\"\n");
    let (_, code) = json_of(repo.surestep().args(["--version-file", "pyproject.toml"]));
    assert_eq!(code, 1);
}

#[test]
fn a_cargo_workspace_member_reads_the_version_of_its_workspace_root() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v2.4.0"]);
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.4.0\"\n",
    );
    std::fs::create_dir_all(repo.path().join("crates/cli")).unwrap();
    repo.write("crates/cli/Cargo.toml", "[package]\nname = \"cli\"\nversion.workspace = true\n");
    let (doc, code) = json_of(repo.surestep().args(["--version-file", "crates/cli/Cargo.toml"]));
    assert_eq!(code, 0, "{doc:#}");
    let detail = doc["checks"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("declares 2.4.0") && detail.contains("version.workspace = true"),
        "{detail}"
    );
    // The root says otherwise: the member fails with it.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.3.9\"\n",
    );
    let (doc, code) = json_of(repo.surestep().args(["--version-file", "crates/cli/Cargo.toml"]));
    assert_eq!(code, 1, "{doc:#}");
    // No root at all: a failure that says where it looked.
    std::fs::remove_file(repo.path().join("Cargo.toml")).unwrap();
    let out = repo.surestep().args(["--version-file", "crates/cli/Cargo.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace root was found"));
}

// ---- an answer that cannot be established is never a pass -------------------------------------

#[test]
fn a_shallow_checkout_cannot_know_is_latest_and_require_newest_exits_3() {
    // actions/checkout's default: depth 1 and only the pushed tag, while a higher one exists.
    let origin = Repo::new();
    origin.commit("one");
    origin.git(&["tag", "v2.0.0"]);
    origin.commit("two");
    origin.git(&["tag", "v1.9.1"]);
    let work = TempDir::new().unwrap();
    let clone = work.path().join("clone");
    let url = format!("file://{}", origin.path().display());
    support::git(
        work.path(),
        &["clone", "-q", "--depth", "1", "--no-tags", &url, clone.to_str().unwrap()],
    );
    support::git(&clone, &["fetch", "-q", "--depth", "1", "origin", "tag", "v1.9.1"]);
    let check = |args: &[&str]| {
        let mut cmd = surestep();
        cmd.current_dir(&clone).arg("check-tag").args(args);
        json_of(&mut cmd)
    };
    let (doc, code) = check(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["tag_name"], "v1.9.1");
    assert_eq!(doc["is_latest"], Value::Null, "{doc:#}");
    let warnings = doc["warnings"].to_string();
    assert!(warnings.contains("shallow") && warnings.contains("--fetch"), "{warnings}");
    let (doc, code) = check(&["--require-newest"]);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["checks"][0]["result"], "unknown");
    assert!(doc["checks"][0]["detail"].as_str().unwrap().contains("--fetch"), "{doc:#}");
    // In Actions the output says unknown, never true.
    let out_file = work.path().join("out");
    let mut cmd = surestep();
    cmd.current_dir(&clone)
        .arg("check-tag")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out_file);
    cmd.assert().success();
    let outputs = read_github_outputs(&out_file);
    assert_eq!(github_output(&outputs, "is_latest"), "unknown");
    // --fetch brings every tag: the answer is known, and it is no.
    let (doc, code) = check(&["--require-newest", "--fetch"]);
    assert_eq!((code, doc["is_latest"].clone()), (1, Value::Bool(false)), "{doc:#}");
}

// ---- small things ------------------------------------------------------------------------------

#[test]
fn tags_on_blobs_or_trees_are_not_release_tags() {
    let repo = Repo::new();
    repo.commit("one");
    repo.git(&["tag", "v1.0.0"]);
    repo.write("f.txt", "hi");
    let blob = repo.git(&["hash-object", "-w", "f.txt"]).trim().to_owned();
    let tree = repo.git(&["write-tree"]).trim().to_owned();
    repo.git(&["tag", "v9.0.0", &blob]);
    repo.git(&["tag", "-a", "v8.0.0", "-m", "annotated, on a tree", &tree]);
    let (doc, code) = json_of(repo.surestep().arg("--require-newest"));
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        (doc["tag_name"].as_str(), doc["is_latest"].as_bool()),
        (Some("v1.0.0"), Some(true))
    );
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("v8.0.0")
            && warnings.contains("v9.0.0")
            && warnings.contains("blob or a tree"),
        "{warnings}"
    );
}

#[test]
fn a_thousand_ignored_tags_make_short_lines() {
    let repo = Repo::new();
    let sha = repo.commit("one");
    let refs: String =
        (0..1000).map(|i| format!("create refs/tags/nightly-{i:04} {sha}\n")).collect();
    let refs_file = repo.path().join(".git/refs-input");
    std::fs::write(&refs_file, refs).unwrap();
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(repo.path())
        .args(["update-ref", "--stdin"])
        .stdin(std::fs::File::open(&refs_file).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    for i in 0..30 {
        repo.git(&["tag", &format!("v1.0.{i}")]);
    }
    let out = repo.surestep().args(["--color", "never"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for line in stdout.lines().chain(stderr.lines()) {
        assert!(line.len() < 400, "a {}-byte line: {}", line.len(), &line[..200]);
    }
    assert!(stdout.contains("and 990 more tags that are not release tags"), "{stdout}");
    assert!(stderr.contains("and 25 more"), "{stderr}");
    // JSON keeps them all.
    let (doc, _) = json_of(&mut repo.surestep());
    assert_eq!(doc["ignored"].as_array().unwrap().len(), 1000);
}
