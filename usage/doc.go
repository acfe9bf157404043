// Package usage keeps each app's usage and health as the console shows
// it: it takes the engine's per-app counters (engine.TakeUsage) every
// interval, adds them into that minute's row in SQLite, keeps an hourly
// roll-up up to date, and deletes minutes after 48 hours and hours after
// 30 days. The hot path never writes the database: the engine counts
// with atomics, and this package writes one row per active app per
// interval. What each figure means is stated on engine.AppUsage; the
// data of the interval in progress is lost if the process dies.
package usage
