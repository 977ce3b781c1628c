package loadtest

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mxcert/internal/certificate"
)

const track = "soporte-basico"

// cand is one simulated candidate.
type cand struct {
	mu      sync.Mutex
	n       int
	name    string
	ip      string // its address, sent in X-Forwarded-For
	cookie  string
	attempt string
	seq     int64
	items   int
	keys    [][]int  // for candidates meant to pass
	qids    []string // the question served at each position, which every save names
	next    int
	certID  string
	code    string
}

type bench struct {
	cfg     Config
	be      *backend
	urls    []string // the servers
	turn    atomic.Uint64
	dataDir string
	client  *http.Client
	cands   []*cand
	db      *sql.DB // the server's database, for keys and ids
	ipSeq   atomic.Uint64
	certs   []*cand // candidates holding a certificate, listed once after S3
}

func newBench(cfg Config, be *backend, urls []string, dataDir string) *bench {
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second}
	return &bench{cfg: cfg, be: be, urls: urls, dataDir: dataDir, client: &http.Client{
		Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// base is the server the next request goes to: each in turn, whoever the
// candidate is, as a load balancer without affinity sends them. A session
// started on one server must work on every other.
func (b *bench) base() string {
	if len(b.urls) == 1 {
		return b.urls[0]
	}
	return b.urls[b.turn.Add(1)%uint64(len(b.urls))]
}

// addr is a documentation-range IPv6 address (RFC 3849): distinct
// simulated clients, no real network.
func addr(n uint64) string { return fmt.Sprintf("2001:db8::%x:%x", n>>16, n&0xffff) }

func (b *bench) do(ctx context.Context, method, path string, form url.Values, c *cand, ip string, accept string) (int, string, http.Header, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base()+path, body)
	if err != nil {
		return 0, "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if c != nil && c.cookie != "" {
		req.Header.Set("Cookie", "mx_session="+c.cookie)
	}
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header, err
}

// parallel runs fn for 0..n-1 on workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// closedLoop runs fn back to back on workers goroutines for d.
func closedLoop(workers int, d time.Duration, fn func(w int, rec *recorder)) (*recorder, time.Duration) {
	rec := &recorder{}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				fn(w, rec)
			}
		}()
	}
	wg.Wait()
	return rec, time.Since(start)
}

// openLoop sends n requests at fixed times over d, whatever the server's
// pace; each latency is measured from the time the request was due, so a
// stalled server shows in the percentiles (no coordinated omission).
func openLoop(n int, d time.Duration, fn func(i int, due time.Time, rec *recorder)) (*recorder, time.Duration) {
	rec := &recorder{}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		due := start.Add(time.Duration(float64(d) * float64(i) / float64(n)))
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func() { defer wg.Done(); fn(i, due, rec) }()
	}
	wg.Wait()
	return rec, time.Since(start)
}

// setup reads the candidates the server child made (SeedFile): each one's
// session, and the exam in progress with its questions, which every save
// names.
func (b *bench) setup(ctx context.Context) error {
	var err error
	b.db, err = b.be.reader(b.dataDir)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(b.dataDir, SeedFile)) // #nosec G304 -- the server child's data folder
	if err != nil {
		return err
	}
	defer f.Close()
	b.cands = make([]*cand, 0, b.cfg.Candidates)
	qids := map[string]string{} // one copy of each question id
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 4 {
			return fmt.Errorf("%s: bad line %q", SeedFile, sc.Text())
		}
		i := len(b.cands)
		c := &cand{n: i, name: candidateName(i), ip: addr(b.ipSeq.Add(1)), cookie: fields[1]}
		if fields[2] != "-" {
			c.attempt = fields[2]
			for _, q := range strings.Split(fields[3], ",") {
				if v, ok := qids[q]; ok {
					q = v
				} else {
					qids[q] = q
				}
				c.qids = append(c.qids, q)
			}
			c.items = len(c.qids)
		}
		b.cands = append(b.cands, c)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(b.cands) != b.cfg.Candidates {
		return fmt.Errorf("%s lists %d candidates, not %d", SeedFile, len(b.cands), b.cfg.Candidates)
	}
	return nil
}

