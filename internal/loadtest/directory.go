package loadtest

// The directory scenario: public search over a directory of many listings
// (50,000 by default), inserted in bulk straight into the server's
// database before the measurement, each with its owner, a passed attempt
// and a certificate, as the application would have left them.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"mxcert/internal/directory/geo"
	"mxcert/internal/fold"
	"mxcert/internal/store"
)

// DirectoryListings is how many listings the directory scenario searches
// by default (Config.Listings).
const DirectoryListings = 50000

// Services are the service ids of content/directorio/servicios.yaml, with
// how often a listing offers each (per mille).
var seedServices = []struct {
	id   string
	odds int
}{{"instalacion", 600}, {"domicilio", 450}, {"remoto", 300}, {"redes", 350}, {"respaldos", 200}, {"impresoras", 250}, {"capacitacion", 80}, {"pymes", 150}}

var (
	seedFirst = strings.Fields(`María José Juan Guadalupe Luis Ana Carlos Rosa Jorge Verónica Miguel Laura Pedro Patricia
		Fernando Alejandra Ricardo Gabriela Raúl Mónica Sergio Claudia Jesús Adriana Héctor Leticia Arturo Silvia Eduardo Sofía
		Roberto Daniela Javier Itzel Andrés Xóchitl Emilio Citlali Ramón Yolanda`)
	seedLast = strings.Fields(`Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz Flores Gómez
		Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo Romero Álvarez Méndez
		Chávez Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Muñoz Rojas Contreras Salazar
		Luna Ortega Santiago Guerrero Estrada Bautista Cortés Soto Alvarado Espinoza Lara Ávila Ríos Cervantes Silva Delgado`)
	seedWords = strings.Fields(`instalo configuro reparo mantenimiento equipos computadoras laptops oficinas casas escuelas
		negocios redes wifi internet impresoras respaldos archivos correo seguridad actualizaciones sistema MxOS Linux programas
		capacitación cursos personal soporte remoto domicilio taller garantía rápido económico experiencia años clientes PyMEs
		tiendas consultorios despachos migración datos recuperación discos memoria velocidad virus limpieza cámaras teléfonos
		tabletas servidores cableado router módem fibra antenas contabilidad facturación inventario ventas atención puntual
		honesto certificado técnico profesional zona centro norte sur colonia municipio cercanos urgencias fines semana`)
	seedBusiness = strings.Fields(`Cómputo Soluciones Sistemas Redes Servicios Tecnología Soporte Informática Digital`)
)

// SeedDirectory inserts n directory listings into the database db (a
// connection that may write to the server's SQLite file, or to its
// PostgreSQL database), in one transaction: for each, an account, a passed attempt, a certificate valid at now
// (most without expiry, some expiring in a year) and a published listing
// in a state and municipalities of INEGI's catalogue, with services,
// modes, languages and a description drawn from a small vocabulary, so
// that words repeat as they do in real text. About one listing in fifty
// is unpublished, hidden or has a revoked or expired certificate: the
// search must skip them. The search key is left to the application,
// which writes it (and its index of words) before its first search.
//
// Each row gets its id here, after the highest in its table. On SQLite the
// rows are inserted one statement each, in one transaction; on PostgreSQL
// with COPY (one statement a row would be a round trip each), in one
// transaction that first takes the application's write lock
// (store.WriteLock), and the identities are moved past the new ids.
func SeedDirectory(ctx context.Context, db *sql.DB, n int, now time.Time) error {
	_, postgres := db.Driver().(*stdlib.Driver)
	var firstUser, firstListing int64
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM users`).Scan(&firstUser); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM directory_listings`).Scan(&firstListing); err != nil {
		return err
	}
	tables, err := directoryRows(n, now, firstUser, firstListing)
	if err != nil {
		return err
	}
	if postgres {
		return copyRows(ctx, db, tables)
	}
	return insertRows(ctx, db, tables)
}

// rowsOf is what goes into one table.
type rowsOf struct {
	name    string
	columns []string
	rows    [][]any
}

func (t *rowsOf) add(values ...any) { t.rows = append(t.rows, values) }

