//! What a step does: publish, release, push or pull an image, deploy, look up tags, test, wait.
//!
//! Read from `uses:` (the action and its `with:`) and from every simple command of a `run:`
//! script, wrappers (`python -m`, `uv run`, `pipx run`, `npx`…) looked through. Each [`Op`]
//! carries the position of its own node or command, so findings point at the line that does it.

use super::script::{Command, Joint, Script};
use super::workflow::Step;
use super::yaml::{Node, Pos};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Uploads a package to an index (the index's name).
    Publish(&'static str),
    /// Creates or uploads to a GitHub release.
    Release,
    PushImage,
    Deploy,
    TerraformApply,
    PullImage,
    TagLookup,
    FetchTags,
    Test,
    Verify,
    Sleep,
    Checkout,
}

/// An image reference written in the workflow, with env variables resolved where known.
#[derive(Debug, Clone)]
pub struct ImageRef {
    pub resolved: String,
    pub pos: Pos,
    pub len: u32,
}

/// A failure masked right after a command (`|| true`).
#[derive(Debug, Clone)]
pub struct Masked {
    pub pos: Pos,
    pub len: u32,
    pub how: String,
}

/// One thing a step does, at its position.
#[derive(Debug, Clone)]
pub struct Op {
    pub kind: OpKind,
    pub pos: Pos,
    pub len: u32,
    /// What it is, for messages (`twine upload`, `pypa/gh-action-pypi-publish`).
    pub what: String,
    pub images: Vec<ImageRef>,
    pub masked: Option<Masked>,
    pub in_loop: bool,
    /// Index of the command in the step's script (for ops from `run:`).
    pub cmd: Option<usize>,
    /// The whole command line, for argument checks (`--fetch`, `-backend-config`).
    pub args: Vec<String>,
}

impl Op {
    fn at_node(kind: OpKind, node: &Node, what: &str) -> Op {
        Op {
            kind,
            pos: node.pos,
            len: node.text().chars().count().max(1) as u32,
            what: what.to_owned(),
            images: Vec::new(),
            masked: None,
            in_loop: false,
            cmd: None,
            args: Vec::new(),
        }
    }
}

const RELEASE_ACTIONS: &[&str] = &[
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "actions/upload-release-asset",
    "svenstaro/upload-release-action",
    "marvinpinto/action-automatic-releases",
    "taiki-e/upload-rust-binary-action",
    "taiki-e/create-gh-release-action",
    // semantic-release publishes the package and the GitHub release.
    "cycjimmy/semantic-release-action",
    "codfish/semantic-release-action",
];

/// Actions that deploy, and the `with:` key that names the image they deploy (if any).
const DEPLOY_ACTIONS: &[(&str, &str)] = &[
    ("google-github-actions/deploy-cloudrun", "image"),
    ("google-github-actions/deploy-appengine", ""),
    ("google-github-actions/deploy-cloud-functions", ""),
    ("aws-actions/amazon-ecs-deploy-task-definition", ""),
    ("aws-actions/amazon-ecs-render-task-definition", "image"),
    ("azure/webapps-deploy", "images"),
    ("azure/container-apps-deploy-action", "imagetodeploy"),
    ("azure/k8s-deploy", "images"),
    ("azure/functions-action", ""),
    ("azure/arm-deploy", ""),
    ("actions/deploy-pages", ""),
    ("peaceiris/actions-gh-pages", ""),
    ("jamesives/github-pages-deploy-action", ""),
    ("cloudflare/wrangler-action", ""),
    ("cloudflare/pages-action", ""),
    ("amondnet/vercel-action", ""),
    ("akhileshns/heroku-deploy", ""),
    ("superfly/flyctl-actions", ""),
    ("appleboy/ssh-action", ""),
    ("aws-actions/aws-cloudformation-github-deploy", ""),
    ("helm/chart-releaser-action", ""),
];

/// Classifies a step.
pub fn classify(step: &Step, lines: &[&str]) -> Vec<Op> {
    let mut ops = Vec::new();
    if let Some(uses) = step.uses {
        classify_uses(step, uses, lines, &mut ops);
    }
    if let Some((_, script)) = &step.run {
        classify_script(step, script, &mut ops);
    }
    ops
}

fn classify_uses(step: &Step, uses: &Node, lines: &[&str], ops: &mut Vec<Op>) {
    let a = step.action.as_str();
    if a.starts_with("./") || a.starts_with("docker://") {
        return;
    }
    if a == "actions/checkout" {
        ops.push(Op::at_node(OpKind::Checkout, uses, a));
    } else if a == "pypa/gh-action-pypi-publish" {
        ops.push(Op::at_node(OpKind::Publish("PyPI"), uses, a));
    } else if a == "docker/build-push-action" {
        let push = step.with_str("push").map(|p| p.trim() != "false").unwrap_or(false)
            || step
                .with_str("outputs")
                .is_some_and(|o| o.contains("type=registry") || o.contains("push=true"));
        // `push-by-digest=true` with no tags (the per-platform half of a multi-runner build):
        // content-addressed, no tag moves, nothing two runs could race on.
        let by_digest_only = step.with_str("outputs").is_some_and(|o| {
            o.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .contains("push-by-digest=true")
        }) && step.with("tags").is_none();
        if push && !by_digest_only {
            let mut op = Op::at_node(OpKind::PushImage, uses, a);
            if let Some(tags) = step.with("tags") {
                op.images = image_list(tags, step, lines);
            }
            ops.push(op);
        }
    } else if a == "js-devtools/npm-publish" {
        ops.push(Op::at_node(OpKind::Publish("npm"), uses, a));
    } else if RELEASE_ACTIONS.contains(&a) {
        ops.push(Op::at_node(OpKind::Release, uses, a));
    } else if a == "goreleaser/goreleaser-action" {
        if step.with_str("args").is_some_and(|x| x.contains("release") && !x.contains("--snapshot"))
        {
            ops.push(Op::at_node(OpKind::Release, uses, a));
        }
    } else if let Some((_, image_key)) = DEPLOY_ACTIONS.iter().find(|(n, _)| *n == a) {
        let mut op = Op::at_node(OpKind::Deploy, uses, a);
        if !image_key.is_empty()
            && let Some((_, v)) = step.with.and_then(|w| {
                w.entries().iter().find(|(k, _)| k.text().eq_ignore_ascii_case(image_key))
            })
        {
            op.images = image_list(v, step, lines);
        }
        ops.push(op);
    }
}

/// Image references in a scalar (one per line or comma), with positions.
fn image_list(node: &Node, step: &Step, lines: &[&str]) -> Vec<ImageRef> {
    let script = Script::from_node(node, lines);
    let text = &script.text;
    let mut out = Vec::new();
    let mut start = 0;
    for part in text.split(['\n', ',']) {
        let trimmed = part.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let at = start + (part.len() - part.trim_start().len());
            let pos = if node.pos.line == node.end.line || script.pos(at) != node.pos {
                script.pos(at)
            } else {
                node.pos
            };
            out.push(ImageRef {
                resolved: step.env.resolve(trimmed),
                pos,
                len: trimmed.chars().count() as u32,
            });
        }
        start += part.len() + 1;
    }
    out
}

