//! OCI registry peer: Debian's docker-registry (CNCF distribution 2.8.2), anonymous,
//! htpasswd (bcrypt) or token auth (with scripts/peers/token_server.py).

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{ServerProcess, free_port, http_ready, python, require_on_path, scripts_dir, tempdir};

/// How the registry authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryAuth {
    /// Everyone may pull and push.
    Anonymous,
    /// `Www-Authenticate: Basic realm="test-registry"`; bcrypt htpasswd with one user.
    Htpasswd { user: String, pass: String },
    /// `Www-Authenticate: Bearer realm="http://127.0.0.1:P/token",service="registry.local"`;
    /// the token server grants the user everything, anonymous pull only.
    Token { user: String, pass: String },
}

impl RegistryAuth {
    pub fn htpasswd(user: &str, pass: &str) -> Self {
        RegistryAuth::Htpasswd { user: user.into(), pass: pass.into() }
    }
    pub fn token(user: &str, pass: &str) -> Self {
        RegistryAuth::Token { user: user.into(), pass: pass.into() }
    }
}

/// Extra knobs for [`Registry::push_image_with`].
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// Leave `org.opencontainers.image.revision` out of the config Labels (annotations keep it).
    pub no_label: bool,
    /// Add an `unknown/unknown` attestation-manifest entry to the index (forces an index).
    pub attestation: bool,
    /// Push with these credentials instead of the registry's own (e.g. wrong ones).
    pub credentials: Option<(String, String)>,
    /// MB of incompressible bytes added to each platform's layer (0: a tiny layer).
    pub layer_mb: f64,
}

pub struct Registry {
    // Field order = drop order: registry first, then token server, then the temp dir.
    proc: ServerProcess,
    token: Option<ServerProcess>,
    auth: RegistryAuth,
    started_in: Duration,
    dir: tempfile::TempDir,
}

impl Registry {
    pub const SERVICE: &'static str = "registry.local";
    pub const ISSUER: &'static str = "test-token-issuer";
    pub const REALM: &'static str = "test-registry";

    pub fn start(auth: RegistryAuth) -> Registry {
        Self::start_inner(auth, None)
    }

    /// Token auth whose token server answers `expires_in` with this literal JSON number (a
    /// server's lifetime is untrusted input: `18446744073709551615` must not crash anyone).
    pub fn start_token_expiring(user: &str, pass: &str, expires_in: &str) -> Registry {
        Self::start_inner(RegistryAuth::token(user, pass), Some(expires_in))
    }

    fn start_inner(auth: RegistryAuth, expires_in: Option<&str>) -> Registry {
        require_on_path("docker-registry", "docker-registry (Debian package)");
        let dir = tempdir("registry");
        let d = dir.path();
        let port = free_port();
        let t0 = Instant::now();
        let mut token = None;
        let auth_yaml = match &auth {
            RegistryAuth::Anonymous => String::new(),
            RegistryAuth::Htpasswd { user, pass } => {
                require_on_path("htpasswd", "htpasswd (apache2-utils)");
                let out = Command::new("htpasswd")
                    .args(["-Bbn", user, pass])
                    .output()
                    .expect("run htpasswd");
                assert!(out.status.success(), "htpasswd: {}", String::from_utf8_lossy(&out.stderr));
                let path = d.join("registry.htpasswd");
                fs::write(&path, &out.stdout).expect("write htpasswd");
                format!(
                    "auth: {{htpasswd: {{realm: {}, path: {}}}}}\n",
                    Self::REALM,
                    path.display()
                )
            }
            RegistryAuth::Token { user, pass } => {
                require_on_path("openssl", "openssl");
                let tport = free_port();
                let tdir = d.join("token");
                let mut cmd = Command::new(python());
                cmd.arg(scripts_dir().join("token_server.py"))
                    .args(["--port", &tport.to_string(), "--dir"])
                    .arg(&tdir)
                    .args(["--user", &format!("{user}:{pass}")])
                    .args(["--refresh-token", &format!("refresh-{pass}={user}")])
                    .args(["--service", Self::SERVICE, "--issuer", Self::ISSUER]);
                if let Some(e) = expires_in {
                    cmd.args(["--expires-in", e]);
                }
                let mut tp =
                    ServerProcess::spawn("token-server", &cmd, tport, &d.join("token-server.log"));
                tp.wait_ready(Duration::from_secs(30), http_ready("/healthz", Some(200)));
                token = Some(tp);
                format!(
                    "auth: {{token: {{realm: \"http://127.0.0.1:{tport}/token\", service: {}, issuer: {}, rootcertbundle: {}}}}}\n",
                    Self::SERVICE,
                    Self::ISSUER,
                    tdir.join("cert.pem").display()
                )
            }
        };
        // `validation`: a manifest may name foreign (non-distributable) layers only at a closed
        // loopback port (discard, 9), which nothing ever fetches (tests/promote.rs).
        let config = format!(
            "version: 0.1\n\
             log: {{level: info, accesslog: {{disabled: false}}}}\n\
             storage:\n  filesystem: {{rootdirectory: {data}}}\n  delete: {{enabled: true}}\n  cache: {{blobdescriptor: inmemory}}\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: not-a-secret-local-test-only\n  headers: {{X-Content-Type-Options: [nosniff]}}\n\
             validation:\n  manifests:\n    urls:\n      allow: ['^http://127\\.0\\.0\\.1:9/']\n\
             {auth_yaml}",
            data = d.join("data").display()
        );
        let cfg = d.join("config.yml");
        fs::write(&cfg, config).expect("write registry config");
        let mut cmd = Command::new("docker-registry");
        cmd.arg("serve").arg(&cfg);
        let mut proc = ServerProcess::spawn("docker-registry", &cmd, port, &d.join("registry.log"));
        proc.wait_ready(Duration::from_secs(30), http_ready("/v2/", None));
        Registry { proc, token, auth, started_in: t0.elapsed(), dir }
    }

