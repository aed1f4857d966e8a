package staff

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"shian"
)

func TestAllowedMatrix(t *testing.T) {
	admin := &Principal{Name: "a", Role: RoleAdmin}
	officer := &Principal{Name: "o", Role: RoleOfficer, District: "haigang"}
	viewer := &Principal{Name: "v", Role: RoleViewer}
	want := map[Action][4]bool{ // admin, officer, viewer, anonymous
		ReadCases:     {true, true, false, false},
		ActOnCases:    {true, true, false, false},
		RevealContact: {true, true, false, false},
		ReadStats:     {true, true, true, false},
		PrintStickers: {true, true, false, false},
		ReadSelf:      {true, true, true, false},
		"unknown":     {true, false, false, false},
	}
	for a, w := range want {
		for i, p := range []*Principal{admin, officer, viewer, nil} {
			t.Run(string(a), func(t *testing.T) {
				if got := Allowed(p, a); got != w[i] {
					t.Errorf("Allowed(%v, %s) = %v, want %v", p, a, got, w[i])
				}
				err := Require(p, a)
				switch {
				case w[i] && err != nil, !w[i] && p == nil && shian.ErrorCode(err) != shian.EUNAUTHORIZED,
					!w[i] && p != nil && shian.ErrorCode(err) != shian.EFORBIDDEN:
					t.Errorf("Require(%v, %s) = %v", p, a, err)
				}
			})
		}
	}
}

func TestSees(t *testing.T) {
	tests := []struct {
		name           string
		p              *Principal
		district, grid string
		want           bool
	}{
		{"admin sees unrouted", &Principal{Role: RoleAdmin}, "", "", true},
		{"officer own district", &Principal{Role: RoleOfficer, District: "haigang"}, "haigang", "haigang-02", true},
		{"officer other district", &Principal{Role: RoleOfficer, District: "haigang"}, "beidaihe", "", false},
		{"officer unrouted", &Principal{Role: RoleOfficer, District: "haigang"}, "", "", false},
		{"grid officer own grid", &Principal{Role: RoleOfficer, District: "haigang", Grid: "haigang-01"}, "haigang", "haigang-01", true},
		{"grid officer other grid", &Principal{Role: RoleOfficer, District: "haigang", Grid: "haigang-01"}, "haigang", "haigang-02", false},
		{"grid officer case without grid", &Principal{Role: RoleOfficer, District: "haigang", Grid: "haigang-01"}, "haigang", "", false},
		{"officer without district", &Principal{Role: RoleOfficer}, "", "", false},
		{"viewer", &Principal{Role: RoleViewer}, "haigang", "", false},
		{"anonymous", nil, "haigang", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sees(tc.p, tc.district, tc.grid); got != tc.want {
				t.Errorf("Sees = %v, want %v", got, tc.want)
			}
		})
	}
}

// Every (kind, from, to) pair: Check allows exactly the table's edges and
// names them in the error otherwise.
func TestStateMachinesEveryTransition(t *testing.T) {
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, shian.CST)
	targets := append(slices.Clone(AllStatuses), Reopen, "bogus")
	legal := 0
	for _, kind := range []string{shian.KindComplaint, shian.KindReport} {
		for _, from := range States(kind) {
			for _, to := range targets {
				t.Run(kind+"/"+from+"→"+to, func(t *testing.T) {
					err := Check(CaseState{Kind: kind, Status: from}, to, now)
					allowed := slices.Contains(nextStates[kind][from], to)
					if allowed {
						legal++
						if err != nil {
							t.Fatalf("legal transition refused: %v", err)
						}
						return
					}
					var te *TransitionError
					if !errors.As(err, &te) || shian.ErrorCode(err) != shian.ECONFLICT {
						t.Fatalf("illegal transition: err %v", err)
					}
					if !slices.Equal(te.AllowedValues(), nextStates[kind][from]) {
						t.Fatalf("allowed = %v, want %v", te.AllowedValues(), nextStates[kind][from])
					}
				})
			}
		}
	}
	if legal != 13 {
		t.Fatalf("%d legal edges, want 13", legal)
	}
}

func TestReopen(t *testing.T) {
	out := time.Date(2026, 7, 1, 10, 0, 0, 0, shian.CST)
	tests := []struct {
		name string
		s    CaseState
		now  time.Time
		ok   bool
		to   string
	}{
		{"dissatisfied within 15 days", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintResolved, Rating: 2, OutcomeAt: out, Accepted: true}, out.Add(14 * 24 * time.Hour), true, shian.ComplaintMediating},
		{"closed, dissatisfied", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintClosed, Rating: 1, OutcomeAt: out, Accepted: true}, out.Add(24 * time.Hour), true, shian.ComplaintMediating},
		{"rejected complaint goes back to received", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintRejected, Rating: 1, OutcomeAt: out}, out.Add(time.Hour), true, shian.ComplaintReceived},
		{"report back to verifying", CaseState{Kind: shian.KindReport, Status: shian.ComplaintNotOpened, Rating: 1, OutcomeAt: out}, out.Add(time.Hour), true, shian.ComplaintVerifying},
		{"after 15 days", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintResolved, Rating: 1, OutcomeAt: out}, out.Add(16 * 24 * time.Hour), false, ""},
		{"satisfied", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintResolved, Rating: 4, OutcomeAt: out}, out.Add(time.Hour), false, ""},
		{"not rated", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintResolved, OutcomeAt: out}, out.Add(time.Hour), false, ""},
		{"still open", CaseState{Kind: shian.KindComplaint, Status: shian.ComplaintMediating, Rating: 1, OutcomeAt: out}, out.Add(time.Hour), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.s, Reopen, tc.now)
			if (err == nil) != tc.ok {
				t.Fatalf("Check(reopen) = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && ReopenTo(tc.s) != tc.to {
				t.Fatalf("ReopenTo = %s, want %s", ReopenTo(tc.s), tc.to)
			}
		})
	}
}

