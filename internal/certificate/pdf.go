package certificate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"

	"mxcert/internal/datefmt"
)

// Document is what a certificate PDF shows.
type Document struct {
	ID             string
	Code           string
	HolderName     string
	Certification  string // title
	TrackVersion   string
	IssuedAt       time.Time // shown in Zone
	ExpiresAt      *time.Time
	VerifyURL      string
	Signed         Signed // embedded as credential.json
	Zone           *time.Location
	FoundationName string
}

// Colours of the certificate (RGB).
var (
	green = [3]int{11, 93, 75}
	ink   = [3]int{29, 36, 36}
	muted = [3]int{79, 90, 88}
)

// RenderPDF draws a certificate: A4 landscape, the holder's name large, the
// certification, the date in Spanish, the id and code, the verification URL
// with a QR code to it, and the signed credential attached as
// credential.json. Each call builds its own document and its own copies of
// the font bytes (gofpdf writes into the slices it is given).
func RenderPDF(d Document) ([]byte, error) {
	if d.Zone == nil {
		d.Zone = time.UTC
	}
	if d.FoundationName == "" {
		d.FoundationName = Issuer
	}
	qr, err := qrcode.Encode(d.VerifyURL, qrcode.Medium, 480)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	// Marshal (not MarshalIndent): the credential's bytes are what was signed.
	signed, err := json.Marshal(d.Signed)
	if err != nil {
		return nil, err
	}

	pdf := gofpdf.New("L", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes("go", "B", bytes.Clone(gobold.TTF))
	pdf.AddUTF8FontFromBytes("go", "I", bytes.Clone(goitalic.TTF))
	pdf.SetTitle(fmt.Sprintf("Certificado %s — %s", d.Code, d.HolderName), true)
	pdf.SetAuthor(d.FoundationName, true)
	pdf.SetSubject(d.Certification, true)
	pdf.SetCreator("MxOS Certificación", true)
	pdf.SetKeywords("MxOS certificado "+d.Code, true)
	pdf.SetCreationDate(d.IssuedAt)
	pdf.SetModificationDate(d.IssuedAt)
	pdf.SetAttachments([]gofpdf.Attachment{{Content: signed, Filename: "credential.json", Description: "Credencial firmada (Ed25519) de este certificado"}})
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.AddPage()
	const w, h = 297.0, 210.0

	color := func(c [3]int) { pdf.SetTextColor(c[0], c[1], c[2]) }
	center := func(y float64, style string, size float64, c [3]int, text string) {
		pdf.SetFont("go", style, size)
		color(c)
		pdf.SetXY(20, y)
		pdf.CellFormat(w-40, size*0.5, text, "", 0, "C", false, 0, "")
	}

	// Frame.
	pdf.SetDrawColor(green[0], green[1], green[2])
	pdf.SetLineWidth(1.4)
	pdf.Rect(9, 9, w-18, h-18, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(12.5, 12.5, w-25, h-25, "D")
	pdf.SetFillColor(green[0], green[1], green[2])
	pdf.Rect(12.5, 12.5, w-25, 4, "F")

	center(28, "B", 14, green, d.FoundationName)
	center(42, "B", 34, ink, "CERTIFICADO")
	center(62, "", 13, muted, "que acredita que")

	// The name is the most important line: as large as fits.
	size := 30.0
	pdf.SetFont("go", "B", size)
	for pdf.GetStringWidth(d.HolderName) > w-70 && size > 14 {
		size--
		pdf.SetFont("go", "B", size)
	}
	center(74, "B", size, ink, d.HolderName)
	pdf.SetLineWidth(0.4)
	pdf.Line(w/2-85, 92, w/2+85, 92)

	center(99, "", 13, muted, "aprobó el examen de la")
	title := d.Certification
	tsize := 19.0
	pdf.SetFont("go", "B", tsize)
	for pdf.GetStringWidth(title) > w-60 && tsize > 11 {
		tsize--
		pdf.SetFont("go", "B", tsize)
	}
	center(108, "B", tsize, green, title)
	if d.TrackVersion != "" {
		center(121, "I", 10, muted, "Temario versión "+d.TrackVersion)
	}
	issued := "Expedido el " + datefmt.Spanish(d.IssuedAt.In(d.Zone))
	if d.ExpiresAt != nil {
		issued += " · Vigente hasta el " + datefmt.Spanish(d.ExpiresAt.In(d.Zone))
	} else {
		issued += " · Sin fecha de vencimiento"
	}
	center(131, "", 12, ink, issued)

	// Identification and verification, bottom left.
	pdf.SetFont("go", "", 9.5)
	color(muted)
	left, y := 24.0, 150.0
	pdf.SetXY(left, y)
	pdf.CellFormat(170, 5, "Código del certificado", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "B", 15)
	color(ink)
	pdf.SetX(left)
	pdf.CellFormat(170, 8, d.Code, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 9.5)
	color(muted)
	pdf.SetX(left)
	pdf.CellFormat(170, 5, "Identificador: "+d.ID, "", 1, "L", false, 0, "")
	pdf.SetX(left)
	pdf.CellFormat(170, 6, "Verifica su autenticidad y vigencia en:", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "B", 10)
	color(green)
	pdf.SetX(left)
	pdf.CellFormat(190, 5, d.VerifyURL, "", 1, "L", false, 0, d.VerifyURL)

	// QR code, bottom right.
	const qrSize = 38.0
	qx, qy := w-24-qrSize, h-22-qrSize-6
	pdf.RegisterImageOptionsReader("qr", gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	pdf.ImageOptions("qr", qx, qy, qrSize, qrSize, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, d.VerifyURL)
	pdf.SetFont("go", "", 8.5)
	color(muted)
	pdf.SetXY(qx-6, qy+qrSize+0.5)
	pdf.CellFormat(qrSize+12, 4, "Escanea para verificar", "", 0, "C", false, 0, "")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render certificate PDF: %w", err)
	}
	return buf.Bytes(), nil
}
