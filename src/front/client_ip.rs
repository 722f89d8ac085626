//! The client's address: the TCP peer, unless the peer is a configured trusted proxy, in which
//! case the last address in `X-Forwarded-For` that is not itself a trusted proxy (what the
//! nearest untrusted hop claimed to be; anything further left could be forged).

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// A set of addresses and networks.
#[derive(Debug, Default, Clone)]
pub struct Nets(Vec<IpNet>);

impl Nets {
    /// From config strings (`1.2.3.4`, `10.0.0.0/8`, `::1`); unparseable entries are reported
    /// and skipped.
    pub fn parse(items: &[String], what: &str) -> Self {
        Nets(
            items
                .iter()
                .filter_map(|s| {
                    let parsed = s
                        .parse::<IpNet>()
                        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from));
                    if parsed.is_err() {
                        tracing::warn!("{what}: {s:?} is not an IP address or CIDR; ignored");
                    }
                    parsed.ok()
                })
                .collect(),
        )
    }

    /// Whether `ip` is in the set (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client address of a request from `peer`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &Nets) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .collect();
    hops.into_iter()
        .rev()
        .map(canonical)
        .find(|ip| !trusted.contains(*ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().expect("header"));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = Nets::parse(&["127.0.0.1".into(), "10.0.0.0/8".into()], "test");
        let proxy: IpAddr = "127.0.0.1".parse().expect("ip");
        let stranger: IpAddr = "203.0.113.9".parse().expect("ip");
        // From a stranger, the header is ignored.
        assert_eq!(client_ip(stranger, &xff("1.1.1.1"), &trusted), stranger);
        // From the proxy: the nearest address that is not a trusted proxy; forged ones to its
        // left do not matter.
        assert_eq!(
            client_ip(proxy, &xff("6.6.6.6, 198.51.100.7, 10.1.2.3"), &trusted),
            "198.51.100.7".parse::<IpAddr>().expect("ip")
        );
        // No usable header: the proxy itself.
        assert_eq!(client_ip(proxy, &xff("garbage"), &trusted), proxy);
        // IPv4-mapped IPv6 peers match IPv4 entries.
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().expect("ip");
        assert_eq!(
            client_ip(mapped, &xff("198.51.100.8"), &trusted),
            "198.51.100.8".parse::<IpAddr>().expect("ip")
        );
        assert!(Nets::parse(&["nonsense".into()], "test").0.is_empty());
    }
}