// directoryRows makes the rows of n listings and everything they need, in
// the order their foreign keys ask for, users numbered from firstUser and
// listings from firstListing.
func directoryRows(n int, now time.Time, firstUser, firstListing int64) ([]*rowsOf, error) {
	g, err := geo.Load()
	if err != nil {
		return nil, err
	}
	rnd := rand.New(rand.NewPCG(19, 50000)) // #nosec G404 -- reproducible filler data
	users := &rowsOf{name: "users", columns: []string{"id", "email", "email_norm", "full_name", "state", "password_hash",
		"created_at", "password_changed_at", "email_verified_at"}}
	attempts := &rowsOf{name: "attempts", columns: []string{"id", "user_id", "track_id", "track_title", "track_version",
		"content_version", "seed", "holder_name", "started_at", "deadline", "pass_percent", "total", "status", "finished_at",
		"finish_reason", "score", "percent"}}
	certs := &rowsOf{name: "certificates", columns: []string{"id", "code", "code_norm", "user_id", "attempt_id", "track_id",
		"track_title", "track_version", "content_version", "holder_name", "issued_at", "expires_at", "status", "revoked_at",
		"revocation_reason", "credential", "signature", "key_id"}}
	listings := &rowsOf{name: "directory_listings", columns: []string{"id", "user_id", "consent_at", "notice_version",
		"business_name", "state", "description", "whatsapp", "show_whatsapp", "phone", "show_phone", "email", "show_email",
		"published", "hidden_at", "hidden_reason", "text_key", "created_at", "updated_at"}}
	terms := &rowsOf{name: "directory_listing_terms", columns: []string{"listing_id", "kind", "term"}}
	places := &rowsOf{name: "directory_listing_places", columns: []string{"listing_id", "municipio"}}
	t := now.UnixMilli()
	pick := func(list []string) string { return list[rnd.IntN(len(list))] }
	for i := range n {
		name := pick(seedFirst) + " " + pick(seedLast) + " " + pick(seedLast)
		st := g.States[rnd.IntN(len(g.States))]
		email := fmt.Sprintf("tecnico%d@directorio.test", i)
		uid, lid := firstUser+int64(i), firstListing+int64(i)
		users.add(uid, email, email, name, st.Name, "x", t, t, t)
		aid, cid := fmt.Sprintf("dir-attempt-%d", i), fmt.Sprintf("dir-cert-%d", i)
		attempts.add(aid, uid, track, "Soporte básico de MxOS", "1", "seed", int64(1), name, t-3600e3, t-600e3, int64(70), int64(40),
			"passed", t-1800e3, "submitted", int64(36), int64(90))
		var expires, revokedAt, reason any
		status := "valid"
		switch r := rnd.IntN(100); {
		case r < 20:
			expires = t + 365*86400e3
		case r == 20:
			expires = t - 86400e3 // expired yesterday
		case r == 21:
			status, revokedAt, reason = "revoked", t-3600e3, "Prueba de carga"
		}
		code := fmt.Sprintf("SD-%04d-%04d-%04d", i/1e8, i/1e4%1e4, i%1e4)
		certs.add(cid, code, strings.ReplaceAll(code, "-", ""), uid, aid, track, "Soporte básico de MxOS", "1", "seed", name,
			t-1800e3, expires, status, revokedAt, reason, "{}", "x", "seed")
		// Most technicians serve a few of their state's main
		// municipalities (the first ten of the catalogue here), some a
		// town anywhere in it.
		var munis []*geo.Municipio
		for range 1 + rnd.IntN(3) {
			pool := st.Municipios
			if rnd.IntN(10) < 7 {
				pool = pool[:min(10, len(pool))]
			}
			m := pool[rnd.IntN(len(pool))]
			dup := false
			for _, x := range munis {
				dup = dup || x == m
			}
			if !dup {
				munis = append(munis, m)
			}
		}
		business := ""
		if rnd.IntN(2) == 0 {
			business = pick(seedBusiness) + " " + pick(strings.Fields(munis[0].Name))
		}
		words := make([]string, 8+rnd.IntN(10))
		for j := range words {
			words[j] = pick(seedWords)
		}
		description := strings.Join(words, " ") + "."
		parts := []string{fold.Text(business), fold.Text(st.Name + " " + st.OfficialName)}
		for _, m := range munis {
			parts = append(parts, fold.Text(m.Name))
		}
		parts = append(parts, fold.Text(description))
		published, hiddenAt, hiddenReason := int64(1), any(nil), any(nil)
		switch rnd.IntN(100) {
		case 0:
			published = 0
		case 1:
			hiddenAt, hiddenReason = t, "Reporte de prueba"
		}
		phone := fmt.Sprintf("55%08d", i)
		listings.add(lid, uid, t, "2026-01", business, st.Key, description, phone, int64(1), phone, int64(rnd.IntN(2)), email,
			int64(rnd.IntN(2)), published, hiddenAt, hiddenReason, strings.Join(parts, "\n"), t, t)
		for _, s := range seedServices {
			if rnd.IntN(1000) < s.odds {
				terms.add(lid, "service", s.id)
			}
		}
		for _, kt := range [][2]string{{"mode", []string{"domicilio", "taller", "remoto"}[rnd.IntN(3)]}, {"language", "es"}} {
			terms.add(lid, kt[0], kt[1])
		}
		for _, m := range munis {
			places.add(lid, m.Key)
		}
	}
	return []*rowsOf{users, attempts, certs, listings, terms, places}, nil
}

