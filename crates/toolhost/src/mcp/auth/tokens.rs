//! Static bearer tokens (`--auth-tokens FILE`): a YAML file listing each token's name, the
//! SHA-256 of the token (never the token), and the tools it may call.
//!
//! ```yaml
//! tokens:
//!   - name: ci
//!     sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//!     tools: all
//!     exclude: [web_fetch]
//!   - name: notebook
//!     sha256: 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
//!     tools: [calc, plot_sixel]
//! ```
//!
//! A presented token is hashed and compared with every listed hash in constant time. The
//! file is read again when it changes, so `toolhost token new` and removing a line take
//! effect without a restart.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::caller::{Caller, CallerKind};
use super::permissions::ToolPermissions;

/// What a new token starts with: recognisable in a leaked log or a secret scanner.
pub const TOKEN_PREFIX: &str = "th_";
/// Longest token name (it appears in every log line of the caller's calls).
const MAX_NAME_LEN: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error("{path}: cannot read the token file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a token file: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: token #{index} (`{name}`): {message}")]
    Entry {
        path: PathBuf,
        index: usize,
        name: String,
        message: String,
    },
    #[error("{path}: a token named `{name}` is already listed (remove its entry to replace it)")]
    Exists { path: PathBuf, name: String },
    #[error("{path}: cannot add the token: {message}")]
    Append { path: PathBuf, message: String },
    #[error("{path}: cannot write the token file: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    tokens: Vec<EntryDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDoc {
    name: String,
    sha256: String,
    tools: ToolsDoc,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ToolsDoc {
    Keyword(String),
    List(Vec<String>),
}

/// One listed token.
#[derive(Debug, Clone)]
pub struct StaticToken {
    pub name: String,
    hash: [u8; 32],
    pub permissions: ToolPermissions,
}

/// The tokens of one version of the file.
#[derive(Debug, Clone, Default)]
pub struct TokenList {
    pub tokens: Vec<StaticToken>,
}

/// Whether `name` may name a token: it is printed in logs and written into the YAML file.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(format!(
            "a token name has 1 to {MAX_NAME_LEN} characters, got {}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._@-".contains(*c)))
    {
        return Err(format!(
            "`{name}` has {c:?}; a token name uses letters, digits and . _ @ - only"
        ));
    }
    Ok(())
}

/// SHA-256 of a token, as the file keeps it.
pub fn hash_hex(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl TokenList {
    /// Parse and check the file's text. `offered` are the tools the server offers: a token
    /// naming another is a mistake worth refusing to start over.
    pub fn parse(path: &Path, text: &str, offered: &[String]) -> Result<Self, TokenFileError> {
        let doc: FileDoc = if text.trim().is_empty() {
            FileDoc { tokens: Vec::new() }
        } else {
            serde_yaml::from_str(text).map_err(|e| TokenFileError::Syntax {
                path: path.to_owned(),
                message: e.to_string(),
            })?
        };
        let mut names = BTreeSet::new();
        let mut hashes = BTreeSet::new();
        let mut tokens = Vec::with_capacity(doc.tokens.len());
        for (i, entry) in doc.tokens.into_iter().enumerate() {
            let problem = |message: String| TokenFileError::Entry {
                path: path.to_owned(),
                index: i + 1,
                name: entry.name.clone(),
                message,
            };
            check_name(&entry.name).map_err(problem)?;
            if !names.insert(entry.name.clone()) {
                return Err(problem("another token has this name".into()));
            }
            let hash = parse_hash(&entry.sha256).map_err(problem)?;
            if !hashes.insert(hash) {
                return Err(problem(
                    "its sha256 is another token's too: each token must be unique".into(),
                ));
            }
            let permissions = match &entry.tools {
                ToolsDoc::Keyword(k) if k == "all" => ToolPermissions::all(),
                ToolsDoc::Keyword(k) => {
                    return Err(problem(format!(
                        "tools: expected `all` or a list of tool names, got `{k}`"
                    )));
                }
                ToolsDoc::List(names) => ToolPermissions::only(names.iter().cloned()),
            }
            .excluding(entry.exclude.iter().cloned());
            if let Some(unknown) = permissions
                .names()
                .find(|n| !offered.iter().any(|o| o == n))
            {
                let hint = crate::suggest::closest(unknown, offered.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(problem(format!(
                    "names an unknown tool `{unknown}`{hint}; the server offers: {}",
                    offered.join(", ")
                )));
            }
            tokens.push(StaticToken {
                name: entry.name,
                hash,
                permissions,
            });
        }
        Ok(TokenList { tokens })
    }

    pub fn read(path: &Path, offered: &[String]) -> Result<Self, TokenFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text, offered)
    }

    /// The caller `presented` proves, if it is a listed token. Every listed hash is
    /// compared, in constant time, whether or not an earlier one matched.
    pub fn verify(&self, presented: &str) -> Option<Caller> {
        let hash: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for token in &self.tokens {
            if bool::from(token.hash.ct_eq(&hash)) {
                found = Some(token);
            }
        }
        found.map(|t| Caller {
            name: t.name.clone(),
            kind: CallerKind::StaticToken,
            permissions: t.permissions.clone(),
        })
    }
}

