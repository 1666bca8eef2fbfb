//! A tool's network grants applied to one outgoing request: first the URL's scheme, host
//! and port against the rules, then every address the host resolved to.
//!
//! What "explicitly granted" means for special-purpose addresses (loopback, private,
//! link-local...): the request's host is an IP literal and a rule names that same address
//! (`http://127.0.0.1:8080`, `[fd00::1]`). A *name* never grants one — not `localhost`, not
//! an exact name, not a wildcard — whatever it resolves to, so DNS (or a rebinding attack)
//! cannot turn a public grant into a path to the host's own network. The unspecified,
//! multicast and broadcast addresses are refused even when named.

use serde_json::{Value, json};
use std::net::IpAddr;

use super::address::{self, SpecialRange};
use crate::registry::{NetworkRule, normalise_host};

/// Where a request goes, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub scheme: String,
    /// Lowercase, without brackets or a final dot.
    pub host: String,
    pub port: u16,
    /// The host, when it is an IP literal (nothing to resolve).
    pub literal: Option<IpAddr>,
}

impl Destination {
    pub fn from_uri(uri: &http::Uri) -> Result<Self, String> {
        let scheme = uri
            .scheme_str()
            .ok_or("the request has no scheme")?
            .to_ascii_lowercase();
        let port = match (uri.port_u16(), scheme.as_str()) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, other) => return Err(format!("unsupported scheme `{other}`")),
        };
        let host = normalise_host(uri.host().ok_or("the request has no host")?);
        if host.is_empty() {
            return Err("the request has no host".to_owned());
        }
        Ok(Destination {
            literal: host.parse().ok(),
            scheme,
            host,
            port,
        })
    }

    /// `host:port` as a person would write it (IPv6 in brackets).
    pub fn authority(&self) -> String {
        match self.literal {
            Some(IpAddr::V6(_)) => format!("[{}]:{}", self.host, self.port),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

/// Why a request was refused: a message naming the host and the rule (or the lack of
/// one), and the same facts as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Denial {
    pub message: String,
    pub details: Value,
}

/// The network rules of one tool. Deny by default: no rules, no requests.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    rules: Vec<NetworkRule>,
}

impl NetworkPolicy {
    pub fn new(rules: Vec<NetworkRule>) -> Self {
        NetworkPolicy { rules }
    }

    fn granted(&self) -> Vec<String> {
        self.rules.iter().map(ToString::to_string).collect()
    }

    /// The rule that allows `dest`, or why none does.
    pub fn permit(&self, dest: &Destination) -> Result<&NetworkRule, Denial> {
        if let Some(rule) = self
            .rules
            .iter()
            .find(|r| r.allows(&dest.scheme, &dest.host, dest.port))
        {
            return Ok(rule);
        }
        let granted = self.granted();
        let mut details = json!({
            "scheme": dest.scheme,
            "host": dest.host,
            "port": dest.port,
            "granted": granted,
        });
        // A rule for the right host that refuses the scheme or port is the likely mistake:
        // name it rather than list everything.
        if let Some(rule) = self.rules.iter().find(|r| r.matches_host(&dest.host)) {
            let why = if !rule.allows_scheme(&dest.scheme) {
                format!(
                    "allows only {}, not {}",
                    rule.scheme.as_deref().unwrap_or("?"),
                    dest.scheme
                )
            } else {
                format!(
                    "allows only port {}, not {}",
                    rule.port.unwrap_or(0),
                    dest.port
                )
            };
            details["rule"] = json!(rule.to_string());
            return Err(Denial {
                message: format!(
                    "network access to {}://{} denied: the rule `{rule}` {why}",
                    dest.scheme,
                    dest.authority(),
                ),
                details,
            });
        }
        let listed = if granted.is_empty() {
            "the tool has no network grants".to_owned()
        } else {
            format!("granted: {}", granted.join(", "))
        };
        Err(Denial {
            message: format!(
                "network access to {}://{} denied: no rule matches `{}` ({listed})",
                dest.scheme,
                dest.authority(),
                dest.host,
            ),
            details,
        })
    }

    /// Check every address `dest`'s host resolved to; one special-purpose address refuses
    /// the whole request (a name mixing public and private answers is not to be trusted).
    pub fn vet(
        &self,
        dest: &Destination,
        rule: &NetworkRule,
        addrs: &[IpAddr],
    ) -> Result<(), Denial> {
        for &addr in addrs {
            let Some(range) = address::classify(addr) else {
                continue;
            };
            let named = dest.literal == Some(addr) && rule.ip_literal() == Some(addr);
            if named && !range.never_allowed() {
                continue;
            }
            return Err(self.special_address_denial(dest, rule, addr, range));
        }
        Ok(())
    }

