package account

import "strings"

// Device is what a browser's User-Agent says about it, enough for a person
// to recognise their own sessions ("Chrome en Android"). Either part is
// empty when the User-Agent does not say.
type Device struct {
	Browser string
	System  string
}

// The first marker found names the browser: browsers built on Chrome or
// Safari also carry those names, so they come first.
var browsers = []struct{ marker, name string }{
	{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
	{"OPR/", "Opera"}, {"Opera", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
	{"Version/", "Safari"}, // Safari says Version/…; Chrome's own string does not
}

var systems = []struct{ marker, name string }{
	{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"},
	{"CrOS", "ChromeOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
	{"Macintosh", "macOS"}, {"Linux", "Linux"},
}

// DeviceOf reads a User-Agent.
func DeviceOf(userAgent string) Device {
	var d Device
	for _, b := range browsers {
		if strings.Contains(userAgent, b.marker) {
			d.Browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(userAgent, s.marker) {
			d.System = s.name
			break
		}
	}
	return d
}
