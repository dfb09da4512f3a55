package ingest

import (
	"encoding/json"
	"fmt"
)

// ParseProfile reads a mapping profile: {"column": "header in the file", ...}.
func ParseProfile(b []byte) (Profile, error) {
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("not a JSON object of column names to headers: %v", err)
	}
	return p, nil
}
