-- Up Migration

-- A batch redelivered after a crash must not quarantine the same message twice.
DELETE FROM quarantine q USING quarantine older
 WHERE q.topic = older.topic AND q.kafka_partition = older.kafka_partition
   AND q.kafka_offset = older.kafka_offset AND q.id > older.id;
ALTER TABLE quarantine ADD CONSTRAINT quarantine_message_key UNIQUE (topic, kafka_partition, kafka_offset);

-- Down Migration
ALTER TABLE quarantine DROP CONSTRAINT quarantine_message_key;
