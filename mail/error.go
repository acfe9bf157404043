package mail

import "errors"

// ErrInvalid is returned for a message that cannot be sent as given (an
// unparseable address, an unknown kind).
var ErrInvalid = errors.New("mail: invalid message")

// permanentError marks a failure that retrying cannot fix (the server
// refused the recipient for good): the message is failed at once.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }
