//! Outbound HTTP (wasi-http) for tools whose registry entry grants network hosts. The
//! policy lives here, in the host, in wasi-http's `send_request` hook: every request —
//! every redirect hop the guest follows is a new request — is checked against the grants,
//! its addresses are vetted after the host resolves them, and its response bodies are
//! counted against the call's `max_response_bytes`. Nothing the guest says is trusted.

mod address;
mod body;
mod connect;
mod ledger;
mod policy;

use std::sync::Arc;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, TlsAlertReceivedPayload};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

pub use ledger::Violation;

use body::ResponseBudget;
use ledger::NetworkLedger;
use policy::NetworkPolicy;

/// One call's network state, shared with the tasks that carry its requests.
struct CallNetwork {
    policy: NetworkPolicy,
    ledger: NetworkLedger,
    budget: Arc<ResponseBudget>,
    deadline: tokio::time::Instant,
}

/// The wasi-http hooks of one call. A tool without network grants is not linked with
/// wasi:http at all, so its calls allocate nothing here.
pub struct OutboundHttp {
    call: Option<Arc<CallNetwork>>,
}

impl OutboundHttp {
    pub fn new(
        rules: &[crate::registry::NetworkRule],
        max_response_bytes: u64,
        deadline: tokio::time::Instant,
    ) -> Self {
        let call = (!rules.is_empty()).then(|| {
            Arc::new(CallNetwork {
                policy: NetworkPolicy::new(rules.to_vec()),
                ledger: NetworkLedger::default(),
                budget: Arc::new(ResponseBudget::new(max_response_bytes)),
                deadline,
            })
        });
        OutboundHttp { call }
    }

    /// The first rule the host enforced during the call.
    pub fn violation(&self) -> Option<Violation> {
        self.call.as_ref().and_then(|c| c.ledger.violation())
    }

    /// The host's notes of the call's requests.
    pub fn take_notes(&self) -> Vec<String> {
        self.call
            .as_ref()
            .map(|c| c.ledger.take_notes())
            .unwrap_or_default()
    }
}

impl WasiHttpHooks for OutboundHttp {
    /// A certificate the roots do not vouch for is a certificate error, not a protocol one:
    /// the guest's message then says what is wrong.
    fn p2_error_from_tls(&mut self, err: &std::io::Error) -> ErrorCode {
        match err
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>())
        {
            Some(rustls::Error::InvalidCertificate(_)) => ErrorCode::TlsCertificateError,
            Some(rustls::Error::AlertReceived(alert)) => {
                ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
                    alert_id: Some(u8::from(*alert)),
                    alert_message: Some(format!("{alert:?}")),
                })
            }
            _ => ErrorCode::TlsProtocolError,
        }
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _request_errors: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = Result<connect::Sent, Error>> + Send> {
        match &self.call {
            Some(call) => Box::new(connect::send(call.clone(), request, options)),
            // Deny by default (and unreachable: such a tool has no wasi:http to call).
            None => Box::new(async { Err(Error::HttpRequestDenied) }),
        }
    }
}
