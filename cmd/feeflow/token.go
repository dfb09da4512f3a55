package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
)

var tokenName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// runToken makes a new random token and prints the tokens-file line that
// keeps only its SHA-256 digest, so the file never holds the secret.
func runToken(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "token", "--name NAME")
	name := fs.String("name", "", "the name recorded as uploaded_by for uploads with this token")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !tokenName.MatchString(*name) {
		return usagef("--name is required: letters, digits, '_', '.' or '-', at most 64")
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	fmt.Fprintf(e.stdout, "token (give it to %s; it is not stored anywhere): %s\n", *name, token)
	fmt.Fprintf(e.stdout, "line for --tokens-file: %s:sha256:%s\n", *name, hex.EncodeToString(sum[:]))
	return nil
}
