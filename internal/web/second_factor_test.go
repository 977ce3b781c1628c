package web

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pquerna/otp/totp"

	"mxcert/internal/account"
	"mxcert/internal/model"
)

// newAdmin creates an administrator with an authenticator, as the command
// line does, and returns the authenticator's secret and recovery codes.
func newAdmin(t testing.TB, env *testEnv, name, email string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.accounts.CreateUser(ctx, account.Registration{Name: name, Email: email, Password: goodPassword}, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	_, enr, codes, err := env.accounts.EnrolNow(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return enr.Secret, codes
}

// totpCode is what the authenticator app shows now, by the fake clock.
func totpCode(t testing.TB, env *testEnv, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// loginAdmin signs an administrator in: the password, then the code.
func (c *client) loginAdmin(email, secret string) {
	c.t.Helper()
	rec := c.login(email, goodPassword)
	wantStatus(c.t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/entrar/codigo" {
		c.t.Fatalf("after the password, an administrator is sent to %q", loc)
	}
	wantStatus(c.t, c.post("/entrar/codigo", url.Values{"codigo": {totpCode(c.t, c.env, secret)}}), http.StatusSeeOther)
}

// wrongCode is six digits the app does not show now, a step before or a
// step after.
func wrongCode(t testing.TB, env *testEnv, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, env.clock.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	panic("three valid codes cannot cover four")
}

func wantLocation(t testing.TB, rec interface{ Header() http.Header }, want string) {
	t.Helper()
	if got := rec.Header().Get("Location"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

// The console cannot be entered with the password alone: it opens a
// pending sign-in, which is not a session, and only the code finishes it.
func TestAdminSignInNeedsTheSecondFactor(t *testing.T) {
	env := newEnv(t)
	secret, _ := newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	a := env.client(t)
	a.ip = "203.0.113.5"
	rec := a.post("/entrar", url.Values{"email": {"rosa@mxos.mx"}, "password": {goodPassword}, "siguiente": {"/admin/bitacora"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantLocation(t, rec, "/entrar/codigo?siguiente=%2Fadmin%2Fbitacora")
	if a.cookies[sessionCookie] != nil || a.cookies[pendingCookie] == nil {
		t.Fatalf("after the password: cookies %v", a.cookies)
	}
	// Neither the console nor even the candidate pages.
	wantStatus(t, a.get("/admin"), http.StatusNotFound)
	wantStatus(t, a.get("/admin/bitacora"), http.StatusNotFound)
	wantStatus(t, a.get("/cuenta"), http.StatusSeeOther)
	// Nor a way to replace the authenticator with the password alone.
	wantLocation(t, a.get("/entrar/activar"), "/entrar/codigo")
	wantLocation(t, a.post("/entrar/activar", url.Values{"codigo": {totpCode(t, env, secret)}}), "/entrar/codigo")

	page := a.get("/entrar/codigo?siguiente=%2Fadmin%2Fbitacora")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Código de verificación", "rosa@mxos.mx", `autocomplete="one-time-code"`, `<label for="codigo">`,
		`name="siguiente" value="/admin/bitacora"`, `href="/entrar/recuperacion?siguiente=%2fadmin%2fbitacora"`)
	if cc := page.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the code page is cacheable: %q", cc)
	}

	rec = a.post("/entrar/codigo", url.Values{"codigo": {wrongCode(t, env, secret)}, "siguiente": {"/admin/bitacora"}})
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "El código no es correcto", `aria-invalid="true"`)
	wantStatus(t, a.get("/admin"), http.StatusNotFound)

	code := totpCode(t, env, secret)
	rec = a.post("/entrar/codigo", url.Values{"codigo": {code[:3] + " " + code[3:]}, "siguiente": {"/admin/bitacora"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantLocation(t, rec, "/admin/bitacora")
	if a.cookies[pendingCookie] != nil || a.cookies[sessionCookie] == nil {
		t.Fatalf("after the code: cookies %v", a.cookies)
	}
	wantBody(t, a.get("/admin/bitacora"), "Entraste a tu cuenta", "<td>Código de verificación aceptado</td>", "203.0.113.5")
	actions := auditActions(t, env)
	if e := actions[model.ActionTOTPUse]; e.ActorName != "Rosa Pérez" || e.Detail["ip"] != "203.0.113.5" || e.Detail["purpose"] != "sign_in" {
		t.Errorf("code use audit: %+v", e)
	}
	if e := actions[model.ActionVerifyFailure]; e.Detail["ip"] != "203.0.113.5" || e.Detail["failures"] != 1.0 {
		t.Errorf("failure audit: %+v", e)
	}

	// The same code, in another browser, is not accepted twice.
	b := env.client(t)
	wantStatus(t, b.login("rosa@mxos.mx", goodPassword), http.StatusSeeOther)
	rec = b.post("/entrar/codigo", url.Values{"codigo": {code}})
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "Ese código ya se usó")
	env.clock.Advance(30 * time.Second)
	rec = b.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, secret)}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantLocation(t, rec, "/")
}

// Candidates sign in with the password, as before.
func TestCandidateSignInIsOneStep(t *testing.T) {
	env := newEnv(t)
	env.client(t).register("Ana López", "ana@ejemplo.mx", goodPassword)
	c := env.client(t)
	wantLocation(t, c.login("ana@ejemplo.mx", goodPassword), "/")
	if c.cookies[sessionCookie] == nil || c.cookies[pendingCookie] != nil {
		t.Errorf("cookies %v", c.cookies)
	}
	wantLocation(t, env.client(t).get("/entrar/codigo"), "/entrar")
}

// An administrator with no authenticator sets one up after the password,
// before the console opens: the QR code scans to the otpauth URI, the
// secret is there to type, and a code from it opens the session and shows
// the recovery codes once.
func TestAdminEnrolsAtFirstSignIn(t *testing.T) {
	env := newEnv(t)
	if _, err := env.accounts.CreateUser(context.Background(), account.Registration{Name: "Rosa Pérez", Email: "rosa@mxos.mx", Password: goodPassword}, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	a := env.client(t)
	wantLocation(t, a.login("rosa@mxos.mx", goodPassword), "/entrar/codigo")
	wantLocation(t, a.get("/entrar/codigo"), "/entrar/activar")
	page := a.get("/entrar/activar")
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Activa la verificación en dos pasos", `<svg class="qr"`, `role="img"`, `aria-label="Código QR para agregar rosa@mxos.mx`,
		`href="otpauth://totp/`, `autocomplete="one-time-code"`)
	if cc := page.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page with the secret is cacheable: %q", cc)
	}
	m := regexp.MustCompile(`<code id="clave"[^>]*>([A-Z2-7 ]+)</code>`).FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatal("no secret to type on the page")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	uri := scanQR(t, page.Body.String())
	if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("the QR code says %q; the page's secret is %s", uri, secret)
	}
	wantBody(t, a.get("/entrar/activar"), m[0]) // a reload shows the same secret
	wantStatus(t, a.get("/admin"), http.StatusNotFound)

	wantStatus(t, a.post("/entrar/activar", url.Values{"codigo": {wrongCode(t, env, secret)}}), http.StatusUnauthorized)
	rec := a.post("/entrar/activar", url.Values{"codigo": {totpCode(t, env, secret)}})
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Guarda tus códigos de recuperación", "Ya los guardé, continuar", "Salir")
	codes := regexp.MustCompile(`<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the recovery codes page is cacheable: %q", cc)
	}
	wantStatus(t, a.get("/admin"), http.StatusOK)
	e := auditActions(t, env)[model.ActionTOTPEnrol]
	if e.ActorName != "Rosa Pérez" || e.Detail["via"] != "sign_in" || e.Detail["ip"] != "192.0.2.10" {
		t.Errorf("enrolment audit %+v", e)
	}
	// One of the codes signs in another browser.
	b := env.client(t)
	b.login("rosa@mxos.mx", goodPassword)
	wantLocation(t, b.post("/entrar/recuperacion", url.Values{"codigo": {codes[0][1]}}), "/")
}

// scanQR decodes the QR code drawn as an SVG path in page, as a phone's
// camera would.
func scanQR(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`<svg class="qr" viewBox="0 0 (\d+) \d+"[^>]*>.*?<path d="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no QR code on the page")
	}
	var size int
	fmt.Sscan(m[1], &size)
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, size*scale, size*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, run := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllStringSubmatch(m[2], -1) {
		var x, y, w int
		fmt.Sscan(run[1], &x)
		fmt.Sscan(run[2], &y)
		fmt.Sscan(run[3], &w)
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is the code as drawn, module for module, so it is read as
	// a pure barcode: ZXing's finder-pattern search, made for photographs,
	// misplaces the corners of some codes drawn this way (5 random secrets
	// in 600; none in 600 read as pure), though the bits, format and error correction
	// that a phone reads are right. The decoder still checks all of them.
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR code does not scan: %v", err)
	}
	return res.GetText()
}

func TestRecoveryCodeSignIn(t *testing.T) {
	env := newEnv(t)
	_, codes := newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	a := env.client(t)
	a.login("rosa@mxos.mx", goodPassword)
	page := a.get("/entrar/recuperacion")
	wantBody(t, page, "Entra con un código de recuperación", `<label for="codigo">Código de recuperación</label>`, `href="/entrar/codigo"`)
	rec := a.post("/entrar/recuperacion", url.Values{"codigo": {strings.ToUpper(codes[2])}})
	wantLocation(t, rec, "/")
	wantBody(t, a.get("/admin"), "Entraste con un código de recuperación")
	e := auditActions(t, env)[model.ActionRecoveryUse]
	if e.Detail["left"] != 9.0 || e.Detail["ip"] != "192.0.2.10" || e.ActorName != "Rosa Pérez" {
		t.Errorf("recovery audit %+v", e)
	}
	b := env.client(t)
	b.login("rosa@mxos.mx", goodPassword)
	rec = b.post("/entrar/recuperacion", url.Values{"codigo": {codes[2]}})
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "no es válido o ya se usó")
	wantBody(t, b.get("/admin/seguridad"), "Página no encontrada")
}

func TestTooManyWrongCodes(t *testing.T) {
	env := newEnv(t)
	secret, _ := newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	a := env.client(t)
	a.login("rosa@mxos.mx", goodPassword)
	bad := wrongCode(t, env, secret)
	for range 5 {
		wantStatus(t, a.post("/entrar/codigo", url.Values{"codigo": {bad}}), http.StatusUnauthorized)
	}
	rec := a.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, secret)}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Espera 1 minuto")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	env.clock.Advance(time.Minute)
	wantStatus(t, a.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, secret)}}), http.StatusSeeOther)
}

