//! Sending one outgoing request the way the policy needs it sent: the host resolves the
//! name, vets every address, connects to a vetted address itself (no second resolution can
//! slip in a different one), speaks TLS with SNI and certificate checks for the host name,
//! and keeps every step within the call's deadline.

use http_body_util::BodyExt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

use super::CallNetwork;
use super::body::MeteredBody;
use super::ledger::Violation;
use super::policy::Destination;

/// The response, and the future that drives the rest of the connection (the body).
pub type Sent = (
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), Error>> + Send>,
);

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// Which clock ran out.
enum Expired {
    /// The call's own deadline (`timeout_ms`): a violation.
    Call,
    /// A timeout the guest set in its request options: its choice, just an error.
    Guest,
}

pub async fn send(
    call: Arc<CallNetwork>,
    mut request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> Result<Sent, Error> {
    let url = request.uri().to_string();
    let method = request.method().clone();
    let dest = Destination::from_uri(request.uri()).map_err(|_| Error::HttpRequestUriInvalid)?;
    let rule = match call.policy.permit(&dest) {
        Ok(rule) => rule.clone(),
        Err(denial) => {
            call.ledger
                .note(format!("{method} {url}: {}", denial.message));
            call.ledger.record(Violation::Denied {
                message: denial.message,
                details: denial.details,
            });
            return Err(Error::HttpRequestDenied);
        }
    };
    let options = options.unwrap_or_default();
    let expired = |e: Expired, error: Error| {
        if let Expired::Call = e {
            call.ledger.record(Violation::Timeout { url: url.clone() });
        }
        error
    };

    let addrs = within(call.deadline, None, resolve(&dest))
        .await
        .map_err(|e| expired(e, Error::DnsTimeout))??;
    if let Err(denial) = call.policy.vet(&dest, &rule, &addrs) {
        call.ledger
            .note(format!("{method} {url}: {}", denial.message));
        call.ledger.record(Violation::Denied {
            message: denial.message,
            details: denial.details,
        });
        return Err(Error::DestinationIpProhibited);
    }
    let (stream, peer) = within(
        call.deadline,
        options.connect_timeout,
        connect(&addrs, dest.port),
    )
    .await
    .map_err(|e| expired(e, Error::ConnectionTimeout))?
    .inspect_err(|e| call.ledger.note(format!("{method} {url}: {e}")))?;
    call.ledger.note(format!(
        "{method} {url}: allowed by `{rule}`, connected to {peer}"
    ));
    let stream: Box<dyn Stream> = if dest.scheme == "https" {
        let tls = within(
            call.deadline,
            options.connect_timeout,
            tls_handshake(stream, &dest),
        )
        .await
        .map_err(|e| expired(e, Error::ConnectionTimeout))?
        .inspect_err(|e| call.ledger.note(format!("{method} {url}: {e}")))?;
        Box::new(tls)
    } else {
        Box::new(stream)
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(Error::Hyper)?;

    // The request line carries only the path: scheme and authority are for proxies (the
    // Host header, set from the authority by wasi-http, names the host).
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    *request.uri_mut() = http::Uri::builder()
        .path_and_query(path)
        .build()
        .map_err(|_| Error::HttpRequestUriInvalid)?;

    // Drive the connection while waiting for the response head; the connection then keeps
    // running (delivering the body) in the future handed back with the response.
    let mut connection = Box::pin(connection);
    let mut connection_done = false;
    let exchange = async {
        let response = sender.send_request(request);
        tokio::pin!(response);
        loop {
            tokio::select! {
                r = &mut response => return r.map_err(Error::Hyper),
                c = &mut connection, if !connection_done => {
                    connection_done = true;
                    c.map_err(Error::Hyper)?;
                }
            }
        }
    };
    let response = within(call.deadline, options.first_byte_timeout, exchange)
        .await
        .map_err(|e| expired(e, Error::ConnectionReadTimeout))??;

    let deadline = call.deadline;
    let metered = response.map(|incoming| {
        MeteredBody::new(
            incoming,
            call.budget.clone(),
            call.ledger.clone(),
            url.clone(),
            options.between_bytes_timeout,
        )
        .boxed_unsync()
    });
    let drive = async move {
        if connection_done {
            return Ok(());
        }
        // Nothing of a call outlives its deadline, even if the Store lingers.
        match tokio::time::timeout_at(deadline, connection).await {
            Ok(r) => r.map_err(Error::Hyper),
            Err(_) => Err(Error::ConnectionReadTimeout),
        }
    };
    Ok((metered, Box::new(drive)))
}

/// Run `work` until the call's deadline or the guest's own timeout, whichever is first.
async fn within<T>(
    deadline: Instant,
    guest: Option<Duration>,
    work: impl Future<Output = T>,
) -> Result<T, Expired> {
    let guest_deadline = guest.map(|d| Instant::now() + d);
    let (until, which) = match guest_deadline {
        Some(g) if g < deadline => (g, Expired::Guest),
        _ => (deadline, Expired::Call),
    };
    tokio::time::timeout_at(until, work)
        .await
        .map_err(|_| which)
}

/// Every address of the host (the literal itself for an IP), resolved here in the host.
async fn resolve(dest: &Destination) -> Result<Vec<IpAddr>, Error> {
    if let Some(ip) = dest.literal {
        return Ok(vec![ip]);
    }
    let found = tokio::net::lookup_host((dest.host.as_str(), dest.port))
        .await
        .map_err(|e| Error::DnsError {
            rcode: Some(e.to_string()),
            info_code: None,
        })?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for a in found {
        if !addrs.contains(&a.ip()) {
            addrs.push(a.ip());
        }
    }
    if addrs.is_empty() {
        return Err(Error::DestinationNotFound);
    }
    Ok(addrs)
}

/// Connect to the first vetted address that answers.
async fn connect(addrs: &[IpAddr], port: u16) -> Result<(TcpStream, SocketAddr), Error> {
    let mut last = None;
    for &ip in addrs {
        let peer = SocketAddr::new(ip, port);
        match TcpStream::connect(peer).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok((s, peer));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or(Error::DestinationNotFound, Error::Connect))
}

async fn tls_handshake(
    stream: TcpStream,
    dest: &Destination,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Error> {
    use rustls::pki_types::ServerName;
    let name = match dest.literal {
        Some(ip) => ServerName::IpAddress(ip.into()),
        None => ServerName::try_from(dest.host.clone()).map_err(|_| Error::DnsError {
            rcode: Some(format!("`{}` is not a valid DNS name for TLS", dest.host)),
            info_code: None,
        })?,
    };
    tokio_rustls::TlsConnector::from(tls_config())
        .connect(name, stream)
        .await
        .map_err(Error::Tls)
}

/// Web PKI roots (the Mozilla set, compiled in: the same answer on every machine), TLS 1.2
/// and 1.3, HTTP/1.1 by ALPN since that is what is spoken.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("the aws-lc-rs provider supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Arc::new(config)
        })
        .clone()
}
