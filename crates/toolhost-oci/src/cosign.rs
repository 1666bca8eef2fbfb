//! Cosign key-pair signatures, in cosign's own OCI layout so `cosign sign --key` and
//! `cosign verify --key` interoperate: the signature of manifest `sha256:HEX` is an image
//! tagged `sha256-HEX.sig` in the same repository; each of its layers is a "simple
//! signing" payload naming the manifest digest, with the base64 signature of that payload
//! in the layer's `dev.cosignproject.cosign/signature` annotation. The keys and the
//! cryptography are sigstore's.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, SigStoreSigner, SigningScheme};
use std::path::Path;

use toolhost_core::{ErrorCode, ToolError};

/// The media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation holding the payload's base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const PAYLOAD_TYPE: &str = "cosign container image signature";

/// The tag cosign stores the signatures of manifest `digest` under.
pub fn signature_tag(digest: &str) -> String {
    digest.replace(':', "-") + ".sig"
}

/// One signature as found in the registry (and kept in the cache): the exact payload bytes
/// and the base64 signature over them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredSignature {
    /// The payload, base64 (it is JSON, but its exact bytes are what was signed).
    pub payload: String,
    pub signature: String,
}

/// Cosign's simple-signing payload.
#[derive(Debug, Serialize, Deserialize)]
struct SimpleSigning {
    critical: Critical,
    optional: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Critical {
    identity: Identity,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// The payload that signs manifest `digest` of `repository` (`HOST/REPO`).
pub fn payload(repository: &str, digest: &str) -> Vec<u8> {
    let payload = SimpleSigning {
        critical: Critical {
            identity: Identity {
                docker_reference: repository.to_owned(),
            },
            image: Image {
                docker_manifest_digest: digest.to_owned(),
            },
            kind: PAYLOAD_TYPE.to_owned(),
        },
        optional: None,
    };
    serde_json::to_vec(&payload).expect("the payload serialises")
}

/// A private key read for signing: cosign's encrypted PEM (`cosign generate-key-pair`; the
/// password from `COSIGN_PASSWORD`, as cosign reads it) or an unencrypted PKCS#8 PEM.
pub fn load_signer(path: &Path) -> Result<SigStoreSigner, ToolError> {
    let bad = |why: String| {
        ToolError::new(
            ErrorCode::InvalidInput,
            format!("signing key {}: {why}", path.display()),
        )
    };
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let text = String::from_utf8_lossy(&pem);
    let pair = if text.contains("ENCRYPTED") {
        let password = std::env::var("COSIGN_PASSWORD").unwrap_or_default();
        SigStoreKeyPair::from_encrypted_pem(&pem, password.as_bytes()).map_err(|e| {
            bad(format!(
                "cannot decrypt it ({e}); its password is read from COSIGN_PASSWORD"
            ))
        })?
    } else {
        SigStoreKeyPair::from_pem(&pem).map_err(|e| bad(format!("not a private key: {e}")))?
    };
    [
        SigningScheme::ECDSA_P256_SHA256_ASN1,
        SigningScheme::ECDSA_P384_SHA384_ASN1,
        SigningScheme::ECDSA_P521_SHA512_ASN1,
        SigningScheme::ED25519,
        SigningScheme::RSA_PKCS1_SHA256(0),
    ]
    .iter()
    .find_map(|scheme| pair.to_sigstore_signer(scheme).ok())
    .ok_or_else(|| bad(format!("no signing scheme for this {pair}")))
}

/// Signs `payload`: the base64 signature cosign stores.
pub fn sign(signer: &SigStoreSigner, payload: &[u8]) -> Result<String, ToolError> {
    let raw = signer
        .sign(payload)
        .map_err(|e| ToolError::new(ErrorCode::Internal, format!("signing failed: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(raw))
}

/// Checks that one of `signatures` was made by the key at `key_path` and names manifest
/// `digest`. None at all is `signature_missing`; none valid is `signature_invalid`.
pub fn verify(
    key_path: &Path,
    digest: &str,
    signatures: &[StoredSignature],
) -> Result<(), ToolError> {
    let pem = std::fs::read(key_path).map_err(|e| {
        ToolError::new(
            ErrorCode::Registry,
            format!("cannot read verify key {}: {e}", key_path.display()),
        )
    })?;
    let key = CosignVerificationKey::try_from_pem(&pem).map_err(|e| {
        ToolError::new(
            ErrorCode::Registry,
            format!(
                "verify key {} is not a public key cosign can use: {e}",
                key_path.display()
            ),
        )
    })?;
    if signatures.is_empty() {
        return Err(ToolError::new(
            ErrorCode::SignatureMissing,
            format!(
                "manifest {digest} has no signature (the entry requires one made with {}; \
                 sign with `toolhost publish --sign KEY` or `cosign sign --key`)",
                key_path.display()
            ),
        ));
    }
    let mut why = Vec::new();
    for stored in signatures {
        match check_one(&key, digest, stored) {
            Ok(()) => return Ok(()),
            Err(e) => why.push(e),
        }
    }
    Err(ToolError::new(
        ErrorCode::SignatureInvalid,
        format!(
            "no signature of manifest {digest} verifies with {}: {}",
            key_path.display(),
            why.join("; ")
        ),
    ))
}

fn check_one(
    key: &CosignVerificationKey,
    digest: &str,
    stored: &StoredSignature,
) -> Result<(), String> {
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&stored.payload)
        .map_err(|e| format!("payload is not base64: {e}"))?;
    key.verify_signature(
        sigstore::crypto::Signature::Base64Encoded(stored.signature.as_bytes()),
        &payload,
    )
    .map_err(|_| "signature does not match the key".to_owned())?;
    let signed: SimpleSigning = serde_json::from_slice(&payload)
        .map_err(|e| format!("signed payload is not a cosign payload: {e}"))?;
    if signed.critical.kind != PAYLOAD_TYPE {
        return Err(format!(
            "signed payload has type `{}`",
            signed.critical.kind
        ));
    }
    if signed.critical.image.docker_manifest_digest != digest {
        return Err(format!(
            "the signature is for manifest {}",
            signed.critical.image.docker_manifest_digest
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_pair(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let signer = SigningScheme::ECDSA_P256_SHA256_ASN1
            .create_signer()
            .unwrap();
        let pair = signer.to_sigstore_keypair().unwrap();
        let private = dir.join("key.pem");
        let public = dir.join("key.pub");
        std::fs::write(&private, pair.private_key_to_pem().unwrap().as_bytes()).unwrap();
        std::fs::write(&public, pair.public_key_to_pem().unwrap()).unwrap();
        (private, public)
    }

    fn signed(private: &Path, payload: &[u8]) -> StoredSignature {
        StoredSignature {
            payload: base64::engine::general_purpose::STANDARD.encode(payload),
            signature: sign(&load_signer(private).unwrap(), payload).unwrap(),
        }
    }

    #[test]
    fn a_signature_verifies_only_with_its_key_and_for_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = key_pair(dir.path());
        let other = tempfile::tempdir().unwrap();
        let (_, other_public) = key_pair(other.path());
        let digest = format!("sha256:{}", "a".repeat(64));
        let good = signed(&private, &payload("127.0.0.1:5000/tools/echo", &digest));

        verify(&public, &digest, std::slice::from_ref(&good)).unwrap();
        let e = verify(&other_public, &digest, std::slice::from_ref(&good)).unwrap_err();
        assert_eq!(e.code, ErrorCode::SignatureInvalid, "{e}");
        let e = verify(&public, &format!("sha256:{}", "b".repeat(64)), &[good]).unwrap_err();
        assert_eq!(e.code, ErrorCode::SignatureInvalid, "{e}");
        assert!(e.message.contains("the signature is for manifest"), "{e}");
        let e = verify(&public, &digest, &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::SignatureMissing, "{e}");
    }

    #[test]
    fn encrypted_cosign_keys_are_read_with_cosign_password() {
        let dir = tempfile::tempdir().unwrap();
        let pair = SigningScheme::ECDSA_P256_SHA256_ASN1
            .create_signer()
            .unwrap()
            .to_sigstore_keypair()
            .unwrap();
        let path = dir.path().join("cosign.key");
        std::fs::write(
            &path,
            pair.private_key_to_encrypted_pem(b"hunter2")
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
        // SAFETY: this test is the only one in the crate that touches COSIGN_PASSWORD.
        unsafe { std::env::set_var("COSIGN_PASSWORD", "wrong") };
        let e = load_signer(&path).unwrap_err();
        assert!(e.message.contains("COSIGN_PASSWORD"), "{e}");
        unsafe { std::env::set_var("COSIGN_PASSWORD", "hunter2") };
        load_signer(&path).unwrap();
    }

    #[test]
    fn signatures_live_at_cosigns_tag() {
        assert_eq!(
            signature_tag(&format!("sha256:{}", "c".repeat(64))),
            format!("sha256-{}.sig", "c".repeat(64))
        );
    }
}