const WRAPPERS: &[&str] = &["uv", "poetry", "pdm", "hatch", "pipx", "uvx", "npx", "pnpx", "rye"];

/// The command's words with wrappers (`python -m`, `uv run`, `pipx run`…) removed.
fn unwrap(cmd: &Command) -> Vec<&str> {
    let mut w: Vec<&str> = cmd.words.iter().map(|w| w.text.as_str()).collect();
    loop {
        let prog = w.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or("");
        let is_python = prog.starts_with("python") || prog == "py";
        if is_python && w.get(1) == Some(&"-m") {
            w.drain(..2);
        } else if is_python && w.len() > 1 && w[1].starts_with('-') {
            w.remove(1);
        } else if (WRAPPERS.contains(&prog)
            && w.get(1).is_some_and(|s| *s == "run" || *s == "exec"))
            || (prog == "pipx" && w.get(1) == Some(&"run"))
        {
            w.drain(..2);
            while w.first().is_some_and(|s| s.starts_with('-')) {
                let takes_value =
                    matches!(*w.first().unwrap(), "--with" | "--python" | "-p" | "--spec");
                w.remove(0);
                if takes_value && !w.is_empty() {
                    w.remove(0);
                }
            }
        } else if prog == "uvx"
            || prog == "npx"
            || prog == "pnpx"
            || prog == "bunx"
            || (matches!(prog, "pnpm" | "yarn") && w.get(1) == Some(&"dlx"))
        {
            if w.get(1) == Some(&"dlx") {
                w.remove(0);
            }
            w.remove(0);
            while w.first().is_some_and(|s| s.starts_with('-')) {
                w.remove(0);
            }
        } else {
            break;
        }
        if w.is_empty() {
            break;
        }
    }
    if let Some(first) = w.first_mut() {
        *first = first.rsplit('/').next().unwrap_or(first);
    }
    w
}

