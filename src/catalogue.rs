//! The error catalogue: each failure a user can meet, its exit status and what to do.
//!
//! Rendered into README.md ("Error catalogue") by `tests/generated_docs.rs`, which also checks
//! it against the code both ways: every hint the code can give (`.with_hint(…)`, `fn hint`,
//! `hint:` fields, `*_HINT` constants) is listed here, and every [`Hint::Code`] listed here is
//! still given by the code. A hint is written exactly as in the source (`{x}` stands for a
//! value filled in at run time).

use crate::exit::ExitStatus;

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// The hint surestep prints (checked against the source).
    Code(&'static str),
    /// Advice for a failure whose message needs no printed hint (catalogue only).
    Doc(&'static str),
}

impl Hint {
    pub fn text(self) -> &'static str {
        match self {
            Hint::Code(t) | Hint::Doc(t) => t,
        }
    }
}

/// One failure a user can meet.
#[derive(Debug, Clone, Copy)]
pub struct Failure {
    /// The subcommand ("lock" covers its subcommands; "any" for every command).
    pub command: &'static str,
    /// What went wrong, as the user meets it.
    pub failure: &'static str,
    pub exit: ExitStatus,
    pub hint: Hint,
}

const fn f(command: &'static str, failure: &'static str, exit: ExitStatus, hint: Hint) -> Failure {
    Failure { command, failure, exit, hint }
}

use ExitStatus::{Environment as ENV, Failed as FAILED, Usage as USAGE};
use Hint::{Code, Doc};

