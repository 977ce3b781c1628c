package certificate

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	re := regexp.MustCompile(`^SB-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	for range 2000 {
		c, err := NewCode(Prefix("soporte-basico"))
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(c) {
			t.Fatalf("code %q has the wrong shape", c)
		}
		if seen[c] {
			t.Fatalf("code %q repeated", c)
		}
		seen[c] = true
		n, err := NormalizeCode(strings.ToLower(strings.ReplaceAll(c, "-", "")))
		if err != nil || n != strings.ReplaceAll(c, "-", "") {
			t.Fatalf("lower case without hyphens: %q → %q, %v", c, n, err)
		}
	}
	if Prefix("soporte-basico") != "SB" || Prefix("x") != "X" || Prefix("uno-dos-tres-cuatro") != "UDT" {
		t.Error("prefixes")
	}
}

func TestNormalizeCode(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{ // want "": an error
		{"as printed", "SB-7K4Q-9XTP-M2HW", "SB7K4Q9XTPM2HW"},
		{"lower case without hyphens", "sb7k4q9xtpm2hw", "SB7K4Q9XTPM2HW"},
		{"spaces around and inside", " sb 7k4q-9xtp-m2hw ", "SB7K4Q9XTPM2HW"},
		{"O read as zero", "SB-OK4Q-9XTP-M2HW", "SB0K4Q9XTPM2HW"},
		{"I and L read as one", "SB-IK4Q-9XTP-L2HW", "SB1K4Q9XTP12HW"},
		{"U is not in the alphabet", "SB-7K4Q-9XTP-M2HU", ""},
		{"too short", "SB-7K4Q", ""},
		{"markup", "<script>", ""},
		{"too long", "SB-7K4Q-9XTP-M2HW-ZZZZ", ""},
		{"a path", "../../etc/passwd", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeCode(tc.in)
			if (tc.want == "") != (err != nil) || got != tc.want {
				t.Errorf("NormalizeCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func testKey(t testing.TB) (*Key, string) {
	t.Helper()
	dir := t.TempDir()
	k, err := LoadOrCreateKey(filepath.Join(dir, "keys", "signing.key"), false)
	if err != nil {
		t.Fatal(err)
	}
	return k, dir
}

func TestKeys(t *testing.T) {
	k, dir := testKey(t)
	path := filepath.Join(dir, "keys", "signing.key")
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v", st.Mode().Perm(), err)
	}
	again, err := LoadOrCreateKey(path, false)
	if err != nil || again.ID != k.ID || !again.Private.Equal(k.Private) {
		t.Fatal("reloading the key gave another key")
	}
	// A retired key stays published so old certificates keep verifying.
	old, _ := testKey(t)
	os.MkdirAll(filepath.Join(dir, "keys", "retired"), 0o700)
	os.WriteFile(filepath.Join(dir, "keys", "retired", old.ID+".pub"), []byte(b64(old.Public())), 0o644)
	pubs, err := PublicKeys(k, filepath.Join(dir, "keys", "retired"))
	if err != nil || len(pubs) != 2 || pubs[0].ID != k.ID || pubs[1].ID != old.ID {
		t.Fatalf("public keys = %+v, %v", pubs, err)
	}
	data, _ := json.Marshal(KeySet{Keys: pubs})
	keys, err := ParseKeySet(data)
	if err != nil || len(keys) != 2 {
		t.Fatalf("ParseKeySet: %v %v", keys, err)
	}
	pubs[0].ID = old.ID // an id that does not match its key
	data, _ = json.Marshal(KeySet{Keys: pubs[:1]})
	if _, err := ParseKeySet(data); err == nil {
		t.Error("a key set with a wrong key id was accepted")
	}
}

// Servers starting together on one data folder (replicas sharing its keys)
// all get the one key that was created: none reads the file before the
// key is in it.
func TestKeyCreatedOnceByConcurrentStarts(t *testing.T) {
	for round := range 50 {
		path := filepath.Join(t.TempDir(), "keys", "signing.key")
		const n = 8
		keys := make([]*Key, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(path, false) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, start %d: %v", round, i, errs[i])
			}
			if keys[i].ID != keys[0].ID {
				t.Fatalf("round %d: start %d signs with key %s, start 0 with %s", round, i, keys[i].ID, keys[0].ID)
			}
		}
	}
}

func sample() Credential {
	return Credential{Type: "MxOSCertificate", Version: 1, ID: "3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f", Code: "SB-7K4Q-9XTP-M2HW",
		HolderName: "José Ñúñez Peña", Certification: Certification{ID: "soporte-basico", Title: "Certificación en Soporte Básico de MxOS", Version: "2026.1"},
		IssuedAt: "2026-11-28T18:00:00Z", Issuer: Issuer, VerifyURL: "https://certificacion.mxos.mx/verificar/SB-7K4Q-9XTP-M2HW"}
}

func TestSignAndVerify(t *testing.T) {
	k, _ := testKey(t)
	keys := map[string]ed25519PublicKey{k.ID: k.Public()}
	s, err := Sign(sample(), k)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(s.Credential, []byte(`"holder_name":"José Ñúñez Peña"`)) {
		t.Errorf("canonical JSON escapes or reorders: %s", s.Credential)
	}
	c, err := Verify(s, keys)
	if err != nil || c != sample() {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	// Pretty-printing is not tampering.
	var pretty bytes.Buffer
	json.Indent(&pretty, s.Credential, "", "  ")
	if _, err := Verify(Signed{Credential: pretty.Bytes(), Signature: s.Signature, KeyID: s.KeyID}, keys); err != nil {
		t.Errorf("indented credential: %v", err)
	}
	forged := bytes.Replace(s.Credential, []byte("José Ñúñez Peña"), []byte("Jose Nunez Pena"), 1)
	if _, err := Verify(Signed{Credential: forged, Signature: s.Signature, KeyID: s.KeyID}, keys); err != ErrBadSignature {
		t.Errorf("tampered credential: %v, want ErrBadSignature", err)
	}
	other, _ := testKey(t)
	if _, err := Verify(s, map[string]ed25519PublicKey{other.ID: other.Public()}); err == nil {
		t.Error("verified with a key that did not sign")
	}
}

func renderSample(t testing.TB, k *Key, cred Credential) []byte {
	t.Helper()
	s, err := Sign(cred, k)
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("America/Mexico_City")
	pdf, err := RenderPDF(Document{ID: cred.ID, Code: cred.Code, HolderName: cred.HolderName, Certification: cred.Certification.Title,
		TrackVersion: cred.Certification.Version, IssuedAt: time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC), VerifyURL: cred.VerifyURL, Signed: s, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func TestPDFVerifiesOfflineAndForgeriesFail(t *testing.T) {
	k, _ := testKey(t)
	keys := map[string]ed25519PublicKey{k.ID: k.Public()}
	pdf := renderSample(t, k, sample())
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	c, _, err := VerifyPDF(pdf, keys)
	if err != nil || c.HolderName != "José Ñúñez Peña" {
		t.Fatalf("VerifyPDF = %+v, %v", c, err)
	}
	// A forger copies the signature into a PDF with another name.
	good, _ := Sign(sample(), k)
	forgedCred := sample()
	forgedCred.HolderName = "Otra Persona"
	forgedBytes, _ := forgedCred.Canonical()
	zone, _ := time.LoadLocation("America/Mexico_City")
	forged, err := RenderPDF(Document{ID: forgedCred.ID, Code: forgedCred.Code, HolderName: forgedCred.HolderName, Certification: forgedCred.Certification.Title,
		IssuedAt: time.Now(), VerifyURL: forgedCred.VerifyURL, Signed: Signed{Credential: forgedBytes, Signature: good.Signature, KeyID: good.KeyID}, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyPDF(forged, keys); err != ErrBadSignature {
		t.Errorf("forged PDF: %v, want ErrBadSignature", err)
	}
	if _, _, err := VerifyPDF([]byte("%PDF-1.4 not really"), keys); err == nil {
		t.Error("garbage verified")
	}
}

// requireTool finds a Debian tool the test needs. CI installs it and sets
// MXCERT_REQUIRE_TOOLS=1, which turns a missing tool into a failure.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MXCERT_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (apt-get install %s)", name, pkg)
		}
		t.Skipf("%s not installed (apt-get install %s); set MXCERT_REQUIRE_TOOLS=1 to make this a failure", name, pkg)
	}
	return p
}

func TestPDFTextHasTheNameCodeAndURL(t *testing.T) {
	pdftotext := requireTool(t, "pdftotext", "poppler-utils")
	k, dir := testKey(t)
	file := filepath.Join(dir, "c.pdf")
	os.WriteFile(file, renderSample(t, k, sample()), 0o600)
	out, err := exec.Command(pdftotext, "-layout", file, "-").Output() // #nosec G204 -- test tool
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"José Ñúñez Peña", "SB-7K4Q-9XTP-M2HW", "https://certificacion.mxos.mx/verificar/SB-7K4Q-9XTP-M2HW",
		"Certificación en Soporte Básico de MxOS", "28 de noviembre de 2026", "Fundación MxOS", "3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	info, err := exec.Command("pdfinfo", file).Output() // #nosec G204 -- test tool
	if err == nil {
		for _, want := range []string{"Title:", "José Ñúñez Peña", "Author:", "Fundación MxOS", "Page size:", "841.89 x 595.28"} {
			if !strings.Contains(string(info), want) {
				t.Errorf("PDF metadata lacks %q:\n%s", want, info)
			}
		}
	}
}

func TestPrintedQRCodeScans(t *testing.T) {
	pdftoppm := requireTool(t, "pdftoppm", "poppler-utils")
	k, dir := testKey(t)
	file := filepath.Join(dir, "c.pdf")
	os.WriteFile(file, renderSample(t, k, sample()), 0o600)
	if out, err := exec.Command(pdftoppm, "-png", "-r", "150", "-singlefile", file, filepath.Join(dir, "page")).CombinedOutput(); err != nil { // #nosec G204 -- test tool
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the printed QR code does not scan: %v", err)
	}
	if res.GetText() != sample().VerifyURL {
		t.Errorf("QR code says %q, want %q", res.GetText(), sample().VerifyURL)
	}
}

// BenchmarkRenderPDF measures rendering one certificate (fonts parsed per
// document, as gofpdf requires).
func BenchmarkRenderPDF(b *testing.B) {
	k, _ := testKey(b)
	s, _ := Sign(sample(), k)
	d := Document{ID: "x", Code: "SB-7K4Q-9XTP-M2HW", HolderName: "José Ñúñez Peña", Certification: "Certificación en Soporte Básico de MxOS",
		IssuedAt: time.Now(), VerifyURL: sample().VerifyURL, Signed: s}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPDFCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newPDFCache(100)
	c.put("a", make([]byte, 20))
	c.put("b", make([]byte, 20))
	c.put("c", make([]byte, 20))
	c.get("a") // a is now the most recent
	c.put("d", make([]byte, 20))
	c.put("e", make([]byte, 20)) // 100 bytes: all fit
	c.put("f", make([]byte, 20)) // evicts b, the least recently used
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted")
	}
	for _, id := range []string{"a", "c", "d", "e", "f"} {
		if _, ok := c.get(id); !ok {
			t.Errorf("%s evicted", id)
		}
	}
	c.put("huge", make([]byte, 60)) // over a quarter of the limit: not kept
	if _, ok := c.get("huge"); ok || c.size > 100 {
		t.Errorf("size %d", c.size)
	}
}
