//! The GitHub Actions run context: which commit this run is about.
//!
//! For `workflow_run` events `GITHUB_SHA` is the default branch's tip, not the commit that
//! triggered the upstream workflow; that one is `workflow_run.head_sha` in the event file.
//! Shared by `check-tag` and `wait-for-image --revision auto`.
//!
//! A `workflow_run` event fires when the upstream run *completed*, failed runs included; its
//! `workflow_run.conclusion` is what `--require-success` gates on ([`RunContext::gate`]), before
//! any network work.

use std::path::PathBuf;

/// What the environment says about the run's commit and ref.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunContext {
    pub event_name: Option<String>,
    pub sha: Option<String>,
    /// `GITHUB_REF`, e.g. `refs/tags/v1.2.3`.
    pub git_ref: Option<String>,
    /// `workflow_run.head_sha` from the event file, for workflow_run events.
    pub workflow_run_head_sha: Option<String>,
    /// The run that triggered this one, for workflow_run events.
    pub trigger: Option<TriggeringRun>,
}

/// The upstream run of a `workflow_run` event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriggeringRun {
    /// The workflow's name (`workflow_run.name`).
    pub name: String,
    pub id: Option<u64>,
    pub run_number: Option<u64>,
    /// `success`, `failure`, `cancelled`, `skipped`, `timed_out`, `action_required`,
    /// `neutral`, `stale`; absent while the run has not completed (`requested`, `in_progress`).
    pub conclusion: Option<String>,
    pub html_url: Option<String>,
}

impl TriggeringRun {
    /// `"Build" run #42 (https://…)`.
    pub fn describe(&self) -> String {
        let mut out = format!("{:?} run", self.name);
        match (self.run_number, self.id) {
            (Some(n), _) => out.push_str(&format!(" #{n}")),
            (None, Some(id)) => out.push_str(&format!(" {id}")),
            _ => {}
        }
        if let Some(url) = &self.html_url {
            out.push_str(&format!(" ({url})"));
        }
        out
    }
}

/// `--require-success` refused: the triggering run did not succeed.
#[derive(Debug, thiserror::Error)]
#[error(
    "the triggering workflow run {run} concluded {conclusion}, not success (--require-success)"
)]
pub struct GateRefused {
    pub run: String,
    pub conclusion: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunContextError {
    #[error("cannot read the event file {path} (GITHUB_EVENT_PATH)")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the event file {path} is not valid JSON")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("the workflow_run event file {path} has no workflow_run.head_sha")]
    NoHeadSha { path: String },
}

impl RunContext {
    /// Reads the context from the process environment (and the event file for workflow_run).
    pub fn from_env() -> Result<Self, RunContextError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let event_name = var("GITHUB_EVENT_NAME");
        let mut ctx = RunContext {
            event_name: event_name.clone(),
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
            workflow_run_head_sha: None,
            trigger: None,
        };
        if event_name.as_deref() == Some("workflow_run")
            && let Some(path) = var("GITHUB_EVENT_PATH").map(PathBuf::from)
        {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|source| RunContextError::Read { path: shown.clone(), source })?;
            ctx.workflow_run_head_sha =
                Some(workflow_run_head_sha(&text).map_err(|e| match e {
                    HeadShaError::Json(source) => {
                        RunContextError::Json { path: shown.clone(), source }
                    }
                    HeadShaError::Missing => RunContextError::NoHeadSha { path: shown.clone() },
                })?);
            ctx.trigger = triggering_run(&text);
        }
        Ok(ctx)
    }

    /// The commit this run is about: `workflow_run.head_sha` for workflow_run, else `GITHUB_SHA`.
    pub fn commit(&self) -> Option<&str> {
        self.workflow_run_head_sha.as_deref().or(self.sha.as_deref())
    }

    /// `trigger_conclusion`: the triggering run's conclusion in a workflow_run event.
    pub fn trigger_conclusion(&self) -> Option<String> {
        self.trigger.as_ref().map(|t| t.conclusion.clone().unwrap_or_else(|| "none".to_owned()))
    }

    /// `--require-success`: outside a workflow_run event there is no triggering run and the
    /// gate passes; inside one, anything but `success` refuses.
    pub fn gate(&self, require_success: bool) -> Result<(), GateRefused> {
        if !require_success {
            return Ok(());
        }
        match &self.trigger {
            Some(t) if t.conclusion.as_deref() != Some("success") => Err(GateRefused {
                run: t.describe(),
                conclusion: t
                    .conclusion
                    .clone()
                    .unwrap_or_else(|| "nothing (it has not completed)".to_owned()),
            }),
            _ => Ok(()),
        }
    }

    /// The tag named by `GITHUB_REF` on a tag push.
    pub fn pushed_tag(&self) -> Option<&str> {
        if self.event_name.as_deref() == Some("workflow_run") {
            // GITHUB_REF is the default branch there.
            return None;
        }
        self.git_ref.as_deref().and_then(|r| r.strip_prefix("refs/tags/"))
    }
}

