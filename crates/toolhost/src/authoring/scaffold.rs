//! `toolhost new`: a plugin crate that builds for wasm32-wasip2 with the SDK and passes its
//! own tests as it is: a typed input (schema derived), a `call`, unit tests.

use std::path::{Path, PathBuf};

use super::sdk::SdkLocation;
use super::{AuthoringError, check_tool_name};

const CARGO_TOML: &str = include_str!("template/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("template/lib.rs.tmpl");
const TOOLCHAIN: &str = include_str!("template/rust-toolchain.toml.tmpl");
const GITIGNORE: &str = include_str!("template/gitignore.tmpl");
const README: &str = include_str!("template/README.md.tmpl");
/// The toolchain toolhost is built with; a scaffold uses the same.
const HOST_TOOLCHAIN: &str = include_str!("../../../../rust-toolchain.toml");
const GUIDE: &str = "docs/writing-a-tool.md in the toolhost source tree";

/// A crate written by [`create`].
#[derive(Debug, Clone)]
pub struct Scaffold {
    pub name: String,
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

/// Write a new tool crate called `name` into `dir`, which must not exist yet.
pub fn create(name: &str, dir: &Path, sdk: &SdkLocation) -> Result<Scaffold, AuthoringError> {
    check_tool_name(name)?;
    if dir.exists() {
        return Err(AuthoringError::DirectoryExists(dir.to_path_buf()));
    }
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{type}}", &type_name(name))
            .replace("{{sdk}}", &toml_escape(&sdk.dir.display().to_string()))
            .replace("{{channel}}", host_channel())
            .replace("{{guide}}", GUIDE)
    };
    let mut files: Vec<(&str, String)> = vec![
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/lib.rs", fill(LIB_RS)),
        ("rust-toolchain.toml", fill(TOOLCHAIN)),
        (".gitignore", fill(GITIGNORE)),
        ("README.md", fill(README)),
    ];
    if let Some(lock) = &sdk.lockfile {
        // Cargo drops the entries this crate does not use and keeps the versions of those
        // it does: the ones the SDK is built and tested with.
        let text = std::fs::read_to_string(lock)
            .map_err(AuthoringError::io(format!("read {}", lock.display())))?;
        files.push(("Cargo.lock", text));
    }
    std::fs::create_dir_all(dir.join("src"))
        .map_err(AuthoringError::io(format!("create {}", dir.display())))?;
    let mut written = Vec::new();
    for (relative, text) in files {
        let path = dir.join(relative);
        std::fs::write(&path, text)
            .map_err(AuthoringError::io(format!("write {}", path.display())))?;
        written.push(path);
    }
    Ok(Scaffold {
        name: name.to_owned(),
        dir: dir.to_path_buf(),
        files: written,
    })
}

/// `word-count` → `WordCount`: the tool's type in the generated code.
fn type_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn host_channel() -> &'static str {
    HOST_TOOLCHAIN
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "channel").then(|| value.trim().trim_matches('"'))
        })
        .unwrap_or("stable")
}

fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_camel_case() {
        assert_eq!(type_name("word_count"), "WordCount");
        assert_eq!(type_name("fft-2d"), "Fft2d");
        assert_eq!(type_name("calc"), "Calc");
    }

    #[test]
    fn the_scaffold_names_the_host_toolchain_and_the_sdk() {
        let tmp = std::env::temp_dir().join(format!("toolhost-scaffold-{}", std::process::id()));
        let sdk = SdkLocation {
            dir: PathBuf::from("/opt/toolhost/guest/sdk"),
            lockfile: None,
        };
        let made = create("word-count", &tmp.join("wc"), &sdk).unwrap();
        let read = |f: &str| std::fs::read_to_string(made.dir.join(f)).unwrap();
        assert!(
            read("Cargo.toml").contains(r#"toolhost-sdk = { path = "/opt/toolhost/guest/sdk" }"#)
        );
        assert!(read("src/lib.rs").contains("toolhost_sdk::export_tool!(WordCount);"));
        let toolchain = read("rust-toolchain.toml");
        assert!(toolchain.contains(&format!("channel = \"{}\"", host_channel())));
        assert!(toolchain.contains("wasm32-wasip2"));
        let again = create("word-count", &tmp.join("wc"), &sdk).unwrap_err();
        assert!(matches!(again, AuthoringError::DirectoryExists(_)));
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
