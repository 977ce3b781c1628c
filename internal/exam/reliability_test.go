package exam

import (
	"math"
	"testing"
)

// sittings builds Sittings from a matrix: one row per attempt, each cell
// "question:1" (right) or "question:0" (wrong).
func sittings(t *testing.T, rows [][]string) Sittings {
	t.Helper()
	var s Sittings
	for _, row := range rows {
		ids := make([]string, len(row))
		right := make([]bool, len(row))
		for i, cell := range row {
			ids[i], right[i] = cell[:len(cell)-2], cell[len(cell)-1] == '1'
		}
		if err := s.Add(ids, right); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestReliabilityByHand(t *testing.T) {
	for _, tc := range []struct {
		name             string
		rows             [][]string
		mean, sd         float64
		kr20, sem, semPc float64
	}{
		{
			// One form of 4 items, 5 people, each item harder than the last:
			//
			//	        a b c d  X
			//	P1      1 1 1 1  4
			//	P2      1 1 1 0  3
			//	P3      1 1 0 0  2
			//	P4      1 0 0 0  1
			//	P5      0 0 0 0  0
			//
			//	p       .8 .6 .4 .2        pq = .16 .24 .24 .16   Σpq = 0.8
			//	mean X = 10/5 = 2          σ² = (4+1+0+1+4)/5 = 2
			//	KR-20 = 4/3 · (1 − 0.8/2) = 4/3 · 0.6 = 0.8
			//	SEM   = √2 · √(1 − 0.8) = √0.4 = 0.632456   (15.81 % of 4 items)
			name: "fixed form, consistent items",
			rows: [][]string{
				{"a:1", "b:1", "c:1", "d:1"},
				{"a:1", "b:1", "c:1", "d:0"},
				{"a:1", "b:1", "c:0", "d:0"},
				{"a:1", "b:0", "c:0", "d:0"},
				{"a:0", "b:0", "c:0", "d:0"},
			},
			mean: 2, sd: math.Sqrt(2), kr20: 0.8, sem: math.Sqrt(0.4), semPc: math.Sqrt(0.4) / 4 * 100,
		},
		{
			// Two items that have nothing to do with each other:
			//
			//	        a b  X
			//	P1      1 0  1
			//	P2      0 1  1
			//	P3      1 1  2
			//	P4      0 0  0
			//
			//	p = .5 .5    Σpq = .25 + .25 = 0.5
			//	mean X = 1   σ² = (0+0+1+1)/4 = 0.5
			//	KR-20 = 2/1 · (1 − 0.5/0.5) = 0: the score is all noise,
			//	SEM   = √0.5 · √1 = σ_X = 0.707107
			name: "unrelated items",
			rows: [][]string{{"a:1", "b:0"}, {"a:0", "b:1"}, {"a:1", "b:1"}, {"a:0", "b:0"}},
			mean: 1, sd: math.Sqrt(0.5), kr20: 0, sem: math.Sqrt(0.5), semPc: math.Sqrt(0.5) / 2 * 100,
		},
		{
			// Random draws of k = 2 from a bank of three questions:
			//
			//	attempt  questions   X
			//	A1       a:1 b:1     2
			//	A2       a:1 c:0     1
			//	A3       b:0 c:0     0
			//	A4       a:0 b:1     1
			//
			//	a served 3, right 2: p = 2/3, pq = 2/9
			//	b served 3, right 2: p = 2/3, pq = 2/9
			//	c served 2, right 0: p = 0,   pq = 0
			//	Σ pq per attempt: A1 4/9, A2 2/9, A3 2/9, A4 4/9; mean 12/9/4 = 1/3
			//	  (the same as Σ_j n_j p_j q_j / N = (3·2/9 + 3·2/9 + 0)/4 = 1/3)
			//	mean X = 1   σ² = (1+0+1+0)/4 = 0.5
			//	KR-20 = 2/1 · (1 − (1/3)/0.5) = 2 · 1/3 = 0.666667
			//	SEM   = √0.5 · √(1/3) = √(1/6) = 0.408248
			name: "random draws",
			rows: [][]string{{"a:1", "b:1"}, {"a:1", "c:0"}, {"b:0", "c:0"}, {"a:0", "b:1"}},
			mean: 1, sd: math.Sqrt(0.5), kr20: 2.0 / 3, sem: math.Sqrt(1.0 / 6), semPc: math.Sqrt(1.0/6) / 2 * 100,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ReliabilityOf(sittings(t, tc.rows))
			if r.Attempts != len(tc.rows) || r.Items != len(tc.rows[0]) {
				t.Errorf("attempts %d, items %d", r.Attempts, r.Items)
			}
			if !near(r.Mean, tc.mean) || !near(r.SD, tc.sd) {
				t.Errorf("mean %v, sd %v; want %v, %v", r.Mean, r.SD, tc.mean, tc.sd)
			}
			if !near(r.KR20, tc.kr20) || !near(r.SEM, tc.sem) || !near(r.SEMPercent(), tc.semPc) {
				t.Errorf("KR-20 %v, SEM %v (%v %%); want %v, %v (%v %%)", r.KR20, r.SEM, r.SEMPercent(), tc.kr20, tc.sem, tc.semPc)
			}
			if r.Enough() {
				t.Errorf("%d attempts are not enough to show KR-20", r.Attempts)
			}
		})
	}
}

func TestReliabilityUndefined(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]string
	}{
		{"no attempts", nil},
		{"one attempt", [][]string{{"a:1", "b:0"}}},
		{"one question", [][]string{{"a:1"}, {"a:0"}}},
		{"everyone the same score", [][]string{{"a:1", "b:0"}, {"a:0", "b:1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ReliabilityOf(sittings(t, tc.rows))
			if !math.IsNaN(r.KR20) || !math.IsNaN(r.SEM) || r.Enough() {
				t.Errorf("KR-20 %v, SEM %v, enough %v; want undefined", r.KR20, r.SEM, r.Enough())
			}
		})
	}
}

