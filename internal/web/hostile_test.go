package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mxcert/internal/model"
)

// The hostile-input table: requests an attacker, a careless client or a
// broken proxy sends, through the real router. Whatever comes in, the
// answer is a 4xx (or a harmless redirect), never a 500, never a stack
// trace, and never another candidate's data.

// sqlish are strings that break naively concatenated SQL.
var sqlish = []string{
	`' OR '1'='1`,
	`1; DROP TABLE users; --`,
	`" OR ""="`,
	`%' UNION SELECT password_hash FROM users --`,
}

// clean fails the test when a response is a server error or leaks internals.
func clean(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Errorf("%.200s: status %d", what, rec.Code)
	}
	if b := rec.Body.String(); strings.Contains(b, "goroutine ") || strings.Contains(b, ".go:") || strings.Contains(b, "panic") {
		t.Errorf("%.200s: the body shows internals:\n%.1000s", what, b)
	}
}

// hostileWorld is the cast of the table: a victim holding a certificate
// and a practice session, a second victim in the middle of an exam, and
// the attacker, signed in with an exam of their own.
type hostileWorld struct {
	env                  *testEnv
	victim, victim2, bad *client
	cert                 *model.Certificate
	practice             string // the victim's practice session path
	victimAttempt        *model.Attempt
	badAttempt           *model.Attempt
	nextIP               int
}

const (
	victimName  = "Victoria Ríos Salgado"
	victimEmail = "victoria@ejemplo.mx"
	victim2Name = "Valeria Cruz Ortega"
)

func newHostileWorld(t *testing.T) *hostileWorld {
	t.Helper()
	w := &hostileWorld{env: newEnv(t)}
	w.victim = w.anon(t)
	w.victim.register(victimName, victimEmail, goodPassword)
	w.practice = w.victim.post("/certificaciones/ejemplo/practica", url.Values{"tema": {"arranque"}}).Header().Get("Location")
	if !strings.HasPrefix(w.practice, "/practica/") {
		t.Fatalf("practice session: %q", w.practice)
	}
	w.cert = passExam(t, w.env, w.victim)

	w.victim2 = w.anon(t)
	w.victim2.register(victim2Name, "valeria@ejemplo.mx", goodPassword)
	w.victimAttempt = startExam(t, w.env, w.victim2, "ejemplo")
	first := w.victimAttempt.Items[0].Item
	wantStatus(t, w.victim2.post("/examen/"+w.victimAttempt.ID+"/respuesta", saveForm(w.victimAttempt, 0, w.victimAttempt.Seq, first.Key())), http.StatusSeeOther)

	w.bad = w.anon(t)
	w.bad.register("Ana Atacante", "ana@ejemplo.mx", goodPassword)
	w.badAttempt = startExam(t, w.env, w.bad, "ejemplo")
	return w
}

// anon is a new visitor from an address of its own, so that the rate
// limits (on a fake clock that never refills them) stay out of the way.
func (w *hostileWorld) anon(t *testing.T) *client {
	w.nextIP++
	c := w.env.client(t)
	c.ip = fmt.Sprintf("10.%d.%d.%d", w.nextIP/65536%256, w.nextIP/256%256, w.nextIP%256)
	return c
}

func (w *hostileWorld) victimData() []string {
	return []string{victimName, victimEmail, victim2Name, "valeria@ejemplo.mx", w.cert.Code}
}

type hostileCase struct {
	name   string
	who    string // "anon" (a new visitor), "bad" (the signed-in attacker)
	method string
	target string
	form   url.Values // sent as a urlencoded body
	raw    string     // a raw urlencoded body, when form is nil
	status int        // the status wanted; 0 accepts any but a 5xx
	absent []string   // texts that must not be in the body
}

