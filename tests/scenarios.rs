//! The seeds' release races, replayed end to end: each test is one story from a release
//! workflow, driving the real binary against the real servers of `tests/support` on 127.0.0.1,
//! asserting what a release engineer would notice (exit codes, outputs, what the server holds
//! afterwards) and printing a one-line verdict (`cargo test --test scenarios -- --nocapture`).

mod support;

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::cli::{Run, github_output, read_github_outputs, run, scrub_env};
use support::http::{self, MANIFEST_ACCEPT};
use support::{Registry, RegistryAuth};

// ------------------------------------------------------------------------------------ helpers

/// `surestep ARGS...` with a clean environment, in `dir`.
fn surestep(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = support::cli::surestep();
    cmd.current_dir(dir).args(args).timeout(Duration::from_secs(60));
    cmd
}

/// The one-line verdict of a story.
fn verdict(scenario: &str, text: &str) {
    println!("VERDICT {scenario}: {text}");
}

/// A throw-away git repository with a fixed identity.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: support::tempdir("scenario-repo") };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "release-bot")
            .env("GIT_AUTHOR_EMAIL", "release-bot@example.invalid")
            .env("GIT_COMMITTER_NAME", "release-bot")
            .env("GIT_COMMITTER_EMAIL", "release-bot@example.invalid")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
    fn commit(&self, message: &str) -> String {
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
    /// A `workflow_run` event file whose run was for `head_sha`.
    fn workflow_run_event(&self, head_sha: &str, head_branch: &str) -> PathBuf {
        let path = self.path().join(format!("event-{}.json", &head_sha[..7]));
        let event = serde_json::json!({
            "action": "completed",
            "workflow_run": {"head_sha": head_sha, "head_branch": head_branch, "event": "push"}
        });
        std::fs::write(&path, event.to_string()).unwrap();
        path
    }
}

// --------------------------------------------------------------- 1. tag read from workflow_run

