package support

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-rtm/switchboard/forum"
)

// PersonalTeams is Teams for a portal without the console: every user is
// a team of one whose ID is the user's and whose name is the username.
type PersonalTeams struct{ Users *forum.Store }

var _ Teams = PersonalTeams{}

// TeamsOf returns the user's own team.
func (p PersonalTeams) TeamsOf(ctx context.Context, userID int64) ([]Team, error) {
	u, err := p.Users.FindUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("personal team: %w", err)
	}
	return []Team{{ID: u.ID, Name: u.Username}}, nil
}

// IsMember reports whether the team is the user's own.
func (p PersonalTeams) IsMember(_ context.Context, teamID, userID int64) (bool, error) {
	return teamID != 0 && teamID == userID, nil
}

// TeamByName finds the team of the user with that username.
func (p PersonalTeams) TeamByName(ctx context.Context, name string) (Team, error) {
	u, err := p.Users.FindUserByUsername(ctx, name)
	if errors.Is(err, forum.ErrNotFound) {
		return Team{}, fmt.Errorf("team %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("team %q: %w", name, err)
	}
	return Team{ID: u.ID, Name: u.Username}, nil
}
