//! Components at plain URLs (`toolhost add https://…/tool.wasm --sha256 HEX`): downloaded
//! within a size limit; only the sha256 pin says whether the bytes are the right ones.

use sha2::{Digest, Sha256};
use std::time::Duration;

use toolhost_core::{ErrorCode, ToolError};

/// The bytes at `url` and their sha256 (hex), refusing more than `max_bytes`.
pub async fn download(url: &str, max_bytes: u64) -> Result<(Vec<u8>, String), ToolError> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| ToolError::new(ErrorCode::Internal, format!("HTTP client: {e}")))?;
    let failed = |e: reqwest::Error| {
        let code = if e.is_connect() || e.is_timeout() || e.is_request() {
            ErrorCode::Unavailable
        } else {
            ErrorCode::Internal
        };
        ToolError::new(code, format!("cannot download {url}: {e}"))
    };
    let mut response = client.get(url).send().await.map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        let code = match status.as_u16() {
            404 | 410 => ErrorCode::NotFound,
            401 | 403 => ErrorCode::Denied,
            _ => ErrorCode::Unavailable,
        };
        return Err(ToolError::new(
            code,
            format!("cannot download {url}: the server answered {status}"),
        ));
    }
    let too_large = || {
        ToolError::new(
            ErrorCode::Registry,
            format!(
                "{url} is over the {} MiB limit on components",
                max_bytes >> 20
            ),
        )
    };
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok((bytes, sha256))
}