// start presses "Empezar el examen" for c.
func (b *bench) start(ctx context.Context, c *cand, rec *recorder, due time.Time) error {
	code, _, h, err := b.do(ctx, "POST", "/certificaciones/"+track+"/examen", url.Values{"confirmo": {"1"}, "nombre": {c.name}}, c, c.ip, "")
	loc := h.Get("Location")
	if err == nil && (code != http.StatusSeeOther || !strings.HasPrefix(loc, "/examen/")) {
		err = fmt.Errorf("start: status %d to %q", code, loc)
	}
	if rec != nil {
		if err != nil {
			rec.fail(time.Since(due), err.Error())
		} else {
			rec.ok(time.Since(due))
		}
	}
	if err != nil {
		return err
	}
	c.attempt = strings.TrimPrefix(loc, "/examen/")
	c.items = 40
	return nil
}

func (b *bench) startStorm(ctx context.Context) Result {
	storm := stormSize(b.cfg)
	rec, el := openLoop(storm, b.cfg.StartStorm, func(i int, due time.Time, rec *recorder) { _ = b.start(ctx, b.cands[i], rec, due) })
	r := rec.result(fmt.Sprintf("S2 start storm (%d within %v)", storm, b.cfg.StartStorm), "open", el)
	return r
}

// learnQuestions reads which question is at each position of the
// attempts the storm started, as the exam page tells a browser: a save
// names its question. It reads the database outside any measured
// scenario; the other attempts' questions came with the setup.
func (b *bench) learnQuestions(ctx context.Context) error {
	for _, c := range b.cands {
		if c.attempt == "" || c.qids != nil {
			continue
		}
		rows, err := b.db.QueryContext(ctx, b.be.bind(`SELECT question_id FROM attempt_items WHERE attempt_id = ? ORDER BY position`), c.attempt)
		if err != nil {
			return fmt.Errorf("questions of attempt %s: %w", c.attempt, err)
		}
		for rows.Next() {
			var qid string
			if err := rows.Scan(&qid); err != nil {
				return errors.Join(fmt.Errorf("questions of attempt %s: %w", c.attempt, err), rows.Close())
			}
			c.qids = append(c.qids, qid)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("questions of attempt %s: %w", c.attempt, err)
		}
		c.items = len(c.qids)
	}
	return nil
}

func (b *bench) openAttempts() int {
	n := 0
	for _, c := range b.cands {
		if c.attempt != "" {
			n++
		}
	}
	return n
}

// save answers one question of c's attempt.
func (b *bench) save(ctx context.Context, c *cand, rec *recorder, due time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attempt == "" {
		return
	}
	pos := c.next % c.items
	c.next++
	answer := []int{0}
	if c.keys != nil {
		answer = c.keys[pos]
	}
	form := url.Values{"pregunta": {fmt.Sprint(pos + 1)}, "seq": {fmt.Sprint(c.seq)}}
	if pos < len(c.qids) {
		form.Set("id_pregunta", c.qids[pos])
	}
	for _, a := range answer {
		form.Add("opcion", fmt.Sprint(a))
	}
	code, body, _, err := b.do(ctx, "POST", "/examen/"+c.attempt+"/respuesta", form, c, c.ip, "application/json")
	var reply struct {
		Saved bool  `json:"saved"`
		Seq   int64 `json:"seq"`
	}
	if err == nil {
		err = json.Unmarshal([]byte(body), &reply)
	}
	if err == nil && (code != http.StatusOK || !reply.Saved) {
		err = fmt.Errorf("save: status %d %.80s", code, body)
	}
	if reply.Seq > 0 {
		c.seq = reply.Seq
	}
	if rec == nil {
		return
	}
	if err != nil {
		rec.fail(time.Since(due), err.Error())
		return
	}
	rec.ok(time.Since(due))
}

func (b *bench) autosaveClosed(ctx context.Context) Result {
	var turn atomic.Uint64
	rec, el := closedLoop(b.cfg.Workers, b.cfg.Duration, func(w int, rec *recorder) {
		c := b.cands[int(turn.Add(1))%len(b.cands)] // #nosec G115 -- a round-robin counter never nears 2^63
		b.save(ctx, c, rec, time.Now())
	})
	return rec.result("S1 autosave, saturation", fmt.Sprintf("closed, %d workers", b.cfg.Workers), el)
}

func (b *bench) autosaveOpen(ctx context.Context) Result {
	n := int(float64(b.cfg.SaveRate) * b.cfg.Duration.Seconds())
	rec, el := openLoop(n, b.cfg.Duration, func(i int, due time.Time, rec *recorder) {
		b.save(ctx, b.cands[i%len(b.cands)], rec, due)
	})
	return rec.result(fmt.Sprintf("S1 autosave at %d/s", b.cfg.SaveRate), "open", el)
}

