// Package draw decides which questions an exam serves: exactly the
// blueprint's count from each domain, never two questions of one enemy
// group, and of all such choices the cheapest, where the cost says how
// recently the candidate saw a question. It works on plain values and
// knows nothing of banks or files, so that exam's assembly and content's
// lint ask the same question in the same way (content cannot import exam,
// which imports content).
//
// The choice is a minimum-cost flow: the source sends each domain its
// count, a domain passes one unit to the group of each question it picks,
// and every group (an ungrouped question is a group of its own) lets at
// most one unit through to the sink. A greedy pass in order of preference
// would be shorter, but it can paint itself into a corner — take a group's
// question for one domain when another domain had no other choice — and
// it can serve a seen question where a rearrangement would have served
// none. The flow finds a choice whenever one exists, the best one, and
// when none exists the cut it ends on names the domains and groups to
// blame (Hall's condition).
package draw

import (
	"cmp"
	"fmt"
	"slices"
)

// Candidate is a question that may be served.
type Candidate struct {
	Domain int    // index into the counts asked for
	Group  string // enemy group; "" for none
	Cost   Cost
}

// Cost is what serving a candidate costs. Costs add up field by field and
// are compared field by field, so a choice serving fewer questions seen
// before always wins, then one whose seen questions are older, and only
// then the random draw decides.
type Cost struct {
	Seen    int64 // 1 for a question served to the candidate before
	Recency int64 // among the seen, higher for more recently seen
	Random  int64 // the draw's preference among equals
}

func (c Cost) add(d Cost) Cost {
	return Cost{c.Seen + d.Seen, c.Recency + d.Recency, c.Random + d.Random}
}
func (c Cost) neg() Cost { return Cost{-c.Seen, -c.Recency, -c.Random} }

func (c Cost) compare(d Cost) int {
	return cmp.Or(cmp.Compare(c.Seen, d.Seen), cmp.Compare(c.Recency, d.Recency), cmp.Compare(c.Random, d.Random))
}

// Shortfall is why no choice exists: together, the Domains ask for Need
// questions, but their candidates can give only Have at once, because a
// group gives one question per exam. Groups are the named groups among
// those candidates that hold more than one of them.
type Shortfall struct {
	Domains []int
	Need    int
	Have    int
	Groups  []string
}

// Error says what a shortfall means; its fields say where, for whoever
// knows the domains' names.
func (s *Shortfall) Error() string {
	return fmt.Sprintf("no choice fills the blueprint without two questions of one group (%d asked, %d possible)", s.Need, s.Have)
}

// Choose picks exactly need[d] candidates of each domain d, no two of one
// group, at the least total cost. It returns the indices of the chosen
// candidates in ascending order, or a *Shortfall when no choice exists.
// It is deterministic: the same input gives the same choice.
func Choose(need []int, cands []Candidate) ([]int, error) {
	total := 0
	for d, n := range need {
		if n < 0 {
			return nil, fmt.Errorf("domain %d asks for %d questions", d, n)
		}
		total += n
	}
	for i, c := range cands {
		if c.Domain < 0 || c.Domain >= len(need) {
			return nil, fmt.Errorf("candidate %d is of domain %d, outside the %d asked for", i, c.Domain, len(need))
		}
	}
	net := build(need, cands)
	for range total {
		if !net.augment() {
			return nil, net.shortfall(need, cands)
		}
	}
	var chosen []int
	for _, a := range net.arcs {
		if a.cand >= 0 && a.cap == 0 {
			chosen = append(chosen, a.cand)
		}
	}
	slices.Sort(chosen)
	return chosen, nil
}

// Node numbers: the source, one node per domain, one per group, the sink.
const source = 0

func domainNode(d int) int { return 1 + d }

type arc struct {
	to, cap int
	cost    Cost
	cand    int // the candidate a domain-to-group arc serves; -1 for others
}

type network struct {
	arcs []arc   // arcs 2k and 2k+1 are each other's reverse
	out  [][]int // the arcs leaving each node
	sink int

	// augment's working space, one slot a node, kept between its calls
	dist    []Cost
	reached []bool
	queued  []bool
	via     []int // the arc a node was last reached by
	queue   []int
}

func build(need []int, cands []Candidate) *network {
	keep := contenders(need, cands)
	net := &network{}
	nodes := 1 + len(need)
	group := make([]int, len(keep)) // the group node of each contender
	named := map[string]int{}
	for k, i := range keep {
		g, ok := named[cands[i].Group]
		if !ok || cands[i].Group == "" {
			g = nodes
			named[cands[i].Group] = g
			nodes++
		}
		group[k] = g
	}
	net.sink = nodes
	nodes++
	net.out = make([][]int, nodes)
	net.arcs = make([]arc, 0, 2*(len(need)+len(keep)+nodes))
	net.dist, net.reached, net.queued, net.via = make([]Cost, nodes), make([]bool, nodes), make([]bool, nodes), make([]int, nodes)
	for d, n := range need {
		if n > 0 {
			net.add(source, domainNode(d), n, Cost{}, -1)
		}
	}
	for k, i := range keep {
		net.add(domainNode(cands[i].Domain), group[k], 1, cands[i].Cost, i)
	}
	for g := 1 + len(need); g < net.sink; g++ {
		net.add(g, net.sink, 1, Cost{}, -1)
	}
	return net
}

