package certificate

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// AttachmentName is the file name of the signed credential inside a PDF.
const AttachmentName = "credential.json"

// ErrNoCredential is a PDF without a signed credential attached.
var ErrNoCredential = errors.New("the PDF carries no credential.json: it is not an MxOS certificate")

// ExtractSigned reads the signed credential attached to a certificate PDF.
func ExtractSigned(pdf []byte) (Signed, error) {
	var s Signed
	api.DisableConfigDir()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	atts, err := api.ExtractAttachmentsRaw(bytes.NewReader(pdf), "", nil, conf)
	if err != nil {
		return s, fmt.Errorf("read PDF: %w", err)
	}
	for _, a := range atts {
		if a.FileName != AttachmentName {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(a, 1<<20))
		if err != nil {
			return s, err
		}
		if err := json.Unmarshal(data, &s); err != nil {
			return s, fmt.Errorf("%s: %w", AttachmentName, err)
		}
		return s, nil
	}
	return s, ErrNoCredential
}

// VerifyPDF checks a certificate PDF offline: it extracts the signed
// credential and checks the signature against the given public keys.
func VerifyPDF(pdf []byte, keys map[string]ed25519.PublicKey) (Credential, Signed, error) {
	s, err := ExtractSigned(pdf)
	if err != nil {
		return Credential{}, s, err
	}
	c, err := Verify(s, keys)
	return c, s, err
}
