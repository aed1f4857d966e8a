package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"shian/importer"
	"shian/names"
)

func mustNames(t testing.TB) *names.Namer {
	t.Helper()
	n, err := names.New()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A Chinese-only registry gets visitor names, addresses and item codes at
// import; names the registry supplies win.
func TestImportGeneratesVisitorNames(t *testing.T) {
	nm := mustNames(t)
	in := good + "\n" +
		`{"licence":"JY11303020004321","name":"重庆老火锅","category":"restaurant","address":"北戴河区保二路12号","district":"beidaihe","inspections":[{"date":"2026-05-20","result":"fair","items_failed":["未按规定留样","经营者态度恶劣"]}]}` + "\n"
	res, err := importer.ParseJSONL(strings.NewReader(in), importer.Options{Now: now, Names: nm})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, importer.ErrorList(res.Errors))
	}
	supplied, chineseOnly := res.Shops[0], res.Shops[1]
	for _, c := range []struct{ name, got, want string }{
		{"supplied name_en wins", supplied.NameEN, "Old Fisherman Seafood"},
		{"missing name_ru generated", supplied.NameRU, "Рыбацкая кухня, морепродукты Лао"},
		{"flags", fmt.Sprint(supplied.NameENGenerated, supplied.NameRUGenerated), "false true"},
		{"item mapped", fmt.Sprintf("%q", supplied.Inspections[0].ItemCodes), `["cold_storage"]`},
		{"name_en", chineseOnly.NameEN, "Chong Qing Traditional Hotpot"},
		{"name_ru", chineseOnly.NameRU, "Хого Чун Цин"},
		{"address_en", chineseOnly.AddressEN, "12 Bao'er Lu, Beidaihe District"},
		{"address_ru", chineseOnly.AddressRU, "ул. Баоэр 12, район Бэйдайхэ"},
		{"address kept", chineseOnly.Address, "北戴河区保二路12号"},
		{"items kept as written", strings.Join(chineseOnly.Inspections[0].ItemsFailed, ","), "未按规定留样,经营者态度恶劣"},
		{"codes index by index", fmt.Sprintf("%q", chineseOnly.Inspections[0].ItemCodes), `["sample_retention" ""]`},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}

	res, err = importer.ParseLIVES(mapFS(feed), importer.Options{Now: now, Locate: locate, Names: nm})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, importer.ErrorList(res.Errors))
	}
	cafe := res.Shops[2]
	if cafe.NameEN != "Bei Dai He Café" || cafe.NameRU != "Кофейня Бэй Дай Хэ" || cafe.AddressEN != "5 Bao'er Lu" {
		t.Errorf("LIVES shop: %q / %q / %q", cafe.NameEN, cafe.NameRU, cafe.AddressEN)
	}
	if codes := res.Shops[0].Inspections[0].ItemCodes; len(codes) != 1 || codes[0] != "cold_storage" {
		t.Errorf("LIVES violation codes = %q", codes)
	}
}