/// Every failure, grouped by command.
pub const CATALOGUE: &[Failure] = &[
    f(
        "any",
        "an unknown flag, a missing argument, a malformed value",
        USAGE,
        Doc("read the message and `surestep <command> --help`"),
    ),
    f(
        "any",
        "an empty value (`--python ''`, `--platform ,`, an empty path): a CI variable that expanded to nothing",
        USAGE,
        Doc("the message names the flag; give a value or leave the flag out"),
    ),
    f(
        "any",
        "in GitHub Actions, GITHUB_OUTPUT or GITHUB_STEP_SUMMARY names a file that cannot be written (the result is still printed)",
        ENV,
        Doc("the message names the file and the variable; check the runner's file system"),
    ),
    f(
        "any",
        "in GitHub Actions, GITHUB_OUTPUT is unset or empty: a warning that the step outputs could not be written",
        ExitStatus::Success,
        Doc("run the step as a normal `run:` step, or pass --github never outside Actions"),
    ),
    // check-tag
    f("check-tag", "git is not installed", ENV, Code("install git, or add it to PATH")),
    f(
        "check-tag",
        "not inside a git checkout",
        ENV,
        Code("run inside a checkout (actions/checkout), or point --repo at one"),
    ),
    f(
        "check-tag",
        "workflow_run.head_sha is not in the checkout",
        ENV,
        Code(
            "check out that commit: actions/checkout with `ref: ${{ github.event.workflow_run.head_sha }}` and `fetch-depth: 0`",
        ),
    ),
    f(
        "check-tag",
        "no tags in the checkout (a shallow clone, or tags not fetched): a warning, then a required tag is absent",
        FAILED,
        Code(
            "fetch the tags: use actions/checkout with `fetch-depth: 0` (or `fetch-tags: true`), or pass --fetch to run `git fetch --tags` first",
        ),
    ),
    f(
        "check-tag",
        "the tag is required but absent, or does not match the version files",
        FAILED,
        Doc("tag the commit (or fix the version in the files the message names) and run again"),
    ),
    f(
        "check-tag",
        "--require-newest in a shallow clone: other release tags may be missing, so the answer cannot be known (is_latest=unknown)",
        ENV,
        Doc(
            "fetch the tags: use actions/checkout with `fetch-depth: 0` (or `fetch-tags: true`), or pass --fetch to run `git fetch --tags` first",
        ),
    ),
    f(
        "check-tag",
        "--version-file is a workspace member (version.workspace = true) whose workspace root is not there",
        FAILED,
        Code(
            "pass the workspace root's Cargo.toml to --version-file, or check out the whole workspace",
        ),
    ),
    // wait-for-image
    f(
        "wait-for-image",
        "--revision is not a commit SHA (7 to 40 hex digits, or 64 in a SHA-256 repository)",
        USAGE,
        Doc("pass the commit SHA: --revision $(git rev-parse HEAD)"),
    ),
    f(
        "wait-for-image",
        "--revision auto outside GitHub Actions",
        USAGE,
        Code("outside GitHub Actions pass the commit: --revision $(git rev-parse HEAD)"),
    ),
    f(
        "wait-for-image",
        "--password without --username",
        USAGE,
        Code("set --username or SURESTEP_REGISTRY_USERNAME"),
    ),
    f(
        "wait-for-image",
        "--username without --password",
        USAGE,
        Code("set SURESTEP_REGISTRY_PASSWORD (safer than --password on the command line)"),
    ),
    f(
        "wait-for-image",
        "the registry needs credentials and none were given",
        ENV,
        Code(
            "pass --username and --password (or SURESTEP_REGISTRY_USERNAME / SURESTEP_REGISTRY_PASSWORD; for promote --src-*/--dest-*; on ghcr.io GITHUB_TOKEN with `permissions: packages: read`), or log in with docker login / a credential helper (see the README's credentials lookup order)",
        ),
    ),
    f(
        "wait-for-image",
        "the registry refused the credentials (`{verb}` is pull, or push to for promote)",
        ENV,
        Code("check the credentials and that they may {verb} this repository"),
    ),
    f(
        "wait-for-image",
        "an identity token (config.json `identitytoken`) for a registry that asks for Basic auth",
        ENV,
        Code("log in with a username and password for this registry"),
    ),
    f(
        "wait-for-image",
        "a Docker config.json or auth.json that cannot be read or parsed (invalid JSON, an `auth` that is not base64 of user:password)",
        ENV,
        Code("fix or remove the file, or pass --username/--password"),
    ),
    f(
        "wait-for-image",
        "the credential helper (credHelpers / credsStore) is not on PATH",
        ENV,
        Code("install the helper (it must be on PATH), or remove it from the config"),
    ),
    f(
        "wait-for-image",
        "the credential helper failed, answered something other than its JSON, or hung past SURESTEP_CREDENTIAL_HELPER_TIMEOUT (20s)",
        ENV,
        Code("run `docker-credential-<name> get` by hand to see why, or log in again"),
    ),
    f(
        "wait-for-image",
        "no Amazon ECR token (no AWS credentials or region, or GetAuthorizationToken refused)",
        ENV,
        Code(
            "configure AWS credentials (aws-actions/configure-aws-credentials, AWS_PROFILE, AWS_ACCESS_KEY_ID...) that may call ecr:GetAuthorizationToken",
        ),
    ),
    f(
        "wait-for-image",
        "--require-success in a workflow_run event whose triggering run did not conclude success (also check-tag, promote)",
        FAILED,
        Doc("fix the upstream run; the message names it and its conclusion, nothing was requested"),
    ),
    f(
        "wait-for-image",
        "the token server refused the credentials",
        ENV,
        Code("check the username and password (or token) and that it may pull this image"),
    ),
    f(
        "wait-for-image",
        "the registry offers no usable authentication scheme",
        ENV,
        Code("use a registry that offers Bearer (token) or Basic authentication"),
    ),
    f(
        "wait-for-image",
        "plain http:// to a registry that is not loopback",
        ENV,
        Code("pass --insecure only for a registry you trust on a private network"),
    ),
    f(
        "wait-for-image",
        "a manifest, config or token larger than its limit (4 MiB manifests, 16 MiB configs, 1 MiB tokens)",
        ENV,
        Doc("the registry is misbehaving or is not a registry: check the image reference"),
    ),
    f(
        "wait-for-image",
        "the image never appeared, or never matched --revision / --digest / --platform, before --timeout",
        FAILED,
        Doc("the message says what was last seen; push the image or raise --timeout"),
    ),
    f(
        "wait-for-image",
        "the registry is unreachable or keeps answering 5xx / 429 past the timeout",
        ENV,
        Doc("check the registry host and the network; 429 Retry-After is obeyed"),
    ),
    f(
        "wait-for-image",
        "the image reference carries credentials (user:password@ or a scheme)",
        USAGE,
        Doc("pass them with --username and --password (or SURESTEP_REGISTRY_PASSWORD)"),
    ),
    // promote (credential and registry failures as wait-for-image)
    f(
        "promote",
        "--dest-username without --dest-password",
        USAGE,
        Code("set SURESTEP_DEST_PASSWORD (safer than --dest-password on the command line)"),
    ),
    f(
        "promote",
        "--dest-password without --dest-username",
        USAGE,
        Code("set --dest-username or SURESTEP_DEST_USERNAME"),
    ),
    f(
        "promote",
        "a DST with a digest, a DST equal to SRC, or the same DST twice",
        USAGE,
        Doc("each DST is HOST/NAME:TAG, once"),
    ),
    f(
        "promote",
        "SRC does not meet --revision / --platform / --digest (after --wait)",
        FAILED,
        Code("promote what the conditions describe, or wait longer with --wait"),
    ),
    f(
        "promote",
        "--no-overwrite and a destination tag already at another digest (nothing copied)",
        FAILED,
        Code("drop --no-overwrite to move the tag, or promote to a new tag"),
    ),
    f(
        "promote",
        "a blob from the source does not match its digest or size (corrupt): the upload is cut before its last bytes",
        ENV,
        Doc(
            "the source registry (or something between) serves corrupt data: fix it, then run again",
        ),
    ),
    f(
        "promote",
        "after the copy the destination tag does not resolve to the source digest",
        ENV,
        Doc("something else wrote the tag meanwhile, or the registry rewrites manifests: check it"),
    ),
    // verify-wheels: each problem is listed with its code (`code` in --json)
    f(
        "verify-wheels",
        "--version, --from-tag, --python or --platform is malformed",
        USAGE,
        Doc("the message names the flag and the value; see `surestep verify-wheels --help`"),
    ),
    f(
        "verify-wheels",
        "`unreadable`: a file cannot be read (permissions, I/O)",
        ENV,
        Doc("check the path and the runner's disk"),
    ),
    f(
        "verify-wheels",
        "`not_a_file`: an entry named like a distribution is a dangling symlink, a symlink loop or a directory",
        FAILED,
        Doc(
            "remove it or point it at the built file (an upper-case .WHL or a nested dist/dist/ is only mentioned)",
        ),
    ),
    f(
        "verify-wheels",
        "--write-checksums names one of the files it verifies, or a distribution-named file in a verified directory",
        USAGE,
        Code("write the manifest elsewhere, e.g. dist/SHA256SUMS"),
    ),
    f(
        "verify-wheels",
        "`not_found`, `no_artifacts`: nothing to verify",
        FAILED,
        Doc("build first, or point at the directory holding the distributions (default dist/)"),
    ),
    f(
        "verify-wheels",
        "`filename`, `pypi_filename`: a file name that is not a valid wheel or sdist name",
        FAILED,
        Doc("rebuild with a current build backend; do not rename distributions by hand"),
    ),
    f(
        "verify-wheels",
        "`not_a_zip`, `truncated`, `central_directory`, `archive_comment`, `trailing_data`, `zip64_extensible_data`, `data_descriptor`, `compression_method`, `encrypted`, `duplicate_name`, `unsafe_path`, `entry_out_of_bounds`, `overlapping_entries`, `hidden_data`, `local_header_mismatch`, `zip_bomb`: the zip structure is broken or not as strict as PyPI requires",
        FAILED,
        Doc(
            "the file was damaged in transit (re-download the artifact) or built by a non-standard tool: rebuild it",
        ),
    ),
    f(
        "verify-wheels",
        "`corrupt_member`, `crc_mismatch`, `size_mismatch`: a member does not inflate to what the zip says",
        FAILED,
        Doc("the file is corrupt: rebuild or re-download it"),
    ),
    f(
        "verify-wheels",
        "`record_missing`, `record_invalid`, `record_hash_mismatch`, `record_size_mismatch`, `record_missing_hash`, `record_weak_hash`, `unlisted_file`, `missing_file`: RECORD does not match the contents",
        FAILED,
        Doc(
            "the wheel was modified after it was built (e.g. by a repair tool that did not rewrite RECORD): rebuild it",
        ),
    ),
    f(
        "verify-wheels",
        "`dist_info`, `metadata_missing`, `metadata_invalid`, `name_mismatch`, `version_mismatch`, `wheel_file_missing`, `wheel_file_invalid`, `tag_mismatch`, `license_file_missing`: metadata disagrees with the filename or is missing",
        FAILED,
        Doc("fix the project metadata (name, version, license-files) and rebuild"),
    ),
    f(
        "verify-wheels",
        "`sdist_layout`, `pkg_info_missing`: the sdist is not `<name>-<version>/` with PKG-INFO",
        FAILED,
        Doc("build the sdist with `python -m build --sdist`"),
    ),
    f(
        "verify-wheels",
        "`mixed_names`, `mixed_versions`, `expected_version`: the files are not one project at the expected version",
        FAILED,
        Doc("clean dist/ before building; check --version / --from-tag against the tag"),
    ),
    f(
        "verify-wheels",
        "`missing_cell`, `duplicate_cell`, `sdist_count`: the --python × --platform matrix or the sdist count is not what was asked",
        FAILED,
        Doc("a build job failed or uploaded twice: check the artifact names of the build matrix"),
    ),
    f(
        "verify-wheels",
        "`pypi_platform_tag`, `pypi_local_version`, `pypi_file_size`, `pypi_sdist_count`: PyPI would refuse the upload",
        FAILED,
        Doc(
            "use manylinux/musllinux tags (auditwheel repair), drop the +local version, ask PyPI for a larger limit (or --max-size for another index), or --no-pypi for a private index",
        ),
    ),
    f(
        "verify-wheels",
        "`dropped_since_previous`: --against found a cell of the previous release (python × abi × platform, or the sdist) missing from dist/",
        FAILED,
        Doc(
            "a build job's wheel was lost: check the artifacts of that matrix job; a Python or platform dropped on purpose: --allow-drop cp38 (or a Requires-Python that excludes it)",
        ),
    ),
    f(
        "verify-wheels",
        "`pypi_release_closed`: this version is on PyPI since more than 14 days, and PyPI refuses new files for it",
        FAILED,
        Doc("publish the missing files under a new version (a post release, e.g. 1.2.0.post1)"),
    ),
    f(
        "verify-wheels",
        "`index_unreadable`: the --against index could not be read (refused, unreachable, not a simple page)",
        ENV,
        Doc(
            "check the URL (…/simple/, devpi …/+simple/) and the network; pass --username/--password or SURESTEP_PYPI_TOKEN if the index needs credentials to read",
        ),
    ),
    f(
        "verify-wheels",
        "--against or --allow-drop is malformed (not a URL, plain http off loopback with credentials, an unknown Python or platform)",
        USAGE,
        Doc(
            "use pypi, testpypi or an https simple index; --allow-drop takes cp38, 3.8, win32, sdist",
        ),
    ),
    // publish
    f(
        "publish",
        "a path that does not exist or cannot be read",
        USAGE,
        Code("pass the built distributions or the directory holding them (default: dist/)"),
    ),
    f(
        "publish",
        "no distributions in the paths given",
        USAGE,
        Code("build them first (e.g. `python -m build`), or pass the files"),
    ),
    f(
        "publish",
        "a file name that is not a wheel or sdist name",
        FAILED,
        Code(
            "PyPI takes `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` and `{name}-{version}.tar.gz`",
        ),
    ),
    f(
        "publish",
        "the verify-wheels checks or PyPI's upload rules fail (nothing is sent)",
        FAILED,
        Code(
            "fix the build; run `surestep verify-wheels` for details, or --no-verify to skip the checks",
        ),
    ),
    f(
        "publish",
        "a file does not match --manifest (nothing is sent)",
        FAILED,
        Code(
            "publish exactly what verify-wheels checked: rebuild and re-verify, or fix the manifest",
        ),
    ),
    f(
        "publish",
        "--password / a token without a user name",
        USAGE,
        Code(
            "pass --username (or TWINE_USERNAME); API tokens starting with `pypi-` imply `__token__`",
        ),
    ),
    f(
        "publish",
        "--username without a password",
        USAGE,
        Code("pass --password, or set SURESTEP_PYPI_TOKEN or TWINE_PASSWORD"),
    ),
    f(
        "publish",
        "credentials inside a URL",
        USAGE,
        Code("pass them with --username/--password or SURESTEP_PYPI_TOKEN instead"),
    ),
    f(
        "publish",
        "plain http:// to a host that is not loopback",
        USAGE,
        Code("use https, or pass --allow-insecure-http if this network is trusted"),
    ),
    f(
        "publish",
        "the simple index cannot be derived from the upload URL",
        USAGE,
        Code(
            "pass --check-url with the index's simple API, e.g. http://host/simple/ (pypiserver) or http://host/user/index/+simple/ (devpi)",
        ),
    ),
    f(
        "publish",
        "the simple index refuses to be read (401/403)",
        ENV,
        Code(
            "the simple index needs read credentials: pass --check-url on the upload host so the upload credentials are sent, or make the index readable",
        ),
    ),
    f(
        "publish",
        "the simple index answers something that is not a simple page",
        ENV,
        Code(
            "check --check-url: it must be the simple index (…/simple/) of the index you upload to",
        ),
    ),
    f(
        "publish",
        "--trusted-publishing always outside GitHub Actions",
        ENV,
        Code("run in GitHub Actions with `permissions: id-token: write`"),
    ),
    f(
        "publish",
        "trusted publishing refused (no ID token, no trusted publisher, mint failed)",
        ENV,
        Code(
            "the index must have a trusted publisher for this repository and workflow; the job needs `permissions: id-token: write`",
        ),
    ),
    f(
        "publish",
        "a file of the same name with different bytes is already on the index (conflict; nothing is uploaded)",
        FAILED,
        Doc(
            "never re-release a version with new bytes: bump the version, or delete the file on the index if it is yours and unreleased",
        ),
    ),
    f(
        "publish",
        "the index rejected a file (400: bad metadata, name not allowed, too large…)",
        FAILED,
        Doc("the message quotes the index's reason; fix the metadata and rebuild"),
    ),
    f(
        "publish",
        "the index refused the credentials (401/403)",
        ENV,
        Doc("check the token or password and that it may upload to this project"),
    ),
    f(
        "publish",
        "network or server failures that the retries did not cure",
        ENV,
        Doc(
            "run again: files already on the index with the same sha256 are skipped, a lost answer is resolved by re-reading the index",
        ),
    ),
    f(
        "publish",
        "an entry named like a distribution in the directory is a dangling symlink or a loop",
        FAILED,
        Code("remove it or point it at the built file; nothing was uploaded"),
    ),
    f(
        "publish",
        "--against-previous: a platform of the previous release is missing (every file held, nothing sent)",
        FAILED,
        Doc(
            "find the lost wheel (see verify-wheels --against), or --allow-drop it if dropped on purpose",
        ),
    ),
    f(
        "publish",
        "PyPI or TestPyPI: the release was first uploaded more than 14 days ago, so PyPI refuses new files (refused before any upload, naming the date)",
        FAILED,
        Doc("publish the missing files under a new version (a post release, e.g. 1.2.0.post1)"),
    ),
    f(
        "publish",
        "an upload rejected as already there (409, or 400/403/422 saying so) while the index does not list our file with our sha256 within --verify-timeout",
        FAILED,
        Doc(
            "a different file under that name is a conflict (build a new version); no file at all: the index lists late, raise --verify-timeout",
        ),
    ),
    // lock
    f(
        "lock",
        "no AWS credentials found",
        ENV,
        Code(
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use aws-actions/configure-aws-credentials before this step",
        ),
    ),
    f(
        "lock",
        "the endpoint answered 404 without S3's error code or headers (a web page, a proxy, another service): whether a lock exists is unknown",
        ENV,
        Code(
            "check --endpoint-url / AWS_ENDPOINT_URL_S3: it should be the S3 API endpoint (a wrong port or a proxy answers like this)",
        ),
    ),
    f(
        "lock",
        "--endpoint-url carries credentials (user:password@)",
        USAGE,
        Code("pass them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile instead"),
    ),
    f(
        "lock",
        "--sse-customer-key is not a base64 256-bit key",
        USAGE,
        Code("pass the same base64 key Terraform's sse_customer_key / AWS_SSE_CUSTOMER_KEY uses"),
    ),
    f(
        "lock",
        "the credentials were rejected (InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken…)",
        ENV,
        Code(
            "the credentials were rejected: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile",
        ),
    ),
    f(
        "lock",
        "access denied by policy",
        ENV,
        Code(
            "the lock commands need s3:ListBucket on the bucket and s3:GetObject (and s3:DeleteObject to unlock, s3:PutObject to probe) on the .tflock keys",
        ),
    ),
    f(
        "lock",
        "the bucket does not exist",
        ENV,
        Code(
            "check the bucket name, and --endpoint-url / --region if the state lives in another store",
        ),
    ),
    f("lock", "the bucket is in another region (known)", ENV, Code("pass --region {r}")),
    f(
        "lock",
        "the bucket is in another region (unknown which)",
        ENV,
        Code("pass the bucket's region with --region"),
    ),
    f(
        "lock",
        "the S3 endpoint is unreachable",
        ENV,
        Code("check --endpoint-url / AWS_ENDPOINT_URL_S3 and the network"),
    ),
    f(
        "lock",
        "a lock body larger than 1 MiB",
        ENV,
        Doc("that object is not a Terraform lock: check the state key"),
    ),
    f(
        "lock status",
        "an s3:// URL ending in / without --recursive",
        USAGE,
        Code("add --recursive to list every lock under it, or name the state key"),
    ),
    f(
        "lock unlock",
        "an s3:// URL ending in / (a prefix)",
        USAGE,
        Code(
            "name one state key (or its .tflock key); `surestep lock status --recursive` lists them",
        ),
    ),
    f(
        "lock unlock",
        "no --lock-id and no --yes, off a terminal",
        USAGE,
        Code(
            "add --lock-id <ID> to remove only that lock (`surestep lock status {}` shows it), or --yes to remove whatever lock is there",
        ),
    ),
    f(
        "lock unlock",
        "--lock-id does not match, the lock is younger than --older-than, or it changed since it was read",
        FAILED,
        Doc("nothing was deleted; `surestep lock status` shows the current holder"),
    ),
    f(
        "lock unlock",
        "the store rejects (501) or ignores conditional deletes (learned on a scratch object beside the lock, never on the lock)",
        FAILED,
        Doc(
            "pass --allow-unconditional-delete if nothing else can take the lock meanwhile; `surestep lock probe` checks a store",
        ),
    ),
    f(
        "lock unlock",
        "the delete got no clear answer three times and the lock is still there",
        ENV,
        Code("run the unlock again once the store answers; `surestep lock status` shows the lock"),
    ),
    f(
        "lock unlock",
        "the store answered the delete with success but the lock is still there (read back)",
        ENV,
        Code("run the unlock again once the store answers; `surestep lock status` shows the lock"),
    ),
    f(
        "lock acquire",
        "acquire, release, run: the store does not honour a condition the step relies on (If-None-Match on PUT, If-Match on DELETE or PUT), checked on a scratch object beside the lock",
        ENV,
        Code(
            "this store cannot give mutual exclusion for that step; pass {flag} to accept the risk (`surestep lock probe s3://{bucket}/` shows what the store honours)",
        ),
    ),
    f(
        "lock acquire",
        "acquire, release, run: an s3:// URL ending in / (a prefix)",
        USAGE,
        Code("name the state key the lock guards, e.g. s3://BUCKET/deploys/prod.tfstate"),
    ),
    f(
        "lock acquire",
        "the lock is held by someone else and --wait ran out (or --wait 0)",
        FAILED,
        Doc(
            "the message names the holder, its ID and age; wait longer, or let a crashed holder's lease expire and pass --take-over-expired",
        ),
    ),
    f(
        "lock acquire",
        "the store does not implement PutObject If-None-Match (501)",
        ENV,
        Code(
            "use a store that supports conditional writes (AWS S3 since 2024-08); `surestep lock probe` checks a store",
        ),
    ),
    f(
        "lock acquire",
        "a take-over on a store that does not implement DeleteObject If-Match (501)",
        ENV,
        Code(
            "remove the lock with `surestep lock unlock` (it explains the risk), or drop --take-over-expired / --take-over-older-than",
        ),
    ),
    f(
        "lock release",
        "the lock carries another ID, or changed since it was read",
        FAILED,
        Doc("nothing was deleted; the message names the holder"),
    ),
    f(
        "lock run",
        "the command cannot be started",
        ENV,
        Code("check the command after `--`: it must be a program on PATH or a path"),
    ),
    f(
        "lock run",
        "the lock was lost mid-run (a renewal got 412, the lock was removed, or the lease ran out unrenewed)",
        FAILED,
        Doc(
            "the command was stopped (SIGTERM, then SIGKILL after --kill-after); `surestep lock status` shows who holds the lock now",
        ),
    ),
    f(
        "lock run",
        "the command succeeded but the lock could not be released",
        ENV,
        Doc(
            "the lock stays until its lease expires; `surestep lock release --lock-id <ID>` removes it",
        ),
    ),
    // lint
    f(
        "lint",
        "a finding at or above --fail-on (default warning)",
        FAILED,
        Doc(
            "fix the workflow as the finding's `fix:` line says, or suppress it with `# surestep: ignore[RULE]`",
        ),
    ),
    f(
        "lint",
        "--explain or --ignore names a rule that does not exist",
        USAGE,
        Code("`surestep lint --list-rules` lists the rules"),
    ),
    f(
        "lint",
        "no workflow files at the given paths (or no .github/workflows/ here)",
        USAGE,
        Code("run in a repository with .github/workflows/, or pass workflow files or directories"),
    ),
    f(
        "lint",
        "a workflow file cannot be read (permissions, not UTF-8): the others are still checked",
        ENV,
        Doc("make the file readable UTF-8 text; the message names it"),
    ),
];