fn parse_hash(text: &str) -> Result<[u8; 32], String> {
    let bad = || {
        format!(
            "sha256: expected 64 hex digits (the SHA-256 of the token, as `toolhost token new` \
             writes it), got {} characters",
            text.len()
        )
    };
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

/// The token file as the server serves it: read again when its modification time changes.
/// A version that does not parse is refused with an error in the log, and the last good
/// one stays in force.
#[derive(Debug)]
pub struct TokenStore {
    path: PathBuf,
    offered: Vec<String>,
    current: RwLock<(Option<SystemTime>, TokenList)>,
}

impl TokenStore {
    pub fn open(path: PathBuf, offered: Vec<String>) -> Result<Self, TokenFileError> {
        let modified = modified(&path);
        let list = TokenList::read(&path, &offered)?;
        Ok(TokenStore {
            path,
            offered,
            current: RwLock::new((modified, list)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many tokens are listed now.
    pub fn listed(&self) -> usize {
        self.current.read().expect("token lock").1.tokens.len()
    }

    pub fn verify(&self, presented: &str) -> Option<Caller> {
        self.reload_if_changed();
        self.current.read().expect("token lock").1.verify(presented)
    }

    fn reload_if_changed(&self) {
        let now = modified(&self.path);
        if now == self.current.read().expect("token lock").0 {
            return;
        }
        match TokenList::read(&self.path, &self.offered) {
            Ok(list) => {
                tracing::info!(
                    "auth: {} changed; {} tokens now",
                    self.path.display(),
                    list.tokens.len()
                );
                *self.current.write().expect("token lock") = (now, list);
            }
            Err(e) => {
                tracing::error!("auth: keeping the previous tokens: {e}");
                // Not retried until the file changes again.
                self.current.write().expect("token lock").0 = now;
            }
        }
    }
}

/// A token just made: shown once, then only its hash is kept.
#[derive(Debug)]
pub struct NewToken {
    pub token: String,
    pub sha256: String,
}

/// What a new file starts with.
const FILE_HEADER: &str = "\
# Bearer tokens for `toolhost mcp --http --auth-tokens FILE`. Only each token's SHA-256
# is kept here; `toolhost token new NAME` makes a token and appends its entry.
# tools: `all` or a list of tool names; exclude: tools never allowed.
tokens:
";

/// Make a random token for `name` and append its entry to the file at `path` (created if
/// missing): the file keeps its comments, and is replaced whole (never half-written).
pub fn add_token(
    path: &Path,
    name: &str,
    tools: Option<&[String]>,
    exclude: &[String],
    offered: &[String],
) -> Result<NewToken, TokenFileError> {
    check_name(name).map_err(|message| TokenFileError::Append {
        path: path.to_owned(),
        message,
    })?;
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(TokenFileError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let listed = TokenList::parse(path, &existing, offered)?;
    if listed.tokens.iter().any(|t| t.name == name) {
        return Err(TokenFileError::Exists {
            path: path.to_owned(),
            name: name.to_owned(),
        });
    }
    use base64::Engine as _;
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    );
    let sha256 = hash_hex(&token);
    let quoted = |names: &[String]| {
        let items: Vec<String> = names
            .iter()
            .map(|n| Value::from(n.as_str()).to_string())
            .collect();
        format!("[{}]", items.join(", "))
    };
    let mut entry = format!("  - name: {name}\n    sha256: {sha256}\n");
    match tools {
        None => entry.push_str("    tools: all\n"),
        Some(list) => entry.push_str(&format!("    tools: {}\n", quoted(list))),
    }
    if !exclude.is_empty() {
        entry.push_str(&format!("    exclude: {}\n", quoted(exclude)));
    }
    let mut text = if existing.trim().is_empty() {
        FILE_HEADER.to_owned()
    } else {
        existing
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry);
    // The entry is appended as text to keep the file's comments: check that it landed
    // in the `tokens:` list (the entry's own mistakes, such as an unknown tool, too).
    let check = TokenList::parse(path, &text, offered)?;
    if check.verify(&token).is_none_or(|c| c.name != name) {
        return Err(TokenFileError::Append {
            path: path.to_owned(),
            message: "`tokens:` must be the file's last key, as a block list".into(),
        });
    }
    write_private(path, &text)?;
    Ok(NewToken { token, sha256 })
}

/// Replace `path` with `text` through a temporary file beside it, readable by its owner
/// only.
fn write_private(path: &Path, text: &str) -> Result<(), TokenFileError> {
    let failed = |source| TokenFileError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered() -> Vec<String> {
        ["calc", "echo", "run_python"].map(String::from).to_vec()
    }

    #[test]
    fn a_listed_token_is_its_caller_and_others_are_not() {
        let text = format!(
            "tokens:\n  - name: ci\n    sha256: {}\n    tools: [calc]\n  - name: all\n    sha256: {}\n    tools: all\n    exclude: [echo]\n",
            hash_hex("th_one"),
            hash_hex("th_two")
        );
        let list = TokenList::parse(Path::new("t.yaml"), &text, &offered()).unwrap();
        let ci = list.verify("th_one").unwrap();
        assert_eq!(ci.name, "ci");
        assert!(ci.allows("calc") && !ci.allows("echo"));
        let all = list.verify("th_two").unwrap();
        assert!(all.allows("run_python") && !all.allows("echo"));
        assert!(list.verify("th_three").is_none());
        assert!(list.verify("").is_none());
    }

    #[test]
    fn mistakes_in_the_file_name_the_token_and_field() {
        let parse = |text: &str| {
            TokenList::parse(Path::new("t.yaml"), text, &offered())
                .unwrap_err()
                .to_string()
        };
        let h = hash_hex("x");
        let e = parse(&format!(
            "tokens:\n  - name: a\n    sha256: {h}\n    tools: [calk]\n"
        ));
        assert!(
            e.contains("token #1 (`a`)") && e.contains("did you mean `calc`"),
            "{e}"
        );
        let e = parse("tokens:\n  - name: a\n    sha256: abc\n    tools: all\n");
        assert!(e.contains("64 hex digits"), "{e}");
        let e = parse(&format!(
            "tokens:\n  - name: a\n    sha256: {h}\n    tools: some\n"
        ));
        assert!(e.contains("expected `all` or a list"), "{e}");
        let e = parse(&format!(
            "tokens:\n  - name: a\n    sha256: {h}\n    tools: all\n  - name: a\n    sha256: {}\n    tools: all\n",
            hash_hex("y")
        ));
        assert!(e.contains("another token has this name"), "{e}");
        let e = parse(&format!(
            "tokens:\n  - name: a\n    token: th_x\n    sha256: {h}\n    tools: all\n"
        ));
        assert!(e.contains("unknown field `token`"), "{e}");
    }

    #[test]
    fn a_new_token_is_appended_by_hash_and_keeps_the_files_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.yaml");
        let first = add_token(&path, "ci", None, &["echo".into()], &offered()).unwrap();
        assert!(first.token.starts_with(TOKEN_PREFIX) && first.token.len() > 40);
        let second = add_token(&path, "nb", Some(&["calc".into()]), &[], &offered()).unwrap();
        assert_ne!(first.token, second.token);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Bearer tokens"), "{text}");
        assert!(!text.contains(&first.token) && text.contains(&first.sha256));
        let list = TokenList::read(&path, &offered()).unwrap();
        let ci = list.verify(&first.token).unwrap();
        assert!(ci.allows("calc") && !ci.allows("echo"));
        let nb = list.verify(&second.token).unwrap();
        assert!(nb.allows("calc") && !nb.allows("run_python"));
        let again = add_token(&path, "ci", None, &[], &offered()).unwrap_err();
        assert!(matches!(again, TokenFileError::Exists { .. }), "{again}");
        let unknown = add_token(&path, "x", Some(&["calk".into()]), &[], &offered());
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("did you mean `calc`")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn token_names_are_plain() {
        assert!(check_name("ci-bot.prod@team_1").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("a\"b").is_err());
    }
}
