package staff

import (
	"context"
	"time"

	"shian"
)

// Store is what the service needs from the system of record
// (store/sqlstore implements it on SQLite and PostgreSQL). Errors:
// ENOTFOUND, ECONFLICT, EUNAVAILABLE, EINTERNAL.
type Store interface {
	// CreateUser stores a new user. Errors: ECONFLICT for a taken name.
	CreateUser(ctx context.Context, u *User) error
	// SetPassword replaces a user's password hash, ends their sessions and
	// revokes their API tokens (as of at), all in one transaction, and
	// returns how many tokens it revoked.
	SetPassword(ctx context.Context, userID int64, hash string, at time.Time) (revoked int, err error)
	UserByName(ctx context.Context, name string) (*User, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns the session with hash and its user. Errors: ENOTFOUND.
	SessionUser(ctx context.Context, hash string) (*Session, *User, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error

	CreateToken(ctx context.Context, t *Token) error
	// TokenUser returns the unrevoked token with hash and its user. Errors: ENOTFOUND.
	TokenUser(ctx context.Context, hash string) (*Token, *User, error)
	// RevokeTokens revokes every token of the user (or only the token with
	// tokenHash when it is not "") and returns how many.
	RevokeTokens(ctx context.Context, userID int64, tokenHash string, at time.Time) (int, error)

	// AppendAudit seals and appends entries to the audit chain (their Seq,
	// PrevHash and Hash are set by the store, under a lock).
	AppendAudit(ctx context.Context, entries ...AuditEntry) error
	// AuditEntries returns up to limit entries after seq, in order.
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)

	Queue(ctx context.Context, q Query) (*Page, error)
	// Case returns the case of ticket. Errors: ENOTFOUND.
	Case(ctx context.Context, ticket string) (*Case, error)
	// Related returns the cluster members, duplicates and recent complaints
	// about the same shop.
	Related(ctx context.Context, c *Case) (*Related, error)
	ComplaintEvents(ctx context.Context, id int64, publicOnly bool) ([]shian.ComplaintEvent, error)
	ShopByID(ctx context.Context, id int64) (*shian.Shop, error)
	// ShopByLicence returns the shop of licence. Errors: ENOTFOUND.
	ShopByLicence(ctx context.Context, licence string) (*shian.Shop, error)
	// UpdateCases locks the cases of tickets (in id order), lets fn change
	// them, then writes them, the events and the audit entries fn returns,
	// all in one transaction. With LockSkip a case locked by another
	// transaction is ECONFLICT at once instead of a wait (PostgreSQL
	// FOR UPDATE SKIP LOCKED; SQLite's write transaction is exclusive).
	UpdateCases(ctx context.Context, tickets []string, mode LockMode, fn func(cs []*Case) (*Change, error)) error
	Dashboard(ctx context.Context, q DashQuery) (*DashRows, error)
}

// LockMode says how UpdateCases waits for a locked case.
type LockMode int

// Lock modes.
const (
	LockWait LockMode = iota
	LockSkip
)

// Session is a console sign-in. Only the hash of its id is stored.
type Session struct {
	Hash      string
	UserID    int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// Token is an API client's bearer token. Only its hash is stored.
type Token struct {
	ID        int64
	UserID    int64
	Hash      string
	Label     string
	CreatedAt time.Time
}

// Case is a complaint with what supervision adds to it.
type Case struct {
	*shian.Complaint
	DueAt           time.Time // the running deadline, zero when none
	DecidedAt       time.Time // accepted or rejected (complaint), verifying started (report)
	OutcomeAt       time.Time // resolved, mediation failed, case (not) opened, rejected
	AcceptWDays     int       // working days from receipt to decision, -1 before
	ResolveWDays    int       // working days from receipt to outcome, -1 before
	AcceptOnTime    int       // 1 on time, 0 late, -1 not decided
	ResolveOnTime   int       // 1 on time, 0 late, -1 no outcome
	RejectionGround string
	Reopened        int
}

// CaseEvent is a timeline event of one case.
type CaseEvent struct {
	ComplaintID int64
	Event       shian.ComplaintEvent
}

// Change is what UpdateCases writes besides the cases themselves.
type Change struct {
	Events []CaseEvent
	Audit  []AuditEntry
}

// Query selects a page of the queue. The service fills it from a Filter
// and the principal's scope.
type Query struct {
	Statuses []string
	District string
	// Probable adds to District's queue the cases routed nowhere whose
	// probable district it is (shian.Complaint.Probable).
	Probable  bool
	Grid      string
	Priority  string
	Category  string
	Kind      string
	DueBefore time.Time // zero: no deadline filter
	Cluster   int64
	Text      string
	ClaimedBy string
	Limit     int
	Offset    int
}

// Page is one page of the queue.
type Page struct {
	Items []*Case
	Total int
	// Counts are the cases per status under the same filters but status.
	Counts map[string]int
}

// Brief is a line about a related case.
type Brief struct {
	Ticket    string    `json:"ticket"`
	Status    string    `json:"status"`
	Category  string    `json:"category"`
	District  string    `json:"district"`
	Grid      string    `json:"grid,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Related are the cases linked to one case.
type Related struct {
	Cluster     []Brief // members of its outbreak cluster (itself excluded)
	DuplicateOf *Brief  // the original it repeats
	Duplicates  []Brief // cases marked as repeating it
	SameShop    []Brief // other recent complaints about the same shop
}

// DashQuery is the period of the dashboard.
type DashQuery struct {
	From, To time.Time
	Now      time.Time
	// Weeks are the starts of the trend's weeks, oldest first; the last
	// week ends at To.
	Weeks []time.Time
}

// DistrictRow is one district's raw figures.
type DistrictRow struct {
	District       string
	Open, Overdue  int
	Filed          int
	Decided        int // decided in the period's filings
	DecidedOnTime  int
	Outcomes       int
	OutcomesOnTime int
	Rated          int
	RatingSum      int
	AcceptHist     map[int]int // working days to decide → cases
	ResolveHist    map[int]int // working days to an outcome → cases
}

// TrendRow is the count of one category in one week (index into Weeks).
type TrendRow struct {
	Week     int
	Category string
	N        int
}

// ClusterRow is an active outbreak cluster.
type ClusterRow struct {
	ClusterID int64
	Ticket    string // the first complaint's ticket
	ShopName  string
	District  string
	Members   int
	Open      int
	First     time.Time
	Last      time.Time
}

// DashRows are the dashboard's raw figures from the store.
type DashRows struct {
	Districts []DistrictRow
	Trend     []TrendRow
	Clusters  []ClusterRow
}