fn classify_script(step: &Step, script: &Script, ops: &mut Vec<Op>) {
    let cmds = script.commands();
    for (i, cmd) in cmds.iter().enumerate() {
        let w = unwrap(cmd);
        let Some(kind) = command_kind(&w) else { continue };
        let shown = w.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        let start = cmd.start();
        let two_end = cmd.words.get(1).map(|x| x.end).unwrap_or(cmd.words[0].end);
        let len = script.text[start..two_end.max(start)].chars().count().max(1) as u32;
        let mut op = Op {
            kind,
            pos: script.pos(start),
            len,
            what: shown,
            images: Vec::new(),
            masked: None,
            in_loop: cmd.in_loop,
            cmd: Some(i),
            args: w.iter().map(|s| s.to_string()).collect(),
        };
        if matches!(kind, OpKind::PushImage | OpKind::PullImage | OpKind::Deploy) {
            op.images = command_images(kind, cmd, script, step);
        }
        if cmd.next == Some(Joint::Or)
            && let Some(next) = cmds.get(i + 1)
        {
            let p = next.program();
            let masks = matches!(p, "true" | ":" | "echo" | "printf")
                || (p == "exit" && next.word(1) == "0");
            if masks {
                let end = next.end();
                op.masked = Some(Masked {
                    pos: script.pos(next.start()),
                    len: script.text[next.start()..end].chars().count().max(1) as u32,
                    how: format!("|| {}", script.text[next.start()..end].trim()),
                });
            }
        }
        ops.push(op);
    }
}

