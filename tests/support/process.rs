//! `ServerProcess`: a server started through `scripts/peers/supervise.py`, in its own
//! process group, killed (whole group) on Drop, and also when this test process dies for any
//! reason (supervise.py sees EOF on the stdin pipe we hold).

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::{python, scripts_dir};

pub struct ServerProcess {
    name: String,
    port: u16,
    pid: u32,
    log: PathBuf,
    stdin: Option<ChildStdin>,
    supervisor: Child,
}

impl ServerProcess {
    /// Start `cmd` (program, args, env, current dir are taken from it) under supervise.py.
    /// stdout+stderr go to `log`. Returns once the server's pid is known (not yet ready:
    /// call [`ServerProcess::wait_ready`]).
    pub fn spawn(name: &str, cmd: &Command, port: u16, log: &Path) -> ServerProcess {
        Self::spawn_with_cleanup(name, cmd, port, log, None)
    }

    /// Like [`ServerProcess::spawn`]; supervise.py also deletes `cleanup_dir` after the server
    /// is gone. For instances that are never dropped (e.g. a `static` shared one), whose
    /// temp dir would otherwise be left behind at process exit.
    pub fn spawn_with_cleanup(
        name: &str,
        cmd: &Command,
        port: u16,
        log: &Path,
        cleanup_dir: Option<&Path>,
    ) -> ServerProcess {
        let pidfile = log.with_extension("pid");
        let _ = fs::remove_file(&pidfile);
        let mut sup = Command::new(python());
        sup.arg(scripts_dir().join("supervise.py"))
            .arg("--pidfile")
            .arg(&pidfile)
            .arg("--grace")
            .arg("3");
        if let Some(d) = cleanup_dir {
            sup.arg("--cleanup").arg(d);
        }
        sup.arg("--").arg(cmd.get_program()).args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => sup.env(k, v),
                None => sup.env_remove(k),
            };
        }
        if let Some(d) = cmd.get_current_dir() {
            sup.current_dir(d);
        }
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|e| panic!("{name}: cannot open log {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log fd");
        sup.stdin(Stdio::piped()).stdout(out).stderr(err);
        let mut supervisor = sup
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot start {} (supervise.py): {e}", python()));
        let stdin = supervisor.stdin.take();
        let mut p = ServerProcess {
            name: name.to_string(),
            port,
            pid: 0,
            log: log.to_path_buf(),
            stdin,
            supervisor,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(pid) = fs::read_to_string(&pidfile).ok().and_then(|s| s.trim().parse().ok())
            {
                p.pid = pid;
                return p;
            }
            if let Ok(Some(st)) = p.supervisor.try_wait() {
                panic!(
                    "{name}: supervise.py exited ({st}) before starting the server\n{}",
                    p.log_tail(40)
                );
            }
            if Instant::now() > deadline {
                panic!("{name}: no pid from supervise.py after 15 s\n{}", p.log_tail(40));
            }
            sleep(Duration::from_millis(10));
        }
    }

    /// Poll `probe(port)` every 50 ms until it is true. Panics, with the log tail, when the
    /// server exits or `timeout` passes. Returns how long it took.
    pub fn wait_ready(
        &mut self,
        timeout: Duration,
        mut probe: impl FnMut(u16) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            if probe(self.port) {
                return start.elapsed();
            }
            if let Ok(Some(st)) = self.supervisor.try_wait() {
                panic!(
                    "{} on 127.0.0.1:{} exited ({st}) before it was ready; log {}:\n{}",
                    self.name,
                    self.port,
                    self.log.display(),
                    self.log_tail(40)
                );
            }
            if start.elapsed() > timeout {
                panic!(
                    "{} on 127.0.0.1:{} not ready after {:?}; log {}:\n{}",
                    self.name,
                    self.port,
                    timeout,
                    self.log.display(),
                    self.log_tail(40)
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    /// The server's pid, which is also its process group id.
    pub fn pid(&self) -> u32 {
        self.pid
    }
    pub fn log_path(&self) -> &Path {
        &self.log
    }
    /// The last `lines` lines of the server log (stdout+stderr), for panic messages.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
    }
    pub fn is_running(&mut self) -> bool {
        matches!(self.supervisor.try_wait(), Ok(None)) && pid_alive(self.pid)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // EOF on supervise.py's stdin: it sends SIGTERM to the group, SIGKILL after 3 s.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.supervisor.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.supervisor.kill();
                    let _ = self.supervisor.wait();
                    break;
                }
            }
        }
        if self.pid != 0 && !process_group_members(self.pid).is_empty() {
            kill_group(self.pid);
        }
    }
}

/// Last `lines` lines of a file, lossily decoded; a note if it can't be read.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(b) => {
            let s = String::from_utf8_lossy(&b);
            let v: Vec<&str> = s.lines().collect();
            v[v.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// (state, pgrp) from /proc/PID/stat.
fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let s = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let mut f = after.split_whitespace();
    let state = f.next()?.chars().next()?;
    let _ppid = f.next()?;
    let pgrp = f.next()?.parse().ok()?;
    Some((state, pgrp))
}

/// True when `pid` exists and is not a zombie.
pub fn pid_alive(pid: u32) -> bool {
    matches!(proc_stat(pid), Some((st, _)) if st != 'Z' && st != 'X')
}

/// Live (non-zombie) processes whose process group is `pgid`.
pub fn process_group_members(pgid: u32) -> Vec<u32> {
    let Ok(rd) = fs::read_dir("/proc") else { return Vec::new() };
    rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(
            |&pid| matches!(proc_stat(pid), Some((st, g)) if g == pgid && st != 'Z' && st != 'X'),
        )
        .collect()
}

fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}
