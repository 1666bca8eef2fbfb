//! Finding the code in a model's reply. Local models are sloppy with fences: the tag may
//! be missing or capitalised, the fence indented, the closing fence cut off by the stop
//! sequence, or FINAL written in prose instead of code.

/// Languages whose fenced blocks are run.
const ACCEPTED: &[&str] = &["python", "py", "python3"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FenceError {
    /// No fenced block at all.
    NoCode { final_in_prose: bool },
    /// A block fenced with another language.
    WrongLanguage(String),
    /// An opened block with nothing in it.
    Empty,
}

impl FenceError {
    /// What to tell the model.
    pub fn explain(&self) -> String {
        match self {
            FenceError::NoCode { final_in_prose: true } => "Your reply has FINAL(...) in prose, which does nothing. FINAL \
                 is a function: call it inside a ```python code block, e.g.\n```python\nFINAL(answer)\n```"
                .into(),
            FenceError::NoCode { .. } => "No code block found. Reply with one ```python code block; its output comes back \
                 to you. Call FINAL(value) in code when you have the answer."
                .into(),
            FenceError::WrongLanguage(lang) => format!(
                "Code fenced as ```{lang} is not run. The REPL speaks Python: fence code as ```python."
            ),
            FenceError::Empty => "The code block is empty. Put Python code in it.".into(),
        }
    }
}

fn fence_of(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    ["```", "~~~"]
        .into_iter()
        .find_map(|f| t.strip_prefix(f).map(|rest| (f, rest.trim())))
}

/// The code of the first runnable block. A block whose closing fence is missing (cut by
/// the stop sequence, or the end of the reply) runs to the end.
pub fn extract_code(reply: &str) -> Result<String, FenceError> {
    let lines: Vec<&str> = reply.lines().collect();
    let mut wrong = None;
    let mut i = 0;
    while i < lines.len() {
        let Some((fence, info)) = fence_of(lines[i]) else {
            i += 1;
            continue;
        };
        let lang = info
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let body_start = i + 1;
        let end = lines[body_start..]
            .iter()
            .position(|l| l.trim() == fence)
            .map(|p| body_start + p)
            .unwrap_or(lines.len());
        if lang.is_empty() || ACCEPTED.contains(&lang.as_str()) {
            let code = lines[body_start..end].join("\n");
            return if code.trim().is_empty() {
                Err(FenceError::Empty)
            } else {
                Ok(code)
            };
        }
        wrong.get_or_insert(lang);
        i = end + 1;
    }
    match wrong {
        Some(lang) => Err(FenceError::WrongLanguage(lang)),
        None => Err(FenceError::NoCode {
            final_in_prose: reply.contains("FINAL("),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_python_block() {
        let reply = "Let me compute.\n```python\nx = 1\nprint(x)\n```\nDone.";
        assert_eq!(extract_code(reply).unwrap(), "x = 1\nprint(x)");
    }

    #[test]
    fn py_tag_capitals_and_indentation_are_accepted() {
        assert_eq!(extract_code("```py\nTOOLS()\n```").unwrap(), "TOOLS()");
        assert_eq!(extract_code("```Python\n1+1\n```").unwrap(), "1+1");
        assert_eq!(extract_code("  ```python\n  1+1\n  ```").unwrap(), "  1+1");
        assert_eq!(extract_code("~~~python\n2\n~~~").unwrap(), "2");
    }

    #[test]
    fn block_cut_by_the_stop_sequence_runs_to_the_end() {
        assert_eq!(
            extract_code("Thinking...\n```python\na = TOOLS()\nprint(a)").unwrap(),
            "a = TOOLS()\nprint(a)"
        );
    }

    #[test]
    fn bare_fence_is_taken_as_python() {
        assert_eq!(extract_code("```\nprint(1)\n```").unwrap(), "print(1)");
    }

    #[test]
    fn another_language_is_refused_but_a_later_python_block_runs() {
        assert_eq!(
            extract_code("```javascript\nprint(1)\n```"),
            Err(FenceError::WrongLanguage("javascript".into()))
        );
        assert_eq!(
            extract_code("```json\n{}\n```\n```python\n3\n```").unwrap(),
            "3"
        );
    }

    #[test]
    fn first_block_wins_and_backticks_inside_strings_are_kept() {
        let reply = "```python\ns = \"`x`\"\n```\n```python\nsecond\n```";
        assert_eq!(extract_code(reply).unwrap(), "s = \"`x`\"");
    }

    #[test]
    fn no_code_and_final_in_prose_are_told_apart() {
        assert_eq!(
            extract_code("The answer is 4."),
            Err(FenceError::NoCode {
                final_in_prose: false
            })
        );
        let e = extract_code("FINAL(4)").unwrap_err();
        assert_eq!(
            e,
            FenceError::NoCode {
                final_in_prose: true
            }
        );
        assert!(e.explain().contains("inside a ```python code block"));
        assert_eq!(extract_code("```python\n\n```"), Err(FenceError::Empty));
        assert_eq!(
            extract_code(""),
            Err(FenceError::NoCode {
                final_in_prose: false
            })
        );
    }
}
