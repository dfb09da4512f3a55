package templates

import "fmt"

// The desk is the server's own pages for people at work (the upload desk and
// its history, the SQL workbench, the alerts): they share a header with the
// pages the reader may open, a language switcher and the sign-out button.

// DeskLangs are the desk's languages, in the switcher's order.
var DeskLangs = []string{"zh-Hant", "zh-Hans", "en"}

// deskLangNames names each language in itself, for the switcher.
var deskLangNames = map[string]string{"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}

// Catalog holds a page's texts: key -> {English, Traditional, Simplified}.
// A text may hold fmt verbs filled by T's arguments.
type Catalog map[string][3]string

// Desk is what every desk page shares.
type Desk struct {
	Lang  string     // "en", "zh-Hant" or "zh-Hans"
	User  string     // who is signed in ("" for no one)
	CSRF  string     // the session's CSRF token, sent with every form
	Path  string     // the current page's path, for the nav and the switcher
	Pages []DeskLink // the pages this reader may open, in nav order
}

// DeskLink is a page of the nav: its path and the key of its name in
// DeskCatalog.
type DeskLink struct{ Path, Key string }

// T translates key from c into the desk's language (English when the key
// has no text in it). An unknown key is returned as itself, so a missing
// text shows up in tests instead of vanishing.
func (d Desk) T(c Catalog, key string, args ...any) string {
	texts, ok := c[key]
	if !ok {
		return key
	}
	s := texts[d.langIndex()]
	if s == "" {
		s = texts[0]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// D translates a key of the shared desk catalog.
func (d Desk) D(key string, args ...any) string { return d.T(DeskCatalog, key, args...) }

func (d Desk) langIndex() int {
	switch d.Lang {
	case "zh-Hant":
		return 1
	case "zh-Hans":
		return 2
	}
	return 0
}

// LangName names lang in itself.
func LangName(lang string) string { return deskLangNames[lang] }

// DeskCatalog is the texts every desk page shares.
var DeskCatalog = Catalog{
	"desk.nav":       {"Pages", "頁面", "页面"},
	"desk.upload":    {"Upload", "上傳", "上传"},
	"desk.history":   {"Upload history", "上傳紀錄", "上传记录"},
	"desk.workbench": {"SQL workbench", "SQL 工作台", "SQL 工作台"},
	"desk.alerts":    {"Alerts", "警示", "告警"},
	"desk.dashboard": {"Dashboard", "儀表板", "仪表板"},
	"desk.lang":      {"Language", "語言", "语言"},
	"desk.signedin":  {"Signed in as", "登入身分", "登录身份"},
	"desk.signout":   {"Sign out", "登出", "退出登录"},
}
