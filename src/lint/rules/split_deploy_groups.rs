//! Rule `split-deploy-groups`: two workflows deploy to one environment under different groups.

use super::super::workflow::{Job, Workflow};
use super::super::{Rule, Set, Severity, Sink};

pub const RULE: Rule = Rule {
    id: "split-deploy-groups",
    severity: Severity::Error,
    title: "two workflows deploy to one environment under different concurrency groups",
    doc: "Concurrency groups only serialise runs that share a group name. When two workflows \
          (a deploy on merge and a manual or Dependabot deploy, say) both publish or deploy to \
          the same `environment:`, or run `terraform apply` on the same backend key \
          (read from `terraform init -backend-config=key=…`), but one uses group \
          `deploy-prod` and the other `production` (or none), GitHub runs them side by side and they race on the same \
          target: two `terraform apply` on one state, two rollouts of different images. Use \
          one group name per environment in every workflow that deploys to it (the seed \
          story's `deploy-production` for both `production` and `production-auto`). Group \
          names built from expressions are not compared.",
    check,
};

struct Deployer<'s, 'a> {
    wf: &'s Workflow<'a>,
    job: &'s Job<'a>,
    /// What is deployed to: an environment or a Terraform backend key.
    env: String,
    group: Option<String>,
    pos: super::super::yaml::Pos,
    len: u32,
}

/// The S3 backend key of a job that runs `terraform apply`, when its `terraform init` writes it
/// out (`-backend-config=key=prod/terraform.tfstate`), at the position of the apply.
fn backend_key(job: &Job) -> Option<(String, super::super::yaml::Pos, u32)> {
    use super::super::ops::OpKind;
    let (_, apply) = job.ops().find(|(_, o)| o.kind == OpKind::TerraformApply)?;
    for step in &job.steps {
        let Some((_, script)) = &step.run else { continue };
        for cmd in script.commands() {
            for w in &cmd.words {
                let v = w
                    .text
                    .strip_prefix("-backend-config=")
                    .or_else(|| w.text.strip_prefix("--backend-config="));
                if let Some(key) = v.and_then(|v| v.strip_prefix("key="))
                    && !key.contains('$')
                {
                    return Some((key.to_owned(), apply.pos, apply.len));
                }
            }
        }
    }
    None
}

fn check(set: &Set, sink: &mut Sink) {
    let mut deployers: Vec<Deployer> = Vec::new();
    for wf in &set.workflows {
        if wf.is_action {
            continue;
        }
        for job in &wf.jobs {
            if !set.job_ships(job) {
                continue;
            }
            let group = job
                .concurrency
                .as_ref()
                .or(wf.concurrency.as_ref())
                .and_then(|c| c.group.clone())
                .map(|g| g.split_whitespace().collect::<Vec<_>>().join(" "));
            if let Some((env, node)) = job.environment
                && !env.contains("${{")
            {
                let env = format!("environment `{}`", env.to_ascii_lowercase());
                deployers.push(Deployer {
                    wf,
                    job,
                    env,
                    group: group.clone(),
                    pos: node.pos,
                    len: node.text().chars().count() as u32,
                });
            }
            if let Some((key, pos, len)) = backend_key(job) {
                deployers.push(Deployer {
                    wf,
                    job,
                    env: format!("Terraform state `{key}`"),
                    group,
                    pos,
                    len,
                });
            }
        }
    }
    for (i, b) in deployers.iter().enumerate() {
        let Some(a) = deployers[..i].iter().find(|a| {
            a.env == b.env
                && a.wf.file != b.wf.file
                && a.group != b.group
                && !(a.group.as_deref().is_some_and(|g| g.contains("${{")) && b.group.is_some()
                    || b.group.as_deref().is_some_and(|g| g.contains("${{")) && a.group.is_some())
        }) else {
            continue;
        };
        let shown = |g: &Option<String>| {
            g.as_deref().map(|g| format!("group `{g}`")).unwrap_or_else(|| "no group".into())
        };
        sink.report(
            &RULE,
            b.wf,
            Some(b.job),
            b.pos,
            b.len,
            format!(
                "job `{}` deploys to {} under {}, but `{}` (job `{}`) deploys there under {}: the two runs are not serialised",
                b.job.id,
                b.env,
                shown(&b.group),
                a.wf.path,
                a.job.id,
                shown(&a.group)
            ),
            format!(
                "use one concurrency group for every deploy to {} (e.g. `concurrency: {{ group: deploy-<target>, cancel-in-progress: false }}`) in both workflows",
                b.env
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    fn wf(group: &str) -> String {
        format!(
            "on: push\njobs:\n  deploy:\n    runs-on: x\n    environment: production\n{group}    steps:\n      - run: terraform apply -auto-approve\n"
        )
    }

    #[test]
    fn fires_at_the_second_environment() {
        let a = wf("    concurrency: deploy-production\n");
        let b = wf("    concurrency: prod\n");
        fires(
            &[("a.yml", &a), ("b.yml", &b)],
            "split-deploy-groups",
            &[("b.yml", 5, 18, "production")],
        );
        fires(
            &[("a.yml", &a), ("b.yml", &wf(""))],
            "split-deploy-groups",
            &[("b.yml", 5, 18, "production")],
        );
    }

    #[test]
    fn silent_with_one_group_or_in_ci() {
        let a = wf("    concurrency: deploy-production\n");
        silent(&[("a.yml", &a), ("b.yml", &a)], "split-deploy-groups");
        let ci =
            wf("    concurrency: x\n").replace("terraform apply -auto-approve", "terraform plan");
        silent(&[("a.yml", &a), ("b.yml", &ci)], "split-deploy-groups");
        let expr = wf("    concurrency: deploy-${{ inputs.env }}\n");
        silent(&[("a.yml", &a), ("b.yml", &expr)], "split-deploy-groups");
    }

    #[test]
    fn terraform_backend_key_counts_as_a_target() {
        let tf = |group: &str| {
            format!(
                "on: push\njobs:\n  apply:\n    runs-on: x\n    concurrency: {group}\n    steps:\n      - run: terraform init -backend-config=key=prod/terraform.tfstate\n      - run: terraform apply -auto-approve\n"
            )
        };
        fires(
            &[("a.yml", &tf("tf-prod")), ("b.yml", &tf("other"))],
            "split-deploy-groups",
            &[("b.yml", 8, 14, "terraform apply")],
        );
        silent(&[("a.yml", &tf("tf-prod")), ("b.yml", &tf("tf-prod"))], "split-deploy-groups");
    }
}