func TestPendingSignInExpires(t *testing.T) {
	env := newEnv(t)
	secret, _ := newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	a := env.client(t)
	a.post("/entrar", url.Values{"email": {"rosa@mxos.mx"}, "password": {goodPassword}, "siguiente": {"/admin"}})
	env.clock.Advance(account.ChallengeTTL + time.Second)
	rec := a.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, secret)}, "siguiente": {"/admin"}})
	wantLocation(t, rec, "/entrar?siguiente=%2Fadmin")
	wantBody(t, a.get("/entrar?siguiente=%2Fadmin"), "Pasó demasiado tiempo")
	wantStatus(t, a.get("/admin"), http.StatusNotFound)
}

// Revoke, reinstate, name correction, account merge and content reload
// need the password or a code typed in the last 10 minutes: otherwise
// they are refused and the administrator confirms first, then comes back.
func TestSensitiveActionsNeedARecentCheck(t *testing.T) {
	env := newEnv(t)
	secret, _ := newAdmin(t, env, "Admin Fundación", "admin@mxos.mx")
	a := env.client(t)
	a.ip = "192.0.2.200"
	a.loginAdmin("admin@mxos.mx", secret)
	cand := env.client(t)
	cand.register("Jose Nunez", "jose@ejemplo.mx", goodPassword)
	cert := passExam(t, env, cand)
	u, _ := env.svc.DB.UserByEmail(context.Background(), "jose@ejemplo.mx")
	revoke := "/admin/certificados/" + cert.ID + "/revocar"

	env.clock.Advance(account.RecheckWithin + time.Second)
	for _, tc := range []struct{ name, path string }{
		{"revoke", revoke},
		{"reinstate", "/admin/certificados/" + cert.ID + "/restablecer"},
		{"name correction", "/admin/candidatos/" + itoa(u.ID) + "/nombre"},
		{"content reload", "/admin/contenido/recargar"},
		{"account merge", "/admin/unir?conservar=" + itoa(u.ID) + "&cerrar=1"},
		{"new recovery codes", "/admin/seguridad/codigos"},
		{"new authenticator", "/admin/seguridad/aplicacion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := "/admin/confirmar?siguiente=" + url.QueryEscape(tc.path)
			wantLocation(t, a.post(tc.path, url.Values{"motivo": {"Suplantación"}, "valor": {"José Núñez"}, "codigo": {"123456"}}), want)
			wantLocation(t, a.get(tc.path), want)
		})
	}
	if got, _ := env.svc.DB.CertificateByID(context.Background(), cert.ID); got.Status != model.CertValid {
		t.Fatalf("a stale session revoked the certificate: %s", got.Status)
	}
	if got, _ := env.svc.DB.UserByID(context.Background(), u.ID); got.Name != "Jose Nunez" {
		t.Fatalf("a stale session corrected the name: %s", got.Name)
	}
	// Actions that are not sensitive do not ask.
	wantLocation(t, a.post("/admin/candidatos/"+itoa(u.ID)+"/tiempo-adicional", url.Values{"valor": {"15"}}), "/admin/candidatos/"+itoa(u.ID))

	// Confirming with the password, then back to the action.
	page := a.get("/admin/confirmar?siguiente=" + url.QueryEscape(revoke))
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Confirma que eres tú", `<label for="codigo">`, `<label for="password">`, `value="`+revoke+`"`)
	rec := a.post("/admin/confirmar", url.Values{"metodo": {"contrasena"}, "password": {"no es la contraseña"}, "siguiente": {revoke}})
	wantStatus(t, rec, http.StatusUnauthorized)
	wantBody(t, rec, "La contraseña no es correcta")
	wantLocation(t, a.post("/admin/confirmar", url.Values{"metodo": {"contrasena"}, "password": {goodPassword}, "siguiente": {revoke}}), revoke)
	wantBody(t, a.get(revoke), "confirmaste que eres tú", `id="motivo"`)
	wantLocation(t, a.post(revoke, url.Values{"motivo": {"Suplantación comprobada"}}), "/admin/certificados/"+cert.ID)
	if got, _ := env.svc.DB.CertificateByID(context.Background(), cert.ID); got.Status != model.CertRevoked {
		t.Fatalf("after the re-check the certificate is %s", got.Status)
	}

	// Ten minutes later, again; this time with a code.
	env.clock.Advance(account.RecheckWithin + time.Second)
	reinstate := "/admin/certificados/" + cert.ID + "/restablecer"
	wantLocation(t, a.post(reinstate, nil), "/admin/confirmar?siguiente="+url.QueryEscape(reinstate))
	wantLocation(t, a.post("/admin/confirmar", url.Values{"metodo": {"codigo"}, "codigo": {totpCode(t, env, secret)}, "siguiente": {reinstate}}), reinstate)
	wantLocation(t, a.post(reinstate, nil), "/admin/certificados/"+cert.ID)

	// Only pages of the console are places to go back to.
	env.clock.Advance(account.RecheckWithin + time.Second)
	for _, next := range []string{"https://evil.example/admin", "//evil.example", "/cuenta"} {
		env.clock.Advance(time.Minute) // a new password check each time is fine; a code would need a new step
		wantLocation(t, a.post("/admin/confirmar", url.Values{"metodo": {"contrasena"}, "password": {goodPassword}, "siguiente": {next}}), "/admin")
	}
	wantStatus(t, a.post("/admin/confirmar", url.Values{"metodo": {"otro"}}), http.StatusBadRequest)

	recheck := auditActions(t, env)[model.ActionPasswordRecheck]
	if recheck.ActorName != "Admin Fundación" || recheck.Detail["ip"] != "192.0.2.200" {
		t.Errorf("re-check audit %+v", recheck)
	}
}

