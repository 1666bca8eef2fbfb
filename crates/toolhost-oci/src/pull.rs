//! Pulling a component in the CNCF Wasm OCI layout (one `application/wasm` layer, a
//! `application/vnd.wasm.config.v0+json` config) and its cosign signatures. Every byte is
//! checked against the digest that names it before it is kept.

use base64::Engine;
use oci_client::Reference;
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciImageManifest};
use sha2::{Digest, Sha256};

use toolhost_core::{ErrorCode, ToolError};

use crate::client::{OciReference, auth, client_for, oci_error};
use crate::cosign::{self, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, StoredSignature};

/// A component as pulled: its manifest (exact bytes and digest) and its layer.
pub struct PulledComponent {
    pub digest: String,
    pub manifest: Vec<u8>,
    pub wasm: Vec<u8>,
    /// Lowercase hex sha256 of `wasm`.
    pub sha256: String,
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The Wasm layer's digest in `manifest`, once the manifest is checked to be a component.
pub fn wasm_layer(manifest: &[u8], shown: &str) -> Result<String, ToolError> {
    let not_wasm = |why: String| {
        ToolError::new(
            ErrorCode::ContractMismatch,
            format!("{shown} is not a Wasm component in the CNCF Wasm OCI layout: {why}"),
        )
    };
    let manifest: OciImageManifest = serde_json::from_slice(manifest)
        .map_err(|e| not_wasm(format!("its manifest does not parse ({e})")))?;
    if manifest.config.media_type != oci_wasm::WASM_MANIFEST_CONFIG_MEDIA_TYPE {
        return Err(not_wasm(format!(
            "its config is `{}`, not `{}`",
            manifest.config.media_type,
            oci_wasm::WASM_MANIFEST_CONFIG_MEDIA_TYPE
        )));
    }
    match manifest.layers.as_slice() {
        [layer] if layer.media_type == oci_wasm::WASM_LAYER_MEDIA_TYPE => Ok(layer.digest.clone()),
        layers => Err(not_wasm(format!(
            "expected one `{}` layer, found {}",
            oci_wasm::WASM_LAYER_MEDIA_TYPE,
            layers
                .iter()
                .map(|l| format!("`{}`", l.media_type))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Pulls `image` (a tag or a digest of `oci`'s repository), refusing content that does not
/// hash to its digest, and anything larger than `max_bytes`.
pub async fn pull_component(
    oci: &OciReference,
    image: &Reference,
    max_bytes: u64,
) -> Result<PulledComponent, ToolError> {
    let client = client_for(image);
    let shown = format!("oci://{}", image.whole());
    let (manifest, served_digest) = client
        .pull_manifest_raw(image, &auth(), &[OCI_IMAGE_MEDIA_TYPE])
        .await
        .map_err(|e| oci_error(&format!("cannot pull {shown}"), e))?;
    let manifest = manifest.to_vec();
    let digest = sha256_digest(&manifest);
    // The registry's header and, for a pinned pull, the pin must both be this content.
    for expected in [Some(served_digest.as_str()), image.digest()]
        .into_iter()
        .flatten()
    {
        if expected != digest {
            return Err(ToolError::new(
                ErrorCode::DigestMismatch,
                format!(
                    "the manifest {shown} served hashes to {digest}, not {expected}; it is \
                     refused"
                ),
            )
            .with_details(serde_json::json!({ "expected": expected, "actual": digest })));
        }
    }
    let layer_digest = wasm_layer(&manifest, &shown)?;
    let manifest_parsed: OciImageManifest =
        serde_json::from_slice(&manifest).expect("checked by wasm_layer");
    let layer = &manifest_parsed.layers[0];
    if layer.size < 0 || layer.size as u64 > max_bytes {
        return Err(ToolError::new(
            ErrorCode::Registry,
            format!(
                "{shown}'s component is {} bytes, over the {} MiB limit on components",
                layer.size,
                max_bytes >> 20
            ),
        ));
    }
    let mut wasm = Vec::with_capacity(layer.size as usize);
    client
        .pull_blob(&oci.at_digest(&digest), layer, &mut wasm)
        .await
        .map_err(|e| oci_error(&format!("cannot pull the component layer of {shown}"), e))?;
    let sha256 = hex::encode(Sha256::digest(&wasm));
    if format!("sha256:{sha256}") != layer_digest {
        return Err(ToolError::new(
            ErrorCode::DigestMismatch,
            format!("the component layer of {shown} hashes to sha256:{sha256}, not {layer_digest}"),
        ));
    }
    Ok(PulledComponent {
        digest,
        manifest,
        wasm,
        sha256,
    })
}

/// The cosign signatures stored for manifest `digest` (empty when there are none).
pub async fn pull_signatures(
    oci: &OciReference,
    digest: &str,
) -> Result<Vec<StoredSignature>, ToolError> {
    let image = oci.at_tag(&cosign::signature_tag(digest));
    let client = client_for(&image);
    let what = format!("the signatures of {}@{digest}", oci.repository());
    let raw = match client
        .pull_manifest_raw(&image, &auth(), &[OCI_IMAGE_MEDIA_TYPE])
        .await
    {
        Ok((raw, _)) => raw,
        Err(e) => {
            let e = oci_error(&format!("cannot pull {what}"), e);
            return match e.code {
                ErrorCode::NotFound => Ok(Vec::new()),
                _ => Err(e),
            };
        }
    };
    let manifest: OciImageManifest = serde_json::from_slice(&raw).map_err(|e| {
        ToolError::new(
            ErrorCode::SignatureInvalid,
            format!("{what} are not a cosign signature manifest: {e}"),
        )
    })?;
    let mut found = Vec::new();
    for layer in &manifest.layers {
        if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
            continue;
        }
        let Some(signature) = layer
            .annotations
            .as_ref()
            .and_then(|a| a.get(SIGNATURE_ANNOTATION))
        else {
            continue;
        };
        // Payloads are a few hundred bytes; a huge one is not a signature.
        if layer.size > 64 << 10 {
            continue;
        }
        let mut payload = Vec::new();
        client
            .pull_blob(&image, layer, &mut payload)
            .await
            .map_err(|e| oci_error(&format!("cannot pull {what}"), e))?;
        found.push(StoredSignature {
            payload: base64::engine::general_purpose::STANDARD.encode(&payload),
            signature: signature.clone(),
        });
    }
    Ok(found)
}
