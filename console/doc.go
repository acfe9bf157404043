// Package console is the developer console's domain: teams (a personal
// team per user, and shared ones), their members with a role (owner,
// developer, viewer), invitations by email address or username, and the
// engine apps each team owns, with their lifecycle (create, rename,
// delete after a grace period, transfer) and credentials (certificate and
// API key rotation with an overlap, test tokens minted on the server).
//
// Every method takes the acting user from its context (NewContext) and
// checks it against one policy (Allowed, policy.go) before it reads or
// changes anything. Whoever is not a member of an app's team, and is not
// staff, gets ErrNotFound, never ErrForbidden, so App IDs and team IDs
// cannot be probed.
package console