/// Commit and tag pushed together; the release workflow runs on `workflow_run` (after CI), where
/// `GITHUB_SHA` is the default branch's tip. check-tag must answer for `head_sha`.
#[test]
fn s1_workflow_run_release_reads_the_tag_of_head_sha_not_the_branch_tip() {
    let repo = Repo::new();
    let tagged = repo.commit("release 1.4.0");
    repo.git(&["tag", "-a", "v1.4.0", "-m", "1.4.0"]);
    // Someone merged to main while CI ran: the default branch's tip is now a later commit.
    let tip = repo.commit("docs: typo");
    let gh = support::tempdir("s1-gh");
    let out = gh.path().join("output");

    let check_tag = |event: &Path, out: &Path| {
        run(surestep(repo.path(), &["check-tag"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", event)
            .env("GITHUB_SHA", &tip)
            .env("GITHUB_REF", "refs/heads/main")
            .env("GITHUB_OUTPUT", out)
            .env("GITHUB_STEP_SUMMARY", gh.path().join("summary")))
    };

    // The run for the tagged commit: released.
    let r = check_tag(&repo.workflow_run_event(&tagged, "v1.4.0"), &out);
    assert_eq!(r.code, 0, "{r}");
    let outputs = read_github_outputs(&out);
    assert_eq!(github_output(&outputs, "has_tag"), "true");
    assert_eq!(github_output(&outputs, "tag_name"), "v1.4.0");
    assert_eq!(github_output(&outputs, "python_version"), "1.4.0");
    assert_eq!(github_output(&outputs, "commit"), tagged, "the commit is head_sha, not GITHUB_SHA");

    // The run for the untagged push to main: not a release, and not an error either.
    let out2 = gh.path().join("output2");
    let r = check_tag(&repo.workflow_run_event(&tip, "main"), &out2);
    assert_eq!(r.code, 0, "no tag is not an error: {r}");
    let outputs = read_github_outputs(&out2);
    assert_eq!(github_output(&outputs, "has_tag"), "false");
    assert_eq!(github_output(&outputs, "commit"), tip);

    verdict(
        "1 workflow_run",
        &format!(
            "PASS: head_sha {} -> has_tag=true v1.4.0 (GITHUB_SHA {} ignored); untagged push -> has_tag=false, exit 0",
            &tagged[..7],
            &tip[..7]
        ),
    );
}

// ----------------------------------------------------------- 2. stale :latest vs the new build

const REG_USER: &str = "deployer";
const REG_PASS: &str = "reg-pass-Vt81x";

/// GET a manifest by reference with Basic auth; returns (bytes, Docker-Content-Digest).
fn get_manifest(reg: &Registry, repo: &str, reference: &str) -> (Vec<u8>, Option<String>) {
    let url = format!("{}/v2/{repo}/manifests/{reference}", reg.url());
    let auth = http::basic_auth(REG_USER, REG_PASS);
    let r =
        http::request("GET", &url, &[("Accept", MANIFEST_ACCEPT), ("Authorization", &auth)], b"")
            .expect("GET manifest");
    assert_eq!(r.status, 200, "GET {url}: {}", r.text());
    let digest = r.header("Docker-Content-Digest").map(str::to_owned);
    (r.body, digest)
}

/// The deploy job starts `wait-for-image --revision auto` while `:latest` still serves the
/// previous build; the new multi-arch build is pushed 2.5 s later. The step must output the new
/// digest (never the old one) and the pinned `name@sha256:` must resolve to the new image.
#[test]
fn s2_deploy_waits_through_the_stale_latest_and_pins_the_new_build() {
    const OLD: &str = "1d1d1d1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let reg = Registry::start(RegistryAuth::htpasswd(REG_USER, REG_PASS));
    let repo = Repo::new();
    let new_rev = repo.commit("feature: the new build");
    let platforms = ["linux/amd64", "linux/arm64"];
    let old = reg.push_image("shop/web", "latest", OLD, &platforms);

    let gh = support::tempdir("s2-gh");
    let out = gh.path().join("output");
    let event = repo.workflow_run_event(&new_rev, "main");
    let image = format!("{}/shop/web:latest", reg.host_port());
    let started = Instant::now();
    let (r, new) = std::thread::scope(|s| {
        let push = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(2500));
            reg.push_image("shop/web", "latest", &new_rev, &platforms)
        });
        let r = run(surestep(repo.path(), &["wait-for-image", &image, "--revision", "auto"])
            .args(["--platform", "linux/amd64,linux/arm64", "--timeout", "40s"])
            .args(["--interval", "300ms", "--no-progress", "--github", "always"])
            .args(["--username", REG_USER])
            .env("SURESTEP_REGISTRY_PASSWORD", REG_PASS)
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_SHA", OLD) // workflow_run: the default branch's tip
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_STEP_SUMMARY", gh.path().join("summary")));
        (r, push.join().expect("push thread"))
    });
    assert_ne!(old, new);
    assert_eq!(r.code, 0, "{r}");
    assert!(started.elapsed() >= Duration::from_millis(2500), "it waited for the push");
    let outputs = read_github_outputs(&out);
    let pinned = format!("{}/shop/web@{new}", reg.host_port());
    assert_eq!(github_output(&outputs, "digest"), new);
    assert_eq!(github_output(&outputs, "image"), pinned);
    assert_eq!(github_output(&outputs, "revision"), new_rev);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(&old), "the stale digest must never be an output:\n{text}");
    // The password appears only in the ::add-mask:: line that hides it from the log.
    let all = r.all();
    let leaks: Vec<&str> = all.lines().filter(|l| l.contains(REG_PASS)).collect();
    assert!(leaks.iter().all(|l| *l == format!("::add-mask::{REG_PASS}")), "{leaks:?}");
    assert!(!text.contains(REG_PASS));

    // What the deploy would pull: the pinned reference, verified byte for byte, is the new
    // build on both platforms.
    let (index, served) = get_manifest(&reg, "shop/web", &new);
    assert_eq!(
        format!("sha256:{}", support::sha256_hex(&index)),
        new,
        "bytes match the pinned digest"
    );
    assert_eq!(served.as_deref(), Some(new.as_str()));
    let index: Value = serde_json::from_slice(&index).unwrap();
    let mut seen = Vec::new();
    for m in index["manifests"].as_array().expect("an OCI index") {
        let (bytes, _) = get_manifest(&reg, "shop/web", m["digest"].as_str().unwrap());
        let manifest: Value = serde_json::from_slice(&bytes).unwrap();
        let rev = &manifest["annotations"]["org.opencontainers.image.revision"];
        assert_eq!(rev, new_rev.as_str(), "platform manifest {} is the new build", m["digest"]);
        seen.push(format!(
            "{}/{}",
            m["platform"]["os"].as_str().unwrap(),
            m["platform"]["architecture"].as_str().unwrap()
        ));
    }
    seen.sort();
    assert_eq!(seen, platforms);

    verdict(
        "2 stale image",
        &format!(
            "PASS: waited {}s through stale {} and pinned the new build {} ({}), never the old digest",
            github_output(&outputs, "waited_seconds"),
            &old[..19],
            &new[..19],
            seen.join("+")
        ),
    );
}

