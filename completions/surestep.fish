# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_surestep_global_optspecs
    string join \n json q/quiet v/verbose color= no-progress github= h/help V/version
end

function __fish_surestep_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_surestep_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_surestep_using_subcommand
    set -l cmd (__fish_surestep_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c surestep -n "__fish_surestep_needs_command" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_needs_command" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_needs_command" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_needs_command" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_needs_command" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_needs_command" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_needs_command" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "check-tag" -d 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "verify-wheels" -d 'Prove dist/ is complete and intact: every wheel\'s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI\'s upload rules'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "publish" -d 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "wait-for-image" -d 'Wait until a registry serves the expected image, then print its pinned digest reference'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "promote" -d 'Copy an image by digest to other registries: every manifest and blob, the tag last'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "lock" -d 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "lint" -d 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)'
complete -c surestep -n "__fish_surestep_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l rev -d 'The commit to look at (default: HEAD, or workflow_run.head_sha in a workflow_run event)' -r
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l prefix -d 'Tag prefix before MAJOR.MINOR.PATCH (e.g. `mypkg-v`; empty for bare versions)' -r
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l version-file -d 'Fail unless this Cargo.toml, pyproject.toml or package.json declares the tag\'s version' -r -F
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -s C -l repo -d 'The repository to inspect' -r -F
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l allow-prerelease -d 'Accept pre-release tags such as v1.2.3-rc.1'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l require -d 'Fail (exit 1) when the commit carries no release tag'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l require-newest -d 'Fail unless the tag is greater than every other release tag in the repository'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l fetch -d 'Run `git fetch --tags` first'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l require-success -d 'In a workflow_run event, exit 1 unless the triggering run concluded success'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand check-tag" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l version -d 'Every file\'s version must equal this (compared in PEP 440 normal form)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l from-tag -d 'Every file\'s version must equal this release tag\'s (v1.2.3-rc.1 → 1.2.3rc1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l prefix -d 'Tag prefix before MAJOR.MINOR.PATCH for --from-tag' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l python -d 'Expected Pythons, comma-separated: 3.12, cp312, 3.13t, pp310 (abi3 wheels cover later versions), or py3 (one wheel for every 3.x: a pure or binary-only `py3-none-*` wheel)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l platform -d 'Expected platforms, comma-separated: manylinux_x86_64, musllinux_aarch64, macosx_arm64, win_amd64, any, or an exact tag such as manylinux_2_28_x86_64' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l max-size -d 'PyPI\'s per-file size limit (bytes, or with KiB/MiB/GiB/KB/MB/GB)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l write-checksums -d 'After a clean run, write a sha256sum-compatible manifest of the verified files here' -r -F
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l against -d 'Compare with the previous release on this index (a simple index URL, `pypi` or `testpypi`): every platform it shipped must ship again' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l allow-drop -d 'Cells --against may find missing on purpose, comma-separated: a Python (cp38, 3.8, pp39, py2), a platform (win32, musllinux_armv7l) or sdist' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l username -d 'User name for reading the --against index (as publish reads it; `__token__` for tokens)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l password -d 'Password or token for reading the --against index (prefer SURESTEP_PYPI_TOKEN)' -r
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l sdist -d 'Require exactly one sdist'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l pypi -d 'Check what PyPI would reject mid-upload (default: on)'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l no-pypi -d 'Skip the PyPI preflight (for other indexes)'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand verify-wheels" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l repository-url -l publish-url -d 'The legacy upload endpoint [default: https://upload.pypi.org/legacy/]' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l repository -d 'A named index instead of --repository-url' -r -f -a "pypi\t'https://upload.pypi.org/legacy/ (simple index https://pypi.org/simple/)'
testpypi\t'https://test.pypi.org/legacy/ (simple index https://test.pypi.org/simple/)'"
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l check-url -d 'The simple index to check (derived for pypi.org and test.pypi.org)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s u -l username -d 'User name for the index (`__token__` for API tokens)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s p -l password -d 'Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l trusted-publishing -d 'Trusted publishing: exchange the CI\'s OIDC identity for a short-lived token' -r -f -a "auto\t'In GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL set) when no credentials were given'
always\t'Always; fail when the CI offers no OIDC identity'
never\t'Never'"
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l trusted-publishing-url -d 'Where `/_/oidc/audience` and `/_/oidc/mint-token` live (default: the upload URL\'s origin)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l concurrency -d 'Files uploaded at the same time (1 to 64)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l retries -d 'Retries of a request after transport errors, 5xx and 429, the index re-checked first (0 to 20)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l manifest -d 'A SHA256SUMS file (verify-wheels --write-checksums): refuse files whose digest changed' -r -F
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l verify-upload -d 'Poll the index after uploading until every file is listed with our sha256' -r -f -a "true\t''
false\t''"
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l verify-timeout -d 'How long --verify-upload waits for the index to list the files (e.g. 60, 90s, 10m; at most 7 days)' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l allow-drop -d 'Cells --against-previous may find missing on purpose: cp38, 3.8, win32, sdist…' -r
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l dry-run -d 'Print the plan (skip / conflict / upload) and stop'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l no-verify -d 'Skip the verify-wheels integrity and PyPI preflight checks'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l against-previous -d 'Before any upload, compare with the previous release on the index (as verify-wheels --against): refuse when a platform it shipped is missing'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l allow-insecure-http -d 'Allow plain-http URLs to hosts other than loopback (credentials would travel in clear)'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand publish" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l digest -d 'Wait until the reference resolves to exactly this digest' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l revision -d 'Wait until the image\'s org.opencontainers.image.revision is this commit (≥ 7 hex digits, or `auto` for the run\'s commit)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l platform -d 'Wait until every listed platform is in the index (os/arch[/variant], comma-separated)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l timeout -d 'Give up after this long (e.g. 10m, 90s, 1h; 0 checks once; at most 7 days)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l interval -d 'Pause between polls, jittered by ±10% (50ms to 7 days)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l username -d 'Registry username (for the token realm or Basic auth)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l password -d 'Registry password or token (prefer the environment variable)' -r
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l insecure -d 'Speak plain HTTP to a registry that is not on loopback'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l aws-ecr -d 'The registry is Amazon ECR: log in with an ECR token (default AWS credential chain)'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l require-success -d 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand wait-for-image" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l digest -d 'Only promote if SRC resolves to exactly this digest' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l revision -d 'Only promote if SRC\'s org.opencontainers.image.revision is this commit (or `auto`)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l platform -d 'Only promote if every listed platform is in SRC (os/arch[/variant], comma-separated)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l wait -d 'Wait up to this long for SRC to meet the conditions (as wait-for-image)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l interval -d 'Pause between polls while waiting' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l concurrency -d 'Blobs in flight at once' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l src-username -d 'Source registry username' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l src-password -d 'Source registry password or token (prefer the environment variable)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l dest-username -d 'Destination registry username (every destination)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l dest-password -d 'Destination registry password or token (prefer the environment variable)' -r
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l no-overwrite -d 'Refuse (exit 1) when a destination tag already points at another digest'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l src-aws-ecr -d 'The source registry is Amazon ECR (log in with an ECR token)'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l aws-ecr -d 'The destination registries are Amazon ECR (log in with an ECR token)'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l insecure -d 'Speak plain HTTP to registries that are not on loopback'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l require-success -d 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand promote" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "status" -d 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "unlock" -d 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "probe" -d 'Does this store honour the conditional writes and deletes Terraform\'s locking relies on?'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "acquire" -d 'Take the lock (Terraform\'s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "release" -d 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "run" -d 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and not __fish_seen_subcommand_from status unlock probe acquire release run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l workspace -d 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l workspace-key-prefix -d 'The backend\'s workspace_key_prefix' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l stale-after -d 'Mark locks older than this as stale (e.g. 30m, 2h, 1d)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -s r -l recursive -d 'List every .tflock under the prefix (workspaces included)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l fail-if-locked -d 'Exit 1 when a lock is held (a pre-deploy check)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l workspace -d 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l workspace-key-prefix -d 'The backend\'s workspace_key_prefix' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l lock-id -d 'Remove the lock only if it has this ID (as printed by Terraform or `lock status`)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l older-than -d 'Refuse to remove a lock younger than this (e.g. 30m)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -s y -l yes -l force -d 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l dry-run -d 'Show what would be removed, remove nothing'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l allow-unconditional-delete -d 'If the store rejects conditional deletes (501), delete without the If-Match guard'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from unlock" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from probe" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l workspace -d 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l workspace-key-prefix -d 'The backend\'s workspace_key_prefix' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l wait -d 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l lease -d 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l take-over-older-than -d 'Replace a lock without a lease (e.g. Terraform\'s) older than this, guarded by If-Match' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l operation -d 'The lock body\'s Operation' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l take-over-expired -d 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l allow-unsafe-store -d 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l workspace -d 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l workspace-key-prefix -d 'The backend\'s workspace_key_prefix' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l lock-id -d 'The ID `lock acquire` printed (output lock_id)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l allow-unsafe-store -d 'Go ahead on a store that ignores If-Match on DELETE (a newer lock could be removed)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from release" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l workspace -d 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l workspace-key-prefix -d 'The backend\'s workspace_key_prefix' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l wait -d 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l lease -d 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l take-over-older-than -d 'Replace a lock without a lease (e.g. Terraform\'s) older than this, guarded by If-Match' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l operation -d 'The lock body\'s Operation' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l kill-after -d 'After SIGTERM to a command that lost its lock, wait this long before SIGKILL' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l endpoint-url -d 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l region -d 'The bucket\'s region (default: from the AWS environment or profile, else us-east-1)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l sse-customer-key -d 'SSE-C key (base64, 256-bit) the state bucket\'s objects are encrypted with' -r
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l take-over-expired -d 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l allow-unsafe-store -d 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l path-style -d 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "status" -d 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "unlock" -d 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "probe" -d 'Does this store honour the conditional writes and deletes Terraform\'s locking relies on?'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "acquire" -d 'Take the lock (Terraform\'s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "release" -d 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "run" -d 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
complete -c surestep -n "__fish_surestep_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l explain -d 'Print what RULE catches, why it is a race, and the fix; then exit' -r
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l ignore -d 'Do not report RULE (repeat, or separate with commas)' -r
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l min-severity -d 'Report only findings of this severity or above' -r -f -a "note\t''
warning\t''
error\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l fail-on -d 'Exit 1 when a finding of this severity or above is reported' -r -f -a "note\t''
warning\t''
error\t''
never\t'Always exit 0 when the files could be read'"
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l format -d 'Output format' -r -f -a "text\t'`path:line:col: severity[rule]: message`, the source line and a caret'
json\t'One JSON document (same as --json)'
sarif\t'SARIF 2.1.0, for GitHub code scanning (upload-sarif)'"
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l github -d 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)' -r -f -a "auto\t'When `GITHUB_ACTIONS=true`'
always\t''
never\t''"
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l list-rules -d 'List the rules with their severity and title; then exit'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l json -d 'Print exactly one JSON document on stdout (stable field names)'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -s q -l quiet -d 'Print nothing but errors'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -s v -l verbose -d 'Log what happens to stderr (-vv for more)'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -l no-progress -d 'Never draw progress bars; log milestones as lines instead'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c surestep -n "__fish_surestep_using_subcommand lint" -s V -l version -d 'Print version'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "check-tag" -d 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "verify-wheels" -d 'Prove dist/ is complete and intact: every wheel\'s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI\'s upload rules'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "publish" -d 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "wait-for-image" -d 'Wait until a registry serves the expected image, then print its pinned digest reference'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "promote" -d 'Copy an image by digest to other registries: every manifest and blob, the tag last'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "lock" -d 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "lint" -d 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)'
complete -c surestep -n "__fish_surestep_using_subcommand help; and not __fish_seen_subcommand_from check-tag verify-wheels publish wait-for-image promote lock lint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "status" -d 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "unlock" -d 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "probe" -d 'Does this store honour the conditional writes and deletes Terraform\'s locking relies on?'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "acquire" -d 'Take the lock (Terraform\'s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "release" -d 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag'
complete -c surestep -n "__fish_surestep_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "run" -d 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status'
