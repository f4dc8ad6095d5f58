package inbound_test

import (
	"strings"
	"unicode/utf8"
)

func toUpper(s string) string { return strings.ToUpper(s) }
func toLower(s string) string { return strings.ToLower(s) }

func validText(s string) bool { return utf8.ValidString(s) && !strings.Contains(s, "\x00") }
