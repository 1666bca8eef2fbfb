//! `toolhost publish`: a component pushed in the CNCF Wasm OCI layout (oci-wasm's config:
//! its WIT exports and imports, versions included), annotated with the tool's name,
//! version and description, and optionally signed in cosign's layout.

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciImageManifest};
use oci_wasm::{WasmClient, WasmConfig};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

use toolhost_core::{ErrorCode, ToolError};

use crate::client::{OciReference, auth, client_for, oci_error};
use crate::cosign::{self, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE};
use crate::pull::wasm_layer;

/// What a published artifact says about the tool (OCI's standard annotations).
#[derive(Debug, Clone, Default)]
pub struct ToolMetadata {
    pub title: String,
    pub version: Option<String>,
    pub description: Option<String>,
}

/// A pushed component.
#[derive(Debug, Clone)]
pub struct Published {
    /// The manifest digest (`sha256:HEX`): what `toolhost add` pins.
    pub digest: String,
    /// The component's sha256 (hex).
    pub sha256: String,
    /// The WIT package toolhost's contract was found under (`toolhost:tool@X.Y.Z`).
    pub contract: Option<String>,
    pub signed: bool,
}

/// Pushes `wasm` to `target` (which must carry a tag), then signs the manifest with the
/// private key at `sign_key` when one is given.
pub async fn publish(
    wasm: Vec<u8>,
    target: &OciReference,
    meta: &ToolMetadata,
    sign_key: Option<&Path>,
) -> Result<Published, ToolError> {
    // The key is read before anything is pushed: a wrong password must not leave an
    // unsigned artifact behind.
    let signer = sign_key.map(cosign::load_signer).transpose()?;
    let image = &target.reference;
    if image.digest().is_some() {
        return Err(ToolError::new(
            ErrorCode::InvalidInput,
            format!(
                "publish to a tag (oci://HOST/REPO:TAG), not a digest: {}",
                target.text
            ),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&wasm));
    let (mut config, layer) = WasmConfig::from_raw_component(wasm, None).map_err(|e| {
        ToolError::new(
            ErrorCode::ContractMismatch,
            format!("not a WebAssembly component: {e:#}"),
        )
    })?;
    let contract = config.component.as_mut().and_then(|c| {
        let package = c
            .exports
            .iter()
            .find_map(|e| e.strip_prefix("toolhost:tool/"))
            .and_then(|iface| iface.split_once('@'))
            .map(|(_, version)| format!("toolhost:tool@{version}"));
        c.target.clone_from(&package);
        package
    });
    let mut annotations = BTreeMap::new();
    annotations.insert(
        "org.opencontainers.image.title".to_owned(),
        one_line(&meta.title),
    );
    if let Some(version) = &meta.version {
        annotations.insert(
            "org.opencontainers.image.version".to_owned(),
            one_line(version),
        );
    }
    if let Some(description) = &meta.description {
        // The summary: the first paragraph.
        let summary = description.split("\n\n").next().unwrap_or_default();
        annotations.insert(
            "org.opencontainers.image.description".to_owned(),
            one_line(summary),
        );
    }
    let client = WasmClient::new(client_for(image));
    let config_annotations: BTreeMap<String, String> = contract
        .iter()
        .map(|c| ("dev.toolhost.contract".to_owned(), c.clone()))
        .collect();
    client
        .push(
            image,
            &auth(),
            layer,
            config.with_annotations(config_annotations),
            Some(annotations),
        )
        .await
        .map_err(|e| push_error(&target.text, e))?;
    let digest = client
        .fetch_manifest_digest(image, &auth())
        .await
        .map_err(|e| oci_error(&format!("cannot read back {}", target.text), e))?;
    // Sign only what was pushed: the manifest at that digest must hold this component.
    let (manifest, _) = client
        .pull_manifest_raw(&target.at_digest(&digest), &auth(), &[OCI_IMAGE_MEDIA_TYPE])
        .await
        .map_err(|e| oci_error(&format!("cannot read back {}", target.text), e))?;
    if wasm_layer(&manifest, &target.text)? != format!("sha256:{sha256}") {
        return Err(ToolError::new(
            ErrorCode::DigestMismatch,
            format!(
                "{} changed while it was being published (another push?); nothing was signed",
                target.text
            ),
        ));
    }
    if let Some(signer) = &signer {
        push_signature(target, &digest, signer).await?;
    }
    Ok(Published {
        digest,
        sha256,
        contract,
        signed: signer.is_some(),
    })
}

/// Pushes the cosign signature image for manifest `digest`.
async fn push_signature(
    target: &OciReference,
    digest: &str,
    signer: &sigstore::crypto::SigStoreSigner,
) -> Result<(), ToolError> {
    let payload = cosign::payload(&target.repository(), digest);
    let signature = cosign::sign(signer, &payload)?;
    let layer = ImageLayer::new(
        payload.clone(),
        SIMPLE_SIGNING_MEDIA_TYPE.to_owned(),
        Some(BTreeMap::from([(
            SIGNATURE_ANNOTATION.to_owned(),
            signature,
        )])),
    );
    let payload_digest = format!("sha256:{}", hex::encode(Sha256::digest(&payload)));
    // cosign's own config for a signature image.
    let config = serde_json::json!({
        "architecture": "",
        "config": {},
        "created": "0001-01-01T00:00:00Z",
        "history": [{ "created": "0001-01-01T00:00:00Z" }],
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": [payload_digest] },
    });
    let config = Config::oci_v1(serde_json::to_vec(&config).expect("json"), None);
    let layers = [layer];
    let manifest = OciImageManifest::build(&layers, &config, None);
    let image = target.at_tag(&cosign::signature_tag(digest));
    client_for(&image)
        .push(&image, &layers, config, &auth(), Some(manifest))
        .await
        .map_err(|e| oci_error(&format!("cannot push the signature of {}", target.text), e))?;
    Ok(())
}

/// `text` on one line: the client writes manifests as canonical JSON, which leaves control
/// characters unescaped, and registries (rightly) refuse such JSON.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_error(target: &str, e: anyhow::Error) -> ToolError {
    match e.downcast::<oci_client::errors::OciDistributionError>() {
        Ok(e) => oci_error(&format!("cannot push {target}"), e),
        Err(e) => ToolError::new(ErrorCode::Internal, format!("cannot push {target}: {e:#}")),
    }
}
