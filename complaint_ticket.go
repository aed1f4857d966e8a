package shian

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// TicketAlphabet has no characters that are confused when read aloud or
// handwritten: no 0/O, 1/I/L. 31 symbols, 8 of them per ticket: about
// 8.5×10¹¹ tickets, which with rate-limited, proof-checked tracking makes
// guessing useless.
const TicketAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// ReceiptLength is the length of the tracking code given to every filer.
const ReceiptLength = 10

// NewTicket returns a random ticket number such as QHD-7K3M-9XQ2.
func NewTicket() (string, error) {
	s, err := randomCode(8)
	if err != nil {
		return "", err
	}
	return "QHD-" + s[:4] + "-" + s[4:], nil
}

// NewReceipt returns a random tracking code (ReceiptLength symbols of
// TicketAlphabet), the proof a filer without a phone keeps.
func NewReceipt() (string, error) { return randomCode(ReceiptLength) }

// randomCode draws n symbols uniformly from TicketAlphabet with crypto/rand
// (rejection sampling: bytes ≥ 248 are redrawn, so no symbol is favoured).
func randomCode(n int) (string, error) {
	const limit = 256 - 256%len(TicketAlphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("random code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, TicketAlphabet[int(b)%len(TicketAlphabet)])
			}
		}
	}
	return string(out), nil
}

// ParseTicket normalises a ticket number as people type or read it: any
// case, spaces or dashes anywhere, the QHD prefix optional. It reports
// false for anything that cannot be a ticket.
func ParseTicket(s string) (string, bool) {
	code := normalizeCode(s)
	code = strings.TrimPrefix(code, "QHD")
	if len(code) != 8 || !inAlphabet(code) {
		return "", false
	}
	return "QHD-" + code[:4] + "-" + code[4:], true
}

// ParseReceipt normalises a receipt code like ParseTicket.
func ParseReceipt(s string) (string, bool) {
	code := normalizeCode(s)
	if len(code) != ReceiptLength || !inAlphabet(code) {
		return "", false
	}
	return code, true
}

func normalizeCode(s string) string {
	if len(s) > 40 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '_', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(TicketAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
