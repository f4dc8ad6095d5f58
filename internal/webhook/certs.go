package webhook

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Fetcher returns the body of a GET on url. The SES handler checks url
// against its host pattern before it calls the Fetcher, so a Fetcher needs
// no checks of its own; tests replace it to serve their own certificate.
type Fetcher func(ctx context.Context, url string) ([]byte, error)

// maxFetchBytes caps what a fetch reads: a certificate is about 2 KiB.
const maxFetchBytes = 64 << 10

// HTTPFetcher fetches with client (a client with a 10 s timeout if nil),
// never follows redirects (they could lead off the allowed host) and
// refuses anything but a 200.
func HTTPFetcher(client *http.Client) Fetcher {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(ctx context.Context, url string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, maxFetchBytes))
	}
}

// certCache keeps the signing certificates SNS points at, by URL. SNS
// rotates them rarely, so a handful of entries suffice; the cache is
// emptied when full rather than tracking use.
type certCache struct {
	fetch Fetcher
	roots *x509.CertPool // nil: trust what the https host serves
	now   func() time.Time

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

const maxCachedCerts = 32

// errFetch marks a failure to get the certificate, as opposed to a bad one:
// the first is worth a retry by SNS, the second is not.
var errFetch = errors.New("fetch signing certificate")

func (c *certCache) key(ctx context.Context, url string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	cert := c.certs[url]
	c.mu.Unlock()
	if cert == nil || c.now().After(cert.NotAfter) {
		body, err := c.fetch(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errFetch, err)
		}
		if cert, err = c.parse(body); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.certs == nil || len(c.certs) >= maxCachedCerts {
			c.certs = map[string]*x509.Certificate{}
		}
		c.certs[url] = cert
		c.mu.Unlock()
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("signing certificate has no RSA key")
	}
	return key, nil
}

// parse reads the PEM leaf certificate (and any intermediates after it),
// checks its validity period and, with roots set, its chain.
func (c *certCache) parse(body []byte) (*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, body = pem.Decode(body)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing certificate: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("signing certificate: no PEM certificate found")
	}
	leaf, now := certs[0], c.now()
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return nil, errors.New("signing certificate: expired or not yet valid")
	}
	if c.roots != nil {
		inter := x509.NewCertPool()
		for _, ic := range certs[1:] {
			inter.AddCert(ic)
		}
		opts := x509.VerifyOptions{Roots: c.roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
		if _, err := leaf.Verify(opts); err != nil {
			return nil, fmt.Errorf("signing certificate: %v", err)
		}
	}
	return leaf, nil
}
