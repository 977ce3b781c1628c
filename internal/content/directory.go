package content

import (
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// DirectoryFolder is the content folder that holds the public directory's
// lists (directorio/servicios.yaml); it is not a certification track.
const DirectoryFolder = "directorio"

// DirectoryFile is the file, in DirectoryFolder, with the lists.
const DirectoryFile = DirectoryFolder + "/servicios.yaml"

// maxTermDescription is how long a service's description may be, in
// characters: it is a hint under a checkbox, not a page.
const maxTermDescription = 200

// Directory is what the foundation maintains for the directory of
// certified technicians: the services a listing can offer, the ways of
// serving (modes) and the languages. Ids are stable (listings store them);
// names are what pages show.
type Directory struct {
	Services  []Term
	Modes     []Term
	Languages []Term
}

// Term is one entry of a directory list.
type Term struct {
	ID          string
	Name        Text
	Description Text // services only
}

// Text is a text in Spanish and in English.
type Text struct{ ES, EN string }

// In returns the text in lang ("en" or Spanish for anything else).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ES
}

// Service returns the service with the given id, or nil.
func (d *Directory) Service(id string) *Term { return find(d.Services, id) }

// Mode returns the mode with the given id, or nil.
func (d *Directory) Mode(id string) *Term { return find(d.Modes, id) }

// Language returns the language with the given id, or nil.
func (d *Directory) Language(id string) *Term { return find(d.Languages, id) }

func find(terms []Term, id string) *Term {
	for i := range terms {
		if terms[i].ID == id {
			return &terms[i]
		}
	}
	return nil
}

// directoryLists are the lists of servicios.yaml, in the order the file
// is documented, with what each entry needs.
var directoryLists = []struct {
	key         string
	what        string // for messages: "el servicio"
	description bool   // entries carry a description
}{
	{"services", "el servicio", true},
	{"modes", "la modalidad", false},
	{"languages", "el idioma", false},
}

// loadDirectory reads the directory's lists. The folder is optional: a
// content tree without it has an empty directory.
func (l *loader) loadDirectory() *Directory {
	d := &Directory{}
	entries, err := fs.ReadDir(l.fsys, DirectoryFolder)
	if err != nil {
		l.report.errorf(DirectoryFolder, 1, "no se pudo leer la carpeta: %v", err)
		return d
	}
	for _, e := range entries {
		if e.Name() != path.Base(DirectoryFile) && !strings.HasPrefix(e.Name(), ".") {
			l.report.warnf(DirectoryFolder+"/"+e.Name(), 1, "«%s» se ignora: esta carpeta solo tiene servicios.yaml", e.Name())
		}
	}
	data, err := fs.ReadFile(l.fsys, DirectoryFile)
	if err != nil {
		l.report.errorf(DirectoryFolder, 1, "falta servicios.yaml con los servicios, las modalidades y los idiomas del directorio")
		return d
	}
	parseDirectory(DirectoryFile, data, d, l.report)
	return d
}

// parseDirectory fills d from the YAML of file, reporting every mistake
// with its line.
func parseDirectory(file string, data []byte, d *Directory, r *Report) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlErrorLine(err)
		r.errorf(file, line, "YAML mal formado: %s", msg)
		return
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		r.errorf(file, 1, "el archivo debe tener las listas «services», «modes» y «languages»")
		return
	}
	doc := root.Content[0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		var dst *[]Term
		var list int
		switch k.Value {
		case "services":
			dst, list = &d.Services, 0
		case "modes":
			dst, list = &d.Modes, 1
		case "languages":
			dst, list = &d.Languages, 2
		default:
			r.errorf(file, k.Line, "clave desconocida «%s»; las claves válidas aquí son: «services», «modes», «languages»", k.Value)
			continue
		}
		seen[k.Value] = true
		*dst = parseTerms(file, k, v, directoryLists[list].what, directoryLists[list].description, r)
	}
	for _, l := range directoryLists {
		if !seen[l.key] {
			r.errorf(file, 1, "falta la lista «%s»", l.key)
		}
	}
}

