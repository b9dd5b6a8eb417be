
use builtin;
use str;

set edit:completion:arg-completer[surestep] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'surestep'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'surestep'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check-tag 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts'
            cand verify-wheels 'Prove dist/ is complete and intact: every wheel''s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI''s upload rules'
            cand publish 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical'
            cand wait-for-image 'Wait until a registry serves the expected image, then print its pinned digest reference'
            cand promote 'Copy an image by digest to other registries: every manifest and blob, the tag last'
            cand lock 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store'
            cand lint 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'surestep;check-tag'= {
            cand --rev 'The commit to look at (default: HEAD, or workflow_run.head_sha in a workflow_run event)'
            cand --prefix 'Tag prefix before MAJOR.MINOR.PATCH (e.g. `mypkg-v`; empty for bare versions)'
            cand --version-file 'Fail unless this Cargo.toml, pyproject.toml or package.json declares the tag''s version'
            cand -C 'The repository to inspect'
            cand --repo 'The repository to inspect'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --allow-prerelease 'Accept pre-release tags such as v1.2.3-rc.1'
            cand --require 'Fail (exit 1) when the commit carries no release tag'
            cand --require-newest 'Fail unless the tag is greater than every other release tag in the repository'
            cand --fetch 'Run `git fetch --tags` first'
            cand --require-success 'In a workflow_run event, exit 1 unless the triggering run concluded success'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;verify-wheels'= {
            cand --version 'Every file''s version must equal this (compared in PEP 440 normal form)'
            cand --from-tag 'Every file''s version must equal this release tag''s (v1.2.3-rc.1 → 1.2.3rc1)'
            cand --prefix 'Tag prefix before MAJOR.MINOR.PATCH for --from-tag'
            cand --python 'Expected Pythons, comma-separated: 3.12, cp312, 3.13t, pp310 (abi3 wheels cover later versions), or py3 (one wheel for every 3.x: a pure or binary-only `py3-none-*` wheel)'
            cand --platform 'Expected platforms, comma-separated: manylinux_x86_64, musllinux_aarch64, macosx_arm64, win_amd64, any, or an exact tag such as manylinux_2_28_x86_64'
            cand --max-size 'PyPI''s per-file size limit (bytes, or with KiB/MiB/GiB/KB/MB/GB)'
            cand --write-checksums 'After a clean run, write a sha256sum-compatible manifest of the verified files here'
            cand --against 'Compare with the previous release on this index (a simple index URL, `pypi` or `testpypi`): every platform it shipped must ship again'
            cand --allow-drop 'Cells --against may find missing on purpose, comma-separated: a Python (cp38, 3.8, pp39, py2), a platform (win32, musllinux_armv7l) or sdist'
            cand --username 'User name for reading the --against index (as publish reads it; `__token__` for tokens)'
            cand --password 'Password or token for reading the --against index (prefer SURESTEP_PYPI_TOKEN)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --sdist 'Require exactly one sdist'
            cand --pypi 'Check what PyPI would reject mid-upload (default: on)'
            cand --no-pypi 'Skip the PyPI preflight (for other indexes)'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'surestep;publish'= {
            cand --repository-url 'The legacy upload endpoint [default: https://upload.pypi.org/legacy/]'
            cand --publish-url 'The legacy upload endpoint [default: https://upload.pypi.org/legacy/]'
            cand --repository 'A named index instead of --repository-url'
            cand --check-url 'The simple index to check (derived for pypi.org and test.pypi.org)'
            cand -u 'User name for the index (`__token__` for API tokens)'
            cand --username 'User name for the index (`__token__` for API tokens)'
            cand -p 'Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)'
            cand --password 'Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)'
            cand --trusted-publishing 'Trusted publishing: exchange the CI''s OIDC identity for a short-lived token'
            cand --trusted-publishing-url 'Where `/_/oidc/audience` and `/_/oidc/mint-token` live (default: the upload URL''s origin)'
            cand --concurrency 'Files uploaded at the same time (1 to 64)'
            cand --retries 'Retries of a request after transport errors, 5xx and 429, the index re-checked first (0 to 20)'
            cand --manifest 'A SHA256SUMS file (verify-wheels --write-checksums): refuse files whose digest changed'
            cand --verify-upload 'Poll the index after uploading until every file is listed with our sha256'
            cand --verify-timeout 'How long --verify-upload waits for the index to list the files (e.g. 60, 90s, 10m; at most 7 days)'
            cand --allow-drop 'Cells --against-previous may find missing on purpose: cp38, 3.8, win32, sdist…'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --dry-run 'Print the plan (skip / conflict / upload) and stop'
            cand --no-verify 'Skip the verify-wheels integrity and PyPI preflight checks'
            cand --against-previous 'Before any upload, compare with the previous release on the index (as verify-wheels --against): refuse when a platform it shipped is missing'
            cand --allow-insecure-http 'Allow plain-http URLs to hosts other than loopback (credentials would travel in clear)'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;wait-for-image'= {
            cand --digest 'Wait until the reference resolves to exactly this digest'
            cand --revision 'Wait until the image''s org.opencontainers.image.revision is this commit (≥ 7 hex digits, or `auto` for the run''s commit)'
            cand --platform 'Wait until every listed platform is in the index (os/arch[/variant], comma-separated)'
            cand --timeout 'Give up after this long (e.g. 10m, 90s, 1h; 0 checks once; at most 7 days)'
            cand --interval 'Pause between polls, jittered by ±10% (50ms to 7 days)'
            cand --username 'Registry username (for the token realm or Basic auth)'
            cand --password 'Registry password or token (prefer the environment variable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --insecure 'Speak plain HTTP to a registry that is not on loopback'
            cand --aws-ecr 'The registry is Amazon ECR: log in with an ECR token (default AWS credential chain)'
            cand --require-success 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;promote'= {
            cand --digest 'Only promote if SRC resolves to exactly this digest'
            cand --revision 'Only promote if SRC''s org.opencontainers.image.revision is this commit (or `auto`)'
            cand --platform 'Only promote if every listed platform is in SRC (os/arch[/variant], comma-separated)'
            cand --wait 'Wait up to this long for SRC to meet the conditions (as wait-for-image)'
            cand --interval 'Pause between polls while waiting'
            cand --concurrency 'Blobs in flight at once'
            cand --src-username 'Source registry username'
            cand --src-password 'Source registry password or token (prefer the environment variable)'
            cand --dest-username 'Destination registry username (every destination)'
            cand --dest-password 'Destination registry password or token (prefer the environment variable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --no-overwrite 'Refuse (exit 1) when a destination tag already points at another digest'
            cand --src-aws-ecr 'The source registry is Amazon ECR (log in with an ECR token)'
            cand --aws-ecr 'The destination registries are Amazon ECR (log in with an ECR token)'
            cand --insecure 'Speak plain HTTP to registries that are not on loopback'
            cand --require-success 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
            cand unlock 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
            cand probe 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?'
            cand acquire 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
            cand release 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
            cand run 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'surestep;lock;status'= {
            cand --workspace 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)'
            cand --workspace-key-prefix 'The backend''s workspace_key_prefix'
            cand --stale-after 'Mark locks older than this as stale (e.g. 30m, 2h, 1d)'
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand -r 'List every .tflock under the prefix (workspaces included)'
            cand --recursive 'List every .tflock under the prefix (workspaces included)'
            cand --fail-if-locked 'Exit 1 when a lock is held (a pre-deploy check)'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;unlock'= {
            cand --workspace 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)'
            cand --workspace-key-prefix 'The backend''s workspace_key_prefix'
            cand --lock-id 'Remove the lock only if it has this ID (as printed by Terraform or `lock status`)'
            cand --older-than 'Refuse to remove a lock younger than this (e.g. 30m)'
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand -y 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)'
            cand --yes 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)'
            cand --force 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)'
            cand --dry-run 'Show what would be removed, remove nothing'
            cand --allow-unconditional-delete 'If the store rejects conditional deletes (501), delete without the If-Match guard'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;probe'= {
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;acquire'= {
            cand --workspace 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)'
            cand --workspace-key-prefix 'The backend''s workspace_key_prefix'
            cand --wait 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once'
            cand --lease 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock'
            cand --take-over-older-than 'Replace a lock without a lease (e.g. Terraform''s) older than this, guarded by If-Match'
            cand --operation 'The lock body''s Operation'
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --take-over-expired 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match'
            cand --allow-unsafe-store 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;release'= {
            cand --workspace 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)'
            cand --workspace-key-prefix 'The backend''s workspace_key_prefix'
            cand --lock-id 'The ID `lock acquire` printed (output lock_id)'
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --allow-unsafe-store 'Go ahead on a store that ignores If-Match on DELETE (a newer lock could be removed)'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;run'= {
            cand --workspace 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)'
            cand --workspace-key-prefix 'The backend''s workspace_key_prefix'
            cand --wait 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once'
            cand --lease 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock'
            cand --take-over-older-than 'Replace a lock without a lease (e.g. Terraform''s) older than this, guarded by If-Match'
            cand --operation 'The lock body''s Operation'
            cand --kill-after 'After SIGTERM to a command that lost its lock, wait this long before SIGKILL'
            cand --endpoint-url 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)'
            cand --region 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)'
            cand --sse-customer-key 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --take-over-expired 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match'
            cand --allow-unsafe-store 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)'
            cand --path-style 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;lock;help'= {
            cand status 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
            cand unlock 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
            cand probe 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?'
            cand acquire 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
            cand release 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
            cand run 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'surestep;lock;help;status'= {
        }
        &'surestep;lock;help;unlock'= {
        }
        &'surestep;lock;help;probe'= {
        }
        &'surestep;lock;help;acquire'= {
        }
        &'surestep;lock;help;release'= {
        }
        &'surestep;lock;help;run'= {
        }
        &'surestep;lock;help;help'= {
        }
        &'surestep;lint'= {
            cand --explain 'Print what RULE catches, why it is a race, and the fix; then exit'
            cand --ignore 'Do not report RULE (repeat, or separate with commas)'
            cand --min-severity 'Report only findings of this severity or above'
            cand --fail-on 'Exit 1 when a finding of this severity or above is reported'
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --github 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)'
            cand --list-rules 'List the rules with their severity and title; then exit'
            cand --json 'Print exactly one JSON document on stdout (stable field names)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -v 'Log what happens to stderr (-vv for more)'
            cand --verbose 'Log what happens to stderr (-vv for more)'
            cand --no-progress 'Never draw progress bars; log milestones as lines instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'surestep;help'= {
            cand check-tag 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts'
            cand verify-wheels 'Prove dist/ is complete and intact: every wheel''s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI''s upload rules'
            cand publish 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical'
            cand wait-for-image 'Wait until a registry serves the expected image, then print its pinned digest reference'
            cand promote 'Copy an image by digest to other registries: every manifest and blob, the tag last'
            cand lock 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store'
            cand lint 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'surestep;help;check-tag'= {
        }
        &'surestep;help;verify-wheels'= {
        }
        &'surestep;help;publish'= {
        }
        &'surestep;help;wait-for-image'= {
        }
        &'surestep;help;promote'= {
        }
        &'surestep;help;lock'= {
            cand status 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
            cand unlock 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
            cand probe 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?'
            cand acquire 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
            cand release 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
            cand run 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
        }
        &'surestep;help;lock;status'= {
        }
        &'surestep;help;lock;unlock'= {
        }
        &'surestep;help;lock;probe'= {
        }
        &'surestep;help;lock;acquire'= {
        }
        &'surestep;help;lock;release'= {
        }
        &'surestep;help;lock;run'= {
        }
        &'surestep;help;lint'= {
        }
        &'surestep;help;help'= {
        }
    ]
    $completions[$command]
}
