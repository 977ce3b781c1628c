package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkVerificationPage measures the public verification page through
// the real router (session-less visitor, certificate found).
func BenchmarkVerificationPage(b *testing.B) {
	env := newEnv(b)
	c := env.client(b)
	c.register("José Ñúñez Peña", "jose@ejemplo.mx", goodPassword)
	cert := passExam(b, env, c)
	h := env.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	var n atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/verificar/"+strings.ToLower(cert.Code), nil)
			// A different visitor each time: the per-address limit is not what we measure.
			i := n.Add(1)
			req.RemoteAddr = fmt.Sprintf("[2001:db8::%x:%x]:1234", i>>16, i&0xffff)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkAutosave measures one autosave (JSON) through the real router,
// database commit included.
func BenchmarkAutosave(b *testing.B) {
	env := newEnv(b, withShippedContent)
	c := env.client(b)
	c.register("Ana López", "ana@ejemplo.mx", goodPassword)
	a := startExam(b, env, c, "soporte-basico")
	c.header.Set("Accept", "application/json")
	seq := a.Seq
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pos := i % len(a.Items)
		rec := c.post("/examen/"+a.ID+"/respuesta", saveForm(a, pos, seq, []int{a.Items[pos].Item.Key()[0]}))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d %s", rec.Code, rec.Body)
		}
		seq++
	}
}
