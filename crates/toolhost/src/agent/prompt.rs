//! The system prompt: the protocol, the tools and the registry's scripts, from the same
//! descriptions as the CLI.

use crate::dispatch::ToolDescription;
use crate::registry::ScriptEntry;
use crate::repl::signature;

/// The system prompt. Tools appear as one-line Python signatures; their full arguments
/// come on demand through `help(tool)`, so the first request stays small (the built-in
/// registry's is checked in tests/agent.rs).
pub fn system_prompt(
    tools: &[ToolDescription],
    scripts: &[ScriptEntry],
    require_exploration: bool,
    llm_query: bool,
) -> String {
    let mut p = String::from(
        "You solve tasks by writing Python for a persistent REPL (a sandboxed interpreter: \
         no files, network or pip; json, math, re, collections, itertools and datetime \
         import). Reply with exactly one fenced code block:\n```python\n<code>\n```\n\
         It runs, and you see what it printed, the value of its last expression and any \
         error. Variables, functions and imports persist between your blocks.\n\n\
         Each tool is a function taking keyword arguments and returning dicts, lists, \
         numbers and strings; a failure raises ToolError (e.code, e.message). \
         help(tool) shows a tool's full arguments and examples: read it before a tool's \
         first use.\n\
         - tool_batch([{\"tool\": name, \"args\": {...}}, ...]) runs independent calls in parallel.\n\
         - TOOL(name, args) calls a tool by name; TOOLS() lists them.\n\
         - FINAL(answer) ends the task with your answer (FINAL_VAR(\"name\") answers with a \
         variable). Call it in code, never in prose.\n",
    );
    if !scripts.is_empty() {
        p.push_str("- SCRIPT(name, {...}) runs one of the scripts listed below (reusable Python that calls tools) and returns its answer.\n");
    }
    if llm_query {
        p.push_str("- llm_query(prompt) asks a language model a sub-question and returns its text; llm_batch([prompts]) asks several in parallel.\n");
    }
    if require_exploration {
        p.push_str(
            "\nFINAL is refused until you have called a tool or looked one up with help().\n",
        );
    }
    p.push_str("\nRules: one code block per reply: only the first block runs, later blocks are ignored; do not write its output yourself; stop after the closing fence.\n\nTools:\n");
    for t in tools {
        p.push_str(&signature(t));
        p.push('\n');
    }
    if !scripts.is_empty() {
        p.push_str("\nScripts (call with SCRIPT):\n");
        for s in scripts {
            let summary = s.description.lines().next().unwrap_or("").trim();
            let params = match &s.params {
                Some(params) => params
                    .iter()
                    .map(|p| format!("{}: {}", p.name, p.description))
                    .collect::<Vec<_>>()
                    .join("; "),
                None => String::new(),
            };
            p.push_str(&format!("- {}({params}): {summary}\n", s.name));
        }
    }
    p
}

/// What the model sees after its code ran, cut to `budget` characters (head and tail kept).
pub fn feedback(output: &str, value: Option<&str>, error: Option<&str>, budget: usize) -> String {
    let mut text = String::new();
    if !output.is_empty() {
        text.push_str(output.trim_end());
        text.push('\n');
    }
    if let Some(v) = value {
        text.push_str(&format!("=> {v}\n"));
    }
    if let Some(e) = error {
        text.push_str(&format!("Error: {e}\n"));
    }
    if text.is_empty() {
        text.push_str("(no output; print values or end with an expression to see them)\n");
    }
    truncate_middle(&text, budget)
}

fn truncate_middle(text: &str, budget: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= budget {
        return text.to_owned();
    }
    let keep = budget.saturating_sub(80) / 2;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!(
        "{head}\n[... output truncated: {} of {} characters omitted ...]\n{tail}",
        chars.len() - 2 * keep,
        chars.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ScriptParam;

    fn script(name: &str, params: Option<Vec<(&str, &str)>>) -> ScriptEntry {
        ScriptEntry {
            name: name.to_owned(),
            file: format!("{name}.py").into(),
            description: format!("What {name} does."),
            params: params.map(|ps| {
                ps.into_iter()
                    .map(|(n, d)| ScriptParam {
                        name: n.to_owned(),
                        description: d.to_owned(),
                    })
                    .collect()
            }),
            position: None,
        }
    }

    #[test]
    fn the_prompt_lists_the_scripts_with_their_arguments() {
        let scripts = [
            script("sumsq", Some(vec![("xs", "the numbers")])),
            script("tidy", Some(vec![])),
            script("free", None),
        ];
        let p = system_prompt(&[], &scripts, false, false);
        assert!(p.contains("- SCRIPT(name, {...})"), "{p}");
        assert!(
            p.contains("- sumsq(xs: the numbers): What sumsq does.\n"),
            "{p}"
        );
        assert!(p.contains("- tidy(): What tidy does.\n"), "{p}");
        assert!(p.contains("- free(): What free does.\n"), "{p}");
        // Without scripts, SCRIPT is not offered at all.
        let bare = system_prompt(&[], &[], false, false);
        assert!(!bare.contains("SCRIPT"), "{bare}");
    }

    #[test]
    fn long_output_is_cut_in_the_middle_and_says_so() {
        let long: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let fb = feedback(&long, None, None, 400);
        assert!(fb.starts_with("line 0\n"));
        assert!(fb.trim_end().ends_with("line 999"));
        assert!(fb.contains("output truncated"));
        assert!(fb.chars().count() < 500);
    }

    #[test]
    fn empty_output_still_says_something() {
        assert!(feedback("", None, None, 100).contains("no output"));
        assert_eq!(
            feedback("hi\n", Some("3"), Some("bad"), 100),
            "hi\n=> 3\nError: bad\n"
        );
    }
}
