//! The parts of a workflow (or composite action) that the rules read, each with its node.
//!
//! Built once per file from the position-carrying YAML tree: triggers, concurrency, jobs with
//! their needs, environment, matrix and steps, and for every step what it does ([`Op`]s, from
//! [`super::ops`]). Shapes the model does not know are left out, never guessed.

use super::expr::Env;
use super::ops::{self, Op, OpKind};
use super::script::Script;
use super::yaml::{Kind, Node};

/// `concurrency:` at workflow or job level.
#[derive(Debug, Clone)]
pub struct Concurrency<'a> {
    /// The group text (`deploy-${{ github.ref }}`); `None` when it is not a string.
    pub group: Option<String>,
    pub cancel: Option<&'a Node>,
}

impl<'a> Concurrency<'a> {
    /// Whether the group queues the runs that ship: it has a group, and the group is not
    /// unique per run (see [`unique_per_run`]).
    pub fn serializes(&self) -> bool {
        self.group.as_deref().is_some_and(|g| !unique_per_run(g))
    }

    /// Whether the group is one per run for every run but pull requests'
    /// (`${{ github.workflow }}-${{ github.head_ref || github.run_id }}`): it queues nothing
    /// and cancels no push, tag or release run.
    pub fn unique_per_run(&self) -> bool {
        self.group.as_deref().is_some_and(unique_per_run)
    }

    fn from_node(node: Option<&'a Node>) -> Option<Concurrency<'a>> {
        let node = node?;
        match &node.kind {
            Kind::Scalar(s, _) if !node.is_null() => {
                Some(Concurrency { group: Some(s.clone()), cancel: None })
            }
            Kind::Map(_) => Some(Concurrency {
                group: node.get("group").and_then(Node::as_str).map(str::to_owned),
                cancel: node.get("cancel-in-progress"),
            }),
            _ => None,
        }
    }
}

/// A group text whose `${{ }}` part is `github.run_id` (or `run_number`), alone or as the
/// fallback of a value only pull requests have.
fn unique_per_run(group: &str) -> bool {
    const PR_ONLY: &[&str] = &[
        "github.head_ref",
        "github.event.pull_request.number",
        "github.event.number",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.sha",
    ];
    let mut rest = group;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let expr: String = after[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let mut alternatives: Vec<&str> = expr.split("||").collect();
        let last = alternatives.pop().unwrap_or("");
        if matches!(last, "github.run_id" | "github.run_number")
            && alternatives.iter().all(|a| PR_ONLY.contains(a))
        {
            return true;
        }
        rest = &after[end + 2..];
    }
    false
}

/// `strategy.matrix`.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// Each dimension and its number of values (`None` when an expression gives them).
    pub dims: Vec<(String, Option<usize>)>,
    /// Keys that only `include:` entries add, with their distinct values.
    pub include_keys: Vec<(String, usize)>,
    pub include_len: usize,
    /// Each `include:` entry as (key, value) pairs.
    pub include_entries: Vec<Vec<(String, String)>>,
    /// The whole matrix is an expression (`${{ fromJSON(…) }}`).
    pub dynamic: bool,
}

impl Matrix {
    fn from_node(node: &Node) -> Matrix {
        let mut m = Matrix::default();
        if !node.is_map() {
            m.dynamic = true;
            return m;
        }
        for (k, v) in node.entries() {
            let Some(key) = k.as_str() else { continue };
            match key {
                "exclude" => {}
                "include" => {
                    m.include_len = v.items().len();
                    if !v.is_seq() {
                        m.dynamic = true;
                    }
                    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
                    for item in v.items() {
                        m.include_entries.push(
                            item.entries()
                                .iter()
                                .map(|(k, v)| (k.text().to_owned(), format!("{:?}", v.kind)))
                                .collect(),
                        );
                        for (ik, iv) in item.entries() {
                            let name = ik.text().to_owned();
                            let value = format!("{:?}", iv.kind);
                            match keys.iter_mut().find(|(n, _)| *n == name) {
                                Some((_, vals)) => {
                                    if !vals.contains(&value) {
                                        vals.push(value)
                                    }
                                }
                                None => keys.push((name, vec![value])),
                            }
                        }
                    }
                    m.include_keys = keys.into_iter().map(|(k, v)| (k, v.len())).collect();
                }
                _ => {
                    let count = if v.is_seq() { Some(v.items().len()) } else { None };
                    m.dims.push((key.to_owned(), count));
                }
            }
        }
        m
    }

