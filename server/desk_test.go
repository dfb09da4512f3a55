package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDeskLang(t *testing.T) {
	tests := []struct {
		name, query, cookie, accept, want string
	}{
		{"nothing", "", "", "", "en"},
		{"taiwan", "", "", "zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"},
		{"hong kong", "", "", "zh-HK", "zh-Hant"},
		{"script subtag", "", "", "zh-Hant-TW", "zh-Hant"},
		{"mainland", "", "", "zh-CN,zh;q=0.9", "zh-Hans"},
		{"bare zh", "", "", "zh", "zh-Hans"},
		{"first known wins", "", "", "fr-FR,en;q=0.8,zh-TW;q=0.5", "en"},
		{"cookie beats the browser", "", "zh-Hans", "zh-TW", "zh-Hans"},
		{"query beats the cookie", "zh-Hant", "en", "", "zh-Hant"},
		{"unknown query ignored", "fr", "zh-Hans", "", "zh-Hans"},
		{"unknown cookie ignored", "", "xx", "zh-TW", "zh-Hant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/upload?lang="+tt.query, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: langCookie, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			w := httptest.NewRecorder()
			if got := deskLang(w, r); got != tt.want {
				t.Errorf("deskLang(lang=%q, cookie=%q, Accept-Language=%q) = %q, want %q", tt.query, tt.cookie, tt.accept, got, tt.want)
			}
			remembered := false
			for _, c := range w.Result().Cookies() {
				remembered = remembered || (c.Name == langCookie && c.Value == tt.want)
			}
			if wantRemember := knownLang(tt.query) != ""; remembered != wantRemember {
				t.Errorf("language remembered in a cookie: %v, want %v", remembered, wantRemember)
			}
		})
	}
}