// ------------------------------------------------------- shared by the publishing scenarios

const VERSION: &str = "3.0.3";
const PYTHONS: &str = "3.10,3.11,3.12,3.13,3.14";
const PLATFORMS: &str = "manylinux_x86_64,manylinux_aarch64";

/// MarkupSafe 3.0.3 as published on PyPI: 10 wheels (2 platforms × 5 Pythons) and the sdist.
fn fixture_dir() -> PathBuf {
    let dir = support::repo_root().join("../shared/fixtures/wheels/markupsafe-3.0.3");
    assert!(
        dir.is_dir(),
        "the shared fixtures are missing: {} (check out shared/ beside the repo)",
        dir.display()
    );
    dir
}

/// A writable copy of the fixture release in `DIR/dist`; returns the files, sorted.
fn dist_in(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(fixture_dir()).unwrap() {
        let src = entry.unwrap().path();
        let dst = dist.join(src.file_name().unwrap());
        std::fs::copy(&src, &dst).unwrap();
        let mut perm = std::fs::metadata(&dst).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&dst, perm).unwrap();
        files.push(dst);
    }
    files.sort();
    assert_eq!(files.len(), 11, "10 wheels and the sdist in {}", fixture_dir().display());
    (dist, files)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// `surestep verify-wheels DIST` with the release matrix of the example workflow.
fn verify_wheels(dir: &Path, dist: &Path) -> Command {
    let mut cmd = surestep(dir, &["verify-wheels"]);
    cmd.arg(dist).args(["--from-tag", &format!("v{VERSION}"), "--python", PYTHONS]).args([
        "--platform",
        PLATFORMS,
        "--sdist",
    ]);
    cmd
}

/// One index under test.
struct Index {
    label: &'static str,
    upload: String,
    simple: String,
}

impl Index {
    /// `surestep publish DIST` to this index, credentials from the environment as in CI.
    fn publish(&self, dir: &Path, dist: &Path) -> Command {
        let mut cmd = surestep(dir, &["publish"]);
        cmd.arg(dist)
            .args(["--repository-url", &self.upload, "--check-url", &self.simple])
            .args(["--trusted-publishing", "never", "--no-progress"])
            .env("TWINE_USERNAME", support::pypi::USER)
            .env("TWINE_PASSWORD", support::pypi::PASS);
        cmd
    }

    /// file name → sha256 as the index lists them for markupsafe (PEP 503 HTML `#sha256=`);
    /// panics when a file is listed twice.
    fn files(&self) -> Vec<(String, String)> {
        let r = http::request(
            "GET",
            &format!("{}markupsafe/", self.simple),
            &[("Accept", "text/html")],
            b"",
        )
        .expect("GET simple page");
        if r.status == 404 {
            return Vec::new();
        }
        assert_eq!(r.status, 200, "{} simple page: {}", self.label, r.text());
        let mut out: Vec<(String, String)> = Vec::new();
        for piece in r.text().split("href=\"").skip(1) {
            let href = &piece[..piece.find('"').unwrap()];
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let name = path.rsplit('/').next().unwrap().to_owned();
            assert!(
                out.iter().all(|(n, _)| *n != name),
                "{}: {name} listed twice:\n{}",
                self.label,
                r.text()
            );
            out.push((name, fragment.strip_prefix("sha256=").unwrap_or("").to_owned()));
        }
        out.sort();
        out
    }

