package inspections

import (
	"bytes"
	"fmt"
	"testing"
)

func planInputs(nShops, nInspectors, size int) *PlanInputs {
	in := &PlanInputs{District: "beidaihe", Month: "2026-08", Size: size, Weights: DefaultPlanWeights()}
	grades := []string{"excellent", "good", "fair", "fail", "not_graded"}
	cats := []string{"restaurant", "school_canteen", "online", "retail"}
	for i := range nShops {
		in.Shops = append(in.Shops, PlanShop{ID: int64(i + 1), Licence: fmt.Sprintf("JY%012d", i+1), Grid: fmt.Sprintf("beidaihe-%02d", i%6),
			Category: cats[i%len(cats)], Seafood: i%5 == 0, Complaints90: i % 7 / 5, LastGrade: grades[i%len(grades)], MonthsSince: float64(i % 15)})
	}
	for i := range nInspectors {
		in.Inspectors = append(in.Inspectors, PlanInspector{Name: fmt.Sprintf("officer%02d", i), Grid: fmt.Sprintf("beidaihe-%02d", i%6)})
	}
	return in
}

func seed(n int) []byte { return bytes.Repeat([]byte{byte(n), byte(n >> 8), 7, 9}, 8) }

func TestDrawReproducible(t *testing.T) {
	in := planInputs(500, 8, 40)
	a, err := Draw(in, seed(1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Draw(in, seed(1))
	if err := VerifyPlan(in, seed(1), a); err != nil || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different plans: %v", err)
	}
	c, _ := Draw(in, seed(2))
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("two seeds gave the same plan")
	}
	if err := VerifyPlan(in, seed(2), a); err == nil {
		t.Fatal("verify accepted a plan drawn from another seed")
	}
	tampered := append([]PlanItem(nil), a...)
	tampered[3].Inspectors[0] = "someone"
	if err := VerifyPlan(in, seed(1), tampered); err == nil {
		t.Fatal("verify accepted a changed pair")
	}
}

// The constraints hold over 1,000 draws, and risk shows in who is drawn.
func TestDrawConstraints(t *testing.T) {
	in := planInputs(300, 8, 30)
	w := in.Weights
	grid := map[int64]string{}
	for _, s := range in.Shops {
		grid[s.ID] = s.Grid
	}
	inspectorGrid := map[string]string{}
	for _, o := range in.Inspectors {
		inspectorGrid[o.Name] = o.Grid
	}
	drawn := map[int64]int{}
	var prev []PlanItem
	for n := range 1000 {
		in.PreviousPairs = nil
		for _, it := range prev {
			in.PreviousPairs = append(in.PreviousPairs, it.Inspectors)
		}
		items, err := Draw(in, seed(n))
		if err != nil {
			t.Fatalf("draw %d: %v", n, err)
		}
		seen, low := map[int64]bool{}, 0
		prevPairs := map[string]bool{}
		for _, p := range in.PreviousPairs {
			prevPairs[pairKey(p[0], p[1])] = true
		}
		for _, it := range items {
			if seen[it.ShopID] {
				t.Fatalf("draw %d: shop %d twice", n, it.ShopID)
			}
			seen[it.ShopID] = true
			drawn[it.ShopID]++
			if it.LowRisk {
				low++
			}
			a, b := it.Inspectors[0], it.Inspectors[1]
			if a == b || inspectorGrid[a] == grid[it.ShopID] || inspectorGrid[b] == grid[it.ShopID] {
				t.Fatalf("draw %d: shop %d in %s gets %s (%s) and %s (%s)", n, it.ShopID, grid[it.ShopID], a, inspectorGrid[a], b, inspectorGrid[b])
			}
			if prevPairs[pairKey(a, b)] {
				t.Fatalf("draw %d: pair %s+%s twice in a row", n, a, b)
			}
		}
		if len(items) != in.Size || float64(low) < w.LowRiskShare*float64(in.Size) {
			t.Fatalf("draw %d: %d items, %d low-risk", n, len(items), low)
		}
		prev = items
	}
	// Riskier shops are drawn more often: compare the riskiest and the safest tenth.
	var hi, lo int
	for _, s := range in.Shops {
		r := w.Risk(&s, 8)
		switch {
		case r >= 12:
			hi += drawn[s.ID]
		case r < w.LowRiskBelow:
			lo += drawn[s.ID]
		}
	}
	if hi == 0 || lo == 0 {
		t.Fatalf("high-risk shops drawn %d times, low-risk %d: both groups must be drawn", hi, lo)
	}
}

func TestDrawRefuses(t *testing.T) {
	for name, in := range map[string]*PlanInputs{
		"bad month":     func() *PlanInputs { p := planInputs(10, 4, 2); p.Month = "2026-13"; return p }(),
		"too large":     planInputs(10, 4, 11),
		"one inspector": planInputs(10, 1, 2),
		"all in the grid": func() *PlanInputs {
			p := planInputs(10, 2, 2)
			p.Inspectors[1].Grid = p.Inspectors[0].Grid
			p.Shops[0].Grid = p.Inspectors[0].Grid
			p.Size = 10
			return p
		}(),
	} {
		if _, err := Draw(in, seed(1)); err == nil {
			t.Errorf("%s: drawn", name)
		}
	}
}

// BenchmarkDraw20000 draws a month's plan for a district of 20,000 shops
// (issue 18: under 2 s), beside an anchor that only computes the risks.
func BenchmarkDraw20000(b *testing.B) {
	in := planInputs(20000, 40, 400)
	b.Run("anchor_risk_only", func(b *testing.B) {
		for b.Loop() {
			s := 0.0
			for i := range in.Shops {
				s += in.Weights.Risk(&in.Shops[i], 8)
			}
			_ = s
		}
	})
	b.Run("draw", func(b *testing.B) {
		for b.Loop() {
			if _, err := Draw(in, seed(1)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
