//! Model roles: `root` runs the task, `sub_query` answers `llm_query` / `llm_batch` (and
//! runs sub-agents), `escalation` takes over after failed steps. They come from the
//! registry's `agent:` section or `--agent-config FILE`; command-line flags override the
//! root, and a role leaves out what it shares with the root.

use serde::{Deserialize, Serialize};

use super::config::{AgentConfig, Prices};
use super::llm::ModelEndpoint;
use crate::registry::{AgentSettings, ModelRole};

/// Which role a model call was made for (recorded with every step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Root,
    SubQuery,
    Escalation,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::SubQuery => "sub_query",
            Role::Escalation => "escalation",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Prices of the roles other than the root; `None` means the root's (`Budget::prices`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RolePrices {
    pub sub_query: Option<Prices>,
    pub escalation: Option<Prices>,
}

impl AgentConfig {
    /// The prices a call made for `role` is charged at.
    pub fn prices(&self, role: Role) -> Option<Prices> {
        let own = match role {
            Role::Root => None,
            Role::SubQuery => self.role_prices.sub_query,
            Role::Escalation => self.role_prices.escalation,
        };
        own.or(self.budget.prices)
    }

    /// The model sub-calls and sub-agents ask.
    pub fn sub_query_endpoint(&self) -> &ModelEndpoint {
        self.sub_query.as_ref().unwrap_or(&self.primary)
    }
}

/// What the command line says about the root model; each field overrides the file's.
#[derive(Debug, Clone, Default)]
pub struct RootFlags {
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The key from TOOLHOST_LLM_API_KEY / OPENAI_API_KEY, used when the file names none.
    pub api_key: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub prices: Option<Prices>,
}

/// What the command line says about escalation.
#[derive(Debug, Clone, Default)]
pub struct EscalationFlags {
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// The NAME of the variable holding the stronger model's key.
    pub api_key_env: Option<String>,
    pub after: Option<u32>,
}

/// Every role, resolved to an endpoint.
#[derive(Debug, Clone)]
pub struct ResolvedRoles {
    pub root: ModelEndpoint,
    pub root_prices: Option<Prices>,
    pub sub_query: Option<(ModelEndpoint, Option<Prices>)>,
    /// The model, the failed steps in a row before it takes over, its prices.
    pub escalation: Option<(ModelEndpoint, u32, Option<Prices>)>,
}

pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/v1";
pub const DEFAULT_MODEL: &str = "default";
/// Failed steps in a row before the escalation role takes over, unless told otherwise.
pub const DEFAULT_ESCALATE_AFTER: u32 = 3;

