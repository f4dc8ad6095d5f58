package password

import (
	"strings"
	"testing"
)

// Cheap costs keep the test fast; Verify reads them from the string.
var cheap = Params{Time: 1, Memory: 1024, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := HashWith(cheap, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	if ok, err := Verify(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := Verify(h, "correct horse batterz"); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	h2, _ := HashWith(cheap, "correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if ok, _ := Verify("", "x"); ok {
		t.Fatal("empty hash matched")
	}
	for _, bad := range []string{"plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA"} {
		if _, err := Verify(bad, "x"); err != ErrMalformed {
			t.Errorf("Verify(%q) err = %v", bad, err)
		}
	}
}

func TestDefaultHash(t *testing.T) {
	h, err := Hash("a long enough password")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("%q %v", h, err)
	}
	if ok, _ := Verify(h, "a long enough password"); !ok {
		t.Fatal("default hash does not verify")
	}
}

func TestCheck(t *testing.T) {
	if Check("short") == nil || Check(strings.Repeat("x", MaxLen+1)) == nil {
		t.Fatal("bad passwords accepted")
	}
	if err := Check("ten chars!"); err != nil {
		t.Fatal(err)
	}
}
