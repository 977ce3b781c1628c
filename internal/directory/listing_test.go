package directory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"mxcert/internal/directory"
	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// A listing appears only with consent, a valid certificate and its
// owner's choice to publish; it disappears the moment the certificate is
// revoked and comes back, under the corrected name, on a re-issue.
func TestListingFollowsTheCertificateLive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	nobody := e.person(t, "Sin Certificado")
	if _, err := e.dir.Save(ctx, nobody.ID, input()); !errors.Is(err, directory.ErrNoCertificate) || !errors.Is(err, fail.ErrForbidden) {
		t.Fatalf("listing without a certificate: %v", err)
	}

	u, cert := e.certified(t, "Guadalupe Núñez Peña")
	noConsent := input()
	noConsent.Consent = false
	var ve *directory.ValidationError
	if _, err := e.dir.Save(ctx, u.ID, noConsent); !errors.As(err, &ve) || ve.Fields["consent"] != directory.ProblemConsent {
		t.Fatalf("listing without consent: %v", err)
	}
	if _, err := e.dir.Mine(ctx, u.ID); !errors.Is(err, directory.ErrNoListing) {
		t.Fatalf("a refused listing was stored: %v", err)
	}

	l, err := e.dir.Save(ctx, u.ID, input())
	if err != nil {
		t.Fatal(err)
	}
	if l.Published || l.NoticeVersion != directory.NoticeVersion || !l.ConsentAt.Equal(e.clock.Now()) {
		t.Errorf("new listing: %+v", l)
	}
	if r := e.search(t, directory.Query{}); r.Total != 0 {
		t.Fatalf("an unpublished listing is shown: %v", names(r))
	}
	if err := e.dir.SetPublished(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	r := e.search(t, directory.Query{})
	if r.Total != 1 || r.Listings[0].HolderName != "Guadalupe Núñez Peña" || r.Listings[0].Certificate.Code != cert.Code {
		t.Fatalf("published listing: %+v", r.Listings)
	}

	if _, err := e.Certificates.Revoke(ctx, e.admin.ID, cert.ID, "Suplantación comprobada"); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 0 {
		t.Fatalf("listing of a revoked certificate is shown: %v", names(r))
	}
	if _, err := e.dir.Listing(ctx, l.ID); !errors.Is(err, directory.ErrNoListing) {
		t.Fatalf("listing page of a revoked certificate: %v", err)
	}
	if err := e.dir.SetPublished(ctx, u.ID, true); !errors.Is(err, directory.ErrNoCertificate) {
		t.Errorf("publishing with a revoked certificate: %v", err)
	}
	if _, err := e.dir.Save(ctx, u.ID, input()); !errors.Is(err, directory.ErrNoCertificate) {
		t.Errorf("editing with a revoked certificate: %v", err)
	}

	if _, err := e.Certificates.Reinstate(ctx, e.admin.ID, cert.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 1 {
		t.Fatalf("reinstated certificate, listing not back: %v", names(r))
	}
	reissued, err := e.Certificates.CorrectName(ctx, e.admin.ID, u.ID, "Guadalupe Núñez Pérez")
	if err != nil || len(reissued) != 1 {
		t.Fatal(reissued, err)
	}
	p, err := e.dir.Listing(ctx, l.ID)
	if err != nil || p.HolderName != "Guadalupe Núñez Pérez" || p.Certificate.ID != reissued[0].ID || p.Certificate.ID == cert.ID {
		t.Fatalf("after the re-issue: %+v %v", p, err)
	}
	if r := e.search(t, directory.Query{Text: "nunez perez"}); r.Total != 1 || r.Listings[0].ID != l.ID {
		t.Errorf("search by the corrected name: %v", names(r))
	}
	if r := e.search(t, directory.Query{Text: "pena"}); r.Total != 0 {
		t.Errorf("the old name still finds the listing: %v", names(r))
	}

	if err := e.dir.SetPublished(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 0 {
		t.Errorf("unpublished listing is shown: %v", names(r))
	}
}

// Only the contact the person chose to show leaves the server.
func TestPublicListingShowsOnlyChosenContact(t *testing.T) {
	e := newEnv(t)
	u, _ := e.certified(t, "Ana López")
	in := input()
	in.Website = model.Contact{Value: "https://computo-juarez.mx", Show: true}
	l := e.publish(t, u, in)
	p, err := e.dir.Listing(context.Background(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.WhatsApp != "9511234567" || p.Website != "https://computo-juarez.mx" || p.Phone != "" || p.Email != "" {
		t.Errorf("public contact: %+v", p)
	}
	mine, err := e.dir.Mine(context.Background(), u.ID)
	if err != nil || mine.Phone.Value != "9517654321" || mine.Phone.Show || mine.Email.Value != "privado@ejemplo.mx" {
		t.Errorf("the owner's own listing: %+v %v", mine, err)
	}
	if !slices.Equal(p.Services, []string{"instalacion", "redes"}) || !slices.Equal(p.Languages, []string{"es", "zap"}) || !slices.Equal(p.Municipios, []string{"20067"}) {
		t.Errorf("terms: %+v", p)
	}
}

// Deleting a listing removes its row and everything in it; the audit log
// keeps that it happened, not what it said.
func TestDeleteRemovesTheData(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, _ := e.certified(t, "Ana López")
	l := e.publish(t, u, input())
	rows, err := e.DB.ListingRows(ctx, l.ID)
	if err != nil || rows["directory_listings"] != 1 || rows["directory_listing_terms"] != 5 || rows["directory_listing_places"] != 1 {
		t.Fatalf("rows before: %v %v", rows, err)
	}
	if err := e.dir.Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	rows, err = e.DB.ListingRows(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range rows {
		if n != 0 {
			t.Errorf("%s still has %d rows of the deleted listing", table, n)
		}
	}
	if _, err := e.dir.Mine(ctx, u.ID); !errors.Is(err, directory.ErrNoListing) {
		t.Errorf("deleted listing still found: %v", err)
	}
	if err := e.dir.Delete(ctx, u.ID); !errors.Is(err, directory.ErrNoListing) {
		t.Errorf("deleting twice: %v", err)
	}
	entries, err := e.DB.Audit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var deleted bool
	for _, a := range entries {
		if !strings.HasPrefix(string(a.Action), "directory.") {
			continue
		}
		deleted = deleted || a.Action == model.ActionListingDelete
		for _, private := range []string{"951", "privado@", "Cómputo", "Instalo", "20067"} {
			if strings.Contains(fmt.Sprint(a.Subject, a.Detail), private) {
				t.Errorf("audit entry %s keeps %q: %s %s", a.Action, private, a.Subject, a.Detail)
			}
		}
	}
	if !deleted {
		t.Error("no audit entry for the deletion")
	}
}

// The foundation hides a listing with a reason; it is gone from every
// public read, its owner still has it, and restoring shows it again.
func TestHiddenListing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, _ := e.certified(t, "Ana López")
	l := e.publish(t, u, input())
	if err := e.dir.Hide(ctx, e.admin.ID, l.ID, " "); !errors.Is(err, directory.ErrNoReason) {
		t.Errorf("hiding without a reason: %v", err)
	}
	if err := e.dir.Hide(ctx, e.admin.ID, l.ID, "Datos de contacto falsos"); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 0 {
		t.Errorf("hidden listing in search: %v", names(r))
	}
	if _, err := e.dir.Listing(ctx, l.ID); !errors.Is(err, directory.ErrNoListing) {
		t.Errorf("hidden listing page: %v", err)
	}
	if mine, err := e.dir.Mine(ctx, u.ID); err != nil || !mine.Hidden() || mine.HiddenReason != "Datos de contacto falsos" {
		t.Errorf("owner's view of a hidden listing: %+v %v", mine, err)
	}
	// Editing does not undo the foundation's decision.
	if _, err := e.dir.Save(ctx, u.ID, input()); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 0 {
		t.Errorf("an edit showed a hidden listing: %v", names(r))
	}
	if err := e.dir.Restore(ctx, e.admin.ID, l.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.search(t, directory.Query{}); r.Total != 1 {
		t.Errorf("restored listing not shown: %v", names(r))
	}
	if err := e.dir.Restore(ctx, e.admin.ID, 999); !errors.Is(err, directory.ErrNoListing) {
		t.Errorf("restoring a listing that does not exist: %v", err)
	}
}

func TestListingValidation(t *testing.T) {
	e := newEnv(t)
	u, _ := e.certified(t, "Ana López")
	tests := []struct {
		name  string
		edit  func(in *directory.Input)
		field string
		want  directory.Problem
	}{
		{"no state", func(in *directory.Input) { in.State = "" }, "state", directory.ProblemState},
		{"unknown state", func(in *directory.Input) { in.State = "33" }, "state", directory.ProblemState},
		{"no municipality", func(in *directory.Input) { in.Municipios = nil }, "municipios", directory.ProblemMunicipios},
		{"municipality of another state", func(in *directory.Input) { in.Municipios = []string{"15058"} }, "municipios", directory.ProblemUnknownMunicipio},
		{"no service", func(in *directory.Input) { in.Services = nil }, "services", directory.ProblemServices},
		{"unknown service", func(in *directory.Input) { in.Services = []string{"plomeria"} }, "services", directory.ProblemUnknownTerm},
		{"no mode", func(in *directory.Input) { in.Modes = nil }, "modes", directory.ProblemModes},
		{"no language", func(in *directory.Input) { in.Languages = []string{} }, "languages", directory.ProblemLanguages},
		{"long description", func(in *directory.Input) { in.Description = strings.Repeat("á", directory.DescriptionMax+1) }, "description", directory.ProblemDescription},
		{"control characters", func(in *directory.Input) { in.BusinessName = "Taller\x00" }, "business_name", directory.ProblemBusinessName},
		{"short phone", func(in *directory.Input) { in.WhatsApp.Value = "55 1234" }, "whatsapp", directory.ProblemPhone},
		{"letters in a phone", func(in *directory.Input) { in.Phone.Value = "55-CASA-1234" }, "phone", directory.ProblemPhone},
		{"bad e-mail", func(in *directory.Input) { in.Email = model.Contact{Value: "ana@", Show: true} }, "email", directory.ProblemEmail},
		{"http website", func(in *directory.Input) { in.Website = model.Contact{Value: "http://ejemplo.mx"} }, "website", directory.ProblemWebsite},
		{"javascript website", func(in *directory.Input) { in.Website = model.Contact{Value: "javascript:alert(1)"} }, "website", directory.ProblemWebsite},
		{"shown but empty", func(in *directory.Input) { in.Website = model.Contact{Show: true} }, "website", directory.ProblemShowEmpty},
		{"nothing shown", func(in *directory.Input) { in.WhatsApp.Show = false }, "contact", directory.ProblemNoContact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			tc.edit(&in)
			_, err := e.dir.Save(context.Background(), u.ID, in)
			var ve *directory.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tc.field] != tc.want || !errors.Is(err, fail.ErrInvalid) {
				t.Errorf("got %v, want %s: %s", err, tc.field, tc.want)
			}
		})
	}
}
