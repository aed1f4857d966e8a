package staff

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of the append-only audit log. Each row's Hash
// covers its fields and the previous row's hash, so editing, deleting or
// reordering a row breaks every hash after it.
type AuditEntry struct {
	Seq      int64
	At       string // AuditTime: fixed-width UTC, hashed as stored
	Actor    string // user name, "cli" for operator commands
	Action   string // login, login_failed, logout, claim, transition, reassign, reveal_contact, merge, note, token_issued …
	Target   string // a ticket, a user name …
	Detail   string
	PrevHash string
	Hash     string
}

// AuditTime formats t the way the audit log stores and hashes it.
func AuditTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// HashEntry computes e's hash from its fields and PrevHash. Fields are
// length-prefixed so that no two different entries hash alike.
func HashEntry(e AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At, e.Actor, e.Action, e.Target, e.Detail} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets e's sequence number, PrevHash and Hash to follow prev (nil for
// the first entry).
func Seal(e *AuditEntry, prev *AuditEntry) {
	e.Seq, e.PrevHash = 1, GenesisHash
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = HashEntry(*e)
}

// ChainError says where a chain breaks.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", e.Seq, e.Reason)
}

// Verifier checks a chain fed to it in order, in pages.
type Verifier struct {
	prev  *AuditEntry
	Count int64
}

// Add checks the next entries. It returns a *ChainError at the first entry
// whose hash, link or sequence number is wrong.
func (v *Verifier) Add(entries []AuditEntry) error {
	for i := range entries {
		e := entries[i]
		wantSeq, wantPrev := int64(1), GenesisHash
		if v.prev != nil {
			wantSeq, wantPrev = v.prev.Seq+1, v.prev.Hash
		}
		switch {
		case e.Seq != wantSeq:
			return &ChainError{Seq: e.Seq, Reason: fmt.Sprintf("sequence number %d where %d was expected (a row was deleted or inserted)", e.Seq, wantSeq)}
		case e.PrevHash != wantPrev:
			return &ChainError{Seq: e.Seq, Reason: "its link to the previous entry does not match (a row before it was changed or removed)"}
		case HashEntry(e) != e.Hash:
			return &ChainError{Seq: e.Seq, Reason: "its contents do not match its hash (the row was edited)"}
		}
		v.prev, v.Count = &e, v.Count+1
	}
	return nil
}

// Head is the last verified entry's hash, GenesisHash before any.
func (v *Verifier) Head() string {
	if v.prev == nil {
		return GenesisHash
	}
	return v.prev.Hash
}

// detail joins key=value pairs for an audit entry's Detail.
func detail(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(kv[i] + "=" + strconv.Quote(kv[i+1]))
	}
	return b.String()
}
