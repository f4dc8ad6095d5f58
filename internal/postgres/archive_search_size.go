package postgres

import "unsafe"

// The estimate of an index's heap, made once when it is built: what the
// index holds, counted as the Go runtime allocates it.
//
//   - every string and slice backing array at its allocation size: the
//     size rounded up to the runtime's size class (sizeClasses) or, past
//     32 KB, to whole 8 KB pages. Slices are counted at their capacity.
//   - an item's Flat text only when it is not Text itself (CollapseSpace
//     returns Text when it has nothing to collapse).
//   - each map as the runtime's swiss table lays it out (mapBytes): groups
//     of 8 slots (key and value) behind an 8-byte control word, at most
//     7/8 full, tables of at most 1,024 slots.
//
// Not counted: the structs' headers (a few hundred bytes), and a time
// zone shared with the rest of the process. The estimate is held against
// the measured growth of the heap in TestSearchIndexEstimate.

// sizeClasses are the Go runtime's small object sizes
// (internal/runtime/gc/sizeclasses.go, unchanged since Go 1.21).
var sizeClasses = [...]int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
	2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// allocBytes is the heap an allocation of n bytes takes.
func allocBytes(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n > 32768:
		return (n + 8191) &^ 8191
	}
	lo, hi := 0, len(sizeClasses)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if sizeClasses[mid] >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return sizeClasses[lo]
}

// mapBytes estimates a map of n entries whose key and value take slot
// bytes together: the slots of its tables, rounded to groups of 8, with
// the control words, and a directory of tables past 1,024 slots.
func mapBytes(n, slot int64) int64 {
	const groupSlots, tableSlots = 8, 1024
	group := 8 + groupSlots*slot
	switch {
	case n == 0:
		return 48
	case n <= groupSlots:
		return 48 + allocBytes(group)
	}
	// Tables double while they fit 1,024 slots, then split in two when
	// 7/8 full: past that, each table is between 7/16 and 7/8 full, about
	// 2/3 on average.
	need := (n*8 + 6) / 7
	slots := int64(groupSlots)
	for slots < need && slots < tableSlots {
		slots *= 2
	}
	if slots >= need {
		return 48 + 64 + allocBytes(slots/groupSlots*group)
	}
	tables := (n*3/2 + tableSlots - 1) / tableSlots
	return 48 + allocBytes(tables*8) + tables*(64+allocBytes(tableSlots/groupSlots*group))
}

// estimateBytes is the estimate of what ix holds.
func (ix *searchIndex) estimateBytes() int64 {
	str := func(s string) int64 { return allocBytes(int64(len(s))) }
	var n int64
	n += allocBytes(int64(cap(ix.items)) * int64(unsafe.Sizeof(searchItem{})))
	spans := int64(unsafe.Sizeof(wordSpan{}))
	for i := range ix.items {
		it := &ix.items[i]
		n += str(it.Title) + str(it.Text) + str(it.Subject) + str(it.Vector)
		if it.Flat != it.Text {
			n += str(it.Flat)
		}
		n += allocBytes(int64(cap(it.titleWords))*spans) + allocBytes(int64(cap(it.textWords))*spans) +
			allocBytes(int64(cap(it.flatWords))*spans)
	}
	postingSize := int64(unsafe.Sizeof(posting{}))
	header := int64(unsafe.Sizeof("") + unsafe.Sizeof([]posting{}))
	n += mapBytes(int64(len(ix.postings)), header)
	for lex, ps := range ix.postings {
		n += str(lex) + allocBytes(int64(cap(ps))*postingSize)
	}
	n += allocBytes(int64(cap(ix.positions)) * 2)
	n += mapBytes(int64(len(ix.lexWords)), header)
	for lex, ws := range ix.lexWords {
		n += str(lex) + allocBytes(int64(cap(ws))*4)
	}
	return n
}
