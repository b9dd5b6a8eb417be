//! PyPI-compatible peers: pypiserver (HTML only, 409/400 on re-upload) and devpi-server
//! (PEP 691 JSON, idempotent identical re-upload), plus twine and a wheel maker.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{
    ServerProcess, free_port, http, http_ready, peers_dir, python, require_installed, scripts_dir,
    tempdir,
};

pub const USER: &str = "tester";
pub const PASS: &str = "secret";

/// pypiserver 2.4.2 with `-a update -P htpasswd --disable-fallback --hash-algo sha256`,
/// user tester/secret (htpasswd written with passlib).
pub struct PyPiServer {
    proc: ServerProcess,
    started_in: Duration,
    dir: tempfile::TempDir,
}

impl PyPiServer {
    /// Lets pypiserver accept `__token__` with this token as the password (it re-reads its
    /// htpasswd when the file changes), as an index accepts a minted or API token.
    pub fn allow_token(&self, token: &str) {
        let htpasswd =
            self.packages_dir().parent().expect("packages dir has a parent").join("htpasswd");
        let out = Command::new(peers_dir().join("venv-pypiserver/bin/python"))
            .args([
                "-c",
                "import sys\nfrom passlib.apache import HtpasswdFile\n\
                 h = HtpasswdFile(sys.argv[1]); h.set_password('__token__', sys.argv[2]); h.save()",
            ])
            .arg(&htpasswd)
            .arg(token)
            .output()
            .expect("run the pypiserver venv's python");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn start() -> PyPiServer {
        Self::start_inner(false)
    }
    /// With `-o`: re-uploads replace the file (200 every time).
    pub fn start_overwrite() -> PyPiServer {
        Self::start_inner(true)
    }

    fn start_inner(overwrite: bool) -> PyPiServer {
        let venv = peers_dir().join("venv-pypiserver");
        require_installed(&venv.join("bin/pypi-server"), "pypiserver (venv-pypiserver)");
        let dir = tempdir("pypiserver");
        let d = dir.path();
        let pkgs = d.join("packages");
        std::fs::create_dir_all(&pkgs).expect("create packages dir");
        let htpasswd = d.join("htpasswd");
        let out = Command::new(venv.join("bin/python"))
            .args([
                "-c",
                "import sys\nfrom passlib.apache import HtpasswdFile\n\
                 h = HtpasswdFile(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
            ])
            .arg(&htpasswd)
            .args([USER, PASS])
            .output()
            .expect("run venv-pypiserver python");
        assert!(out.status.success(), "writing htpasswd: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let mut cmd = Command::new(venv.join("bin/pypi-server"));
        cmd.args(["run", "-i", "127.0.0.1", "-p", &port.to_string(), "-a", "update", "-P"])
            .arg(&htpasswd)
            .args(["--disable-fallback", "--hash-algo", "sha256"]);
        if overwrite {
            cmd.arg("-o");
        }
        cmd.arg(&pkgs);
        let t0 = Instant::now();
        let mut proc = ServerProcess::spawn("pypiserver", &cmd, port, &d.join("pypiserver.log"));
        proc.wait_ready(Duration::from_secs(30), http_ready("/health", Some(200)));
        PyPiServer { proc, started_in: t0.elapsed(), dir }
    }

    /// `http://127.0.0.1:PORT/` (twine `--repository-url`).
    pub fn upload_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.proc.port())
    }
    /// `http://127.0.0.1:PORT/simple/` (PEP 503 HTML only).
    pub fn simple_url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.proc.port())
    }
    pub fn credentials(&self) -> (&'static str, &'static str) {
        (USER, PASS)
    }
    /// Where the uploaded files land.
    pub fn packages_dir(&self) -> PathBuf {
        self.dir.path().join("packages")
    }
    pub fn port(&self) -> u16 {
        self.proc.port()
    }
    pub fn process(&self) -> &ServerProcess {
        &self.proc
    }
    pub fn started_in(&self) -> Duration {
        self.started_in
    }
}

/// devpi-server 6.20.3, `--no-root-pypi --offline-mode` (never contacts anything upstream),
/// user tester/secret, non-volatile index `tester/dev` with no bases.
pub struct Devpi {
    proc: ServerProcess,
    started_in: Duration,
    _dir: Option<tempfile::TempDir>,
}

/// One devpi index: where to upload and where its simple API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevpiIndex {
    pub name: String,
    /// `http://127.0.0.1:PORT/tester/NAME/`
    pub upload_url: String,
    /// `http://127.0.0.1:PORT/tester/NAME/+simple/`
    pub simple_url: String,
}

impl Devpi {
    /// A private instance (6–8 s). Prefer [`Devpi::shared`] unless the test needs a fresh
    /// server; on a shared one, make your own index with [`Devpi::create_index`].
    pub fn start() -> Devpi {
        Self::start_inner(false)
    }

