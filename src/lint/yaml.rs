//! A YAML tree where every node knows its line and column, built from saphyr-parser's events.
//!
//! Anchors are resolved (an alias becomes a copy of the anchored node, positions included) and
//! `<<` merge keys are expanded after a mapping's own keys, so lookups see what GitHub sees. Only
//! the first document counts; a syntax error is returned with its position, never a panic.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// A position in the source: 1-based line, 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

/// How a scalar was written: it decides where its text starts and whether it is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    /// `|`: one source line per line of text.
    Literal,
    /// `>`: lines folded into spaces.
    Folded,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// One node with its start position and the position just past its end.
#[derive(Debug, Clone)]
pub struct Node {
    pub pos: Pos,
    pub end: Pos,
    pub kind: Kind,
}

impl Node {
    /// The value of `key` in a mapping (the first one: own keys win over merged ones).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => {
                entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A scalar's text, or the empty string for anything else.
    pub fn text(&self) -> &str {
        self.as_str().unwrap_or("")
    }

    pub fn style(&self) -> Option<Style> {
        match &self.kind {
            Kind::Scalar(_, s) => Some(*s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(i) => i,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq(_))
    }

    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s, Style::Plain) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }

    /// A scalar or a sequence of scalars, as strings (`branches: main` or `[main, dev]`).
    pub fn strings(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => vec![s.as_str()],
            Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            Kind::Map(_) => Vec::new(),
        }
    }

    /// Every scalar below this node (keys and values), depth first.
    pub fn walk_scalars<'a>(&'a self, out: &mut Vec<&'a Node>) {
        match &self.kind {
            Kind::Scalar(..) => out.push(self),
            Kind::Seq(items) => items.iter().for_each(|i| i.walk_scalars(out)),
            Kind::Map(entries) => entries.iter().for_each(|(k, v)| {
                k.walk_scalars(out);
                v.walk_scalars(out);
            }),
        }
    }
}

/// A YAML syntax error at a position.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// The first document of a YAML stream, and whether more followed.
#[derive(Debug)]
pub struct Document {
    pub root: Option<Node>,
    pub extra_documents: bool,
}

fn pos_of(span: &Span) -> (Pos, Pos) {
    let p = |m: &saphyr_parser::Marker| Pos::new(m.line() as u32, m.col() as u32 + 1);
    (p(&span.start), p(&span.end))
}

enum Frame {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Aliases deeper than this stop expanding (a "billion laughs" document stays small).
const MAX_ALIAS_NODES: usize = 100_000;

/// Parses `text` into a tree with positions.
pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut expanded = 0usize;
    for item in &mut parser {
        let (event, span) = item.map_err(|e| SyntaxError {
            pos: Pos::new(e.marker().line() as u32, e.marker().col() as u32 + 1),
            message: e.info().to_owned(),
        })?;
        let (start, end) = pos_of(&span);
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                    _ => Style::Quoted,
                };
                let node = Node { pos: start, end, kind: Kind::Scalar(value.into_owned(), style) };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => {
                    expanded += count(n);
                    if expanded > MAX_ALIAS_NODES {
                        return Err(SyntaxError {
                            pos: start,
                            message: "aliases expand to more than 100000 nodes".into(),
                        });
                    }
                    n.clone()
                }
                None => Node { pos: start, end, kind: Kind::Scalar(String::new(), Style::Plain) },
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(start, anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(start, anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(pos, anchor, items)) => {
                    let node = Node { pos, end, kind: Kind::Seq(items) };
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => continue,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(pos, anchor, entries, _)) => {
                    let node = Node { pos, end, kind: Kind::Map(merge_keys(entries)) };
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    node
                }
                _ => continue,
            },
        };
        match stack.last_mut() {
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
            None => {
                if documents <= 1 && root.is_none() {
                    root = Some(node);
                }
            }
        }
    }
    Ok(Document { root, extra_documents: documents > 1 })
}

fn count(n: &Node) -> usize {
    1 + match &n.kind {
        Kind::Scalar(..) => 0,
        Kind::Seq(i) => i.iter().map(count).sum(),
        Kind::Map(e) => e.iter().map(|(k, v)| count(k) + count(v)).sum(),
    }
}

/// Expands `<<: *anchor` (or a list of them) after the mapping's own keys.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return entries;
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.as_str() == Some("<<") && matches!(k.style(), Some(Style::Plain)) {
            match v.kind {
                Kind::Map(e) => merged.extend(e),
                Kind::Seq(items) => {
                    for item in items {
                        if let Kind::Map(e) = item.kind {
                            merged.extend(e);
                        }
                    }
                }
                Kind::Scalar(..) => own.push((k, v)),
            }
        } else {
            own.push((k, v));
        }
    }
    own.extend(merged);
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_values() {
        let doc = parse("a:\n  b: [1, two]\n  c: |\n    x\n").unwrap();
        let root = doc.root.unwrap();
        let a = root.get("a").unwrap();
        let (bk, bv) = a.entry("b").unwrap();
        assert_eq!(bk.pos, Pos::new(2, 3));
        assert_eq!(bv.items()[1].pos, Pos::new(2, 10));
        assert_eq!(a.get("c").unwrap().style(), Some(Style::Literal));
        // A block scalar starts at its first content character.
        assert_eq!(a.get("c").unwrap().pos, Pos::new(4, 5));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc = parse("x: &d {k: 1, j: 2}\ny: *d\nz:\n  <<: *d\n  k: 3\n").unwrap();
        let root = doc.root.unwrap();
        assert_eq!(root.get("y").unwrap().get("k").unwrap().text(), "1");
        assert_eq!(root.get("z").unwrap().get("k").unwrap().text(), "3");
        assert_eq!(root.get("z").unwrap().get("j").unwrap().text(), "2");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }
}
