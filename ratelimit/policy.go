// Package ratelimit holds Shian's rate-limit policies and the limiter that
// enforces them: GCRA in Redis (github.com/go-redis/redis_rate) so that every
// replica shares one budget, with a fail-safe in-process GCRA that takes over
// with the same policies whenever Redis is missing, erroring or slow, and
// hands back by itself once Redis answers again.
//
// It knows nothing of HTTP: callers (api, bot) say which policy and which key
// (an IP from ClientIP/IPKey, a keyed phone hash, a ticket number …).
package ratelimit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// KeyKind says what a policy's key identifies. It documents the caller's
// duty; the limiter treats every key as an opaque string.
type KeyKind string

// Key kinds.
const (
	KeyIP      KeyKind = "ip"      // IPKey(ClientIP(…)): IPv4 address or IPv6 /64
	KeyPhone   KeyKind = "phone"   // a keyed hash (HMAC) of the normalized phone number, never the number
	KeyTicket  KeyKind = "ticket"  // a complaint tracking number
	KeyUser    KeyKind = "user"    // a bot user (WeChat OpenID, web chat session)
	KeyAccount KeyKind = "account" // a supervisor login name, lower-cased
	KeyPartner KeyKind = "partner" // an Open311 partner's name
)

// Policy is one GCRA limit: Rate events per Period, of which Burst may come
// at once. A fresh key has Burst tokens; one returns every Period/Rate.
type Policy struct {
	Name   string
	Rate   int
	Burst  int
	Period time.Duration
	Key    KeyKind
}

// Interval is the time one token takes to return.
func (p Policy) Interval() time.Duration { return p.Period / time.Duration(p.Rate) }

func (p Policy) validate() error {
	if p.Name == "" || p.Rate <= 0 || p.Burst <= 0 || p.Period <= 0 {
		return fmt.Errorf("ratelimit: policy %q: name, rate, burst and period must be set", p.Name)
	}
	return nil
}

// Policy names. Use them with Limiter.Policy.
const (
	PublicRead           = "public_read"            // search, shop pages and API, QR landing; per client IP
	ComplaintIPHour      = "complaint_ip_hour"      // complaint submissions per client IP
	ComplaintIPDay       = "complaint_ip_day"       //
	ComplaintPhoneHour   = "complaint_phone_hour"   // complaint submissions per phone (keyed hash)
	ComplaintPhoneDay    = "complaint_phone_day"    //
	ComplaintUserHour    = "complaint_user_hour"    // complaint submissions per WeChat OpenID
	ComplaintUserDay     = "complaint_user_day"     //
	ComplaintPartnerHour = "complaint_partner_hour" // complaint submissions per Open311 partner
	ComplaintPartnerDay  = "complaint_partner_day"  //
	TrackTicket          = "track_ticket"           // wrong tracking proofs per ticket
	TrackIP              = "track_ip"               // wrong tracking proofs per client IP
	BotUser              = "bot_user"               // bot messages per user
	LoginAccount         = "login_account"          // failed logins per (account, client IP): the lockout
	LoginName            = "login_name"             // failed logins per account from anywhere: slows, never locks
	LoginIP              = "login_ip"               // login attempts per client IP
)

const day = 24 * time.Hour

// DefaultPolicies is the one table of limits. The numbers are chosen so that
// honest crowds pass:
//
//   - public_read: a tour bus of 50 phones behind one carrier NAT scanning
//     one sticker makes about 150 requests at once (landing page, shop JSON,
//     inspections); a burst of 300 passes them with room for a second bus,
//     and 10 requests a second sustained still slows a scraper walking
//     every shop in the city to hours.
//   - complaints: a whole tour group falling ill after one meal may complain
//     from one IP, so the per-IP limit is loose; the per-phone limit is what
//     stops a competitor flooding a rival. A WeChat user (OpenID) gets the
//     phone's budget: WeChat fixes the identity, so it counts like a phone.
//     An Open311 partner's server files for many people from one address:
//     its own budget bounds a leaked key even when the filings carry no
//     phone.
//   - tracking and logins count attempts (wrong proofs, failed logins), so a
//     small budget blocks guessing without touching honest users.
func DefaultPolicies() []Policy {
	return []Policy{
		{Name: PublicRead, Rate: 600, Burst: 300, Period: time.Minute, Key: KeyIP},
		{Name: ComplaintIPHour, Rate: 20, Burst: 20, Period: time.Hour, Key: KeyIP},
		{Name: ComplaintIPDay, Rate: 60, Burst: 60, Period: day, Key: KeyIP},
		{Name: ComplaintPhoneHour, Rate: 3, Burst: 3, Period: time.Hour, Key: KeyPhone},
		{Name: ComplaintPhoneDay, Rate: 10, Burst: 10, Period: day, Key: KeyPhone},
		{Name: ComplaintUserHour, Rate: 3, Burst: 3, Period: time.Hour, Key: KeyUser},
		{Name: ComplaintUserDay, Rate: 10, Burst: 10, Period: day, Key: KeyUser},
		{Name: ComplaintPartnerHour, Rate: 200, Burst: 100, Period: time.Hour, Key: KeyPartner},
		{Name: ComplaintPartnerDay, Rate: 1000, Burst: 1000, Period: day, Key: KeyPartner},
		{Name: TrackTicket, Rate: 5, Burst: 5, Period: time.Hour, Key: KeyTicket},
		{Name: TrackIP, Rate: 30, Burst: 30, Period: time.Hour, Key: KeyIP},
		{Name: BotUser, Rate: 30, Burst: 10, Period: time.Minute, Key: KeyUser},
		{Name: LoginAccount, Rate: 10, Burst: 5, Period: time.Hour, Key: KeyAccount},
		{Name: LoginName, Rate: 10, Burst: 10, Period: time.Hour, Key: KeyAccount},
		{Name: LoginIP, Rate: 30, Burst: 20, Period: time.Hour, Key: KeyIP},
	}
}

// ParsePolicies applies overrides to base and returns the result. spec is
// a comma-separated list of NAME=RATE/PERIOD[:BURST], e.g.
// "complaint_ip_hour=200/1h:200,public_read=1200/1m:600": the operator's
// one place to change a limit (SHIAN_RATE_LIMITS) without a rebuild.
// Unknown names and malformed entries are errors.
func ParsePolicies(spec string, base []Policy) ([]Policy, error) {
	out := append([]Policy(nil), base...)
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, rest, ok := strings.Cut(f, "=")
		i := slices.IndexFunc(out, func(p Policy) bool { return p.Name == name })
		if !ok || i < 0 {
			return nil, fmt.Errorf("rate limit %q: want NAME=RATE/PERIOD[:BURST] with NAME one of %s", f, policyNames(out))
		}
		rest, burst, hasBurst := strings.Cut(rest, ":")
		rate, period, ok := strings.Cut(rest, "/")
		p := out[i]
		var err error
		if p.Rate, err = strconv.Atoi(rate); ok && err == nil {
			p.Period, err = time.ParseDuration(period)
		}
		p.Burst = p.Rate
		if hasBurst && err == nil {
			p.Burst, err = strconv.Atoi(burst)
		}
		if !ok || err != nil || p.validate() != nil {
			return nil, fmt.Errorf("rate limit %q: want NAME=RATE/PERIOD[:BURST], e.g. %s=20/1h:20", f, name)
		}
		out[i] = p
	}
	return out, nil
}

func policyNames(ps []Policy) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