/// What a command (wrappers removed) does, if anything the rules care about.
pub fn command_kind(w: &[&str]) -> Option<OpKind> {
    let prog = *w.first()?;
    let arg = |i: usize| w.get(i).copied().unwrap_or("");
    let has = |a: &str| w.iter().any(|x| *x == a || x.starts_with(&format!("{a}=")));
    let dry = has("--dry-run") || has("-n") && prog == "cargo";
    Some(match prog {
        "twine" if arg(1) == "upload" => OpKind::Publish("PyPI"),
        "twine" if arg(1) == "check" => OpKind::Verify,
        "maturin" if matches!(arg(1), "publish" | "upload") && !dry => OpKind::Publish("PyPI"),
        "uv" | "flit" | "poetry" | "hatch" | "pdm" | "surestep" if arg(1) == "publish" && !dry => {
            OpKind::Publish("PyPI")
        }
        "surestep" if arg(1) == "verify-wheels" || arg(1) == "wait-for-image" => OpKind::Verify,
        "surestep" if arg(1) == "check-tag" && !has("--fetch") => OpKind::TagLookup,
        "cargo" if arg(1) == "publish" && !dry => OpKind::Publish("crates.io"),
        "npm" | "pnpm" | "yarn" if arg(1) == "publish" && !dry => OpKind::Publish("npm"),
        "gem" if arg(1) == "push" => OpKind::Publish("RubyGems"),
        "gh" if arg(1) == "release" && matches!(arg(2), "create" | "upload" | "edit") => {
            OpKind::Release
        }
        "goreleaser" if arg(1) == "release" && !has("--snapshot") => OpKind::Release,
        "docker" | "podman" | "buildah" if arg(1) == "push" => OpKind::PushImage,
        // The step that moves the tags of a multi-platform image built by digest (the tags
        // often come from a command substitution: `$(jq … map("-t " + .))`).
        "docker"
            if arg(1) == "buildx"
                && arg(2) == "imagetools"
                && arg(3) == "create"
                && !has("--dry-run") =>
        {
            OpKind::PushImage
        }
        "semantic-release" if !has("--dry-run") && !has("-d") => OpKind::Release,
        "docker" | "podman" if arg(1) == "image" && arg(2) == "push" => OpKind::PushImage,
        "docker" if arg(1) == "manifest" && arg(2) == "push" => OpKind::PushImage,
        "docker" | "podman" if (arg(1) == "build" || arg(1) == "buildx") && has("--push") => {
            OpKind::PushImage
        }
        "docker" | "podman" if arg(1) == "pull" || (arg(1) == "image" && arg(2) == "pull") => {
            OpKind::PullImage
        }
        "crane" if matches!(arg(1), "copy" | "cp" | "push" | "tag") => OpKind::PushImage,
        "skopeo" if arg(1) == "copy" => OpKind::PushImage,
        "terraform" | "tofu" | "terragrunt"
            if w.iter().skip(1).find(|a| !a.starts_with('-')) == Some(&"apply") =>
        {
            OpKind::TerraformApply
        }
        "gcloud" if w.contains(&"deploy") || (w.contains(&"update") && has("--image")) => {
            OpKind::Deploy
        }
        "kubectl" if matches!(arg(1), "apply" | "set" | "rollout" | "replace") => OpKind::Deploy,
        "helm" if matches!(arg(1), "upgrade" | "install") => OpKind::Deploy,
        "aws"
            if (arg(1) == "ecs" && arg(2) == "update-service")
                || (arg(1) == "lambda" && arg(2).starts_with("update-function"))
                || (arg(1) == "cloudformation" && arg(2) == "deploy") =>
        {
            OpKind::Deploy
        }
        "az" if w.contains(&"deploy") || (arg(1) == "containerapp" && arg(2) == "update") => {
            OpKind::Deploy
        }
        "flyctl" | "fly" | "wrangler" | "firebase" | "serverless" | "sls" | "cdk" | "sam"
        | "kamal" | "netlify" | "railway"
            if matches!(arg(1), "deploy" | "publish" | "up") =>
        {
            OpKind::Deploy
        }
        "vercel" if has("--prod") || arg(1) == "deploy" => OpKind::Deploy,
        "pulumi" if arg(1) == "up" => OpKind::Deploy,
        "heroku" if arg(1).starts_with("container:release") => OpKind::Deploy,
        "git" if arg(1) == "describe" => OpKind::TagLookup,
        "git"
            if arg(1) == "tag"
                && (has("--points-at") || has("--contains") || has("-l") || has("--list")) =>
        {
            OpKind::TagLookup
        }
        "setuptools-scm" | "setuptools_scm" => OpKind::TagLookup,
        "git"
            if arg(1) == "fetch"
                && (has("--tags")
                    || has("--unshallow")
                    || w.iter().any(|a| a.contains("refs/tags"))) =>
        {
            OpKind::FetchTags
        }
        "sleep" => OpKind::Sleep,
        "pytest" | "py.test" | "tox" | "nox" | "ctest" | "jest" | "vitest" | "rspec"
        | "phpunit" => OpKind::Test,
        "cargo" if matches!(arg(1), "test" | "nextest") => OpKind::Test,
        // `coverage run -m pytest`, `coverage run manage.py test`: a test run under coverage.
        "coverage" if arg(1) == "run" => OpKind::Test,
        p if p.starts_with("python") && arg(1).ends_with("manage.py") && arg(2) == "test" => {
            OpKind::Test
        }
        "go" if arg(1) == "test" => OpKind::Test,
        "npm" | "yarn" | "pnpm"
            if arg(1) == "test" || (arg(1) == "run" && arg(2).starts_with("test")) =>
        {
            OpKind::Test
        }
        "make" if matches!(arg(1), "test" | "check" | "tests") => OpKind::Test,
        "mvn" | "./mvnw" | "mvnw" if w.iter().any(|a| *a == "test" || *a == "verify") => {
            OpKind::Test
        }
        "gradle" | "gradlew" if w.iter().any(|a| *a == "test" || *a == "check") => OpKind::Test,
        "dotnet" if arg(1) == "test" => OpKind::Test,
        "hatch" if arg(1) == "test" => OpKind::Test,
        "check-wheel-contents" | "abi3audit" => OpKind::Verify,
        "sha256sum" | "shasum" | "sha512sum" if has("-c") || has("--check") => OpKind::Verify,
        "cosign" if arg(1).starts_with("verify") => OpKind::Verify,
        "gpg" if has("--verify") => OpKind::Verify,
        _ => return None,
    })
}

