package main

import (
	"context"
	"errors"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
)

// consoleUsers lets the console find forum accounts by username for
// invitations; the console keeps only their IDs.
type consoleUsers struct{ forum *forum.Store }

var _ console.Users = consoleUsers{}

func (u consoleUsers) UserIDByUsername(ctx context.Context, username string) (int64, bool, error) {
	usr, err := u.forum.FindUserByUsername(ctx, username)
	if errors.Is(err, forum.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return usr.ID, true, nil
}
