//! Source rewrites, made on the parsed input before Monty compiles it.
//!
//! 1. `except ToolError as e:` binds `e` to the exception, and Monty's exceptions carry
//!    only `args`; a handler naming `ToolError` therefore starts with
//!    `e = __toolhost_tool_error__(e)`, which swaps in an object with `.code`,
//!    `.message`, `.details` and `.tool` (objects.rs).
//! 2. Monty implements `os` and `pathlib` itself; importing them would succeed and fail
//!    later, one call at a time. `import os` becomes a call that raises at once, saying
//!    what this Python has instead (os_calls.rs).
//! 3. Once the session has classes, a final expression is also bound to a global, so
//!    its `repr()` can run in Python after the input (the instance would be gone).
//!
//! Tracebacks must show what was typed: [`SourceMap`] maps positions in the rewritten
//! code back to the original, and the original lines replace the previews.

use ruff_python_ast::statement_visitor::{StatementVisitor, walk_except_handler, walk_stmt};
use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::Ranged;

/// Ext function that turns a caught tool error into its details object.
pub const TOOL_ERROR_CONVERTER: &str = "__toolhost_tool_error__";
/// Ext function that raises the helpful `ModuleNotFoundError` for a denied module.
pub const DENIED_IMPORT: &str = "__toolhost_denied_import__";
/// Global the final expression's value is bound to (rewrite 3).
pub const LAST_VALUE: &str = "__toolhost_value__";

/// Modules Monty has but this sandbox refuses: they exist to reach files and the OS.
pub const DENIED_MODULES: &[&str] = &["os", "pathlib", "posixpath"];

/// One replacement of `original[start..end]` by `text`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// A rewritten input and how to find the original behind it.
#[derive(Debug, Clone)]
pub struct SourceMap {
    pub code: String,
    original: String,
    /// Sorted, non-overlapping.
    edits: Vec<Edit>,
    /// Whether the final expression is bound to [`LAST_VALUE`].
    pub captures_value: bool,
}

/// Rewrite `code` if it needs it; `None` when it does not (or does not parse: Monty then
/// reports the syntax error on the original). `capture_value` asks for rewrite 3.
pub fn rewrite(code: &str, capture_value: bool) -> Option<SourceMap> {
    let mentions_denied =
        code.contains("import") && DENIED_MODULES.iter().any(|m| code.contains(m));
    if !capture_value && !code.contains("ToolError") && !mentions_denied {
        return None;
    }
    let parsed = ruff_python_parser::parse_module(code).ok()?;
    let mut finder = Edits {
        code,
        edits: Vec::new(),
    };
    finder.visit_body(parsed.suite());
    let mut captures_value = false;
    if capture_value && let Some(Stmt::Expr(last)) = parsed.suite().last() {
        let range = last.value.range();
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        finder.edits.push(Edit {
            start,
            end: start,
            text: format!("({LAST_VALUE} := ("),
        });
        finder.edits.push(Edit {
            start: end,
            end,
            text: "))".to_owned(),
        });
        captures_value = true;
    }
    if finder.edits.is_empty() {
        return None;
    }
    let mut edits = finder.edits;
    // Insertions at one place keep their order (a conversion before a capture's paren).
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(code.len() + 64 * edits.len());
    let mut at = 0;
    edits.retain(|edit| {
        if edit.start < at {
            return false; // inside a statement already replaced
        }
        out.push_str(&code[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
        true
    });
    out.push_str(&code[at..]);
    Some(SourceMap {
        code: out,
        original: code.to_owned(),
        edits,
        captures_value,
    })
}

struct Edits<'a> {
    code: &'a str,
    edits: Vec<Edit>,
}

impl<'a> StatementVisitor<'a> for Edits<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                if let Some(module) = import
                    .names
                    .iter()
                    .map(|alias| alias.name.id.as_str())
                    .find(|name| is_denied(name))
                {
                    self.replace_statement(stmt, module);
                }
            }
            Stmt::ImportFrom(import) if import.level == 0 => {
                if let Some(module) = import.module.as_ref().map(|m| m.id.as_str())
                    && is_denied(module)
                {
                    self.replace_statement(stmt, module);
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if let (Some(name), Some(ty), Some(first)) = (&h.name, &h.type_, h.body.first())
            && names_tool_error(ty)
        {
            self.convert_at(name.id.as_str(), first);
        }
        walk_except_handler(self, handler);
    }
}

impl Edits<'_> {
    /// `import os` → a call raising the helpful error; the statement's line count is
    /// kept (a parenthesised import may span lines).
    fn replace_statement(&mut self, stmt: &Stmt, module: &str) {
        let range = stmt.range();
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        let newlines = self.code[start..end].matches('\n').count();
        let top = module.split('.').next().unwrap_or(module);
        self.edits.push(Edit {
            start,
            end,
            text: format!("{DENIED_IMPORT}({top:?}){}", "\n".repeat(newlines)),
        });
    }

    /// Insert `name = converter(name)` before the handler's first statement.
    fn convert_at(&mut self, name: &str, first: &Stmt) {
        let start = first.range().start().to_usize();
        let line_start = self.code[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &self.code[line_start..start];
        let call = format!("{name} = {TOOL_ERROR_CONVERTER}({name})");
        let text = if indent.chars().all(|c| c == ' ' || c == '\t') {
            // The body is on lines of its own: a line before the first one, indented
            // alike (the first statement may be compound, which `;` cannot precede).
            format!("{call}\n{indent}")
        } else {
            // `except ToolError as e: stmt` — a one-line body is simple statements.
            format!("{call}; ")
        };
        self.edits.push(Edit {
            start,
            end: start,
            text,
        });
    }
}

