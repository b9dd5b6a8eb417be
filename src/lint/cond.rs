//! A small three-valued reading of `if:` and `cancel-in-progress:` expressions.
//!
//! Only what decides which runs a condition covers is understood: `github.event_name`,
//! `github.ref` / `github.ref_name` / `github.ref_type`, string literals, `==`, `!=`, `!`, `&&`,
//! `||`, parentheses, `startsWith`, `endsWith`, `contains`, `true`, `false`. Anything else is
//! unknown, and unknown never makes a rule fire.

use super::workflow::Workflow;

/// One way a workflow can be started: the event and (when known) the ref it runs on.
#[derive(Debug, Clone)]
pub struct Context {
    pub event: String,
    /// `refs/heads/main`, `refs/tags/*` (a pattern), or `None` when unknown.
    pub git_ref: Option<String>,
}

/// The contexts a workflow's triggers allow.
pub fn contexts(wf: &Workflow) -> Vec<Context> {
    let mut out = Vec::new();
    for e in &wf.on.events {
        match *e {
            "push" => {
                if wf.on.on_tag_push() {
                    // The tag filters when they are plain `*` globs (`v*`); any other glob
                    // syntax, a negation or no filter: every tag.
                    let filters: Vec<String> = wf
                        .on
                        .push
                        .and_then(|p| p.get("tags"))
                        .map(|t| t.strings())
                        .unwrap_or_default()
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    let plain =
                        |f: &String| !f.is_empty() && !f.contains(['[', ']', '?', '+', '!', '{']);
                    if !filters.is_empty() && filters.iter().all(plain) {
                        for f in filters {
                            let git_ref = format!("refs/tags/{f}");
                            out.push(Context { event: "push".into(), git_ref: Some(git_ref) });
                        }
                    } else {
                        out.push(Context {
                            event: "push".into(),
                            git_ref: Some("refs/tags/*".into()),
                        });
                    }
                }
                if wf.on.on_branch_push() {
                    match wf.on.push.and_then(|p| p.get("branches")) {
                        Some(b) => {
                            for br in b.strings() {
                                out.push(Context {
                                    event: "push".into(),
                                    git_ref: Some(format!("refs/heads/{br}")),
                                });
                            }
                        }
                        None => out.push(Context {
                            event: "push".into(),
                            git_ref: Some("refs/heads/*".into()),
                        }),
                    }
                }
            }
            "pull_request" | "pull_request_target" => {
                out.push(Context { event: (*e).into(), git_ref: Some("refs/pull/*".into()) })
            }
            "release" => {
                out.push(Context { event: "release".into(), git_ref: Some("refs/tags/*".into()) })
            }
            other => out.push(Context { event: other.into(), git_ref: None }),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum V {
    Bool(Option<bool>),
    Str(Option<String>),
}

impl V {
    fn truthy(&self) -> Option<bool> {
        match self {
            V::Bool(b) => *b,
            V::Str(Some(s)) => Some(!s.is_empty()),
            V::Str(None) => None,
        }
    }
}

/// Evaluates `expr` (with or without `${{ }}`) in a context: `Some(true/false)` or `None`.
pub fn eval(expr: &str, ctx: &Context) -> Option<bool> {
    let e = expr.trim();
    let e = e.strip_prefix("${{").and_then(|x| x.strip_suffix("}}")).unwrap_or(e);
    let tokens = tokenize(e)?;
    let mut p = Parser { t: &tokens, i: 0, ctx };
    let v = p.or()?;
    if p.i != tokens.len() {
        return None;
    }
    v.truthy()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' {
            let mut j = i + 1;
            let mut v = String::new();
            loop {
                let k = s[j..].find('\'')? + j;
                v.push_str(&s[j..k]);
                if b.get(k + 1) == Some(&b'\'') {
                    v.push('\'');
                    j = k + 2;
                } else {
                    i = k + 1;
                    break;
                }
            }
            out.push(Tok::Str(v));
        } else if let Some(op) =
            ["==", "!=", "&&", "||"].into_iter().find(|o| s[i..].starts_with(o))
        {
            out.push(Tok::Op(op));
            i += 2;
        } else if let Some(op) = ["!", "(", ")", ","].into_iter().find(|o| s[i..].starts_with(o)) {
            out.push(Tok::Op(op));
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-' | b'*'))
            {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].to_owned()));
        } else {
            return None;
        }
    }
    Some(out)
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
    ctx: &'a Context,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn eat(&mut self, op: &str) -> bool {
        if self.peek()
            == Some(&Tok::Op(match op {
                "||" => "||",
                "&&" => "&&",
                "==" => "==",
                "!=" => "!=",
                "!" => "!",
                "(" => "(",
                ")" => ")",
                _ => ",",
            }))
        {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Option<V> {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = V::Bool(match (v.truthy(), r.truthy()) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            });
        }
        Some(v)
    }
    fn and(&mut self) -> Option<V> {
        let mut v = self.cmp()?;
        while self.eat("&&") {
            let r = self.cmp()?;
            v = V::Bool(match (v.truthy(), r.truthy()) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            });
        }
        Some(v)
    }
    fn cmp(&mut self) -> Option<V> {
        let l = self.unary()?;
        for (op, neg) in [("==", false), ("!=", true)] {
            if self.eat(op) {
                let r = self.unary()?;
                let eq = match (&l, &r) {
                    (V::Str(Some(a)), V::Str(Some(b))) => Some(pattern_eq(a, b)?),
                    (V::Bool(Some(a)), V::Bool(Some(b))) => Some(a == b),
                    _ => None,
                };
                return Some(V::Bool(eq.map(|e| e != neg)));
            }
        }
        Some(l)
    }
    fn unary(&mut self) -> Option<V> {
        if self.eat("!") {
            let v = self.unary()?;
            return Some(V::Bool(v.truthy().map(|b| !b)));
        }
        if self.eat("(") {
            let v = self.or()?;
            return self.eat(")").then_some(v);
        }
        match self.peek()?.clone() {
            Tok::Str(s) => {
                self.i += 1;
                Some(V::Str(Some(s)))
            }
            Tok::Ident(id) => {
                self.i += 1;
                if self.eat("(") {
                    let mut args = vec![self.or()?];
                    while self.eat(",") {
                        args.push(self.or()?);
                    }
                    if !self.eat(")") {
                        return None;
                    }
                    return Some(self.call(&id, &args));
                }
                Some(self.ident(&id))
            }
            Tok::Op(_) => None,
        }
    }
    fn ident(&self, id: &str) -> V {
        let r = self.ctx.git_ref.as_deref();
        match id {
            "true" => V::Bool(Some(true)),
            "false" => V::Bool(Some(false)),
            "github.event_name" => V::Str(Some(self.ctx.event.clone())),
            "github.ref" => V::Str(r.map(str::to_owned)),
            "github.ref_type" => V::Str(r.and_then(|r| {
                if r.starts_with("refs/tags/") {
                    Some("tag".into())
                } else if r.starts_with("refs/heads/") {
                    Some("branch".into())
                } else {
                    None
                }
            })),
            "github.ref_name" => V::Str(
                r.and_then(|r| {
                    r.strip_prefix("refs/heads/").or_else(|| r.strip_prefix("refs/tags/"))
                })
                .map(str::to_owned),
            ),
            _ => V::Str(None),
        }
    }
    fn call(&self, name: &str, args: &[V]) -> V {
        let s = |i: usize| match args.get(i) {
            Some(V::Str(Some(x))) => Some(x.clone()),
            _ => None,
        };
        let (Some(a), Some(b)) = (s(0), s(1)) else { return V::Bool(None) };
        let a_wild = a.contains('*');
        V::Bool(match name.to_ascii_lowercase().as_str() {
            "startswith" => {
                let fixed = a.split('*').next().unwrap_or("");
                if fixed.starts_with(&b) {
                    Some(true)
                } else if a_wild && b.starts_with(fixed) {
                    None
                } else {
                    Some(false)
                }
            }
            "endswith" if !a_wild => Some(a.ends_with(&b)),
            "contains" if !a_wild => Some(a.contains(&b)),
            "contains" if a.split('*').any(|p| p.contains(&b)) => Some(true),
            _ => None,
        })
    }
}

