-- engine_streams.top_offset no longer follows every insert: the trigger
-- rewrote a stream row, and the page holding it, for every publication,
-- which in a group commit across many channels was a quarter of the bytes
-- written. The top offset is now the larger of top_offset and the stream's
-- highest stored offset (one index lookup when a stream is loaded); the
-- sweep writes top_offset before it deletes a stream's newest rows, and the
-- trim by size always keeps them.
DROP TRIGGER IF EXISTS engine_history_top;
