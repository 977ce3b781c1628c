package content

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/text/unicode/norm"
)

// Section is a level-2 heading of a module: an entry of its table of
// contents.
type Section struct {
	ID    string // the heading's id, the link's fragment
	Title string
}

// headingIDs gives headings ids a person can read and type, the same on
// every load: the heading's words in lower case, accents folded
// («Configuración de red» → "configuracion-de-red", «Señal» → "senal"),
// with "-2", "-3"… for a repeated heading. goldmark's own ids drop
// accented letters instead of folding them.
type headingIDs struct {
	used map[string]bool
}

// reservedIDs are ids the module page uses around the module's text.
var reservedIDs = []string{"contenido", "objetivos", "indice", "avance-modulo", "copiado"}

func newHeadingIDs() *headingIDs {
	ids := &headingIDs{used: map[string]bool{}}
	for _, id := range reservedIDs {
		ids.used[id] = true
	}
	return ids
}

// Generate implements parser.IDs.
func (ids *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	id := slug(string(value))
	if id == "" {
		id = "seccion"
	}
	out := id
	for n := 2; ids.used[out]; n++ {
		out = id + "-" + strconv.Itoa(n)
	}
	ids.used[out] = true
	return []byte(out)
}

// Put implements parser.IDs: an id written by hand is taken.
func (ids *headingIDs) Put(value []byte) { ids.used[string(value)] = true }

// slug folds accents and keeps letters and digits, with one hyphen for
// each run of anything else.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r): // the accent of a folded letter
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}

// parseWithIDs parses a document whose headings get readable ids.
func parseWithIDs(p parser.Parser, body []byte) ast.Node {
	return p.Parse(textReader(body), parser.WithContext(parser.NewContext(parser.WithIDs(newHeadingIDs()))))
}

// sections lists the level-2 headings of a document, in order.
func sections(doc ast.Node, body []byte) []Section {
	var out []Section
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level != 2 {
			continue
		}
		id, _ := h.AttributeString("id")
		idb, ok := id.([]byte)
		if !ok {
			continue
		}
		out = append(out, Section{ID: string(idb), Title: plainText(h, body)})
	}
	return out
}
