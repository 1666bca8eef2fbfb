//! The `agent:` section (or a file of its own, `toolhost agent --agent-config FILE`): the
//! models the agent asks, by role. The core only checks its shape and values, with
//! file:line:column; the agent front end decides how roles combine with its flags.

use serde::Deserialize;
use std::path::Path;

use super::super::{Position, RegistryError};
use super::{Checker, Seg, YamlPositions, yaml_message};

/// The roles the agent knows. Unknown keys are refused by serde, which names the key and
/// lists these.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSettings {
    /// The model that runs the task.
    pub root: Option<ModelRole>,
    /// The model `llm_query` / `llm_batch` (and sub-agents) ask.
    pub sub_query: Option<ModelRole>,
    /// The model that takes over after failed steps.
    pub escalation: Option<ModelRole>,
    /// Failed steps in a row before the escalation role takes over.
    pub escalate_after: Option<u32>,
}

/// One model and how to ask it; anything left out is the root's (the command line's for
/// the root itself).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRole {
    /// OpenAI-compatible base URL, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The NAME of the environment variable that holds the API key (never the key).
    pub api_key_env: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub prices: Option<RolePrices>,
}

/// Dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePrices {
    pub input: f64,
    pub output: f64,
}

const ROLES: [&str; 3] = ["root", "sub_query", "escalation"];

/// A standalone agent config file: the `agent:` section's keys at its top level.
pub fn parse_agent_config(text: &str, file: &Path) -> Result<AgentSettings, RegistryError> {
    let settings: AgentSettings = if text.trim().is_empty() {
        AgentSettings::default()
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            let position = e.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            });
            RegistryError::single(Some(file.to_owned()), position, yaml_message(&e, text))
        })?
    };
    let mut checker = Checker {
        file: Some(file.to_owned()),
        positions: YamlPositions::parse(text),
        problems: Vec::new(),
    };
    checker.agent(&settings, &[]);
    if checker.problems.is_empty() {
        Ok(settings)
    } else {
        Err(RegistryError {
            problems: checker.problems,
        })
    }
}

impl Checker {
    /// Values serde cannot check: ranges, URL schemes, variable names.
    pub(super) fn agent(&mut self, settings: &AgentSettings, at: &[Seg<'static>]) {
        let path = |more: &[Seg<'static>]| [at, more].concat();
        if settings.escalate_after == Some(0) {
            self.problem(
                &path(&[Seg::Key("escalate_after")]),
                "`escalate_after` must be at least 1 (failed steps in a row)".to_owned(),
            );
        }
        let roles = [&settings.root, &settings.sub_query, &settings.escalation];
        for (name, role) in ROLES.into_iter().zip(roles) {
            let Some(role) = role else { continue };
            let key = |k: &'static str| path(&[Seg::Key(name), Seg::Key(k)]);
            if let Some(url) = &role.base_url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                self.problem(
                    &key("base_url"),
                    format!("`base_url` must start with http:// or https://, not `{url}`"),
                );
            }
            if role.model.as_deref().is_some_and(|m| m.trim().is_empty()) {
                self.problem(&key("model"), "`model` must not be empty".to_owned());
            }
            if let Some(var) = &role.api_key_env
                && (var.is_empty() || var.contains('=') || var.contains('\0'))
            {
                self.problem(
                    &key("api_key_env"),
                    format!(
                        "`api_key_env` is the NAME of an environment variable (such as OPENAI_API_KEY), not `{var}`"
                    ),
                );
            }
            if let Some(t) = role.temperature
                && !(0.0..=2.0).contains(&t)
            {
                self.problem(
                    &key("temperature"),
                    format!("`temperature` must be between 0 and 2, not {t}"),
                );
            }
            if role.max_tokens == Some(0) {
                self.problem(
                    &key("max_tokens"),
                    "`max_tokens` must be at least 1".to_owned(),
                );
            }
            if let Some(p) = role.prices {
                for (k, v) in [("input", p.input), ("output", p.output)] {
                    if !(v.is_finite() && v >= 0.0) {
                        self.problem(
                            &path(&[Seg::Key(name), Seg::Key("prices"), Seg::Key(k)]),
                            format!("`{k}` is dollars per million tokens: at least 0, not {v}"),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_file_parses_and_bad_values_are_located() {
        let ok = "root:\n  base_url: http://127.0.0.1:8080/v1\n  model: small\n  prices: { input: 0.1, output: 0.4 }\nsub_query: { model: tiny }\nescalate_after: 2\n";
        let s = parse_agent_config(ok, Path::new("a.yaml")).unwrap();
        assert_eq!(s.root.unwrap().model.as_deref(), Some("small"));
        assert_eq!(s.sub_query.unwrap().model.as_deref(), Some("tiny"));
        assert_eq!(s.escalate_after, Some(2));

        let bad = "root:\n  model: small\n  temperature: 7\n";
        let e = parse_agent_config(bad, Path::new("a.yaml")).unwrap_err();
        let p = &e.problems[0];
        assert_eq!(p.position.map(|p| (p.line, p.column)), Some((3, 16)));
        assert!(p.message.contains("between 0 and 2"), "{}", p.message);
    }

    #[test]
    fn an_unknown_key_is_named_with_the_accepted_ones() {
        let e = parse_agent_config("subquery: { model: x }\n", Path::new("a.yaml")).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("unknown field `subquery`"), "{m}");
        assert!(
            m.contains("`sub_query`") && m.contains("`escalation`"),
            "{m}"
        );
        assert!(m.starts_with("a.yaml:1:1"), "{m}");

        let e = parse_agent_config("root: { modle: x }\n", Path::new("a.yaml")).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("unknown field `modle`") && m.contains("`api_key_env`"),
            "{m}"
        );
    }
}