    /// Whether two jobs of this matrix can run at once; `None` when it cannot be told.
    pub fn is_multi(&self) -> Option<bool> {
        if self.dynamic || self.dims.iter().any(|(_, c)| c.is_none()) {
            return None;
        }
        let product: usize = self.dims.iter().map(|(_, c)| c.unwrap_or(1)).product();
        let combos = if self.dims.is_empty() { self.include_len } else { product };
        Some(combos > 1 || (self.dims.is_empty() && self.include_len > 1))
    }

    /// The dimensions a name must mention so that no two jobs share it, given the dimensions
    /// it does mention. With base dimensions: those taking several values (`include:` entries
    /// only extend their combinations). With only `include:` entries: the keys on which two
    /// entries that agree on every covered key differ.
    pub fn missing(&self, covered: &[String]) -> Vec<String> {
        let has = |d: &str| covered.iter().any(|c| c == d);
        if !self.dims.is_empty() {
            return self
                .dims
                .iter()
                .filter(|(n, c)| c.is_none_or(|c| c > 1) && !has(n))
                .map(|(n, _)| n.clone())
                .collect();
        }
        let key = |e: &Vec<(String, String)>| -> Vec<String> {
            covered
                .iter()
                .map(|c| e.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()).unwrap_or_default())
                .collect()
        };
        let mut out: Vec<String> = Vec::new();
        for (i, a) in self.include_entries.iter().enumerate() {
            for b in &self.include_entries[i + 1..] {
                if key(a) != key(b) {
                    continue;
                }
                for (k, v) in a.iter().chain(b.iter()) {
                    let other = if a.iter().any(|(x, y)| x == k && y == v) { b } else { a };
                    let differs = other.iter().find(|(x, _)| x == k).is_none_or(|(_, y)| y != v);
                    if differs && !has(k) && !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
        }
        out
    }
}

/// One step.
#[derive(Debug)]
pub struct Step<'a> {
    pub node: &'a Node,
    pub uses: Option<&'a Node>,
    /// `owner/repo[/path]` of `uses:`, lower case, without `@ref`.
    pub action: String,
    pub with: Option<&'a Node>,
    pub run: Option<(&'a Node, Script)>,
    pub if_: Option<&'a Node>,
    pub continue_on_error: Option<&'a Node>,
    pub env: Env,
    pub ops: Vec<Op>,
}

impl<'a> Step<'a> {
    pub fn with(&self, key: &str) -> Option<&'a Node> {
        self.with.and_then(|w| w.get(key))
    }
    pub fn with_str(&self, key: &str) -> Option<&'a str> {
        self.with(key).and_then(Node::as_str)
    }
    pub fn is_action(&self, name: &str) -> bool {
        self.action == name
    }
}

/// One job.
#[derive(Debug)]
pub struct Job<'a> {
    pub id: &'a str,
    pub key: &'a Node,
    pub node: &'a Node,
    pub needs: Vec<&'a str>,
    pub if_: Option<&'a Node>,
    pub concurrency: Option<Concurrency<'a>>,
    /// `environment:` name and node.
    pub environment: Option<(&'a str, &'a Node)>,
    pub matrix: Option<Matrix>,
    pub runs_on: Option<&'a Node>,
    /// `uses:` of a reusable-workflow call.
    pub uses: Option<&'a Node>,
    pub continue_on_error: Option<&'a Node>,
    pub env: Env,
    pub steps: Vec<Step<'a>>,
}

impl Job<'_> {
    /// Every op of every step, with the step index.
    pub fn ops(&self) -> impl Iterator<Item = (usize, &Op)> {
        self.steps.iter().enumerate().flat_map(|(i, s)| s.ops.iter().map(move |o| (i, o)))
    }
    /// The first op that publishes or deploys.
    pub fn first_ship(&self) -> Option<(usize, &Op)> {
        self.ops().find(|(_, o)| o.kind.ships())
    }
    pub fn ships(&self) -> bool {
        self.first_ship().is_some()
    }
}

