package names

import "shian"

// Fill gives a shop what a visitor needs and a Chinese-only registry
// lacks: English and Russian names where none was supplied (marking them
// generated; a supplied name always wins and is never marked), the address
// in English and Russian, and the catalog codes of its failed inspection
// items. It is idempotent and does no I/O, so an import runs it on every
// shop it reads.
func (n *Namer) Fill(s *shian.Shop) {
	var v VisitorName
	if s.NameEN == "" || s.NameRU == "" {
		v = n.Visitor(s.Name)
	}
	if s.NameEN == "" {
		s.NameEN, s.NameENGenerated = v.EN, true
	}
	if s.NameRU == "" {
		s.NameRU, s.NameRUGenerated = v.RU, true
	}
	if s.Address != "" {
		a := n.Address(s.Address)
		s.AddressEN, s.AddressRU = a.EN, a.RU
	}
	for i := range s.Inspections {
		in := &s.Inspections[i]
		in.ItemCodes = n.catalog.MatchAll(in.ItemsFailed)
	}
}