// prepareSubmits makes half of the submitters answer every question right
// (keys read from the server's database, never from a page), so that the
// storm issues certificates.
func (b *bench) prepareSubmits(ctx context.Context) []*cand {
	subs := b.cands[:min(b.cfg.Submits, len(b.cands))]
	parallel(len(subs)/2, 16, func(i int) {
		c := subs[i]
		rows, err := b.db.QueryContext(ctx, b.be.bind(`SELECT s.item FROM attempt_items i JOIN served_items s ON s.id = i.served_id WHERE i.attempt_id = ? ORDER BY i.position`), c.attempt)
		if err != nil {
			return
		}
		var keys [][]int
		for rows.Next() {
			var item string
			if rows.Scan(&item) != nil {
				break
			}
			var it struct {
				Options []struct {
					Correct bool `json:"correct"`
				} `json:"options"`
			}
			_ = json.Unmarshal([]byte(item), &it) // the server wrote it
			var k []int
			for j, o := range it.Options {
				if o.Correct {
					k = append(k, j)
				}
			}
			keys = append(keys, k)
		}
		_ = rows.Close() // read-only rows; a short read only means fewer keys
		c.mu.Lock()
		c.keys, c.items, c.next = keys, len(keys), 0
		c.mu.Unlock()
		for range keys {
			b.save(ctx, c, nil, time.Now())
		}
	})
	return subs
}

func (b *bench) submitStorm(ctx context.Context) Result {
	subs := b.prepareSubmits(ctx)
	rec, el := openLoop(len(subs), b.cfg.SubmitIn, func(i int, due time.Time, rec *recorder) {
		c := subs[i]
		code, _, h, err := b.do(ctx, "POST", "/examen/"+c.attempt+"/entregar", url.Values{}, c, c.ip, "")
		if err == nil && (code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/resultado")) {
			err = fmt.Errorf("submit: status %d", code)
		}
		if err != nil {
			rec.fail(time.Since(due), err.Error())
			return
		}
		rec.ok(time.Since(due))
	})
	for _, c := range subs {
		_ = b.db.QueryRowContext(ctx, b.be.bind(`SELECT id, code FROM certificates WHERE attempt_id = ? AND status = 'valid'`), c.attempt).Scan(&c.certID, &c.code)
	}
	return rec.result(fmt.Sprintf("S3 submit and score storm (%d within %v)", len(subs), b.cfg.SubmitIn), "open", el)
}

// certified lists the candidates holding a certificate. It walks every
// candidate once, after S3: a verification must not cost the generator
// work that grows with the number of candidates, since the generator and
// the server share the machine.
func (b *bench) certified() []*cand {
	if b.certs == nil {
		b.certs = []*cand{}
		for _, c := range b.cands {
			if c.certID != "" {
				b.certs = append(b.certs, c)
			}
		}
	}
	return b.certs
}

func (b *bench) pdfs(ctx context.Context) (Result, Result) {
	certs := b.certified()
	rec := &recorder{}
	start := time.Now()
	parallel(len(certs), b.cfg.Workers, func(i int) {
		c := certs[i]
		t := time.Now()
		code, body, _, err := b.do(ctx, "GET", "/certificados/"+c.certID+"/pdf", nil, c, c.ip, "")
		if err == nil && (code != http.StatusOK || !strings.HasPrefix(body, "%PDF")) {
			err = fmt.Errorf("pdf: status %d", code)
		}
		if err != nil {
			rec.fail(time.Since(t), err.Error())
			return
		}
		rec.ok(time.Since(t))
	})
	first := rec.result(fmt.Sprintf("S4 certificate PDF, first render (%d)", len(certs)), fmt.Sprintf("closed, %d workers", b.cfg.Workers), time.Since(start))
	if len(certs) == 0 {
		return first, Result{Name: "S4 certificate PDF, cached", Notes: "no certificate was issued"}
	}
	var turn atomic.Uint64
	rec2, el := closedLoop(b.cfg.Workers, b.cfg.Duration, func(w int, rec *recorder) {
		c := certs[int(turn.Add(1))%len(certs)] // #nosec G115 -- a round-robin counter never nears 2^63
		t := time.Now()
		code, _, _, err := b.do(ctx, "GET", "/certificados/"+c.certID+"/pdf", nil, c, c.ip, "")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("pdf: status %d", code)
		}
		if err != nil {
			rec.fail(time.Since(t), err.Error())
			return
		}
		rec.ok(time.Since(t))
	})
	return first, rec2.result("S4 certificate PDF, cached", fmt.Sprintf("closed, %d workers", b.cfg.Workers), el)
}