/// The triggers under `on:`.
#[derive(Debug, Default)]
pub struct Triggers<'a> {
    pub events: Vec<&'a str>,
    /// `on.push` when present (a null node for a bare `push`).
    pub push: Option<&'a Node>,
    pub workflow_run: Option<&'a Node>,
}

impl<'a> Triggers<'a> {
    fn from_node(node: Option<&'a Node>) -> Triggers<'a> {
        let mut t = Triggers::default();
        let Some(node) = node else { return t };
        match &node.kind {
            Kind::Scalar(s, _) => t.events.push(s.as_str()),
            Kind::Seq(items) => t.events.extend(items.iter().filter_map(Node::as_str)),
            Kind::Map(entries) => {
                for (k, v) in entries {
                    let Some(name) = k.as_str() else { continue };
                    t.events.push(name);
                    match name {
                        "push" => t.push = Some(v),
                        "workflow_run" => t.workflow_run = Some(v),
                        _ => {}
                    }
                }
            }
        }
        if t.push.is_none() && t.events.contains(&"push") {
            t.push = Some(node);
        }
        t
    }

    pub fn has(&self, event: &str) -> bool {
        self.events.contains(&event)
    }

    /// Whether a push of a branch triggers the workflow.
    pub fn on_branch_push(&self) -> bool {
        let Some(push) = self.push else { return false };
        let has = |k| push.get(k).is_some();
        has("branches") || has("branches-ignore") || !(has("tags") || has("tags-ignore"))
    }

    /// Whether a push of a tag triggers the workflow.
    pub fn on_tag_push(&self) -> bool {
        let Some(push) = self.push else { return false };
        let has = |k| push.get(k).is_some();
        has("tags") || has("tags-ignore") || !(has("branches") || has("branches-ignore"))
    }

    /// `workflow_run` with `types` including `completed` (the default includes it).
    pub fn on_workflow_run_completed(&self) -> bool {
        match self.workflow_run {
            None => false,
            Some(w) => match w.get("types") {
                None => true,
                Some(t) => t.strings().contains(&"completed"),
            },
        }
    }
}

/// A parsed workflow file or composite action.
#[derive(Debug)]
pub struct Workflow<'a> {
    /// Index of the file in the lint run.
    pub file: usize,
    pub path: &'a str,
    pub lines: Vec<&'a str>,
    pub root: &'a Node,
    pub is_action: bool,
    pub name: Option<&'a str>,
    pub on: Triggers<'a>,
    pub concurrency: Option<Concurrency<'a>>,
    pub env: Env,
    pub jobs: Vec<Job<'a>>,
}

impl<'a> Workflow<'a> {
    pub fn new(file: usize, path: &'a str, text: &'a str, root: &'a Node) -> Workflow<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let is_action = root.get("runs").is_some() && root.get("jobs").is_none();
        let env = Env::from_node(root.get("env"));
        let mut jobs = Vec::new();
        if is_action {
            if let Some(runs) = root.get("runs")
                && let Some(steps) = runs.get("steps")
            {
                jobs.push(Job {
                    id: "composite",
                    key: runs,
                    node: runs,
                    needs: Vec::new(),
                    if_: None,
                    concurrency: None,
                    environment: None,
                    matrix: None,
                    runs_on: None,
                    uses: None,
                    continue_on_error: None,
                    env: Env::default(),
                    steps: steps.items().iter().map(|s| build_step(s, &lines, &env)).collect(),
                });
            }
        } else if let Some(js) = root.get("jobs") {
            for (k, v) in js.entries() {
                let Some(id) = k.as_str() else { continue };
                if !v.is_map() {
                    continue;
                }
                let job_env = env.with(&Env::from_node(v.get("env")));
                let steps = v
                    .get("steps")
                    .map(|s| s.items().iter().map(|s| build_step(s, &lines, &job_env)).collect())
                    .unwrap_or_default();
                let environment = v.get("environment").and_then(|e| match &e.kind {
                    Kind::Scalar(s, _) if !e.is_null() => Some((s.as_str(), e)),
                    Kind::Map(_) => e.get("name").and_then(|n| n.as_str().map(|s| (s, n))),
                    _ => None,
                });
                jobs.push(Job {
                    id,
                    key: k,
                    node: v,
                    needs: v.get("needs").map(|n| n.strings()).unwrap_or_default(),
                    if_: v.get("if"),
                    concurrency: Concurrency::from_node(v.get("concurrency")),
                    environment,
                    matrix: v.get("strategy").and_then(|s| s.get("matrix")).map(Matrix::from_node),
                    runs_on: v.get("runs-on"),
                    uses: v.get("uses"),
                    continue_on_error: v.get("continue-on-error"),
                    env: job_env,
                    steps,
                });
            }
        }
        let mut wf = Workflow {
            file,
            path,
            lines,
            root,
            is_action,
            name: root.get("name").and_then(Node::as_str),
            on: Triggers::from_node(root.get("on")),
            concurrency: Concurrency::from_node(root.get("concurrency")),
            env,
            jobs,
        };
        wf.forget_unreachable_steps();
        wf
    }

