//! `verify-wheels --against` and `publish --against-previous` driven as a binary against real
//! pypiserver (PEP 503 HTML) and devpi-server (PEP 691 JSON) instances holding real releases:
//! tiny wheels built for cp310–cp313 × manylinux x86_64/aarch64 + musllinux + sdist
//! (scripts/peers/make_release.py), uploaded with twine, and MarkupSafe 3.0.3's real files.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::cli::{Run, run, surestep};
use support::*;

const PYS: &str = "cp310,cp311,cp312,cp313";
const PLATS: &str = "manylinux2014_x86_64.manylinux_2_17_x86_64,manylinux2014_aarch64.manylinux_2_17_aarch64,musllinux_1_2_x86_64";
const PLATS_2_28: &str = "manylinux_2_28_x86_64,manylinux_2_28_aarch64,musllinux_1_2_x86_64";
const MARKUPSAFE_PLATS: &str = "manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64,manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64";

/// A release built by make_release.py.
struct Build<'a> {
    name: &'a str,
    version: &'a str,
    pythons: &'a str,
    platforms: &'a str,
    sdist: bool,
    requires_python: &'a str,
    skip: &'a [&'a str],
}

impl<'a> Build<'a> {
    fn new(name: &'a str, version: &'a str) -> Self {
        Build {
            name,
            version,
            pythons: PYS,
            platforms: PLATS,
            sdist: true,
            requires_python: "",
            skip: &[],
        }
    }

    /// Writes the files into `dir` and returns their paths.
    fn write(&self, dir: &Path) -> Vec<PathBuf> {
        let mut cmd = Command::new(python());
        cmd.arg(scripts_dir().join("make_release.py")).arg(dir).args([
            self.name,
            self.version,
            "--python",
            self.pythons,
            "--platform",
            self.platforms,
        ]);
        if self.sdist {
            cmd.arg("--sdist");
        }
        if !self.requires_python.is_empty() {
            cmd.args(["--requires-python", self.requires_python]);
        }
        for s in self.skip {
            cmd.args(["--skip", s]);
        }
        let out = cmd.output().expect("run make_release.py");
        assert!(out.status.success(), "make_release.py: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(PathBuf::from).collect()
    }
}

/// MarkupSafe 3.0.3's real wheels and sdist. Under CI=true a missing fixture fails the test;
/// elsewhere it is skipped with one line.
fn markupsafe() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wheels/markupsafe-3.0.3");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing: the shared fixtures must be present in CI",
        dir.display()
    );
    eprintln!("SKIPPED: {} is absent (the shared fixtures are not checked out)", dir.display());
    None
}

/// An index holding: demo 1.0.0, 1.1.0 (the matrix) and 1.2.0rc1 (the matrix plus cp314);
/// halfdone 1.0.0 and half of 1.1.0; markupsafe 3.0.3 (when the fixture is present).
struct Populated {
    simple: String,
    upload: String,
    /// The proxy-free port of the server (for a closed-port neighbour).
    port: u16,
    _tmp: tempfile::TempDir,
}

fn populate(upload: &str, simple: &str, port: u16) -> Populated {
    let tmp = tempdir("against-releases");
    let mut files = Vec::new();
    for v in ["1.0.0", "1.1.0"] {
        files.extend(Build::new("demo", v).write(&tmp.path().join(v)));
    }
    files.extend(
        Build { pythons: "cp310,cp311,cp312,cp313,cp314", ..Build::new("demo", "1.2.0rc1") }
            .write(&tmp.path().join("rc1")),
    );
    files.extend(Build::new("halfdone", "1.0.0").write(&tmp.path().join("h1")));
    let half = Build { pythons: "cp310,cp311", sdist: false, ..Build::new("halfdone", "1.1.0") }
        .write(&tmp.path().join("h2"));
    files.extend(half);
    if let Some(dir) = markupsafe() {
        let mut real: Vec<PathBuf> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        real.sort();
        files.extend(real);
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    twine_upload(upload, support::pypi::USER, support::pypi::PASS, &refs);
    Populated { simple: simple.to_owned(), upload: upload.to_owned(), port, _tmp: tmp }
}

fn pypiserver() -> &'static Populated {
    static SERVER: OnceLock<PyPiServer> = OnceLock::new();
    static INDEX: OnceLock<Populated> = OnceLock::new();
    INDEX.get_or_init(|| {
        let server = SERVER.get_or_init(PyPiServer::start);
        populate(&server.upload_url(), &server.simple_url(), server.port())
    })
}

