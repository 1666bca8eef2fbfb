//! What the registry says about components fetched over the network (`oci://` artifacts and
//! `https://` URLs): the pins they are loaded by and the key their signature must verify
//! with. Fetching and checking signatures is the front end's (crates/toolhost-oci); the
//! core only holds the policy.

use std::path::PathBuf;

/// `verify: { key: PATH }`: a cosign/sigstore public key (PEM). The component's OCI
/// manifest must carry a signature made with its private key, checked when the tool is
/// added and each time it is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureKey {
    /// Resolved against the registry file's directory.
    pub key: PathBuf,
}

/// Whether `text` is an OCI manifest digest as toolhost pins them: `sha256:` and 64
/// lowercase hexadecimal digits.
pub fn is_manifest_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// Why an `oci://` reference is not one: `None` when it has the shape
/// `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]` (the OCI client checks the details).
pub fn oci_reference_problem(text: &str) -> Option<String> {
    let rest = text.strip_prefix("oci://")?;
    let (host, repo) = match rest.split_once('/') {
        Some((host, repo)) if !host.is_empty() && !repo.is_empty() => (host, repo),
        _ => {
            return Some(format!(
                "`{text}` is not an OCI reference: expected oci://HOST[:PORT]/REPOSITORY:TAG"
            ));
        }
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control();
    if host.contains(bad_char) || repo.contains(bad_char) {
        return Some(format!(
            "`{text}` contains whitespace or control characters"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_digests_are_sha256_with_64_lowercase_hex_digits() {
        let hex = "ab".repeat(32);
        assert!(is_manifest_digest(&format!("sha256:{hex}")));
        assert!(!is_manifest_digest(&hex));
        assert!(!is_manifest_digest(&format!("sha256:{}", "AB".repeat(32))));
        assert!(!is_manifest_digest("sha256:abc"));
    }

    #[test]
    fn oci_references_need_a_host_and_a_repository() {
        assert_eq!(
            oci_reference_problem("oci://127.0.0.1:5000/tools/echo:1"),
            None
        );
        assert!(oci_reference_problem("oci://ghcr.io").is_some());
        assert!(oci_reference_problem("oci:///echo").is_some());
        assert!(oci_reference_problem("oci://host/a b").is_some());
    }
}
