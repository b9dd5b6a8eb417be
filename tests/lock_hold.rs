//! `surestep lock acquire | release | run` against real S3 servers on 127.0.0.1: moto with
//! signature checking (AWS's conditional semantics), s3s-fs (ignores If-Match on DELETE), moto
//! behind the fault proxy (a lost PutObject answer; a store that drops If-None-Match).
//!
//! Every run of the binary is checked for the secret key in its output.

mod support;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::ChecksumAlgorithm;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};
use support::cli::Run;
use support::{FaultProxy, Faults, Moto, S3sFs};
use surestep::model::lock_hold::lease_expiry;
use surestep::model::tflock::{LockInfo, format_rfc3339, parse_rfc3339};

const ID_TF: &str = "c5bf827f-0a6c-d1a8-2d0b-5d1fa8b3e2a1";
const ID_RIVAL: &str = "7d3e0c1a-9f42-4b6e-8a51-2c9d0e7f6b13";

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start_with_auth)
}

fn s3s() -> &'static S3sFs {
    static S3S: OnceLock<S3sFs> = OnceLock::new();
    S3S.get_or_init(S3sFs::start)
}

/// Where the binary talks to: endpoint and credentials.
#[derive(Clone)]
struct Store {
    endpoint: String,
    ak: String,
    sk: String,
}

impl Store {
    fn moto() -> Store {
        let m = moto();
        Store { endpoint: m.endpoint(), ak: m.credentials().0.into(), sk: m.credentials().1.into() }
    }
    fn s3s() -> Store {
        let s = s3s();
        Store { endpoint: s.endpoint(), ak: s.credentials().0.into(), sk: s.credentials().1.into() }
    }
    fn via(&self, endpoint: String) -> Store {
        Store { endpoint, ..self.clone() }
    }

