package delivery

import "testing"

// A row this pool claims again before the worker that attempted it is
// done (its failure committed, the retry already due) stays held for the
// second job: done ends one claim, not every claim of the id.
func TestLeaseOfARowClaimedTwiceOutlivesTheFirstDone(t *testing.T) {
	var l leases
	l.add([]Job{{ID: 7}, {ID: 8}})
	l.add([]Job{{ID: 7}}) // claimed again while the first job of 7 is finishing
	l.done(7)
	if !l.held(7) {
		t.Fatal("the second claim of row 7 was dropped by the first job's done")
	}
	l.done(7)
	if l.held(7) {
		t.Error("row 7 still held after both its jobs are done")
	}
	if !l.held(8) {
		t.Error("row 8 dropped by another row's done")
	}
	l.done(7) // a done too many changes nothing
	if !l.held(8) || l.held(7) {
		t.Error("an extra done changed the leases")
	}
}

// A renewal that did not renew a row forgets it, unless the row was
// claimed again after the list the renewal was made from.
func TestLeaseRenewalAnsweredForAnOlderClaim(t *testing.T) {
	var l leases
	l.add([]Job{{ID: 1}, {ID: 2}, {ID: 3}})
	listed, _ := l.list()
	l.done(2)
	l.add([]Job{{ID: 2}}) // claimed again while the renewal ran
	if lost := l.keep(listed, []int64{3}); lost != 1 {
		t.Errorf("lost %d, want 1 (row 1)", lost)
	}
	if l.held(1) {
		t.Error("row 1, not renewed, is still held")
	}
	if !l.held(2) {
		t.Error("row 2's newer claim was dropped by a renewal made for its older one")
	}
	if !l.held(3) {
		t.Error("renewed row 3 was dropped")
	}
}
