package smtp

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// signedHeaders are covered by every signature (those a message has). RFC
// 8058 §4 requires List-Unsubscribe and List-Unsubscribe-Post among them.
var signedHeaders = []string{"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive"}

// DKIM signs messages for one domain, with one key or more: an RSA key
// and an Ed25519 key give each message both signatures (RFC 8463 §4
// suggests it while receivers learn Ed25519).
type DKIM struct {
	Domain string
	Keys   []DKIMKey
}

// DKIMKey is one selector and its private key (RSA or Ed25519).
type DKIMKey struct {
	Selector string
	Key      crypto.Signer
}

// algorithm is the a= tag for k.
func (k DKIMKey) algorithm() string {
	if _, ok := k.Key.(ed25519.PrivateKey); ok {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}

// LoadDKIM reads a PEM private key (PKCS#1 or PKCS#8, RSA or Ed25519).
func LoadDKIM(domain, selector, keyFile string) (*DKIM, error) {
	d := &DKIM{Domain: domain}
	if err := d.AddKey(selector, keyFile); err != nil {
		return nil, fmt.Errorf("BULLETIN_DKIM_KEY_FILE: %w", err)
	}
	return d, nil
}

// AddKey adds a second signature, e.g. Ed25519 beside RSA.
func (d *DKIM) AddKey(selector, keyFile string) error {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return errors.New("no PEM block found")
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return errors.New("not a PKCS#1 or PKCS#8 private key")
		}
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 1024 {
			return fmt.Errorf("RSA key of %d bits: receivers ignore keys under 1024 bits", k.N.BitLen())
		}
	case ed25519.PrivateKey:
	default:
		return fmt.Errorf("unsupported key type %T (want RSA or Ed25519)", key)
	}
	d.Keys = append(d.Keys, DKIMKey{Selector: selector, Key: key.(crypto.Signer)})
	return nil
}

// AddEd25519 adds an Ed25519 key, refusing any other kind.
func (d *DKIM) AddEd25519(selector, keyFile string) error {
	if err := d.AddKey(selector, keyFile); err != nil {
		return err
	}
	if k := d.Keys[len(d.Keys)-1]; k.algorithm() != "ed25519-sha256" {
		d.Keys = d.Keys[:len(d.Keys)-1]
		return errors.New("not an Ed25519 key")
	}
	return nil
}
