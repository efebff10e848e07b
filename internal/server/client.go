package server

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// The client's address is what throttles count (failed logins, the public
// form), what the access log shows and what a consent record keeps as
// evidence. Behind a reverse proxy every request comes from the proxy, so
// the address the client connected from is in X-Forwarded-For, which each
// proxy extends with the address it was connected from. Anyone can write
// that header, so it is believed only from the proxies an operator names
// (Config.TrustedProxies, --trusted-proxies) and read from the right: the
// client is the rightmost address that is not a trusted proxy, the last one
// a trusted proxy vouched for. Entries to its left are whatever the client
// claimed and are ignored.

// clientIP returns the address of the client of r: the peer, or, when the
// peer is a trusted proxy, the rightmost untrusted hop of X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	client := peer
	for _, hop := range forwardedHops(r.Header) {
		if !s.trusted(client) {
			break
		}
		addr, ok := parseHop(hop)
		if !ok {
			break // garbage a trusted proxy passed on: the client is the hop that sent it
		}
		client = addr
	}
	return client.String()
}

// trusted reports whether addr is one of the configured proxies.
func (s *Server) trusted(addr netip.Addr) bool {
	return slices.ContainsFunc(s.cfg.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(addr) })
}

// forwardedHops lists the addresses of every X-Forwarded-For header, the
// nearest hop first.
func forwardedHops(h http.Header) []string {
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	slices.Reverse(hops)
	return hops
}

// parseHop reads an address with or without a port ("10.0.0.5",
// "10.0.0.5:443", "[2001:db8::1]:443"), as peers and proxies write them.
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err == nil
}
