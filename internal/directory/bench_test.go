package directory_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/directory"
	"mxcert/internal/loadtest"
	"mxcert/internal/services"
	"mxcert/internal/store"
)

// BenchmarkSearch50000 measures directory searches over 50,000 listings
// (loadtest.SeedDirectory), one search at a time. It only measures: the
// figures are in docs/PERFORMANCE.md.
func BenchmarkSearch50000(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	dir := b.TempDir()
	set, err := services.Open(ctx, services.Config{
		DataDir: dir, ContentDir: "../content/testdata/content", BaseURL: "https://certificacion.example",
		Now: func() time.Time { return now }, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := set.Close(); err != nil {
			b.Error(err)
		}
	}()
	w, err := sql.Open("sqlite3", store.DSN(filepath.Join(dir, store.FileName), true))
	if err != nil {
		b.Fatal(err)
	}
	if err := loadtest.SeedDirectory(ctx, w, loadtest.DirectoryListings, now); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	// The first search writes the search keys of every new listing.
	if _, err := set.Directory.Search(ctx, directory.Query{Text: "soporte"}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		q    directory.Query
	}{
		{"unfiltered", directory.Query{}},
		{"unfiltered-page10", directory.Query{Page: 10}},
		{"service", directory.Query{Service: "capacitacion"}},
		{"state", directory.Query{State: "jalisco"}},
		{"state+service", directory.Query{State: "jalisco", Service: "redes"}},
		{"municipality", directory.Query{State: "oaxaca", Municipio: "oaxaca-de-juarez"}},
		{"text-municipality", directory.Query{Text: "Oaxaca de Juárez"}},
		{"text-surname", directory.Query{Text: "Velázquez"}},
		{"text-common-word", directory.Query{Text: "impresoras"}},
		{"text-two-words", directory.Query{Text: "soporte impresoras"}},
		{"state+text", directory.Query{State: "jalisco", Text: "redes"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := set.Directory.Search(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("state-counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := set.Directory.States(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
