//! Storage for symbolic expressions: every distinct node is stored once
//! (hash-consing), so equal subexpressions share one id, equality is an id
//! comparison, and memo tables keyed by id make differentiation linear in
//! the number of distinct subexpressions rather than in the size of the
//! written-out tree.

use std::collections::{HashMap, HashSet};

use super::node::{Constant, Id, Node};
use super::number::Number;
use crate::error::Span;

/// The most nodes one arena holds. Differentiation can grow an expression
/// quickly (each order of `x^x` adds terms); past this the work stops with
/// a [`ErrorKind::TooLong`](crate::ErrorKind::TooLong) error instead of
/// exhausting a plugin's memory (calc has 64 MiB). About 100 bytes a node.
pub(crate) const MAX_NODES: usize = 200_000;

/// The most operand slots, over all sums, products and calls of an arena:
/// the product rule on n factors makes n products of n factors, so the
/// node count alone does not bound memory. 8 bytes a slot (it is stored
/// twice).
pub(crate) const MAX_OPERANDS: usize = 2_000_000;

#[derive(Clone)]
pub(crate) struct Arena {
    nodes: Vec<Node>,
    index: HashMap<Node, Id>,
    /// Operand slots over all nodes, for [`MAX_OPERANDS`].
    operands: usize,
    /// Per node: the source text it stands for or was derived from, for
    /// error messages.
    origin: Vec<Option<Span>>,
    /// Derivative rules parsed once per arena, by their source text.
    pub(super) templates: HashMap<&'static str, Id>,
}

impl Arena {
    pub fn new() -> Arena {
        Arena {
            nodes: Vec::new(),
            index: HashMap::new(),
            operands: 0,
            origin: Vec::new(),
            templates: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True once the arena has grown past [`MAX_NODES`] or
    /// [`MAX_OPERANDS`]; callers check it between steps and give up with an
    /// error.
    pub fn is_full(&self) -> bool {
        self.nodes.len() > MAX_NODES || self.operands > MAX_OPERANDS
    }

    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    /// The id of `node`, storing it if it is new. The caller guarantees the
    /// node is in canonical form: sums, products, powers and calls come from
    /// the smart constructors in `simplify`, except in the scratch arenas
    /// `display` builds for printing.
    pub(super) fn intern(&mut self, node: Node) -> Id {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        // Ids are u32; MAX_NODES keeps them far from overflowing because
        // callers stop soon after the arena is full.
        let id = self.nodes.len() as Id;
        self.operands += match &node {
            Node::Add(xs) | Node::Mul(xs) | Node::Call(_, xs) => xs.len(),
            _ => 0,
        };
        self.nodes.push(node.clone());
        self.origin.push(None);
        self.index.insert(node, id);
        id
    }

    pub fn num(&mut self, n: Number) -> Id {
        self.intern(Node::Num(n))
    }

    pub fn int(&mut self, n: i64) -> Id {
        self.num(Number::int(n))
    }

    pub fn var(&mut self, name: &str) -> Id {
        self.intern(Node::Var(name.into()))
    }

    pub fn constant(&mut self, c: Constant) -> Id {
        self.intern(Node::Const(c))
    }

    pub fn as_num(&self, id: Id) -> Option<Number> {
        match self.node(id) {
            Node::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_zero(&self, id: Id) -> bool {
        self.as_num(id).is_some_and(Number::is_zero)
    }

    pub fn origin(&self, id: Id) -> Option<Span> {
        self.origin[id as usize]
    }

    /// Records where a node came from, unless it already knows.
    pub fn set_origin(&mut self, id: Id, span: Span) {
        self.origin[id as usize].get_or_insert(span);
    }

    /// Gives every node created since `mark` without an origin the origin
    /// `span`: the nodes a derivative rule created belong to the call it
    /// differentiated.
    pub fn claim_new(&mut self, mark: usize, span: Option<Span>) {
        if let Some(span) = span {
            for o in &mut self.origin[mark..] {
                o.get_or_insert(span);
            }
        }
    }

    /// The children of a node, in order.
    pub fn children(&self, id: Id) -> &[Id] {
        match self.node(id) {
            Node::Num(_) | Node::Const(_) | Node::Var(_) | Node::Text(_) => &[],
            Node::Add(xs) | Node::Mul(xs) | Node::Call(_, xs) => xs,
            Node::Pow(be) => be,
        }
    }

    /// The number of nodes of the expression written out as a tree, where a
    /// shared subexpression counts once per use; saturates.
    pub fn tree_size(&self, root: Id) -> u64 {
        let mut size: HashMap<Id, u64> = HashMap::new();
        let mut stack = vec![(root, false)];
        while let Some((id, ready)) = stack.pop() {
            if size.contains_key(&id) {
                continue;
            }
            if ready {
                let total = self
                    .children(id)
                    .iter()
                    .fold(1u64, |acc, c| acc.saturating_add(size[c]));
                size.insert(id, total);
            } else {
                stack.push((id, true));
                for &c in self.children(id) {
                    if !size.contains_key(&c) {
                        stack.push((c, false));
                    }
                }
            }
        }
        size[&root]
    }

    /// The variable names in `root`, sorted.
    pub fn variables(&self, root: Id) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut names = Vec::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Node::Var(name) = self.node(id) {
                names.push(name.to_string());
            }
            stack.extend_from_slice(self.children(id));
        }
        names.sort();
        names
    }

    /// A fresh arena holding only what `root` needs, and the new root: the
    /// intermediate nodes of a derivative are garbage once it is done.
    pub fn compact(&self, root: Id) -> (Arena, Id) {
        let mut out = Arena::new();
        let mut map: HashMap<Id, Id> = HashMap::new();
        let mut stack = vec![(root, false)];
        while let Some((id, ready)) = stack.pop() {
            if map.contains_key(&id) {
                continue;
            }
            if !ready {
                stack.push((id, true));
                stack.extend(self.children(id).iter().map(|&c| (c, false)));
                continue;
            }
            let m = |c: &Id| map[c];
            // Children keep their canonical order: the order does not
            // depend on ids.
            let node = match self.node(id) {
                Node::Add(xs) => Node::Add(xs.iter().map(m).collect()),
                Node::Mul(xs) => Node::Mul(xs.iter().map(m).collect()),
                Node::Call(f, xs) => Node::Call(*f, xs.iter().map(m).collect()),
                Node::Pow([b, e]) => Node::Pow([map[b], map[e]]),
                leaf => leaf.clone(),
            };
            let new = out.intern(node);
            if let Some(span) = self.origin(id) {
                out.set_origin(new, span);
            }
            map.insert(id, new);
        }
        let new_root = map[&root];
        (out, new_root)
    }
}