func (b *bench) verify(ctx context.Context, rec *recorder, due time.Time, i int) {
	certs := b.certs
	target := "SB-0000-0000-0000" // a miss costs the same look-up
	if len(certs) > 0 {
		target = strings.ToLower(certs[i%len(certs)].code)
	}
	code, _, _, err := b.do(ctx, "GET", "/verificar/"+target, nil, nil, addr(b.ipSeq.Add(1)), "")
	if err == nil && code != http.StatusOK && !(len(certs) == 0 && code == http.StatusNotFound) {
		err = fmt.Errorf("verify: status %d", code)
	}
	if err != nil {
		rec.fail(time.Since(due), err.Error())
		return
	}
	rec.ok(time.Since(due))
}

func (b *bench) verifyClosed(ctx context.Context) Result {
	b.certified()
	var n atomic.Int64
	rec, el := closedLoop(b.cfg.Workers, b.cfg.Duration, func(w int, rec *recorder) { b.verify(ctx, rec, time.Now(), int(n.Add(1))) })
	return rec.result("S5 public verification, saturation", fmt.Sprintf("closed, %d workers", b.cfg.Workers), el)
}

func (b *bench) verifyOpen(ctx context.Context, name string) Result {
	b.certified()
	n := int(float64(b.cfg.Verifies) * b.cfg.Duration.Seconds())
	rec, el := openLoop(n, b.cfg.Duration, func(i int, due time.Time, rec *recorder) { b.verify(ctx, rec, due, i) })
	return rec.result(fmt.Sprintf("%s at %d/s", name, b.cfg.Verifies), "open", el)
}

// verifyUnderLoad measures verification latency while candidates autosave
// at S1's open-loop rate.
func (b *bench) verifyUnderLoad(ctx context.Context) Result {
	done := make(chan struct{})
	go func() {
		defer close(done)
		n := int(float64(b.cfg.SaveRate) * b.cfg.Duration.Seconds())
		openLoop(n, b.cfg.Duration, func(i int, due time.Time, rec *recorder) {
			b.save(ctx, b.cands[i%len(b.cands)], nil, due)
		})
	}()
	r := b.verifyOpen(ctx, fmt.Sprintf("S5 verification under S1 load (%d saves/s)", b.cfg.SaveRate))
	<-done
	return r
}

// ceiling is the saturation throughput of a bare handler.
func (b *bench) ceiling(ctx context.Context, u, method string) float64 {
	rec, el := closedLoop(b.cfg.Workers, b.cfg.Duration/2, func(w int, rec *recorder) {
		t := time.Now()
		req, _ := http.NewRequestWithContext(ctx, method, u, nil)
		resp, err := b.client.Do(req)
		if err != nil {
			rec.fail(time.Since(t), err.Error())
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close() // read to the end: closing reports nothing useful
		if resp.StatusCode != http.StatusOK {
			rec.fail(time.Since(t), resp.Status)
			return
		}
		rec.ok(time.Since(t))
	})
	return rec.result("", "", el).Throughput
}

// renderCeiling is how many certificate PDFs this machine renders per
// second in process, with every core.
func (b *bench) renderCeiling(ctx context.Context) float64 {
	key, err := certificate.LoadOrCreateKey(filepath.Join(b.dataDir, "bench-key"), false)
	if err != nil {
		return 0
	}
	signed, _ := certificate.Sign(certificate.Credential{Type: "MxOSCertificate", Version: 1, ID: "x", Code: "SB-0000-0000-0000", HolderName: "Candidata Núñez"}, key)
	doc := certificate.Document{ID: "x", Code: "SB-0000-0000-0000", HolderName: "Candidata Núñez", Certification: "Certificación en Soporte Básico de MxOS", IssuedAt: time.Now(), VerifyURL: b.urls[0] + "/verificar/SB-0000-0000-0000", Signed: signed}
	rec, el := closedLoop(runtime.GOMAXPROCS(0), b.cfg.Duration/2, func(w int, rec *recorder) {
		t := time.Now()
		if _, err := certificate.RenderPDF(doc); err != nil {
			rec.fail(time.Since(t), err.Error())
			return
		}
		rec.ok(time.Since(t))
	})
	return rec.result("", "", el).Throughput
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := readFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(data, "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s, %s", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// letters spells n in letters (a name may not contain digits): 0 → "Aa".
func letters(n int) string {
	s := []byte{}
	for {
		s = append([]byte{byte('a' + n%26)}, s...)
		n /= 26
		if n == 0 {
			break
		}
	}
	return "A" + string(s)
}
