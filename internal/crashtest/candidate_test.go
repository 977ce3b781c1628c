package crashtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// world is what the test knows: the binary, the folders, the servers, and
// every candidate with what the servers acknowledged to them.
type world struct {
	t                        *testing.T
	bin, content, data, logs string
	database                 string   // PostgreSQL's URL; empty: SQLite in data
	env                      []string // added to the servers' environment

	began time.Time // when the load began

	mu           sync.Mutex
	replicas     []*replica
	rng          *rand.Rand
	cands        []*candidate
	current      map[int]*candidate // each worker's candidate
	ackedAnswers int
	answered     int   // requests the servers answered, over all the runs
	byReplica    []int // the same, by replica
	lostReplies  int   // requests left without a reply by a kill
	unackedSaves int   // autosaves that committed though their reply was lost
}

// newWorld is a world of n replicas on the database (empty: SQLite in the
// data folder, n = 1), the content and the keys of one data folder.
func newWorld(t *testing.T, database string, n int, env []string) *world {
	t.Helper()
	w := &world{t: t, bin: buildServer(t), content: copyContent(t), data: t.TempDir(), logs: t.TempDir(),
		database: database, env: env, byReplica: make([]int, n),
		rng: rand.New(rand.NewPCG(1, 2))} // #nosec G404 -- test data; crashSafety seeds it
	for i := range n {
		w.replicas = append(w.replicas, &replica{name: string(rune('a' + i))})
	}
	return w
}

// backend names the database as /healthz does.
func (w *world) backend() string {
	if w.database != "" {
		return "postgres"
	}
	return "sqlite"
}

// A candidate's progress. Each step is one request; a step whose answer
// was lost to a kill is simply taken again after the restart.
type stage int

const (
	registering stage = iota
	confirming        // following the link of the queued confirmation message
	signingIn
	starting
	learning  // reading the questions' pages
	answering // autosaving, then handing in
	result    // reading the result (and the certificate, on a pass)
	done
)

type candidate struct {
	name, email, ip string
	jar             *cookiejar.Jar
	rng             *rand.Rand
	stage           stage

	attempt  string
	options  []int    // per question: how many options
	multiple []bool   // per question: select all that apply
	qids     []string // per question: its id, which every save names
	seq      int64    // the attempt's sequence as last told by the server
	saves    int      // autosaves left before handing in

	// acked[i] is question i's last acknowledged answer (nil: none), and
	// ackedSeq[i] the sequence the server gave it. maybe[i] are answers
	// sent after it whose reply was lost: each may or may not have been
	// committed.
	acked    [][]int
	ackedSeq []int64
	maybe    [][][]int

	submitSent, submitAcked bool
	passSeen                bool // the result page said so
	certID                  string
}

const password = "una frase larga y segura"

var (
	firstNames = []string{"Ana", "José", "María", "Luis", "Guadalupe", "Ximena", "Iñaki", "Rocío", "Ángel", "Itzel"}
	lastNames  = []string{"López", "Hernández", "Núñez", "García", "O'Brien", "Peña", "Martínez", "Xóchitl", "Díaz", "Ruiz"}
)

func (w *world) newCandidate() *candidate {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.cands) + 1
	jar, _ := cookiejar.New(nil)
	c := &candidate{
		name:  fmt.Sprintf("%s %s %s", firstNames[n%10], lastNames[n/10%10], lastNames[(n+3)%10]),
		email: fmt.Sprintf("candidata%04d@ejemplo.mx", n),
		ip:    fmt.Sprintf("10.77.%d.%d", n/250, n%250+1),
		jar:   jar,
		rng:   rand.New(rand.NewPCG(w.rng.Uint64(), w.rng.Uint64())), // #nosec G404 -- test data
	}
	w.cands = append(w.cands, c)
	return c
}

// errDown is a request that got no answer: the server was killed, or hung
// and its candidates gave up on it.
var errDown = errors.New("no answer from the server")

// answeredRequests is how many requests the servers have answered so far.
func (w *world) answeredRequests() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.answered
}

// answeredBy is how many requests replica i has answered so far.
func (w *world) answeredBy(i int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byReplica[i]
}

// target is where a step's requests go: a run of one replica.
type target struct {
	replica, gen int
	url          string
	gone         context.Context // ends when the candidates give up on the run
}

// client is hc for requests to tg: they are abandoned when tg is.
func (tg target) client(hc *http.Client) *http.Client {
	c := *hc
	c.Transport = abandoning{hc.Transport, tg.gone}
	return &c
}

