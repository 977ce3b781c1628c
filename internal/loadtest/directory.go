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
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"mxcert/internal/directory/geo"
	"mxcert/internal/fold"
	"mxcert/internal/store"
)

// DirectoryListings is how many listings the directory scenario searches.
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
// connection that may write to the server's file), in one transaction:
// for each, an account, a passed attempt, a certificate valid at now
// (most without expiry, some expiring in a year) and a published listing
// in a state and municipalities of INEGI's catalogue, with services,
// modes, languages and a description drawn from a small vocabulary, so
// that words repeat as they do in real text. About one listing in fifty
// is unpublished, hidden or has a revoked or expired certificate: the
// search must skip them. The search key is left to the application,
// which writes it (and its index of words) before its first search.
func SeedDirectory(ctx context.Context, db *sql.DB, n int, now time.Time) (err error) {
	g, err := geo.Load()
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(19, 50000)) // #nosec G404 -- reproducible filler data
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	user := prep(`INSERT INTO users (email, email_norm, full_name, state, password_hash, created_at, password_changed_at, email_verified_at)
		VALUES (?, ?, ?, ?, 'x', ?, ?, ?) RETURNING id`)
	attempt := prep(`INSERT INTO attempts (id, user_id, track_id, track_title, track_version, content_version, seed, holder_name,
		started_at, deadline, pass_percent, total, status, finished_at, finish_reason, score, percent)
		VALUES (?, ?, 'soporte-basico', 'Soporte básico de MxOS', '1', 'seed', 1, ?, ?, ?, 70, 40, 'passed', ?, 'submitted', 36, 90)`)
	cert := prep(`INSERT INTO certificates (id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version,
		content_version, holder_name, issued_at, expires_at, status, revoked_at, revocation_reason, credential, signature, key_id)
		VALUES (?, ?, ?, ?, ?, 'soporte-basico', 'Soporte básico de MxOS', '1', 'seed', ?, ?, ?, ?, ?, ?, '{}', 'x', 'seed')`)
	listing := prep(`INSERT INTO directory_listings (user_id, consent_at, notice_version, business_name, state, description,
		whatsapp, show_whatsapp, phone, show_phone, email, show_email, published, hidden_at, hidden_reason, text_key, created_at, updated_at)
		VALUES (?, ?, '2026-01', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	term := prep(`INSERT INTO directory_listing_terms (listing_id, kind, term) VALUES (?, ?, ?)`)
	place := prep(`INSERT INTO directory_listing_places (listing_id, municipio) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer func() {
		for _, st := range []*sql.Stmt{user, attempt, cert, listing, term, place} {
			err = errors.Join(err, st.Close())
		}
	}()
	t := now.UnixMilli()
	pick := func(list []string) string { return list[rnd.IntN(len(list))] }
	for i := range n {
		name := pick(seedFirst) + " " + pick(seedLast) + " " + pick(seedLast)
		st := g.States[rnd.IntN(len(g.States))]
		email := fmt.Sprintf("tecnico%d@directorio.test", i)
		var uid int64
		if err = user.QueryRowContext(ctx, email, email, name, st.Name, t, t, t).Scan(&uid); err != nil {
			return fmt.Errorf("listing %d owner: %w", i, err)
		}
		aid, cid := fmt.Sprintf("dir-attempt-%d", i), fmt.Sprintf("dir-cert-%d", i)
		if _, err = attempt.ExecContext(ctx, aid, uid, name, t-3600e3, t-600e3, t-1800e3); err != nil {
			return fmt.Errorf("listing %d attempt: %w", i, err)
		}
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
		if _, err = cert.ExecContext(ctx, cid, code, strings.ReplaceAll(code, "-", ""), uid, aid, name, t-1800e3, expires, status, revokedAt, reason); err != nil {
			return fmt.Errorf("listing %d certificate: %w", i, err)
		}
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
		published, hiddenAt, hiddenReason := 1, any(nil), any(nil)
		switch rnd.IntN(100) {
		case 0:
			published = 0
		case 1:
			hiddenAt, hiddenReason = t, "Reporte de prueba"
		}
		var lid int64
		phone := fmt.Sprintf("55%08d", i)
		if err = listing.QueryRowContext(ctx, uid, t, business, st.Key, description, phone, phone, rnd.IntN(2), email, rnd.IntN(2),
			published, hiddenAt, hiddenReason, strings.Join(parts, "\n"), t, t).Scan(&lid); err != nil {
			return fmt.Errorf("listing %d: %w", i, err)
		}
		for _, s := range seedServices {
			if rnd.IntN(1000) < s.odds {
				if _, err = term.ExecContext(ctx, lid, "service", s.id); err != nil {
					return err
				}
			}
		}
		for _, kt := range [][2]string{{"mode", []string{"domicilio", "taller", "remoto"}[rnd.IntN(3)]}, {"language", "es"}} {
			if _, err = term.ExecContext(ctx, lid, kt[0], kt[1]); err != nil {
				return err
			}
		}
		for _, m := range munis {
			if _, err = place.ExecContext(ctx, lid, m.Key); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
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
	w, err := sql.Open("sqlite3", store.DSN(filepath.Join(b.dataDir, store.FileName), true))
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	err = SeedDirectory(ctx, w, DirectoryListings, time.Now())
	if err = errors.Join(err, w.Close()); err != nil {
		return fail(err)
	}
	seeded := time.Since(start)
	warm := &http.Client{Timeout: 5 * time.Minute}
	req, err := http.NewRequestWithContext(ctx, "GET", b.url+"/directorio?q=soporte", nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("X-Forwarded-For", addr(b.ipSeq.Add(1)))
	resp, err := warm.Do(req)
	if err != nil {
		return fail(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("first search: %v %v", resp.Status, err))
	}
	logf(b.cfg, "directory: %d listings inserted in %v, keys written in %v", DirectoryListings, seeded.Round(time.Millisecond), time.Since(start.Add(seeded)).Round(time.Millisecond))

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
	sat := rec.result(fmt.Sprintf("D directory search (%d listings), saturation", DirectoryListings), fmt.Sprintf("closed, %d workers", b.cfg.Workers), el)
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
