package importer_test

import (
	"strings"
	"testing"

	"shian"
	"shian/importer"
)

// Decimal scores (issue 18, item 7): accepted in both formats and graded
// on the exact value, so 89.9 is good, not excellent.
func TestDecimalScoresJSONL(t *testing.T) {
	for _, tc := range []struct {
		score string
		want  string
	}{{"89.9", shian.ResultGood}, {"90", shian.ResultExcellent}, {"74.99", shian.ResultFair}, {"59.5", shian.ResultFail}} {
		line := strings.Replace(good, `"score":92`, `"score":`+tc.score, 1)
		res, err := importer.ParseJSONL(strings.NewReader(line), opts())
		if err != nil || len(res.Errors) != 0 {
			t.Fatalf("score %s: %v %v", tc.score, err, importer.ErrorList(res.Errors))
		}
		in := res.Shops[0].Inspections[1]
		if in.Result != tc.want || in.Score == nil || shian.FormatScore(*in.Score) != tc.score {
			t.Errorf("score %s: result %s score %v, want %s", tc.score, in.Result, in.Score, tc.want)
		}
	}
}

func TestDecimalScoresLIVES(t *testing.T) {
	for _, tc := range []struct {
		score string
		want  string
	}{
		// legend.csv of the feed: 85–100 优秀, 70–84 良好, 60–69 一般, 0–59 不合格.
		{"84.9", shian.ResultGood}, {"85", shian.ResultExcellent}, {"69.5", shian.ResultFair}, {"59.99", shian.ResultFail}, {"100", shian.ResultExcellent},
	} {
		files := map[string]string{}
		for k, v := range feed {
			files[k] = v
		}
		files["inspections.csv"] = strings.Replace(feed["inspections.csv"], ",71,", ","+tc.score+",", 1)
		res, err := importer.ParseLIVES(mapFS(files), livesOpts())
		if err != nil || len(res.Errors) != 0 {
			t.Fatalf("score %s: %v %v", tc.score, err, importer.ErrorList(res.Errors))
		}
		in := res.Shops[0].Inspections[0]
		if in.Result != tc.want || in.Score == nil || shian.FormatScore(*in.Score) != tc.score {
			t.Errorf("score %s: result %s score %v, want %s", tc.score, in.Result, in.Score, tc.want)
		}
	}
}
