package draw

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// brute tries every subset of the candidates: the cheapest one that fills
// every domain exactly without repeating a group, and the most candidates
// that can be served together at all (no domain over its count).
func brute(need []int, cands []Candidate) (best []int, bestCost Cost, found bool, most int) {
	for mask := 0; mask < 1<<len(cands); mask++ {
		count := make([]int, len(need))
		groups := map[string]bool{}
		var picked []int
		var cost Cost
		ok := true
		for i, c := range cands {
			if mask&(1<<i) == 0 {
				continue
			}
			g := c.Group
			if g == "" {
				g = fmt.Sprint("#", i)
			}
			if groups[g] {
				ok = false
				break
			}
			groups[g] = true
			count[c.Domain]++
			if count[c.Domain] > need[c.Domain] {
				ok = false
				break
			}
			picked = append(picked, i)
			cost = cost.add(c.Cost)
		}
		if !ok {
			continue
		}
		most = max(most, len(picked))
		if slices.Equal(count, need) && (!found || cost.compare(bestCost) < 0) {
			best, bestCost, found = picked, cost, true
		}
	}
	return best, bestCost, found, most
}

func randomInstance(r *rand.Rand) ([]int, []Candidate) {
	need := make([]int, 1+r.IntN(3))
	for d := range need {
		need[d] = r.IntN(3)
	}
	cands := make([]Candidate, r.IntN(11))
	for i := range cands {
		c := Candidate{Domain: r.IntN(len(need)), Cost: Cost{Seen: int64(r.IntN(2)), Recency: int64(r.IntN(3)), Random: int64(r.IntN(5))}}
		if r.IntN(2) == 0 {
			c.Group = string(rune('a' + r.IntN(3)))
		}
		cands[i] = c
	}
	return need, cands
}

// Against every subset of thousands of small random instances, Choose
// finds a choice exactly when one exists, a valid one, and one of the
// least cost; when none exists its explanation holds (Hall's condition
// fails for the domains it names by what the best partial choice lacks).
func TestChooseAgainstEverySubset(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 5000 {
		need, cands := randomInstance(r)
		_, bestCost, found, most := brute(need, cands)
		got, err := Choose(need, cands)
		var short *Shortfall
		switch {
		case found && err != nil:
			t.Fatalf("instance %d %v %+v: a choice exists, Choose said %v", n, need, cands, err)
		case !found && !errors.As(err, &short):
			t.Fatalf("instance %d %v %+v: no choice exists, Choose gave %v, %v", n, need, cands, got, err)
		case found:
			count := make([]int, len(need))
			groups := map[string]bool{}
			var cost Cost
			for _, i := range got {
				c := cands[i]
				count[c.Domain]++
				if c.Group != "" && groups[c.Group] {
					t.Fatalf("instance %d: group %s served twice in %v", n, c.Group, got)
				}
				groups[c.Group] = true
				cost = cost.add(c.Cost)
			}
			if !slices.Equal(count, need) || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("instance %d: chose %v, counts %v, want %v", n, got, count, need)
			}
			if cost != bestCost {
				t.Fatalf("instance %d %v %+v: chose %v costing %+v, the best costs %+v", n, need, cands, got, cost, bestCost)
			}
		default:
			total := 0
			for _, k := range need {
				total += k
			}
			if short.Need-short.Have != total-most || short.Have >= short.Need {
				t.Fatalf("instance %d %v %+v: shortfall %+v, but the best partial choice serves %d of %d", n, need, cands, short, most, total)
			}
			asked := 0
			in := map[int]bool{}
			for _, d := range short.Domains {
				in[d] = true
				asked += need[d]
			}
			distinct := map[string]bool{}
			for i, c := range cands {
				if in[c.Domain] {
					g := c.Group
					if g == "" {
						g = fmt.Sprint("#", i)
					}
					distinct[g] = true
				}
			}
			if asked != short.Need || len(distinct) != short.Have {
				t.Fatalf("instance %d %v %+v: shortfall %+v, but those domains ask for %d and draw from %d groups", n, need, cands, short, asked, len(distinct))
			}
		}
	}
}

// The trap a greedy pass falls into: domain 0's favourite shares a group
// with domain 1's only candidate.
func TestChooseLooksAhead(t *testing.T) {
	cands := []Candidate{
		{Domain: 0, Group: "arranque", Cost: Cost{Random: 0}},
		{Domain: 0, Cost: Cost{Random: 1}},
		{Domain: 1, Group: "arranque", Cost: Cost{Random: 0}},
	}
	got, err := Choose([]int{1, 1}, cands)
	if err != nil || !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Choose = %v, %v; want [1 2]", got, err)
	}
	// A fresh question costs less than any number of draws: the seen one
	// is left out even though the draw prefers it.
	cands[1].Cost = Cost{Seen: 1}
	cands = append(cands, Candidate{Domain: 0, Cost: Cost{Random: 99}})
	if got, err := Choose([]int{1, 1}, cands); err != nil || !slices.Equal(got, []int{2, 3}) {
		t.Errorf("Choose = %v, %v; want [2 3]", got, err)
	}
	var short *Shortfall
	if _, err := Choose([]int{2, 1}, cands[:3]); !errors.As(err, &short) || short.Need != 3 || short.Have != 2 || !slices.Equal(short.Groups, []string{"arranque"}) {
		t.Errorf("two of domain 0 and one of domain 1 from two groups: %v", err)
	}
}
