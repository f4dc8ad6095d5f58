package config

import (
	"strings"
	"testing"
)

func TestInboundSettings(t *testing.T) {
	c, err := load(t, map[string]string{"BULLETIN_INBOUND_DOMAIN": "Bounces.Example.org",
		"BULLETIN_INBOUND_IMAP_URL": "imap://me:p%40ss@127.0.0.1:1143/Bulletin?tls=none"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Inbound.Domain != "bounces.example.org" || c.Inbound.Addr != "127.0.0.1:2526" || c.Inbound.MaxBytes != 10<<20 {
		t.Errorf("inbound = %+v", c.Inbound)
	}
	want := IMAP{Addr: "127.0.0.1:1143", Username: "me", Password: "p@ss", Mailbox: "Bulletin", TLS: "none"}
	if c.Inbound.IMAP != want {
		t.Errorf("imap = %+v, want %+v", c.Inbound.IMAP, want)
	}
	if !c.Roles.Inbound || !c.Roles.Web || !c.Roles.Sender {
		t.Errorf("with a domain, default roles = %v, want inbound among them", c.Roles)
	}
	c, err = load(t, nil)
	if err != nil || c.Roles.Inbound {
		t.Errorf("without a domain: roles %v, err %v", c.Roles, err)
	}
	c, err = load(t, map[string]string{"BULLETIN_INBOUND_DOMAIN": "in.example.org", "BULLETIN_ROLES": "web"})
	if err != nil || c.Roles != (Roles{Web: true}) {
		t.Errorf("explicit roles: %v, err %v", c.Roles, err)
	}
}

// Each bad inbound value stops start-up with one line naming the variable.
func TestInboundBadValues(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BULLETIN_INBOUND_DOMAIN": "not a domain"}, "BULLETIN_INBOUND_DOMAIN"},
		{map[string]string{"BULLETIN_INBOUND_DOMAIN": "localhost"}, "BULLETIN_INBOUND_DOMAIN"},
		{map[string]string{"BULLETIN_INBOUND_ADDR": "2526"}, "BULLETIN_INBOUND_ADDR"},
		{map[string]string{"BULLETIN_INBOUND_MAX_BYTES": "ten"}, "BULLETIN_INBOUND_MAX_BYTES"},
		{map[string]string{"BULLETIN_INBOUND_MAX_BYTES": "10"}, "BULLETIN_INBOUND_MAX_BYTES"},
		{map[string]string{"BULLETIN_INBOUND_AUTHSERV_ID": "mx.example.org; dmarc=pass"}, "BULLETIN_INBOUND_AUTHSERV_ID"},
		{map[string]string{"BULLETIN_INBOUND_IMAP_URL": "imaps://u:p@host/INBOX"}, "set BULLETIN_INBOUND_DOMAIN"},
		{map[string]string{"BULLETIN_INBOUND_DOMAIN": "in.example.org", "BULLETIN_INBOUND_IMAP_URL": "pop3://u:p@host"}, "BULLETIN_INBOUND_IMAP_URL: scheme"},
		{map[string]string{"BULLETIN_INBOUND_DOMAIN": "in.example.org", "BULLETIN_INBOUND_IMAP_URL": "imaps://host/INBOX"}, "password"},
		{map[string]string{"BULLETIN_INBOUND_DOMAIN": "in.example.org", "BULLETIN_INBOUND_IMAP_URL": "imap://u:p@host?tls=maybe"}, "tls="},
		{map[string]string{"BULLETIN_ROLES": "web,inbound"}, "needs BULLETIN_INBOUND_DOMAIN"},
		{map[string]string{"BULLETIN_ROLES": "web,mail"}, "unknown role"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want one line with %q", tc.env, err, tc.want)
		}
	}
}
