package ratelimit

import (
	"net"
	"strings"
)

// ClientIP says who the client is: the TCP peer, unless the peer is one of
// the trusted proxies (SHIAN_TRUSTED_PROXIES), in which case the address
// the proxy put in X-Real-IP. X-Forwarded-For is never read: any client can
// write it, and a proxy that sets X-Real-IP has already chosen the address.
// An unparsable X-Real-IP from a trusted proxy leaves the peer. IPv4-mapped
// IPv6 addresses are returned as IPv4.
func ClientIP(peer net.IP, realIP string, trusted []*net.IPNet) net.IP {
	peer = normalize(peer)
	if peer == nil || !contains(trusted, peer) {
		return peer
	}
	if ip := normalize(net.ParseIP(strings.TrimSpace(realIP))); ip != nil {
		return ip
	}
	return peer
}

func contains(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func normalize(ip net.IP) net.IP {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	if len(ip) == net.IPv6len {
		return ip
	}
	return nil
}

// IPKey is the rate-limit key of a client address: the IPv4 address itself,
// or the /64 an IPv6 address belongs to (one household or phone gets a whole
// /64, so per-address keys would let it rotate freely). nil gives "unknown".
func IPKey(ip net.IP) string {
	ip = normalize(ip)
	switch {
	case ip == nil:
		return "unknown"
	case len(ip) == net.IPv4len:
		return ip.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