// abandoning sends requests that end with ctx.
type abandoning struct {
	next http.RoundTripper
	ctx  context.Context
}

func (a abandoning) RoundTrip(r *http.Request) (*http.Response, error) {
	return a.next.RoundTrip(r.WithContext(a.ctx))
}

// pick chooses a running replica for the candidate's next step, as a
// load balancer that keeps no affinity does; false when none runs.
func (w *world) pick(c *candidate) (target, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var up []target
	for i, r := range w.replicas {
		if r.srv != nil {
			up = append(up, target{i, r.gen, r.srv.url, r.srv.gone})
		}
	}
	switch len(up) {
	case 0:
		return target{}, false
	case 1:
		return up[0], true
	}
	return up[c.rng.IntN(len(up))], true
}

// killed says whether the run of the replica that tg names was taken out
// (it is taken out before the kill, so a request it left without an
// answer always finds it so).
func (w *world) killed(tg target) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.replicas[tg.replica]
	return r.srv == nil || r.gen != tg.gen
}

// work drives one candidate after another until ctx ends. A request that
// a kill leaves without an answer is taken again on another replica, or,
// with none running, in the next cycle.
func (w *world) work(ctx context.Context, hc *http.Client, worker int) {
	for ctx.Err() == nil {
		w.mu.Lock()
		if w.current == nil {
			w.current = map[int]*candidate{}
		}
		c := w.current[worker]
		w.mu.Unlock()
		if c == nil || c.stage == done {
			c = w.newCandidate()
			w.mu.Lock()
			w.current[worker] = c
			w.mu.Unlock()
		}
		tg, ok := w.pick(c)
		if !ok {
			break
		}
		err := w.step(tg.client(hc), c, tg.url)
		if err == nil {
			w.mu.Lock()
			w.answered++
			w.byReplica[tg.replica]++
			w.mu.Unlock()
			continue
		}
		switch {
		case !errors.Is(err, errDown):
			w.t.Errorf("%s: %v", c.email, err)
		case !w.killed(tg):
			w.t.Errorf("%s: a server that was not killed did not answer: %v", c.email, err)
		case !errors.Is(err, syscall.ECONNREFUSED): // sent, not refused
			w.mu.Lock()
			w.lostReplies++
			w.mu.Unlock()
			continue
		default:
			continue
		}
		break
	}
	<-ctx.Done() // a failure, or no server left: the next cycle carries on
}

type reply struct {
	status   int
	location string
	body     string
}

// send makes one request as the candidate: their cookies, their address.
func (c *candidate) send(hc *http.Client, method, target string, form url.Values, wantJSON bool) (reply, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return reply{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if wantJSON {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	for _, ck := range c.jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w (%w)", method, req.URL.Path, errDown, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w (%w)", method, req.URL.Path, errDown, err)
	}
	c.jar.SetCookies(req.URL, resp.Cookies())
	if resp.StatusCode >= 500 {
		return reply{}, fmt.Errorf("%s %s: status %d", method, req.URL.Path, resp.StatusCode)
	}
	return reply{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(data)}, nil
}

var (
	optionRe  = regexp.MustCompile(`<input type="(radio|checkbox)" id="opcion-\d+" name="opcion"`)
	seqRe     = regexp.MustCompile(`name="seq" value="(\d+)"`)
	qidRe     = regexp.MustCompile(`name="id_pregunta" value="([^"]+)"`)
	gridRe    = regexp.MustCompile(`<li><a href="/examen/[^"?]+\?p=\d+"`)
	certRe    = regexp.MustCompile(`/certificados/([0-9a-f-]{36})`)
	attemptRe = regexp.MustCompile(`^/examen/([0-9a-f-]{36})$`)
)