// contenders are the candidates a cheapest choice may need: of each
// domain, in order of cost, those up to and including its need-th
// ungrouped one. Any later candidate x is never needed: a choice serving
// it leaves one of those ungrouped ones out (it serves x and no more than
// need of the domain), and swapping x for it breaks no group and costs no
// more. Without groups this leaves need candidates a domain, so the flow
// has little to do.
func contenders(need []int, cands []Candidate) []int {
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(cmp.Compare(cands[i].Domain, cands[j].Domain), cands[i].Cost.compare(cands[j].Cost))
	})
	ungrouped := make([]int, len(need))
	var out []int
	for _, i := range order {
		d := cands[i].Domain
		if ungrouped[d] >= need[d] {
			continue
		}
		out = append(out, i)
		if cands[i].Group == "" {
			ungrouped[d]++
		}
	}
	return out
}

func (n *network) add(from, to, capacity int, cost Cost, cand int) {
	n.out[from] = append(n.out[from], len(n.arcs))
	n.arcs = append(n.arcs, arc{to: to, cap: capacity, cost: cost, cand: cand})
	n.out[to] = append(n.out[to], len(n.arcs))
	n.arcs = append(n.arcs, arc{to: from, cost: cost.neg(), cand: -1})
}

// augment sends one more unit from the source to the sink along the
// cheapest path of the residual network, and reports whether there was
// one. Every path crosses an arc of capacity one, so one unit is all a
// path carries. Sending along cheapest paths keeps the flow the cheapest
// of its size, which is also why the residual network has no negative
// cycle and Bellman-Ford (here with a queue) terminates.
func (n *network) augment() bool {
	dist, reached, via, queued := n.dist, n.reached, n.via, n.queued
	clear(dist)
	clear(reached)
	reached[source] = true
	queue := append(n.queue[:0], source)
	queued[source] = true
	for head := 0; head < len(queue); head++ {
		u := queue[head]
		queued[u] = false
		for _, i := range n.out[u] {
			a := n.arcs[i]
			if a.cap == 0 {
				continue
			}
			d := dist[u].add(a.cost)
			if reached[a.to] && d.compare(dist[a.to]) >= 0 {
				continue
			}
			dist[a.to], reached[a.to], via[a.to] = d, true, i
			if !queued[a.to] {
				queue = append(queue, a.to)
				queued[a.to] = true
			}
		}
	}
	n.queue = queue
	if !reached[n.sink] {
		return false
	}
	for v := n.sink; v != source; {
		i := via[v]
		n.arcs[i].cap--
		n.arcs[i^1].cap++
		v = n.arcs[i^1].to
	}
	return true
}

// shortfall explains a flow that cannot grow. The domains still reachable
// from the source are a set whose count exceeds the groups they can draw
// from (the minimum cut), by exactly what the flow is short of.
func (n *network) shortfall(need []int, cands []Candidate) *Shortfall {
	reach := make([]bool, len(n.out))
	reach[source] = true
	stack := []int{source}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, i := range n.out[u] {
			if a := n.arcs[i]; a.cap > 0 && !reach[a.to] {
				reach[a.to] = true
				stack = append(stack, a.to)
			}
		}
	}
	// A domain with enough ungrouped candidates of its own is no part of
	// the reason (leaving it out loses it no more than it asks for), and
	// leaving it out keeps the candidates contenders dropped out of the
	// count.
	ungrouped := make([]int, len(need))
	for _, c := range cands {
		if c.Group == "" {
			ungrouped[c.Domain]++
		}
	}
	s := &Shortfall{}
	in := make([]bool, len(need))
	for d, k := range need {
		if k > 0 && reach[domainNode(d)] && ungrouped[d] < k {
			in[d] = true
			s.Domains = append(s.Domains, d)
			s.Need += k
		}
	}
	members := map[string]int{}
	for _, c := range cands {
		switch {
		case !in[c.Domain]:
		case c.Group == "":
			s.Have++
		default:
			if members[c.Group] == 0 {
				s.Have++
			}
			members[c.Group]++
		}
	}
	for g, k := range members {
		if k > 1 {
			s.Groups = append(s.Groups, g)
		}
	}
	slices.Sort(s.Groups)
	return s
}