    fn start_inner(shared: bool) -> Devpi {
        let venv = peers_dir().join("venv-devpi");
        require_installed(&venv.join("bin/devpi-server"), "devpi-server (venv-devpi)");
        let dir = tempdir("devpi");
        let d = dir.path();
        let serverdir = d.join("server");
        let t0 = Instant::now();
        let init = Command::new(venv.join("bin/devpi-init"))
            .arg("--serverdir")
            .arg(&serverdir)
            .args(["--no-root-pypi", "--root-passwd", "rootpw"])
            .output()
            .expect("run devpi-init");
        assert!(
            init.status.success(),
            "devpi-init failed: {}{}",
            String::from_utf8_lossy(&init.stdout),
            String::from_utf8_lossy(&init.stderr)
        );
        let port = free_port();
        let mut cmd = Command::new(venv.join("bin/devpi-server"));
        cmd.arg("--serverdir").arg(&serverdir).args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--offline-mode",
        ]);
        let cleanup = shared.then(|| d.to_path_buf());
        let mut proc = ServerProcess::spawn_with_cleanup(
            "devpi-server",
            &cmd,
            port,
            &d.join("devpi.log"),
            cleanup.as_deref(),
        );
        proc.wait_ready(Duration::from_secs(90), http_ready("/+api", Some(200)));
        // A shared instance is never dropped: supervise.py removes its dir at process exit.
        let dir = if shared {
            let _ = dir.keep();
            None
        } else {
            Some(dir)
        };
        let devpi = Devpi { proc, started_in: Duration::ZERO, _dir: dir };
        let r = http::request(
            "PUT",
            &format!("{}/{USER}", devpi.url()),
            &[("Content-Type", "application/json")],
            format!(r#"{{"password":"{PASS}","email":"t@example.invalid"}}"#).as_bytes(),
        )
        .expect("devpi create user");
        assert_eq!(r.status, 201, "devpi create user: {}", r.text());
        devpi.create_index("dev", false);
        Devpi { started_in: t0.elapsed(), ..devpi }
    }

    /// One instance per test binary, started on first use. It is never dropped: when the
    /// test process exits, supervise.py sees EOF, kills it and removes its temp dir.
    pub fn shared() -> &'static Devpi {
        static SHARED: OnceLock<Devpi> = OnceLock::new();
        SHARED.get_or_init(|| Devpi::start_inner(true))
    }

    /// Create index `tester/NAME` (no bases) and return its URLs. Panics unless 200/201.
    pub fn create_index(&self, name: &str, volatile: bool) -> DevpiIndex {
        let r = http::request(
            "PUT",
            &format!("{}/{USER}/{name}", self.url()),
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &http::basic_auth(USER, PASS)),
            ],
            format!(r#"{{"bases":[],"volatile":{volatile}}}"#).as_bytes(),
        )
        .expect("devpi create index");
        assert!(
            matches!(r.status, 200 | 201),
            "devpi create index {name}: {} {}",
            r.status,
            r.text()
        );
        self.index(name)
    }

    /// URLs of index `tester/NAME` (not created).
    pub fn index(&self, name: &str) -> DevpiIndex {
        DevpiIndex {
            name: format!("{USER}/{name}"),
            upload_url: format!("{}/{USER}/{name}/", self.url()),
            simple_url: format!("{}/{USER}/{name}/+simple/", self.url()),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.proc.port())
    }
    /// Upload URL of tester/dev.
    pub fn upload_url(&self) -> String {
        self.index("dev").upload_url
    }
    /// Simple URL of tester/dev (PEP 691 JSON with the right Accept, else PEP 503 HTML).
    pub fn simple_url(&self) -> String {
        self.index("dev").simple_url
    }
    pub fn credentials(&self) -> (&'static str, &'static str) {
        (USER, PASS)
    }
    pub fn port(&self) -> u16 {
        self.proc.port()
    }
    pub fn process(&self) -> &ServerProcess {
        &self.proc
    }
    /// Wall time of init + start + user/index creation.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }
}

/// `twine upload --repository-url URL -u USER -p PASS FILES...`; panics (with twine's output)
/// unless it succeeds. Returns stdout+stderr.
pub fn twine_upload(upload_url: &str, user: &str, pass: &str, files: &[&Path]) -> String {
    let out = twine_upload_output(upload_url, user, pass, files);
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "twine upload to {upload_url} failed ({}):\n{text}", out.status);
    text
}

/// Like [`twine_upload`] but returns the raw output, for expected failures.
pub fn twine_upload_output(upload_url: &str, user: &str, pass: &str, files: &[&Path]) -> Output {
    assert!(upload_url.starts_with("http://127.0.0.1:"), "loopback only: {upload_url}");
    let twine = peers_dir().join("venv-tools/bin/twine");
    require_installed(&twine, "twine (venv-tools)");
    Command::new(&twine)
        .args([
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            upload_url,
        ])
        .args(["-u", user, "-p", pass])
        .args(files)
        .env("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        .env_remove("TWINE_REPOSITORY")
        .env_remove("TWINE_REPOSITORY_URL")
        .output()
        .expect("run twine")
}

/// A tiny deterministic pure wheel `DIST-VERSION-py3-none-any.whl` in `dir`.
pub fn make_wheel(dir: &Path, name: &str, version: &str) -> PathBuf {
    make_wheel_salted(dir, name, version, "")
}

/// Same file name as [`make_wheel`], different bytes for a different `salt`.
pub fn make_wheel_salted(dir: &Path, name: &str, version: &str, salt: &str) -> PathBuf {
    let out = Command::new(python())
        .arg(scripts_dir().join("make_wheel.py"))
        .arg(dir)
        .args([name, version, "--salt", salt])
        .output()
        .expect("run make_wheel.py");
    assert!(out.status.success(), "make_wheel.py: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
