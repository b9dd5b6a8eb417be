//! `surestep lock status | unlock | probe` against real S3 servers on 127.0.0.1: one moto with
//! signature checking (full AWS conditional semantics) shared by the tests, and s3s-fs (ignores
//! If-Match on DELETE) for the probe and the unlock race. Locks are written exactly as Terraform writes them:
//! PutObject with `If-None-Match: *`, `Content-Type: application/json`, a SHA-256 checksum.
//!
//! Every run of the binary goes through [`run`], which asserts that no secret (the moto secret
//! key, the fake secret of the access-denied test) appears in stdout or stderr.

mod support;

use support::cli::Run;

use assert_cmd::Command;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::ChecksumAlgorithm;
use futures_util::StreamExt;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use support::{Moto, S3sFs};
use surestep::commands::lock::unlock::{
    ConditionalDelete, ReadLock, UnlockPlan, UnlockRequest, UnlockResult, check_step, delete_step,
    read_step, store_step, unlock_steps,
};
use surestep::model::tflock::{LockInfo, LockLocation, format_rfc3339};
use surestep::remote::s3_lock::{LockStore, S3Settings};

/// A fake secret nobody should ever see printed.
const FAKE_SECRET: &str = "FAKE-SECRET-surestep-must-never-print-this-9f3c";

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start_with_auth)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// An S3 client for seeding and checking the server, independent of surestep's code.
fn sdk(endpoint: &str, (ak, sk): (&str, &str)) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(ak, sk, None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn moto_sdk() -> aws_sdk_s3::Client {
    let m = moto();
    sdk(&m.endpoint(), m.credentials())
}

/// A bucket of its own for each test on the shared moto.
fn bucket(name: &str) -> String {
    let b = format!("lock-{name}");
    moto().create_bucket(&b);
    b
}

fn lock_info(id: &str, bucket: &str, state_key: &str, created: SystemTime) -> LockInfo {
    LockInfo {
        id: id.into(),
        operation: "OperationTypeApply".into(),
        info: String::new(),
        who: "runner@ci-host".into(),
        version: "1.11.2".into(),
        created: format_rfc3339(created),
        path: format!("{bucket}/{state_key}"),
    }
}

/// Takes the lock the way Terraform's `lockWithFile` does. Returns the ETag.
async fn terraform_lock(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    lock_key: &str,
    body: Vec<u8>,
) -> String {
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(lock_key)
        .content_type("application/json")
        .if_none_match("*")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .body(body.into())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!("lock {lock_key}: {}", aws_sdk_s3::error::DisplayErrorContext(e))
        });
    out.e_tag().unwrap_or_default().to_owned()
}

fn put_lock(bucket: &str, state_key: &str, id: &str, age: Duration) -> String {
    let info = lock_info(id, bucket, state_key, SystemTime::now() - age);
    let key = format!("{state_key}.tflock");
    rt().block_on(terraform_lock(&moto_sdk(), bucket, &key, info.to_json().into_bytes()))
}

/// The object's (ETag, body) or None.
fn get_object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Option<(String, Vec<u8>)> {
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

fn list_keys(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    rt().block_on(async {
        let out = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
        out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
    })
}

/// The binary with a clean AWS environment pointed at `endpoint` with these credentials.
fn surestep(endpoint: &str, (ak, sk): (&str, &str)) -> Command {
    let mut cmd = support::cli::surestep();
    cmd.env("AWS_ACCESS_KEY_ID", ak)
        .env("AWS_SECRET_ACCESS_KEY", sk)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/surestep-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_S3", endpoint)
        .arg("--color=never");
    cmd
}

/// Runs `surestep lock ARGS --path-style` against moto and checks no secret leaked.
fn run(args: &[&str]) -> Run {
    let m = moto();
    run_with(surestep(&m.endpoint(), m.credentials()), args, &[m.credentials().1])
}

fn run_with(mut cmd: Command, args: &[&str], secrets: &[&str]) -> Run {
    let run = support::cli::run(cmd.arg("lock").args(args).arg("--path-style"));
    // `::add-mask::` lines are how a secret is handed to the runner to be masked.
    let shown: String =
        run.all().lines().filter(|l| !l.starts_with("::add-mask::")).collect::<Vec<_>>().join("\n");
    for secret in secrets.iter().chain([&FAKE_SECRET]) {
        assert!(!shown.contains(secret), "a secret was printed:\n{}", run.all());
    }
    run
}

/// The library reads credentials from the default chain, like the binary: the process
/// environment, shared by every test thread. The guard keeps one library-level test at a time.
fn library_credentials((ak, sk): (&str, &str)) -> std::sync::MutexGuard<'static, ()> {
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY (edition 2024): std's environment lock serialises this with the other tests' reads.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", ak);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", sk);
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    guard
}

