package ratelimit

import (
	"testing"
	"time"
)

func TestParsePolicies(t *testing.T) {
	got, err := ParsePolicies("complaint_ip_hour=200/1h:50, public_read=1200/1m", DefaultPolicies())
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) Policy {
		for _, p := range got {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no policy %s", name)
		return Policy{}
	}
	if p := find(ComplaintIPHour); p.Rate != 200 || p.Burst != 50 || p.Period != time.Hour || p.Key != KeyIP {
		t.Errorf("complaint_ip_hour = %+v", p)
	}
	if p := find(PublicRead); p.Rate != 1200 || p.Burst != 1200 || p.Period != time.Minute {
		t.Errorf("public_read = %+v", p)
	}
	if p := find(LoginIP); p != DefaultPolicies()[len(DefaultPolicies())-1] {
		t.Errorf("an untouched policy changed: %+v", p)
	}
	for _, bad := range []string{"nosuch=1/1h", "public_read", "public_read=x/1h", "public_read=10/forever", "public_read=0/1h", "public_read=10/1h:0"} {
		if _, err := ParsePolicies(bad, DefaultPolicies()); err == nil {
			t.Errorf("ParsePolicies(%q) accepted", bad)
		}
	}
}

func TestTicketKey(t *testing.T) {
	for in, want := range map[string]string{
		"QHD-AB2C-DE3F": "QHD-AB2C-DE3F",
		"qhd-ab2c-de3f": "QHD-AB2C-DE3F",
		"AB2CDE3F":      "QHD-AB2C-DE3F",
		" ab2c de3f ":   "QHD-AB2C-DE3F",
		"nonsense":      "malformed",
		"":              "malformed",
	} {
		if got := TicketKey(in); got != want {
			t.Errorf("TicketKey(%q) = %q, want %q", in, got, want)
		}
	}
}
