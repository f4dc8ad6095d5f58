package webhook

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// SNS message types.
const (
	snsNotification    = "Notification"
	snsSubscribe       = "SubscriptionConfirmation"
	snsUnsubscribe     = "UnsubscribeConfirmation"
	snsSignatureSHA1   = "1"
	snsSignatureSHA256 = "2"
)

// snsMessage is the JSON body SNS posts. Subject is a pointer because an
// absent Subject and an empty one sign differently.
type snsMessage struct {
	Type             string
	MessageId        string
	Token            string
	TopicArn         string
	Subject          *string
	Message          string
	SubscribeURL     string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
}

// DefaultCertHost is the host pattern SESOptions.CertHost defaults to: SNS's
// own regional endpoints, including the China and GovCloud partitions.
var DefaultCertHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

func parseSNS(body []byte) (*snsMessage, error) {
	var m snsMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("not an SNS message: %v", err)
	}
	switch m.Type {
	case snsNotification, snsSubscribe, snsUnsubscribe:
	case "":
		return nil, errors.New("not an SNS message: no Type")
	default:
		return nil, fmt.Errorf("unknown SNS message type %q", m.Type)
	}
	if m.MessageId == "" || m.TopicArn == "" || m.Signature == "" || m.SigningCertURL == "" {
		return nil, errors.New("SNS message lacks MessageId, TopicArn, Signature or SigningCertURL")
	}
	return &m, nil
}

// stringToSign builds the canonical text SNS signs: "Key\nValue\n" for a
// fixed list of keys per message type, in byte order of the key names.
func (m *snsMessage) stringToSign() string {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", m.Message)
	add("MessageId", m.MessageId)
	if m.Type == snsNotification {
		if m.Subject != nil {
			add("Subject", *m.Subject)
		}
	} else {
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", m.Timestamp)
	if m.Type != snsNotification {
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicArn)
	add("Type", m.Type)
	return b.String()
}

// verify checks m's signature with key: SignatureVersion 1 is SHA1withRSA,
// 2 is SHA256withRSA, both PKCS #1 v1.5.
func (m *snsMessage) verify(key *rsa.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return errors.New("signature is not base64")
	}
	text := []byte(m.stringToSign())
	switch m.SignatureVersion {
	case snsSignatureSHA1:
		sum := sha1.Sum(text)
		err = rsa.VerifyPKCS1v15(key, crypto.SHA1, sum[:], sig)
	case snsSignatureSHA256:
		sum := sha256.Sum256(text)
		err = rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig)
	default:
		return fmt.Errorf("unknown SignatureVersion %q", m.SignatureVersion)
	}
	if err != nil {
		return errors.New("signature does not verify")
	}
	return nil
}

// checkAWSURL accepts only an https URL on a host hostRE matches, with no
// user info and the default port: the certificate and the subscription
// link must come from SNS itself.
func checkAWSURL(raw string, hostRE *regexp.Regexp) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%q is not https", raw)
	}
	if u.User != nil || u.Port() != "" || !hostRE.MatchString(u.Hostname()) {
		return fmt.Errorf("host of %q is not an allowed SNS host", raw)
	}
	return nil
}
