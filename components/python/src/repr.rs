//! `repr()` of a value that has left the interpreter. Monty's own rendering writes a
//! one-element tuple as `(x)`; this one writes `(x,)` as Python does, and otherwise
//! defers to Monty's. Containers are walked with an explicit stack: a list nested 10^5
//! deep costs heap, not the interpreter's small stack.

use monty_types::unstable::{self, MontyNode, NodeId};
use monty_types::{MontyObject, ObjectRef};

enum Piece<'a> {
    Text(&'a str),
    Child(NodeId),
}

pub fn repr(value: &MontyObject) -> String {
    let root = value.as_ref();
    let mut out = String::new();
    let mut stack: Vec<std::vec::IntoIter<Piece<'_>>> = Vec::new();
    let (_, root_id) = unstable::graph_parts(value);
    let mut pending = Some(root_id);
    loop {
        if let Some(id) = pending.take() {
            let node = unstable::child(root, id);
            match pieces(node) {
                Some(p) => stack.push(p.into_iter()),
                None => out.push_str(&node.py_repr()),
            }
        }
        let Some(top) = stack.last_mut() else {
            return out;
        };
        match top.next() {
            Some(Piece::Text(t)) => out.push_str(t),
            Some(Piece::Child(id)) => pending = Some(id),
            None => {
                stack.pop();
            }
        }
    }
}

/// The pieces of a list, tuple, set or dict; `None` for what Monty renders right.
fn pieces(node: ObjectRef<'_>) -> Option<Vec<Piece<'static>>> {
    let items = |open: &'static str, ids: &[NodeId], close: &'static str| {
        let mut p = vec![Piece::Text(open)];
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                p.push(Piece::Text(", "));
            }
            p.push(Piece::Child(*id));
        }
        p.push(Piece::Text(close));
        p
    };
    Some(match unstable::node(node) {
        MontyNode::List(ids) => items("[", ids, "]"),
        MontyNode::Tuple(ids) if ids.len() == 1 => items("(", ids, ",)"),
        MontyNode::Tuple(ids) => items("(", ids, ")"),
        MontyNode::Set(ids) if !ids.is_empty() => items("{", ids, "}"),
        MontyNode::Dict(pairs) => {
            let mut p = vec![Piece::Text("{")];
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    p.push(Piece::Text(", "));
                }
                p.extend([Piece::Child(*k), Piece::Text(": "), Piece::Child(*v)]);
            }
            p.push(Piece::Text("}"));
            p
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::repr;
    use monty_types::MontyObject;

    #[test]
    fn one_element_tuples_keep_their_comma() {
        let v = MontyObject::dict([(
            MontyObject::string("b"),
            MontyObject::tuple([MontyObject::bool(true)]),
        )]);
        assert_eq!(repr(&v), "{'b': (True,)}");
        assert_eq!(repr(&MontyObject::tuple([])), "()");
        assert_eq!(
            repr(&MontyObject::list([
                MontyObject::set([]),
                MontyObject::none()
            ])),
            "[set(), None]"
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let mut v = MontyObject::list([]);
        for _ in 0..2000 {
            v = MontyObject::tuple([v]);
        }
        assert!(repr(&v).starts_with("((((("));
    }
}