func parseTerms(file string, key, list *yaml.Node, what string, withDescription bool, r *Report) []Term {
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		r.errorf(file, key.Line, "«%s» debe ser una lista con al menos un elemento (líneas que empiezan con «- id: …»)", key.Value)
		return nil
	}
	valid := map[string]bool{"id": true, "name": true}
	if withDescription {
		valid["description"] = true
	}
	var out []Term
	ids := map[string]int{}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			r.errorf(file, item.Line, "cada elemento de «%s» debe tener «id» y «name»", key.Value)
			continue
		}
		var t Term
		found := map[string]*yaml.Node{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if !valid[k.Value] {
				r.errorf(file, k.Line, "clave desconocida «%s» en %s; las claves válidas son: %s", k.Value, what, validList(withDescription))
				continue
			}
			found[k.Value] = k
			switch k.Value {
			case "id":
				if v.Kind != yaml.ScalarNode {
					r.errorf(file, v.Line, "«id» debe ser un texto")
					continue
				}
				t.ID = strings.TrimSpace(v.Value)
			case "name":
				t.Name = parseText(file, k, v, r)
			case "description":
				t.Description = parseText(file, k, v, r)
			}
		}
		line := item.Line
		switch {
		case found["id"] == nil || t.ID == "":
			r.errorf(file, line, "a %s le falta «id»: un identificador estable en minúsculas, como «soporte-remoto»", what)
			continue
		case !slugRe.MatchString(t.ID):
			r.errorf(file, found["id"].Line, "el id «%s» debe ir en minúsculas, con dígitos y guiones, sin acentos ni espacios", t.ID)
		}
		if prev, dup := ids[t.ID]; dup {
			r.errorf(file, found["id"].Line, "id repetido «%s»: ya se usa en la línea %d", t.ID, prev)
			continue
		}
		ids[t.ID] = found["id"].Line
		if found["name"] == nil {
			r.errorf(file, line, "a %s «%s» le falta «name» (con «es» y «en»)", what, t.ID)
		} else {
			needBoth(file, found["name"], t.ID, t.Name, r)
		}
		if withDescription {
			if found["description"] == nil {
				r.errorf(file, line, "a %s «%s» le falta «description» (con «es» y «en»)", what, t.ID)
			} else {
				needBoth(file, found["description"], t.ID, t.Description, r)
				for _, s := range []string{t.Description.ES, t.Description.EN} {
					if n := utf8.RuneCountInString(s); n > maxTermDescription {
						r.warnf(file, found["description"].Line, "la descripción de «%s» tiene %d caracteres; se muestra junto a una casilla, mejor en %d o menos", t.ID, n, maxTermDescription)
					}
				}
			}
		}
		out = append(out, t)
	}
	return out
}

func validList(withDescription bool) string {
	if withDescription {
		return "«id», «name», «description»"
	}
	return "«id», «name»"
}

// parseText reads a mapping {es: …, en: …}.
func parseText(file string, key, v *yaml.Node, r *Report) Text {
	var t Text
	if v.Kind != yaml.MappingNode {
		r.errorf(file, v.Line, "«%s» debe tener «es» y «en» en líneas aparte, como «es: Soporte remoto»", key.Value)
		return t
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if val.Kind != yaml.ScalarNode {
			r.errorf(file, val.Line, "«%s.%s» debe ser un texto", key.Value, k.Value)
			continue
		}
		switch k.Value {
		case "es":
			t.ES = strings.TrimSpace(val.Value)
		case "en":
			t.EN = strings.TrimSpace(val.Value)
		default:
			r.errorf(file, k.Line, "idioma desconocido «%s» en «%s»: se esperan «es» y «en»", k.Value, key.Value)
		}
	}
	return t
}

func needBoth(file string, key *yaml.Node, id string, t Text, r *Report) {
	for _, missing := range []struct{ lang, text string }{{"es", t.ES}, {"en", t.EN}} {
		if missing.text == "" {
			r.errorf(file, key.Line, "«%s» de «%s» no tiene texto en «%s»", key.Value, id, missing.lang)
		}
	}
}
