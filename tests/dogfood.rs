//! surestep ships surestep: the whole path a release takes, on this machine, against real
//! servers. `scripts/build-wheel.sh` builds the manylinux2014 wheel and the sdist (with the fast
//! `wheel-test` profile, in `target/wheel`, once per test binary); then surestep itself checks
//! the tag, verifies the files, publishes them to pypiserver (twice: the second run uploads
//! nothing), pip installs the wheel from there into a new venv, and that installed surestep
//! runs. The action's install script (`scripts/install-action.sh`, the one `action.yml`
//! calls) is run the same way against the same kind of index.
//!
//! Needs the venv-wheel peer (maturin, ziglang), pypiserver, twine and `objdump`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use support::PyPiServer;
use support::cli::{Run, github_output, read_github_outputs, run, surestep};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// manylinux2014: the newest glibc symbol version the binary may need.
const GLIBC_FLOOR: (u32, u32) = (2, 17);
/// The Pythons `requires-python = ">=3.8"` admits today (the `py3` wheel covers them all).
const PYTHONS: &str = "3.8,3.9,3.10,3.11,3.12,3.13,3.14";
const WHEEL_TAG: &str = "py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64";

/// What `scripts/build-wheel.sh` built (once per test binary).
struct Built {
    wheel: PathBuf,
    sdist: PathBuf,
    /// The script's stdout: `wheel:`, `sdist:`, `binary:`, `glibc:` lines.
    report: String,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        support::require_installed(
            &support::peers_dir().join("venv-wheel/bin/maturin"),
            "maturin and ziglang (venv-wheel)",
        );
        let out_dir = support::repo_root().join("target/wheel/dogfood-dist");
        let _ = std::fs::remove_dir_all(&out_dir);
        let t0 = Instant::now();
        let out = Command::new("bash")
            .arg(support::repo_root().join("scripts/build-wheel.sh"))
            .args(["--profile", "wheel-test", "--out"])
            .arg(&out_dir)
            .current_dir(support::repo_root())
            .output()
            .expect("run scripts/build-wheel.sh");
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "scripts/build-wheel.sh failed ({}):\n{report}\n{}",
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr), 40)
        );
        eprintln!("build-wheel.sh --profile wheel-test took {:.1?}:\n{report}", t0.elapsed());
        let wheel = out_dir.join(format!("surestep-{VERSION}-{WHEEL_TAG}.whl"));
        let sdist = out_dir.join(format!("surestep-{VERSION}.tar.gz"));
        assert!(wheel.is_file(), "no {} after the build:\n{report}", wheel.display());
        assert!(sdist.is_file(), "no {} after the build:\n{report}", sdist.display());
        let files: Vec<_> =
            std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 2, "exactly the wheel and the sdist: {files:?}");
        Built { wheel, sdist, report }
    })
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn output_text(out: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A std `Command` with no ambient surestep/GitHub/pip settings (pip's own config files and
/// `PIP_*` variables, such as a machine-wide find-links, would change what gets installed).
fn clean(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    support::cli::scrub_env(&mut cmd);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(|n| n.starts_with("PIP_") || n == "VIRTUAL_ENV") {
            cmd.env_remove(name);
        }
    }
    cmd.env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1");
    cmd
}

/// A throw-away repository holding this crate's Cargo.toml, tagged `v{VERSION}`.
fn tagged_repo() -> tempfile::TempDir {
    let dir = support::tempdir("dogfood-repo");
    std::fs::copy(support::repo_root().join("Cargo.toml"), dir.path().join("Cargo.toml")).unwrap();
    let git = |args: &[&str]| {
        support::git(dir.path(), args);
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "Cargo.toml"]);
    git(&["commit", "-q", "-m", "release"]);
    git(&["tag", &format!("v{VERSION}")]);
    dir
}

