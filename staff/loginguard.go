package staff

import (
	"context"
	"time"

	"shian/ratelimit"
)

// LoginGuard decides how a console login attempt is limited (issue 19).
// Failed attempts are counted twice:
//
//   - per (name, client IP) (ratelimit.LoginAccount) and per client IP
//     (ratelimit.LoginIP): these lock out. A guesser locks only itself out,
//     so knowing an officer's login name is not enough to lock the officer
//     out of the console.
//   - per name from anywhere (ratelimit.LoginName): this never refuses, it
//     slows every attempt on the name, a correct one from a new address
//     included, by Slow per recent failure (at most MaxLoginDelay), so a
//     guesser spread over many addresses still gains little.
type LoginGuard struct {
	limiter                 *ratelimit.Limiter
	lockout, perIP, perName ratelimit.Policy
	slow                    time.Duration
}

// MaxLoginDelay bounds the slowdown of one attempt.
const MaxLoginDelay = 3 * time.Second

// NewLoginGuard returns the guard over l; slow is the delay per recent
// failure of a name. It panics when l lacks a login policy (a constant
// table).
func NewLoginGuard(l *ratelimit.Limiter, slow time.Duration) *LoginGuard {
	return &LoginGuard{limiter: l, lockout: l.Policy(ratelimit.LoginAccount), perIP: l.Policy(ratelimit.LoginIP),
		perName: l.Policy(ratelimit.LoginName), slow: slow}
}

func (g *LoginGuard) hits(name, ipKey string) []ratelimit.Hit {
	return []ratelimit.Hit{{Policy: g.lockout, Key: name + "@" + ipKey}, {Policy: g.perIP, Key: ipKey}}
}

// Check is asked before the password is checked: the decision refuses when
// this name from this address, or this address, is locked out (charging
// nothing); delay is how long to hold this attempt.
func (g *LoginGuard) Check(ctx context.Context, name, ipKey string) (d ratelimit.Decision, delay time.Duration) {
	d = g.limiter.Peek(ctx, g.hits(name, ipKey)...)
	if !d.Allowed {
		return d, 0
	}
	n := g.limiter.Peek(ctx, ratelimit.Hit{Policy: g.perName, Key: name})
	if len(n.Results) == 1 {
		if failures := n.Results[0].Policy.Burst - n.Results[0].Remaining; failures > 0 {
			delay = min(time.Duration(failures)*g.slow, MaxLoginDelay)
		}
	}
	return d, delay
}

// Failed counts a failed attempt of name from ipKey.
func (g *LoginGuard) Failed(ctx context.Context, name, ipKey string) {
	g.limiter.AllowAll(ctx, g.hits(name, ipKey)...)
	g.limiter.Allow(ctx, g.perName, name)
}
