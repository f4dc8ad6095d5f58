package smtp

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/emersion/go-msgauth/dkim"
)

// signedHeaders are covered by the signature. RFC 8058 §4 requires
// List-Unsubscribe and List-Unsubscribe-Post among them, which is why we
// sign with go-msgauth: go-mail's own signer folds a long h= tag mid-word
// and breaks the signature (research §1.7).
var signedHeaders = []string{"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive"}

// DKIM signs messages for one domain and selector.
type DKIM struct {
	Domain, Selector string
	Key              crypto.Signer
}

// LoadDKIM reads a PEM private key (PKCS#1 or PKCS#8, RSA or Ed25519).
func LoadDKIM(domain, selector, keyFile string) (*DKIM, error) {
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("BULLETIN_DKIM_KEY_FILE: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("BULLETIN_DKIM_KEY_FILE: no PEM block found")
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, errors.New("BULLETIN_DKIM_KEY_FILE: not a PKCS#1 or PKCS#8 private key")
		}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("BULLETIN_DKIM_KEY_FILE: unsupported key type")
	}
	return &DKIM{Domain: domain, Selector: selector, Key: signer}, nil
}

// sign returns the DKIM-Signature header line for msg, a whole message.
func (d *DKIM) sign(msg []byte) (string, error) {
	s, err := dkim.NewSigner(&dkim.SignOptions{
		Domain: d.Domain, Selector: d.Selector, Signer: d.Key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	})
	if err != nil {
		return "", fmt.Errorf("dkim: %w", err)
	}
	if _, err := s.Write(msg); err != nil {
		s.Close()
		return "", fmt.Errorf("dkim: sign: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", fmt.Errorf("dkim: sign: %w", err)
	}
	return s.Signature(), nil
}
