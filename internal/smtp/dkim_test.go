package smtp_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/smtp"

	"github.com/emersion/go-msgauth/dkim"
)

// dkimKeys makes an RSA-2048 and an Ed25519 key and a DNS lookup that
// publishes both, as a domain with two selectors would.
func dkimKeys(t *testing.T) (rsaKey, edKey smtp.DKIMKey, lookup func(string) ([]string, error)) {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	edPub, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	records := map[string]string{
		"rsa._domainkey.example.org": "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(rsaPub),
		"ed._domainkey.example.org":  "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub),
	}
	lookup = func(name string) ([]string, error) {
		if r, ok := records[name]; ok {
			return []string{r}, nil
		}
		t.Errorf("looked up %q", name)
		return nil, nil
	}
	return smtp.DKIMKey{Selector: "rsa", Key: rk}, smtp.DKIMKey{Selector: "ed", Key: crypto.Signer(ek)}, lookup
}

// Every signing variant must verify with go-msgauth on what the server
// received, over content that exercises relaxed canonicalisation (runs of
// spaces and tabs, trailing spaces, long lines, a lone dot, non-ASCII)
// and personal values at the edges of the parts.
func TestDKIMEveryVariantVerifies(t *testing.T) {
	rsaKey, edKey, lookup := dkimKeys(t)
	html := bulletin.PlaceholderName + "<p>" + strings.Repeat("Ward  budgets:\t£25,000 =  a lot; ", 10) + "</p>\n.\n" +
		"trailing spaces   \n\t\tindented\n\n\n" + `<a href="` + bulletin.PlaceholderUnsubscribeURL + `">` +
		bulletin.PlaceholderName + bulletin.PlaceholderName + "</a><p>ünïcödé — 日本語 🎉</p>\n\n" + bulletin.PlaceholderName
	text := bulletin.PlaceholderName + "\n   \nHi  " + bulletin.PlaceholderName + " ,\t\n\n.\nLeave: " +
		bulletin.PlaceholderUnsubscribeURL + "\n\n\n"
	variants := map[string][]smtp.DKIMKey{
		"rsa":         {rsaKey},
		"ed25519":     {edKey},
		"rsa+ed25519": {rsaKey, edKey},
	}
	people := []bulletin.Personal{
		{UnsubscribeURL: "https://news.example.org/unsubscribe/tok123", Name: "Ann"},
		{UnsubscribeURL: "https://news.example.org/unsubscribe/tok123", Name: "  Zoë   \"<b>\"  O'Neil = " + strings.Repeat("x", 90)},
		{UnsubscribeURL: "https://news.example.org/unsubscribe/tok123"},
	}
	for name, keys := range variants {
		t.Run(name, func(t *testing.T) {
			st, cfg := server(t)
			tr := &smtp.Transport{SMTP: cfg, DKIM: &smtp.DKIM{Domain: "example.org", Keys: keys}}
			l := letter()
			l.HTML, l.Text = html, text
			for _, p := range people {
				r := recipient()
				r.Personal = p
				if _, err := send(t, tr, l, r); err != nil {
					t.Fatal(err)
				}
			}
			for i, m := range st.all() {
				verifs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Data), &dkim.VerifyOptions{LookupTXT: lookup})
				if err != nil || len(verifs) != len(keys) {
					t.Fatalf("message %d: verify: %v (%d signatures, want %d)", i, err, len(verifs), len(keys))
				}
				for _, v := range verifs {
					if v.Err != nil {
						t.Errorf("message %d: signature by %s does not verify: %v", i, v.Domain, v.Err)
					}
					signed := ":" + strings.ToLower(strings.Join(v.HeaderKeys, ":")) + ":"
					for _, h := range []string{"list-unsubscribe", "list-unsubscribe-post", "from", "to", "subject", "date", "message-id"} {
						if !strings.Contains(signed, ":"+h+":") {
							t.Errorf("h= %q does not cover %s", signed, h)
						}
					}
				}
				// A changed personal value in the body breaks every signature.
				tampered := bytes.Replace(m.Data, []byte("tok123"), []byte("tok999"), -1)
				verifs, err = dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: lookup})
				if err != nil || len(verifs) != len(keys) {
					t.Fatalf("tampered message %d: %v (%d signatures)", i, err, len(verifs))
				}
				for _, v := range verifs {
					if v.Err == nil {
						t.Errorf("message %d: a tampered message still verifies", i)
					}
				}
			}
		})
	}
}

func TestDKIMRefusesWeakOrUnknownKeys(t *testing.T) {
	d := &smtp.DKIM{Domain: "example.org"}
	if err := d.AddKey("s", "/nonexistent/key.pem"); err == nil {
		t.Error("a missing key file was accepted")
	}
	if len(d.Keys) != 0 {
		t.Errorf("a failed AddKey left %d keys", len(d.Keys))
	}
}

// The optional second key must be Ed25519; an RSA key there is refused
// and leaves the signer as it was.
func TestAddEd25519RefusesOtherKeys(t *testing.T) {
	rsaKey, edKey, _ := dkimKeys(t)
	dir := t.TempDir()
	write := func(name string, key any) string {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	rsaFile, edFile := write("rsa.pem", rsaKey.Key), write("ed.pem", edKey.Key)
	d, err := smtp.LoadDKIM("example.org", "rsa", rsaFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddEd25519("ed", rsaFile); err == nil || len(d.Keys) != 1 {
		t.Fatalf("an RSA key was taken as the Ed25519 one (err %v, %d keys)", err, len(d.Keys))
	}
	if err := d.AddEd25519("ed", edFile); err != nil || len(d.Keys) != 2 {
		t.Fatalf("the Ed25519 key was refused: %v (%d keys)", err, len(d.Keys))
	}
}
