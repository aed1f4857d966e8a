package seed

import "testing"

func TestCNNumber(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "一"}, {9, "九"}, {10, "十"}, {11, "十一"}, {20, "二十"}, {21, "二十一"},
		{100, "一百"}, {105, "一百零五"}, {110, "一百一十"}, {120, "一百二十"},
		{1005, "一千零五"}, {1050, "一千零五十"}, {2300, "二千三百"}, {10001, "一万零一"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := cnNumber(tt.n); got != tt.want {
				t.Errorf("cnNumber(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