    /// The index lists exactly these files, each once, with our sha256.
    fn assert_holds_exactly(&self, files: &[PathBuf]) {
        let mut want: Vec<(String, String)> =
            files.iter().map(|f| (file_name(f), support::sha256_file(f))).collect();
        want.sort();
        assert_eq!(self.files(), want, "{} holds exactly our files with our sha256", self.label);
    }
}

fn pypiserver_index(server: &support::PyPiServer) -> Index {
    Index { label: "pypiserver", upload: server.upload_url(), simple: server.simple_url() }
}

fn devpi_index(name: &str) -> Index {
    let index = support::Devpi::shared().create_index(name, false);
    Index { label: "devpi", upload: index.upload_url, simple: index.simple_url }
}

// --------------------------------------------- 3. the artifact cache raced the matrix upload

/// The cache was cleaned while the matrix uploaded its artifacts: one wheel is missing, another
/// truncated. verify-wheels must fail naming both; publish must upload nothing.
#[test]
fn s3_a_missing_and_a_truncated_wheel_stop_the_release_before_any_upload() {
    let work = support::tempdir("s3");
    let (dist, files) = dist_in(work.path());
    let missing =
        files.iter().find(|f| file_name(f).contains("cp313-cp313-manylinux2014_aarch64")).unwrap();
    let truncated =
        files.iter().find(|f| file_name(f).contains("cp312-cp312-manylinux2014_x86_64")).unwrap();
    std::fs::remove_file(missing).unwrap();
    let len = std::fs::metadata(truncated).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(truncated).unwrap().set_len(len / 2).unwrap();

    let sums = work.path().join("SHA256SUMS");
    let r = run(verify_wheels(work.path(), &dist).arg("--write-checksums").arg(&sums));
    assert_eq!(r.code, 1, "{r}");
    let all = r.all();
    assert!(all.contains(&file_name(truncated)), "names the truncated wheel: {r}");
    assert!(all.contains("cp313") && all.contains("missing"), "names the missing cell: {r}");
    assert!(!sums.exists(), "no checksums manifest after a failed verification");

    // Even a publish that runs anyway (`if: always()`, or a hand re-run) sends nothing.
    let server = support::PyPiServer::start();
    let index = pypiserver_index(&server);
    let r = run(&mut index.publish(work.path(), &dist));
    assert_eq!(r.code, 1, "{r}");
    assert!(r.all().contains(&file_name(truncated)), "names the truncated wheel: {r}");
    assert_eq!(index.files(), vec![], "the index holds nothing");
    let on_disk = std::fs::read_dir(server.packages_dir()).unwrap().count();
    assert_eq!(on_disk, 0, "pypiserver received no file");

    verdict(
        "3 cache race",
        "PASS: verify-wheels exit 1 naming the truncated cp312 x86_64 wheel and the missing cp313 × aarch64 cell; publish exit 1, 0 files on the index",
    );
}

// ------------------------------------ 4. two tag workflows publish at once; a half-done re-run

fn spawn_publish(index: &Index, dir: &Path, dist: &Path) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("surestep"));
    scrub_env(&mut cmd);
    cmd.current_dir(dir)
        .arg("publish")
        .arg(dist)
        .args(["--json", "--repository-url", &index.upload, "--check-url", &index.simple])
        .args(["--trusted-publishing", "never", "--no-progress"])
        .env("TWINE_USERNAME", support::pypi::USER)
        .env("TWINE_PASSWORD", support::pypi::PASS)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.spawn().expect("spawn surestep publish")
}

