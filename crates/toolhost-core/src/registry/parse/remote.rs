//! Entries whose component is fetched over the network: `component: oci://…` (pinned by
//! `digest:` and `sha256:`, optionally `verify: { key }`) and `component: https://…`
//! (pinned by `sha256:`). An unpinned remote entry is refused: what runs must never
//! change because a tag moved or a server changed a file.

use serde::Deserialize;
use std::path::Path;

use super::super::ComponentSource;
use super::super::SignatureKey;
use super::super::remote::{is_manifest_digest, oci_reference_problem};
use super::{Checker, Seg};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVerify {
    /// A cosign/sigstore public key (PEM), relative to the registry file.
    key: String,
}

impl Checker {
    /// `Some` when `text` names a remote component: the source, or `None` after recording
    /// why it is not one.
    pub(super) fn remote_component(
        &mut self,
        text: &str,
        at: &[Seg],
    ) -> Option<Option<ComponentSource>> {
        if text.starts_with("oci://") {
            if let Some(problem) = oci_reference_problem(text) {
                self.problem(at, problem);
                return Some(None);
            }
            return Some(Some(ComponentSource::Oci(text.to_owned())));
        }
        if text.starts_with("https://") || text.starts_with("http://") {
            return Some(Some(ComponentSource::Url(text.to_owned())));
        }
        None
    }

    /// The entry's `digest:` and `verify:`, checked against its kind of component.
    pub(super) fn remote_pins(
        &mut self,
        component: Option<&ComponentSource>,
        has_sha256: bool,
        digest: Option<String>,
        verify: Option<RawVerify>,
        base_dir: &Path,
        tool: usize,
    ) -> (Option<String>, Option<SignatureKey>) {
        let at = |key: &'static str| [Seg::Key("tools"), Seg::Index(tool), Seg::Key(key)];
        let is_oci = matches!(component, Some(ComponentSource::Oci(_)));
        if component.is_some_and(ComponentSource::is_remote) && !has_sha256 {
            self.problem(
                &at("component"),
                "a component fetched over the network needs a `sha256:` pin (`toolhost add` \
                 writes it)"
                    .to_owned(),
            );
        }
        let digest = match digest {
            Some(_) if !is_oci => {
                self.problem(
                    &at("digest"),
                    "`digest` pins an OCI manifest: it belongs to `component: oci://…` entries"
                        .to_owned(),
                );
                None
            }
            Some(d) if !is_manifest_digest(&d) => {
                self.problem(
                    &at("digest"),
                    format!(
                        "invalid manifest digest `{d}`: expected `sha256:` and 64 lowercase \
                         hexadecimal digits"
                    ),
                );
                None
            }
            Some(d) => Some(d),
            None if is_oci => {
                self.problem(
                    &at("component"),
                    "an oci:// component needs a `digest:` pin (the manifest's `sha256:…`; \
                     `toolhost add` writes it): a tag alone may move"
                        .to_owned(),
                );
                None
            }
            None => None,
        };
        let verify = verify.and_then(|raw| {
            if !is_oci {
                self.problem(
                    &at("verify"),
                    "signatures are checked on OCI artifacts: `verify` belongs to \
                     `component: oci://…` entries"
                        .to_owned(),
                );
                return None;
            }
            let key = base_dir.join(&raw.key);
            match std::fs::metadata(&key) {
                Ok(m) if m.is_file() => Some(SignatureKey { key }),
                Ok(_) => {
                    self.problem(
                        &at("verify"),
                        format!("verify key `{}` is not a file", key.display()),
                    );
                    None
                }
                Err(e) => {
                    self.problem(
                        &at("verify"),
                        format!(
                            "verify key `{}` cannot be read: {e} (paths are relative to the \
                             registry file)",
                            key.display()
                        ),
                    );
                    None
                }
            }
        });
        (digest, verify)
    }
}

#[cfg(test)]
mod tests {
    use crate::registry::{ComponentSource, parse_str};

    const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const SHA: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn parse(dir: &std::path::Path, tool: &str) -> Result<crate::registry::ToolRegistry, String> {
        let text = format!("builtins: none\ntools:\n{tool}");
        parse_str(&text, Some(&dir.join("tool_registry.yaml"))).map_err(|e| e.to_string())
    }

    #[test]
    fn a_pinned_oci_entry_with_a_key_loads_without_the_network() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cosign.pub"), "key").unwrap();
        let registry = parse(
            dir.path(),
            &format!(
                "  - name: echo\n    component: oci://127.0.0.1:5000/tools/echo:1.0\n    \
                 digest: {DIGEST}\n    sha256: {SHA}\n    verify: {{ key: cosign.pub }}\n"
            ),
        )
        .unwrap();
        let entry = registry.get("echo").unwrap();
        assert_eq!(
            entry.component,
            ComponentSource::Oci("oci://127.0.0.1:5000/tools/echo:1.0".into())
        );
        assert_eq!(entry.digest.as_deref(), Some(DIGEST));
        assert_eq!(
            entry.verify.as_ref().unwrap().key,
            dir.path().join("cosign.pub")
        );
        assert_eq!(entry.positions.digest.map(|p| p.line), Some(5));
    }

    #[test]
    fn unpinned_remote_entries_are_refused_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let e = parse(
            dir.path(),
            "  - name: echo\n    component: oci://host/tools/echo:1.0\n",
        )
        .unwrap_err();
        assert!(e.contains("tool_registry.yaml:4:16"), "{e}");
        assert!(e.contains("needs a `sha256:` pin"), "{e}");
        assert!(e.contains("needs a `digest:` pin"), "{e}");
        let e = parse(
            dir.path(),
            "  - name: echo\n    component: https://example.com/echo.wasm\n",
        )
        .unwrap_err();
        assert!(e.contains("needs a `sha256:` pin"), "{e}");
    }

    #[test]
    fn digest_and_verify_belong_to_oci_entries_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("echo.wasm"), "x").unwrap();
        let e = parse(
            dir.path(),
            &format!(
                "  - name: echo\n    component: echo.wasm\n    digest: {DIGEST}\n    \
                 verify: {{ key: nope.pub }}\n"
            ),
        )
        .unwrap_err();
        assert!(e.contains(":5:13: `digest` pins an OCI manifest"), "{e}");
        assert!(e.contains(":6:"), "{e}");
        assert!(e.contains("signatures are checked on OCI artifacts"), "{e}");
        let e = parse(
            dir.path(),
            &format!(
                "  - name: echo\n    component: oci://h/echo:1\n    digest: sha256:XYZ\n    \
                 sha256: {SHA}\n    verify: {{ key: missing.pub }}\n"
            ),
        )
        .unwrap_err();
        assert!(e.contains("invalid manifest digest `sha256:XYZ`"), "{e}");
        assert!(e.contains("verify key"), "{e}");
        assert!(e.contains("missing.pub"), "{e}");
    }
}
