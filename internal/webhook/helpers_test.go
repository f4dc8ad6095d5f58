package webhook

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingSink remembers every event; Err makes Apply fail.
type recordingSink struct {
	mu     sync.Mutex
	events []Event
	Err    error
}

func (s *recordingSink) Apply(_ context.Context, ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	s.events = append(s.events, ev)
	return nil
}

func (s *recordingSink) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// testPKI is a locally generated CA and an SNS-like signing certificate.
type testPKI struct {
	caKey   *rsa.PrivateKey
	ca      *x509.Certificate
	key     *rsa.PrivateKey
	certPEM []byte
	roots   *x509.CertPool
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{caKey: newKey(t), key: newKey(t)}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.ca)
	p.certPEM = p.issue(t, &p.key.PublicKey, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	return p
}

// issue makes a leaf certificate for pub signed by the CA, as PEM.
func (p *testPKI) issue(t *testing.T, pub *rsa.PublicKey, from, until time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: from, NotAfter: until, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, pub, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

const (
	certURL  = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"
	topicARN = "arn:aws:sns:eu-west-1:123456789012:bulletin-ses"
)

// fakeFetcher serves fixed bodies by URL and records each call.
type fakeFetcher struct {
	mu     sync.Mutex
	bodies map[string][]byte
	calls  []string
}

func (f *fakeFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, url)
	if b, ok := f.bodies[url]; ok {
		return b, nil
	}
	return nil, errors.New("404 not found")
}

func (f *fakeFetcher) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// signSNS fills SigningCertURL (when empty), SignatureVersion and Signature.
func signSNS(t *testing.T, m *snsMessage, key *rsa.PrivateKey, version string) {
	t.Helper()
	if m.SigningCertURL == "" {
		m.SigningCertURL = certURL
	}
	m.SignatureVersion = version
	text := []byte(m.stringToSign())
	var sig []byte
	var err error
	if version == "1" {
		sum := sha1.Sum(text)
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, sum[:])
	} else {
		sum := sha256.Sum256(text)
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
}

func notification(message string, subject *string) *snsMessage {
	return &snsMessage{
		Type: "Notification", MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TopicArn: topicARN,
		Subject: subject, Message: message, Timestamp: "2026-12-03T09:41:30.123Z",
	}
}

func post(t *testing.T, h http.Handler, body []byte, mod func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/test", strings.NewReader(string(body)))
	if mod != nil {
		mod(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
