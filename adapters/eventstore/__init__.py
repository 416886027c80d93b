"""The event store adapters: our eventsourcing recorders, factories, subscription, transcoder.

Choose a store with ``PERSISTENCE_MODULE=adapters.eventstore.sqlite`` or
``adapters.eventstore.postgres`` and the transcoder with
``TRANSCODER_TOPIC=adapters.eventstore.compact_transcoder:CompactTranscoder`` (MessagePack; it
still reads the JSON that ``transcoder:MotcuaTranscoder`` wrote before); payloads are encrypted
with ``CIPHER_TOPIC=adapters.eventstore.cipher:KeyringCipher`` (docs/keys.md). Rows that must commit
atomically with events (idempotency keys, the audit hash chain; later the outbox) live in the
recorder subclasses, so every such feature switches on in this one place. The submodules are
not imported here: each store module must be importable without the other's driver state.
"""
