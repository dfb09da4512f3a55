package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/feeflow/feeflow/templates"
)

// maxLoginBody bounds the sign-in form, bytes.
const maxLoginBody = 8 << 10

// handleLoginPage shows the sign-in form with a fresh CSRF token, also set
// as a cookie: the form's token must match the cookie's (a page of another
// site can set neither).
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, templates.LoginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, p templates.LoginPage) {
	// The browser's token is kept when it has one: another tab, or its own
	// fetch of /favicon.ico led here, must not void the form already shown.
	p.CSRF = randomToken()
	if c, err := r.Cookie(loginCookie); err == nil && isToken(c.Value) {
		p.CSRF = c.Value
	}
	setCookie(w, r, loginCookie, p.CSRF, time.Hour)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	closeOnFailure(w, status)
	w.WriteHeader(status)
	if err := templates.Login(p).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render login page", "err", err)
	}
}

// isToken says s has the form of randomToken's tokens.
func isToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// handleLogin checks the name and password and starts a session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		s.renderLogin(w, r, http.StatusBadRequest, templates.LoginPage{Next: "/", Problem: "the form could not be read; try again"})
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	page := templates.LoginPage{Next: next, Name: name}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
		page.Problem = errCSRF.Message
		s.renderLogin(w, r, http.StatusForbidden, page)
		return
	}
	who, err := s.login(r.Context(), name, r.PostForm.Get("password"))
	if err != nil {
		code := codeOf(err)
		if statusOf(code) >= 500 {
			s.cfg.Logger.Error("sign-in failed", "code", code, "err", err)
		}
		page.Problem = message(err)
		s.renderLogin(w, r, statusOf(code), page)
		return
	}
	s.sessions.sweep(s.cfg.Now())
	expires := s.cfg.Now().Add(s.cfg.SessionTTL)
	cookie, _ := s.sessions.create(who.name, who.roles, expires)
	setCookie(w, r, sessionCookie, cookie, s.cfg.SessionTTL)
	setCookie(w, r, loginCookie, "", 0)
	s.cfg.Logger.Info("signed in", "user", who.name, "roles", who.roles.String())
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout ends the session; the form carries the session's CSRF token
// so that another site cannot sign people out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err == nil && c.Value != "" {
		if sess := s.sessions.find(c.Value, s.cfg.Now()); sess != nil {
			if !s.csrfOK(r, sess) {
				s.refusePage(w, r, errCSRF)
				return
			}
			s.sessions.remove(c.Value)
		}
	}
	setCookie(w, r, sessionCookie, "", 0)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
