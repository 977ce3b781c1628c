package exam

import (
	"errors"
	"testing"
	"time"
)

func TestAdmitSave(t *testing.T) {
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	open := SaveTarget{Open: true, Deadline: now.Add(time.Minute), QuestionID: "red-004", ItemSeq: 3}
	with := func(change func(*SaveTarget)) SaveTarget {
		t := open
		change(&t)
		return t
	}
	cases := []struct {
		name   string
		target SaveTarget
		req    SaveRequest
		want   error
	}{
		{"the page of this question, up to date", open, SaveRequest{QuestionID: "red-004", Known: 3}, nil},
		{"a page built after the item's last change", open, SaveRequest{QuestionID: "red-004", Known: 9}, nil},
		{"a page built before the item changed", open, SaveRequest{QuestionID: "red-004", Known: 2}, ErrStale},
		{"a restored form of another question", open, SaveRequest{QuestionID: "seg-011", Known: 9}, ErrWrongQuestion},
		{"no question named", open, SaveRequest{Known: 9}, ErrWrongQuestion},
		{"another question and old: the question is what is wrong", open, SaveRequest{QuestionID: "seg-011", Known: 0}, ErrWrongQuestion},
		{"one nanosecond before the deadline", with(func(t *SaveTarget) { t.Deadline = now.Add(time.Nanosecond) }), SaveRequest{QuestionID: "red-004", Known: 3}, nil},
		{"at the deadline", with(func(t *SaveTarget) { t.Deadline = now }), SaveRequest{QuestionID: "red-004", Known: 3}, ErrDeadline},
		{"late and for another question", with(func(t *SaveTarget) { t.Deadline = now.Add(-time.Second) }), SaveRequest{QuestionID: "x", Known: 0}, ErrDeadline},
		{"handed in", with(func(t *SaveTarget) { t.Open = false }), SaveRequest{QuestionID: "red-004", Known: 3}, ErrClosed},
		{"handed in and late", with(func(t *SaveTarget) { t.Open, t.Deadline = false, now.Add(-time.Hour) }), SaveRequest{QuestionID: "red-004", Known: 3}, ErrClosed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := AdmitSave(now, tc.target, tc.req)
			if !errors.Is(got, tc.want) || (tc.want == nil && got != nil) {
				t.Errorf("AdmitSave = %v, want %v", got, tc.want)
			}
		})
	}
}
