//go:build !race

package complaints

const raceEnabled = false
