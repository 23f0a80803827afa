-- Every change to a registration or a document row (or one of its signers) is announced on the channel
-- `privy_gateway_record_changed` (payload `<table>:<id>`), after commit, to every listening gateway
-- instance: each keeps a process-local record cache of the rows its status reads serve and evicts
-- the row named (README, Benchmark: "The record cache"). Schema-qualified names are not needed: a
-- payload naming a row of another schema only evicts an entry that is not there.
CREATE OR REPLACE FUNCTION "privy_gateway_record_changed"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('privy_gateway_record_changed', TG_TABLE_NAME || ':' || OLD."id");
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "registrations_changed" AFTER UPDATE OR DELETE ON "registrations"
  FOR EACH ROW EXECUTE FUNCTION "privy_gateway_record_changed"();

CREATE TRIGGER "documents_changed" AFTER UPDATE OR DELETE ON "documents"
  FOR EACH ROW EXECUTE FUNCTION "privy_gateway_record_changed"();

-- A document's signers are part of what its status read serves.
CREATE OR REPLACE FUNCTION "privy_gateway_signer_changed"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('privy_gateway_record_changed', 'documents:' || OLD."document_id");
  ELSE
    PERFORM pg_notify('privy_gateway_record_changed', 'documents:' || NEW."document_id");
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "document_signers_changed" AFTER INSERT OR UPDATE OR DELETE ON "document_signers"
  FOR EACH ROW EXECUTE FUNCTION "privy_gateway_signer_changed"();
