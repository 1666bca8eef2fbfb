//! Special-purpose IP ranges: addresses a tool must not reach just because a granted name
//! resolves to them (loopback, private networks, link-local, cloud metadata, ...). Ranges
//! from the IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and updates).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not an ordinary public unicast destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialRange {
    /// `0.0.0.0/8`, `::`: "this host"; connecting to it reaches the local machine.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918).
    Private,
    /// `100.64.0.0/10`: carrier-grade NAT (RFC 6598).
    SharedCgnat,
    /// `169.254/16` (cloud metadata lives here), `fe80::/10`.
    LinkLocal,
    /// `fc00::/7` (RFC 4193).
    UniqueLocal,
    /// `fec0::/10`, deprecated but still routed inside some networks.
    SiteLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18/15`.
    Benchmarking,
    /// `192.0.0/24`, `2001::/23`: protocol assignments (includes Teredo tunnels).
    ProtocolAssignment,
    /// `240/4` and other ranges reserved for future use or local translation
    /// (`192.88.99/24`, `100::/64`, `64:ff9b:1::/48`, `5f00::/16`).
    Reserved,
}

impl SpecialRange {
    pub fn describe(self) -> &'static str {
        match self {
            SpecialRange::Unspecified => "the unspecified address (this host)",
            SpecialRange::Loopback => "a loopback address",
            SpecialRange::Private => "a private-network address",
            SpecialRange::SharedCgnat => "a carrier-grade NAT address",
            SpecialRange::LinkLocal => "a link-local address",
            SpecialRange::UniqueLocal => "a unique-local IPv6 address",
            SpecialRange::SiteLocal => "a site-local IPv6 address",
            SpecialRange::Multicast => "a multicast address",
            SpecialRange::Broadcast => "the broadcast address",
            SpecialRange::Documentation => "a documentation address",
            SpecialRange::Benchmarking => "a benchmarking address",
            SpecialRange::ProtocolAssignment => "a protocol-assignment address",
            SpecialRange::Reserved => "a reserved address",
        }
    }

    /// Ranges that are never an HTTP server, even when a rule names the address: `0.0.0.0`
    /// is an alias of the local host on Linux, and multicast or broadcast are not unicast.
    pub fn never_allowed(self) -> bool {
        matches!(
            self,
            SpecialRange::Unspecified | SpecialRange::Multicast | SpecialRange::Broadcast
        )
    }
}

/// `None` for an ordinary public unicast address.
pub fn classify(ip: IpAddr) -> Option<SpecialRange> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

const V4_RANGES: &[([u8; 4], u8, SpecialRange)] = &[
    ([0, 0, 0, 0], 8, SpecialRange::Unspecified),
    ([10, 0, 0, 0], 8, SpecialRange::Private),
    ([100, 64, 0, 0], 10, SpecialRange::SharedCgnat),
    ([127, 0, 0, 0], 8, SpecialRange::Loopback),
    ([169, 254, 0, 0], 16, SpecialRange::LinkLocal),
    ([172, 16, 0, 0], 12, SpecialRange::Private),
    ([192, 0, 0, 0], 24, SpecialRange::ProtocolAssignment),
    ([192, 0, 2, 0], 24, SpecialRange::Documentation),
    ([192, 88, 99, 0], 24, SpecialRange::Reserved),
    ([192, 168, 0, 0], 16, SpecialRange::Private),
    ([198, 18, 0, 0], 15, SpecialRange::Benchmarking),
    ([198, 51, 100, 0], 24, SpecialRange::Documentation),
    ([203, 0, 113, 0], 24, SpecialRange::Documentation),
    ([224, 0, 0, 0], 4, SpecialRange::Multicast),
    ([255, 255, 255, 255], 32, SpecialRange::Broadcast),
    // After the broadcast address, which it contains.
    ([240, 0, 0, 0], 4, SpecialRange::Reserved),
];

fn classify_v4(ip: Ipv4Addr) -> Option<SpecialRange> {
    let bits = u32::from(ip);
    V4_RANGES.iter().find_map(|(net, prefix, range)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
        (bits & mask == u32::from_be_bytes(*net) & mask).then_some(*range)
    })
}

const V6_RANGES: &[(u128, u8, SpecialRange)] = &[
    (
        0x0000_0000_0000_0000_0000_0000_0000_0000,
        128,
        SpecialRange::Unspecified,
    ),
    (
        0x0000_0000_0000_0000_0000_0000_0000_0001,
        128,
        SpecialRange::Loopback,
    ),
    (
        0x0064_ff9b_0001_0000_0000_0000_0000_0000,
        48,
        SpecialRange::Reserved,
    ),
    (
        0x0100_0000_0000_0000_0000_0000_0000_0000,
        64,
        SpecialRange::Reserved,
    ),
    (
        0x2001_0db8_0000_0000_0000_0000_0000_0000,
        32,
        SpecialRange::Documentation,
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        23,
        SpecialRange::ProtocolAssignment,
    ),
    (
        0x3fff_0000_0000_0000_0000_0000_0000_0000,
        20,
        SpecialRange::Documentation,
    ),
    (
        0x5f00_0000_0000_0000_0000_0000_0000_0000,
        16,
        SpecialRange::Reserved,
    ),
    (
        0xfc00_0000_0000_0000_0000_0000_0000_0000,
        7,
        SpecialRange::UniqueLocal,
    ),
    (
        0xfe80_0000_0000_0000_0000_0000_0000_0000,
        10,
        SpecialRange::LinkLocal,
    ),
    (
        0xfec0_0000_0000_0000_0000_0000_0000_0000,
        10,
        SpecialRange::SiteLocal,
    ),
    (
        0xff00_0000_0000_0000_0000_0000_0000_0000,
        8,
        SpecialRange::Multicast,
    ),
];

fn classify_v6(ip: Ipv6Addr) -> Option<SpecialRange> {
    // An IPv6 address that carries an IPv4 one is judged by the IPv4 address it reaches:
    // `::ffff:127.0.0.1` is loopback, and so is NAT64 or 6to4 wrapping of 10.0.0.1.
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let bits = u128::from(ip);
    V6_RANGES.iter().find_map(|(net, prefix, range)| {
        let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
        (bits & mask == net & mask).then_some(*range)
    })
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible (`::/96`,
/// deprecated), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from(bits as u32);
    if bits >> 32 == 0xffff || bits >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some(low32);
    }
    // `::` and `::1` are IPv6's own unspecified and loopback addresses, not embeddings.
    if bits >> 32 == 0 && bits > 1 {
        return Some(low32);
    }
    if bits >> 112 == 0x2002 {
        return Some(Ipv4Addr::from((bits >> 80) as u32));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Option<SpecialRange> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn ipv4_special_ranges_are_recognised() {
        use SpecialRange::*;
        for (ip, want) in [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("100.64.0.1", SharedCgnat),
            ("100.127.255.255", SharedCgnat),
            ("169.254.169.254", LinkLocal),
            ("192.0.0.8", ProtocolAssignment),
            ("192.0.2.1", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("255.255.255.255", Broadcast),
        ] {
            assert_eq!(class(ip), Some(want), "{ip}");
        }
    }

    #[test]
    fn public_ipv4_neighbours_of_special_ranges_are_public() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert_eq!(class(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_special_ranges_are_recognised() {
        use SpecialRange::*;
        for (ip, want) in [
            ("::", Unspecified),
            ("::1", Loopback),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", SiteLocal),
            ("fc00::1", UniqueLocal),
            ("fd12:3456::1", UniqueLocal),
            ("ff02::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001::1", ProtocolAssignment),
            ("100::1", Reserved),
            ("64:ff9b:1::1", Reserved),
        ] {
            assert_eq!(class(ip), Some(want), "{ip}");
        }
        for ip in ["2606:4700::1111", "2a00:1450:4001::200e", "2001:4860::8888"] {
            assert_eq!(class(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_addresses_carrying_ipv4_are_judged_by_the_ipv4_address() {
        use SpecialRange::*;
        for (ip, want) in [
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("::ffff:169.254.169.254", Some(LinkLocal)),
            ("::127.0.0.1", Some(Loopback)),
            ("64:ff9b::192.168.0.1", Some(Private)),
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:a00:1::1", Some(Private)),
            ("::ffff:8.8.8.8", None),
            ("64:ff9b::8.8.8.8", None),
        ] {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    #[test]
    fn only_unspecified_multicast_and_broadcast_are_never_allowed() {
        assert!(SpecialRange::Unspecified.never_allowed());
        assert!(SpecialRange::Multicast.never_allowed());
        assert!(SpecialRange::Broadcast.never_allowed());
        assert!(!SpecialRange::Loopback.never_allowed());
        assert!(!SpecialRange::Private.never_allowed());
    }
}
