package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"shian"
)

type sqlStateErr string

func (e sqlStateErr) Error() string    { return "pg: " + string(e) }
func (e sqlStateErr) SQLState() string { return string(e) }

// TestUnavailable: connection-level failures answer 503, others pass unchanged.
func TestUnavailable(t *testing.T) {
	plain := errors.New("syntax error")
	notFound := &shian.Error{Code: shian.ENOTFOUND, Message: "no shop"}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), shian.EUNAVAILABLE},
		{"net error", &net.OpError{Op: "dial", Err: errors.New("no route")}, shian.EUNAVAILABLE},
		{"deadline", context.DeadlineExceeded, shian.EUNAVAILABLE},
		{"postgres shutting down (57P01)", fmt.Errorf("shop: %w", sqlStateErr("57P01")), shian.EUNAVAILABLE},
		{"postgres starting up (57P03)", sqlStateErr("57P03"), shian.EUNAVAILABLE},
		{"postgres connection failure (08006)", sqlStateErr("08006"), shian.EUNAVAILABLE},
		{"unique violation (23505) is not an outage", sqlStateErr("23505"), shian.EINTERNAL},
		{"other errors pass", plain, shian.EINTERNAL},
		{"domain errors keep their code", notFound, shian.ENOTFOUND},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := unavailable(tc.err)
			if code := shian.ErrorCode(got); code != tc.want {
				t.Fatalf("code %q, want %q (%v)", code, tc.want, got)
			}
			if tc.err != nil && tc.want != shian.EUNAVAILABLE && got != tc.err {
				t.Fatalf("a non-outage error was rewrapped: %v", got)
			}
		})
	}
}