/// Two publishes of the same dist started at the same moment, through a proxy that adds 150 ms
/// each way (an index across the internet), so both read the index before either has uploaded:
/// both exit 0, the index holds every file once with our sha256, and the proxy saw more uploads
/// than files (the race really happened). Returns (uploaded by a, by b, upload POSTs).
fn race(index: &Index, dir: &Path, dist: &Path, files: &[PathBuf]) -> (u64, u64, usize) {
    let origin = index.upload.split('/').take(3).collect::<Vec<_>>().join("/");
    let port: u16 = origin.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = support::FaultProxy::start(
        port,
        &support::Faults { latency_ms: 150, ..Default::default() },
    );
    let far = Index {
        label: index.label,
        upload: index.upload.replace(&origin, &proxy.url()),
        simple: index.simple.replace(&origin, &proxy.url()),
    };
    let a = spawn_publish(&far, dir, dist);
    let b = spawn_publish(&far, dir, dist);
    let mut uploaded = Vec::new();
    for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
        let r = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: Duration::ZERO,
        };
        assert_eq!(r.code, 0, "{}: both racing runs succeed: {r}", index.label);
        let doc = r.json();
        let (up, skip) = (doc["uploaded"].as_u64().unwrap(), doc["skipped"].as_u64().unwrap());
        assert_eq!(up + skip, files.len() as u64, "{}: every file accounted for: {r}", index.label);
        uploaded.push(up);
    }
    index.assert_holds_exactly(files);
    let posts = proxy.requests().iter().filter(|r| r.method == "POST").count();
    assert!(
        posts > files.len(),
        "{}: both runs uploaded at once ({posts} upload requests)",
        index.label
    );
    (uploaded[0], uploaded[1], posts)
}

/// A release whose first attempt (twine) died half-way: the re-run completes it.
fn half_done_rerun(index: &Index, dir: &Path, dist: &Path, files: &[PathBuf]) -> (u64, u64) {
    let early: Vec<&Path> = files.iter().take(files.len() / 2).map(PathBuf::as_path).collect();
    support::twine_upload(&index.upload, support::pypi::USER, support::pypi::PASS, &early);
    let r = run(index.publish(dir, dist).arg("--json"));
    assert_eq!(r.code, 0, "{}: the re-run completes: {r}", index.label);
    let doc = r.json();
    let (up, skip) = (doc["uploaded"].as_u64().unwrap(), doc["skipped"].as_u64().unwrap());
    assert_eq!(skip, early.len() as u64, "{}: twine's files are skipped: {r}", index.label);
    assert_eq!(
        up,
        (files.len() - early.len()) as u64,
        "{}: the rest is uploaded: {r}",
        index.label
    );
    index.assert_holds_exactly(files);
    (up, skip)
}

#[test]
fn s4_two_tag_workflows_publish_at_once_then_a_half_done_release_is_rerun() {
    let work = support::tempdir("s4");
    let (dist, files) = dist_in(work.path());
    let n = files.len();
    let tag = format!("s4x{}", std::process::id());

    // pypiserver (409 on a re-upload) and devpi (identical re-upload accepted), side by side.
    let (pypi_race, pypi_rerun, devpi_race, devpi_rerun) = std::thread::scope(|s| {
        let pypi = s.spawn(|| {
            let racing = support::PyPiServer::start();
            let raced = race(&pypiserver_index(&racing), work.path(), &dist, &files);
            let fresh = support::PyPiServer::start();
            let rerun = half_done_rerun(&pypiserver_index(&fresh), work.path(), &dist, &files);
            (raced, rerun)
        });
        let devpi = s.spawn(|| {
            let raced = race(&devpi_index(&format!("{tag}race")), work.path(), &dist, &files);
            let rerun =
                half_done_rerun(&devpi_index(&format!("{tag}rerun")), work.path(), &dist, &files);
            (raced, rerun)
        });
        let (p, d) = (pypi.join().unwrap(), devpi.join().unwrap());
        (p.0, p.1, d.0, d.1)
    });

    verdict(
        "4 concurrent publish",
        &format!(
            "PASS: {n} files; pypiserver race: {} upload requests, runs report {}+{} uploaded, both exit 0; re-run after twine uploaded {}: {} uploaded/{} skipped; devpi race: {} upload requests, {}+{} uploaded; re-run {} uploaded/{} skipped; every file once with our sha256",
            pypi_race.2,
            pypi_race.0,
            pypi_race.1,
            pypi_rerun.1,
            pypi_rerun.0,
            pypi_rerun.1,
            devpi_race.2,
            devpi_race.0,
            devpi_race.1,
            devpi_rerun.0,
            devpi_rerun.1
        ),
    );
}