// step takes the candidate one request further.
func (w *world) step(hc *http.Client, c *candidate, base string) error {
	switch c.stage {
	case registering:
		r, err := c.send(hc, "POST", base+"/registro", url.Values{"name": {c.name}, "email": {c.email}, "password": {password}, "state": {"Oaxaca"}}, false)
		if err != nil {
			return err
		}
		// The same page whether the account is new or was made just before
		// a kill that lost the reply.
		if r.status != http.StatusSeeOther || r.location != "/registro/enviado" {
			return fmt.Errorf("register: %d %.300s", r.status, r.body)
		}
		c.stage = confirming

	case confirming:
		link, err := w.confirmationLink(c.email)
		if err != nil {
			return err
		}
		r, err := c.send(hc, "GET", base+link, nil, false)
		if err != nil {
			return err
		}
		// 410: used already, by a request whose reply a kill lost.
		if r.status != http.StatusSeeOther && r.status != http.StatusGone {
			return fmt.Errorf("confirm the address: %d %.300s", r.status, r.body)
		}
		c.stage = signingIn

	case signingIn:
		r, err := c.send(hc, "POST", base+"/entrar", url.Values{"email": {c.email}, "password": {password}}, false)
		if err != nil {
			return err
		}
		if r.status != http.StatusSeeOther {
			return fmt.Errorf("sign in: %d %.300s", r.status, r.body)
		}
		c.stage = starting

	case starting:
		r, err := c.send(hc, "POST", base+"/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {c.name}}, false)
		if err != nil {
			return err
		}
		m := attemptRe.FindStringSubmatch(r.location)
		if r.status != http.StatusSeeOther || m == nil {
			return fmt.Errorf("start the exam: %d %q %.300s", r.status, r.location, r.body)
		}
		if c.attempt != "" && c.attempt != m[1] {
			return fmt.Errorf("start the exam again: attempt %s, then %s", c.attempt, m[1])
		}
		c.attempt, c.stage = m[1], learning

	case learning:
		r, err := c.send(hc, "GET", base+"/examen/"+c.attempt+"?p=1", nil, false)
		if err != nil {
			return err
		}
		total := len(gridRe.FindAllString(r.body, -1))
		if r.status != http.StatusOK || total == 0 {
			return fmt.Errorf("exam page: %d with %d questions", r.status, total)
		}
		c.options, c.multiple, c.qids = make([]int, total), make([]bool, total), make([]string, total)
		for p := 1; p <= total; p++ {
			if p > 1 {
				if r, err = c.send(hc, "GET", fmt.Sprintf("%s/examen/%s?p=%d", base, c.attempt, p), nil, false); err != nil {
					return err
				}
			}
			opts := optionRe.FindAllStringSubmatch(r.body, -1)
			seq := seqRe.FindStringSubmatch(r.body)
			qid := qidRe.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || len(opts) == 0 || seq == nil || qid == nil {
				return fmt.Errorf("question %d page: %d, %d options", p, r.status, len(opts))
			}
			c.qids[p-1] = qid[1]
			c.options[p-1], c.multiple[p-1] = len(opts), opts[0][1] == "checkbox"
			if _, err := fmt.Sscan(seq[1], &c.seq); err != nil {
				return err
			}
		}
		if c.acked == nil {
			c.acked, c.ackedSeq, c.maybe = make([][]int, total), make([]int64, total), make([][][]int, total)
			c.saves = 3 + c.rng.IntN(20)
		}
		c.stage = answering

	case answering:
		if c.saves == 0 {
			return w.handIn(hc, c, base)
		}
		return w.autosave(hc, c, base)

	case result:
		r, err := c.send(hc, "GET", base+"/examen/"+c.attempt+"/resultado", nil, false)
		if err != nil {
			return err
		}
		if r.status != http.StatusOK {
			return fmt.Errorf("result page: %d %q", r.status, r.location)
		}
		if strings.Contains(r.body, "¡Aprobaste!") {
			m := certRe.FindStringSubmatch(r.body)
			if m == nil {
				return fmt.Errorf("a pass without a certificate link")
			}
			cr, err := c.send(hc, "GET", base+"/certificados/"+m[1], nil, false)
			if err != nil {
				return err
			}
			if cr.status != http.StatusOK {
				return fmt.Errorf("certificate page: %d", cr.status)
			}
			c.passSeen, c.certID = true, m[1]
		}
		c.stage = done
	}
	return nil
}

// autosave sends one answer as the exam page's script does.
func (w *world) autosave(hc *http.Client, c *candidate, base string) error {
	pos := c.rng.IntN(len(c.options))
	answer := c.randomAnswer(pos)
	form := url.Values{"pregunta": {fmt.Sprint(pos + 1)}, "seq": {fmt.Sprint(c.seq)}, "id_pregunta": {c.qids[pos]}}
	for _, o := range answer {
		form.Add("opcion", fmt.Sprint(o))
	}
	c.maybe[pos] = append(c.maybe[pos], answer)
	r, err := c.send(hc, "POST", base+"/examen/"+c.attempt+"/respuesta", form, true)
	if err != nil {
		return err
	}
	var saved struct {
		Saved, Stale, Closed bool
		Seq                  int64
		Answer               []int
	}
	if err := json.Unmarshal([]byte(r.body), &saved); err != nil {
		return fmt.Errorf("autosave: %d %.300s", r.status, r.body)
	}
	switch {
	case r.status == http.StatusOK && saved.Saved:
		c.acked[pos], c.ackedSeq[pos], c.maybe[pos], c.seq = answer, saved.Seq, nil, saved.Seq
		c.saves--
		w.mu.Lock()
		w.ackedAnswers++
		w.mu.Unlock()
	case r.status == http.StatusConflict && saved.Stale:
		// A save whose reply was lost did commit: the server says which
		// answer it holds and the sequence to build on.
		c.acked[pos], c.maybe[pos], c.seq = saved.Answer, nil, saved.Seq
	default:
		return fmt.Errorf("autosave: %d %.300s", r.status, r.body)
	}
	return nil
}

func (c *candidate) randomAnswer(pos int) []int {
	n := c.options[pos]
	if !c.multiple[pos] {
		return []int{c.rng.IntN(n)}
	}
	var a []int
	for len(a) == 0 {
		a = a[:0]
		for i := range n {
			if c.rng.IntN(2) == 1 {
				a = append(a, i)
			}
		}
	}
	return a
}

// handIn submits the attempt; submitting twice is harmless.
func (w *world) handIn(hc *http.Client, c *candidate, base string) error {
	c.submitSent = true
	r, err := c.send(hc, "POST", base+"/examen/"+c.attempt+"/entregar", url.Values{}, false)
	if err != nil {
		return err
	}
	if r.status != http.StatusSeeOther || r.location != "/examen/"+c.attempt+"/resultado" {
		return fmt.Errorf("hand in: %d %q", r.status, r.location)
	}
	c.submitAcked, c.stage = true, result
	return nil
}

// finalVisit takes every unfinished candidate to the end on the servers,
// which are left running, and signs a certified one in again from
// scratch on each.
func (w *world) finalVisit() {
	t := w.t
	hc := newClient()
	defer hc.CloseIdleConnections()
	for _, c := range w.cands {
		for c.stage != done {
			if c.stage == answering {
				c.saves = 0
			}
			tg, ok := w.pick(c)
			if !ok {
				t.Fatal("no server runs")
			}
			if err := w.step(hc, c, tg.url); err != nil {
				t.Fatalf("%s after the last restart: %v", c.email, err)
			}
		}
	}
	for _, c := range w.cands {
		if !c.passSeen {
			continue
		}
		for _, r := range w.replicas {
			w.seesCertificate(hc, c, r.srv.url)
		}
		break
	}
}

// seesCertificate signs c in again on the server at base and finds the
// certificate on their account page.
func (w *world) seesCertificate(hc *http.Client, c *candidate, base string) {
	t := w.t
	jar, _ := cookiejar.New(nil)
	again := &candidate{email: c.email, ip: "10.88.0.1", jar: jar}
	r, err := again.send(hc, "POST", base+"/entrar", url.Values{"email": {c.email}, "password": {password}}, false)
	if err != nil || r.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %v %d", c.email, err, r.status)
	}
	r, err = again.send(hc, "GET", base+"/cuenta", nil, false)
	if err != nil || r.status != http.StatusOK || !strings.Contains(r.body, c.certID) {
		t.Errorf("%s's account page after the kills does not list the certificate: %v %d", c.email, err, r.status)
	}
}

// outcomes counts handed-in and passed attempts.
func (w *world) outcomes() (passed, finished int) {
	for _, c := range w.cands {
		if c.submitAcked {
			finished++
		}
		if c.passSeen {
			passed++
		}
	}
	return passed, finished
}

// confirmationLink reads, from the outbox table, the newest confirmation
// link queued for email (its path and query), as a person reads it in
// their mailbox.
func (w *world) confirmationLink(email string) (string, error) {
	db, err := w.open()
	if err != nil {
		return "", err
	}
	defer db.Close()
	var text string
	err = db.QueryRow(`SELECT text_body FROM mail_outbox WHERE to_addr = $1 AND text_body LIKE '%/correo/verificar?t=%' ORDER BY id DESC LIMIT 1`, email).Scan(&text)
	if err != nil {
		return "", fmt.Errorf("confirmation mail to %s: %w", email, err)
	}
	for _, f := range strings.Fields(text) {
		if u, err := url.Parse(f); err == nil && u.Path == "/correo/verificar" {
			return u.RequestURI(), nil
		}
	}
	return "", fmt.Errorf("no confirmation link in the mail to %s", email)
}