// insertRows inserts the tables' rows in one transaction, one statement a
// row (SQLite).
func insertRows(ctx context.Context, db *sql.DB, tables []*rowsOf) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	for _, t := range tables {
		q := `INSERT INTO ` + t.name + ` (` + strings.Join(t.columns, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(t.columns)-1) + `)` // #nosec G202 -- constant table and column names
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range t.rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				return errors.Join(fmt.Errorf("%s: %w", t.name, err), st.Close())
			}
		}
		if err := st.Close(); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// copyRows copies the tables' rows with COPY in one transaction that
// first takes the application's write lock, then moves each table's
// identity past the ids given (PostgreSQL).
func copyRows(ctx context.Context, db *sql.DB, tables []*rowsOf) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	return conn.Raw(func(driverConn any) (err error) {
		c := driverConn.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, tx.Rollback(context.Background()))
			}
		}()
		if _, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, store.WriteLock); err != nil {
			return err
		}
		for _, t := range tables {
			if len(t.rows) == 0 {
				continue
			}
			if _, err = tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if _, numbered := t.rows[0][0].(int64); t.columns[0] == "id" && numbered {
				if _, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM `+pgx.Identifier{t.name}.Sanitize()+`))`, t.name); err != nil {
					return fmt.Errorf("identity of %s: %w", t.name, err)
				}
			}
		}
		return tx.Commit(ctx)
	})
}

// DirectoryQuery is the i-th search of a fixed mix of what visitors ask,
// as the query string of /directorio: a third with no filter or only a
// service, a third by state (with a service or a municipality half the
// time), a third with free text (a municipality's name, a surname, a
// common word, two words), the first page mostly and sometimes the next
// ones.
func DirectoryQuery(g *geo.Catalogue, i int) url.Values {
	rnd := rand.New(rand.NewPCG(uint64(i), 7)) // #nosec G404 G115 -- a reproducible mix; i is never negative
	q := url.Values{}
	st := g.States[rnd.IntN(len(g.States))]
	service := seedServices[rnd.IntN(len(seedServices))].id
	switch i % 9 {
	case 0:
	case 1:
		q.Set("servicio", service)
	case 2:
		q.Set("estado", st.Slug)
	case 3:
		q.Set("estado", st.Slug)
		q.Set("servicio", service)
	case 4:
		q.Set("estado", st.Slug)
		q.Set("municipio", st.Municipios[rnd.IntN(min(10, len(st.Municipios)))].Slug)
	case 5:
		q.Set("q", st.Municipios[rnd.IntN(min(10, len(st.Municipios)))].Name)
	case 6:
		q.Set("q", seedLast[rnd.IntN(len(seedLast))])
	case 7:
		q.Set("q", seedWords[rnd.IntN(len(seedWords))])
	case 8:
		q.Set("estado", st.Slug)
		q.Set("q", seedWords[rnd.IntN(len(seedWords))]+" "+seedFirst[rnd.IntN(len(seedFirst))])
	}
	if rnd.IntN(5) == 0 {
		q.Set("pagina", fmt.Sprint(2+rnd.IntN(4)))
	}
	return q
}

// searchRate is the directory scenario's open-loop rate, searches per
// second.
const searchRate = 300

// directory runs the directory scenario: it inserts the listings, lets the
// server write their search keys (one search), then measures searches of
// the public page /directorio (a fixed mix, DirectoryQuery, each from its
// own address): saturation beside the read ceiling cr, latency at
// searchRate alone, and at searchRate while candidates autosave at S1's
// rate.
func (b *bench) directory(ctx context.Context, cr float64) []Result {
	fail := func(err error) []Result {
		return []Result{{Name: "D directory search", Notes: "setup failed: " + err.Error()}}
	}
	g, err := geo.Load()
	if err != nil {
		return fail(err)
	}
	w, err := b.be.writer(b.dataDir)
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	err = SeedDirectory(ctx, w, b.cfg.Listings, time.Now())
	if err = errors.Join(err, w.Close()); err != nil {
		return fail(err)
	}
	seeded := time.Since(start)
	logf(b.cfg, "directory: %d listings inserted in %v", b.cfg.Listings, seeded.Round(time.Millisecond))
	if err := b.tidyDirectory(ctx, directoryTables); err != nil {
		return fail(err)
	}
	start = time.Now()
	if err := b.warmDirectory(ctx); err != nil {
		return fail(err)
	}
	logf(b.cfg, "directory: keys written in %v", time.Since(start).Round(time.Millisecond))
	// The keys' writing rewrote every listing.
	if err := b.tidyDirectory(ctx, directoryKeys); err != nil {
		return fail(err)
	}

	search := func(rec *recorder, due time.Time, i int) {
		code, _, _, err := b.do(ctx, "GET", "/directorio?"+DirectoryQuery(g, i).Encode(), nil, nil, addr(b.ipSeq.Add(1)), "")
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("search: status %d", code)
		}
		if err != nil {
			rec.fail(time.Since(due), err.Error())
			return
		}
		rec.ok(time.Since(due))
	}
	var n atomic.Int64
	rec, el := closedLoop(b.cfg.Workers, b.cfg.Duration, func(w int, rec *recorder) { search(rec, time.Now(), int(n.Add(1))) })
	sat := rec.result(fmt.Sprintf("D directory search (%d listings), saturation", b.cfg.Listings), fmt.Sprintf("closed, %d workers", b.cfg.Workers), el)
	sat.Ceiling, sat.CeilingOf = cr, "Cr"

	open := func(name string) Result {
		total := int(float64(searchRate) * b.cfg.Duration.Seconds())
		rec, el := openLoop(total, b.cfg.Duration, func(i int, due time.Time, rec *recorder) { search(rec, due, i) })
		return rec.result(fmt.Sprintf("%s at %d/s", name, searchRate), "open", el)
	}
	alone := open("D directory search, alone")
	done := make(chan struct{})
	go func() {
		defer close(done)
		saves := int(float64(b.cfg.SaveRate) * b.cfg.Duration.Seconds())
		openLoop(saves, b.cfg.Duration, func(i int, due time.Time, rec *recorder) { b.save(ctx, b.cands[i%len(b.cands)], nil, due) })
	}()
	under := open(fmt.Sprintf("D directory search under S1 load (%d saves/s)", b.cfg.SaveRate))
	<-done
	return []Result{sat, alone, under}
}

// The tables the directory's bulk insert fills, and those the writing of
// its keys then rewrites or fills.
var (
	directoryTables = []string{"users", "attempts", "certificates", "directory_listings", "directory_listing_terms", "directory_listing_places"}
	directoryKeys   = []string{"directory_listings", "directory_listing_words", "directory_generation"}
)

// tidyDirectory, on PostgreSQL, vacuums and analyses the tables a bulk
// change just filled (tidyPostgres), as after the candidates' setup.
func (b *bench) tidyDirectory(ctx context.Context, tables []string) error {
	if !b.be.postgres {
		return nil
	}
	took, err := tidyPostgres(ctx, b.be.url, tables...)
	if err != nil {
		return err
	}
	logf(b.cfg, "directory: VACUUM ANALYZE and CHECKPOINT in %v", took.Round(time.Millisecond))
	return nil
}

// warmDirectory asks every server for one search, which writes the search
// keys of the new listings first. A server may close the connection while
// it still writes them (its write timeout is a minute): the keys are
// committed all the same, so it asks again until the search answers.
func (b *bench) warmDirectory(ctx context.Context) error {
	warm := &http.Client{Timeout: 5 * time.Minute}
	deadline := time.Now().Add(20 * time.Minute)
	for _, base := range b.urls {
		for {
			err := b.search(ctx, warm, base+"/directorio?q=soporte")
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("first search: %w", err)
			}
			logf(b.cfg, "directory: first search on %s: %v; asking again", base, err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Second):
			}
		}
	}
	return nil
}

func (b *bench) search(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Forwarded-For", addr(b.ipSeq.Add(1)))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if err := resp.Body.Close(); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
