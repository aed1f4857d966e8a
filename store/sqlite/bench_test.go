package sqlite_test

import (
	"testing"

	"shian/store/storetest"
)

// go test -run XXX -bench RecordInspection -benchtime 200x ./store/sqlite/
func BenchmarkRecordInspection(b *testing.B) {
	storetest.BenchRecordInspection(b, openB(b))
}