// ------------------------------------------------------------- 5. a crashed terraform apply

const STATE: &str = "prod/terraform.tfstate";

/// A Terraform lock body (`json.Marshal(statemgr.LockInfo)`: field order and names exact).
fn lock_body(id: &str, who: &str, bucket: &str, age: Duration) -> String {
    let created = std::time::SystemTime::now() - age;
    let secs = created.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    // RFC 3339 UTC from the Unix time (civil-from-days), with nanoseconds as Go prints them.
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let created = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.123456789Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    format!(
        r#"{{"ID":"{id}","Operation":"OperationTypeApply","Info":"","Who":"{who}","Version":"1.11.2","Created":"{created}","Path":"{bucket}/{STATE}"}}"#
    )
}

/// Takes the lock as Terraform's `lockWithFile` does: PutObject `If-None-Match: *`,
/// `Content-Type: application/json`, `x-amz-checksum-sha256`. Returns the HTTP status.
fn terraform_lock(moto: &support::Moto, bucket: &str, body: &str) -> u16 {
    let checksum = http::base64(&Sha256::digest(body.as_bytes()));
    let headers = [
        ("If-None-Match", "*"),
        ("Content-Type", "application/json"),
        ("x-amz-checksum-sha256", checksum.as_str()),
    ];
    moto.s3("PUT", &format!("/{bucket}/{STATE}.tflock"), &headers, Some(body.as_bytes())).status
}

/// The lock object's (ETag, body), or None when there is none.
fn lock_object(moto: &support::Moto, bucket: &str) -> Option<(String, String)> {
    let r = moto.s3("GET", &format!("/{bucket}/{STATE}.tflock"), &[], None);
    match r.status {
        200 => Some((r.header("ETag").unwrap_or_default(), r.body)),
        404 => None,
        s => panic!("GET lock: {s} {}", r.body),
    }
}

