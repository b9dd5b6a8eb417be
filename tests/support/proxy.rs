//! A fault-injecting, latency-adding proxy in front of a real server
//! (`scripts/peers/fault_proxy.py`): resets, 502/503 bursts, 429 with and without Retry-After,
//! stalled bodies, added latency. Every request it saw is readable from its JSON-lines log.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::{ServerProcess, free_port, port_open, python, scripts_dir, tempdir};

/// What the proxy does to the traffic.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added delay each way, in milliseconds.
    pub latency_ms: u32,
    /// Kinds to inject: reset_request, reset_response, 502, 503, 429, 429_bare, stall, hang
    /// (no answer for `stall_seconds`, nothing forwarded),
    /// endless (an endless chunked body), huge (Content-Length: 1 GiB, streamed), redirect,
    /// corrupt (one bit of the body flipped).
    pub kinds: Vec<&'static str>,
    /// Probability that a request (after `fail_first`) gets a fault.
    pub rate: f64,
    /// The first N requests always get a fault.
    pub fail_first: u32,
    /// Seconds in the Retry-After of injected 429s.
    pub retry_after: f64,
    /// Seconds a `stall` holds the body.
    pub stall_seconds: f64,
    pub seed: u64,
    /// Only requests whose head (request line + headers) matches this regex get faults
    /// (case-insensitive); `fail_first` then counts matching requests.
    pub matching: Option<String>,
    /// Origin (`http://host:port`) the `redirect` fault sends clients to.
    pub redirect_to: Option<String>,
    /// (old, new) rewrites of upstream response heads.
    pub replace_in_head: Vec<(String, String)>,
    /// An index that lists uploads late: a GET matching `stale_match` whose answer changed is
    /// answered with the previous answer until the change is this many seconds old (logged
    /// with fault `stale`). 0: off.
    pub stale_seconds: f64,
    /// Which requests lag (regex on the head; default: every GET).
    pub stale_match: Option<String>,
    /// Request headers removed before forwarding (e.g. `If-None-Match`: a store that ignores it).
    pub drop_request_headers: Vec<&'static str>,
}

/// One request as the proxy logged it.
#[derive(Debug, Clone)]
pub struct ProxiedRequest {
    pub method: String,
    pub path: String,
    pub fault: Option<String>,
    pub status: Option<u16>,
    /// Unix time (seconds) the proxy received the request head.
    pub t_start: f64,
    /// Unix time (seconds) the proxy finished its answer.
    pub t_end: f64,
    /// The request carried an Authorization header.
    pub auth: bool,
}

pub struct FaultProxy {
    proc: ServerProcess,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl FaultProxy {
    /// Starts a proxy on a free port that forwards to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16, faults: &Faults) -> FaultProxy {
        let dir = tempdir("proxy");
        let port = free_port();
        let log = dir.path().join("requests.jsonl");
        let mut cmd = Command::new(python());
        cmd.arg(scripts_dir().join("fault_proxy.py"))
            .args(["--port", &port.to_string()])
            .args(["--upstream", &format!("127.0.0.1:{upstream_port}")])
            .args(["--latency-ms", &faults.latency_ms.to_string()])
            .args(["--faults", &faults.kinds.join(",")])
            .args(["--fault-rate", &faults.rate.to_string()])
            .args(["--fail-first", &faults.fail_first.to_string()])
            .args(["--retry-after", &faults.retry_after.to_string()])
            .args(["--stall-seconds", &faults.stall_seconds.to_string()])
            .args(["--seed", &faults.seed.to_string()])
            .arg("--log")
            .arg(&log);
        if let Some(m) = &faults.matching {
            cmd.args(["--match", m]);
        }
        if let Some(to) = &faults.redirect_to {
            cmd.args(["--redirect-to", to]);
        }
        if faults.stale_seconds > 0.0 {
            cmd.args(["--stale-seconds", &faults.stale_seconds.to_string()]);
        }
        if let Some(m) = &faults.stale_match {
            cmd.args(["--stale-match", m]);
        }
        for (old, new) in &faults.replace_in_head {
            cmd.args(["--replace-in-head", &format!("{old}={new}")]);
        }
        for name in &faults.drop_request_headers {
            cmd.args(["--drop-request-header", name]);
        }
        let mut proc =
            ServerProcess::spawn("fault-proxy", &cmd, port, &dir.path().join("proxy.log"));
        proc.wait_ready(Duration::from_secs(20), port_open);
        FaultProxy { proc, log, _dir: dir }
    }

    pub fn port(&self) -> u16 {
        self.proc.port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Every request the proxy has finished with, in order.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| ProxiedRequest {
                method: v["method"].as_str().unwrap_or_default().to_owned(),
                path: v["path"].as_str().unwrap_or_default().to_owned(),
                fault: v["fault"].as_str().map(str::to_owned),
                status: v["status"].as_u64().map(|s| s as u16),
                t_start: v["t_start"].as_f64().unwrap_or_default(),
                t_end: v["t_end"].as_f64().unwrap_or_default(),
                auth: v["auth"].as_bool().unwrap_or_default(),
            })
            .collect()
    }
}
