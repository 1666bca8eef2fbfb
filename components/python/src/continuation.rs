//! Whether an interactive input is finished, as CPython's REPL decides: open brackets,
//! strings and decorators continue; a compound statement (`def`, `for`, `if`, ...)
//! continues until an empty line.

use monty::{ReplContinuationMode, detect_repl_continuation_mode};
use ruff_python_ast::Stmt;

pub fn needs_more(code: &str) -> bool {
    if code.trim().is_empty() {
        return false;
    }
    match detect_repl_continuation_mode(code) {
        ReplContinuationMode::IncompleteImplicit | ReplContinuationMode::IncompleteBlock => true,
        ReplContinuationMode::Complete => opens_block(code) && !ends_with_empty_line(code),
    }
}

/// Whether the last statement is a compound one.
fn opens_block(code: &str) -> bool {
    // Monty calls over-nested code complete (evaluating it reports the SyntaxError);
    // parsing it here would recurse past the interpreter's stack.
    if !monty::source_within_nesting_bound(code, monty_types::SOURCE_SCAN_THRESHOLD) {
        return false;
    }
    let Ok(parsed) = ruff_python_parser::parse_module(code) else {
        return false; // a syntax error is shown at once
    };
    matches!(
        parsed.suite().last(),
        Some(
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::With(_)
                | Stmt::Try(_)
                | Stmt::Match(_)
        )
    )
}

fn ends_with_empty_line(code: &str) -> bool {
    code.lines().count() > 1 && code.lines().last().is_some_and(|l| l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::needs_more;

    #[test]
    fn simple_statements_are_complete() {
        assert!(!needs_more("1 + 1"));
        assert!(!needs_more("x = [1,\n     2]"));
        assert!(!needs_more(""));
    }

    #[test]
    fn open_brackets_and_strings_continue() {
        assert!(needs_more("x = [1,"));
        assert!(needs_more("s = \"\"\"abc"));
        assert!(needs_more("@decorator"));
    }

    #[test]
    fn blocks_continue_until_an_empty_line() {
        assert!(needs_more("def f():"));
        assert!(needs_more("def f():\n    return 1"));
        assert!(needs_more("def f():\n    return 1\n"));
        assert!(!needs_more("def f():\n    return 1\n\n"));
        assert!(needs_more("for i in range(3):\n    print(i)\n"));
        assert!(!needs_more("for i in range(3):\n    print(i)\n\n"));
    }

    #[test]
    fn syntax_errors_are_complete_so_they_show_at_once() {
        assert!(!needs_more("x = = 1"));
        assert!(!needs_more(&"(".repeat(100_000)));
        assert!(!needs_more(&format!(
            "if x:\n    y = {}1{}",
            "[".repeat(5000),
            "]".repeat(5000)
        )));
    }
}
