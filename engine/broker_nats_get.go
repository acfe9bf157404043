package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// JetStream's API subjects for reading messages. STREAM.MSG.GET is
// answered by the stream's leader, so it sees every acknowledged
// publication; DIRECT.GET may be answered by any replica, and it sends a
// batch of messages in one request.
const (
	apiMsgGet    = "$JS.API.STREAM.MSG.GET."
	apiDirectGet = "$JS.API.DIRECT.GET."
)

type msgGetRequest struct {
	Seq     uint64 `json:"seq,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`
	Batch   int    `json:"batch,omitempty"`
	UpToSeq uint64 `json:"up_to_seq,omitempty"`
}

type msgGetResponse struct {
	Error *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
	Message *struct {
		Seq  uint64 `json:"seq"`
		Hdrs []byte `json:"hdrs"`
		Data []byte `json:"data"`
	} `json:"message"`
}

// errCodeNoMessage is JetStream's "no message found".
const errCodeNoMessage = 10037

// leaderGet asks the stream's leader for one message; found is false when
// there is none.
func (b *NATSBroker) leaderGet(ctx context.Context, s *natsStream, req msgGetRequest) (hdr nats.Header, data []byte, seq uint64, found bool, err error) {
	body, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
	defer cancel()
	m, err := b.nc.RequestWithContext(ctx, apiMsgGet+s.name, body)
	if err != nil {
		return nil, nil, 0, false, unavailable(fmt.Errorf("read stream: %w", err))
	}
	var resp msgGetResponse
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return nil, nil, 0, false, fmt.Errorf("read stream: %w", err)
	}
	if resp.Error != nil {
		if resp.Error.ErrCode == errCodeNoMessage || resp.Error.Code == 404 && resp.Error.ErrCode != 10059 {
			return nil, nil, 0, false, nil
		}
		return nil, nil, 0, false, unavailable(fmt.Errorf("read stream: %s (%d)", resp.Error.Description, resp.Error.ErrCode))
	}
	if resp.Message == nil {
		return nil, nil, 0, false, nil
	}
	return parseHeaders(resp.Message.Hdrs), resp.Message.Data, resp.Message.Seq, true, nil
}

// parseHeaders decodes a stored message's "NATS/1.0\r\nKey: Value\r\n..." block.
func parseHeaders(raw []byte) nats.Header {
	h := nats.Header{}
	lines := bytes.Split(raw, []byte("\r\n"))
	for _, l := range lines[min(1, len(lines)):] {
		k, v, ok := bytes.Cut(l, []byte(":"))
		if ok {
			h.Add(string(bytes.TrimSpace(k)), string(bytes.TrimSpace(v)))
		}
	}
	return h
}

// lastMsg returns the offset, stream sequence and message ID of the
// channel's last publication (all zero if it has none).
func (b *NATSBroker) lastMsg(ctx context.Context, s *natsStream, subj string) (offset, seq uint64, msgID string, err error) {
	hdr, _, seq, found, err := b.leaderGet(ctx, s, msgGetRequest{LastFor: subj})
	if err != nil || !found {
		return 0, 0, "", err
	}
	offset, err = strconv.ParseUint(hdr.Get(hdrOffset), 10, 64)
	if err != nil {
		return 0, 0, "", fmt.Errorf("read stream: message %d has no offset: %w", seq, err)
	}
	return offset, seq, hdr.Get(nats.MsgIdHdr), nil
}

// msgAt returns the publication stored at a stream sequence.
func (b *NATSBroker) msgAt(ctx context.Context, s *natsStream, channel string, seq uint64) (*Publication, error) {
	hdr, data, _, found, err := b.leaderGet(ctx, s, msgGetRequest{Seq: seq})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("read stream: message %d is gone", seq)
	}
	return decodePublication(channel, s.epoch, hdr, data)
}

// decodePublication builds the publication of a stored message.
func decodePublication(channel, epoch string, hdr nats.Header, data []byte) (*Publication, error) {
	off, err := strconv.ParseUint(hdr.Get(hdrOffset), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("stored publication without offset: %w", err)
	}
	t, _ := strconv.ParseInt(hdr.Get(hdrTime), 10, 64)
	p := &Publication{Offset: off, Epoch: epoch, Data: json.RawMessage(data), From: hdr.Get(hdrFrom), Time: t}
	if t > 0 {
		// Usage latency of a publication read back from the stream (from
		// another node, or this node's own when the stream's copy came
		// first) counts from its stored time, by the publishing node's clock.
		p.accepted = time.UnixMilli(t)
	}
	p.frame = encodePub(channel, p)
	return p, nil
}

// readRange reads up to batch publications of subj with stream sequences
// in [from, upTo], in order, in one direct-get request. A replica that
// lags may answer with fewer than the leader has: when the last offset
// read is below wantTop (and the batch was not full), it asks again
// shortly, for up to a second.
// lastSeq is the stream sequence of the last one.
func (b *NATSBroker) readRange(ctx context.Context, s *natsStream, channel, subj string, from, upTo uint64, batch int, wantTop uint64) (pubs []*Publication, lastSeq uint64, err error) {
	for try := 0; ; try++ {
		pubs, lastSeq, err = b.directBatch(ctx, s, channel, msgGetRequest{Seq: from, NextFor: subj, Batch: batch, UpToSeq: upTo})
		if err != nil {
			return nil, 0, err
		}
		if len(pubs) >= batch || len(pubs) > 0 && pubs[len(pubs)-1].Offset >= wantTop || try == 100 {
			return pubs, lastSeq, nil
		}
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// directBatch sends one batched direct get and collects its messages up to
// the end-of-batch status.
func (b *NATSBroker) directBatch(ctx context.Context, s *natsStream, channel string, req msgGetRequest) (pubs []*Publication, lastSeq uint64, err error) {
	body, _ := json.Marshal(req)
	inbox := b.nc.NewRespInbox()
	sub, err := b.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, 0, unavailable(fmt.Errorf("read stream: %w", err))
	}
	defer sub.Unsubscribe()
	if err := b.nc.PublishRequest(apiDirectGet+s.name, inbox, body); err != nil {
		return nil, 0, unavailable(fmt.Errorf("read stream: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
	defer cancel()
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return nil, 0, unavailable(fmt.Errorf("read stream: %w", err))
		}
		if st := m.Header.Get("Status"); st != "" {
			if st == "204" || st == "404" {
				return pubs, lastSeq, nil // end of batch, or nothing at all
			}
			return nil, 0, unavailable(fmt.Errorf("read stream: status %s %s", st, m.Header.Get("Description")))
		}
		p, err := decodePublication(channel, s.epoch, m.Header, m.Data)
		if err != nil {
			return nil, 0, err
		}
		lastSeq, _ = strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		pubs = append(pubs, p)
	}
}
