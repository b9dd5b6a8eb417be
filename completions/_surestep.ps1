
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'surestep' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'surestep'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'surestep' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check-tag', 'check-tag', [CompletionResultType]::ParameterValue, 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts')
            [CompletionResult]::new('verify-wheels', 'verify-wheels', [CompletionResultType]::ParameterValue, 'Prove dist/ is complete and intact: every wheel''s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI''s upload rules')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical')
            [CompletionResult]::new('wait-for-image', 'wait-for-image', [CompletionResultType]::ParameterValue, 'Wait until a registry serves the expected image, then print its pinned digest reference')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Copy an image by digest to other registries: every manifest and blob, the tag last')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'surestep;check-tag' {
            [CompletionResult]::new('--rev', '--rev', [CompletionResultType]::ParameterName, 'The commit to look at (default: HEAD, or workflow_run.head_sha in a workflow_run event)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Tag prefix before MAJOR.MINOR.PATCH (e.g. `mypkg-v`; empty for bare versions)')
            [CompletionResult]::new('--version-file', '--version-file', [CompletionResultType]::ParameterName, 'Fail unless this Cargo.toml, pyproject.toml or package.json declares the tag''s version')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'The repository to inspect')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository to inspect')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--allow-prerelease', '--allow-prerelease', [CompletionResultType]::ParameterName, 'Accept pre-release tags such as v1.2.3-rc.1')
            [CompletionResult]::new('--require', '--require', [CompletionResultType]::ParameterName, 'Fail (exit 1) when the commit carries no release tag')
            [CompletionResult]::new('--require-newest', '--require-newest', [CompletionResultType]::ParameterName, 'Fail unless the tag is greater than every other release tag in the repository')
            [CompletionResult]::new('--fetch', '--fetch', [CompletionResultType]::ParameterName, 'Run `git fetch --tags` first')
            [CompletionResult]::new('--require-success', '--require-success', [CompletionResultType]::ParameterName, 'In a workflow_run event, exit 1 unless the triggering run concluded success')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;verify-wheels' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Every file''s version must equal this (compared in PEP 440 normal form)')
            [CompletionResult]::new('--from-tag', '--from-tag', [CompletionResultType]::ParameterName, 'Every file''s version must equal this release tag''s (v1.2.3-rc.1 → 1.2.3rc1)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Tag prefix before MAJOR.MINOR.PATCH for --from-tag')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Expected Pythons, comma-separated: 3.12, cp312, 3.13t, pp310 (abi3 wheels cover later versions), or py3 (one wheel for every 3.x: a pure or binary-only `py3-none-*` wheel)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Expected platforms, comma-separated: manylinux_x86_64, musllinux_aarch64, macosx_arm64, win_amd64, any, or an exact tag such as manylinux_2_28_x86_64')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'PyPI''s per-file size limit (bytes, or with KiB/MiB/GiB/KB/MB/GB)')
            [CompletionResult]::new('--write-checksums', '--write-checksums', [CompletionResultType]::ParameterName, 'After a clean run, write a sha256sum-compatible manifest of the verified files here')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Compare with the previous release on this index (a simple index URL, `pypi` or `testpypi`): every platform it shipped must ship again')
            [CompletionResult]::new('--allow-drop', '--allow-drop', [CompletionResultType]::ParameterName, 'Cells --against may find missing on purpose, comma-separated: a Python (cp38, 3.8, pp39, py2), a platform (win32, musllinux_armv7l) or sdist')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'User name for reading the --against index (as publish reads it; `__token__` for tokens)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password or token for reading the --against index (prefer SURESTEP_PYPI_TOKEN)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--sdist', '--sdist', [CompletionResultType]::ParameterName, 'Require exactly one sdist')
            [CompletionResult]::new('--pypi', '--pypi', [CompletionResultType]::ParameterName, 'Check what PyPI would reject mid-upload (default: on)')
            [CompletionResult]::new('--no-pypi', '--no-pypi', [CompletionResultType]::ParameterName, 'Skip the PyPI preflight (for other indexes)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'surestep;publish' {
            [CompletionResult]::new('--repository-url', '--repository-url', [CompletionResultType]::ParameterName, 'The legacy upload endpoint [default: https://upload.pypi.org/legacy/]')
            [CompletionResult]::new('--publish-url', '--publish-url', [CompletionResultType]::ParameterName, 'The legacy upload endpoint [default: https://upload.pypi.org/legacy/]')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'A named index instead of --repository-url')
            [CompletionResult]::new('--check-url', '--check-url', [CompletionResultType]::ParameterName, 'The simple index to check (derived for pypi.org and test.pypi.org)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'User name for the index (`__token__` for API tokens)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'User name for the index (`__token__` for API tokens)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)')
            [CompletionResult]::new('--trusted-publishing', '--trusted-publishing', [CompletionResultType]::ParameterName, 'Trusted publishing: exchange the CI''s OIDC identity for a short-lived token')
            [CompletionResult]::new('--trusted-publishing-url', '--trusted-publishing-url', [CompletionResultType]::ParameterName, 'Where `/_/oidc/audience` and `/_/oidc/mint-token` live (default: the upload URL''s origin)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Files uploaded at the same time (1 to 64)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of a request after transport errors, 5xx and 429, the index re-checked first (0 to 20)')
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'A SHA256SUMS file (verify-wheels --write-checksums): refuse files whose digest changed')
            [CompletionResult]::new('--verify-upload', '--verify-upload', [CompletionResultType]::ParameterName, 'Poll the index after uploading until every file is listed with our sha256')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'How long --verify-upload waits for the index to list the files (e.g. 60, 90s, 10m; at most 7 days)')
            [CompletionResult]::new('--allow-drop', '--allow-drop', [CompletionResultType]::ParameterName, 'Cells --against-previous may find missing on purpose: cp38, 3.8, win32, sdist…')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (skip / conflict / upload) and stop')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip the verify-wheels integrity and PyPI preflight checks')
            [CompletionResult]::new('--against-previous', '--against-previous', [CompletionResultType]::ParameterName, 'Before any upload, compare with the previous release on the index (as verify-wheels --against): refuse when a platform it shipped is missing')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain-http URLs to hosts other than loopback (credentials would travel in clear)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;wait-for-image' {
            [CompletionResult]::new('--digest', '--digest', [CompletionResultType]::ParameterName, 'Wait until the reference resolves to exactly this digest')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Wait until the image''s org.opencontainers.image.revision is this commit (≥ 7 hex digits, or `auto` for the run''s commit)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Wait until every listed platform is in the index (os/arch[/variant], comma-separated)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (e.g. 10m, 90s, 1h; 0 checks once; at most 7 days)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause between polls, jittered by ±10% (50ms to 7 days)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Registry username (for the token realm or Basic auth)')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Registry password or token (prefer the environment variable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Speak plain HTTP to a registry that is not on loopback')
            [CompletionResult]::new('--aws-ecr', '--aws-ecr', [CompletionResultType]::ParameterName, 'The registry is Amazon ECR: log in with an ECR token (default AWS credential chain)')
            [CompletionResult]::new('--require-success', '--require-success', [CompletionResultType]::ParameterName, 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;promote' {
            [CompletionResult]::new('--digest', '--digest', [CompletionResultType]::ParameterName, 'Only promote if SRC resolves to exactly this digest')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Only promote if SRC''s org.opencontainers.image.revision is this commit (or `auto`)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Only promote if every listed platform is in SRC (os/arch[/variant], comma-separated)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait up to this long for SRC to meet the conditions (as wait-for-image)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause between polls while waiting')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Blobs in flight at once')
            [CompletionResult]::new('--src-username', '--src-username', [CompletionResultType]::ParameterName, 'Source registry username')
            [CompletionResult]::new('--src-password', '--src-password', [CompletionResultType]::ParameterName, 'Source registry password or token (prefer the environment variable)')
            [CompletionResult]::new('--dest-username', '--dest-username', [CompletionResultType]::ParameterName, 'Destination registry username (every destination)')
            [CompletionResult]::new('--dest-password', '--dest-password', [CompletionResultType]::ParameterName, 'Destination registry password or token (prefer the environment variable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--no-overwrite', '--no-overwrite', [CompletionResultType]::ParameterName, 'Refuse (exit 1) when a destination tag already points at another digest')
            [CompletionResult]::new('--src-aws-ecr', '--src-aws-ecr', [CompletionResultType]::ParameterName, 'The source registry is Amazon ECR (log in with an ECR token)')
            [CompletionResult]::new('--aws-ecr', '--aws-ecr', [CompletionResultType]::ParameterName, 'The destination registries are Amazon ECR (log in with an ECR token)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Speak plain HTTP to registries that are not on loopback')
            [CompletionResult]::new('--require-success', '--require-success', [CompletionResultType]::ParameterName, 'In a workflow_run event, exit 1 before any request unless the triggering run succeeded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?')
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'surestep;lock;status' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)')
            [CompletionResult]::new('--workspace-key-prefix', '--workspace-key-prefix', [CompletionResultType]::ParameterName, 'The backend''s workspace_key_prefix')
            [CompletionResult]::new('--stale-after', '--stale-after', [CompletionResultType]::ParameterName, 'Mark locks older than this as stale (e.g. 30m, 2h, 1d)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'List every .tflock under the prefix (workspaces included)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'List every .tflock under the prefix (workspaces included)')
            [CompletionResult]::new('--fail-if-locked', '--fail-if-locked', [CompletionResultType]::ParameterName, 'Exit 1 when a lock is held (a pre-deploy check)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;unlock' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)')
            [CompletionResult]::new('--workspace-key-prefix', '--workspace-key-prefix', [CompletionResultType]::ParameterName, 'The backend''s workspace_key_prefix')
            [CompletionResult]::new('--lock-id', '--lock-id', [CompletionResultType]::ParameterName, 'Remove the lock only if it has this ID (as printed by Terraform or `lock status`)')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Refuse to remove a lock younger than this (e.g. 30m)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be removed, remove nothing')
            [CompletionResult]::new('--allow-unconditional-delete', '--allow-unconditional-delete', [CompletionResultType]::ParameterName, 'If the store rejects conditional deletes (501), delete without the If-Match guard')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;probe' {
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;acquire' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)')
            [CompletionResult]::new('--workspace-key-prefix', '--workspace-key-prefix', [CompletionResultType]::ParameterName, 'The backend''s workspace_key_prefix')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock')
            [CompletionResult]::new('--take-over-older-than', '--take-over-older-than', [CompletionResultType]::ParameterName, 'Replace a lock without a lease (e.g. Terraform''s) older than this, guarded by If-Match')
            [CompletionResult]::new('--operation', '--operation', [CompletionResultType]::ParameterName, 'The lock body''s Operation')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--take-over-expired', '--take-over-expired', [CompletionResultType]::ParameterName, 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match')
            [CompletionResult]::new('--allow-unsafe-store', '--allow-unsafe-store', [CompletionResultType]::ParameterName, 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;release' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)')
            [CompletionResult]::new('--workspace-key-prefix', '--workspace-key-prefix', [CompletionResultType]::ParameterName, 'The backend''s workspace_key_prefix')
            [CompletionResult]::new('--lock-id', '--lock-id', [CompletionResultType]::ParameterName, 'The ID `lock acquire` printed (output lock_id)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--allow-unsafe-store', '--allow-unsafe-store', [CompletionResultType]::ParameterName, 'Go ahead on a store that ignores If-Match on DELETE (a newer lock could be removed)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;run' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)')
            [CompletionResult]::new('--workspace-key-prefix', '--workspace-key-prefix', [CompletionResultType]::ParameterName, 'The backend''s workspace_key_prefix')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'While the lock is held by someone else, poll until it is free for up to this long (e.g. 10m); 0 tries once')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a waiter with --take-over-expired may replace the lock')
            [CompletionResult]::new('--take-over-older-than', '--take-over-older-than', [CompletionResultType]::ParameterName, 'Replace a lock without a lease (e.g. Terraform''s) older than this, guarded by If-Match')
            [CompletionResult]::new('--operation', '--operation', [CompletionResultType]::ParameterName, 'The lock body''s Operation')
            [CompletionResult]::new('--kill-after', '--kill-after', [CompletionResultType]::ParameterName, 'After SIGTERM to a command that lost its lock, wait this long before SIGKILL')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The bucket''s region (default: from the AWS environment or profile, else us-east-1)')
            [CompletionResult]::new('--sse-customer-key', '--sse-customer-key', [CompletionResultType]::ParameterName, 'SSE-C key (base64, 256-bit) the state bucket''s objects are encrypted with')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--take-over-expired', '--take-over-expired', [CompletionResultType]::ParameterName, 'Replace a lock whose lease has expired (a crashed holder), guarded by If-Match')
            [CompletionResult]::new('--allow-unsafe-store', '--allow-unsafe-store', [CompletionResultType]::ParameterName, 'Go ahead on a store that does not honour the conditions the step relies on (no mutual exclusion guarantee)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;lock;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?')
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'surestep;lock;help;status' {
            break
        }
        'surestep;lock;help;unlock' {
            break
        }
        'surestep;lock;help;probe' {
            break
        }
        'surestep;lock;help;acquire' {
            break
        }
        'surestep;lock;help;release' {
            break
        }
        'surestep;lock;help;run' {
            break
        }
        'surestep;lock;help;help' {
            break
        }
        'surestep;lint' {
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print what RULE catches, why it is a race, and the fix; then exit')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Do not report RULE (repeat, or separate with commas)')
            [CompletionResult]::new('--min-severity', '--min-severity', [CompletionResultType]::ParameterName, 'Report only findings of this severity or above')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding of this severity or above is reported')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'List the rules with their severity and title; then exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print exactly one JSON document on stdout (stable field names)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log what happens to stderr (-vv for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars; log milestones as lines instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'surestep;help' {
            [CompletionResult]::new('check-tag', 'check-tag', [CompletionResultType]::ParameterValue, 'Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts')
            [CompletionResult]::new('verify-wheels', 'verify-wheels', [CompletionResultType]::ParameterValue, 'Prove dist/ is complete and intact: every wheel''s zip, CRCs and RECORD hashes, metadata, the expected Python × platform matrix, and PyPI''s upload rules')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical')
            [CompletionResult]::new('wait-for-image', 'wait-for-image', [CompletionResultType]::ParameterValue, 'Wait until a registry serves the expected image, then print its pinned digest reference')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Copy an image by digest to other registries: every manifest and blob, the tag last')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run checkouts, shared cache keys, masked failures (15 rules; --explain RULE)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'surestep;help;check-tag' {
            break
        }
        'surestep;help;verify-wheels' {
            break
        }
        'surestep;help;publish' {
            break
        }
        'surestep;help;wait-for-image' {
            break
        }
        'surestep;help;promote' {
            break
        }
        'surestep;help;lock' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove a lock safely: ID check, then a delete conditional on the ETag that was read')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Does this store honour the conditional writes and deletes Terraform''s locking relies on?')
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take the lock (Terraform''s format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status')
            break
        }
        'surestep;help;lock;status' {
            break
        }
        'surestep;help;lock;unlock' {
            break
        }
        'surestep;help;lock;probe' {
            break
        }
        'surestep;help;lock;acquire' {
            break
        }
        'surestep;help;lock;release' {
            break
        }
        'surestep;help;lock;run' {
            break
        }
        'surestep;help;lint' {
            break
        }
        'surestep;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
