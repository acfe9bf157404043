package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
)

// supportTeams answers support's questions about teams from the console:
// a ticket belongs to a console team, and its members see it.
type supportTeams struct {
	console *console.Service
	users   *forum.Store
}

var _ support.Teams = supportTeams{}

func (t supportTeams) TeamsOf(ctx context.Context, userID int64) ([]support.Team, error) {
	u, err := t.users.FindUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("teams of %d: %w", userID, err)
	}
	ts, err := t.console.MemberTeams(ctx, userID, u.Username)
	if err != nil {
		return nil, err
	}
	out := make([]support.Team, len(ts))
	for i, ct := range ts {
		out[i] = support.Team{ID: ct.ID, Name: ct.Name}
	}
	return out, nil
}

func (t supportTeams) IsMember(ctx context.Context, teamID, userID int64) (bool, error) {
	return t.console.IsMember(ctx, teamID, userID)
}

func (t supportTeams) TeamByName(ctx context.Context, name string) (support.Team, error) {
	ct, err := t.console.FindTeam(ctx, name)
	if errors.Is(err, console.ErrNotFound) {
		// A user who has not opened the console yet still has a personal
		// team, named after them.
		u, uerr := t.users.FindUserByUsername(ctx, name)
		if errors.Is(uerr, forum.ErrNotFound) {
			return support.Team{}, fmt.Errorf("team %q: %w", name, support.ErrNotFound)
		}
		if uerr != nil {
			return support.Team{}, fmt.Errorf("team %q: %w", name, uerr)
		}
		ts, terr := t.console.MemberTeams(ctx, u.ID, u.Username)
		if terr != nil {
			return support.Team{}, terr
		}
		for _, ct := range ts {
			if ct.Personal {
				return support.Team{ID: ct.ID, Name: ct.Name}, nil
			}
		}
		return support.Team{}, fmt.Errorf("team %q: %w", name, support.ErrNotFound)
	}
	if err != nil {
		return support.Team{}, err
	}
	return support.Team{ID: ct.ID, Name: ct.Name}, nil
}
