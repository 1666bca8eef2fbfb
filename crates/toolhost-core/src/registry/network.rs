//! Network grants: which hosts a tool may reach. Parsed and validated here; enforced by the
//! outbound-HTTP layer (runtime/outbound).

use std::fmt;
use std::net::IpAddr;

/// `host`, `*.suffix`, optionally with `scheme://` and `:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkRule {
    pub scheme: Option<String>,
    pub host: HostPattern,
    pub port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host name (lowercase) or IP literal (in canonical form, without brackets).
    Exact(String),
    /// Any name ending in `.suffix` (not the bare suffix itself).
    Suffix(String),
}

impl fmt::Display for NetworkRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.scheme {
            write!(f, "{s}://")?;
        }
        match &self.host {
            HostPattern::Exact(h) if h.contains(':') => write!(f, "[{h}]")?,
            HostPattern::Exact(h) => f.write_str(h)?,
            HostPattern::Suffix(s) => write!(f, "*.{s}")?,
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

impl NetworkRule {
    /// Parse one grant; the error says what was expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let expected = "expected a host such as `api.example.com`, `*.example.com`, \
                        `https://api.example.com` or `127.0.0.1:8080`";
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest)) => {
                let s = s.to_ascii_lowercase();
                if s != "http" && s != "https" {
                    return Err(format!(
                        "unsupported scheme `{s}` in `{text}`: use http or https"
                    ));
                }
                (Some(s), rest)
            }
            None => (None, text),
        };
        if rest.contains('/') || rest.contains('?') || rest.contains('@') {
            return Err(format!(
                "`{text}` has a path, query or user part; {expected}"
            ));
        }
        let (host, port) = split_port(rest).map_err(|e| format!("`{text}`: {e}"))?;
        if host.is_empty() {
            return Err(format!("`{text}` names no host; {expected}"));
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let pattern = if let Some(suffix) = host.strip_prefix("*.") {
            check_name(suffix).map_err(|e| format!("`{text}`: {e}; {expected}"))?;
            HostPattern::Suffix(suffix.to_owned())
        } else if let Ok(ip) = host.parse::<IpAddr>() {
            // Canonical form, so `[0:0::1]` and `[::1]` are one address.
            HostPattern::Exact(ip.to_string())
        } else {
            check_name(&host).map_err(|e| format!("`{text}`: {e}; {expected}"))?;
            HostPattern::Exact(host)
        };
        Ok(NetworkRule {
            scheme,
            host: pattern,
            port,
        })
    }

    /// Whether a request to `scheme://host:port` falls under this rule.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        self.allows_scheme(scheme) && self.allows_port(port) && self.matches_host(host)
    }

    /// A rule without a scheme allows both http and https.
    pub fn allows_scheme(&self, scheme: &str) -> bool {
        self.scheme
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(scheme))
    }

    /// A rule without a port allows any port.
    pub fn allows_port(&self, port: u16) -> bool {
        self.port.is_none_or(|p| p == port)
    }

    /// Whether `host` (a name, or an IP literal with or without brackets) is the rule's
    /// host. Names compare without case and without a final dot; IP literals compare as
    /// addresses; a wildcard matches names only, never an IP literal (`*.0.1` must not
    /// grant `127.0.0.1`).
    pub fn matches_host(&self, host: &str) -> bool {
        let host = normalise_host(host);
        let literal = host.parse::<IpAddr>().ok();
        match &self.host {
            HostPattern::Exact(h) => match (literal, h.parse::<IpAddr>().ok()) {
                (Some(a), Some(b)) => a == b,
                (None, None) => *h == host,
                _ => false,
            },
            HostPattern::Suffix(s) => {
                literal.is_none() && host.len() > s.len() + 1 && host.ends_with(&format!(".{s}"))
            }
        }
    }

    /// The IP address this rule names, when its host is an IP literal.
    pub fn ip_literal(&self) -> Option<IpAddr> {
        match &self.host {
            HostPattern::Exact(h) => h.parse().ok(),
            HostPattern::Suffix(_) => None,
        }
    }
}

/// Lowercase, without IPv6 brackets and without the final dot of a fully qualified name.
pub fn normalise_host(host: &str) -> String {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

fn split_port(rest: &str) -> Result<(&str, Option<u16>), String> {
    // Bracketed IPv6 literal: [::1]:8080
    if let Some(inner) = rest.strip_prefix('[') {
        let (addr, after) = inner
            .split_once(']')
            .ok_or("unclosed `[` in IPv6 address")?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{addr}` is not an IPv6 address"));
        }
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err("unexpected text after `]`".to_owned()),
        };
        return Ok((&rest[..addr.len() + 2], port));
    }
    match rest.rsplit_once(':') {
        Some((host, port)) => Ok((host, Some(parse_port(port)?))),
        None => Ok((rest, None)),
    }
}

fn parse_port(p: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("`{p}` is not a port number (1-65535)")),
        Ok(n) => Ok(n),
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() <= 253 && name.split('.').all(valid_label) {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid host name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_wildcards_schemes_and_ports() {
        let r = NetworkRule::parse("https://API.example.com:8443").unwrap();
        assert_eq!(r.scheme.as_deref(), Some("https"));
        assert_eq!(r.host, HostPattern::Exact("api.example.com".into()));
        assert_eq!(r.port, Some(8443));
        assert_eq!(
            NetworkRule::parse("*.example.org").unwrap().host,
            HostPattern::Suffix("example.org".into())
        );
        let v6 = NetworkRule::parse("[::1]:80").unwrap();
        assert_eq!((v6.to_string().as_str(), v6.port), ("[::1]:80", Some(80)));
        assert!(v6.allows("http", "[::1]", 80));
        assert_eq!(
            NetworkRule::parse("127.0.0.1").unwrap().to_string(),
            "127.0.0.1"
        );
    }

    #[test]
    fn refuses_malformed_rules_with_a_reason() {
        for bad in [
            "ftp://x.com",
            "x.com/path",
            "x.com:0",
            "x.com:http",
            "",
            "bad_host!",
            "*.",
            "[::1",
        ] {
            assert!(NetworkRule::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let r = NetworkRule::parse("*.example.org").unwrap();
        assert!(r.allows("https", "a.example.org", 443));
        assert!(r.allows("http", "a.b.example.org", 80));
        assert!(!r.allows("https", "example.org", 443));
        assert!(!r.allows("https", "badexample.org", 443));
        let r = NetworkRule::parse("https://api.x.com").unwrap();
        assert!(!r.allows("http", "api.x.com", 80));
    }

    #[test]
    fn wildcards_never_match_ip_literals() {
        let r = NetworkRule::parse("*.0.1").unwrap();
        assert!(!r.allows("http", "127.0.0.1", 80));
        let r = NetworkRule::parse("*.1").unwrap();
        assert!(!r.allows("http", "[::1]", 80));
    }

    #[test]
    fn ip_literals_compare_as_addresses_and_names_ignore_a_final_dot() {
        let r = NetworkRule::parse("[0:0::1]:8080").unwrap();
        assert_eq!(r.to_string(), "[::1]:8080");
        assert!(r.allows("http", "[::1]", 8080));
        assert!(!r.allows("http", "[::2]", 8080));
        assert_eq!(r.ip_literal(), Some("::1".parse().unwrap()));
        let r = NetworkRule::parse("api.example.com").unwrap();
        assert!(r.allows("https", "API.Example.com.", 443));
        assert!(
            r.allows("http", "api.example.com", 8080),
            "no port: any port"
        );
        assert!(!r.allows("https", "api.example.com.evil.net", 443));
        assert_eq!(r.ip_literal(), None);
    }
}
