package serverapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// [START go]
// publish sends data to a channel through the server API and returns the
// publication's offset. baseURL is your server (https://switchboard.example.com),
// apiKey the app's API key from "switchboard apps create".
func publish(ctx context.Context, baseURL, apiKey, channel string, data any) (uint64, error) {
	body, err := json.Marshal(map[string]any{"channel": channel, "data": data})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", baseURL+"/v1/api/publish", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var out struct {
		Offset uint64 `json:"offset"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("publish: %s: %w", res.Status, err)
	}
	if out.Error != nil {
		return 0, fmt.Errorf("publish: %s: error %d: %s", res.Status, out.Error.Code, out.Error.Message)
	}
	return out.Offset, nil
}

// [END go]

// The docs' Go and curl examples publish for real; a subscriber sees both.
func TestDocsExamples(t *testing.T) {
	v := newEnv(t, envOpts{})
	sub := v.connect("alice")
	sub.call("subscribe", map[string]any{"channel": "news"})
	off, err := publish(t.Context(), v.url, v.app.APIKey, "news", map[string]string{"text": "hi"})
	if err != nil || off != 1 {
		t.Fatalf("Go example: offset %d, %v", off, err)
	}
	if p := sub.push("pub"); string(p["data"]) != `{"text":"hi"}` {
		t.Fatalf("subscriber got %v", p)
	}
	if _, err := publish(t.Context(), v.url, "wrong", "news", 1); err == nil || !strings.Contains(err.Error(), "error 116") {
		t.Fatalf("Go example with a wrong key: %v, want error 116", err)
	}
	cmd := exec.Command("sh", "examples/publish.sh")
	cmd.Env = append(cmd.Environ(), "SWITCHBOARD_URL="+v.url, "SWITCHBOARD_API_KEY="+v.app.APIKey)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl example: %v\n%s", err, out)
	}
	var pos struct{ Offset uint64 }
	if json.Unmarshal(out, &pos) != nil || pos.Offset != 2 {
		t.Fatalf("curl example printed %s, want offset 2", out)
	}
	if p := sub.push("pub"); !strings.Contains(string(p["data"]), "hello from the backend") {
		t.Fatalf("subscriber got %v", p)
	}
}