/// Combine the file's roles with the flags. `env` reads an environment variable (the
/// process's, or a test's). An `api_key_env` that is not set is an error; a role without
/// one shares the root's key only when it asks the same server, so a key never goes to a
/// server it was not meant for.
pub fn resolve(
    file: &AgentSettings,
    flags: RootFlags,
    escalation_flags: EscalationFlags,
    stop: Vec<String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<ResolvedRoles, String> {
    let key_of = |name: &str, role: &ModelRole| -> Result<Option<String>, String> {
        match &role.api_key_env {
            Some(var) => env(var).map(Some).ok_or_else(|| {
                format!("the `{name}` role reads its API key from ${var}, which is not set")
            }),
            None => Ok(None),
        }
    };
    let file_root = file.root.clone().unwrap_or_default();
    let root = ModelEndpoint {
        base_url: flags
            .base_url
            .or(file_root.base_url.clone())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
        model: flags
            .model
            .or(file_root.model.clone())
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        api_key: match key_of("root", &file_root)? {
            Some(k) => Some(k),
            None => flags.api_key,
        },
        temperature: flags.temperature.or(file_root.temperature),
        max_tokens: flags.max_tokens.or(file_root.max_tokens),
        stop,
    };
    let root_prices = flags.prices.or(file_root.prices.map(prices));
    let derive =
        |name: &str, role: &ModelRole| -> Result<(ModelEndpoint, Option<Prices>), String> {
            let base_url = role
                .base_url
                .clone()
                .unwrap_or_else(|| root.base_url.clone());
            let api_key = match key_of(name, role)? {
                Some(k) => Some(k),
                None if base_url == root.base_url => root.api_key.clone(),
                None => None,
            };
            let endpoint = ModelEndpoint {
                base_url,
                model: role.model.clone().unwrap_or_else(|| root.model.clone()),
                api_key,
                temperature: role.temperature.or(root.temperature),
                max_tokens: role.max_tokens.or(root.max_tokens),
                stop: root.stop.clone(),
            };
            Ok((endpoint, role.prices.map(prices)))
        };
    let sub_query = file
        .sub_query
        .as_ref()
        .map(|r| derive("sub_query", r))
        .transpose()?;
    // Flags for the stronger model override (or make) the file's escalation role.
    let mut escalation_role = file.escalation.clone();
    if escalation_flags.model.is_some() || escalation_flags.base_url.is_some() {
        escalation_role.get_or_insert_with(ModelRole::default);
    }
    if let Some(role) = escalation_role.as_mut() {
        if let Some(m) = escalation_flags.model {
            role.model = Some(m);
        }
        if let Some(u) = escalation_flags.base_url {
            role.base_url = Some(u);
        }
        if let Some(v) = escalation_flags.api_key_env {
            role.api_key_env = Some(v);
        }
    }
    let after = escalation_flags
        .after
        .or(file.escalate_after)
        .unwrap_or(DEFAULT_ESCALATE_AFTER)
        .max(1);
    let escalation = escalation_role
        .as_ref()
        .map(|r| derive("escalation", r).map(|(e, p)| (e, after, p)))
        .transpose()?;
    Ok(ResolvedRoles {
        root,
        root_prices,
        sub_query,
        escalation,
    })
}

fn prices(p: crate::registry::RolePrices) -> Prices {
    Prices {
        prompt_per_million: p.input,
        completion_per_million: p.output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RolePrices as FilePrices;

    fn file() -> AgentSettings {
        AgentSettings {
            root: Some(ModelRole {
                base_url: Some("http://a/v1".into()),
                model: Some("small".into()),
                api_key_env: Some("ROOT_KEY".into()),
                temperature: Some(0.2),
                prices: Some(FilePrices {
                    input: 1.0,
                    output: 2.0,
                }),
                ..ModelRole::default()
            }),
            sub_query: Some(ModelRole {
                model: Some("tiny".into()),
                ..ModelRole::default()
            }),
            escalation: Some(ModelRole {
                base_url: Some("http://b/v1".into()),
                model: Some("big".into()),
                ..ModelRole::default()
            }),
            escalate_after: Some(2),
        }
    }

    fn env(name: &str) -> Option<String> {
        (name == "ROOT_KEY").then(|| "sk-root".to_owned())
    }

    #[test]
    fn roles_inherit_the_root_and_flags_override_it() {
        let flags = RootFlags {
            model: Some("flagged".into()),
            ..RootFlags::default()
        };
        let r = resolve(&file(), flags, EscalationFlags::default(), vec![], env).unwrap();
        assert_eq!(r.root.model, "flagged");
        assert_eq!(r.root.base_url, "http://a/v1");
        assert_eq!(r.root.api_key.as_deref(), Some("sk-root"));
        assert_eq!(r.root_prices.unwrap().completion_per_million, 2.0);
        let (sub, sub_prices) = r.sub_query.unwrap();
        assert_eq!(
            (sub.model.as_str(), sub.base_url.as_str()),
            ("tiny", "http://a/v1")
        );
        assert_eq!(sub.temperature, Some(0.2));
        assert_eq!(
            sub.api_key.as_deref(),
            Some("sk-root"),
            "same server, same key"
        );
        assert!(sub_prices.is_none());
        let (esc, after, _) = r.escalation.unwrap();
        assert_eq!((esc.model.as_str(), after), ("big", 2));
        assert_eq!(
            esc.api_key, None,
            "another server never gets the root's key"
        );
    }

    #[test]
    fn an_unset_key_variable_is_an_error_naming_it() {
        let e = resolve(
            &file(),
            RootFlags::default(),
            EscalationFlags::default(),
            vec![],
            |_| None,
        )
        .unwrap_err();
        assert!(e.contains("$ROOT_KEY") && e.contains("`root`"), "{e}");
    }

    #[test]
    fn escalation_flags_make_a_role_without_a_file() {
        let r = resolve(
            &AgentSettings::default(),
            RootFlags::default(),
            EscalationFlags {
                model: Some("big".into()),
                base_url: Some("https://big.example/v1".into()),
                api_key_env: Some("BIG_KEY".into()),
                ..EscalationFlags::default()
            },
            vec![],
            |v| (v == "BIG_KEY").then(|| "sk-big".to_owned()),
        )
        .unwrap();
        assert_eq!(r.root.base_url, DEFAULT_BASE_URL);
        let (esc, after, _) = r.escalation.unwrap();
        assert_eq!((esc.model.as_str(), after), ("big", DEFAULT_ESCALATE_AFTER));
        assert_eq!(esc.api_key.as_deref(), Some("sk-big"));
        assert!(r.sub_query.is_none());
    }
}
