package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// People sign in with a name and password (accounts.users) and get a
// session cookie; scripts send Authorization: Bearer TOKEN (the tokens file
// or FEEFLOW_TOKENS, or accounts.tokens). Both are read from the request's
// headers, before any byte of its body.
const (
	sessionCookie = "feeflow_session"
	loginCookie   = "feeflow_login" // the sign-in form's CSRF token, before a session exists
	csrfHeader    = "X-CSRF-Token"
	csrfParam     = "csrf"

	// defaultSessionTTL is how long a sign-in lasts.
	defaultSessionTTL = 12 * time.Hour
	// bcryptCost of stored passwords; about 50 ms per check on these machines.
	bcryptCost = 11
	// maxLogins checking a password at once: bcrypt is slow by design, so
	// strangers trying passwords cannot take every core.
	maxLogins = 2
)

// PasswordKey is a secret mixed into every password before bcrypt (a
// "pepper"). It lives in a file beside the database, never in it, so the
// hashes in the database are worthless to whoever reads them there (an
// analyst, a copied backup) without the key file too.
type PasswordKey []byte

// Hash returns the hash stored for a password.
func (k PasswordKey) Hash(password string) (string, error) {
	if len(k) < 16 {
		return "", errors.New("no password key: the server's key file is missing or short")
	}
	if len(password) < 8 {
		return "", errors.New("the password must have at least 8 characters")
	}
	if len(password) > 1024 {
		return "", errors.New("the password must have at most 1024 bytes")
	}
	h, err := bcrypt.GenerateFromPassword(k.mix(password), bcryptCost)
	return string(h), err
}

// mix is the HMAC of the password under the key, in hex: 64 bytes, within
// bcrypt's limit of 72 whatever the password's length.
func (k PasswordKey) mix(password string) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(password))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// dummyHash is compared when the user does not exist, so that a wrong name
// takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("feeflow-no-such-user"), bcryptCost)

// principal is who made a request.
type principal struct {
	name  string
	roles Roles
	sess  *session // nil for a token
}

// session is a signed-in person's, kept in the server's memory (a restart
// signs everyone out).
type session struct {
	user    string
	roles   Roles
	csrf    string
	expires time.Time
}

// sessions is the server-side session table, keyed by the SHA-256 of the
// cookie's value (the value itself is never kept).
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (ss *sessions) create(user string, roles Roles, expires time.Time) (cookie string, s *session) {
	cookie = randomToken()
	s = &session{user: user, roles: roles, csrf: randomToken(), expires: expires}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m == nil {
		ss.m = map[string]*session{}
	}
	ss.m[TokenDigest(cookie)] = s
	return cookie, s
}

func (ss *sessions) find(cookie string, now time.Time) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	key := TokenDigest(cookie)
	s := ss.m[key]
	if s == nil {
		return nil
	}
	if !now.Before(s.expires) {
		delete(ss.m, key)
		return nil
	}
	return s
}

func (ss *sessions) remove(cookie string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, TokenDigest(cookie))
}

// sweep drops expired sessions.
func (ss *sessions) sweep(now time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.m {
		if !now.Before(s.expires) {
			delete(ss.m, k)
		}
	}
}

// authenticate finds who sent r, from its headers only: a bearer token, or
// a session cookie. ok is false for no or bad credentials.
func (s *Server) authenticate(r *http.Request) (principal, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return principal{}, false
		}
		return s.checkToken(r.Context(), strings.TrimSpace(tok))
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return principal{}, false
	}
	sess := s.sessions.find(c.Value, s.cfg.Now())
	if sess == nil {
		return principal{}, false
	}
	return principal{name: sess.user, roles: sess.roles, sess: sess}, true
}

// checkToken looks a token up in the tokens file, then in the database.
func (s *Server) checkToken(ctx context.Context, tok string) (principal, bool) {
	if tok == "" {
		return principal{}, false
	}
	if name, roles, ok := s.cfg.Tokens.Check(tok); ok {
		return principal{name: name, roles: roles}, true
	}
	a, found, err := s.cfg.Store.TokenBySHA256(ctx, TokenDigest(tok))
	if err != nil {
		s.cfg.Logger.Error("checking a token", "err", err)
		return principal{}, false
	}
	if !found {
		return principal{}, false
	}
	roles, err := ParseRoles(a.Roles)
	if err != nil {
		s.cfg.Logger.Error("stored token has bad roles", "token", a.Name, "err", err)
		return principal{}, false
	}
	return principal{name: a.Name, roles: roles}, true
}

// authorize checks that r comes from someone with role and, for a request
// that changes something on a session's behalf, carries the session's CSRF
// token (header X-CSRF-Token, or ?csrf= in a form's action). Only headers and
// the URL are read.
func (s *Server) authorize(r *http.Request, role Role, changes bool) (principal, error) {
	p, ok := s.authenticate(r)
	if !ok {
		return principal{}, errUnauthorized
	}
	if p.sess != nil && changes && !s.csrfOK(r, p.sess) {
		return principal{}, errCSRF
	}
	if !p.roles.Has(role) {
		return principal{}, errorf(CodeForbidden, "%s may not do this: it needs the %s role", p.name, roleName(role))
	}
	return p, nil
}

func (s *Server) csrfOK(r *http.Request, sess *session) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.URL.Query().Get(csrfParam)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

func roleName(role Role) string {
	for n, r := range roleNames {
		if r == role {
			return n
		}
	}
	return "?"
}

var (
	errCSRF     = errorf(CodeForbidden, "the form is stale or came from another site (CSRF token missing or wrong); reload the page and try again")
	errBadLogin = errorf(CodeUnauthorized, "the name or the password is wrong")
)

// safeNext keeps a redirect after sign-in on this server.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return u.RequestURI()
}

// login checks a name and password against accounts.users.
func (s *Server) login(ctx context.Context, name, password string) (principal, error) {
	select {
	case s.logins <- struct{}{}:
		defer func() { <-s.logins }()
	default:
		return principal{}, errorf(CodeBusy, "too many sign-ins at once; retry shortly")
	}
	u, found, err := s.cfg.Store.User(ctx, name)
	if err != nil {
		return principal{}, err
	}
	hash := dummyHash
	if found {
		hash = []byte(u.Secret)
	}
	if len(s.cfg.PasswordKey) < 16 || len(password) > 1024 {
		found = false
	}
	if err := bcrypt.CompareHashAndPassword(hash, s.cfg.PasswordKey.mix(password)); err != nil || !found {
		return principal{}, errBadLogin
	}
	roles, err := ParseRoles(u.Roles)
	if err != nil {
		return principal{}, err
	}
	return principal{name: u.Name, roles: roles}, nil
}

// setCookie writes a cookie the browser sends back only to this site, never
// to scripts, and only over TLS when the request came over TLS.
// The cookie lasts ttl in the browser ("" deletes it); the server keeps
// its own expiry for sessions.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, ttl time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, MaxAge: int(ttl / time.Second),
	}
	if value == "" || c.MaxAge <= 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}
