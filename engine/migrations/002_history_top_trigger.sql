-- Keep engine_streams.top_offset in step with engine_history, so that a
-- publication is one INSERT (one implicit transaction) instead of an
-- explicit transaction with two statements.
CREATE TRIGGER engine_history_top AFTER INSERT ON engine_history
BEGIN
    UPDATE engine_streams SET top_offset = NEW.offset
    WHERE app_id = NEW.app_id AND channel = NEW.channel AND top_offset < NEW.offset;
END;