/// The newest `GLIBC_x.y` symbol version `objdump -T` lists for `binary`.
fn newest_glibc(binary: &Path) -> (u32, u32) {
    let out = Command::new("objdump").arg("-T").arg(binary).output().unwrap_or_else(|e| {
        panic!("objdump (Debian package binutils) is needed to check glibc symbols: {e}")
    });
    assert!(out.status.success(), "objdump -T {}: {}", binary.display(), output_text(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let versions: Vec<(u32, u32)> = text
        .split("GLIBC_")
        .skip(1)
        .filter_map(|rest| {
            let v: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        })
        .collect();
    assert!(versions.len() > 10, "{} lists no glibc symbols: {text}", binary.display());
    versions.into_iter().max().unwrap()
}

/// The binary a wheel installs (`surestep-V.data/scripts/surestep`), written to `dir`.
fn binary_of(wheel: &Path, dir: &Path) -> PathBuf {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
    let name = format!("surestep-{VERSION}.data/scripts/surestep");
    let mut member = zip.by_name(&name).unwrap_or_else(|e| panic!("{name} in the wheel: {e}"));
    let path = dir.join("surestep");
    let mut file = std::fs::File::create(&path).unwrap();
    std::io::copy(&mut member, &mut file).unwrap();
    path
}

/// A brand-new venv in `dir/venv` (its python, its bin dir).
fn new_venv(dir: &Path) -> PathBuf {
    let venv = dir.join("venv");
    let out = clean(support::python()).args(["-m", "venv"]).arg(&venv).output().unwrap();
    assert!(out.status.success(), "python3 -m venv: {}", output_text(&out));
    venv.join("bin")
}

fn publish(server: &PyPiServer, dist: &Path) -> Run {
    let (user, pass) = server.credentials();
    run(surestep()
        .args(["publish", "--json", "--no-progress", "--manifest", "SHA256SUMS"])
        .args(["--repository-url", &server.upload_url(), "--check-url", &server.simple_url()])
        .args(["-u", user, "-p", pass])
        .arg(".")
        .current_dir(dist))
}

#[test]
fn the_built_wheel_is_manylinux2014_and_its_binary_needs_glibc_2_17_at_most() {
    let built = built();
    let dir = support::tempdir("dogfood-glibc");
    let binary = binary_of(&built.wheel, dir.path());
    let newest = newest_glibc(&binary);
    assert!(
        newest <= GLIBC_FLOOR,
        "the wheel's binary needs GLIBC_{}.{}, newer than manylinux2014's {}.{}",
        newest.0,
        newest.1,
        GLIBC_FLOOR.0,
        GLIBC_FLOOR.1
    );
    // The script's own check says the same.
    let line = format!("glibc: {}.{}", newest.0, newest.1);
    assert!(built.report.lines().any(|l| l == line), "{line:?} in:\n{}", built.report);
    let wheel_bytes = std::fs::metadata(&built.wheel).unwrap().len();
    let binary_bytes = std::fs::metadata(&binary).unwrap().len();
    eprintln!("wheel {wheel_bytes} bytes, binary {binary_bytes} bytes (wheel-test profile)");
}

#[test]
fn surestep_checks_verifies_publishes_and_installs_itself() {
    let built = built();
    let work = support::tempdir("dogfood");
    let dist = work.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    for f in [&built.wheel, &built.sdist] {
        std::fs::copy(f, dist.join(f.file_name().unwrap())).unwrap();
    }

    // 2. The tag carries the version Cargo.toml declares.
    let repo = tagged_repo();
    let tag = run(surestep()
        .args(["check-tag", "--json", "--require", "--version-file", "Cargo.toml"])
        .current_dir(repo.path()));
    assert_eq!(tag.code, 0, "{tag}");
    assert_eq!(tag.json()["version"], VERSION, "{tag}");

    // 3. Exactly the wheel built (one py3 wheel covers every 3.x, as release.yml asks it to,
    // on manylinux x86_64) and the sdist, checksums written.
    let verify = run(surestep()
        .args(["verify-wheels", ".", "--json", "--version", VERSION])
        .args(["--python", "py3", "--platform", "manylinux_x86_64", "--sdist"])
        .args(["--write-checksums", "SHA256SUMS"])
        .current_dir(&dist));
    assert_eq!(verify.code, 0, "{verify}");
    let v = verify.json();
    assert_eq!((v["wheel_count"].as_u64(), v["sdist_count"].as_u64()), (Some(1), Some(1)), "{v}");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 2, "{sums}");
    assert!(sums.contains(&support::sha256_file(&built.wheel)), "{sums}");
    // The same check fails on a matrix the build does not cover.
    let wider = run(surestep()
        .args(["verify-wheels", ".", "--python", PYTHONS, "--sdist"])
        .args(["--platform", "manylinux_x86_64,manylinux_aarch64"])
        .current_dir(&dist));
    assert_eq!(wider.code, 1, "{wider}");

    // 4. Publish with the manifest; the second run uploads nothing.
    let server = PyPiServer::start();
    let first = publish(&server, &dist);
    assert_eq!(first.code, 0, "{first}");
    assert_eq!(first.json()["uploaded"], 2, "{first}");
    let second = publish(&server, &dist);
    assert_eq!(second.code, 0, "{second}");
    assert_eq!(
        (second.json()["uploaded"].as_u64(), second.json()["skipped"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(second.json()["upload_requests"], 0, "{second}");
    assert_eq!(
        support::sha256_dir(&server.packages_dir()),
        support::sha256_dir(&dist).into_iter().filter(|(n, _)| n != "SHA256SUMS").collect()
    );

    // 5. pip installs it from that index into a brand-new venv; the installed binary works.
    let bin = new_venv(work.path());
    let t0 = Instant::now();
    let pip = clean(bin.join("pip"))
        .args(["install", "--no-cache-dir", "--index-url", &server.simple_url()])
        .arg(format!("surestep=={VERSION}"))
        .output()
        .unwrap();
    let took = t0.elapsed();
    assert!(pip.status.success(), "pip install surestep: {}", output_text(&pip));
    eprintln!("pip install surestep=={VERSION} from pypiserver into a new venv: {took:.2?}");
    let version = clean(bin.join("surestep")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("surestep {VERSION}"));
    let installed_tag = clean(bin.join("surestep"))
        .args(["check-tag", "--require", "--version-file", "Cargo.toml"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(
        installed_tag.status.success(),
        "installed surestep check-tag: {}",
        output_text(&installed_tag)
    );
    assert!(
        String::from_utf8_lossy(&installed_tag.stdout).contains(&format!("v{VERSION}")),
        "{}",
        output_text(&installed_tag)
    );
}

/// The sdist builds from source with pip (`--no-binary surestep`). Offline, so maturin comes
/// from the venv-wheel peer (`--no-build-isolation`) and cargo reuses `target/wheel`.
#[test]
fn the_sdist_builds_from_source_with_pip_no_binary() {
    let built = built();
    let server = PyPiServer::start();
    let (user, pass) = server.credentials();
    support::twine_upload(&server.upload_url(), user, pass, &[&built.sdist]);
    let work = support::tempdir("dogfood-sdist");
    let venv_wheel = support::peers_dir().join("venv-wheel/bin");
    let path = format!("{}:{}", venv_wheel.display(), std::env::var("PATH").unwrap_or_default());
    let out = clean(venv_wheel.join("pip"))
        .args(["install", "--no-cache-dir", "--no-build-isolation", "--no-deps"])
        .args(["--no-binary", "surestep", "--index-url", &server.simple_url(), "--target"])
        .arg(work.path().join("site"))
        .arg(format!("surestep=={VERSION}"))
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", support::repo_root().join("target/wheel"))
        .env(
            "MATURIN_PEP517_ARGS",
            "--profile wheel-test --zig --target x86_64-unknown-linux-gnu --compatibility manylinux2014",
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "pip install --no-binary surestep: {}", output_text(&out));
    let bin = work.path().join("site/bin/surestep");
    let version = clean(&bin).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("surestep {VERSION}"));
}

/// The action's install script (the file action.yml runs, not a copy) in a fresh directory,
/// as a runner would run it: tool cache, `$GITHUB_PATH` and `$GITHUB_OUTPUT` files.
struct ActionJob {
    dir: tempfile::TempDir,
    path: String,
}

impl ActionJob {
    fn new() -> Self {
        let dir = support::tempdir("action-job");
        for sub in ["tool-cache", "work"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        // A PATH with no surestep on it (the test binary's own dirs are not on it either).
        let path = std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .filter(|d| !Path::new(d).join("surestep").exists())
            .collect::<Vec<_>>()
            .join(":");
        ActionJob { dir, path }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// One step running the action with these inputs; later steps see `$GITHUB_PATH`.
    fn install(&self, version: &str, index_url: &str) -> Output {
        let _ = std::fs::remove_file(self.file("github_output"));
        clean("bash")
            .arg(support::repo_root().join("scripts/install-action.sh"))
            .current_dir(self.file("work"))
            .env("PATH", self.step_path())
            .env("RUNNER_TOOL_CACHE", self.file("tool-cache"))
            .env("GITHUB_PATH", self.file("github_path"))
            .env("GITHUB_OUTPUT", self.file("github_output"))
            .env("SURESTEP_VERSION", version)
            .env("SURESTEP_INDEX_URL", index_url)
            .output()
            .unwrap()
    }

    /// PATH of the next step: `$GITHUB_PATH` entries first, last added first.
    fn step_path(&self) -> String {
        let added = std::fs::read_to_string(self.file("github_path")).unwrap_or_default();
        let mut dirs: Vec<&str> = added.lines().rev().collect();
        dirs.push(&self.path);
        dirs.join(":")
    }

    fn github_path_lines(&self) -> usize {
        std::fs::read_to_string(self.file("github_path")).unwrap_or_default().lines().count()
    }

    /// `bash -c SCRIPT` in a later step, surestep found through PATH.
    fn step(&self, script: &str, cwd: &Path) -> Output {
        clean("bash")
            .args(["-c", script])
            .current_dir(cwd)
            .env("PATH", self.step_path())
            .output()
            .unwrap()
    }
}

#[test]
fn the_action_install_script_puts_the_published_wheel_on_path_and_a_second_use_is_a_no_op() {
    let built = built();
    let server = PyPiServer::start();
    let (user, pass) = server.credentials();
    support::twine_upload(&server.upload_url(), user, pass, &[&built.wheel]);
    let action = std::fs::read_to_string(support::repo_root().join("action.yml")).unwrap();
    assert!(action.contains("scripts/install-action.sh"), "action.yml runs the script tested here");

    let job = ActionJob::new();
    let t0 = Instant::now();
    let first = job.install(VERSION, &server.simple_url());
    eprintln!("action install (venv + pip from pypiserver): {:.2?}", t0.elapsed());
    assert!(first.status.success(), "{}", output_text(&first));
    let outputs = read_github_outputs(&job.file("github_output"));
    assert_eq!(github_output(&outputs, "version"), VERSION);
    let bin_dir = PathBuf::from(github_output(&outputs, "path"));
    assert!(
        bin_dir.starts_with(job.file("tool-cache")),
        "a private venv in the tool cache: {bin_dir:?}"
    );
    assert_eq!(job.github_path_lines(), 1);

    let repo = tagged_repo();
    let later = job.step(
        "command -v surestep && surestep --version && surestep check-tag --require --version-file Cargo.toml",
        repo.path(),
    );
    assert!(later.status.success(), "{}", output_text(&later));
    let text = String::from_utf8_lossy(&later.stdout);
    assert!(text.starts_with(&bin_dir.join("surestep").display().to_string()), "{text}");
    assert!(text.contains(&format!("surestep {VERSION}\n")), "{text}");

    // Second use in the same job: nothing installed, PATH not touched again, the index not read
    // (a closed port would fail any request).
    let closed = format!("http://127.0.0.1:{}/simple/", support::free_port());
    let marker = job.file(&format!("tool-cache/surestep/{VERSION}"));
    let before = std::fs::read_dir(&marker).unwrap().count();
    let t0 = Instant::now();
    let second = job.install(VERSION, &closed);
    assert!(second.status.success(), "{}", output_text(&second));
    assert!(t0.elapsed() < Duration::from_secs(30));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already installed"),
        "{}",
        output_text(&second)
    );
    assert_eq!(job.github_path_lines(), 1, "the second use adds nothing to PATH");
    assert_eq!(std::fs::read_dir(&marker).unwrap().count(), before);

    // A later job on the same runner: not on PATH yet, but the complete venv is reused offline.
    let next_job = ActionJob { dir: support::tempdir("action-job2"), path: job.path.clone() };
    std::fs::create_dir(next_job.file("work")).unwrap();
    let cached = clean("bash")
        .arg(support::repo_root().join("scripts/install-action.sh"))
        .current_dir(next_job.file("work"))
        .env("PATH", &job.path)
        .env("RUNNER_TOOL_CACHE", job.file("tool-cache"))
        .env("GITHUB_PATH", next_job.file("github_path"))
        .env("SURESTEP_VERSION", VERSION)
        .env("SURESTEP_INDEX_URL", &closed)
        .output()
        .unwrap();
    assert!(cached.status.success(), "{}", output_text(&cached));
    assert!(
        String::from_utf8_lossy(&cached.stderr).contains("tool cache"),
        "{}",
        output_text(&cached)
    );
    assert_eq!(next_job.github_path_lines(), 1);
}

#[test]
fn the_action_install_script_refuses_bad_inputs_and_reports_a_missing_version() {
    let job = ActionJob::new();
    for bad in ["", "latest", "1.0; rm -rf /", ">=0.1", "0.1.0 --index-url http://x"] {
        let out = job.install(bad, "https://pypi.org/simple/");
        assert_eq!(out.status.code(), Some(2), "version {bad:?}: {}", output_text(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("::error"), "{}", output_text(&out));
    }
    let out = job.install(VERSION, "file:///etc");
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    // A version the index does not have: pip fails, exit 3, nothing added to PATH.
    let server = PyPiServer::start();
    let out = job.install("999.0.0", &server.simple_url());
    assert_eq!(out.status.code(), Some(3), "{}", output_text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("surestep==999.0.0"),
        "{}",
        output_text(&out)
    );
    assert_eq!(job.github_path_lines(), 0);
    assert!(!job.file("tool-cache/surestep/999.0.0/x64.complete").exists());
    // Credentials in a mirror URL are masked before anything else is printed.
    let out = job.install(
        "999.0.0",
        &format!("http://mirror-user:s3cret-pw@127.0.0.1:{}/simple/", server.port()),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("::add-mask::s3cret-pw\n"), "{}", output_text(&out));
    assert_eq!(stdout.matches("s3cret-pw").count(), 1, "{}", output_text(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cret-pw"), "{}", output_text(&out));
}

/// The GitHub release's standalone binary is the wheel's binary, under the name and path
/// Cargo.toml's `[package.metadata.binstall]` gives `cargo binstall`.
#[test]
fn the_release_binary_archive_is_where_cargo_binstall_looks() {
    let built = built();
    let work = support::tempdir("release-binaries");
    let dist = work.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::copy(&built.wheel, dist.join(built.wheel.file_name().unwrap())).unwrap();
    let out = clean(support::python())
        .arg(support::repo_root().join("scripts/release-binaries.py"))
        .arg(&dist)
        .arg(work.path().join("binaries"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));

    let manifest: toml::Table =
        std::fs::read_to_string(support::repo_root().join("Cargo.toml")).unwrap().parse().unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let target = "x86_64-unknown-linux-gnu";
    let fill = |template: &str| {
        template
            .replace("{ repo }", manifest["package"]["repository"].as_str().unwrap())
            .replace("{ version }", VERSION)
            .replace("{ target }", target)
            .replace("{ bin }", "surestep")
            .replace("{ binary-ext }", "")
    };
    let url = fill(binstall["pkg-url"].as_str().unwrap());
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    let asset = url.rsplit('/').next().unwrap();
    assert!(url.contains(&format!("/releases/download/v{VERSION}/")), "{url}");
    let archive = work.path().join("binaries").join(asset);
    assert!(archive.is_file(), "release-binaries.py wrote no {asset}: {}", output_text(&out));

    let unpacked = work.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let tar =
        Command::new("tar").arg("xzf").arg(&archive).arg("-C").arg(&unpacked).output().unwrap();
    assert!(tar.status.success(), "{}", output_text(&tar));
    let binary = unpacked.join(fill(binstall["bin-dir"].as_str().unwrap()));
    let from_wheel = binary_of(&built.wheel, work.path());
    assert_eq!(support::sha256_file(&binary), support::sha256_file(&from_wheel));
    let version = clean(&binary).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("surestep {VERSION}"));
}

/// The crates.io package and the sdist carry what builds the binary (every source file,
/// Cargo.lock, the licences) and none of the tests; pyproject.toml takes its version from
/// Cargo.toml.
#[test]
fn the_crate_and_the_sdist_hold_the_sources_and_no_tests() {
    let root = support::repo_root();
    let list = Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--allow-dirty", "--offline"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(list.status.success(), "cargo package --list: {}", output_text(&list));
    let packaged: std::collections::BTreeSet<String> =
        String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect();
    let tracked =
        Command::new("git").args(["ls-files", "src"]).current_dir(&root).output().unwrap();
    for file in String::from_utf8_lossy(&tracked.stdout).lines() {
        assert!(packaged.contains(file), "the crate package lacks {file}");
    }
    for file in ["Cargo.lock", "LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        assert!(packaged.contains(file), "the crate package lacks {file}: {packaged:?}");
    }
    assert!(!packaged.iter().any(|f| f.starts_with("tests/")), "tests in the crate: {packaged:?}");

    let pyproject: toml::Table =
        std::fs::read_to_string(root.join("pyproject.toml")).unwrap().parse().unwrap();
    assert_eq!(pyproject["project"]["dynamic"].as_array().unwrap()[0].as_str(), Some("version"));
    assert!(pyproject["project"].get("version").is_none(), "one source of truth: Cargo.toml");
    assert_eq!(pyproject["tool"]["maturin"]["bindings"].as_str(), Some("bin"));

    let built = built();
    let tar = Command::new("tar").arg("tzf").arg(&built.sdist).output().unwrap();
    let members = String::from_utf8_lossy(&tar.stdout).into_owned();
    let top = format!("surestep-{VERSION}/");
    for file in ["Cargo.lock", "Cargo.toml", "pyproject.toml", "LICENSE-MIT", "src/main.rs"] {
        assert!(
            members.lines().any(|m| m == format!("{top}{file}")),
            "sdist lacks {file}:\n{members}"
        );
    }
    assert!(!members.contains(&format!("{top}tests/")), "tests in the sdist:\n{members}");
}