func TestHostileInputTable(t *testing.T) {
	w := newHostileWorld(t)
	mine := "/examen/" + w.badAttempt.ID
	theirs := "/examen/" + w.victimAttempt.ID
	save := func(extra ...string) url.Values {
		return saveForm(w.badAttempt, 0, w.badAttempt.Seq, []int{0}, extra...)
	}
	huge := strings.Repeat("a", maxBody+1)
	leaks := []string{"module mxcert", "package ", "{{define", "domain:", "- [x]", "root:"}

	cases := []hostileCase{
		// Oversized bodies: refused before any work.
		{name: "huge login", who: "anon", method: "POST", target: "/entrar", raw: "email=" + huge, status: 413},
		{name: "huge registration", who: "anon", method: "POST", target: "/registro", raw: "name=" + huge + "&email=x%40y.mx", status: 413},
		{name: "huge autosave", who: "bad", method: "POST", target: mine + "/respuesta", raw: "pregunta=1&seq=0&opcion=" + huge, status: 413},
		{name: "huge name change", who: "bad", method: "POST", target: "/cuenta/nombre", raw: "name=" + huge, status: 413},
		{name: "huge submit", who: "bad", method: "POST", target: mine + "/entregar", raw: "x=" + huge, status: 413},
		{name: "huge practice answer", who: "bad", method: "POST", target: "/certificaciones/ejemplo/practica", raw: "tema=" + huge, status: 413},
		{name: "huge language switch", who: "anon", method: "POST", target: "/idioma", raw: "lang=es&siguiente=" + huge, status: 413},

		// Invalid UTF-8 and broken encodings in forms.
		{name: "latin-1 name", who: "anon", method: "POST", target: "/registro", raw: "name=Jos%E9+P%E9rez&email=jose%40ejemplo.mx&password=jard%C3%ADn+de+cactus&state=Oaxaca", status: 400},
		{name: "invalid UTF-8 password", who: "anon", method: "POST", target: "/entrar", raw: "email=ana%40ejemplo.mx&password=%ff%fe%fd", status: 400},
		{name: "invalid UTF-8 option", who: "bad", method: "POST", target: mine + "/respuesta", raw: "pregunta=1&seq=0&opcion=%c0%af", status: 400},
		{name: "invalid UTF-8 exam name", who: "bad", method: "POST", target: "/certificaciones/ejemplo/examen", raw: "confirmo=1&nombre=%ed%a0%80", status: 400},
		{name: "invalid UTF-8 new name", who: "bad", method: "POST", target: "/cuenta/nombre", raw: "name=Ana+%80%80", status: 400},
		{name: "bad escape", who: "anon", method: "POST", target: "/registro", raw: "name=%zz&email=%", status: 400},
		{name: "NUL in a field", who: "anon", method: "POST", target: "/registro", raw: "name=Ana%00L%C3%B3pez&email=nul%40ejemplo.mx&password=jard%C3%ADn+de+cactus&state=Oaxaca", status: 422},
		{name: "invalid UTF-8 verification code", who: "anon", method: "GET", target: "/verificar/%ff%fe%fd", status: 404},
		{name: "invalid UTF-8 in the verification form", who: "anon", method: "GET", target: "/verificar?codigo=%ff", status: 303},
		{name: "invalid UTF-8 track", who: "anon", method: "GET", target: "/certificaciones/%ff", status: 404},
		{name: "invalid UTF-8 attempt id", who: "bad", method: "GET", target: "/examen/%ff%fe", status: 404},
		{name: "bad escape in a query", who: "bad", method: "GET", target: mine + "?p=%zz", status: 303}, // to the question to go on with

		// Very long values.
		{name: "10 000 letter name", who: "anon", method: "POST", target: "/registro", form: url.Values{"name": {strings.Repeat("Ñ", 10000)}, "email": {"largo@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, status: 422},
		{name: "long e-mail", who: "anon", method: "POST", target: "/registro", form: url.Values{"name": {"Ana López"}, "email": {strings.Repeat("a", 5000) + "@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, status: 422},
		{name: "long password", who: "anon", method: "POST", target: "/registro", form: url.Values{"name": {"Ana López"}, "email": {"larga@ejemplo.mx"}, "password": {strings.Repeat("contraseña ", 3000)}, "state": {"Oaxaca"}}, status: 422},
		{name: "long password at sign-in", who: "anon", method: "POST", target: "/entrar", form: url.Values{"email": {"ana@ejemplo.mx"}, "password": {strings.Repeat("x", 60000)}}, status: 401},
		{name: "long name change", who: "bad", method: "POST", target: "/cuenta/nombre", form: url.Values{"name": {strings.Repeat("Ana ", 2000)}}, status: 422},
		{name: "long attempt id", who: "bad", method: "GET", target: "/examen/" + strings.Repeat("a", 8000), status: 404},
		{name: "many options", who: "bad", method: "POST", target: mine + "/respuesta", raw: "pregunta=1&seq=0" + strings.Repeat("&opcion=0", 2000), status: 400},
		{name: "huge numbers", who: "bad", method: "POST", target: mine + "/respuesta", form: url.Values{"pregunta": {"99999999999999999999"}, "seq": {"0"}, "opcion": {"0"}}, status: 400},
		{name: "negative question", who: "bad", method: "POST", target: mine + "/respuesta", form: url.Values{"pregunta": {"-3"}, "seq": {"0"}, "opcion": {"0"}}, status: 400},
		{name: "question zero without an answer", who: "bad", method: "POST", target: mine + "/respuesta", form: url.Values{"pregunta": {"0"}, "seq": {"0"}, "revisar": {"1"}}},
		{name: "option out of range", who: "bad", method: "POST", target: mine + "/respuesta", form: save("opcion", "51"), status: 400},
		{name: "negative option", who: "bad", method: "POST", target: mine + "/respuesta", form: url.Values{"pregunta": {"1"}, "seq": {"0"}, "opcion": {"-1"}}, status: 400},
		{name: "huge page number", who: "bad", method: "GET", target: mine + "?p=9223372036854775808", status: 404},

		// Markup in names: refused, and shown back escaped.
		{name: "script in a name", who: "anon", method: "POST", target: "/registro", form: url.Values{"name": {`<script>alert("x")</script>`}, "email": {"xss@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, status: 422, absent: []string{`<script>alert(`}},
		{name: "attribute breaker in a name", who: "anon", method: "POST", target: "/registro", form: url.Values{"name": {`Ana" autofocus onfocus="alert(1)`}, "email": {"attr@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}, status: 422, absent: []string{`" autofocus onfocus="`}},
		{name: "markup in an e-mail", who: "anon", method: "POST", target: "/entrar", form: url.Values{"email": {`"><img src=x onerror=alert(1)>@x.mx`}, "password": {"nada"}}, absent: []string{"<img src=x"}},
		{name: "markup in the next page", who: "anon", method: "GET", target: "/entrar?siguiente=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", status: 200, absent: []string{"<script>alert(1)"}},
		{name: "markup in a verification code", who: "anon", method: "GET", target: "/verificar/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", status: 404, absent: []string{"<img src=x"}},
		{name: "markup in a new name", who: "bad", method: "POST", target: "/cuenta/nombre", form: url.Values{"name": {"<b>Ana</b>"}}, status: 422, absent: []string{"<b>Ana</b>"}},

		// Another candidate's things: 404, as if they did not exist.
		{name: "their attempt", who: "bad", method: "GET", target: theirs, status: 404},
		{name: "their attempt, question 1", who: "bad", method: "GET", target: theirs + "?p=1", status: 404},
		{name: "their review page", who: "bad", method: "GET", target: theirs + "/entregar", status: 404},
		{name: "their result", who: "bad", method: "GET", target: "/examen/" + w.cert.AttemptID + "/resultado", status: 404},
		{name: "answer in their attempt", who: "bad", method: "POST", target: theirs + "/respuesta", form: saveForm(w.victimAttempt, 0, 99, []int{1}), status: 404},
		{name: "flag in their attempt", who: "bad", method: "POST", target: theirs + "/respuesta", form: url.Values{"pregunta": {"1"}, "seq": {"99"}, "revisar": {"1"}}, status: 404},
		{name: "submit their attempt", who: "bad", method: "POST", target: theirs + "/entregar", status: 404},
		{name: "their practice", who: "bad", method: "GET", target: w.practice, status: 404},
		{name: "answer their practice", who: "bad", method: "POST", target: w.practice + "/pregunta/1", form: answerForm(0), status: 404},
		{name: "finish their practice", who: "bad", method: "POST", target: w.practice + "/terminar", status: 404},
		{name: "their practice result", who: "bad", method: "GET", target: w.practice + "/resultado", status: 404},
		{name: "their certificate page", who: "bad", method: "GET", target: "/certificados/" + w.cert.ID, status: 404},
		{name: "their certificate PDF", who: "bad", method: "GET", target: "/certificados/" + w.cert.ID + "/pdf", status: 404},
		{name: "their certificate by code", who: "bad", method: "GET", target: "/certificados/" + w.cert.Code, status: 404},
		{name: "the admin console", who: "bad", method: "GET", target: "/admin", status: 404},
		{name: "a candidate in the admin console", who: "bad", method: "GET", target: "/admin/candidatos/1", status: 404},

		// Path traversal on the static files and the content's images.
		{name: "static dot-dot", who: "anon", method: "GET", target: "/static/x/../../go.mod", status: 404},
		{name: "static dot-dot encoded", who: "anon", method: "GET", target: "/static/x/%2e%2e/%2e%2e/go.mod", status: 404},
		{name: "static slash encoded", who: "anon", method: "GET", target: "/static/x/..%2f..%2fgo.mod", status: 404},
		{name: "static backslash", who: "anon", method: "GET", target: "/static/x/..%5c..%5cgo.mod", status: 404},
		{name: "static templates", who: "anon", method: "GET", target: "/static/x/css/../../templates/layout.html", status: 404},
		{name: "static source", who: "anon", method: "GET", target: "/static/x/static.go", status: 404},
		{name: "static absolute", who: "anon", method: "GET", target: "/static/x//etc/passwd", status: 404},
		{name: "static NUL", who: "anon", method: "GET", target: "/static/x/css/site.css%00.png", status: 404},
		{name: "static long name", who: "anon", method: "GET", target: "/static/x/" + strings.Repeat("a", 5000) + ".css", status: 404},
		{name: "static double-encoded", who: "anon", method: "GET", target: "/static/x/%252e%252e/go.mod", status: 404},
		{name: "content dot-dot", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/../questions/arranque.md", status: 404},
		{name: "content dot-dot encoded", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/%2e%2e/%2e%2e/ejemplo/questions/arranque.md", status: 404},
		{name: "content slash encoded", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images%2f..%2fquestions%2farranque.md", status: 404},
		{name: "content backslash", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/..%5c..%5ccertification.md", status: 404},
		{name: "content disguised as an image", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/../questions/arranque.md%00.png", status: 404},
		{name: "content NUL", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/a%00.png", status: 404},
		{name: "content long name", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/" + strings.Repeat("a", 5000) + ".png", status: 404},
		{name: "content file as a folder", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/orden-arranque.png/x.png", status: 404},
		{name: "content other track", who: "anon", method: "GET", target: "/certificaciones/..%2f..%2f/archivos/images/go.mod.png", status: 404},
		{name: "content double-encoded", who: "anon", method: "GET", target: "/certificaciones/ejemplo/archivos/images/%252e%252e/certification.md", status: 404},

		// Wrong methods.
		{name: "DELETE home", who: "anon", method: "DELETE", target: "/", status: 405},
		{name: "PUT registration", who: "anon", method: "PUT", target: "/registro", status: 405},
		{name: "GET sign-out", who: "bad", method: "GET", target: "/salir", status: 405},
		{name: "GET autosave", who: "bad", method: "GET", target: mine + "/respuesta", status: 405},
		{name: "PATCH autosave", who: "bad", method: "PATCH", target: mine + "/respuesta", status: 405},
		{name: "POST verification", who: "anon", method: "POST", target: "/verificar/ABC", status: 405},
		{name: "POST API", who: "anon", method: "POST", target: "/api/v1/certificates/ABC", status: 405},
		{name: "DELETE certificate", who: "bad", method: "DELETE", target: "/certificados/" + w.cert.ID, status: 405},
		{name: "PUT static", who: "anon", method: "PUT", target: "/static/x/css/site.css", status: 405},
		{name: "POST health", who: "anon", method: "POST", target: "/healthz", status: 405},

		// Malformed ids and codes on the public verification surfaces.
		{name: "verify empty code", who: "anon", method: "GET", target: "/verificar/", status: 404},
		{name: "verify NUL", who: "anon", method: "GET", target: "/verificar/%00", status: 404},
		{name: "verify control characters", who: "anon", method: "GET", target: "/verificar/%0d%0aSet-Cookie:%20x=1", status: 404},
		{name: "verify slashes", who: "anon", method: "GET", target: "/verificar/a/b/c", status: 404},
		{name: "verify dot-dot", who: "anon", method: "GET", target: "/verificar/../../etc/passwd", status: 404},
		{name: "verify 10 000 characters", who: "anon", method: "GET", target: "/verificar/" + strings.Repeat("7", 10000), status: 404},
		{name: "verify almost a code", who: "anon", method: "GET", target: "/verificar/" + w.cert.Code + "X", status: 404},
		{name: "verify an id with a suffix", who: "anon", method: "GET", target: "/verificar/" + w.cert.ID + "%27--", status: 404},
		{name: "verify percent", who: "anon", method: "GET", target: "/verificar/%25", status: 404},
		{name: "API NUL", who: "anon", method: "GET", target: "/api/v1/certificates/%00", status: 404},
		{name: "API invalid UTF-8", who: "anon", method: "GET", target: "/api/v1/certificates/%ff%fe", status: 404},
		{name: "API slashes", who: "anon", method: "GET", target: "/api/v1/certificates/a/b", status: 404},
		{name: "API empty code", who: "anon", method: "GET", target: "/api/v1/certificates/", status: 404},
		{name: "API 10 000 characters", who: "anon", method: "GET", target: "/api/v1/certificates/" + strings.Repeat("Z", 10000), status: 404},
		{name: "API unicode look-alikes", who: "anon", method: "GET", target: "/api/v1/certificates/" + url.PathEscape("ЅВ-7К4Q-9ХТР-М2НW"), status: 404},
	}

	// SQL-looking strings in every field of every form and in every path
	// parameter. The statements are parameterised, so each is just a
	// string that matches nothing.
	forms := []struct {
		who, target string
		fields      url.Values
	}{
		{"anon", "/registro", url.Values{"name": {"Ana López"}, "email": {"sql@ejemplo.mx"}, "password": {goodPassword}, "state": {"Oaxaca"}}},
		{"anon", "/entrar", url.Values{"email": {"nadie@ejemplo.mx"}, "password": {"cualquier cosa"}, "siguiente": {"/cuenta"}}},
		{"anon", "/idioma", url.Values{"lang": {"en"}, "siguiente": {"/"}}},
		{"bad", "/cuenta/nombre", url.Values{"name": {"Ana Atacante"}}},
		{"bad", "/cuenta/contrasena", url.Values{"current": {"mal"}, "new": {"otra frase larga"}}},
		{"bad", "/certificaciones/ejemplo/practica", url.Values{"tema": {"arranque"}, "simulacro": {"0"}, "con_tiempo": {"0"}}},
		{"bad", "/certificaciones/ejemplo/modulos/arranque/estudiado", url.Values{"estudiado": {"1"}}},
		{"bad", "/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {"Ana Atacante"}}},
		{"bad", mine + "/respuesta", url.Values{"pregunta": {"1"}, "seq": {"0"}, "opcion": {"0"}, "revisar": {"1"}, "ir": {"2"}}},
	}
	for _, f := range forms {
		for field := range f.fields {
			for i, payload := range sqlish {
				form := url.Values{}
				for k, v := range f.fields {
					form[k] = v
				}
				form.Set(field, payload)
				cases = append(cases, hostileCase{name: fmt.Sprintf("SQL %d in %s %s", i, f.target, field), who: f.who, method: "POST", target: f.target, form: form})
			}
		}
	}
	for i, payload := range sqlish {
		p := url.PathEscape(payload)
		q := url.QueryEscape(payload)
		for _, target := range []string{
			"/verificar/" + p, "/verificar?codigo=" + q, "/api/v1/certificates/" + p,
			"/certificaciones/" + p, "/certificaciones/ejemplo/modulos/" + p, "/certificaciones/" + p + "/examen",
			"/certificaciones/ejemplo/archivos/images/" + p + ".png", "/static/" + p + "/css/site.css", "/static/x/" + p,
			"/examen/" + p, "/examen/" + p + "/resultado", mine + "?p=" + q, "/practica/" + p, "/certificados/" + p, "/certificados/" + p + "/pdf",
		} {
			cases = append(cases, hostileCase{name: fmt.Sprintf("SQL %d in %s", i, target), who: "bad", method: "GET", target: target})
		}
		cases = append(cases, hostileCase{name: fmt.Sprintf("SQL %d in a practice position", i), who: "bad", method: "POST", target: w.practice + "/pregunta/" + p, form: answerForm(0)})
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := w.bad
			if tc.who == "anon" {
				c = w.anon(t)
			}
			var rec *httptest.ResponseRecorder
			switch {
			case tc.form != nil:
				rec = c.post(tc.target, tc.form)
			case tc.raw != "":
				rec = c.do(tc.method, tc.target, strings.NewReader(tc.raw), "application/x-www-form-urlencoded")
			default:
				rec = c.do(tc.method, tc.target, nil, "")
			}
			clean(t, tc.method+" "+tc.target, rec)
			if tc.status != 0 && rec.Code != tc.status {
				t.Errorf("%s %.200s = %d, want %d", tc.method, tc.target, rec.Code, tc.status)
			}
			body := rec.Body.String()
			absent := append(tc.absent, leaks...)
			if tc.who == "bad" {
				absent = append(absent, w.victimData()...)
			}
			for _, s := range absent {
				// Pages echo their own path (the language switch returns
				// to it): a code the attacker typed is no leak.
				if strings.Contains(body, s) && !strings.Contains(tc.target, s) {
					t.Errorf("the body contains %q", s)
				}
			}
		})
	}

	// Nothing the attacker sent changed what others own, and the tables
	// are all there.
	ctx := context.Background()
	got, err := w.env.svc.DB.Attempt(ctx, w.victimAttempt.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Open() || got.Seq != w.victimAttempt.Seq+1 || !got.Items[0].Answered() || got.Items[1].Answered() || got.Items[0].Flagged {
		t.Errorf("the victim's attempt changed: %+v", got)
	}
	if cert, err := w.env.svc.DB.CertificateByID(ctx, w.cert.ID); err != nil || cert.Status != model.CertValid {
		t.Errorf("the victim's certificate: %+v, %v", cert, err)
	}
	if n, err := w.env.svc.DB.CountUsers(ctx, model.RoleCandidate); err != nil || n < 3 {
		t.Errorf("users after the SQL payloads: %d, %v", n, err)
	}
	again := w.anon(t)
	wantStatus(t, again.login(victimEmail, goodPassword), http.StatusSeeOther)
}
