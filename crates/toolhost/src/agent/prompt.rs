//! The system prompt: the protocol, the tools and the registry's scripts, from the same
//! descriptions as the CLI.

use crate::dispatch::ToolDescription;
use crate::registry::ScriptEntry;

pub fn system_prompt(
    tools: &[ToolDescription],
    scripts: &[ScriptEntry],
    require_exploration: bool,
    llm_query: bool,
) -> String {
    let mut p = String::from(
        "You solve tasks by writing code for a persistent Rhai REPL. Each reply contains exactly \
         one fenced code block:\n```rhai\n<code>\n```\nThe code runs and you see what it printed \
         (print(...)), the value of its last expression, and any error. Variables and functions \
         persist between your code blocks.\n\nFunctions:\n\
         - TOOL(name, #{...}) calls a tool and returns its result (maps, arrays, numbers, strings). \
         A failing call raises an error you can catch: try { ... } catch (e) { print(e.code + \": \" + e.message) }\n\
         - TOOL_BATCH([#{tool: name, args: #{...}}, ...]) runs independent calls together.\n\
         - TOOLS() lists the tools; HELP(name) shows a tool's input schema and examples.\n\
         - FINAL(value) ends the task with your answer. Call it in code, never in prose.\n",
    );
    if !scripts.is_empty() {
        p.push_str("- SCRIPT(name, #{...}) runs one of the scripts listed below (reusable REPL code that may call tools) with those arguments and returns its value.\n");
    }
    if llm_query {
        p.push_str("- llm_query(prompt) asks a language model a sub-question and returns its text; llm_batch([prompts]) asks several at once.\n");
    }
    if require_exploration {
        p.push_str(
            "\nFINAL is refused until you have called a tool or explored with TOOLS()/HELP().\n",
        );
    }
    p.push_str("\nRules: one code block per reply; do not write the output yourself; stop after the closing fence.\n\nTools:\n");
    for t in tools {
        p.push_str(&format!(
            "\n## {}\n{}\nInput schema: {}\n",
            t.name,
            t.description.trim_end(),
            serde_json::to_string(&t.input_schema).unwrap_or_default()
        ));
    }
    if !scripts.is_empty() {
        p.push_str("\nScripts (call with SCRIPT):\n");
        for s in scripts {
            p.push_str(&format!("\n## {}\n{}\n", s.name, s.description.trim_end()));
            match &s.params {
                Some(params) if params.is_empty() => p.push_str("Arguments: none\n"),
                Some(params) => {
                    p.push_str("Arguments:\n");
                    for param in params {
                        p.push_str(&format!("- {}: {}\n", param.name, param.description));
                    }
                }
                None => {}
            }
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
            file: format!("{name}.rhai").into(),
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
        assert!(p.contains("- SCRIPT(name, #{...})"), "{p}");
        assert!(
            p.contains("## sumsq\nWhat sumsq does.\nArguments:\n- xs: the numbers\n"),
            "{p}"
        );
        assert!(
            p.contains("## tidy\nWhat tidy does.\nArguments: none\n"),
            "{p}"
        );
        assert!(p.contains("## free\nWhat free does.\n"), "{p}");
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
