package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/clocktest"
	"mxcert/internal/directory"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/services"
)

const migratePassword = "jardín de cactus azules"

// deployment is an SQLite installation made through the real services,
// with what the test checks after the move.
type deployment struct {
	data  string // the data folder: mxcert.db and the keys
	clock *clocktest.Fake

	candidate      *model.User // signed in; an exam in progress with answers
	sessionToken   string
	openAttempt    *model.Attempt
	savedAnswers   map[int][]int // position → options saved
	certified      *model.User   // holds a valid certificate and a published listing
	validCode      string
	revokedCode    string
	supersededCode string
	replacedByCode string
}

// openServices opens the services on the installation's data folder, or
// on database when it is set, with the example content and the test's
// clock.
func (d *deployment) openServices(t *testing.T, database string) *services.Set {
	t.Helper()
	set, err := services.Open(context.Background(), services.Config{
		DataDir: d.data, Database: database, ContentDir: fixture, BaseURL: "https://certificacion.example",
		Now: d.clock.Now, HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// takeExam starts the example exam for u and answers every question,
// right or wrong; finish submits it.
func takeExam(t *testing.T, set *services.Set, u *model.User, right, finish bool) *model.Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := set.Attempts.Start(ctx, u, set.Catalog().Track("ejemplo"), set.Catalog().Versions(), u.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range a.Items {
		if _, err := set.Attempts.Save(ctx, u.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: it.Item.QuestionID, Options: answer(it.Item.Options, right), Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
	}
	if !finish {
		return a
	}
	a, err = set.Attempts.Finalize(ctx, u.ID, a.ID, model.FinishSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// answer picks the right options, or one wrong one.
func answer(options []exam.ItemOption, right bool) []int {
	var out []int
	for i, o := range options {
		if o.Correct == right {
			out = append(out, i)
			if !right {
				break
			}
		}
	}
	return out
}

// populate builds an installation with a row in every table, through the
// services the server uses.
func populate(t *testing.T) *deployment {
	t.Helper()
	ctx := context.Background()
	d := &deployment{data: filepath.Join(t.TempDir(), "data"), clock: clocktest.New(), savedAnswers: map[int][]int{}}
	set := d.openServices(t, "")
	defer func() {
		if err := set.Close(); err != nil {
			t.Error(err)
		}
	}()
	person := func(name, email string) *model.User {
		t.Helper()
		u, err := set.Accounts.CreateUser(ctx, account.Registration{Name: name, Email: email, Password: migratePassword, State: "Oaxaca"}, model.RoleCandidate)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	// The foundation: an administrator with an authenticator and
	// recovery codes, who is halfway through signing in and mistyped a
	// code once; another one setting up an authenticator.
	admin, err := set.Accounts.CreateUser(ctx, account.Registration{Name: "Administradora Uno", Email: "admin@ejemplo.mx", Password: migratePassword}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := set.Accounts.EnrolNow(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	challenge, err := set.Accounts.BeginSecondFactor(ctx, admin, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Accounts.FinishSignIn(ctx, challenge, "000000", account.TOTPCode, "", "prueba", "10.0.0.1"); err == nil {
		t.Fatal("a made-up code signed in")
	}
	if _, err := set.Accounts.BeginSecondFactor(ctx, admin, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	admin2, err := set.Accounts.CreateUser(ctx, account.Registration{Name: "Administrador Dos", Email: "admin2@ejemplo.mx", Password: migratePassword}, model.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Accounts.StartEnrolment(ctx, admin2.ID); err != nil {
		t.Fatal(err)
	}

	// Someone who registered and has not confirmed the address (a link
	// and a message queued), and asked for a new password.
	if _, err := set.Accounts.Register(ctx, account.Registration{Name: "Nueva Persona", Email: "nueva@ejemplo.mx", Password: migratePassword, State: "Puebla"}); err != nil {
		t.Fatal(err)
	}
	if err := set.Accounts.RequestPasswordReset(ctx, "nueva@ejemplo.mx", "es", "10.0.0.2"); err != nil {
		t.Fatal(err)
	}

	// A candidate in the middle of the exam, signed in, who studied a
	// module and practised.
	d.candidate = person("Rosa María Díaz", "rosa@ejemplo.mx")
	if d.sessionToken, err = set.Accounts.StartSession(ctx, d.candidate.ID, "", "Firefox", "10.0.0.3"); err != nil {
		t.Fatal(err)
	}
	track := set.Catalog().Track("ejemplo")
	if err := set.Study.SetStudied(ctx, d.candidate.ID, track, track.Modules[0], true); err != nil {
		t.Fatal(err)
	}
	quiz, err := set.Study.StartQuiz(ctx, d.candidate.ID, track, set.Catalog().Version, track.Domains()[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Study.Answer(ctx, d.candidate.ID, quiz.ID, 0, answer(quiz.Items[0].Item.Options, true)); err != nil {
		t.Fatal(err)
	}
	if err := set.Study.Finish(ctx, d.candidate.ID, quiz.ID); err != nil {
		t.Fatal(err)
	}
	a, err := set.Attempts.Start(ctx, d.candidate, track, set.Catalog().Versions(), d.candidate.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		it := a.Items[i].Item
		opts := answer(it.Options, i == 0)
		if _, err := set.Attempts.Save(ctx, d.candidate.ID, attempt.Answer{AttemptID: a.ID, Position: i, QuestionID: it.QuestionID, Options: opts, Flagged: i == 1, Known: a.Seq}); err != nil {
			t.Fatal(err)
		}
		d.savedAnswers[i] = opts
	}
	d.openAttempt = a

	// Certified technicians: one valid with a published listing, a
	// success story and a report; one revoked; one whose name was
	// corrected (its first certificate superseded).
	d.certified = person("Carla Neza", "carla@ejemplo.mx")
	takeExam(t, set, d.certified, true, true)
	revoked := person("Beto Valles", "beto@ejemplo.mx")
	takeExam(t, set, revoked, true, true)
	renamed := person("Dora Juares", "dora@ejemplo.mx")
	takeExam(t, set, renamed, true, true)
	certs := func(u *model.User) []*model.Certificate {
		t.Helper()
		cs, err := set.Certificates.OfUser(ctx, u.ID)
		if err != nil || len(cs) == 0 {
			t.Fatalf("certificates of %s: %v", u.Name, err)
		}
		return cs
	}
	valid := certs(d.certified)[0]
	d.validCode = valid.Code
	if _, err := set.Certificates.PDF(ctx, valid); err != nil { // stored once rendered
		t.Fatal(err)
	}
	if c, err := set.Certificates.Revoke(ctx, admin.ID, certs(revoked)[0].Code, "Suplantación de identidad"); err != nil {
		t.Fatal(err)
	} else {
		d.revokedCode = c.Code
	}
	d.supersededCode = certs(renamed)[0].Code
	reissued, err := set.Certificates.CorrectName(ctx, admin.ID, renamed.ID, "Dora Juárez")
	if err != nil || len(reissued) != 1 {
		t.Fatalf("name correction: %v %v", reissued, err)
	}
	d.replacedByCode = reissued[0].Code

	dir := set.Directory
	listing, err := dir.Save(ctx, d.certified.ID, directory.Input{
		Consent: true, BusinessName: "Cómputo Nezahualcóyotl", State: "15", Municipios: []string{"15058"},
		Services: []string{"instalacion", "redes"}, Modes: []string{"domicilio"}, Languages: []string{"es"},
		Description: "Instalo MxOS y configuro redes en casas y oficinas.",
		WhatsApp:    model.Contact{Value: "551 234 5678", Show: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.SetPublished(ctx, d.certified.ID, true); err != nil {
		t.Fatal(err)
	}
	story, err := dir.SubmitStory(ctx, d.certified.ID, directory.StoryInput{Title: "Red de una escuela", ClientKind: "escuela", State: "15",
		Work: "Instalé MxOS en doce equipos y la red del salón.", Result: "La escuela da clases de cómputo otra vez."})
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.ApproveStory(ctx, admin.ID, story.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Report(ctx, listing.ID, "otro", "El teléfono no contesta."); err != nil {
		t.Fatal(err)
	}
	level := &model.PartnerLevel{Name: "Socio Comunitario", Description: "Apoya a su comunidad.", Position: 4}
	if err := dir.SaveLevel(ctx, admin.ID, level); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dir.SetListingLevel(ctx, admin.ID, listing.ID, level.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := dir.Search(ctx, directory.Query{Text: "plomería"}); err != nil || r.Total != 0 {
		t.Fatalf("a search that finds nothing: %+v %v", r, err)
	}

	// A failed exam, a cancelled one, a note, and two accounts of one
	// person joined.
	failed := person("Ernesto Flores", "ernesto@ejemplo.mx")
	if a := takeExam(t, set, failed, false, true); a.Status != model.AttemptFailed {
		t.Fatalf("the wrong answers: %s", a.Status)
	}
	cancelled := person("Fabiola Gil", "fabiola@ejemplo.mx")
	if _, err := set.Attempts.Cancel(ctx, admin.ID, takeExam(t, set, cancelled, true, false).ID, "Se fue la luz en la sede."); err != nil {
		t.Fatal(err)
	}
	if err := set.Admin.AddNote(ctx, admin.ID, failed.ID, "Pidió repasar el dominio de redes."); err != nil {
		t.Fatal(err)
	}
	keep, closing := person("Luis Gómez", "luis@ejemplo.mx"), person("Luis Gómez", "luis.gomez@ejemplo.mx")
	if _, err := set.Admin.Merge(ctx, admin.ID, keep.ID, closing.ID); err != nil {
		t.Fatal(err)
	}

	return d
}

// installation makes a small SQLite installation: one person who passed
// the exam, so one certificate.
func installation(t *testing.T) *deployment {
	t.Helper()
	d := &deployment{data: filepath.Join(t.TempDir(), "data"), clock: clocktest.New()}
	set := d.openServices(t, "")
	u, err := set.Accounts.CreateUser(context.Background(), account.Registration{Name: "Ana López", Email: "ana@ejemplo.mx", Password: migratePassword}, model.RoleCandidate)
	if err != nil {
		t.Fatal(err)
	}
	takeExam(t, set, u, true, true)
	if err := set.Close(); err != nil {
		t.Fatal(err)
	}
	return d
}

func pgExec(t *testing.T, url, query string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
