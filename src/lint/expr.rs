//! `${{ … }}` expressions and environment variables, as far as a linter can read them.
//!
//! The linter never evaluates an expression: it asks what an expression *mentions*
//! (`matrix.python`, `github.sha`, `steps.x.outputs.digest`) and substitutes `env.X` / `$X` from
//! the workflow, job and step `env:` maps when their values are written out.

/// The `${{ … }}` expressions in `text`: (byte start, byte end, inner text trimmed).
pub fn expressions(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(s) = text[from..].find("${{") {
        let start = from + s;
        let Some(e) = text[start + 3..].find("}}") else { break };
        let end = start + 3 + e + 2;
        out.push((start, end, text[start + 3..end - 2].trim()));
        from = end;
    }
    out
}

/// Whether `text` mentions `context` as a whole name (`matrix` in `matrix.os`, not `nomatrix`).
pub fn mentions(text: &str, context: &str) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find(context) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
            return true;
        }
        from = at + context.len();
    }
    false
}

/// Whether `text` holds an expression at all.
pub fn has_expression(text: &str) -> bool {
    text.contains("${{")
}

/// Names used as `matrix.NAME` (or `matrix['NAME']`) in the text; `*` when the whole matrix is.
pub fn matrix_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("matrix") {
        let at = from + i;
        from = at + 6;
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = &text[at + 6..];
        if let Some(r) = rest.strip_prefix('.') {
            let name: String = r
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            out.push(if name == "*" || name.is_empty() { "*".into() } else { name });
        } else if let Some(r) = rest.strip_prefix("['").or_else(|| rest.strip_prefix("[\"")) {
            out.push(r.chars().take_while(|c| *c != '\'' && *c != '"').collect());
        } else {
            out.push("*".into());
        }
    }
    out
}

/// Environment variables in scope: (name, value), innermost last.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    pub fn from_node(node: Option<&super::yaml::Node>) -> Env {
        let mut env = Env::default();
        if let Some(n) = node {
            for (k, v) in n.entries() {
                if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                    env.vars.push((k.to_owned(), v.to_owned()));
                }
            }
        }
        env
    }

    /// This scope with `inner` layered on top.
    pub fn with(&self, inner: &Env) -> Env {
        let mut vars = self.vars.clone();
        vars.extend(inner.vars.iter().cloned());
        Env { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Replaces `${{ env.X }}`, `$X` and `${X}` with their values where known (twice, for
    /// values that refer to other variables).
    pub fn resolve(&self, text: &str) -> String {
        let mut s = text.to_owned();
        for _ in 0..2 {
            if !s.contains('$') {
                break;
            }
            s = self.resolve_once(&s);
        }
        s
    }

    fn resolve_once(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(expr) = after.strip_prefix("{{") {
                if let Some(e) = expr.find("}}") {
                    let inner = expr[..e].trim();
                    if let Some(name) = inner.strip_prefix("env.")
                        && let Some(v) = self.get(name)
                    {
                        out.push_str(v);
                    } else {
                        out.push_str(&rest[i..i + 3 + e + 2]);
                    }
                    rest = &expr[e + 2..];
                    continue;
                }
            } else if let Some(braced) = after.strip_prefix('{')
                && let Some(e) = braced.find('}')
            {
                let name = &braced[..e];
                if let Some(v) = self.get(name) {
                    out.push_str(v);
                    rest = &braced[e + 1..];
                    continue;
                }
            } else {
                let name: &str = &after[..after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len())];
                if !name.is_empty()
                    && let Some(v) = self.get(name)
                {
                    out.push_str(v);
                    rest = &after[name.len()..];
                    continue;
                }
            }
            out.push('$');
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_matrix_names() {
        assert_eq!(matrix_names("k-${{ matrix.os }}-${{ matrix['py'] }}"), ["os", "py"]);
        assert_eq!(matrix_names("${{ toJSON(matrix) }}"), ["*"]);
        assert!(matrix_names("${{ runner.os }}").is_empty());
    }

    #[test]
    fn resolves_env() {
        let env = Env {
            vars: vec![("IMAGE".into(), "ghcr.io/o/r".into()), ("TAG".into(), "latest".into())],
        };
        assert_eq!(env.resolve("${{ env.IMAGE }}:$TAG"), "ghcr.io/o/r:latest");
        assert_eq!(env.resolve("${IMAGE}:${{ github.sha }}"), "ghcr.io/o/r:${{ github.sha }}");
    }
}
