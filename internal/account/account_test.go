package account

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"mxcert/internal/clocktest"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/storetest"
)

// cheapHash keeps the tests fast; TestRealHashParameters uses the real ones.
var cheapHash = HashParams{Memory: 64, Time: 1, Threads: 1}

const goodPassword = "jardín de cactus azules"

type env struct {
	svc   *Service
	db    *store.DB
	clock *clocktest.Fake
}

// newEnv is the accounts service over a real SQLite database in a
// temporary directory, with a fake clock.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, Config{Hash: cheapHash})
}

// newEnvWith is newEnv with the service configured by cfg.
func newEnvWith(t *testing.T, cfg Config) *env {
	t.Helper()
	clock := clocktest.New()
	db := storetest.Open(t, store.WithClock(clock.Now))
	svc, err := New(db, clock.Now, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, db: db, clock: clock}
}

func (e *env) register(t *testing.T, name, email string) *model.User {
	t.Helper()
	u, err := e.svc.Register(context.Background(), Registration{Name: name, Email: email, Password: goodPassword, State: "Oaxaca"})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return u
}

// audit returns the audit entries of an action, newest first.
func (e *env) audit(t *testing.T, action string) []model.AuditEntry {
	t.Helper()
	entries, err := e.db.Audit(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// problems are the fields a *ValidationError names, or nil for no error.
func problems(t *testing.T, err error) map[string]Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	return ve.Fields
}

func TestRegisterValidates(t *testing.T) {
	valid := Registration{Name: "Luis Pérez", Email: "luis@ejemplo.mx", Password: goodPassword, State: "Nuevo León"}
	with := func(change func(r *Registration)) Registration {
		r := valid
		change(&r)
		return r
	}
	tests := []struct {
		name string
		reg  Registration
		want map[string]Problem // nil: accepted
	}{
		{"valid", valid, nil},
		{"accents, ñ and an apostrophe", with(func(r *Registration) { r.Name = "Renée O'Connor-Núñez" }), nil},
		{"a name of two letters", with(func(r *Registration) { r.Name = "Lu" }), nil},
		{"name too short", with(func(r *Registration) { r.Name = " L " }), map[string]Problem{"name": NameLength}},
		{"name too long", with(func(r *Registration) { r.Name = strings.Repeat("Ñ", NameMax+1) }), map[string]Problem{"name": NameLength}},
		{"markup in the name", with(func(r *Registration) { r.Name = "<script>alert(1)</script>" }), map[string]Problem{"name": NameCharacters}},
		{"digits in the name", with(func(r *Registration) { r.Name = "Luis 2" }), map[string]Problem{"name": NameCharacters}},
		{"punctuation only", with(func(r *Registration) { r.Name = "-- .." }), map[string]Problem{"name": NameCharacters}},
		{"e-mail without a domain", with(func(r *Registration) { r.Email = "luis@" }), map[string]Problem{"email": EmailInvalid}},
		{"e-mail without a dot in the domain", with(func(r *Registration) { r.Email = "luis@ejemplo" }), map[string]Problem{"email": EmailInvalid}},
		{"e-mail with a display name", with(func(r *Registration) { r.Email = "Luis <luis@ejemplo.mx>" }), map[string]Problem{"email": EmailInvalid}},
		{"e-mail too long", with(func(r *Registration) { r.Email = strings.Repeat("a", EmailMax) + "@ejemplo.mx" }), map[string]Problem{"email": EmailInvalid}},
		{"password of the minimum length", with(func(r *Registration) { r.Password = "cactus azu" }), nil},
		{"password one short", with(func(r *Registration) { r.Password = "cactus az" }), map[string]Problem{"password": PasswordShort}},
		{"password short in characters, long in bytes", with(func(r *Registration) { r.Password = "ñáéíóúüñá" }), map[string]Problem{"password": PasswordShort}},
		{"password of the maximum length", with(func(r *Registration) { r.Password = strings.Repeat("x", PasswordMax) }), nil},
		{"password one too long", with(func(r *Registration) { r.Password = strings.Repeat("x", PasswordMax+1) }), map[string]Problem{"password": PasswordLong}},
		{"common password", with(func(r *Registration) { r.Password = "Contraseña123" }), map[string]Problem{"password": PasswordCommon}},
		{"password is the e-mail", with(func(r *Registration) { r.Password = "luis@ejemplo.mx" }), map[string]Problem{"password": PasswordPersonal}},
		{"password is the name and a digit", with(func(r *Registration) { r.Name = "Guadalupe Itzel"; r.Password = "Guadalupe Itzel 7" }), map[string]Problem{"password": PasswordPersonal}},
		{"state not in the list", with(func(r *Registration) { r.State = "Texas" }), map[string]Problem{"state": StateInvalid}},
		{"no state", with(func(r *Registration) { r.State = "" }), map[string]Problem{"state": StateInvalid}},
		{"every field wrong", Registration{Name: "1", Email: "x", Password: "corta", State: "Texas"},
			map[string]Problem{"name": NameLength, "email": EmailInvalid, "password": PasswordShort, "state": StateInvalid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			u, err := e.svc.Register(context.Background(), tc.reg)
			if got := problems(t, err); !maps.Equal(got, tc.want) {
				t.Fatalf("problems %v, want %v", got, tc.want)
			}
			n, cerr := e.db.CountUsers(context.Background(), model.RoleCandidate)
			if cerr != nil {
				t.Fatal(cerr)
			}
			if tc.want != nil {
				if u != nil || n != 0 {
					t.Errorf("a refused registration returned %+v and left %d accounts", u, n)
				}
				return
			}
			if u == nil || u.ID == 0 || u.Role != model.RoleCandidate || n != 1 {
				t.Errorf("accepted registration: %+v, %d accounts", u, n)
			}
		})
	}
}

// The name is stored as a certificate will print it; the e-mail as typed,
// unique in any letter case.
func TestRegisterCleansTheNameAndKeepsTheEmail(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.Register(context.Background(), Registration{Name: "  José   Ñúñez\tPeña ", Email: " Jose.Nunez@Ejemplo.MX ", Password: goodPassword, State: "Yucatán"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.db.UserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "José Ñúñez Peña" || got.Email != "Jose.Nunez@Ejemplo.MX" || got.EmailNorm != "jose.nunez@ejemplo.mx" || got.State != "Yucatán" {
		t.Errorf("stored account = %+v", got)
	}
	if !got.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("created at %v, want the clock's %v", got.CreatedAt, e.clock.Now())
	}
	if strings.Contains(got.PasswordHash, goodPassword) || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
		t.Errorf("stored password hash = %q", got.PasswordHash)
	}
	// Registering is the person's own act: the entry is theirs.
	if entries := e.audit(t, "user.create"); len(entries) != 1 || entries[0].Subject != "jose.nunez@ejemplo.mx" || entries[0].ActorID != got.ID || entries[0].ActorName != "José Ñúñez Peña" {
		t.Errorf("user.create audit = %+v", entries)
	}
}

func TestDuplicateEmail(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Ana López", "ana@ejemplo.mx")
	ctx := context.Background()
	_, err := e.svc.Register(ctx, Registration{Name: "Otra Ana", Email: " ANA@Ejemplo.mx", Password: "otra frase larga y segura", State: "Sonora"})
	if !errors.Is(err, ErrAlreadyRegistered) {
		t.Errorf("same e-mail in other case: %v, want ErrAlreadyRegistered (nothing made, the owner told)", err)
	}
	if n, err := e.db.CountUsers(ctx, model.RoleCandidate); err != nil || n != 1 {
		t.Errorf("%d candidates, %v", n, err)
	}
	// The command line cannot take the address either, not even for an administrator.
	_, err = e.svc.CreateUser(ctx, Registration{Name: "Admin Fundación", Email: "ana@ejemplo.mx", Password: "otra frase larga y segura"}, model.RoleAdmin)
	if got := problems(t, err); !maps.Equal(got, map[string]Problem{"email": EmailTaken}) {
		t.Errorf("CreateUser with a taken e-mail: problems %v, want email_taken", got)
	}
	if n, err := e.db.CountUsers(ctx, model.RoleAdmin); err != nil || n != 0 {
		t.Errorf("%d administrators, %v", n, err)
	}
}

// The command line makes accounts without a state, and administrators.
func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.CreateUser(context.Background(), Registration{Name: "María Pérez", Email: "admin@mxos.mx", Password: goodPassword}, model.RoleAdmin)
	if err != nil || !u.IsAdmin() || u.State != "" {
		t.Fatalf("CreateUser = %+v, %v", u, err)
	}
	_, err = e.svc.CreateUser(context.Background(), Registration{Name: "Luis Pérez", Email: "luis@ejemplo.mx", Password: goodPassword, State: "Texas"}, model.RoleCandidate)
	if got := problems(t, err); !maps.Equal(got, map[string]Problem{"state": StateInvalid}) {
		t.Errorf("a state given must be valid: problems %v", got)
	}
}