    fn special_address_denial(
        &self,
        dest: &Destination,
        rule: &NetworkRule,
        addr: IpAddr,
        range: SpecialRange,
    ) -> Denial {
        let how = if range.never_allowed() {
            "which is never allowed".to_owned()
        } else if dest.literal.is_some() {
            "which is refused unless a rule names the address itself".to_owned()
        } else {
            let literal = match addr {
                IpAddr::V6(_) => format!("[{addr}]"),
                IpAddr::V4(_) => addr.to_string(),
            };
            format!(
                "which is refused: a name (here by the rule `{rule}`) never grants a \
                 loopback, private or other special-purpose address; to allow it, grant the \
                 IP literal (e.g. `{}://{literal}:{}`) and request that",
                dest.scheme, dest.port
            )
        };
        let subject = match dest.literal {
            Some(_) => format!("{addr} is {}", range.describe()),
            None => format!("`{}` resolves to {addr}, {}", dest.host, range.describe()),
        };
        Denial {
            message: format!(
                "network access to {}://{} denied: {subject}, {how}",
                dest.scheme,
                dest.authority()
            ),
            details: json!({
                "scheme": dest.scheme,
                "host": dest.host,
                "port": dest.port,
                "address": addr.to_string(),
                "range": format!("{range:?}"),
                "rule": rule.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(rules: &[&str]) -> NetworkPolicy {
        NetworkPolicy::new(
            rules
                .iter()
                .map(|r| NetworkRule::parse(r).unwrap())
                .collect(),
        )
    }

    fn dest(url: &str) -> Destination {
        Destination::from_uri(&url.parse().unwrap()).unwrap()
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn destinations_default_the_port_and_normalise_the_host() {
        let d = dest("https://API.Example.com./v1?q=1");
        assert_eq!(
            (d.scheme.as_str(), d.host.as_str(), d.port, d.literal),
            ("https", "api.example.com", 443, None)
        );
        let d = dest("http://[::1]:8080/");
        assert_eq!(d.literal, Some("::1".parse().unwrap()));
        assert_eq!(d.authority(), "[::1]:8080");
        assert_eq!(dest("http://x.org/").port, 80);
    }

    #[test]
    fn no_rules_deny_everything() {
        let err = policy(&[])
            .permit(&dest("https://example.com/"))
            .unwrap_err();
        assert!(
            err.message.contains("no rule matches `example.com`")
                && err.message.contains("the tool has no network grants"),
            "{}",
            err.message
        );
    }

    #[test]
    fn exact_wildcard_scheme_and_port_rules_permit_what_they_name() {
        let p = policy(&[
            "api.example.com",
            "*.example.org",
            "https://secure.net:8443",
        ]);
        assert_eq!(
            p.permit(&dest("http://api.example.com/"))
                .unwrap()
                .to_string(),
            "api.example.com"
        );
        assert_eq!(
            p.permit(&dest("https://a.b.example.org/x"))
                .unwrap()
                .to_string(),
            "*.example.org"
        );
        assert!(p.permit(&dest("https://secure.net:8443/")).is_ok());
        let err = p.permit(&dest("https://example.org/")).unwrap_err();
        assert!(
            err.message.contains("no rule matches `example.org`"),
            "{}",
            err.message
        );
        assert!(
            err.message
                .contains("granted: api.example.com, *.example.org, https://secure.net:8443"),
            "{}",
            err.message
        );
        assert_eq!(err.details["granted"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn a_near_miss_names_the_rule_and_what_it_refuses() {
        let p = policy(&["https://secure.net:8443"]);
        let err = p.permit(&dest("http://secure.net:8443/")).unwrap_err();
        assert!(
            err.message
                .contains("the rule `https://secure.net:8443` allows only https, not http"),
            "{}",
            err.message
        );
        let err = p.permit(&dest("https://secure.net/")).unwrap_err();
        assert!(
            err.message.contains("allows only port 8443, not 443"),
            "{}",
            err.message
        );
        assert_eq!(err.details["rule"], "https://secure.net:8443");
    }

    #[test]
    fn a_name_resolving_to_a_special_address_is_denied_even_when_granted() {
        let p = policy(&["localhost", "api.example.com"]);
        let d = dest("http://localhost:8080/");
        let rule = p.permit(&d).unwrap();
        let err = p.vet(&d, rule, &ips(&["127.0.0.1"])).unwrap_err();
        assert!(
            err.message
                .contains("`localhost` resolves to 127.0.0.1, a loopback address")
                && err
                    .message
                    .contains("grant the IP literal (e.g. `http://127.0.0.1:8080`)"),
            "{}",
            err.message
        );
        assert_eq!(err.details["address"], "127.0.0.1");
        // DNS rebinding: a public name answering with a private address, alone or mixed.
        let d = dest("https://api.example.com/");
        let rule = p.permit(&d).unwrap();
        for answer in [
            &["10.0.0.5"][..],
            &["93.184.216.34", "169.254.169.254"],
            &["::ffff:192.168.0.1"],
            &["fd00::1"],
        ] {
            assert!(p.vet(&d, rule, &ips(answer)).is_err(), "{answer:?}");
        }
        assert!(
            p.vet(&d, rule, &ips(&["93.184.216.34", "2606:2800::1"]))
                .is_ok()
        );
    }

    #[test]
    fn an_ip_literal_rule_grants_that_special_address_only() {
        let p = policy(&["http://127.0.0.1:8080", "[::1]"]);
        let d = dest("http://127.0.0.1:8080/");
        let rule = p.permit(&d).unwrap();
        assert!(p.vet(&d, rule, &ips(&["127.0.0.1"])).is_ok());
        let d = dest("http://[::1]:9000/");
        let rule = p.permit(&d).unwrap();
        assert!(p.vet(&d, rule, &ips(&["::1"])).is_ok());
        assert!(p.permit(&dest("http://127.0.0.2:8080/")).is_err());
    }

    #[test]
    fn unspecified_and_multicast_are_refused_even_when_named() {
        let p = policy(&["0.0.0.0", "224.0.0.1"]);
        for url in ["http://0.0.0.0/", "http://224.0.0.1/"] {
            let d = dest(url);
            let rule = p.permit(&d).unwrap();
            let err = p.vet(&d, rule, &[d.literal.unwrap()]).unwrap_err();
            assert!(err.message.contains("never allowed"), "{}", err.message);
        }
    }
}