    /// `127.0.0.1:PORT`, as in image references (`127.0.0.1:PORT/repo:tag`).
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.proc.port())
    }
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host_port())
    }
    pub fn auth(&self) -> &RegistryAuth {
        &self.auth
    }
    /// The user and password of Htpasswd/Token mode.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        match &self.auth {
            RegistryAuth::Anonymous => None,
            RegistryAuth::Htpasswd { user, pass } | RegistryAuth::Token { user, pass } => {
                Some((user, pass))
            }
        }
    }
    /// Token mode: the OAuth2 refresh token (docker's `identitytoken`) the token server
    /// accepts for the user.
    pub fn refresh_token(&self) -> Option<String> {
        match &self.auth {
            RegistryAuth::Token { pass, .. } => Some(format!("refresh-{pass}")),
            _ => None,
        }
    }
    /// Token mode: `http://127.0.0.1:TPORT/token`.
    pub fn token_realm(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("http://127.0.0.1:{}/token", t.port()))
    }
    pub fn port(&self) -> u16 {
        self.proc.port()
    }
    pub fn process(&self) -> &ServerProcess {
        &self.proc
    }
    pub fn token_process(&self) -> Option<&ServerProcess> {
        self.token.as_ref()
    }
    /// Wall time from spawn to ready (token server included).
    pub fn started_in(&self) -> Duration {
        self.started_in
    }
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Push a test image with scripts/peers/push_image.py and return the tag's digest
    /// (`sha256:...` of the manifest or index bytes). One platform -> OCI manifest; several ->
    /// OCI index. `revision` is in the config label and in every annotation.
    /// GET a manifest (anonymous registries only): its Content-Type and exact bytes.
    pub fn get_manifest(&self, repo: &str, reference: &str) -> (String, Vec<u8>) {
        let r = super::http::request(
            "GET",
            &format!("{}/v2/{repo}/manifests/{reference}", self.url()),
            &[("Accept", super::http::MANIFEST_ACCEPT)],
            b"",
        )
        .unwrap();
        assert_eq!(r.status, 200, "GET {repo}:{reference}: {}", r.text());
        (r.header("Content-Type").unwrap_or_default().to_owned(), r.body)
    }

    /// PUT a manifest (anonymous registries only); returns its digest.
    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
    ) -> String {
        let r = super::http::request(
            "PUT",
            &format!("{}/v2/{repo}/manifests/{reference}", self.url()),
            &[("Content-Type", media_type)],
            body,
        )
        .unwrap();
        assert_eq!(r.status, 201, "PUT {repo}:{reference}: {}", r.text());
        format!("sha256:{}", super::sha256_hex(body))
    }

    /// An OCI index at `outer_tag` whose entries are other manifests of `repo` (indexes or
    /// images) by digest; returns its digest.
    pub fn put_index_of(
        &self,
        repo: &str,
        outer_tag: &str,
        entries: &[serde_json::Value],
    ) -> String {
        let outer = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        });
        let bytes = serde_json::to_vec(&outer).unwrap();
        self.put_manifest(repo, outer_tag, "application/vnd.oci.image.index.v1+json", &bytes)
    }

    pub fn push_image(&self, repo: &str, tag: &str, revision: &str, platforms: &[&str]) -> String {
        self.push_image_with(repo, tag, revision, platforms, &PushOptions::default())
    }

    pub fn push_image_with(
        &self,
        repo: &str,
        tag: &str,
        revision: &str,
        platforms: &[&str],
        opts: &PushOptions,
    ) -> String {
        let out = self.push_image_output(repo, tag, revision, platforms, opts);
        assert!(
            out.status.success(),
            "push_image.py {repo}:{tag} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let digest = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            digest.starts_with("sha256:") && digest.len() == 71,
            "push_image.py printed {digest:?}"
        );
        digest
    }

    /// Run push_image.py and return its raw output (for expected failures).
    pub fn push_image_output(
        &self,
        repo: &str,
        tag: &str,
        revision: &str,
        platforms: &[&str],
        opts: &PushOptions,
    ) -> std::process::Output {
        let mut cmd = Command::new(python());
        cmd.arg(scripts_dir().join("push_image.py")).args([&self.host_port(), repo, tag, revision]);
        for p in platforms {
            cmd.args(["--platform", p]);
        }
        if opts.no_label {
            cmd.arg("--no-label");
        }
        if opts.attestation {
            cmd.arg("--attestation");
        }
        if opts.layer_mb > 0.0 {
            cmd.args(["--layer-mb", &opts.layer_mb.to_string()]);
        }
        let creds =
            opts.credentials.as_ref().map(|(u, p)| (u.as_str(), p.as_str())).or(self.credentials());
        if let Some((u, p)) = creds {
            cmd.args(["--user", &format!("{u}:{p}")]);
        }
        cmd.output().expect("run push_image.py")
    }
}