/// Reads `workflow_run` {name, id, run_number, conclusion, html_url} from an event payload.
pub fn triggering_run(event_json: &str) -> Option<TriggeringRun> {
    let doc: serde_json::Value = serde_json::from_str(event_json).ok()?;
    let run = doc.get("workflow_run")?;
    let text = |k: &str| run.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(TriggeringRun {
        name: text("name").unwrap_or_else(|| "(unnamed workflow)".to_owned()),
        id: run.get("id").and_then(|v| v.as_u64()),
        run_number: run.get("run_number").and_then(|v| v.as_u64()),
        conclusion: text("conclusion").filter(|c| !c.is_empty()),
        html_url: text("html_url"),
    })
}

#[derive(Debug)]
pub enum HeadShaError {
    Json(serde_json::Error),
    Missing,
}

/// Extracts `workflow_run.head_sha` from an event payload.
pub fn workflow_run_head_sha(event_json: &str) -> Result<String, HeadShaError> {
    let doc: serde_json::Value = serde_json::from_str(event_json).map_err(HeadShaError::Json)?;
    doc.get("workflow_run")
        .and_then(|w| w.get("head_sha"))
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or(HeadShaError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_head_sha() {
        let json =
            r#"{"action":"completed","workflow_run":{"head_sha":"abc123","head_branch":"main"}}"#;
        assert_eq!(workflow_run_head_sha(json).unwrap(), "abc123");
        assert!(matches!(workflow_run_head_sha("{}"), Err(HeadShaError::Missing)));
        assert!(matches!(workflow_run_head_sha("not json"), Err(HeadShaError::Json(_))));
    }

    #[test]
    fn commit_prefers_workflow_run_head() {
        let ctx = RunContext {
            event_name: Some("workflow_run".into()),
            sha: Some("tip".into()),
            git_ref: Some("refs/heads/main".into()),
            workflow_run_head_sha: Some("head".into()),
            trigger: None,
        };
        assert_eq!(ctx.commit(), Some("head"));
        assert_eq!(ctx.pushed_tag(), None);
        let push = RunContext {
            event_name: Some("push".into()),
            sha: Some("s".into()),
            git_ref: Some("refs/tags/v1.0.0".into()),
            workflow_run_head_sha: None,
            trigger: None,
        };
        assert_eq!(push.commit(), Some("s"));
        assert_eq!(push.pushed_tag(), Some("v1.0.0"));
    }

    #[test]
    fn gate_on_the_triggering_run() {
        let json = r#"{"workflow_run":{"head_sha":"a","name":"Build","id":7,"run_number":42,
            "conclusion":"failure","html_url":"https://github.com/o/r/actions/runs/7"}}"#;
        let t = triggering_run(json).unwrap();
        let ctx = RunContext { trigger: Some(t.clone()), ..Default::default() };
        assert_eq!(ctx.trigger_conclusion().as_deref(), Some("failure"));
        let err = ctx.gate(true).unwrap_err().to_string();
        assert!(err.contains("\"Build\" run #42") && err.contains("concluded failure"), "{err}");
        assert!(ctx.gate(false).is_ok());
        let ok = TriggeringRun { conclusion: Some("success".into()), ..t.clone() };
        assert!(RunContext { trigger: Some(ok), ..Default::default() }.gate(true).is_ok());
        let pending = TriggeringRun { conclusion: None, ..t };
        let ctx = RunContext { trigger: Some(pending), ..Default::default() };
        assert!(ctx.gate(true).unwrap_err().to_string().contains("has not completed"));
        assert!(RunContext::default().gate(true).is_ok(), "no workflow_run: nothing to gate");
    }
}
