package password

import "testing"

func TestGateCapsAndFrees(t *testing.T) {
	g := NewGate(2)
	if first, second := g.TryEnter(), g.TryEnter(); !first || !second {
		t.Fatal("a gate of 2 refused one of the first two")
	}
	if g.TryEnter() {
		t.Fatal("a gate of 2 let a third in")
	}
	g.Leave()
	if !g.TryEnter() {
		t.Fatal("a freed slot was not given again")
	}
	if g.Peak() != 2 || g.Cap() != 2 {
		t.Fatalf("peak %d cap %d, want 2 and 2", g.Peak(), g.Cap())
	}
	if NewGate(0).Cap() < 1 {
		t.Fatal("NewGate(0) has no slot")
	}
}