fn devpi() -> &'static Populated {
    static INDEX: OnceLock<Populated> = OnceLock::new();
    INDEX.get_or_init(|| {
        let devpi = Devpi::shared();
        let index = devpi.create_index("against", false);
        populate(&index.upload_url, &index.simple_url, devpi.port())
    })
}

fn both() -> [(&'static str, &'static Populated); 2] {
    [("pypiserver", pypiserver()), ("devpi", devpi())]
}

fn verify(dist: &Path, against: &str, extra: &[&str]) -> Run {
    run(surestep()
        .args(["--json", "--no-progress", "verify-wheels"])
        .arg(dist)
        .args(["--against", against])
        .args(extra))
}

fn against(run: &Run) -> Value {
    run.json()["against"].clone()
}

fn cells_with(run: &Run, status: &str) -> Vec<String> {
    against(run)["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("no cells: {}", run.all()))
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["cell"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_release_that_covers_everything_passes_with_one_request() {
    for (server, index) in both() {
        let tmp = tempdir("against");
        Build::new("demo", "1.2.0").write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        let a = against(&r);
        // 1.2.0rc1 is a pre-release: a final is compared with the last final.
        assert_eq!(a["previous_version"], "1.1.0", "{server}: {}", r.all());
        assert_eq!(cells_with(&r, "kept").len(), 13, "{server}: {}", r.all());
        assert_eq!(a["dropped"], Value::Array(vec![]), "{server}");
        assert_eq!(a["added"], Value::Array(vec![]), "{server}");
        assert_eq!(a["requests"], 1, "{server}: one read of the project page");
        assert_eq!(a["index"], index.simple.as_str());
    }
}

#[test]
fn a_lost_aarch64_wheel_fails_naming_it_and_the_previous_version() {
    for (server, index) in both() {
        let tmp = tempdir("against");
        Build { skip: &["cp312-cp312-manylinux2014_aarch64"], ..Build::new("demo", "1.2.0") }
            .write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 1, "{server}: {}", r.all());
        let dropped = &against(&r)["dropped"];
        assert_eq!(dropped.as_array().unwrap().len(), 1, "{server}: {}", r.all());
        assert_eq!(dropped[0]["cell"], "cp312-cp312 manylinux aarch64");
        assert_eq!(dropped[0]["previous_version"], "1.1.0");
        let problem = r.json()["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == "dropped_since_previous")
            .cloned()
            .unwrap_or_else(|| panic!("{server}: {}", r.all()));
        let message = problem["message"].as_str().unwrap();
        assert!(
            message.contains("demo 1.1.0")
                && message.contains(
                    "demo-1.1.0-cp312-cp312-manylinux2014_aarch64.manylinux_2_17_aarch64.whl"
                ),
            "{message}"
        );
    }
    // The text report shows the previous column set and names the wheel.
    let tmp = tempdir("against");
    Build { skip: &["cp312-cp312-manylinux2014_aarch64"], ..Build::new("demo", "1.2.0") }
        .write(tmp.path());
    let r = run(surestep()
        .args(["--no-progress", "--color", "never", "verify-wheels"])
        .arg(tmp.path())
        .args(["--against", &devpi().simple]));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("previous"), "{}", r.all());
    assert!(
        r.stdout.contains("✗ cp312-cp312 manylinux aarch64 was in demo 1.1.0 (demo-1.1.0-cp312"),
        "{}",
        r.all()
    );
}

#[test]
fn manylinux2014_to_2_28_is_a_warning_naming_both_tags() {
    for (server, index) in both() {
        let tmp = tempdir("against");
        Build { platforms: PLATS_2_28, ..Build::new("demo", "1.2.0") }.write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        assert_eq!(cells_with(&r, "changed").len(), 8, "{server}: {}", r.all());
        assert!(
            r.stderr.contains("manylinux_2_28_aarch64")
                && r.stderr.contains("manylinux2014_aarch64"),
            "{server}: the warning names both tags: {}",
            r.all()
        );
    }
}

#[test]
fn dropping_cp310_passes_only_when_requires_python_or_allow_drop_says_so() {
    for (server, index) in both() {
        let with = tempdir("against");
        Build {
            pythons: "cp311,cp312,cp313",
            requires_python: ">=3.11",
            ..Build::new("demo", "1.2.0")
        }
        .write(with.path());
        let r = verify(with.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        let excused = against(&r)["excused"].as_array().unwrap().clone();
        assert_eq!(excused.len(), 3, "{server}: {}", r.all());
        assert!(excused[0].as_str().unwrap().contains("Requires-Python >=3.11 excludes cp310"));

        let without = tempdir("against");
        Build { pythons: "cp311,cp312,cp313", ..Build::new("demo", "1.2.0") }.write(without.path());
        let r = verify(without.path(), &index.simple, &[]);
        assert_eq!(r.code, 1, "{server}: {}", r.all());
        assert_eq!(against(&r)["dropped"].as_array().unwrap().len(), 3, "{server}");

        let r = verify(without.path(), &index.simple, &["--allow-drop", "cp310"]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        assert!(against(&r)["excused"][0].as_str().unwrap().contains("--allow-drop cp310"));
    }
}

#[test]
fn a_pre_release_is_compared_with_the_last_pre_release() {
    for (server, index) in both() {
        // 1.2.0rc1 added cp314: 1.2.0rc2 without it drops it; 1.2.0 (final) is compared with
        // 1.1.0 and passes without it.
        let tmp = tempdir("against");
        Build::new("demo", "1.2.0rc2").write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 1, "{server}: {}", r.all());
        assert_eq!(against(&r)["previous_version"], "1.2.0rc1", "{server}");
        let dropped: Vec<String> = against(&r)["dropped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["cell"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(dropped.len(), 3, "{server}: {dropped:?}");
        assert!(dropped.iter().all(|c| c.starts_with("cp314-cp314")), "{dropped:?}");
    }
}

#[test]
fn new_cells_are_listed_as_additions() {
    let tmp = tempdir("against");
    Build { pythons: "cp310,cp311,cp312,cp313,cp314", ..Build::new("demo", "1.2.0") }
        .write(tmp.path());
    let r = verify(tmp.path(), &pypiserver().simple, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(against(&r)["added"].as_array().unwrap().len(), 3, "{}", r.all());
}

#[test]
fn the_same_version_partly_on_the_index_counts_as_covered() {
    for (server, index) in both() {
        let tmp = tempdir("against");
        // cp310 and cp311 of 1.1.0 are on the index already; dist/ holds the rest.
        Build { pythons: "cp312,cp313", ..Build::new("halfdone", "1.1.0") }.write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        let a = against(&r);
        assert_eq!(a["previous_version"], "1.0.0", "{server}");
        assert_eq!(a["already_on_index"].as_array().unwrap().len(), 6, "{server}: {}", r.all());
        assert_eq!(cells_with(&r, "kept").len(), 13, "{server}: {}", r.all());
    }
}

#[test]
fn markupsafe_3_0_3_is_the_previous_release_of_a_dist_missing_one_wheel() {
    if markupsafe().is_none() {
        return;
    }
    for (server, index) in both() {
        let tmp = tempdir("against");
        Build {
            pythons: "cp310,cp311,cp312,cp313,cp314",
            platforms: MARKUPSAFE_PLATS,
            requires_python: ">=3.9",
            skip: &["cp314-cp314-manylinux2014_aarch64"],
            ..Build::new("MarkupSafe", "3.0.4")
        }
        .write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 1, "{server}: {}", r.all());
        let a = against(&r);
        assert_eq!(a["previous_version"], "3.0.3", "{server}");
        assert_eq!(a["dropped"].as_array().unwrap().len(), 1, "{server}: {}", r.all());
        assert_eq!(
            a["dropped"][0]["previous_files"][0],
            "markupsafe-3.0.3-cp314-cp314-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl"
        );
        assert_eq!(cells_with(&r, "kept").len(), 10, "{server}: {}", r.all());
    }
}

#[test]
fn a_project_not_on_the_index_passes_saying_there_is_no_previous_release() {
    for (server, index) in both() {
        let tmp = tempdir("against");
        Build::new("brandnew", "0.1.0").write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        assert_eq!(against(&r)["previous_version"], Value::Null);
        assert!(
            against(&r)["summary"].as_str().unwrap().starts_with("no previous release"),
            "{server}: {}",
            r.all()
        );
    }
    // A first release of a project that is on the index: nothing below it.
    let tmp = tempdir("against");
    Build::new("demo", "0.9.0").write(tmp.path());
    let r = verify(tmp.path(), &devpi().simple, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(against(&r)["previous_version"], Value::Null);
}

#[test]
fn a_mistyped_index_url_is_not_a_first_release() {
    // A project page's 404 means "never released" only on a real index: the simple root is
    // asked too, so a wrong URL exits 3 instead of passing as "no previous release".
    // publish --against-previous with a mistyped --check-url stops before any upload
    // (the loop below then finds brandnew still unreleased on pypiserver).
    let index = pypiserver();
    let tmp = tempdir("against");
    Build::new("brandnew", "0.2.0").write(tmp.path());
    let wrong = index.simple.replace("/simple/", "/simpel/");
    let r = run(surestep()
        .args(["--json", "--no-progress", "publish"])
        .args(["--repository-url", &index.upload, "--check-url", &wrong])
        .args(["-u", support::pypi::USER, "-p", support::pypi::PASS, "--against-previous"])
        .arg(tmp.path()));
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.all().contains("not a simple index"), "{}", r.all());
    for (server, index) in both() {
        // A typo in the last segment, and a wrong first segment (same host and port).
        let path_at = index.simple.find("://").unwrap() + 3;
        let path_at = path_at + index.simple[path_at..].find('/').unwrap();
        let mistyped = [
            format!("{}x/", index.simple.trim_end_matches('/')),
            format!("{}/nope{}", &index.simple[..path_at], &index.simple[path_at..]),
        ];
        for wrong in &mistyped {
            let tmp = tempdir("against");
            Build::new("brandnew", "0.1.0").write(tmp.path());
            let r = verify(tmp.path(), wrong, &[]);
            assert_eq!(r.code, 3, "{server} {wrong}: {}", r.all());
            let problems = r.json()["problems"].clone();
            let p = problems
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["code"] == "index_unreadable")
                .unwrap_or_else(|| panic!("{server} {wrong}: {}", r.all()));
            let text = p["message"].as_str().unwrap();
            assert!(text.contains("not a simple index"), "{server} {wrong}: {text}");
            assert!(text.contains(wrong.as_str()), "the root is named: {text}");
        }
        // The right URL: still a first release (the root answers), one extra request.
        let tmp = tempdir("against");
        Build::new("brandnew", "0.1.0").write(tmp.path());
        let r = verify(tmp.path(), &index.simple, &[]);
        assert_eq!(r.code, 0, "{server}: {}", r.all());
        assert_eq!(against(&r)["requests"], 2, "{server}: the page and the root: {}", r.all());
    }
    // devpi answers a root listing at `…/<user>/<index>/` too, but serves project pages only
    // under `+simple/`: a project the root lists yet whose page is 404 is a wrong URL, never
    // "no previous release" (demo has three releases there).
    let without_plus = devpi().simple.replace("+simple/", "");
    let tmp = tempdir("against");
    Build::new("demo", "1.3.0").write(tmp.path());
    let r = verify(tmp.path(), &without_plus, &[]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.all().contains("lists demo"), "{}", r.all());
}

#[test]
fn an_index_that_cannot_be_read_exits_3_and_writes_no_checksums() {
    let tmp = tempdir("against");
    let dist = tmp.path().join("dist");
    Build::new("demo", "1.2.0").write(&dist);
    let closed = free_port();
    let sums = tmp.path().join("SHA256SUMS");
    let r = verify(
        &dist,
        &format!("http://127.0.0.1:{closed}/simple/"),
        &["--write-checksums", sums.to_str().unwrap()],
    );
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.json()["problems"].as_array().unwrap().iter().any(|p| p["code"] == "index_unreadable"),
        "{}",
        r.all()
    );
    assert!(!sums.exists(), "a run that could not compare writes no manifest");
}

#[test]
fn requests_are_counted_through_a_proxy_one_per_index() {
    let index = devpi();
    let proxy = FaultProxy::start(index.port, &Faults::default());
    let simple = index.simple.replace(&format!(":{}/", index.port), &format!(":{}/", proxy.port()));
    let tmp = tempdir("against");
    Build::new("demo", "1.2.0").write(tmp.path());
    let r = verify(tmp.path(), &simple, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "one request per index: {seen:?}");
    assert!(seen[0].path.ends_with("/+simple/demo/"), "{seen:?}");
}

#[test]
fn publish_against_previous_refuses_a_release_that_lost_a_wheel_before_any_upload() {
    let index = pypiserver();
    let tmp = tempdir("against");
    Build { skip: &["cp311-cp311-musllinux"], ..Build::new("demo", "1.3.0") }.write(tmp.path());
    let publish = |extra: &[&str]| {
        run(surestep()
            .args(["--json", "--no-progress", "publish"])
            .args(["--repository-url", &index.upload, "--check-url", &index.simple])
            .args(["-u", support::pypi::USER, "-p", support::pypi::PASS, "--against-previous"])
            .args(extra)
            .arg(tmp.path()))
    };
    let r = publish(&[]);
    assert_eq!(r.code, 1, "{}", r.all());
    let j = r.json();
    assert_eq!(j["upload_requests"], 0, "nothing may be sent: {}", r.all());
    assert_eq!(j["index_requests"], 1, "the plan's one read answers the check: {}", r.all());
    assert_eq!(j["against"][0]["dropped"][0]["cell"], "cp311-cp311 musllinux x86_64");
    assert!(j["refusals"][0].as_str().unwrap().contains("demo 1.1.0"), "{}", r.all());
    assert!(j["files"].as_array().unwrap().iter().all(|f| f["action"] == "held"), "{}", r.all());
    // Dropping it on purpose lets the release through.
    let r = publish(&["--allow-drop", "musllinux_x86_64", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.json()["files"].as_array().unwrap().iter().all(|f| f["action"] == "would_upload"));
}

#[test]
fn bad_against_flags_are_usage_errors_before_anything_is_read() {
    let tmp = tempdir("against");
    Build::new("demo", "1.2.0").write(tmp.path());
    let closed = format!("http://127.0.0.1:{}/simple/", free_port());
    for (args, what) in [
        (vec!["--allow-drop", "not a python"], "--allow-drop"),
        (vec!["--username", "someone"], "--username was given without a password"),
    ] {
        let r = verify(tmp.path(), &closed, &args);
        assert_eq!(r.code, 2, "{what}: {}", r.all());
        assert!(r.all().contains(what), "{}", r.all());
    }
    let r = verify(tmp.path(), "ftp://127.0.0.1/simple/", &[]);
    assert_eq!(r.code, 2, "{}", r.all());
    // --allow-drop means nothing without --against.
    let r = run(surestep().args(["verify-wheels"]).arg(tmp.path()).args(["--allow-drop", "cp38"]));
    assert_eq!(r.code, 2, "{}", r.all());
}
