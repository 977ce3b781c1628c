package loadtest

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// recorder collects the latencies and errors of one measurement.
type recorder struct {
	mu      sync.Mutex
	lat     []time.Duration
	errors  int
	samples []string // a few error descriptions
}

func (r *recorder) ok(d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) fail(d time.Duration, why string) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.errors++
	if len(r.samples) < 3 {
		r.samples = append(r.samples, why)
	}
	r.mu.Unlock()
}

// Result is one line of a report table.
type Result struct {
	Name       string
	Mode       string // "closed" (saturation) or "open" (fixed rate)
	Requests   int
	Errors     int
	Elapsed    time.Duration
	Throughput float64 // completed requests per second
	P50, P90   time.Duration
	P99, Max   time.Duration
	Ceiling    float64 // the raw ceiling's throughput, 0 if none
	CeilingOf  string
	Notes      string
}

// Ratio is throughput over the ceiling.
func (r Result) Ratio() string {
	if r.Ceiling == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.Throughput/r.Ceiling)
}

func (r *recorder) result(name, mode string, elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat := slices.Clone(r.lat)
	slices.Sort(lat)
	res := Result{Name: name, Mode: mode, Requests: len(lat), Errors: r.errors, Elapsed: elapsed}
	if elapsed > 0 {
		res.Throughput = float64(len(lat)-r.errors) / elapsed.Seconds()
	}
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		i := int(float64(len(lat))*p+0.5) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	res.P50, res.P90, res.P99 = pct(0.50), pct(0.90), pct(0.99)
	if len(lat) > 0 {
		res.Max = lat[len(lat)-1]
	}
	if len(r.samples) > 0 {
		res.Notes = "errores: " + fmt.Sprint(r.samples)
	}
	return res
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