// Administrators' sessions end after 30 idle minutes; candidates' do not.
func TestAdminSessionIdlesOut(t *testing.T) {
	env := newEnv(t)
	a := adminClient(t, env)
	cand := env.client(t)
	cand.register("Ana López", "ana@ejemplo.mx", goodPassword)
	env.clock.Advance(29 * time.Minute)
	wantStatus(t, a.get("/admin"), http.StatusOK)
	wantStatus(t, cand.get("/cuenta"), http.StatusOK)
	env.clock.Advance(account.AdminIdleTimeout + time.Second)
	wantStatus(t, a.get("/admin"), http.StatusNotFound)
	if a.cookies[sessionCookie] != nil {
		t.Error("the idle session's cookie was not cleared")
	}
	wantStatus(t, cand.get("/cuenta"), http.StatusOK)
}

// A session that never passed the second factor (one from before this
// version) does not open the console: it ends, and the administrator
// signs in again with both factors.
func TestAdminSessionWithoutSecondFactorSignsInAgain(t *testing.T) {
	env := newEnv(t)
	newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	u, _ := env.svc.DB.UserByEmail(context.Background(), "rosa@mxos.mx")
	token, err := env.accounts.StartSession(context.Background(), u.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	a := env.client(t)
	a.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: token}
	rec := a.get("/admin/candidatos")
	wantLocation(t, rec, "/entrar?siguiente=%2Fadmin%2Fcandidatos")
	wantBody(t, a.get("/entrar"), "La consola ahora pide un código de verificación")
	if _, err := env.accounts.Resolve(context.Background(), token); !errors.Is(err, account.ErrNoSession) {
		t.Errorf("the session without a second factor still resolves: %v", err)
	}
}

