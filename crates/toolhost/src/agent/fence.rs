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

/// Reasoning spans a model may wrap its thinking in; code inside them is never run.
const THINK_TAGS: &[(&str, &str)] = &[("<think>", "</think>"), ("<reasoning>", "</reasoning>")];

/// The reply without its `<think>…</think>` / `<reasoning>…</reasoning>` spans (tags
/// matched case-insensitively); an unclosed span runs to the end of the reply.
pub fn strip_thinking(reply: &str) -> String {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `reply`.
    let lower = reply.to_ascii_lowercase();
    let mut out = String::with_capacity(reply.len());
    let mut at = 0;
    loop {
        let next = THINK_TAGS
            .iter()
            .filter_map(|(open, close)| lower[at..].find(open).map(|p| (at + p, *open, *close)))
            .min_by_key(|(p, _, _)| *p);
        let Some((start, open, close)) = next else {
            out.push_str(&reply[at..]);
            return out;
        };
        out.push_str(&reply[at..start]);
        match lower[start + open.len()..].find(close) {
            Some(p) => at = start + open.len() + p + close.len(),
            None => return out,
        }
    }
}

/// The code to run, and the reply as it goes into the history: reasoning spans removed
/// and cut after the block that ran, so prose the model wrote after it (an invented
/// output, a FINAL in words) is neither run nor shown back to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub code: String,
    pub kept: String,
}

/// The code of the first runnable block (tagged `python`/`py`/`python3` or untagged)
/// outside any reasoning span. Only that block runs; later blocks and prose are ignored.
/// A block whose closing fence is missing (cut by a stop sequence, or the end of the
/// reply) runs to the end.
pub fn extract_code(reply: &str) -> Result<String, FenceError> {
    extract(reply).map(|e| e.code)
}

/// [`extract_code`], with the reply to keep in the history.
pub fn extract(reply: &str) -> Result<Extracted, FenceError> {
    let visible = strip_thinking(reply);
    let lines: Vec<&str> = visible.lines().collect();
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
        let close = lines[body_start..]
            .iter()
            .position(|l| l.trim() == fence)
            .map(|p| body_start + p);
        let end = close.unwrap_or(lines.len());
        if lang.is_empty() || ACCEPTED.contains(&lang.as_str()) {
            let code = lines[body_start..end].join("\n");
            if code.trim().is_empty() {
                return Err(FenceError::Empty);
            }
            let mut kept = lines[..end]
                .join("\n")
                .trim_start_matches(['\n', '\r'])
                .to_owned();
            kept.push('\n');
            kept.push_str(fence);
            return Ok(Extracted { code, kept });
        }
        wrong.get_or_insert(lang);
        i = end + 1;
    }
    match wrong {
        Some(lang) => Err(FenceError::WrongLanguage(lang)),
        None => Err(FenceError::NoCode {
            final_in_prose: visible.contains("FINAL("),
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
    fn code_inside_reasoning_spans_is_not_run() {
        let reply = "<think>\n```python\nFINAL(1)\n```\n</think>\nSo:\n```python\nFINAL(2)\n```";
        assert_eq!(extract_code(reply).unwrap(), "FINAL(2)");
        let reply = "<Reasoning>try ```python\nx\n```</Reasoning>```py\ny\n```";
        assert_eq!(extract_code(reply).unwrap(), "y");
        // An unclosed span runs to the end: nothing outside it to run.
        assert_eq!(
            extract_code("<think>\n```python\nFINAL(1)\n```"),
            Err(FenceError::NoCode {
                final_in_prose: false
            })
        );
    }

    #[test]
    fn prose_after_the_block_is_dropped_from_the_history() {
        let e = extract("Let me compute.\n```\nprint(6*7)\n```\nOutput: 42\nFINAL(42)").unwrap();
        assert_eq!(e.code, "print(6*7)");
        assert_eq!(e.kept, "Let me compute.\n```\nprint(6*7)\n```");
        // A block cut by a stop sequence gets its closing fence back.
        assert_eq!(
            extract("```python\nx = 1").unwrap().kept,
            "```python\nx = 1\n```"
        );
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
