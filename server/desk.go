package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/feeflow/feeflow/templates"
)

// langCookie remembers the reader's choice of language for the desk pages.
const langCookie = "feeflow_lang"

// deskLang is the language of a desk page for r: ?lang= (remembered in a
// cookie), else the cookie, else the browser's Accept-Language, else
// English.
func deskLang(w http.ResponseWriter, r *http.Request) string {
	if l := knownLang(r.URL.Query().Get("lang")); l != "" {
		setCookie(w, r, langCookie, l, 365*24*time.Hour)
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l := knownLang(c.Value); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l := langOfTag(tag); l != "" {
			return l
		}
	}
	return "en"
}

// knownLang returns s when it is one of the desk's languages.
func knownLang(s string) string {
	for _, l := range templates.DeskLangs {
		if s == l {
			return l
		}
	}
	return ""
}

// langOfTag maps a BCP 47 tag to a desk language: Chinese of Taiwan, Hong
// Kong and Macau, or marked Hant, is Traditional; other Chinese Simplified.
func langOfTag(tag string) string {
	t := strings.ToLower(tag)
	switch {
	case t == "en" || strings.HasPrefix(t, "en-"):
		return "en"
	case strings.HasPrefix(t, "zh"):
		if strings.Contains(t, "hant") || strings.HasSuffix(t, "-tw") || strings.HasSuffix(t, "-hk") || strings.HasSuffix(t, "-mo") {
			return "zh-Hant"
		}
		return "zh-Hans"
	}
	return ""
}

// deskPages are the desk's pages, in nav order, with the role each needs.
var deskPages = []struct {
	link templates.DeskLink
	role Role
}{
	{templates.DeskLink{Path: "/upload", Key: "desk.upload"}, Finance},
	{templates.DeskLink{Path: "/upload/history", Key: "desk.history"}, Finance},
	{templates.DeskLink{Path: "/sql", Key: "desk.workbench"}, Analyst},
	{templates.DeskLink{Path: "/alerts", Key: "desk.alerts"}, Viewer},
	{templates.DeskLink{Path: "/", Key: "desk.dashboard"}, Viewer},
}

// desk is what a desk page at path shares for who: the language, the
// pages who may open, and the session's CSRF token.
func (s *Server) desk(w http.ResponseWriter, r *http.Request, who principal, path string) templates.Desk {
	d := templates.Desk{Lang: deskLang(w, r), User: who.name, Path: path}
	if who.sess != nil {
		d.CSRF = who.sess.csrf
	}
	for _, p := range deskPages {
		if who.roles.Has(p.role) {
			d.Pages = append(d.Pages, p.link)
		}
	}
	return d
}