func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	ana := e.register(t, "Ana López", "ana@ejemplo.mx")
	ctx := context.Background()
	for _, tc := range []struct {
		name, email, password string
		wantErr               error // nil: signed in as Ana
	}{
		{"right", "ana@ejemplo.mx", goodPassword, nil},
		{"e-mail in another case, with spaces", "  ANA@Ejemplo.MX ", goodPassword, nil},
		{"wrong password", "ana@ejemplo.mx", "no es la contraseña", ErrBadCredentials},
		{"password in another case", "ana@ejemplo.mx", strings.ToUpper(goodPassword), ErrBadCredentials},
		{"empty password", "ana@ejemplo.mx", "", ErrBadCredentials},
		{"unknown e-mail", "nadie@ejemplo.mx", goodPassword, ErrBadCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := e.svc.Authenticate(ctx, tc.email, tc.password, "192.0.2.10")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || u != nil {
					t.Errorf("Authenticate = %+v, %v; want %v", u, err, tc.wantErr)
				}
				return
			}
			if err != nil || u == nil || u.ID != ana.ID {
				t.Errorf("Authenticate = %+v, %v; want Ana", u, err)
			}
		})
	}
	// A damaged stored hash is an error of its own, not a wrong password.
	if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetPassword(ana.ID, "$argon2id$dañado") }); err != nil {
		t.Fatal(err)
	}
	if u, err := e.svc.Authenticate(ctx, "ana@ejemplo.mx", goodPassword, "192.0.2.10"); err == nil || errors.Is(err, ErrBadCredentials) || u != nil {
		t.Errorf("with a damaged hash: %+v, %v", u, err)
	}
}

