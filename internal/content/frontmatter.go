package content

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// source is one Markdown file split into its front matter and body, with
// what is needed to turn byte offsets back into file lines.
type source struct {
	file       string // relative to the content directory
	meta       []byte // YAML between the --- lines
	metaLine   int    // file line of the first YAML line
	body       []byte
	bodyLine   int // file line of the first body line
	hasMeta    bool
	metaClosed bool
	starts     []int // byte offset in body of each body line, for lineOf
	lines      int   // lines in the whole file
}

// splitFrontMatter separates the YAML block delimited by "---" lines from
// the Markdown body. A file without the block keeps everything as body.
func splitFrontMatter(file string, data []byte) source {
	src := cutFrontMatter(file, data)
	src.index()
	return src
}

func cutFrontMatter(file string, data []byte) source {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	src := source{file: file, body: data, bodyLine: 1, lines: bytes.Count(data, []byte("\n")) + 1}
	first, rest, found := bytes.Cut(data, []byte("\n"))
	if !found || strings.TrimRight(string(first), " \t") != "---" {
		return src
	}
	src.hasMeta = true
	src.metaLine = 2
	line := 2
	for off := 0; off <= len(rest); line++ {
		end := bytes.IndexByte(rest[off:], '\n')
		var cur []byte
		next := len(rest) + 1
		if end >= 0 {
			cur, next = rest[off:off+end], off+end+1
		} else {
			cur = rest[off:]
		}
		if strings.TrimRight(string(cur), " \t") == "---" {
			src.meta = rest[:off]
			src.metaClosed = true
			if next <= len(rest) {
				src.body = rest[next:]
			} else {
				src.body = nil
			}
			src.bodyLine = min(line+1, src.lines)
			return src
		}
		off = next
	}
	// No closing line: everything after the opening is taken as metadata so
	// the error points at the right place.
	src.meta = rest
	src.body = nil
	return src
}

func (s *source) index() {
	s.starts = []int{0}
	for i, c := range s.body {
		if c == '\n' {
			s.starts = append(s.starts, i+1)
		}
	}
}

// lineOf converts a byte offset in the body to a file line.
func (s *source) lineOf(offset int) int {
	if offset < 0 {
		return s.bodyLine
	}
	i, found := slices.BinarySearch(s.starts, offset)
	if !found {
		i--
	}
	return s.bodyLine + i
}

// clamp keeps a line reported by the YAML parser inside the file.
func (s *source) clamp(line int) int {
	return max(1, min(line, s.lines))
}

// metaKeys records the file line of each front-matter key, by dotted path
// ("exam.questions"), so later checks can point at the key they are about.
type metaKeys map[string]int

// decodeMeta decodes the front matter into dst (a pointer to a struct with
// yaml tags). The typed decode runs with known-fields checking; before it, a
// walk over the YAML nodes reports unknown keys and wrong types in Spanish,
// with their line and a suggestion, and records where each key is. It
// reports false when the front matter could not be decoded.
func decodeMeta(src source, dst any, r *Report) (metaKeys, bool) {
	keys := metaKeys{}
	if !src.hasMeta {
		r.errorf(src.file, 1, "falta el bloque de metadatos: el archivo debe empezar con una línea «---», las claves YAML y otra línea «---»")
		return keys, false
	}
	if !src.metaClosed {
		r.errorf(src.file, 1, "el bloque de metadatos no se cierra: falta la línea «---» que lo termina")
		return keys, false
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src.meta, &root); err != nil {
		line, msg := yamlErrorLine(err)
		if strings.Contains(msg, "mapping values are not allowed") {
			msg += " (si un valor contiene «: », escríbelo entre comillas)"
		}
		r.errorf(src.file, src.clamp(src.metaLine+line-1), "metadatos YAML mal formados: %s", msg)
		return keys, false
	}
	if len(root.Content) == 0 {
		r.errorf(src.file, 1, "el bloque de metadatos está vacío")
		return keys, false
	}
	before := len(r.Findings)
	walkMeta(src, root.Content[0], reflect.TypeOf(dst).Elem(), "", keys, r)
	dec := yaml.NewDecoder(bytes.NewReader(src.meta))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil {
		if len(r.Findings) == before {
			line, msg := yamlErrorLine(err)
			r.errorf(src.file, src.clamp(src.metaLine+line-1), "metadatos no válidos: %s", msg)
		}
		return keys, false
	}
	return keys, len(r.Findings) == before
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

// yamlErrorLine pulls the 1-based YAML line out of a yaml.v3 error message.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1]) // the pattern guarantees digits
		return n, m[2]
	}
	return 1, msg
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// walkMeta checks a mapping node against the yaml tags of a struct type.
func walkMeta(src source, node *yaml.Node, typ reflect.Type, prefix string, keys metaKeys, r *Report) {
	line := func(n *yaml.Node) int { return src.clamp(src.metaLine + n.Line - 1) }
	if node.Kind != yaml.MappingNode {
		where := "los metadatos"
		if prefix != "" {
			where = "«" + strings.TrimSuffix(prefix, ".") + "»"
		}
		r.errorf(src.file, line(node), "%s deben ser pares «clave: valor»", where)
		return
	}
	fields := yamlFields(typ)
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		path := prefix + k.Value
		keys[path] = line(k)
		f, ok := fields[k.Value]
		if !ok {
			msg := fmt.Sprintf("clave desconocida «%s»", path)
			if s, ok := spanishKeys[strings.ToLower(k.Value)]; ok && fields[s].Name != "" {
				msg += fmt.Sprintf(" (las claves van en inglés: «%s»)", prefix+s)
			} else if s := closest(k.Value, keysOf(fields)); s != "" {
				msg += fmt.Sprintf(" (¿quisiste decir «%s»?)", prefix+s)
			} else {
				msg += fmt.Sprintf("; las claves válidas aquí son: %s", strings.Join(sortedKeys(fields), ", "))
			}
			r.errorf(src.file, line(k), "%s", msg)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshalerType) {
			walkMeta(src, v, ft, path+".", keys, r)
			continue
		}
		val := reflect.New(ft).Interface()
		if err := v.Decode(val); err != nil {
			l, msg := translateYAMLError(err)
			r.errorf(src.file, src.clamp(src.metaLine+l-1), "«%s»: %s", path, msg)
			continue
		}
		if bp, ok := val.(*blueprintMeta); ok {
			for _, e := range bp.entries {
				keys[path+"."+e.domain] = src.clamp(src.metaLine + e.line - 1)
			}
		}
	}
}