    fn sdk(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .credentials_provider(Credentials::new(&self.ak, &self.sk, None, None, "test"))
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    fn bucket(&self, name: &str) -> String {
        let b = format!("hold-{name}");
        rt().block_on(self.sdk().create_bucket().bucket(&b).send()).expect("create bucket");
        b
    }

    /// The binary, clean environment, pointed at this store.
    fn command(&self) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("surestep"));
        support::cli::scrub_env(&mut cmd);
        cmd.env("AWS_ACCESS_KEY_ID", &self.ak)
            .env("AWS_SECRET_ACCESS_KEY", &self.sk)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/nonexistent/surestep-test/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-test/credentials")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_S3", &self.endpoint)
            .args(["--color=never", "lock"]);
        cmd
    }

    /// `surestep lock ARGS --path-style` to completion.
    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args).arg("--path-style");
        self.finish(cmd.output().expect("run surestep"))
    }

    fn spawn(&self, args: &[&str]) -> Child {
        let mut cmd = self.command();
        cmd.args(args).arg("--path-style").stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().expect("spawn surestep")
    }

    fn finish(&self, out: std::process::Output) -> Run {
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: Duration::ZERO,
        };
        let shown: String = run
            .all()
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!shown.contains(&self.sk), "the secret key was printed:\n{}", run.all());
        run
    }

    /// The object's (ETag, body) or None.
    fn get(&self, bucket: &str, key: &str) -> Option<(String, Vec<u8>)> {
        let s3 = self.sdk();
        rt().block_on(async {
            match s3.get_object().bucket(bucket).key(key).send().await {
                Ok(o) => {
                    let etag = o.e_tag().unwrap_or_default().to_owned();
                    Some((etag, o.body.collect().await.unwrap().to_vec()))
                }
                Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => None,
                Err(e) => panic!("get {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
            }
        })
    }

    fn lock(&self, bucket: &str, key: &str) -> Option<LockInfo> {
        self.get(bucket, key).map(|(_, body)| LockInfo::parse(&body).expect("lock JSON"))
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        let out = rt().block_on(self.sdk().list_objects_v2().bucket(bucket).send()).unwrap();
        out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
    }

    /// Takes the lock exactly as Terraform's `lockWithFile` does; the store's answer.
    fn terraform_lock(&self, bucket: &str, key: &str, body: &LockInfo) -> Result<String, u16> {
        let s3 = self.sdk();
        rt().block_on(async {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/json")
                .if_none_match("*")
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .body(body.to_json().into_bytes().into())
                .send()
                .await
                .map(|o| o.e_tag().unwrap_or_default().to_owned())
                .map_err(|e| e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0))
        })
    }

    fn delete(&self, bucket: &str, key: &str) {
        rt().block_on(self.sdk().delete_object().bucket(bucket).key(key).send()).unwrap();
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn terraform_body(bucket: &str, state: &str, id: &str, age: Duration) -> LockInfo {
    LockInfo {
        id: id.into(),
        operation: "OperationTypeApply".into(),
        info: String::new(),
        who: "runner@ci-host".into(),
        version: "1.11.2".into(),
        created: format_rfc3339(SystemTime::now() - age),
        path: format!("{bucket}/{state}"),
    }
}

fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ok() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn json_of(run: &Run) -> Value {
    run.json()
}

/// 8 `lock run --wait 60s` processes per seed, 3 seeds at once (each its own bucket). Each
/// command reads a counter file, sleeps, writes counter+1, and logs its enter/exit times: the
/// counter ends at 8 and no two intervals overlap.
#[test]
fn mutual_exclusion_of_8_concurrent_lock_runs_over_3_seeds() {
    let store = Store::moto();
    let t0 = Instant::now();
    let seeds = [11u64, 22, 33];
    let results: Vec<(u64, u32, usize, f64, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .iter()
            .map(|&seed| {
                let store = store.clone();
                scope.spawn(move || exclusion_round(&store, seed))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("round")).collect()
    });
    for (seed, counter, overlaps, max_wait, span) in &results {
        eprintln!(
            "mutual exclusion: seed {seed}: 8 runs, counter {counter}, overlaps {overlaps}, max wait {max_wait:.2}s, round {span:.2}s"
        );
        assert_eq!(*counter, 8, "seed {seed}");
        assert_eq!(*overlaps, 0, "seed {seed}");
    }
    eprintln!("mutual exclusion: 3 seeds × 8 runs in {:.1}s", t0.elapsed().as_secs_f64());
}

fn exclusion_round(store: &Store, seed: u64) -> (u64, u32, usize, f64, f64) {
    let bucket = store.bucket(&format!("mutex-{seed}"));
    let dir = support::tempdir("mutex");
    let counter = dir.path().join("counter");
    std::fs::write(&counter, "0").unwrap();
    let script = r#"c=$(cat "$1"); echo "enter $(date +%s.%N)" > "$2"; sleep "$3"; echo $((c+1)) > "$1"; echo "exit $(date +%s.%N)" >> "$2""#;
    let mut rng = seed;
    let mut next = || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 33) % 1000
    };
    let url = format!("s3://{bucket}/deploys/prod.tfstate");
    let t0 = Instant::now();
    let mut children = Vec::new();
    for i in 0..8 {
        // Seeded: a start stagger of 0–100 ms and 50–150 ms inside the critical section.
        std::thread::sleep(Duration::from_millis(next() / 10));
        let hold = format!("0.{:03}", 50 + next() / 10);
        let log = dir.path().join(format!("log-{i}"));
        let counter = counter.to_str().unwrap().to_owned();
        let log = log.to_str().unwrap().to_owned();
        let args = [
            "run", &url, "--wait", "60s", "--lease", "30s", "--json", "--", "sh", "-c", script,
            "sh", &counter, &log, &hold,
        ];
        children.push(store.spawn(&args));
    }
    let mut max_wait = 0f64;
    for child in children {
        let run = store.finish(child.wait_with_output().unwrap());
        assert_eq!(run.code, 0, "{}", run.all());
        let j = json_of(&run);
        assert_eq!(j["acquire"]["acquired"], true);
        max_wait = max_wait.max(j["acquire"]["waited_seconds"].as_f64().unwrap());
    }
    let span = t0.elapsed().as_secs_f64();
    let mut intervals: Vec<(f64, f64)> = (0..8)
        .map(|i| {
            let text = std::fs::read_to_string(dir.path().join(format!("log-{i}"))).unwrap();
            let t = |w: &str| -> f64 {
                text.lines()
                    .find_map(|l| l.strip_prefix(w))
                    .unwrap_or_else(|| panic!("no {w} in log {i}: {text}"))
                    .trim()
                    .parse()
                    .unwrap()
            };
            (t("enter "), t("exit "))
        })
        .collect();
    intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let overlaps = intervals.windows(2).filter(|w| w[1].0 < w[0].1).count();
    let count: u32 = std::fs::read_to_string(&counter).unwrap().trim().parse().unwrap();
    assert!(store.keys(&bucket).is_empty(), "a lock or scratch object was left behind");
    (seed, count, overlaps, max_wait, span)
}