// A negative KR-20 is shown as it is; the SEM never exceeds σ_X.
func TestNegativeReliability(t *testing.T) {
	// a and b contradict each other: whoever gets one right misses the other,
	// except P3, who misses both.
	//	        a b  X
	//	P1      1 0  1
	//	P2      0 1  1
	//	P3      0 0  0
	//	p = 1/3 1/3   Σpq = 2 · 2/9 = 4/9
	//	mean X = 2/3  σ² = (1/9 + 1/9 + 4/9)/3 = 2/9
	//	KR-20 = 2 · (1 − (4/9)/(2/9)) = 2 · (1 − 2) = −2
	r := ReliabilityOf(sittings(t, [][]string{{"a:1", "b:0"}, {"a:0", "b:1"}, {"a:0", "b:0"}}))
	if !near(r.KR20, -2) || !near(r.SEM, r.SD) || r.Level() != ReliabilityLow {
		t.Errorf("KR-20 %v, SEM %v, σ %v, level %s", r.KR20, r.SEM, r.SD, r.Level())
	}
}

func TestSittingsRefuseMixedLengths(t *testing.T) {
	var s Sittings
	if err := s.Add([]string{"a", "b"}, []bool{true, false}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add([]string{"a", "b", "c"}, []bool{true, false, true}); err == nil {
		t.Error("an attempt of 3 questions was added to an exam of 2")
	}
	if err := s.Add([]string{"a", "b"}, []bool{true}); err == nil {
		t.Error("an attempt with fewer answers than questions was added")
	}
	if s.Attempts != 1 {
		t.Errorf("attempts = %d after refusals", s.Attempts)
	}
}

func TestReliabilityLevels(t *testing.T) {
	for _, tc := range []struct {
		kr20 float64
		want ReliabilityLevel
	}{
		{0.95, ReliabilityExcellent}, {0.90, ReliabilityExcellent}, {0.89, ReliabilityGood}, {0.80, ReliabilityGood},
		{0.75, ReliabilityAcceptable}, {0.65, ReliabilityQuestionable}, {0.59, ReliabilityLow}, {math.NaN(), ReliabilityLow},
	} {
		if got := (Reliability{KR20: tc.kr20}).Level(); got != tc.want {
			t.Errorf("KR-20 %v: %s, want %s", tc.kr20, got, tc.want)
		}
	}
}

// Known values: Newcombe (1998), "Two-sided confidence intervals for the
// single proportion: comparison of seven methods", Statistics in Medicine
// 17:857–872, table II, method 3 (Wilson score, no continuity correction).
func TestWilsonKnownValues(t *testing.T) {
	for _, tc := range []struct {
		x, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{29, 29, 0.8830, 1}, // the mirror of 0 of 29: the interval is not empty at 100 %
	} {
		lo, hi := Wilson(tc.x, tc.n, Z95)
		if math.Abs(lo-tc.lo) > 0.00005 || math.Abs(hi-tc.hi) > 0.00005 {
			t.Errorf("%d of %d: [%.4f, %.4f], want [%.4f, %.4f]", tc.x, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("no attempts: [%v, %v], want [0, 1]", lo, hi)
	}
}
