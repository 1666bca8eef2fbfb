//! What Tab completes in the interactive REPL: names (tools, the REPL's own functions,
//! the code's own variables are the interpreter's business) and, inside a tool's call, its
//! keyword arguments.

/// The functions every session has besides the tools.
const REPL_FUNCTIONS: &[&str] = &[
    "TOOL",
    "TOOLS",
    "HELP",
    "help",
    "SCRIPT",
    "tool_batch",
    "print",
    "FINAL",
    "FINAL_VAR",
];

/// Tool names and their parameters, taken once when the session starts.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    tools: Vec<(String, Vec<String>)>,
}

impl Catalogue {
    pub fn new(tools: Vec<(String, Vec<String>)>) -> Self {
        Catalogue { tools }
    }

    /// Candidates for the word ending at `pos` in `line`: where the word starts, and the
    /// replacements (`name=` for a keyword argument).
    pub fn complete(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map(|i| i + 1)
            .unwrap_or(0);
        let word = &before[start..];
        let mut out: Vec<String> = Vec::new();
        if let Some(tool) = open_call(&before[..start])
            && let Some((_, params)) = self.tools.iter().find(|(name, _)| name == tool)
        {
            out.extend(
                params
                    .iter()
                    .filter(|p| p.starts_with(word))
                    .map(|p| format!("{p}=")),
            );
        }
        if out.is_empty() && !word.is_empty() {
            out.extend(
                self.tools
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .chain(REPL_FUNCTIONS.iter().copied())
                    .filter(|n| n.starts_with(word))
                    .map(str::to_owned),
            );
            out.sort();
            out.dedup();
        }
        (start, out)
    }
}

/// The function whose argument list is open at the end of `text`, if any: the name before
/// the innermost unclosed `(`.
fn open_call(text: &str) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '[' | '{' if depth > 0 => depth -= 1,
            '[' | '{' => return None,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let head = text[..i].trim_end();
                let name_start = head
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map(|j| j + 1)
                    .unwrap_or(0);
                return Some(&head[name_start..]).filter(|n| !n.is_empty());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::new(vec![
            (
                "calc".into(),
                vec!["expr".into(), "exprs".into(), "vars".into()],
            ),
            ("echo".into(), vec!["text".into()]),
        ])
    }

    #[test]
    fn tool_names_and_repl_functions_complete() {
        let c = catalogue();
        assert_eq!(c.complete("x = ca", 6), (4, vec!["calc".to_owned()]));
        assert_eq!(
            c.complete("TOOL", 4),
            (0, vec!["TOOL".to_owned(), "TOOLS".to_owned()])
        );
    }

    #[test]
    fn keyword_arguments_complete_inside_a_call() {
        let c = catalogue();
        let line = "calc(ex";
        assert_eq!(
            c.complete(line, line.len()),
            (5, vec!["expr=".to_owned(), "exprs=".to_owned()])
        );
        let line = "r = calc(expr=\"1\", v";
        assert_eq!(c.complete(line, line.len()).1, vec!["vars=".to_owned()]);
        // Inside a nested call's closed parentheses, the outer call still counts.
        let line = "echo(text=str(len([1, 2])), ";
        assert_eq!(c.complete(line, line.len()).1, vec!["text=".to_owned()]);
    }
}
