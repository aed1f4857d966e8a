package complaints

import (
	"context"
	"errors"
	"fmt"
	"net"

	"shian"
	"shian/ratelimit"
)

// guard is the one place the complaint limits are charged (issue 19): the
// Service charges it in File, so the API, the form, Open311, the web chat
// and WeChat cannot file past it, whatever the channel's own limits are.
//
// What a submission is charged to:
//   - per client IP, per hour and per day (the web channels: API, form, web
//     chat), from the submission's ClientIP;
//   - per WeChat OpenID, per hour and per day, when the submission has one:
//     WeChat fixes that identity, unlike a web chat session the client
//     makes up per conversation;
//   - per Open311 partner, per hour and per day, when a partner files: its
//     server files for many people from one address, so its key has its own
//     budget (a key that sends no phone is no longer unlimited);
//   - per phone (keyed hash), per hour and per day, whatever the channel.
//
// All hits are charged at once, all or nothing, so a refused submission
// costs nothing.
type guard struct {
	limiter  *ratelimit.Limiter
	policies map[string]ratelimit.Policy
}

// guardPolicies are the policies the guard charges; New fails when the
// limiter lacks one, so a typo shows at start, not at the first complaint.
var guardPolicies = []string{
	ratelimit.ComplaintIPHour, ratelimit.ComplaintIPDay,
	ratelimit.ComplaintUserHour, ratelimit.ComplaintUserDay,
	ratelimit.ComplaintPartnerHour, ratelimit.ComplaintPartnerDay,
	ratelimit.ComplaintPhoneHour, ratelimit.ComplaintPhoneDay,
}

func newGuard(l *ratelimit.Limiter) (*guard, error) {
	if l == nil {
		return nil, nil
	}
	g := &guard{limiter: l, policies: map[string]ratelimit.Policy{}}
	for _, name := range guardPolicies {
		p, ok := l.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("complaints: the limiter has no policy %q", name)
		}
		g.policies[name] = p
	}
	return g, nil
}

// errNoIdentity is a wiring mistake: a public channel that does not pass
// the client's IP or OpenID would file unlimited.
var errNoIdentity = errors.New("complaints: a submission needs its client IP, WeChat OpenID or partner for the complaint limits")

// hits lists what sub is charged to; phoneKey is the keyed hash of its
// phone ("" when it has none).
func (g *guard) hits(sub shian.ComplaintSubmission, phoneKey string) ([]ratelimit.Hit, error) {
	var hits []ratelimit.Hit
	add := func(hour, day, key string) {
		hits = append(hits, ratelimit.Hit{Policy: g.policies[hour], Key: key}, ratelimit.Hit{Policy: g.policies[day], Key: key})
	}
	switch {
	case sub.Partner != "":
		add(ratelimit.ComplaintPartnerHour, ratelimit.ComplaintPartnerDay, sub.Partner)
	case sub.ClientIP == "" && sub.OpenID == "":
		return nil, errNoIdentity
	}
	if sub.Partner == "" && sub.ClientIP != "" {
		add(ratelimit.ComplaintIPHour, ratelimit.ComplaintIPDay, ipKey(sub.ClientIP))
	}
	if sub.OpenID != "" {
		add(ratelimit.ComplaintUserHour, ratelimit.ComplaintUserDay, sub.OpenID)
	}
	if phoneKey != "" {
		add(ratelimit.ComplaintPhoneHour, ratelimit.ComplaintPhoneDay, phoneKey)
	}
	return hits, nil
}

// ipKey counts an IPv6 client by its /64 like every other per-IP policy.
func ipKey(addr string) string {
	if ip := net.ParseIP(addr); ip != nil {
		return ratelimit.IPKey(ip)
	}
	return addr
}

// charge charges sub, all or nothing. Errors: ERATELIMITED (with the
// seconds to wait as Args[0], which the api turns into Retry-After),
// EINTERNAL when the channel passed no identity.
func (g *guard) charge(ctx context.Context, sub shian.ComplaintSubmission, phoneKey string) error {
	if g == nil {
		return nil
	}
	hits, err := g.hits(sub, phoneKey)
	if err != nil {
		return err
	}
	d := g.limiter.AllowAll(ctx, hits...)
	if d.Allowed {
		return nil
	}
	secs := int(d.RetryAfter().Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	return &shian.Error{Code: shian.ERATELIMITED, Key: "rate_limited", Args: []any{secs},
		Message: fmt.Sprintf("too many complaints (%s); try again in %d seconds", d.Denied(), secs)}
}