// TestRealHashParameters hashes with OWASP's costs once: the stored hash
// records them, and a hash made with other costs still verifies, so that
// changing the costs never locks anybody out.
func TestRealHashParameters(t *testing.T) {
	e := newEnv(t)
	old := e.register(t, "Ana López", "ana@ejemplo.mx") // cheap costs
	owasp, err := New(e.db, e.clock.Now, Config{Hash: OWASPParams})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := owasp.Register(ctx, Registration{Name: "Luis Pérez", Email: "luis@ejemplo.mx", Password: goodPassword, State: "Jalisco"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(stored.PasswordHash, goodPassword) {
		t.Errorf("hash %q does not record OWASP's costs, or holds the password", stored.PasswordHash)
	}
	for _, who := range []struct {
		email string
		id    int64
	}{{"luis@ejemplo.mx", u.ID}, {"ana@ejemplo.mx", old.ID}} {
		if got, err := owasp.Authenticate(ctx, who.email, goodPassword, "192.0.2.10"); err != nil || got.ID != who.id {
			t.Errorf("sign in %s: %+v, %v", who.email, got, err)
		}
		if _, err := owasp.Authenticate(ctx, who.email, "no es la contraseña", "192.0.2.10"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("wrong password for %s: %v", who.email, err)
		}
	}
}

func TestChangeName(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Jose Nunez", "jose@ejemplo.mx")

	if err := e.svc.ChangeName(ctx, u.ID, "  José   Núñez "); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.db.UserByID(ctx, u.ID); got.Name != "José Núñez" {
		t.Errorf("name = %q, want %q", got.Name, "José Núñez")
	}
	entries := e.audit(t, "user.name_change")
	if len(entries) != 1 || entries[0].ActorID != u.ID || entries[0].Detail["before"] != "Jose Nunez" || entries[0].Detail["after"] != "José Núñez" {
		t.Errorf("user.name_change audit = %+v", entries)
	}
	if err := e.svc.ChangeName(ctx, u.ID, "José Núñez"); err != nil {
		t.Errorf("the same name again: %v", err)
	}
	if n := len(e.audit(t, "user.name_change")); n != 1 {
		t.Errorf("an unchanged name was audited: %d entries", n)
	}
	if got := problems(t, e.svc.ChangeName(ctx, u.ID, "<b>José</b>")); !maps.Equal(got, map[string]Problem{"name": NameCharacters}) {
		t.Errorf("markup: problems %v", got)
	}
}

// Once a candidate passes, the name is on a certificate: only the
// foundation corrects it from then on.
func TestNameLockedAfterPassing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	finish := func(id string, passed bool) {
		t.Helper()
		a := &model.Attempt{ID: id, UserID: u.ID, TrackID: "ejemplo", TrackTitle: "Ejemplo", TrackVersion: "1", ContentVersion: "v1",
			HolderName: u.Name, Deadline: e.clock.Now().Add(time.Hour), PassPercent: 50,
			Items: []model.AttemptItem{{Item: exam.Item{QuestionID: "q-1", Domain: "arranque", Options: []exam.ItemOption{{Correct: true}, {}}}}}}
		err := e.db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateAttempt(a); err != nil {
				return err
			}
			score := 0
			if passed {
				score = 1
			}
			return tx.FinishAttempt(a, "submitted", []bool{passed}, score, 100*score, passed)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	finish("intento-1", false)
	if err := e.svc.ChangeName(ctx, u.ID, "Ana Lopez"); err != nil {
		t.Fatalf("ChangeName after failing: %v", err)
	}
	finish("intento-2", true)
	if err := e.svc.ChangeName(ctx, u.ID, "Ana María López"); !errors.Is(err, ErrNameLocked) {
		t.Fatalf("ChangeName after passing: %v, want ErrNameLocked", err)
	}
	if got, _ := e.db.UserByID(ctx, u.ID); got.Name != "Ana Lopez" {
		t.Errorf("the name changed to %q", got.Name)
	}
}

func TestSetAccommodation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	got, err := e.svc.SetAccommodation(ctx, 0, "ANA@ejemplo.mx", 30*time.Minute)
	if err != nil || got.ID != u.ID || got.ExtraMinutes != 30 {
		t.Fatalf("SetAccommodation = %+v, %v", got, err)
	}
	if stored, _ := e.db.UserByID(ctx, u.ID); stored.ExtraMinutes != 30 {
		t.Errorf("stored extra minutes = %d", stored.ExtraMinutes)
	}
	entries := e.audit(t, "user.accommodation")
	if len(entries) != 1 || entries[0].Detail["before_minutes"] != 0.0 || entries[0].Detail["after_minutes"] != 30.0 {
		t.Errorf("user.accommodation audit = %+v", entries)
	}
	for _, tc := range []struct {
		name  string
		extra time.Duration
	}{{"negative", -time.Minute}, {"part of a minute", 90 * time.Second}, {"over ten hours", 10*time.Hour + time.Minute}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.svc.SetAccommodation(ctx, 0, "ana@ejemplo.mx", tc.extra); err == nil {
				t.Errorf("extra time %v accepted", tc.extra)
			}
		})
	}
	if _, err := e.svc.SetAccommodation(ctx, 0, "nadie@ejemplo.mx", time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown e-mail: %v, want ErrNotFound", err)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 20 || strings.ContainsAny(p, "lIO01") {
			t.Errorf("generated password %q: want 20 characters without look-alikes", p)
		}
		var v ValidationError
		checkPasswordPolicy("password", p, "Ana López", "ana@ejemplo.mx", &v)
		if v.orNil() != nil {
			t.Errorf("generated password %q fails the policy: %v", p, v.Fields)
		}
		if seen[p] {
			t.Errorf("password %q generated twice", p)
		}
		seen[p] = true
	}
}
