package ratelimit

import "shian"

// TicketKey is the key of the per-ticket proof policy (TrackTicket): the
// parsed, normalised ticket, so that every spelling of one ticket (case,
// dashes, spaces, the QHD prefix left off) shares one budget. Anything
// that cannot be a ticket shares the one key "malformed": it can match no
// complaint, and a flood of made-up spellings must not grow the key space.
func TicketKey(raw string) string {
	if t, ok := shian.ParseTicket(raw); ok {
		return t
	}
	return "malformed"
}