/// `surestep lock ARGS... s3://BUCKET/STATE` against moto, with the AWS environment of a job
/// that ran aws-actions/configure-aws-credentials.
fn lock_cmd(moto: &support::Moto, bucket: &str, args: &[&str]) -> Command {
    let (ak, sk) = moto.credentials();
    let dir = std::env::temp_dir();
    let mut cmd = surestep(&dir, &["lock"]);
    cmd.args(&args[..1])
        .arg(format!("s3://{bucket}/{STATE}"))
        .args(&args[1..])
        .args(["--endpoint-url", &moto.endpoint(), "--path-style"])
        .env("AWS_ACCESS_KEY_ID", ak)
        .env("AWS_SECRET_ACCESS_KEY", sk)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/surestep-scenario/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-scenario/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

const CRASHED_ID: &str = "5f0c1e0a-7d2b-4c4e-9a51-3b9f2d6c8e01";
const FRESH_ID: &str = "a41b7c33-0e9d-4f62-8d15-c07e2b9a6f44";
const THREE_HOURS: Duration = Duration::from_secs(3 * 3600);

#[test]
fn s5_crashed_apply_blocks_the_deploy_until_unlocked_by_id_and_a_fresh_lock_survives() {
    let moto = support::Moto::start_with_auth();
    let secret = moto.credentials().1.to_owned();

    // (a) The crashed apply's lock blocks the next deploy; the operator removes it by its ID.
    let bucket = "tfstate-crashed";
    moto.create_bucket(bucket);
    let crashed = lock_body(CRASHED_ID, "runner@gha-runner-17", bucket, THREE_HOURS);
    assert_eq!(terraform_lock(&moto, bucket, &crashed), 200);
    assert_eq!(terraform_lock(&moto, bucket, &crashed), 412, "terraform apply is now blocked");

    let r =
        run(&mut lock_cmd(&moto, bucket, &["status", "--fail-if-locked", "--stale-after", "2h"]));
    assert_eq!(r.code, 1, "the pre-deploy check blocks: {r}");
    for shown in [CRASHED_ID, "runner@gha-runner-17", "OperationTypeApply"] {
        assert!(r.all().contains(shown), "the holder is shown ({shown}): {r}");
    }
    assert!(r.all().contains("stale") && r.all().contains("3h"), "stale, held for 3h: {r}");

    let r = run(&mut lock_cmd(&moto, bucket, &["unlock", "--lock-id", CRASHED_ID]));
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(lock_object(&moto, bucket), None, "the lock is gone");
    let r = run(&mut lock_cmd(&moto, bucket, &["status", "--fail-if-locked"]));
    assert_eq!(r.code, 0, "the next deploy may go: {r}");
    assert_eq!(
        terraform_lock(&moto, bucket, &lock_body(FRESH_ID, "runner@next", bucket, Duration::ZERO)),
        200
    );

    // (b) The recovery step of examples/release.yml read the stale lock's ID; before its unlock
    //     ran, the stale lock was cleared elsewhere and a fresh apply took the lock.
    let bucket = "tfstate-reacquired";
    moto.create_bucket(bucket);
    assert_eq!(
        terraform_lock(
            &moto,
            bucket,
            &lock_body(CRASHED_ID, "runner@gha-runner-17", bucket, THREE_HOURS)
        ),
        200
    );
    // `id: lock` of the workflow: its outputs decide whether the unlock step runs.
    let gh = support::tempdir("s5-gh");
    let out = gh.path().join("output");
    let r = run(lock_cmd(&moto, bucket, &["status", "--stale-after", "2h"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", gh.path().join("summary")));
    assert_eq!(r.code, 0, "{r}");
    let outputs = read_github_outputs(&out);
    assert_eq!(github_output(&outputs, "stale_count"), "1", "the unlock step's `if:` holds");
    let seen_id = github_output(&outputs, "lock_id").to_owned();
    assert_eq!(seen_id, CRASHED_ID);
    assert_eq!(moto.s3("DELETE", &format!("/{bucket}/{STATE}.tflock"), &[], None).status, 204);
    let fresh = lock_body(FRESH_ID, "runner@gha-runner-18", bucket, Duration::from_secs(5));
    assert_eq!(terraform_lock(&moto, bucket, &fresh), 200, "the fresh apply holds the lock");
    let before = lock_object(&moto, bucket).expect("fresh lock");

    let r =
        run(&mut lock_cmd(&moto, bucket, &["unlock", "--lock-id", &seen_id, "--older-than", "2h"]));
    assert_eq!(r.code, 1, "the stale ID no longer matches: {r}");
    assert!(
        r.all().contains(FRESH_ID) && r.all().contains("runner@gha-runner-18"),
        "shows the new holder: {r}"
    );
    // Without an ID, the age guard refuses the young lock too.
    let r2 = run(&mut lock_cmd(&moto, bucket, &["unlock", "--yes", "--older-than", "2h"]));
    assert_eq!(r2.code, 1, "a lock younger than 2h is not removed: {r2}");
    assert_eq!(
        lock_object(&moto, bucket),
        Some(before),
        "the new lock survives, same ETag and body"
    );
    for run in [&r, &r2] {
        assert!(!run.all().contains(&secret), "the secret key never appears: {run}");
    }

    verdict(
        "5 crashed apply",
        "PASS: stale lock blocks (status --fail-if-locked exit 1, holder runner@gha-runner-17 shown), unlock --lock-id removes it, next apply locks; re-acquired lock survives unlock by the old ID (exit 1) and --yes --older-than 2h (exit 1)",
    );
}