/// The catalogue as Markdown, for README.md.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "Every failure a user can meet, its exit code and what to do. Generated from \
         `src/catalogue.rs` and checked against the code by `tests/generated_docs.rs`.\n",
    );
    let mut current = "";
    for entry in CATALOGUE {
        if entry.command != current {
            current = entry.command;
            let title =
                if current == "any" { "Every command".to_owned() } else { format!("`{current}`") };
            out.push_str(&format!(
                "\n**{title}**\n\n| failure | exit | what to do |\n|---|---|---|\n"
            ));
        }
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(entry.failure),
            entry.exit.code(),
            cell(&shown_hint(entry.hint.text()))
        ));
    }
    out
}

/// `{r}` → `<r>`, `{}` → `<…>`: run-time values, as the user reads them.
fn shown_hint(hint: &str) -> String {
    let mut out = String::new();
    let mut rest = hint;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if after[..j].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                out.push_str(&rest[..i]);
                out.push('<');
                out.push_str(if j == 0 { "…" } else { &after[..j] });
                out.push('>');
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str(&rest[..=i]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_render_as_angle_brackets() {
        assert_eq!(shown_hint("pass --region {r}"), "pass --region <r>");
        assert_eq!(shown_hint("status {} shows"), "status <…> shows");
        assert_eq!(shown_hint("`ref: ${{ github.sha }}`"), "`ref: ${{ github.sha }}`");
    }

    #[test]
    fn every_entry_has_text() {
        for e in CATALOGUE {
            assert!(!e.failure.is_empty() && !e.hint.text().is_empty(), "{e:?}");
        }
    }
}
