package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"shian"
	"shian/complaints"
	"shian/triage"
)

// Session lifetimes: a console session ends after SessionIdle without a
// request, and SessionMax after sign-in whatever happens.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
	// touchEvery limits the writes of sliding expiry to one a minute.
	touchEvery = time.Minute
)

// ContactOpener unseals a complainant's contact (complaints.Service).
type ContactOpener interface {
	OpenContact(c *shian.Complaint) (complaints.Contact, error)
}

// Config is what New needs. Store and Triager are required.
type Config struct {
	Store   Store
	Triager *triage.Triager
	// Contacts unseals contacts for the audited reveal; nil answers
	// EUNAVAILABLE to reveals.
	Contacts ContactOpener
	Now      func() time.Time
	// SessionIdle and SessionMax default to DefaultSessionIdle and
	// DefaultSessionMax.
	SessionIdle, SessionMax time.Duration
}

// Service is the supervision service. Safe for concurrent use.
type Service struct {
	store    Store
	triage   *triage.Triager
	contacts ContactOpener
	now      func() time.Time
	idle     time.Duration
	max      time.Duration
	// dummyHash is checked for unknown names so a login takes as long
	// whether or not the account exists.
	dummyHash string
	// hashing bounds concurrent password checks: each takes 64 MiB.
	hashing chan struct{}
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Triager == nil {
		return nil, errors.New("staff: Store and Triager are required")
	}
	s := &Service{store: cfg.Store, triage: cfg.Triager, contacts: cfg.Contacts, now: cfg.Now,
		idle: cfg.SessionIdle, max: cfg.SessionMax, hashing: make(chan struct{}, 4)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.idle <= 0 {
		s.idle = DefaultSessionIdle
	}
	if s.max <= 0 {
		s.max = DefaultSessionMax
	}
	h, err := HashPassword("not a password")
	if err != nil {
		return nil, err
	}
	s.dummyHash = h
	return s, nil
}

// Triager returns the triager (calendar, offices) for display.
func (s *Service) Triager() *triage.Triager { return s.triage }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// AddUser creates an account and returns its one-time password. Errors:
// EINVALID, ECONFLICT.
func (s *Service) AddUser(ctx context.Context, u User, actor string) (string, error) {
	if err := u.Validate(); err != nil {
		return "", err
	}
	if u.Grid != "" {
		if g, ok := s.triage.Routing().Grid(u.Grid); !ok || g.District != u.District {
			return "", shian.FieldError("grid", "no grid %q in district %s", u.Grid, u.District)
		}
	}
	pw, err := NewPassword()
	if err != nil {
		return "", err
	}
	if u.PasswordHash, err = HashPassword(pw); err != nil {
		return "", err
	}
	u.CreatedAt = s.now().UTC()
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return "", err
	}
	err = s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: actor, Action: "user_added", Target: u.Name,
		Detail: detail("role", u.Role, "district", u.District, "grid", u.Grid)})
	return pw, err
}

// ResetPassword gives an existing account a new one-time password, ends
// its sessions and revokes its API tokens, in one transaction (issue 19):
// a reset is what an administrator does when a credential may have
// leaked, and a token issued by the old owner of the password would
// otherwise keep working. Tokens are issued again with IssueToken.
// Errors: ENOTFOUND.
func (s *Service) ResetPassword(ctx context.Context, name, actor string) (string, error) {
	u, err := s.user(ctx, name)
	if err != nil {
		return "", err
	}
	pw, err := NewPassword()
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	revoked, err := s.store.SetPassword(ctx, u.ID, hash, s.now().UTC())
	if err != nil {
		return "", err
	}
	return pw, s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: actor, Action: "password_reset", Target: u.Name,
		Detail: fmt.Sprintf("tokens_revoked=%d", revoked)})
}

func (s *Service) user(ctx context.Context, name string) (*User, error) {
	n, err := NormalizeName(name)
	if err != nil {
		return nil, err
	}
	return s.store.UserByName(ctx, n)
}

// IssueToken creates a bearer token for the user's API clients and returns
// it; only its hash is kept, so it is shown once. Errors: ENOTFOUND.
func (s *Service) IssueToken(ctx context.Context, name, label, actor string) (string, error) {
	u, err := s.user(ctx, name)
	if err != nil {
		return "", err
	}
	if label, err = cleanText("label", label, 100); err != nil {
		return "", err
	}
	tok, err := NewSecret("shian_", 32)
	if err != nil {
		return "", err
	}
	if err := s.store.CreateToken(ctx, &Token{UserID: u.ID, Hash: HashSecret(tok), Label: label, CreatedAt: s.now().UTC()}); err != nil {
		return "", err
	}
	return tok, s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: actor, Action: "token_issued", Target: u.Name,
		Detail: detail("label", label, "token", HashSecret(tok)[:12])})
}