const ID_A: &str = "c5bf827f-0a6c-d1a8-2d0b-5d1fa8b3e2a1";
const ID_B: &str = "7d3e0c1a-9f42-4b6e-8a51-2c9d0e7f6b13";

#[test]
fn status_of_one_state_key_and_of_its_tflock_key() {
    let b = bucket("status-one");
    let etag = put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(600));

    for url in [
        format!("s3://{b}/dev/terraform.tfstate"),
        format!("s3://{b}/dev/terraform.tfstate.tflock"),
    ] {
        let r = run(&["status", &url, "--json"]);
        assert_eq!(r.code, 0, "{}", r.all());
        let j = r.json();
        assert_eq!(j["locked"], true);
        assert_eq!(j["lock_id"], ID_A);
        assert_eq!(j["who"], "runner@ci-host");
        let age = j["age_seconds"].as_u64().unwrap();
        assert!((600..700).contains(&age), "age {age}");
        let lock = &j["locks"][0];
        assert_eq!(lock["operation"], "OperationTypeApply");
        assert_eq!(lock["version"], "1.11.2");
        assert_eq!(lock["path"], format!("{b}/dev/terraform.tfstate"));
        assert_eq!(lock["etag"], etag);
        assert!(lock["last_modified"].as_str().unwrap().ends_with('Z'));
    }

    // Human text shows the holder; --fail-if-locked makes it a failed check.
    let r = run(&["status", &format!("s3://{b}/dev/terraform.tfstate"), "--fail-if-locked"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains(ID_A) && r.stdout.contains("runner@ci-host"), "{}", r.stdout);
    assert!(
        r.stdout.contains("OperationTypeApply") && r.stdout.contains("10m ago"),
        "{}",
        r.stdout
    );

    // Another state is not locked: exit 0 even with --fail-if-locked.
    let r =
        run(&["status", &format!("s3://{b}/prod/terraform.tfstate"), "--fail-if-locked", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["locked"], false);
    assert_eq!(r.json()["lock_id"], Value::Null);
    // ... and with no state object either, a warning: more often a typo than a new state.
    let warnings = r.json()["warnings"].clone();
    assert!(
        warnings[0].as_str().unwrap().contains("prod/terraform.tfstate has no state object"),
        "{}",
        r.all()
    );
    // A state that exists and is not locked: no warning.
    rt().block_on(
        moto_sdk()
            .put_object()
            .bucket(&b)
            .key("prod/terraform.tfstate")
            .body(b"{}".to_vec().into())
            .send(),
    )
    .unwrap();
    let r = run(&["status", &format!("s3://{b}/prod/terraform.tfstate"), "--json"]);
    assert_eq!((r.code, r.json()["warnings"].clone()), (0, serde_json::json!([])), "{}", r.all());
    // A prefix with nothing under it at all.
    let r = run(&["status", &format!("s3://{b}/prdo/"), "--recursive", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.json()["warnings"][0].as_str().unwrap().contains("nothing at all under"),
        "{}",
        r.all()
    );
}

#[test]
fn status_of_a_workspace_lock_and_github_outputs() {
    let b = bucket("status-ws");
    put_lock(&b, "env:/staging/app/terraform.tfstate", ID_B, Duration::from_secs(3 * 3600));
    let dir = support::tempdir("lock-gh");
    let (out, summary) = (dir.path().join("out"), dir.path().join("summary"));
    let m = moto();
    let mut cmd = surestep(&m.endpoint(), m.credentials());
    cmd.env("GITHUB_OUTPUT", &out).env("GITHUB_STEP_SUMMARY", &summary).arg("--github=always");
    let r = run_with(
        cmd,
        &[
            "status",
            &format!("s3://{b}/app/terraform.tfstate"),
            "--workspace",
            "staging",
            "--stale-after",
            "2h",
        ],
        &[m.credentials().1],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let outputs = std::fs::read_to_string(&out).unwrap();
    assert!(outputs.lines().any(|l| l == "locked=true"), "{outputs}");
    assert!(outputs.lines().any(|l| l == format!("lock_id={ID_B}")), "{outputs}");
    assert!(outputs.lines().any(|l| l == "stale_count=1"), "{outputs}");
    assert!(outputs.lines().any(|l| l.starts_with("age_seconds=108")), "{outputs}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("env:/staging/app/terraform.tfstate.tflock") && md.contains("(stale)"),
        "{md}"
    );
    // The secret key is masked before any request, and the stale lock is a warning annotation.
    assert!(r.stdout.contains(&format!("::add-mask::{}", m.credentials().1)), "{}", r.stdout);
    assert!(r.stdout.contains("::warning") && r.stdout.contains("stale lock"), "{}", r.stdout);
    for text in [&outputs, &md] {
        assert!(!text.contains(m.credentials().1), "secret in GitHub files");
    }
}

#[test]
fn recursive_status_over_1000_state_keys_with_20_locks() {
    let b = bucket("status-many");
    let s3 = moto_sdk();
    let now = SystemTime::now();
    rt().block_on(async {
        let mut puts = Vec::new();
        for i in 0..1000 {
            let key = format!("envs/svc-{i:04}/terraform.tfstate");
            puts.push((key, b"{\"version\":4}".to_vec()));
        }
        // 16 locks in the default workspace (5 of them old), 4 inside workspaces.
        for i in 0..16 {
            let state = format!("envs/svc-{:04}/terraform.tfstate", i * 50);
            let age = if i < 5 { Duration::from_secs(5 * 3600) } else { Duration::from_secs(60) };
            let body = lock_info(&format!("id-{i}"), &b, &state, now - age).to_json();
            puts.push((format!("{state}.tflock"), body.into_bytes()));
        }
        for ws in ["qa", "staging", "perf", "blue"] {
            let state = format!("env:/{ws}/envs/svc-0001/terraform.tfstate");
            let body = lock_info(&format!("id-{ws}"), &b, &state, now).to_json();
            puts.push((format!("{state}.tflock"), body.into_bytes()));
        }
        // Outside the prefix: not listed.
        puts.push(("other/terraform.tfstate.tflock".into(), b"{\"ID\":\"x\"}".to_vec()));
        puts.push(("env:/qa/other/terraform.tfstate.tflock".into(), b"{\"ID\":\"y\"}".to_vec()));
        futures_util::stream::iter(puts)
            .map(|(key, body)| {
                let (s3, b) = (s3.clone(), b.clone());
                async move { terraform_lock(&s3, &b, &key, body).await }
            })
            .buffer_unordered(24)
            .collect::<Vec<_>>()
            .await;
    });

    let r = run(&[
        "status",
        &format!("s3://{b}/envs/"),
        "--recursive",
        "--stale-after",
        "2h",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["lock_count"], 20, "{}", r.stdout);
    assert_eq!(j["stale_count"], 5);
    assert_eq!(j["locked"], true);
    // Two pages of the prefix (1016 objects) plus the workspace tree (5 objects).
    assert_eq!(j["objects_scanned"], 1021);
    let keys: Vec<&str> =
        j["locks"].as_array().unwrap().iter().map(|l| l["lock_key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"env:/staging/envs/svc-0001/terraform.tfstate.tflock"), "{keys:?}");
    assert!(keys.contains(&"envs/svc-0750/terraform.tfstate.tflock"), "{keys:?}");
    assert!(!keys.iter().any(|k| k.contains("other/")), "{keys:?}");
    let ws: Vec<&str> =
        j["locks"].as_array().unwrap().iter().map(|l| l["workspace"].as_str().unwrap()).collect();
    assert_eq!(ws.iter().filter(|w| **w != "default").count(), 4);
    // The headline lock is the oldest.
    assert!(j["age_seconds"].as_u64().unwrap() >= 5 * 3600);

    // --fail-if-locked over the prefix.
    let r = run(&["status", &format!("s3://{b}/envs/"), "-r", "--fail-if-locked"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.starts_with("20 locks under"), "{}", r.stdout);

    // A prefix without --recursive is a usage error.
    let r = run(&["status", &format!("s3://{b}/envs/")]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--recursive"), "{}", r.stderr);
}

#[test]
fn unlock_with_the_right_id_removes_it_and_a_second_run_is_a_no_op() {
    let b = bucket("unlock-right");
    put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(60));
    let url = format!("s3://{b}/dev/terraform.tfstate");
    let r = run(&["unlock", &url, "--lock-id", ID_A, "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!((j["removed"].clone(), j["result"].clone()), (Value::Bool(true), "removed".into()));
    assert_eq!(j["lock_id"], ID_A);
    assert_eq!(j["who"], "runner@ci-host");
    assert_eq!(j["conditional_delete"], "honoured");
    assert_eq!(get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock"), None);

    let r = run(&["unlock", &url, "--lock-id", ID_A]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("not locked, nothing to remove"), "{}", r.stdout);
    // The state object does not exist in this bucket either: the key may be mistyped.
    assert!(r.stderr.contains("has no state object either"), "{}", r.all());
    rt().block_on(
        moto_sdk()
            .put_object()
            .bucket(&b)
            .key("dev/terraform.tfstate")
            .body(b"{}".to_vec().into())
            .send(),
    )
    .unwrap();
    let r = run(&["unlock", &url, "--lock-id", ID_A, "--json"]);
    assert_eq!((r.code, r.json()["warnings"].clone()), (0, serde_json::json!([])), "{}", r.all());
}

#[test]
fn unlock_with_a_wrong_id_refuses_and_shows_the_holder() {
    let b = bucket("unlock-wrong");
    let etag = put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(60));
    let r = run(&["unlock", &format!("s3://{b}/dev/terraform.tfstate"), "--lock-id", ID_B]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains(&format!("does not match the current lock ID \"{ID_A}\"")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("runner@ci-host") && r.stdout.contains("nothing deleted"),
        "{}",
        r.stdout
    );
    let (now_etag, _) = get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").expect("kept");
    assert_eq!(now_etag, etag);
}

/// The race Terraform's unlock has: between our read and our delete, the stale lock is cleared
/// and a new apply takes the lock. The delete is conditional on the ETag read, so the new lock
/// survives and the outcome says nothing was deleted. Driven twice: step by step, and through
/// the whole unlock flow with the rival writer injected between read and delete.
#[test]
fn unlock_race_lock_replaced_between_read_and_delete_deletes_nothing() {
    let b = bucket("unlock-race");
    let m = moto();
    let state = "dev/terraform.tfstate";
    let s3 = moto_sdk();
    let _env = library_credentials(m.credentials());
    let location = LockLocation::for_key(state, None, "env:");
    // Someone force-unlocks and a new apply takes the lock (with a new ID).
    let replace = |s3: aws_sdk_s3::Client, b: String, key: String, new_id: &'static str| async move {
        s3.delete_object().bucket(&b).key(&key).send().await.unwrap();
        let fresh = lock_info(new_id, &b, state, SystemTime::now()).to_json().into_bytes();
        terraform_lock(&s3, &b, &key, fresh).await
    };
    let settings = S3Settings {
        endpoint_url: Some(m.endpoint()),
        path_style: true,
        region: Some("us-east-1".into()),
        sse_customer_key: None,
    };

    // 1. Step by step.
    put_lock(&b, state, ID_A, Duration::from_secs(3600));
    rt().block_on(async {
        let (store, _secrets) = LockStore::connect(&settings).await.unwrap();
        let plan = UnlockPlan { lock_id: Some(ID_A.into()), ..UnlockPlan::default() };
        let read: ReadLock =
            read_step(&store, &b, &location, "env:", SystemTime::now()).await.unwrap().unwrap();
        assert_eq!(read.report.lock_id.as_deref(), Some(ID_A));
        check_step(&plan, &read).expect("the ID matches");
        let new_etag = replace(s3.clone(), b.clone(), location.lock_key.clone(), ID_B).await;
        assert_ne!(new_etag, read.object.etag, "the new lock must differ");
        let conditional = store_step(&store, &b, &location.lock_key).await.unwrap();
        assert_eq!(conditional, ConditionalDelete::Honoured);
        let deleted = delete_step(&store, &b, &read, &plan, conditional).await.unwrap();
        assert_eq!(deleted.result, UnlockResult::Changed);
    });
    let (_, body) = get_object(&s3, &b, "dev/terraform.tfstate.tflock").expect("new lock kept");
    assert_eq!(LockInfo::parse(&body).unwrap().id, ID_B);

    // 2. The whole flow (as `lock unlock --lock-id ID_B` runs it), the lock replaced by ID_C
    //    between the read and the delete.
    const ID_C: &str = "0b8f5e2d-1c3a-4d7e-9f60-a1b2c3d4e5f6";
    let outcome = rt().block_on(async {
        let (store, _secrets) = LockStore::connect(&settings).await.unwrap();
        let req = UnlockRequest {
            bucket: b.clone(),
            location: location.clone(),
            workspace_prefix: "env:".into(),
            plan: UnlockPlan { lock_id: Some(ID_B.into()), ..UnlockPlan::default() },
            dry_run: false,
            confirm: false,
        };
        let rival = async {
            replace(s3.clone(), b.clone(), location.lock_key.clone(), ID_C).await;
        };
        unlock_steps(&store, &req, |_| panic!("no confirmation with --lock-id"), rival)
            .await
            .unwrap()
    });
    assert_eq!(outcome.result, UnlockResult::Changed);
    assert!(!outcome.removed);
    assert!(outcome.locked);
    assert_eq!(outcome.status(), surestep::exit::ExitStatus::Failed);
    assert!(outcome.message.contains("lock changed since it was read"), "{}", outcome.message);
    assert!(outcome.message.contains("nothing deleted"), "{}", outcome.message);
    assert_eq!(outcome.lock_id.as_deref(), Some(ID_B), "the lock that was read");
    let current = outcome.current.as_ref().expect("the new holder is shown");
    assert_eq!(current.lock_id.as_deref(), Some(ID_C));
    let (_, body) = get_object(&s3, &b, "dev/terraform.tfstate.tflock").expect("new lock kept");
    assert_eq!(LockInfo::parse(&body).unwrap().id, ID_C);
}

#[test]
fn unlock_older_than_refuses_a_young_lock_and_removes_an_old_one() {
    let b = bucket("unlock-age");
    put_lock(&b, "young/terraform.tfstate", ID_A, Duration::from_secs(5 * 60));
    put_lock(&b, "old/terraform.tfstate", ID_B, Duration::from_secs(2 * 3600));
    let r = run(&[
        "unlock",
        &format!("s3://{b}/young/terraform.tfstate"),
        "--yes",
        "--older-than",
        "30m",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("younger than --older-than 30m; nothing deleted"), "{}", r.stdout);
    assert!(get_object(&moto_sdk(), &b, "young/terraform.tfstate.tflock").is_some());

    let r = run(&[
        "unlock",
        &format!("s3://{b}/old/terraform.tfstate"),
        "--yes",
        "--older-than",
        "30m",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["removed"], true);
    assert!(get_object(&moto_sdk(), &b, "old/terraform.tfstate.tflock").is_none());

    let r = run(&[
        "unlock",
        &format!("s3://{b}/young/terraform.tfstate"),
        "--yes",
        "--older-than",
        "soon",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--older-than"), "{}", r.stderr);
}

#[test]
fn unlock_off_a_terminal_needs_a_lock_id_or_yes() {
    let b = bucket("unlock-tty");
    put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(60));
    let url = format!("s3://{b}/dev/terraform.tfstate");
    let r = run(&["unlock", &url]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--lock-id") && r.stderr.contains("--yes"), "{}", r.stderr);
    assert!(get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").is_some());

    let r = run(&["unlock", &url, "--dry-run", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        (r.json()["result"].clone(), r.json()["removed"].clone()),
        ("dry_run".into(), Value::Bool(false))
    );
    assert!(get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").is_some());

    // --force (alias of --yes): removes the lock that was read, still guarded by If-Match.
    let r = run(&["unlock", &url, "--force"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(&format!("removed lock {ID_A}")), "{}", r.stdout);
    assert!(get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").is_none());
}

#[test]
fn malformed_lock_json_is_shown_raw_with_a_warning() {
    let b = bucket("malformed");
    rt().block_on(terraform_lock(
        &moto_sdk(),
        &b,
        "dev/terraform.tfstate.tflock",
        b"{\"ID\": oops".to_vec(),
    ));
    let r = run(&["status", &format!("s3://{b}/dev/terraform.tfstate")]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("(unparseable) {\"ID\": oops"), "{}", r.stdout);
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("not Terraform lock JSON"),
        "{}",
        r.stderr
    );
    let r = run(&["status", &format!("s3://{b}/"), "-r", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["locks"][0]["raw_body"], "{\"ID\": oops");

    // An ID cannot be matched against it: refused, kept.
    let r = run(&["unlock", &format!("s3://{b}/dev/terraform.tfstate"), "--lock-id", ID_A]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("no readable ID"), "{}", r.stdout);
    assert!(get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").is_some());
}

#[test]
fn access_denied_with_a_wrong_secret_exits_3_without_printing_it() {
    let b = bucket("denied");
    let m = moto();
    // With -vv the SDK's own debug/trace logs (signing included) go to stderr too.
    let mut cmd = surestep(&m.endpoint(), (m.credentials().0, FAKE_SECRET));
    cmd.arg("-vv");
    let r = run_with(
        cmd,
        &["status", &format!("s3://{b}/dev/terraform.tfstate")],
        &[m.credentials().1],
    );
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.stderr.contains("access denied") && r.stderr.contains("SignatureDoesNotMatch"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);

    // A session token moto does not know: rejected, exit 3, the token never printed (-vv).
    let fake_token = "FAKE-SESSION-TOKEN-surestep-must-never-print-7e21";
    let mut cmd = surestep(&m.endpoint(), m.credentials());
    cmd.env("AWS_SESSION_TOKEN", fake_token).arg("-vv");
    let r = run_with(cmd, &["status", &format!("s3://{b}/k")], &[m.credentials().1, fake_token]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.stderr.contains("access denied") && r.stderr.contains("InvalidToken"),
        "{}",
        r.stderr
    );

    // Same in JSON mode: one document on stdout, no secret anywhere (checked by run_with).
    let cmd = surestep(&m.endpoint(), (m.credentials().0, FAKE_SECRET));
    let r = run_with(
        cmd,
        &["unlock", &format!("s3://{b}/dev/terraform.tfstate"), "--yes", "--json"],
        &[],
    );
    assert_eq!(r.code, 3, "{}", r.all());
    assert_eq!(r.json()["exit_code"], 3);
}

#[test]
fn a_missing_bucket_exits_3_naming_it() {
    moto();
    let r = run(&["status", "s3://no-such-bucket-here/dev/terraform.tfstate"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("bucket \"no-such-bucket-here\" does not exist"), "{}", r.stderr);
    let r = run(&["status", "s3://no-such-bucket-here/", "-r"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("no-such-bucket-here"), "{}", r.stderr);
}

#[test]
fn bad_urls_are_usage_errors() {
    moto();
    for url in ["dev/terraform.tfstate", "s3:///key", "s3://Bad_Bucket/key"] {
        let r = run(&["status", url]);
        assert_eq!(r.code, 2, "{url}: {}", r.all());
    }
}

#[test]
fn probe_on_moto_finds_both_conditions_honoured_and_cleans_up() {
    let b = bucket("probe");
    let r = run(&["probe", &format!("s3://{b}/locks/"), "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["safe"], true);
    assert_eq!(j["checks"][0]["name"], "put_if_none_match");
    assert_eq!(j["checks"][0]["verdict"], "honoured");
    assert_eq!(j["checks"][1]["name"], "delete_if_match");
    assert_eq!(j["checks"][1]["verdict"], "honoured");
    assert_eq!(j["checks"][2]["name"], "put_if_match");
    assert_eq!(j["checks"][2]["verdict"], "honoured");
    assert_eq!(j["cleaned_up"], true);
    assert!(list_keys(&moto_sdk(), &b).is_empty(), "scratch object left behind");
}

fn s3s() -> &'static S3sFs {
    static S3S: OnceLock<S3sFs> = OnceLock::new();
    S3S.get_or_init(S3sFs::start)
}

#[test]
fn probe_on_s3s_fs_reports_the_conditional_delete_as_ignored() {
    let s = s3s();
    s.create_bucket("probe-s3s");
    let cmd = surestep(&s.endpoint(), s.credentials());
    let r = run_with(cmd, &["probe", "s3://probe-s3s/locks/", "--json"], &[s.credentials().1]);
    assert_eq!(r.code, 1, "{}", r.all());
    let j = r.json();
    assert_eq!(j["safe"], false);
    assert_eq!(j["checks"][0]["verdict"], "honoured", "{}", r.stdout);
    assert_eq!(j["checks"][1]["verdict"], "ignored", "{}", r.stdout);
    assert_eq!(j["cleaned_up"], true);
    let cmd = surestep(&s.endpoint(), s.credentials());
    let r = run_with(cmd, &["probe", "s3://probe-s3s/locks/"], &[s.credentials().1]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("ignored") && r.stdout.contains("NOT safe"), "{}", r.stdout);
}

/// Issue 12: on a store that ignores `If-Match` on DELETE (s3s-fs), the lock is read, then a
/// newer apply replaces it before the delete. The store's behaviour is learned on a scratch
/// object, so the newer lock survives: refused without --allow-unconditional-delete (exit 1),
/// and with it the re-read just before the unguarded delete sees the change. The old code sent
/// its "test" delete to the lock key itself and removed the newer lock, reporting `removed`.
#[test]
fn unlock_race_on_s3s_fs_keeps_the_newer_lock() {
    let s = s3s();
    let b = "unlock-s3s-race";
    s.create_bucket(b);
    let s3 = sdk(&s.endpoint(), s.credentials());
    let state = "dev/terraform.tfstate";
    let location = LockLocation::for_key(state, None, "env:");
    let key = location.lock_key.clone();
    let body = |id: &str| lock_info(id, b, state, SystemTime::now()).to_json().into_bytes();
    rt().block_on(terraform_lock(&s3, b, &key, body(ID_A)));
    let settings = S3Settings {
        endpoint_url: Some(s.endpoint()),
        path_style: true,
        region: Some("us-east-1".into()),
        sse_customer_key: None,
    };
    let _env = library_credentials(s.credentials());
    for (allow, expected) in [(false, UnlockResult::Unsupported), (true, UnlockResult::Changed)] {
        let (old, new) =
            if allow { (ID_B, "0b8f5e2d-1c3a-4d7e-9f60-a1b2c3d4e5f6") } else { (ID_A, ID_B) };
        let outcome = rt().block_on(async {
            let (store, _secrets) = LockStore::connect(&settings).await.unwrap();
            let req = UnlockRequest {
                bucket: b.into(),
                location: location.clone(),
                workspace_prefix: "env:".into(),
                plan: UnlockPlan {
                    lock_id: Some(old.into()),
                    allow_unconditional_delete: allow,
                    ..UnlockPlan::default()
                },
                dry_run: false,
                confirm: false,
            };
            // The stale lock is cleared and a new apply takes the lock between read and delete.
            let rival = async {
                s3.delete_object().bucket(b).key(&key).send().await.unwrap();
                terraform_lock(&s3, b, &key, body(new)).await;
            };
            unlock_steps(&store, &req, |_| panic!("no confirmation with --lock-id"), rival)
                .await
                .unwrap()
        });
        assert_eq!(outcome.result, expected, "allow={allow}: {}", outcome.message);
        assert!(!outcome.removed, "allow={allow}");
        assert_eq!(outcome.status(), surestep::exit::ExitStatus::Failed);
        assert_eq!(outcome.conditional_delete, Some(ConditionalDelete::Ignored));
        assert!(outcome.message.contains("nothing deleted"), "{}", outcome.message);
        let (_, now) = get_object(&s3, b, &key).expect("the newer lock survives");
        assert_eq!(LockInfo::parse(&now).unwrap().id, new, "allow={allow}");
    }
    // No scratch object is left beside the lock.
    let keys = list_keys(&s3, b);
    assert_eq!(keys, vec![key.clone()], "{keys:?}");

    // The binary says the same, exit 1, and says why.
    let cmd = surestep(&s.endpoint(), s.credentials());
    let url = format!("s3://{b}/{state}");
    let r = run_with(cmd, &["unlock", &url, "--yes", "--json"], &[s.credentials().1]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(r.json()["result"], "unsupported");
    assert!(r.stdout.contains("ignores If-Match on DELETE"), "{}", r.stdout);
    assert!(get_object(&s3, b, &key).is_some());
    // With --allow-unconditional-delete it is removed, read back, and said to be unguarded.
    let cmd = surestep(&s.endpoint(), s.credentials());
    let r = run_with(
        cmd,
        &["unlock", &url, "--yes", "--allow-unconditional-delete", "--json"],
        &[s.credentials().1],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["removed"], true);
    assert!(r.stderr.contains("unconditional"), "{}", r.stderr);
    assert!(get_object(&s3, b, &key).is_none());
}

#[test]
fn sse_c_key_is_validated_masked_and_never_printed() {
    use base64::Engine;
    let b = bucket("sse-c");
    put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(60));
    let m = moto();
    let url = format!("s3://{b}/dev/terraform.tfstate");
    // Not a 256-bit key: a usage error that does not echo the key.
    let short = base64::engine::general_purpose::STANDARD.encode(b"FAKE-SSE-KEY-16b");
    let mut cmd = surestep(&m.endpoint(), m.credentials());
    cmd.env("AWS_SSE_CUSTOMER_KEY", &short);
    let r = run_with(cmd, &["status", &url], &[m.credentials().1, &short]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("16 bytes") && r.stderr.contains("32-byte"), "{}", r.stderr);

    // A valid key is sent with the read (moto does not enforce SSE-C, so this checks the flag
    // path and the masking) and handed to the runner to mask.
    let key = base64::engine::general_purpose::STANDARD.encode([0x5au8; 32]);
    let mut cmd = surestep(&m.endpoint(), m.credentials());
    cmd.arg("--github=always");
    let r = run_with(
        cmd,
        &["status", &url, "--sse-customer-key", &key, "--json"],
        &[m.credentials().1, &key],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["lock_id"], ID_A);
    assert!(r.stderr.contains(&format!("::add-mask::{key}")), "{}", r.stderr);
}

#[test]
fn an_unreachable_endpoint_exits_3_naming_it() {
    let port = support::free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let cmd = surestep(&endpoint, ("AKIDEXAMPLE", FAKE_SECRET));
    let r = run_with(cmd, &["status", "s3://some-bucket/dev/terraform.tfstate"], &[]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains(&format!("cannot reach the S3 endpoint {endpoint}")), "{}", r.stderr);
}

/// On a terminal (a pty from util-linux `script`), unlock without --lock-id shows the lock and
/// asks; anything but `yes` keeps it.
#[test]
fn unlock_on_a_terminal_asks_for_confirmation() {
    let b = bucket("unlock-prompt");
    let m = moto();
    let bin = assert_cmd::cargo::cargo_bin("surestep");
    put_lock(&b, "dev/terraform.tfstate", ID_A, Duration::from_secs(60));
    for (answer, removed) in [("no", false), ("yes", true)] {
        let line = format!(
            "{} --color=never lock unlock s3://{b}/dev/terraform.tfstate --path-style",
            bin.display()
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"]);
        let (ak, sk) = m.credentials();
        cmd.env("AWS_ACCESS_KEY_ID", ak)
            .env("AWS_SECRET_ACCESS_KEY", sk)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_S3", m.endpoint())
            .env_remove("AWS_PROFILE")
            .env_remove("GITHUB_ACTIONS");
        let out = cmd
            .write_stdin(format!("{answer}\n"))
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains(m.credentials().1), "secret printed: {text}");
        assert!(text.contains("Only 'yes' will be accepted"), "{text}");
        assert!(text.contains(ID_A), "the lock is shown before the question: {text}");
        let present = get_object(&moto_sdk(), &b, "dev/terraform.tfstate.tflock").is_some();
        assert_eq!(present, !removed, "answer {answer}: {text}");
        if !removed {
            assert!(text.contains("unlock cancelled, nothing deleted"), "{text}");
            assert_eq!(out.status.code(), Some(1), "{text}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{text}");
        }
    }
}