fn is_denied(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    DENIED_MODULES.contains(&top)
}

/// `ToolError`, or a tuple naming it.
fn names_tool_error(ty: &Expr) -> bool {
    match ty {
        Expr::Name(n) => n.id.as_str() == "ToolError",
        Expr::Tuple(t) => t.elts.iter().any(names_tool_error),
        _ => false,
    }
}

impl SourceMap {
    /// The original `(line, column)` (1-based; columns in characters) behind a position
    /// in the rewritten code. A position inside inserted text maps to where it was
    /// inserted.
    pub fn original_position(&self, line: u32, column: u32) -> (u32, u32) {
        let rewritten = offset_of(&self.code, line, column);
        let mut shift: isize = 0; // original offset = rewritten offset + shift, so far
        let mut original = None;
        let mut new_at: usize; // where the current edit's text starts in the rewritten code
        for edit in &self.edits {
            new_at = (edit.start as isize - shift) as usize;
            if rewritten < new_at {
                break;
            }
            if rewritten < new_at + edit.text.len() {
                original = Some(edit.start);
                break;
            }
            shift += (edit.end - edit.start) as isize - edit.text.len() as isize;
        }
        let original = original.unwrap_or((rewritten as isize + shift).max(0) as usize);
        position_of(&self.original, original.min(self.original.len()))
    }

    /// The original lines `start..=end`, for a traceback's preview.
    pub fn original_lines(&self, start: u32, end: u32) -> Option<String> {
        let lines: Vec<&str> = self
            .original
            .lines()
            .skip(start.saturating_sub(1) as usize)
            .take((end.saturating_sub(start) + 1) as usize)
            .collect();
        if lines.is_empty() {
            return None;
        }
        if lines.len() == 1 {
            return Some(lines[0].to_owned());
        }
        // A multi-line preview is shown dedented, as Monty renders its own.
        let indent = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        Some(
            lines
                .iter()
                .map(|l| l.get(indent..).unwrap_or("").trim_end())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return offset + col;
        }
        offset += l.len();
    }
    offset
}

fn position_of(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(input: &str) -> String {
        rewrite(input, false).unwrap().code
    }

    #[test]
    fn code_without_either_is_left_alone() {
        assert!(rewrite("x = 1\nprint(x)", false).is_none());
        assert!(rewrite("import json", false).is_none());
    }

    #[test]
    fn a_tool_error_handler_converts_its_name_on_a_line_of_its_own() {
        let map = rewrite(
            "try:\n    f()\nexcept ToolError as e:\n    print(e.code)\n",
            false,
        )
        .unwrap();
        assert_eq!(
            map.code,
            "try:\n    f()\nexcept ToolError as e:\n    e = __toolhost_tool_error__(e)\n    print(e.code)\n"
        );
        assert_eq!(map.original_position(5, 5), (4, 5));
        assert_eq!(map.original_position(2, 5), (2, 5));
        assert_eq!(map.original_position(4, 9), (4, 5));
    }

    #[test]
    fn one_line_handlers_and_tuples_are_converted_in_place() {
        let map = rewrite(
            "try: f()\nexcept (ValueError, ToolError) as err: print(err)",
            false,
        )
        .unwrap();
        assert_eq!(
            map.code,
            "try: f()\nexcept (ValueError, ToolError) as err: err = __toolhost_tool_error__(err); print(err)"
        );
        let print_at = map.code.lines().nth(1).unwrap().find("print").unwrap() as u32 + 1;
        assert_eq!(map.original_position(2, print_at), (2, 40));
    }

    #[test]
    fn handlers_inside_functions_are_found() {
        let c = code(
            "def g():\n    try:\n        f()\n    except ToolError as e:\n        if e.code:\n            return 1\n",
        );
        assert!(
            c.contains("        e = __toolhost_tool_error__(e)\n        if e.code:"),
            "{c}"
        );
    }

    #[test]
    fn handlers_without_a_name_or_for_other_types_are_left_alone() {
        assert!(rewrite("try:\n    f()\nexcept ToolError:\n    pass\n", false).is_none());
        assert!(
            rewrite(
                "try:\n    f()\nexcept ValueError as e:\n    pass  # ToolError\n",
                false
            )
            .is_none()
        );
    }

    #[test]
    fn denied_imports_raise_and_keep_the_line_count() {
        assert_eq!(
            code("import json, os.path\nfrom pathlib import (\n  Path,\n)\nimport osmosis"),
            "__toolhost_denied_import__(\"os\")\n__toolhost_denied_import__(\"pathlib\")\n\n\nimport osmosis"
        );
    }

    #[test]
    fn the_final_expression_is_captured_and_maps_back() {
        let map = rewrite("x = 1\nx + 1  # two", true).unwrap();
        assert_eq!(map.code, "x = 1\n(__toolhost_value__ := (x + 1))  # two");
        assert!(map.captures_value);
        let plus = map.code.lines().nth(1).unwrap().find('+').unwrap() as u32 + 1;
        assert_eq!(map.original_position(2, plus), (2, 3));
        assert_eq!(map.original_lines(2, 2).as_deref(), Some("x + 1  # two"));
        assert!(!rewrite("x = 1", true).is_some_and(|m| m.captures_value));
    }
}