/// A lock written by `acquire` blocks a Terraform-style If-None-Match PutObject (412) and
/// `lock status` shows it with holder and lease; a lock written exactly as Terraform writes it
/// blocks `acquire`, which names it on timeout; outputs lock_id and etag; release by ID.
#[test]
fn terraform_compatibility_both_ways() {
    let store = Store::moto();
    let b = store.bucket("tf-compat");
    let state = "env/prod/terraform.tfstate";
    let key = format!("{state}.tflock");
    let url = format!("s3://{b}/{state}");
    let dir = support::tempdir("hold-gh");
    let out = dir.path().join("out");

    let mut cmd = store.command();
    cmd.args(["acquire", &url, "--lease", "10m", "--operation", "deploy", "--path-style"])
        .args(["--github=always"])
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_RUN_ATTEMPT", "2")
        .env("GITHUB_JOB", "deploy")
        .env("GITHUB_ACTOR", "octocat");
    let run = store.finish(cmd.output().unwrap());
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains(&format!("::add-mask::{}", store.sk)), "{}", run.stdout);
    let outputs = support::cli::read_github_outputs(&out);
    let lock_id = support::cli::github_output(&outputs, "lock_id").to_owned();
    let etag = support::cli::github_output(&outputs, "etag").to_owned();
    assert_eq!(support::cli::github_output(&outputs, "acquired"), "true");
    let (now_etag, body) = store.get(&b, &key).expect("the lock is there");
    assert_eq!(now_etag, etag);
    let info = LockInfo::parse(&body).unwrap();
    assert_eq!(info.id, lock_id);
    assert_eq!(info.operation, "deploy");
    assert_eq!(info.path, format!("{b}/{state}"));
    assert_eq!(
        info.who,
        "https://github.com/acme/infra/actions/runs/4242 (attempt 2, job deploy, actor octocat)"
    );
    let expiry = lease_expiry(&info).expect("a lease in Info");
    let left = expiry.duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(590) && left <= Duration::from_secs(600), "{left:?}");
    // Terraform's own write is refused while we hold it.
    let tf = terraform_body(&b, state, ID_TF, Duration::ZERO);
    assert_eq!(store.terraform_lock(&b, &key, &tf), Err(412));
    let status = store.run(&["status", &url, "--json"]);
    let j = json_of(&status);
    assert_eq!(j["lock_id"], lock_id.as_str());
    assert!(j["who"].as_str().unwrap().contains("actions/runs/4242"), "{j}");
    assert!(j["locks"][0]["info"].as_str().unwrap().contains("\"lease_expires\""), "{j}");
    assert_eq!(j["locks"][0]["lease_expires"], format_rfc3339(expiry).as_str());
    assert_eq!(j["locks"][0]["lease_expired"], false);
    let text = store.run(&["status", &url]);
    assert!(
        text.stdout.contains("lease until") && text.stdout.contains("octocat"),
        "{}",
        text.stdout
    );
    // A second acquire does not get it and names the holder.
    let again = store.run(&["acquire", &url, "--json"]);
    assert_eq!(again.code, 1, "{}", again.all());
    assert_eq!(json_of(&again)["holder"]["lock_id"], lock_id.as_str());
    // Released by its ID: gone.
    let rel = store.run(&["release", &url, "--lock-id", &lock_id, "--json"]);
    assert_eq!(rel.code, 0, "{}", rel.all());
    assert_eq!(json_of(&rel)["released"], true);
    assert_eq!(store.get(&b, &key), None);

    // Terraform's lock (no lease) blocks acquire; on timeout the holder is named; never taken
    // over by --take-over-expired.
    let tf_etag = store.terraform_lock(&b, &key, &tf).expect("terraform takes the lock");
    let t0 = Instant::now();
    let r = store.run(&["acquire", &url, "--wait", "2s", "--take-over-expired"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(t0.elapsed() >= Duration::from_secs(2), "waited the full 2 s");
    assert!(r.stdout.contains("still locked after 2s by runner@ci-host"), "{}", r.stdout);
    assert!(r.stdout.contains(ID_TF) && r.stdout.contains("OperationTypeApply"), "{}", r.stdout);
    assert!(r.stderr.contains("--take-over-older-than"), "{}", r.stderr);
    assert_eq!(store.get(&b, &key).map(|(e, _)| e), Some(tf_etag.clone()), "untouched");
    // Not ours: release refuses and names the holder.
    let r = store.run(&["release", &url, "--lock-id", &lock_id]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains(ID_TF) && r.stdout.contains("runner@ci-host"), "{}", r.stdout);
    assert_eq!(store.get(&b, &key).map(|(e, _)| e), Some(tf_etag));
    // The explicit opt-in for a lease-less lock, by age.
    store.delete(&b, &key);
    let old = terraform_body(&b, state, ID_TF, Duration::from_secs(3 * 3600));
    store.terraform_lock(&b, &key, &old).unwrap();
    let r = store.run(&["acquire", &url, "--take-over-older-than", "2h", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(json_of(&r)["took_over"]["lock_id"], ID_TF);
    assert!(r.stderr.contains("took over the lock of runner@ci-host"), "{}", r.stderr);
}

/// `kill -9` of `lock run` mid-command leaves its lock; two waiters with --take-over-expired:
/// neither gets it before the lease ran out, and exactly one gets it.
#[test]
fn crash_then_take_over_only_after_lease_expiry_by_exactly_one_waiter() {
    let store = Store::moto();
    let b = store.bucket("crash");
    let state = "deploys/prod.tfstate";
    let key = format!("{state}.tflock");
    let url = format!("s3://{b}/{state}");
    let dir = support::tempdir("crash");
    let pidfile = dir.path().join("pid");
    let script = format!("echo $$ > {}; exec sleep 60", pidfile.display());
    let mut holder = store.spawn(&["run", &url, "--lease", "3s", "--", "sh", "-c", &script]);
    wait_until("the command to start", Duration::from_secs(30), || pidfile.exists());
    // SIGKILL: no release, no forwarding.
    holder.kill().unwrap();
    holder.wait().unwrap();
    let child_pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    let crashed = store.lock(&b, &key).expect("the crashed run's lock stays");
    let expiry = lease_expiry(&crashed).expect("leased");
    let waiters: Vec<Child> = (0..2)
        .map(|_| {
            store.spawn(&[
                "acquire",
                &url,
                "--take-over-expired",
                "--wait",
                "8s",
                "--lease",
                "60s",
                "--json",
            ])
        })
        .collect();
    let runs: Vec<Run> =
        waiters.into_iter().map(|c| store.finish(c.wait_with_output().unwrap())).collect();
    kill_process(child_pid);
    let winners: Vec<&Run> = runs.iter().filter(|r| r.code == 0).collect();
    assert_eq!(winners.len(), 1, "exactly one waiter wins:\n{}\n{}", runs[0].all(), runs[1].all());
    let loser = runs.iter().find(|r| r.code != 0).unwrap();
    assert_eq!(loser.code, 1, "{}", loser.all());
    let w = json_of(winners[0]);
    assert_eq!(w["took_over"]["lock_id"], crashed.id.as_str());
    let now = store.lock(&b, &key).expect("the winner holds it");
    assert_eq!(now.id, w["lock_id"].as_str().unwrap());
    assert_eq!(json_of(loser)["holder"]["lock_id"], now.id.as_str());
    // Not before: the winner's lock was written after the crashed lease ran out.
    let taken = parse_rfc3339(&now.created).unwrap();
    assert!(
        taken >= expiry,
        "taken at {} before the lease expired at {}",
        now.created,
        format_rfc3339(expiry)
    );
    eprintln!(
        "crash take-over: lease expired at {}, taken {:.2}s later",
        format_rfc3339(expiry),
        taken.duration_since(expiry).unwrap().as_secs_f64()
    );
}

/// Kills the orphaned command a crashed run left (started by this test, by its id).
fn kill_process(pid: i32) {
    let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
}

/// The acquire's PutObject is stored but its answer is reset (fault proxy): the run still
/// acquires (our ID read back), runs, releases, and leaves no lock.
#[test]
fn a_lost_put_answer_is_recovered_by_reading_back_our_id() {
    let m = moto();
    let store = Store::moto();
    let b = store.bucket("lost-answer");
    let proxy = FaultProxy::start(
        m.port(),
        &Faults {
            kinds: vec!["reset_response"],
            fail_first: 1,
            matching: Some(r"^PUT [^ ]*\.tflock[ ?]".into()),
            ..Faults::default()
        },
    );
    let via = store.via(proxy.url());
    let url = format!("s3://{b}/app/terraform.tfstate");
    let dir = support::tempdir("lost");
    let seen = dir.path().join("seen");
    let script = format!("echo \"$SURESTEP_LOCK_ID\" > {}", seen.display());
    let r = via.run(&["run", &url, "--json", "--", "sh", "-c", &script]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = json_of(&r);
    assert_eq!(j["acquire"]["recovered_own_write"], true, "{}", r.stdout);
    assert_eq!(j["release"]["released"], true);
    let id = j["acquire"]["lock_id"].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(&seen).unwrap().trim(), id, "SURESTEP_LOCK_ID");
    let reqs = proxy.requests();
    let reset =
        reqs.iter().find(|q| q.fault.as_deref() == Some("reset_response")).expect("a reset");
    assert_eq!((reset.method.as_str(), reset.status), ("PUT", Some(200)), "stored, answer lost");
    assert!(store.keys(&b).is_empty(), "no lock left: {:?}", store.keys(&b));
}

/// Another process force-removes the lock and takes it mid-run: the renewal gets 412, the
/// command is terminated (SIGTERM), exit 1, and the other holder's lock is untouched.
#[test]
fn lease_loss_terminates_the_command_and_leaves_the_new_holder_alone() {
    let store = Store::moto();
    let b = store.bucket("lease-loss");
    let state = "deploys/prod.tfstate";
    let key = format!("{state}.tflock");
    let url = format!("s3://{b}/{state}");
    let dir = support::tempdir("loss");
    let (started, termed) = (dir.path().join("started"), dir.path().join("termed"));
    let script = format!(
        "trap 'echo term > {}; exit 143' TERM; echo up > {}; sleep 60 & wait",
        termed.display(),
        started.display()
    );
    let child = store.spawn(&[
        "run",
        &url,
        "--lease",
        "3s",
        "--kill-after",
        "5s",
        "--json",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    wait_until("the command to start", Duration::from_secs(30), || started.exists());
    let t_taken = Instant::now();
    store.delete(&b, &key);
    let rival = terraform_body(&b, state, ID_RIVAL, Duration::ZERO);
    let rival_etag = store.terraform_lock(&b, &key, &rival).expect("the rival takes the lock");
    let run = store.finish(child.wait_with_output().unwrap());
    let noticed = t_taken.elapsed();
    assert_eq!(run.code, 1, "{}", run.all());
    let j = json_of(&run);
    assert_eq!(j["lease_lost"], true);
    assert_eq!(j["lost_to"]["lock_id"], ID_RIVAL);
    assert!(j["lost_reason"].as_str().unwrap().contains("412"), "{j}");
    assert!(termed.exists(), "the command got SIGTERM");
    assert_eq!(j["command_signal"], Value::Null);
    assert_eq!(j["command_exit_code"], 143);
    assert_eq!(j["exit_code"], 1);
    assert_eq!(store.get(&b, &key).map(|(e, _)| e), Some(rival_etag), "rival untouched");
    assert!(noticed < Duration::from_secs(5), "noticed within a renewal period: {noticed:?}");
}

/// A store that stops answering the renewals (the fault proxy stalls every If-Match PutObject on
/// the lock): the command is stopped before its lease runs out, exit 1.
#[test]
fn a_hanging_renewal_stops_the_command_before_the_lease_runs_out() {
    let m = moto();
    let store = Store::moto();
    let b = store.bucket("hang");
    let proxy = FaultProxy::start(
        m.port(),
        &Faults {
            kinds: vec!["hang"],
            stall_seconds: 30.0,
            fail_first: 1000,
            matching: Some(r"(?s)^PUT [^ ]*\.tflock[ ?].*^if-match:".into()),
            ..Faults::default()
        },
    );
    let via = store.via(proxy.url());
    let url = format!("s3://{b}/deploys/prod.tfstate");
    let dir = support::tempdir("hang");
    let (started, termed) = (dir.path().join("started"), dir.path().join("termed"));
    let script = format!(
        "trap 'date +%s.%N > {}; exit 143' TERM; echo up > {}; sleep 60 & wait",
        termed.display(),
        started.display()
    );
    let child = via.spawn(&[
        "run",
        &url,
        "--lease",
        "3s",
        "--kill-after",
        "2s",
        "--json",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    wait_until("the command to start", Duration::from_secs(30), || started.exists());
    let run = via.finish(child.wait_with_output().unwrap());
    assert_eq!(run.code, 1, "{}", run.all());
    let j = json_of(&run);
    assert_eq!(j["lease_lost"], true);
    let reason = j["lost_reason"].as_str().unwrap();
    assert!(reason.contains("without a renewal") && reason.contains("no answer within"), "{j}");
    let expires = parse_rfc3339(j["acquire"]["lease_expires"].as_str().unwrap()).unwrap();
    let termed_at: f64 = std::fs::read_to_string(&termed)
        .expect("SIGTERM reached the command")
        .trim()
        .parse()
        .unwrap();
    let termed_at = std::time::UNIX_EPOCH + Duration::from_secs_f64(termed_at);
    assert!(
        termed_at <= expires,
        "stopped {:?} after the lease ran out",
        termed_at.duration_since(expires).unwrap_or_default()
    );
}

/// SIGTERM to `lock run` reaches the command, the lock is released, and the exit status is
/// the command's.
#[test]
fn sigterm_is_forwarded_and_the_exit_status_is_the_commands() {
    let store = Store::moto();
    let b = store.bucket("sigterm");
    let url = format!("s3://{b}/deploys/prod.tfstate");
    let dir = support::tempdir("sig");
    let started = dir.path().join("started");
    let script = format!("trap 'exit 7' TERM; echo up > {}; sleep 60 & wait", started.display());
    let child = store.spawn(&["run", &url, "--json", "--", "sh", "-c", &script]);
    wait_until("the command to start", Duration::from_secs(30), || started.exists());
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let run = store.finish(child.wait_with_output().unwrap());
    assert_eq!(run.code, 7, "{}", run.all());
    let j = json_of(&run);
    assert_eq!(j["forwarded_signals"][0], "SIGTERM");
    assert_eq!((j["command_exit_code"].clone(), j["exit_code"].clone()), (7.into(), 7.into()));
    assert_eq!(j["release"]["released"], true);
    assert!(store.keys(&b).is_empty(), "released: {:?}", store.keys(&b));
}

/// A store that drops If-None-Match (moto without signature checks behind a proxy that removes
/// the header) gives no exclusion: acquire refuses (exit 3) naming the condition, unless
/// --allow-unsafe-store. On s3s-fs (ignores If-Match on DELETE) release, take-over and run
/// refuse; a plain acquire (If-None-Match honoured) goes ahead.
#[test]
fn unsafe_stores_are_refused_unless_allowed() {
    let plain = Moto::start();
    let direct =
        Store { endpoint: plain.endpoint(), ak: "testing".into(), sk: "testing-secret".into() };
    let b = direct.bucket("unsafe");
    let proxy = FaultProxy::start(
        plain.port(),
        &Faults { drop_request_headers: vec!["If-None-Match"], ..Faults::default() },
    );
    let via = direct.via(proxy.url());
    let url = format!("s3://{b}/app/terraform.tfstate");
    let r = via.run(&["acquire", &url]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("If-None-Match") && r.stderr.contains("ignored"), "{}", r.stderr);
    assert!(r.stderr.contains("--allow-unsafe-store"), "{}", r.stderr);
    assert!(direct.keys(&b).is_empty(), "refused before writing: {:?}", direct.keys(&b));
    let r = via.run(&["acquire", &url, "--allow-unsafe-store", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("If-None-Match"), "the risk is said: {}", r.stderr);

    let s3s_store = Store::s3s();
    let b = "hold-unsafe-s3s";
    s3s().create_bucket(b);
    let url = format!("s3://{b}/app/terraform.tfstate");
    let r = s3s_store.run(&["acquire", &url, "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let id = json_of(&r)["lock_id"].as_str().unwrap().to_owned();
    for args in [
        vec!["release", url.as_str(), "--lock-id", id.as_str()],
        vec!["acquire", url.as_str(), "--take-over-expired"],
        vec!["run", url.as_str(), "--", "true"],
    ] {
        let r = s3s_store.run(&args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.all());
        assert!(r.stderr.contains("DeleteObject If-Match"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("ignored"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(s3s_store.lock(b, "app/terraform.tfstate.tflock").map(|l| l.id), Some(id.clone()));
    let r = s3s_store.run(&["release", &url, "--lock-id", &id, "--allow-unsafe-store"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(s3s_store.get(b, "app/terraform.tfstate.tflock"), None);
}