// translateYAMLError turns a yaml.v3 decoding error into its YAML line and
// a Spanish message an editor can act on.
func translateYAMLError(err error) (int, string) {
	line, msg := yamlErrorLine(err)
	switch {
	case strings.Contains(msg, "!!map into string"):
		msg = "se esperaba un texto, pero se leyó «clave: valor»; si el texto contiene «: », escríbelo entre comillas"
	case strings.Contains(msg, "into int"):
		msg = "se esperaba un número entero"
	case strings.Contains(msg, "into float64"):
		msg = "se esperaba un número, con punto decimal (como 0.45)"
	case strings.Contains(msg, "into []string"):
		msg = "se esperaba una lista (líneas que empiezan con «- »)"
	case strings.Contains(msg, "into string"):
		msg = "se esperaba un texto"
	}
	return line, msg
}

func yamlFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

func keysOf(m map[string]reflect.StructField) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedKeys(m map[string]reflect.StructField) []string {
	out := keysOf(m)
	slices.Sort(out)
	for i := range out {
		out[i] = "«" + out[i] + "»"
	}
	return out
}

// spanishKeys are the Spanish names editors naturally type for each key.
var spanishKeys = map[string]string{
	"titulo": "title", "título": "title", "version": "version", "versión": "version",
	"idioma": "language", "lenguaje": "language", "examen": "exam", "certificado": "certificate",
	"duracion": "duration", "duración": "duration", "preguntas": "questions",
	"porcentaje": "pass_percent", "aprobar": "pass_percent", "espera": "retake_after",
	"dominios": "domains", "temario": "domains", "vigencia": "valid_for_months",
	"dominio": "domain", "objetivos": "objectives", "minutos": "minutes",
	"calidad": "quality", "similitud": "similarity",
}

// closest returns the candidate within two edits of s, if any, for
// "did you mean" hints on misspelt keys.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// duration is a Go duration written as text ("60m", "24h").
type duration struct{ time.Duration }

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: se esperaba una duración como «60m» o «24h»", n.Line)
	}
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		return fmt.Errorf("line %d: «%s» no es una duración válida; usa por ejemplo «90m», «1h30m» o «24h»", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// blueprintMeta is the exam.domains mapping, kept in file order.
type blueprintMeta struct {
	entries []blueprintEntry
}

type blueprintEntry struct {
	domain string
	count  int
	line   int // YAML line
}

func (b *blueprintMeta) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: se esperaba una lista de dominios «dominio: número de preguntas»", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var count int
		if err := v.Decode(&count); err != nil {
			return fmt.Errorf("line %d: el dominio «%s» debe indicar un número entero de preguntas", v.Line, k.Value)
		}
		b.entries = append(b.entries, blueprintEntry{domain: k.Value, count: count, line: k.Line})
	}
	return nil
}