func TestAuditChain(t *testing.T) {
	var entries []AuditEntry
	var prev *AuditEntry
	for i := range 5 {
		e := AuditEntry{At: AuditTime(time.Unix(int64(i), 0)), Actor: "wang", Action: "claim", Target: "QHD-AAAA-BBB" + string(rune('0'+i))}
		Seal(&e, prev)
		entries = append(entries, e)
		prev = &entries[len(entries)-1]
	}
	tests := []struct {
		name    string
		tamper  func(es []AuditEntry) []AuditEntry
		wantSeq int64
	}{
		{"intact", func(es []AuditEntry) []AuditEntry { return es }, 0},
		{"edited detail", func(es []AuditEntry) []AuditEntry { es[2].Detail = "x"; return es }, 3},
		{"edited and rehashed", func(es []AuditEntry) []AuditEntry { es[1].Actor = "li"; es[1].Hash = HashEntry(es[1]); return es }, 3},
		{"deleted row", func(es []AuditEntry) []AuditEntry { return append(es[:2], es[3:]...) }, 4},
		{"last row dropped is not detectable without the head", func(es []AuditEntry) []AuditEntry { return es[:4] }, 0},
		{"swapped rows", func(es []AuditEntry) []AuditEntry { es[1], es[2] = es[2], es[1]; return es }, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v Verifier
			err := v.Add(tc.tamper(slices.Clone(entries)))
			var ce *ChainError
			switch {
			case tc.wantSeq == 0 && err != nil:
				t.Fatalf("verify = %v", err)
			case tc.wantSeq != 0 && (!errors.As(err, &ce) || ce.Seq != tc.wantSeq):
				t.Fatalf("verify = %v, want a break at %d", err, tc.wantSeq)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	h, err := hashPassword("correct horse", 1, 1024, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, pw string
		ok             bool
		bad            bool
	}{
		{"right", h, "correct horse", true, false},
		{"wrong", h, "correct horse ", false, false},
		{"bcrypt is not ours", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"truncated", h[:len(h)-30], "correct horse", false, true},
		{"absurd memory", strings.Replace(h, "m=1024", "m=99999999", 1), "correct horse", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := CheckPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.bad {
				t.Fatalf("CheckPassword = %v, %v", ok, err)
			}
		})
	}
	p1, _ := NewPassword()
	p2, _ := NewPassword()
	if len(p1) != 20 || p1 == p2 {
		t.Fatalf("passwords %q %q", p1, p2)
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		q     string
		want  string // Values().Encode() of the result
		field string // of the error
	}{
		{"", "", ""},
		{"status=accepted,mediating&district=haigang&overdue=true&page=2", "district=haigang&overdue=true&status=accepted%2Cmediating", ""},
		{"status=all", "status=" + url.QueryEscape(strings.Join(AllStatuses, ",")), ""},
		{"due_within=3&category=foodborne_illness&q=%E6%B5%B7", "category=foodborne_illness&due_within=3&q=%E6%B5%B7", ""},
		{"status=done", "", "status"},
		{"district=paris", "", "district"},
		{"due_within=100", "", "due_within"},
		{"per_page=0", "", "per_page"},
		{"cluster=-1", "", "cluster"},
		{"priority=asap", "", "priority"},
		{"overdue=maybe", "", "overdue"},
		{"sort=id", "", "sort"},
		{"q=%00", "", "q"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.q)
			f, err := ParseFilter(v)
			var se *shian.Error
			if tc.field != "" {
				if !errors.As(err, &se) || se.Field != tc.field {
					t.Fatalf("err = %v, want field %s", err, tc.field)
				}
				return
			}
			if err != nil || f.Values().Encode() != tc.want {
				t.Fatalf("ParseFilter = %q, %v; want %q", f.Values().Encode(), err, tc.want)
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"status=accepted&district=haigang", "q=abc&page=3&per_page=10", "due_within=5&overdue=1", "cluster=12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		got, err := ParseFilter(v)
		if err != nil {
			return
		}
		again, err := ParseFilter(got.Values())
		if err != nil || again.Values().Encode() != got.Values().Encode() {
			t.Fatalf("round trip of %q: %v %q vs %q", s, err, again.Values().Encode(), got.Values().Encode())
		}
		if got.PerPage < 1 || got.PerPage > MaxPerPage || got.Page < 1 {
			t.Fatalf("paging %d/%d", got.Page, got.PerPage)
		}
	})
}

func TestMedian(t *testing.T) {
	tests := []struct {
		hist map[int]int
		want float64
	}{
		{map[int]int{}, -1},
		{map[int]int{3: 1}, 3},
		{map[int]int{1: 1, 5: 1}, 3},
		{map[int]int{0: 2, 2: 1, 9: 2}, 2},
		{map[int]int{1: 3, 7: 1}, 1},
	}
	for _, tc := range tests {
		if got := Median(tc.hist); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.hist, got, tc.want)
		}
	}
}

func TestWeekStarts(t *testing.T) {
	to := time.Date(2026, 7, 15, 10, 0, 0, 0, shian.CST) // a Wednesday
	w := weekStarts(to, 3)
	if len(w) != 3 || w[2].Format("2006-01-02 Mon") != "2026-07-13 Mon" || w[0].Format("2006-01-02") != "2026-06-29" {
		t.Fatalf("weeks = %v", w)
	}
}