/// `a == b` where `a` may be a ref pattern with `*`: `None` when the pattern could match.
fn pattern_eq(a: &str, b: &str) -> Option<bool> {
    match (a.contains('*'), b.contains('*')) {
        (false, false) => Some(a.eq_ignore_ascii_case(b)),
        (true, false) => {
            let fixed = a.split('*').next().unwrap_or("");
            if b.starts_with(fixed) { None } else { Some(false) }
        }
        (false, true) => pattern_eq(b, a),
        (true, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(event: &str, r: Option<&str>) -> Context {
        Context { event: event.into(), git_ref: r.map(str::to_owned) }
    }

    #[test]
    fn reads_event_and_ref_conditions() {
        let tag = ctx("push", Some("refs/tags/*"));
        let main = ctx("push", Some("refs/heads/main"));
        let pr = ctx("pull_request", Some("refs/pull/*"));
        let e = "${{ github.ref != 'refs/heads/main' }}";
        assert_eq!((eval(e, &tag), eval(e, &main)), (Some(true), Some(false)));
        let e = "github.event_name == 'pull_request'";
        assert_eq!((eval(e, &pr), eval(e, &main)), (Some(true), Some(false)));
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &tag), Some(true));
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/v')", &tag), None);
        assert_eq!(eval("inputs.cancel", &tag), None);
        assert_eq!(eval("!(github.event_name == 'push') || true", &tag), Some(true));
    }
}
