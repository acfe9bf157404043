package portal

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-rtm/switchboard/mail"
	"github.com/switchboard-rtm/switchboard/support"
)

// mailTicket emails one ticket event (kind: ticket_created, ticket_replied,
// ticket_solved) to a user, in the user's language, unless the user turned
// notification emails off. The subject names the ticket's number, never
// its content: the body says to read it on the portal. A failure to queue
// is logged, not shown: the ticket itself is saved.
func (s *Server) mailTicket(ctx context.Context, c echo.Context, t *support.Ticket, kind string, to int64) {
	if s.cfg.Mail == nil || to == 0 {
		return
	}
	u, err := s.cfg.Forum.FindUser(ctx, to)
	if err != nil || !u.EmailNotifications {
		return
	}
	tok, err := s.cfg.Forum.MailToken(ctx, u.ID)
	if err != nil {
		s.log.ErrorContext(ctx, "ticket mail", "ticket", t.ID, "err", err)
		return
	}
	lang := mailLang(u.Lang)
	if _, err := s.cfg.Mail.Send(ctx, mail.Letter{Kind: kind, To: u.Email, Lang: lang, Name: u.Name,
		Data: map[string]any{"ID": t.ID}, Link: s.publicURL(c, ticketPath(lang, t.ID)),
		Unsubscribe: s.publicURL(c, "/"+lang+"/unsubscribe/"+tok)}); err != nil {
		s.log.ErrorContext(ctx, "ticket mail", "ticket", t.ID, "err", err)
	}
}