// RevokeTokens revokes a user's tokens (all, or only token when given) at
// once: the next request with one is refused. Errors: ENOTFOUND.
func (s *Service) RevokeTokens(ctx context.Context, name, token, actor string) (int, error) {
	u, err := s.user(ctx, name)
	if err != nil {
		return 0, err
	}
	hash := ""
	if token != "" {
		hash = HashSecret(token)
	}
	n, err := s.store.RevokeTokens(ctx, u.ID, hash, s.now().UTC())
	if err != nil {
		return 0, err
	}
	return n, s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: actor, Action: "token_revoked", Target: u.Name,
		Detail: fmt.Sprintf("count=%d", n)})
}

var errBadLogin = &shian.Error{Code: shian.EUNAUTHORIZED, Message: "wrong name or password", Key: "login_failed"}

// Login checks a name and password and opens a session, returning its id
// (for the cookie) and the principal. Every attempt is audited. Errors:
// EUNAUTHORIZED (the same for an unknown name, a wrong password and a
// disabled account). Rate limiting is the caller's: it knows the client.
func (s *Service) Login(ctx context.Context, name, password, client string) (string, *Principal, error) {
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-ctx.Done():
		return "", nil, ctx.Err()
	}
	n, err := NormalizeName(name)
	if err != nil || len(password) > 200 {
		_, _ = CheckPassword(s.dummyHash, password)
		return "", nil, errBadLogin
	}
	u, err := s.store.UserByName(ctx, n)
	hash := s.dummyHash
	if err == nil {
		hash = u.PasswordHash
	} else if shian.ErrorCode(err) != shian.ENOTFOUND {
		return "", nil, err
	}
	ok, herr := CheckPassword(hash, password)
	if err != nil || herr != nil || !ok || u.Disabled {
		if aerr := s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: n, Action: "login_failed", Target: n,
			Detail: detail("client", client)}); aerr != nil {
			return "", nil, aerr
		}
		return "", nil, errBadLogin
	}
	id, err := NewSecret("s_", 32)
	if err != nil {
		return "", nil, err
	}
	csrf, err := NewSecret("", 24)
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	sess := &Session{Hash: HashSecret(id), UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(s.max), LastSeen: now}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	if err := s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(now), Actor: u.Name, Action: "login", Target: u.Name,
		Detail: detail("client", client)}); err != nil {
		return "", nil, err
	}
	p := principalOf(u, ViaSession)
	p.CSRF, p.SessionHash = csrf, sess.Hash
	return id, p, nil
}

// Authenticate returns the principal of a session id. An unknown, ended,
// idle or expired session is EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, sessionID string) (*Principal, error) {
	if !strings.HasPrefix(sessionID, "s_") || len(sessionID) > 100 {
		return nil, ErrUnauthorized
	}
	hash := HashSecret(sessionID)
	sess, u, err := s.store.SessionUser(ctx, hash)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, ErrUnauthorized
	} else if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if u.Disabled || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) > s.idle {
		_ = s.store.DeleteSession(ctx, hash)
		return nil, ErrUnauthorized
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		if err := s.store.TouchSession(ctx, hash, now); err != nil {
			return nil, err
		}
	}
	p := principalOf(u, ViaSession)
	p.CSRF, p.SessionHash = sess.CSRF, hash
	return p, nil
}

// AuthenticateToken returns the principal of a bearer token; a revoked or
// unknown one is EUNAUTHORIZED.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*Principal, error) {
	if !strings.HasPrefix(token, "shian_") || len(token) > 100 {
		return nil, ErrUnauthorized
	}
	_, u, err := s.store.TokenUser(ctx, HashSecret(token))
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, ErrUnauthorized
	} else if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ErrUnauthorized
	}
	return principalOf(u, ViaToken), nil
}

// Logout ends the principal's session at once.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.SessionHash == "" {
		return nil
	}
	if err := s.store.DeleteSession(ctx, p.SessionHash); err != nil {
		return err
	}
	return s.store.AppendAudit(ctx, AuditEntry{At: AuditTime(s.now()), Actor: p.Name, Action: "logout", Target: p.Name})
}

// VerifyAudit walks the whole audit chain and returns how many entries it
// checked and the head hash, or the *ChainError where it breaks.
func (s *Service) VerifyAudit(ctx context.Context) (int64, string, error) {
	return VerifyChain(ctx, s.store)
}

// VerifyChain walks the audit chain of a store in pages.
func VerifyChain(ctx context.Context, st interface {
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}) (int64, string, error) {
	var v Verifier
	after := int64(0)
	for {
		page, err := st.AuditEntries(ctx, after, 1000)
		if err != nil {
			return v.Count, v.Head(), err
		}
		if len(page) == 0 {
			return v.Count, v.Head(), nil
		}
		if err := v.Add(page); err != nil {
			return v.Count, v.Head(), err
		}
		after = page[len(page)-1].Seq
	}
}
