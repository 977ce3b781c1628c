package content

import "testing"

func TestStudyTime(t *testing.T) {
	for _, tc := range []struct {
		name        string
		minutes     []int
		wantMinutes int
		wantHours   int
	}{
		{name: "no modules", wantMinutes: 0, wantHours: 0},
		{name: "modules without an estimate", minutes: []int{0, 0}, wantMinutes: 0, wantHours: 0},
		{name: "under an hour rounds up", minutes: []int{15, 20}, wantMinutes: 35, wantHours: 1},
		{name: "exactly two hours", minutes: []int{60, 45, 15}, wantMinutes: 120, wantHours: 2},
		{name: "a minute over", minutes: []int{60, 1}, wantMinutes: 61, wantHours: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &Track{}
			for _, m := range tc.minutes {
				tr.Modules = append(tr.Modules, &Module{Minutes: m})
			}
			if got := tr.StudyMinutes(); got != tc.wantMinutes {
				t.Errorf("StudyMinutes() = %d, want %d", got, tc.wantMinutes)
			}
			if got := tr.StudyHours(); got != tc.wantHours {
				t.Errorf("StudyHours() = %d, want %d", got, tc.wantHours)
			}
		})
	}
}