fn command_images(kind: OpKind, cmd: &Command, script: &Script, step: &Step) -> Vec<ImageRef> {
    let mut out = Vec::new();
    let mut push = |word: &super::script::Word, text: &str| {
        if text.is_empty() || text.starts_with('-') {
            return;
        }
        out.push(ImageRef {
            resolved: step.env.resolve(text),
            pos: script.pos(word.start),
            len: text.chars().count() as u32,
        });
    };
    let words = &cmd.words;
    match kind {
        OpKind::PushImage | OpKind::PullImage => {
            let is_build = words.iter().any(|w| w.text == "build" || w.text == "buildx");
            for (i, w) in words.iter().enumerate() {
                if is_build {
                    if (w.text == "-t" || w.text == "--tag") && i + 1 < words.len() {
                        push(&words[i + 1], &words[i + 1].text.clone());
                    } else if let Some(v) = w.text.strip_prefix("--tag=") {
                        push(w, v);
                    }
                } else if i >= 2 && !w.text.starts_with('-') && words[i - 1].text != "image" {
                    let skip = ["push", "pull", "copy", "cp", "tag"];
                    if !skip.contains(&w.text.as_str()) {
                        let t = w.text.strip_prefix("docker://").unwrap_or(&w.text).to_owned();
                        push(w, &t);
                    }
                }
            }
        }
        OpKind::Deploy => {
            for (i, w) in words.iter().enumerate() {
                if w.text == "--image" && i + 1 < words.len() {
                    push(&words[i + 1], &words[i + 1].text.clone());
                } else if let Some(v) = w.text.strip_prefix("--image=") {
                    push(w, v);
                } else if words.first().is_some_and(|p| p.text == "kubectl")
                    && words.get(1).is_some_and(|s| s.text == "set")
                    && i >= 4
                    && let Some((_, img)) = w.text.split_once('=')
                {
                    push(w, img);
                }
            }
        }
        _ => {}
    }
    out
}

/// Whether an image reference names a tag that moves: `:latest`, no tag at all, or a branch.
/// `None` when it cannot be told (an expression or variable left unresolved).
pub fn is_mutable_tag(image: &str) -> Option<bool> {
    if image.contains('@') {
        return Some(false);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once(':').map(|(_, t)| t);
    match tag {
        None if image.contains("${{") || image.contains('$') => None,
        None => Some(true),
        Some(t) => {
            let t = t.trim();
            if matches!(
                t,
                "latest"
                    | "main"
                    | "master"
                    | "develop"
                    | "dev"
                    | "edge"
                    | "nightly"
                    | "stable"
                    | "staging"
                    | "prod"
                    | "production"
            ) || t.contains("github.ref_name") && !t.contains("sha")
                || t.contains("github.head_ref")
            {
                Some(true)
            } else if t.contains('$') {
                None
            } else {
                Some(false)
            }
        }
    }
}

/// The repository part of an image reference, without tag or digest, lower case.
pub fn image_repository(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let (head, last) = no_digest.rsplit_once('/').unwrap_or(("", no_digest));
    let name = last.split(':').next().unwrap_or(last);
    if head.is_empty() {
        name.to_ascii_lowercase()
    } else {
        format!("{head}/{name}").to_ascii_lowercase()
    }
}
