//! Writing new tools: scaffold a plugin crate ([`scaffold`]), build it into a component
//! with the size profile ([`build`]), and add it to a registry ([`register`]).
//!
//! The guest SDK is not on crates.io, so a scaffold depends on it by path: the SDK of the
//! source tree this toolhost was built from ([`sdk`]), or one named with `--sdk`.

pub mod build;
mod error;
pub mod register;
pub mod scaffold;
pub mod sdk;

pub use error::AuthoringError;

/// Whether `name` can name a tool and its crate: the registry's rule for tool names, and
/// not a name Rust or cargo reserve.
pub fn check_tool_name(name: &str) -> Result<(), AuthoringError> {
    const RESERVED: &[&str] = &[
        "test",
        "core",
        "std",
        "alloc",
        "proc_macro",
        "proc-macro",
        "toolhost",
        "toolhost-sdk",
        "toolhost_sdk",
    ];
    let mut chars = name.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= 64;
    if !well_formed {
        return Err(AuthoringError::InvalidName {
            name: name.to_owned(),
            why: "expected lowercase letters, digits, `_` or `-`, starting with a letter, at \
                  most 64 characters (e.g. `word_count`)"
                .to_owned(),
        });
    }
    let crate_name = name.replace('-', "_");
    if RESERVED.contains(&name) || is_rust_keyword(&crate_name) {
        return Err(AuthoringError::InvalidName {
            name: name.to_owned(),
            why: "it is reserved by Rust or toolhost; choose another".to_owned(),
        });
    }
    Ok(())
}

fn is_rust_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::check_tool_name;

    #[test]
    fn tool_names_follow_the_registry_rule_and_avoid_reserved_words() {
        assert!(check_tool_name("word_count").is_ok());
        assert!(check_tool_name("fft-2d").is_ok());
        for bad in [
            "",
            "Word",
            "2fast",
            "has space",
            "a.b",
            "test",
            "fn",
            "self",
        ] {
            let err = check_tool_name(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }
}
