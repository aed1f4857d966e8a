package reading_test

import (
	"fmt"

	"shian/reading"
)

// The form preselected food poisoning; the words say otherwise. The reading
// goes beside the submitted category, with its reasons.
func ExampleRead() {
	r := reading.Read("foodborne_illness", "Nobody got sick, but the kitchen was filthy")
	fmt.Println(r.Submitted, "→", r.Category, r.Priority, r.Differs())
	fmt.Println("denied:", r.Denied)
	fmt.Println(r.Reasons[0])

	r = reading.Read("other", "Ели в этом кафе — рвота, температура у ребёнка")
	fmt.Println(r.Category, "·", r.Why())
	// Output:
	// foodborne_illness → hygiene normal true
	// denied: [{illness [got sick]}]
	// hygiene because: filthy
	// foodborne_illness · urgent because: рвота, температура, ребенка
}

func ExampleLocate() {
	p, ok := reading.Locate("在鴿子窩公園門口的小攤，北戴河")
	fmt.Println(p.District, p.Name, p.Kind, p.Words, ok)
	// Output:
	// beidaihe 鸽子窝 landmark [鸽子窝 北戴河] true
}