// The console's security page: the state of the second factor, new
// recovery codes, and a new authenticator that replaces the old one only
// once a code from it is typed.
func TestConsoleSecurityPage(t *testing.T) {
	env := newEnv(t)
	old, oldCodes := newAdmin(t, env, "Rosa Pérez", "rosa@mxos.mx")
	a := env.client(t)
	a.loginAdmin("rosa@mxos.mx", old)
	wantBody(t, a.get("/admin/seguridad"), "Verificación en dos pasos", "Activa desde el 28 de noviembre de 2026", "Te quedan 10 códigos de recuperación sin usar",
		`href="/admin/seguridad/aplicacion"`, `href="/admin/seguridad/codigos"`, `href="/admin/seguridad" aria-current="page"`)

	wantBody(t, a.get("/admin/seguridad/codigos"), "Generar códigos de recuperación nuevos")
	rec := a.post("/admin/seguridad/codigos", nil)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Guarda tus códigos de recuperación", `href="/admin/seguridad"`)
	b := env.client(t)
	b.login("rosa@mxos.mx", goodPassword)
	wantStatus(t, b.post("/entrar/recuperacion", url.Values{"codigo": {oldCodes[0]}}), http.StatusUnauthorized)

	page := a.get("/admin/seguridad/aplicacion")
	wantBody(t, page, "Tu aplicación actual sigue funcionando", `<svg class="qr"`)
	secret := strings.ReplaceAll(regexp.MustCompile(`<code id="clave"[^>]*>([A-Z2-7 ]+)</code>`).FindStringSubmatch(page.Body.String())[1], " ", "")
	env.clock.Advance(30 * time.Second)
	wantStatus(t, a.post("/admin/seguridad/aplicacion", url.Values{"codigo": {totpCode(t, env, old)}}), http.StatusUnauthorized)
	rec = a.post("/admin/seguridad/aplicacion", url.Values{"codigo": {totpCode(t, env, secret)}})
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Guarda tus códigos de recuperación")
	e := auditActions(t, env)[model.ActionTOTPEnrol]
	if e.Detail["via"] != "console" || e.Detail["replaced"] != true || e.ActorName != "Rosa Pérez" {
		t.Errorf("replacement audit %+v", e)
	}

	env.clock.Advance(30 * time.Second)
	c := env.client(t)
	c.login("rosa@mxos.mx", goodPassword)
	wantStatus(t, c.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, old)}}), http.StatusUnauthorized)
	wantStatus(t, c.post("/entrar/codigo", url.Values{"codigo": {totpCode(t, env, secret)}}), http.StatusSeeOther)
}