    /// Steps that never run - their job's or their own `if:` is false in every way the
    /// triggers can start the workflow (`if: false`, `github.ref == 'refs/heads/master'` in a
    /// workflow that runs on `main` only) - do nothing any rule could report.
    fn forget_unreachable_steps(&mut self) {
        let contexts = super::cond::contexts(self);
        if contexts.is_empty() {
            return;
        }
        let never = |n: Option<&Node>| {
            n.is_some()
                && contexts.iter().all(|c| super::cond::eval(&condition(n), c) == Some(false))
        };
        for job in &mut self.jobs {
            let job_never = never(job.if_);
            for step in &mut job.steps {
                if job_never || never(step.if_) {
                    step.ops.clear();
                }
            }
        }
    }

    pub fn job(&self, id: &str) -> Option<&Job<'a>> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// The job and every job it needs, transitively (the job first).
    pub fn upstream(&self, id: &str) -> Vec<&Job<'a>> {
        let mut out: Vec<&Job<'a>> = Vec::new();
        let mut todo = vec![id];
        while let Some(next) = todo.pop() {
            if out.iter().any(|j| j.id == next) {
                continue;
            }
            if let Some(j) = self.job(next) {
                out.push(j);
                todo.extend(j.needs.iter().copied());
            }
        }
        out
    }

    /// Jobs that `id` feeds, transitively (not including itself).
    pub fn downstream(&self, id: &str) -> Vec<&Job<'a>> {
        self.jobs
            .iter()
            .filter(|j| j.id != id && self.upstream(j.id).iter().any(|u| u.id == id))
            .collect()
    }

    /// The workflow's only trigger is `workflow_call` (a reusable workflow).
    pub fn only_called(&self) -> bool {
        !self.on.events.is_empty() && self.on.events.iter().all(|e| *e == "workflow_call")
    }
}

fn build_step<'a>(node: &'a Node, lines: &[&'a str], scope: &Env) -> Step<'a> {
    let uses = node.get("uses");
    let action = uses
        .and_then(Node::as_str)
        .map(|u| u.split('@').next().unwrap_or(u).trim().to_ascii_lowercase())
        .unwrap_or_default();
    let run =
        node.get("run").filter(|r| r.as_str().is_some()).map(|r| (r, Script::from_node(r, lines)));
    let env = scope.with(&Env::from_node(node.get("env")));
    let mut step = Step {
        node,
        uses,
        action,
        with: node.get("with"),
        run,
        if_: node.get("if"),
        continue_on_error: node.get("continue-on-error"),
        env,
        ops: Vec::new(),
    };
    step.ops = ops::classify(&step, lines);
    step
}

/// A step or job `if:` as text, with `${{ }}` stripped.
pub fn condition(node: Option<&Node>) -> String {
    node.map(|n| {
        let t = n.text().trim();
        t.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")).unwrap_or(t).trim().to_owned()
    })
    .unwrap_or_default()
}

/// Whether an op kind ships: publishes a package or release, pushes an image, deploys.
impl OpKind {
    pub fn ships(&self) -> bool {
        matches!(
            self,
            OpKind::Publish(_)
                | OpKind::Release
                | OpKind::PushImage
                | OpKind::Deploy
                | OpKind::TerraformApply
        )
    }
}
