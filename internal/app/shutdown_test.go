package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/mailtest"
	"mxcert/internal/store"
)

// TestShutdownDrainsRequestsInFlight cancels Run while an autosave is half
// sent: the server stops accepting connections but finishes the request,
// answers 200, and the answer is in the database once Run returns.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	cfg := testConfig(t, "../content/testdata/content")
	cfg.HashParams = account.HashParams{Memory: 64, Time: 1, Threads: 1}
	a, err := New(cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	// headersRead is closed once the server has read the headers of the
	// half-sent request below (net/http marks a connection active then,
	// just before calling the handler), from the client's address.
	headersRead := make(chan struct{})
	markRead := sync.OnceFunc(func() { close(headersRead) })
	var halfSent atomic.Value // the client side's address, a string
	a.http.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateActive && c.RemoteAddr().String() == halfSent.Load() {
			markRead()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar}
	const name = "Lucía Hernández"
	var examPath string
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/registro", url.Values{"name": {name}, "email": {"lucia@ejemplo.mx"}, "password": {"una frase larga y segura"}, "state": {"Sonora"}}},
		{"/certificaciones/ejemplo/examen", url.Values{"confirmo": {"1"}, "nombre": {name}}},
	} {
		resp, err := web.PostForm(a.URL()+step.path, step.form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", step.path, resp.StatusCode)
		}
		if step.path == "/registro" {
			mailtest.ConfirmAndSignIn(t, web, a.URL(), a.DB(), "lucia@ejemplo.mx", "una frase larga y segura")
		}
		examPath = resp.Request.URL.Path // after the redirects
	}
	att, err := a.DB().Attempt(context.Background(), strings.TrimPrefix(examPath, "/examen/"), 0)
	if err != nil {
		t.Fatalf("attempt of %s: %v", examPath, err)
	}
	answer := url.Values{"pregunta": {"1"}, "id_pregunta": {att.Items[0].Item.QuestionID}, "seq": {fmt.Sprint(att.Seq)}}
	for _, k := range att.Items[0].Item.Key() {
		answer.Add("opcion", fmt.Sprint(k))
	}
	body := answer.Encode()

	// Half an autosave: the headers and the first half of the body.
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	halfSent.Store(conn.LocalAddr().String())
	var cookies []string
	for _, c := range jar.Cookies(&url.URL{Scheme: "http", Host: a.Addr(), Path: "/"}) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "POST /examen/%s/respuesta HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		att.ID, a.Addr(), strings.Join(cookies, "; "), len(body))
	io.WriteString(conn, body[:len(body)/2])
	// The server reads the headers on its own goroutine: stop it only once
	// the request is in its hands.
	select {
	case <-headersRead:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not read the request's headers")
	}
	cancel()

	// The listener closes at once: no new connection is accepted.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", a.Addr(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after shutdown began")
		}
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned with a request in flight: %v", err)
	default:
	}

	io.WriteString(conn, body[len(body)/2:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(reply), `"saved":true`) {
		t.Fatalf("autosave in flight during shutdown: %d %s", resp.StatusCode, reply)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the last request finished")
	}

	// The acknowledged answer survived the shutdown.
	db, err := store.Open(context.Background(), cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Attempt(context.Background(), att.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Items[0].Answered() || got.Seq != att.Seq+1 {
		t.Errorf("after shutdown: answered=%v seq=%d, want the acknowledged answer at seq %d", got.Items[0].Answered(), got.Seq, att.Seq+1)
	}
}
