package bulletin

// ItemFilter selects items for FindItems. Zero fields do not filter.
type ItemFilter struct {
	Status        string // submitted, approved, rejected
	Newsletter    string // slug
	Section       string // slug; "-" for items without a section
	ContributorID *int64
	IssueID       *int64 // items of one compiled issue, in issue order
	Unissued      bool   // only items not yet taken by an issue
	Limit         int    // default and maximum: MaxItemsPerPage
	Offset        int

	// By, when set, is the user asking: a contributor sees only their own.
	By *User
}

// MaxItemsPerPage caps one FindItems answer.
const MaxItemsPerPage = 500

// ItemUpdate changes some fields of an item; nil fields are left alone.
// Setting Newsletter without Section moves the item to the default section.
type ItemUpdate struct {
	Title      *string `json:"title"`
	Body       *string `json:"body"`
	URL        *string `json:"url"`
	Source     *string `json:"source"`
	Kind       *string `json:"kind"`
	Closing    *bool   `json:"closing"`
	Newsletter *string `json:"newsletter"`
	Section    *string `json:"section"`
	Position   *int    `json:"position"` // 1-based within the section; moves the others

	// By, when set, is the user making the change; the store checks
	// CheckItemChange under the row lock.
	By *User `json:"-"`
}

// CanSeeItem reports whether u may read it: editors see every item,
// contributors their own.
func (u *User) CanSeeItem(it *Item) bool {
	return u.CanEdit() || (it.ContributorID != nil && *it.ContributorID == u.ID)
}

// CheckItemChange returns nil when u may edit or delete it: editors any item
// not yet in an issue, contributors their own while it is submitted. A user
// who may not even see it gets ENOTFOUND, so item ids reveal nothing.
func (u *User) CheckItemChange(it *Item) error {
	if !u.CanSeeItem(it) {
		return Errorf(ENOTFOUND, "item not found")
	}
	if it.IssueID != nil {
		return Errorf(EUNPROCESSABLE, "item is already in an issue and can no longer change")
	}
	if !u.CanEdit() && it.Status != ItemSubmitted {
		return Errorf(EUNPROCESSABLE, "item is %s; only submitted items can be changed by their contributor", it.Status)
	}
	return nil
}

// CheckItemCorrection returns nil when u may correct the wording of it, an
// item already in an issue: editors only, and only in place (upd moves
// nothing). Whether the issue is still unsent is the store's check.
func (u *User) CheckItemCorrection(it *Item, upd ItemUpdate) error {
	if !u.CanSeeItem(it) {
		return Errorf(ENOTFOUND, "item not found")
	}
	if !u.CanEdit() {
		return Errorf(EUNPROCESSABLE, "item is already in an issue; only an editor can still correct it")
	}
	return upd.CheckInPlace(it)
}

// CheckInPlace refuses an update that would move an item of an issue: the
// issue's order was fixed when it was compiled.
func (upd ItemUpdate) CheckInPlace(it *Item) error {
	if upd.Newsletter != nil && *upd.Newsletter != it.Newsletter || upd.Section != nil && *upd.Section != it.Section ||
		upd.Position != nil && *upd.Position != it.Position {
		return Errorf(EUNPROCESSABLE, "item is in issue %d: its wording can be corrected until the issue is sent, but it cannot move (cancel the issue to rearrange it)", it.Issue)
	}
	return nil
}

// CheckReview returns nil when an item in status from may move to status to
// (approved or rejected). Editors may change their mind until the item is in
// an issue; repeating the current status is refused so that approved_at keeps
// its meaning.
func CheckReview(it *Item, to string) error {
	if to != ItemApproved && to != ItemRejected {
		return Errorf(EINVALID, "status: must be %q or %q", ItemApproved, ItemRejected)
	}
	if it.IssueID != nil {
		return Errorf(EUNPROCESSABLE, "item is already in an issue")
	}
	if it.Status == to {
		return Errorf(EUNPROCESSABLE, "item is already %s", to)
	}
	return nil
}
