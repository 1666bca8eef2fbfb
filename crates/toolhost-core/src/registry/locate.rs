//! Positions of YAML nodes. serde_yaml locates syntax and type errors itself but keeps no
//! spans, so checks made after parsing (a missing file, a duplicate name) find the line
//! and column of the node they are about here.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::Position;

#[derive(Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

enum Node {
    Scalar(Position),
    Seq(Position, Vec<Node>),
    Map(Position, Vec<(String, Position, Node)>),
}

impl Node {
    fn position(&self) -> Position {
        match self {
            Node::Scalar(p) | Node::Seq(p, _) | Node::Map(p, _) => *p,
        }
    }
}

/// The node tree of a YAML document, with positions.
pub struct YamlPositions {
    root: Option<Node>,
}

enum Frame {
    Seq(Position, Vec<Node>),
    Map(
        Position,
        Vec<(String, Position, Node)>,
        Option<(String, Position)>,
    ),
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

fn position(mark: Marker) -> Position {
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl Builder {
    fn push_node(&mut self, node: Node, key_text: Option<String>) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some((key, at)) => entries.push((key, at, node)),
                // A key: only scalar keys can be named in a path.
                None => *pending = Some((key_text.unwrap_or_default(), node.position())),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => self.push_node(Node::Scalar(position(mark)), Some(text)),
            Event::Alias(_) => self.push_node(Node::Scalar(position(mark)), None),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(position(mark), Vec::new())),
            Event::MappingStart(..) => {
                self.stack
                    .push(Frame::Map(position(mark), Vec::new(), None))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(p, items)) => Node::Seq(p, items),
                    // Point at the first key: block mappings' start marks sit after it.
                    Some(Frame::Map(p, entries, _)) => {
                        let at = entries.first().map(|(_, key_at, _)| *key_at).unwrap_or(p);
                        Node::Map(at, entries)
                    }
                    None => return,
                };
                self.push_node(node, None);
            }
            _ => {}
        }
    }
}

impl YamlPositions {
    pub fn parse(src: &str) -> Self {
        let mut builder = Builder {
            stack: Vec::new(),
            root: None,
        };
        // Only called on text serde_yaml accepted; if this parser disagrees, positions are
        // simply unknown.
        if Parser::new_from_str(src).load(&mut builder, false).is_err() {
            return YamlPositions { root: None };
        }
        YamlPositions { root: builder.root }
    }

    fn node(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        for seg in path {
            node = match (node, seg) {
                (Node::Map(_, entries), Seg::Key(k)) => {
                    &entries.iter().find(|(key, _, _)| key == k)?.2
                }
                (Node::Seq(_, items), Seg::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Position of the value at `path`; for a path that does not exist, the position of its
    /// deepest existing ancestor.
    pub fn value(&self, path: &[Seg]) -> Option<Position> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.node(&path[..n]))
            .map(Node::position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_by_path_with_one_based_lines_and_columns() {
        let src = "tools:\n  - name: a\n    component: x.wasm\n  - name: b\n";
        let pos = YamlPositions::parse(src);
        let at = |p: &[Seg]| pos.value(p).map(|p| (p.line, p.column));
        assert_eq!(
            at(&[Seg::Key("tools"), Seg::Index(0), Seg::Key("component")]),
            Some((3, 16))
        );
        assert_eq!(
            at(&[Seg::Key("tools"), Seg::Index(1), Seg::Key("name")]),
            Some((4, 11))
        );
        // A missing key falls back to its parent mapping.
        assert_eq!(
            at(&[Seg::Key("tools"), Seg::Index(1), Seg::Key("nope")]),
            Some((4, 5))
        );
    }
}
