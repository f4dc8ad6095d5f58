package delivery

// GCPercent is the garbage-collection target a sending process should run
// with (debug.SetGCPercent) unless the operator set GOGC. Each message is a
// fresh personalised copy of a ~40 KB issue, so with Go's default of 100 the
// collector took about a quarter of the sender's CPU; the live heap is small
// (about 20 MB), so a four-times-higher target costs a few tens of MB and
// bought 51 % → 67 % of the bare go-mail loop in BenchmarkThroughput/10000.
const GCPercent = 400
