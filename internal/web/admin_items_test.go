package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestItemAnalysisLinksToTheSource(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source string
		want   string
		absent string
	}{
		{"configured", "https://git.example/fundacion/contenido/blob/main/content/",
			`href="https://git.example/fundacion/contenido/blob/main/content/ejemplo/questions/arranque.md#L`, ""},
		{"not configured", "", `<span class="meta">ejemplo/questions/arranque.md:`, `arranque.md#L`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(cfg *Config) { cfg.ContentSourceURL = tc.source })
			page := adminClient(t, env).get("/admin/preguntas")
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, tc.want)
			if tc.absent != "" && strings.Contains(page.Body.String(), tc.absent) {
				t.Errorf("the page links out: %q", tc.absent)
			}
		})
	}
}
